"""The staffing calculator app: its table logic, and the real app in Voila driven by chromium."""

from __future__ import annotations

import re

import pytest
from browser import AppServer, assert_offline, browser_session, open_app

from ccomkit.apps.staffing import StaffingInputs, build_staffing, staffing_table
from ccomkit.wfm.erlang import erlang_a_metrics, service_level
from ccomkit.wfm.staffing import required_agents


def test_staffing_table_matches_engines() -> None:
    res, curve = staffing_table(StaffingInputs(calls=300, aht_s=240, interval_min=30,
                                               shrinkage_frac=0.25, patience_s=90))
    traffic = 300 * 240 / 1800
    assert res.loc["traffic_erl", "erlang_c"] == pytest.approx(traffic)
    n_c, n_a = int(res.loc["agents_required", "erlang_c"]), int(res.loc["agents_required", "erlang_a"])
    # the fewest agents meeting 80/20: the one below misses it
    assert service_level(traffic, n_c, 240, 20) >= 0.8 > service_level(traffic, n_c - 1, 240, 20)
    a = erlang_a_metrics(traffic, [n_a - 1, n_a], 240, 90, 20)["service_level"].tolist()
    assert a[1] >= 0.8 > a[0]
    assert n_a < n_c  # impatient callers who hang up lighten the load
    assert int(res.loc["fte_required", "erlang_c"]) == -(-n_c * 4 // 3)
    # the curve covers the requirement and is increasing in agents
    c = curve[curve["model"] == "erlang_c"]
    assert c["agents"].min() < n_c < c["agents"].max()
    assert c["service_level"].is_monotonic_increasing
    assert curve.loc[curve["model"] == "erlang_a", "p_abandon"].gt(0).all()


def test_staffing_app_errors_are_shown_not_raised() -> None:
    app = build_staffing(lang="en")
    app.aht_s.value = 1  # fine
    assert app.frame.error.value == ""
    app.occ.value = 0.5
    app.calls.value = 5000  # huge load: still a requirement, no crash
    assert app.frame.error.value == ""
    assert int(app.result.loc["agents_required", "erlang_c"]) == int(
        required_agents(__import__("pandas").DataFrame(
            {"calls_offered": [5000.0], "aht_s": [1.0], "interval_min": [30.0]}),
            service_level_target_frac=0.8, target_s=20, max_occupancy_frac=0.5,
            shrinkage_frac=0.3)["agents_required"].iloc[0])
    app.frame.run(lambda: staffing_table(StaffingInputs(aht_s=-1)))
    assert "aht_s" in app.frame.error.value and "Unexpected" not in app.frame.error.value
    app.frame.run(app.update)
    assert app.frame.error.value == ""


def test_staffing_app_language_switch() -> None:
    app = build_staffing(lang="zh")
    assert "所需座席" in app.table.value and app.calls.description == "来电量/时段"
    n = app.chart.n_draws
    app.frame.set_lang("en")
    assert "Agents required" in app.table.value and app.calls.description == "Calls per interval"
    assert app.chart.n_draws == n + 1  # the same chart widget, redrawn in place


# ------------------------------------------------------------------------------------------------
# the real app: Voila + chromium
# ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def staffing_page():
    with AppServer("staffing_calculator") as server, browser_session() as browser:
        app = open_app(browser, server.url, charts=("curve",))
        yield app, server


@pytest.mark.browser
def test_staffing_in_browser(staffing_page) -> None:
    app, server = staffing_page
    assert app.error_text().strip() == ""
    assert "Traceback" not in app.page.content()
    table = app.text(".ccom-result")
    assert re.search(r"所需座席\s+14\s+12", table), table
    marks = app.chart_marks("curve")
    assert marks > 10  # two lines with points, the target and requirement rules, axes
    sig = app.chart_signature("curve")

    app.fill(".ccom-calls", 300)
    after = app.wait_text_change(".ccom-result", table)
    app.wait_idle()
    assert re.search(r"所需座席\s+35\s+3[0-4]", after), after
    app.wait_chart_change("curve", sig)
    assert app.chart_marks("curve") > 10

    # the language switch relabels the page through the same kernel
    app.click(".ccom-lang", "English")
    english = app.wait_text_change(".ccom-result", after)
    assert "Agents required" in english and "Erlang A" in english
    # the chart front-end came once from the server's template, not inside each widget
    assert sum(u.split("?")[0].endswith("/ccom-jupyterchart.js") for u in app.requests) == 1
    assert_offline(app)
