"""Check any roster against the hard rules and score it on CCOM's three standards.

This module is deliberately separate code from the solver's constraints
(:mod:`ccomkit.wfm.scheduling`): it rebuilds shifts from the activity rows of the roster frame
(``agent_id, start, end, activity[, shift_code]``), at minute resolution, and judges them against
:class:`~ccomkit.wfm.roster_rules.RosterRules` directly — so a solver bug shows up as a violation,
and a roster imported from another system is judged by the same rules.

* :func:`check_roster` — every hard-rule violation, one row each (empty frame = the roster is OK).
* :func:`score_roster` — 利用率 (under/over agent-hours, share of intervals within ± tolerance,
  Erlang C service level per interval on the net scheduled staff), 人性化 (hard violations,
  preference hit rate, quick returns, longest run of work days, weeks with two consecutive days
  off) and 公平性 (max - min and Gini across agents of nights, weekends, holidays and hours,
  counts carried in from the earlier weeks of the fairness horizon).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ccomkit.errors import SchemaError
from ccomkit.schemas import require_columns
from ccomkit.wfm.erlang import asa_s as _erlang_asa
from ccomkit.wfm.erlang import service_level as _erlang_sl
from ccomkit.wfm.roster_rules import WEEKDAYS, RosterRules, load_rules, normalize_agents

__all__ = ["check_roster", "score_roster", "RosterScore", "shifts_of", "interval_staff", "gini"]

ROSTER_COLUMNS = ("agent_id", "start", "end", "activity")
VIOLATION_COLUMNS = ["rule", "agent_id", "date", "detail"]


def _read_roster(roster: pd.DataFrame) -> pd.DataFrame:
    require_columns(roster, list(ROSTER_COLUMNS), "roster")
    r = roster.copy()
    r["agent_id"] = r["agent_id"].astype(str).str.strip()
    for col in ("start", "end"):
        r[col] = pd.to_datetime(r[col], errors="coerce")
        bad = r[col].isna()
        if bad.any():
            raise SchemaError(f"roster.{col} must be a timestamp: {int(bad.sum())} rows violate it, first at rows "
                              f"{list(r.index[bad][:5])}", table="roster", column=col, rows=list(r.index[bad][:5]))
    r["activity"] = r["activity"].astype(str).str.strip().str.lower()
    bad = ~r["activity"].isin(["work", "break", "lunch"])
    if bad.any():
        raise SchemaError(f"roster.activity must be work, break or lunch: {int(bad.sum())} rows violate it, first "
                          f"{r.loc[bad, 'activity'].iloc[0]!r} at row {r.index[bad][0]}", table="roster",
                          column="activity", rows=list(r.index[bad][:5]))
    bad = r["end"] <= r["start"]
    if bad.any():
        raise SchemaError(f"roster.end must be after start: {int(bad.sum())} rows violate it, first at rows "
                          f"{list(r.index[bad][:5])}", table="roster", column="end", rows=list(r.index[bad][:5]))
    if "shift_code" not in r.columns:
        r["shift_code"] = None
    return r.sort_values(["agent_id", "start", "end"], kind="stable").reset_index(drop=True)


def shifts_of(roster: pd.DataFrame) -> pd.DataFrame:
    """One row per shift: contiguous activities of one agent, rebuilt from the activity rows.

    Returns ``agent_id, shift_start, shift_end, date`` (of the start), ``span_min``,
    ``shift_code`` (the first non-empty code of its rows), ``activities`` (list of
    ``(activity, offset_min, length_min)``), ``n_overlaps`` (activity rows overlapping).

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"agent_id": ["a", "a", "a"], "activity": ["work", "break", "work"],
    ...     "start": pd.to_datetime(["2026-03-02 08:00", "2026-03-02 10:00", "2026-03-02 10:15"]),
    ...     "end": pd.to_datetime(["2026-03-02 10:00", "2026-03-02 10:15", "2026-03-02 16:00"])})
    >>> s = shifts_of(r)
    >>> s[["agent_id", "span_min"]].to_dict("records"), s.activities[0][1]
    ([{'agent_id': 'a', 'span_min': 480}], ('break', 120, 15))
    """
    r = _read_roster(roster)
    out = []
    for agent, g in r.groupby("agent_id", sort=True):
        starts, ends = g["start"].tolist(), g["end"].tolist()
        acts, codes = g["activity"].tolist(), g["shift_code"].tolist()
        cur: list[int] = []
        overlaps = 0

        def flush(rows: list[int]) -> None:
            s0 = starts[rows[0]]
            e0 = max(ends[i] for i in rows)
            code = next((codes[i] for i in rows if isinstance(codes[i], str) and codes[i].strip()), None)
            out.append({
                "agent_id": agent, "shift_start": s0, "shift_end": e0, "date": s0.date(),
                "span_min": int(round((e0 - s0) / pd.Timedelta(minutes=1))), "shift_code": code,
                "activities": [(acts[i], int(round((starts[i] - s0) / pd.Timedelta(minutes=1))),
                                int(round((ends[i] - starts[i]) / pd.Timedelta(minutes=1)))) for i in rows],
                "n_overlaps": 0,
            })

        last_end = None
        for i in range(len(g)):
            if cur and last_end is not None and starts[i] < last_end:
                overlaps += 1
            if cur and starts[i] > last_end:
                flush(cur)
                out[-1]["n_overlaps"] = overlaps
                overlaps = 0
                cur = []
            cur.append(i)
            last_end = ends[i] if last_end is None or not cur[:-1] else max(last_end, ends[i])
        if cur:
            flush(cur)
            out[-1]["n_overlaps"] = overlaps
    cols = ["agent_id", "shift_start", "shift_end", "date", "span_min", "shift_code", "activities", "n_overlaps"]
    return pd.DataFrame(out, columns=cols)


def _match_template(shift: pd.Series, rules: RosterRules) -> tuple[object, list[str]]:
    """The template a shift follows and what it breaks (empty list = conforms)."""
    candidates = [t for t in rules.templates if t.code == shift["shift_code"]] if shift["shift_code"] else \
        list(rules.templates)
    best = None
    best_err: list[str] | None = None
    start_min = shift["shift_start"].hour * 60 + shift["shift_start"].minute
    wd = WEEKDAYS[shift["shift_start"].weekday()]
    for t in candidates:
        err = []
        if shift["span_min"] != t.length_min:
            err.append(f"lasts {shift['span_min']} min, template {t.code} lasts {t.length_min}")
        if start_min not in t.starts_min or shift["shift_start"].second:
            err.append(f"starts at {shift['shift_start']:%H:%M}, not an allowed start of {t.code}")
        if wd not in t.days:
            err.append(f"{t.code} may not start on {wd}")
        pauses = [(a, o, ln) for a, o, ln in shift["activities"] if a != "work"]
        rules_b = sorted(t.breaks, key=lambda b: b.window_start_min)
        if len(pauses) != len(rules_b):
            err.append(f"has {len(pauses)} breaks/lunches, {t.code} needs {len(rules_b)}")
        else:
            for (a, o, ln), b in zip(sorted(pauses, key=lambda p: p[1]), rules_b):
                if a != b.activity or ln != b.length_min or not (b.window_start_min <= o <= b.window_end_min):
                    err.append(f"{a} of {ln} min at +{o} min breaks the rule '{b.activity} {b.length_min} min "
                               f"starting +{b.window_start_min}..+{b.window_end_min} min'")
        if best_err is None or len(err) < len(best_err):
            best, best_err = t, err
        if not err:
            break
    if not candidates:
        return None, [f"shift code {shift['shift_code']!r} is not in RULES.yaml"]
    return best, best_err or []


def _night(start: pd.Timestamp, span_min: int, rules: RosterRules) -> bool:
    """Whether the shift has any minute in the night window (minute by minute, wrapping midnight)."""
    m0 = start.hour * 60 + start.minute
    ns, ne = rules.night_start_min, rules.night_end_min
    minutes = (m0 + np.arange(span_min)) % 1440
    inside = (minutes >= ns) & (minutes < ne) if ns < ne else (minutes >= ns) | (minutes < ne)
    return bool(inside.any())


def _annotate(shifts: pd.DataFrame, rules: RosterRules, period_start: dt.date | None = None) -> pd.DataFrame:
    s = shifts.copy()
    tmpl, errs = [], []
    for _, row in s.iterrows():
        t, e = _match_template(row, rules)
        tmpl.append(t)
        errs.append(e)
    s["template"] = tmpl
    s["template_errors"] = errs
    s["code"] = [t.code if t is not None else None for t in tmpl]
    s["paid_h"] = [(t.paid_min if t is not None and not e else
                    row["span_min"] - sum(ln for a, _, ln in row["activities"] if a == "lunch")) / 60
                   for t, e, (_, row) in zip(tmpl, errs, s.iterrows())]
    s["night"] = [_night(st, sp, rules) for st, sp in zip(s["shift_start"], s["span_min"])]
    s["weekend"] = [st.weekday() >= 5 for st in s["shift_start"]]
    hol = set(rules.holidays)
    s["holiday"] = [d.isoformat() in hol for d in s["date"]]
    p0 = period_start if period_start is not None else (min(s["date"]) if len(s) else None)
    # roster weeks: 7-day blocks from the period's first day (the solver's weeks)
    s["week"] = [p0 + dt.timedelta(days=7 * ((d - p0).days // 7)) for d in s["date"]]
    return s


def _longest_runs(dates: list[dt.date]) -> list[tuple[dt.date, int]]:
    """(first date, length) of every run of consecutive dates."""
    ds = sorted(set(dates))
    runs = []
    i = 0
    while i < len(ds):
        j = i
        while j + 1 < len(ds) and (ds[j + 1] - ds[j]).days == 1:
            j += 1
        runs.append((ds[i], j - i + 1))
        i = j + 1
    return runs


def check_roster(roster: pd.DataFrame, agents: pd.DataFrame | None, rules: object, *,
                 period_start: object = None, period_end: object = None) -> pd.DataFrame:
    """Every hard-rule violation of a roster; an empty frame means the roster is OK.

    Parameters
    ----------
    roster : pandas.DataFrame
        ``agent_id, start, end, activity`` (work/break/lunch), optionally ``shift_code``.
        Contiguous activities of one agent form a shift.
    agents : pandas.DataFrame or None
        The agents frame (see :func:`ccomkit.wfm.roster_rules.normalize_agents`). ``None`` skips
        the rules that need it (contract hours, availability, eligibility, no nights).
    rules : RosterRules, path or mapping
    period_start, period_end : date-like, optional
        The roster period (default: the first and last day with a shift). Weeks are 7-day blocks
        from ``period_start``; contract hours are checked in every whole week of the period.

    Returns
    -------
    pandas.DataFrame
        ``rule, agent_id, date, detail``; rules: ``overlap``, ``template``, ``unknown_agent``,
        ``eligibility``, ``unavailable``, ``no_nights``, ``one_shift_per_day``, ``min_rest``,
        ``max_consecutive_work_days``, ``min_days_off_per_week``, ``weekly_hours``,
        ``max_nights_per_period``, ``max_weekends_per_period``.

    Examples
    --------
    >>> import pandas as pd
    >>> rules = load_rules({"interval_min": 60, "shift_templates": [{"code": "D8", "length_min": 480,
    ...     "start_earliest": "08:00", "start_latest": "14:00", "start_step_min": 60}],
    ...     "hard_rules": {"min_rest_h": 11}})
    >>> r = pd.DataFrame({"agent_id": ["a", "a"], "activity": ["work", "work"],
    ...     "start": pd.to_datetime(["2026-03-02 14:00", "2026-03-03 08:00"]),
    ...     "end": pd.to_datetime(["2026-03-02 22:00", "2026-03-03 16:00"])})
    >>> check_roster(r, None, rules)[["rule", "agent_id", "detail"]].to_dict("records")
    [{'rule': 'min_rest', 'agent_id': 'a', 'detail': 'rest of 10.0 h before 2026-03-03 08:00 (minimum 11 h)'}]
    """
    rules = load_rules(rules)  # type: ignore[arg-type]
    hard = rules.hard
    p0 = pd.Timestamp(period_start).date() if period_start is not None else None
    shifts = _annotate(shifts_of(roster), rules, p0)
    v: list[tuple[str, str, object, str]] = []
    for _, s in shifts.iterrows():
        if s["n_overlaps"]:
            v.append(("overlap", s["agent_id"], s["date"], f"{s['n_overlaps']} overlapping activity rows in the "
                      f"shift starting {s['shift_start']:%Y-%m-%d %H:%M}"))
        for e in s["template_errors"]:
            v.append(("template", s["agent_id"], s["date"], f"shift at {s['shift_start']:%Y-%m-%d %H:%M}: {e}"))
    ag = normalize_agents(agents, rules) if agents is not None else None
    first_day = p0 if p0 is not None else (min(shifts["date"]) if len(shifts) else None)
    last_day = pd.Timestamp(period_end).date() if period_end is not None else \
        (max(shifts["date"]) if len(shifts) else None)
    if ag is not None:
        known = set(ag["agent_id"])
        for a in sorted(set(shifts["agent_id"]) - known):
            v.append(("unknown_agent", a, None, f"{a!r} is not in the agents file"))
        info = ag.set_index("agent_id")
        for _, s in shifts.iterrows():
            if s["agent_id"] not in known:
                continue
            a = info.loc[s["agent_id"]]
            if s["code"] is not None and s["code"] not in a["shift_codes"]:
                v.append(("eligibility", s["agent_id"], s["date"], f"works {s['code']}, may work only "
                          f"{', '.join(a['shift_codes'])}"))
            if s["date"].isoformat() in a["unavailable_dates"]:
                v.append(("unavailable", s["agent_id"], s["date"], "works on a day marked unavailable / leave"))
            if a["no_nights"] and s["night"]:
                v.append(("no_nights", s["agent_id"], s["date"], f"night shift at {s['shift_start']:%H:%M} for an "
                          "agent with no_nights"))
    for agent, g in shifts.groupby("agent_id", sort=True):
        g = g.sort_values("shift_start")
        dup = g["date"].duplicated()
        for d in g.loc[dup, "date"]:
            v.append(("one_shift_per_day", agent, d, "two shifts start on the same day"))
        ends, starts = g["shift_end"].tolist(), g["shift_start"].tolist()
        for i in range(1, len(g)):
            rest_h = (starts[i] - ends[i - 1]) / pd.Timedelta(hours=1)
            if rest_h < hard.min_rest_h - 1e-9:
                v.append(("min_rest", agent, starts[i].date(), f"rest of {rest_h:.1f} h before "
                          f"{starts[i]:%Y-%m-%d %H:%M} (minimum {hard.min_rest_h:g} h)"))
        before = 0
        if ag is not None and agent in set(ag["agent_id"]):
            before = int(ag.set_index("agent_id").loc[agent, "consecutive_days_before"])
        for d0, n in _longest_runs(list(g["date"])):
            total = n + (before if d0 == first_day else 0)
            if total > hard.max_consecutive_work_days:
                v.append(("max_consecutive_work_days", agent, d0, f"{total} work days in a row from {d0}"
                          f"{' (with days before the roster)' if total != n else ''} (maximum "
                          f"{hard.max_consecutive_work_days})"))
        for wk, gw in g.groupby("week"):
            days = gw["date"].nunique()
            if days > 7 - hard.min_days_off_per_week:
                v.append(("min_days_off_per_week", agent, wk, f"works {days} days in the 7 days from {wk} "
                          f"(at most {7 - hard.min_days_off_per_week})"))
    # weekly contract hours, in every whole roster week of the period
    if ag is not None and first_day is not None:
        weeks = []
        wk = first_day
        while wk + dt.timedelta(days=6) <= last_day:
            weeks.append(wk)
            wk += dt.timedelta(days=7)
        paid = shifts.groupby(["agent_id", "week"])["paid_h"].sum()
        workdays = max(1, 7 - hard.min_days_off_per_week)
        tol = hard.weekly_hours_tolerance_h
        for _, a in ag.iterrows():
            for wk in weeks:
                h = float(paid.get((a["agent_id"], wk), 0.0))
                leave = sum(1 for k in range(7) if (wk + dt.timedelta(days=k)).isoformat() in a["unavailable_dates"])
                lo = max(0.0, a["contract_hours_week"] - tol - leave * a["contract_hours_week"] / workdays)
                hi = a["contract_hours_week"] + tol
                if h < lo - 1e-6 or h > hi + 1e-6:
                    v.append(("weekly_hours", a["agent_id"], wk, f"{h:g} paid hours in the 7 days from {wk}, contract "
                              f"{a['contract_hours_week']:g} h (allowed {lo:g}..{hi:g})"))
    # nights and weekends per fairness period (blocks of horizon_weeks from the first week)
    if first_day is not None and (hard.max_nights_per_period is not None or hard.max_weekends_per_period is not None):
        w0 = first_day
        shifts["period"] = [(w - w0).days // (7 * rules.fairness_horizon_weeks) for w in shifts["week"]]
        prev = ag.set_index("agent_id") if ag is not None else None
        for (agent, period), g in shifts.groupby(["agent_id", "period"]):
            for rule, limit, col, prev_col in (
                ("max_nights_per_period", hard.max_nights_per_period, "night", "nights_prev"),
                ("max_weekends_per_period", hard.max_weekends_per_period, "weekend", "weekends_prev"),
            ):
                if limit is None:
                    continue
                p = int(prev.loc[agent, prev_col]) if prev is not None and period == 0 and agent in prev.index else 0
                n = int(g[col].sum()) + p
                if n > limit:
                    v.append((rule, agent, None, f"{n} {col} shifts in fairness period {period + 1} "
                              f"(maximum {limit})"))
    return pd.DataFrame(v, columns=VIOLATION_COLUMNS)


# --------------------------------------------------------------------------------------------
# scoring
# --------------------------------------------------------------------------------------------
def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0 = all equal; NaN for an empty or all-zero set).

    Examples
    --------
    >>> gini(np.array([1, 1, 1])), round(gini(np.array([0, 0, 3])), 4)
    (0.0, 0.6667)
    """
    x = np.sort(np.asarray(values, dtype=float))
    n = len(x)
    if n == 0 or x.sum() <= 0:
        return math.nan if n == 0 else 0.0
    idx = np.arange(1, n + 1)
    return float((2 * (idx * x).sum()) / (n * x.sum()) - (n + 1) / n)


