"""Tests of ccomkit.cx.survey on hand-computed fixtures, scipy references and the demo center."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ccomkit.cx.survey import (
    driver_analysis,
    driver_chart,
    dissat_pareto,
    nps_standard_error,
    pareto_chart,
    period_changes,
    required_sample_size,
    satisfaction,
    satisfaction_chart,
    survey_plan,
    wilson_interval,
)
from ccomkit.errors import ParameterError, SchemaError
from ccomkit.kpi import compute


def _survey(q: list, nps: list | None = None, *, t: str = "2026-03-02", **extra) -> pd.DataFrame:
    n = len(q)
    ts = pd.to_datetime([t] * n)
    resp = pd.Series(ts).where([v is not None for v in q])
    return pd.DataFrame({
        "survey_id": [f"S{i}" for i in range(n)],
        "invited_at": ts,
        "responded_at": resp,
        "q_overall": pd.array(q, dtype="Int64"),
        "nps": pd.array(nps if nps is not None else [None] * n, dtype="Int64"),
        **extra,
    })


# --------------------------------------------------------------------------------------------
# Wilson interval and NPS standard error
# --------------------------------------------------------------------------------------------

CASES = [(0, 10), (1, 10), (5, 10), (10, 10), (80, 100), (3, 7), (997, 1000), (412, 1068)]


@pytest.mark.parametrize("k,n", CASES)
@pytest.mark.parametrize("conf", [0.8, 0.9, 0.95, 0.99])
def test_wilson_matches_scipy(k, n, conf):
    lo, hi = wilson_interval(k, n, conf)
    ref = stats.binomtest(k, n).proportion_ci(confidence_level=conf, method="wilson")
    assert abs(float(lo) - ref.low) < 1e-9
    assert abs(float(hi) - ref.high) < 1e-9


def test_wilson_matches_statsmodels():
    import statsmodels.stats.proportion as sm  # a test extra: the reference, never skipped
    k = np.array([c[0] for c in CASES])
    n = np.array([c[1] for c in CASES])
    lo, hi = wilson_interval(k, n, 0.95)
    rlo, rhi = sm.proportion_confint(k, n, alpha=0.05, method="wilson")
    np.testing.assert_allclose(lo, rlo, atol=1e-9, rtol=0)
    np.testing.assert_allclose(hi, rhi, atol=1e-9, rtol=0)


def test_wilson_by_hand_and_edges():
    # 80/100, z = 1.959964: centre = (0.8 + z²/200)/(1 + z²/100) = 0.819207/1.038415 = 0.788902
    # half = z/1.038415 · sqrt(0.0016 + z²/40000) = 1.887458 · 0.041183 = 0.077731
    lo, hi = wilson_interval(80, 100)
    assert float(lo) == pytest.approx(0.788902 - 0.077731, abs=2e-6)
    assert float(hi) == pytest.approx(0.788902 + 0.077731, abs=2e-6)
    lo, hi = wilson_interval([0, 3], [0, 5])
    assert math.isnan(lo[0]) and math.isnan(hi[0])
    with pytest.raises(ParameterError, match="successes"):
        wilson_interval(6, 5)
    with pytest.raises(ParameterError, match="confidence_frac"):
        wilson_interval(3, 5, 1.2)


def test_nps_standard_error_by_hand():
    # 50 promoters, 20 detractors of 100: (0.5 + 0.2 − 0.3²)/100 = 0.0061 → 0.0781025
    assert float(nps_standard_error(50, 20, 100)) == pytest.approx(math.sqrt(0.0061), abs=1e-12)
    # all promoters: variance 1 − 1 = 0
    assert float(nps_standard_error(10, 0, 10)) == 0.0
    # equals the standard deviation (ddof=0) of +1/0/−1 scores over √n
    scores = np.array([1] * 50 + [0] * 30 + [-1] * 20)
    assert float(nps_standard_error(50, 20, 100)) == pytest.approx(scores.std() / 10, abs=1e-12)
    assert math.isnan(float(nps_standard_error(0, 0, 0)))
    with pytest.raises(ParameterError):
        nps_standard_error(8, 5, 10)


# --------------------------------------------------------------------------------------------
# Sample size
# --------------------------------------------------------------------------------------------


def test_required_sample_size_by_hand():
    # z = 1.959964: n = 3.841459 × 0.25 / 0.0009 = 1067.07 → 1,068
    assert required_sample_size(0.03, 0.95, 0.5) == 1068
    # FPC, N = 5,000: 1067.07 / (1 + 1066.07/5000) = 1067.07 / 1.213214 = 879.55 → 880
    assert required_sample_size(population=5000) == 880
    # N = 100: 1067.07 / (1 + 1066.07/100) = 1067.07 / 11.6607 = 91.51 → 92
    assert required_sample_size(population=100) == 92
    # 99 %, ±5 %: z = 2.575829, 6.634897 × 0.25 / 0.0025 = 663.49 → 664
    assert required_sample_size(0.05, 0.99) == 664
    # p = 0.8, ±5 %, 95 %: 3.841459 × 0.16 / 0.0025 = 245.85 → 246
    assert required_sample_size(0.05, p_frac=0.8) == 246
    with pytest.raises(ParameterError, match="margin_frac"):
        required_sample_size(0)
    with pytest.raises(ParameterError, match="population"):
        required_sample_size(population=-3)


def test_survey_plan_by_hand():
    vol = pd.DataFrame({
        "agent_id": ["A1", "A1", "A2", "A2"],
        "interval_start": pd.to_datetime(["2026-03-02", "2026-03-20", "2026-03-05",
                                          "2026-04-02"]),
        "handled": [120, 80, 5000, 0],
    })
    before = vol.copy()
    out = survey_plan(vol, "agent_id", freq="M", response_rate_frac=0.2, margin_frac=0.1)
    pd.testing.assert_frame_equal(vol, before)
    # e = 0.1: n = 3.841459 × 0.25 / 0.01 = 96.04
    # A1, March: N = 200 → 96.04 / (1 + 95.04/200) = 65.11 → 66; 66 / 0.2 = 330 > 200
    # A2, March: N = 5000 → 96.04 / (1 + 95.04/5000) = 94.25 → 95; 475 invitations
    # A2, April: N = 0 → 0
    assert out["agent_id"].tolist() == ["A1", "A2", "A2"]
    assert out["period"].tolist() == list(pd.to_datetime(["2026-03-01", "2026-03-01",
                                                          "2026-04-01"]))
    assert out["responses_needed"].tolist() == [66, 95, 0]
    assert out["invitations_needed"].tolist() == [330, 475, 0]
    assert out["feasible"].tolist() == [False, True, True]
    assert out["invite_share_frac"].iloc[1] == pytest.approx(475 / 5000)
    # inviting all 200 gives m = 40 responses: 1.959964 × sqrt(0.25/40 × 160/199) = 0.087870
    assert out["margin_at_all_contacts_frac"].iloc[0] == pytest.approx(
        1.959963984540054 * math.sqrt(0.25 / 40 * 160 / 199), abs=1e-12)
    total = survey_plan(vol, by=(), freq=None, margin_frac=0.03)
    # N = 5,200: 1067.07 / (1 + 1066.07/5200) = 885.3 → 886
    assert total["responses_needed"].tolist() == [886]
    with pytest.raises(ParameterError, match="response_rate_frac"):
        survey_plan(vol, response_rate_frac=0)
    with pytest.raises(SchemaError, match="queue_id"):
        survey_plan(vol, "queue_id")
    with pytest.raises(SchemaError, match="handled"):
        survey_plan(vol.assign(handled=[1, -1, 2, 3]))


# --------------------------------------------------------------------------------------------
# satisfaction
# --------------------------------------------------------------------------------------------


@pytest.fixture()
def two_agents() -> pd.DataFrame:
    # A1: q 5 5 4 3 2 1 (6 answers) + 1 unanswered invitation; nps 10 9 9 8 5 0
    # A2: q 4 4 4 (3 answers); nps 10 6 7
    q = [5, 5, 4, 3, 2, 1, None, 4, 4, 4]
    nps = [10, 9, 9, 8, 5, 0, None, 10, 6, 7]
    return _survey(q, nps, agent_id=["A1"] * 7 + ["A2"] * 3)


def test_satisfaction_by_hand(two_agents):
    before = two_agents.copy()
    out = satisfaction(two_agents, "agent_id", min_n=4)
    pd.testing.assert_frame_equal(two_agents, before)
    a1, a2 = out.iloc[0], out.iloc[1]
    # A1: 7 invitations, 6 responses; top-2 = 3 (5,5,4) → 0.5; bottom-2 = 2 → 1/3;
    # mean = 20/6; promoters 3 (10,9,9), detractors 2 (5,0): NPS = 1/6;
    # SE = sqrt((0.5 + 1/3 − (1/6)²)/6) = sqrt(0.805556/6) = 0.366414
    assert (a1.invitations, a1.responses, a1.n, a1.top2, a1.bottom2) == (7, 6, 6, 3, 2)
    assert a1.response_rate == pytest.approx(6 / 7)
    assert a1.csat == pytest.approx(0.5) and a1.dsat == pytest.approx(1 / 3)
    assert a1.mean_score == pytest.approx(20 / 6)
    assert (a1.promoters, a1.detractors, a1.n_nps) == (3, 2, 6)
    assert a1.nps == pytest.approx(1 / 6)
    assert a1.nps_se == pytest.approx(math.sqrt((0.5 + 1 / 3 - (1 / 6) ** 2) / 6), abs=1e-12)
    z = stats.norm.ppf(0.975)
    assert a1.nps_lo == pytest.approx(1 / 6 - z * a1.nps_se, abs=1e-12)
    ref = stats.binomtest(3, 6).proportion_ci(method="wilson")
    assert abs(a1.csat_lo - ref.low) < 1e-9 and abs(a1.csat_hi - ref.high) < 1e-9
    ref = stats.binomtest(2, 6).proportion_ci(method="wilson")
    assert abs(a1.dsat_lo - ref.low) < 1e-9 and abs(a1.dsat_hi - ref.high) < 1e-9
    # A2: csat 3/3 = 1, dsat 0; NPS: 1 promoter, 1 detractor → 0; SE = sqrt((2/3 − 0)/3)
    assert a2.csat == 1.0 and a2.dsat == 0.0 and a2.nps == 0.0
    assert a2.nps_se == pytest.approx(math.sqrt(2 / 3 / 3), abs=1e-12)
    assert a2.csat_hi == 1.0 and a2.dsat_lo == 0.0
    # publishing: n >= min_n = 4
    assert out["publishable"].tolist() == [True, False]
    # the values are the KPI dictionary's
    k = compute(two_agents, ["csat", "nps"], "agent_id")
    assert k.loc[k.kpi_id == "csat", "value"].tolist() == out["csat"].tolist()
    assert k.loc[k.kpi_id == "nps", "value"].tolist() == out["nps"].tolist()


def test_satisfaction_total_period_and_missing_group(two_agents):
    sv = two_agents.copy()
    sv.loc[9, "agent_id"] = None  # an unattributed survey is its own group, not dropped
    sv.loc[7:, "invited_at"] = pd.Timestamp("2026-03-10")
    out = satisfaction(sv, freq="W")
    # weeks of 2026-03-02 (7 invitations) and 2026-03-09 (3 invitations)
    assert out["period"].tolist() == list(pd.to_datetime(["2026-03-02", "2026-03-09"]))
    assert out["invitations"].tolist() == [7, 3]
    g = satisfaction(sv, "agent_id")
    assert len(g) == 3 and g["n"].sum() == 9
    assert satisfaction(sv)["n"].item() == 9
    assert not satisfaction(sv, question="q_overall", min_n=30)["publishable"].item()
    assert g["agent_id"].isna().sum() == 1 and g["n"].tolist() == [6, 2, 1]


def test_satisfaction_bad_input(two_agents):
    bad = two_agents.copy()
    bad.loc[3, "q_overall"] = 6
    with pytest.raises(SchemaError, match=r"q_overall must be an integer in 1\.\.5: 1 row "
                                          r"violates it, first at rows \[3\]") as e:
        satisfaction(bad)
    assert e.value.column == "q_overall" and e.value.rows == [3]
    bad = two_agents.copy()
    bad["nps"] = bad["nps"].astype("Float64")
    bad.loc[0, "nps"] = 11
    with pytest.raises(SchemaError, match="nps must be an integer in 0..10"):
        satisfaction(bad)
    bad = two_agents.copy()
    bad.loc[[2, 4], "responded_at"] = pd.NaT
    with pytest.raises(SchemaError, match=r"responded_at is empty but answers are given: 2 rows"
                                          r" violate it, first at rows \[2, 4\]"):
        satisfaction(bad)
    with pytest.raises(SchemaError, match="team_id") as e:
        satisfaction(two_agents, "team_id")
    assert e.value.column == "team_id"
    with pytest.raises(SchemaError, match="q_overall"):
        satisfaction(two_agents.drop(columns="q_overall"))
    with pytest.raises(ParameterError, match="question"):
        satisfaction(two_agents, question="q_price")
    with pytest.raises(ParameterError, match="freq"):
        satisfaction(two_agents, freq="fortnight")
    with pytest.raises(ParameterError, match="confidence_frac"):
        satisfaction(two_agents, confidence_frac=95)
    with pytest.raises(ParameterError, match="min_n"):
        satisfaction(two_agents, min_n=-1)


# --------------------------------------------------------------------------------------------
# Period-on-period changes
# --------------------------------------------------------------------------------------------


def _two_weeks(k1: int, k2: int, n: int = 100, nps1: list | None = None,
               nps2: list | None = None) -> pd.DataFrame:
    q = [5] * k1 + [3] * (n - k1) + [4] * k2 + [2] * (n - k2)
    nps = (nps1 or [None] * n) + (nps2 or [None] * n)
    a = _survey(q[:n], nps[:n], t="2026-03-02")
    b = _survey(q[n:], nps[n:], t="2026-03-09")
    return pd.concat([a, b], ignore_index=True)


def test_period_changes_significant_and_not():
    # significant: 80/100 → 65/100. p̄ = 145/200 = 0.725,
    # SE = sqrt(0.725 × 0.275 × (1/100 + 1/100)) = 0.063147, z = −0.15/0.063147 = −2.3754,
    # p = 2(1 − Φ(2.3754)) = 0.01753 < 0.05
    ch = period_changes(_two_weeks(80, 65), metrics=["csat"])
    r = ch.iloc[0]
    assert len(ch) == 1
    assert r.prev_period == pd.Timestamp("2026-03-02") and r.period == pd.Timestamp("2026-03-09")
    assert r.change == pytest.approx(-0.15)
    assert r.se_change == pytest.approx(math.sqrt(0.725 * 0.275 * 0.02), abs=1e-12)
    assert r.z == pytest.approx(-0.15 / math.sqrt(0.725 * 0.275 * 0.02), abs=1e-12)
    assert r.p_value == pytest.approx(0.017530, abs=1e-5)
    assert bool(r.significant) and r.direction == -1
    assert r.label == "significant decrease" and r.label_zh == "显著下降"
    # not significant: 80/100 → 75/100. p̄ = 0.775, SE = sqrt(0.775 × 0.225 × 0.02) = 0.059055,
    # z = −0.05/0.059055 = −0.8467, p = 0.397
    r = period_changes(_two_weeks(80, 75), metrics=["csat"]).iloc[0]
    assert r.z == pytest.approx(-0.05 / math.sqrt(0.775 * 0.225 * 0.02), abs=1e-12)
    assert not r.significant and r.direction == 0 and r.label == "not significant"
    # DSAT of the same data: week 1 has no 1-2 scores, week 2 has 35 → significant increase
    r = period_changes(_two_weeks(80, 65), metrics=["dsat"]).iloc[0]
    assert r.value_prev == 0 and r.value == pytest.approx(0.35) and r.direction == 1


def test_period_changes_newcombe_interval_by_hand():
    # Wilson 95 %: 80/100 → (0.711171, 0.866633); 65/100 → (0.552544, 0.736358)
    # Newcombe: −0.15 − sqrt((0.65 − 0.552544)² + (0.866633 − 0.8)²) = −0.268057
    #           −0.15 + sqrt((0.736358 − 0.65)² + (0.8 − 0.711171)²) = −0.026112
    r = period_changes(_two_weeks(80, 65), metrics=["csat"]).iloc[0]
    l1, u1 = stats.binomtest(80, 100).proportion_ci(method="wilson")
    l2, u2 = stats.binomtest(65, 100).proportion_ci(method="wilson")
    assert r.change_lo == pytest.approx(-0.15 - math.hypot(0.65 - l2, u1 - 0.8), abs=1e-12)
    assert r.change_hi == pytest.approx(-0.15 + math.hypot(u2 - 0.65, 0.8 - l1), abs=1e-12)
    assert r.change_lo == pytest.approx(-0.268057, abs=1e-6)
    assert r.change_hi == pytest.approx(-0.026112, abs=1e-6)


def test_period_changes_match_statsmodels():
    import statsmodels.stats.proportion as sm  # a test extra: the reference, never skipped
    r = period_changes(_two_weeks(80, 65), metrics=["csat"]).iloc[0]
    z, p = sm.proportions_ztest([65, 80], [100, 100])
    assert r.z == pytest.approx(z, abs=1e-9) and r.p_value == pytest.approx(p, abs=1e-9)
    lo, hi = sm.confint_proportions_2indep(65, 100, 80, 100, method="newcomb", compare="diff")
    assert abs(r.change_lo - lo) < 1e-9 and abs(r.change_hi - hi) < 1e-9


def test_period_changes_nps_by_hand():
    # week 1: 50 promoters, 20 detractors of 100: NPS 0.3, SE1 = sqrt(0.0061)
    # week 2: 30 promoters, 40 detractors: NPS −0.1, SE2² = (0.3 + 0.4 − 0.01)/100 = 0.0069
    # z = −0.4 / sqrt(0.0061 + 0.0069) = −3.5082 → significant decrease
    w1 = [10] * 50 + [7] * 30 + [3] * 20
    w2 = [9] * 30 + [8] * 30 + [0] * 40
    r = period_changes(_two_weeks(80, 80, nps1=w1, nps2=w2), metrics=["nps"]).iloc[0]
    assert r.change == pytest.approx(-0.4)
    assert r.z == pytest.approx(-0.4 / math.sqrt(0.0061 + 0.0069), abs=1e-12)
    assert r.label == "significant decrease"
    half = stats.norm.ppf(0.975) * math.sqrt(0.0061 + 0.0069)
    assert (r.change_lo, r.change_hi) == pytest.approx((-0.4 - half, -0.4 + half), abs=1e-12)
    # a small move is not flagged: week 2 with 48 promoters, 20 detractors: ΔNPS = −0.02
    w2 = [10] * 48 + [7] * 32 + [3] * 20
    r = period_changes(_two_weeks(80, 80, nps1=w1, nps2=w2), metrics=["nps"]).iloc[0]
    assert not r.significant and r.label == "not significant"


def test_period_changes_groups_and_bad_input():
    a = _two_weeks(80, 65).assign(queue_id="billing")
    b = _two_weeks(80, 78).assign(queue_id="sales")
    ch = period_changes(pd.concat([a, b], ignore_index=True), "queue_id", metrics=["csat"])
    assert ch["queue_id"].tolist() == ["billing", "sales"]
    assert ch["significant"].tolist() == [True, False]
    empty = _two_weeks(80, 65)
    empty.loc[100:, ["q_overall", "responded_at"]] = None
    r = period_changes(empty, metrics=["csat"]).iloc[0]
    assert r.label == "insufficient data" and not r.significant
    with pytest.raises(ParameterError, match="metrics"):
        period_changes(a, metrics=["aht"])
    with pytest.raises(ParameterError, match="alpha"):
        period_changes(a, alpha=1.5)
    with pytest.raises(ParameterError, match="freq"):
        period_changes(a, freq=None)


# --------------------------------------------------------------------------------------------
# Driver analysis
# --------------------------------------------------------------------------------------------


@pytest.fixture()
def drivers_case() -> pd.DataFrame:
    y = [1, 2, 3, 4, 5] * 2
    return pd.DataFrame({
        "responded_at": pd.to_datetime(["2026-03-02"] * 10),
        "q_overall": y,
        "q_speed": y,  # ρ = 1; top-2 = 4/10
        "q_accuracy": [min(v + 1, 5) for v in y],  # ρ = 0.974679 (below); top-2 = 6/10
        "q_attitude": [6 - v for v in y],  # ρ = −1; top-2 = 4/10
        # one "no", at a median overall score: ρ = 0 (below); yes share = 9/10
        "fcr_yes": pd.array([True, True, False, True, True, True, True, True, True, True],
                            dtype="boolean"),
    })


def test_driver_quadrants_by_hand(drivers_case):
    out = driver_analysis(drivers_case, min_n=10)
    d = out.set_index("driver")
    # accuracy: ranks x − 5.5 = (−4, −2, 0, 3, 3)×2, y − 5.5 = (−4, −2, 0, 2, 4)×2:
    # Σxy = 2·38 = 76, Σx² = 76, Σy² = 80 → ρ = 76/sqrt(76·80) = 0.974679
    # fcr: x − 5.5 = −4.5 for the "no" (its y rank deviation is 0), +0.5 otherwise: Σxy = 0
    assert d.loc["q_speed", "importance"] == pytest.approx(1.0)
    assert d.loc["q_accuracy", "importance"] == pytest.approx(math.sqrt(76 / 80), abs=1e-12)
    assert d.loc["q_attitude", "importance"] == pytest.approx(-1.0)
    assert d.loc["fcr_yes", "importance"] == pytest.approx(0.0, abs=1e-12)
    assert d["performance"].tolist() == pytest.approx([0.4, 0.6, 0.4, 0.9])
    # mean importance = (1 + 0.974679 − 1 + 0)/4 = 0.243670; mean performance = 2.3/4 = 0.575
    assert d.loc["q_speed", "quadrant"] == "fix_first"
    assert d.loc["q_accuracy", "quadrant"] == "keep_up"
    assert d.loc["q_attitude", "quadrant"] == "low_priority"
    assert d.loc["fcr_yes", "quadrant"] == "possible_overkill"
    assert d.loc["q_speed", "quadrant_zh"] == "优先改进"
    assert d["importance_rank"].tolist() == [1, 2, 4, 3]
    assert d["reliable"].all() and (d["n"] == 10).all()
    for drv in ("q_speed", "q_accuracy", "q_attitude"):
        ref = stats.spearmanr(drivers_case[drv], drivers_case["q_overall"]).statistic
        assert d.loc[drv, "importance"] == pytest.approx(ref, abs=1e-12)
    assert not driver_analysis(drivers_case)["reliable"].any()  # 10 < 30


def test_driver_by_group_and_bad_input(drivers_case):
    two = pd.concat([drivers_case.assign(queue_id="a"), drivers_case.assign(queue_id="b")],
                    ignore_index=True)
    out = driver_analysis(two, "queue_id")
    assert out["queue_id"].tolist() == ["a"] * 4 + ["b"] * 4
    assert out["quadrant"].tolist()[:4] == out["quadrant"].tolist()[4:]
    with pytest.raises(ParameterError, match="drivers"):
        driver_analysis(drivers_case, drivers=["q_overall"])
    with pytest.raises(SchemaError, match="q_speed must be an integer in 1..5"):
        driver_analysis(drivers_case.assign(q_speed=[0] + [3] * 9))
    with pytest.raises(SchemaError, match="site"):
        driver_analysis(drivers_case, "site")


# --------------------------------------------------------------------------------------------
# Dissatisfaction Pareto
# --------------------------------------------------------------------------------------------


def test_dissat_pareto_by_hand():
    sv = pd.DataFrame({
        "queue_id": ["a", "a", "a", "a", "b", "b"],
        "dissat_reasons": ["long_wait|unresolved", "long_wait", "wrong_answer|long_wait",
                           None, "bad_attitude", "bad_attitude|long_wait|long_wait"],
    })
    out = dissat_pareto(sv)
    # mentions (a repeated code counts once per response): long_wait 4, bad_attitude 2,
    # unresolved 1, wrong_answer 1 → 8; 5 responses name a reason
    assert out["reason"].tolist() == ["long_wait", "bad_attitude", "unresolved", "wrong_answer"]
    assert out["mentions"].tolist() == [4, 2, 1, 1]
    assert out["cum_share"].tolist() == pytest.approx([0.5, 0.75, 0.875, 1.0])
    assert out["share_of_responses"].iloc[0] == pytest.approx(4 / 5)
    # vital few up to 80 %: 0.5, 0.75, then 0.875 crosses the line (included), wrong_answer not
    assert out["vital_few"].tolist() == [True, True, True, False]
    g = dissat_pareto(sv, "queue_id")
    a = g[g.queue_id == "a"]
    assert a["reason"].tolist() == ["long_wait", "unresolved", "wrong_answer"]
    assert a["share"].tolist() == pytest.approx([3 / 5, 1 / 5, 1 / 5])
    assert g[g.queue_id == "b"]["mentions"].tolist() == [2, 1]
    assert dissat_pareto(sv.assign(dissat_reasons=None)).empty
    with pytest.raises(SchemaError, match="dissat_reasons"):
        dissat_pareto(sv.drop(columns="dissat_reasons"))


# --------------------------------------------------------------------------------------------
# Charts and the demo center
# --------------------------------------------------------------------------------------------


def test_charts(two_agents, drivers_case):
    spec = satisfaction_chart(satisfaction(two_agents, "agent_id")).to_dict()
    assert "CSAT" in spec["title"] and "满意率" in spec["title"]
    spec = satisfaction_chart(satisfaction(two_agents, freq="W"), metric="nps").to_dict()
    assert "NPS" in spec["title"]
    spec = driver_chart(driver_analysis(drivers_case)).to_dict()
    assert "重要性" in spec["title"]
    p = dissat_pareto(pd.DataFrame({"dissat_reasons": ["long_wait|unresolved", "long_wait"]}))
    spec = pareto_chart(p, title_zh="投诉根因", title_en="Root causes").to_dict()
    assert spec["title"] == "投诉根因 Root causes (Pareto)" and len(spec["layer"]) == 2
    with pytest.raises(ParameterError):
        satisfaction_chart(satisfaction(two_agents), metric="aht")


@pytest.fixture(scope="module")
def demo():
    from ccomkit.demo import generate

    return generate(seats=40, years=1)


def test_demo_smoke(demo):
    sv = demo["csat_response"]
    before = sv.copy()
    agents = satisfaction(sv, "agent_id", freq="M")
    pd.testing.assert_frame_equal(sv, before)
    ok = agents["n"] > 0
    assert (agents.loc[ok, "csat_lo"] <= agents.loc[ok, "csat"]).all()
    assert (agents.loc[ok, "csat"] <= agents.loc[ok, "csat_hi"]).all()
    assert agents["n"].sum() == sv["q_overall"].notna().sum()
    assert agents["publishable"].any() and not agents["publishable"].all()
    total = satisfaction(sv)
    k = compute(sv, "csat")
    assert total["csat"].item() == pytest.approx(k["value"].item())
    ch = period_changes(sv, "queue_id", freq="W")
    assert set(ch["label"]) <= {"significant increase", "significant decrease",
                                "not significant", "insufficient data"}
    assert (ch["significant"] == (ch["p_value"] < 0.05)).all()
    drv = driver_analysis(sv)
    assert len(drv) == 4 and drv["reliable"].all()
    assert set(drv["quadrant"]) <= {"fix_first", "keep_up", "low_priority", "possible_overkill"}
    assert dissat_pareto(sv)["cum_share"].iloc[-1] == pytest.approx(1.0)
    plan = survey_plan(demo["agent_interval"], "agent_id", freq="M")
    assert (plan["responses_needed"] <= plan["contacts"]).all()
    satisfaction_chart(satisfaction(sv, "queue_id")).to_dict()
    driver_chart(drv).to_dict()


# --------------------------------------------------------------------------------------------
# Common contract: no mutation, a missing column names itself, documented columns
# --------------------------------------------------------------------------------------------

CONTRACT = [
    (satisfaction, {"by": "agent_id"}, "q_overall",
     ["agent_id", "invitations", "responses", "response_rate", "n", "top2", "bottom2", "csat",
      "csat_lo", "csat_hi", "dsat", "dsat_lo", "dsat_hi", "mean_score", "n_nps", "promoters",
      "detractors", "nps", "nps_se", "nps_lo", "nps_hi", "publishable"]),
    (period_changes, {"freq": "D"}, "invited_at",
     ["metric", "prev_period", "period", "n_prev", "n", "value_prev", "value", "change",
      "change_lo", "change_hi", "se_change", "z", "p_value", "significant", "direction",
      "label", "label_zh", "test"]),
    (driver_analysis, {}, "q_speed",
     ["driver", "n", "importance", "p_value", "performance", "importance_rank", "quadrant",
      "quadrant_zh", "quadrant_en", "reliable"]),
    (dissat_pareto, {}, "dissat_reasons",
     ["reason", "mentions", "share", "cum_share", "responses_with_reason",
      "share_of_responses", "rank", "vital_few"]),
]


@pytest.fixture()
def full_survey(drivers_case) -> pd.DataFrame:
    sv = drivers_case.copy()
    sv["invited_at"] = pd.to_datetime(["2026-03-02"] * 5 + ["2026-03-03"] * 5)
    sv["agent_id"] = ["A1", "A2"] * 5
    sv["nps"] = [0, 3, 7, 9, 10] * 2
    sv["dissat_reasons"] = ["long_wait", "unresolved", None, None, None] * 2
    return sv


@pytest.mark.parametrize("fn,kw,col,columns", CONTRACT, ids=lambda x: getattr(x, "__name__", ""))
def test_common_contract(full_survey, fn, kw, col, columns):
    before = full_survey.copy()
    out = fn(full_survey, **kw)
    pd.testing.assert_frame_equal(full_survey, before)
    assert list(out.columns) == columns
    with pytest.raises(SchemaError, match=col) as e:
        fn(full_survey.drop(columns=col), **kw)
    assert e.value.column == col
