"""Tests of ccomkit.performance.drivers: driver tree, exact and statistical decompositions."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from ccomkit.errors import ParameterError, SchemaError
from ccomkit.performance.drivers import (
    DRIVER_TREE,
    contribution_chart,
    csat_drivers,
    csat_fcr_mix,
    decompose_staffing,
    driver_tree,
    lmdi,
    regression_attribution,
    shapley,
    sl_drivers,
    staffing_identity,
)


def test_driver_tree_is_data_and_honest() -> None:
    t = driver_tree()
    assert list(t.columns) == ["result", "driver", "link", "relation", "note"]
    assert set(t.link) == {"identity", "statistical"}
    # service level's own links are statistical; the staffing ratio's are an identity
    assert set(t[t.result == "service_level"].link) == {"statistical"}
    assert set(t[t.result == "staffing_ratio"].link) == {"identity"}
    assert {"fcr", "qa_score", "asa_s"} <= set(t[t.result == "csat"].driver)
    t.loc[0, "note"] = "changed"
    assert DRIVER_TREE.loc[0, "note"] != "changed"   # a copy


# --------------------------------------------------------------------------------------------
# Exact kernels
# --------------------------------------------------------------------------------------------


def test_shapley_three_factor_product_by_hand() -> None:
    # y = a·b·c from (1, 2, 3) → (2, 3, 4): Δy = 24 − 6 = 18. With 3 factors the Shapley
    # weights are 1/3 (switch first), 1/6 + 1/6 (second), 1/3 (last):
    # a: 1 × [⅓·2·3 + ⅙(3·3 + 2·4) + ⅓·3·4] = 2 + 17/6 + 4 = 8.8333
    # b: 1 × [⅓·1·3 + ⅙(2·3 + 1·4) + ⅓·2·4] = 1 + 10/6 + 8/3 = 5.3333
    # c: 1 × [⅓·1·2 + ⅙(2·2 + 1·3) + ⅓·2·3] = 2/3 + 7/6 + 2 = 3.8333
    out = shapley(lambda f: f["a"] * f["b"] * f["c"], {"a": 1, "b": 2, "c": 3},
                  {"a": 2, "b": 3, "c": 4})
    assert out.contribution.round(4).tolist() == [8.8333, 5.3333, 3.8333]
    assert out.contribution.sum() == pytest.approx(18.0)


def test_shapley_additive_is_plain_differences() -> None:
    out = shapley(lambda f: f["x"] + 2 * f["y"], {"x": 1, "y": 1}, {"x": 4, "y": 0})
    assert out.contribution.tolist() == [3.0, -2.0]


def test_lmdi_exact_and_errors() -> None:
    # y = a·b / c: (2·3/4 = 1.5) → (3·3/2 = 4.5), Δ = 3; b unchanged → 0
    out = lmdi({"a": 2, "b": 3, "c": 4}, {"a": 3, "b": 3, "c": 2}, {"a": 1, "b": 1, "c": -1})
    L = (4.5 - 1.5) / math.log(4.5 / 1.5)
    assert out.contribution.tolist() == pytest.approx([L * math.log(1.5), 0.0, L * math.log(2)])
    assert out.contribution.sum() == pytest.approx(3.0)
    # no change at all: L(a, a) = a, contributions 0
    same = lmdi({"a": 2}, {"a": 2}, {"a": 1})
    assert same.contribution.tolist() == [0.0]
    with pytest.raises(ParameterError, match="positive"):
        lmdi({"a": 0}, {"a": 2}, {"a": 1})
    with pytest.raises(ParameterError, match="exponents"):
        lmdi({"a": 1}, {"a": 2}, {"b": 1})
    with pytest.raises(ParameterError, match="comparison"):
        shapley(lambda f: 0.0, {"a": 1}, {"b": 2})


# --------------------------------------------------------------------------------------------
# Staffing identity
# --------------------------------------------------------------------------------------------


def _two_months() -> tuple[pd.DataFrame, pd.DataFrame]:
    ts = pd.to_datetime(["2026-03-02 09:00", "2026-04-06 09:00"])
    ai = pd.DataFrame({"agent_id": ["a", "a"], "interval_start": ts,
                       "login_s": [7200.0, 7200.0], "ready_idle_s": [0.0, 0.0],
                       "talk_s": [6480.0, 5760.0], "hold_s": [0.0, 0.0], "acw_s": [0.0, 0.0],
                       "aux_break_s": [720.0, 1440.0], "handled": [40, 40]})
    acd = pd.DataFrame({"interval_start": ts, "answered": [40, 38], "abandoned": [0, 2],
                        "handled": [40, 38], "sum_talk_s": [12000.0, 12540.0]})
    return ai, acd


def test_decompose_staffing_by_hand() -> None:
    ai, acd = _two_months()
    # March: availability 1 − 720/7200 = 0.9, offered 40, AHT 12000/40 = 300
    #        R0 = 7200 × 0.9 / (40 × 300) = 0.54
    # April: availability 1 − 1440/7200 = 0.8, offered 38 + 2 = 40, AHT 12540/38 = 330
    #        R1 = 7200 × 0.8 / (40 × 330) = 5760 / 13200 = 0.436364; ΔR = −0.103636
    f = staffing_identity(ai.assign(m=[0, 1]), acd.assign(m=[0, 1]), by="m")
    assert f.staffing_ratio.round(6).tolist() == [0.54, 0.436364]
    out = decompose_staffing(ai, acd, "2026-03", "2026-04").set_index("driver")
    r0, r1 = 0.54, 5760 / 13200
    L = (r1 - r0) / math.log(r1 / r0)
    assert out.loc["total", "contribution"] == pytest.approx(r1 - r0)
    assert out.loc["availability", "contribution"] == pytest.approx(L * math.log(0.8 / 0.9))
    assert out.loc["aht_s", "contribution"] == pytest.approx(-L * math.log(330 / 300))
    assert out.loc["login_s", "contribution"] == 0.0 and out.loc["offered", "contribution"] == 0
    assert out.drop("total").contribution.sum() == pytest.approx(r1 - r0, abs=1e-15)
    assert set(out.link) == {"identity"}
    # Shapley: availability ½[(0.8 − 0.9)·7200/12000 + (0.8 − 0.9)·7200/13200]
    #        = ½(−0.06 − 0.054545) = −0.057273
    #   AHT ½[(7200·0.9 + 7200·0.8)/40 · (1/330 − 1/300)] = ½·306·(−1/3300) = −0.046364
    sh = decompose_staffing(ai, acd, "2026-03", "2026-04", method="shapley").set_index("driver")
    assert sh.loc["availability", "contribution"] == pytest.approx(-0.0572727, abs=1e-6)
    assert sh.loc["aht_s", "contribution"] == pytest.approx(-0.0463636, abs=1e-6)
    assert sh.loc["total", "share"] == 1.0


def test_decompose_staffing_errors() -> None:
    ai, acd = _two_months()
    with pytest.raises(ParameterError, match="method"):
        decompose_staffing(ai, acd, "2026-03", "2026-04", method="ols")
    with pytest.raises(SchemaError, match="both months"):
        decompose_staffing(ai, acd, "2026-03", "2026-05")
    with pytest.raises(ParameterError, match="base"):
        decompose_staffing(ai, acd, "not a month", "2026-04")
    with pytest.raises(SchemaError, match="login_s"):
        decompose_staffing(ai.drop(columns="login_s"), acd, "2026-03", "2026-04")


# --------------------------------------------------------------------------------------------
# CSAT mix identity
# --------------------------------------------------------------------------------------------


def test_csat_fcr_mix_by_hand_with_unknown_segment() -> None:
    cs = pd.DataFrame({
        "invited_at": pd.to_datetime(["2026-03-05"] * 10 + ["2026-04-05"] * 10),
        # March: 5 yes (4 satisfied), 5 no (1); April: 6 yes (6), 2 no (0), 2 unknown (1)
        "q_overall": [5, 5, 4, 4, 2] + [5, 1, 1, 2, 2] + [5] * 6 + [1, 2] + [4, 3],
        "fcr_yes": [True] * 5 + [False] * 5 + [True] * 6 + [False] * 2 + [None] * 2})
    out = csat_fcr_mix(cs, "2026-03", "2026-04")
    # CSAT0 = 5/10 = 0.5, CSAT1 = 7/10 = 0.7
    tot = out[out.driver == "total"].iloc[0]
    assert (tot.base, tot.comparison) == pytest.approx((0.5, 0.7))
    c = out.set_index(["driver", "segment"])["contribution"]
    # mix yes: (0.6 − 0.5)(0.8 + 1.0)/2 = 0.09; no: (0.2 − 0.5)(0.2 + 0)/2 = −0.03;
    # unknown: empty in March, CSAT taken as April's 0.5 → (0.2 − 0)(0.5) = 0.1
    assert c[("fcr_mix", "yes")] == pytest.approx(0.09)
    assert c[("fcr_mix", "no")] == pytest.approx(-0.03)
    assert c[("fcr_mix", "unknown")] == pytest.approx(0.1)
    # rate yes: (1.0 − 0.8)(0.5 + 0.6)/2 = 0.11; no: (0 − 0.2)(0.5 + 0.2)/2 = −0.07; unknown 0
    assert c[("csat_within_fcr", "yes")] == pytest.approx(0.11)
    assert c[("csat_within_fcr", "no")] == pytest.approx(-0.07)
    assert c[("csat_within_fcr", "unknown")] == pytest.approx(0.0)
    assert c.drop(("total", "all")).sum() == pytest.approx(0.2)
    with pytest.raises(SchemaError, match="both months"):
        csat_fcr_mix(cs, "2026-03", "2026-06")


# --------------------------------------------------------------------------------------------
# Statistical attribution
# --------------------------------------------------------------------------------------------


def test_regression_attribution_by_hand() -> None:
    f = pd.DataFrame({"p": ["b", "b", "c", "c"], "x": [0.0, 1.0, 2.0, 3.0],
                      "y": [1.0, 2.0, 5.0, 4.0]})
    out = regression_attribution(f, "y", ["x"], period_col="p", base="b", comparison="c")
    o = out.set_index("driver")
    # x̄ = 1.5, ȳ = 3, Sxx = 5, Sxy = 6 → b = 1.2; Δx̄ = 2.5 − 0.5 = 2 → 2.4;
    # Δȳ = 4.5 − 1.5 = 3 → unexplained 0.6; Syy = 10 → R² = b·Sxy/Syy = 0.72
    assert o.loc["x", "coef"] == pytest.approx(1.2)
    assert o.loc["x", "contribution"] == pytest.approx(2.4)
    assert o.loc["unexplained", "contribution"] == pytest.approx(0.6)
    assert o.loc["total", "contribution"] == pytest.approx(3.0)
    assert o["r2"].iloc[0] == pytest.approx(0.72)
    assert set(out.link) == {"statistical"} and o["n"].iloc[0] == 4


def test_regression_attribution_weighted_means_are_period_kpis() -> None:
    rng = np.random.default_rng(7)
    n = 40
    f = pd.DataFrame({"p": ["b"] * 20 + ["c"] * 20, "x1": rng.normal(size=n),
                      "x2": rng.normal(size=n), "w": rng.integers(1, 50, size=n).astype(float)})
    f["y"] = 0.3 + 0.5 * f.x1 - 0.2 * f.x2 + rng.normal(scale=0.1, size=n)
    out = regression_attribution(f, "y", ["x1", "x2"], period_col="p", base="b",
                                 comparison="c", weight="w").set_index("driver")
    wm = lambda s, m: np.average(f.loc[m, s], weights=f.loc[m, "w"])  # noqa: E731
    b, c = f.p == "b", f.p == "c"
    assert out.loc["total", "base"] == pytest.approx(wm("y", b))
    assert out.loc["total", "contribution"] == pytest.approx(wm("y", c) - wm("y", b))
    assert out.drop("total").contribution.sum() == pytest.approx(out.loc["total",
                                                                         "contribution"])
    X = np.column_stack([np.ones(n), f[["x1", "x2"]]]) * np.sqrt(f.w.to_numpy())[:, None]
    coef = np.linalg.lstsq(X, f.y * np.sqrt(f.w), rcond=None)[0]
    assert out.loc[["x1", "x2"], "coef"].tolist() == pytest.approx(coef[1:].tolist())
    assert 0.8 < out["r2"].iloc[0] <= 1


def test_regression_attribution_errors() -> None:
    f = pd.DataFrame({"p": ["b", "c"], "x": [1.0, 2.0], "y": [1.0, 2.0]})
    with pytest.raises(ParameterError, match="complete rows"):
        regression_attribution(f, "y", ["x"], period_col="p", base="b", comparison="c")
    with pytest.raises(ParameterError, match="driver"):
        regression_attribution(f, "y", [], period_col="p", base="b", comparison="c")
    with pytest.raises(SchemaError, match="z"):
        regression_attribution(f, "y", ["z"], period_col="p", base="b", comparison="c")
    g = pd.DataFrame({"p": ["b"] * 4, "x": [1.0, 2, 3, 4], "y": [1.0, 2, 3, 5]})
    with pytest.raises(SchemaError, match="both periods"):
        regression_attribution(g, "y", ["x"], period_col="p", base="b", comparison="c")


# --------------------------------------------------------------------------------------------
# Demo center: SL and CSAT drivers, charts
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo() -> dict[str, pd.DataFrame]:
    from ccomkit.demo import generate

    return generate(seats=40, years=1)


@pytest.fixture(scope="module")
def months(demo) -> tuple[pd.Period, pd.Period]:
    last = pd.Timestamp(demo["acd_interval"].interval_start.max()).to_period("M") - 1
    return last - 1, last


def test_demo_sl_drivers_sum_and_identity_split(demo, months) -> None:
    out = sl_drivers(demo["acd_interval"], demo["agent_interval"], *months,
                     schedule=demo["schedule"])
    lvl1 = out[out.parent == ""].set_index("driver")
    lvl2 = out[out.parent == "ln_staffing_ratio"]
    assert list(lvl1.index) == ["ln_staffing_ratio", "adherence", "unexplained", "total"]
    assert lvl1.drop("total").contribution.sum() == pytest.approx(lvl1.loc["total",
                                                                            "contribution"])
    # ln R = Σ ±ln factor day by day, so the four identity rows add up to ln R's share exactly
    assert lvl2.contribution.sum() == pytest.approx(lvl1.loc["ln_staffing_ratio",
                                                               "contribution"])
    assert set(lvl2.link) == {"identity"} and set(lvl1.link) == {"statistical"}
    assert 0 <= lvl1.r2.iloc[0] <= 1 and lvl1.n.iloc[0] >= 28
    days = out.attrs["days"]
    # the weighted mean of daily SL is the period's SL (Σnum/Σden)
    from ccomkit.kpi import compute

    acd = demo["acd_interval"]
    m1 = acd[pd.to_datetime(acd.interval_start).dt.to_period("M") == months[1]]
    sl1 = compute(m1, "service_level", params={"own_thresholds": True}).value.iloc[0]
    assert lvl1.loc["total", "comparison"] == pytest.approx(sl1)
    assert len(days) == lvl1.n.iloc[0]
    assert type(contribution_chart(out)).__name__ == "Chart"


def test_demo_csat_drivers_and_mix(demo, months) -> None:
    out = csat_drivers(demo["csat_response"], *months, qa_evaluation=demo["qa_evaluation"],
                       acd_interval=demo["acd_interval"]).set_index("driver")
    assert list(out.index) == ["fcr", "qa_score", "asa_s", "unexplained", "total"]
    assert out.drop("total").contribution.sum() == pytest.approx(out.loc["total",
                                                                         "contribution"])
    mix = csat_fcr_mix(demo["csat_response"], *months)
    # the identity and the regression agree on the total change of CSAT
    assert mix.contribution.iloc[-1] == pytest.approx(out.loc["total", "contribution"])
    st = decompose_staffing(demo["agent_interval"], demo["acd_interval"], *months)
    assert st.contribution.iloc[:-1].sum() == pytest.approx(st.contribution.iloc[-1])
    spec = contribution_chart(mix, title="CSAT").to_dict()
    assert spec["mark"]["type"] == "bar"


def test_contribution_chart_needs_columns() -> None:
    with pytest.raises(SchemaError, match="contribution"):
        contribution_chart(pd.DataFrame({"driver": ["a"]}))


def test_functions_do_not_mutate_inputs() -> None:
    ai, acd = _two_months()
    cs = pd.DataFrame({"invited_at": pd.to_datetime(["2026-03-05", "2026-04-05"] * 2),
                       "q_overall": [5, 4, 2, 1], "fcr_yes": [True, True, False, None]})
    frames = [ai, acd, cs]
    before = [f.copy() for f in frames]
    decompose_staffing(ai, acd, "2026-03", "2026-04")
    staffing_identity(ai.assign(m=0), acd.assign(m=0), by="m")
    csat_fcr_mix(cs, "2026-03", "2026-04")
    for f, b in zip(frames, before):
        pd.testing.assert_frame_equal(f, b)
