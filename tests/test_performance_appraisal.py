"""Tests of ccomkit.performance.appraisal: grades, forced distribution, levels, bottom-3 list."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ccomkit.errors import ParameterError, SchemaError
from ccomkit.performance.appraisal import (
    LEGAL_NOTE_EN,
    LevelRules,
    bottom_months,
    grade,
    level_inputs,
    level_review,
)

# --------------------------------------------------------------------------------------------
# Grades
# --------------------------------------------------------------------------------------------


def test_grade_thresholds_boundaries_and_nan() -> None:
    t = pd.DataFrame({"agent_id": list("ABCDEFG"),
                      "total_score": [90.0, 89.99, 80.0, 70.0, 60.0, 59.99, np.nan]})
    out = grade(t)
    # ≥ 90 A, ≥ 80 B+, ≥ 70 B-, ≥ 60 C, else D; NaN → no grade
    assert out["grade"].tolist() == ["A", "B+", "B+", "B-", "C", "D", None]
    assert out["grade_method"].tolist() == ["threshold"] * 6 + ["no_score"]
    assert out["rank"].tolist()[:6] == [1, 2, 3, 4, 5, 6]
    custom = grade(t, thresholds={"A": 95, "B+": 85, "B-": 75, "C": 50})
    assert custom["grade"].tolist() == ["B+", "B+", "B-", "C", "C", "C", None]


def test_forced_distribution_rounding() -> None:
    # n = 7, quotas 10/20/40/20/10 → cumulative .1 .3 .7 .9 1 × 7 = 0.7 2.1 4.9 6.3 7
    # → round half up 1 2 5 6 7: A 1, B+ 1, B- 3, C 1, D 1
    t = pd.DataFrame({"agent_id": [f"P{i}" for i in range(7)],
                      "total_score": [99, 95, 90, 85, 80, 75, 70]})
    q = {"A": .1, "B+": .2, "B-": .4, "C": .2, "D": .1}
    out = grade(t, quotas=q)
    assert out["grade"].tolist() == ["A", "B+", "B-", "B-", "B-", "C", "D"]
    assert set(out["grade_method"]) == {"forced"}


def test_forced_distribution_ties_both_policies() -> None:
    # 5 people, 20 % each → slots 1..5. Q, R, S tie at 90 on positions 2-4 (B+, B-, C)
    t = pd.DataFrame({"agent_id": ["S", "P", "R", "Q", "T"],
                      "total_score": [90.0, 95.0, 90.0, 90.0, 70.0]})
    q = {g: .2 for g in ("A", "B+", "B-", "C", "D")}
    share = grade(t, quotas=q).set_index("agent_id")["grade"]
    # share_better: all three get the block's best grade B+; T keeps position 5 → D
    assert share.to_dict() == {"S": "B+", "P": "A", "R": "B+", "Q": "B+", "T": "D"}
    by_id = grade(t, quotas=q, ties="by_id").set_index("agent_id")["grade"]
    # by_id: Q < R < S → B+, B-, C
    assert by_id.to_dict() == {"S": "C", "P": "A", "R": "B-", "Q": "B+", "T": "D"}
    # deterministic regardless of row order
    again = grade(t.iloc[::-1], quotas=q, ties="by_id").set_index("agent_id")["grade"]
    assert again.to_dict() == by_id.to_dict()


def test_forced_distribution_by_group_skips_nan() -> None:
    t = pd.DataFrame({"agent_id": list("ABCDE"), "role": ["x", "x", "y", "y", "y"],
                      "total_score": [50.0, 40.0, 10.0, np.nan, 20.0]})
    q = {"A": .5, "B+": 0, "B-": 0, "C": 0, "D": .5}
    out = grade(t, quotas=q, by="role").set_index("agent_id")
    # x: n = 2 → slots A 1, D 2: A → A, B → D. y: n = 2 scored (D is NaN): E → A, C → D
    assert out["grade"].to_dict() == {"A": "A", "B": "D", "C": "D", "D": None, "E": "A"}
    assert out.loc["E", "rank"] == 1 and out.loc["C", "n_ranked"] == 2


def test_grade_bad_input() -> None:
    t = pd.DataFrame({"agent_id": ["A"], "total_score": [80.0]})
    with pytest.raises(ParameterError, match="quotas"):
        grade(t, quotas={"A": .5, "B+": .5, "B-": .5, "C": 0, "D": 0})
    with pytest.raises(ParameterError, match="quotas"):
        grade(t, quotas={"A": 1.0})
    with pytest.raises(ParameterError, match="thresholds"):
        grade(t, thresholds={"A": 80, "B+": 85, "B-": 70, "C": 60})
    with pytest.raises(ParameterError, match="ties"):
        grade(t, quotas={g: .2 for g in ("A", "B+", "B-", "C", "D")}, ties="random")
    with pytest.raises(SchemaError, match="total_score"):
        grade(t.drop(columns="total_score"))
    t0 = t.copy()
    grade(t)
    pd.testing.assert_frame_equal(t, t0)


# --------------------------------------------------------------------------------------------
# Levels
# --------------------------------------------------------------------------------------------


def _inputs(n: int = 20) -> pd.DataFrame:
    return pd.DataFrame({
        "agent_id": [f"A{i:02d}" for i in range(1, n + 1)],
        "level": ["intermediate"] * n,
        "tenure_score": [50.0] * n,
        "skills_score": [100.0 - i for i in range(n)],
        "appraisal_score": [100.0 - 2 * i for i in range(n)],
        "valid_complaints": [0] * n, "max_leave_month": [0] * n, "max_late_month": [0] * n})


def test_level_review_promote_and_demote() -> None:
    out = level_review(_inputs())
    # composite_i = 0.1·50 + 0.4·(100 − i) + 0.5·(100 − 2i) = 95 − 1.4 i
    assert out["composite"].round(6).tolist()[:3] == [95.0, 93.6, 92.2]
    # top 10 % of 20 = floor(2) → A01, A02 promoted; bottom 5 % = floor(1) → A20 demoted
    assert out["action"].tolist() == ["promote"] * 2 + ["hold"] * 17 + ["demote"]
    assert out["new_level"].tolist()[:2] == ["senior", "senior"]
    assert out["new_level"].iloc[-1] == "junior"


def test_level_review_gates_each_block_promotion() -> None:
    inp = _inputs()
    inp.loc[0, "valid_complaints"] = 3      # > 2
    inp.loc[1, "max_leave_month"] = 2       # > 1
    out = level_review(inp)
    assert out["action"].tolist()[:2] == ["hold", "hold"]
    assert "valid complaints" in out["reason"].iloc[0]
    assert "leave per month" in out["reason"].iloc[1]
    inp = _inputs()
    inp.loc[0, "max_late_month"] = 3        # > 2
    inp.loc[1, "valid_complaints"] = 2      # = 2 is allowed
    out = level_review(inp)
    assert out["action"].tolist()[:2] == ["hold", "promote"]
    assert "late/early" in out["reason"].iloc[0]


def test_level_review_edges_levels_and_major_violation() -> None:
    inp = _inputs()
    inp.loc[0, "level"] = "expert"          # top but already at the top level
    inp.loc[19, "level"] = "junior"         # bottom but already at the lowest level
    inp["major_violation"] = False
    inp.loc[10, "major_violation"] = True   # mid-table, major self-caused complaint
    out = level_review(inp)
    assert out.loc[0, "action"] == "hold" and "highest" in out.loc[0, "reason"]
    assert out.loc[19, "action"] == "hold" and "lowest" in out.loc[19, "reason"]
    assert out.loc[10, "action"] == "demote" and out.loc[10, "new_level"] == "junior"


def test_level_review_ties_at_cut_off_and_missing_component() -> None:
    inp = _inputs()
    # A02 ties A01 → both rank 1; A03 at rank 3 > 2 → not top
    inp.loc[1, ["skills_score", "appraisal_score"]] = [100.0, 100.0]
    inp.loc[2, "skills_score"] = np.nan     # renormalised over tenure + appraisal
    out = level_review(inp)
    # A03 (88.33) falls behind A04 (95 − 1.4·3 = 90.8) and A05 (89.4) → rank 5
    assert out["rank"].tolist()[:3] == [1, 1, 5]
    assert out["in_top"].tolist()[:3] == [True, True, False]
    # A03: (0.1·50 + 0.5·96) / 0.6 = 53 / 0.6 = 88.333
    assert out.loc[2, "composite"] == pytest.approx(88.3333333)


def test_level_review_configurable_rules_and_errors() -> None:
    rules = LevelRules(weights={"tenure": 0, "skills": 0, "appraisal": 1},
                       promote_top_frac=0.25, demote_bottom_frac=0.0)
    out = level_review(_inputs(), rules)
    assert (out["action"] == "promote").sum() == 5 and (out["action"] == "demote").sum() == 0
    with pytest.raises(ParameterError, match="weights"):
        LevelRules(weights={"tenure": .2, "skills": .4, "appraisal": .5})
    with pytest.raises(ParameterError, match="promote_top_frac"):
        LevelRules(promote_top_frac=1.5)
    bad = _inputs()
    bad.loc[3, "level"] = "guru"
    with pytest.raises(ParameterError, match="guru"):
        level_review(bad)
    with pytest.raises(SchemaError, match="skills_score"):
        level_review(_inputs().drop(columns="skills_score"))


def test_level_review_by_group() -> None:
    inp = pd.concat([_inputs(10).assign(team_id="T1"), _inputs(10).assign(team_id="T2")],
                    ignore_index=True)
    inp["agent_id"] = [f"X{i}" for i in range(20)]
    out = level_review(inp, by="team_id")
    # 10 per team: top floor(1) each, bottom floor(0.5) = 0
    assert out.groupby("team_id")["action"].apply(lambda s: (s == "promote").sum()).tolist() == [
        1, 1]
    assert (out["action"] == "demote").sum() == 0


def test_level_inputs_from_tables() -> None:
    ad = pd.DataFrame({"agent_id": ["A", "B", "Q"], "team_id": ["T1"] * 3,
                       "role": ["agent", "agent", "qa"], "level": ["junior", "senior", None],
                       "hire_date": pd.to_datetime(["2024-06-30", "2016-01-01", "2020-01-01"]),
                       "leave_date": pd.to_datetime([None] * 3)})
    days = pd.to_datetime(["2026-01-05", "2026-01-06", "2026-01-07", "2026-02-02", "2025-12-01"])
    at = pd.DataFrame({"agent_id": ["A"] * 5, "work_date": days,
                       "scheduled_flag": [True] * 5,
                       "present_flag": [False, False, True, True, False],
                       "late_min": [0, 0, 5, 0, 0], "early_leave_min": [0, 0, 0, 10, 0]})
    cp = pd.DataFrame({"agent_id": ["B", "B", "B"], "valid_flag": [True, True, True],
                       "received_at": pd.to_datetime(["2026-01-02 09:00", "2026-06-30 18:00",
                                                      "2026-07-01 09:00"])})
    ap = pd.DataFrame({"agent_id": ["A", "A", "B"], "period": ["2026-01", "2025-12", "2026-06"],
                       "total_score": [80.0, 10.0, 70.0]})
    tr = pd.DataFrame({"agent_id": ["A", "A"], "session_date": pd.to_datetime(
        ["2026-02-01", "2026-03-01"]), "l2_post": [80.0, 90.0]})
    out = level_inputs({"agent_dim": ad, "attendance": at, "complaint": cp,
                        "training_record": tr}, "2026-01-01", "2026-06-30", ap).set_index(
        "agent_id")
    assert list(out.index) == ["A", "B"]          # qa is not an agent
    # A: 730 days / 365 = 2 y → 40; B: > 5 y → 100
    assert out.loc["A", "tenure_score"] == pytest.approx(40.0)
    assert out.loc["B", "tenure_score"] == 100.0
    # skills: mean l2_post (80 + 90)/2 = 85; B has none → NaN
    assert out.loc["A", "skills_score"] == 85.0 and np.isnan(out.loc["B", "skills_score"])
    # appraisal: December 2025 is outside the window → A 80
    assert out.loc["A", "appraisal_score"] == 80.0 and out.loc["B", "appraisal_score"] == 70.0
    # complaints: B's two in the window (Jan 2 and Jun 30 18:00), not Jul 1
    assert out.loc["B", "valid_complaints"] == 2 and out.loc["A", "valid_complaints"] == 0
    # absences: Jan 2 days (Dec 1 outside) → worst month 2; late or early: Jan 1, Feb 1 → 1
    assert out.loc["A", "max_leave_month"] == 2 and out.loc["A", "max_late_month"] == 1
    with pytest.raises(ParameterError, match="end"):
        level_inputs({"agent_dim": ad}, "2026-06-30", "2026-01-01", ap)


# --------------------------------------------------------------------------------------------
# Bottom three months
# --------------------------------------------------------------------------------------------


def _monthly() -> pd.DataFrame:
    # scores per month for A..D
    rows = {"2026-01": [90, 80, 70, 70],   # C and D tie last → both bottom
            "2026-02": [85, 75, 60, 88],   # C last
            "2026-03": [88, 66, 50, 65],   # C last
            "2026-04": [80, 40, 90, 85]}   # B last
    return pd.DataFrame([(m, a, s) for m, ss in rows.items() for a, s in zip("ABCD", ss)],
                        columns=["period", "agent_id", "total_score"])


def test_bottom_months_run_and_labels() -> None:
    out = bottom_months(_monthly(), as_of="2026-03")
    assert out["agent_id"].tolist() == ["C"]
    assert out.loc[0, "run_months"] == 3
    assert (out.loc[0, "first_period"], out.loc[0, "last_period"]) == ("2026-01", "2026-03")
    assert out.loc[0, "scores"] == "2026-01: 70.0 | 2026-02: 60.0 | 2026-03: 50.0"
    # the label: coaching / improvement plan, never dismissal — zh and en, with the case
    assert "never a dismissal decision" in out.loc[0, "label_en"]
    assert "coaching / improvement-plan trigger" in out.loc[0, "label_en"]
    assert "辅导" in out.loc[0, "label_zh"] and "不是解除劳动合同的决定" in out.loc[0, "label_zh"]
    assert "指导案例18号" in out.loc[0, "legal_basis"]
    assert "Guiding Case No. 18" in out.loc[0, "legal_basis"]
    assert out.attrs["legal_note"].count("18") >= 2
    assert out.loc[0, "action_en"] == "coaching / performance improvement plan"
    assert LEGAL_NOTE_EN in out.attrs["legal_note"]


def test_bottom_months_default_as_of_breaks_run_and_ties() -> None:
    m = _monthly()
    # as of April (the latest) B is last only once; C's run ended in March
    assert bottom_months(m).empty
    assert list(bottom_months(m).columns)[-3:] == ["label_zh", "label_en", "legal_basis"]
    # 2 months as of February: C (Jan tie + Feb); D tied in January only
    assert bottom_months(m, n_months=2, as_of="2026-02")["agent_id"].tolist() == ["C"]
    # 1 month as of January: the tie puts both C and D in
    assert bottom_months(m, n_months=1, as_of="2026-01")["agent_id"].tolist() == ["C", "D"]
    # a missing month breaks the run
    gap = m[~((m.period == "2026-02") & (m.agent_id == "C"))]
    assert bottom_months(gap, as_of="2026-03").empty


def test_bottom_months_frac_and_groups() -> None:
    m = _monthly()
    # bottom_frac 0.5 of 4 → floor(2): Jan C, D (70, 70); Feb C, B (60, 75); Mar C, D (50, 65)
    out = bottom_months(m, bottom_frac=0.5, n_months=1, as_of="2026-03")
    assert out["agent_id"].tolist() == ["C", "D"]
    assert out.set_index("agent_id")["run_months"].to_dict() == {"C": 3, "D": 1}
    out = bottom_months(m, bottom_frac=0.5, n_months=2, as_of="2026-02")
    assert out["agent_id"].tolist() == ["C"]
    g = m.assign(team=np.where(m.agent_id.isin(["A", "B"]), "T1", "T2"))
    # within T1 (A vs B) B is last in all four months → a 4-month run as of April;
    # within T2 (C vs D) C is last in Jan (tie), Feb, Mar but not Apr → off the list
    out = bottom_months(g, by="team")
    assert out[["team", "agent_id", "run_months"]].values.tolist() == [["T1", "B", 4]]


def test_bottom_months_bad_input() -> None:
    with pytest.raises(ParameterError, match="n_months"):
        bottom_months(_monthly(), n_months=0)
    with pytest.raises(ParameterError, match="bottom_frac"):
        bottom_months(_monthly(), bottom_frac=2.0)
    with pytest.raises(SchemaError, match="period"):
        bottom_months(_monthly().drop(columns="period"))
    with pytest.raises(ParameterError, match="frame"):
        bottom_months([1, 2, 3])  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# Smoke test on the demo center
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo() -> dict[str, pd.DataFrame]:
    from ccomkit.demo import generate

    return generate(seats=40, years=1)


def test_demo_monthly_appraisal_chain(demo) -> None:
    from ccomkit.performance.scorecard import scorecard_months, scorecard_totals

    last = pd.Timestamp(demo["agent_interval"].interval_start.max()).to_period("M") - 1
    months = [last - 2, last - 1, last]
    tot = scorecard_totals(scorecard_months(demo, "agent", months))
    g = grade(tot, by="period", quotas={"A": .1, "B+": .2, "B-": .4, "C": .2, "D": .1})
    per = g.dropna(subset=["total_score"]).groupby("period")["grade"].value_counts().unstack()
    assert set(per.columns) == {"A", "B+", "B-", "C", "D"}
    b = bottom_months(tot, bottom_frac=0.1)
    assert {"label_zh", "label_en", "legal_basis"} <= set(b.columns)
    li = level_inputs(demo, months[0].start_time, months[-1].end_time.normalize(), tot)
    li = li[li["level"].notna()]
    lr = level_review(li)
    assert set(lr["action"]) <= {"promote", "demote", "hold"}
    assert len(lr) == len(li) > 0
