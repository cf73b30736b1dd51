"""Playbooks and ``ccom run``: parameter validation before anything runs, an end-to-end run
(outputs, index page, run log), and a failing notebook that leaves the workspace as it was."""

from __future__ import annotations

import hashlib
import json
import re
import textwrap
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from ccomkit.cli import main
from ccomkit.errors import ParameterError
from ccomkit.report.playbook import (
    RUN_LOG, PlaybookError, declared_parameters, find_playbook, list_playbooks, load_playbook,
    parse_cli_params, render_html, resolve_parameters, run_playbook)
from ccomkit.schemas import TABLES
from ccomkit.store import Workspace

ROOT = Path(__file__).resolve().parents[1]


# ------------------------------------------------------------------------------------------------
# helpers: a tiny repository with playbooks/ and notebooks/
# ------------------------------------------------------------------------------------------------


def _notebook(path: Path, params: str, *cells: str) -> Path:
    nb = new_notebook()
    nb.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python",
                                  "name": "python3"}}
    nb.cells = [new_markdown_cell("# test"),
                new_code_cell(params, metadata={"tags": ["parameters"]}),
                *[new_code_cell(c) for c in cells]]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def _playbook(root: Path, name: str, body: str) -> Path:
    p = root / "playbooks" / f"{name}.yaml"
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(textwrap.dedent(body), encoding="utf-8")
    return p


WRITER = '''workspace: str = ""  # workspace
tag: str = "x"  # a tag written to rec_test
'''
WRITE_CELL = '''import pandas as pd
from ccomkit.store import Workspace
with Workspace.open_write(workspace, "test") as ws:
    ws.write_records("rec_test", pd.DataFrame({"tag": [tag]}))
print("written")'''
FAILER = '''workspace: str = ""  # workspace
n: int = 3  # how many
rate: float = 0.5  # a rate
flag: bool = False  # a flag
'''


def _table_digests(path: Path) -> dict[str, str]:
    """A content hash of every table (contract and record) of the workspace."""
    out = {}
    with Workspace.open_read(path) as ws:
        for name in [*TABLES, *ws.record_tables()]:
            df = ws.query(f'SELECT * FROM "{name}"')
            df = df.sort_values(list(df.columns)).reset_index(drop=True) if len(df) else df
            out[name] = hashlib.sha256(
                pd.util.hash_pandas_object(df.astype(str), index=False).values.tobytes()
            ).hexdigest()
    return out


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    _notebook(root / "nb" / "write.ipynb", WRITER, WRITE_CELL)
    _notebook(root / "nb" / "fail.ipynb", FAILER, "x = n * rate",
              "raise ValueError(f'boom {n}')", "print('never')")
    _notebook(root / "nb" / "ok.ipynb", FAILER, "print(n, rate, flag)")
    return root


# ------------------------------------------------------------------------------------------------
# loading and parameters
# ------------------------------------------------------------------------------------------------


def test_shipped_playbooks_load_and_resolve() -> None:
    names = {p.stem for p in list_playbooks()}
    assert {"daily", "weekly", "monthly"} <= names
    for path in list_playbooks():
        pb = load_playbook(path)
        assert pb.title.get("zh") and pb.title.get("en")
        per_nb = resolve_parameters(pb, {})
        assert len(per_nb) == len(pb.notebooks)
        for step in pb.notebooks:
            declared = declared_parameters(step.notebook)
            assert "workspace" in declared
            if "reports" in step.notebook.parts:
                assert {"lang", "pseudonymise"} <= set(declared)


def test_cli_values_are_parsed_as_the_declared_types(repo: Path) -> None:
    pb = load_playbook(_playbook(repo, "p", """
        name: p
        title: {zh: 测试, en: test}
        parameters: {rate: 0.25}
        notebooks:
          - notebook: nb/ok.ipynb
            parameters: {n: 4}
    """))
    got = resolve_parameters(pb, parse_cli_params(["flag=yes", "rate=1e-3"]))[0]
    assert got == {"rate": 0.001, "n": 4, "flag": True}
    assert type(got["n"]) is int and type(got["rate"]) is float
    # the playbook's int default for a float parameter is accepted as a float
    assert resolve_parameters(pb, {})[0] == {"rate": 0.25, "n": 4}


