"""Staffing requirement per interval: the fewest agents that meet every service target.

:func:`required_agents` turns an interval table (``calls_offered, aht_s, interval_min`` and
optionally ``patience_s``) into agents and FTE with Erlang C (no ``patience_s`` column) or exact
Erlang A (M/M/n+M, with ``patience_s``), vectorised over the whole table:

* Erlang C: every row starts just below its square-root staffing guess ``A + beta sqrt(A)``
  (Halfin-Whitt), never below ``max(floor(A) + 1, ceil(A / max_occupancy_frac))``; ``1/B`` is
  computed there exactly by the stable forward recursion ``1/B(k) = 1 + (k / A) / B(k - 1)``
  (all rows together, one in-place array operation per step), then the rows that miss a target
  move up one agent together (rows that already meet them move down), until the first ``n``
  that meets every target. No Python object per interval.
* Erlang A: a vectorised galloping + bisection search over the monotone targets, started from
  the Erlang C answer, with the exact quadrature evaluated in cache-sized blocks of rows.

The steps follow DOMAIN.md §3.2 (workload -> agents by SL / ASA / occupancy -> divide by
``1 - shrinkage``).
"""

from __future__ import annotations

import functools
import math
import numbers
import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from ccomkit.errors import CcomkitWarning, ParameterError, SchemaError
from ccomkit.schemas import require_columns
from ccomkit.wfm.erlang import _erlang_a_all, _erlang_c_from_b, _inv_erlang_b

__all__ = ["required_agents"]

REQUIRED_COLUMNS = ("calls_offered", "aht_s", "interval_min")
STATUS_CODES = ("ok", "zero_load", "capped")
_STATUS_DTYPE = pd.CategoricalDtype(list(STATUS_CODES))
_TABLE = "staffing input"
_FTE_TOL = 1e-9  # ceil(agents / (1 - shrinkage) - tol): 14 / 0.7 = 20.000000000000004 -> 20


# --------------------------------------------------------------------------------------------
# parameter validation (scikit-learn wording)
# --------------------------------------------------------------------------------------------
def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _frac(owner: str, name: str, value: Any, *, lo: float, hi: float, lo_open: bool, hi_open: bool) -> float | None:
    if value is None:
        return None
    ok = _is_real(value) and math.isfinite(value)
    if ok:
        ok = (value > lo if lo_open else value >= lo) and (value < hi if hi_open else value <= hi)
    if not ok:
        interval = f"{'(' if lo_open else '['}{lo:g}, {hi:g}{')' if hi_open else ']'}"
        raise ParameterError.expected(owner, name, f"a float in {interval}", value)
    return float(value)


def _seconds(owner: str, name: str, value: Any, *, allow_zero: bool) -> float | None:
    if value is None:
        return None
    ok = _is_real(value) and math.isfinite(value) and (value >= 0 if allow_zero else value > 0)
    if not ok:
        raise ParameterError.expected(owner, name, f"a float {'>=' if allow_zero else '>'} 0", value)
    return float(value)


def validate_targets(
    owner: str,
    *,
    service_level_target_frac: Any,
    target_s: Any,
    asa_target_s: Any,
    max_abandon_frac: Any,
    max_occupancy_frac: Any,
    shrinkage_frac: Any,
    max_agents: Any,
    erlang_a: bool,
) -> dict[str, Any]:
    """Validate the staffing targets shared by :func:`required_agents` and the reserve force."""
    p = {
        "sl": _frac(owner, "service_level_target_frac", service_level_target_frac,
                    lo=0, hi=1, lo_open=True, hi_open=True),
        "t": _seconds(owner, "target_s", target_s, allow_zero=True),
        "asa": _seconds(owner, "asa_target_s", asa_target_s, allow_zero=False),
        "ab": _frac(owner, "max_abandon_frac", max_abandon_frac, lo=0, hi=1, lo_open=True, hi_open=True),
        "occ": _frac(owner, "max_occupancy_frac", max_occupancy_frac, lo=0, hi=1, lo_open=True, hi_open=False),
        "shrink": _frac(owner, "shrinkage_frac", shrinkage_frac, lo=0, hi=1, lo_open=False, hi_open=True),
    }
    if max_agents is not None and not (isinstance(max_agents, numbers.Integral) and not isinstance(max_agents, bool)
                                       and max_agents >= 1):
        raise ParameterError.expected(owner, "max_agents", "an int >= 1 or None", max_agents)
    p["cap"] = None if max_agents is None else int(max_agents)
    if p["sl"] is not None and p["t"] is None:
        raise ParameterError.expected(
            owner, "target_s", "a float >= 0 when service_level_target_frac is given", target_s
        )
    if p["ab"] is not None and not erlang_a:
        raise ParameterError(
            f"The 'max_abandon_frac' parameter of {owner} needs a 'patience_s' column (Erlang A); "
            "the frame has none.",
            param="max_abandon_frac",
            value=max_abandon_frac,
        )
    if all(p[k] is None for k in ("sl", "asa", "ab", "occ")):
        raise ParameterError(
            f"{owner} needs at least one target: service_level_target_frac (with target_s), "
            "asa_target_s, max_abandon_frac or max_occupancy_frac.",
            param="service_level_target_frac",
        )
    return p


