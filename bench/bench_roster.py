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
6. A richer template set (4, 6, 8, 10 h, starts every 30 min) designed by the model.
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
    """4-, 6-, 8- and 10-hour templates, starts every 30 min while the shift ends by 23:00."""
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
                           "weekly_hours_tolerance_h": 0, "full_time_min_hours_week": 35}}


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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--parts", default="week,peers,rich,month")
    ap.add_argument("--time-limit-s", type=float, default=60.0)
    ap.add_argument("--month-time-limit-s", type=float, default=300.0)
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
    if "rich" in parts:
        run_ccomkit(req, load_rules(rich_rules()), "ccomkit, richer templates (P4, P6, F6, F8, F10; starts every "
                    "30 min)", args.time_limit_s, lines)
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
