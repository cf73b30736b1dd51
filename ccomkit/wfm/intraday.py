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
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from ccomkit.errors import ParameterError, SchemaError
from ccomkit.kpi import AUX_STATES, adherence_grid, compute, schedule_grid
from ccomkit.schemas import require_columns
from ccomkit.wfm.backtest import forecast_metrics
from ccomkit.wfm.erlang import service_level
from ccomkit.wfm.staffing import required_agents

__all__ = [
    "ROSTER_ACTIVITIES",
    "INTRADAY_ACTIONS",
    "SCHEDULER_KPIS",
    "IntradayReforecast",
    "roster_to_schedule",
    "adherence",
    "conformance",
    "scheduled_staff",
    "plan_vs_actual",
    "reforecast_rest_of_day",
    "scheduler_kpis",
]

ROSTER_ACTIVITIES: tuple[str, ...] = ("work", "break", "lunch")
"""Activities of the issue-4 roster format (``lunch`` is the schedule contract's ``meal``)."""

INTRADAY_ACTIONS: tuple[str, ...] = ("none", "move_breaks", "cancel_offline", "call_in_reserve",
                                     "offer_vto")
"""Action codes of :func:`reforecast_rest_of_day`, cheapest first for a shortfall."""

_ROSTER_TO_SCHEDULE = {"work": "work", "break": "break", "lunch": "meal", "meal": "meal"}


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
    and its ``shift_code`` is the roster's ``shift_code`` when it has one, else ``HHMM-HHMM``
    (start and end clock times). ``lunch`` becomes the contract's ``meal``.

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
    if "shift_code" in r.columns:  # the roster's own codes (e.g. from ccomkit.wfm.scheduling) win
        own = r["shift_code"].groupby(shift).transform("first")
        codes = own.where(own.notna() & (own.astype(str).str.strip() != ""), codes).astype(str)
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


# --------------------------------------------------------------------------------------------
# adherence and conformance
# --------------------------------------------------------------------------------------------
_GRAINS = ("interval", "day", "agent")


def _grain(owner: str, by: str) -> str:
    if by not in _GRAINS:
        raise ParameterError.expected(owner, "by", "one of 'interval', 'day', 'agent'", by)
    return by


def _group(g: pd.DataFrame, by: str, columns: list[str]) -> pd.DataFrame:
    """Sum ``columns`` of an agent-interval frame to the grain ``by``."""
    if by == "interval":
        return g[["agent_id", "interval_start", *columns]].reset_index(drop=True)
    keys = ["agent_id"]
    work = g[["agent_id", *columns]].copy()
    if by == "day":
        work["date"] = g["interval_start"].dt.normalize().to_numpy()
        keys.append("date")
    return work.groupby(keys, sort=True, observed=True)[columns].sum().reset_index()


def _frac(num: pd.Series, den: pd.Series) -> np.ndarray:
    n, d = num.to_numpy(dtype=float), den.to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(d > 0, n / d, np.nan)


def adherence(
    agent_interval: pd.DataFrame,
    schedule: pd.DataFrame,
    *,
    by: Literal["interval", "day", "agent"] = "interval",
    present_only: bool = True,
    version: str = "published",
) -> pd.DataFrame:
    """Schedule adherence (遵时率) per agent and interval, day or whole period (DOMAIN.md §2.2).

    ``adherence = in-adherence minutes / scheduled minutes``, where in each agent-interval the
    in-adherence time is ``min(scheduled work, productive)`` plus, for every aux activity (break,
    meal, training, meeting, coaching, other), ``min(scheduled, actual aux)`` - exactly
    :func:`ccomkit.kpi.adherence_grid`, whose interval-grain approximation applies (the order of
    states inside an interval is unknown, so this is an upper bound of event-level adherence;
    no 2-minute grace). Out-of-adherence minutes are split by the *scheduled* activity that was
    not followed (``out_work_min``: scheduled on the phones but not available; ``out_break_min``:
    a scheduled break not taken then, ...). Sums are taken before dividing.

    Parameters
    ----------
    agent_interval : pandas.DataFrame
        The ``agent_interval`` table. Not modified.
    schedule : pandas.DataFrame
        The ``schedule`` table (e.g. from :func:`roster_to_schedule`). Not modified.
    by : {'interval', 'day', 'agent'}, default 'interval'
        Grain of the result.
    present_only : bool, default True
        Count only days the agent logged in (DOMAIN: adherence is counted while present;
        absence belongs to attendance).
    version : str, default 'published'
        ``schedule_version`` to compare with.

    Returns
    -------
    pandas.DataFrame
        ``agent_id``, ``interval_start`` (by interval) or ``date`` (by day), ``scheduled_min``,
        ``in_adherence_min``, ``out_of_adherence_min``, ``adherence_frac``, and
        ``out_<activity>_min`` for work, break, meal, training, meeting, coaching, other.
        Only agent-intervals with scheduled time appear.

    Examples
    --------
    Scheduled 09:00-09:30 work and 09:30-10:00 break; the agent took the break in the first
    half-hour (1200 s productive + 600 s break) and worked through the second (1800 s).
    First interval: min(1800 work, 1200 productive) + min(0 break, 600) = 1200 s; second:
    min(0 work, 1800) + min(1800 break, 0) = 0 s. 1200 s of 3600 s, out of adherence 10 min of
    work and 30 min of break:

    >>> import pandas as pd
    >>> ai = pd.DataFrame({"agent_id": "A1", "interval_min": 30,
    ...     "interval_start": pd.to_datetime(["2026-03-02 09:00", "2026-03-02 09:30"]),
    ...     "login_s": [1800.0, 1800.0], "ready_idle_s": [200.0, 300.0], "talk_s": [1000.0, 1500.0],
    ...     "aux_break_s": [600.0, 0.0], "handled": [4, 6]})
    >>> sc = pd.DataFrame({"agent_id": "A1",
    ...     "start_at": pd.to_datetime(["2026-03-02 09:00", "2026-03-02 09:30"]),
    ...     "end_at": pd.to_datetime(["2026-03-02 09:30", "2026-03-02 10:00"]),
    ...     "activity": ["work", "break"]})
    >>> adherence(ai, sc, by="day")[["scheduled_min", "in_adherence_min", "adherence_frac",
    ...                              "out_work_min", "out_break_min"]]
       scheduled_min  in_adherence_min  adherence_frac  out_work_min  out_break_min
    0           60.0              20.0        0.333333          10.0           30.0
    """
    owner = "adherence"
    by = _grain(owner, by)
    if not isinstance(present_only, bool):
        raise ParameterError.expected(owner, "present_only", "True or False", present_only)
    g = adherence_grid(agent_interval, schedule, version=version)
    if present_only:
        g = g[g["present_day"].to_numpy(dtype=bool)]
    g = g[g["sched_adherence_s"].to_numpy() > 0]
    cols = {"scheduled_min": g["sched_adherence_s"] / 60.0, "in_adherence_min": g["in_adherence_s"] / 60.0}
    out_cols = {"out_work_min": (g["sched_work_s"] - g["in_adherence_work_s"]) / 60.0}
    for a in AUX_STATES:
        s_a = g[f"sched_{a}_s"]
        out_cols[f"out_{a}_min"] = (s_a - np.minimum(s_a, g[f"aux_{a}_s"])) / 60.0
    work = pd.DataFrame({"agent_id": g["agent_id"].to_numpy(), "interval_start": g["interval_start"].to_numpy(),
                         **{k: v.to_numpy() for k, v in cols.items()},
                         **{k: v.to_numpy() for k, v in out_cols.items()}})
    out = _group(work, by, [*cols, *out_cols])
    out.insert(out.columns.get_loc("in_adherence_min") + 1, "out_of_adherence_min",
               out["scheduled_min"] - out["in_adherence_min"])
    out.insert(out.columns.get_loc("out_of_adherence_min") + 1, "adherence_frac",
               _frac(out["in_adherence_min"], out["scheduled_min"]))
    return out