# --------------------------------------------------------------------------------------------
# frame validation
# --------------------------------------------------------------------------------------------
def _column_error(frame: pd.DataFrame, column: str, bad: np.ndarray, rule: str, table: str) -> SchemaError:
    pos = np.flatnonzero(bad)
    rows = [frame.index[i] for i in pos[:5]]
    values = [frame[column].iloc[i] for i in pos[:5]]
    return SchemaError(
        f"{table}.{column} must be {rule}: {len(pos)} row{'s' if len(pos) != 1 else ''} violate it, "
        f"first at rows {rows} (values {values})",
        table=table,
        column=column,
        rows=rows,
    )


def _numeric(frame: pd.DataFrame, column: str, table: str) -> np.ndarray:
    col = frame[column]
    dtype = col.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "iuf":  # plain NumPy numbers: no copy for float64
        return col.to_numpy().astype(float, copy=False)
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        return col.to_numpy(dtype=float, na_value=np.nan)
    try:
        return pd.to_numeric(frame[column], errors="raise").to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError):
        coerced = pd.to_numeric(frame[column], errors="coerce")
        raise _column_error(frame, column, (coerced.isna() & frame[column].notna()).to_numpy(),
                            "numeric", table) from None


def _all_in(values: np.ndarray, *, positive: bool) -> bool:
    """Cheap check that every value is finite and >= 0 (> 0 with ``positive``); NaN fails."""
    if values.size == 0:
        return True
    lo, hi = values.min(), values.max()  # NaN propagates into both and fails the comparisons
    return bool((lo > 0 if positive else lo >= 0) and hi < np.inf)


def interval_arrays(frame: pd.DataFrame, table: str, *, calls_column: str = "calls_offered",
                    aht_column: str = "aht_s") -> dict[str, np.ndarray]:
    """Validated float arrays of an interval table (calls, aht_s, interval_min, patience_s)."""
    calls = _numeric(frame, calls_column, table)
    aht = _numeric(frame, aht_column, table)
    interval = _numeric(frame, "interval_min", table)
    if not _all_in(calls, positive=False):
        bad = ~(np.isfinite(calls) & (calls >= 0))
        raise _column_error(frame, calls_column, bad, "a finite number >= 0", table)
    if not _all_in(interval, positive=True):
        bad = ~(np.isfinite(interval) & (interval > 0))
        raise _column_error(frame, "interval_min", bad, "a finite number > 0", table)
    busy = calls > 0
    all_busy = bool(busy.all())
    if not _all_in(aht if all_busy else aht[busy], positive=True):
        bad = busy & ~(np.isfinite(aht) & (aht > 0))
        raise _column_error(frame, aht_column, bad, f"a finite number > 0 where {calls_column} > 0", table)
    out = {"calls": calls, "aht": aht if all_busy else np.where(busy, aht, 1.0), "interval": interval}
    if "patience_s" in frame.columns:
        pat = _numeric(frame, "patience_s", table)
        bad = busy & ~(pat > 0)  # NaN fails too; inf is allowed (Erlang C)
        if bad.any():
            raise _column_error(frame, "patience_s", bad, f"a number > 0 (inf allowed) where {calls_column} > 0",
                                table)
        out["patience"] = pat if all_busy else np.where(busy, pat, np.inf)
    return out


