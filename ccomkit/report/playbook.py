"""Playbooks: named sets of parameterised notebooks run with papermill, rendered as offline HTML.

A playbook is a YAML file (``playbooks/*.yaml``)::

    name: monthly
    title: {zh: 月度运营报告, en: Monthly operations report}
    parameters:            # playbook-level defaults, given to every notebook that declares them
      lang: zh
    notebooks:
      - notebook: notebooks/reports/monthly.ipynb   # relative to the playbook's repository root
        output: monthly                             # base name of the outputs (.ipynb, .html)
        parameters: {}                              # overrides for this notebook only

Running one (:func:`run_playbook`, or ``ccom run``):

1. **Validate before executing anything.** Every parameter — the playbook's own, each step's and
   the caller's ``--param k=v`` — is checked against the names and types the notebooks declare in
   their ``parameters`` cell (``papermill.inspect_notebook``). An unknown name or a value of the
   wrong type raises :class:`~ccomkit.errors.ParameterError` naming the parameter, the notebooks
   and the expected type. Values are data, never code: a command-line value is parsed as the
   declared type (``int``, ``float``, ``bool``, ``str``), never evaluated, and papermill injects it
   as a literal; a string that would not survive the round trip is refused.
2. **Execute in a staged copy of the workspace.** The whole playbook runs inside
   :func:`ccomkit.store.stage`: notebooks get the private copy's path as their ``workspace``
   parameter, so notebooks that write (the DCDIER steps) see each other's writes, and the copy
   replaces the workspace only when every notebook succeeded. A failed notebook stops the
   playbook with one line naming the notebook, the cell and the error, keeps the partial output
   notebook for diagnosis, and the workspace is left byte-identical.
3. **Render HTML that opens offline**: nbconvert's lab template without code cells, and without
   MathJax or require.js from a CDN; charts are SVG (the report notebooks enable altair's ``svg``
   renderer). An ``index.html`` (zh/en) links the outputs with the run's parameters and outcome.
4. **Record the run** in the workspace record table ``rec_run_log`` (:data:`RUN_LOG`): when, who
   (the OS user), the playbook, its parameters, the input tables' row counts and load ids with a
   hash of them, the outcome, the error, the duration and the output folder. A successful run is
   recorded inside the staged copy (so it lands with the notebooks' writes); a failed run is
   recorded after the copy is discarded, by a second short write.
"""

from __future__ import annotations

import ast
import getpass
import hashlib
import html
import json
import math
import os
import re
import sys
import time
import unicodedata
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ccomkit.errors import CcomkitError, ParameterError, WorkspaceError

__all__ = [
    "RUN_LOG",
    "NotebookStep",
    "Playbook",
    "PlaybookError",
    "RunResult",
    "declared_parameters",
    "find_playbook",
    "input_fingerprint",
    "list_playbooks",
    "load_playbook",
    "parse_cli_params",
    "render_html",
    "resolve_parameters",
    "run_playbook",
]

RUN_LOG = "rec_run_log"
"""Record table of playbook runs (one row per run, key ``run_id``)."""

#: Parameters the runner sets itself; a caller may not pass them with ``--param``.
RESERVED = ("workspace",)
_TYPES = ("str", "int", "float", "bool")
_TRUE = {"true", "yes", "1", "on"}
_FALSE = {"false", "no", "0", "off"}
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_OUTPUT = re.compile(r"^[A-Za-z0-9_.\-]+$")


class PlaybookError(CcomkitError):
    """A playbook file is malformed, or one of its notebooks failed while running."""


# ------------------------------------------------------------------------------------------------
# Playbook files
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NotebookStep:
    """One notebook of a playbook: the file, the base name of its outputs, its own parameters."""

    notebook: Path
    output: str
    parameters: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Playbook:
    """A loaded playbook (see the module docstring for the file format)."""

    name: str
    title: dict[str, str]
    parameters: dict[str, Any]
    notebooks: tuple[NotebookStep, ...]
    path: Path

    def title_in(self, lang: str) -> str:
        """The title in ``lang`` (falls back to the other language, then the name)."""
        return self.title.get(lang) or self.title.get("en") or self.title.get("zh") or self.name


