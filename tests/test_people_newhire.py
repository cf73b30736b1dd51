"""ccomkit.people.newhire: stage timeline, cohorts, pre-job retention, speed to proficiency."""

from __future__ import annotations

import pandas as pd
import pytest

from ccomkit.errors import ParameterError, SchemaError
from ccomkit.people.newhire import newhire_cohorts, speed_to_proficiency, stage_timeline


def _ev():
    # A: training 01-05 → nesting 01-26 → on_floor 02-09 (21 d, 14 d)
    # B: training 01-05, leaves 01-12 in training
    # C: training 01-05 → nesting 01-26, leaves 02-01 in nesting
    # D: training 02-02, still in training on as_of
    rows = [("A", "hire", "2026-01-05", "training"), ("A", "stage_change", "2026-01-26", "nesting"),
            ("A", "stage_change", "2026-02-09", "on_floor"),
            ("B", "hire", "2026-01-05", "training"), ("B", "leave", "2026-01-12", None),
            ("C", "hire", "2026-01-05", "training"), ("C", "stage_change", "2026-01-26", "nesting"),
            ("C", "leave", "2026-02-01", None),
            ("D", "hire", "2026-02-02", "training")]
    return pd.DataFrame({"agent_id": [r[0] for r in rows], "event_type": [r[1] for r in rows],
                         "event_date": pd.to_datetime([r[2] for r in rows]),
                         "stage": [r[3] for r in rows]})


def _ad():
    return pd.DataFrame({"agent_id": list("ABCD"),
                         "recruit_channel": ["online", "online", "campus", "online"]})


def test_stage_timeline_hand():
    t = stage_timeline(_ev(), as_of="2026-02-15").set_index("agent_id")
    assert t.loc["A", "training_days"] == 21 and t.loc["A", "nesting_days"] == 14
    assert t["training_outcome"].to_dict() == {"A": "completed", "B": "left", "C": "completed",
                                               "D": "in_training"}
    assert t.loc["C", "stage"] == "nesting" and pd.notna(t.loc["C", "leave_date"])
    # as_of before A's on-floor date: A is still in nesting
    t2 = stage_timeline(_ev(), as_of="2026-02-01").set_index("agent_id")
    assert t2.loc["A", "stage"] == "nesting" and pd.isna(t2.loc["A", "on_floor_start"])


def test_cohorts_pre_job_retention():
    c = newhire_cohorts(_ev(), by="hire_month", as_of="2026-02-15").set_index("hire_month")
    jan = c.loc[pd.Timestamp("2026-01-01")]
    # Jan: 3 starters, completed A and C, B left in training → 2 / (2 + 1)
    assert jan["starters"] == 3 and jan["pre_job_retention"] == pytest.approx(2 / 3)
    assert jan["pre_job_retention_all"] == pytest.approx(2 / 3)
    assert jan["left_in_nesting"] == 1 and jan["reached_on_floor"] == 1
    feb = c.loc[pd.Timestamp("2026-02-01")]
    # Feb: D still in training → censored: retention undefined, all-starters bound 0
    assert feb["in_training"] == 1 and pd.isna(feb["pre_job_retention"])
    assert feb["pre_job_retention_all"] == 0.0


def test_cohorts_by_channel():
    c = newhire_cohorts(_ev(), _ad(), by=["hire_month", "recruit_channel"], as_of="2026-02-15")
    jan_on = c[(c.hire_month == "2026-01-01") & (c.recruit_channel == "online")].iloc[0]
    # online Jan: A (completed), B (left) → 1/2
    assert jan_on["pre_job_retention"] == pytest.approx(0.5)
    with pytest.raises(ParameterError, match="agent_dim"):
        newhire_cohorts(_ev(), by=["hire_month", "recruit_channel"])


def test_stage_bad_input():
    ev = _ev()
    ev.loc[0, "stage"] = "classroom"
    with pytest.raises(SchemaError, match="stage"):
        stage_timeline(ev)
    with pytest.raises(SchemaError, match="event_date"):
        stage_timeline(_ev().drop(columns="event_date"))


