"""The bad-input corpus (tests/corpus/make_corpus.py) through the real ingest path.

Error cases run the real ``ccom ingest`` command in a subprocess: one line on stderr naming the
file, the table and (where the fault has them) the column and line, no traceback, and the
workspace byte-identical, with the same row counts and content hash. Quarantine cases load the
good rows and quarantine the bad ones with a reason naming the column at the right line, leaving
every other table as it was. The 1 GB case streams a file through with bounded memory.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from ccomkit.store import Workspace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "corpus"))
from make_corpus import Case, base_files, make_corpus  # noqa: E402

CASES = make_corpus(Path(os.environ.get("TMPDIR", "/tmp")) / f"ccom-corpus-ids-{os.getpid()}")
shutil.rmtree(CASES[0].file.parent, ignore_errors=True)  # only the ids were needed here
IDS = [c.id for c in CASES]


def test_the_corpus_is_big_and_varied_enough():
    assert len(CASES) >= 30
    assert len({c.table for c in CASES}) >= 7
    assert {c.expect for c in CASES} == {"error", "quarantine", "load"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, Case]:
    out = tmp_path_factory.mktemp("corpus")
    return {c.id: c for c in make_corpus(out)}


@pytest.fixture(scope="module")
def base_ws(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("base")
    path = d / "ws.duckdb"
    with Workspace.open_write(path, "base", create=True) as ws:
        for table, f in base_files(d / "files").items():
            assert ws.ingest(f, table).ok
    return path


def _snapshot(path: Path) -> dict[str, tuple[int, str]]:
    """Row count and content hash of every table in the workspace."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
            "ORDER BY table_name").fetchall()]
        out = {}
        for name in names:
            rows = con.execute(f'SELECT * FROM "{name}" ORDER BY ALL').fetchall()
            out[name] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
        return out
    finally:
        con.close()


def _names_line(text: str, line: int) -> bool:
    return bool(re.search(rf"\b(line|row|lines|rows)\s*\[?{line}\b|\b[A-Z]{{1,3}}{line}\b", text))


ERRORS = [c for c in CASES if c.expect == "error"]
OTHERS = [c for c in CASES if c.expect != "error"]


@pytest.mark.parametrize("case_id", [c.id for c in ERRORS])
def test_error_cases_give_one_line_and_leave_the_workspace_untouched(case_id, corpus, base_ws,
                                                                     tmp_path):
    case = corpus[case_id]
    ws = tmp_path / "ws.duckdb"
    shutil.copyfile(base_ws, ws)
    before_bytes = hashlib.sha256(ws.read_bytes()).hexdigest()
    before = _snapshot(ws)
    cmd = [sys.executable, "-m", "ccomkit.cli", "ingest", str(case.file), "--table", case.table,
           "--workspace", str(ws)]
    if case.sheet:
        cmd += ["--sheet", case.sheet]
    if case.profile:
        cmd += ["--profile", case.profile]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    err = res.stderr.strip()
    assert res.returncode != 0, (res.stdout, err)
    assert "Traceback" not in res.stderr and res.stdout == ""
    assert len(err.splitlines()) == 1, err
    assert "unexpected error" not in err, err
    assert case.file.name in err, err
    assert case.table in err, err
    if case.column:
        assert case.column in err, err
    if case.line:
        assert _names_line(err, case.line), err
    if case.reason:
        assert re.search(case.reason, err, re.I), err
    assert hashlib.sha256(ws.read_bytes()).hexdigest() == before_bytes
    assert _snapshot(ws) == before
    assert not list(tmp_path.glob("ws.duckdb.tmp-*"))


@pytest.mark.parametrize("case_id", [c.id for c in OTHERS if not c.big])
def test_quarantine_and_load_cases(case_id, corpus, base_ws, tmp_path):
    case = corpus[case_id]
    ws_path = tmp_path / "ws.duckdb"
    shutil.copyfile(base_ws, ws_path)
    before = _snapshot(ws_path)
    with Workspace.open_write(ws_path, "corpus") as ws:
        rep = ws.ingest(case.file, case.table, profile=case.profile, sheet=case.sheet)
    after = _snapshot(ws_path)
    changed = {k for k in after if after[k] != before.get(k)}
    assert changed <= {case.table, "_ccom_load", "_ccom_quarantine"}, changed
    assert after[case.table][0] == before[case.table][0] + case.rows_loaded
    assert rep.rows_loaded == case.rows_loaded
    text = "\n".join(rep.messages)
    with Workspace.open_read(ws_path) as ws:
        q = ws.quarantine(load_id=rep.load_id)
    if case.expect == "load":
        assert rep.rows_quarantined == 0 and q.empty, text
        if case.reason:
            assert re.search(case.reason, text), text
        if "names" in case.extra:
            with Workspace.open_read(ws_path) as ws:
                names = ws.read("agent_dim", where="agent_id LIKE 'B%'")["name"].tolist()
            assert sorted(names) == sorted(case.extra["names"])
        return
    assert rep.rows_quarantined >= 1
    row = q[q["line"] == case.line]
    assert len(row) == 1, q
    assert case.column in row["reasons"].iloc[0], row["reasons"].iloc[0]
    assert row["source_file"].iloc[0] == case.file.name
    # each message line names file, table.column and the line
    hit = [m for m in rep.messages if f"{case.table}" in m and case.column in m
           and _names_line(m, case.line)]
    assert hit and all(m.startswith(case.file.name) for m in hit), text
    if case.reason:
        assert re.search(case.reason, row["reasons"].iloc[0] + " " + text, re.I), (row, text)


@pytest.mark.slow
def test_one_gigabyte_file_streams_with_bounded_memory(tmp_path):
    """The one big case: ~1 GB of acd_interval whose last row is bad, through the ccom CLI code
    in a subprocess that reports its own peak RSS."""
    from make_corpus import write_big

    big = tmp_path / "big_1gb.csv"
    t0 = time.perf_counter()
    n_rows, bad_line = write_big(big)
    gen_s = time.perf_counter() - t0
    size = big.stat().st_size
    assert size >= (1 << 30) - (1 << 20)
    ws = tmp_path / "ws.duckdb"
    code = textwrap.dedent(f"""
        import json, resource, sys, time
        from ccomkit.cli import main
        t0 = time.perf_counter()
        rc = main(["ingest", {str(big)!r}, "--table", "acd_interval", "--workspace", {str(ws)!r}])
        print(json.dumps({{"rc": rc, "s": time.perf_counter() - t0,
              "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
    """)
    # A 256 MB DuckDB buffer pool (the default is 1 GB): memory stays flat while 1 GB streams by.
    env = dict(os.environ, CCOM_MEMORY_LIMIT="256MB")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=900,
                         env=env)
    assert res.returncode == 0, res.stderr
    stats = json.loads(res.stdout.strip().splitlines()[-1])
    print(f"\n1 GB case: {size / 2**30:.2f} GiB, {n_rows:,} rows, generated in {gen_s:.1f} s, "
          f"ingested in {stats['s']:.1f} s, peak RSS {stats['maxrss_mb']:.0f} MB")
    assert stats["rc"] == 0
    # bounded: below the file's own size (loading it whole takes several GB); measured 446 MB on a
    # loaded machine and 834 MB on a quiet one (DuckDB runs more threads, each with buffers)
    assert stats["maxrss_mb"] < 1024, stats
    with Workspace.open_read(ws) as w:
        st = w.status().set_index("table")
        q = w.quarantine("acd_interval")
    assert int(st.loc["acd_interval", "rows"]) == n_rows - 1
    assert q["line"].tolist() == [bad_line] and "offered" in q["reasons"][0]