def _repo_root() -> Path:
    return Path(__file__).resolve().parents[2]


def _playbook_dirs() -> list[Path]:
    return [Path.cwd() / "playbooks", _repo_root() / "playbooks"]


def list_playbooks() -> list[Path]:
    """The playbook files shipped in ``playbooks/`` (of the current folder and of ccomkit)."""
    seen: dict[str, Path] = {}
    for d in _playbook_dirs():
        if d.is_dir():
            for p in sorted(d.glob("*.yaml")):
                seen.setdefault(p.stem, p)
    return [seen[k] for k in sorted(seen)]


def find_playbook(name_or_path: str | os.PathLike[str]) -> Path:
    """Resolve a playbook given as a path or as a name from ``playbooks/`` (``monthly``).

    Raises
    ------
    PlaybookError
        Neither a file nor a shipped playbook; the message lists the shipped ones.

    Examples
    --------
    >>> from ccomkit.report.playbook import find_playbook
    >>> find_playbook("daily").name
    'daily.yaml'
    """
    p = Path(name_or_path)
    if p.is_file():
        return p.resolve()
    for d in _playbook_dirs():
        for cand in (d / p.name, d / f"{p.name}.yaml"):
            if cand.is_file():
                return cand.resolve()
    names = ", ".join(x.stem for x in list_playbooks()) or "none"
    raise PlaybookError(f"no playbook {str(name_or_path)!r}: give a YAML file or one of: {names}")


def load_playbook(name_or_path: str | os.PathLike[str]) -> Playbook:
    """Read and check a playbook file (structure only; parameters are checked by
    :func:`resolve_parameters` against the notebooks).

    Notebook paths are relative to the folder above ``playbooks/`` (the repository root), or
    absolute.

    Raises
    ------
    PlaybookError
        The file is not valid YAML, a key is missing or of the wrong kind, a notebook does not
        exist, or two notebooks share an output name.

    Examples
    --------
    >>> from ccomkit.report.playbook import load_playbook
    >>> pb = load_playbook("monthly")
    >>> pb.name, [s.output for s in pb.notebooks]
    ('monthly', ['monthly'])
    """
    import yaml

    path = find_playbook(name_or_path)
    where = f"playbook {path}"
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise PlaybookError(f"{where} is not valid YAML: {str(exc).splitlines()[0]}") from None
    if not isinstance(doc, dict):
        raise PlaybookError(f"{where}: expected a mapping with name, title, parameters, notebooks")
    unknown = sorted(set(doc) - {"name", "title", "parameters", "notebooks", "description"})
    if unknown:
        raise PlaybookError(f"{where}: unknown key(s) {', '.join(unknown)}")
    name = doc.get("name", path.stem)
    if not isinstance(name, str) or not _OUTPUT.match(name):
        raise PlaybookError(f"{where}: 'name' must be a short identifier, got {name!r}")
    title = doc.get("title") or {}
    if isinstance(title, str):
        title = {"zh": title, "en": title}
    if not isinstance(title, dict) or not all(isinstance(v, str) for v in title.values()):
        raise PlaybookError(f"{where}: 'title' must be a mapping {{zh: ..., en: ...}}")
    params = doc.get("parameters") or {}
    if not isinstance(params, dict):
        raise PlaybookError(f"{where}: 'parameters' must be a mapping of name: value")
    steps_doc = doc.get("notebooks")
    if not isinstance(steps_doc, list) or not steps_doc:
        raise PlaybookError(f"{where}: 'notebooks' must be a non-empty list")
    root = path.parent.parent
    steps: list[NotebookStep] = []
    outputs: set[str] = set()
    for i, s in enumerate(steps_doc, 1):
        if isinstance(s, str):
            s = {"notebook": s}
        if not isinstance(s, dict) or "notebook" not in s:
            raise PlaybookError(f"{where}: notebooks[{i}] needs a 'notebook' path")
        bad = sorted(set(s) - {"notebook", "output", "parameters"})
        if bad:
            raise PlaybookError(f"{where}: notebooks[{i}] has unknown key(s) {', '.join(bad)}")
        nb = Path(str(s["notebook"]))
        nb = nb if nb.is_absolute() else root / nb
        if not nb.is_file():
            raise PlaybookError(f"{where}: notebooks[{i}] {s['notebook']} does not exist")
        out = str(s.get("output") or nb.stem)
        if not _OUTPUT.match(out):
            raise PlaybookError(f"{where}: notebooks[{i}] output {out!r} must be a plain file name")
        if out in outputs:
            raise PlaybookError(f"{where}: two notebooks write the output {out!r}")
        outputs.add(out)
        sp = s.get("parameters") or {}
        if not isinstance(sp, dict):
            raise PlaybookError(f"{where}: notebooks[{i}] parameters must be a mapping")
        steps.append(NotebookStep(nb.resolve(), out, dict(sp)))
    return Playbook(name, {str(k): v for k, v in title.items()}, dict(params), tuple(steps), path)


