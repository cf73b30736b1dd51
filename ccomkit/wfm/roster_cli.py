"""``ccom roster`` and ``ccom roster-score``: build or score a roster from bare files.

Contract::

    ccom roster --requirement REQ.csv --agents AGENTS.csv --rules RULES.yaml --out ROSTER.csv
                [--time-limit-s N] [--grid-out GRID.csv|GRID.xlsx]
    ccom roster-score --roster ROSTER.csv --requirement REQ.csv --rules RULES.yaml [--agents AGENTS.csv]

``REQ.csv``: ``interval_start, agents_required`` (optionally ``queue``, pooled; ``traffic_erl`` or
``calls_offered`` with ``aht_s`` for the service level). ``AGENTS.csv``: ``agent_id,
contract_hours_week`` and the optional columns of
:func:`ccomkit.wfm.roster_rules.normalize_agents`. ``RULES.yaml``: ``docs/roster-rules.md``.
``ROSTER.csv``: one row per agent activity ``agent_id, start, end, activity, shift_code``
(``roster-score`` also reads the grid layout and XLSX). Both print the three standards' scores.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any


from ccomkit.errors import IngestError

if TYPE_CHECKING:  # the solver and pandas load when a roster command runs, not when `ccom` starts
    import pandas as pd

    from ccomkit.wfm.roster_check import RosterScore

__all__ = ["add_parser", "run_roster", "run_roster_score", "format_scores"]

_STANDARDS = (("utilization", "利用率 utilization"), ("humane", "人性化 humane"), ("fairness", "公平性 fairness"))


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``roster`` and ``roster-score`` commands.

    Examples
    --------
    >>> import argparse
    >>> parser = argparse.ArgumentParser(prog="ccom")
    >>> _ = add_parser(parser.add_subparsers(dest="command"))
    >>> a = parser.parse_args(["roster", "--requirement", "r.csv", "--agents", "a.csv", "--rules", "x.yaml",
    ...                        "--out", "o.csv"])
    >>> a.time_limit_s
    60.0
    """
    p = subparsers.add_parser(
        "roster", help="build a named roster (shifts, breaks, days off) that covers a requirement",
        description="Build a named-agent roster from an interval requirement, an agents file and RULES.yaml; "
                    "write ROSTER.csv and print the scores of the three standards (利用率 / 人性化 / 公平性).")
    p.add_argument("--requirement", required=True, metavar="REQ.csv",
                   help="interval_start, agents_required[, queue]")
    p.add_argument("--agents", required=True, metavar="AGENTS.csv", help="agent_id, contract_hours_week, …")
    p.add_argument("--rules", required=True, metavar="RULES.yaml", help="shift templates, breaks and hard rules")
    p.add_argument("--out", required=True, metavar="ROSTER.csv", help="roster, one row per agent activity")
    p.add_argument("--time-limit-s", type=float, default=60.0, metavar="N", help="solver time limit (default 60)")
    p.add_argument("--grid-out", default=None, metavar="GRID.csv|GRID.xlsx",
                   help="also write the team leader's layout (agents × days)")
    p.set_defaults(func=run_roster)
    q = subparsers.add_parser(
        "roster-score", help="score a roster on the three standards and list hard-rule violations",
        description="Score any roster (long ROSTER.csv, or the grid layout, CSV or XLSX) against a requirement "
                    "and RULES.yaml: 利用率 / 人性化 / 公平性 and every hard-rule violation.")
    q.add_argument("--roster", required=True, metavar="ROSTER.csv")
    q.add_argument("--requirement", required=True, metavar="REQ.csv")
    q.add_argument("--rules", required=True, metavar="RULES.yaml")
    q.add_argument("--agents", default=None, metavar="AGENTS.csv",
                   help="optional: contract hours, availability, preferences, carried-in counts")
    q.set_defaults(func=run_roster_score)
    return p


def _read_csv(path: str) -> pd.DataFrame:
    import pandas as pd

    from ccomkit.wfm.roster_io import _read_table

    frame = _read_table(Path(path))
    frame.columns = [str(c).strip() for c in frame.columns]
    for col in frame.columns:
        if col in ("agent_id", "interval_start", "queue") or col.endswith("_dates") or col in (
                "shift_codes", "preferred_shifts", "preferred_days_off", "skills", "employment", "no_nights"):
            continue
        conv = pd.to_numeric(frame[col].replace("", None), errors="coerce")
        if conv.notna().sum() == (frame[col].astype(str).str.strip() != "").sum():
            frame[col] = conv
    return frame


