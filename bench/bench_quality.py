"""Quality bench: the full quality analysis (forms, scoring, the four analyses, calibration)
for one month of the demo center.

Data: ``ccomkit.demo.generate(seats=3000, years=1)`` (about 360 k evaluations and 7 M item rows
over the year; generating it takes about 2 min and 11 GB and is *not* timed). The month's rows
of ``csat_response``, ``agent_interval`` and ``schedule`` are cut before timing (what a workspace
query for the month returns); ``qa_evaluation`` and ``qa_item`` are passed whole and the month is
selected inside the timed run.

Timed run (one month, default the last full month of the history):

1. select the month's evaluations (by ``eval_date``) and their item rows;
2. score every evaluation from its items against the default form and check the scores;
3. drop re-scored evaluations, add team / tenure band / shift; per-agent t-intervals and rank
   groups; the next month's sampling plan;
4. root cause: deduction Pareto overall and by team, queue, tenure band, evaluator; fatal Pareto
   by team;
5. correlation: agent-month panel (CSAT, FCR, AHT, tenure), Spearman table, CSAT key drivers;
6. trend: daily p-chart and X̄-S chart with Western Electric rules, weekly SD by team;
7. comparison: team, agent, evaluator, shift, tenure band (Welch, Mann-Whitney, one-sample t vs
   target, ANOVA, Kruskal-Wallis, Holm);
8. calibration: evaluator MAD, item agreement, session summary;
9. the chart builders (altair specs, not rendered).

Run::

    .venv/bin/python bench/bench_quality.py --seats 3000 --write bench/RESULTS.md
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import sys
import time

import numpy as np
import pandas as pd

from ccomkit.demo import generate
from ccomkit.quality import analysis as A
from ccomkit.quality import calibration as C
from ccomkit.quality.qa import agent_scores, latest_evaluations, sampling_plan, score_evaluations


def month_slices(tables: dict[str, pd.DataFrame], month: pd.Timestamp) -> dict[str, pd.DataFrame]:
    """The month's csat_response, agent_interval and schedule rows (cut before timing)."""
    end = month + pd.offsets.MonthBegin(1)

    def cut(frame: pd.DataFrame, col: str, start: pd.Timestamp = month) -> pd.DataFrame:
        t = frame[col]
        return frame[((t >= start) & (t < end)).to_numpy()].reset_index(drop=True)

    # calls evaluated early in the month were taken up to a week before it
    return {"csat_response": cut(tables["csat_response"], "invited_at"),
            "agent_interval": cut(tables["agent_interval"], "interval_start"),
            "schedule": cut(tables["schedule"], "shift_date", month - pd.Timedelta(days=14))}


def replicate(tables: dict[str, pd.DataFrame], k: int) -> dict[str, pd.DataFrame]:
    """k copies of the year's qa_evaluation / qa_item with suffixed eval, call and session ids
    (copy 0 keeps the original ids): the same agents, evaluators and dates, k times the volume."""
    ev, it = tables["qa_evaluation"], tables["qa_item"]
    evs, its = [ev], [it]
    for j in range(1, k):
        suf = f"-{j}"
        e = ev.copy()
        for col in ("eval_id", "call_id", "calibration_session_id"):
            e[col] = e[col].where(e[col].isna(), e[col] + suf)
        evs.append(e)
        its.append(it.assign(eval_id=it["eval_id"] + suf))
    out = dict(tables)
    out["qa_evaluation"] = pd.concat(evs, ignore_index=True)
    out["qa_item"] = pd.concat(its, ignore_index=True)
    return out