# ------------------------------------------------------------------------------------------------
# Parameters
# ------------------------------------------------------------------------------------------------


def declared_parameters(notebook: str | os.PathLike[str]) -> dict[str, dict[str, str]]:
    """The parameters a notebook declares: name → ``{"type", "default", "help"}``.

    ``type`` is the annotation papermill reads (``str``, ``int``, ``float``, ``bool``).

    Raises
    ------
    PlaybookError
        The notebook has no cell tagged ``parameters``.

    Examples
    --------
    >>> from ccomkit.report.playbook import declared_parameters
    >>> p = declared_parameters(find_playbook("daily").parents[1] / "notebooks/reports/daily.ipynb")
    >>> p["lang"]["type"], p["pseudonymise"]["type"]
    ('str', 'bool')
    """
    import nbformat
    import papermill

    nb = nbformat.read(str(notebook), as_version=4)
    if not any("parameters" in c.get("metadata", {}).get("tags", []) for c in nb.cells):
        raise PlaybookError(f"notebook {notebook} has no cell tagged 'parameters'")
    raw = papermill.inspect_notebook(str(notebook))
    return {k: {"type": str(v.get("inferred_type_name") or "None"), "default": str(v.get("default")),
                "help": str(v.get("help") or "")} for k, v in raw.items()}


def _roundtrips(value: str) -> bool:
    """One line of text that papermill's literal gives back unchanged (no control characters)."""
    from papermill.translators import PythonTranslator

    if any(unicodedata.category(ch) == "Cc" and ch != "\t" for ch in value):
        return False
    try:
        return ast.literal_eval(PythonTranslator.translate_str(value)) == value
    except (ValueError, SyntaxError):
        return False


