"""Named-agent rosters from an interval requirement: a two-stage MILP on HiGHS.

Stage 1 (**shifts and breaks against the requirement**, 利用率): integer head-counts ``x[g]`` per
shift group ``g = (day, template, start)`` and, for every break or lunch of the template, integer
counts ``y[g, b, p]`` of those shifts taking that break at position ``p`` of its window
(``sum_p y[g, b, p] = x[g]``: Aykin's implicit break model — the windows of one template never
overlap, so any combination of positions is a valid shift). Net staff per model slot is
``sum x`` over the shifts covering the slot minus ``sum y`` over the breaks covering it;
``staff - req = over - short``. The pool bounds it: per day and kind (full/part time) no more shifts
than available agents, per week and kind the paid hours of the agents' contracts. Objective:
``weight_utilization * (short_penalty * short + over)`` in agent-slots. Break placement is
therefore optimised against coverage, not fixed.

Stage 2 (**names**, 人性化 and 公平性): binaries ``z[a, g]`` give each agent at most one shift a day
from the stage-1 groups (``sum_a z[a, g] + unfilled[g] = x[g]``) under every hard rule — eligible
templates, unavailable days, no nights, minimum rest (one threshold row per agent, day and start
time, exact), maximum consecutive work days (with the days worked before the roster), days off
per roster week (7-day block from the first day), weekly contract hours, maximum nights and weekends per fairness period — and
the soft goals: preferred shifts and days off, two consecutive days off a week
(``weight_humane``), and the spread max - min of nights, weekends and holidays per kind, with the
earlier weeks' counts carried in (``weight_fairness``). Long horizons are named week by week,
carrying rest, consecutive days and fairness counts forward, so the model size grows linearly.
An agent the naming leaves below its contract hours within the time limit is named again alone
(an exact one-agent model that may add coverage-aware extra shifts), so a time-limited solve
still keeps the contracts.

Both stages are ``scipy.optimize.milp`` (HiGHS) with a time limit; the best roster found is
returned with its status and gap. Why two stages and HiGHS rather than one model or CP-SAT is
measured in ``docs/roster-rules.md`` and ``bench/RESULTS.md``.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from ccomkit.errors import CcomkitWarning, InfeasibleError, ParameterError, SchemaError
from ccomkit.schemas import require_columns
from ccomkit.wfm.roster_rules import WEEKDAYS, RosterRules, load_rules, normalize_agents

__all__ = ["RosterResult", "solve_roster", "requirement_slots", "lp_bound", "size_pool", "make_agents",
           "coverage_from_roster"]

SHORT_PENALTY = 20.0  # an uncovered agent-slot costs this many over-covered ones
UNFILLED_PENALTY = 1000.0  # per paid hour of a stage-1 shift nobody can take
EXTRA_SHIFT_COST = 5.0  # per paid hour of a shift outside the cover given to meet a contract
_STATUS = {0: "optimal", 1: "time_limit", 2: "infeasible", 3: "unbounded", 4: "error"}


@dataclass
class RosterResult:
    """What :func:`solve_roster` returns.

    Attributes
    ----------
    roster : pandas.DataFrame
        One row per agent activity: ``agent_id, start, end, activity`` (work/break/lunch),
        ``shift_code``, ``shift_start``.
    coverage : pandas.DataFrame
        Per interval: ``interval_start, agents_required, agents_scheduled`` (net, mean over the
        interval's slots), ``short``, ``over``.
    status : str
        ``optimal``, ``feasible`` (a solution, gap not closed), ``time_limit`` (stopped by the
        limit) or ``infeasible`` (the hard rules admit no roster; see ``message``).
    gap_frac : float
        Relative MIP gap of stage 1 (coverage); NaN when not solved.
    shortfall : pandas.DataFrame
        The intervals where the roster stays short (``interval_start, agents_required,
        agents_scheduled, short``): where the requirement cannot be met and by how much.
    solve_s : float
        Wall time of the whole solve.
    message : str
        One line: what happened, what limited it.
    stages : pandas.DataFrame
        Per stage (and week of stage 2): rows, columns, integers, status, gap, seconds.
    unfilled : pandas.DataFrame
        Stage-1 shifts nobody could take under the hard rules (``day, shift_code, start, count``).
    """

    roster: pd.DataFrame
    coverage: pd.DataFrame
    status: str
    gap_frac: float
    shortfall: pd.DataFrame
    solve_s: float
    message: str = ""
    stages: pd.DataFrame = field(default_factory=pd.DataFrame)
    unfilled: pd.DataFrame = field(default_factory=pd.DataFrame)


# --------------------------------------------------------------------------------------------
# the requirement on the model's slot grid
# --------------------------------------------------------------------------------------------
@dataclass
class _Grid:
    day0: pd.Timestamp
    n_days: int
    slot_min: int
    interval_min: int
    req: np.ndarray  # per slot, agents required
    intervals: pd.DataFrame  # interval_start, agents_required (pooled)

    @property
    def spd(self) -> int:
        return 1440 // self.slot_min

    @property
    def n_slots(self) -> int:
        return self.n_days * self.spd


def requirement_slots(requirement: pd.DataFrame, rules: RosterRules, *,
                      column: str = "agents_required") -> _Grid:
    """Validate a requirement frame and put it on the model's slot grid (queues pooled)."""
    table = "requirement"
    require_columns(requirement, ["interval_start", column], table)
    if requirement.empty:
        raise SchemaError("requirement has no rows", table=table)
    ts = pd.to_datetime(requirement["interval_start"], errors="coerce")
    if ts.isna().any():
        bad = ts.isna()
        raise SchemaError(f"requirement.interval_start must be a timestamp: {int(bad.sum())} rows violate it, "
                          f"first at rows {list(requirement.index[bad][:5])}", table=table,
                          column="interval_start", rows=list(requirement.index[bad][:5]))
    if getattr(ts.dt, "tz", None) is not None:
        ts = ts.dt.tz_convert("Asia/Shanghai").dt.tz_localize(None)  # local, like the contracts
    req = pd.to_numeric(requirement[column], errors="coerce")
    bad = req.isna() | (req < 0) | ~np.isfinite(req)
    if bad.any():
        raise SchemaError(f"requirement.{column} must be a number >= 0: {int(bad.sum())} rows violate it, "
                          f"first at rows {list(requirement.index[bad][:5])} "
                          f"(values {list(requirement.loc[bad, column][:5])})", table=table, column=column,
                          rows=list(requirement.index[bad][:5]))
    minute = ts.dt.hour * 60 + ts.dt.minute
    off = (minute % rules.interval_min != 0) | (ts.dt.second != 0)
    if off.any():
        raise SchemaError(f"requirement.interval_start must be on the {rules.interval_min}-minute grid of "
                          f"RULES.yaml (interval_min): {int(off.sum())} rows are not, first "
                          f"{ts[off].iloc[0]}", table=table, column="interval_start",
                          rows=list(requirement.index[off][:5]))
    pooled = pd.DataFrame({"interval_start": ts, "agents_required": req.astype(float)}) \
        .groupby("interval_start", as_index=False)["agents_required"].sum()
    day0 = pooled["interval_start"].min().normalize()
    n_days = int((pooled["interval_start"].max().normalize() - day0).days) + 1
    spd = 1440 // rules.slot_min
    arr = np.zeros(n_days * spd)
    per = rules.interval_min // rules.slot_min
    first = ((pooled["interval_start"] - day0) / pd.Timedelta(minutes=rules.slot_min)).to_numpy().astype(np.int64)
    idx = (first[:, None] + np.arange(per)[None, :]).ravel()
    arr[idx] = np.repeat(pooled["agents_required"].to_numpy(), per)
    return _Grid(day0, n_days, rules.slot_min, rules.interval_min, arr, pooled)


# --------------------------------------------------------------------------------------------
# shift groups and their coverage columns
# --------------------------------------------------------------------------------------------
@dataclass
class _Groups:
    day: np.ndarray
    tmpl: np.ndarray
    start_min: np.ndarray  # minutes after the day's midnight
    start_slot: np.ndarray  # absolute slot
    length_slot: np.ndarray
    paid_h: np.ndarray
    kind: np.ndarray  # 0 full, 1 part
    night: np.ndarray
    # break choices: one row per (group, break, position)
    b_group: np.ndarray
    b_index: np.ndarray
    b_start_slot: np.ndarray
    b_length_slot: np.ndarray


def _groups(grid: _Grid, rules: RosterRules, *, breaks: bool = True,
            templates: tuple[int, ...] | None = None) -> _Groups:
    s = rules.slot_min
    rows: list[tuple[int, int, int]] = []
    for d in range(grid.n_days):
        wd = WEEKDAYS[(grid.day0 + pd.Timedelta(days=d)).weekday()]
        for ti, t in enumerate(rules.templates):
            if templates is not None and ti not in templates:
                continue
            if wd not in t.days:
                continue
            for st in t.starts_min:
                rows.append((d, ti, st))
    if not rows:
        raise InfeasibleError("No shift template may start on any day of the requirement (check "
                              "shift_templates[].days).", status="infeasible")
    arr = np.array(rows, dtype=np.int64)
    day, tmpl, start = arr[:, 0], arr[:, 1], arr[:, 2]
    lengths = np.array([t.length_min for t in rules.templates])[tmpl]
    paid = np.array([t.paid_min for t in rules.templates])[tmpl] / 60.0
    kind = np.array([0 if t.kind == "full" else 1 for t in rules.templates])[tmpl]
    night = np.array([rules.is_night(int(st), int(ln)) for st, ln in zip(start, lengths)], dtype=bool)
    g = _Groups(day, tmpl, start, day * grid.spd + start // s, lengths // s, paid, kind, night,
                *(np.zeros(0, dtype=np.int64) for _ in range(4)))
    if breaks:
        bg, bi, bs, bl = [], [], [], []
        for ti, t in enumerate(rules.templates):
            sel = np.flatnonzero(tmpl == ti)
            if not len(sel):
                continue
            for j, b in enumerate(t.breaks):
                offs = np.arange(b.window_start_min, b.window_end_min + 1, s) // s
                bg.append(np.repeat(sel, len(offs)))
                bi.append(np.full(len(sel) * len(offs), j))
                bs.append((g.start_slot[sel][:, None] + offs[None, :]).ravel())
                bl.append(np.full(len(sel) * len(offs), b.length_min // s))
        if bg:
            g.b_group, g.b_index, g.b_start_slot, g.b_length_slot = (np.concatenate(v) for v in (bg, bi, bs, bl))
    return g


def _span_matrix(start: np.ndarray, length: np.ndarray, n_rows: int, sign: float) -> sparse.csc_matrix:
    """Column j has ``sign`` in rows start[j] … start[j] + length[j] - 1 (clipped to n_rows)."""
    total = int(length.sum())
    cols = np.repeat(np.arange(len(start)), length)
    offs = np.arange(total) - np.repeat(np.cumsum(length) - length, length)
    rows = np.repeat(start, length) + offs
    keep = rows < n_rows
    return sparse.csc_matrix((np.full(int(keep.sum()), sign), (rows[keep], cols[keep])),
                             shape=(n_rows, len(start)))


# --------------------------------------------------------------------------------------------
# the pool
# --------------------------------------------------------------------------------------------
def _weeks(grid: _Grid) -> list[np.ndarray]:
    """Day indices per roster week: blocks of 7 days from the horizon's first day."""
    return [np.arange(w, min(w + 7, grid.n_days)) for w in range(0, grid.n_days, 7)]


def _hours_bounds(agent: pd.Series, days: np.ndarray, grid: _Grid, rules: RosterRules) -> tuple[float, float]:
    """Paid hours an agent must work in one roster week of the horizon (lo, hi)."""
    contract = float(agent["contract_hours_week"])
    tol = rules.hard.weekly_hours_tolerance_h
    workdays = 7 - rules.hard.min_days_off_per_week
    dates = [(grid.day0 + pd.Timedelta(days=int(d))).date().isoformat() for d in days]
    leave = sum(1 for x in dates if x in agent["unavailable_dates"])
    hi = contract + tol
    if len(days) < 7:  # the last, short block of the horizon: only the upper bound
        return 0.0, hi
    lo = max(0.0, contract - tol - leave * contract / max(workdays, 1))
    return lo, hi


def _available(agents: pd.DataFrame, grid: _Grid) -> np.ndarray:
    """(n_agents, n_days) bool: not on leave."""
    dates = [(grid.day0 + pd.Timedelta(days=d)).date().isoformat() for d in range(grid.n_days)]
    return np.array([[x not in un for x in dates] for un in agents["unavailable_dates"]], dtype=bool) \
        .reshape(len(agents), grid.n_days)


# --------------------------------------------------------------------------------------------
# stage 1
# --------------------------------------------------------------------------------------------
@dataclass
class _Stage1:
    x: np.ndarray
    y: np.ndarray
    status: str
    gap: float
    seconds: float
    rows: int
    cols: int
    objective: float


def _stage1(grid: _Grid, groups: _Groups, rules: RosterRules, *, pool: dict[str, Any] | None,
            time_limit_s: float, w_util: float, relax: bool = False, no_short: bool = False,
            size_pool_hours: dict[str, float] | None = None) -> _Stage1:
    """Shift counts and break positions against the requirement.

    ``pool``: ``{"per_day": (2, n_days) max shifts per kind and day, "hours": list of (kind, days,
    lo, hi)}``; ``size_pool_hours``: instead of a fixed pool, head-counts per kind are variables and
    each works exactly ``contract`` hours a week (pool sizing).
    """
    t0 = time.perf_counter()
    S = grid.n_slots
    cover = _span_matrix(groups.start_slot, groups.length_slot, S, 1.0)
    brk = _span_matrix(groups.b_start_slot, groups.b_length_slot, S, -1.0)
    # rows where anything happens: required or covered
    active = (grid.req > 0) | (np.asarray(cover.sum(axis=1)).ravel() > 0)
    rows_idx = np.flatnonzero(active)
    cover, brk = cover[rows_idx], brk[rows_idx]
    n_x, n_y, n_r = cover.shape[1], brk.shape[1], len(rows_idx)
    n_k = 2 if size_pool_hours is not None else 0
    n = n_x + n_y + 2 * n_r + n_k
    eye = sparse.identity(n_r, format="csc")
    blocks = [cover, brk, eye, -eye]
    if n_k:
        blocks.append(sparse.csc_matrix((n_r, n_k)))
    a_cov = sparse.hstack(blocks, format="csr")
    cons = [LinearConstraint(a_cov, grid.req[rows_idx], grid.req[rows_idx])]
    # sum_p y[g, b, p] = x[g]
    if n_y:
        key = groups.b_group * 16 + groups.b_index
        uniq, inv = np.unique(key, return_inverse=True)
        m = sparse.csr_matrix((np.ones(n_y), (inv, np.arange(n_y))), shape=(len(uniq), n_y))
        mx = sparse.csr_matrix((-np.ones(len(uniq)), (np.arange(len(uniq)), uniq // 16)), shape=(len(uniq), n_x))
        cons.append(LinearConstraint(sparse.hstack([mx, m, sparse.csr_matrix((len(uniq), 2 * n_r + n_k))]),
                                     0, 0))
    weeks = _weeks(grid)
    if pool is not None:
        per_day = pool["per_day"]
        rows, lo_b, hi_b = [], [], []
        for k in (0, 1):
            for d in range(grid.n_days):
                sel = np.flatnonzero((groups.kind == k) & (groups.day == d))
                if len(sel):
                    r = np.zeros(n_x)
                    r[sel] = 1
                    rows.append(r)
                    lo_b.append(0)
                    hi_b.append(per_day[k, d])
        for k, days, lo, hi, max_shifts in pool["hours"]:
            sel = np.flatnonzero((groups.kind == k) & np.isin(groups.day, days))
            if len(sel):
                r = np.zeros(n_x)
                r[sel] = groups.paid_h[sel]
                rows.append(r)
                lo_b.append(lo)
                hi_b.append(hi)
                r = np.zeros(n_x)
                r[sel] = 1
                rows.append(r)
                lo_b.append(0)
                hi_b.append(max_shifts)
        if rows:
            a = sparse.hstack([sparse.csr_matrix(np.array(rows)), sparse.csr_matrix((len(rows), n - n_x))])
            cons.append(LinearConstraint(a, lo_b, hi_b))
    if n_k:
        assert size_pool_hours is not None
        workdays = 7 - rules.hard.min_days_off_per_week
        rows, lo_b, hi_b = [], [], []
        for k, kname in ((0, "full"), (1, "part")):
            for d in range(grid.n_days):
                sel = np.flatnonzero((groups.kind == k) & (groups.day == d))
                r = np.zeros(n)
                r[sel] = 1
                r[n_x + n_y + 2 * n_r + k] = -1
                rows.append(r)
                lo_b.append(-np.inf)
                hi_b.append(0)
            for days in weeks:
                sel = np.flatnonzero((groups.kind == k) & np.isin(groups.day, days))
                contract = size_pool_hours[kname]
                r = np.zeros(n)
                r[sel] = groups.paid_h[sel]
                if len(days) == 7:  # a full week: exactly the contract hours
                    r[n_x + n_y + 2 * n_r + k] = -contract
                    lo_b.append(0)
                else:  # the last, short block: at most the contract
                    r[n_x + n_y + 2 * n_r + k] = -contract
                    lo_b.append(-np.inf)
                rows.append(r)
                hi_b.append(0)
                r = np.zeros(n)
                r[sel] = 1
                r[n_x + n_y + 2 * n_r + k] = -min(workdays, len(days))
                rows.append(r)
                lo_b.append(-np.inf)
                hi_b.append(0)
        cons.append(LinearConstraint(sparse.csr_matrix(np.array(rows)), lo_b, hi_b))
    c = np.zeros(n)
    c[n_x + n_y: n_x + n_y + n_r] = w_util * SHORT_PENALTY
    c[n_x + n_y + n_r: n_x + n_y + 2 * n_r] = w_util * 1.0
    if n_k:
        c[n - n_k:] = 1e-3  # fewest agents among equally good pools
    c[:n_x] += 1e-6 * groups.paid_h  # tie-break: fewer paid hours
    integrality = np.zeros(n)
    if not relax:
        integrality[: n_x + n_y] = 1
        integrality[n - n_k:] = 1 if n_k else 0
    ub = np.full(n, np.inf)
    if no_short:
        ub[n_x + n_y: n_x + n_y + n_r] = 0
    res = milp(c, integrality=integrality, bounds=Bounds(np.zeros(n), ub), constraints=cons,
               options={"time_limit": max(1.0, float(time_limit_s)), "disp": False})
    secs = time.perf_counter() - t0
    status = _STATUS.get(res.status, "error")
    if res.x is None:
        return _Stage1(np.zeros(0), np.zeros(0), "infeasible" if status != "time_limit" else status,
                       math.nan, secs, len(rows_idx), n, math.nan)
    x = np.round(res.x[:n_x]) if not relax else res.x[:n_x]
    y = np.round(res.x[n_x:n_x + n_y]) if not relax else res.x[n_x:n_x + n_y]
    gap = float(getattr(res, "mip_gap", 0.0) or 0.0) if not relax else 0.0
    st = _Stage1(x, y, status, gap, secs, len(rows_idx), n, float(res.fun))
    if n_k:
        st.pool = np.round(res.x[n - n_k:]) if not relax else res.x[n - n_k:]  # type: ignore[attr-defined]
    return st


def _net_staff(grid: _Grid, groups: _Groups, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    cover = _span_matrix(groups.start_slot, groups.length_slot, grid.n_slots, 1.0)
    brk = _span_matrix(groups.b_start_slot, groups.b_length_slot, grid.n_slots, -1.0)
    return cover @ x + (brk @ y if len(y) else 0.0)


# --------------------------------------------------------------------------------------------
# stage 2: names
# --------------------------------------------------------------------------------------------
@dataclass
class _Carry:
    """State carried from one naming week to the next, per agent."""

    last_end_min: np.ndarray  # absolute minutes from day0 of the last shift's end (-inf: none)
    run: np.ndarray  # consecutive work days ending at the last named day
    nights: np.ndarray
    weekends: np.ndarray
    holidays: np.ndarray
    hist: list[np.ndarray]  # per earlier day: worked (bool per agent)


def _stage2_week(agents: pd.DataFrame, avail: np.ndarray, grid: _Grid, groups: _Groups, x: np.ndarray,
                 days: np.ndarray, carry: _Carry, rules: RosterRules, *, deadline: float,
                 w_humane: float, w_fair: float, extra_agents: frozenset[int] = frozenset(),
                 extra_cost: np.ndarray | None = None) -> tuple[dict[int, list[int]], dict[str, Any]]:
    """Name agents for the shift groups of ``days`` (one roster week); returns group -> agents.

    ``extra_agents`` may also take shifts outside the cover, each at ``extra_cost[g]`` (default
    ``EXTRA_SHIFT_COST`` per paid hour).
    """
    t0 = time.perf_counter()
    hard = rules.hard
    n_a = len(agents)
    gsel = np.flatnonzero(np.isin(groups.day, days) & (x > 0.5))
    week_groups = np.flatnonzero(np.isin(groups.day, days))
    if not len(gsel):
        return {}, {"rows": 0, "cols": 0, "status": "optimal", "gap": 0.0, "seconds": 0.0, "unfilled": {}}
    codes = [t.code for t in rules.templates]
    dates = {int(d): (grid.day0 + pd.Timedelta(days=int(d))) for d in days}
    weekday = {d: WEEKDAYS[ts.weekday()] for d, ts in dates.items()}
    weekend = {d: ts.weekday() >= 5 for d, ts in dates.items()}
    holiday = {d: ts.date().isoformat() in set(rules.holidays) for d, ts in dates.items()}
    rest_min = hard.min_rest_h * 60
    # variables z[a, g] for eligible pairs
    za, zg = [], []
    for a in range(n_a):
        ag = agents.iloc[a]
        allowed = {codes.index(c) for c in ag["shift_codes"]}
        # repair pass: an agent short of contract hours may also take shifts outside the cover
        for g in (week_groups if a in extra_agents else gsel):
            d = int(groups.day[g])
            if not avail[a, d] or int(groups.tmpl[g]) not in allowed:
                continue
            if ag["no_nights"] and groups.night[g]:
                continue
            # rest against the last shift before this week
            if groups.start_slot[g] * grid.slot_min - carry.last_end_min[a] < rest_min:
                continue
            za.append(a)
            zg.append(g)
    za_arr, zg_arr = np.array(za, dtype=np.int64), np.array(zg, dtype=np.int64)
    in_cover = np.isin(zg_arr, gsel)
    nz = len(za_arr)
    n_u = len(gsel)
    gpos = {int(g): i for i, g in enumerate(gsel)}
    extra: list[str] = []  # names of extra continuous variables
    rows_i: list[np.ndarray] = []
    rows_j: list[np.ndarray] = []
    rows_v: list[np.ndarray] = []
    lo: list[float] = []
    hi: list[float] = []
    n_rows = 0

    def add(cols: np.ndarray, vals: np.ndarray | float, lo_: float, hi_: float) -> None:
        nonlocal n_rows
        cols = np.asarray(cols, dtype=np.int64)
        rows_i.append(np.full(len(cols), n_rows))
        rows_j.append(cols)
        rows_v.append(np.broadcast_to(np.asarray(vals, dtype=float), cols.shape).copy())
        lo.append(lo_)
        hi.append(hi_)
        n_rows += 1

    zday = groups.day[zg_arr] if nz else np.zeros(0, dtype=np.int64)
    # demand: sum_a z[a, g] + u[g] = x[g]
    order = np.argsort(zg_arr, kind="stable")
    zg_sorted = zg_arr[order]
    for i, g in enumerate(gsel):
        lo_i, hi_i = np.searchsorted(zg_sorted, [g, g + 1])
        cols = np.concatenate([order[lo_i:hi_i], [nz + i]])
        add(cols, 1.0, x[g], x[g])
    # per agent
    by_agent = np.split(np.arange(nz), np.searchsorted(za_arr, np.arange(1, n_a))) if nz else [np.zeros(0, int)] * n_a
    n_base = nz + n_u
    var_cost: list[float] = []  # costs of extra variables
    var_ub: list[float] = []
    var_int: list[int] = []

    def new_var(cost: float, ub: float = np.inf, integer: int = 0) -> int:
        var_cost.append(cost)
        var_ub.append(ub)
        var_int.append(integer)
        return n_base + len(var_cost) - 1

    kinds0 = (agents["kind"] == "part").to_numpy().astype(int)
    fair_target: dict[tuple[str, int], float] = {}
    if w_fair > 0:
        wk_flag = np.array([weekend[int(d)] for d in groups.day[gsel]])
        hol_flag = np.array([holiday[int(d)] for d in groups.day[gsel]])
        for attr, flag, prev_all in (("nights", groups.night[gsel], carry.nights),
                                     ("weekends", wk_flag, carry.weekends),
                                     ("holidays", hol_flag, carry.holidays)):
            for k in (0, 1):
                elig = kinds0 == k
                if attr == "nights":
                    elig = elig & ~agents["no_nights"].to_numpy(dtype=bool)
                n_el = int(elig.sum())
                total = float(x[gsel][(groups.kind[gsel] == k) & flag].sum())
                if n_el and total > 0:
                    fair_target[(attr, k)] = (total + float(prev_all[elig].sum())) / n_el
    kinds = (agents["kind"] == "part").to_numpy().astype(int)
    workdays_max = 7 - hard.min_days_off_per_week
    cost_z = np.zeros(nz)
    slack_of: dict[int, int] = {}
    for a in range(n_a):
        idx = by_agent[a]
        ag = agents.iloc[a]
        if not len(idx):
            lo_h, _ = _hours_bounds(ag, days, grid, rules)
            continue
        gd = zday[idx]
        # one shift a day
        worked_cols: dict[int, np.ndarray] = {}
        for d in days:
            cols = idx[gd == d]
            worked_cols[int(d)] = cols
            if len(cols) > 1:
                add(cols, 1.0, 0, 1)
        # rest between days d and d2 > d (within the week)
        g_of = zg_arr[idx]
        end_min = (groups.start_slot[g_of] + groups.length_slot[g_of]) * grid.slot_min
        st_min = groups.start_slot[g_of] * grid.slot_min
        for d in days:
            first = idx[gd == d]
            if not len(first):
                continue
            e1 = end_min[gd == d]
            for d2 in days[days > d]:
                sel2 = gd == d2
                if not sel2.any():
                    continue
                s2 = st_min[sel2]
                if (e1.max() + rest_min) <= s2.min():
                    continue
                for tau in np.unique(s2):
                    c1 = first[e1 + rest_min > tau]
                    if not len(c1):
                        continue
                    c2 = idx[sel2][s2 <= tau]
                    add(np.concatenate([c1, c2]), 1.0, 0, 1)
        # days off per roster week (7-day block from the first day): days worked <= 7 - min days off
        add(idx, 1.0, 0, workdays_max)
        # weekly paid hours
        lo_h, hi_h = _hours_bounds(ag, days, grid, rules)
        ph = groups.paid_h[g_of]
        slack = new_var(UNFILLED_PENALTY) if lo_h > 0 else None
        if slack is not None:
            slack_of[a] = slack
            add(np.concatenate([idx, [slack]]), np.concatenate([ph, [1.0]]), lo_h, np.inf)
        add(idx, ph, 0, hi_h)
        # maximum consecutive work days, with the days worked before this week
        L = hard.max_consecutive_work_days
        hist = carry.hist
        for j, d in enumerate(days):
            # window of L + 1 days ending at d
            win_days = [dd for dd in range(int(d) - L, int(d) + 1)]
            cols = [worked_cols[dd] for dd in win_days if dd in worked_cols]
            fixed = sum(1 for dd in win_days if dd < int(days[0]) and 0 <= dd < len(hist) and hist[dd][a])
            if int(days[0]) == 0:
                before = int(ag["consecutive_days_before"])
                fixed += sum(1 for dd in win_days if dd < 0 and -dd <= before)
            cols_cat = np.concatenate(cols) if cols else np.zeros(0, int)
            if len(win_days) == L + 1 and len(cols_cat) + fixed > L:
                add(cols_cat, 1.0, -np.inf, L - fixed)
        # max nights / weekends per period
        for attr, limit, flag, prev in (
            ("nights", hard.max_nights_per_period, groups.night[g_of], carry.nights[a]),
            ("weekends", hard.max_weekends_per_period, np.array([weekend[int(d)] for d in gd]), carry.weekends[a]),
        ):
            if limit is not None and flag.any():
                add(idx[flag], 1.0, -np.inf, limit - prev)
        # humane: preferences
        pref = set(ag["preferred_shifts"])
        if pref:
            miss = np.array([codes[int(t)] not in pref for t in groups.tmpl[g_of]])
            cost_z[idx[miss]] += w_humane
        pdo = set(ag["preferred_days_off"])
        if pdo:
            hit = np.array([weekday[int(d)] in pdo for d in gd])
            cost_z[idx[hit]] += w_humane
        # humane: two consecutive days off in the week (reward v <= 1 - worked(d), 1 - worked(d+1))
        if w_humane > 0 and len(days) >= 2:
            vs = []
            for d in days[:-1]:
                v = new_var(0.0, ub=1.0)
                vs.append(v)
                for dd in (int(d), int(d) + 1):
                    c = worked_cols.get(dd, np.zeros(0, int))
                    add(np.concatenate([[v], c]), 1.0, -np.inf, 1)
            # at most one rewarded pair a week: reward = w_humane * r, r <= sum v, r <= 1
            r = new_var(-w_humane, ub=1.0)
            add(np.array([r, *vs]), np.array([1.0] + [-1.0] * len(vs)), -np.inf, 0)
        # fairness: distance of each agent's count (carried-in + this week) from the fair share
        if w_fair > 0:
            for attr, flag, prev in (
                ("nights", groups.night[g_of], carry.nights[a]),
                ("weekends", np.array([weekend[int(d)] for d in gd]), carry.weekends[a]),
                ("holidays", np.array([holiday[int(d)] for d in gd]), carry.holidays[a]),
            ):
                if attr == "nights" and ag["no_nights"]:
                    continue
                cols = idx[flag]
                target = fair_target.get((attr, int(kinds[a])))
                if not len(cols) or target is None:
                    continue
                # |prev + count - target| <= d1 + d2, d1 <= 1 (cost w), d2 (cost 4w): convex, strong LP
                d1, d2 = new_var(w_fair, ub=1.0), new_var(4 * w_fair)
                ones = np.ones(len(cols))
                add(np.concatenate([cols, [d1, d2]]), np.concatenate([ones, [-1.0, -1.0]]), -np.inf, target - prev)
                add(np.concatenate([cols, [d1, d2]]), np.concatenate([ones, [1.0, 1.0]]), target - prev, np.inf)
    n_var = n_base + len(var_cost)
    c = np.zeros(n_var)
    c[:nz] = cost_z + 1e-4 * (za_arr % 7)  # tiny deterministic tie-break against symmetry
    c[nz:n_base] = UNFILLED_PENALTY * groups.paid_h[gsel]
    c[n_base:] = var_cost
    ub = np.concatenate([np.ones(nz), x[gsel], np.array(var_ub)])
    integ = np.concatenate([np.ones(nz), np.zeros(n_u), np.array(var_int)])
    a_mat = sparse.csr_matrix((np.concatenate(rows_v), (np.concatenate(rows_i), np.concatenate(rows_j))),
                              shape=(n_rows, n_var))
    # phase A: only the cover (unfilled shifts, hours below contract) — fast, the fallback;
    # phase B: the soft goals, with the cover held at least as good as phase A's
    hard_cost = np.zeros(n_var)
    hard_cost[nz:n_base] = c[nz:n_base]
    per_group = EXTRA_SHIFT_COST * groups.paid_h if extra_cost is None else extra_cost
    extra_c = per_group[zg_arr] * ~in_cover if nz else np.zeros(0)
    hard_cost[:nz] = extra_c
    c[:nz] += extra_c
    for j, v in enumerate(var_cost):
        if v == UNFILLED_PENALTY:
            hard_cost[n_base + j] = v
    t_a = time.perf_counter()
    res_a = milp(hard_cost + 1e-4 * (np.arange(n_var) < nz), integrality=integ, bounds=Bounds(np.zeros(n_var), ub),
                 constraints=[LinearConstraint(a_mat, lo, hi)],
                 options={"time_limit": max(1.0, 0.6 * (deadline - time.perf_counter())), "disp": False})
    res = res_a
    short_agents = sorted(a for a, v in slack_of.items() if res_a.x is not None and res_a.x[v] > 1e-6)
    hard_value = float(hard_cost @ res_a.x) if res_a.x is not None else math.inf
    # some contract cannot be met from the cover alone: return the cover-only solution now, so
    # that the caller's repair pass (extra shifts for those agents) gets the time
    skip_soft = bool(short_agents) and not extra_agents
    if res_a.x is not None and (w_humane > 0 or w_fair > 0) and not skip_soft:
        cover_a = float(hard_cost @ res_a.x)
        left = deadline - time.perf_counter()
        res_b = None if left < 1.0 else milp(c, integrality=integ, bounds=Bounds(np.zeros(n_var), ub),
                     constraints=[LinearConstraint(a_mat, lo, hi),
                                  LinearConstraint(hard_cost.reshape(1, -1), -np.inf, cover_a + 1e-6)],
                     options={"time_limit": left, "disp": False})
        if res_b is not None and res_b.x is not None:
            res = res_b
    secs = time.perf_counter() - t0
    status = _STATUS.get(res.status, "error")
    info = {"rows": n_rows, "cols": n_var, "integers": int(integ.sum()), "status": status,
            "gap": float(getattr(res, "mip_gap", math.nan) or 0.0), "seconds": secs,
            "short_agents": short_agents, "hard_cost": hard_value}
    if res.x is None:
        info["status"] = "infeasible" if status != "time_limit" else "time_limit"
        return {}, info
    z = res.x[:nz] > 0.5
    out: dict[int, list[int]] = {}
    for a, g in zip(za_arr[z], zg_arr[z]):
        out.setdefault(int(g), []).append(int(a))
    return out, info


def _days_off_swaps(got: dict[int, list[int]], agents: pd.DataFrame, avail: np.ndarray, grid: _Grid,
                    groups: _Groups, days: np.ndarray, carry: _Carry, rules: RosterRules,
                    deadline: float) -> tuple[dict[int, list[int]], int]:
    """Local search for 人性化: exchange a work day of agent A (off on day e) with agent B's work day e
    (B off on day d), when that gives more agents two consecutive days off in the week.

    Coverage, paid hours, weekend/holiday/night counts and preference costs are unchanged or not
    worse by construction; rest, consecutive days and eligibility are re-checked for both agents.
    Returns the new assignment and the number of exchanges made.
    """
    if len(days) < 7:
        return got, 0
    codes = [t.code for t in rules.templates]
    hol = set(rules.holidays)
    rest_min = rules.hard.min_rest_h * 60
    L = rules.hard.max_consecutive_work_days
    day_list = [int(d) for d in days]
    wd = {d: (grid.day0 + pd.Timedelta(days=d)) for d in day_list}
    # plan[a][d] = group
    plan: dict[int, dict[int, int]] = {}
    for g, lst in got.items():
        for a in lst:
            plan.setdefault(a, {})[int(groups.day[g])] = int(g)
    allowed = [{codes.index(c) for c in sc} for sc in agents["shift_codes"]]
    no_n = agents["no_nights"].to_numpy(dtype=bool)
    pref_off = [set(p) for p in agents["preferred_days_off"]]

    def has_pair(a: int, p: dict[int, int]) -> bool:
        off = [d not in p for d in day_list]
        return any(off[i] and off[i + 1] for i in range(len(off) - 1))

    def ok(a: int, p: dict[int, int]) -> bool:
        times = sorted((groups.start_slot[g] * grid.slot_min, (groups.start_slot[g] + groups.length_slot[g])
                        * grid.slot_min) for g in p.values())
        prev_end = carry.last_end_min[a]
        for s, e in times:
            if s - prev_end < rest_min:
                return False
            prev_end = e
        run = 0
        for d in range(day_list[0] - L, day_list[-1] + 1):
            if d in p:
                w = True
            elif d < day_list[0]:
                w = (0 <= d < len(carry.hist) and bool(carry.hist[d][a])) or (
                    d < 0 and -d <= int(agents["consecutive_days_before"].iloc[a]) and day_list[0] == 0)
            else:
                w = False
            run = run + 1 if w else 0
            if run > L:
                return False
        return True

    def flags(d: int, g: int) -> tuple:
        return (wd[d].weekday() >= 5, wd[d].date().isoformat() in hol, bool(groups.night[g]),
                float(groups.paid_h[g]))

    swaps = 0
    improved = True
    ids = sorted(plan)
    while improved and time.perf_counter() < deadline:
        improved = False
        for a in ids:
            if has_pair(a, plan[a]) or time.perf_counter() > deadline:
                continue
            pa = plan[a]
            done = False
            for d in list(pa):  # a gives up day d ...
                for e in day_list:  # ... and works day e instead
                    if e in pa or not avail[a, e]:
                        continue
                    cand = dict(pa)
                    del cand[d]
                    cand_off = [x not in cand and x != e for x in day_list]
                    if not any(cand_off[i] and cand_off[i + 1] for i in range(6)):
                        continue  # no pair for a after the exchange
                    for b in ids:
                        pb = plan[b]
                        if b == a or d in pb or e not in pb or not avail[b, d]:
                            continue
                        ga, gb = pa[d], pb[e]
                        if flags(d, ga) != flags(e, gb):
                            continue
                        if int(groups.tmpl[ga]) not in allowed[b] or int(groups.tmpl[gb]) not in allowed[a]:
                            continue
                        if (no_n[b] and groups.night[ga]) or (no_n[a] and groups.night[gb]):
                            continue
                        wd_d, wd_e = WEEKDAYS[wd[d].weekday()], WEEKDAYS[wd[e].weekday()]
                        if (wd_e in pref_off[a] and wd_d not in pref_off[a]) or \
                                (wd_d in pref_off[b] and wd_e not in pref_off[b]):
                            continue
                        new_a = {**cand, e: gb}
                        new_b = {k: v for k, v in pb.items() if k != e}
                        new_b[d] = ga
                        if has_pair(b, pb) and not has_pair(b, new_b):
                            continue
                        if not (ok(a, new_a) and ok(b, new_b)):
                            continue
                        plan[a], plan[b] = new_a, new_b
                        swaps += 1
                        improved = done = True
                        break
                    if done:
                        break
                if done:
                    break
    out: dict[int, list[int]] = {}
    for a, p in plan.items():
        for g in p.values():
            out.setdefault(g, []).append(a)
    return out, swaps


def _contract_repair(got: dict[int, list[int]], agents: pd.DataFrame, avail: np.ndarray, grid: _Grid,
                     groups: _Groups, x: np.ndarray, days: np.ndarray, carry: _Carry, rules: RosterRules,
                     staff_before: np.ndarray) -> tuple[dict[int, list[int]], int]:
    """Give every agent of the week at least its contract hours: the feasible fallback.

    The naming of a whole week can stop at its time limit with agents below their contract (a
    hard rule). Each such agent's week is named again alone — a one-agent model of a few hundred
    binaries under all of its hard rules (rest against the earlier week, consecutive days, days
    off, weekly hours, nights and weekends), solved exactly in a fraction of a second: it keeps
    the cover shifts nobody else holds and adds or lengthens shifts where they help coverage most
    (each extra shift costs ``EXTRA_SHIFT_COST`` per paid hour plus its coverage cost: ``-SHORT_PENALTY``
    per short slot it fills, +1 per over-covered slot). ``staff_before``: net staff per slot from
    the shifts of earlier weeks. Returns the new assignment and the number of agents repaired.
    """
    if len(days) < 7:
        return got, 0
    n_a = len(agents)
    paid = np.zeros(n_a)
    for g, lst in got.items():
        for a in lst:
            paid[a] += float(groups.paid_h[g])
    short = [a for a in range(n_a) if paid[a] < _hours_bounds(agents.iloc[a], days, grid, rules)[0] - 1e-6]
    if not short:
        return got, 0
    cover = _span_matrix(groups.start_slot, groups.length_slot, grid.n_slots, 1.0).tocsc()
    week_groups = np.flatnonzero(np.isin(groups.day, days))
    counts = np.zeros(len(groups.day))
    for g, lst in got.items():
        counts[g] = len(lst)
    slot_h = grid.slot_min / 60
    repaired = 0
    for a in short:
        mine = [g for g, lst in got.items() if a in lst]
        others = counts.copy()
        others[mine] -= 1
        staff = staff_before + cover @ others
        # coverage cost of one more shift, per group: fills short slots (good), adds over (bad)
        marg = np.where(staff < grid.req - 1e-9, -SHORT_PENALTY, 1.0)
        cov_cost = np.asarray(cover.T @ marg).ravel() * slot_h
        extra_cost = EXTRA_SHIFT_COST * groups.paid_h + cov_cost
        x_res = np.zeros_like(x)
        x_res[week_groups] = np.clip(x[week_groups] - others[week_groups], 0, None)
        one = agents.iloc[[a]].reset_index(drop=True)
        c1 = _Carry(carry.last_end_min[[a]].copy(), carry.run[[a]].copy(), carry.nights[[a]].copy(),
                    carry.weekends[[a]].copy(), carry.holidays[[a]].copy(), [h[[a]] for h in carry.hist])
        got1, info = _stage2_week(one, avail[[a]], grid, groups, x_res, days, c1, rules,
                                  deadline=time.perf_counter() + 5.0, w_humane=0.0, w_fair=0.0,
                                  extra_agents=frozenset({0}), extra_cost=extra_cost)
        new = [g for g, lst in got1.items() if 0 in lst]
        if info.get("short_agents") or not new:
            continue  # this agent cannot make its contract even alone: reported by the caller
        for g in mine:
            got[g].remove(a)
            if not got[g]:
                del got[g]
        for g in new:
            got.setdefault(g, []).append(a)
        counts = others
        counts[new] += 1
        repaired += 1
    return got, repaired


# --------------------------------------------------------------------------------------------
# roster frame
# --------------------------------------------------------------------------------------------
def _roster_frame(grid: _Grid, groups: _Groups, rules: RosterRules, y: np.ndarray,
                  assigned: dict[int, list[int]], agent_ids: list[str]) -> pd.DataFrame:
    s = grid.slot_min
    # break positions per (group, break): a sorted list of absolute start slots, one per shift
    pos: dict[tuple[int, int], list[int]] = {}
    for j in np.flatnonzero(y > 0.5):
        key = (int(groups.b_group[j]), int(groups.b_index[j]))
        pos.setdefault(key, []).extend([int(groups.b_start_slot[j])] * int(round(y[j])))
    rec: list[tuple[str, int, int, str, str, int]] = []
    for g, agents_g in sorted(assigned.items()):
        t = rules.templates[int(groups.tmpl[g])]
        st, en = int(groups.start_slot[g]), int(groups.start_slot[g] + groups.length_slot[g])
        for i, a in enumerate(sorted(agents_g, key=lambda k: agent_ids[k])):
            cuts = []
            for b_i, b in enumerate(t.breaks):
                lst = sorted(pos.get((g, b_i), []))
                bs = lst[i] if i < len(lst) else st + b.window_start_min // s
                cuts.append((bs, bs + b.length_min // s, b.activity))
            cuts.sort()
            cur = st
            for bs, be, act in cuts:
                if bs > cur:
                    rec.append((agent_ids[a], cur, bs, "work", t.code, st))
                rec.append((agent_ids[a], bs, be, act, t.code, st))
                cur = be
            if cur < en:
                rec.append((agent_ids[a], cur, en, "work", t.code, st))
    frame = pd.DataFrame(rec, columns=["agent_id", "start", "end", "activity", "shift_code", "shift_start"])
    step = pd.Timedelta(minutes=s)
    for col in ("start", "end", "shift_start"):
        frame[col] = grid.day0 + frame[col].astype(np.int64) * step if len(frame) else pd.Series(dtype="datetime64[ns]")
    return frame.sort_values(["agent_id", "start"], kind="stable").reset_index(drop=True)


def coverage_from_roster(roster: pd.DataFrame, grid: _Grid) -> np.ndarray:
    """Net staff per model slot from a roster frame (work activities only)."""
    staff = np.zeros(grid.n_slots)
    if roster.empty:
        return staff
    w = roster[roster["activity"] == "work"]
    step = pd.Timedelta(minutes=grid.slot_min)
    s = ((pd.to_datetime(w["start"]) - grid.day0) / step).to_numpy()
    e = ((pd.to_datetime(w["end"]) - grid.day0) / step).to_numpy()
    s = np.clip(np.floor(s).astype(np.int64), 0, grid.n_slots)
    e = np.clip(np.ceil(e).astype(np.int64), 0, grid.n_slots)
    diff = np.zeros(grid.n_slots + 1)
    np.add.at(diff, s, 1.0)
    np.add.at(diff, e, -1.0)
    return np.cumsum(diff)[:-1]


def _coverage_frame(grid: _Grid, staff: np.ndarray) -> pd.DataFrame:
    per = grid.interval_min // grid.slot_min
    n_int = grid.n_slots // per
    req = grid.req.reshape(n_int, per)
    st = staff.reshape(n_int, per)
    starts = grid.day0 + pd.to_timedelta(np.arange(n_int) * grid.interval_min, unit="min")
    frame = pd.DataFrame({
        "interval_start": starts,
        "agents_required": req.mean(axis=1),
        "agents_scheduled": st.mean(axis=1),
    })
    # short / over at the requirement's grain: the interval's mean net staff against its requirement
    frame["short"] = np.clip(frame["agents_required"] - frame["agents_scheduled"], 0, None)
    frame["over"] = np.clip(frame["agents_scheduled"] - frame["agents_required"], 0, None)
    keep = frame["interval_start"].isin(grid.intervals["interval_start"]) | (frame["agents_scheduled"] > 0)
    return frame[keep].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# feasibility explained before solving
# --------------------------------------------------------------------------------------------
def _contract_reachable(agents: pd.DataFrame, rules: RosterRules) -> list[str]:
    """Agents whose contract hours no combination of their shifts can make in a full week."""
    problems = []
    workdays = 7 - rules.hard.min_days_off_per_week
    tol = rules.hard.weekly_hours_tolerance_h
    for _, ag in agents.iterrows():
        paid = sorted({rules.template(c).paid_min for c in ag["shift_codes"]})
        reach = {0}
        for _ in range(workdays):
            reach |= {r + p for r in reach for p in paid}
        target = ag["contract_hours_week"] * 60
        if not any(abs(r - target) <= tol * 60 + 1e-6 for r in reach):
            problems.append(f"{ag['agent_id']} ({ag['contract_hours_week']:g} h with shifts of "
                            f"{', '.join(f'{p / 60:g}' for p in paid)} h on at most {workdays} days)")
    return problems


def _pool(agents: pd.DataFrame, avail: np.ndarray, grid: _Grid, rules: RosterRules) -> dict[str, Any]:
    kinds = (agents["kind"] == "part").to_numpy().astype(int)
    per_day = np.zeros((2, grid.n_days))
    for k in (0, 1):
        per_day[k] = avail[kinds == k].sum(axis=0)
    hours = []
    workdays = 7 - rules.hard.min_days_off_per_week
    for days in _weeks(grid):
        for k in (0, 1):
            sel = np.flatnonzero(kinds == k)
            if not len(sel):
                continue
            lo = hi = 0.0
            max_shifts = 0
            for a in sel:
                lo_a, hi_a = _hours_bounds(agents.iloc[a], days, grid, rules)
                lo += lo_a
                hi += hi_a
                max_shifts += min(workdays, int(avail[a, days].sum()))
            hours.append((k, days, lo, hi, max_shifts))
    return {"per_day": per_day, "hours": hours}


# --------------------------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------------------------
def solve_roster(
    requirement: pd.DataFrame,
    agents: pd.DataFrame,
    rules: Any,
    *,
    time_limit_s: float = 60.0,
    weights: dict[str, float] | None = None,
    column: str = "agents_required",
) -> RosterResult:
    """Build a named roster that covers an interval requirement under the hard rules.

    Parameters
    ----------
    requirement : pandas.DataFrame
        ``interval_start`` and ``agents_required`` (net agents on the phones per interval, as
        :func:`ccomkit.wfm.staffing.required_agents` returns it; pass ``column`` to use another
        column); an optional ``queue`` column is pooled (agents are taken as multi-skilled).
        Intervals absent from the frame need nobody.
    agents : pandas.DataFrame
        ``agent_id, contract_hours_week`` and the optional columns of
        :func:`ccomkit.wfm.roster_rules.normalize_agents`.
    rules : RosterRules, path or mapping
        See :func:`ccomkit.wfm.roster_rules.load_rules`.
    time_limit_s : float, default 60
        Wall-clock limit for the whole solve (a few seconds are kept back for building the
        roster): 45 % goes to the cover (stage 1), the rest to naming, shared by the weeks;
        agents left below their contract hours are then named again alone (well under a second
        each), so a short limit costs coverage quality, not hard rules.
    weights : dict, optional
        Override the three knobs of the rules: ``utilization``, ``humane``, ``fairness``.
    column : str, default "agents_required"
        The requirement column.

    Returns
    -------
    RosterResult

    Raises
    ------
    SchemaError
        A frame misses a column or holds impossible values.
    InfeasibleError
        The hard rules admit no roster at all (e.g. a contract no combination of shifts can
        make); the message names the agents and the rule.

    Examples
    --------
    >>> import pandas as pd
    >>> rules = load_rules({"interval_min": 60, "shift_templates": [
    ...     {"code": "D4", "length_min": 240, "start_earliest": "08:00", "start_latest": "10:00",
    ...      "start_step_min": 60}],
    ...     "hard_rules": {"min_days_off_per_week": 0, "full_time_min_hours_week": 1}})
    >>> req = pd.DataFrame({"interval_start": pd.date_range("2026-03-02 08:00", periods=6, freq="h"),
    ...                     "agents_required": [1, 1, 2, 2, 1, 1]})
    >>> agents = pd.DataFrame({"agent_id": ["a", "b"], "contract_hours_week": [4, 4]})
    >>> res = solve_roster(req, agents, rules, time_limit_s=10)
    >>> res.status, float(res.coverage.short.sum()), float(res.coverage.over.sum())
    ('optimal', 0.0, 0.0)
    >>> res.roster[["agent_id", "start", "end", "activity"]].to_string(index=False)
    'agent_id               start                 end activity\\n       a 2026-03-02 08:00:00 2026-03-02 12:00:00     work\\n       b 2026-03-02 10:00:00 2026-03-02 14:00:00     work'
    """
    t_start = time.perf_counter()
    rules = load_rules(rules)
    w = {"utilization": rules.weight_utilization, "humane": rules.weight_humane,
         "fairness": rules.weight_fairness}
    if weights:
        unknown = set(weights) - set(w)
        if unknown:
            raise ParameterError.expected("solve_roster", "weights", "a dict with keys utilization, humane, "
                                          "fairness", weights)
        for k, v in weights.items():
            if not isinstance(v, (int, float)) or v < 0 or not math.isfinite(v):
                raise ParameterError.expected("solve_roster", f"weights[{k!r}]", "a float >= 0", v)
            w[k] = float(v)
    if not (isinstance(time_limit_s, (int, float)) and time_limit_s > 0):
        raise ParameterError.expected("solve_roster", "time_limit_s", "a float > 0", time_limit_s)
    grid = requirement_slots(requirement, rules, column=column)
    ag = normalize_agents(agents, rules)
    if ag.empty:
        raise SchemaError("agents has no rows", table="agents")
    bad = _contract_reachable(ag, rules)
    if bad:
        raise InfeasibleError(
            f"No roster can give {len(bad)} agent{'s' if len(bad) > 1 else ''} their contract hours: "
            f"{'; '.join(bad[:3])}{' …' if len(bad) > 3 else ''}. Change contract_hours_week, the shift "
            "lengths or hard_rules.weekly_hours_tolerance_h.", status="infeasible")
    groups = _groups(grid, rules)
    avail = _available(ag, grid)
    pool = _pool(ag, avail, grid, rules)
    # one deadline for the whole solve, a little kept back for building the roster frame
    deadline = t_start + time_limit_s - min(3.0, 0.05 * time_limit_s)
    s1 = _stage1(grid, groups, rules, pool=pool, time_limit_s=0.45 * (deadline - time.perf_counter()),
                 w_util=max(w["utilization"], 1e-6))
    stages = [{"stage": "1 cover", "week": "", "rows": s1.rows, "cols": s1.cols, "status": s1.status,
               "gap_frac": s1.gap, "seconds": round(s1.seconds, 3)}]
    if s1.status in ("infeasible", "error", "unbounded") or not len(s1.x):
        msg = ("The pool cannot be rostered at all: the weekly contract hours of the agents cannot be "
               "placed on the open days with these shifts (check availability, contract hours and days off).")
        raise InfeasibleError(msg, status="infeasible")
    # stage 2, week by week
    n_a = len(ag)
    carry = _Carry(np.full(n_a, -np.inf), np.zeros(n_a, int), ag["nights_prev"].to_numpy().astype(float),
                   ag["weekends_prev"].to_numpy().astype(float), ag["holidays_prev"].to_numpy().astype(float),
                   [])
    weeks = _weeks(grid)
    assigned: dict[int, list[int]] = {}
    worst = "optimal"
    rank = {"optimal": 0, "feasible": 1, "time_limit": 2, "infeasible": 3, "error": 3}
    for wi, days in enumerate(weeks):
        week_deadline = time.perf_counter() + max(2.0, (deadline - time.perf_counter()) / (len(weeks) - wi))
        if wi > 0 and wi % rules.fairness_horizon_weeks == 0:
            # a new fairness period: its limits and spreads start from zero (the checker's periods)
            carry.nights[:] = 0
            carry.weekends[:] = 0
            carry.holidays[:] = 0
        got, info = _stage2_week(ag, avail, grid, groups, s1.x, days, carry, rules, deadline=week_deadline,
                                 w_humane=w["humane"], w_fair=w["fairness"])
        if info.get("short_agents") and week_deadline - time.perf_counter() > 3.0:
            got2, info2 = _stage2_week(ag, avail, grid, groups, s1.x, days, carry, rules, deadline=week_deadline,
                                       w_humane=w["humane"], w_fair=w["fairness"],
                                       extra_agents=frozenset(info["short_agents"]))
            if info2.get("hard_cost", math.inf) < info.get("hard_cost", math.inf) - 1e-6:
                got, info = got2, info2
        stages.append({"stage": "2 names", "week": str((grid.day0 + pd.Timedelta(days=int(days[0]))).date()),
                       "rows": info["rows"], "cols": info["cols"], "status": info["status"],
                       "gap_frac": info["gap"], "seconds": round(info["seconds"], 3)})
        if rank.get(info["status"], 3) > rank[worst]:
            worst = info["status"]
        if w["humane"] > 0 and got:
            got, n_swaps = _days_off_swaps(got, ag, avail, grid, groups, days, carry, rules,
                                           deadline=min(max(week_deadline, time.perf_counter() + 1.0),
                                                    time.perf_counter() + 5.0))
            stages[-1]["swaps"] = n_swaps
        # the feasible fallback: every agent short of contract is named again alone
        earlier = np.zeros(len(groups.day))
        for g, lst in assigned.items():
            earlier[g] = len(lst)
        staff_before = _span_matrix(groups.start_slot, groups.length_slot, grid.n_slots, 1.0) @ earlier
        t_rep = time.perf_counter()
        got, n_rep = _contract_repair(got, ag, avail, grid, groups, s1.x, days, carry, rules, staff_before)
        stages[-1]["repaired"] = n_rep
        stages[-1]["repair_s"] = round(time.perf_counter() - t_rep, 3)
        assigned.update(got)
        # carry forward
        worked = np.zeros((n_a, grid.n_days), dtype=bool)
        for g, lst in got.items():
            for a in lst:
                worked[a, int(groups.day[g])] = True
                end = (groups.start_slot[g] + groups.length_slot[g]) * grid.slot_min
                carry.last_end_min[a] = max(carry.last_end_min[a], end)
                carry.nights[a] += bool(groups.night[g])
                carry.weekends[a] += (grid.day0 + pd.Timedelta(days=int(groups.day[g]))).weekday() >= 5
                carry.holidays[a] += (grid.day0 + pd.Timedelta(days=int(groups.day[g]))).date().isoformat() \
                    in set(rules.holidays)
        for d in days:
            while len(carry.hist) <= int(d):
                carry.hist.append(np.zeros(n_a, dtype=bool))
            carry.hist[int(d)] = worked[:, int(d)]
    roster = _roster_frame(grid, groups, rules, s1.y, assigned, ag["agent_id"].tolist())
    staff = coverage_from_roster(roster, grid)
    coverage = _coverage_frame(grid, staff)
    shortfall = coverage.loc[coverage["short"] > 1e-9, ["interval_start", "agents_required", "agents_scheduled",
                                                        "short"]].reset_index(drop=True)
    unfilled_rows = []
    for g in np.flatnonzero(s1.x > 0.5):
        missing = int(round(s1.x[g])) - len(assigned.get(int(g), []))
        if missing > 0:
            unfilled_rows.append({"day": (grid.day0 + pd.Timedelta(days=int(groups.day[g]))).date(),
                                  "shift_code": rules.templates[int(groups.tmpl[g])].code,
                                  "start": f"{int(groups.start_min[g]) // 60:02d}:{int(groups.start_min[g]) % 60:02d}",
                                  "count": missing})
    unfilled = pd.DataFrame(unfilled_rows, columns=["day", "shift_code", "start", "count"])
    status = s1.status if rank[s1.status] >= rank.get(worst, 3) else worst
    if status == "optimal" and (s1.gap > 1e-4):
        status = "feasible"
    req_total = float(coverage["agents_required"].sum())
    short_total = float(coverage["short"].sum())
    parts = [f"status {status}", f"short {short_total * grid.interval_min / 60:.1f} agent-hours "
             f"({short_total / req_total:.1%} of required)" if req_total > 0 else "nothing required"]
    if len(shortfall):
        worst_row = shortfall.loc[shortfall["short"].idxmax()]
        parts.append(f"{len(shortfall)} intervals short, worst {worst_row['interval_start']} by "
                     f"{worst_row['short']:.2f} agents")
    # contracts the naming could not fill (the cover left too few shifts for them in time)
    below = []
    if len(roster):
        paid = {}
        for g, lst in assigned.items():
            for a in lst:
                wk = int(groups.day[g]) // 7
                paid[(a, wk)] = paid.get((a, wk), 0.0) + float(groups.paid_h[g])
        for wi, days in enumerate(weeks):
            for a in range(n_a):
                lo_h, _ = _hours_bounds(ag.iloc[a], days, grid, rules)
                if paid.get((a, wi), 0.0) < lo_h - 1e-6:
                    below.append(ag["agent_id"].iloc[a])
    if below:
        parts.append(f"{len(below)} agent-weeks below contract hours (first {below[0]}; give the solver more "
                     "time or widen hard_rules.weekly_hours_tolerance_h)")
        warnings.warn(f"solve_roster: {len(below)} agent-weeks stay below their contract hours within the time "
                      "limit; check_roster lists them as weekly_hours violations.", CcomkitWarning, stacklevel=2)
        status = "feasible" if status == "optimal" else status
    if len(unfilled):
        parts.append(f"{int(unfilled['count'].sum())} shifts could not be named under the hard rules")
        warnings.warn(f"solve_roster: {int(unfilled['count'].sum())} shifts of the cover could not be given "
                      "to any agent under the hard rules; see RosterResult.unfilled.", CcomkitWarning, stacklevel=2)
    return RosterResult(roster=roster, coverage=coverage, status=status, gap_frac=s1.gap, shortfall=shortfall,
                        solve_s=time.perf_counter() - t_start, message="; ".join(parts),
                        stages=pd.DataFrame(stages), unfilled=unfilled)


def lp_bound(requirement: pd.DataFrame, rules: Any, *, breaks: bool = True,
             column: str = "agents_required") -> dict[str, float]:
    """The least over-coverage any roster with these shifts can reach at zero shortfall (LP).

    The linear relaxation of the stage-1 cover with no pool limit and shortfall forced to 0:
    a lower bound on over-coverage for every roster built from these templates (with their breaks
    when ``breaks``; without them it is the bound of a shift-only scheduler such as pyworkforce).

    Returns
    -------
    dict
        ``required_agent_h``, ``over_agent_h``, ``over_frac`` (over / required), ``seconds``.

    Examples
    --------
    >>> import pandas as pd
    >>> rules = load_rules({"interval_min": 60, "shift_templates": [{"code": "D4", "length_min": 240,
    ...     "start_earliest": "08:00", "start_latest": "08:00"}]})
    >>> req = pd.DataFrame({"interval_start": pd.date_range("2026-03-02 08:00", periods=4, freq="h"),
    ...                     "agents_required": [1, 2, 2, 1]})
    >>> lp_bound(req, rules)["over_frac"]
    0.3333333333333333
    """
    rules = load_rules(rules)
    grid = requirement_slots(requirement, rules, column=column)
    groups = _groups(grid, rules, breaks=breaks)
    s1 = _stage1(grid, groups, rules, pool=None, time_limit_s=600, w_util=1.0, relax=True, no_short=True)
    if not len(s1.x):
        raise InfeasibleError("These shifts cannot cover the requirement at any head-count (some required "
                              "interval lies outside every shift).", status="infeasible")
    staff = _net_staff(grid, groups, s1.x, s1.y)
    h = grid.slot_min / 60
    req_h = float(grid.req.sum() * h)
    over_h = float(np.clip(staff - grid.req, 0, None).sum() * h)
    return {"required_agent_h": req_h, "over_agent_h": over_h, "over_frac": over_h / req_h if req_h else 0.0,
            "seconds": s1.seconds}


def size_pool(requirement: pd.DataFrame, rules: Any, *, contract_hours: dict[str, float] | None = None,
              time_limit_s: float = 30.0, column: str = "agents_required") -> dict[str, int]:
    """Size the agent pool from the requirement: head-counts per kind (full/part).

    The linear relaxation of the stage-1 cover (breaks included) with the head-count of each kind
    as a variable: each agent works exactly ``contract_hours[kind]`` paid hours per full week on
    at most ``7 - min_days_off`` days, and no day uses more shifts of a kind than there are agents
    of it. Minimises shortfall (x20), then over-coverage, then head-count; each kind's head-count
    is rounded up. (The integer version of this model finds no good solution in a minute on the
    bench week; the relaxation takes 0.4 s and rounding up costs at most one agent per kind.)

    Examples
    --------
    >>> import pandas as pd
    >>> rules = load_rules("example")
    >>> req = pd.DataFrame({"interval_start": pd.date_range("2026-03-02 07:00", periods=7 * 48,
    ...                     freq="30min")})
    >>> req["agents_required"] = (req.interval_start.dt.hour.between(9, 16)).astype(int) * 2
    >>> pool = size_pool(req, rules, time_limit_s=20)
    >>> pool["full"] + pool["part"] > 0
    True
    """
    rules = load_rules(rules)
    hours = {"full": 40.0, "part": 20.0}
    if contract_hours:
        hours.update(contract_hours)
    grid = requirement_slots(requirement, rules, column=column)
    groups = _groups(grid, rules)
    s1 = _stage1(grid, groups, rules, pool=None, time_limit_s=time_limit_s, w_util=1.0,
                 size_pool_hours=hours, relax=True)
    if not len(s1.x):
        raise InfeasibleError("size_pool: no pool of these contracts can be rostered with these shifts.",
                              status="infeasible")
    n = np.ceil(s1.pool - 1e-6)  # type: ignore[attr-defined]
    return {"full": int(n[0]), "part": int(n[1])}


def make_agents(counts: dict[str, int], *, contract_hours: dict[str, float] | None = None,
                prefix: str = "A") -> pd.DataFrame:
    """An agents frame with ``counts[kind]`` agents of each kind (ids ``A001`` …).

    Examples
    --------
    >>> make_agents({"full": 2, "part": 1})
      agent_id  contract_hours_week employment
    0     A001                 40.0       full
    1     A002                 40.0       full
    2     A003                 20.0       part
    """
    hours = {"full": 40.0, "part": 20.0}
    if contract_hours:
        hours.update(contract_hours)
    rows = []
    i = 0
    for kind in ("full", "part"):
        for _ in range(int(counts.get(kind, 0))):
            i += 1
            rows.append((f"{prefix}{i:03d}", float(hours[kind]), kind))
    return pd.DataFrame(rows, columns=["agent_id", "contract_hours_week", "employment"])