# --------------------------------------------------------------------------------------------
# kernels
# --------------------------------------------------------------------------------------------
def _start_agents(a: np.ndarray, occ: float | None) -> np.ndarray:
    n = np.floor(a) + 1.0
    if occ is not None:
        n = np.maximum(n, np.ceil(a / occ - _FTE_TOL))
    return n


def _qed_wait(beta: np.ndarray) -> np.ndarray:
    """Halfin-Whitt P(wait) at n = A + beta sqrt(A): 1 / (1 + beta Phi(beta) / phi(beta))."""
    with np.errstate(over="ignore"):
        ratio = special.ndtr(beta) * np.sqrt(2.0 * np.pi) * np.exp(0.5 * beta * beta)
    return 1.0 / (1.0 + beta * ratio)


_BETA = np.linspace(1e-6, 8.0, 4001)
_QED_WAIT = _qed_wait(_BETA)


@functools.lru_cache(maxsize=64)
def _beta_for_sl(target: float) -> tuple[np.ndarray, np.ndarray]:
    """QED beta meeting ``SL >= target`` as a function of log(gamma), gamma = sqrt(A) T / AHT."""
    log_gamma = np.linspace(np.log(1e-5), np.log(1e3), 300)
    sl = 1.0 - _QED_WAIT[None, :] * np.exp(-_BETA[None, :] * np.exp(log_gamma)[:, None])
    ok = sl >= target
    idx = np.where(ok.any(axis=1), ok.argmax(axis=1), _BETA.size - 1)
    return log_gamma, _BETA[idx]


_LOG_KAPPA = np.log(_QED_WAIT / _BETA)[::-1]  # increasing in kappa as beta decreases
_BETA_KAPPA = _BETA[::-1]
# the same curve on a uniform grid in log(kappa), for a gather-based interpolation
_LK_GRID = np.linspace(_LOG_KAPPA[0], _LOG_KAPPA[-1], 4001)
_BK_GRID = np.interp(_LK_GRID, _LOG_KAPPA, _BETA_KAPPA)
_FULL_STEPS = 2  # up-steps taken on all rows at once before the remaining rows are gathered