def interval_staff(roster: pd.DataFrame, interval_starts: pd.Series, interval_min: int) -> np.ndarray:
    """Mean agents at work (activity ``work``) in each interval, counted minute by minute."""
    r = _read_roster(roster)
    w = r[r["activity"] == "work"]
    starts = pd.to_datetime(pd.Series(interval_starts)).reset_index(drop=True)
    if starts.empty:
        return np.zeros(0)
    t0 = min(starts.min(), w["start"].min()) if len(w) else starts.min()
    t0 = t0.normalize()
    t1 = max(starts.max() + pd.Timedelta(minutes=interval_min), w["end"].max() if len(w) else starts.max())
    n_min = int(math.ceil((t1 - t0) / pd.Timedelta(minutes=1))) + 1
    diff = np.zeros(n_min + 1)
    s = ((w["start"] - t0) / pd.Timedelta(minutes=1)).to_numpy().astype(np.int64)
    e = ((w["end"] - t0) / pd.Timedelta(minutes=1)).to_numpy().astype(np.int64)
    np.add.at(diff, s, 1)
    np.add.at(diff, e, -1)
    per_min = np.cumsum(diff)[:n_min]
    csum = np.concatenate([[0.0], np.cumsum(per_min)])
    i0 = ((starts - t0) / pd.Timedelta(minutes=1)).to_numpy().astype(np.int64)
    return (csum[i0 + interval_min] - csum[i0]) / interval_min


