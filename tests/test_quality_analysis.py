"""The four analyses: root cause, correlation, trend, comparison. Hand-computed fixtures, and
control limits / tests of significance checked against direct formulas and scipy."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import pytest
from scipy import special, stats

from ccomkit.demo import generate
from ccomkit.errors import ParameterError, SchemaError
from ccomkit.quality import analysis as A
from ccomkit.quality.qa import latest_evaluations


@pytest.fixture(scope="module")
def demo() -> dict[str, pd.DataFrame]:
    return generate(seats=40, years=1)


# ---- helpers -------------------------------------------------------------------------------

def test_adjust_pvalues_against_scipy_and_hand() -> None:
    p = np.array([0.01, 0.04, 0.03, 0.2, np.nan])
    bh = A.adjust_pvalues(p, "bh")
    assert np.allclose(bh[:4], stats.false_discovery_control(p[:4], method="bh"))
    assert np.isnan(bh[4])
    # Holm: sorted 0.01, 0.03, 0.04, 0.2 × 4, 3, 2, 1 = 0.04, 0.09, 0.08→0.09 (monotone), 0.2
    assert np.allclose(A.adjust_pvalues(p, "holm")[:4], [0.04, 0.09, 0.09, 0.2])
    with pytest.raises(ParameterError):
        A.adjust_pvalues(p, "bonferroni")  # type: ignore[arg-type]


# ---- root cause ----------------------------------------------------------------------------

def _items_fixture() -> tuple[pd.DataFrame, pd.DataFrame]:
    ev = pd.DataFrame({"eval_id": ["E1", "E2", "E3", "E4"], "team_id": ["T1", "T1", "T2", "T2"],
                       "fatal_flag": [False, False, True, False],
                       "fatal_type": [None, None, "business", None],
                       "is_calibration": [False, False, False, True]})
    it = pd.DataFrame({
        "eval_id": ["E1", "E1", "E2", "E2", "E3", "E3", "E4"],
        "item_code": ["A1_tone", "C1_correct_information", "A1_tone", "L1_greeting_closing",
                      "C1_correct_information", "F2_business_loss_wrong_operation", "A1_tone"],
        "deducted_points": [7.0, 10.0, 3.0, 0.0, 5.0, 100.0, 7.0]})
    return ev, it


def test_deduction_pareto_hand_computed() -> None:
    ev, it = _items_fixture()
    out = A.deduction_pareto(it, ev)
    # E4 is calibration (left out), the fatal row is left out.
    # C1: 10 + 5 = 15 points, 2 deductions; A1: 7 + 3 = 10, 2; L1: 0, 0 → total 25
    assert out.code.tolist() == ["C1_correct_information", "A1_tone", "L1_greeting_closing"]
    assert out.points.tolist() == [15.0, 10.0, 0.0]
    assert out.n_deductions.tolist() == [2, 2, 0]
    assert np.allclose(out.share, [0.6, 0.4, 0.0])
    assert np.allclose(out.cum_share, [0.6, 1.0, 1.0])
    # vital few: share before < 0.8 and points > 0 → C1 (0), A1 (0.6); L1 has no points
    assert out.vital_few.tolist() == [True, True, False]
    assert out.section.tolist() == ["accuracy", "attitude", "language"]


def test_deduction_pareto_drill_down() -> None:
    ev, it = _items_fixture()
    out = A.deduction_pareto(it, ev, by="team_id")
    t1 = out[out.team_id == "T1"]
    # T1: A1 7 + 3 = 10, C1 10, L1 0 → tie broken by code: A1 before C1
    assert t1.code.tolist() == ["A1_tone", "C1_correct_information", "L1_greeting_closing"]
    assert np.allclose(t1.share, [0.5, 0.5, 0.0])
    t2 = out[out.team_id == "T2"]
    assert t2.code.tolist() == ["C1_correct_information"] and t2.cum_share.iloc[0] == 1.0
    with pytest.raises(ParameterError, match="evaluations"):
        A.deduction_pareto(it, by="team_id")
    with pytest.raises(ParameterError, match="vital_share"):
        A.deduction_pareto(it, vital_share=0)


def test_fatal_pareto_hand_computed() -> None:
    ev, _ = _items_fixture()
    out = A.fatal_pareto(ev, by="team_id")
    # only T2 has a fatal error: 1 of its 1 regular evaluation (E4 is calibration)
    assert out.team_id.tolist() == ["T2"] and out.n_fatal.tolist() == [1]
    assert out.fatal_rate.tolist() == [1.0] and out.label_en.tolist() == ["business-critical"]


def test_pareto_chart_is_altair() -> None:
    ev, it = _items_fixture()
    ch = A.pareto_chart(A.deduction_pareto(it, ev))
    assert isinstance(ch, alt.LayerChart)
    assert "Pareto" in ch.to_dict()["title"] and "帕累托" in ch.to_dict()["title"]
    assert isinstance(A.pareto_chart(A.fatal_pareto(ev), measure="n_fatal"), alt.LayerChart)


# ---- correlation ---------------------------------------------------------------------------

def test_agent_month_panel_hand_computed() -> None:
    ev = pd.DataFrame({"eval_id": ["E1", "E2", "E3"], "agent_id": ["A", "A", "B"],
                       "eval_date": pd.to_datetime(["2026-03-02", "2026-03-20", "2026-03-05"]),
                       "total_score": [93.0, 100.0, 85.0]})
    it = pd.DataFrame({"eval_id": ["E1", "E1", "E2", "E3"],
                       "item_code": ["A1_tone", "L2_staff_id", "A1_tone", "C1_correct_information"],
                       "deducted_points": [4.0, 3.0, 0.0, 15.0]})
    csat = pd.DataFrame({"agent_id": ["A", "A", "A", "B", None],
                         "invited_at": pd.to_datetime(["2026-03-03"] * 5),
                         "q_overall": pd.array([5, 3, None, 4, 5], dtype="Int64"),
                         "fcr_yes": pd.array([True, False, None, True, True], dtype="boolean")})
    ai = pd.DataFrame({"agent_id": ["A", "A", "B"],
                       "interval_start": pd.to_datetime(["2026-03-03 09:00"] * 3),
                       "talk_s": [600.0, 300.0, 0.0], "hold_s": [60.0, 0.0, 0.0],
                       "acw_s": [240.0, 0.0, 0.0], "handled": [3, 1, 0]})
    ag = pd.DataFrame({"agent_id": ["A", "B"], "hire_date": pd.to_datetime(["2026-01-01",
                                                                             "2025-03-01"])})
    p = A.agent_month_panel(ev, it, csat=csat, agent_interval=ai, agent_dim=ag).set_index("agent_id")
    # A: 2 evaluations, mean (93 + 100)/2 = 96.5; A1 (4 + 0)/2 = 2, L2 3/2 = 1.5
    assert p.loc["A", "mean_score"] == 96.5 and p.loc["A", "ded_A1_tone"] == 2.0
    assert p.loc["A", "ded_L2_staff_id"] == 1.5 and p.loc["A", "ded_C1_correct_information"] == 0
    # CSAT A: responses 5, 3 (the empty one is no response) → top-2-box 1/2; FCR 1 of 2
    assert p.loc["A", "n_csat"] == 2 and p.loc["A", "csat"] == 0.5 and p.loc["A", "fcr"] == 0.5
    # AHT A: (600 + 60 + 240 + 300) / (3 + 1) = 300 s; B handled nothing → NaN
    assert p.loc["A", "aht_s"] == 300.0 and np.isnan(p.loc["B", "aht_s"])
    # tenure at 2026-03-01: A 59 days, B 365
    assert p.loc["A", "tenure_days"] == 59 and p.loc["B", "tenure_days"] == 365


def test_qa_correlation_agrees_with_scipy() -> None:
    rng = np.random.default_rng(1)
    n = 40
    x = rng.integers(0, 8, n).astype(float)
    panel = pd.DataFrame({"ded_A1_tone": x, "ded_S1_probing": rng.random(n),
                          "csat": 0.9 - 0.03 * x + rng.normal(0, 0.05, n),
                          "aht_s": 300 + 10 * x + rng.normal(0, 20, n)})
    panel.loc[3, "csat"] = np.nan
    out = A.qa_correlation(panel)
    assert set(out.outcome) == {"csat", "aht_s"}
    row = out[(out.item_code == "A1_tone") & (out.outcome == "csat")].iloc[0]
    ok = panel.csat.notna()
    ref = stats.spearmanr(panel.ded_A1_tone[ok], panel.csat[ok])
    assert row.n == n - 1
    assert row.rho == pytest.approx(ref.statistic) and row.p_value == pytest.approx(ref.pvalue)
    sub = out[out.outcome == "csat"]
    assert np.allclose(sub.p_adj, stats.false_discovery_control(sub.p_value, method="bh"))
    kd = A.key_drivers(panel, "aht_s")
    # for AHT (lower is better) a positive rho hurts
    assert kd.iloc[0].item_code == "A1_tone" and kd.iloc[0].direction == "hurts"
    assert kd.iloc[0]["rank"] == 1 and np.isfinite(kd.beta).all()
    with pytest.raises(SchemaError, match="nps"):
        A.qa_correlation(panel, ["nps"])


def test_correlation_too_few_rows_is_nan() -> None:
    panel = pd.DataFrame({"ded_A1_tone": [1.0, 2.0], "csat": [0.8, 0.9]})
    out = A.qa_correlation(panel)
    assert out.n.tolist() == [2] and np.isnan(out.rho[0]) and not out.significant[0]
    assert isinstance(A.correlation_chart(out), alt.LayerChart)


# ---- trend ---------------------------------------------------------------------------------

def _weekly(scores_by_week: list[list[float]]) -> pd.DataFrame:
    days, sc = [], []
    for w, scores in enumerate(scores_by_week):
        days += [pd.Timestamp("2026-03-02") + pd.Timedelta(weeks=w)] * len(scores)
        sc += scores
    return pd.DataFrame({"eval_date": days, "total_score": sc, "fatal_flag": [False] * len(sc)})


def test_p_chart_limits_direct_formula() -> None:
    rng = np.random.default_rng(7)
    weeks = [list(rng.choice([60.0, 90.0], size=n, p=[0.15, 0.85])) for n in (12, 30, 7, 25, 40)]
    ev = _weekly(weeks)
    out = A.p_chart(ev, "W", pass_mark=80)
    n = np.array([len(w) for w in weeks])
    x = np.array([sum(s >= 80 for s in w) for w in weeks])
    pbar = x.sum() / n.sum()
    sig = np.sqrt(pbar * (1 - pbar) / n)
    assert out.n.tolist() == n.tolist() and out.n_pass.tolist() == x.tolist()
    assert np.allclose(out.center, pbar)
    assert np.allclose(out.ucl, np.minimum(pbar + 3 * sig, 1))
    assert np.allclose(out.lcl, np.maximum(pbar - 3 * sig, 0))
    assert np.allclose(out.z, (x / n - pbar) / sig)
    assert pd.Timestamp(out.period[0]).day_name() == "Monday"


def test_xbar_s_chart_direct_formula() -> None:
    rng = np.random.default_rng(3)
    weeks = [list(rng.normal(85, 6, n).round()) for n in (5, 8, 3, 10, 6)]
    out = A.xbar_s_chart(_weekly(weeks), "W")
    n = np.array([len(w) for w in weeks], dtype=float)
    m = np.array([np.mean(w) for w in weeks])
    s = np.array([np.std(w, ddof=1) for w in weeks])
    xbb = (n * m).sum() / n.sum()
    sp = np.sqrt(((n - 1) * s ** 2).sum() / (n - 1).sum())

    def c4(k: float) -> float:  # c4(k) = √(2/(k−1))·Γ(k/2)/Γ((k−1)/2)
        return float(np.sqrt(2 / (k - 1)) * special.gamma(k / 2) / special.gamma((k - 1) / 2))

    sig = sp / c4((n - 1).sum() + 1)
    assert np.allclose(out["mean"], m) and np.allclose(out.sd, s)
    assert np.allclose(out.center, xbb) and np.allclose(out.sigma_hat, sig)
    assert np.allclose(out.ucl, xbb + 3 * sig / np.sqrt(n))
    c4n = np.array([c4(k) for k in n])
    assert np.allclose(out.s_center, c4n * sig)
    assert np.allclose(out.s_ucl, sig * (c4n + 3 * np.sqrt(1 - c4n ** 2)))
    assert np.allclose(out.s_lcl, np.maximum(sig * (c4n - 3 * np.sqrt(1 - c4n ** 2)), 0))


def test_western_electric_each_rule() -> None:
    we = A.western_electric
    # rule 1 only on |z| > 3, either side
    assert np.flatnonzero(we(np.array([0, 3.1, 0, -3.5, 2.9]))["rule_1"]).tolist() == [1, 3]
    # rule 2: 2 of 3 beyond 2σ same side; mixed sides do not count
    assert np.flatnonzero(we(np.array([2.5, 0, 2.2, 0, -2.1, 2.1, 0]))["rule_2"]).tolist() == [2]
    # rule 3: 4 of 5 beyond 1σ, below the centre
    z3 = np.array([-1.5, -1.2, 0.0, -1.1, -1.3, 0.5])
    assert np.flatnonzero(we(z3)["rule_3"]).tolist() == [4]
    # rule 4: 8 in a row on one side, flagged from the 8th; a NaN never flags
    z4 = np.r_[np.full(9, 0.1), np.nan]
    assert np.flatnonzero(we(z4)["rule_4"]).tolist() == [7, 8]
    assert not we(np.array([np.nan, 5.0]))["rule_1"][0]


def test_trend_flags_shift_and_variance_kpi() -> None:
    # 10 stable weeks (mean 85) then a drop (mean 60). Both have deviations −10, 0, 10, −5, 5:
    # SS 250, sd √62.5 = 7.906. x̿ = (10·85 + 60)/11 = 82.73; σ̂ ≈ 7.906/c4(45) = 7.95,
    # σ̂/√5 = 3.56 → stable weeks z = +0.64, the drop z = −6.4 (rule 1); ten stable weeks above
    # the centre in a row break rule 4 from the 8th on.
    weeks = [[75.0, 85, 95, 80, 90]] * 10 + [[50.0, 60, 70, 55, 65]]
    out = A.xbar_s_chart(_weekly(weeks))
    assert out.rule_1.tolist() == [False] * 10 + [True]
    assert np.flatnonzero(out.rule_4).tolist() == [7, 8, 9]
    assert not out.s_out.any()
    v = A.score_variance(_weekly(weeks), freq="W")
    assert np.allclose(v.sd_score, np.sqrt(62.5)) and np.allclose(v.sd_change.iloc[1:], 0)
    assert isinstance(A.control_chart(out), alt.LayerChart)
    assert isinstance(A.control_chart(A.p_chart(_weekly(weeks))), alt.LayerChart)
    with pytest.raises(ParameterError, match="freq"):
        A.p_chart(_weekly(weeks), "Q")


# ---- comparison ----------------------------------------------------------------------------

def test_compare_groups_agrees_with_scipy() -> None:
    rng = np.random.default_rng(11)
    sizes = {"T1": 30, "T2": 25, "T3": 12}
    means = {"T1": 88, "T2": 82, "T3": 85}
    frames = [pd.DataFrame({"team_id": t, "total_score": rng.normal(means[t], 6, n).round()})
              for t, n in sizes.items()]
    ev = pd.concat(frames, ignore_index=True).assign(fatal_flag=False)
    res = A.compare_groups(ev, "team_id", target=85, correction="holm")
    g = res.groups.set_index("team_id")
    x = ev.total_score.to_numpy()
    for t in sizes:
        a, b = x[ev.team_id == t], x[ev.team_id != t]
        assert g.loc[t, "p_welch_vs_rest"] == pytest.approx(
            stats.ttest_ind(a, b, equal_var=False).pvalue)
        assert g.loc[t, "p_mwu_vs_rest"] == pytest.approx(
            stats.mannwhitneyu(a, b, method="asymptotic", use_continuity=True).pvalue)
        assert g.loc[t, "p_vs_target"] == pytest.approx(stats.ttest_1samp(a, 85).pvalue)
        assert g.loc[t, "gap_to_target"] == pytest.approx(a.mean() - 85)
        assert g.loc[t, "gap_to_benchmark"] == pytest.approx(a.mean() - x.mean())
        lo, hi = stats.t.interval(0.95, len(a) - 1, loc=a.mean(), scale=stats.sem(a))
        assert g.loc[t, "ci_low"] == pytest.approx(lo) and g.loc[t, "ci_high"] == pytest.approx(hi)
    assert np.allclose(res.groups.p_welch_vs_rest_adj,
                       A.adjust_pvalues(res.groups.p_welch_vs_rest.to_numpy(), "holm"))
    om = res.omnibus.set_index("test")
    groups = [x[ev.team_id == t] for t in sorted(sizes)]
    assert om.loc["anova", "p_value"] == pytest.approx(stats.f_oneway(*groups).pvalue)
    assert om.loc["kruskal", "statistic"] == pytest.approx(stats.kruskal(*groups).statistic)
    assert om.loc["anova", "k_groups"] == 3 and om.loc["anova", "n"] == 67


def test_compare_groups_verdict_and_benchmark() -> None:
    ev = pd.DataFrame({"team_id": ["T1"] * 6 + ["T2"] * 6,
                       "total_score": [95.0, 96, 94, 95, 97, 93, 70, 72, 71, 69, 73, 70],
                       "fatal_flag": [False] * 12})
    res = A.compare_groups(ev, "team_id", target=None, benchmark=80, correction="bh")
    g = res.groups.set_index("team_id")
    # T1 mean 95, T2 mean 70.833: benchmark 80 → gaps +15 and −9.167
    assert g.loc["T1", "gap_to_benchmark"] == 15.0
    assert g.loc["T2", "gap_to_benchmark"] == pytest.approx(-9.1667, abs=1e-4)
    assert g.verdict.tolist() == ["above", "below"] and g.p_vs_target.isna().all()
    assert isinstance(A.comparison_chart(res.groups, "team_id", target=85, benchmark=80),
                      alt.LayerChart)
    with pytest.raises(ParameterError, match="by"):
        A.compare_groups(ev, [])


# ---- the whole analysis on the demo --------------------------------------------------------

def test_full_analysis_on_demo(demo: dict[str, pd.DataFrame]) -> None:
    ev0 = demo["qa_evaluation"].copy()
    ctx = A.qa_context(latest_evaluations(demo["qa_evaluation"]), demo["agent_dim"],
                       demo["schedule"])
    pd.testing.assert_frame_equal(demo["qa_evaluation"], ev0)
    assert ctx[["team_id", "tenure_band", "shift_code"]].notna().all().all()
    items = demo["qa_item"]
    par = A.deduction_pareto(items, ctx)
    assert par.vital_few.any() and par.cum_share.iloc[-1] == pytest.approx(1.0)
    for by in ("team_id", "queue_id", "tenure_band", "evaluator_id"):
        d = A.deduction_pareto(items, ctx, by=by)
        assert np.allclose(d.groupby(by).share.sum(), 1.0)
    assert A.fatal_pareto(ctx).n_fatal.sum() == int(ctx.loc[~ctx.is_calibration.astype(bool),
                                                            "fatal_flag"].sum())
    panel = A.agent_month_panel(ctx, items, csat=demo["csat_response"],
                                agent_interval=demo["agent_interval"], agent_dim=demo["agent_dim"])
    corr = A.qa_correlation(panel)
    assert set(corr.outcome) == {"csat", "fcr", "aht_s", "tenure_days"}
    assert corr.significant.any()
    assert len(A.key_drivers(panel, "csat")) == 13
    pc = A.p_chart(ctx, "W")
    assert ((pc.p >= 0) & (pc.p <= 1)).all() and (pc.n > 0).all()
    xs = A.xbar_s_chart(ctx, "W")
    assert ((xs.lcl < xs.center) & (xs.center < xs.ucl)).all()
    assert len(A.score_variance(ctx, by="team_id")) > 0
    for by in ("team_id", "agent_id", "evaluator_id", "shift_code", "tenure_band"):
        res = A.compare_groups(ctx, by, target=85)
        assert res.groups.n.sum() == res.omnibus.n.iloc[0]
    # the demo's first evaluator is lenient and the second harsh: evaluators differ
    ev_cmp = A.compare_groups(ctx, "evaluator_id")
    assert ev_cmp.omnibus.p_value.max() < 0.01


def test_compare_groups_with_missing_group_values() -> None:
    # an evaluation without a shift (no schedule row) is left out of the shift comparison
    ev = pd.DataFrame({"shift_code": ["D1", "D1", None, "N1", "N1"],
                       "total_score": [90.0, 80, 50, 70, 75], "fatal_flag": [False] * 5})
    res = A.compare_groups(ev, "shift_code")
    assert res.groups.shift_code.tolist() == ["D1", "N1"] and res.groups.n.tolist() == [2, 2]
    assert res.omnibus.n.iloc[0] == 4


def _contract_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    ev = pd.DataFrame({
        "eval_id": ["E1", "E2", "E3", "E4"], "call_id": ["C1", "C2", "C3", "C3"],
        "agent_id": ["A", "A", "B", "B"], "evaluator_id": ["Q1", "Q2", "Q1", "Q2"],
        "team_id": ["T1", "T1", "T2", "T2"],
        "eval_date": pd.to_datetime(["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-04"]),
        "total_score": [90.0, 80.0, 70.0, 75.0], "fatal_flag": [False] * 4,
        "fatal_type": [None] * 4, "is_calibration": [False, False, True, True],
        "calibration_session_id": [None, None, "S1", "S1"]})
    it = pd.DataFrame({"eval_id": ["E1", "E2", "E3", "E4"], "item_code": ["A1_tone"] * 4,
                       "deducted_points": [7.0, 3.0, 0.0, 5.0]})
    return ev, it


_CALLS = {
    "deduction_pareto": lambda ev, it: A.deduction_pareto(it, ev, by="team_id"),
    "fatal_pareto": lambda ev, it: A.fatal_pareto(ev, by="team_id"),
    "agent_month_panel": lambda ev, it: A.agent_month_panel(ev, it),
    "p_chart": lambda ev, it: A.p_chart(ev),
    "xbar_s_chart": lambda ev, it: A.xbar_s_chart(ev),
    "score_variance": lambda ev, it: A.score_variance(ev, by="team_id"),
    "compare_groups": lambda ev, it: A.compare_groups(ev, "team_id").groups,
    "qa_context": lambda ev, it: A.qa_context(ev),
}


@pytest.mark.parametrize("name", sorted(_CALLS))
def test_common_contract(name: str) -> None:
    ev, it = _contract_frames()
    ev0, it0 = ev.copy(), it.copy()
    out = _CALLS[name](ev, it)
    assert isinstance(out, pd.DataFrame) and out is not ev and out is not it
    pd.testing.assert_frame_equal(ev, ev0)
    pd.testing.assert_frame_equal(it, it0)
    need = "eval_date" if name in ("p_chart", "xbar_s_chart", "score_variance", "qa_context",
                                   "agent_month_panel") else "fatal_flag" if name != \
        "deduction_pareto" else "team_id"
    with pytest.raises(SchemaError) as ei:
        _CALLS[name](ev.drop(columns=need), it)
    assert ei.value.column == need
