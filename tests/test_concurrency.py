"""Concurrent use: readers in other processes while ingests and staged writes swap the file.

Readers (as apps and notebooks use the workspace: a fresh ``Workspace.open_read`` per task) loop
over queries while a writer process ingests file after file and makes a staged write (the
mechanism under ``ccom run``). Every snapshot a reader sees must be whole: each load adds a
block of rows with a known sum, so a partial read would break the invariants. A second writer
meanwhile gets one clear line naming the holder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from ccomkit.store import Workspace

ROOT = Path(__file__).resolve().parents[1]
AI = "agent_id,interval_start,interval_min,login_s,ready_idle_s,talk_s,handled"
BLOCK = 480  # rows per file: 10 agents x 48 half-hours, handled = 3 each


def _day_file(path: Path, day: int) -> Path:
    lines = [AI]
    for a in range(10):
        for h in range(48):
            lines.append(f"A{a:03d},2025-03-{day:02d} {h // 2:02d}:{30 * (h % 2):02d},30,1800,600,"
                         "900,3")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


READER = textwrap.dedent("""
    import json, sys, time
    from ccomkit.store import Workspace
    path, stop, block = sys.argv[1], sys.argv[2], int(sys.argv[3])
    import pathlib
    snaps, errors, bad = 0, [], []
    last = -1
    while not pathlib.Path(stop).exists():
        try:
            with Workspace.open_read(path) as ws:
                n, handled = ws.query(
                    "SELECT count(*), coalesce(sum(handled), 0) FROM agent_interval").iloc[0]
                loads = ws.query("SELECT count(*) AS n, coalesce(sum(rows_loaded), 0) AS r "
                                 "FROM _ccom_load WHERE table_name = 'agent_interval'").iloc[0]
                recs = ws.read_records("rec_stage_test")
                frame = ws.read("agent_interval", columns=["agent_id", "handled"])
            n, handled = int(n), int(handled)
            ok = (n % block == 0 and handled == 3 * n and int(loads["r"]) == n
                  and int(loads["n"]) == n // block and len(frame) == n
                  and (recs.empty or len(recs) == int(recs["n"].iloc[0])))
            if not ok:
                bad.append([n, handled, int(loads["n"]), int(loads["r"]), len(frame), len(recs)])
            if n < last:
                bad.append(["went back", last, n])
            last = max(last, n)
            snaps += 1
        except Exception as exc:  # any error is a failure of the guarantee
            errors.append(f"{type(exc).__name__}: {exc}")
    print(json.dumps({"snaps": snaps, "errors": errors[:5], "bad": bad[:5], "last": last}))
""")

WRITER = textwrap.dedent("""
    import sys, pandas as pd
    from ccomkit.store import Workspace, stage
    path, files = sys.argv[1], sys.argv[2:]
    for i, f in enumerate(files):
        with Workspace.open_write(path, f"ingest {f}") as ws:
            assert ws.ingest(f, "agent_interval").rows_loaded > 0
        if i % 2 == 1:  # a staged write, as a playbook makes it: another process's copy
            with stage(path, "staged write") as copy:
                with Workspace.open_write(copy, "notebook") as ws:
                    k = len(ws.read_records("rec_stage_test")) + 3
                    ws.write_records("rec_stage_test", pd.DataFrame({"i": range(k), "n": k}),
                                     replace=True)
    print("done")
""")


def test_readers_never_crash_or_see_a_partial_write(tmp_path):
    ws = tmp_path / "ws.duckdb"
    with Workspace.open_write(ws, "init", create=True) as w:
        w.ingest(_day_file(tmp_path / "d01.csv", 1), "agent_interval")
    files = [str(_day_file(tmp_path / f"d{d:02d}.csv", d)) for d in range(2, 10)]
    stop = tmp_path / "stop"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    readers = [subprocess.Popen([sys.executable, "-c", READER, str(ws), str(stop), str(BLOCK)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
               for _ in range(2)]
    try:
        time.sleep(1.0)
        writer = subprocess.run([sys.executable, "-c", WRITER, str(ws), *files],
                                capture_output=True, text=True, timeout=600, env=env)
        assert writer.returncode == 0, writer.stderr
        time.sleep(0.5)
    finally:
        stop.touch()
        results = [json.loads(r.communicate(timeout=120)[0].strip().splitlines()[-1])
                   for r in readers]
    for res in results:
        assert res["errors"] == [] and res["bad"] == [], res
        assert res["snaps"] >= 5, res
        assert res["last"] == BLOCK * 9, res  # every reader saw the final state
    with Workspace.open_read(ws) as w:
        assert len(w.read("agent_interval")) == BLOCK * 9
        assert len(w.read_records("rec_stage_test")) == 12  # four staged writes of +3 rows


def test_a_second_writer_during_a_staged_write_gets_one_clear_line(tmp_path):
    ws = tmp_path / "ws.duckdb"
    with Workspace.open_write(ws, "init", create=True) as w:
        w.ingest(_day_file(tmp_path / "d01.csv", 1), "agent_interval")
    ready = tmp_path / "ready"
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent("""
            import pathlib, sys, time
            from ccomkit.store import stage
            with stage(sys.argv[1], "ccom run monthly"):
                pathlib.Path(sys.argv[2]).touch()
                time.sleep(120)
        """), str(ws), str(ready)], env=dict(os.environ, PYTHONPATH=str(ROOT)))
    try:
        end = time.monotonic() + 60
        while not ready.exists():
            assert holder.poll() is None and time.monotonic() < end
            time.sleep(0.02)
        res = subprocess.run(
            [sys.executable, "-m", "ccomkit.cli", "ingest", str(_day_file(tmp_path / "d02.csv", 2)),
             "--table", "agent_interval", "--workspace", str(ws)],
            capture_output=True, text=True, timeout=120)
        assert res.returncode == 3 and res.stdout == ""
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in res.stderr
        assert f"pid {holder.pid}: 'ccom run monthly'" in lines[0]
        assert "try again when it finishes" in lines[0]
        with Workspace.open_read(ws) as w:  # readers carry on meanwhile
            assert len(w.read("agent_interval")) == BLOCK
    finally:
        holder.kill()
        holder.wait(timeout=30)