@dataclass
class RosterScore:
    """The three standards of a roster.

    Attributes
    ----------
    summary : pandas.DataFrame
        Tidy: ``standard`` (utilization / humane / fairness), ``metric``, ``group`` (all / full /
        part), ``value``, ``unit``.
    intervals : pandas.DataFrame
        Per interval: ``interval_start, agents_required, agents_scheduled, short, over,
        within_tolerance`` and, when the requirement carries traffic, ``service_level`` and
        ``asa_s`` recomputed with Erlang C on the net scheduled staff.
    agents : pandas.DataFrame
        Per agent: ``agent_id, kind, shifts, hours, nights, weekends, holidays`` (carried-in counts
        included), ``quick_returns, longest_run_days, preference_hits, preference_total``.
    violations : pandas.DataFrame
        :func:`check_roster` output.
    """

    summary: pd.DataFrame
    intervals: pd.DataFrame
    agents: pd.DataFrame
    violations: pd.DataFrame

    def value(self, metric: str, group: str = "all") -> float:
        """One summary value by metric name (and group)."""
        sel = self.summary[(self.summary["metric"] == metric) & (self.summary["group"] == group)]
        if sel.empty:
            raise KeyError(metric)
        return float(sel["value"].iloc[0])


def _traffic(req: pd.DataFrame, interval_min: int, aht_s: float | None) -> tuple[np.ndarray, np.ndarray] | None:
    """Offered load (Erlangs) and AHT per pooled interval, when the requirement carries them."""
    if "traffic_erl" in req.columns:
        traffic = pd.to_numeric(req["traffic_erl"], errors="coerce").fillna(0).to_numpy()
        if aht_s is not None:
            aht = np.full(len(req), float(aht_s))
        elif "aht_s" in req.columns:
            aht = pd.to_numeric(req["aht_s"], errors="coerce").fillna(0).to_numpy()
        else:
            return None
        return traffic, aht
    if "calls_offered" in req.columns and (aht_s is not None or "aht_s" in req.columns):
        aht = np.full(len(req), float(aht_s)) if aht_s is not None else \
            pd.to_numeric(req["aht_s"], errors="coerce").fillna(0).to_numpy()
        calls = pd.to_numeric(req["calls_offered"], errors="coerce").fillna(0).to_numpy()
        return calls * aht / (interval_min * 60.0), aht
    return None


