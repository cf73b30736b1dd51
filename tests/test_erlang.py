"""Erlang B / C / A: published reference values, exact identities, limits and edge cases."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import special

from ccomkit.errors import ParameterError
from ccomkit.wfm import asa_s, erlang_a_metrics, erlang_b, erlang_c, required_agents, service_level

REFERENCE = pd.read_csv(Path(__file__).parent / "reference" / "erlang_c_examples.csv")


@pytest.mark.parametrize("row", REFERENCE.to_dict("records"), ids=lambda r: f"{r['case_id']}-{r['quantity']}")
def test_reference_values(row: dict) -> None:
    a, n, aht, t = row["traffic_erl"], row["agents"], row["aht_s"], row["target_s"]
    q = row["quantity"]
    if q == "blocking":
        got = erlang_b(a, int(n))
    elif q == "p_wait":
        got = erlang_c(a, int(n))
    elif q == "service_level":
        got = service_level(a, int(n), aht, t)
    elif q == "asa_s":
        got = asa_s(a, int(n), aht)
    elif q == "occupancy":
        got = a / n
    elif q == "agents_required_80pct":
        frame = pd.DataFrame({"calls_offered": [row["calls"]], "aht_s": [aht], "interval_min": [row["interval_min"]]})
        got = required_agents(frame, service_level_target_frac=0.8, target_s=t).agents_required.iloc[0]
    else:  # pragma: no cover
        raise AssertionError(q)
    assert abs(got - row["expected"]) <= row["abs_tol"] + 1e-15


# ---------------------------------------------------------------- Erlang B / C
def _erlang_b_recursion(a: float, n: int) -> float:
    inv = 1.0
    for k in range(1, n + 1):
        inv = 1.0 + inv * k / a
    return 1.0 / inv


@pytest.mark.parametrize(
    ("a", "n"), [(0.5, 1), (3.3, 7), (10, 10), (117, 130), (1500, 100), (1500, 1000), (1500, 1600), (1500, 2000)]
)
def test_erlang_b_matches_recursion_large_loads(a: float, n: int) -> None:
    ref = _erlang_b_recursion(a, n)
    assert erlang_b(a, n) == pytest.approx(ref, rel=1e-11, abs=1e-300)


def test_broadcasting_and_scalar_types() -> None:
    assert isinstance(erlang_c(10, 14), float)
    assert isinstance(service_level(10, 14, 180, 20), float)
    out = erlang_c(np.array([[5.0], [10.0]]), np.array([8, 12, 14]))
    assert out.shape == (2, 3)
    assert out[1, 2] == pytest.approx(0.174131933595, abs=1e-11)
    sl = service_level(10, np.arange(11, 20), 180, 20)
    assert np.all(np.diff(sl) > 0)  # more agents, better service


def test_erlang_c_unstable_and_zero_traffic() -> None:
    assert erlang_c(10, 10) == 1.0 and erlang_c(10, 3) == 1.0
    assert service_level(10, 9, 180, 20) == 0.0
    assert asa_s(10, 10, 180) == np.inf
    assert erlang_c(0, 5) == 0.0 and service_level(0, 0, 180, 20) == 1.0 and asa_s(0, 0, 180) == 0.0
    assert erlang_b(0, 3) == 0.0 and erlang_b(4, 0) == 1.0


@pytest.mark.parametrize(
    ("func", "args", "param"),
    [
        (erlang_c, (10, 14.5), "agents"),
        (erlang_b, (10, -1), "agents"),
        (erlang_c, (-1, 3), "traffic_erl"),
        (erlang_c, (np.nan, 3), "traffic_erl"),
        (service_level, (10, 14, 0, 20), "aht_s"),
        (service_level, (10, 14, 180, -1), "target_s"),
        (erlang_a_metrics, (10, 14, 180, 0, 20), "patience_s"),
    ],
)
def test_bad_parameters(func, args, param: str) -> None:
    with pytest.raises(ParameterError, match=f"'{param}' parameter of {func.__name__}") as err:
        func(*args)
    assert err.value.param == param


# ---------------------------------------------------------------- Erlang A
def _erlang_a_brute(a: float, n: int, aht: float, pat: float, t: float, extra: int = 20_000) -> dict[str, float]:
    """Direct sum over the birth-death states 0..n+extra (log weights), independent of the
    integral forms used by ccomkit: per queue position m, P(served) = c/(c+m) and the time to
    reach service is the m-th order statistic of c+m exponentials (regularised incomplete beta)."""
    mu, th = 1.0 / aht, 1.0 / pat
    lam = a * mu
    k = np.arange(n + 1)
    lw_low = k * np.log(a) - special.gammaln(k + 1)
    j = np.arange(1, extra + 1)
    lw = np.concatenate([lw_low, lw_low[-1] + np.cumsum(np.log(lam) - np.log(n * mu + j * th))])
    p = np.exp(lw - lw.max())
    p /= p.sum()
    pq = p[n:]  # arrival finds k >= n busy / queued
    m = np.arange(1, pq.size + 1)
    c = n * mu / th
    served_m = c / (c + m)
    sl = p[:n].sum() + np.sum(pq * served_m * special.betainc(m, c + 1, -np.expm1(-th * t)))
    p_ab = np.sum(pq * (1 - served_m))
    ex_q = np.sum(np.arange(pq.size) * pq)
    to_service = (special.digamma(c + m + 1) - special.digamma(c + 1)) / th
    asa = np.sum(pq * served_m * to_service) / (1 - p_ab)
    return {
        "p_wait": pq.sum(),
        "p_abandon": p_ab,
        "service_level": sl,
        "asa_s": asa,
        "occupancy": a * (1 - p_ab) / n,
        "little_p_abandon": th * ex_q / lam,
    }


A_CASES = [
    (10, 14, 180, 120, 20),
    (10, 8, 180, 120, 20),
    (50, 40, 300, 60, 20),
    (100, 90, 180, 1800, 20),
    (2, 1, 300, 30, 10),
    (116, 130, 420, 300, 20),
    (300, 250, 200, 600, 30),
    (0.3, 3, 240, 45, 0),
]


@pytest.mark.parametrize("case", A_CASES)
def test_erlang_a_matches_state_space_sum(case: tuple) -> None:
    got = erlang_a_metrics(*case).iloc[0]
    ref = _erlang_a_brute(*case)
    for col in ("p_wait", "p_abandon", "service_level", "occupancy"):
        assert got[col] == pytest.approx(ref[col], abs=1e-12), col
    assert got["asa_s"] == pytest.approx(ref["asa_s"], rel=1e-11)


@pytest.mark.parametrize("case", A_CASES)
def test_erlang_a_abandon_identity(case: tuple) -> None:
    """P(abandon) = theta * E[Q] / lambda = E[W over all calls] / patience (Little's law)."""
    got = erlang_a_metrics(*case).p_abandon.iloc[0]
    assert got == pytest.approx(_erlang_a_brute(*case)["little_p_abandon"], abs=1e-9)


def test_erlang_a_abandon_identity_vectorised() -> None:
    # the same identity from ccomkit's own output: E[W all] = (P(served) ASA + ...) is not
    # observable directly, so check P(abandon) = theta E[Q]/lambda over a grid with a long sum
    rng = np.random.default_rng(3)
    for _ in range(10):
        a = rng.uniform(1, 80)
        n = int(rng.integers(1, 100))
        aht, pat = rng.uniform(60, 600), rng.uniform(20, 900)
        got = erlang_a_metrics(a, n, aht, pat, 20).iloc[0]
        ref = _erlang_a_brute(a, n, aht, pat, 20)
        assert got.p_abandon == pytest.approx(ref["little_p_abandon"], abs=1e-9)
        assert got.service_level == pytest.approx(ref["service_level"], abs=1e-9)


def test_erlang_a_tends_to_erlang_c() -> None:
    a, n, aht, t = 10, 14, 180, 20
    m = erlang_a_metrics(a, n, aht, 1e13, t).iloc[0]
    assert m.p_wait == pytest.approx(erlang_c(a, n), abs=1e-9)
    assert m.service_level == pytest.approx(service_level(a, n, aht, t), abs=1e-9)
    assert m.asa_s == pytest.approx(asa_s(a, n, aht), abs=1e-9)
    assert m.p_abandon == pytest.approx(0.0, abs=1e-9)
    # and patience = inf is exactly Erlang C
    inf = erlang_a_metrics(a, n, aht, np.inf, t).iloc[0]
    assert inf.p_wait == erlang_c(a, n) and inf.p_abandon == 0.0


def test_erlang_a_monotone_in_agents_and_patience() -> None:
    m = erlang_a_metrics(30, np.arange(1, 60), 180, 120, 20)
    assert np.all(np.diff(m.service_level) > 0)
    assert np.all(np.diff(m.p_abandon) < 0)
    assert np.all(np.diff(m.asa_s) < 0)
    p = erlang_a_metrics(30, 30, 180, np.geomspace(10, 1e5, 30), 20)
    assert np.all(np.diff(p.p_abandon) < 0)


def test_erlang_a_edge_cases_and_large_loads() -> None:
    m = erlang_a_metrics([0, 5, 1500, 1500], [0, 0, 1400, 1600], 300, [60, 60, 200, 200], 20)
    assert m.iloc[0].tolist()[:3] == [0.0, 0.0, 1.0]
    assert m.p_abandon[1] == pytest.approx(1.0, abs=1e-12) and m.service_level[1] == 0.0
    assert np.isnan(m.asa_s[1]) and np.isnan(m.occupancy[1])
    assert np.isfinite(m.to_numpy()[2:]).all()
    assert 0 < m.p_abandon[2] < 1 and m.p_abandon[3] < m.p_abandon[2]
    assert m.shape == (4, 5)
    assert list(m.columns) == ["p_wait", "p_abandon", "service_level", "asa_s", "occupancy"]


def _exact_inv_b(n: int, a: float) -> float:
    """1 / B(n, A) in exact rational arithmetic (A is a binary float, so exactly rational)."""
    from fractions import Fraction

    big_a, term, total = Fraction(a), Fraction(1), Fraction(1)
    for k in range(1, n + 1):
        term = term * big_a / k
        total += term
    return float(total / term)


def test_inv_erlang_b_recursion_matches_exact_rationals() -> None:
    from ccomkit.wfm.erlang import _REC_MAX_AGENTS, _inv_erlang_b

    rng = np.random.default_rng(7)
    a = np.concatenate([rng.uniform(0.01, 150.0, 60), [0.0, 0.0, 3.0, 50.0, 400.0]])
    n = np.concatenate([np.floor(a[:60] + rng.uniform(-5.0, 4.0, 60) * np.sqrt(a[:60])).clip(0, None),
                        [0.0, 4.0, 0.0, 1.0, float(_REC_MAX_AGENTS + 5)]])  # A = 0; n = 0; the closed-form path
    got = _inv_erlang_b(a, n)
    assert got[60] == 1.0 and np.isinf(got[61]) and got[62] == 1.0
    for i in [*range(60), 63, 64]:
        want = _exact_inv_b(int(n[i]), float(a[i]))
        tol = 1e-14 if n[i] <= _REC_MAX_AGENTS else 1e-12
        assert abs(got[i] / want - 1.0) <= tol, (a[i], n[i], got[i], want)
    # the same rows in another order give the same values (rows are sorted by n internally)
    perm = rng.permutation(a.size)
    np.testing.assert_array_equal(_inv_erlang_b(a[perm], n[perm]), got[perm])
    # and agree with the public (incomplete-gamma) Erlang B
    np.testing.assert_allclose(1.0 / got[:60], erlang_b(a[:60], n[:60]), rtol=1e-12, atol=1e-300)
