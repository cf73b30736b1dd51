"""The six DCDIER steps for each of the five topics on the demo workspace, in process (the
notebooks run the same calls under papermill in test_dcdier_notebooks.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ccomkit import kpi
from ccomkit.cycle import model, steps
from ccomkit.cycle.topics import TOPICS, get_topic, parse_scope
from ccomkit.errors import ParameterError, WorkspaceError
from ccomkit.store import Workspace

SCOPES = {"service_level": "center", "qa_score": "center", "aht": "queue:GEN",
          "attrition": "center", "csat": "center"}


def _run(path: Path, fn, *args, **kw):  # noqa: ANN001, ANN202 - test helper
    with Workspace.open_read(path) as ws:
        res = fn(ws, *args, **kw)
    with Workspace.open_write(path, f"test {res.step}") as ws:
        steps.save(ws, res)
    return res


@pytest.fixture(scope="module")
def chain(demo_workspace: Path, tmp_path_factory: pytest.TempPathFactory
          ) -> tuple[Path, dict[str, dict[str, steps.StepResult]]]:
    path = tmp_path_factory.mktemp("dcdier_steps") / "workspace.duckdb"
    shutil.copyfile(demo_workspace, path)
    out: dict[str, dict[str, steps.StepResult]] = {}
    for topic, scope in SCOPES.items():
        cid = f"T-{topic}"
        r = {"define": _run(path, steps.define, topic, cycle_id=cid, scope=scope, lang="en")}
        r["collect"] = _run(path, steps.collect, cid)
        r["clarify"] = _run(path, steps.clarify, cid)
        r["improve"] = _run(path, steps.improve, cid)
        r["execute"] = _run(path, steps.execute, cid, updates="all|done")
        r["review"] = _run(path, steps.review, cid)
        out[topic] = r
    return path, out


def test_every_topic_completes_the_cycle(chain: tuple[Path, dict]) -> None:
    path, res = chain
    with Workspace.open_read(path) as ws:
        cycles = model.list_cycles(ws).set_index("cycle_id")
        for topic in SCOPES:
            cid = f"T-{topic}"
            assert cycles.loc[cid, "status"] == "closed"
            assert cycles.loc[cid, "steps_done"] == 6
            assert cycles.loc[cid, "kpi_id"] == get_topic(topic).kpi_id
            d = model.cycle_detail(ws, cid)
            assert (d.steps["status"] == "done").all()
            assert set(d.review["method"]) == {"matched_weeks", "its", "target"}
            assert (d.actions["status"] == "done").all() and len(d.actions) >= 1
            assert {"define/card", "collect/baseline", "clarify/gap", "improve/plan",
                    "execute/tracker", "review/proposal"} <= set(d.artifacts)
        assert model.open_actions(ws).empty  # every action done, every cycle closed


def test_baseline_is_the_kpi_of_the_window(chain: tuple[Path, dict], demo_workspace: Path
                                           ) -> None:
    """The recorded baseline equals the KPI dictionary's value over the window, computed here
    straight from the table (sum of numerators over sum of denominators)."""
    _, res = chain
    base = res["aht"]["collect"].tables["baseline"].iloc[0]
    with Workspace.open_read(demo_workspace) as ws:
        acd = ws.query("SELECT * FROM acd_interval WHERE queue_id = 'GEN' AND interval_start >= ? "
                       "AND interval_start < ?", [str(base["start"].date()),
                                                  str((base["end"] + pd.Timedelta(days=1)).date())])
    handle = acd[["sum_talk_s", "sum_hold_s", "sum_acw_s"]].sum().sum()
    assert base["value"] == pytest.approx(handle / acd["handled"].sum(), rel=1e-9)
    assert base["ci_low"] < base["value"] < base["ci_high"]
    assert base["weeks"] == 12 and base["periods"] == 84
    log = res["aht"]["collect"].tables["log"].set_index("table")
    assert log.loc["acd_interval", "rows_in_window"] > len(acd)  # every queue was read
    assert log.loc["acd_interval", "quarantined"] == 0


def test_define_card_takes_the_scoped_target(chain: tuple[Path, dict]) -> None:
    _, res = chain
    card = res["aht"]["define"].tables["card"].set_index("field")["value"]
    assert card["target"] == kpi.format_value("aht_s", 290.0, lang="en")  # queue:GEN target
    assert card["target_source"] == "queue:GEN" and card["owner"] == "ops_manager"
    sl = res["service_level"]["define"].create
    assert sl["target"] == 0.80 and sl["tolerance"] == 0.05
    # default dates: a 12-week baseline ending 8 weeks before the data's end, change on Monday
    assert (sl["baseline_end"] - sl["baseline_start"]).days == 83
    assert sl["change_date"].day_of_week == 0
    assert sl["baseline_end"] == sl["change_date"] - pd.Timedelta(days=1)


def test_gap_and_root_causes(chain: tuple[Path, dict]) -> None:
    _, res = chain
    qa = res["qa_score"]["clarify"].tables
    g = qa["gap"].iloc[0]
    assert g["gap"] == pytest.approx(g["baseline"] - 85.0)
    assert g["status"] == ("meets" if g["baseline"] >= 85 else "misses")
    assert {"rc_deduction_pareto", "rc_trend", "rc_by_team"} <= set(qa)
    assert qa["rc_deduction_pareto"]["cum_share"].is_monotonic_increasing
    assert len(qa["top_causes"]) == 5
    csat = res["csat"]["clarify"].tables
    assert {"rc_drivers", "rc_dissat_pareto", "rc_by_queue"} <= set(csat)
    q = csat["rc_by_queue"]
    assert ((q["ci_low"] <= q["csat"]) & (q["csat"] <= q["ci_high"])).all()
    sl = res["service_level"]["clarify"].tables
    assert {"rc_sl_by_slot", "rc_forecast_accuracy", "rc_reliability"} <= set(sl)
    drv = sl["rc_drivers"]
    lvl1 = drv[(drv["parent"].fillna("") == "") & (drv["driver"] != "total")]
    assert lvl1["contribution"].sum() == pytest.approx(
        drv.loc[drv["driver"] == "total", "contribution"].item(), abs=1e-9)
    assert {"fcr", "total"} <= set(csat["rc_change_drivers"]["driver"])
    corr = qa["rc_correlation"]
    assert {"csat", "fcr"} <= set(corr["outcome"]) and corr["rho"].abs().max() <= 1
    att = res["attrition"]["clarify"].tables
    assert att["rc_exit_reasons"]["leavers"].sum() >= 1
    aht = res["aht"]["clarify"].tables["rc_components"]
    assert set(aht["component"]) == {"talk", "hold", "acw"}


def test_review_is_consistent_with_the_record(chain: tuple[Path, dict]) -> None:
    path, res = chain
    with Workspace.open_read(path) as ws:
        for topic in SCOPES:
            rv = model.review_result(ws, f"T-{topic}").set_index("method")
            prop = res[topic]["review"].tables["proposal"].iloc[0]
            assert rv.loc["target", "revised_target"] == pytest.approx(prop["revised_target"],
                                                                      nan_ok=True)
            its = rv.loc["its"]
            assert its["ci_low"] <= its["estimate"] <= its["ci_high"]
            assert its["significant"] == (its["ci_low"] > 0 or its["ci_high"] < 0)
            better = get_topic(topic).better
            old = rv.loc["target", "old_target"]
            if prop["decision"] == "standardize" and np.isfinite(old):
                assert (prop["revised_target"] >= old) if better == "higher" else \
                    (prop["revised_target"] <= old)
            else:
                assert prop["revised_target"] == pytest.approx(old, nan_ok=True)


def test_improve_parses_actions_and_execute_tracks_them(demo_workspace_copy: Path) -> None:
    p = demo_workspace_copy
    _run(p, steps.define, "aht", cycle_id="A1", scope="queue:GEN")
    _run(p, steps.collect, "A1")
    _run(p, steps.clarify, "A1")
    r = _run(p, steps.improve, "A1", actions="Coach talk time|TL-1|2026-09-01|-8; ACW codes||"
                                            "|-3")
    plan = r.tables["plan"]
    assert plan["what"].tolist() == ["Coach talk time", "ACW codes"]
    assert plan["owner"].tolist()[0] == "TL-1" and plan["expected_effect"].tolist() == [-8, -3]
    # re-running improve with the same text adds nothing new
    assert len(_run(p, steps.improve, "A1", actions="Coach talk time|TL-1").actions) == 0
    e = _run(p, steps.execute, "A1", updates="1|done|2026-09-03; 2|in_progress|2026-09-02")
    tr = e.tables["tracker"].set_index("action_no")
    assert tr.loc[1, "status"] == "done" and tr.loc[1, "days_late"] == 2
    assert tr.loc[2, "status"] == "in_progress"
    with Workspace.open_read(p) as ws:
        acts = model.open_actions(ws, "A1")
    assert acts["action_no"].tolist() == [2]
    assert acts["started_on"].iloc[0] == pd.Timestamp("2026-09-02")
    with pytest.raises(ParameterError, match="'updates'"):
        with Workspace.open_read(p) as ws:
            steps.execute(ws, "A1", updates="7|done")
    with pytest.raises(ParameterError, match="'updates'"):
        with Workspace.open_read(p) as ws:
            steps.execute(ws, "A1", updates="1|finished")


def test_parameter_errors(demo_workspace: Path) -> None:
    with Workspace.open_read(demo_workspace) as ws:
        with pytest.raises(ParameterError, match="queue KPI"):
            steps.define(ws, "service_level", scope="team:T01")
        with pytest.raises(ParameterError, match="people KPI"):
            steps.define(ws, "attrition", scope="queue:GEN")
        with pytest.raises(ParameterError, match="'topic'"):
            steps.define(ws, "morale")
        with pytest.raises(ParameterError, match="'variant'"):
            steps.define(ws, "aht", variant="v9")
        with pytest.raises(ParameterError, match="out of order"):
            steps.define(ws, "aht", baseline_end="2026-09-01", change_date="2026-08-01")
        with pytest.raises(WorkspaceError, match="run 1_define first"):
            steps.collect(ws, "", "csat")
    with pytest.raises(ParameterError, match="scope"):
        parse_scope("floor:3")


def test_team_scope_series(demo_workspace: Path) -> None:
    """QA score of one team equals the mean score of that team's evaluations (KPI dictionary)."""
    with Workspace.open_read(demo_workspace) as ws:
        s = TOPICS["qa_score"].series(ws, "team:T01", "2026-06-01", "2026-06-30")
        ev = ws.query("SELECT e.* FROM qa_evaluation e JOIN agent_dim a USING (agent_id) WHERE "
                      "a.team_id = 'T01' AND eval_date BETWEEN '2026-06-01' AND '2026-06-30' "
                      "AND NOT coalesce(is_calibration, false)")
    assert s["denominator"].sum() == len(ev)
    assert s["numerator"].sum() / s["denominator"].sum() == pytest.approx(
        ev["total_score"].mean(), rel=1e-9)