def run_month(tables: dict[str, pd.DataFrame], sl: dict[str, pd.DataFrame],
              month: pd.Timestamp) -> dict[str, int]:
    """The full quality analysis for one month; returns a few sizes for the report."""
    end = month + pd.offsets.MonthBegin(1)
    ev_all, it_all = tables["qa_evaluation"], tables["qa_item"]
    d = ev_all["eval_date"]
    ev = ev_all[((d >= month) & (d < end)).to_numpy()]
    it = it_all[it_all["eval_id"].isin(ev["eval_id"]).to_numpy()]
    scores = score_evaluations(it)
    chk = ev[["eval_id", "total_score"]].merge(scores[["eval_id", "score"]], on="eval_id")
    if not np.allclose(chk["total_score"], chk["score"]):
        raise AssertionError("recomputed scores differ from total_score")
    ctx = A.qa_context(latest_evaluations(ev), tables["agent_dim"], sl["schedule"])
    ranks = agent_scores(ctx)
    plan = sampling_plan(tables["agent_dim"], end, ev_all, tables["complaint"])
    par = [A.deduction_pareto(it, ctx)] + [A.deduction_pareto(it, ctx, by=b) for b in
                                           ("team_id", "queue_id", "tenure_band", "evaluator_id")]
    fat = A.fatal_pareto(ctx, by="team_id")
    panel = A.agent_month_panel(ctx, it, csat=sl["csat_response"],
                                agent_interval=sl["agent_interval"], agent_dim=tables["agent_dim"])
    corr = A.qa_correlation(panel)
    kd = A.key_drivers(panel, "csat")
    pc = A.p_chart(ctx, "D")
    xs = A.xbar_s_chart(ctx, "D")
    sv = A.score_variance(ctx, by="team_id", freq="W")
    comps = {b: A.compare_groups(ctx, b, target=85.0) for b in
             ("team_id", "agent_id", "evaluator_id", "shift_code", "tenure_band")}
    evc = C.evaluator_calibration(ctx)
    ia = C.item_agreement(ctx, it)
    ss = C.session_summary(ctx, it)
    charts = [A.pareto_chart(par[0]), A.pareto_chart(fat, measure="n_fatal"),
              A.correlation_chart(corr), A.control_chart(pc), A.control_chart(xs),
              A.comparison_chart(comps["team_id"].groups, "team_id", target=85.0),
              C.calibration_chart(evc)]
    return {"evaluations": len(ev), "items": len(it), "agents": len(ranks), "plan": len(plan),
            "panel": len(panel), "key_drivers": len(kd), "variance_rows": len(sv),
            "calibration_items": len(ia), "sessions": len(ss), "charts": len(charts),
            "cannot_rank": int(ranks["cannot_rank"].sum())}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seats", type=int, default=3000)
    ap.add_argument("--years", type=int, default=1)
    ap.add_argument("--month", default=None, help="YYYY-MM; default the last full month")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--scale", type=int, default=1,
                    help="replicate the year's evaluations and items k times (new ids) to reach "
                         "a denser sampling volume")
    ap.add_argument("--profile", action="store_true", help="cProfile one extra run to stderr")
    ap.add_argument("--write", default=None, help="append/replace the '## Quality' section here")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    tables = generate(seats=args.seats, years=args.years)
    gen_s = time.perf_counter() - t0
    if args.scale > 1:
        tables = replicate(tables, args.scale)
    ev_all = tables["qa_evaluation"]
    last = pd.Timestamp(ev_all["eval_date"].max())
    month = (pd.Timestamp(args.month + "-01") if args.month
             else (last.to_period("M") - (0 if last.is_month_end else 1)).start_time)
    sl = month_slices(tables, month)
    times, info = [], {}
    load0 = os.getloadavg()[0]
    for _ in range(args.runs):
        t = time.perf_counter()
        info = run_month(tables, sl, month)
        times.append(time.perf_counter() - t)
    med = statistics.median(times)
    if args.profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.runcall(run_month, tables, sl, month)
        pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
    load1 = os.getloadavg()[0]
    lines = [
        "## Quality",
        "",
        f"Command: `.venv/bin/python bench/bench_quality.py --seats {args.seats}"
        + (f" --scale {args.scale}" if args.scale > 1 else "") + " --write bench/RESULTS.md`",
        "",
        f"- Data: `ccomkit.demo.generate(seats={args.seats}, years={args.years})`"
        + (f", QA tables replicated x{args.scale} (`--scale {args.scale}`)" if args.scale > 1
           else "") + " "
        f"({len(ev_all):,} evaluations, {len(tables['qa_item']):,} item rows in the year; "
        f"generation {gen_s:.0f} s, not timed). Month {month:%Y-%m}: "
        f"{info['evaluations']:,} evaluations, {info['items']:,} item rows, "
        f"{info['agents']:,} agents, {info['sessions']} calibration sessions; "
        f"{len(sl['agent_interval']):,} agent_interval and {len(sl['csat_response']):,} "
        "csat_response rows (cut to the month before timing).",
        "- Timed: month selection from the full-year QA tables, scoring from items (checked "
        "against total_score), re-scores, context (team, tenure band, shift), agent t-intervals, "
        "sampling plan, 5 deduction Paretos + fatal Pareto, agent-month panel + Spearman table + "
        "key drivers, daily p-chart and X̄-S chart with Western Electric rules, weekly SD by team, "
        "5 group comparisons (Welch, Mann-Whitney, one-sample t, ANOVA, Kruskal-Wallis, Holm), "
        "calibration (evaluator MAD, item agreement, sessions), 7 chart specs.",
        f"- Machine: {platform.machine()}, Python {platform.python_version()}, numpy "
        f"{np.__version__}, pandas {pd.__version__}; {os.cpu_count()} cores, 1-min load average "
        f"{load0:.1f} at start, {load1:.1f} at end (other jobs share this machine).",
        f"- **Full quality analysis for one month: median {med:.2f} s** over {args.runs} runs "
        f"(runs: {', '.join(f'{t:.2f}' for t in times)} s); target <= 10 s.",
        f"- {info['cannot_rank']:,} of {info['agents']:,} agents cannot be ranked for the month "
        "(their 95 % intervals chain-overlap with others), which is what a month of 6-12 "
        "evaluations per agent supports.",
        "",
    ]
    text = "\n".join(lines)
    sys.stdout.write(text + "\n")
    if args.write:
        try:
            with open(args.write, encoding="utf-8") as fh:
                old = fh.read()
        except FileNotFoundError:
            old = ""
        pat = re.compile(r"^## Quality\n.*?(?=^## |\Z)", re.S | re.M)
        new = pat.sub(text + "\n", old) if pat.search(old) else old.rstrip("\n") + "\n\n" + text
        with open(args.write, "w", encoding="utf-8") as fh:
            fh.write(new)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