def _coerce(value: Any, typ: str, from_text: bool) -> tuple[bool, Any]:
    """(ok, value as the declared type). Text from the command line is parsed, never evaluated."""
    if typ == "bool":
        if isinstance(value, bool):
            return True, value
        if from_text and isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return True, value.strip().lower() in _TRUE
        return False, None
    if typ == "int":
        if isinstance(value, bool):
            return False, None
        if isinstance(value, int):
            return True, value
        if from_text and isinstance(value, str) and re.fullmatch(r"[+-]?\d+", value.strip()):
            return True, int(value.strip())
        return False, None
    if typ == "float":
        if isinstance(value, bool):
            return False, None
        if isinstance(value, (int, float)):
            v = float(value)
        elif from_text and isinstance(value, str) and re.fullmatch(
                r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", value.strip()):
            v = float(value.strip())
        else:
            return False, None
        return (True, v) if math.isfinite(v) else (False, None)
    # str (and unannotated parameters, which papermill reports as None): text only
    if isinstance(value, str) and _roundtrips(value):
        return True, value
    if not from_text and isinstance(value, (int, float)) and not isinstance(value, bool) \
            and typ not in ("str",):
        return True, value
    return False, None


_EXPECT = {"str": "a string (one line of text)", "int": "an integer", "float": "a finite number",
           "bool": "true or false", "None": "a string"}


def parse_cli_params(items: Sequence[str]) -> dict[str, str]:
    """``["k=v", ...]`` → ``{k: v}`` (values stay text until checked against the notebooks).

    Examples
    --------
    >>> from ccomkit.report.playbook import parse_cli_params
    >>> parse_cli_params(["month=2026-09", "lang=en", "note=a=b"])
    {'month': '2026-09', 'lang': 'en', 'note': 'a=b'}
    """
    out: dict[str, str] = {}
    for item in items:
        k, sep, v = str(item).partition("=")
        k = k.strip()
        if not sep or not _NAME.match(k):
            raise ParameterError(f"--param {item!r}: expected NAME=VALUE with NAME a Python "
                                 "identifier", param="param", value=item)
        if k in out:
            raise ParameterError(f"--param {k} given twice", param=k, value=v)
        out[k] = v
    return out


def resolve_parameters(playbook: Playbook, cli: Mapping[str, str] | None = None,
                       declared: Mapping[Path, Mapping[str, Mapping[str, str]]] | None = None
                       ) -> list[dict[str, Any]]:
    """The parameters each notebook of ``playbook`` will get, checked before anything runs.

    Precedence, lowest first: the notebook's own defaults, the playbook's ``parameters`` (to every
    notebook that declares the name), the step's ``parameters``, then ``cli`` (to every notebook
    that declares the name). ``workspace`` is set by the runner and cannot be given.

    Returns
    -------
    list of dict
        One dict per notebook, in order, holding only the parameters that differ from the
        notebook's defaults by being given (values of the declared types).

    Raises
    ------
    ParameterError
        A name no notebook declares (the message lists the declared names), a value of the wrong
        type (naming the parameter, the notebooks and the expected type), or a reserved name.

    Examples
    --------
    >>> from ccomkit.report.playbook import load_playbook, resolve_parameters
    >>> pb = load_playbook("daily")
    >>> resolve_parameters(pb, {"lang": "en", "pseudonymise": "yes"})[0]["pseudonymise"]
    True
    >>> resolve_parameters(pb, {"colour": "red"})
    Traceback (most recent call last):
    ...
    ccomkit.errors.ParameterError: unknown parameter 'colour' for playbook daily: no notebook declares it (daily.ipynb declares: date, history_weeks, lang, pseudonymise, queues, render, team_id, tolerance_frac, workspace)
    """
    cli = dict(cli or {})
    if declared is None:
        declared = {s.notebook: declared_parameters(s.notebook) for s in playbook.notebooks}
    names = {s.notebook: s.notebook.name for s in playbook.notebooks}

    def declaring(k: str) -> list[NotebookStep]:
        return [s for s in playbook.notebooks if k in declared[s.notebook]]

    def known() -> str:
        return "; ".join(f"{names[s.notebook]} declares: "
                         f"{', '.join(sorted(declared[s.notebook])) or 'nothing'}"
                         for s in playbook.notebooks)

    def check(k: str, v: Any, steps: list[NotebookStep], from_text: bool, origin: str) -> dict:
        vals = {}
        for s in steps:
            typ = declared[s.notebook][k]["type"]
            ok, val = _coerce(v, typ, from_text)
            if not ok:
                nbs = ", ".join(names[x.notebook] for x in steps
                                if declared[x.notebook][k]["type"] == typ)
                raise ParameterError(
                    f"parameter '{k}' ({origin}) of {nbs} must be {_EXPECT.get(typ, 'a ' + typ)} "
                    f"({typ}); got {v!r}", param=k, value=v)
            vals[s.notebook] = val
        return vals

    for k in list(playbook.parameters) + [k for s in playbook.notebooks for k in s.parameters]:
        if k in RESERVED:
            raise ParameterError(f"playbook {playbook.path}: '{k}' is set by the runner "
                                 "(use ccom run --workspace)", param=k, value=None)
    for k in cli:
        if k in RESERVED:
            raise ParameterError(f"--param {k}: set by the runner; use ccom run --workspace PATH",
                                 param=k, value=cli[k])
        if not declaring(k):
            raise ParameterError(f"unknown parameter '{k}' for playbook {playbook.name}: no "
                                 f"notebook declares it ({known()})", param=k, value=cli[k])
    for k in playbook.parameters:
        if not declaring(k):
            raise ParameterError(f"playbook {playbook.path}: parameter '{k}' is declared by none "
                                 f"of its notebooks ({known()})", param=k,
                                 value=playbook.parameters[k])

    per_nb: dict[Path, dict[str, Any]] = {s.notebook: {} for s in playbook.notebooks}
    for k, v in playbook.parameters.items():
        for nb, val in check(k, v, declaring(k), False, "playbook").items():
            per_nb[nb][k] = val
    for s in playbook.notebooks:
        for k, v in s.parameters.items():
            if k not in declared[s.notebook]:
                raise ParameterError(
                    f"playbook {playbook.path}: parameter '{k}' of step {s.output} is not "
                    f"declared by {names[s.notebook]} ({known()})", param=k, value=v)
            per_nb[s.notebook][k] = check(k, v, [s], False, f"step {s.output}")[s.notebook]
    for k, v in cli.items():
        for nb, val in check(k, v, declaring(k), True, "--param").items():
            per_nb[nb][k] = val
    return [dict(per_nb[s.notebook]) for s in playbook.notebooks]


# ------------------------------------------------------------------------------------------------
# Rendering
# ------------------------------------------------------------------------------------------------


_IMG_SVG = re.compile(r'<img[^>]*?src="data:image/svg\+xml;base64,([A-Za-z0-9+/=\s]+)"[^>]*?>')
_SVG_ID = re.compile(r'\bid="([^"]+)"')


def _inline_svg(body: str) -> str:
    """Replace the ``<img src="data:image/svg+xml;base64,…">`` nbconvert writes for SVG outputs
    by the SVG itself (so the page's CJK fonts apply and the marks are in the DOM), with each
    chart's element ids prefixed so that clip paths of different charts never collide."""
    import base64

    count = [0]

    def repl(m: re.Match[str]) -> str:
        try:
            svg = base64.b64decode(m.group(1)).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return m.group(0)
        svg = re.sub(r"^\s*<\?xml[^>]*>\s*", "", svg)
        svg = re.sub(r"<!DOCTYPE[^>]*>\s*", "", svg)
        count[0] += 1
        pre = f"ccom{count[0]}-"
        ids = set(_SVG_ID.findall(svg))
        for i in sorted(ids, key=len, reverse=True):
            svg = svg.replace(f'id="{i}"', f'id="{pre}{i}"').replace(f"url(#{i})", f"url(#{pre}{i})")
            svg = svg.replace(f'href="#{i}"', f'href="#{pre}{i}"')
        return f'<div class="ccom-chart">{svg}</div>'

    body = re.sub(r'<script src="">\s*</script>', "", body)  # emptied CDN URLs: nothing to load
    return _IMG_SVG.sub(repl, body)


def render_html(notebook: str | os.PathLike[str], html_path: str | os.PathLike[str]) -> Path:
    """Render an executed notebook as HTML without code cells and without CDN requests.

    nbconvert's ``lab`` template with ``exclude_input`` (like ``--no-input``), markdown cells
    left out (the notebooks' own labels are in the outputs, in the report's language),
    ``mathjax_url=""``, ``require_js_url=""`` and the mermaid/jQuery/widget URLs emptied; SVG
    chart outputs are inlined. Charts must already be SVG in the outputs.
    """
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(notebook), as_version=4)
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True, exclude_markdown=True,
                            mathjax_url="", require_js_url="", jquery_url="",
                            mermaid_js_url="", mermaid_layout_elk_js_url="",
                            widget_renderer_url="", jupyter_widgets_base_url="")
    body, _ = exporter.from_notebook_node(nb)
    out = Path(html_path)
    out.write_text(_inline_svg(body), encoding="utf-8")
    return out