@pytest.mark.parametrize("cli, words", [
    ({"colour": "red"}, ["unknown parameter 'colour'", "ok.ipynb declares: flag, n, rate"]),
    ({"n": "3.5"}, ["'n'", "ok.ipynb", "an integer (int)", "'3.5'"]),
    ({"n": "__import__('os')"}, ["'n'", "an integer"]),
    ({"rate": "nan"}, ["'rate'", "a finite number (float)"]),
    ({"flag": "maybe"}, ["'flag'", "true or false (bool)"]),
    ({"workspace": "/tmp/x"}, ["set by the runner", "--workspace"]),
])
def test_bad_cli_parameters_are_one_line_errors(repo: Path, cli: dict, words: list[str]) -> None:
    pb = load_playbook(_playbook(repo, "p", """
        name: p
        notebooks: [nb/ok.ipynb]
    """))
    with pytest.raises(ParameterError) as exc:
        resolve_parameters(pb, cli)
    msg = str(exc.value)
    assert "\n" not in msg
    for w in words:
        assert w in msg, msg


def test_strings_that_would_not_round_trip_are_refused(repo: Path) -> None:
    pb = load_playbook(_playbook(repo, "w", """
        name: w
        notebooks: [nb/write.ipynb]
    """))
    assert resolve_parameters(pb, {"tag": 'a "quoted" \\ value'})[0]["tag"] == 'a "quoted" \\ value'
    with pytest.raises(ParameterError, match="'tag'"):
        resolve_parameters(pb, {"tag": "two\nlines"})


def test_playbook_file_errors(repo: Path) -> None:
    with pytest.raises(PlaybookError, match="no playbook 'nope'"):
        find_playbook("nope")
    with pytest.raises(PlaybookError, match="does not exist"):
        load_playbook(_playbook(repo, "a", "name: a\nnotebooks: [nb/missing.ipynb]\n"))
    with pytest.raises(PlaybookError, match="two notebooks write the output 'ok'"):
        load_playbook(_playbook(repo, "b", "name: b\nnotebooks: [nb/ok.ipynb, nb/ok.ipynb]\n"))
    with pytest.raises(ParameterError, match="declared by none of its notebooks"):
        resolve_parameters(load_playbook(_playbook(
            repo, "c", "name: c\nparameters: {colour: red}\nnotebooks: [nb/ok.ipynb]\n")))
    with pytest.raises(ParameterError, match="'n' .*must be an integer"):
        resolve_parameters(load_playbook(_playbook(
            repo, "d", "name: d\nparameters: {n: many}\nnotebooks: [nb/ok.ipynb]\n")))
    with pytest.raises(ParameterError, match="expected NAME=VALUE"):
        parse_cli_params(["novalue"])


# ------------------------------------------------------------------------------------------------
# running
# ------------------------------------------------------------------------------------------------


def test_bad_parameter_runs_nothing(repo: Path, demo_workspace_copy: Path, tmp_path: Path) -> None:
    pb = _playbook(repo, "w", "name: w\nnotebooks: [nb/write.ipynb]\n")
    before = demo_workspace_copy.read_bytes()
    out = tmp_path / "out"
    with pytest.raises(ParameterError):
        run_playbook(pb, {"tga": "x"}, out_dir=out, workspace=demo_workspace_copy)
    assert not out.exists()
    assert demo_workspace_copy.read_bytes() == before


def test_cli_run_bad_parameter_exit_code(demo_workspace_copy: Path, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["run", "daily", "--workspace", str(demo_workspace_copy), "--out",
               str(tmp_path / "o"), "--param", "lang=fr", "--param", "colour=red"])
    err = capsys.readouterr().err
    assert rc != 0
    assert err.count("\n") == 1 and "unknown parameter 'colour'" in err
    assert not (tmp_path / "o").exists()


def test_writing_notebooks_commit_together_and_the_run_is_logged(
        repo: Path, demo_workspace_copy: Path, tmp_path: Path) -> None:
    pb = _playbook(repo, "wo", """
        name: wo
        title: {zh: 写入, en: writes}
        parameters: {tag: from-playbook}
        notebooks:
          - {notebook: nb/write.ipynb, output: first}
          - {notebook: nb/ok.ipynb, output: second}
    """)
    out = tmp_path / "out"
    res = run_playbook(pb, {"n": "7"}, out_dir=out, workspace=demo_workspace_copy, progress=False,
                       log=lambda m: None)
    assert res.outcome == "ok" and res.error is None
    assert {p.name for p in out.iterdir()} == {"first.ipynb", "first.html", "second.ipynb",
                                               "second.html", "index.html"}
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="first.html"' in index and 'href="second.html"' in index
    assert "from-playbook" in index and "成功 succeeded" in index
    # the executed notebook saw the staged copy, not the real workspace, and the value as int
    executed = nbformat.read(str(out / "second.ipynb"), as_version=4)
    assert "7 0.5 False" in "".join(o.get("text", "") for c in executed.cells
                                    if c.cell_type == "code" for o in c.outputs)
    with Workspace.open_read(demo_workspace_copy) as ws:
        assert ws.read_records("rec_test")["tag"].tolist() == ["from-playbook"]
        log = ws.read_records(RUN_LOG)
    assert len(log) == 1
    row = log.iloc[0]
    assert row["run_id"] == res.run_id and row["outcome"] == "ok" and pd.isna(row["error"])
    assert row["playbook"] == "wo" and row["user"]
    assert json.loads(row["parameters"]) == {"tag": "from-playbook", "n": 7}
    inputs = json.loads(row["inputs"])
    assert inputs["acd_interval"]["rows"] > 0 and inputs["acd_interval"]["load_ids"]
    assert len(row["input_sha256"]) == 64 and row["duration_s"] > 0
    assert row["finished_at"] >= row["started_at"]
    assert Path(row["output_dir"]) == out.resolve()


