"""The `ccom` command end to end, as a user runs it: real console script, real workspace files."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

CCOM = str(Path(sys.executable).with_name("ccom"))

ACD_HEADER = [
    "interval_start", "interval_min", "queue_id", "offered", "answered", "answered_within_t",
    "abandoned", "handled", "sum_wait_answered_s", "sum_talk_s",
]


def run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([CCOM, *args], capture_output=True, text=True, env=full_env, cwd=cwd, timeout=600)


def write_acd(path: Path, rows: list[list[object]], encoding: str = "utf-8") -> Path:
    with path.open("w", newline="", encoding=encoding) as f:
        w = csv.writer(f)
        w.writerow(ACD_HEADER)
        w.writerows(rows)
    return path


def good_rows(n: int, start_hour: int = 8) -> list[list[object]]:
    rows = []
    for i in range(n):
        h, m = divmod(start_hour * 60 + 30 * i, 60)
        rows.append([f"2026-03-04 {h:02d}:{m:02d}", 30, "billing", 100 + i, 90 + i, 80, 10, 90 + i, 900, 20000])
    return rows


def test_tables_lists_every_contract():
    res = run("tables")
    assert res.returncode == 0, res.stderr
    for name in ("acd_interval", "agent_dim", "agent_interval", "schedule", "attendance", "qa_evaluation",
                 "qa_item", "csat_response", "complaint", "hr_event", "recruit_funnel", "training_record",
                 "kpi_target"):
        assert name in res.stdout
    one = run("tables", "acd_interval")
    assert "answered_within_t" in one.stdout and "阈值内接通量" in one.stdout


def test_init_ingest_status_quarantine_export(tmp_path):
    ws = tmp_path / "ws.duckdb"
    assert run("init", "--workspace", str(ws)).returncode == 0
    rows = good_rows(6)
    rows[2][3] = -4  # offered < 0
    rows[4][0] = "2026-03-04 10:07"  # off the grid
    src = write_acd(tmp_path / "acd.csv", rows)
    res = run("ingest", str(src), "--table", "acd_interval", "--workspace", str(ws))
    assert res.returncode == 0, res.stderr
    assert "6 rows read, 4 loaded" in res.stdout and "2 quarantined" in res.stdout
    assert "ccom quarantine --table acd_interval" in res.stdout
    assert "acd_interval.offered" in res.stdout and "line" in res.stdout

    again = run("ingest", str(src), "--table", "acd_interval", "--workspace", str(ws))
    assert again.returncode == 0 and "already loaded" in again.stdout

    status = run("status", "--workspace", str(ws))
    assert status.returncode == 0
    line = next(l for l in status.stdout.splitlines() if l.strip().startswith("acd_interval"))
    assert " 4 " in f" {line} " and " 2 " in f" {line} "

    q = run("quarantine", "--table", "acd_interval", "--workspace", str(ws))
    assert "2 quarantined rows" in q.stdout

    out = tmp_path / "back.csv"
    exp = run("export", "--table", "acd_interval", "--out", str(out), "--workspace", str(ws))
    assert exp.returncode == 0, exp.stderr
    back = pd.read_csv(out)
    assert len(back) == 4 and sorted(back["offered"]) == [100, 101, 103, 105]


def test_workspace_from_environment(tmp_path):
    ws = tmp_path / "env.duckdb"
    src = write_acd(tmp_path / "acd.csv", good_rows(3))
    env = {"CCOM_WORKSPACE": str(ws)}
    assert run("ingest", str(src), "--table", "acd_interval", env=env).returncode == 0
    assert ws.exists()
    assert "acd_interval" in run("status", env=env).stdout


def test_errors_are_one_line_without_traceback(tmp_path):
    ws = tmp_path / "ws.duckdb"
    res = run("ingest", str(tmp_path / "missing.csv"), "--table", "acd_interval", "--workspace", str(ws))
    assert res.returncode != 0
    assert "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and "missing.csv" in res.stderr

    bad_table = run("ingest", str(tmp_path / "x.csv"), "--table", "acd", "--workspace", str(ws))
    assert bad_table.returncode != 0 and "Unknown table 'acd'" in bad_table.stderr

    status = run("status", "--workspace", str(tmp_path / "nowhere.duckdb"))
    assert status.returncode != 0 and "ccom init" in status.stderr and "Traceback" not in status.stderr

    debug = run("status", "--workspace", str(tmp_path / "nowhere.duckdb"), "--debug")
    assert debug.returncode != 0 and "Traceback" in debug.stderr


def test_strict_rejects_the_file_and_leaves_the_workspace_unchanged(tmp_path):
    ws = tmp_path / "ws.duckdb"
    write_acd(tmp_path / "ok.csv", good_rows(2))
    assert run("ingest", str(tmp_path / "ok.csv"), "-t", "acd_interval", "-w", str(ws)).returncode == 0
    before = ws.read_bytes()
    rows = good_rows(3, start_hour=12)
    rows[1][4] = 1000  # answered > offered
    write_acd(tmp_path / "bad.csv", rows)
    res = run("ingest", str(tmp_path / "bad.csv"), "-t", "acd_interval", "-w", str(ws), "--strict")
    assert res.returncode != 0
    assert "bad.csv" in res.stderr and "acd_interval.answered" in res.stderr and "Traceback" not in res.stderr
    assert ws.read_bytes() == before


def test_demo_and_summary_main_job(tmp_path):
    ws = tmp_path / "demo.duckdb"
    res = run("demo", "--seats", "20", "--years", "1", "--workspace", str(ws))
    assert res.returncode == 0, res.stderr
    assert "workspace:" in res.stdout
    again = run("demo", "--seats", "20", "--years", "1", "--workspace", str(ws))
    assert again.returncode != 0 and "--force" in again.stderr

    out = tmp_path / "out"
    summ = run("summary", "--workspace", str(ws), "--out", str(out), "--lang", "en")
    assert summ.returncode == 0, summ.stderr
    for label in ("Offered", "Answered", "Service level", "Abandon", "(AHT)", "Occupancy", "Attrition"):
        assert label.lower() in summ.stdout.lower(), label
    assert "2026-10" in summ.stdout  # the demo's last full month
    files = list(out.glob("headline-2026-10.csv"))
    assert files and str(files[0].resolve()) in summ.stdout
    table = pd.read_csv(files[0])
    sl = table.loc[table["kpi_id"] == "service_level", "value"].iloc[0]
    assert 0.3 < sl < 1.0


def test_demo_never_replaces_a_user_workspace(tmp_path):
    ws = tmp_path / "center.duckdb"
    write_acd(tmp_path / "acd.csv", good_rows(3))
    assert run("ingest", str(tmp_path / "acd.csv"), "-t", "acd_interval", "-w", str(ws)).returncode == 0
    before = ws.read_bytes()
    res = run("demo", "--seats", "10", "--years", "1", "-w", str(ws), "--force")
    assert res.returncode != 0
    assert "not a demo" in res.stderr and "Traceback" not in res.stderr
    assert ws.read_bytes() == before


def test_ccom_starts_without_the_heavy_libraries() -> None:
    """Building the parser imports no altair, DuckDB or papermill (each command imports what it
    needs when it runs). ccomkit.wfm still loads its engines eagerly: its functions `reliability`
    and `backtest` share their names with submodules, which a lazy package export would let a
    submodule import shadow."""
    import subprocess
    import sys

    code = ("import sys; from ccomkit.cli import build_parser; build_parser(); "
            "print(sorted(m for m in ('altair', 'duckdb', 'papermill') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_forecast_method_names_match_the_forecasters() -> None:
    from ccomkit.wfm.forecast import METHODS
    from ccomkit.wfm.forecast_cli import METHOD_NAMES

    assert tuple(METHODS) == METHOD_NAMES


def test_wfm_exports_are_the_functions_whatever_was_imported_first() -> None:
    import subprocess
    import sys

    code = ("import ccomkit.wfm.reliability, ccomkit.wfm.backtest; "
            "from ccomkit.wfm import reliability, backtest; print(callable(reliability), "
            "callable(backtest))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True True"
