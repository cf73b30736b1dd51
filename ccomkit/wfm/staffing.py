"""Staffing requirement per interval: the fewest agents that meet every service target.

:func:`required_agents` turns an interval table (``calls_offered, aht_s, interval_min`` and
optionally ``patience_s``) into agents and FTE with Erlang C (no ``patience_s`` column) or exact
Erlang A (M/M/n+M, with ``patience_s``), vectorised over the whole table:

* Erlang C: every row starts at ``max(floor(A) + 1, ceil(A / max_occupancy_frac))`` agents and
  all rows that still miss a target move up one agent together, Erlang B being carried by its
  recursion ``B(n + 1) = A B(n) / (n + 1 + A B(n))`` (one array operation per step, no Python
  object per interval).
* Erlang A: a vectorised galloping + bisection search over the monotone targets, started from
  the Erlang C answer.

The steps follow DOMAIN.md §3.2 (workload -> agents by SL / ASA / occupancy -> divide by
``1 - shrinkage``).
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

import numpy as np
import pandas as pd

from ccomkit.errors import CcomkitWarning, ParameterError, SchemaError
from ccomkit.schemas import require_columns
from ccomkit.wfm.erlang import _erlang_a_all, _erlang_c_from_b, _log_erlang_b

__all__ = ["required_agents"]

REQUIRED_COLUMNS = ("calls_offered", "aht_s", "interval_min")
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
    try:
        return pd.to_numeric(frame[column], errors="raise").to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError):
        coerced = pd.to_numeric(frame[column], errors="coerce")
        raise _column_error(frame, column, (coerced.isna() & frame[column].notna()).to_numpy(),
                            "numeric", table) from None


def interval_arrays(frame: pd.DataFrame, table: str, *, calls_column: str = "calls_offered",
                    aht_column: str = "aht_s") -> dict[str, np.ndarray]:
    """Validated float arrays of an interval table (calls, aht_s, interval_min, patience_s)."""
    calls = _numeric(frame, calls_column, table)
    aht = _numeric(frame, aht_column, table)
    interval = _numeric(frame, "interval_min", table)
    bad = ~(np.isfinite(calls) & (calls >= 0))
    if bad.any():
        raise _column_error(frame, calls_column, bad, "a finite number >= 0", table)
    bad = ~(np.isfinite(interval) & (interval > 0))
    if bad.any():
        raise _column_error(frame, "interval_min", bad, "a finite number > 0", table)
    busy = calls > 0
    bad = busy & ~(np.isfinite(aht) & (aht > 0))
    if bad.any():
        raise _column_error(frame, aht_column, bad, f"a finite number > 0 where {calls_column} > 0", table)
    out = {"calls": calls, "aht": np.where(busy, aht, 1.0), "interval": interval}
    if "patience_s" in frame.columns:
        pat = _numeric(frame, "patience_s", table)
        bad = busy & ~(pat > 0)  # NaN fails too; inf is allowed (Erlang C)
        if bad.any():
            raise _column_error(frame, "patience_s", bad, f"a number > 0 (inf allowed) where {calls_column} > 0",
                                table)
        out["patience"] = np.where(busy, pat, np.inf)
    return out


# --------------------------------------------------------------------------------------------
# kernels
# --------------------------------------------------------------------------------------------
def _start_agents(a: np.ndarray, occ: float | None) -> np.ndarray:
    n = np.floor(a) + 1.0
    if occ is not None:
        n = np.maximum(n, np.ceil(a / occ - _FTE_TOL))
    return n


def _search_erlang_c(
    a: np.ndarray, aht: np.ndarray, p: dict[str, Any], cap: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fewest agents meeting the Erlang C targets, for A > 0 rows.

    Returns ``(agents, capped, erlang_b_at_agents)``.

    All rows step up together (whole-array operations, no per-row work); when fewer than a
    quarter of the rows are still searching, the arrays are compacted.
    """
    n = np.minimum(_start_agents(a, p["occ"]), cap)
    b = np.exp(_log_erlang_b(a, n))
    sl_t, t, asa_t, occ = p["sl"], p["t"], p["asa"], p["occ"]
    result = n.copy()
    result_b = b.copy()
    capped = np.zeros(a.shape, dtype=bool)
    idx = np.arange(a.size)
    aa, hh, cc = a, aht, cap
    if sl_t is not None:
        decay = np.exp(-t / hh)
        e = np.exp(-(n - aa) * t / hh)
    found = np.zeros(a.shape, dtype=bool)
    res, res_b = n.copy(), b.copy()
    while True:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            spare = n - aa
            met = spare > 0
            if sl_t is not None or asa_t is not None:
                pw = n * b / (n - aa * (1.0 - b))
            if sl_t is not None:
                met &= 1.0 - pw * e >= sl_t
            if asa_t is not None:
                met &= pw * hh <= asa_t * spare
            if occ is not None:
                met &= aa <= occ * n + _FTE_TOL
        done = (met | (n >= cc)) & ~found
        if done.any():
            res = np.where(done, n, res)
            res_b = np.where(done, b, res_b)
            capped[idx[done & ~met]] = True
            found |= done
        if found.all():
            result[idx] = res
            result_b[idx] = res_b
            break
        if 4 * (found.size - np.count_nonzero(found)) < found.size:  # compact
            result[idx[found]] = res[found]
            result_b[idx[found]] = res_b[found]
            keep = ~found
            idx, aa, hh, cc, n, b = idx[keep], aa[keep], hh[keep], cc[keep], n[keep], b[keep]
            res, res_b = res[keep], res_b[keep]
            if sl_t is not None:
                decay, e = decay[keep], e[keep]
            found = found[keep]
        n = n + 1.0
        ab = aa * b
        b = ab / (n + ab)
        if sl_t is not None:
            e = e * decay
    return result, capped, result_b