def test_failing_notebook_keeps_partial_output_and_leaves_the_workspace(
        repo: Path, demo_workspace_copy: Path, tmp_path: Path) -> None:
    pb = _playbook(repo, "wf", """
        name: wf
        notebooks:
          - {notebook: nb/write.ipynb, output: first}
          - {notebook: nb/fail.ipynb, output: second}
          - {notebook: nb/ok.ipynb, output: third}
    """)
    # 1. without recording the failure: byte-identical
    before = demo_workspace_copy.read_bytes()
    out = tmp_path / "out1"
    with pytest.raises(PlaybookError) as exc:
        run_playbook(pb, {"n": "5"}, out_dir=out, workspace=demo_workspace_copy,
                     progress=False, log=lambda m: None, record_failure=False)
    msg = str(exc.value)
    assert "\n" not in msg
    assert "fail.ipynb failed at cell [" in msg and "ValueError: boom 5" in msg, msg
    assert "workspace unchanged" in msg
    assert demo_workspace_copy.read_bytes() == before
    assert (out / "second.ipynb").exists() and not (out / "third.ipynb").exists()
    partial = nbformat.read(str(out / "second.ipynb"), as_version=4)
    assert any(o.get("ename") == "ValueError" for c in partial.cells if c.cell_type == "code"
               for o in c.outputs)
    assert "失败 failed" in (out / "index.html").read_text(encoding="utf-8")

    # 2. recording the failure (the default): every table as it was, plus one failed log row
    digests = _table_digests(demo_workspace_copy)
    out = tmp_path / "out2"
    with pytest.raises(PlaybookError):
        run_playbook(pb, {}, out_dir=out, workspace=demo_workspace_copy, progress=False,
                     log=lambda m: None)
    after = _table_digests(demo_workspace_copy)
    assert RUN_LOG in after and RUN_LOG not in digests
    after.pop(RUN_LOG)
    assert after == digests  # rec_test written by the first notebook did not land
    with Workspace.open_read(demo_workspace_copy) as ws:
        log = ws.read_records(RUN_LOG)
        assert "rec_test" not in ws.record_tables()
    assert log["outcome"].tolist() == ["failed"]
    assert "ValueError: boom 3" in log["error"].iloc[0]


def test_render_html_is_offline(tmp_path: Path) -> None:
    nb = _notebook(tmp_path / "c.ipynb", 'x: int = 1  # x',
                   "import altair as alt, pandas as pd\nalt.renderers.enable('svg')\n"
                   "alt.Chart(pd.DataFrame({'a': [1, 2]})).mark_bar().encode(x='a:Q')")
    import papermill as pm

    pm.execute_notebook(str(nb), str(tmp_path / "e.ipynb"), kernel_name="python3",
                        progress_bar=False)
    html = render_html(tmp_path / "e.ipynb", tmp_path / "e.html").read_text(encoding="utf-8")
    assert not re.search(r'(src|href)\s*=\s*["\']?(https?:)?//', html)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html) and "@import" not in html
    assert '<script src="">' not in html
    assert "<svg" in html and not re.search(r"<img[^>]*data:image/svg", html)
    assert "alt.Chart" not in html  # no code cells


def test_cli_run_prints_the_index_page(repo: Path, demo_workspace_copy: Path, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    pb = _playbook(repo, "c", "name: c\ntitle: {zh: 命令行, en: cli}\nnotebooks: [nb/ok.ipynb]\n")
    out = tmp_path / "o"
    rc = main(["run", str(pb), "--workspace", str(demo_workspace_copy), "--out", str(out),
               "--param", "flag=true", "--no-progress"])
    lines = capsys.readouterr().out.strip().splitlines()
    assert rc == 0
    assert lines[-1] == str(out.resolve() / "index.html") and Path(lines[-1]).is_file()
    assert "ok in" in lines[0]
    rc = main(["run", "--list"])
    listed = capsys.readouterr().out
    assert rc == 0 and "daily" in listed and "monthly" in listed and "lang" in listed
