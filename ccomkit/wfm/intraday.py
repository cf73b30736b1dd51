"""Intraday management: adherence, conformance, plan vs actual, rest-of-day reforecast, 排班师 KPIs.

The roster of issue 4 (one row per agent activity: ``agent_id, start, end, activity`` with
``activity`` in work / break / lunch, naive local timestamps) becomes the ``schedule`` contract
with :func:`roster_to_schedule`; from there the grid functions of :mod:`ccomkit.kpi`
(:func:`~ccomkit.kpi.schedule_grid`, :func:`~ccomkit.kpi.adherence_grid`) do the interval
arithmetic, and this module aggregates and interprets it (DOMAIN.md §2.2, §3.5):

* :func:`adherence` - in-adherence minutes over scheduled minutes, per agent and interval or
  day, with the out-of-adherence minutes split by scheduled activity;
* :func:`conformance` - worked (productive) minutes over scheduled work minutes, and the
  per-activity variant ``Σ min(S_a, R_a) / Σ S_a`` over the period's totals;
* :func:`scheduled_staff` - agents scheduled on each queue per interval (work, break, offline);
* :func:`plan_vs_actual` - per queue and interval: volume, AHT, staff scheduled vs logged in,
  service level planned (Erlang C on forecast and scheduled staff) vs actual;
* :func:`reforecast_rest_of_day` - the morning's observed/forecast ratio (shrunk toward 1 by
  volume, bounded) applied to the rest of the day, the requirement recomputed and the gap to
  scheduled staff turned into an action (move breaks, cancel offline work, call in the reserve,
  offer VTO);
* :func:`scheduler_kpis` - the scheduler's KPIs of DOMAIN.md §3.5.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Literal, Sequence

import numpy as np
import pandas as pd

from ccomkit.errors import ParameterError, SchemaError
from ccomkit.schemas import ACTIVITIES, require_columns

__all__ = [
    "ROSTER_ACTIVITIES",
    "INTRADAY_ACTIONS",
    "roster_to_schedule",
]

ROSTER_ACTIVITIES: tuple[str, ...] = ("work", "break", "lunch")
"""Activities of the issue-4 roster format (``lunch`` is the schedule contract's ``meal``)."""

INTRADAY_ACTIONS: tuple[str, ...] = ("none", "move_breaks", "cancel_offline", "call_in_reserve",
                                     "offer_vto")
"""Action codes of :func:`reforecast_rest_of_day`, cheapest first for a shortfall."""

_ROSTER_TO_SCHEDULE = {"work": "work", "break": "break", "lunch": "meal", "meal": "meal"}
_US_PER_MIN = 60_000_000


# --------------------------------------------------------------------------------------------
# validation helpers
# --------------------------------------------------------------------------------------------
def _timestamps(frame: pd.DataFrame, column: str, table: str) -> pd.Series:
    """Naive local timestamps (tz-aware values are converted to Asia/Shanghai)."""
    s = frame[column]
    if not pd.api.types.is_datetime64_any_dtype(s.dtype):
        parsed = pd.to_datetime(s, errors="coerce", format="mixed")
        bad = parsed.isna().to_numpy()
        if bad.any():
            pos = np.flatnonzero(bad)
            raise SchemaError(
                f"{table}.{column} must be a date-time (YYYY-MM-DD HH:MM): {len(pos)} rows violate "
                f"it, first at rows {frame.index[pos[:5]].tolist()} "
                f"(values {s.iloc[pos[:5]].tolist()})",
                table=table, column=column, rows=frame.index[pos[:5]].tolist())
        s = parsed
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        s = s.dt.tz_convert("Asia/Shanghai").dt.tz_localize(None)
    if s.isna().any():
        pos = np.flatnonzero(s.isna().to_numpy())
        raise SchemaError(f"{table}.{column} is empty in {len(pos)} rows, first at rows "
                          f"{frame.index[pos[:5]].tolist()}", table=table, column=column,
                          rows=frame.index[pos[:5]].tolist())
    return s.astype("datetime64[us]").reset_index(drop=True)


def _roster_frame(roster: pd.DataFrame, table: str = "roster") -> pd.DataFrame:
    """A validated copy of an issue-4 roster: agent_id (str), start, end, activity (+ extras).

    ``lunch`` and ``meal`` are both accepted; overlapping activities of one agent are an error.
    """
    if not isinstance(roster, pd.DataFrame):
        raise ParameterError.expected(table, table, "a pandas DataFrame", type(roster).__name__)
    require_columns(roster, ["agent_id", "start", "end", "activity"], table)
    out = roster.reset_index(drop=True).copy()
    if out["agent_id"].isna().any():
        pos = np.flatnonzero(out["agent_id"].isna().to_numpy())
        raise SchemaError(f"{table}.agent_id is empty in {len(pos)} rows, first at rows "
                          f"{roster.index[pos[:5]].tolist()}", table=table, column="agent_id",
                          rows=roster.index[pos[:5]].tolist())
    out["agent_id"] = out["agent_id"].astype(str)
    out["start"] = _timestamps(roster, "start", table)
    out["end"] = _timestamps(roster, "end", table)
    act = out["activity"].astype(str).str.strip().str.lower()
    bad = ~act.isin(list(_ROSTER_TO_SCHEDULE)).to_numpy()
    if bad.any():
        pos = np.flatnonzero(bad)
        raise SchemaError(
            f"{table}.activity must be one of work, break, lunch: {len(pos)} rows violate it, "
            f"first at rows {roster.index[pos[:5]].tolist()} (values "
            f"{roster['activity'].iloc[pos[:5]].tolist()})",
            table=table, column="activity", rows=roster.index[pos[:5]].tolist())
    out["activity"] = act.replace({"meal": "lunch"})
    bad = (out["end"] <= out["start"]).to_numpy()
    if bad.any():
        pos = np.flatnonzero(bad)
        raise SchemaError(f"{table}.end must be after start: {len(pos)} rows violate it, first at "
                          f"rows {roster.index[pos[:5]].tolist()}", table=table, column="end",
                          rows=roster.index[pos[:5]].tolist())
    out = out.sort_values(["agent_id", "start"], kind="stable").reset_index(drop=True)
    same = out["agent_id"].to_numpy()[1:] == out["agent_id"].to_numpy()[:-1]
    overlap = same & (out["start"].to_numpy()[1:] < out["end"].to_numpy()[:-1])
    if overlap.any():
        i = int(np.flatnonzero(overlap)[0])
        raise SchemaError(
            f"{table}: activities of one agent must not overlap; {int(overlap.sum())} overlaps, "
            f"first agent {out['agent_id'].iloc[i]!r}: {out['start'].iloc[i]}-{out['end'].iloc[i]} "
            f"and {out['start'].iloc[i + 1]}-{out['end'].iloc[i + 1]}",
            table=table, column="start")
    return out


def _shift_numbers(roster: pd.DataFrame, max_gap_min: float) -> np.ndarray:
    """Shift number of each row of a validated roster (sorted by agent, start): a new shift
    starts at a new agent or after a gap of more than ``max_gap_min`` minutes."""
    if len(roster) == 0:
        return np.zeros(0, dtype=np.int64)
    agent = roster["agent_id"].to_numpy()
    start = roster["start"].to_numpy()
    end = roster["end"].to_numpy()
    gap = (start[1:] - end[:-1]) / np.timedelta64(1, "m")
    new = np.concatenate([[True], (agent[1:] != agent[:-1]) | (gap > max_gap_min)])
    return np.cumsum(new) - 1


def _positive_number(owner: str, name: str, value: Any, *, allow_zero: bool = False,
                     allow_none: bool = False) -> float | None:
    if value is None and allow_none:
        return None
    ok = (isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
          and (value >= 0 if allow_zero else value > 0))
    if not ok:
        raise ParameterError.expected(owner, name, f"a finite number {'>=' if allow_zero else '>'} 0"
                                      + (" or None" if allow_none else ""), value)
    return float(value)


# --------------------------------------------------------------------------------------------
# roster -> schedule
# --------------------------------------------------------------------------------------------
def roster_to_schedule(
    roster: pd.DataFrame,
    *,
    queue: str | None = None,
    version: str = "published",
    max_gap_min: float = 60.0,
) -> pd.DataFrame:
    """Turn an issue-4 roster (``agent_id, start, end, activity``) into the ``schedule`` table.

    Consecutive activities of an agent separated by at most ``max_gap_min`` minutes form one
    shift; its ``shift_date`` is the date it starts (an overnight shift keeps the date it began)
    and its ``shift_code`` is ``HHMM-HHMM`` (start and end clock times). ``lunch`` becomes the
    contract's ``meal``.

    Parameters
    ----------
    roster : pandas.DataFrame
        ``agent_id, start, end, activity`` (work, break or lunch; naive local timestamps),
        optionally ``queue`` or ``queue_id`` (the queue worked). Not modified.
    queue : str, optional
        Queue for work segments when the roster has no queue column.
    version : str, default 'published'
        ``schedule_version`` of every row.
    max_gap_min : float, default 60
        Longest gap (minutes) inside one shift.

    Returns
    -------
    pandas.DataFrame
        The ``schedule`` contract: ``agent_id, shift_date, shift_code, start_at, end_at,
        activity, queue_id, schedule_version`` (``queue_id`` set on work rows only).

    Raises
    ------
    SchemaError
        A column is missing, a timestamp unreadable, an activity unknown, ``end <= start``, or
        two activities of one agent overlap.

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"agent_id": ["A1", "A1", "A1"],
    ...     "start": ["2026-03-02 09:00", "2026-03-02 11:00", "2026-03-02 11:15"],
    ...     "end": ["2026-03-02 11:00", "2026-03-02 11:15", "2026-03-02 17:00"],
    ...     "activity": ["work", "break", "work"]})
    >>> s = roster_to_schedule(r, queue="GEN")
    >>> s[["agent_id", "shift_code", "activity", "queue_id"]]
      agent_id shift_code activity queue_id
    0       A1  0900-1700     work      GEN
    1       A1  0900-1700    break     None
    2       A1  0900-1700     work      GEN
    """
    _positive_number("roster_to_schedule", "max_gap_min", max_gap_min, allow_zero=True)
    r = _roster_frame(roster)
    shift = _shift_numbers(r, max_gap_min)
    first = r.groupby(shift)["start"].transform("min")
    last = r.groupby(shift)["end"].transform("max")
    codes = first.dt.strftime("%H%M") + "-" + last.dt.strftime("%H%M")
    if "queue_id" in r.columns:
        qcol = r["queue_id"]
    elif "queue" in r.columns:
        qcol = r["queue"]
    else:
        qcol = pd.Series(queue, index=r.index, dtype=object)
    act = r["activity"].map(_ROSTER_TO_SCHEDULE)
    out = pd.DataFrame({
        "agent_id": r["agent_id"].to_numpy(dtype=object),
        "shift_date": first.dt.normalize().astype("datetime64[s]").to_numpy(),
        "shift_code": codes.to_numpy(dtype=object),
        "start_at": r["start"].to_numpy(),
        "end_at": r["end"].to_numpy(),
        "activity": act.to_numpy(dtype=object),
        "queue_id": pd.Series(np.where(act.to_numpy() == "work", qcol.to_numpy(dtype=object), None),
                              dtype=object),
        "schedule_version": version,
    })
    out["queue_id"] = out["queue_id"].astype(object).where(out["queue_id"].notna(), None)
    return out