_INDEX_CSS = """body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;
margin:2em auto;max-width:60em;color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em}
td,th{border:1px solid #ccc;padding:.3em .7em;text-align:left}th{background:#f3f3f3}
.ok{color:#1a7f37;font-weight:bold}.failed{color:#c62828;font-weight:bold}
pre{white-space:pre-wrap;background:#fafafa;border:1px solid #eee;padding:.5em}"""


def _write_index(out_dir: Path, playbook: Playbook, result: "RunResult",
                 cli: Mapping[str, Any]) -> Path:
    e = html.escape
    lang = str(playbook.parameters.get("lang", "zh"))
    outcome = {"ok": "成功 succeeded", "failed": "失败 failed"}[result.outcome]
    rows = []
    for o in result.outputs:
        link = (f'<a href="{e(o["html"])}">{e(o["html"])}</a>' if o.get("html")
                else "—")
        rows.append(f"<tr><td>{e(o['output'])}</td><td>{link}</td>"
                    f"<td><a href=\"{e(o['ipynb'])}\">{e(o['ipynb'])}</a></td>"
                    f"<td class=\"{e(o['status'])}\">{e(o['status'])}</td></tr>")
    params = "".join(f"<tr><td>{e(str(k))}</td><td>{e(json.dumps(v, ensure_ascii=False))}</td></tr>"
                     for k, v in sorted(result.parameters.items()))
    err = f"<h2>错误 Error</h2><pre>{e(result.error)}</pre>" if result.error else ""
    doc = f"""<!DOCTYPE html>
<html lang="{e(lang)}"><head><meta charset="utf-8">
<title>{e(playbook.title_in('zh'))} · {e(playbook.title_in('en'))}</title>
<style>{_INDEX_CSS}</style></head><body>
<h1>{e(playbook.title_in('zh'))} · {e(playbook.title_in('en'))}</h1>
<table>
<tr><th>运行编号 Run id</th><td>{e(result.run_id)}</td></tr>
<tr><th>剧本 Playbook</th><td>{e(playbook.name)}</td></tr>
<tr><th>开始 Started</th><td>{e(result.started_at.isoformat(sep=' ', timespec='seconds'))}</td></tr>
<tr><th>用时 Duration</th><td>{result.duration_s:,.1f} s</td></tr>
<tr><th>执行人 User</th><td>{e(result.user)}</td></tr>
<tr><th>结果 Outcome</th><td class="{e(result.outcome)}">{e(outcome)}</td></tr>
</table>
<h2>报告 Reports</h2>
<table><tr><th>输出 Output</th><th>HTML</th><th>Notebook</th><th>状态 Status</th></tr>
{''.join(rows)}</table>
<h2>参数 Parameters</h2>
<table><tr><th>参数 Parameter</th><th>值 Value</th></tr>{params}</table>
{err}
</body></html>
"""
    path = out_dir / "index.html"
    path.write_text(doc, encoding="utf-8")
    return path


