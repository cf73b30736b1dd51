"""班组长 toolkit: profiles, development types, training needs, coaching follow-up, tasks.

The small fixture below is worked by hand; every expected number carries its arithmetic.
One test runs the whole chain on the session's demo workspace.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ccomkit.errors import ParameterError, SchemaError, WorkspaceError
from ccomkit.store import Workspace
from ccomkit.teamlead import coaching, development, profile, tasks, training_needs

AS_OF = "2026-03-31"  # window (2025-12-31, 2026-03-31] with window_days=90

D = pd.to_datetime


@pytest.fixture()
def frames() -> dict[str, pd.DataFrame]:
    ad = pd.DataFrame({
        "agent_id": ["A", "B", "C", "L", "D"], "name": ["甲", "乙", "丙", "组长", "丁"],
        "team_id": ["T", "T", "U", "T", "T"],
        "role": ["agent", "agent", "agent", "team_leader", "agent"],
        "hire_date": D(["2025-01-01", "2026-01-05", "2024-06-01", "2020-01-01", "2025-01-01"]),
        "leave_date": D([None, None, None, None, "2026-02-01"])})
    # (D's leave event also keeps people.newhire.stage_timeline off its no-leaver edge case)
    hr = pd.DataFrame({
        "agent_id": ["B", "B", "B", "D"],
        "event_type": ["hire", "stage_change", "stage_change", "leave"],
        "event_date": D(["2026-01-05", "2026-01-26", "2026-02-09", "2026-02-01"]),
        "stage": ["training", "nesting", "on_floor", None]})
    ev = pd.DataFrame({
        "eval_id": ["E0", "E1", "E2", "E3", "E4", "E5", "E6", "E9"],
        "call_id": ["C0", "C1", "C2", "C3", "C4", "C5", "C6", "C1"],
        "agent_id": ["A", "A", "A", "A", "B", "B", "C", "A"],
        "eval_date": D(["2025-12-01", "2026-01-10", "2026-02-10", "2026-03-10", "2026-02-20",
                        "2026-03-20", "2026-03-01", "2026-01-11"]),
        "total_score": [50.0, 90.0, 93.0, 96.0, 80.0, 88.0, 100.0, 0.0],
        "fatal_flag": [False] * 8,
        "is_calibration": [False] * 7 + [True]})
    it = pd.DataFrame({
        "eval_id": ["E0", "E1", "E1", "E2", "E3", "E4", "E4", "E5", "E5", "E6"],
        "item_code": ["A1_tone", "A1_tone", "L1_greeting_closing", "A1_tone", "A1_tone",
                      "C1_correct_information", "S1_probing", "C1_correct_information",
                      "L1_greeting_closing", "C1_correct_information"],
        "deducted_points": [7.0, 7.0, 3.0, 7.0, 4.0, 15.0, 5.0, 10.0, 2.0, 0.0]})
    cp = pd.DataFrame({
        "case_id": ["K1", "K2", "K3"], "agent_id": ["A", "A", "A"],
        "received_at": D(["2026-02-01 10:00", "2026-02-02 10:00", "2025-11-01 10:00"]),
        "valid_flag": [True, False, True],
        "root_cause": ["agent_attitude", "agent_attitude", "agent_knowledge"]})
    cs = pd.DataFrame({
        "survey_id": ["S1", "S2", "S3", "S4", "S5"], "agent_id": ["A"] * 5,
        "invited_at": D(["2026-01-05 09:00", "2026-02-05 09:00", "2026-03-05 09:00",
                         "2026-03-06 09:00", "2025-12-01 09:00"]),
        "q_overall": pd.array([5, 4, 2, None, 5], dtype="Int64"),
        "fcr_yes": pd.array([True, True, False, None, True], dtype="boolean"),
        "dissat_reasons": [None, None, "bad_attitude|long_wait", None, None]})
    tr = pd.DataFrame({
        "agent_id": ["A", "A", "A"], "course_id": ["SKL_junior", "UPD_202602", "UPD_202604"],
        "session_date": D(["2026-01-15", "2026-02-10", "2026-04-05"]), "hours": [2.0, 1.0, 1.0]})
    ai = pd.DataFrame({
        "agent_id": ["A", "A"], "interval_start": D(["2026-03-02 09:00", "2026-03-03 09:00"]),
        "talk_s": [600.0, 1000.0], "hold_s": [60.0, 50.0], "acw_s": [140.0, 150.0],
        "handled": [4, 4]})
    return {"agent_dim": ad, "hr_event": hr, "qa_evaluation": ev, "qa_item": it, "complaint": cp,
            "csat_response": cs, "training_record": tr, "agent_interval": ai}


# ------------------------------------------------------------------ profile


def test_profile_hand_checked(frames):
    before = {k: v.copy() for k, v in frames.items()}
    p = profile.agent_profiles(frames, as_of=AS_OF).set_index("agent_id")
    for k, v in frames.items():  # inputs untouched
        pd.testing.assert_frame_equal(v, before[k])
    # L is a team leader and D left on 2026-02-01: only A, B, C are profiled
    assert list(p.index) == ["A", "B", "C"]
    a, b = p.loc["A"], p.loc["B"]
    # tenure: A 2025-01-01 → 2026-03-31 = 365 + 89 = 454 days, no stage history → on the floor
    # for all of it; B hired 01-05 (85 days), on the floor since 02-09: 19 + 31 = 50 days
    assert a.tenure_days == 454 and a.stage is None and a.days_on_floor == 454
    assert b.tenure_days == 85 and b.stage == "on_floor" and b.days_on_floor == 50
    # QA in the window: E0 is before it, E9 is a calibration → A: 90, 93, 96
    assert a.qa_n == 3 and a.qa_mean == pytest.approx(93.0)
    # sd 3, t(.975, 2) = 4.302653 → half 4.302653·3/√3 = 7.452413
    assert a.qa_ci_low == pytest.approx(93 - 7.452413, abs=1e-5)
    assert a.qa_ci_high == pytest.approx(93 + 7.452413, abs=1e-5)
    # team T: (90 + 93 + 96 + 80 + 88)/5 = 89.4; A +3.6, B 84 − 89.4 = −5.4
    assert a.team_qa_mean == pytest.approx(89.4)
    assert a.qa_gap_to_team == pytest.approx(3.6) and b.qa_gap_to_team == pytest.approx(-5.4)
    # slope: days 0, 31, 59 (mean 30) → Σxc·yc = (−30)(−3) + 0 + 29·3 = 177, Σxc² = 1742;
    # 177/1742 × 30 = 3.048220 points a month; B has two evaluations → no slope
    assert a.qa_slope_per_month == pytest.approx(177 / 1742 * 30)
    assert math.isnan(b.qa_slope_per_month)
    # items: A lost 7+7+4 = 18 on A1_tone in 3 evaluations (every one) → repeats 3, share 1
    assert a.max_item_repeats == 3 and a.repeat_item == "A1_tone" and a.repeat_share == 1.0
    # strengths of A: C1 (team 25/5 = 5.0 vs A 0) then S1 (team 1.0 vs 0); improve: A1_tone
    assert a.strengths == "C1_correct_information|S1_probing"
    assert a.improve_items == "A1_tone"
    # B: C1 gap 12.5 − 5 = 7.5 × freq 1 = 7.5; S1 gap 2.5 − 1 = 1.5 × freq 0.5 = 0.75
    assert b.improve_items == "C1_correct_information|S1_probing"
    assert b.strengths == "A1_tone"
    # customers: K1 counts (K2 invalid, K3 before the window); surveys S1-S3 answered in the
    # window (S4 not answered, S5 before): top-2-box 2/3; one 5/5 answer = one commendation
    assert a.n_valid_complaints == 1 and a.top_root_cause == "agent_attitude"
    assert a.csat == pytest.approx(2 / 3) and a.csat_n == 3 and a.n_commendations == 1
    # AHT: (800 + 1200) / 8 = 250 s
    assert a.aht_s == pytest.approx(250.0)
    # training up to as_of: SKL_junior 2 h + UPD_202602 1 h (UPD_202604 is later)
    assert a.n_trainings == 2 and a.training_hours == 3.0 and a.last_course_id == "UPD_202602"
    assert b.n_trainings == 0 and b.last_course_id is None
    only_t = profile.agent_profiles(frames, as_of=AS_OF, team_id="T")
    assert only_t["agent_id"].tolist() == ["A", "B"]


def test_item_gaps_rank_limits(frames):
    ev = profile.window_evaluations(frames["qa_evaluation"], "2025-12-31", AS_OF)
    g = profile.item_gaps(ev, frames["qa_item"], frames["agent_dim"], n_improve=1,
                          n_strengths=1)
    b = g[g.agent_id == "B"].set_index("item_code")
    assert b.loc["C1_correct_information", "priority"] == pytest.approx(7.5)
    assert b.loc["S1_probing", "priority"] == pytest.approx(0.75)
    assert b["improve_rank"].notna().sum() == 1  # only the best one with n_improve=1
    with pytest.raises(ParameterError, match="n_improve"):
        profile.item_gaps(ev, frames["qa_item"], frames["agent_dim"], n_improve=-1)
    with pytest.raises(SchemaError, match="item_code"):
        profile.item_gaps(ev, frames["qa_item"].drop(columns="item_code"), frames["agent_dim"])


def test_kpi_trends_aht_interval(frames):
    k = profile.kpi_trends(frames, agent_ids=["A"], start="2025-12-31", end=AS_OF)
    aht = k[k.kpi_id == "aht_s"].iloc[0]
    # days: 800/4 and 1200/4; R = 2000/8 = 250; residuals −200, +200 → se² = 2/1 · 80000/64
    # = 2500, se = 50; t(.975, 1) = 12.706205 → 250 ± 635.31
    assert aht.value == pytest.approx(250.0) and aht.n == 2
    assert aht.ci_low == pytest.approx(250 - 12.706205 * 50, abs=1e-4)
    csat = k[k.kpi_id == "csat"].set_index("period")["value"]
    assert csat.to_dict() == {pd.Timestamp("2026-01-01"): 1.0, pd.Timestamp("2026-02-01"): 1.0,
                              pd.Timestamp("2026-03-01"): 0.0}
    qa = k[k.kpi_id == "qa_score"].set_index("period")
    # February: A 93; team T: A 93 and B 80 → 86.5
    assert qa.loc["2026-02-01", "team_value"] == pytest.approx(86.5)
    with pytest.raises(ParameterError, match="freq"):
        profile.kpi_trends(frames, freq="D")


# ------------------------------------------------------------------ development types


def test_development_types_default_rules_hand_checked():
    p = pd.DataFrame({
        "agent_id": ["P1", "P2", "P3", "P4", "P5", "P6"],
        "stage": ["nesting", "on_floor", "on_floor", None, "on_floor", None],
        "days_on_floor": [np.nan, 400, 400, 400, 400, 300],
        "max_item_repeats": [6, 5, 2, 1, 1, 0],
        "repeat_share": [0.5, 5 / 12, 0.1, 0.1, 0.1, np.nan],
        "repeat_item": ["A1_tone", "S1_probing", "A1_tone", None, None, None],
        "qa_n": [12, 12, 12, 10, 10, 0],
        "qa_mean": [80.0, 85.0, 85.5, 91.5, 91.5, np.nan],
        "team_qa_mean": [89.0] * 6,
        "qa_gap_to_team": [-9.0, -4.0, -3.5, 2.5, 2.5, np.nan],
        "qa_slope_per_month": [3.0, 0.0, 0.2, 1.0, 1.0, np.nan],
        "n_valid_complaints": [0, 0, 0, 0, 1, 0],
        "hire_date": D(["2026-02-01"] * 6)})
    t = development.development_types(p).set_index("agent_id")
    # P1 nesting → 半成品 first, although it also repeats errors (6 ≥ 4, 0.5 ≥ 0.3); it is not
    # slow: gap −9 but climbing 3 points a month (> 0.5)
    # P2 repeats S1 5 times (5/12 = 0.42 ≥ 0.3) → 重复犯错; gap −4 ≤ −3, slope 0 ≤ 0.5 → also slow
    # P3 gap −3.5, slope 0.2 → 成长缓慢; P4 gap +2.5, 10 evaluations, no complaint → 潜力股
    # P5 the same but one valid complaint → 中规中矩; P6 no evaluations → every test fails → 中规中矩
    assert t["dev_type"].to_dict() == {"P1": "unfinished", "P2": "repeat_error",
                                       "P3": "slow_grower", "P4": "potential", "P5": "steady",
                                       "P6": "steady"}
    assert t.loc["P1", "also_matches"] == "repeat_error"
    assert t.loc["P2", "also_matches"] == "slow_grower"
    assert t.loc["P2", "reason"] == "max_item_repeats 5 >= 4; repeat_share 0.4167 >= 0.3"
    assert t.loc["P4", "label_zh"] == "潜力股型"
    e = development.development_evidence(p)
    p2 = e[(e.agent_id == "P2") & e.assigned]
    assert p2["metric"].tolist() == ["max_item_repeats", "repeat_share"]
    assert p2["shown"].iloc[0] == "repeat_item=S1_probing; qa_n=12"
    # the failing condition of P5's potential test is visible with its value
    p5 = e[(e.agent_id == "P5") & (e.type_code == "potential")].set_index("metric")
    assert not p5.loc["n_valid_complaints", "held"] and p5.loc["n_valid_complaints",
                                                               "value"] == "1"
    # no data never holds
    p6 = e[(e.agent_id == "P6") & (e.metric == "qa_gap_to_team")]
    assert (~p6["held"]).all() and (p6["value"] == "—").all()
    # exactly one assigned type per agent
    assert e[e.assigned].groupby("agent_id")["type_code"].nunique().eq(1).all()


def test_development_rules_are_data(tmp_path: Path):
    rules = tmp_path / "strict.yaml"
    rules.write_text("""
