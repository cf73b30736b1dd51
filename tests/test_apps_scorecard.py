"""The KPI scorecard app on the demo workspace: roles, grades, trend, drivers; and in Voila."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser import AppServer, assert_offline, browser_session, open_app

from ccomkit.apps.scorecard import build_scorecard
from ccomkit.performance import grade, scorecard_totals

CHARTS = ("grades", "trend", "drivers")


def test_scorecard_app(demo_workspace: Path) -> None:
    app = build_scorecard(str(demo_workspace), lang="en", months=3)
    assert app.frame.error.value == ""
    month = app.month.value
    assert app.month.options[-1] == month and len(app.month.options) == 3
    # the table is the engines' result for the month
    tot = scorecard_totals(app.card)
    tot = tot[tot["period"].astype(str) == month].reset_index(drop=True)
    expect = grade(tot, by="role").set_index("agent_id")
    got = app.graded.set_index("agent_id")
    assert len(got) == len(expect) > 10
    assert (got["grade"] == expect.loc[got.index, "grade"]).all()
    assert list(app.graded["total_score"]) == sorted(app.graded["total_score"], reverse=True)
    n = len(app.graded)
    assert f"People</b> {n}" in app.summary_html.value
    assert set(app.drivers["driver"]) >= {"offered", "aht_s", "total"}
    # a team narrows the month's table; the trend keeps every month
    team = app.team.options[1][1]
    app.team.value = team
    assert 0 < len(app.graded) < n and set(app.graded["team_id"]) == {team}
    person = app.person.options[1][1]
    app.person.value = person
    assert app.frame.error.value == ""
    # another role: another scorecard
    app.role.value = "duty_lead"
    assert app.frame.error.value == ""
    assert set(app.card["scorecard_id"]) == {"duty_lead"}
    assert "Duty leads" in app.summary_html.value


def test_scorecard_bad_parameters() -> None:
    from ccomkit.errors import ParameterError

    with pytest.raises(ParameterError, match="'months' parameter"):
        build_scorecard(months=1)
    with pytest.raises(ParameterError, match="'role' parameter"):
        build_scorecard(role="boss")


@pytest.fixture(scope="module")
def scorecard_page(demo_workspace: Path):
    with AppServer("kpi_scorecard", workspace=demo_workspace) as server, \
            browser_session() as browser:
        yield open_app(browser, server.url, charts=CHARTS)


@pytest.mark.browser
def test_scorecard_in_browser(scorecard_page) -> None:
    app = scorecard_page
    assert app.error_text().strip() == ""
    before = app.text(".ccom-summary")
    n_before = int(re.search(r"人数\s*(\d+)", before).group(1))
    assert n_before > 10
    for name in CHARTS:
        assert app.chart_marks(name) > 0, name
    sig = app.chart_signature("grades")
    team = app.options(".ccom-team")[1]
    app.select(".ccom-team", team)
    after = app.wait_text_change(".ccom-summary", before)
    app.wait_idle()
    assert 0 < int(re.search(r"人数\s*(\d+)", after).group(1)) < n_before
    app.wait_chart_change("grades", sig)
    assert team in app.text(".ccom-scorecard-table")
    assert_offline(app)