# ------------------------------------------------------------------------------------------------
# Inputs and the run log
# ------------------------------------------------------------------------------------------------


def input_fingerprint(workspace: str | os.PathLike[str]) -> dict[str, Any]:
    """What a run read: each contract table's row count and load ids, each record table's row
    count, and a SHA-256 over all of them (``"sha256"``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from ccomkit.store import Workspace
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "ws.duckdb"
    >>> with Workspace.open_write(p, "example", create=True) as ws:
    ...     pass
    >>> fp = input_fingerprint(p)
    >>> fp["tables"]["acd_interval"], len(fp["sha256"])
    ({'rows': 0, 'load_ids': []}, 64)
    """
    from ccomkit.schemas import TABLES
    from ccomkit.store import Workspace

    tables: dict[str, Any] = {}
    with Workspace.open_read(workspace) as ws:
        for name in TABLES:
            try:
                r = ws.query(f'SELECT count(*) AS n, list(DISTINCT "_load_id" ORDER BY "_load_id") '
                             f'AS ids FROM "{name}"')
            except Exception:  # noqa: BLE001 - a table missing from an old workspace
                continue
            ids = r["ids"].iloc[0]
            ids = [] if ids is None or ids is pd.NA or not hasattr(ids, "__iter__") else ids
            tables[name] = {"rows": int(r["n"].iloc[0]), "load_ids": [int(x) for x in ids]}
        for name in ws.record_tables():
            if name == RUN_LOG:
                continue
            n = ws.query(f'SELECT count(*) AS n FROM "{name}"')["n"].iloc[0]
            tables[name] = {"rows": int(n)}
    digest = hashlib.sha256(json.dumps(tables, sort_keys=True).encode()).hexdigest()
    return {"tables": tables, "sha256": digest}


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        return str(os.getuid()) if hasattr(os, "getuid") else "unknown"