def _meets_erlang_a(a: np.ndarray, n: np.ndarray, aht: np.ndarray, pat: np.ndarray,
                    p: dict[str, Any]) -> np.ndarray:
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
    return ok


def _search_erlang_a(a: np.ndarray, aht: np.ndarray, pat: np.ndarray, p: dict[str, Any],
                     cap: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fewest agents meeting the Erlang A targets (galloping + bisection, all rows at once)."""
    if any(p[k] is not None for k in ("sl", "asa", "occ")):
        guess, _, _ = _search_erlang_c(a, aht, p, cap)
    else:
        guess = np.floor(a) + 1.0
    guess = np.clip(guess, 1.0, cap)
    ok = _meets_erlang_a(a, guess, aht, pat, p)
    lo = np.where(ok, np.nan, guess)  # largest n known to fail
    hi = np.where(ok, guess, np.nan)  # smallest n known to pass
    # gallop down from passing guesses, up from failing ones
    step = np.ones(a.shape)
    todo = np.isnan(lo) | np.isnan(hi)
    while todo.any():
        i = np.flatnonzero(todo)
        down = np.isnan(lo[i])
        cand = np.where(down, np.maximum(hi[i] - step[i], 0.0), np.minimum(lo[i] + step[i], cap[i]))
        res = np.zeros(i.size, dtype=bool)
        pos = cand > 0
        res[pos] = _meets_erlang_a(a[i][pos], cand[pos], aht[i][pos], pat[i][pos], p)
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
        res = _meets_erlang_a(a[i], mid, aht[i], pat[i], p)
        hi[i] = np.where(res, mid, hi[i])
        lo[i] = np.where(res, lo[i], mid)
        todo = ~capped & (hi - lo > 1)
    return np.where(capped, cap, hi), capped


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
    traffic = calls * aht / (interval_min * 60.0)
    traffic = np.where(calls > 0, traffic, 0.0)
    size = traffic.size
    busy = traffic > 0
    if p["cap"] is None:
        cap = np.ceil(traffic) + 10.0 * np.ceil(np.sqrt(traffic)) + 100.0
    else:
        cap = np.full(size, float(p["cap"]))
    agents = np.zeros(size)
    capped = np.zeros(size, dtype=bool)
    t = np.full(size, p["t"] if p["t"] is not None else 0.0)
    sl = np.ones(size)
    asa = np.zeros(size)
    occ = np.full(size, np.nan)
    ab = np.zeros(size)
    if busy.any():
        a, h = traffic[busy], aht[busy]
        if patience is None:
            n, c, b = _search_erlang_c(a, h, p, cap[busy])
            pw = _erlang_c_from_b(a, n, b)
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                stable = n > a
                asa[busy] = np.where(stable, pw * h / (n - a), np.inf)
                sl[busy] = np.where(stable, np.clip(1.0 - pw * np.exp(-(n - a) * t[busy] / h), 0.0, 1.0), 0.0)
                occ[busy] = np.where(n > 0, np.minimum(a / n, 1.0), np.nan)
        else:
            n, c = _search_erlang_a(a, h, patience[busy], p, cap[busy])
            m = _erlang_a_all(a, n, h, patience[busy], t[busy])
            sl[busy], asa[busy], occ[busy], ab[busy] = m["service_level"], m["asa_s"], m["occupancy"], m["p_abandon"]
        agents[busy], capped[busy] = n, c
    out: dict[str, np.ndarray] = {"traffic_erl": traffic, "agents_required": agents}
    if p["t"] is None:
        sl = np.full(size, np.nan)
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
        (``ceil(A) + 10 ceil(sqrt(A)) + 100`` agents).

    Returns
    -------
    pandas.DataFrame
        A new frame: the input columns, then ``traffic_erl`` (calls x AHT / interval length),
        ``agents_required`` (int), ``service_level`` (share answered within ``target_s`` at
        that staffing; NaN when ``target_s`` is None), ``asa_s``, ``occupancy`` (NaN with 0
        agents), ``p_abandon`` (Erlang A only), ``fte_required`` (int, ``ceil(agents / (1 -
        shrinkage_frac))``, never rounded; a 1e-9 tolerance absorbs floating-point noise such
        as 14 / 0.7 = 20.000000000000004) and ``status`` (``'ok'``, ``'zero_load'`` for
        intervals without calls, which need 0 agents, or ``'capped'``).

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
    out = frame.copy()
    capped = res.pop("capped")
    for name, values in res.items():
        if name in ("agents_required", "fte_required"):
            values = values.astype(np.int64)
        out[name] = values
    status = np.where(res["traffic_erl"] > 0, "ok", "zero_load").astype(object)
    status[capped] = "capped"
    out["status"] = status
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
