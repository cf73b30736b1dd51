"""ccomkit.people.attrition: hand-computed KM, Greenwood, log-rank; scipy cross-checks; demo."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ccomkit.errors import ParameterError, SchemaError
from ccomkit.people import attrition as at

# Eight subjects (+ = censored): 2, 3+, 3, 5, 5, 6+, 8, 9+
T8 = [2, 3, 3, 5, 5, 6, 8, 9]
E8 = [True, False, True, True, True, False, True, False]


def _f8(group=None):
    f = pd.DataFrame({"tenure_days": T8, "left": E8})
    if group is not None:
        f["g"] = group
    return f


def test_km_hand_computation():
    km = at.kaplan_meier(_f8())
    # t=2: n=8,d=1 → S=7/8;  t=3: n=7 (3+ still at risk), d=1 → 7/8·6/7 = 3/4
    # t=5: n=5,d=2 → 3/4·3/5 = 9/20; t=8: n=2 (8, 9+), d=1 → 9/40
    np.testing.assert_array_equal(km["time"], [0, 2, 3, 5, 8])
    np.testing.assert_array_equal(km["n_at_risk"], [8, 8, 7, 5, 2])
    np.testing.assert_array_equal(km["n_events"], [0, 1, 1, 2, 1])
    s = np.array([1, 7 / 8, 3 / 4, 9 / 20, 9 / 40])
    np.testing.assert_allclose(km["survival"], s, rtol=0, atol=1e-12)
    # Greenwood Σ d/(n(n−d)): 1/56; +1/42; +2/15; +1/2
    gw = np.cumsum([0, 1 / 56, 1 / 42, 2 / 15, 1 / 2])
    np.testing.assert_allclose(km["se"], s * np.sqrt(gw), rtol=0, atol=1e-12)
    # linear CI = S ± 1.959964·SE clipped
    lin = at.kaplan_meier(_f8(), ci_method="linear")
    z = stats.norm.ppf(0.975)
    np.testing.assert_allclose(lin["ci_low"], np.clip(s - z * s * np.sqrt(gw), 0, 1), atol=1e-12)


@pytest.mark.parametrize("method", ["log-log", "linear"])
def test_km_against_scipy_ecdf(method):
    t, e = np.array(T8, float), np.array(E8)
    data = stats.CensoredData(uncensored=t[e], right=t[~e])
    res = stats.ecdf(data)
    km = at.kaplan_meier(_f8(), ci_method=method).iloc[1:]
    np.testing.assert_allclose(km["survival"], res.sf.evaluate(km["time"]), atol=1e-9)
    ci = res.sf.confidence_interval(0.95, method=method)
    lo, hi = ci.low.evaluate(km["time"]), ci.high.evaluate(km["time"])
    ok = np.isfinite(lo) & km["ci_low"].notna().to_numpy()
    assert ok.sum() >= 3
    np.testing.assert_allclose(km["ci_low"].to_numpy()[ok], lo[ok], atol=1e-9)
    np.testing.assert_allclose(km["ci_high"].to_numpy()[ok], hi[ok], atol=1e-9)


def test_km_by_group_and_event_at_zero():
    f = pd.DataFrame({"tenure_days": [0, 1, 4, 4], "left": [True, False, True, False],
                      "g": ["x", "x", "y", "y"]})
    km = at.kaplan_meier(f, by="g")
    # x: event at 0 among 2 → S(0)=1/2 (one row at time 0); y: S(4) = 1/2
    x = km[km["g"] == "x"]
    assert list(x["time"]) == [0.0] and x["survival"].iloc[0] == pytest.approx(0.5)
    y = km[km["g"] == "y"]
    assert list(y["time"]) == [0.0, 4.0] and y["survival"].iloc[-1] == pytest.approx(0.5)


def test_logrank_two_groups_hand_and_scipy():
    # A: 2, 3+, 5, 8; B: 3, 5, 6+, 9+
    f = pd.DataFrame({"tenure_days": [2, 3, 5, 8, 3, 5, 6, 9],
                      "left": [True, False, True, True, True, True, False, False],
                      "g": list("AAAABBBB")})
    r = at.logrank_test(f, "g")
    # event times 2,3,5,8; (nA,nB,d,dA): (4,4,1,1) (3,4,1,0) (2,3,2,1) (1,1,1,1)
    # E_A = 4/8 + 3/7 + 2·2/5 + 1/2 = 1.8 + 3/7; O_A = 3 → O−E = 27/35
    # V = 16·7/(64·7) + 12·6/(49·6) + 2·3·2·3/(25·4) + 1/4 = 43/50 + 12/49 = 2707/2450
    # χ² = (27/35)² / (2707/2450) = 1458/2707
    assert r["observed"].tolist() == [3.0, 2.0]
    assert r["expected"].iloc[0] == pytest.approx(1.8 + 3 / 7, abs=1e-12)
    assert r["chi2"].iloc[0] == pytest.approx(1458 / 2707, abs=1e-9)
    assert r["dof"].iloc[0] == 1
    assert r["p_value"].iloc[0] == pytest.approx(stats.chi2.sf(1458 / 2707, 1), abs=1e-12)
    a, b = f[f.g == "A"], f[f.g == "B"]
    cd = lambda x: stats.CensoredData(uncensored=x.tenure_days[x.left].to_numpy(float),  # noqa
                                      right=x.tenure_days[~x.left].to_numpy(float))
    sp = stats.logrank(cd(a), cd(b))
    assert sp.statistic ** 2 == pytest.approx(r["chi2"].iloc[0], abs=1e-9)
    assert sp.pvalue == pytest.approx(r["p_value"].iloc[0], abs=1e-9)


def _logrank_reference(t, e, g):
    """Textbook loop: Σ over event times of O−E and the hypergeometric covariance."""
    labels = sorted(set(g))
    k = len(labels)
    o_e, v = np.zeros(k), np.zeros((k, k))
    for u in sorted(set(t[e])):
        risk = t >= u
        n = risk.sum()
        d = (risk & e & (t == u)).sum()
        nj = np.array([(risk & (g == L)).sum() for L in labels])
        dj = np.array([(risk & e & (t == u) & (g == L)).sum() for L in labels])
        o_e += dj - d * nj / n
        if n > 1:
            for i in range(k):
                for j in range(k):
                    v[i, j] += d * (n - d) / (n - 1) * nj[i] / n * ((i == j) - nj[j] / n)
    x = o_e[:-1]
    return float(x @ np.linalg.solve(v[:-1, :-1], x))


def test_logrank_three_groups_against_reference():
    rng = np.random.default_rng(7)
    t = rng.integers(1, 30, 40).astype(float)
    e = rng.random(40) < 0.7
    g = np.array(list("abc") * 13 + ["a"])
    r = at.logrank_test(pd.DataFrame({"tenure_days": t, "left": e, "g": g}), "g")
    ref = _logrank_reference(t, e, g)
    assert r["chi2"].iloc[0] == pytest.approx(ref, abs=1e-9)
    assert r["dof"].iloc[0] == 2
    assert r["observed"].sum() == e.sum()
    assert r["expected"].sum() == pytest.approx(e.sum(), abs=1e-9)


def test_survival_bad_input():
    with pytest.raises(ParameterError, match="durations"):
        at.kaplan_meier(pd.DataFrame({"tenure_days": [-1, 2], "left": [True, True]}))
    with pytest.raises(SchemaError, match="left"):
        at.kaplan_meier(pd.DataFrame({"tenure_days": [1, 2]}))
    with pytest.raises(ParameterError, match="ci_method"):
        at.kaplan_meier(_f8(), ci_method="plain")
    with pytest.raises(ParameterError, match="at least 2 groups"):
        at.logrank_test(_f8(group="x"), "g")
    with pytest.raises(SchemaError, match="g"):
        at.logrank_test(_f8(group=[None] + ["x"] * 7), "g")


def _ad():
    # Jan 2026: A, B at start; B leaves 01-15 (tenure > 90 d, voluntary); C hired 01-10 and
    # leaves 01-31 (new hire, involuntary); D hired 2025-12-20 stays.
    return pd.DataFrame({
        "agent_id": list("ABCD"),
        "hire_date": pd.to_datetime(["2025-01-01", "2025-06-01", "2026-01-10", "2025-12-20"]),
        "leave_date": pd.to_datetime([None, "2026-01-15", "2026-01-31", None]),
        "recruit_channel": ["online", "online", "campus", "campus"]})


def _hr():
    return pd.DataFrame({"agent_id": ["B", "C"], "event_type": ["leave", "leave"],
                         "event_date": pd.to_datetime(["2026-01-15", "2026-01-31"]),
                         "leave_type": ["voluntary", "involuntary"],
                         "leave_reason": ["pay", "attendance"]})


def test_attrition_monthly_variants_hand():
    r = at.attrition_monthly(_ad(), _hr(), start="2026-01", end="2026-01").set_index("variant")
    # HC_start = A, B, D = 3; hires = C; leavers = B, C = 2; HC_end = A, D = 2; employed = 4
    assert r.loc["default", "value"] == pytest.approx(2 / 2.5)   # 2 ÷ ((3+2)/2)
    assert r.loc["a", "value"] == pytest.approx(2 / 4)           # 2 ÷ (2 + 2)
    assert r.loc["b", "value"] == pytest.approx(2 / 3)           # 2 ÷ 3
    assert r.loc["c", "value"] == pytest.approx(2 / 4)           # 2 ÷ 4
    assert r.loc["voluntary", "value"] == pytest.approx(1 / 2.5)
    assert r.loc["involuntary", "value"] == pytest.approx(1 / 2.5)
    # new hires (< 90 d): D at start (12 days), D at end (42 days) → avg 1; leaver C
    assert r.loc["new_hire", "value"] == pytest.approx(1 / 1)
    assert r.loc["tenured", "value"] == pytest.approx(1 / 1.5)   # B ÷ (2.5 − 1)
    assert r["formula"].notna().all()


def test_attrition_by_channel():
    r = at.attrition_monthly(_ad(), _hr(), "recruit_channel", start="2026-01", end="2026-01",
                             variants=["default"]).set_index("recruit_channel")
    # online: start A,B=2, end A=1, leaver B → 1/1.5; campus: start D=1, end D=1, leaver C → 1/1
    assert r.loc["online", "value"] == pytest.approx(1 / 1.5)
    assert r.loc["campus", "value"] == pytest.approx(1.0)


def test_tenure_durations_censoring():
    d = at.tenure_durations(_ad(), as_of="2026-01-20").set_index("agent_id")
    # C left 01-31 after as_of → censored at 10 days; B left 01-15 → 2025-06-01..2026-01-15
    assert not d.loc["C", "left"] and d.loc["C", "tenure_days"] == 10
    assert d.loc["B", "left"] and d.loc["B", "tenure_days"] == 228
    d2 = at.tenure_durations(_ad(), as_of="2026-01-20", hired_from="2025-12-01")
    assert set(d2["agent_id"]) == {"C", "D"}
    with pytest.raises(ParameterError, match="as_of"):
        at.tenure_durations(_ad(), as_of="not a date")


def test_exit_reason_pareto_by_type():
    hr = pd.concat([_hr(), _hr().assign(agent_id=["E", "F"])], ignore_index=True)
    hr.loc[3, "leave_reason"] = "pay"
    p = at.exit_reason_pareto(hr)
    # pay 3, attendance 1 → shares 0.75, 0.25
    assert p["leave_reason"].tolist() == ["pay", "attendance"]
    assert p["cum_share"].tolist() == pytest.approx([0.75, 1.0])
    with pytest.raises(SchemaError, match="leave_reason"):
        at.exit_reason_pareto(hr.drop(columns="leave_reason"))


def test_leaver_comparison_hand():
    ad = _ad()
    # schedule: B (leaver, window before 01-15) 2 shifts, one Saturday night;
    # A (stayer, as_of 01-31) 2 weekday day shifts; C 1 Sunday day shift; D none.
    rows = [("B", "2026-01-10 22:00", "2026-01-11 06:00"), ("B", "2026-01-12 09:00", "2026-01-12 17:00"),
            ("A", "2026-01-20 09:00", "2026-01-20 17:00"), ("A", "2026-01-21 09:00", "2026-01-21 17:00"),
            ("C", "2026-01-25 09:00", "2026-01-25 17:00")]
    sch = pd.DataFrame({"agent_id": [r[0] for r in rows],
                        "start_at": pd.to_datetime([r[1] for r in rows]),
                        "end_at": pd.to_datetime([r[2] for r in rows]), "activity": "work"})
    sch["shift_date"] = sch["start_at"].dt.normalize()
    r = at.leaver_comparison(ad, schedule=sch, as_of="2026-01-31").set_index("feature")
    # leavers B: night 1/2, weekend 1/2; C: night 0, weekend 1. stayers A: 0, 0.
    assert r.loc["night_share", "mean_leavers"] == pytest.approx(0.25)
    assert r.loc["weekend_share", "mean_leavers"] == pytest.approx(0.75)
    assert r.loc["weekend_share", "n_stayers"] == 1
    u, p = stats.mannwhitneyu([0.5, 1.0], [0.0], alternative="two-sided")
    assert r.loc["weekend_share", "p_value"] == pytest.approx(p)
    with pytest.raises(ParameterError, match="schedule"):
        at.leaver_comparison(ad)


@pytest.fixture(scope="module")
def demo():
    from ccomkit.demo import generate
    return generate(seats=40, years=1)


def test_demo_smoke(demo):
    ad, hr = demo["agent_dim"], demo["hr_event"]
    m = at.attrition_monthly(ad, hr, start="2025-11", end="2026-10")
    assert set(m["variant"]) == set(at.ATTRITION_VARIANTS)
    a = at.attrition_annualised(ad, hr, start="2025-11", end="2026-10").set_index("variant")
    n_leavers = (hr["event_type"] == "leave").sum()
    assert a.loc["annualised", "numerator"] == n_leavers and a["months"].iloc[0] == 12
    dur = at.tenure_durations(ad, hired_from="2025-11-01")
    km = at.kaplan_meier(dur, by="recruit_channel")
    assert km["survival"].between(0, 1).all()
    lr = at.logrank_test(dur, "recruit_channel")
    assert 0 <= lr["p_value"].iloc[0] <= 1
    assert at.exit_reason_pareto(hr)["leavers"].sum() == n_leavers
    lc = at.leaver_comparison(ad, schedule=demo["schedule"], agent_interval=demo["agent_interval"])
    assert set(lc["feature"]) == {"night_share", "weekend_share", "occupancy"}
    ch = at.survival_chart(km, "recruit_channel", lang="en")
    assert ch.to_dict()["title"] == "Retention survival (Kaplan-Meier)"