def _log_frame(r: "RunResult") -> pd.DataFrame:
    text = lambda v: pd.Series([v], dtype="string")  # noqa: E731
    return pd.DataFrame({
        "run_id": text(r.run_id),
        "started_at": pd.Series([r.started_at], dtype="datetime64[us]"),
        "finished_at": pd.Series([r.finished_at], dtype="datetime64[us]"),
        "user": text(r.user),
        "playbook": text(r.playbook),
        "playbook_path": text(str(r.playbook_path)),
        "parameters": text(json.dumps(r.parameters, ensure_ascii=False, sort_keys=True)),
        "inputs": text(json.dumps(r.inputs.get("tables", {}), sort_keys=True)),
        "input_sha256": text(r.inputs.get("sha256")),
        "outcome": text(r.outcome),
        "error": text(r.error),
        "duration_s": pd.Series([r.duration_s], dtype="float64"),
        "output_dir": text(str(r.output_dir)),
    })


def _log_into_staged(staged: Path, result: "RunResult") -> None:
    """Write the run-log row straight into the staged copy. The copy is already private to this
    run (``stage`` holds the real workspace's lock and swaps the copy in afterwards), so a second
    copy-on-write through ``Workspace.open_write`` would only copy the whole file once more."""
    import duckdb

    from ccomkit.store import Workspace

    con = duckdb.connect(str(staged))
    try:
        ws = Workspace(staged, con, writable=True)
        ws._check_meta()
        ws.write_records(RUN_LOG, _log_frame(result), key=["run_id"])
        con.execute("CHECKPOINT")
    finally:
        con.close()


# ------------------------------------------------------------------------------------------------
# Running
# ------------------------------------------------------------------------------------------------


@dataclass
class RunResult:
    """What :func:`run_playbook` did. ``outputs`` has one dict per notebook run or attempted:
    ``output, ipynb, html, status, seconds`` (paths relative to ``output_dir``)."""

    run_id: str
    playbook: str
    playbook_path: Path
    started_at: pd.Timestamp
    finished_at: pd.Timestamp
    duration_s: float
    user: str
    parameters: dict[str, Any]
    inputs: dict[str, Any]
    outcome: str
    error: str | None
    output_dir: Path
    index: Path | None
    outputs: list[dict[str, Any]]


def _cell_error(exc: Exception, nb_name: str) -> str:
    """One line: the notebook, the cell and the error."""
    cell = getattr(exc, "exec_count", None)
    idx = getattr(exc, "cell_index", None)
    ename = getattr(exc, "ename", None) or type(exc).__name__
    evalue = getattr(exc, "evalue", None)
    if evalue is None:
        evalue = str(exc)
    evalue = " ".join(str(evalue).split())
    where = []
    if cell is not None:
        where.append(f"cell [{cell}]")
    if idx is not None:
        where.append(f"cell #{int(idx) + 1} of the notebook")
    pos = f" at {' / '.join(where)}" if where else ""
    return f"{nb_name} failed{pos}: {ename}: {evalue}"


def _now() -> pd.Timestamp:
    return pd.Timestamp.now().floor("ms")


