"""Reserve roster (机动部队名单): who covers the reserve force in each interval, by name.

:func:`ccomkit.wfm.reserve.reserve_requirement` sizes the reserve: per queue and interval, the
agents needed at a high quantile of the forecast beyond those needed at its median. This module
names them (DOMAIN.md §3.4), from two sources, cheapest first:

1. **cross-skilled back-up** (``backup``): an agent on shift (rostered ``work`` for at least half
   of the interval) whose home queue is another queue and who holds the reserve queue's skill.
   With a ``requirement`` table only the home queue's surplus (agents working there minus
   agents required there) can be lent, so a back-up never opens a hole elsewhere; without one,
   any such agent can be named (the table says where each back-up comes from).
2. **on call** (``on_call``): an on-call-eligible agent with the skill who is *not* rostered in
   the interval, is available (``availability`` windows; leave blocks), keeps the minimum rest
   to every rostered shift (an on-call interval may instead extend a shift by at most
   ``max_extension_h`` right before its start or after its end), keeps the same rest between
   two of its own on-call blocks (a pause of up to ``max_gap_min`` stays inside one block), and
   stays under the on-call cap (``max_on_call_h`` per agent and ISO week).

Intervals are filled in time order. Within one interval and queue, an agent already covering
the same queue in the previous interval keeps the duty (whole blocks, not scattered half-hours);
otherwise the agent with the fewest duty hours so far - on-call hours carried in from the last
period (``history``) included - goes first, so on-call duty rotates fairly; ties go by agent id.
What cannot be named is the interval's ``gap_agents``.

This is a greedy rule, not an optimisation: it is transparent (a team leader can follow why a
name is on the list) and runs in one pass over the intervals; the roster itself comes from the
solver of :mod:`ccomkit.wfm.scheduling`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ccomkit.errors import ParameterError, SchemaError
from ccomkit.kpi import schedule_grid
from ccomkit.schemas import require_columns
from ccomkit.wfm.intraday import _positive_number, _roster_frame, _shift_numbers, _timestamps, roster_to_schedule

__all__ = ["ReserveRoster", "RESERVE_KINDS", "reserve_roster"]

RESERVE_KINDS: tuple[str, ...] = ("backup", "on_call")
"""How a reserve agent is named: cross-skilled back-up on shift, or on call."""

_OWNER = "reserve_roster"


@dataclass(frozen=True)
class ReserveRoster:
    """Result of :func:`reserve_roster`.

    Attributes
    ----------
    intervals : pandas.DataFrame
        One row per queue and interval of the reserve: ``queue, interval_start, interval_min,
        reserve_needed, backup_named, on_call_named, reserve_named, gap_agents, agents``
        (``agents``: the named agent ids joined by ``|``).
    assignments : pandas.DataFrame
        One row per named agent and interval: ``queue, interval_start, interval_min, agent_id,
        kind`` (``backup`` or ``on_call``), ``home_queue``.
    duty : pandas.DataFrame
        One row per agent of ``agents``: ``agent_id, home_queue, on_call_eligible,
        history_on_call_h, on_call_h, backup_h, total_on_call_h`` (history + this period),
        ``on_call_days``.
    """

    intervals: pd.DataFrame
    assignments: pd.DataFrame
    duty: pd.DataFrame


def _bool_column(frame: pd.DataFrame, column: str, table: str, default: bool) -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(frame), default)
    s = frame[column]
    if pd.api.types.is_bool_dtype(s.dtype) and not s.isna().any():
        return s.to_numpy(dtype=bool)
    words = s.astype(str).str.strip().str.lower()
    true = words.isin(["1", "true", "t", "yes", "y", "是", "1.0"])
    false = words.isin(["0", "false", "f", "no", "n", "否", "0.0"])
    bad = ~(true | false).to_numpy()
    if bad.any():
        pos = np.flatnonzero(bad)
        raise SchemaError(f"{table}.{column} must be true/false: {len(pos)} rows violate it, first at "
                          f"rows {frame.index[pos[:5]].tolist()} (values {s.iloc[pos[:5]].tolist()})",
                          table=table, column=column, rows=frame.index[pos[:5]].tolist())
    return true.to_numpy()


def _reserve_frame(reserve: Any) -> pd.DataFrame:
    if hasattr(reserve, "intervals") and isinstance(reserve.intervals, pd.DataFrame):
        reserve = reserve.intervals
    if not isinstance(reserve, pd.DataFrame):
        raise ParameterError.expected(_OWNER, "reserve", "a DataFrame or a ReserveRequirement",
                                      type(reserve).__name__)
    require_columns(reserve, ["queue", "interval_start", "interval_min", "reserve_agents"], "reserve")
    need = pd.to_numeric(reserve["reserve_agents"], errors="coerce").to_numpy(dtype=float)
    bad = ~(np.isfinite(need) & (need >= 0) & (need == np.round(need)))
    if bad.any():
        pos = np.flatnonzero(bad)
        raise SchemaError(f"reserve.reserve_agents must be a whole number >= 0: {len(pos)} rows violate "
                          f"it, first at rows {reserve.index[pos[:5]].tolist()} (values "
                          f"{reserve['reserve_agents'].iloc[pos[:5]].tolist()})",
                          table="reserve", column="reserve_agents", rows=reserve.index[pos[:5]].tolist())
    mins = pd.unique(pd.to_numeric(reserve["interval_min"], errors="coerce"))
    if len(mins) != 1 or mins[0] not in (5, 10, 15, 30, 60):
        raise SchemaError(f"reserve.interval_min must be one value out of 5, 10, 15, 30, 60; got "
                          f"{sorted(map(float, mins))}", table="reserve", column="interval_min")
    out = pd.DataFrame({
        "queue": reserve["queue"].astype(str).to_numpy(),
        "interval_start": _timestamps(reserve, "interval_start", "reserve").to_numpy(),
        "interval_min": int(mins[0]),
        "reserve_needed": need.astype(np.int64),
    })
    step = np.timedelta64(int(mins[0]), "m")
    off = (out["interval_start"].to_numpy() - out["interval_start"].to_numpy().astype("datetime64[D]")) % step
    if (off != np.timedelta64(0)).any():
        pos = np.flatnonzero(off != np.timedelta64(0))
        raise SchemaError(f"reserve.interval_start must lie on the {int(mins[0])}-minute grid, first at "
                          f"rows {reserve.index[pos[:5]].tolist()}", table="reserve",
                          column="interval_start", rows=reserve.index[pos[:5]].tolist())
    dup = out.duplicated(["queue", "interval_start"])
    if dup.any():
        pos = np.flatnonzero(dup.to_numpy())
        raise SchemaError(f"reserve has {len(pos)} duplicate (queue, interval_start) rows, first at rows "
                          f"{reserve.index[pos[:5]].tolist()}", table="reserve", column="interval_start",
                          rows=reserve.index[pos[:5]].tolist())
    return out


def _agents_frame(agents: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(agents, pd.DataFrame):
        raise ParameterError.expected(_OWNER, "agents", "a DataFrame", type(agents).__name__)
    require_columns(agents, ["agent_id"], "agents")
    if "skills" not in agents.columns and "home_queue" not in agents.columns:
        raise SchemaError("agents needs a skills column (queue ids separated by |) or a home_queue "
                          "column", table="agents", column="skills")
    ids = agents["agent_id"].astype(str)
    dup = ids.duplicated()
    if dup.any():
        raise SchemaError(f"agents.agent_id must be unique: {int(dup.sum())} duplicates, first "
                          f"{ids[dup].iloc[0]!r}", table="agents", column="agent_id")
    skills = (agents["skills"].fillna("").astype(str) if "skills" in agents.columns
              else pd.Series("", index=agents.index))
    skill_lists = [[s.strip() for s in v.split("|") if s.strip()] for v in skills]
    if "home_queue" in agents.columns:
        home = [str(h) if pd.notna(h) and str(h).strip() else (sl[0] if sl else None)
                for h, sl in zip(agents["home_queue"], skill_lists)]
    else:
        home = [sl[0] if sl else None for sl in skill_lists]
    none = [i for i, h in enumerate(home) if h is None]
    if none:
        raise SchemaError(f"agents: {len(none)} agents have neither skills nor home_queue, first "
                          f"{ids.iloc[none[0]]!r}", table="agents", column="skills",
                          rows=agents.index[none[:5]].tolist())
    cap = None
    if "max_on_call_h" in agents.columns:
        cap = pd.to_numeric(agents["max_on_call_h"], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isnan(cap) & ~(cap >= 0)
        if bad.any():
            raise SchemaError("agents.max_on_call_h must be a number >= 0 (empty = the default cap)",
                              table="agents", column="max_on_call_h")
    return pd.DataFrame({
        "agent_id": ids.to_numpy(),
        "home_queue": home,
        "skills": [set(sl) | {h} for sl, h in zip(skill_lists, home)],
        "on_call_eligible": _bool_column(agents, "on_call_eligible", "agents", True),
        "max_on_call_h": np.full(len(agents), np.nan) if cap is None else cap,
    })


def _k_range(a_us: np.ndarray, b_us: np.ndarray, t0: int, step: int, n_t: int,
             *, contained: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Grid cells [k_lo, k_hi) overlapping (or, with ``contained``, lying inside) [a, b)."""
    if contained:
        lo = -((t0 - a_us) // step)  # ceil((a - t0) / step)
        hi = (b_us - t0) // step  # cells k with t0 + (k + 1) step <= b
    else:
        lo = (a_us - t0) // step
        hi = -((t0 - b_us) // step)  # ceil((b - t0) / step)
    return np.clip(lo, 0, n_t), np.clip(hi, 0, n_t)


def _paint(mat: np.ndarray, rows: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> None:
    """Add 1 to ``mat[row, lo:hi]`` for every range (difference array, no loop per range)."""
    n_t = mat.shape[1]
    keep = hi > lo
    diff = np.zeros((mat.shape[0], n_t + 1), dtype=np.int64)
    np.add.at(diff, (rows[keep], lo[keep]), 1)
    np.add.at(diff, (rows[keep], hi[keep]), -1)
    mat += np.cumsum(diff, axis=1)[:, :n_t]


def reserve_roster(
    roster: pd.DataFrame,
    agents: pd.DataFrame,
    reserve: Any,
    *,
    requirement: pd.DataFrame | None = None,
    availability: pd.DataFrame | None = None,
    history: pd.DataFrame | None = None,
    min_rest_h: float = 11.0,
    max_extension_h: float = 2.0,
    max_on_call_h: float = 8.0,
    max_gap_min: float = 60.0,
    use_backup: bool = True,
) -> ReserveRoster:
    """Name the reserve force per interval: cross-skilled back-ups first, then on-call agents.

    Parameters
    ----------
    roster : pandas.DataFrame
        The roster, one row per agent activity: ``agent_id, start, end, activity`` (work, break,
        lunch; naive local time). Not modified.
    agents : pandas.DataFrame
        The reserve pool and everyone rostered: ``agent_id`` and ``skills`` (queue ids separated
        by ``|``) and/or ``home_queue`` (default: the first skill); optionally
        ``on_call_eligible`` (bool, default true) and ``max_on_call_h`` (a per-agent cap that
        replaces ``max_on_call_h``). Every rostered agent must be listed.
    reserve : pandas.DataFrame or ReserveRequirement
        :func:`~ccomkit.wfm.reserve.reserve_requirement`'s result or its ``.intervals``:
        ``queue, interval_start, interval_min, reserve_agents`` (one interval length).
    requirement : pandas.DataFrame, optional
        ``queue, interval_start, agents_required`` (the p50 requirement): back-ups are lent only
        from a home queue's surplus over it (agents rostered to work there minus required). A
        home queue or interval without a row requires nobody, so a back office with no phone
        requirement lends freely. Without ``requirement`` any cross-skilled agent on shift may
        be named.
    availability : pandas.DataFrame, optional
        ``agent_id, start, end`` and optionally ``available`` (bool, default true). Windows with
        ``available`` false (leave, appointments) block on-call duty; an agent with any true
        window can be on call only inside such windows.
    history : pandas.DataFrame, optional
        ``agent_id, on_call_h``: on-call hours carried in from the last period (fair rotation).
    min_rest_h : float, default 11
        Minimum rest between an on-call interval and any rostered shift of the agent, and
        between two on-call blocks of the agent.
    max_extension_h : float, default 2
        An on-call interval may instead extend a shift by up to this many hours right before its
        start or after its end (overtime); 0 forbids.
    max_on_call_h : float, default 8
        On-call hours per agent and ISO week (the on-call cap).
    max_gap_min : float, default 60
        Longest gap inside one shift when grouping roster activities into shifts, and inside one
        on-call block.
    use_backup : bool, default True
        Whether to name cross-skilled back-ups at all.

    Returns
    -------
    ReserveRoster
        ``.intervals`` (reserve needed, named, gap per queue and interval), ``.assignments``
        (who, when, how) and ``.duty`` (hours per agent); see the class.

    Raises
    ------
    SchemaError
        A missing column, an unreadable or off-grid timestamp, a negative or fractional reserve,
        duplicate intervals or agents, overlapping roster activities, or rostered agents missing
        from ``agents``.
    ParameterError
        A rest, extension or cap parameter out of range.

    Examples
    --------
    Agent B (home BIL, also skilled GEN) works 09:00-17:00; C is off all day and skilled GEN.
    GEN needs 1 reserve agent at 10:00 and 2 at 10:30:

    >>> import pandas as pd
    >>> roster = pd.DataFrame({"agent_id": ["B"], "start": ["2026-03-02 09:00"],
    ...                        "end": ["2026-03-02 17:00"], "activity": ["work"]})
    >>> agents = pd.DataFrame({"agent_id": ["B", "C"], "skills": ["BIL|GEN", "GEN"]})
    >>> reserve = pd.DataFrame({"queue": "GEN", "interval_min": 30, "reserve_agents": [1, 2],
    ...     "interval_start": pd.to_datetime(["2026-03-02 10:00", "2026-03-02 10:30"])})
    >>> rr = reserve_roster(roster, agents, reserve)
    >>> rr.intervals[["reserve_needed", "backup_named", "on_call_named", "gap_agents", "agents"]]
       reserve_needed  backup_named  on_call_named  gap_agents agents
    0               1             1              0           0      B
    1               2             1              1           0    B|C
    >>> rr.duty[["agent_id", "on_call_h", "backup_h"]]
      agent_id  on_call_h  backup_h
    0        B        0.0       1.0
    1        C        0.5       0.0
    """
    rest_h = _positive_number(_OWNER, "min_rest_h", min_rest_h, allow_zero=True)
    ext_h = _positive_number(_OWNER, "max_extension_h", max_extension_h, allow_zero=True)
    cap_h = _positive_number(_OWNER, "max_on_call_h", max_on_call_h, allow_zero=True)
    if ext_h > rest_h:
        raise ParameterError.expected(_OWNER, "max_extension_h", f"<= min_rest_h ({rest_h:g})", max_extension_h)
    if not isinstance(use_backup, bool):
        raise ParameterError.expected(_OWNER, "use_backup", "True or False", use_backup)
    res = _reserve_frame(reserve)
    ag = _agents_frame(agents)
    ro = _roster_frame(roster)
    unknown = sorted(set(ro["agent_id"]) - set(ag["agent_id"]))
    if unknown:
        raise SchemaError(f"roster has {len(unknown)} agents missing from agents, first {unknown[:5]}; "
                          "list every rostered agent with their skills", table="roster", column="agent_id")

    interval_min = int(res["interval_min"].iloc[0]) if len(res) else 30
    step = interval_min * 60_000_000
    n_a = len(ag)
    a_index = pd.Index(ag["agent_id"])
    queues = sorted(pd.unique(res["queue"]))
    q_index = pd.Index(queues)
    if len(res) == 0:
        t0, n_t = 0, 0
    else:
        ist = res["interval_start"].to_numpy().astype("datetime64[us]").astype(np.int64)
        t0 = int(ist.min())
        n_t = int((ist.max() - t0) // step) + 1
    grid = (t0 + np.arange(n_t, dtype=np.int64) * step).astype("datetime64[us]")
    need = np.zeros((len(queues), n_t), dtype=np.int64)
    if len(res):
        need[q_index.get_indexer(res["queue"]), (ist - t0) // step] = res["reserve_needed"].to_numpy()

    # rostered seconds per agent and cell
    work_s = np.zeros((n_a, n_t))
    any_s = np.zeros((n_a, n_t))
    if len(ro) and n_t:
        g = schedule_grid(roster_to_schedule(ro, max_gap_min=max_gap_min), interval_min)
        k = ((g["interval_start"].to_numpy().astype("datetime64[us]").astype(np.int64) - t0) // step)
        inside = (k >= 0) & (k < n_t)
        rows = a_index.get_indexer(g["agent_id"])[inside]
        np.add.at(work_s, (rows, k[inside]), g["sched_work_s"].to_numpy()[inside])
        np.add.at(any_s, (rows, k[inside]), (g["sched_work_s"] + g["sched_break_s"] + g["sched_meal_s"])
                  .to_numpy()[inside])
    working = work_s >= interval_min * 30.0  # rostered work for at least half the cell
    rostered = any_s > 0

    # rest: cells an on-call interval may not use, per rostered shift
    blocked = np.zeros((n_a, n_t), dtype=np.int64)
    if len(ro) and n_t:
        shift = _shift_numbers(ro, max_gap_min)
        sh = ro.groupby(shift).agg(agent_id=("agent_id", "first"), s=("start", "min"), e=("end", "max"))
        srow = a_index.get_indexer(sh["agent_id"])
        s_us = sh["s"].to_numpy().astype("datetime64[us]").astype(np.int64)
        e_us = sh["e"].to_numpy().astype("datetime64[us]").astype(np.int64)
        rest, ext = int(rest_h * 3.6e9), int(ext_h * 3.6e9)
        for a_us, b_us in ((s_us - rest, s_us - ext), (s_us, e_us), (e_us + ext, e_us + rest)):
            lo, hi = _k_range(a_us, b_us, t0, step, n_t)
            _paint(blocked, srow, lo, hi)
    available = np.ones((n_a, n_t), dtype=bool)
    if availability is not None and n_t:
        require_columns(availability, ["agent_id", "start", "end"], "availability")
        av_ids = availability["agent_id"].astype(str)
        rows = a_index.get_indexer(av_ids)
        if (rows < 0).any():
            bad = sorted(set(av_ids[rows < 0]))
            raise SchemaError(f"availability has agents missing from agents, first {bad[:5]}",
                              table="availability", column="agent_id")
        a_us = _timestamps(availability, "start", "availability").to_numpy().astype("datetime64[us]").astype(np.int64)
        b_us = _timestamps(availability, "end", "availability").to_numpy().astype("datetime64[us]").astype(np.int64)
        if (b_us <= a_us).any():
            raise SchemaError("availability.end must be after start", table="availability", column="end")
        flag = _bool_column(availability.reset_index(drop=True), "available", "availability", True)
        if flag.any():
            inside = np.zeros((n_a, n_t), dtype=np.int64)
            lo, hi = _k_range(a_us[flag], b_us[flag], t0, step, n_t, contained=True)
            _paint(inside, rows[flag], lo, hi)
            restricted = np.zeros(n_a, dtype=bool)
            restricted[rows[flag]] = True
            available &= ~restricted[:, None] | (inside > 0)
        if (~flag).any():
            out_ = np.zeros((n_a, n_t), dtype=np.int64)
            lo, hi = _k_range(a_us[~flag], b_us[~flag], t0, step, n_t)
            _paint(out_, rows[~flag], lo, hi)
            available &= out_ == 0

    hist = np.zeros(n_a)
    if history is not None:
        require_columns(history, ["agent_id", "on_call_h"], "history")
        h = pd.to_numeric(history["on_call_h"], errors="coerce")
        if h.isna().any() or (h < 0).any():
            raise SchemaError("history.on_call_h must be a number >= 0", table="history", column="on_call_h")
        hrows = a_index.get_indexer(history["agent_id"].astype(str))
        keep = hrows >= 0
        np.add.at(hist, hrows[keep], h.to_numpy(dtype=float)[keep])

    skill = np.array([[q in s for q in queues] for s in ag["skills"]], dtype=bool).reshape(n_a, len(queues))
    home = ag["home_queue"].to_numpy(dtype=object)
    home_q = q_index.get_indexer(home)  # -1: home queue has no reserve row
    eligible = ag["on_call_eligible"].to_numpy(dtype=bool)
    cap_cells = np.where(np.isnan(ag["max_on_call_h"].to_numpy()), cap_h, ag["max_on_call_h"].to_numpy())
    cap_cells = np.floor(cap_cells * 60 / interval_min + 1e-9).astype(np.int64)
    on_call_ok = eligible[:, None] & ~rostered & available & (blocked == 0)
    days = grid.astype("datetime64[D]").astype(np.int64)
    week = (days - 4) // 7  # ISO weeks start on Monday; 1970-01-05 was a Monday
    week_u, week_k = np.unique(week, return_inverse=True)
    used = np.zeros((n_a, max(len(week_u), 1)), dtype=np.int64)

    surplus = None
    if requirement is not None and use_backup and n_t:
        require_columns(requirement, ["queue", "interval_start", "agents_required"], "requirement")
        req_q = requirement["queue"].astype(str)
        homes = sorted(set(home))
        h_index = pd.Index(homes)
        req = np.zeros((len(homes), n_t))
        rk = (_timestamps(requirement, "interval_start", "requirement").to_numpy().astype("datetime64[us]")
              .astype(np.int64) - t0) // step
        rq = h_index.get_indexer(req_q)
        keep = (rk >= 0) & (rk < n_t) & (rq >= 0)
        vals = pd.to_numeric(requirement["agents_required"], errors="coerce").to_numpy(dtype=float)
        if np.isnan(vals).any() or (vals < 0).any():
            raise SchemaError("requirement.agents_required must be a number >= 0", table="requirement",
                              column="agents_required")
        req[rq[keep], rk[keep]] = vals[keep]
        hrow = h_index.get_indexer(home)
        staffed = np.zeros((len(homes), n_t))
        np.add.at(staffed, hrow, working.astype(float))
        surplus = np.floor(staffed - req).astype(np.int64)
        surplus_row = hrow

    on_call_cells = np.zeros(n_a, dtype=np.int64)
    last_on = np.full(n_a, -(10**9), dtype=np.int64)  # last on-call cell of each agent
    block_gap = int(max_gap_min // interval_min)  # cells a pause inside one on-call block may last
    rest_gap = int(np.ceil(rest_h * 60 / interval_min - 1e-9))  # cells of rest between two blocks
    backup_cells = np.zeros(n_a, dtype=np.int64)
    prev_on = np.full(n_a, -1)
    prev_bk = np.full(n_a, -1)
    order_id = np.arange(n_a)
    rec_q, rec_k, rec_a, rec_kind = [], [], [], []
    named_bk = np.zeros_like(need)
    named_oc = np.zeros_like(need)
    hist_cells = hist * 60 / interval_min
    for k in range(n_t):
        taken = np.zeros(n_a, dtype=bool)
        cur_on = np.full(n_a, -1)
        cur_bk = np.full(n_a, -1)
        for qi in np.flatnonzero(need[:, k] > 0):
            left = int(need[qi, k])
            if use_backup:
                cand = np.flatnonzero(working[:, k] & skill[:, qi] & (home_q != qi) & ~taken)
                if cand.size:
                    o = np.lexsort((order_id[cand], backup_cells[cand], prev_bk[cand] != qi))
                    for a in cand[o]:
                        if left == 0:
                            break
                        if surplus is not None:
                            r = surplus_row[a]
                            if surplus[r, k] <= 0:
                                continue
                            surplus[r, k] -= 1
                        taken[a] = True
                        cur_bk[a] = qi
                        backup_cells[a] += 1
                        named_bk[qi, k] += 1
                        rec_q.append(qi), rec_k.append(k), rec_a.append(a), rec_kind.append(0)
                        left -= 1
            if left:
                w = week_k[k]
                pause = k - last_on - 1
                rested = (pause <= block_gap) | (pause >= rest_gap)
                cand = np.flatnonzero(on_call_ok[:, k] & skill[:, qi] & ~taken & (used[:, w] < cap_cells)
                                      & rested)
                if cand.size:
                    o = np.lexsort((order_id[cand], on_call_cells[cand] + hist_cells[cand], prev_on[cand] != qi))
                    pick = cand[o][:left]
                    taken[pick] = True
                    cur_on[pick] = qi
                    on_call_cells[pick] += 1
                    used[pick, w] += 1
                    last_on[pick] = k
                    named_oc[qi, k] += len(pick)
                    rec_q += [qi] * len(pick)
                    rec_k += [k] * len(pick)
                    rec_a += pick.tolist()
                    rec_kind += [1] * len(pick)
        prev_on, prev_bk = cur_on, cur_bk

    hours = interval_min / 60.0
    assignments = pd.DataFrame({
        "queue": np.asarray(queues, dtype=object)[np.asarray(rec_q, dtype=np.int64)],
        "interval_start": grid[np.asarray(rec_k, dtype=np.int64)],
        "interval_min": interval_min,
        "agent_id": ag["agent_id"].to_numpy()[np.asarray(rec_a, dtype=np.int64)],
        "kind": np.asarray(RESERVE_KINDS, dtype=object)[np.asarray(rec_kind, dtype=np.int64)],
        "home_queue": home[np.asarray(rec_a, dtype=np.int64)],
    }).sort_values(["interval_start", "queue", "kind", "agent_id"], kind="stable").reset_index(drop=True)

    out = res.copy()
    if len(out):
        qi = q_index.get_indexer(out["queue"])
        ki = (ist - t0) // step
        out["backup_named"] = named_bk[qi, ki]
        out["on_call_named"] = named_oc[qi, ki]
    else:
        out["backup_named"] = np.zeros(0, dtype=np.int64)
        out["on_call_named"] = np.zeros(0, dtype=np.int64)
    out["reserve_named"] = out["backup_named"] + out["on_call_named"]
    out["gap_agents"] = out["reserve_needed"] - out["reserve_named"]
    names = assignments.groupby(["queue", "interval_start"])["agent_id"].agg("|".join)
    key = pd.MultiIndex.from_arrays([out["queue"], out["interval_start"]])
    out["agents"] = names.reindex(key).fillna("").to_numpy()
    out = out.sort_values(["interval_start", "queue"], kind="stable").reset_index(drop=True)

    oc = assignments[assignments["kind"] == "on_call"]
    oc_days = oc.assign(d=oc["interval_start"].dt.normalize()).groupby("agent_id")["d"].nunique()
    duty = pd.DataFrame({
        "agent_id": ag["agent_id"].to_numpy(),
        "home_queue": home,
        "on_call_eligible": eligible,
        "history_on_call_h": hist,
        "on_call_h": on_call_cells * hours,
        "backup_h": backup_cells * hours,
    })
    duty["total_on_call_h"] = duty["history_on_call_h"] + duty["on_call_h"]
    duty["on_call_days"] = oc_days.reindex(duty["agent_id"]).fillna(0).astype(np.int64).to_numpy()
    return ReserveRoster(intervals=out, assignments=assignments, duty=duty)