name: strict
types:
  - code: potential
    label_zh: 潜力股型
    label_en: High potential
    all:
      - {metric: qa_mean, op: ">", value: team_qa_mean, show: [team_qa_mean]}
  - code: steady
    label_zh: 中规中矩型
    label_en: Steady
""", encoding="utf-8")
    p = pd.DataFrame({"agent_id": ["X", "Y"], "qa_mean": [90.0, 80.0],
                      "team_qa_mean": [85.0, 85.0]})
    t = development.development_types(p, rules, lang="en")
    assert t["dev_type"].tolist() == ["potential", "steady"]
    assert t["reason"].iloc[0] == "qa_mean 90 > team_qa_mean=85"
    bad = tmp_path / "bad.yaml"
    bad.write_text("types:\n  - {code: a, all: [{metric: x, op: '~', value: 1}]}\n")
    with pytest.raises(ParameterError, match="'op'"):
        development.load_rules(bad)
    nofb = tmp_path / "nofb.yaml"
    nofb.write_text("types:\n  - {code: a, all: [{metric: x, op: '>', value: 1}]}\n")
    with pytest.raises(ParameterError, match="fallback"):
        development.load_rules(nofb)
    with pytest.raises(SchemaError, match="repeat_share"):
        development.development_types(p)  # the default rules need columns p lacks
    with pytest.raises(ParameterError, match="shipped"):
        development.load_rules("no_such_rules")


# ------------------------------------------------------------------ training needs


def test_training_needs_hand_checked(frames):
    mon = pd.DataFrame({"agent_id": ["A", "B"], "finding_date": D(["2026-03-15", "2026-03-16"]),
                        "finding_code": ["emotion_control", "knowledge_gap"]})
    ev = training_needs.training_evidence(frames, start="2025-12-31", end=AS_OF,
                                          monitoring=mon)
    # qa deductions in the window: E1 ×2, E2, E3, E4 ×2, E5 ×2 = 8 (E0 is older, E6 lost
    # nothing); complaint K1; survey S3 gives two reasons; two monitoring findings → 13
    assert len(ev) == 13
    assert ev.groupby("source").size().to_dict() == {
        "complaint_root_cause": 1, "dissat_reason": 2, "monitoring_finding": 2, "qa_item": 8}
    n = training_needs.agent_training_needs(ev, min_count=2,
                                            training_record=frames["training_record"])
    a = n[n.agent_id == "A"].set_index("topic")
    # A: communication_empathy = A1_tone×3 + agent_attitude + bad_attitude + emotion_control
    # = 6 from 4 sources; service_script = L1 once (not recurring); long_wait maps to null
    assert a.loc["communication_empathy", "n_evidence"] == 6
    assert a.loc["communication_empathy", "n_sources"] == 4
    assert a.loc["communication_empathy", "codes"] == (
        "A1_tone×3|agent_attitude×1|bad_attitude×1|emotion_control×1")
    assert a.loc["communication_empathy", "is_need"]
    assert not a.loc["service_script", "is_need"]
    assert set(a.index) == {"communication_empathy", "service_script"}
    # SKL_junior on 01-15 is after the first evidence (E1, 01-10): trained since
    assert a.loc["communication_empathy", "trained_since"]
    b = n[n.agent_id == "B"].set_index("topic")
    # B: product_knowledge = C1×2 + knowledge_gap = 3
    assert b.loc["product_knowledge", "n_evidence"] == 3
    assert not b.loc["product_knowledge", "trained_since"]
    # team: with every topic a need (min_count 1), A and B share service_script → one-to-many
    # at k = 2; everything else concerns one agent
    n1 = training_needs.agent_training_needs(ev, min_count=1)
    team = training_needs.team_training_needs(n1, k=2).set_index("topic")
    assert team.loc["service_script", "mode"] == "one_to_many"
    assert team.loc["service_script", "n_agents"] == 2
    assert team.loc["service_script", "agents"] == "A|B"
    assert (team.drop(index="service_script")["mode"] == "one_to_one").all()
    with pytest.raises(ParameterError, match="min_count"):
        training_needs.agent_training_needs(ev, min_count=0)


def test_training_mapping_is_data(tmp_path: Path, frames):
    m = tmp_path / "m.yaml"
    m.write_text("""
