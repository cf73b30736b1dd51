"""Crash safety: SIGKILL an ingest and a playbook run mid-way, at many moments.

After every kill the workspace is exactly the state before the write or exactly the state after
it (never a mix), no copy or lock is left behind, and running the same command again completes
with no duplicate rows. ``tests/test_store.py`` covers a writer killed while idle in its block;
here the kills land inside real work.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from ccomkit.store import Workspace

ROOT = Path(__file__).resolve().parents[1]
AI = "agent_id,interval_start,interval_min,login_s,ready_idle_s,talk_s,handled"


def _content(path: Path) -> dict[str, tuple[int, str]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
            "ORDER BY table_name").fetchall()]
        out = {}
        for n in names:
            # load times differ between two runs of the same load; everything else must match
            cols = "* EXCLUDE (started_at, finished_at)" if n == "_ccom_load" else "*"
            rows = con.execute(f'SELECT {cols} FROM "{n}" ORDER BY ALL').fetchall()
            out[n] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
        return out
    finally:
        con.close()


def _write_intervals(path: Path, n_agents: int, day: str) -> Path:
    lines = [AI]
    for a in range(n_agents):
        for h in range(48):
            lines.append(f"A{a:04d},{day} {h // 2:02d}:{30 * (h % 2):02d},30,1800,600,900,3")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _ingest_proc(ws: Path, f: Path, marker: Path) -> subprocess.Popen:
    code = textwrap.dedent("""
        import pathlib, sys
        from ccomkit.cli import main
        pathlib.Path(sys.argv[3]).touch()   # the ingest starts now
        sys.exit(main(["ingest", sys.argv[2], "--table", "agent_interval",
                       "--workspace", sys.argv[1]]))
    """)
    return subprocess.Popen([sys.executable, "-c", code, str(ws), str(f), str(marker)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)))


def _wait_for(path: Path, proc: subprocess.Popen, timeout_s: float = 60) -> None:
    end = time.monotonic() + timeout_s
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"process ended early: {proc.communicate()}")
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {path}")
        time.sleep(0.005)


def test_sigkill_mid_ingest_leaves_before_or_after_and_a_rerun_completes(tmp_path):
    ws = tmp_path / "ws.duckdb"
    f0 = _write_intervals(tmp_path / "day0.csv", 50, "2025-03-02")
    f1 = _write_intervals(tmp_path / "day1.csv", 400, "2025-03-03")  # 19,200 rows
    with Workspace.open_write(ws, "base", create=True) as w:
        w.ingest(f0, "agent_interval")
    base = tmp_path / "base.duckdb"
    shutil.copyfile(ws, base)
    before = _content(ws)
    # the reference "after" state and the duration of one ingest
    ref = tmp_path / "ref.duckdb"
    shutil.copyfile(base, ref)
    marker = tmp_path / "started"
    p = _ingest_proc(ref, f1, marker)
    _wait_for(marker, p)
    t_start = time.monotonic()
    out, err = p.communicate(timeout=300)
    duration = time.monotonic() - t_start
    assert p.returncode == 0, err
    after = _content(ref)
    assert after["agent_interval"][0] == before["agent_interval"][0] + 19_200
    assert duration > 0.2, duration  # long enough for the kill fractions below to land inside it
    seen = {"before": 0, "after": 0}
    for frac in (0.05, 0.2, 0.4, 0.6, 0.8, 0.95, 1.05):
        shutil.copyfile(base, ws)
        marker.unlink(missing_ok=True)
        proc = _ingest_proc(ws, f1, marker)
        _wait_for(marker, proc)
        time.sleep(frac * duration)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        state = _content(ws)
        assert state in (before, after), f"a mixed state after a kill at {frac:.0%}"
        seen["before" if state == before else "after"] += 1
        # nothing left behind that blocks the next writer
        rerun = subprocess.run(
            [sys.executable, "-m", "ccomkit.cli", "ingest", str(f1), "--table", "agent_interval",
             "--workspace", str(ws)], capture_output=True, text=True, timeout=300)
        assert rerun.returncode == 0, rerun.stderr
        final = _content(ws)
        # exactly the state of one clean ingest: no duplicates, nothing lost
        assert final == after
        with Workspace.open_read(ws) as w:
            dup = w.query("SELECT count(*) AS n FROM (SELECT agent_id, interval_start FROM "
                          "agent_interval GROUP BY ALL HAVING count(*) > 1)")["n"][0]
            loads = w.loads()
        assert dup == 0
        assert (loads["file_name"] == "day1.csv").sum() == 1
        assert not list(tmp_path.glob("ws.duckdb.tmp-*"))
    assert seen["before"] >= 1  # some kills really landed inside the ingest


def _demo_copy(demo_workspace: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "workspace.duckdb"
    shutil.copyfile(demo_workspace, dest)
    return dest


@pytest.mark.slow
def test_sigkill_of_a_playbook_run_leaves_the_workspace_byte_identical(demo_workspace, tmp_path):
    ws = _demo_copy(demo_workspace, tmp_path)
    sha = hashlib.sha256(ws.read_bytes()).hexdigest()
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "ccomkit.cli", "run", "daily", "--workspace", str(ws),
           "--out", str(out), "--no-progress"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=tmp_path, start_new_session=True)
    try:
        # mid-run: the staged copy exists and a notebook has started writing its output
        end = time.monotonic() + 300
        while not (list(tmp_path.glob("workspace.duckdb.tmp-*")) and list(out.glob("*.ipynb"))):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < end, "the playbook never got going"
            time.sleep(0.05)
        time.sleep(1.0)
        assert proc.poll() is None, "the run ended before the kill: nothing was tested"
        os.killpg(proc.pid, signal.SIGKILL)  # the CLI and its notebook kernels
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
    assert hashlib.sha256(ws.read_bytes()).hexdigest() == sha
    with Workspace.open_read(ws) as w:
        assert w.read_records("rec_run_log").empty  # a killed run landed nothing
    rerun = subprocess.run(cmd[:-3] + ["--out", str(tmp_path / "out2"), "--no-progress"],
                           capture_output=True, text=True, timeout=900, cwd=tmp_path)
    assert rerun.returncode == 0, rerun.stderr
    assert not list(tmp_path.glob("workspace.duckdb.tmp-*"))
    with Workspace.open_read(ws) as w:
        log = w.read_records("rec_run_log")
    assert len(log) == 1 and log["run_id"].is_unique
    assert (tmp_path / "out2" / "index.html").exists()