def test_a_planted_effect_is_found_and_standardized(demo_workspace_copy: Path) -> None:
    """Cut GEN's talk time by 10 % from the change date on (a real AHT improvement in the
    workspace): the review finds it, its interval covers the planted effect, and the target
    moves to the conservative bound of the new level."""
    import duckdb

    p = demo_workspace_copy
    _run(p, steps.define, "aht", cycle_id="P1", scope="queue:GEN")
    with Workspace.open_read(p) as ws:
        c = model.get_cycle(ws, "P1")
        chg, end = c["change_date"], min(c["review_end"], get_topic("aht").data_end(ws))
        before = get_topic("aht").series(ws, "queue:GEN", chg, end)
    con = duckdb.connect(str(p))
    try:
        con.execute("UPDATE acd_interval SET sum_talk_s = sum_talk_s * 0.9 WHERE queue_id = 'GEN' "
                    "AND interval_start >= ?", [str(chg.date())])
        con.execute("CHECKPOINT")
    finally:
        con.close()
    with Workspace.open_read(p) as ws:
        after = get_topic("aht").series(ws, "queue:GEN", chg, end)
    planted = float((after["value"] - before["value"]).mean())  # ≈ −10 % of talk per call
    assert planted < -15
    for fn in (steps.collect, steps.clarify, steps.improve):
        _run(p, fn, "P1")
    _run(p, steps.execute, "P1", updates="all|done")
    r = _run(p, steps.review, "P1")
    its = r.tables["comparison"].set_index("method").loc["its"]
    assert its["ci_low"] <= planted <= its["ci_high"] and its["improved"]
    mw = r.tables["comparison"].set_index("method").loc["matched_weeks"]
    assert mw["ci_high"] < 0 and mw["improved"]
    prop = r.tables["proposal"].iloc[0]
    assert prop["decision"] == "standardize"
    assert prop["revised_target"] == pytest.approx(min(290.0, its["after_high"]))
    with Workspace.open_read(p) as ws:
        assert model.get_cycle(ws, "P1")["revised_target"] == pytest.approx(
            prop["revised_target"])