def score_roster(roster: pd.DataFrame, requirement: pd.DataFrame, rules: object,
                 agents: pd.DataFrame | None = None, *, aht_s: float | None = None,
                 asa_target_s: float | None = None) -> RosterScore:
    """Score a roster (produced here or imported) on 利用率, 人性化 and 公平性.

    Parameters
    ----------
    roster : pandas.DataFrame
        ``agent_id, start, end, activity[, shift_code]``.
    requirement : pandas.DataFrame
        ``interval_start, agents_required`` (queues pooled); with ``traffic_erl`` (or
        ``calls_offered``) and ``aht_s`` the service level is recomputed per interval.
    rules : RosterRules, path or mapping
    agents : pandas.DataFrame, optional
        Needed for contract hours, preferences and carried-in counts.
    aht_s : float, optional
        AHT to use when the requirement has no ``aht_s`` column.
    asa_target_s : float, optional
        When given, the share of intervals whose recomputed ASA meets it is reported.

    Returns
    -------
    RosterScore

    Examples
    --------
    >>> import pandas as pd
    >>> rules = load_rules({"interval_min": 60, "shift_templates": [{"code": "D2", "length_min": 120,
    ...     "start_earliest": "08:00", "start_latest": "09:00", "start_step_min": 60}],
    ...     "hard_rules": {"min_days_off_per_week": 0}})
    >>> req = pd.DataFrame({"interval_start": pd.to_datetime(["2026-03-02 08:00", "2026-03-02 09:00"]),
    ...                     "agents_required": [1, 2]})
    >>> r = pd.DataFrame({"agent_id": ["a"], "activity": ["work"], "start": pd.to_datetime(["2026-03-02 08:00"]),
    ...                   "end": pd.to_datetime(["2026-03-02 10:00"])})
    >>> sc = score_roster(r, req, rules)
    >>> sc.value("short_agent_h"), sc.value("over_agent_h"), sc.value("short_frac")
    (1.0, 0.0, 0.3333333333333333)
    """
    rules = load_rules(rules)  # type: ignore[arg-type]
    require_columns(requirement, ["interval_start", "agents_required"], "requirement")
    req = requirement.copy()
    req["interval_start"] = pd.to_datetime(req["interval_start"])
    agg = {"agents_required": "sum"}
    if "traffic_erl" in req.columns:
        agg["traffic_erl"] = "sum"
    if "calls_offered" in req.columns:
        agg["calls_offered"] = "sum"
    if "aht_s" in req.columns:
        if "traffic_erl" in req.columns:
            req["_work"] = req["traffic_erl"] * req["aht_s"]
        elif "calls_offered" in req.columns:
            req["_work"] = req["calls_offered"] * req["aht_s"]
        else:
            req["_work"] = req["aht_s"]
        agg["_work"] = "sum"
    pooled = req.groupby("interval_start", as_index=False).agg(agg)
    if "_work" in pooled.columns:
        base = pooled["traffic_erl"] if "traffic_erl" in pooled.columns else pooled.get("calls_offered")
        pooled["aht_s"] = np.where(base > 0, pooled["_work"] / base.where(base > 0, 1), 0.0) if base is not None \
            else pooled["_work"]
        pooled = pooled.drop(columns="_work")
    imin = rules.interval_min
    staff = interval_staff(roster, pooled["interval_start"], imin)
    required = pooled["agents_required"].to_numpy(dtype=float)
    h = imin / 60
    iv = pd.DataFrame({"interval_start": pooled["interval_start"], "agents_required": required,
                       "agents_scheduled": staff})
    iv["short"] = np.clip(required - staff, 0, None)
    iv["over"] = np.clip(staff - required, 0, None)
    tol = rules.tolerance_frac
    iv["within_tolerance"] = np.where(required > 0, np.abs(staff - required) <= tol * required + 1e-9, staff <= 1e-9)
    rows: list[tuple[str, str, str, float, str]] = []
    req_h = float(required.sum() * h)
    rows += [
        ("utilization", "required_agent_h", "all", req_h, "agent-hours"),
        ("utilization", "scheduled_agent_h", "all", float(staff.sum() * h), "agent-hours"),
        ("utilization", "short_agent_h", "all", float(iv["short"].sum() * h), "agent-hours"),
        ("utilization", "over_agent_h", "all", float(iv["over"].sum() * h), "agent-hours"),
        ("utilization", "short_frac", "all", float(iv["short"].sum() * h / req_h) if req_h else 0.0, "fraction"),
        ("utilization", "over_frac", "all", float(iv["over"].sum() * h / req_h) if req_h else 0.0, "fraction"),
        ("utilization", "intervals_within_tolerance_frac", "all", float(iv["within_tolerance"].mean()), "fraction"),
    ]
    tr = _traffic(pooled, imin, aht_s)
    if tr is not None:
        traffic, aht = tr
        busy = traffic > 0
        n_net = np.floor(staff + 1e-9)
        sl = np.full(len(iv), np.nan)
        asa = np.full(len(iv), np.nan)
        if busy.any():
            sl[busy] = _erlang_sl(traffic[busy], n_net[busy], aht[busy], rules.service_level_target_s)
            asa[busy] = _erlang_asa(traffic[busy], n_net[busy], aht[busy])
        iv["service_level"] = sl
        iv["asa_s"] = asa
        if busy.any():
            wsum = traffic[busy].sum()
            rows.append(("utilization", "service_level_weighted", "all", float((sl[busy] * traffic[busy]).sum() / wsum),
                         "fraction"))
            rows.append(("utilization", "intervals_meeting_sl_frac", "all",
                         float(np.mean(sl[busy] >= 0.8 - 1e-12)), "fraction"))
            if asa_target_s is not None:
                rows.append(("utilization", "intervals_meeting_asa_frac", "all",
                             float(np.mean(asa[busy] <= asa_target_s)), "fraction"))
    # humane and fairness need shifts (and agents for preferences / carried-in counts)
    p0 = pooled["interval_start"].min().normalize().date() if len(pooled) else None
    p1 = pooled["interval_start"].max().normalize().date() if len(pooled) else None
    viol = check_roster(roster, agents, rules, period_start=p0, period_end=p1)
    shifts = _annotate(shifts_of(roster), rules, p0)
    ag = normalize_agents(agents, rules) if agents is not None else None
    ids = sorted(set(shifts["agent_id"]) | (set(ag["agent_id"]) if ag is not None else set()))
    per = pd.DataFrame({"agent_id": ids})
    info = ag.set_index("agent_id") if ag is not None else None
    kinds, recs = [], []
    for agent in ids:
        g = shifts[shifts["agent_id"] == agent].sort_values("shift_start")
        a = info.loc[agent] if info is not None and agent in info.index else None
        kind = a["kind"] if a is not None else ("full" if len(g) and g["span_min"].max() >= 360 else "part")
        kinds.append(kind)
        rests = ((g["shift_start"].iloc[1:].to_numpy() - g["shift_end"].iloc[:-1].to_numpy())
                 / np.timedelta64(1, "h")) if len(g) > 1 else np.zeros(0)
        runs = _longest_runs(list(g["date"]))
        hits = total = 0
        if a is not None:
            if a["preferred_shifts"]:
                total += len(g)
                hits += int(g["code"].isin(a["preferred_shifts"]).sum())
            if a["preferred_days_off"]:
                days = sorted(set(shifts["date"]))
                pd_days = [d for d in days if WEEKDAYS[d.weekday()] in a["preferred_days_off"]]
                total += len(pd_days)
                hits += sum(1 for d in pd_days if d not in set(g["date"]))
        worked = set(g["date"])
        weeks_pair = weeks_n = 0
        if p0 is not None:
            wk = p0
            while wk + dt.timedelta(days=6) <= p1:
                days_w = [wk + dt.timedelta(days=k) for k in range(7)]
                weeks_n += 1
                off = [d not in worked for d in days_w]
                weeks_pair += any(off[k] and off[k + 1] for k in range(6))
                wk += dt.timedelta(days=7)
        prev = (lambda c: int(a[c]) if a is not None else 0)
        recs.append({
            "shifts": len(g), "hours": float(g["paid_h"].sum()),
            "nights": int(g["night"].sum()) + prev("nights_prev"),
            "weekends": int(g["weekend"].sum()) + prev("weekends_prev"),
            "holidays": int(g["holiday"].sum()) + prev("holidays_prev"),
            "quick_returns": int((rests < rules.quick_return_h).sum()),
            "longest_run_days": max((n for _, n in runs), default=0),
            "weeks_with_two_days_off_together": weeks_pair, "full_weeks": weeks_n,
            "preference_hits": hits, "preference_total": total,
        })
    per = pd.concat([per, pd.DataFrame(recs, index=per.index)], axis=1) if recs else \
        per.assign(shifts=0, hours=0.0, nights=0, weekends=0, holidays=0, quick_returns=0, longest_run_days=0,
                   weeks_with_two_days_off_together=0, full_weeks=0, preference_hits=0, preference_total=0)
    per.insert(1, "kind", kinds)
    pref_total = int(per["preference_total"].sum())
    fw = int(per["full_weeks"].sum())
    rows += [
        ("humane", "hard_violations", "all", float(len(viol)), "count"),
        ("humane", "preference_hit_frac", "all",
         float(per["preference_hits"].sum() / pref_total) if pref_total else math.nan, "fraction"),
        ("humane", "quick_returns", "all", float(per["quick_returns"].sum()), "count"),
        ("humane", "longest_run_days", "all", float(per["longest_run_days"].max()) if len(per) else 0.0, "days"),
        ("humane", "two_days_off_together_frac", "all",
         float(per["weeks_with_two_days_off_together"].sum() / fw) if fw else math.nan, "fraction"),
    ]
    for kind in ("full", "part"):
        sub = per[(per["kind"] == kind) & (per["shifts"] > 0)]
        if sub.empty:
            continue
        for col in ("nights", "weekends", "holidays", "hours"):
            vals = sub[col].to_numpy(dtype=float)
            if col == "nights" and info is not None:
                ok = [not bool(info.loc[x, "no_nights"]) if x in info.index else True for x in sub["agent_id"]]
                vals = vals[np.array(ok, dtype=bool)]
            if not len(vals):
                continue
            unit = "hours" if col == "hours" else "count"
            rows.append(("fairness", f"{col}_max_min", kind, float(vals.max() - vals.min()), unit))
            rows.append(("fairness", f"{col}_gini", kind, gini(vals), "gini"))
    summary = pd.DataFrame(rows, columns=["standard", "metric", "group", "value", "unit"])
    return RosterScore(summary=summary, intervals=iv, agents=per, violations=viol)