def _interp_uniform(x: np.ndarray, grid: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``np.interp(x, grid, values)`` for a uniform ``grid`` (clamped at both ends), by gathers.

    ``np.interp`` binary-searches every point; on a uniform grid the cell is one division away.
    """
    t = (x - grid[0]) * ((grid.size - 1) / (grid[-1] - grid[0]))
    np.clip(t, 0.0, grid.size - 1.0, out=t)
    i = np.minimum(t.astype(np.intp), grid.size - 2)
    t -= i
    lo = values[i]
    return lo + t * (values[i + 1] - lo)


def _start_estimate(a: np.ndarray, aht: np.ndarray, p: dict[str, Any]) -> np.ndarray:
    """Square-root staffing ``A + beta sqrt(A)`` (Halfin-Whitt), a guess refined exactly."""
    root = np.sqrt(a)
    beta = None
    if p["sl"] is not None:
        lg, bt = _beta_for_sl(p["sl"])
        with np.errstate(divide="ignore"):
            beta = _interp_uniform(np.log(root * (max(p["t"], 1e-9) / aht)), lg, bt)
    if p["asa"] is not None:
        with np.errstate(divide="ignore"):
            b2 = _interp_uniform(np.log(root * (p["asa"] / aht)), _LK_GRID, _BK_GRID)
        beta = b2 if beta is None else np.maximum(beta, b2)
    if beta is None:
        return a
    return a + np.maximum(beta, 0.0) * root


def _erlang_c_meets(n: np.ndarray, a: np.ndarray, r: np.ndarray, neg_tau: np.ndarray | None,
                    h: np.ndarray, p: dict[str, Any]) -> np.ndarray:
    """Whether ``n`` agents meet every Erlang C target, given ``r = 1 / B(n, A)``.

    With ``spare = n - A`` and ``den = r spare + A`` (> 0 when ``spare > 0``), P(wait) is
    ``n / den``, so ``SL = 1 - P(wait) exp(-spare T / AHT) >= target`` is tested as
    ``n exp(-spare T / AHT) <= (1 - target) den`` and ``ASA = P(wait) AHT / spare <= asa`` as
    ``n AHT <= asa spare den`` (no division). ``neg_tau`` is ``-T / AHT``.
    """
    with np.errstate(invalid="ignore", over="ignore"):
        spare = n - a
        met = spare > 0
        if p["sl"] is not None or p["asa"] is not None:
            den = r * spare
            den += a
        if p["sl"] is not None:
            lhs = spare * neg_tau
            np.exp(lhs, out=lhs)
            lhs *= n
            met &= lhs <= (1.0 - p["sl"]) * den
        if p["asa"] is not None:
            met &= n * h <= p["asa"] * spare * den
        if p["occ"] is not None:
            met &= a <= p["occ"] * n + _FTE_TOL
    return met


def _search_erlang_c(
    a: np.ndarray, aht: np.ndarray, p: dict[str, Any], cap: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fewest agents meeting the Erlang C targets, for A > 0 rows.

    Returns ``(agents, capped, 1 / erlang_b_at_agents)``. Every row starts just below its
    square-root staffing guess (never below ``floor(A) + 1`` nor the occupancy bound), where
    ``1/B`` is computed exactly by the forward recursion (:func:`_inv_erlang_b`); rows that
    already meet the targets step down with ``1/B(n - 1) = (1/B(n) - 1) A / n`` and rows that
    miss them step up with ``1/B(n + 1) = 1 + (n + 1) / (A B(n))``, all rows together, until the
    first ``n`` that meets every target (targets are monotone in ``n``). The first
    ``_FULL_STEPS`` up-steps run on the whole arrays (most rows finish within them), the rest
    on the gathered remaining rows.
    """
    lower = np.minimum(_start_agents(a, p["occ"]), cap)
    n = np.clip(np.ceil(_start_estimate(a, aht, p) - 0.5) - 1.0, lower, cap)
    r = _inv_erlang_b(a, n)
    neg_tau = -p["t"] / aht if p["sl"] is not None else None
    met = _erlang_c_meets(n, a, r, neg_tau, aht, p)

    # step down while the next lower staffing still meets every target
    down = np.flatnonzero(met & (n > lower))
    while down.size:
        nn, ad = n[down], a[down]
        r_prev = (r[down] - 1.0) * ad / nn
        ok = _erlang_c_meets(nn - 1.0, ad, r_prev, None if neg_tau is None else neg_tau[down], aht[down], p)
        sel = down[ok]
        n[sel] -= 1.0
        r[sel] = r_prev[ok]
        down = sel[n[sel] > lower[sel]]

    # step up the rows that miss a target: first on the whole arrays, then on the rows left
    todo = ~met
    capped = todo & (n >= cap)
    todo &= ~capped
    if todo.any():
        with np.errstate(divide="ignore"):
            inv_a = 1.0 / a
        for _ in range(_FULL_STEPS):
            n1 = n + 1.0
            r1 = r * inv_a
            r1 *= n1
            r1 += 1.0
            ok = _erlang_c_meets(n1, a, r1, neg_tau, aht, p)
            np.copyto(n, n1, where=todo)
            np.copyto(r, r1, where=todo)
            todo &= ~ok
            at_cap = todo & (n >= cap)
            capped |= at_cap
            todo &= ~at_cap
            if not todo.any():
                break
    idx = np.flatnonzero(todo)
    if idx.size:
        ia, hh, cc, nn, rr = inv_a[idx], aht[idx], cap[idx], n[idx], r[idx]
        aa, tt = a[idx], None if neg_tau is None else neg_tau[idx]
        while idx.size:
            nn = nn + 1.0
            rr = 1.0 + rr * ia * nn
            ok = _erlang_c_meets(nn, aa, rr, tt, hh, p)
            stop = ok | (nn >= cc)
            if stop.any():
                sel = idx[stop]
                n[sel], r[sel] = nn[stop], rr[stop]
                capped[idx[stop & ~ok]] = True
                keep = ~stop
                idx, aa, ia, hh, cc, nn, rr = idx[keep], aa[keep], ia[keep], hh[keep], cc[keep], nn[keep], rr[keep]
                if tt is not None:
                    tt = tt[keep]
    return n, capped, r


_A_METRICS = ("p_wait", "p_abandon", "service_level", "asa_s", "occupancy")
_A_FIRST_STEP = 2.0  # first gallop step of the Erlang A search (the answer is most often 1-3 below Erlang C's)


def _meets_erlang_a(a: np.ndarray, n: np.ndarray, aht: np.ndarray, pat: np.ndarray,
                    p: dict[str, Any]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    t = np.full(a.shape, p["t"] if p["t"] is not None else 0.0)
    m = _erlang_a_all(a, n, aht, pat, t)
    ok = n > 0
    if p["sl"] is not None:
        ok &= m["service_level"] >= p["sl"]
    if p["asa"] is not None:
        ok &= m["asa_s"] <= p["asa"]
    if p["ab"] is not None:
        ok &= m["p_abandon"] <= p["ab"]
    if p["occ"] is not None:
        ok &= m["occupancy"] <= p["occ"]
    return ok, m


def _search_erlang_a(a: np.ndarray, aht: np.ndarray, pat: np.ndarray, p: dict[str, Any],
                     cap: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Fewest agents meeting the Erlang A targets (galloping + bisection, all rows at once).

    Returns ``(agents, capped, metrics)``: the Erlang A measures at the answer are kept from
    the evaluation that found it (no evaluation is repeated).
    """
    best = {k: np.full(a.shape, np.nan) for k in _A_METRICS}

    def evaluate(rows: Any, n: np.ndarray) -> np.ndarray:
        ok, m = _meets_erlang_a(a[rows], n, aht[rows], pat[rows], p)
        keep = rows[ok] if not isinstance(rows, slice) else np.flatnonzero(ok)
        for k in _A_METRICS:
            best[k][keep] = m[k][ok]
        return ok

    if any(p[k] is not None for k in ("sl", "asa", "occ")):
        with np.errstate(over="ignore"):  # as in staff_arrays: 1/B -> inf when A -> 0
            guess, _, _ = _search_erlang_c(a, aht, p, cap)
    else:
        guess = np.floor(a) + 1.0
    guess = np.clip(guess, 1.0, cap)
    ok = evaluate(slice(None), guess)
    lo = np.where(ok, np.nan, guess)  # largest n known to fail
    hi = np.where(ok, guess, np.nan)  # smallest n known to pass
    # gallop down from passing guesses, up from failing ones
    step = np.full(a.shape, _A_FIRST_STEP)
    todo = np.isnan(lo) | np.isnan(hi)
    while todo.any():
        i = np.flatnonzero(todo)
        down = np.isnan(lo[i])
        cand = np.where(down, np.maximum(hi[i] - step[i], 0.0), np.minimum(lo[i] + step[i], cap[i]))
        res = np.zeros(i.size, dtype=bool)
        pos = cand > 0
        res[pos] = evaluate(i[pos], cand[pos])
        hi[i] = np.where(res, cand, hi[i])
        lo[i] = np.where(res, lo[i], cand)
        # a failing cap ends the upward search: the row is capped
        at_cap = ~res & (cand >= cap[i])
        hi[i[at_cap]] = np.inf
        step[i] *= 2.0
        todo = np.isnan(lo) | np.isnan(hi)
    capped = np.isinf(hi)
    todo = ~capped & (hi - lo > 1)
    while todo.any():
        i = np.flatnonzero(todo)
        mid = np.floor((lo[i] + hi[i]) / 2.0)
        res = evaluate(i, mid)
        hi[i] = np.where(res, mid, hi[i])
        lo[i] = np.where(res, lo[i], mid)
        todo = ~capped & (hi - lo > 1)
    agents = np.where(capped, cap, hi)
    if capped.any():  # measures at the cap (which fails the targets)
        i = np.flatnonzero(capped)
        t = np.full(i.size, p["t"] if p["t"] is not None else 0.0)
        m = _erlang_a_all(a[i], agents[i], aht[i], pat[i], t)
        for k in _A_METRICS:
            best[k][i] = m[k]
    return agents, capped, best


# --------------------------------------------------------------------------------------------
# public function
# --------------------------------------------------------------------------------------------
def staff_arrays(
    calls: np.ndarray,
    aht: np.ndarray,
    interval_min: np.ndarray,
    patience: np.ndarray | None,
    p: dict[str, Any],
) -> dict[str, np.ndarray]:
    """Array-level staffing (used by :func:`required_agents` and the reserve force)."""
    with np.errstate(invalid="ignore"):
        traffic = calls * aht / (interval_min * 60.0)
    busy = calls > 0
    all_busy = bool(busy.all())
    if not all_busy:
        traffic = np.where(busy, traffic, 0.0)
        busy = traffic > 0
        all_busy = bool(busy.all())
    size = traffic.size
    agents = np.zeros(size)
    capped = np.zeros(size, dtype=bool)
    sl = np.full(size, np.nan) if p["t"] is None else np.ones(size)
    asa = np.zeros(size)
    occ = np.full(size, np.nan)
    ab = np.zeros(size)
    if size and (all_busy or busy.any()):
        # the rows with calls: the whole arrays when every row has calls (no gathering)
        sel: Any = slice(None) if all_busy else np.flatnonzero(busy)
        a, h = traffic[sel], aht[sel]
        if p["cap"] is None:
            cap = np.ceil(a / (p["occ"] or 1.0)) + 10.0 * np.ceil(np.sqrt(a)) + 100.0
        else:
            cap = np.full(a.size, float(p["cap"]))
        if patience is None:
            # 1/B overflows to inf for vanishing traffic (B -> 0), which rightly meets every target
            with np.errstate(over="ignore"):
                n, c, r = _search_erlang_c(a, h, p, cap)
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                spare = n - a
                stable = spare > 0
                den = r * spare
                den += a
                pw = np.where(stable, np.minimum(n / den, 1.0), 1.0)  # n B / (n - A (1 - B))
                asa[sel] = np.where(stable, pw * h / spare, np.inf)
                if p["t"] is not None:
                    w = spare * (-p["t"] / h)
                    np.exp(w, out=w)
                    w *= pw
                    sl[sel] = np.where(stable, np.clip(1.0 - w, 0.0, 1.0), 0.0)
                occ[sel] = np.minimum(a / n, 1.0)
        else:
            n, c, m = _search_erlang_a(a, h, patience[sel], p, cap)
            asa[sel], occ[sel], ab[sel] = m["asa_s"], m["occupancy"], m["p_abandon"]
            if p["t"] is not None:
                sl[sel] = m["service_level"]
        agents[sel], capped[sel] = n, c
    out: dict[str, np.ndarray] = {"traffic_erl": traffic, "agents_required": agents}
    out["service_level"] = sl
    out["asa_s"] = asa
    out["occupancy"] = occ
    if patience is not None:
        out["p_abandon"] = ab
    out["fte_required"] = np.ceil(agents / (1.0 - p["shrink"]) - _FTE_TOL)
    out["capped"] = capped
    return out


def required_agents(
    frame: pd.DataFrame,
    *,
    service_level_target_frac: float | None = None,
    target_s: float | None = None,
    asa_target_s: float | None = None,
    max_abandon_frac: float | None = None,
    max_occupancy_frac: float | None = None,
    shrinkage_frac: float = 0.0,
    max_agents: int | None = None,
) -> pd.DataFrame:
    """Fewest agents per interval meeting every target given, and the FTE after shrinkage.

    Uses Erlang C, or exact Erlang A (M/M/n+M) when the frame has a ``patience_s`` column.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per interval with ``calls_offered`` (>= 0), ``aht_s`` (seconds, > 0 where there
        are calls; may be empty where ``calls_offered`` is 0) and ``interval_min`` (> 0);
        optionally ``patience_s`` (mean patience in seconds, > 0, ``inf`` = Erlang C). Other
        columns are passed through. The frame is not modified.
    service_level_target_frac : float, optional
        Share of offered calls to answer within ``target_s`` seconds, in (0, 1).
    target_s : float, optional
        Answer-time threshold of the service level in seconds; when given without
        ``service_level_target_frac`` the service level is only reported.
    asa_target_s : float, optional
        Maximum average speed of answer (answered calls), seconds.
    max_abandon_frac : float, optional
        Maximum share of offered calls that abandon, in (0, 1); needs ``patience_s``.
    max_occupancy_frac : float, optional
        Maximum occupancy (carried load / agents), in (0, 1].
    shrinkage_frac : float, default 0.0
        Share of paid time not available for calls, in [0, 1).
    max_agents : int, optional
        Cap on agents per interval. Rows that cannot meet the targets within it get
        ``agents_required = max_agents`` and ``status = 'capped'``, and one
        :class:`~ccomkit.errors.CcomkitWarning` names how many rows. Default: no practical cap
        (``ceil(A / max_occupancy_frac) + 10 ceil(sqrt(A)) + 100`` agents).

    Returns
    -------
    pandas.DataFrame
        A new frame: the input columns, then ``traffic_erl`` (calls x AHT / interval length),
        ``agents_required`` (int), ``service_level`` (share answered within ``target_s`` at
        that staffing; NaN when ``target_s`` is None), ``asa_s``, ``occupancy`` (NaN with 0
        agents), ``p_abandon`` (Erlang A only), ``fte_required`` (int, ``ceil(agents / (1 -
        shrinkage_frac))``, never rounded; a 1e-9 tolerance absorbs floating-point noise such
        as 14 / 0.7 = 20.000000000000004) and ``status`` (``'ok'``, ``'zero_load'`` for
        intervals without calls, which need 0 agents, or ``'capped'``; a categorical column).

    Raises
    ------
    SchemaError
        A required column is missing, or holds impossible values (negative or NaN calls,
        AHT <= 0 where there are calls, interval_min <= 0).
    ParameterError
        A target is out of its domain, or no target is given.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"calls_offered": [100, 0], "aht_s": [180, 180], "interval_min": [30, 30]})
    >>> out = required_agents(frame, service_level_target_frac=0.8, target_s=20, shrinkage_frac=0.3)
    >>> out[["traffic_erl", "agents_required", "fte_required", "status"]]
       traffic_erl  agents_required  fte_required     status
    0         10.0               14            20         ok
    1          0.0                0             0  zero_load
    >>> round(float(out.service_level[0]), 4), round(float(out.asa_s[0]), 2)
    (0.8884, 7.84)
    """
    owner = "required_agents"
    require_columns(frame, list(REQUIRED_COLUMNS), _TABLE)
    erlang_a = "patience_s" in frame.columns
    p = validate_targets(
        owner,
        service_level_target_frac=service_level_target_frac,
        target_s=target_s,
        asa_target_s=asa_target_s,
        max_abandon_frac=max_abandon_frac,
        max_occupancy_frac=max_occupancy_frac,
        shrinkage_frac=shrinkage_frac,
        max_agents=max_agents,
        erlang_a=erlang_a,
    )
    arr = interval_arrays(frame, _TABLE)
    res = staff_arrays(arr["calls"], arr["aht"], arr["interval"], arr.get("patience"), p)
    capped = res.pop("capped")
    cols: dict[str, Any] = {}
    for name, values in res.items():
        cols[name] = values.astype(np.int64) if name in ("agents_required", "fte_required") else values
    codes = (res["traffic_erl"] <= 0).astype(np.int8)  # 0 ok, 1 zero_load
    codes[capped] = 2
    cols["status"] = pd.Categorical.from_codes(codes, dtype=_STATUS_DTYPE, validate=False)
    new = pd.DataFrame(cols, index=frame.index, copy=False)
    clash = [c for c in new.columns if c in frame.columns]
    out = pd.concat([frame.drop(columns=clash) if clash else frame, new], axis=1)
    n_capped = int(capped.sum())
    if n_capped:
        cap_text = f"max_agents={p['cap']}" if p["cap"] is not None else "the internal cap"
        warnings.warn(
            f"required_agents: {n_capped} of {len(out)} rows cannot meet the targets within "
            f"{cap_text}; they are flagged status='capped' (agents_required = the cap).",
            CcomkitWarning,
            stacklevel=2,
        )
    return out
