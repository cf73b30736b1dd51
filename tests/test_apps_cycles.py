"""The improvement-cycle tracker on a demo workspace holding two DCDIER cycles, and in Voila."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from browser import AppServer, assert_offline, browser_session, open_app

from ccomkit.apps.cycles import build_cycles
from ccomkit.cycle import steps
from ccomkit.store import Workspace


def _run(path: Path, fn, *args, **kw):  # noqa: ANN001, ANN202 - test helper
    with Workspace.open_read(path) as ws:
        res = fn(ws, *args, **kw)
    with Workspace.open_write(path, f"test {res.step}") as ws:
        steps.save(ws, res)
    return res


@pytest.fixture(scope="module")
def cycles_workspace(demo_workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo workspace with one reviewed (closed) AHT cycle and one QA cycle
    stopped after Improve (open, with planned actions)."""
    path = tmp_path_factory.mktemp("cycles") / "workspace.duckdb"
    shutil.copyfile(demo_workspace, path)
    for fn, kw in ((steps.define, {"cycle_id": "AHT-GEN", "scope": "queue:GEN"}),):
        _run(path, fn, "aht", **kw)
    for fn in (steps.collect, steps.clarify, steps.improve):
        _run(path, fn, "AHT-GEN")
    _run(path, steps.execute, "AHT-GEN", updates="all|done")
    _run(path, steps.review, "AHT-GEN")
    _run(path, steps.define, "qa_score", cycle_id="QA-1", scope="center")
    for fn in (steps.collect, steps.clarify, steps.improve):
        _run(path, fn, "QA-1")
    return path


def test_cycles_app(cycles_workspace: Path) -> None:
    app = build_cycles(str(cycles_workspace), lang="en")
    assert app.frame.error.value == ""
    assert set(app.cycles["cycle_id"]) == {"AHT-GEN", "QA-1"}
    assert app.cycle.value == "QA-1"  # the newest
    done = app.detail.steps.set_index("step")["status"]
    assert list(done) == ["done"] * 4 + ["pending"] * 2
    assert "Not reviewed yet" in app.review_html.value
    assert len(app.detail.actions) == 3 and "overdue" in app.actions_html.value
    assert set(app.open_actions["cycle_id"]) == {"QA-1"}  # the closed cycle has none open
    app.cycle.value = "AHT-GEN"
    assert app.frame.error.value == ""
    assert list(app.detail.steps["status"]) == ["done"] * 6
    rv = app.detail.review.set_index("method")
    assert {"its", "matched_weeks", "target"} <= set(rv.index)
    assert f"{rv.loc['its', 'estimate']:+.4g}" in app.review_html.value
    app.status.value = "open"
    assert [v for _, v in app.cycle.options] == ["QA-1"] and app.cycle.value == "QA-1"
    # a refresh reads the record again and keeps the selection
    app.refresh.click()
    assert app.frame.error.value == "" and app.cycle.value == "QA-1"
    assert app.detail.cycle["cycle_id"] == "QA-1"
    app.frame.set_lang("zh")
    assert "改进前" in app.review_html.value or "尚未评测" in app.review_html.value


def test_cycles_app_empty_and_unknown(demo_workspace: Path) -> None:
    app = build_cycles(str(demo_workspace), lang="en")
    assert app.frame.error.value == "" and app.detail is None
    assert "No improvement cycle" in app.steps_html.value
    bad = build_cycles(str(demo_workspace), lang="en", cycle_id="X-9")
    assert "cycle_id" in bad.frame.error.value


@pytest.fixture(scope="module")
def cycles_page(cycles_workspace: Path):
    with AppServer("improvement_cycles", workspace=cycles_workspace) as server, \
            browser_session() as browser:
        yield open_app(browser, server.url, charts=("kpi",))


@pytest.mark.browser
def test_cycles_in_browser(cycles_page) -> None:
    app = cycles_page
    assert app.error_text().strip() == ""
    before = app.text(".ccom-steps")
    assert before.count("已完成") == 4
    assert "QA-1" in app.text(".ccom-open-actions")
    sig = app.chart_signature("kpi")
    label = next(o for o in app.options(".ccom-cycle") if o.startswith("AHT-GEN"))
    app.select(".ccom-cycle", label)
    after = app.wait_text_change(".ccom-steps", before)
    app.wait_idle()
    assert after.count("已完成") == 6
    assert re.search(r"its\s+\d", app.text(".ccom-review"))
    app.wait_chart_change("kpi", sig)
    assert app.chart_marks("kpi") > 10
    assert_offline(app)