def conformance(
    agent_interval: pd.DataFrame,
    schedule: pd.DataFrame,
    *,
    by: Literal["interval", "day", "agent"] = "day",
    version: str = "published",
) -> pd.DataFrame:
    """Schedule conformance (班表符合率) per agent and interval, day or period (DOMAIN.md §2.2).

    Conformance compares *amounts*, not timing: ``conformance_frac = worked (productive:
    ready idle + talk + hold + ACW) minutes / scheduled work minutes`` over the period (may
    exceed 1 with overtime), and ``activity_conformance_frac = Σ_a min(S_a, R_a) / Σ_a S_a``
    over work and the aux activities, with ``S_a``, ``R_a`` the period's scheduled and actual
    minutes of activity ``a``. At interval grain the per-activity variant equals adherence;
    over a day it forgives a break taken at another time than scheduled.

    Parameters
    ----------
    agent_interval, schedule : pandas.DataFrame
        The ``agent_interval`` and ``schedule`` tables. Not modified.
    by : {'interval', 'day', 'agent'}, default 'day'
    version : str, default 'published'

    Returns
    -------
    pandas.DataFrame
        ``agent_id``, ``interval_start`` or ``date`` (by interval / day), ``sched_work_min``,
        ``worked_min``, ``conformance_frac``, ``activity_conformance_frac``, and
        ``sched_<a>_min`` / ``actual_<a>_min`` for work and each aux activity. Agent-intervals
        neither scheduled nor logged in do not appear; absent days count (0 worked).

    Examples
    --------
    The same agent as in :func:`adherence`: over the day 60 scheduled minutes (30 work, 30
    break), 50 worked and 10 on break: conformance = 50 / 30, per activity
    (min(30, 50) + min(30, 10)) / 60 = 40 / 60:

    >>> import pandas as pd
    >>> ai = pd.DataFrame({"agent_id": "A1", "interval_min": 30,
    ...     "interval_start": pd.to_datetime(["2026-03-02 09:00", "2026-03-02 09:30"]),
    ...     "login_s": [1800.0, 1800.0], "ready_idle_s": [200.0, 300.0], "talk_s": [1000.0, 1500.0],
    ...     "aux_break_s": [600.0, 0.0], "handled": [4, 6]})
    >>> sc = pd.DataFrame({"agent_id": "A1",
    ...     "start_at": pd.to_datetime(["2026-03-02 09:00", "2026-03-02 09:30"]),
    ...     "end_at": pd.to_datetime(["2026-03-02 09:30", "2026-03-02 10:00"]),
    ...     "activity": ["work", "break"]})
    >>> conformance(ai, sc)[["sched_work_min", "worked_min", "conformance_frac",
    ...                      "activity_conformance_frac"]].round(4)
       sched_work_min  worked_min  conformance_frac  activity_conformance_frac
    0            30.0        50.0            1.6667                     0.6667
    """
    by = _grain("conformance", by)
    g = adherence_grid(agent_interval, schedule, version=version)
    acts = ["work", *AUX_STATES]
    data: dict[str, Any] = {"agent_id": g["agent_id"].to_numpy(), "interval_start": g["interval_start"].to_numpy()}
    for a in acts:
        data[f"sched_{a}_min"] = g[f"sched_{a}_s"].to_numpy() / 60.0
        data[f"actual_{a}_min"] = (g["productive_s"] if a == "work" else g[f"aux_{a}_s"]).to_numpy() / 60.0
    cols = [c for c in data if c not in ("agent_id", "interval_start")]
    out = _group(pd.DataFrame(data), by, cols)
    within = sum(np.minimum(out[f"sched_{a}_min"], out[f"actual_{a}_min"]) for a in acts)
    sched = sum(out[f"sched_{a}_min"] for a in acts)
    lead = ["agent_id"] + [c for c in ("interval_start", "date") if c in out.columns]
    head = out[lead].copy()
    head["sched_work_min"] = out["sched_work_min"].to_numpy()
    head["worked_min"] = out["actual_work_min"].to_numpy()
    head["conformance_frac"] = _frac(out["actual_work_min"], out["sched_work_min"])
    head["activity_conformance_frac"] = _frac(within, sched)
    rest = out[[c for c in cols if c not in ("sched_work_min", "actual_work_min")]]
    return pd.concat([head, rest], axis=1)


# --------------------------------------------------------------------------------------------
# scheduled staff per queue
# --------------------------------------------------------------------------------------------
def scheduled_staff(
    schedule: pd.DataFrame,
    interval_min: int = 30,
    *,
    version: str = "published",
    default_queue: str = "all",
) -> pd.DataFrame:
    """Agents scheduled per queue and interval: on the phones, on break or meal, and offline.

    Each shift (agent and ``shift_date``) belongs to the queue of its work segments (the first
    one named); breaks and offline activities of that shift count for the same queue. Partial
    intervals give fractional agents (scheduled seconds / interval seconds).

    Parameters
    ----------
    schedule : pandas.DataFrame
        The ``schedule`` table (``queue_id`` optional). Not modified.
    interval_min : int, default 30
        Grid (5, 10, 15, 30 or 60 minutes).
    version : str, default 'published'
    default_queue : str, default 'all'
        Queue of shifts without any ``queue_id``.

    Returns
    -------
    pandas.DataFrame
        ``queue, interval_start, interval_min, agents_scheduled`` (work), ``agents_break``
        (break and meal), ``agents_offline`` (training, meeting, coaching, other).

    Examples
    --------
    >>> import pandas as pd
    >>> sc = pd.DataFrame({"agent_id": ["A1", "A1", "A2"], "shift_date": pd.to_datetime(["2026-03-02"] * 3),
    ...     "start_at": pd.to_datetime(["2026-03-02 09:00", "2026-03-02 09:30", "2026-03-02 09:00"]),
    ...     "end_at": pd.to_datetime(["2026-03-02 09:30", "2026-03-02 09:45", "2026-03-02 10:00"]),
    ...     "activity": ["work", "break", "work"], "queue_id": ["GEN", None, "GEN"]})
    >>> scheduled_staff(sc)[["queue", "interval_start", "agents_scheduled", "agents_break"]]
      queue      interval_start  agents_scheduled  agents_break
    0   GEN 2026-03-02 09:00:00               2.0           0.0
    1   GEN 2026-03-02 09:30:00               1.0           0.5
    """
    require_columns(schedule, ["agent_id", "start_at", "end_at"], "schedule")
    sc = schedule
    if "schedule_version" in sc.columns:
        sc = sc[sc["schedule_version"] == version]
    start = _timestamps(sc, "start_at", "schedule")
    day = (_timestamps(sc, "shift_date", "schedule").dt.normalize() if "shift_date" in sc.columns
           else start.dt.normalize())
    q = (sc["queue_id"].reset_index(drop=True) if "queue_id" in sc.columns
         else pd.Series(None, index=start.index, dtype=object))
    key = pd.DataFrame({"a": sc["agent_id"].astype(str).to_numpy(), "d": day.to_numpy(), "q": q.to_numpy()})
    shift_q = key.groupby(["a", "d"], sort=False)["q"].transform("first").fillna(default_queue)
    work = sc.reset_index(drop=True).assign(_queue=shift_q.astype(str).to_numpy())
    parts = []
    step_s = interval_min * 60.0
    for queue, part in work.groupby("_queue", sort=True):
        g = schedule_grid(part.drop(columns=["schedule_version"], errors="ignore"), interval_min)
        tot = g.groupby("interval_start", sort=True)[[c for c in g.columns if c.startswith("sched_")]].sum()
        parts.append(pd.DataFrame({
            "queue": queue, "interval_start": tot.index.to_numpy(), "interval_min": interval_min,
            "agents_scheduled": (tot["sched_work_s"] / step_s).to_numpy(),
            "agents_break": ((tot["sched_break_s"] + tot["sched_meal_s"]) / step_s).to_numpy(),
            "agents_offline": ((tot["sched_training_s"] + tot["sched_meeting_s"] + tot["sched_coaching_s"]
                                + tot["sched_other_s"]) / step_s).to_numpy(),
        }))
    if not parts:
        return pd.DataFrame({"queue": pd.Series(dtype=object), "interval_start": pd.Series(dtype="datetime64[us]"),
                             "interval_min": pd.Series(dtype=np.int64), "agents_scheduled": pd.Series(dtype=float),
                             "agents_break": pd.Series(dtype=float), "agents_offline": pd.Series(dtype=float)})
    return pd.concat(parts, ignore_index=True)


