"""Benchmark: ccomkit rosters on a realistic week, against pyworkforce in the same run.

Protocol (issue 4, "Done when"):

1. A realistic week: 7 days x 48 half-hours, open 07:00-23:00, calls with a morning and an
   afternoon peak, a lunch dip and an evening tail, weekdays busier than the weekend; AHT 300 s;
   ``required_agents`` at 80 % in 20 s, calls scaled so the peak needs 82 agents.
2. The shift set of the issue: 17 full-time 8-hour starts every 30 min 07:00-15:00 (one lunch and
   two breaks) and 4-hour part-time starts 07:00-19:00 (one break) — ``rules/example.yaml``.
3. The pool sized from the requirement by ``size_pool`` (LP relaxation of the cover with
   head-counts as variables, 40 h full-time / 20 h part-time contracts, 2 days off a week, rounded
   up per kind).
4. ``solve_roster`` with a 60 s limit; short and over agent-half-hours as % of required; the
   LP-relaxation bound (least over-coverage at zero shortfall) with these shifts and breaks, and
   without breaks; hard violations by the independent checker.
5. pyworkforce 0.5.1 ``MinAbsDifference`` and ``MinRequiredResources`` (CP-SAT, 2 workers, 60 s) on
   the same requirement with the same shift starts and no breaks (all pyworkforce can express).
6. A richer template set (4, 6, 8, 10 h, starts every 30 min) designed by the model, at 15, 60 and
   180 s (``--rich-time-limits-s``).
7. A 4-week instance with about 500 agents, for the growth of the solve time.

pyworkforce is a bench-only peer (never a ccomkit dependency)::

    .venv/bin/pip install pyworkforce==0.5.1

Run::

    .venv/bin/python bench/bench_roster.py            # all parts
    .venv/bin/python bench/bench_roster.py --parts week,peers
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import warnings

import numpy as np
import pandas as pd

from ccomkit.errors import CcomkitWarning
from ccomkit.wfm.roster_check import check_roster, score_roster
from ccomkit.wfm.roster_rules import EXAMPLE_RULES, load_rules
from ccomkit.wfm.scheduling import lp_bound, make_agents, size_pool, solve_roster
from ccomkit.wfm.staffing import required_agents

WEEK_START = "2026-11-30"  # a Monday


def realistic_requirement(start: str = WEEK_START, days: int = 7, peak_agents: int = 82,
                          aht_s: float = 300.0) -> pd.DataFrame:
    """The bench requirement: interval_start, calls_offered, aht_s, traffic_erl, agents_required."""
    ts = pd.date_range(start, periods=days * 48, freq="30min")
    h = (ts.hour + ts.minute / 60).to_numpy()
    open_ = (h >= 7) & (h < 23)
    shape = (0.05 + 1.00 * np.exp(-0.5 * ((h - 10.25) / 1.2) ** 2)   # morning peak
             + 0.90 * np.exp(-0.5 * ((h - 15.0) / 1.6) ** 2)          # afternoon peak
             + 0.30 * np.exp(-0.5 * ((h - 20.0) / 1.3) ** 2)          # evening
             - 0.25 * np.exp(-0.5 * ((h - 12.5) / 0.5) ** 2))         # lunch dip
    shape = np.clip(shape, 0.03, None)
    dow = np.array([1.0, 0.95, 0.92, 0.9, 0.93, 0.70, 0.60])[ts.day_of_week]
    base = shape * dow * open_

    def staff(scale: float) -> pd.DataFrame:
        f = pd.DataFrame({"interval_start": ts, "calls_offered": np.round(base * scale), "aht_s": aht_s,
                          "interval_min": 30})
        return required_agents(f, service_level_target_frac=0.8, target_s=20)

    lo, hi = 1.0, 20000.0
    for _ in range(40):
        mid = (lo + hi) / 2
        if staff(mid)["agents_required"].max() > peak_agents:
            hi = mid
        else:
            lo = mid
    return staff(lo)[["interval_start", "calls_offered", "aht_s", "traffic_erl", "agents_required"]]


def rich_rules() -> dict:
    """4-, 6-, 8- and 10-hour templates, starts every 30 min while the shift ends by 23:00; weekly
    hours within ±2 h of the contract (so 40 h and 20 h can be made of mixed lengths)."""
    def brk(lo, hi, ln=15):
        return {"activity": "break", "length_min": ln, "window_start_min": lo, "window_end_min": hi}

    def lunch(lo, hi):
        return {"activity": "lunch", "length_min": 30, "window_start_min": lo, "window_end_min": hi, "paid": True}

    t = [
        {"code": "P4", "kind": "part", "length_min": 240, "start_earliest": "07:00", "start_latest": "19:00",
         "breaks": [brk(90, 150)]},
        {"code": "P6", "kind": "part", "length_min": 360, "start_earliest": "07:00", "start_latest": "17:00",
         "breaks": [brk(60, 120), brk(210, 270)]},
        {"code": "F6", "kind": "full", "length_min": 360, "start_earliest": "07:00", "start_latest": "17:00",
         "breaks": [brk(60, 120), brk(210, 270)]},
        {"code": "F8", "kind": "full", "length_min": 480, "start_earliest": "07:00", "start_latest": "15:00",
         "breaks": [brk(60, 150), lunch(180, 300), brk(330, 420)]},
        {"code": "F10", "kind": "full", "length_min": 600, "start_earliest": "07:00", "start_latest": "13:00",
         "breaks": [brk(90, 180), lunch(240, 360), brk(420, 510)]},
    ]
    return {"interval_min": 30, "shift_templates": t,
            "hard_rules": {"min_rest_h": 11, "max_consecutive_work_days": 6, "min_days_off_per_week": 2,
                           "weekly_hours_tolerance_h": 2, "full_time_min_hours_week": 35}}


def pct(x: float) -> str:
    return f"{100 * x:.2f} %"


def run_ccomkit(req: pd.DataFrame, rules, label: str, time_limit_s: float, lines: list[str]) -> dict:
    t0 = time.perf_counter()
    pool = size_pool(req, rules, time_limit_s=60)
    t_pool = time.perf_counter() - t0
    agents = make_agents(pool)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CcomkitWarning)
        res = solve_roster(req, agents, rules, time_limit_s=time_limit_s)
    t1 = time.perf_counter()
    viol = check_roster(res.roster, agents, rules)
    sc = score_roster(res.roster, req, rules, agents)
    t_check = time.perf_counter() - t1
    b_brk = lp_bound(req, rules, breaks=True)
    b_nob = lp_bound(req, rules, breaks=False)
    out = {
        "label": label, "agents": f"{pool['full']} full + {pool['part']} part", "pool_s": t_pool,
        "short_frac": sc.value("short_frac"), "over_frac": sc.value("over_frac"),
        "bound_breaks": b_brk["over_frac"], "bound_no_breaks": b_nob["over_frac"],
        "violations": len(viol), "solve_s": res.solve_s, "status": res.status, "gap": res.gap_frac,
        "check_s": t_check, "sl": sc.value("service_level_weighted"),
        "within": sc.value("intervals_within_tolerance_frac"),
        "unfilled": int(res.unfilled["count"].sum()) if len(res.unfilled) else 0,
        "stages": res.stages, "score": sc, "warnings": [str(w.message) for w in caught],
    }
    lines.append(f"- **{label}**: pool {out['agents']} (sized in {t_pool:.1f} s); solve {res.solve_s:.1f} s, "
                 f"status {res.status}, stage-1 gap {res.gap_frac:.1%}; short {pct(out['short_frac'])}, over "
                 f"{pct(out['over_frac'])} of required agent-half-hours; LP bound on over (zero short): "
                 f"{pct(out['bound_breaks'])} with breaks, {pct(out['bound_no_breaks'])} without; over - bound = "
                 f"{100 * (out['over_frac'] - out['bound_breaks']):.2f} points; hard violations "
                 f"(independent checker) {len(viol)}; intervals within ±10 %: {pct(out['within'])}; Erlang C "
                 f"service level on net staff {pct(out['sl'])}; unnamed shifts {out['unfilled']}.")
    st = res.stages.copy()
    lines.append("")
    lines.append("  | stage | week | rows | cols | status | gap | s |")
    lines.append("  |---|---|---|---|---|---|---|")
    for r in st.itertuples():
        lines.append(f"  | {r.stage} | {r.week} | {r.rows} | {r.cols} | {r.status} | {r.gap_frac:.3f} | "
                     f"{r.seconds:.1f} |")
    hum = sc.summary[sc.summary["standard"] != "utilization"]
    keep = hum[hum["metric"].isin(["quick_returns", "longest_run_days", "two_days_off_together_frac",
                                   "nights_max_min", "weekends_max_min", "hours_max_min", "weekends_gini"])]
    lines.append("")
    lines.append("  人性化/公平性: " + "; ".join(
        f"{r.metric}{'' if r.group == 'all' else ' (' + r.group + ')'} = "
        f"{(f'{r.value:.1%}' if r.unit == 'fraction' else f'{r.value:.3g}')}" for r in keep.itertuples()))
    lines.append("")
    return out


def run_pyworkforce(req: pd.DataFrame, time_limit_s: float, lines: list[str]) -> None:
    try:
        from pyworkforce.scheduling import MinAbsDifference, MinRequiredResources
    except ImportError:
        lines.append("- pyworkforce is not installed (bench only: `.venv/bin/pip install pyworkforce==0.5.1`); "
                     "no peer figures.")
        return
    from importlib.metadata import version

    periods = 48
    cov = {}
    for st in range(14, 31):  # 07:00 .. 15:00, 8 h
        cov[f"F8_{st // 2:02d}{30 * (st % 2):02d}"] = [1 if st <= p < st + 16 else 0 for p in range(periods)]
    for st in range(14, 39):  # 07:00 .. 19:00, 4 h
        cov[f"P4_{st // 2:02d}{30 * (st % 2):02d}"] = [1 if st <= p < st + 8 else 0 for p in range(periods)]
    need = req["agents_required"].to_numpy().reshape(7, periods).astype(int).tolist()
    total = float(np.sum(need))
    for cls in (MinAbsDifference, MinRequiredResources):
        t0 = time.perf_counter()
        model = cls(num_days=7, periods=periods, shifts_coverage=cov, required_resources=need,
                    max_period_concurrency=400, max_shift_concurrency=200, max_search_time=time_limit_s,
                    num_search_workers=2)
        sol = model.solve()
        secs = time.perf_counter() - t0
        staff = np.zeros((7, periods))
        for r in sol["resources_shifts"]:
            if r["day"] >= 0:
                staff[r["day"]] += r["resources"] * np.array(cov[r["shift"]])
        req_a = np.array(need)
        short = np.clip(req_a - staff, 0, None).sum() / total
        over = np.clip(staff - req_a, 0, None).sum() / total
        lines.append(f"- **pyworkforce {version('pyworkforce')} {cls.__name__}** (CP-SAT, 2 workers, "
                     f"{time_limit_s:g} s limit, same requirement, same 17 + 25 shift starts, no breaks, no days "
                     f"off, no names): status {sol['status']}, {secs:.1f} s; short {pct(short)}, over {pct(over)}; "
                     f"shifts {int(sum(r['resources'] for r in sol['resources_shifts'] if r['day'] >= 0))}.")


def run_solver_comparison(req: pd.DataFrame, rules, time_limit_s: float, lines: list[str]) -> None:
    """The identical stage-1 model (shift counts + break positions, fixed pool) in HiGHS and CP-SAT."""
    try:
        from ortools.sat.python import cp_model
    except ImportError:
        lines.append("- OR-Tools is not installed (it comes with pyworkforce); no CP-SAT comparison.")
        return
    from importlib.metadata import version

    from ccomkit.wfm import scheduling as S
    from ccomkit.wfm.roster_rules import normalize_agents

    agents = normalize_agents(make_agents(size_pool(req, rules)), rules)
    grid = S.requirement_slots(req, rules)
    groups = S._groups(grid, rules)
    avail = S._available(agents, grid)
    pool = S._pool(agents, avail, grid, rules)

    def outcome(x, y):
        staff = S._net_staff(grid, groups, x, y)
        tot = grid.req.sum()
        return np.clip(grid.req - staff, 0, None).sum() / tot, np.clip(staff - grid.req, 0, None).sum() / tot

    t0 = time.perf_counter()
    s1 = S._stage1(grid, groups, rules, pool=pool, time_limit_s=time_limit_s, w_util=1.0)
    t_h = time.perf_counter() - t0
    sh_h, ov_h = outcome(s1.x, s1.y)
    # CP-SAT: the same variables and constraints
    t0 = time.perf_counter()
    m = cp_model.CpModel()
    ub = int(max(pool["per_day"].max(), 1))
    x = [m.NewIntVar(0, ub, f"x{i}") for i in range(len(groups.day))]
    y = [m.NewIntVar(0, ub, f"y{j}") for j in range(len(groups.b_group))]
    cover = S._span_matrix(groups.start_slot, groups.length_slot, grid.n_slots, 1.0).tocsr()
    brk = S._span_matrix(groups.b_start_slot, groups.b_length_slot, grid.n_slots, -1.0).tocsr()
    obj = []
    for k in range(grid.n_slots):
        xs = cover.indices[cover.indptr[k]:cover.indptr[k + 1]]
        ys = brk.indices[brk.indptr[k]:brk.indptr[k + 1]]
        r = int(round(grid.req[k]))
        if not len(xs) and r == 0:
            continue
        sh, ov = m.NewIntVar(0, 10_000, f"s{k}"), m.NewIntVar(0, 10_000, f"o{k}")
        m.Add(sum(x[i] for i in xs) - sum(y[j] for j in ys) - r == ov - sh)
        obj += [20 * sh, ov]
    key = groups.b_group * 16 + groups.b_index
    for kk in np.unique(key):
        js = np.flatnonzero(key == kk)
        m.Add(sum(y[j] for j in js) == x[int(kk // 16)])
    for kind in (0, 1):
        for d in range(grid.n_days):
            sel = np.flatnonzero((groups.kind == kind) & (groups.day == d))
            if len(sel):
                m.Add(sum(x[i] for i in sel) <= int(pool["per_day"][kind, d]))
    for kind, days, lo, hi, max_shifts in pool["hours"]:
        sel = np.flatnonzero((groups.kind == kind) & np.isin(groups.day, days))
        m.Add(sum(int(round(60 * groups.paid_h[i])) * x[i] for i in sel) >= int(round(60 * lo)))
        m.Add(sum(int(round(60 * groups.paid_h[i])) * x[i] for i in sel) <= int(round(60 * hi)))
        m.Add(sum(x[i] for i in sel) <= int(max_shifts))
    m.Minimize(sum(obj))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_search_workers = 2
    st = solver.Solve(m)
    t_c = time.perf_counter() - t0
    if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        xc = np.array([solver.Value(v) for v in x], dtype=float)
        yc = np.array([solver.Value(v) for v in y], dtype=float)
        sh_c, ov_c = outcome(xc, yc)
        cp_txt = (f"status {solver.StatusName(st)}, {t_c:.1f} s, short {pct(sh_c)}, over {pct(ov_c)}, "
                  f"objective {solver.ObjectiveValue():.0f}, bound {solver.BestObjectiveBound():.0f}")
    else:
        cp_txt = f"status {solver.StatusName(st)} after {t_c:.1f} s: no roster"
    lines.append(f"- **Solver, identical stage-1 model** ({len(x)} shift columns + {len(y)} break columns, "
                 f"{time_limit_s:g} s limit each, 2 threads available): HiGHS (scipy {__import__('scipy').__version__}) "
                 f"status {s1.status}, {t_h:.1f} s, short {pct(sh_h)}, over {pct(ov_h)}, objective {s1.objective:.0f}, "
                 f"gap {s1.gap:.1%}; OR-Tools {version('ortools')} CP-SAT {cp_txt}.")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--parts", default="week,peers,solver,rich,month")
    ap.add_argument("--time-limit-s", type=float, default=60.0)
    ap.add_argument("--month-time-limit-s", type=float, default=300.0)
    ap.add_argument("--rich-time-limits-s", default="15,60,180",
                    help="time limits of the richer-template runs (15 s shows the contract repair at work)")
    args = ap.parse_args()
    parts = set(args.parts.split(","))
    lines: list[str] = []
    import scipy

    lines.append(f"Machine: {platform.machine()}, Python {platform.python_version()}, scipy {scipy.__version__} "
                 f"(HiGHS), numpy {np.__version__}, pandas {pd.__version__}; {os.cpu_count()} cores shared with "
                 f"other jobs, 1-min load average at start {os.getloadavg()[0]:.1f}.")
    lines.append("")
    req = realistic_requirement()
    lines.append(f"Requirement: 7 x 48 half-hours from {WEEK_START}, open 07:00-23:00, peak "
                 f"{int(req['agents_required'].max())} agents, {req['agents_required'].sum() / 2:.1f} required "
                 f"agent-hours, {int(req['calls_offered'].sum())} calls, AHT 300 s, 80 % in 20 s (Erlang C).")
    lines.append("")
    rules = load_rules(EXAMPLE_RULES)
    if "week" in parts:
        run_ccomkit(req, rules, "ccomkit, issue shift set (F8 x 17 starts + P4 x 25 starts)", args.time_limit_s,
                    lines)
    if "peers" in parts:
        run_pyworkforce(req, args.time_limit_s, lines)
        lines.append("")
    if "solver" in parts:
        run_solver_comparison(req, rules, args.time_limit_s / 2, lines)
        lines.append("")
    if "rich" in parts:
        for tl in (float(v) for v in args.rich_time_limits_s.split(",")):
            out = run_ccomkit(req, load_rules(rich_rules()), f"ccomkit, richer templates (P4, P6, F6, F8, F10; "
                              f"starts every 30 min), {tl:g} s limit", tl, lines)
            rep = int(out["stages"]["repaired"].fillna(0).sum()) if "repaired" in out["stages"] else 0
            lines.append(f"  agents named again alone to reach their contract hours: {rep}; warnings: "
                         f"{'; '.join(out['warnings']) or 'none'}")
            lines.append("")
    if "month" in parts:
        big = realistic_requirement(days=28, peak_agents=260)
        lines.append(f"4-week instance: 28 x 48 half-hours, peak {int(big['agents_required'].max())} agents, "
                     f"{big['agents_required'].sum() / 2:.0f} required agent-hours.")
        lines.append("")
        run_ccomkit(big, rules, "ccomkit, 4 weeks, issue shift set", args.month_time_limit_s, lines)
    lines.append(f"1-min load average at the end {os.getloadavg()[0]:.1f}.")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