def run_playbook(
    playbook: Playbook | str | os.PathLike[str],
    params: Mapping[str, str] | None = None,
    *,
    out_dir: str | os.PathLike[str] | None = None,
    workspace: str | os.PathLike[str] | None = None,
    progress: bool | None = None,
    log: Callable[[str], None] | None = None,
    record_failure: bool = True,
) -> RunResult:
    """Validate, execute, render and record one playbook run (see the module docstring).

    Parameters
    ----------
    playbook : Playbook, or a name or path
    params : mapping of str to str, optional
        Command-line parameters ``name → text``; parsed as the notebooks' declared types.
    out_dir : path-like, optional
        Folder of the outputs (default ``out/<playbook>-<YYYYmmdd-HHMMSS>``).
    workspace : path-like, optional
        The workspace (default: ``$CCOM_WORKSPACE`` or ``data/workspace.duckdb``).
    progress : bool, optional
        Papermill's cell progress bar (default: when stderr is a terminal).
    log : callable, optional
        Receives one line per notebook (default: print to stderr).
    record_failure : bool, default True
        Record a failed run in the workspace's run log (a second, short write after the staged
        copy is discarded). With False a failed run leaves the workspace byte-identical.

    Returns
    -------
    RunResult

    Raises
    ------
    ParameterError
        Before anything runs, for an unknown or ill-typed parameter.
    PlaybookError
        A notebook failed: the message names it, the cell and the error; the partial output
        notebook is kept in ``out_dir`` and the workspace is unchanged (the failure is recorded
        in its run log).
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from ccomkit.store import Workspace, resolve_workspace, stage

    pb = playbook if isinstance(playbook, Playbook) else load_playbook(playbook)
    per_nb = resolve_parameters(pb, params or {})
    real = resolve_workspace(workspace)
    if not real.exists():
        raise WorkspaceError(f"no workspace at {real}: run `ccom init` or `ccom demo` first")
    started = _now()
    run_id = f"{started.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
    out = Path(out_dir) if out_dir else Path("out") / f"{pb.name}-{started.strftime('%Y%m%d-%H%M%S')}"
    out.mkdir(parents=True, exist_ok=True)
    out = out.resolve()
    say = log if log is not None else (lambda m: print(m, file=sys.stderr, flush=True))
    show_bar = sys.stderr.isatty() if progress is None else bool(progress)
    given: dict[str, Any] = {}
    for d in per_nb:
        given.update(d)
    t0 = time.perf_counter()
    outputs: list[dict[str, Any]] = []
    result = RunResult(run_id, pb.name, pb.path, started, started, 0.0, _user(), given, {},
                       "failed", None, out, None, outputs)
    try:
        with stage(real, f"ccom run {pb.name}") as staged:
            result.inputs = input_fingerprint(staged)
            for i, (step, nb_params) in enumerate(zip(pb.notebooks, per_nb), 1):
                declared = declared_parameters(step.notebook)
                run_params = dict(nb_params)
                if "workspace" in declared:
                    run_params["workspace"] = str(staged)
                ipynb = out / f"{step.output}.ipynb"
                entry: dict[str, Any] = {"output": step.output, "ipynb": ipynb.name, "html": None,
                                         "status": "running", "seconds": None}
                outputs.append(entry)
                say(f"[{i}/{len(pb.notebooks)}] {step.notebook.name} → {ipynb}")
                t_nb = time.perf_counter()
                try:
                    papermill.execute_notebook(
                        str(step.notebook), str(ipynb), parameters=run_params,
                        kernel_name="python3", progress_bar=show_bar, log_output=False,
                        cwd=str(step.notebook.parent))
                except PapermillExecutionError as exc:
                    entry["status"] = "failed"
                    raise PlaybookError(_cell_error(exc, step.notebook.name)) from None
                except Exception as exc:  # noqa: BLE001 - kernel died, bad notebook …
                    entry["status"] = "failed"
                    raise PlaybookError(_cell_error(exc, step.notebook.name)) from None
                html_path = render_html(ipynb, out / f"{step.output}.html")
                entry.update(html=html_path.name, status="ok",
                             seconds=round(time.perf_counter() - t_nb, 2))
            result.outcome = "ok"
            result.finished_at = _now()
            result.duration_s = round(time.perf_counter() - t0, 3)
            _log_into_staged(staged, result)
    except BaseException as exc:
        result.outcome = "failed"
        result.error = str(exc) if isinstance(exc, CcomkitError) else \
            f"{type(exc).__name__}: {' '.join(str(exc).split())}"
        result.finished_at = _now()
        result.duration_s = round(time.perf_counter() - t0, 3)
        result.index = _write_index(out, pb, result, params or {})
        if isinstance(exc, (KeyboardInterrupt, SystemExit)) or \
                type(exc).__name__ == "WorkspaceLockedError":
            raise
        if record_failure:  # the staged copy is gone; record the failure by a second short write
            try:
                with Workspace.open_write(real, f"ccom run {pb.name}: run log") as ws:
                    ws.write_records(RUN_LOG, _log_frame(result), key=["run_id"])
            except CcomkitError as log_exc:
                say(f"could not record the failed run in {real}: {log_exc}")
        if isinstance(exc, PlaybookError):
            raise PlaybookError(f"{result.error} (partial output kept in {out}; "
                                "workspace unchanged)") from None
        raise
    result.index = _write_index(out, pb, result, params or {})
    return result