# --------------------------------------------------------------------------------------------
# plan vs actual
# --------------------------------------------------------------------------------------------
def _aht_column(frame: pd.DataFrame, table: str) -> str:
    for c in ("aht_s_forecast", "aht_s"):
        if c in frame.columns:
            return c
    raise SchemaError(f"{table} is missing column aht_s_forecast (or aht_s)", table=table, column="aht_s_forecast")


def _queue_column(frame: pd.DataFrame, table: str) -> str:
    for c in ("queue", "queue_id"):
        if c in frame.columns:
            return c
    raise SchemaError(f"{table} is missing column queue (or queue_id)", table=table, column="queue")


def _numbers(frame: pd.DataFrame, column: str, table: str, *, nonneg: bool = True,
             allow_nan: bool = False) -> np.ndarray:
    v = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    bad = (~np.isfinite(v) if not allow_nan else np.isinf(v)) | ((v < 0) if nonneg else False)
    if np.any(bad):
        pos = np.flatnonzero(bad)
        raise SchemaError(f"{table}.{column} must be a finite number{' >= 0' if nonneg else ''}: {len(pos)} rows "
                          f"violate it, first at rows {frame.index[pos[:5]].tolist()} (values "
                          f"{frame[column].iloc[pos[:5]].tolist()})", table=table, column=column,
                          rows=frame.index[pos[:5]].tolist())
    return v


def _erlang_sl(calls: np.ndarray, aht: np.ndarray, agents: np.ndarray, interval_min: np.ndarray,
               target_s: np.ndarray) -> np.ndarray:
    """Erlang C service level; NaN where an input is missing, 1 where there are no calls."""
    ok = np.isfinite(calls) & np.isfinite(agents) & np.isfinite(target_s) & ((calls == 0) | (aht > 0))
    out = np.full(calls.shape, np.nan)
    if ok.any():
        c, h = calls[ok], np.where(calls[ok] > 0, aht[ok], 1.0)
        a = c * h / (interval_min[ok] * 60.0)
        n = np.floor(np.maximum(agents[ok], 0) + 1e-9)
        out[ok] = service_level(a, n, h, target_s[ok])
    return out


