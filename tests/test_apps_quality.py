"""The quality dashboard app on the demo workspace: filters, analyses, and the real app in Voila."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser import AppServer, assert_offline, browser_session, open_app

from ccomkit.apps.quality import build_quality

CHARTS = ("pareto", "control", "comparison", "calibration")


def test_quality_app_filters(demo_workspace: Path) -> None:
    app = build_quality(str(demo_workspace), lang="en")
    assert app.frame.error.value == ""
    n_all = int(app.summary["n_eval"].iloc[0])
    assert n_all > 50 and len(app.pareto) > 3 and len(app.control) > 4
    assert set(app.comparison["team_id"]) == {v for _, v in app.team.options[1:]}
    team = app.team.options[1][1]
    app.team.value = team
    assert app.frame.error.value == ""
    n_team = int(app.summary["n_eval"].iloc[0])
    assert 0 < n_team < n_all
    # the agent list follows the team; comparing teams still shows every team
    ev = app.data.evaluations
    agents = set(ev.loc[ev["team_id"] == team, "agent_id"])
    assert {v for _, v in app.agent.options[1:]} == agents
    assert len(app.comparison) == len(app.team.options) - 1
    app.compare_by.value = "agent_id"
    assert set(app.comparison["agent_id"]) <= agents and len(app.comparison) >= 2
    # an evaluator narrows calibration to that evaluator
    latest = ev[(ev["team_id"] == team) & (ev["month"] == ev["month"].max())]
    evaluator = latest["evaluator_id"].value_counts().index[0]  # one who evaluated this team
    assert evaluator in {v for _, v in app.evaluator.options[1:]}
    app.evaluator.value = evaluator
    assert app.frame.error.value == ""
    assert set(app.calibration["evaluator_id"]) <= {evaluator}
    # the numbers match the evaluations themselves
    m = ev[(ev["team_id"] == team) & (ev["evaluator_id"] == evaluator)
           & (ev["month"] == ev["month"].max())]
    assert int(app.summary["n_eval"].iloc[0]) == len(m) > 0
    assert app.summary["mean"].iloc[0] == pytest.approx(m["total_score"].mean())


def test_quality_app_missing_workspace_is_a_message(tmp_path: Path) -> None:
    app = build_quality(str(tmp_path / "none.duckdb"), lang="en")
    assert "no workspace at" in app.frame.error.value
    assert "Unexpected" not in app.frame.error.value


@pytest.fixture(scope="module")
def quality_page(demo_workspace: Path):
    with AppServer("quality_dashboard", workspace=demo_workspace) as server, \
            browser_session() as browser:
        yield open_app(browser, server.url, charts=CHARTS)


@pytest.mark.browser
def test_quality_in_browser(quality_page) -> None:
    app = quality_page
    assert app.error_text().strip() == ""
    before = app.text(".ccom-summary")
    n_before = int(re.search(r"质检量\s*(\d+)", before).group(1))
    for name in CHARTS:
        assert app.chart_marks(name) > 0, name
    sig = app.chart_signature("pareto")
    team = app.options(".ccom-team")[1]
    app.select(".ccom-team", team)
    after = app.wait_text_change(".ccom-summary", before)
    app.wait_idle()
    n_after = int(re.search(r"质检量\s*(\d+)", after).group(1))
    assert 0 < n_after < n_before
    app.wait_chart_change("pareto", sig)
    assert app.chart_marks("pareto") > 0 and app.chart_marks("control") > 0
    assert app.options(".ccom-agent")[0] == "全部" and len(app.options(".ccom-agent")) > 2
    assert_offline(app)
