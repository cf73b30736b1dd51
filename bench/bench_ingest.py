"""Ingest throughput of a 3,000-seat year of ``agent_interval`` (about 26 M rows).

Generates the CSV once (vectorised numpy + pyarrow, into ``bench/_data/``, git-ignored), then times,
in the same run and on the same file:

* ``ccomkit``      — ``Workspace.open_write(create=True)`` + ``ingest`` end to end: hash + encoding
  scan, DuckDB CSV read, full contract validation (types, ranges, cross-column rules, grid,
  duplicate keys), load, CHECKPOINT, fsync and atomic swap;
* ``duckdb COPY``  — the ceiling: ``COPY agent_interval FROM file`` into a typed table of a fresh
  DuckDB file plus CHECKPOINT, with no validation at all;
* ``pandas``       — ``pandas.read_csv(engine="pyarrow")`` into a DataFrame (reading only).

Usage::

    .venv/bin/python bench/bench_ingest.py              # full year, median of 3 runs
    .venv/bin/python bench/bench_ingest.py --rows 2000000 --runs 1   # quick

Prints rows/s per contender and the ratios ccomkit / peer.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATA = ROOT / "bench" / "_data"
AGENTS = 3_750  # 3,000 seats ≈ 3,750 headcount
DAYS = 365
INTERVALS_PER_DAY = 19  # a 9.5-hour shift in 30-minute intervals
FULL_ROWS = AGENTS * DAYS * INTERVALS_PER_DAY  # 26,006,250


def generate(path: Path, rows: int, seed: int = 7) -> None:
    """Write ``rows`` contract-valid agent_interval rows (day by day, vectorised)."""
    rng = np.random.default_rng(seed)
    per_day = AGENTS * INTERVALS_PER_DAY
    days = -(-rows // per_day)
    agent_ids = np.array([f"A{i:05d}" for i in range(AGENTS)], dtype=object)
    queue_ids = np.array([f"Q{i % 8 + 1}" for i in range(AGENTS)], dtype=object)
    shift_start = rng.integers(14, 23, AGENTS)  # 07:00 .. 11:00, in 30-minute steps
    a = np.repeat(np.arange(AGENTS), INTERVALS_PER_DAY)
    k = np.tile(np.arange(INTERVALS_PER_DAY), AGENTS)
    base = np.datetime64("2025-01-01T00:00:00", "s")
    opts = pacsv.WriteOptions(include_header=True, quoting_style="none")
    written = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with pacsv.CSVWriter(tmp, schema=_schema(), write_options=opts) as w:
        for day in range(days):
            n = min(per_day, rows - written)
            if n <= 0:
                break
            aa, kk = a[:n], k[:n]
            start = base + np.timedelta64(day, "D") + (shift_start[aa] + kk).astype("timedelta64[m]") * 30
            login = np.full(n, 1800, dtype=np.int64)
            brk = np.where((kk == 4) | (kk == 14), 900, 0)
            meal = np.where(kk == 9, 1800, 0)
            busy = meal == 0
            talk = np.where(busy, rng.integers(300, 1100, n), 0)
            hold = np.where(busy, rng.integers(0, 60, n), 0)
            acw = np.where(busy, rng.integers(30, 200, n), 0)
            training = np.where((kk == 6) & (day % 14 == a[:n] % 14), 600, 0)
            meeting = np.zeros(n, dtype=np.int64)
            coaching = np.zeros(n, dtype=np.int64)
            other = np.where(busy, rng.integers(0, 30, n), 0)
            used = talk + hold + acw + brk + meal + training + meeting + coaching + other
            over = np.maximum(used - login, 0)
            talk = np.maximum(talk - over, 0)
            used = talk + hold + acw + brk + meal + training + meeting + coaching + other
            idle = np.maximum(login - used, 0)
            handled = talk // 280
            transfers = (handled * rng.random(n) < 0.3).astype(np.int64) * (handled > 0)
            batch = pa.table(
                {
                    "agent_id": pa.array(agent_ids[aa], pa.string()),
                    "interval_start": pa.array(start.astype("datetime64[s]"), pa.timestamp("s")),
                    "interval_min": pa.array(np.full(n, 30), pa.int64()),
                    "queue_id": pa.array(queue_ids[aa], pa.string()),
                    "login_s": login, "ready_idle_s": idle, "talk_s": talk, "hold_s": hold,
                    "acw_s": acw, "aux_break_s": brk, "aux_meal_s": meal,
                    "aux_training_s": training, "aux_meeting_s": meeting,
                    "aux_coaching_s": coaching, "aux_other_s": other,
                    "handled": handled, "transfers": transfers,
                },
                schema=_schema(),
            )
            w.write_table(batch)
            written += n
    os.replace(tmp, path)


def _schema() -> pa.Schema:
    ints = ["interval_min", "login_s", "ready_idle_s", "talk_s", "hold_s", "acw_s", "aux_break_s",
            "aux_meal_s", "aux_training_s", "aux_meeting_s", "aux_coaching_s", "aux_other_s",
            "handled", "transfers"]
    fields = [pa.field("agent_id", pa.string()), pa.field("interval_start", pa.timestamp("s")),
              pa.field("queue_id", pa.string())]
    fields += [pa.field(c, pa.int64()) for c in ints]
    order = ["agent_id", "interval_start", "interval_min", "queue_id", "login_s", "ready_idle_s",
             "talk_s", "hold_s", "acw_s", "aux_break_s", "aux_meal_s", "aux_training_s",
             "aux_meeting_s", "aux_coaching_s", "aux_other_s", "handled", "transfers"]
    by = {f.name: f for f in fields}
    return pa.schema([by[c] for c in order])


def run_ccomkit(csv_path: Path, work: Path) -> tuple[float, int]:
    from ccomkit.store import Workspace

    db = work / "ccomkit.duckdb"
    db.unlink(missing_ok=True)
    t0 = time.perf_counter()
    with Workspace.open_write(db, f"bench ingest {csv_path.name}", create=True) as ws:
        rep = ws.ingest(csv_path, "agent_interval")
        steps = dict(ws.last_timings)
    dt_s = time.perf_counter() - t0
    steps["checkpoint_swap_s"] = dt_s - rep.elapsed_s
    print("    steps: " + ", ".join(f"{k} {v:.2f}" for k, v in steps.items()))
    assert rep.rows_quarantined == 0, rep.messages
    db.unlink(missing_ok=True)
    return dt_s, rep.rows_loaded


def run_duckdb_copy(csv_path: Path, work: Path) -> tuple[float, int]:
    import duckdb

    from ccomkit.schemas import AGENT_INTERVAL

    db = work / "copy.duckdb"
    db.unlink(missing_ok=True)
    t0 = time.perf_counter()
    con = duckdb.connect(str(db))
    con.execute(AGENT_INTERVAL.ddl())
    con.execute(f"COPY agent_interval FROM '{csv_path}' (HEADER true)")
    n = con.execute("SELECT count(*) FROM agent_interval").fetchone()[0]
    con.execute("CHECKPOINT")
    con.close()
    dt_s = time.perf_counter() - t0
    db.unlink(missing_ok=True)
    return dt_s, n


def run_pandas(csv_path: Path, work: Path) -> tuple[float, int]:
    import pandas as pd

    t0 = time.perf_counter()
    df = pd.read_csv(csv_path, engine="pyarrow")
    n = len(df)
    dt_s = time.perf_counter() - t0
    del df
    return dt_s, n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=FULL_ROWS, help="rows to generate (default a full year)")
    ap.add_argument("--runs", type=int, default=3, help="runs per contender (median is reported)")
    ap.add_argument("--skip-peers", action="store_true", help="time ccomkit only")
    args = ap.parse_args(argv)

    csv_path = DATA / f"agent_interval_{args.rows}.csv"
    if not csv_path.exists():
        t0 = time.perf_counter()
        generate(csv_path, args.rows)
        print(f"generated {csv_path} ({csv_path.stat().st_size / 1e9:.2f} GB) "
              f"in {time.perf_counter() - t0:.1f} s")
    size_gb = csv_path.stat().st_size / 1e9
    work = DATA
    contenders = [("ccomkit ingest", run_ccomkit)]
    if not args.skip_peers:
        contenders += [("duckdb COPY (no validation)", run_duckdb_copy),
                       ("pandas read_csv (pyarrow)", run_pandas)]
    times: dict[str, list[float]] = {name: [] for name, _ in contenders}
    rows: dict[str, int] = {}
    print(f"file: {csv_path.name}, {size_gb:.2f} GB, {os.cpu_count()} cores; "
          f"contenders interleaved per round (a noisy machine hits all of them alike)")
    for i in range(args.runs):
        for name, fn in contenders:
            gc.collect()
            dt_s, n = fn(csv_path, work)
            times[name].append(dt_s)
            rows[name] = n
            print(f"  round {i + 1} {name:30s} {dt_s:7.2f} s  {n / dt_s / 1e6:6.2f} M rows/s", flush=True)
    print()
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"{name:32s} median {med:7.2f} s  {rows[name] / med / 1e6:6.2f} M rows/s  "
              f"({rows[name]:,} rows; runs: {', '.join(f'{t:.1f}' for t in ts)})")
    ours = times["ccomkit ingest"]
    for name, ts in times.items():
        if name != "ccomkit ingest":
            ratios = [p / o for p, o in zip(ts, ours)]
            print(f"throughput ratio ccomkit / {name}: median {statistics.median(ratios):.2f} "
                  f"(per round: {', '.join(f'{r:.2f}' for r in ratios)}; 1.0 = as fast)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
