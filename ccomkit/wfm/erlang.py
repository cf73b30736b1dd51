"""Erlang B, Erlang C and Erlang A (M/M/n+M) queue formulas, vectorised over NumPy arrays.

Every public function broadcasts its arguments like NumPy and returns a Python ``float`` when all
arguments are scalars. Units are in the argument names: ``traffic_erl`` is the offered load in
Erlangs (calls per second x AHT in seconds), ``agents`` is a whole number of agents (people),
``aht_s``, ``target_s`` and ``patience_s`` are seconds.

Numerical methods
-----------------
Erlang B uses the Poisson closed form ``B(n, A) = pmf(n; A) / cdf(n; A)`` in log space, with
``cdf(n; A) = Q(n + 1, A)`` (regularised upper incomplete gamma, :func:`scipy.special.gammaincc`).
Where that tail underflows (heavy overload, ``n << A``) it switches to the integral
representation ``1 / B(n, A) = A * int_0^inf exp(-A y) (1 + y)^n dy`` [1]_, evaluated by
Gauss-Legendre quadrature on the window where the log-concave integrand is within ``exp(-50)``
of its maximum. Loads of thousands of Erlangs and thousands of agents are fine.

For whole arrays (staffing searches) ``1/B`` is also available by the classic stable forward
recursion ``1/B(k) = 1 + (k / A) / B(k - 1)`` (a sum of positive terms, accurate to a few ulp;
:func:`_inv_erlang_b`), all rows stepping together.

Erlang C follows from Erlang B: ``C = n B / (n - A (1 - B))`` for ``n > A`` [2]_.

Erlang A (Palm's M/M/n+M model: Poisson arrivals at rate ``lambda``, exponential service at rate
``mu = 1 / aht_s``, exponential patience at rate ``theta = 1 / patience_s``, FCFS) is computed
from the exact stationary distribution of the birth-death process, not from an approximation
[3]_ [4]_. With ``c = n mu / theta`` and ``x = lambda / theta``, the queue states ``n + j``
have weights ``pi_{n+j} / pi_n = x^j / ((c + 1)(c + 2)...(c + j))`` and every infinite sum over
them has an exact one-dimensional integral form in ``w = theta t`` (``t`` = offered wait):

``F = int_0^inf Phi(w) dw``, ``Phi(w) = exp(-(c + 1) w + x (1 - exp(-w)))``.

Then, relative to ``pi_n``: probability mass of waiting arrivals ``1 + x F``; of arrivals that
wait and are eventually served ``c F``; of those served within ``T`` ``c int_0^{theta T} Phi``;
of abandons ``F + x int (1 - e^{-w}) Phi``; and the waiting time of served calls sums to
``(c / theta) int w Phi``. The mass of the non-waiting states is ``1 / B(n, A) - 1``. These are
the Mandelbaum-Zeltyn formulas [4]_ written so that no cancellation occurs; ``Phi`` is
log-concave, so the integrals are evaluated to near machine precision by Gauss-Legendre
quadrature on the window where ``Phi`` is within ``exp(-50)`` of its maximum, in log space (no
overflow for heavy overload). The derivation per queue position ``m`` (tagged caller with
``m - 1`` callers ahead): P(served | m) = ``c / (c + m)``; the time to reach service is the
``m``-th order statistic of ``c + m`` exponentials, so P(served within T | m) =
``c / (c + m) * I_{1 - exp(-theta T)}(m, c + 1)``; summing over ``m`` gives the integrals above.
The tests check the result against a direct truncated state-space sum and a simulator.

Conventions
-----------
* ``service_level`` is the share of *offered* calls answered within ``target_s`` (an abandoned
  call counts as not answered in time), i.e. ``Ans<=T / Offered`` (DOMAIN.md §2.1, no short
  abandons).
* ``asa_s`` is the mean wait of *answered* calls (DOMAIN.md §2.1).
* ``occupancy`` is carried load / agents (Erlang C: ``A / n``; Erlang A: ``A (1 - P(abandon)) /
  n``).
* Erlang C with ``agents <= traffic_erl`` has no steady state: P(wait) = 1, service level 0 and
  ASA = ``inf``. Zero traffic gives P(wait) 0, service level 1, ASA 0 (also with 0 agents).
* Agents must be whole numbers >= 0; anything else raises :class:`~ccomkit.errors.ParameterError`.

References
----------
.. [1] Jagerman, D. L. (1974). Some properties of the Erlang loss function. *Bell System
   Technical Journal*, 53(3), 525-551.
.. [2] Cooper, R. B. (1981). *Introduction to Queueing Theory*, 2nd ed., §3.4. North Holland.
.. [3] Palm, C. (1943). Intensitätsschwankungen im Fernsprechverkehr. *Ericsson Technics* 44;
   Garnett, O., Mandelbaum, A., Reiman, M. (2002). Designing a call center with impatient
   customers. *Manufacturing & Service Operations Management*, 4(3), 208-227.
.. [4] Mandelbaum, A., Zeltyn, S. (2004). The M/M/n+G queue: summary of performance measures.
   Technion technical note; Zeltyn, S. (2005), PhD thesis, Technion, ch. 2.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from ccomkit.errors import ParameterError

__all__ = ["erlang_b", "erlang_c", "service_level", "asa_s", "erlang_a_metrics"]

ArrayLike = Any

_DROP = 50.0  # quadrature window: where the log-concave integrand is within exp(-50) of its max
_GL_X, _GL_W = np.polynomial.legendre.leggauss(64)
_TINY_CDF = 1e-280
_A_BLOCK = 1024  # rows per Erlang A quadrature block (1024 x 64 nodes x 8 bytes = 512 KiB)


# --------------------------------------------------------------------------------------------
# validation helpers
# --------------------------------------------------------------------------------------------
def _float_array(value: ArrayLike, name: str, owner: str) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError.expected(owner, name, "a number or an array of numbers", value) from None
    return arr


def _check(arr: np.ndarray, ok: np.ndarray, name: str, owner: str, expectation: str) -> None:
    bad = ~ok
    if np.any(bad):
        first = arr[bad].flat[0] if arr.ndim else float(arr)
        raise ParameterError.expected(owner, name, expectation, float(first))


def _traffic(value: ArrayLike, owner: str) -> np.ndarray:
    a = _float_array(value, "traffic_erl", owner)
    _check(a, np.isfinite(a) & (a >= 0), "traffic_erl", owner, "a finite float >= 0")
    return a


def _agents(value: ArrayLike, owner: str) -> np.ndarray:
    n = _float_array(value, "agents", owner)
    ok = np.isfinite(n) & (n >= 0) & (n == np.floor(n))
    _check(n, ok, "agents", owner, "a whole number >= 0 (agents are people)")
    return n


def _positive(value: ArrayLike, name: str, owner: str, *, allow_inf: bool = False) -> np.ndarray:
    v = _float_array(value, name, owner)
    fin = np.isfinite(v) | (allow_inf & (v == np.inf))
    _check(v, fin & (v > 0), name, owner, "a float > 0" + (" (inf allowed)" if allow_inf else ""))
    return v


def _nonneg(value: ArrayLike, name: str, owner: str) -> np.ndarray:
    v = _float_array(value, name, owner)
    _check(v, np.isfinite(v) & (v >= 0), name, owner, "a finite float >= 0")
    return v


def _out(result: np.ndarray, scalar: bool) -> Any:
    return float(result) if scalar else result


# --------------------------------------------------------------------------------------------
# kernels (arrays in, arrays out; inputs already validated and broadcast)
# --------------------------------------------------------------------------------------------
def _log_integral(log_f: Any, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """log of int_lo^hi exp(log_f(w)) dw, row-wise, by 64-point Gauss-Legendre."""
    half = 0.5 * (hi - lo)
    nodes = (0.5 * (hi + lo))[:, None] + half[:, None] * _GL_X
    lf = log_f(nodes)
    mx = np.max(lf, axis=1, keepdims=True)
    mx = np.where(np.isfinite(mx), mx, 0.0)
    s = np.exp(lf - mx) @ _GL_W
    with np.errstate(divide="ignore"):
        return mx[:, 0] + np.log(s * half)


def _log_integrals(log_f: Any, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, ...]:
    """log of int exp(log_f), int w exp(log_f) and int (1 - e^-w) exp(log_f) over [lo, hi]."""
    half = 0.5 * (hi - lo)
    nodes = (0.5 * (hi + lo))[:, None] + half[:, None] * _GL_X
    lf = log_f(nodes)
    mx = np.max(lf, axis=1, keepdims=True)
    mx = np.where(np.isfinite(mx), mx, 0.0)
    f = np.exp(lf - mx) * _GL_W
    with np.errstate(divide="ignore"):
        base = mx[:, 0] + np.log(half)
        return (
            base + np.log(f.sum(axis=1)),
            base + np.log(np.einsum("ij,ij->i", f, nodes)),
            base + np.log(np.einsum("ij,ij->i", f, -np.expm1(-nodes))),
        )


def _log_erlang_b(a: np.ndarray, n: np.ndarray) -> np.ndarray:
    """ln B(n, A) for 1-D float arrays (A >= 0, n whole >= 0)."""
    out = np.zeros(a.shape)  # n == 0 -> B = 1
    pos = (a > 0) & (n > 0)
    out[(a == 0) & (n > 0)] = -np.inf
    if not np.any(pos):
        return out
    ap, np_ = a[pos], n[pos]
    with np.errstate(divide="ignore", under="ignore"):
        lpmf = np_ * np.log(ap) - ap - special.gammaln(np_ + 1.0)
        cdf = special.gammaincc(np_ + 1.0, ap)
        res = lpmf - np.log(cdf)
    tiny = ~(cdf > _TINY_CDF)
    if np.any(tiny):
        # heavy overload (n << A): 1/B = A * int_0^inf exp(n log1p(y) - A y) dy, max at y = 0
        at, nt = ap[tiny], np_[tiny]
        slope = at - nt  # > 0 here
        hi = _DROP / slope  # psi(y) <= -(A - n) y, so psi(hi) <= -DROP
        for _ in range(3):  # Newton from the right: stays right of the root for concave psi
            g = nt * np.log1p(hi) - at * hi + _DROP
            hi = hi - g / (nt / (1.0 + hi) - at)

        def log_f(y: np.ndarray) -> np.ndarray:
            return nt[:, None] * np.log1p(y) - at[:, None] * y

        res[tiny] = -(np.log(at) + _log_integral(log_f, np.zeros_like(hi), hi))
    out[pos] = np.minimum(res, 0.0)
    return out


_REC_MAX_AGENTS = 400  # forward recursion up to this many agents; beyond, the closed form above


def _inv_erlang_b(a: np.ndarray, n: np.ndarray) -> np.ndarray:
    """1 / B(n, A) for 1-D float arrays (A >= 0, n whole >= 0), by the stable forward recursion.

    ``1/B(0) = 1``, ``1/B(k) = 1 + (k / A) / B(k-1)``: a sum of positive terms, so the relative
    error stays within a few ulp per step (about 1e-15 at a hundred agents, checked in the
    tests against exact rational arithmetic); this is the classic stable evaluation of
    Erlang B. All rows step together, as array operations: they are sorted by ``n`` once, so
    that the rows still running at step ``k`` (those with ``n >= k``) are a suffix of the
    sorted arrays and each step works in place on slice views (no gathering per step). Rows
    with more than ``_REC_MAX_AGENTS`` agents use :func:`_log_erlang_b` (incomplete gamma),
    whose cost does not grow with ``n``. ``1/B`` overflows to ``inf`` only where ``B`` is below
    ~1e-308 (read as 0).
    """
    out = np.empty(a.shape)
    big = n > _REC_MAX_AGENTS
    if big.any():
        with np.errstate(over="ignore"):
            out[big] = np.exp(-_log_erlang_b(a[big], n[big]))
        small = ~big
        out[small] = _inv_erlang_b(a[small], n[small])
        return out
    if a.size == 0:
        return out
    ni = n.astype(np.int16)
    order = np.argsort(ni, kind="stable")  # radix sort for 16-bit keys
    with np.errstate(divide="ignore", over="ignore"):  # a subnormal A overflows to inf like A = 0
        inv_a = 1.0 / a[order]  # A = 0 gives inf: 1/B = inf (B = 0) for n >= 1
    # first sorted position of the rows with n >= k, for k = 1..max n
    firsts = np.cumsum(np.bincount(ni)).tolist()
    r = np.ones(a.shape)
    for k, i in enumerate(firsts[:-1], start=1):
        v = r[i:]
        np.multiply(v, inv_a[i:], out=v)
        v *= k
        v += 1.0
    out[order] = r
    return out


def _erlang_b_exact(a: np.ndarray, n: np.ndarray) -> np.ndarray:
    """B(n, A) for 1-D float arrays, by :func:`_inv_erlang_b`."""
    with np.errstate(divide="ignore"):
        return 1.0 / _inv_erlang_b(a, n)


def _erlang_c_from_b(a: np.ndarray, n: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        c = n * b / (n - a * (1.0 - b))
    c = np.where(n > a, c, 1.0)
    c = np.where(a == 0, 0.0, c)
    return np.clip(c, 0.0, 1.0)


def _erlang_c_metrics(
    a: np.ndarray, n: np.ndarray, aht: np.ndarray, target: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """(P(wait), SL or None, ASA) for Erlang C, 1-D arrays."""
    b = np.exp(_log_erlang_b(a, n))
    pw = _erlang_c_from_b(a, n, b)
    stable = n > a
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        asa = np.where(stable, pw * aht / (n - a), np.inf)
        sl = None
        if target is not None:
            sl = np.where(stable, 1.0 - pw * np.exp(-(n - a) * target / aht), 0.0)
    asa = np.where(a == 0, 0.0, asa)
    if sl is not None:
        sl = np.where(a == 0, 1.0, np.clip(sl, 0.0, 1.0))
    return pw, sl, asa


def _erlang_a_kernel(
    a: np.ndarray, n: np.ndarray, aht: np.ndarray, patience: np.ndarray, target: np.ndarray
) -> dict[str, np.ndarray]:
    """Exact M/M/n+M measures for 1-D arrays with A > 0 and finite patience."""
    c = n * patience / aht
    x = a * patience / aht
    lb = _log_erlang_b(a, n)
    b = np.exp(lb)
    with np.errstate(divide="ignore"):
        l_below = np.log1p(-b) - lb  # ln(1/B - 1): mass of states k < n relative to pi_n

    cp1 = c + 1.0
    with np.errstate(divide="ignore"):
        wm = np.maximum(0.0, np.log(x / cp1))

    def phi(w: np.ndarray, cp1: np.ndarray = cp1, x: np.ndarray = x) -> np.ndarray:
        return -cp1 * w - x * np.expm1(-w)

    def dphi(w: np.ndarray) -> np.ndarray:
        return -cp1 + x * np.exp(-w)

    phim = phi(wm)
    # right end of the window: a covering bound (see module docstring), then Newton from the right
    k = 3.0 * _DROP
    d_in = np.maximum(np.sqrt(k / cp1), k / cp1)
    with np.errstate(divide="ignore", invalid="ignore"):
        d_lin = np.where(cp1 > x, _DROP / (cp1 - x), np.inf)
        d_quad = np.where(x > 0, np.maximum(np.sqrt(k / x), k / x), np.inf)
    d = np.where(wm > 0, d_in, np.minimum(d_lin, d_quad))
    hi = wm + d
    for _ in range(4):
        g = phi(hi) - phim + _DROP
        step = g / dphi(hi)
        hi = np.where(g < 0, hi - step, hi)
    lo = np.maximum(0.0, wm - np.sqrt(2.0 * _DROP / cp1))
    for _ in range(4):
        g = phi(lo) - phim + _DROP
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(lo > 0, g / dphi(lo), 0.0)
        lo = np.maximum(np.where(g < 0, lo - step, lo), 0.0)

    def log_f(w: np.ndarray) -> np.ndarray:
        return phi(w, cp1[:, None], x[:, None])

    l_f, l_k, l_g1 = _log_integrals(log_f, lo, hi)
    wt = np.clip(target / patience, lo, hi)
    l_ft = _log_integral(log_f, lo, wt)

    with np.errstate(divide="ignore", invalid="ignore"):
        lx, lc = np.log(x), np.log(c)
        l_wait = np.logaddexp(0.0, lx + l_f)
        l_z = np.logaddexp(l_below, l_wait)
        p_wait = np.exp(l_wait - l_z)
        p_ab = np.exp(np.logaddexp(l_f, lx + l_g1) - l_z)
        l_served = np.logaddexp(l_below, lc + l_f)  # answered at once + answered after waiting
        p_served = np.exp(l_served - l_z)
        sl = np.exp(np.logaddexp(l_below, lc + l_ft) - l_z)
        asa = np.where(n > 0, patience * np.exp(lc + l_k - l_served), np.nan)
        occ = np.where(n > 0, a * p_served / n, np.nan)
    return {
        "p_wait": np.clip(p_wait, 0.0, 1.0),
        "p_abandon": np.clip(p_ab, 0.0, 1.0),
        "service_level": np.clip(sl, 0.0, 1.0),
        "asa_s": asa,
        "occupancy": np.clip(occ, 0.0, 1.0),
    }


def _erlang_a_all(
    a: np.ndarray, n: np.ndarray, aht: np.ndarray, patience: np.ndarray, target: np.ndarray
) -> dict[str, np.ndarray]:
    """Erlang A over 1-D arrays, with the limits: A = 0, infinite patience (Erlang C)."""
    size = a.shape[0]
    out = {k: np.zeros(size) for k in ("p_wait", "p_abandon", "service_level", "asa_s", "occupancy")}
    out["service_level"][:] = 1.0
    zero = a == 0
    inf_pat = ~zero & np.isinf(patience)
    fin = ~zero & ~inf_pat
    if np.any(inf_pat):
        idx = inf_pat
        pw, sl, asa = _erlang_c_metrics(a[idx], n[idx], aht[idx], target[idx])
        out["p_wait"][idx] = pw
        out["service_level"][idx] = sl
        out["asa_s"][idx] = asa
        with np.errstate(divide="ignore"):
            out["occupancy"][idx] = np.minimum(a[idx] / n[idx], 1.0)
    if np.any(fin):
        # in blocks of rows, so that the (rows x quadrature nodes) temporaries stay in cache
        idx = np.flatnonzero(fin)
        for start in range(0, idx.size, _A_BLOCK):
            i = idx[start:start + _A_BLOCK]
            res = _erlang_a_kernel(a[i], n[i], aht[i], patience[i], target[i])
            for k, v in res.items():
                out[k][i] = v
    return out


# --------------------------------------------------------------------------------------------
# public functions
# --------------------------------------------------------------------------------------------
def erlang_b(traffic_erl: ArrayLike, agents: ArrayLike) -> Any:
    """Erlang B blocking probability of an M/M/n/n loss system.

    Parameters
    ----------
    traffic_erl : float or array_like
        Offered load in Erlangs (>= 0).
    agents : int or array_like
        Number of servers (whole numbers >= 0).

    Returns
    -------
    float or numpy.ndarray
        ``B(n, A) = (A^n / n!) / sum_{k=0}^{n} A^k / k!``, broadcast over the arguments.

    Examples
    --------
    >>> round(erlang_b(10, 15), 4)
    0.0365
    >>> erlang_b([0.0, 25.0], [3, 30]).round(4)
    array([0.    , 0.0526])
    """
    owner = "erlang_b"
    a, n = np.broadcast_arrays(_traffic(traffic_erl, owner), _agents(agents, owner))
    scalar = a.ndim == 0
    res = np.exp(_log_erlang_b(a.ravel().astype(float), n.ravel().astype(float)))
    return _out(res.reshape(a.shape), scalar)


def erlang_c(traffic_erl: ArrayLike, agents: ArrayLike) -> Any:
    """Erlang C probability that a call waits (M/M/n, infinite patience).

    ``C(n, A) = n B / (n - A (1 - B))`` with ``B`` the Erlang B value, for ``n > A``; when
    ``n <= A`` the queue grows without bound and the result is 1. Zero traffic gives 0.

    Parameters
    ----------
    traffic_erl : float or array_like
        Offered load in Erlangs (>= 0).
    agents : int or array_like
        Number of agents (whole numbers >= 0).

    Returns
    -------
    float or numpy.ndarray
        Probability of waiting, broadcast over the arguments.

    Examples
    --------
    >>> round(erlang_c(10, 14), 4)
    0.1741
    >>> erlang_c([10, 10, 0], [10, 11, 3]).round(4)
    array([1.    , 0.6821, 0.    ])
    """
    owner = "erlang_c"
    a, n = np.broadcast_arrays(_traffic(traffic_erl, owner), _agents(agents, owner))
    scalar = a.ndim == 0
    af, nf = a.ravel().astype(float), n.ravel().astype(float)
    res = _erlang_c_from_b(af, nf, np.exp(_log_erlang_b(af, nf)))
    return _out(res.reshape(a.shape), scalar)


def service_level(traffic_erl: ArrayLike, agents: ArrayLike, aht_s: ArrayLike, target_s: ArrayLike) -> Any:
    """Erlang C service level: share of calls answered within ``target_s`` seconds.

    ``SL = 1 - C(n, A) exp(-(n - A) target_s / aht_s)``; 0 when ``agents <= traffic_erl``,
    1 when ``traffic_erl == 0``.

    Parameters
    ----------
    traffic_erl : float or array_like
        Offered load in Erlangs (>= 0).
    agents : int or array_like
        Number of agents (whole numbers >= 0).
    aht_s : float or array_like
        Average handling time in seconds (> 0).
    target_s : float or array_like
        Answer-time threshold in seconds (>= 0).

    Returns
    -------
    float or numpy.ndarray

    Examples
    --------
    >>> round(service_level(10, 14, 180, 20), 4)
    0.8884
    """
    owner = "service_level"
    arrs = np.broadcast_arrays(
        _traffic(traffic_erl, owner),
        _agents(agents, owner),
        _positive(aht_s, "aht_s", owner),
        _nonneg(target_s, "target_s", owner),
    )
    scalar = arrs[0].ndim == 0
    a, n, aht, t = (np.asarray(x, dtype=float).ravel() for x in arrs)
    _, sl, _ = _erlang_c_metrics(a, n, aht, t)
    assert sl is not None
    return _out(sl.reshape(arrs[0].shape), scalar)


def asa_s(traffic_erl: ArrayLike, agents: ArrayLike, aht_s: ArrayLike) -> Any:
    """Erlang C average speed of answer in seconds: ``C(n, A) aht_s / (n - A)``.

    ``inf`` when ``agents <= traffic_erl`` (no steady state), 0 when ``traffic_erl == 0``.

    Parameters
    ----------
    traffic_erl : float or array_like
        Offered load in Erlangs (>= 0).
    agents : int or array_like
        Number of agents (whole numbers >= 0).
    aht_s : float or array_like
        Average handling time in seconds (> 0).

    Returns
    -------
    float or numpy.ndarray

    Examples
    --------
    >>> round(asa_s(10, 14, 180), 2)
    7.84
    >>> asa_s([10, 0], [10, 1], 180)
    array([inf,  0.])
    """
    owner = "asa_s"
    arrs = np.broadcast_arrays(
        _traffic(traffic_erl, owner), _agents(agents, owner), _positive(aht_s, "aht_s", owner)
    )
    scalar = arrs[0].ndim == 0
    a, n, aht = (np.asarray(x, dtype=float).ravel() for x in arrs)
    _, _, asa = _erlang_c_metrics(a, n, aht, None)
    return _out(asa.reshape(arrs[0].shape), scalar)


def erlang_a_metrics(
    traffic_erl: ArrayLike,
    agents: ArrayLike,
    aht_s: ArrayLike,
    patience_s: ArrayLike,
    target_s: ArrayLike,
) -> pd.DataFrame:
    """Exact Erlang A (M/M/n+M) measures: waiting, abandonment, service level, ASA, occupancy.

    Callers abandon after an exponential patience with mean ``patience_s``; the queue is FCFS.
    The measures come from the exact stationary distribution of the birth-death process (Palm
    1943; Garnett, Mandelbaum & Reiman 2002; Mandelbaum & Zeltyn 2004), evaluated through the
    integral forms given in the module docstring. ``patience_s = inf`` gives Erlang C.

    Parameters
    ----------
    traffic_erl : float or array_like
        Offered load in Erlangs (>= 0).
    agents : int or array_like
        Number of agents (whole numbers >= 0).
    aht_s : float or array_like
        Average handling time in seconds (> 0).
    patience_s : float or array_like
        Mean patience in seconds (> 0, ``inf`` allowed).
    target_s : float or array_like
        Answer-time threshold of the service level, seconds (>= 0).

    Returns
    -------
    pandas.DataFrame
        One row per broadcast element (C order) with columns ``p_wait`` (share of calls that
        find all agents busy), ``p_abandon`` (share of offered calls that abandon),
        ``service_level`` (share of offered calls answered within ``target_s``), ``asa_s``
        (mean wait of answered calls; NaN with 0 agents) and ``occupancy`` (carried load /
        agents; NaN with 0 agents).

    Examples
    --------
    >>> erlang_a_metrics([10, 10], 14, 180, [120, float("inf")], 20).round(4)
       p_wait  p_abandon  service_level   asa_s  occupancy
    0  0.1270     0.0228         0.9327  2.3454     0.6980
    1  0.1741     0.0000         0.8884  7.8359     0.7143
    """
    owner = "erlang_a_metrics"
    arrs = np.broadcast_arrays(
        _traffic(traffic_erl, owner),
        _agents(agents, owner),
        _positive(aht_s, "aht_s", owner),
        _positive(patience_s, "patience_s", owner, allow_inf=True),
        _nonneg(target_s, "target_s", owner),
    )
    a, n, aht, pat, t = (np.asarray(x, dtype=float).ravel() for x in arrs)
    res = _erlang_a_all(a, n, aht, pat, t)
    return pd.DataFrame(res, columns=["p_wait", "p_abandon", "service_level", "asa_s", "occupancy"])