topics:
  - {code: tone_class, label_zh: 语气课, label_en: Tone class, category: skill, courses: []}
sources:
  qa_item: {A1_tone: tone_class}
""", encoding="utf-8")
    ev = training_needs.training_evidence(frames, start="2025-12-31", end=AS_OF)
    n = training_needs.agent_training_needs(ev, m, min_count=3)
    # only A1_tone is mapped: A has it 3 times (a need at 3), B never
    assert n[["agent_id", "topic", "n_evidence", "is_need"]].values.tolist() == [
        ["A", "tone_class", 3, True]]
    bad = tmp_path / "bad.yaml"
    bad.write_text("topics: [{code: x, category: skill}]\nsources: {qa_item: {A1_tone: y}}\n")
    with pytest.raises(ParameterError, match="listed topic"):
        training_needs.load_mapping(bad)


# ------------------------------------------------------------------ coaching


def _session(**kw):
    base = dict(agent_id="A", session_date="2026-02-15", target_metric="qa_item:A1_tone",
                target_value=2.0, due_date="2026-03-31", evidence_shown="E1, E2 录音",
                improvement_agreed="开场语气", agent_commitment="每天复听一通",
                strengths="信息准确", team_id="T", now="2026-02-15 10:00")
    base.update(kw)
    return coaching.new_session(**base)


def test_follow_up_hand_checked(frames):
    s = pd.concat([
        _session(session_id="S1"),
        _session(session_id="S2", agent_id="B", session_date="2026-03-01",
                 target_metric="qa_score", target_value=85.0, due_date="2026-03-25"),
        _session(session_id="S3", session_date="2026-02-01", target_metric="csat",
                 target_value=0.9, due_date="2026-03-20"),
        _session(session_id="S4", session_date="2026-03-01", target_metric="aht_s",
                 target_value=240.0, due_date="2026-04-30"),
    ], ignore_index=True)
    s.loc[s.session_id == "S2", "status"] = "closed"
    f = coaching.follow_up(s, frames, as_of="2026-04-10", before_days=60, min_n=1)
    f = f.set_index("session_id")
    # S1: before [12-17, 02-14] → E1 7, E2 7 → 7.0 (n 2); after (02-15, 03-31] → E3 4 → 4.0;
    # 4 > 2 not met, past due, better than 7 → improved_not_met; still open → overdue
    assert (f.loc["S1", "before_value"], f.loc["S1", "before_n"]) == (7.0, 2)
    assert (f.loc["S1", "after_value"], f.loc["S1", "after_n"]) == (4.0, 1)
    assert f.loc["S1", "change"] == -3.0 and bool(f.loc["S1", "improved"])
    assert f.loc["S1", "outcome"] == "improved_not_met" and f.loc["S1", "overdue"]
    # S2: B before [12-31, 02-28] → E4 80; after (03-01, 03-25] → E5 88 ≥ 85 → met; closed
    assert (f.loc["S2", "before_value"], f.loc["S2", "after_value"]) == (80.0, 88.0)
    assert f.loc["S2", "outcome"] == "met" and not f.loc["S2", "overdue"]
    # S3: csat before [12-03, 01-31] → S1 (5) → 1.0; after (02-01, 03-20] → S2 (4), S3 (2)
    # → 0.5; not met, past due, worse → ineffective
    assert (f.loc["S3", "before_value"], f.loc["S3", "after_value"]) == (1.0, 0.5)
    assert f.loc["S3", "outcome"] == "ineffective" and f.loc["S3", "ineffective"]
    # S4: nothing before 03-01; after (03-01, 04-10] → 2000/8 = 250 s over 8 contacts;
    # 250 > 240 and due 04-30 not reached → in_progress, 20 days to go
    assert math.isnan(f.loc["S4", "before_value"]) and f.loc["S4", "after_n"] == 8
    assert f.loc["S4", "after_value"] == 250.0 and f.loc["S4", "outcome"] == "in_progress"
    assert f.loc["S4", "days_to_due"] == 20 and pd.isna(f.loc["S4", "improved"])
    # with min_n 3, S1's single evaluation after the session is not enough to judge
    g = coaching.follow_up(s, frames, as_of="2026-04-10", before_days=60, min_n=3)
    assert g.set_index("session_id").loc["S1", "outcome"] == "no_data"


def test_smart_validation():
    with pytest.raises(ParameterError, match="time_bound"):
        _session(due_date="2026-02-10")
    with pytest.raises(ParameterError, match="outside 0..7"):
        _session(target_value=9.0)  # A1_tone is worth at most 7 points
    with pytest.raises(ParameterError, match="does not improve on the baseline 1"):
        _session(baseline_value=1.0)  # lower is better: 2 lost points is worse than 1
    with pytest.raises(ParameterError, match="agent_commitment is empty"):
        _session(agent_commitment="  ")
    with pytest.raises(ParameterError, match="within 92 days"):
        _session(due_date="2026-06-30")
    ok = _session(baseline_value=3.5)
    assert ok["session_id"].iloc[0] == "CS20260215-A-1"
    nxt = _session(existing=ok)
    assert nxt["session_id"].iloc[0] == "CS20260215-A-2"


def test_sessions_persist_through_the_workspace(demo_workspace_copy: Path):
    s = _session(agent_id="A10011", team_id="T01")
    with Workspace.open_write(demo_workspace_copy, "coaching") as ws:
        assert coaching.save_sessions(ws, s) == 1
    with Workspace.open_read(demo_workspace_copy) as ws:
        back = coaching.read_sessions(ws, agent_id="A10011")
    assert back["session_id"].tolist() == ["CS20260215-A10011-1"]
    assert back["agent_commitment"].iloc[0] == "每天复听一通"
    assert back["session_date"].iloc[0] == pd.Timestamp("2026-02-15")
    with Workspace.open_write(demo_workspace_copy, "coaching") as ws:
        coaching.update_session(ws, "CS20260215-A10011-1", status="closed",
                                follow_up_note="复盘: 达标", now="2026-04-01 09:00")
    with Workspace.open_read(demo_workspace_copy) as ws:
        back = coaching.read_sessions(ws)
    assert back["status"].tolist() == ["closed"]
    assert back["closed_date"].iloc[0] == pd.Timestamp("2026-04-01")
    assert back["follow_up_note"].iloc[0] == "复盘: 达标"
    # a bad update raises inside the writer block: nothing is swapped in
    with pytest.raises(ParameterError, match="status"):
        with Workspace.open_write(demo_workspace_copy, "coaching") as ws:
            coaching.update_session(ws, "CS20260215-A10011-1", status="maybe")
    with Workspace.open_read(demo_workspace_copy) as ws:
        assert coaching.read_sessions(ws)["status"].tolist() == ["closed"]
        with pytest.raises(WorkspaceError, match="open_write"):
            coaching.save_sessions(ws, s)  # a read-only workspace refuses writes
    with Workspace.open_write(demo_workspace_copy, "coaching") as ws:  # re-open it
        row = coaching.update_session(ws, "CS20260215-A10011-1", status="open")
    assert row["status"].iloc[0] == "open" and pd.isna(row["closed_date"].iloc[0])
    with Workspace.open_write(demo_workspace_copy, "coaching") as ws:
        with pytest.raises(ParameterError, match="session_id"):
            coaching.update_session(ws, "no-such-session", status="closed")


# ------------------------------------------------------------------ tasks


def test_tasks_weekly_summary_and_store(demo_workspace_copy: Path):
    t = pd.concat([
        tasks.new_task("传达新资费政策", "above", "L1", "2026-03-02", "2026-03-04",
                       team_id="T01", now="2026-03-02 09:00"),
        tasks.new_task("反馈系统卡顿", "floor", "L1", "2026-03-03", "2026-03-05",
                       team_id="T01", task_id="F1"),
        tasks.new_task("月度辅导计划", "own", "L1", "2026-03-02", "2026-03-13", team_id="T01",
                       task_id="O1"),
        tasks.new_task("取消的会议", "own", "L1", "2026-03-02", "2026-03-03", team_id="T01",
                       task_id="O2"),
    ], ignore_index=True)
    t.loc[0, ["status", "done_date"]] = ["done", pd.Timestamp("2026-03-04")]
    t.loc[3, "status"] = "cancelled"
    with Workspace.open_write(demo_workspace_copy, "tasks") as ws:
        assert tasks.save_tasks(ws, t) == 4
    with Workspace.open_read(demo_workspace_copy) as ws:
        back = tasks.read_tasks(ws, team_id="T01")
    assert back["task_id"].tolist() == ["O2", "TK20260302-1", "F1", "O1"]  # by due date
    w = tasks.weekly_summary(back, "2026-03-02").set_index("source")
    # above: created and done Wed on its due date → on time; floor: F1 due Thu, open on Sunday
    # → overdue; own: O1 open, due Fri 03-13 (next week); O2 cancelled counts nowhere but created
    assert w.loc["above"].tolist() == [1, 1, 1, 0, 0, 0]
    assert w.loc["floor"].tolist() == [1, 0, 0, 1, 1, 0]
    assert w.loc["own"].tolist() == [2, 0, 0, 1, 0, 1]
    assert w.loc["total"].tolist() == [4, 1, 1, 2, 1, 1]
    with pytest.raises(ParameterError, match="done_date"):
        bad = back.copy()
        bad.loc[bad.task_id == "O1", "status"] = "done"
        tasks.validate_tasks(bad)


# ------------------------------------------------------------------ the demo center


def test_chain_on_demo_workspace(demo_workspace: Path):
    names = ["agent_dim", "qa_evaluation", "qa_item", "hr_event", "csat_response", "complaint",
             "training_record", "agent_interval"]
    with Workspace.open_read(demo_workspace) as ws:
        fr = {n: ws.read(n) for n in names}
    p = profile.agent_profiles(fr, team_id="T01")
    as_of = p["as_of"].iloc[0]
    act = profile.active_agents(fr["agent_dim"], as_of, "T01")
    assert p["agent_id"].tolist() == act["agent_id"].tolist() and len(p) >= 5
    # the team mean is the mean of the team's evaluations, so the n-weighted gaps cancel
    assert float((p["qa_gap_to_team"] * p["qa_n"]).sum()) == pytest.approx(0, abs=1e-6)
    assert (p["qa_ci_low"] <= p["qa_mean"]).all() and (p["qa_mean"] <= p["qa_ci_high"]).all()
    t = development.development_types(p)
    e = development.development_evidence(p)
    assert set(t["dev_type"]) <= set(development.DEV_TYPES)
    assert t["agent_id"].tolist() == p["agent_id"].tolist()
    # every non-fallback assignment is backed by held conditions that agree with the profile
    pi = p.set_index("agent_id")
    for row in t.itertuples():
        if row.dev_type == "repeat_error":
            assert pi.loc[row.agent_id, "max_item_repeats"] >= 4
        if row.dev_type == "potential":
            assert pi.loc[row.agent_id, "qa_gap_to_team"] >= 2
        held = e[(e.agent_id == row.agent_id) & e.assigned]
        assert len(held) and (held["block"] == "fallback").any() == (row.dev_type == "steady")
    ev = training_needs.training_evidence(fr, start=p["window_start"].iloc[0], end=as_of)
    n = training_needs.agent_training_needs(ev, min_count=3)
    team = training_needs.team_training_needs(n[n.team_id == "T01"], k=3)
    assert len(team) and (team["n_agents"] >= 1).all()
    assert set(team["mode"]) <= {"one_to_many", "one_to_one"}
    a = p["agent_id"].iloc[0]
    s = coaching.new_session(a, as_of - pd.Timedelta(days=45), target_metric="qa_score",
                             target_value=95.0, due_date=as_of - pd.Timedelta(days=5),
                             evidence_shown="QA", improvement_agreed="x",
                             agent_commitment="y")
    f = coaching.follow_up(s, fr, as_of=as_of)
    assert f["before_n"].iloc[0] > 0 and f["after_n"].iloc[0] > 0
    assert f["outcome"].iloc[0] in coaching.OUTCOMES


def test_profile_with_only_the_required_tables(frames):
    # no hr_event, no surveys, complaints, training or intervals; training only after as_of
    fr = {k: frames[k] for k in ("agent_dim", "qa_evaluation", "qa_item")}
    fr["training_record"] = frames["training_record"].iloc[[2]]  # UPD_202604, after as_of
    p = profile.agent_profiles(fr, as_of=AS_OF).set_index("agent_id")
    assert p.loc["B", "stage"] is None and p.loc["B", "days_on_floor"] == 85  # tenure instead
    assert p.loc["A", "n_trainings"] == 0 and pd.isna(p.loc["A", "last_training_date"])
    assert math.isnan(p.loc["A", "csat"]) and p.loc["A", "n_valid_complaints"] == 0
    assert p.loc["A", "qa_mean"] == pytest.approx(93.0)


def test_window_edges_are_days(frames):
    # window (2025-12-31, 2026-03-31]: a survey at 10:00 on 12-31 is out, one at 23:00 on 03-31
    # is in; likewise for complaints
    fr = dict(frames)
    fr["csat_response"] = pd.DataFrame({
        "survey_id": ["X1", "X2"], "agent_id": ["A", "A"],
        "invited_at": D(["2025-12-31 10:00", "2026-03-31 23:00"]),
        "q_overall": pd.array([5, 1], dtype="Int64"), "dissat_reasons": [None, None]})
    fr["complaint"] = pd.DataFrame({
        "case_id": ["K8", "K9"], "agent_id": ["A", "A"],
        "received_at": D(["2025-12-31 10:00", "2026-03-31 23:00"]), "valid_flag": [True, True],
        "root_cause": ["process", "policy"]})
    a = profile.agent_profiles(fr, as_of=AS_OF).set_index("agent_id").loc["A"]
    assert (a.csat_n, a.csat, a.n_commendations) == (1, 0.0, 0)
    assert (a.n_valid_complaints, a.top_root_cause) == (1, "policy")
    ev = training_needs.training_evidence(fr, start="2025-12-31", end=AS_OF)
    assert ev.loc[ev.source == "complaint_root_cause", "ref"].tolist() == ["K9"]


# one "common contract" check over the public functions: inputs are not modified, and a missing
# column raises SchemaError naming it
def _contract_cases(fr):
    ev = profile.window_evaluations(fr["qa_evaluation"], "2025-12-31", AS_OF)
    evid = training_needs.training_evidence(fr, start="2025-12-31", end=AS_OF)
    needs = training_needs.agent_training_needs(evid, min_count=1)
    sess = _session(session_id="S1")
    tk = tasks.new_task("t", "own", "L", "2026-03-02", "2026-03-05", task_id="K1")
    return [
        ("item_gaps", lambda x: profile.item_gaps(x, fr["qa_item"], fr["agent_dim"]), ev,
         "agent_id"),
        ("window_evaluations", lambda x: profile.window_evaluations(x, "2025-12-31", AS_OF),
         fr["qa_evaluation"], "total_score"),
        ("active_agents", lambda x: profile.active_agents(x, AS_OF), fr["agent_dim"],
         "hire_date"),
        ("agent_training_needs", lambda x: training_needs.agent_training_needs(x), evid,
         "source"),
        ("team_training_needs", lambda x: training_needs.team_training_needs(x), needs,
         "is_need"),
        ("smart_check", lambda x: coaching.smart_check(x), sess, "agent_commitment"),
        ("follow_up", lambda x: coaching.follow_up(x, fr, as_of="2026-04-10"), sess,
         "target_value"),
        ("task_status", lambda x: tasks.task_status(x, "2026-03-08"), tk, "due_date"),
        ("weekly_summary", lambda x: tasks.weekly_summary(x, "2026-03-02"), tk, "source"),
    ]


def test_common_contract(frames):
    for name, fn, frame, col in _contract_cases(frames):
        before = frame.copy()
        out = fn(frame)
        assert isinstance(out, pd.DataFrame), name
        pd.testing.assert_frame_equal(frame, before, obj=name)
        with pytest.raises(SchemaError, match=col):
            fn(frame.drop(columns=col))


def test_no_evaluation_in_the_window_is_not_an_error(frames):
    # every evaluation is older than the window: profiles without QA, all agents steady (no
    # condition holds on missing data), no training evidence
    fr = {k: frames[k] for k in ("agent_dim", "qa_evaluation", "qa_item")}
    p = profile.agent_profiles(fr, as_of="2027-06-30")
    assert (p["qa_n"] == 0).all() and p["qa_mean"].isna().all()
    assert (p["improve_items"] == "").all() and p["repeat_item"].isna().all()
    assert set(development.development_types(p)["dev_type"]) == {"steady"}
    ev = training_needs.training_evidence(fr, start="2027-01-01", end="2027-06-30")
    assert ev.empty and training_needs.team_training_needs(
        training_needs.agent_training_needs(ev)).empty