def format_scores(score: RosterScore) -> str:
    """The three standards as printable text (one block per standard).

    Examples
    --------
    >>> import pandas as pd
    >>> from ccomkit.wfm.roster_check import RosterScore
    >>> s = RosterScore(pd.DataFrame([("humane", "hard_violations", "all", 0.0, "count")],
    ...     columns=["standard", "metric", "group", "value", "unit"]), pd.DataFrame(), pd.DataFrame(),
    ...     pd.DataFrame())
    >>> print(format_scores(s))
    人性化 humane
      hard_violations                          0
    """
    lines = []
    for key, title in _STANDARDS:
        sub = score.summary[score.summary["standard"] == key]
        if sub.empty:
            continue
        lines.append(title)
        for _, r in sub.iterrows():
            name = r["metric"] + ("" if r["group"] == "all" else f" ({r['group']})")
            v = r["value"]
            if isinstance(v, float) and math.isnan(v):
                text = "n/a"
            elif r["unit"] == "fraction":
                text = f"{v:.1%}"
            elif r["unit"] == "gini":
                text = f"{v:.3f}"
            elif float(v).is_integer():
                text = f"{int(v)}"
            else:
                text = f"{v:.2f}"
            lines.append(f"  {name:<40} {text}")
    return "\n".join(lines)


def _print_violations(score: RosterScore) -> None:
    v = score.violations
    if v.empty:
        return
    print(f"hard-rule violations: {len(v)}")
    for rule, n in v["rule"].value_counts().items():
        first = v[v["rule"] == rule].iloc[0]
        print(f"  {rule:<28} {n:>5}  e.g. {first['agent_id']}: {first['detail']}")


def run_roster(args: argparse.Namespace) -> int:
    """Run ``ccom roster``; raises :class:`~ccomkit.errors.CcomkitError` on bad input."""
    from ccomkit.wfm.roster_check import score_roster
    from ccomkit.wfm.roster_io import export_roster, write_roster_csv
    from ccomkit.wfm.roster_rules import load_rules
    from ccomkit.wfm.scheduling import solve_roster

    rules = load_rules(args.rules)
    req = _read_csv(args.requirement)
    agents = _read_csv(args.agents)
    res = solve_roster(req, agents, rules, time_limit_s=args.time_limit_s)
    write_roster_csv(res.roster, args.out)
    if getattr(args, "grid_out", None):
        export_roster(res.roster, args.grid_out, agents=agents, coverage=res.coverage)
    print(f"roster: {res.roster['agent_id'].nunique()} agents, "
          f"{res.roster.groupby(['agent_id', 'shift_start']).ngroups if len(res.roster) else 0} shifts; "
          f"{res.message}; gap {res.gap_frac:.1%}; {res.solve_s:.1f} s → {args.out}")
    if len(res.shortfall):
        top = res.shortfall.sort_values("short", ascending=False).head(5)
        print("short intervals (worst 5): " + ", ".join(
            f"{r.interval_start:%Y-%m-%d %H:%M} −{r.short:.2f}" for r in top.itertuples()))
    score = score_roster(res.roster, req, rules, agents)
    print(format_scores(score))
    _print_violations(score)
    return 0


def run_roster_score(args: argparse.Namespace) -> int:
    """Run ``ccom roster-score``; raises :class:`~ccomkit.errors.CcomkitError` on bad input."""
    from ccomkit.wfm.roster_check import score_roster
    from ccomkit.wfm.roster_io import read_roster
    from ccomkit.wfm.roster_rules import load_rules

    rules = load_rules(args.rules)
    roster = read_roster(args.roster, rules)
    req = _read_csv(args.requirement)
    agents = _read_csv(args.agents) if getattr(args, "agents", None) else None
    if roster.empty:
        raise IngestError(f"{args.roster}: the roster has no activities.", file=str(args.roster))
    score = score_roster(roster, req, rules, agents)
    print(f"roster {args.roster}: {roster['agent_id'].nunique()} agents")
    print(format_scores(score))
    _print_violations(score)
    return 0



