"""The workspace store: real DuckDB files in tmp_path, real subprocesses where concurrency matters."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from ccomkit.errors import (
    CcomkitError,
    IngestError,
    SchemaError,
    WorkspaceError,
    WorkspaceLockedError,
)
from ccomkit.profiles import available_profiles, load_profile
from ccomkit.schemas import TABLES
from ccomkit.store import Workspace, resolve_workspace

ROOT = Path(__file__).resolve().parents[1]

AI_HEADER = "agent_id,interval_start,interval_min,login_s,ready_idle_s,talk_s,handled"


def _ai_row(agent: str, hhmm: str, login: str = "1800", idle: str = "600", talk: str = "900",
            handled: str = "3", day: str = "2025-03-03") -> str:
    return f"{agent},{day} {hhmm},30,{login},{idle},{talk},{handled}"


def _write(path: Path, lines: list[str], encoding: str = "utf-8", sep: str | None = None) -> Path:
    text = "\n".join(lines) + "\n"
    if sep is not None:
        text = text.replace(",", sep)
    path.write_bytes(text.encode(encoding))
    return path


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _counts(path: Path) -> dict[str, int]:
    with Workspace.open_read(path) as ws:
        st = ws.status()
        return dict(zip(st["table"], st["rows"])) | {"_quarantine": int(st["quarantined"].sum())}


@pytest.fixture()
def ws_path(tmp_path: Path) -> Path:
    p = tmp_path / "ws.duckdb"
    with Workspace.open_write(p, "init", create=True) as ws:
        ws.init()
    return p


def _run_py(code: str, *args: str, wait: bool = True, **kw) -> subprocess.Popen | subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-c", textwrap.dedent(code), *args]
    if wait:
        return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60, **kw)
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(path: Path, timeout_s: float = 30) -> None:
    end = time.monotonic() + timeout_s
    while not path.exists():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {path}")
        time.sleep(0.02)


# --------------------------------------------------------------------------------------------
# Opening and set-up
# --------------------------------------------------------------------------------------------


def test_resolve_workspace_precedence(monkeypatch, tmp_path):
    monkeypatch.delenv("CCOM_WORKSPACE", raising=False)
    assert resolve_workspace(None) == Path("data/workspace.duckdb")
    monkeypatch.setenv("CCOM_WORKSPACE", str(tmp_path / "env.duckdb"))
    assert resolve_workspace(None) == tmp_path / "env.duckdb"
    assert resolve_workspace(tmp_path / "x.duckdb") == tmp_path / "x.duckdb"


def test_init_is_idempotent_and_creates_every_table(tmp_path):
    p = tmp_path / "ws.duckdb"
    with Workspace.open_write(p, "init", create=True) as ws:
        ws.init()
        ws.init(kind="demo")
    with Workspace.open_write(p, "init again") as ws:
        ws.init()
    with Workspace.open_read(p) as ws:
        names = set(ws.query("SELECT table_name FROM information_schema.tables")["table_name"])
        meta = ws.query("SELECT * FROM _ccom_meta")
        st = ws.status()
    assert set(TABLES) | {"_ccom_meta", "_ccom_load", "_ccom_quarantine"} <= names
    assert len(meta) == 1 and meta["kind"][0] == "demo" and meta["schema_version"][0] == 1
    assert list(st["table"]) == list(TABLES) and st["rows"].sum() == 0
    assert not list(tmp_path.glob("*.tmp-*"))


def test_missing_workspace_gives_an_actionable_error(tmp_path):
    with pytest.raises(WorkspaceError, match=r"no workspace at .*missing\.duckdb: run `ccom init`"):
        with Workspace.open_read(tmp_path / "missing.duckdb"):
            pass
    with pytest.raises(WorkspaceError, match="ccom init"):
        with Workspace.open_write(tmp_path / "missing.duckdb", "x"):
            pass


def test_read_only_workspace_refuses_writes(ws_path, tmp_path):
    f = _write(tmp_path / "a.csv", [AI_HEADER, _ai_row("A1", "08:00")])
    with Workspace.open_read(ws_path) as ws:
        with pytest.raises(WorkspaceError, match="open_write"):
            ws.ingest(f, "agent_interval")


# --------------------------------------------------------------------------------------------
# CSV: encodings, delimiters, quarantine and line numbers
# --------------------------------------------------------------------------------------------


def test_quarantine_gives_reasons_source_and_physical_lines(ws_path, tmp_path):
    f = _write(tmp_path / "day.csv", [
        AI_HEADER,
        _ai_row("A1", "08:00"),                       # line 2 ok
        _ai_row("A1", "08:30", login="-5"),           # line 3 negative login
        _ai_row("A2", "08:00"),                       # line 4 ok
        _ai_row("A2", "08:00"),                       # line 5 duplicate key
        _ai_row("A3", "08:07", talk="abc"),           # line 6 off-grid + not a number
        _ai_row("A4", "09:00"),                       # line 7 ok
    ])
    with Workspace.open_write(ws_path, "ingest day.csv") as ws:
        rep = ws.ingest(f, "agent_interval")
    assert (rep.rows_read, rep.rows_loaded, rep.rows_quarantined, rep.rows_existing) == (6, 3, 3, 0)
    assert not rep.ok and not rep.already_loaded
    assert any("login_s must be >= 0: 1 row violates it, first at lines [3] (value '-5')" in m
               for m in rep.messages)
    assert any(m.startswith("day.csv: agent_interval.talk_s must be a number") and "[6]" in m
               for m in rep.messages)
    with Workspace.open_read(ws_path) as ws:
        q = ws.quarantine(table="agent_interval")
        loaded = ws.read("agent_interval")
    assert list(q["line"]) == [3, 5, 6]
    assert set(q["source_file"]) == {"day.csv"} and set(q["load_id"]) == {rep.load_id}
    reasons = dict(zip(q["line"], q["reasons"]))
    assert "login_s must be >= 0 (value '-5')" in reasons[3]
    assert "repeats the key (agent_id, interval_start)" in reasons[5]
    assert "talk_s must be a number (value 'abc')" in reasons[6]
    assert "must lie on the interval grid" in reasons[6]
    assert json.loads(q["raw_row"][2])["talk_s"] == "abc"
    assert list(loaded["agent_id"]) == ["A1", "A2", "A4"]
    assert loaded["login_s"].tolist() == [1800.0] * 3
    assert str(loaded["interval_start"].dtype) == "datetime64[us]"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_encodings_are_detected(ws_path, tmp_path, encoding):
    lines = ["agent_id,name,team_id,hire_date,site",
             "A1,张三,T1,2024-03-01,北京·朝阳",
             "A2,李四,T1,2024-13-01,上海",   # bad date on line 3
             "A3,王五,T2,2024/05/06,"]
    f = _write(tmp_path / f"agents_{encoding}.csv", lines, encoding=encoding)
    with Workspace.open_write(ws_path, "ingest") as ws:
        rep = ws.ingest(f, "agent_dim")
        df = ws.read("agent_dim")
        q = ws.quarantine()
    assert (rep.rows_loaded, rep.rows_quarantined) == (2, 1)
    assert df["name"].tolist() == ["张三", "王五"]
    assert df["site"].tolist() == ["北京·朝阳", None]
    assert df["hire_date"].tolist() == [pd.Timestamp("2024-03-01"), pd.Timestamp("2024-05-06")]
    assert q["line"].tolist() == [3] and json.loads(q["raw_row"][0])["name"] == "李四"


def test_undecodable_file_is_rejected_with_one_line(ws_path, tmp_path):
    f = tmp_path / "bin.csv"
    f.write_bytes(b"agent_id,team_id,hire_date\nA1,T1,2024-01-01\n\x81\x00\xff,T,1\n")
    before = _sha(ws_path)
    with pytest.raises(IngestError, match="bin.csv: is neither UTF-8 nor GBK/GB18030"):
        with Workspace.open_write(ws_path, "ingest") as ws:
            ws.ingest(f, "agent_dim")
    assert _sha(ws_path) == before


@pytest.mark.parametrize("sep", [";", "\t", "|"])
def test_delimiters_are_detected(ws_path, tmp_path, sep):
    f = _write(tmp_path / "a.csv", [AI_HEADER, _ai_row("A1", "08:00"), _ai_row("A1", "08:30", login="x")],
               sep=sep)
    with Workspace.open_write(ws_path, "ingest") as ws:
        rep = ws.ingest(f, "agent_interval")
    assert (rep.rows_loaded, rep.rows_quarantined) == (1, 1)
    with Workspace.open_read(ws_path) as ws:
        assert ws.quarantine()["line"].tolist() == [3]


def test_line_numbers_with_quoted_newlines_and_blank_lines(ws_path, tmp_path):
    f = tmp_path / "q.csv"
    f.write_text(
        "agent_id,name,team_id,hire_date\n"      # 1
        "A1,\"Zhang\nSan\",T1,2024-01-01\n"      # 2-3
        "\n"                                      # 4 blank
        "A2,\"Li, Si\",T1,2024-99-01\n"          # 5 bad date
        "A3,Wang,,2024-01-01\n"                   # 6 missing team
        "\"A4\",\"Zhao\",\"T2\",\"2024-02-02\"\n", encoding="utf-8")
    with Workspace.open_write(ws_path, "ingest") as ws:
        rep = ws.ingest(f, "agent_dim")
        q = ws.quarantine()
        df = ws.read("agent_dim")
    assert (rep.rows_read, rep.rows_loaded) == (4, 2)
    assert q["line"].tolist() == [5, 6]
    assert "team_id is required" in q["reasons"][1]
    assert df["name"].tolist() == ["Zhang\nSan", "Zhao"]


def test_line_numbers_hold_across_parallel_csv_chunks(ws_path, tmp_path):
    """DuckDB reads big files in parallel: the row → line mapping must still be exact."""
    n = 300_000
    agents = np.array([f"A{i:04d}" for i in range(2000)])
    idx = np.arange(n)
    starts = pd.Timestamp("2025-01-01") + pd.to_timedelta((idx // 2000) * 30, unit="min")
    df = pd.DataFrame({"agent_id": agents[idx % 2000], "interval_start": starts.strftime("%Y-%m-%d %H:%M:%S"),
                       "interval_min": 30, "login_s": 1800, "ready_idle_s": 600, "talk_s": 900,
                       "handled": 3})
    bad_rows = [0, 1234, 150_001, 299_999]
    df.loc[bad_rows, "login_s"] = -1
    f = tmp_path / "big.csv"
    df.to_csv(f, index=False)
    with Workspace.open_write(ws_path, "ingest") as ws:
        rep = ws.ingest(f, "agent_interval")
        q = ws.quarantine()
    assert (rep.rows_read, rep.rows_loaded, rep.rows_quarantined) == (n, n - 4, 4)
    assert q["line"].tolist() == [r + 2 for r in bad_rows]


# --------------------------------------------------------------------------------------------
# XLSX
# --------------------------------------------------------------------------------------------


def _xlsx(path: Path, rows: list[list], sheet: str = "data") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_xlsx_values_types_and_excel_row_numbers(ws_path, tmp_path):
    f = _xlsx(tmp_path / "a.xlsx", [
        [],                                                          # row 1 empty
        ["agent_id", "interval_start", "interval_min", "login_s", "ready_idle_s", "talk_s",
         "handled"],                                                 # row 2 header
        ["A1", dt.datetime(2025, 3, 3, 8, 0), 30, 1800, 600.5, 900, 3],      # row 3
        [1001, dt.datetime(2025, 3, 3, 8, 30), 30, 1800, 600, 900, 3.0],     # row 4 numeric id
        [],                                                          # row 5 empty
        ["A2", dt.datetime(2025, 3, 3, 8, 30), 30, 1800, 600, 900, 2.5],     # row 6 bad handled
    ])
    with Workspace.open_write(ws_path, "ingest") as ws:
        rep = ws.ingest(f, "agent_interval")
        df = ws.read("agent_interval")
        q = ws.quarantine()
    assert (rep.rows_read, rep.rows_loaded, rep.rows_quarantined) == (3, 2, 1)
    assert df["agent_id"].tolist() == ["1001", "A1"]
    assert df["ready_idle_s"].tolist() == [600.0, 600.5]
    assert df["interval_start"].tolist() == [pd.Timestamp("2025-03-03 08:30"), pd.Timestamp("2025-03-03 08:00")]
    assert q["line"].tolist() == [6] and "handled must be a whole number (value '2.5')" in q["reasons"][0]


def test_xlsx_named_sheet_and_formula_without_value(ws_path, tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "notes"
    ws2 = wb.create_sheet("agents")
    ws2.append(["agent_id", "team_id", "hire_date", "contract_hours_week"])
    ws2.append(["A1", "T1", dt.date(2024, 1, 2), "=20*2"])  # never calculated: no cached value
    f = tmp_path / "f.xlsx"
    wb.save(f)
    with pytest.raises(IngestError, match=r"f\.xlsx: cell D2 holds the formula =20\*2 without a saved"):
        with Workspace.open_write(ws_path, "ingest") as ws:
            ws.ingest(f, "agent_dim", sheet="agents")
    with pytest.raises(IngestError, match="has no sheet 'nope' \\(sheets: notes, agents\\)"):
        with Workspace.open_write(ws_path, "ingest") as ws:
            ws.ingest(f, "agent_dim", sheet="nope")


# --------------------------------------------------------------------------------------------
# Profiles
# --------------------------------------------------------------------------------------------


def test_shipped_profiles_load_and_name_real_columns():
    assert set(available_profiles()) >= {"generic_en", "generic_zh", "avaya_cms"}
    for name in available_profiles():
        prof = load_profile(name)
        for tname, tmap in prof.tables.items():
            cols = set(TABLES[tname].column_names)
            for part in (tmap.columns, tmap.derive, tmap.values, tmap.constants):
                assert set(part) <= cols, (name, tname, set(part) - cols)
    zh = load_profile("generic_zh")
    for t in TABLES.values():  # every Chinese label is a header the zh profile understands
        for c in t.columns:
            assert c.label_zh in zh.tables[t.name].columns[c.name], (t.name, c.name)


def test_generic_zh_profile(ws_path, tmp_path):
    f = _write(tmp_path / "话务.csv", [
        "时段开始,队列,渠道,接入量,接通量,阈值内接通量,放弃量,平均通话时长,平均应答速度,时段长度",
        "2025-03-03 08:00,投诉,语音,100,90,80,10,03:20,15,30",
        "2025-03-03 08:30,投诉,在线,50,45,40,5,200,1:00,30",
        "2025-03-03 09:00,投诉,传真,50,45,40,5,200,1:00,30",   # 传真 is not a channel
    ], encoding="gbk")
    with Workspace.open_write(ws_path, "ingest") as ws:
        rep = ws.ingest(f, "acd_interval", profile="generic_zh")
        df = ws.read("acd_interval")
        q = ws.quarantine()
    assert (rep.rows_loaded, rep.rows_quarantined) == (2, 1)
    assert df["channel"].tolist() == ["voice", "chat"]
    assert df["sum_talk_s"].tolist() == [200.0 * 90, 200.0 * 45]
    assert df["sum_wait_answered_s"].tolist() == [15.0 * 90, 60.0 * 45]
    assert df["handled"].tolist() == [90, 45]          # 处理量 absent: handled = 接通量
    assert df["sl_threshold_s"].tolist() == [20, 20]   # contract default
    assert q["line"].tolist() == [4] and "channel must be one of" in q["reasons"][0]


def test_generic_en_profile(ws_path, tmp_path):
    f = _write(tmp_path / "agents.csv", [
        "Agent ID,Interval Start,Interval Length,Login Time,Ready Time,Talk Time,Calls Handled,Lunch",
        "E1,2025-03-03 12:00,30,1800,0,0,0,1800",
        "E2,2025-03-03 12:00,30,1800,300,1200,4,0",
    ])
    with Workspace.open_write(ws_path, "ingest") as ws:
        rep = ws.ingest(f, "agent_interval", profile="generic_en")
        df = ws.read("agent_interval")
    assert rep.rows_loaded == 2 and rep.profile == "generic_en"
    assert df["aux_meal_s"].tolist() == [1800.0, 0.0]
    assert df["handled"].tolist() == [0, 4]


def test_avaya_cms_profile(ws_path, tmp_path):
    f = _write(tmp_path / "cms.csv", [
        "Split/Skill,Date,Interval,CALLS OFFERED,ACD CALLS,ABAN CALLS,AVG SPEED ANS,AVG ABAN TIME,"
        "AVG TALK TIME,AVG ACW TIME,MAX DELAY,FLOW IN,FLOW OUT,% WITHIN SERVICE LEVEL,AVG POS STAFF",
        "Billing,03/03/2025,8:00 AM-8:30 AM,120,100,12,0:25,0:40,3:10,0:30,2:05,3,1,75,14.5",
        "Billing,03/03/2025,8:30 AM-9:00 AM,80,70,5,12,30,190,25,95,0,0,90%,12",
    ])
    with Workspace.open_write(ws_path, "ingest") as ws:
        rep = ws.ingest(f, "acd_interval", profile="avaya_cms")
        df = ws.read("acd_interval")
    assert (rep.rows_loaded, rep.rows_quarantined) == (2, 0), rep.messages
    r = df.iloc[0]
    assert r["interval_start"] == pd.Timestamp("2025-03-03 08:00") and r["interval_min"] == 30
    assert (r["queue_id"], r["channel"], r["offered"], r["answered"], r["abandoned"]) == \
        ("Billing", "voice", 120, 100, 12)
    assert r["sum_wait_answered_s"] == 25 * 100 and r["sum_wait_abandoned_s"] == 40 * 12
    assert r["sum_talk_s"] == 190 * 100 and r["sum_acw_s"] == 30 * 100
    assert r["max_wait_s"] == 125 and r["flow_in"] == 3 and r["avg_agents_staffed"] == 14.5
    assert r["answered_within_t"] == 90                 # round(75 % of 120), capped at ACD CALLS
    assert df["answered_within_t"].iloc[1] == 70        # round(90 % of 80) = 72 capped at 70
    assert df["interval_start"].iloc[1] == pd.Timestamp("2025-03-03 08:30")


def test_missing_required_column_names_file_table_and_headers(ws_path, tmp_path):
    f = _write(tmp_path / "x.csv", ["agent_id,hire_date", "A1,2024-01-01"])
    before = _sha(ws_path)
    with pytest.raises(IngestError) as ei:
        with Workspace.open_write(ws_path, "ingest") as ws:
            ws.ingest(f, "agent_dim")
    msg = str(ei.value)
    assert msg.startswith("x.csv: cannot load into agent_dim: missing required column team_id")
    assert "(found headers: agent_id, hire_date)" in msg and "\n" not in msg
    assert _sha(ws_path) == before
    g = _write(tmp_path / "y.csv", ["工号,班组,入职日期", "A1,T1,2024-01-01"])
    with pytest.raises(IngestError, match="--profile generic_zh"):
        with Workspace.open_write(ws_path, "ingest") as ws:
            ws.ingest(g, "agent_dim")


# --------------------------------------------------------------------------------------------
# Strictness, idempotency, conflicts
# --------------------------------------------------------------------------------------------


def test_strict_rejects_the_whole_file_and_lists_every_rule(ws_path, tmp_path):
    f = _write(tmp_path / "s.csv", [AI_HEADER, _ai_row("A1", "08:00"), _ai_row("A1", "08:30", login="-1"),
                                    _ai_row("A2", "08:00", handled="x")])
    before, counts = _sha(ws_path), _counts(ws_path)
    with pytest.raises(SchemaError) as ei:
        with Workspace.open_write(ws_path, "ingest") as ws:
            ws.ingest(f, "agent_interval", strict=True)
    lines = str(ei.value).splitlines()
    assert lines[0] == ("s.csv: rejected (strict): 2 of 3 rows break the contract of agent_interval; "
                        "nothing was loaded")
    assert any("agent_interval.login_s must be >= 0" in ln and "[3]" in ln and "'-1'" in ln for ln in lines)
    assert any("agent_interval.handled must be a whole number" in ln and "[4]" in ln for ln in lines)
    assert isinstance(ei.value, CcomkitError)
    assert _sha(ws_path) == before and _counts(ws_path) == counts


def test_reingest_is_idempotent_overlaps_skip_and_conflicts_quarantine(ws_path, tmp_path):
    first = _write(tmp_path / "mon.csv", [AI_HEADER, _ai_row("A1", "08:00"), _ai_row("A1", "08:30")])
    second = _write(tmp_path / "mon_and_tue.csv", [
        AI_HEADER,
        _ai_row("A1", "08:00"),                 # identical: already present
        _ai_row("A1", "08:30", talk="1000"),    # same key, different content: conflict
        _ai_row("A1", "09:00"),                 # new
    ])
    with Workspace.open_write(ws_path, "ingest") as ws:
        r1 = ws.ingest(first, "agent_interval")
        r1b = ws.ingest(first, "agent_interval")
        r2 = ws.ingest(second, "agent_interval")
    assert (r1.rows_loaded, r1b.already_loaded, r1b.rows_loaded, r1b.load_id) == (2, True, 0, r1.load_id)
    assert (r2.rows_read, r2.rows_loaded, r2.rows_existing, r2.rows_quarantined) == (3, 1, 1, 1)
    assert any("conflict" in m and "mon.csv" in m and "[3]" in m for m in r2.messages)
    with Workspace.open_write(ws_path, "ingest again") as ws:  # a later session: still known
        assert ws.ingest(first, "agent_interval").already_loaded
    with Workspace.open_read(ws_path) as ws:
        df = ws.read("agent_interval")
        q = ws.quarantine(load_id=r2.load_id)
        loads = ws.loads()
    assert len(df) == 3 and df.loc[df["interval_start"].dt.hour == 8, "talk_s"].tolist() == [900.0, 900.0]
    assert q["line"].tolist() == [3]
    assert q["reasons"][0].startswith("conflicts with the row already loaded from mon.csv")
    assert len(loads) == 2


def test_load_frame_uses_the_same_path(tmp_path):
    p = tmp_path / "demo.duckdb"
    frame = pd.DataFrame({
        "agent_id": ["A1", "A2", "A3"],
        "team_id": ["T1", "T1", None],
        "hire_date": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"]),
        "contract_hours_week": [40.0, 20.0, 40.0],
        "unrelated": [1, 2, 3],
    })
    with Workspace.open_write(p, "demo", create=True) as ws:
        ws.init(kind="demo")
        rep = ws.load_frame("agent_dim", frame, source="demo generator")
        again = ws.load_frame("agent_dim", frame.iloc[:2], source="demo generator")
    assert (rep.rows_loaded, rep.rows_quarantined) == (2, 1)
    assert (again.rows_loaded, again.rows_existing) == (0, 2)
    with Workspace.open_read(p) as ws:
        q = ws.quarantine()
        assert q["line"].tolist() == [2] and "team_id is required" in q["reasons"][0]
        assert q["source_file"][0] == "demo generator"
    assert list(frame.columns)[-1] == "unrelated" and len(frame) == 3  # input untouched
    with pytest.raises(SchemaError, match="missing required column team_id"):
        with Workspace.open_write(p, "demo") as ws:
            ws.load_frame("agent_dim", frame.drop(columns="team_id"), source="x")


# --------------------------------------------------------------------------------------------
# Atomicity, crash safety, concurrency
# --------------------------------------------------------------------------------------------


def test_failure_midway_leaves_the_workspace_byte_identical(ws_path, tmp_path, monkeypatch):
    good = _write(tmp_path / "good.csv", [AI_HEADER, _ai_row("A1", "08:00")])
    with Workspace.open_write(ws_path, "ingest") as ws:
        ws.ingest(good, "agent_interval")
    before, counts = _sha(ws_path), _counts(ws_path)
    f = _write(tmp_path / "bad.csv", [AI_HEADER, _ai_row("A2", "08:00"), _ai_row("A2", "08:30", login="-1")])

    def boom(self, *a, **k):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(Workspace, "_write_quarantine", boom)  # after rows were inserted
    with pytest.raises(RuntimeError, match="disk on fire"):
        with Workspace.open_write(ws_path, "ingest bad.csv") as ws:
            ws.ingest(f, "agent_interval")
    assert _sha(ws_path) == before and _counts(ws_path) == counts
    assert not list(tmp_path.glob("ws.duckdb.tmp-*"))
    monkeypatch.undo()
    with Workspace.open_write(ws_path, "retry") as ws:  # lock released, file usable
        assert ws.ingest(f, "agent_interval").rows_loaded == 1


def test_failed_load_rolls_back_within_an_open_session(ws_path, tmp_path, monkeypatch):
    """Into an empty table the staged rows are adopted by rename; a failure after that must
    still roll the table back (the transaction, not only the file swap, is all-or-nothing)."""
    f = _write(tmp_path / "x.csv", [AI_HEADER, _ai_row("A1", "08:00"), _ai_row("A1", "08:30", login="-1")])

    def boom(self, *a, **k):
        raise RuntimeError("disk on fire")

    with Workspace.open_write(ws_path, "ingest") as ws:
        monkeypatch.setattr(Workspace, "_write_quarantine", boom)
        with pytest.raises(RuntimeError):
            ws.ingest(f, "agent_interval")
        monkeypatch.undo()
        assert ws.status().set_index("table").loc["agent_interval", "rows"] == 0
        assert ws.loads().empty and ws.quarantine().empty
        rep = ws.ingest(f, "agent_interval")
    assert (rep.rows_loaded, rep.rows_quarantined, rep.load_id) == (1, 1, 1)
    assert _counts(ws_path)["agent_interval"] == 1


def test_killed_writer_leaves_the_real_file_untouched(ws_path, tmp_path):
    before = _sha(ws_path)
    ready = tmp_path / "ready"
    proc = _run_py(
        """
        import sys, time, pathlib
        from ccomkit.store import Workspace
        with Workspace.open_write(sys.argv[1], "long job") as ws:
            ws.query("CREATE TABLE scratch AS SELECT range AS x FROM range(1000)")
            pathlib.Path(sys.argv[2]).touch()
            time.sleep(60)
        """, str(ws_path), str(ready), wait=False)
    try:
        _wait_for(ready)
        assert list(tmp_path.glob("ws.duckdb.tmp-*"))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert _sha(ws_path) == before
    with Workspace.open_write(ws_path, "next") as ws:  # stale copy cleaned, lock free again
        assert "scratch" not in set(ws.query("SELECT table_name FROM information_schema.tables")["table_name"])
    assert not list(tmp_path.glob("ws.duckdb.tmp-*"))


def test_reader_keeps_its_snapshot_while_another_process_ingests(ws_path, tmp_path):
    f0 = _write(tmp_path / "day0.csv", [AI_HEADER, _ai_row("A1", "08:00")])
    with Workspace.open_write(ws_path, "ingest") as ws:
        ws.ingest(f0, "agent_interval")
    ready, go = tmp_path / "reader_ready", tmp_path / "go"
    reader = _run_py(
        """
        import sys, time, pathlib
        from ccomkit.store import Workspace
        with Workspace.open_read(sys.argv[1]) as ws:
            n1 = len(ws.read("agent_interval"))
            pathlib.Path(sys.argv[2]).touch()
            while not pathlib.Path(sys.argv[3]).exists():
                time.sleep(0.02)
            n2 = len(ws.read("agent_interval"))
        print(n1, n2)
        """, str(ws_path), str(ready), str(go), wait=False)
    _wait_for(ready)
    f1 = _write(tmp_path / "day1.csv", [AI_HEADER] + [_ai_row(f"B{i}", "08:00") for i in range(5)])
    writer = _run_py(
        """
        import sys
        from ccomkit.store import Workspace
        with Workspace.open_write(sys.argv[1], "ingest day1.csv") as ws:
            print(ws.ingest(sys.argv[2], "agent_interval").rows_loaded)
        """, str(ws_path), str(f1))
    assert writer.returncode == 0, writer.stderr
    assert writer.stdout.split() == ["5"]
    go.touch()
    out, err = reader.communicate(timeout=30)
    assert reader.returncode == 0, err
    assert out.split() == ["1", "1"]          # the open reader kept its snapshot, no error
    with Workspace.open_read(ws_path) as ws:  # a new reader sees the new rows
        assert len(ws.read("agent_interval")) == 6


def test_second_writer_gets_a_clear_lock_message(ws_path, tmp_path):
    ready = tmp_path / "ready"
    holder = _run_py(
        """
        import sys, time, pathlib
        from ccomkit.store import Workspace
        with Workspace.open_write(sys.argv[1], "ingest big.csv"):
            pathlib.Path(sys.argv[2]).touch()
            time.sleep(60)
        """, str(ws_path), str(ready), wait=False)
    try:
        _wait_for(ready)
        with pytest.raises(WorkspaceLockedError) as ei:
            with Workspace.open_write(ws_path, "ingest other.csv"):
                pass
        msg = str(ei.value)
        assert f"pid {holder.pid}: 'ingest big.csv', since " in msg
        assert msg.startswith(f"workspace {ws_path} is being written by another ccom process")
        assert msg.endswith("try again when it finishes") and ei.value.exit_code == 3
        with Workspace.open_read(ws_path) as ws:  # readers are not blocked meanwhile
            assert ws.status()["rows"].sum() == 0
    finally:
        holder.kill()
        holder.wait(timeout=10)
    with Workspace.open_write(ws_path, "after"):  # a dead holder's lock is gone with it
        pass


# --------------------------------------------------------------------------------------------
# Export round trip
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_round_trip(ws_path, tmp_path, suffix):
    f = _write(tmp_path / "acd.csv", [
        "interval_start,interval_min,queue_id,channel,offered,answered,answered_within_t,abandoned,"
        "abandoned_within_t,handled,sum_wait_answered_s,sum_talk_s,sum_hold_s,avg_agents_staffed,max_wait_s",
        "2025-03-03 08:00:00,30,q1,voice,100,90,80,10,,90,1234.5,18000.25,0.1,12.333333333333334,",
        "2025-03-03 08:30:00,30,\"q,2\",chat,0,0,0,0,0,0,0,0,0,0,0",
        "2025-03-04 00:00:00,30,q1,voice,7,7,7,0,0,7,0.3,700,0,,61",
    ])
    out = tmp_path / f"export{suffix}"
    with Workspace.open_write(ws_path, "ingest") as ws:
        assert ws.ingest(f, "acd_interval").rows_loaded == 3
    with Workspace.open_read(ws_path) as ws:
        ws.export("acd_interval", out)
        original = ws.read("acd_interval")
    fresh = tmp_path / "fresh.duckdb"
    with Workspace.open_write(fresh, "ingest", create=True) as ws:
        rep = ws.ingest(out, "acd_interval")
    assert (rep.rows_loaded, rep.rows_quarantined) == (3, 0), rep.messages
    with Workspace.open_read(fresh) as ws:
        back = ws.read("acd_interval")
    pd.testing.assert_frame_equal(back, original)
    # ordered by the key (queue_id, interval_start); ',' sorts before '1'
    assert original["queue_id"].tolist() == ["q,2", "q1", "q1"]
    assert original["sum_hold_s"].tolist() == [0.0, 0.1, 0.0]
    assert original["sum_talk_s"].tolist() == [0.0, 18000.25, 700.0]
    assert original["avg_agents_staffed"].tolist()[1] == 12.333333333333334
    assert original["abandoned_within_t"].isna().tolist() == [False, True, False]


def test_export_rejects_unknown_suffix(ws_path, tmp_path):
    with Workspace.open_read(ws_path) as ws:
        with pytest.raises(CcomkitError, match=r"must be a path ending in \.csv or \.xlsx"):
            ws.export("agent_dim", tmp_path / "x.parquet")