def _stp_fixture():
    ad = pd.DataFrame({"agent_id": ["T1", "N1", "N2"],
                       "hire_date": pd.to_datetime(["2024-01-01", "2026-01-05", "2026-01-05"]),
                       "leave_date": pd.to_datetime([None, None, None])})
    # evaluation / contact days 01-06, 01-13, 01-20 (Tue); checked on Sundays 01-11, 01-18
    # and on the last data day 01-20
    days = ["2026-01-06", "2026-01-13", "2026-01-20"]
    qa = {"T1": [90, 90, 90], "N1": [80, 95, 92], "N2": [70, 70, 70]}
    aht = {"T1": [300, 300, 300], "N1": [400, 350, 280], "N2": [500, 500, 500]}
    q_rows, a_rows = [], []
    for a in qa:
        for i, d in enumerate(days):
            q_rows.append({"agent_id": a, "eval_date": pd.Timestamp(d), "total_score": qa[a][i],
                           "is_calibration": False})
            a_rows.append({"agent_id": a, "interval_start": pd.Timestamp(d + " 10:00"),
                           "interval_min": 30, "login_s": 1800.0, "ready_idle_s": 0.0,
                           "talk_s": float(aht[a][i]), "hold_s": 0.0, "acw_s": 0.0,
                           "handled": 1})
    return pd.DataFrame(q_rows), pd.DataFrame(a_rows), ad


def test_speed_to_proficiency_hand():
    qa, ai, ad = _stp_fixture()
    r = speed_to_proficiency(qa, ai, ad, window_days=7, min_evals=1, min_handled=1,
                             hired_from="2026-01-01")
    r = r.set_index("agent_id")
    # benchmarks: tenured T1 weeks all QA 90, AHT 300 → medians 90 and 300
    assert r["qa_benchmark"].iloc[0] == 90 and r["aht_benchmark_s"].iloc[0] == 300
    # N1: 01-11 (80, 400) no; 01-18 (95, 350) no (AHT); 01-20 window (01-13, 01-20] holds
    # only 01-20 (92, 280) → yes: 01-20 − 01-05 = 15 days
    assert r.loc["N1", "reached"] and r.loc["N1", "days_to_proficiency"] == 15
    # N2 never: censored at the last day observed (01-20) → 15, reached False
    assert not r.loc["N2", "reached"] and r.loc["N2", "days_to_proficiency"] == 15
    assert "T1" not in r.index  # hired before hired_from: not a new hire
    # default hired_from = first data day (01-06): N1, N2 hired 01-05 are not followed
    assert speed_to_proficiency(qa, ai, ad, window_days=7, min_evals=1, min_handled=1).empty


def test_speed_to_proficiency_bad_input():
    qa, ai, ad = _stp_fixture()
    with pytest.raises(ParameterError, match="window_days"):
        speed_to_proficiency(qa, ai, ad, window_days=0)
    with pytest.raises(SchemaError, match="total_score"):
        speed_to_proficiency(qa.drop(columns="total_score"), ai, ad)
    with pytest.raises(ParameterError, match="tenured_days"):
        speed_to_proficiency(qa, ai, ad, tenured_days=5000, min_evals=1, min_handled=1)


def test_demo_smoke():
    from ccomkit.demo import generate
    d = generate(seats=40, years=1)
    c = newhire_cohorts(d["hr_event"], d["agent_dim"])
    ev = d["hr_event"]
    # starters = agents whose hire event opens 培训期 (non-agent roles are hired without a stage)
    assert c["starters"].sum() == ((ev["event_type"] == "hire") & (ev["stage"] == "training")).sum()
    r = speed_to_proficiency(d["qa_evaluation"], d["agent_interval"], d["agent_dim"])
    assert len(r) > 0 and (r["days_to_proficiency"] >= 0).all()


def test_stage_timeline_without_any_leave_event():
    ev = _ev()
    ev = ev.loc[ev["event_type"] != "leave"]
    t = stage_timeline(ev, as_of="2026-02-15").set_index("agent_id")
    assert t["leave_date"].isna().all()
    assert t.loc["A", "stage"] == "on_floor" and t.loc["B", "stage"] == "training"
