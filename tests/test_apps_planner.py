"""The forecast and schedule planner on the demo workspace, and the real app in Voila."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

import pandas as pd
import pytest
from browser import AppServer, assert_offline, browser_session, open_app

from ccomkit.apps.planner import build_planner
from ccomkit.wfm import workshop
from ccomkit.wfm.roster_check import check_roster
from ccomkit.wfm.roster_rules import load_rules


def test_planner_forecast_requirement_roster(demo_workspace: Path) -> None:
    app = build_planner(str(demo_workspace), lang="en", queue="BIL", history_weeks=6)
    assert app.frame.error.value == ""
    fc, req = app.forecast, app.requirement
    # the forecast is the workshop's, for the 7 days after the history, with its interval band
    assert set(fc["queue"]) == {"BIL"} and fc["interval_start"].dt.normalize().nunique() == 7
    assert (fc["calls_p10"] <= fc["calls_p90"]).all()
    assert fc["interval_start"].min() > app.history["interval_start"].max()
    assert len(app.reliability) > 0 and "reliability_class" in app.reliability
    expect = workshop.staffing_requirement(fc, workshop.WorkshopParams(queue_id="BIL"))
    assert req["agents_required"].tolist() == expect["agents_required"].tolist()
    # a knob restaffs from memory: a longer answer time needs fewer agents
    before = int(req["agents_required"].sum())
    app.target_s.value = 120
    assert int(app.requirement["agents_required"].sum()) < before
    assert app.roster is None and "Solve roster" in app.roster_html.value
    # solve, score, download
    app.time_limit.value = 10
    app.solve.click()
    assert app.frame.error.value == ""
    res = app.roster
    assert res.status in ("optimal", "feasible", "time_limit") and len(res.roster) > 0
    rules = load_rules("example")
    hard = check_roster(res.roster, app.agents, rules)
    assert len(hard) == 0  # the solver's roster breaks no hard rule
    assert app.scores.value("hard_violations") == 0
    assert "Utilization" in app.roster_html.value and "Fairness" in app.roster_html.value
    assert "data:text/csv;base64," in app.download.value


def test_planner_bad_queue_is_a_message(demo_workspace: Path) -> None:
    app = build_planner(str(demo_workspace), lang="en", queue="NOPE")
    msg = html.unescape(app.frame.error.value)
    assert "The 'queue' parameter of build_planner must be one of BIL" in msg
    assert app.forecast.empty


@pytest.fixture(scope="module")
def planner_page(demo_workspace: Path):
    with AppServer("planner", workspace=demo_workspace) as server, browser_session() as browser:
        yield open_app(browser, server.url, charts=("forecast", "reliability", "requirement"))


@pytest.mark.browser
def test_planner_in_browser(planner_page) -> None:
    app = planner_page
    assert app.error_text().strip() == ""
    for name in ("forecast", "reliability", "requirement"):
        assert app.chart_marks(name) > 0, name
    before = app.text(".ccom-requirement-summary")
    hours = float(re.search(r"座席小时\s*([\d,.]+)", before).group(1).replace(",", ""))
    sig = app.chart_signature("requirement")
    app.fill(".ccom-target-s", 120)
    after = app.wait_text_change(".ccom-requirement-summary", before)
    assert float(re.search(r"座席小时\s*([\d,.]+)", after).group(1).replace(",", "")) < hours
    app.wait_chart_change("requirement", sig)

    app.fill(".ccom-time-limit", 8)
    app.wait_idle()
    app.click(".ccom-solve")
    app.page.wait_for_selector(".ccom-download-link", timeout=240_000)
    app.wait_idle(240_000)
    scores = app.text(".ccom-roster-scores")
    assert "利用率" in scores and "人性化" in scores and "公平性" in scores
    assert app.chart_marks("coverage") > 0
    with app.page.expect_download() as dl:
        app.click(".ccom-download-link")
    grid = pd.read_csv(io.StringIO(Path(dl.value.path()).read_text(encoding="utf-8-sig")))
    assert grid.columns[0] == "agent_id" and len(grid) > 5
    assert_offline(app)
