"""The monthly operations report playbook end to end on a demo workspace.

Builds the demo workspace once with ``ccom demo --seats N`` (kept in ``bench/_data/``,
git-ignored, or the path given), then runs ``ccom run monthly`` as a user would — a fresh
process each time: parameter validation, the staged copy of the workspace, papermill with a
python3 kernel, every section of the report with its SVG charts, nbconvert HTML, the index page,
the run-log write and the atomic swap — and prints each wall time and the median against the goal
(200 seats ≤ 60 s, 3,000 seats ≤ 5 min; issue 7).

Usage::

    .venv/bin/python bench/bench_playbook.py                      # 200 seats, median of 3
    .venv/bin/python bench/bench_playbook.py --seats 3000 --runs 1
    .venv/bin/python bench/bench_playbook.py --workspace /tmp/x.duckdb   # an existing demo

The playbook's notebook timings (``seconds`` per output) come from the run log's output folder.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CCOM = str(Path(sys.executable).with_name("ccom"))
GOAL_S = {200: 60.0, 3000: 300.0}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seats", type=int, default=200)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--playbook", default="monthly")
    ap.add_argument("--workspace", help="demo workspace (built with ccom demo when missing)")
    ap.add_argument("--out", default=str(ROOT / "bench" / "_data" / "playbook_out"))
    args = ap.parse_args()

    ws = Path(args.workspace or ROOT / "bench" / "_data" / f"demo_{args.seats}.duckdb")
    if not ws.exists():
        ws.parent.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        subprocess.run([CCOM, "demo", "--workspace", str(ws), "--seats", str(args.seats),
                        "--force"], check=True)
        print(f"built {ws} in {time.perf_counter() - t:,.1f} s")
    size_mb = ws.stat().st_size / 1e6
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("JPY_", "VOILA_")) and k != "SERVER_SOFTWARE"}
    times = []
    for i in range(args.runs):
        out = Path(args.out) / f"run{i}"
        t = time.perf_counter()
        proc = subprocess.run([CCOM, "run", args.playbook, "--workspace", str(ws), "--out",
                               str(out), "--no-progress"], capture_output=True, text=True,
                              env=env)
        dt = time.perf_counter() - t
        if proc.returncode != 0:
            print(proc.stderr[-2000:], file=sys.stderr)
            return 1
        times.append(dt)
        print(f"run {i + 1}: {dt:,.1f} s wall  ({proc.stdout.strip().splitlines()[0]})")
    med = statistics.median(times)
    goal = GOAL_S.get(args.seats)
    verdict = "" if goal is None else f"; goal {goal:,.0f} s: {'met' if med <= goal else 'MISSED'}"
    print(f"{args.playbook} playbook, {args.seats} seats ({size_mb:,.0f} MB workspace): median "
          f"{med:,.1f} s of {len(times)} runs (min {min(times):,.1f}, max {max(times):,.1f})"
          f"{verdict}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
