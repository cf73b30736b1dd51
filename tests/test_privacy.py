"""Personal data: agent codes, salted customer keys at ingest, the workspace salt, team views."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from ccomkit import privacy
from ccomkit.errors import ParameterError, WorkspaceError
from ccomkit.privacy import (
    agent_codes,
    customer_key,
    hash_identifier,
    limit_to_team,
    pseudonymise,
    workspace_salt,
)
from ccomkit.store import Workspace

CSAT_HEADER = ("survey_id,agent_id,channel,invited_at,responded_at,q_overall,customer_key,"
               "comment")


def _csat(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join([CSAT_HEADER, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def ws_path(tmp_path: Path) -> Path:
    p = tmp_path / "ws.duckdb"
    with Workspace.open_write(p, "init", create=True):
        pass
    return p


# ------------------------------------------------------------------ agent codes


def test_pseudonymise_is_stable_keyed_and_leaves_the_input_alone():
    df = pd.DataFrame({"agent_id": ["A1", "A2", None], "agent_name": ["张三", None, "王五"],
                       "team_leader_id": ["A2", "A2", "A2"], "aht_s": [300.0, 310.0, 320.0]})
    before = df.copy()
    out = pseudonymise(df, salt="s1")
    pd.testing.assert_frame_equal(df, before)  # input untouched
    assert list(out.columns) == list(df.columns) and out["aht_s"].tolist() == [300.0, 310.0, 320.0]
    # the team leader A2 has the same code as agent A2; the name shows the row's agent code
    assert out.loc[1, "agent_id"] == out.loc[0, "team_leader_id"]
    assert out.loc[0, "agent_name"] == out.loc[0, "agent_id"]
    assert out.loc[1, "agent_name"] is None and out.loc[2, "agent_id"] is None
    # no id in row 2: the name keeps a code of its own, not the raw name
    assert out.loc[2, "agent_name"] is None or "王五" not in str(out.loc[2, "agent_name"])
    # stable across frames, different with another salt, never the raw value
    other = pseudonymise(pd.DataFrame({"agent_id": ["A2", "A1"]}), salt="s1")
    assert other["agent_id"].tolist() == [out.loc[1, "agent_id"], out.loc[0, "agent_id"]]
    assert pseudonymise(df, salt="s2").loc[0, "agent_id"] != out.loc[0, "agent_id"]
    assert out["agent_id"].dropna().str.fullmatch(r"AG-[0-9A-HJKMNP-TV-Z]{8}").all()


def test_names_without_ids_are_coded_by_name():
    df = pd.DataFrame({"name": ["张三", "李四", "张三"]})
    out = pseudonymise(df, salt="s", prefix="X")
    assert out["name"][0] == out["name"][2] != out["name"][1]
    assert out["name"][0].startswith("X-") and "张" not in "".join(out["name"])


def test_colliding_codes_are_lengthened_only_where_they_clash(monkeypatch):
    monkeypatch.setattr(privacy, "_CODE_LEN", 1)  # 32 codes for 100 values: clashes are certain
    values = [f"A{i:03d}" for i in range(100)]
    codes = agent_codes(values, salt="s")
    assert len(set(codes.values())) == 100
    lengths = {len(c) for c in codes.values()}
    assert min(lengths) <= 4 < max(lengths)  # 'AG-x' kept where unique, longer where clashing
    # a value's code does not depend on which other values are present, unless it clashed
    alone = agent_codes(values[:1], salt="s")
    assert alone[values[0]] == privacy._code(values[0], b"s", "AG", 1)


def test_pseudonymise_rejects_a_missing_salt():
    with pytest.raises(ParameterError, match="salt"):
        pseudonymise(pd.DataFrame({"agent_id": ["A1"]}), salt="")


# ------------------------------------------------------------------ customer keys


def test_customer_keys_normalise_phone_numbers_and_are_idempotent():
    s = pd.Series(["13800138000", "+86 138-0013-8000", "008613800138000", " CUST-9 ", None, ""])
    k = hash_identifier(s, "salt")
    assert k[0] == k[1] == k[2] and k[3] != k[0]
    assert k[4] is None and k[5] is None
    assert k[:4].str.fullmatch(r"ck-[0-9a-f]{24}").all()
    assert hash_identifier(k, "salt").tolist() == k.tolist()  # hashing twice changes nothing
    assert customer_key("13800138000", "other") != k[0]


def test_workspace_salt_is_made_once_and_kept(ws_path, tmp_path):
    with Workspace.open_read(ws_path) as ws:
        salt = workspace_salt(ws)
    assert len(salt) == 32
    with Workspace.open_write(ws_path, "again") as ws:
        assert ws.salt == salt
        ws.reset("demo")  # rebuilding keeps the salt: codes in earlier reports stay valid
    with Workspace.open_read(ws_path) as ws:
        assert ws.salt == salt and ws.kind == "demo"
    other = tmp_path / "other.duckdb"
    with Workspace.open_write(other, "init", create=True) as ws:
        assert ws.salt != salt


def test_an_older_workspace_gets_its_salt_and_new_columns_on_the_first_write(ws_path, tmp_path):
    # what a workspace made before the salt and customer_key existed looks like
    con = duckdb.connect(str(ws_path))
    con.execute("DROP TABLE _ccom_secret")
    con.execute("ALTER TABLE csat_response DROP COLUMN customer_key")
    con.close()
    with Workspace.open_read(ws_path) as ws:
        with pytest.raises(WorkspaceError, match="no salt yet"):
            _ = ws.salt
        assert list(ws.read("csat_response").columns)[-2] == "customer_key"  # reads as NULL
    f = _csat(tmp_path / "csat.csv", ["S1,A1,ivr,2025-03-03 10:00:00,,,13912345678,"])
    with Workspace.open_write(ws_path, "migrate") as ws:  # migrated, then loaded (not adopted)
        assert ws.ingest(f, "csat_response").rows_loaded == 1
    with Workspace.open_read(ws_path) as ws:
        assert len(ws.salt) == 32
        got = ws.read("csat_response")
        assert got["customer_key"][0] == customer_key("13912345678", ws.salt)
        assert got["survey_id"][0] == "S1"


def test_customer_identifiers_are_hashed_at_ingest_and_never_stored_raw(ws_path, tmp_path):
    raw = ["13912345678", "13987654321", "13855550000"]
    f = _csat(tmp_path / "csat.csv", [
        f"S1,A1,ivr,2025-03-03 10:00:00,2025-03-03 10:01:00,5,{raw[0]},good",
        f"S2,A1,ivr,2025-03-03 10:00:00,2025-03-03 10:01:00,4,+86 {raw[1]},ok",
        # a bad row (score 9): quarantined, and its raw row must not hold the number either
        f"S3,A1,ivr,2025-03-03 10:00:00,2025-03-03 10:01:00,9,{raw[2]},bad",
    ])
    with Workspace.open_write(ws_path, "ingest") as ws:
        rep = ws.ingest(f, "csat_response")
        salt = ws.salt
    assert (rep.rows_loaded, rep.rows_quarantined) == (2, 1)
    with Workspace.open_read(ws_path) as ws:
        got = ws.read("csat_response", columns=["survey_id", "customer_key"])
        quarantine = ws.quarantine("csat_response")
    expected = hash_identifier(pd.Series(raw[:2]), salt).tolist()
    assert got["customer_key"].tolist() == expected
    assert customer_key(raw[2], salt) in quarantine["raw_row"][0]
    data = ws_path.read_bytes()
    for number in raw:
        assert number.encode() not in data, f"{number} stored in the workspace file"

    # The same rows in another file (new sha256): identical after hashing → skipped, no conflict.
    g = _csat(tmp_path / "csat_again.csv", [
        f"S1,A1,ivr,2025-03-03 10:00:00,2025-03-03 10:01:00,5,{raw[0]},good",
        f"S2,A1,ivr,2025-03-03 10:00:00,2025-03-03 10:01:00,4,{raw[1]},ok",
    ])
    with Workspace.open_write(ws_path, "ingest") as ws:
        rep2 = ws.ingest(g, "csat_response")
    assert (rep2.rows_loaded, rep2.rows_existing, rep2.rows_quarantined) == (0, 2, 0)


def test_exported_keys_round_trip_into_another_workspace(ws_path, tmp_path):
    f = _csat(tmp_path / "csat.csv",
              ["S1,A1,ivr,2025-03-03 10:00:00,2025-03-03 10:01:00,5,13912345678,"])
    with Workspace.open_write(ws_path, "ingest") as ws:
        ws.ingest(f, "csat_response")
        ws.export("csat_response", tmp_path / "out.csv")
        key = ws.read("csat_response")["customer_key"][0]
    other = tmp_path / "other.duckdb"
    with Workspace.open_write(other, "init", create=True) as ws:
        ws.ingest(tmp_path / "out.csv", "csat_response")
        assert ws.read("csat_response")["customer_key"][0] == key  # a key is not hashed again


def test_load_frame_hashes_too(ws_path):
    frame = pd.DataFrame({"survey_id": ["S1"], "channel": ["sms"],
                          "invited_at": [pd.Timestamp("2025-03-03 10:00")],
                          "customer_key": ["13912345678"]})
    with Workspace.open_write(ws_path, "frame") as ws:
        ws.load_frame("csat_response", frame, source="test")
        assert ws.read("csat_response")["customer_key"][0] == customer_key("13912345678", ws.salt)


# ------------------------------------------------------------------ role-limited views


def test_limit_to_team_keeps_only_the_team():
    dim = pd.DataFrame({"agent_id": ["A1", "A2", "A3"], "team_id": ["T1", "T1", "T2"]})
    perf = pd.DataFrame({"agent_id": ["A1", "A3", None, "A2"], "handled": [10, 20, 30, 40]})
    out = limit_to_team(perf, "T1", dim)
    assert out["agent_id"].tolist() == ["A1", "A2"] and out["handled"].tolist() == [10, 40]
    with_team = pd.DataFrame({"team_id": ["T1", "T2"], "aht_s": [1.0, 2.0]})
    assert limit_to_team(with_team, "T2", dim)["aht_s"].tolist() == [2.0]
    with pytest.raises(ParameterError, match="team_id"):
        limit_to_team(perf, "T9", dim)
    with pytest.raises(ParameterError, match="neither"):
        limit_to_team(pd.DataFrame({"queue_id": ["Q"]}), "T1", dim)


# ------------------------------------------------------------------ playbook parameters: data, never code

PAYLOADS = {
    "p_call": "__import__('os').system('touch {mark}')",
    "p_quote": "\"); __import__('os').system('touch {mark}'); (\"",
    "p_triple": "''' + __import__('os').system('touch {mark}') + '''",
    "p_backslash": "C:\\\\new\\\\{mark}\\\\",
    "p_shell": "$(touch {mark}) `touch {mark}` ; touch {mark}",
    "p_template": "{{{{ workspace }}}} %(workspace)s {{workspace}}",
    "p_unicode": "张三\u2028__import__('os').system('touch {mark}')\u2029",
}


def _probe_notebook(path: Path) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook()
    params = "\n".join([f'{k}: str = "x"' for k in PAYLOADS] + [
        'workspace: str = ""', 'out_file: str = ""', "n: int = 1", "ratio: float = 0.5",
        "flag: bool = False"])
    cell = nbformat.v4.new_code_cell(params)
    cell.metadata["tags"] = ["parameters"]
    body = nbformat.v4.new_code_cell(
        "import json, pathlib\n"
        "vals = {k: v for k, v in dict(globals()).items() if k.startswith('p_')}\n"
        "pathlib.Path(out_file).write_text(json.dumps({'vals': vals, 'n': n, 'ratio': ratio, "
        "'flag': flag}), encoding='utf-8')")
    nb.cells = [cell, body]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(path))
    return path


def _probe_playbook(tmp_path: Path) -> Path:
    nb = _probe_notebook(tmp_path / "probe.ipynb")
    (tmp_path / "playbooks").mkdir()
    pb = tmp_path / "playbooks" / "probe.yaml"
    pb.write_text(f"name: probe\ntitle: probe\nnotebooks:\n  - notebook: {nb}\n", encoding="utf-8")
    return pb


def test_playbook_parameters_are_inert_literals_or_refused(tmp_path, ws_path):
    import json
    import subprocess
    import sys

    from ccomkit.report.playbook import load_playbook, resolve_parameters

    mark = tmp_path / "pwned"
    pb = _probe_playbook(tmp_path)
    values = {k: v.format(mark=mark) for k, v in PAYLOADS.items()}
    out_json = tmp_path / "seen.json"
    # typed parameters never take code: refused before anything runs
    playbook = load_playbook(pb)
    for name, value in [("n", "__import__('os').system('touch x')"), ("ratio", "1e3; import os"),
                        ("flag", "__import__('os')"), ("n", "1_0; 2"), ("ratio", "nan"),
                        ("p_call", "line one\nimport os"), ("p_call", "tab\x00nul"),
                        ("workspace", "/etc/passwd")]:
        with pytest.raises(ParameterError):
            resolve_parameters(playbook, {name: value})
    # strings with quotes, backslashes, shell and template syntax go in as the very same text
    sha = __import__("hashlib").sha256(ws_path.read_bytes()).hexdigest()
    cmd = [sys.executable, "-m", "ccomkit.cli", "run", str(pb), "--workspace", str(ws_path),
           "--out", str(tmp_path / "out"), "--no-progress", "--param", f"out_file={out_json}",
           "--param", "n=7", "--param", "flag=yes"]
    for k, v in values.items():
        cmd += ["--param", f"{k}={v}"]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    seen = json.loads(out_json.read_text(encoding="utf-8"))
    assert seen["vals"] == values and seen["n"] == 7 and seen["flag"] is True
    assert not mark.exists(), "a parameter value was executed"
    # a refused value on the command line: one line, nothing run, workspace unchanged
    bad = subprocess.run(cmd[:7] + ["--out", str(tmp_path / "out_bad"), "--param",
                                    "n=__import__('os').system('touch " + str(mark) + "')"],
                         capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert bad.returncode != 0 and len(bad.stderr.strip().splitlines()) == 1
    assert "'n'" in bad.stderr and not mark.exists()
    with Workspace.open_read(ws_path) as ws:
        log = ws.read_records("rec_run_log")
    assert len(log) == 1 and log["outcome"][0] == "ok" and log["user"][0]  # who ran what
    assert json.loads(log["parameters"][0])["p_call"] == values["p_call"]
    assert __import__("hashlib").sha256(ws_path.read_bytes()).hexdigest() != sha  # the log landed


def test_a_playbook_file_cannot_smuggle_objects(tmp_path):
    from ccomkit.report.playbook import PlaybookError, load_playbook

    mark = tmp_path / "pwned"
    nb = _probe_notebook(tmp_path / "probe.ipynb")
    (tmp_path / "playbooks").mkdir()
    pb = tmp_path / "playbooks" / "evil.yaml"
    pb.write_text(f"name: evil\nparameters:\n  p_call: !!python/object/apply:os.system "
                  f"['touch {mark}']\nnotebooks:\n  - notebook: {nb}\n", encoding="utf-8")
    with pytest.raises(PlaybookError, match="not valid YAML"):
        load_playbook(pb)
    assert not mark.exists()


def test_pseudonymised_reports_show_no_agent_id_or_name(demo_workspace_copy):
    """Every section of a monthly report built with pseudonymise=True: no agent id or name from
    agent_dim appears in its tables, its HTML or its notes (an open DCDIER cycle owned by an agent
    included); the codes are the privacy codes, and without pseudonymise the ids do appear."""
    import re

    from ccomkit.cycle import create_cycle
    from ccomkit.report import sections as S

    demo_workspace = demo_workspace_copy
    with Workspace.open_write(demo_workspace, "test") as ws:
        owner = ws.read("agent_dim", columns=["agent_id"])["agent_id"].iloc[3]
        create_cycle(ws, "qa_score", owner=owner)
    with Workspace.open_read(demo_workspace) as ws:
        dim = ws.read("agent_dim", columns=["agent_id", "name", "team_leader_id"])
        salt = ws.salt
        last = ws.query("SELECT max(interval_start) AS t FROM acd_interval")["t"][0]
    month = (pd.Timestamp(last) - pd.DateOffset(months=1)).strftime("%Y-%m")
    ctx = S.context(str(demo_workspace), "monthly", month, lang="en", pseudonymise=True)
    ids = set(dim["agent_id"]) | set(dim["team_leader_id"].dropna())
    names = {n for n in dim["name"].dropna() if len(n) >= 2}
    pattern = re.compile("|".join(sorted((re.escape(x) for x in ids | names), key=len,
                                         reverse=True)))
    fns = [S.cover, S.headline, S.interval_profile, S.forecast_accuracy, S.attendance, S.qa,
           S.csat, S.complaints, S.people, S.league, S.capacity, S.trends, S.actions]
    seen_codes: set[str] = set()
    for fn in fns:
        sec = fn(ctx)
        texts = [sec.html(), *sec.notes]
        for name, t in sec.tables.items():
            texts.append(t.to_csv(index=False))
            for col in t.columns:
                if col in ("agent_id", "agent", "team_leader_id", "evaluator_id"):
                    seen_codes |= set(t[col].dropna().astype(str))
        for text in texts:
            hit = pattern.search(text)
            assert hit is None, f"{fn.__name__} shows {hit.group(0)!r}"
            if name == "dcdier":
                seen_codes |= set(t["owner"].astype(str))
    codes = set(agent_codes(ids, salt).values())
    assert seen_codes and agent_codes([owner], salt)[owner] in seen_codes
    assert seen_codes <= codes | {""}, seen_codes - codes
    plain = S.context(str(demo_workspace), "monthly", month, lang="en", pseudonymise=False)
    assert pattern.search(S.actions(plain).html())  # the control: the owner shows in plain
