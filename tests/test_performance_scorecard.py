"""Tests of ccomkit.performance.scorecard: targets, scoring rules, weighted totals, configs."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from ccomkit.errors import ParameterError, SchemaError
from ccomkit.performance.scorecard import (
    ROLE_SCORECARDS,
    SCORECARD_DIR,
    Scorecard,
    ScorecardItem,
    ScoringRule,
    load_scorecard,
    resolve_targets,
    score_points,
    scorecard,
    scorecard_months,
    scorecard_totals,
)

# --------------------------------------------------------------------------------------------
# Target resolution
# --------------------------------------------------------------------------------------------


def _kt() -> pd.DataFrame:
    march, q1 = ("2026-03-01", "2026-03-31"), ("2026-01-01", "2026-03-31")
    rows = [
        ("qa_score", "center", *q1, 80.0, None),
        ("qa_score", "center", *march, 85.0, json.dumps({"pass_mark": 80})),  # later start
        ("qa_score", "role:agent", *march, 86.0, None),
        ("qa_score", "queue:VIP", *march, 90.0, None),
        ("qa_score", "team:T1", *march, 88.0, None),
    ]
    return pd.DataFrame(rows, columns=["kpi_id", "scope", "period_start", "period_end",
                                       "target", "params"]).assign(
        period_start=lambda d: pd.to_datetime(d.period_start),
        period_end=lambda d: pd.to_datetime(d.period_end))


def test_resolve_targets_most_specific_scope_wins() -> None:
    rq = pd.DataFrame({
        "kpi_id": ["qa_score"] * 6,
        "date": pd.to_datetime(["2026-03-01"] * 5 + ["2026-02-01"]),
        "team_id": ["T1", "T2", "T2", "T2", None, "T1"],
        "queue_id": ["VIP", "VIP", "GEN", "GEN", None, "VIP"],
        "role": ["agent", "agent", "agent", "qa", None, "agent"],
    })
    out = resolve_targets(_kt(), rq)
    # T1 → team beats queue (88); T2+VIP → queue (90); T2+GEN agent → role (86);
    # qa role → centre, two centre rows cover March: the later period_start (85) wins;
    # nothing given → centre 85; February → only the Q1 centre row (80)
    assert out["target"].tolist() == [88.0, 90.0, 86.0, 85.0, 85.0, 80.0]
    assert out["target_scope"].tolist() == ["team:T1", "queue:VIP", "role:agent", "center",
                                            "center", "center"]
    assert out.loc[3, "params"] == {"pass_mark": 80}
    assert out.loc[5, "params"] is None


def test_resolve_targets_precedence_configurable_and_missing() -> None:
    rq = pd.DataFrame({"kpi_id": ["qa_score", "csat"], "date": pd.to_datetime(["2026-03-05"] * 2),
                       "team_id": ["T1", "T1"], "queue_id": ["VIP", "VIP"]})
    out = resolve_targets(_kt(), rq, precedence=("queue", "team", "center"))
    assert out.loc[0, "target"] == 90.0          # queue first now
    assert np.isnan(out.loc[1, "target"])        # no csat row at all
    assert out.loc[1, "target_scope"] is None


def test_resolve_targets_bad_scope_and_missing_column() -> None:
    kt = _kt()
    kt.loc[2, "scope"] = "site:A"
    rq = pd.DataFrame({"kpi_id": ["qa_score"], "date": pd.to_datetime(["2026-03-01"])})
    with pytest.raises(SchemaError, match="scope"):
        resolve_targets(kt, rq)
    with pytest.raises(SchemaError, match="target"):
        resolve_targets(_kt().drop(columns="target"), rq)
    with pytest.raises(ParameterError, match="precedence"):
        resolve_targets(_kt(), rq, precedence=("site",))


def test_resolve_targets_does_not_mutate() -> None:
    kt, rq = _kt(), pd.DataFrame({"kpi_id": ["qa_score"], "date": pd.to_datetime(["2026-03-01"])})
    kt0, rq0 = kt.copy(), rq.copy()
    resolve_targets(kt, rq)
    pd.testing.assert_frame_equal(kt, kt0)
    pd.testing.assert_frame_equal(rq, rq0)


# --------------------------------------------------------------------------------------------
# Scoring rules
# --------------------------------------------------------------------------------------------


def test_linear_rule_higher_and_lower() -> None:
    lin = ScoringRule("linear", floor=60.0)
    # (70 − 60)/(85 − 60) = 0.4 → 40; 50 below floor → 0; 90 above target, cap 1 → 100
    assert score_points([70.0, 50.0, 90.0], 85.0, lin).tolist() == [40.0, 0.0, 100.0]
    # AHT target 300, floor 1.4 × 300 = 420: 360 → (360 − 420)/(300 − 420) = 0.5 → 50
    rel = ScoringRule("linear", floor_frac=1.4)
    assert score_points([360.0, 250.0, 500.0], 300.0, rel, "lower").tolist() == [50.0, 100.0,
                                                                                  0.0]
    # per-row targets: 330 vs 300 → (330 − 420)/(−120) = 0.75; 330 vs 600 (floor 840) → 1
    assert score_points([330.0, 330.0], [300.0, 600.0], rel, "lower").tolist() == [75.0, 100.0]


def test_linear_rule_cap_allows_bonus_and_nan() -> None:
    bonus = ScoringRule("linear", floor=0.5, cap=1.2)
    # (0.95 − 0.5)/(0.9 − 0.5) = 1.125 → 112.5; (1.0 − .5)/.4 = 1.25 → capped 1.2 → 120
    out = score_points([0.95, 1.0, np.nan], 0.9, bonus)
    assert out[:2].round(6).tolist() == [112.5, 120.0]
    assert np.isnan(out[2])


def test_banded_rule_both_directions() -> None:
    att = ScoringRule("banded", bands=((1.0, 100.0), (0.97, 80.0), (0.93, 60.0)))
    # ≥1 → 100; 0.98 ≥ .97 → 80; 0.93 ≥ .93 → 60; 0.90 → else 0
    assert score_points([1.0, 0.98, 0.93, 0.90], 1.0, att).tolist() == [100.0, 80.0, 60.0, 0.0]
    cmp_ = ScoringRule("banded", bands=((0.0, 100.0), (5.0, 80.0), (15.0, 50.0)),
                       else_points=10.0)
    # lower is better: 0 ≤ 0 → 100; 4.9 ≤ 5 → 80; 15 ≤ 15 → 50; 16 → else 10
    assert score_points([0.0, 4.9, 15.0, 16.0], 0.0, cmp_, "lower").tolist() == [100.0, 80.0,
                                                                                 50.0, 10.0]


def test_direct_rule_clips() -> None:
    assert score_points([-5.0, 55.0, 120.0], 100.0, ScoringRule("direct")).tolist() == [
        0.0, 55.0, 100.0]


def test_rule_validation() -> None:
    with pytest.raises(ParameterError, match="kind"):
        ScoringRule("sigmoid")
    with pytest.raises(ParameterError, match="floor"):
        ScoringRule("linear")
    with pytest.raises(ParameterError, match="bands"):
        ScoringRule("banded")
    with pytest.raises(ParameterError, match="cap"):
        ScoringRule("linear", floor=0.0, cap=0)


# --------------------------------------------------------------------------------------------
# Config validation
# --------------------------------------------------------------------------------------------

LIN = ScoringRule("linear", floor=60.0)


def test_weights_must_sum_to_one() -> None:
    with pytest.raises(ParameterError, match="weights summing to 1. Got 0.9"):
        Scorecard("x", ("agent",), (ScorecardItem("a", "qa_score", 0.6, LIN, target=85.0),
                                    ScorecardItem("b", "csat", 0.3, LIN, target=0.9)))


def test_unknown_kpi_grain_and_role() -> None:
    with pytest.raises(ParameterError, match="kpi_id"):
        ScorecardItem("a", "qa_scroe", 1.0, LIN)
    with pytest.raises(ParameterError, match="grain"):
        ScorecardItem("a", "service_level", 1.0, LIN, grain="agent")
    with pytest.raises(ParameterError, match="grain"):
        ScorecardItem("a", "attrition", 1.0, LIN, grain="agent")
    with pytest.raises(ParameterError, match="rule"):
        ScorecardItem("m", None, 1.0, LIN, grain="person")
    with pytest.raises(ParameterError, match="roles"):
        Scorecard("x", ("pilot",), (ScorecardItem("a", "qa_score", 1.0, LIN, target=85.0),))
    with pytest.raises(ParameterError, match="unique"):
        Scorecard("x", ("agent",), (ScorecardItem("a", "qa_score", 0.5, LIN, target=85.0),
                                    ScorecardItem("a", "csat", 0.5, LIN, target=0.9)))
    with pytest.raises(ParameterError, match="'name' parameter of load_scorecard"):
        load_scorecard("pilot")


def test_shipped_configs_load_and_cover_roles() -> None:
    names = sorted(p.stem for p in SCORECARD_DIR.glob("*.yaml"))
    assert names == ["agent", "coordinator", "duty_lead", "qa_trainer"]
    for n in names:
        sc = load_scorecard(n)
        assert abs(sum(i.weight for i in sc.items) - 1) < 1e-9
    for role, sid in ROLE_SCORECARDS.items():
        assert load_scorecard(role).scorecard_id == sid
        assert role in load_scorecard(role).roles


def test_yaml_path_and_bad_yaml(tmp_path) -> None:
    p = tmp_path / "mine.yaml"
    p.write_text("scorecard_id: mine\nroles: [agent]\nitems:\n"
                 "  - {item_id: qa, kpi_id: qa_score, weight: 0.7, target: 85,\n"
                 "     rule: {kind: linear, floor: 60}}\n"
                 "  - {item_id: cs, kpi_id: csat, weight: 0.2, target: 0.9,\n"
                 "     rule: {kind: linear, floor: 0.5}}\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="weights summing to 1"):
        load_scorecard(p)
    p.write_text("scorecard_id: mine\nroles: [agent]\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="items"):
        load_scorecard(p)


# --------------------------------------------------------------------------------------------
# Scorecard on a hand-computed fixture
# --------------------------------------------------------------------------------------------


@pytest.fixture()
def small() -> dict[str, pd.DataFrame]:
    ad = pd.DataFrame({"agent_id": ["A", "B", "C", "L", "X"],
                       "team_id": ["T1", "T1", "T2", "T1", "T2"],
                       "role": ["agent", "agent", "agent", "team_leader", "agent"],
                       "hire_date": pd.to_datetime(["2025-01-01"] * 4 + ["2026-04-02"]),
                       "leave_date": pd.to_datetime([None] * 5)})
    qa = pd.DataFrame({"eval_id": ["e1", "e2", "e3", "e4"], "agent_id": ["A", "A", "B", "A"],
                       "eval_date": pd.to_datetime(["2026-03-02", "2026-03-20", "2026-03-05",
                                                    "2026-04-01"]),
                       "total_score": [80.0, 90.0, 70.0, 10.0], "fatal_flag": [False] * 4,
                       "is_calibration": [False] * 4})
    cs = pd.DataFrame({"survey_id": [f"s{i}" for i in range(7)],
                       "agent_id": ["A"] * 4 + ["B"] * 2 + ["C"],
                       "invited_at": pd.to_datetime(["2026-03-10"] * 7),
                       "responded_at": pd.to_datetime(["2026-03-10"] * 7),
                       "q_overall": [5, 4, 3, 2, 5, 5, 1]})
    kt = pd.DataFrame({"kpi_id": ["qa_score", "qa_score"], "scope": ["center", "team:T1"],
                       "period_start": pd.to_datetime(["2026-03-01"] * 2),
                       "period_end": pd.to_datetime(["2026-03-31"] * 2),
                       "target": [85.0, 80.0], "tolerance": [2.0, 1.0]})
    return {"agent_dim": ad, "qa_evaluation": qa, "csat_response": cs, "kpi_target": kt}


def _card(missing: str = "renormalise") -> Scorecard:
    return Scorecard("t", ("agent",), (
        ScorecardItem("qa", "qa_score", 0.5, ScoringRule("linear", floor=60.0)),
        ScorecardItem("cs", "csat", 0.3, ScoringRule("linear", floor=0.5), grain="team",
                      target=0.9),
        ScorecardItem("mgr", None, 0.2, ScoringRule("direct"), grain="person", target=100.0),
    ), missing=missing)


MANUAL = pd.DataFrame({"agent_id": ["A", "C"], "item_id": ["mgr", "mgr"], "value": [90.0, 70.0]})


def test_scorecard_values_points_totals(small) -> None:
    out = scorecard(small, _card(), "2026-03", manual=MANUAL)
    # X is hired in April: not appraised in March; L is a team leader: not on this card
    assert sorted(out.agent_id.unique()) == ["A", "B", "C"]
    v = out.set_index(["agent_id", "item_id"])
    # QA: A (80 + 90)/2 = 85 (April's 10 is out of period); B 70; C no evaluation
    assert v.loc[("A", "qa"), "value"] == 85.0
    assert v.loc[("B", "qa"), "value"] == 70.0
    assert v.loc[("C", "qa"), "status"] == "no_data"
    # targets: team:T1 (80) beats center (85) for A and B; C (T2) gets the center's 85
    assert v.loc[("A", "qa"), "target"] == 80.0 and v.loc[("A", "qa"), "target_scope"] == "team:T1"
    assert v.loc[("C", "qa"), "target"] == 85.0 and v.loc[("C", "qa"), "target_scope"] == "center"
    # points: A (85 − 60)/(80 − 60) = 1.25 → cap 1 → 100; B (70 − 60)/20 = 0.5 → 50
    assert v.loc[("A", "qa"), "points"] == 100.0 and v.loc[("B", "qa"), "points"] == 50.0
    # team CSAT: T1 = A's 4 + B's 2 responses, top-2-box 2 + 2 = 4 → 4/6; T2 = C's 0/1 = 0
    assert v.loc[("A", "cs"), "value"] == pytest.approx(4 / 6)
    assert v.loc[("C", "cs"), "value"] == 0.0
    # (4/6 − 0.5)/(0.9 − 0.5) = 0.41667 → 41.667 points; T2 below floor → 0
    assert v.loc[("B", "cs"), "points"] == pytest.approx(41.6666667)
    assert v.loc[("C", "cs"), "points"] == 0.0
    assert v.loc[("B", "mgr"), "status"] == "no_data"
    # on_target: A 85 ≥ 80 yes; B 70 < 80 − tolerance 1 no; C has no value → NA
    assert bool(v.loc[("A", "qa"), "on_target"])
    assert not v.loc[("B", "qa"), "on_target"]
    assert pd.isna(v.loc[("C", "qa"), "on_target"])
    t = scorecard_totals(out).set_index("agent_id")
    # A: .5·100 + .3·41.667 + .2·90 = 50 + 12.5 + 18 = 80.5 (all weight covered)
    assert t.loc["A", "total_score"] == pytest.approx(80.5)
    assert t.loc["A", "weight_covered"] == pytest.approx(1.0)
    # B: (.5·50 + .3·41.667) / (.5 + .3) = 37.5 / .8 = 46.875
    assert t.loc["B", "total_score"] == pytest.approx(46.875)
    assert t.loc["B", "weight_covered"] == pytest.approx(0.8)
    # C: (.3·0 + .2·70) / .5 = 14 / .5 = 28
    assert t.loc["C", "total_score"] == pytest.approx(28.0)
    assert t.loc["C", "n_no_data"] == 1


def test_scorecard_missing_zero_policy(small) -> None:
    t = scorecard_totals(scorecard(small, _card("zero"), "2026-03", manual=MANUAL))
    t = t.set_index("agent_id")["total_score"]
    # B: 25 + 12.5 + 0 = 37.5; C: 0 + 0 + 14 = 14
    assert t["B"] == pytest.approx(37.5) and t["C"] == pytest.approx(14.0)


def test_scorecard_target_default_and_people_filter(small) -> None:
    sc = Scorecard("t", ("agent",), (ScorecardItem(
        "qa", "qa_score", 1.0, ScoringRule("linear", floor=60.0), target_default=70.0),))
    frames = {k: v for k, v in small.items() if k != "kpi_target"}
    out = scorecard(frames, sc, "2026-03", people=["B"])
    # no kpi_target table → default 70: B (70 − 60)/(70 − 60) = 1 → 100
    assert out.agent_id.tolist() == ["B"]
    assert out.loc[0, "target_scope"] == "default" and out.loc[0, "points"] == 100.0
    sc2 = Scorecard("t", ("agent",), (ScorecardItem(
        "qa", "qa_score", 1.0, ScoringRule("linear", floor=60.0)),))
    out2 = scorecard(frames, sc2, "2026-03", people=["B"])
    assert out2.loc[0, "status"] == "no_target" and np.isnan(out2.loc[0, "points"])


def test_scorecard_months_and_errors(small) -> None:
    out = scorecard_months(small, _card(), ["2026-03", "2026-04"], manual=MANUAL)
    assert [str(p) for p in out.period.unique()] == ["2026-03", "2026-04"]
    # in April X is employed; A has a value (10) but kpi_target has no April row → no_target
    apr = out[(out.period.astype(str) == "2026-04") & (out.item_id == "qa")].set_index("agent_id")
    assert "X" in apr.index and apr.loc["A", "value"] == 10.0
    assert apr.loc["A", "status"] == "no_target" and np.isnan(apr.loc["A", "points"])
    with pytest.raises(ParameterError, match="period"):
        scorecard(small, _card(), "not a month")
    with pytest.raises(SchemaError, match="agent_dim"):
        scorecard({"qa_evaluation": small["qa_evaluation"]}, _card(), "2026-03")
    with pytest.raises(SchemaError, match="needs the agent_interval table"):
        scorecard(small, "agent", "2026-03")  # the shipped agent card needs more tables
    with pytest.raises(SchemaError, match="value"):
        scorecard(small, _card(), "2026-03", manual=MANUAL.drop(columns="value"))


def test_scorecard_on_target_uses_tolerance(small) -> None:
    kt = small["kpi_target"].copy()
    kt.loc[1, "tolerance"] = 10.0          # T1 target 80 ± 10: B's 70 counts as on target
    out = scorecard({**small, "kpi_target": kt}, _card(), "2026-03", manual=MANUAL)
    v = out.set_index(["agent_id", "item_id"])
    assert bool(v.loc[("B", "qa"), "on_target"])
    assert v.loc[("B", "qa"), "points"] == 50.0   # points still follow the rule


def test_scorecard_role_without_people_and_role_without_card(small) -> None:
    out = scorecard(small, "coordinator", "2026-03")
    assert out.empty and {"agent_id", "total_score", "points"} <= set(out.columns)
    with pytest.raises(ParameterError, match="manager"):
        scorecard(small, "manager", "2026-03")


def test_scorecard_no_warning_when_define_card_agrees_or_is_unknown(small, recwarn) -> None:
    kt = small["kpi_target"].assign(formula_variant=["default", "default"])
    out = scorecard({**small, "kpi_target": kt}, _card(), "2026-03", manual=MANUAL)
    assert set(out.loc[out.item_id == "qa", "variant"]) == {"default"}
    assert set(out.loc[out.item_id == "qa", "target_formula_variant"].dropna()) == {"default"}
    kt2 = kt.assign(formula_variant=["no_such_variant", "default"])  # not in the dictionary
    scorecard({**small, "kpi_target": kt2}, _card(), "2026-03", manual=MANUAL)
    sc = Scorecard("t", ("agent",), (ScorecardItem(
        "cs", "csat", 1.0, ScoringRule("linear", floor=0.5), target="kpi_target",
        target_default=0.9),))
    kt3 = pd.DataFrame({"kpi_id": ["csat"], "scope": ["center"], "formula_variant": ["default"],
                        "period_start": pd.to_datetime(["2026-03-01"]),
                        "period_end": pd.to_datetime(["2026-03-31"]), "target": [0.8]})
    scorecard({**small, "kpi_target": kt3}, sc, "2026-03")   # same variant: no warning
    sc_q = Scorecard("t", ("agent",), (ScorecardItem(
        "qa", "qa_pass_rate", 1.0, ScoringRule("linear", floor=0.5), target="kpi_target"),))
    kt4 = kt3.assign(kpi_id="qa_pass_rate", formula_variant="strict")
    scorecard({**small, "kpi_target": kt4}, sc_q, "2026-03")  # unknown variant: ignored
    assert not [w for w in recwarn if "variant" in str(w.message)]


def test_scorecard_variant_clash_warning(small) -> None:
    from ccomkit.errors import CcomkitWarning
    from ccomkit.kpi import KPIS

    kt = pd.DataFrame({"kpi_id": ["complaint_rate_per10k"], "scope": ["center"],
                       "formula_variant": ["incl_invalid"],
                       "period_start": pd.to_datetime(["2026-03-01"]),
                       "period_end": pd.to_datetime(["2026-03-31"]), "target": [5.0]})
    assert "incl_invalid" in KPIS["complaint_rate_per10k"].variants
    sc = Scorecard("t", ("agent",), (ScorecardItem(
        "cp", "complaint_rate_per10k", 1.0, ScoringRule("linear", floor=20.0),
        target="kpi_target"),))
    ai = pd.DataFrame({"agent_id": ["A"], "interval_start": pd.to_datetime(["2026-03-02 09:00"]),
                       "handled": [100]})
    cp = pd.DataFrame({"agent_id": ["A"], "received_at": pd.to_datetime(["2026-03-02 10:00"]),
                       "valid_flag": [True]})
    frames = {**small, "kpi_target": kt, "agent_interval": ai, "complaint": cp}
    with pytest.warns(CcomkitWarning, match="incl_invalid"):
        out = scorecard(frames, sc, "2026-03", people=["A"])
    # 1 valid complaint / 100 handled × 10,000 = 100 per 10k
    assert out.loc[0, "value"] == 100.0 and out.loc[0, "variant"] == "default"


def test_scorecard_does_not_mutate(small) -> None:
    before = {k: v.copy() for k, v in small.items()}
    scorecard(small, _card(), "2026-03", manual=MANUAL)
    for k in small:
        pd.testing.assert_frame_equal(small[k], before[k])


# --------------------------------------------------------------------------------------------
# Smoke test on the demo center
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo() -> dict[str, pd.DataFrame]:
    from ccomkit.demo import generate

    return generate(seats=40, years=1)


def test_demo_scorecards_for_every_role_present(demo) -> None:
    roles = [r for r in demo["agent_dim"].role.unique() if r in ROLE_SCORECARDS]
    assert {"agent", "team_leader", "qa", "trainer"} <= set(roles)
    month = pd.Timestamp(demo["agent_interval"].interval_start.max()).to_period("M") - 1
    for role in roles:
        out = scorecard(demo, role, month)
        assert not out.empty, role
        assert set(out.role) == {role}
        t = scorecard_totals(out)
        # NaN only for someone with no data on any item (e.g. a hire still in training)
        assert t.total_score.dropna().between(0, 100 + 1e-9).all(), role
        assert (t.total_score.isna() == (t.weight_covered == 0)).all(), role
        assert t.total_score.notna().sum() > 0, role
        n_people = demo["agent_dim"].role.eq(role).sum()
        assert 0 < len(t) <= n_people
        ok = out[out.status == "ok"]
        assert ok.points.between(0, 100 + 1e-9).all()
    agent = scorecard(demo, "agent", month)
    # per-queue AHT targets come from kpi_target
    assert agent.loc[agent.item_id == "aht", "target_scope"].str.startswith("queue:").all()
