"""Reserve force (机动部队): the extra staff that covers forecast error at a chosen quantile.

DOMAIN.md §3.4: a pool pulled onto the phones at short notice, sized from the forecast error
distribution. Per interval, :func:`reserve_requirement` staffs the forecast's median (p50) and
its ``quantile`` with the same targets as :func:`~ccomkit.wfm.staffing.required_agents`; the
difference is the reserve. Two inputs are supported:

* **quantile columns** of the forecast (``calls_p50``, ``calls_p90``, ``calls_p97.5``: pNN is
  the NN-th percentile), as written by ``ccom forecast --quantiles``;
* **a backtest error table** (``queue``, ``interval_of_day`` or ``interval_start``,
  ``error_frac``) with ``error_frac = (actual - forecast) / forecast`` (positive =
  under-forecast). The ``quantile`` (and the median) of the relative error of the same queue and
  time of day are applied to ``calls_forecast``: ``calls_q = calls_forecast * (1 + e_q)``.
  Groups with fewer than ``min_error_samples`` samples fall back to the queue's pooled errors.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ccomkit.errors import CcomkitWarning, ParameterError, SchemaError
from ccomkit.schemas import require_columns
from ccomkit.wfm.staffing import interval_arrays, staff_arrays, validate_targets

__all__ = ["ReserveRequirement", "reserve_requirement", "quantile_column"]

_TABLE = "reserve input"


@dataclass(frozen=True)
class ReserveRequirement:
    """Result of :func:`reserve_requirement`.

    Attributes
    ----------
    intervals : pandas.DataFrame
        One row per forecast interval: ``queue, interval_start, interval_min, quantile,
        calls_p50, calls_q, aht_s, agents_p50, agents_q, reserve_agents, fte_p50, fte_q,
        reserve_fte, status``.
    daily : pandas.DataFrame
        One row per queue and day: ``queue, date, peak_reserve_agents, peak_reserve_fte,
        reserve_agent_hours, agent_hours_p50, reserve_share_frac`` (reserve agent-hours /
        p50 agent-hours, summed before dividing).
    """

    intervals: pd.DataFrame
    daily: pd.DataFrame


def quantile_column(quantile: float) -> str:
    """Name of the forecast column holding a quantile: 0.9 -> ``calls_p90``, 0.975 -> ``calls_p97.5``.

    Examples
    --------
    >>> quantile_column(0.9), quantile_column(0.975), quantile_column(0.5)
    ('calls_p90', 'calls_p97.5', 'calls_p50')
    """
    return f"calls_p{round(quantile * 100, 6):g}"


def _time_of_day(values: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.strftime("%H:%M")
    parsed = pd.to_datetime(values.astype(str), format="mixed", errors="coerce")
    if parsed.isna().any():
        bad = values[parsed.isna()]
        raise SchemaError(
            f"errors.interval_of_day must be a time of day (HH:MM): {len(bad)} rows violate it, "
            f"first values {bad.head(5).tolist()}",
            table="errors",
            column="interval_of_day",
            rows=bad.index[:5].tolist(),
        )
    return parsed.dt.strftime("%H:%M")


def _error_quantiles(frame: pd.DataFrame, errors: pd.DataFrame, quantile: float, min_samples: int) -> tuple[np.ndarray, np.ndarray]:
    require_columns(errors, ["queue", "error_frac"], "errors")
    if "interval_of_day" in errors.columns:
        tod = _time_of_day(errors["interval_of_day"])
    elif "interval_start" in errors.columns:
        tod = _time_of_day(pd.to_datetime(errors["interval_start"]))
    else:
        raise SchemaError("errors is missing column interval_of_day (or interval_start)", table="errors",
                          column="interval_of_day")
    err = pd.to_numeric(errors["error_frac"], errors="coerce")
    bad = ~np.isfinite(err.to_numpy(dtype=float, na_value=np.nan)) | (err.to_numpy(dtype=float, na_value=np.nan) < -1)
    if bad.any():
        raise SchemaError(
            f"errors.error_frac must be a finite number >= -1: {int(bad.sum())} rows violate it, "
            f"first at rows {errors.index[bad][:5].tolist()}",
            table="errors",
            column="error_frac",
            rows=errors.index[bad][:5].tolist(),
        )
    e = pd.DataFrame({"queue": errors["queue"].astype(str).to_numpy(), "tod": tod.to_numpy(), "e": err.to_numpy()})
    qs = [0.5, quantile]
    by_slot = e.groupby(["queue", "tod"])["e"]
    slot = by_slot.quantile(qs).unstack()
    slot = slot[by_slot.size() >= min_samples]
    pooled = e.groupby("queue")["e"].quantile(qs).unstack()

    queues = frame["queue"].astype(str)
    missing = sorted(set(queues) - set(pooled.index))
    if missing:
        raise SchemaError(f"errors has no error samples for queue(s) {missing}", table="errors", column="queue")
    key = pd.MultiIndex.from_arrays([queues.to_numpy(), _time_of_day(pd.to_datetime(frame["interval_start"])).to_numpy()])
    per_slot = slot.reindex(key)
    per_queue = pooled.reindex(queues.to_numpy())
    e50 = np.where(per_slot[0.5].isna(), per_queue[0.5].to_numpy(), per_slot[0.5].to_numpy())
    eq = np.where(per_slot[quantile].isna(), per_queue[quantile].to_numpy(), per_slot[quantile].to_numpy())
    return e50.astype(float), eq.astype(float)


def reserve_requirement(
    frame: pd.DataFrame,
    *,
    quantile: float = 0.9,
    errors: pd.DataFrame | None = None,
    min_error_samples: int = 8,
    service_level_target_frac: float | None = None,
    target_s: float | None = None,
    asa_target_s: float | None = None,
    max_abandon_frac: float | None = None,
    max_occupancy_frac: float | None = None,
    shrinkage_frac: float = 0.0,
    max_agents: int | None = None,
) -> ReserveRequirement:
    """Staff at the forecast's p50 and at ``quantile``; the difference is the reserve force.

    Parameters
    ----------
    frame : pandas.DataFrame
        A forecast: ``queue, interval_start, interval_min, calls_forecast``, the AHT as
        ``aht_s_forecast`` or ``aht_s``, optionally ``patience_s`` (Erlang A), and - unless
        ``errors`` is given - the quantile column ``calls_pNN`` for ``quantile`` (see
        :func:`quantile_column`; ``calls_p50`` is used for the median when present, else
        ``calls_forecast``). Not modified.
    quantile : float, default 0.9
        Quantile of the forecast distribution to cover, in [0.5, 1).
    errors : pandas.DataFrame, optional
        Backtest errors ``queue``, ``interval_of_day`` (HH:MM) or ``interval_start``,
        ``error_frac`` (``(actual - forecast) / forecast``). When given, quantile columns are
        not needed.
    min_error_samples : int, default 8
        Fewest error samples for a (queue, time of day) slot to use its own quantiles; fewer
        fall back to the queue's pooled errors.
    service_level_target_frac, target_s, asa_target_s, max_abandon_frac, max_occupancy_frac, shrinkage_frac, max_agents
        Staffing targets, exactly as in :func:`~ccomkit.wfm.staffing.required_agents`.

    Returns
    -------
    ReserveRequirement
        ``.intervals`` (per interval) and ``.daily`` (per queue and day); see the class.

    Examples
    --------
    >>> import pandas as pd
    >>> fc = pd.DataFrame({
    ...     "queue": "billing", "interval_start": pd.to_datetime(["2026-03-02 09:00", "2026-03-02 09:30"]),
    ...     "interval_min": 30, "calls_forecast": [100.0, 0.0], "calls_p50": [100.0, 0.0],
    ...     "calls_p90": [125.0, 3.0], "aht_s_forecast": [180.0, 180.0]})
    >>> res = reserve_requirement(fc, quantile=0.9, service_level_target_frac=0.8, target_s=20, shrinkage_frac=0.3)
    >>> res.intervals[["agents_p50", "agents_q", "reserve_agents", "reserve_fte", "status"]]
       agents_p50  agents_q  reserve_agents  reserve_fte status
    0          14        16               2            3     ok
    1           0         2               2            3     ok
    >>> res.daily[["queue", "peak_reserve_agents", "reserve_agent_hours"]]
         queue  peak_reserve_agents  reserve_agent_hours
    0  billing                    2                  2.0
    """
    owner = "reserve_requirement"
    if not (isinstance(quantile, (int, float)) and not isinstance(quantile, bool) and 0.5 <= quantile < 1):
        raise ParameterError.expected(owner, "quantile", "a float in [0.5, 1)", quantile)
    if not (isinstance(min_error_samples, int) and min_error_samples >= 1):
        raise ParameterError.expected(owner, "min_error_samples", "an int >= 1", min_error_samples)
    require_columns(frame, ["queue", "interval_start", "interval_min", "calls_forecast"], _TABLE)
    aht_column = "aht_s_forecast" if "aht_s_forecast" in frame.columns else "aht_s"
    require_columns(frame, [aht_column], _TABLE)
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
    if errors is None:
        q_col = quantile_column(quantile)
        if q_col not in frame.columns:
            raise SchemaError(
                f"{_TABLE} is missing column {q_col} (the forecast's {quantile:g} quantile); "
                "forecast with that quantile or pass errors= (a backtest error table)",
                table=_TABLE,
                column=q_col,
            )
        p50_col = "calls_p50" if "calls_p50" in frame.columns else "calls_forecast"
        calls_p50 = interval_arrays(frame, _TABLE, calls_column=p50_col, aht_column=aht_column)["calls"]
        calls_q = interval_arrays(frame, _TABLE, calls_column=q_col, aht_column=aht_column)["calls"]
    else:
        point = interval_arrays(frame, _TABLE, calls_column="calls_forecast", aht_column=aht_column)["calls"]
        e50, eq = _error_quantiles(frame, errors, float(quantile), min_error_samples)
        calls_p50 = point * np.maximum(1.0 + e50, 0.0)
        calls_q = point * np.maximum(1.0 + eq, 0.0)
    calls_q = np.maximum(calls_q, calls_p50)  # the upper quantile never needs fewer calls than the median

    # AHT is needed wherever either scenario has calls
    arr = interval_arrays(frame.assign(_calls=np.maximum(calls_p50, calls_q)), _TABLE,
                          calls_column="_calls", aht_column=aht_column)
    aht, interval, patience = arr["aht"], arr["interval"], arr.get("patience")
    at50 = staff_arrays(calls_p50, aht, interval, patience, p)
    atq = staff_arrays(calls_q, aht, interval, patience, p)

    out = pd.DataFrame(
        {
            "queue": frame["queue"].to_numpy(),
            "interval_start": pd.to_datetime(frame["interval_start"]).to_numpy(),
            "interval_min": frame["interval_min"].to_numpy(),
            "quantile": float(quantile),
            "calls_p50": calls_p50,
            "calls_q": calls_q,
            "aht_s": frame[aht_column].to_numpy(dtype=float, na_value=np.nan),
            "agents_p50": at50["agents_required"].astype(np.int64),
            "agents_q": atq["agents_required"].astype(np.int64),
        },
        index=frame.index,
    )
    out["reserve_agents"] = np.maximum(out["agents_q"] - out["agents_p50"], 0)
    out["fte_p50"] = at50["fte_required"].astype(np.int64)
    out["fte_q"] = atq["fte_required"].astype(np.int64)
    out["reserve_fte"] = np.maximum(out["fte_q"] - out["fte_p50"], 0)
    capped = at50["capped"] | atq["capped"]
    status = np.where(calls_q > 0, "ok", "zero_load").astype(object)
    status[capped] = "capped"
    out["status"] = status
    if capped.any():
        warnings.warn(
            f"reserve_requirement: {int(capped.sum())} of {len(out)} rows cannot meet the targets within "
            f"{'max_agents=' + str(p['cap']) if p['cap'] is not None else 'the internal cap'}; "
            "they are flagged status='capped'.",
            CcomkitWarning,
            stacklevel=2,
        )
    return ReserveRequirement(intervals=out, daily=_daily(out))


def _daily(intervals: pd.DataFrame) -> pd.DataFrame:
    hours = intervals["interval_min"].astype(float) / 60.0
    work = pd.DataFrame(
        {
            "queue": intervals["queue"].to_numpy(),
            "date": pd.to_datetime(intervals["interval_start"]).dt.normalize().to_numpy(),
            "reserve_agents": intervals["reserve_agents"].to_numpy(),
            "reserve_fte": intervals["reserve_fte"].to_numpy(),
            "reserve_agent_hours": (intervals["reserve_agents"] * hours).to_numpy(),
            "agent_hours_p50": (intervals["agents_p50"] * hours).to_numpy(),
        }
    )
    daily = work.groupby(["queue", "date"], sort=True).agg(
        peak_reserve_agents=("reserve_agents", "max"),
        peak_reserve_fte=("reserve_fte", "max"),
        reserve_agent_hours=("reserve_agent_hours", "sum"),
        agent_hours_p50=("agent_hours_p50", "sum"),
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        daily["reserve_share_frac"] = np.where(
            daily["agent_hours_p50"] > 0, daily["reserve_agent_hours"] / daily["agent_hours_p50"], np.nan
        )
    return daily.reset_index()
