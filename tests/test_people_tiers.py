"""ccomkit.people.tiers: talent tiers and the cadre-programme tracking tables (seed 002 §06)."""

from __future__ import annotations

import pandas as pd
import pytest

from ccomkit.errors import ParameterError, SchemaError
from ccomkit.people import tiers as ti


def _ad():
    # employed on 2026-01-01: A (tier 1, 366 d), B (tier 2, 731 d), C (tier 2, 31 d), D (no tier);
    # E (tier 1) left before as_of → not counted
    return pd.DataFrame({
        "agent_id": list("ABCDE"), "team_id": ["T1", "T1", "T2", "T2", "T1"],
        "tier": pd.array([1, 2, 2, None, 1], dtype="Int64"),
        "grade": ["A", "B+", "B+", "C", "A"],
        "hire_date": pd.to_datetime(["2025-01-01", "2024-01-01", "2025-12-01", "2025-01-01",
                                     "2024-01-01"]),
        "leave_date": pd.to_datetime([None, None, None, None, "2025-06-30"])})


def test_tier_summary_hand():
    r = ti.tier_summary(_ad(), as_of="2026-01-01").set_index("tier")
    # 4 employed: tier 1 = A (1/4), tier 2 = B, C (2/4)
    assert r.loc[1, "agents"] == 1 and r.loc[1, "share"] == 0.25
    assert r.loc[2, "agents"] == 2 and r.loc[2, "share"] == 0.5
    # median tenure of tier 2: (731 + 31)/2 = 381
    assert r.loc[2, "median_tenure_days"] == 381
    assert r.loc[2, "grade_B+"] == 2
    by = ti.tier_summary(_ad(), "team_id", as_of="2026-01-01")
    # T1 employed A, B → tier 1 share 1/2; T2 employed C, D → tier 2 share 1/2
    assert by.set_index(["team_id", "tier"])["share"].to_dict() == {
        ("T1", 1): 0.5, ("T1", 2): 0.5, ("T2", 2): 0.5}


def test_tier_bad_value():
    ad = _ad()
    ad["tier"] = pd.array([1, 4, 2, None, 1], dtype="Int64")
    with pytest.raises(SchemaError, match="tier"):
        ti.tier_summary(ad, as_of="2026-01-01")


def _sessions():
    # A: 3 sessions, attends 2; exams 90, 50 (pass mark 60 → 1 pass); points +2, −1, 0;
    #    homework due 3, submitted 2.  B: 1 session attended, exam 70, no homework due.
    return pd.DataFrame({
        "agent_id": ["A", "A", "A", "B"], "programme_id": "P1",
        "course_id": ["c1", "c2", "c3", "c1"],
        "session_date": pd.to_datetime(["2026-01-05", "2026-01-12", "2026-01-19", "2026-01-05"]),
        "exam_score": [90.0, 50.0, None, 70.0], "attended": [True, True, False, True],
        "class_points": [2.0, -1.0, None, None],
        "homework_due": [True, True, True, False],
        "homework_submitted": [True, True, False, False]})


def test_cadre_process_hand():
    r = ti.cadre_process(_sessions()).set_index("agent_id")
    assert r.loc["A", "attendance_rate"] == pytest.approx(2 / 3)
    assert r.loc["A", "mean_exam_score"] == 70.0 and r.loc["A", "exams_passed"] == 1
    assert r.loc["A", "class_points"] == 1.0
    assert r.loc["A", "homework_rate"] == pytest.approx(2 / 3)
    assert pd.isna(r.loc["B", "homework_rate"]) and r.loc["B", "exams_passed"] == 1


def test_cadre_process_bad_input():
    s = _sessions()
    s.loc[0, "exam_score"] = 120.0
    with pytest.raises(SchemaError, match="exam_score"):
        ti.cadre_process(s)
    with pytest.raises(SchemaError, match="homework_due"):
        ti.cadre_process(_sessions().drop(columns="homework_due"))
    with pytest.raises(ParameterError, match="pass_mark"):
        ti.cadre_process(_sessions(), pass_mark=150)


def _outcome():
    return pd.DataFrame({
        "agent_id": list("ABCDEF"), "programme_id": ["P1"] * 4 + ["P2"] * 2,
        "outcome": ["promoted", "graduated", "eliminated", "in_progress", "promoted",
                    "eliminated"],
        "route": ["internal_competition", None, None, None, "internal_competition", None],
        "elimination_reason": [None, None, "exam_failed", None, None, "withdrew"],
        "final_exam_score": [88.0, 75.0, 40.0, None, 90.0, None]})


def test_cadre_results_hand():
    r = ti.cadre_results(_outcome()).set_index("programme_id")
    # P1: 4 enrolled, 3 finished, promoted + graduated = 2 → 2/3; eliminated 1/3
    assert r.loc["P1", "enrolled"] == 4 and r.loc["P1", "finished"] == 3
    assert r.loc["P1", "graduation_rate"] == pytest.approx(2 / 3)
    assert r.loc["P1", "elimination_rate"] == pytest.approx(1 / 3)
    assert r.loc["P1", "mean_final_exam_score"] == pytest.approx((88 + 75 + 40) / 3)
    # P2: 1 promoted, 1 eliminated → 1/2
    assert r.loc["P2", "graduation_rate"] == 0.5


def test_promotions_and_eliminations():
    p = ti.promotions_by_route(_outcome())
    assert p["route"].tolist() == ["internal_competition"] and p["promotions"].iloc[0] == 2
    assert p["route_zh"].iloc[0] == "内部竞聘" and p["share"].iloc[0] == 1.0
    e = ti.eliminations_by_reason(_outcome()).set_index("elimination_reason")
    assert e.loc["exam_failed", "kind"] == "passive" and e.loc["withdrew", "kind"] == "active"
    assert e["share"].sum() == pytest.approx(1.0)
    bad = _outcome()
    bad.loc[0, "route"] = "bribery"
    with pytest.raises(SchemaError, match="route"):
        ti.promotions_by_route(bad)
    bad = _outcome()
    bad.loc[2, "elimination_reason"] = None
    with pytest.raises(SchemaError, match="elimination_reason"):
        ti.eliminations_by_reason(bad)
    bad = _outcome()
    bad.loc[0, "outcome"] = "fired"
    with pytest.raises(SchemaError, match="outcome"):
        ti.cadre_results(bad)
    with pytest.raises(ParameterError, match="cadre_outcome"):
        ti.promotions_by_route()


def test_promotions_from_hr_event():
    ev = pd.DataFrame({"agent_id": ["A", "B", "C"], "event_type": ["promotion"] * 2 + ["hire"],
                       "to_value": ["senior", "senior", None]})
    p = ti.promotions_by_route(hr_event=ev)
    assert p["to_value"].tolist() == ["senior"] and p["promotions"].iloc[0] == 2
    assert p["route"].isna().all()


def test_demo_smoke():
    from ccomkit.demo import generate
    d = generate(seats=40, years=1)
    ad = d["agent_dim"]
    ts = ti.tier_summary(ad)
    assert set(ts["tier"]) <= {1, 2, 3} and ts["agents"].sum() > 0
    s = ti.sessions_from_training(d["training_record"], ad)
    assert set(s["agent_id"]) <= set(ad.loc[ad["tier"].notna(), "agent_id"])
    proc = ti.cadre_process(s)
    assert (proc["attendance_rate"] == 1.0).all()
    assert ti.promotions_by_route(hr_event=d["hr_event"])["promotions"].sum() == \
        (d["hr_event"]["event_type"] == "promotion").sum()