def plan_vs_actual(
    plan: pd.DataFrame,
    acd_interval: pd.DataFrame,
    *,
    agent_interval: pd.DataFrame | None = None,
    target_s: float | None = None,
    sl_target_frac: float = 0.8,
) -> pd.DataFrame:
    """Plan against actual per queue and interval: volume, AHT, staff and service level.

    The planned service level is Erlang C on the forecast calls and AHT with the scheduled
    agents (whole agents: fractional scheduled staff is rounded down); the actual one is the
    KPI dictionary's default service level (``Ans<=T / (Offered - ShortAbn)``) from
    ``acd_interval`` via :func:`ccomkit.kpi.compute`. ``service_level_erlang_actual`` applies
    Erlang C to what happened (actual calls and AHT, agents actually available) - next to the
    two others it tells a forecast miss from a staffing miss.

    Parameters
    ----------
    plan : pandas.DataFrame
        ``queue, interval_start, interval_min, calls_forecast``, ``aht_s_forecast`` (or
        ``aht_s``), ``agents_scheduled`` (e.g. from :func:`scheduled_staff`), optionally
        ``agents_required``. Not modified.
    acd_interval : pandas.DataFrame
        The ``acd_interval`` table. Not modified.
    agent_interval : pandas.DataFrame, optional
        The ``agent_interval`` table: logged-in and available agents per main queue. Without
        it ``agents_logged`` is ``acd_interval.avg_agents_staffed`` (when present).
    target_s : float, optional
        Threshold of the planned service level; default each queue's ``sl_threshold_s``.
    sl_target_frac : float, default 0.8
        Target for ``sl_met`` (actual service level >= target).

    Returns
    -------
    pandas.DataFrame
        One row per plan row: ``queue, interval_start, interval_min, calls_forecast,
        calls_actual, calls_diff_frac`` ((actual - forecast) / forecast), ``aht_s_forecast,
        aht_s_actual, agents_required`` (NaN when the plan has none), ``agents_scheduled,
        agents_logged, agents_productive, sl_target_s, service_level_plan,
        service_level_actual, sl_answered_within_t, sl_base, service_level_erlang_actual,
        sl_met``. Intervals missing from ``acd_interval`` have NaN actuals.

    Examples
    --------
    >>> import pandas as pd
    >>> plan = pd.DataFrame({"queue": "GEN", "interval_start": pd.to_datetime(["2026-03-02 09:00"]),
    ...     "interval_min": 30, "calls_forecast": [100.0], "aht_s_forecast": [180.0],
    ...     "agents_scheduled": [14.0]})
    >>> acd = pd.DataFrame({"queue_id": "GEN", "interval_start": pd.to_datetime(["2026-03-02 09:00"]),
    ...     "interval_min": 30, "offered": [120], "answered": [112], "answered_within_t": [70],
    ...     "abandoned": [8], "abandoned_short": [2], "sl_threshold_s": 20, "short_abandon_s": 5,
    ...     "handled": [112], "sum_wait_answered_s": [3000], "sum_talk_s": [18000], "sum_hold_s": [0],
    ...     "sum_acw_s": [2160], "avg_agents_staffed": [14.0]})
    >>> r = plan_vs_actual(plan, acd)
    >>> r[["calls_actual", "calls_diff_frac", "aht_s_actual"]]
       calls_actual  calls_diff_frac  aht_s_actual
    0         120.0              0.2         180.0
    >>> r[["service_level_plan", "service_level_actual", "service_level_erlang_actual"]].round(3)
       service_level_plan  service_level_actual  service_level_erlang_actual
    0               0.888                 0.593                        0.614

    20 % more calls than planned: Erlang C on the actual load and staff says 0.614, the
    center reached 70 / (120 - 2 short abandons) = 0.593.
    """
    owner = "plan_vs_actual"
    _positive_number(owner, "target_s", target_s, allow_zero=True, allow_none=True)
    if not (isinstance(sl_target_frac, numbers.Real) and 0 < sl_target_frac < 1):
        raise ParameterError.expected(owner, "sl_target_frac", "a float in (0, 1)", sl_target_frac)
    require_columns(plan, ["queue", "interval_start", "interval_min", "calls_forecast", "agents_scheduled"], "plan")
    aht_col = _aht_column(plan, "plan")
    require_columns(acd_interval, ["queue_id", "interval_start", "offered"], "acd_interval")
    p = pd.DataFrame({
        "queue": plan["queue"].astype(str).to_numpy(),
        "interval_start": _timestamps(plan, "interval_start", "plan").to_numpy(),
        "interval_min": _numbers(plan, "interval_min", "plan"),
        "calls_forecast": _numbers(plan, "calls_forecast", "plan"),
        "aht_s_forecast": _numbers(plan, aht_col, "plan", allow_nan=True),
        "agents_scheduled": _numbers(plan, "agents_scheduled", "plan"),
        "agents_required": (_numbers(plan, "agents_required", "plan") if "agents_required" in plan.columns
                            else np.nan),
    })
    acd = acd_interval.reset_index(drop=True).copy()
    acd["queue_id"] = acd["queue_id"].astype(str)
    acd["interval_start"] = _timestamps(acd, "interval_start", "acd_interval").to_numpy()
    key = ["queue", "interval_start"]
    tidy = compute(acd, ["service_level", "aht_s"], by=["queue_id"], freq="interval")
    wide = tidy.pivot(index=["queue_id", "period"], columns="kpi_id", values=["numerator", "denominator", "value"])
    act = pd.DataFrame({
        "queue": wide.index.get_level_values(0).astype(str),
        "interval_start": wide.index.get_level_values(1).astype("datetime64[us]"),
        "aht_s_actual": wide[("value", "aht_s")].to_numpy(),
        "sl_answered_within_t": wide[("numerator", "service_level")].to_numpy(),
        "sl_base": wide[("denominator", "service_level")].to_numpy(),
        "service_level_actual": wide[("value", "service_level")].to_numpy(),
    })
    vol = acd.groupby(["queue_id", "interval_start"], sort=False).agg(
        calls_actual=("offered", "sum"),
        **({"agents_staffed": ("avg_agents_staffed", "sum")} if "avg_agents_staffed" in acd.columns else {}),
        **({"sl_t": ("sl_threshold_s", "first")} if "sl_threshold_s" in acd.columns else {}),
    ).reset_index().rename(columns={"queue_id": "queue"})
    vol["calls_actual"] = vol["calls_actual"].astype(float)
    act = vol.merge(act, on=key, how="left")
    if agent_interval is not None:
        require_columns(agent_interval, ["agent_id", "queue_id", "interval_start", "interval_min", "login_s",
                                         "ready_idle_s", "talk_s"], "agent_interval")
        ai = agent_interval
        prod = sum(pd.to_numeric(ai[c], errors="coerce").fillna(0.0) for c in ("ready_idle_s", "talk_s", "hold_s", "acw_s")
                   if c in ai.columns)
        step = pd.to_numeric(ai["interval_min"], errors="coerce") * 60.0
        staff = pd.DataFrame({
            "queue": ai["queue_id"].astype(str).to_numpy(),
            "interval_start": _timestamps(ai, "interval_start", "agent_interval").to_numpy(),
            "agents_logged": (pd.to_numeric(ai["login_s"], errors="coerce") / step).to_numpy(),
            "agents_productive": (prod / step).to_numpy(),
        }).groupby(key, sort=False).sum().reset_index()
        act = act.merge(staff, on=key, how="left")
        act[["agents_logged", "agents_productive"]] = act[["agents_logged", "agents_productive"]].fillna(0.0)
    else:
        act["agents_logged"] = act["agents_staffed"] if "agents_staffed" in act.columns else np.nan
        act["agents_productive"] = np.nan
    out = p.merge(act, on=key, how="left")
    if target_s is not None:
        t = np.full(len(out), float(target_s))
    elif "sl_t" in out.columns:
        per_q = act.groupby("queue")["sl_t"].first() if "sl_t" in act.columns else pd.Series(dtype=float)
        t = out["queue"].map(per_q).to_numpy(dtype=float)
    else:
        raise ParameterError.expected(owner, "target_s", "a number of seconds when acd_interval has no "
                                      "sl_threshold_s column", target_s)
    out["sl_target_s"] = t
    imin = out["interval_min"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["calls_diff_frac"] = np.where(out["calls_forecast"] > 0,
                                          (out["calls_actual"] - out["calls_forecast"]) / out["calls_forecast"], np.nan)
    out["service_level_plan"] = _erlang_sl(out["calls_forecast"].to_numpy(float), out["aht_s_forecast"].to_numpy(float),
                                           out["agents_scheduled"].to_numpy(float), imin, t)
    avail = np.where(np.isfinite(out["agents_productive"].to_numpy(float)), out["agents_productive"].to_numpy(float),
                     out["agents_logged"].to_numpy(float))
    out["service_level_erlang_actual"] = _erlang_sl(out["calls_actual"].to_numpy(float),
                                                    out["aht_s_actual"].to_numpy(float), avail, imin, t)
    sl = out["service_level_actual"].to_numpy(float)
    out["sl_met"] = pd.array(np.where(np.isnan(sl), None, sl >= sl_target_frac), dtype="boolean")
    cols = ["queue", "interval_start", "interval_min", "calls_forecast", "calls_actual", "calls_diff_frac",
            "aht_s_forecast", "aht_s_actual", "agents_required", "agents_scheduled", "agents_logged",
            "agents_productive", "sl_target_s", "service_level_plan", "service_level_actual",
            "sl_answered_within_t", "sl_base", "service_level_erlang_actual", "sl_met"]
    out["interval_min"] = out["interval_min"].astype(np.int64)
    return out[cols]


# --------------------------------------------------------------------------------------------
# rest-of-day reforecast
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class IntradayReforecast:
    """Result of :func:`reforecast_rest_of_day`.

    Attributes
    ----------
    intervals : pandas.DataFrame
        The rest of the day, one row per queue and interval starting at or after ``as_of``:
        ``queue, interval_start, interval_min, calls_forecast, calls_reforecast,
        aht_s_forecast, aht_s_reforecast, agents_required_forecast, agents_required,
        agents_scheduled, agents_break, agents_offline, gap_agents`` (whole scheduled agents
        minus required; negative = short), ``short_agents``, ``action`` (a code of
        :data:`INTRADAY_ACTIONS`), ``reserve_call_in_agents``.
    ratios : pandas.DataFrame
        One row per queue: ``queue, intervals_observed, calls_observed, calls_observed_used``
        (after clipping each interval), ``calls_forecast_observed, volume_ratio_raw``
        (observed / forecast), ``volume_ratio`` (shrunk and bounded), ``handled_observed,
        aht_ratio_raw, aht_ratio``.
    """

    intervals: pd.DataFrame
    ratios: pd.DataFrame


def _actuals_frame(actuals: pd.DataFrame) -> pd.DataFrame:
    qcol = _queue_column(actuals, "actuals")
    calls_col = "offered" if "offered" in actuals.columns else "calls_offered"
    require_columns(actuals, ["interval_start", calls_col], "actuals")
    out = pd.DataFrame({
        "queue": actuals[qcol].astype(str).to_numpy(),
        "interval_start": _timestamps(actuals, "interval_start", "actuals").to_numpy(),
        "calls": _numbers(actuals, calls_col, "actuals"),
    })
    if "handled" in actuals.columns and "sum_talk_s" in actuals.columns:
        out["handled"] = _numbers(actuals, "handled", "actuals")
        out["handle_s"] = sum(pd.to_numeric(actuals[c], errors="coerce").fillna(0.0).to_numpy()
                              for c in ("sum_talk_s", "sum_hold_s", "sum_acw_s") if c in actuals.columns)
    elif "handled" in actuals.columns and "aht_s" in actuals.columns:
        out["handled"] = _numbers(actuals, "handled", "actuals")
        out["handle_s"] = out["handled"] * pd.to_numeric(actuals["aht_s"], errors="coerce").fillna(0.0).to_numpy()
    return out.groupby(["queue", "interval_start"], sort=False).sum().reset_index()


def reforecast_rest_of_day(
    forecast: pd.DataFrame,
    actuals: pd.DataFrame,
    as_of: Any,
    *,
    scheduled: pd.DataFrame | None = None,
    service_level_target_frac: float | None = 0.8,
    target_s: float | None = 20.0,
    asa_target_s: float | None = None,
    max_occupancy_frac: float | None = None,
    shrink_calls: float = 50.0,
    shrink_handled: float = 30.0,
    ratio_bounds: tuple[float, float] = (0.5, 2.0),
    vto_min_agents: int = 2,
    break_window_min: float = 60.0,
) -> IntradayReforecast:
    """Re-forecast the rest of the day from the morning's actuals and say what to do.

    **Ratio.** Per queue, over the intervals of ``as_of``'s day that ended by ``as_of`` and
    have actuals: ``O`` = observed calls, ``F`` = forecast calls. The raw ratio ``O / F`` is
    shrunk toward 1 by volume, ``r = (O + k) / (F + k)`` with ``k = shrink_calls`` - the
    posterior mean of a Poisson rate ratio under a gamma prior centred on the forecast worth
    ``k`` calls: a quiet morning (few calls) barely moves the plan, a busy one moves it almost
    fully - then bounded to ``ratio_bounds`` (an outage or a flood of repeat calls should not
    triple the afternoon). Summing before dividing makes the ratio volume-weighted, so a
    near-empty interval with a wild ratio cannot dominate; and before summing, each interval's
    actual calls are clipped to ``[lo F_i - 3 s_i, hi F_i + 3 s_i]`` with ``s_i = sqrt(max(F_i,
    1))`` (the ratio bounds widened by three Poisson standard deviations; calls in an interval
    forecast empty still count up to 3), so one outage (no calls) or one
    flood interval cannot carry the whole morning (``calls_observed_used``). The AHT ratio is the same idea on
    handle time: ``(H + m * aht_f) / ((N + m) * aht_f)`` with ``N`` handled calls, ``H``
    their handle seconds, ``aht_f`` the handled-weighted forecast AHT and ``m =
    shrink_handled``, bounded alike (1 when ``actuals`` carry no handle time).

    **Requirement and gap.** The remaining intervals (starting at or after ``as_of``) get
    ``calls_forecast × r`` and ``aht × r_aht``, the agents required by
    :func:`~ccomkit.wfm.staffing.required_agents` with the targets given, and ``gap_agents`` =
    whole scheduled agents - required.

    **Action** per interval, the cheapest that covers a shortfall (seed 003 / DOMAIN §3.4):
    ``move_breaks`` when the agents on break or meal cover it and an interval within
    ``break_window_min`` has at least one spare agent to take the break then;
    ``cancel_offline`` when breaks plus offline work (training, meetings, coaching) cover it;
    else ``call_in_reserve`` for ``reserve_call_in_agents`` agents (see
    :func:`ccomkit.wfm.reserve_roster.reserve_roster` for who). A surplus of at least
    ``vto_min_agents`` gives ``offer_vto``; otherwise ``none``.

    Parameters
    ----------
    forecast : pandas.DataFrame
        The day's forecast: ``queue, interval_start, interval_min, calls_forecast`` and
        ``aht_s_forecast`` (or ``aht_s``), optionally ``patience_s`` (Erlang A) and
        ``agents_scheduled`` (used when ``scheduled`` is not given). Not modified.
    actuals : pandas.DataFrame
        Intervals so far: ``acd_interval`` rows (``queue_id, interval_start, offered``, and
        ``handled, sum_talk_s, sum_hold_s, sum_acw_s`` for AHT) or ``queue, interval_start,
        calls_offered`` (+ ``handled, aht_s``). Rows after ``as_of`` are ignored.
    as_of : str or Timestamp
        Now (naive local time).
    scheduled : pandas.DataFrame, optional
        :func:`scheduled_staff` output (``queue, interval_start, agents_scheduled`` and
        optionally ``agents_break, agents_offline``).
    service_level_target_frac, target_s, asa_target_s, max_occupancy_frac
        Staffing targets as in :func:`~ccomkit.wfm.staffing.required_agents`.
    shrink_calls : float, default 50
        Prior weight ``k`` of the volume ratio, in calls.
    shrink_handled : float, default 30
        Prior weight ``m`` of the AHT ratio, in handled calls.
    ratio_bounds : (float, float), default (0.5, 2.0)
        Bounds of both ratios.
    vto_min_agents : int, default 2
        Smallest surplus that offers voluntary time off.
    break_window_min : float, default 60
        How far a break may be moved.

    Returns
    -------
    IntradayReforecast
        ``.intervals`` (the rest of the day with actions) and ``.ratios`` (per queue).

    Examples
    --------
    The morning brought 240 calls against 200 forecast: r = (240 + 50) / (200 + 50) = 1.16.
    The 10:00 interval (100 calls forecast) becomes 116 calls (11.6 Erlangs: 15 agents at
    80/20); 12 agents scheduled, 3 short; 2 more are on a break that can move to 10:30 (1 spare
    agent there) - not enough - and 1 in training: cancel it (3 <= 2 + 1). 10:30 becomes 69.6
    calls, 10 needed, 11 scheduled: 1 spare, too few to offer VTO:

    >>> import pandas as pd
    >>> t = pd.to_datetime(["2026-03-02 09:00", "2026-03-02 09:30", "2026-03-02 10:00", "2026-03-02 10:30"])
    >>> fc = pd.DataFrame({"queue": "GEN", "interval_start": t, "interval_min": 30,
    ...     "calls_forecast": [100.0, 100.0, 100.0, 60.0], "aht_s_forecast": 180.0})
    >>> act = pd.DataFrame({"queue": "GEN", "interval_start": t[:2], "calls_offered": [110, 130]})
    >>> sched = pd.DataFrame({"queue": "GEN", "interval_start": t, "agents_scheduled": [15, 15, 12, 11],
    ...     "agents_break": [0, 0, 2, 0], "agents_offline": [0, 0, 1, 0]})
    >>> rf = reforecast_rest_of_day(fc, act, "2026-03-02 10:00", scheduled=sched)
    >>> rf.ratios[["calls_observed", "calls_forecast_observed", "volume_ratio_raw", "volume_ratio"]]
       calls_observed  calls_forecast_observed  volume_ratio_raw  volume_ratio
    0           240.0                    200.0               1.2          1.16
    >>> rf.intervals[["calls_reforecast", "agents_required", "gap_agents", "action"]]
       calls_reforecast  agents_required  gap_agents          action
    0             116.0               15          -3  cancel_offline
    1              69.6               10           1            none
    """
    owner = "reforecast_rest_of_day"
    k = _positive_number(owner, "shrink_calls", shrink_calls, allow_zero=True)
    m = _positive_number(owner, "shrink_handled", shrink_handled, allow_zero=True)
    _positive_number(owner, "break_window_min", break_window_min, allow_zero=True)
    if not (isinstance(ratio_bounds, (tuple, list)) and len(ratio_bounds) == 2
            and all(isinstance(b, numbers.Real) and not isinstance(b, bool) for b in ratio_bounds)
            and 0 < ratio_bounds[0] <= 1 <= ratio_bounds[1] < math.inf):
        raise ParameterError.expected(owner, "ratio_bounds", "a pair (lo, hi) with 0 < lo <= 1 <= hi", ratio_bounds)
    if not (isinstance(vto_min_agents, numbers.Integral) and not isinstance(vto_min_agents, bool)
            and vto_min_agents >= 1):
        raise ParameterError.expected(owner, "vto_min_agents", "an int >= 1", vto_min_agents)
    try:
        now = pd.Timestamp(as_of)
    except (TypeError, ValueError):
        raise ParameterError.expected(owner, "as_of", "a date-time", as_of) from None
    if pd.isna(now):
        raise ParameterError.expected(owner, "as_of", "a date-time", as_of)
    if now.tzinfo is not None:
        now = now.tz_convert("Asia/Shanghai").tz_localize(None)
    lo, hi = float(ratio_bounds[0]), float(ratio_bounds[1])

    require_columns(forecast, ["queue", "interval_start", "interval_min", "calls_forecast"], "forecast")
    aht_col = _aht_column(forecast, "forecast")
    fc = forecast.reset_index(drop=True).copy()
    fc["queue"] = fc["queue"].astype(str)
    fc["interval_start"] = _timestamps(fc, "interval_start", "forecast").to_numpy()
    fc["calls_forecast"] = _numbers(fc, "calls_forecast", "forecast")
    fc["interval_min"] = _numbers(fc, "interval_min", "forecast")
    fc["aht_s_forecast"] = _numbers(fc, aht_col, "forecast", allow_nan=True)
    day = now.normalize()
    fc = fc[fc["interval_start"].dt.normalize() == day]
    if fc.empty:
        raise SchemaError(f"forecast has no interval on {day.date()} (the day of as_of)", table="forecast",
                          column="interval_start")
    ends = fc["interval_start"] + pd.to_timedelta(fc["interval_min"], unit="m")
    done = fc[ends <= now]
    rest = fc[fc["interval_start"] >= now].copy()

    act = _actuals_frame(actuals)
    key = ["queue", "interval_start"]
    obs = done.merge(act, on=key, how="inner")
    has_aht = "handled" in obs.columns
    f_i = obs["calls_forecast"].to_numpy(float)
    sd_i = np.sqrt(np.maximum(f_i, 1.0))
    obs = obs.assign(_used=np.clip(obs["calls"].to_numpy(float), np.maximum(lo * f_i - 3 * sd_i, 0.0),
                                   hi * f_i + 3 * sd_i))
    agg = {"intervals_observed": ("calls", "size"), "calls_observed": ("calls", "sum"),
           "calls_observed_used": ("_used", "sum"), "calls_forecast_observed": ("calls_forecast", "sum")}
    if has_aht:
        obs = obs.assign(_aht_w=obs["aht_s_forecast"].fillna(0.0) * obs["handled"])
        agg.update(handled_observed=("handled", "sum"), handle_s=("handle_s", "sum"), aht_w=("_aht_w", "sum"))
    queues = pd.DataFrame({"queue": sorted(fc["queue"].unique())})
    ratios = queues.merge(obs.groupby("queue").agg(**agg).reset_index(), on="queue", how="left")
    ratios["intervals_observed"] = ratios["intervals_observed"].fillna(0).astype(np.int64)
    for c in ("calls_observed", "calls_observed_used", "calls_forecast_observed"):
        ratios[c] = ratios[c].fillna(0.0).astype(float)
    O, F = ratios["calls_observed"].to_numpy(), ratios["calls_forecast_observed"].to_numpy()
    U = ratios["calls_observed_used"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios["volume_ratio_raw"] = np.where(F > 0, O / F, np.nan)
        r = np.where(F + k > 0, (U + k) / (F + k), 1.0)
    ratios["volume_ratio"] = np.clip(r, lo, hi)
    if has_aht:
        N = ratios["handled_observed"].fillna(0.0).to_numpy(float)
        H = ratios["handle_s"].fillna(0.0).to_numpy(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            aht_f = np.where(N > 0, ratios["aht_w"].to_numpy(float) / N, np.nan)
            raw = np.where((N > 0) & (aht_f > 0), H / N / aht_f, np.nan)
            ra = np.where((N + m > 0) & (aht_f > 0), (H + m * aht_f) / ((N + m) * aht_f), 1.0)
        ratios["handled_observed"] = N
        ratios["aht_ratio_raw"] = raw
        ratios["aht_ratio"] = np.clip(np.where(np.isfinite(ra), ra, 1.0), lo, hi)
        ratios = ratios.drop(columns=["handle_s", "aht_w"])
    else:
        ratios["handled_observed"] = 0.0
        ratios["aht_ratio_raw"] = np.nan
        ratios["aht_ratio"] = 1.0

    rq = rest["queue"].map(ratios.set_index("queue")["volume_ratio"]).to_numpy(float)
    ra = rest["queue"].map(ratios.set_index("queue")["aht_ratio"]).to_numpy(float)
    rest["calls_reforecast"] = rest["calls_forecast"].to_numpy() * rq
    rest["aht_s_reforecast"] = rest["aht_s_forecast"].to_numpy() * ra
    targets = dict(service_level_target_frac=service_level_target_frac, target_s=target_s,
                   asa_target_s=asa_target_s, max_occupancy_frac=max_occupancy_frac)
    extra = {"patience_s": rest["patience_s"].to_numpy()} if "patience_s" in rest.columns else {}
    base = pd.DataFrame({"interval_min": rest["interval_min"].to_numpy(), **extra})
    before = required_agents(base.assign(calls_offered=rest["calls_forecast"].to_numpy(),
                                         aht_s=rest["aht_s_forecast"].to_numpy()), **targets)
    after = required_agents(base.assign(calls_offered=rest["calls_reforecast"].to_numpy(),
                                        aht_s=rest["aht_s_reforecast"].to_numpy()), **targets)
    rest["agents_required_forecast"] = before["agents_required"].to_numpy(dtype=np.int64)
    rest["agents_required"] = after["agents_required"].to_numpy(dtype=np.int64)

    if scheduled is not None:
        require_columns(scheduled, ["queue", "interval_start", "agents_scheduled"], "scheduled")
        sc = pd.DataFrame({
            "queue": scheduled["queue"].astype(str).to_numpy(),
            "interval_start": _timestamps(scheduled, "interval_start", "scheduled").to_numpy(),
            "agents_scheduled": _numbers(scheduled, "agents_scheduled", "scheduled"),
            "agents_break": (_numbers(scheduled, "agents_break", "scheduled") if "agents_break" in scheduled.columns
                             else 0.0),
            "agents_offline": (_numbers(scheduled, "agents_offline", "scheduled")
                               if "agents_offline" in scheduled.columns else 0.0),
        })
        rest = rest.drop(columns=[c for c in ("agents_scheduled", "agents_break", "agents_offline")
                                  if c in rest.columns]).merge(sc, on=key, how="left")
        for c in ("agents_scheduled", "agents_break", "agents_offline"):
            rest[c] = rest[c].fillna(0.0)
    elif "agents_scheduled" in rest.columns:
        rest["agents_scheduled"] = _numbers(rest, "agents_scheduled", "forecast")
        for c in ("agents_break", "agents_offline"):
            rest[c] = _numbers(rest, c, "forecast") if c in rest.columns else 0.0
    else:
        raise SchemaError("reforecast_rest_of_day needs the scheduled staff: pass scheduled= "
                          "(scheduled_staff output) or an agents_scheduled column in forecast",
                          table="forecast", column="agents_scheduled")
    rest = rest.sort_values(key, kind="stable").reset_index(drop=True)
    staff = np.floor(rest["agents_scheduled"].to_numpy(float) + 1e-9).astype(np.int64)
    gap = staff - rest["agents_required"].to_numpy()
    rest["gap_agents"] = gap
    short = np.maximum(-gap, 0)
    # a spare agent within the break window (another remaining interval of the same queue)
    spare_near = np.zeros(len(rest), dtype=bool)
    t = rest["interval_start"].to_numpy()
    win = np.timedelta64(int(round(break_window_min * 60)), "s")
    for _q, idx in rest.groupby("queue", sort=False).indices.items():
        tt, gg = t[idx], gap[idx]
        near = (np.abs(tt[:, None] - tt[None, :]) <= win) & ~np.eye(len(idx), dtype=bool) & (gg[None, :] >= 1)
        spare_near[idx] = near.any(axis=1)
    brk = np.where(spare_near, rest["agents_break"].to_numpy(float), 0.0)
    off = rest["agents_offline"].to_numpy(float)
    action = np.full(len(rest), "none", dtype=object)
    action[gap >= vto_min_agents] = "offer_vto"
    s_pos = short > 0
    action[s_pos & (short <= brk + 1e-9)] = "move_breaks"
    action[s_pos & (short > brk + 1e-9) & (short <= brk + off + 1e-9)] = "cancel_offline"
    action[s_pos & (short > brk + off + 1e-9)] = "call_in_reserve"
    rest["short_agents"] = short
    rest["action"] = action
    rest["reserve_call_in_agents"] = np.where(action == "call_in_reserve",
                                              np.ceil(short - brk - off - 1e-9), 0).astype(np.int64)
    rest["interval_min"] = rest["interval_min"].astype(np.int64)
    cols = ["queue", "interval_start", "interval_min", "calls_forecast", "calls_reforecast", "aht_s_forecast",
            "aht_s_reforecast", "agents_required_forecast", "agents_required", "agents_scheduled", "agents_break",
            "agents_offline", "gap_agents", "short_agents", "action", "reserve_call_in_agents"]
    rcols = ["queue", "intervals_observed", "calls_observed", "calls_observed_used", "calls_forecast_observed",
             "volume_ratio_raw", "volume_ratio", "handled_observed", "aht_ratio_raw", "aht_ratio"]
    return IntradayReforecast(intervals=rest[cols], ratios=ratios[rcols])


# --------------------------------------------------------------------------------------------
# scheduler (排班师) KPIs
# --------------------------------------------------------------------------------------------
SCHEDULER_KPIS: tuple[str, ...] = (
    "forecast_hit_rate_5", "forecast_hit_rate_10", "forecast_wape", "forecast_bias", "forecast_error_sd",
    "resource_fill_rate", "staffing_within_tolerance_rate", "understaffed_agent_h", "overstaffed_agent_h",
    "sl_achievement_interval_rate", "sl_achievement_day_rate",
    "hours_sd_h", "night_shifts_sd", "days_off_sd", "adherence", "conformance",
)
"""KPI ids of :func:`scheduler_kpis` (labels: ``ccomkit.i18n.label(id, domain='scheduler_kpi')``)."""


def _fairness(schedule: pd.DataFrame, night_start_h: int, night_end_h: int) -> dict[str, float]:
    require_columns(schedule, ["agent_id", "start_at", "end_at"], "schedule")
    start = _timestamps(schedule, "start_at", "schedule")
    end = _timestamps(schedule, "end_at", "schedule")
    act = (schedule["activity"].astype(str).to_numpy() if "activity" in schedule.columns
           else np.full(len(schedule), "work"))
    day = (_timestamps(schedule, "shift_date", "schedule").dt.normalize() if "shift_date" in schedule.columns
           else start.dt.normalize())
    seg = pd.DataFrame({"a": schedule["agent_id"].astype(str).to_numpy(), "d": day.to_numpy(),
                        "s": start.to_numpy(), "e": end.to_numpy(),
                        "h": np.where(act == "meal", 0.0, (end - start).dt.total_seconds().to_numpy() / 3600.0)})
    shifts = seg.groupby(["a", "d"]).agg(s=("s", "min"), e=("e", "max"), h=("h", "sum")).reset_index()
    # a night shift touches the window [night_start_h, night_end_h) of its own or the next day
    d0 = shifts["d"]
    n1 = d0 + pd.Timedelta(hours=night_start_h)
    n0 = d0 + pd.Timedelta(hours=night_end_h)
    night = (shifts["e"] > n1) | (shifts["s"] < n0)
    shifts["night"] = night.to_numpy()
    n_days = int((seg["d"].max() - seg["d"].min()).days) + 1 if len(seg) else 0
    per = shifts.groupby("a").agg(hours=("h", "sum"), nights=("night", "sum"), days=("d", "nunique"))
    per["off"] = n_days - per["days"]
    return {"hours_sd_h": float(per["hours"].std(ddof=0)), "night_shifts_sd": float(per["nights"].std(ddof=0)),
            "days_off_sd": float(per["off"].std(ddof=0))}


def scheduler_kpis(
    plan_actual: pd.DataFrame,
    *,
    schedule: pd.DataFrame | None = None,
    agent_interval: pd.DataFrame | None = None,
    sl_target_frac: float = 0.8,
    staffing_tolerance_frac: float = 0.1,
    night_start_h: int = 22,
    night_end_h: int = 6,
) -> pd.DataFrame:
    """The scheduler's (排班师) KPIs of DOMAIN.md §3.5, from plan, schedule and actuals.

    From :func:`plan_vs_actual`'s table (intervals with a forecast or actual calls):

    * forecast accuracy - hit rate at ±5 % and ±10 % (intervals with calls), WAPE and bias
      (:func:`ccomkit.wfm.backtest.forecast_metrics`), and the standard deviation of the
      relative interval error ``(F - A) / A``;
    * resource fill rate (资源填充率) ``Σ min(scheduled, required) / Σ required`` over agent-
      intervals, the share of intervals within ``±staffing_tolerance_frac`` of the requirement,
      and schedule efficiency as under- and over-staffed agent-hours (needs ``agents_required``
      in the plan);
    * SL achievement - the share of intervals, and of queue-days (summing numerators and
      denominators), whose actual service level reached ``sl_target_frac``;

    from ``schedule`` the fairness dispersion (standard deviation across agents of paid hours,
    night shifts and days off over the schedule's span; a night shift touches
    ``[night_start_h, night_end_h)``), and with ``agent_interval`` too the floor's adherence
    and conformance (:func:`ccomkit.kpi.compute` on :func:`ccomkit.kpi.adherence_grid`).
    Schedule publish timeliness and change requests are not in any table and are not computed.

    Parameters
    ----------
    plan_actual : pandas.DataFrame
        :func:`plan_vs_actual`'s result. Not modified.
    schedule : pandas.DataFrame, optional
        The ``schedule`` table (fairness; adherence with ``agent_interval``).
    agent_interval : pandas.DataFrame, optional
        The ``agent_interval`` table.
    sl_target_frac : float, default 0.8
    staffing_tolerance_frac : float, default 0.1
    night_start_h, night_end_h : int, default 22 and 6

    Returns
    -------
    pandas.DataFrame
        One row per KPI computed: ``kpi_id`` (see :data:`SCHEDULER_KPIS`), ``value``,
        ``numerator``, ``denominator`` (NaN where the KPI is not a ratio), ``unit`` (``frac``,
        ``h``, ``count``, ``days``).

    Examples
    --------
    Two intervals: forecast 100 and 90 against 100 and 100 calls; 10 and 12 agents scheduled
    against 12 required; SL 0.85 and 0.70 against a 0.8 target. Fill rate (10 + 12) / 24;
    under-staffing 2 agents × 0.5 h; one interval in two meets the SL target:

    >>> import pandas as pd
    >>> pa = pd.DataFrame({"queue": "GEN", "interval_min": 30,
    ...     "interval_start": pd.to_datetime(["2026-03-02 09:00", "2026-03-02 09:30"]),
    ...     "calls_forecast": [100.0, 90.0], "calls_actual": [100.0, 100.0],
    ...     "agents_required": [12.0, 12.0], "agents_scheduled": [10.0, 12.0],
    ...     "sl_answered_within_t": [85.0, 70.0], "sl_base": [100.0, 100.0],
    ...     "service_level_actual": [0.85, 0.70]})
    >>> k = scheduler_kpis(pa).set_index("kpi_id")["value"]
    >>> k[["forecast_hit_rate_5", "forecast_wape", "resource_fill_rate", "understaffed_agent_h",
    ...    "sl_achievement_interval_rate", "sl_achievement_day_rate"]].round(4)
    kpi_id
    forecast_hit_rate_5             0.5000
    forecast_wape                   0.0500
    resource_fill_rate              0.9167
    understaffed_agent_h            1.0000
    sl_achievement_interval_rate    0.5000
    sl_achievement_day_rate         0.0000
    Name: value, dtype: float64
    """
    owner = "scheduler_kpis"
    for name, v in (("sl_target_frac", sl_target_frac), ("staffing_tolerance_frac", staffing_tolerance_frac)):
        if not (isinstance(v, numbers.Real) and not isinstance(v, bool) and 0 < v < 1):
            raise ParameterError.expected(owner, name, "a float in (0, 1)", v)
    for name, v in (("night_start_h", night_start_h), ("night_end_h", night_end_h)):
        if not (isinstance(v, numbers.Integral) and not isinstance(v, bool) and 0 <= v <= 24):
            raise ParameterError.expected(owner, name, "an int in [0, 24]", v)
    require_columns(plan_actual, ["queue", "interval_start", "interval_min", "calls_forecast", "calls_actual",
                                  "agents_scheduled"], "plan_actual")
    pa = plan_actual
    rows: list[tuple[str, float, float, float, str]] = []
    nan = float("nan")
    F = pd.to_numeric(pa["calls_forecast"], errors="coerce").to_numpy(float)
    A = pd.to_numeric(pa["calls_actual"], errors="coerce").to_numpy(float)
    keep = np.isfinite(F) & np.isfinite(A) & ((F > 0) | (A > 0))
    m = forecast_metrics(pd.DataFrame({"forecast": F[keep], "actual": A[keep]}))
    pos = keep & (A > 0)
    rel = (F[pos] - A[pos]) / A[pos]
    for q in (5, 10):
        hits = float((np.abs(rel) <= q / 100 + 1e-12).sum())
        rows.append((f"forecast_hit_rate_{q}", hits / rel.size if rel.size else nan, hits, float(rel.size), "frac"))
    err = F[keep] - A[keep]
    rows.append(("forecast_wape", float(m["wape"].iloc[0]), float(np.abs(err).sum()), float(A[keep].sum()), "frac"))
    rows.append(("forecast_bias", float(m["bias"].iloc[0]), float(err.sum()), float(A[keep].sum()), "frac"))
    rows.append(("forecast_error_sd", float(rel.std(ddof=1)) if rel.size > 1 else nan, nan, nan, "frac"))

    if "agents_required" in pa.columns and pd.to_numeric(pa["agents_required"], errors="coerce").notna().any():
        req = pd.to_numeric(pa["agents_required"], errors="coerce").to_numpy(float)
        sch = pd.to_numeric(pa["agents_scheduled"], errors="coerce").to_numpy(float)
        h = pd.to_numeric(pa["interval_min"], errors="coerce").to_numpy(float) / 60.0
        ok = np.isfinite(req) & np.isfinite(sch)
        req, sch, h = req[ok], sch[ok], h[ok]
        fill = float(np.minimum(sch, req).sum())
        rows.append(("resource_fill_rate", fill / req.sum() if req.sum() > 0 else nan, fill, float(req.sum()), "frac"))
        busy = req > 0
        within = float((np.abs(sch[busy] - req[busy]) <= staffing_tolerance_frac * req[busy] + 1e-9).sum())
        rows.append(("staffing_within_tolerance_rate", within / busy.sum() if busy.any() else nan, within,
                     float(busy.sum()), "frac"))
        rows.append(("understaffed_agent_h", float((np.maximum(req - sch, 0) * h).sum()), nan, nan, "h"))
        rows.append(("overstaffed_agent_h", float((np.maximum(sch - req, 0) * h).sum()), nan, nan, "h"))

    if {"sl_answered_within_t", "sl_base"} <= set(pa.columns):
        num = pd.to_numeric(pa["sl_answered_within_t"], errors="coerce").to_numpy(float)
        den = pd.to_numeric(pa["sl_base"], errors="coerce").to_numpy(float)
        ok = np.isfinite(num) & np.isfinite(den) & (den > 0)
        met = float((num[ok] / den[ok] >= sl_target_frac - 1e-12).sum())
        rows.append(("sl_achievement_interval_rate", met / ok.sum() if ok.any() else nan, met, float(ok.sum()), "frac"))
        days = pd.DataFrame({"q": pa["queue"].to_numpy()[ok],
                             "d": _timestamps(pa, "interval_start", "plan_actual").dt.normalize().to_numpy()[ok],
                             "n": num[ok], "b": den[ok]}).groupby(["q", "d"])[["n", "b"]].sum()
        dmet = float((days["n"] / days["b"] >= sl_target_frac - 1e-12).sum())
        rows.append(("sl_achievement_day_rate", dmet / len(days) if len(days) else nan, dmet, float(len(days)), "frac"))

    if schedule is not None:
        fair = _fairness(schedule, int(night_start_h), int(night_end_h))
        rows.append(("hours_sd_h", fair["hours_sd_h"], nan, nan, "h"))
        rows.append(("night_shifts_sd", fair["night_shifts_sd"], nan, nan, "count"))
        rows.append(("days_off_sd", fair["days_off_sd"], nan, nan, "days"))
        if agent_interval is not None:
            t = compute(adherence_grid(agent_interval, schedule), ["adherence", "conformance"])
            for _, r in t.iterrows():
                rows.append((r["kpi_id"], float(r["value"]), float(r["numerator"]), float(r["denominator"]), "frac"))
    elif agent_interval is not None:
        raise ParameterError.expected(owner, "schedule", "the schedule table when agent_interval is given", None)
    return pd.DataFrame(rows, columns=["kpi_id", "value", "numerator", "denominator", "unit"])
