"""The workspace: one embedded DuckDB file holding every contract table of a contact center.

Guarantees
----------
* **Readers are never blocked.** :meth:`Workspace.open_read` opens the file read-only.
* **One writer at a time, with a clear message.** :meth:`Workspace.open_write` takes an exclusive
  advisory lock (``fcntl.flock`` on ``<path>.lock``, which records pid, purpose and start time); a
  second writer gets :class:`~ccomkit.errors.WorkspaceLockedError` naming the holder.
* **All or nothing, crash safe (copy-on-write with atomic swap).** A write works on a copy
  (``<path>.tmp-<pid>``) in one connection and one transaction per file; on success it runs
  ``CHECKPOINT``, closes, fsyncs the copy, ``os.replace``-s it onto the real path and fsyncs the
  directory. On any exception (or a SIGKILL) the real file is untouched and the copy is removed
  (a copy left by a killed process is removed by the next writer). Readers that opened the file
  before the swap keep reading their old snapshot (they hold the old inode); readers opened after
  see the new data.
* **Idempotent loads.** A file whose sha256 was already loaded into a table adds nothing; rows
  whose key is already present with identical content are counted as ``rows_existing`` and
  skipped; rows whose key is present with different content are quarantined ("conflicts with the
  row already loaded from …"), never silently overwritten.
* **Quarantine, not failure.** Rows that break a contract go to ``_ccom_quarantine`` with readable
  reasons, the source file and the physical line number (header = line 1). With ``strict=True``
  any violation rejects the whole file and nothing changes.

Cost
----
Every write operation copies the database file once (``shutil.copyfile``, i.e. a kernel-side
``sendfile``/``copy_file_range``; about 1 s per GB on an ordinary SSD) and checkpoints it. That is
cheap next to a file load, but batch many small changes into one :meth:`Workspace.open_write`
block rather than opening one per row. Creating a new workspace copies nothing.

Memory
------
A writer's DuckDB buffer pool is capped (``CCOM_MEMORY_LIMIT``, default 1 GB); bigger work spills
to ``<copy>.tmp/`` beside the private copy, removed with it. A 1 GB file loads in well under 1 GB
of RAM (``docs/reliability.md``).

Storage
-------
Each contract table is created from :meth:`ccomkit.schemas.Table.ddl` plus one hidden column,
``_load_id`` (the :data:`_ccom_load` row it came from; NULL for rows loaded before provenance was
kept). :meth:`Workspace.read` and :meth:`Workspace.export` return only the contract columns.
Meta tables: ``_ccom_meta`` (schema version, created_at, kind), ``_ccom_load`` (one row per loaded
file or frame) and ``_ccom_quarantine`` (one row per rejected row).

Within one process, do not keep a read connection open across a write you make yourself: DuckDB
caches database instances by path, so a reader opened after the swap while an older one is still
open would share the older snapshot. Open a fresh :meth:`Workspace.open_read` per task.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import fcntl
import glob
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from ccomkit.errors import (
    CcomkitError,
    IngestError,
    ParameterError,
    SchemaError,
    WorkspaceError,
    WorkspaceLockedError,
)
from ccomkit.privacy import customer_key, new_salt
from ccomkit.profiles import (
    Profile,
    TableMap,
    available_profiles,
    load_profile,
    normalise_header,
    placeholders,
)
from ccomkit.schemas import (
    PANDAS_DTYPES,
    TABLES,
    Table,
    ValidationResult,
    _lit,
    _q,
    get_table,
    relation_types,
    rule_messages,
    summarise_violations,
    typed_select,
)

__all__ = [
    "DEFAULT_WORKSPACE",
    "ENV_WORKSPACE",
    "SCHEMA_VERSION",
    "IngestReport",
    "Workspace",
    "resolve_workspace",
]

SCHEMA_VERSION = 1  # additive changes (new tables, new nullable columns) migrate in place
DEFAULT_WORKSPACE = Path("data") / "workspace.duckdb"
ENV_WORKSPACE = "CCOM_WORKSPACE"
ENV_MEMORY_LIMIT = "CCOM_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "1GB"  # a writer's DuckDB buffer pool; larger loads spill to disk
CSV_DELIMITERS = (",", ";", "\t", "|")
XLSX_MAX_ROWS = 1_048_575  # one header row + data rows in an Excel sheet
_CHUNK_BYTES = 8 << 20
_LOAD_COL = "_load_id"

_META_DDL = (
    """CREATE TABLE IF NOT EXISTS _ccom_meta (
      schema_version INTEGER, created_at TIMESTAMP, kind VARCHAR, ccomkit_version VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS _ccom_load (
      load_id BIGINT PRIMARY KEY, table_name VARCHAR, file_name VARCHAR, file_path VARCHAR,
      file_sha256 VARCHAR, profile VARCHAR, rows_read BIGINT, rows_loaded BIGINT,
      rows_quarantined BIGINT, rows_existing BIGINT, started_at TIMESTAMP,
      finished_at TIMESTAMP, status VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS _ccom_quarantine (
      load_id BIGINT, table_name VARCHAR, source_file VARCHAR, line BIGINT, reasons VARCHAR,
      raw_row VARCHAR)""",
    "CREATE TABLE IF NOT EXISTS _ccom_secret (salt VARCHAR, created_at TIMESTAMP)",
)

# SQL helpers for profile ``derive`` expressions (temporary: they live in the connection only).
_MACROS = (
    "CREATE OR REPLACE TEMP MACRO ccom_txt(x) AS NULLIF(TRIM(CAST(x AS VARCHAR)), '')",
    "CREATE OR REPLACE TEMP MACRO ccom_num(x) AS TRY_CAST(replace(replace(replace("
    "ccom_txt(x), ',', ''), '%', ''), ' ', '') AS DOUBLE)",
    "CREATE OR REPLACE TEMP MACRO ccom_secs(x) AS CASE "
    "WHEN ccom_txt(x) IS NULL THEN NULL "
    "WHEN len(string_split(ccom_txt(x), ':')) = 3 THEN "
    "TRY_CAST(split_part(ccom_txt(x), ':', 1) AS DOUBLE) * 3600 "
    "+ TRY_CAST(split_part(ccom_txt(x), ':', 2) AS DOUBLE) * 60 "
    "+ TRY_CAST(split_part(ccom_txt(x), ':', 3) AS DOUBLE) "
    "WHEN len(string_split(ccom_txt(x), ':')) = 2 THEN "
    "TRY_CAST(split_part(ccom_txt(x), ':', 1) AS DOUBLE) * 60 "
    "+ TRY_CAST(split_part(ccom_txt(x), ':', 2) AS DOUBLE) "
    "ELSE ccom_num(x) END",
    "CREATE OR REPLACE TEMP MACRO ccom_date(x) AS COALESCE(TRY_CAST(ccom_txt(x) AS DATE), "
    "CAST(TRY_STRPTIME(ccom_txt(x), ['%m/%d/%Y', '%m/%d/%y', '%Y/%m/%d', '%Y%m%d', "
    "'%Y年%m月%d日', '%Y.%m.%d', '%Y-%m-%d %H:%M:%S']) AS DATE))",
    "CREATE OR REPLACE TEMP MACRO ccom_time(x) AS TRY_STRPTIME(ccom_txt(x), "
    "['%H:%M', '%H:%M:%S', '%I:%M %p', '%I:%M:%S %p', '%I:%M%p'])",
    "CREATE OR REPLACE TEMP MACRO ccom_ts(d, t) AS "
    "ccom_date(d) + CAST(ccom_time(split_part(ccom_txt(t), '-', 1)) AS TIME)",
    "CREATE OR REPLACE TEMP MACRO ccom_span_min(x) AS "
    "(date_diff('minute', ccom_time(split_part(ccom_txt(x), '-', 1)), "
    "ccom_time(split_part(ccom_txt(x), '-', 2))) + 1440) % 1440",
)


def resolve_workspace(path: str | os.PathLike[str] | None = None) -> Path:
    """The workspace file to use: ``path``, else ``$CCOM_WORKSPACE``, else ``data/workspace.duckdb``.

    Examples
    --------
    >>> resolve_workspace("/tmp/x.duckdb")
    PosixPath('/tmp/x.duckdb')
    """
    if path is not None and str(path) != "":
        return Path(path)
    env = os.environ.get(ENV_WORKSPACE)
    if env:
        return Path(env)
    return DEFAULT_WORKSPACE


@dataclass(frozen=True)
class IngestReport:
    """What one :meth:`Workspace.ingest` or :meth:`Workspace.load_frame` did.

    Attributes
    ----------
    file, table, profile : str
        Source (file name or frame label), target table, profile name ('' for none).
    load_id : int or None
        The ``_ccom_load`` row of this load; for an already-loaded file, that earlier load.
    sha256 : str or None
        Hash of the file (None for frames).
    rows_read, rows_loaded, rows_quarantined, rows_existing : int
        Data rows seen; added; sent to quarantine; skipped because identical rows were present.
    already_loaded : bool
        The same file was loaded into this table before: nothing was added.
    messages : list of str
        One readable line per broken rule (and one for key conflicts).
    elapsed_s : float
        Wall time of the load.
    """

    file: str
    table: str
    profile: str
    load_id: int | None
    sha256: str | None
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    rows_existing: int
    already_loaded: bool = False
    messages: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0

    @property
    def ok(self) -> bool:
        """True when no row was quarantined."""
        return self.rows_quarantined == 0

    def summary(self) -> str:
        """One line for the command line."""
        if self.already_loaded:
            return (f"{self.file} was already loaded into {self.table} (load {self.load_id}); "
                    "nothing added")
        text = (f"{self.file} → {self.table}: {self.rows_loaded:,} of {self.rows_read:,} rows loaded"
                f" (load {self.load_id})")
        if self.rows_existing:
            text += f", {self.rows_existing:,} already present"
        if self.rows_quarantined:
            text += (f", {self.rows_quarantined:,} quarantined — see them with "
                     f"`ccom status` or Workspace.quarantine(load_id={self.load_id})")
        return text


# --------------------------------------------------------------------------------------------
# File scanning helpers
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Scan:
    sha256: str
    utf8: bool
    has_quote: bool
    size_bytes: int
    content_lines: int  # physical lines up to the last non-blank byte
    utf8_cut: bool = False  # valid UTF-8 up to an incomplete character at the very end
    bom: bytes = b""  # the first bytes when they are a UTF-16 byte-order mark
    blank: bool = False  # nothing but white space


def _scan_file(path: Path, text_checks: bool) -> _Scan:
    """One streamed pass: sha256 (in a helper thread; hashlib releases the GIL) and, for text
    files, UTF-8 validity, whether a quote occurs, and the number of content lines (blank lines
    and records spanning lines are detected later by comparing rows with lines)."""
    h = hashlib.sha256()
    dec = codecs.getincrementaldecoder("utf-8")()
    utf8, quote = text_checks, False
    size = 0
    newlines = 0
    last = b""
    first = b""
    blank = True
    with open(path, "rb", buffering=0) as f, ThreadPoolExecutor(1) as pool:
        pending = None
        while True:
            chunk = f.read(_CHUNK_BYTES)
            if not chunk:
                break
            if pending is not None:
                pending.result()
            pending = pool.submit(h.update, chunk)
            if not first:
                first = chunk[:4]
            size += len(chunk)
            if not text_checks:
                continue
            if blank and chunk.strip():
                blank = False
            newlines += chunk.count(b"\n")
            last = chunk[-65536:] if len(chunk) >= 65536 else (last + chunk)[-65536:]
            if utf8 and (not chunk.isascii() or dec.getstate()[0]):
                try:
                    dec.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
            if not quote and b'"' in chunk:
                quote = True
        if pending is not None:
            pending.result()
    cut = False
    if utf8 and text_checks:
        try:
            dec.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8, cut = False, True
    trailing = last[len(last.rstrip()):].count(b"\n")
    bom = first[:2] if first[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else b""
    return _Scan(h.hexdigest(), utf8 and not bom, quote, size, newlines - trailing + 1, cut, bom,
                 blank and text_checks)


def _transcode_gb18030(src: Path, dst: Path, encoding: str = "gb18030") -> None:
    """Rewrite a GBK/GB18030 (or UTF-16) file as UTF-8, streamed; IngestError when it is not in
    that encoding."""
    dec = codecs.getincrementaldecoder(encoding)()
    offset = 0
    with open(src, "rb") as fi, open(dst, "w", encoding="utf-8", newline="") as fo:
        while True:
            chunk = fi.read(_CHUNK_BYTES)
            try:
                fo.write(dec.decode(chunk, final=not chunk))
            except UnicodeDecodeError as exc:
                raise IngestError(
                    f"{src.name}: is neither UTF-8 nor GBK/GB18030 (undecodable bytes near byte "
                    f"{offset + exc.start}); save it as UTF-8 CSV and retry",
                    file=str(src),
                ) from None
            if not chunk:
                break
            offset += len(chunk)


def _detect_delimiter(path: Path) -> str:
    """The most frequent of , ; TAB | in the first non-empty line (outside quotes); ',' if none."""
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as f:
        head = f.read(1 << 16)
    line = next((ln for ln in head.splitlines() if ln.strip()), "")
    counts = {d: 0 for d in CSV_DELIMITERS}
    in_quote = False
    for ch in line:
        if ch == '"':
            in_quote = not in_quote
        elif not in_quote and ch in counts:
            counts[ch] += 1
    best = max(CSV_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _record_lines(path: Path, delimiter: str) -> np.ndarray:
    """Physical line number where each non-blank CSV record starts (exact, with quoted newlines)."""
    starts: list[int] = []
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f, delimiter=delimiter, quotechar='"', doublequote=True, strict=False)
        prev = 0
        for rec in reader:
            start = prev + 1
            prev = reader.line_num
            if rec:
                starts.append(start)
    return np.asarray(starts, dtype=np.int64)


def _cell_text(v: Any) -> str | None:
    """An XLSX cell value as the text a CSV export would hold."""
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return repr(v)
    if isinstance(v, dt.datetime):
        if v.time() == dt.time(0):
            return v.date().isoformat()
        return v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, dt.time):
        return v.isoformat()
    if isinstance(v, dt.timedelta):
        return repr(v.total_seconds())
    text = str(v)
    return text if text.strip() else None


def _col_letter(i: int) -> str:
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


def _xlsx_header_hint(wb: Any, current: str, header_line: int, probe: Any, table: str) -> str:
    """Where the headers of ``table`` are when the header row of the chosen sheet lacks some:
    a lower row of the same sheet (a title or merged header above) or another sheet."""
    ws = wb[current]
    for line, vals in enumerate(ws.iter_rows(min_row=header_line + 1, max_row=header_line + 10,
                                             values_only=True), start=header_line + 1):
        texts = [t.strip() for t in map(_cell_text, vals) if t is not None]
        if texts and not probe(texts):
            return (f"; row {line} holds the headers of {table}: delete the rows above it "
                    "(a title or merged header cells)")
    for name in wb.sheetnames:
        if name == current:
            continue
        for vals in wb[name].iter_rows(min_row=1, max_row=10, values_only=True):
            texts = [t.strip() for t in map(_cell_text, vals) if t is not None]
            if texts:
                if not probe(texts):
                    return f"; sheet {name!r} holds them: use --sheet {name!r} (sheet= in Python)"
                break
    return ""


def _read_xlsx(path: Path, sheet: str | None, probe: Any = None, table: str = "",
               fallback_hint: Any = None) -> pa.Table:
    """Stage the first (or the named) sheet as strings, with ``_line`` = the Excel row number.

    ``probe(headers)`` returns the required columns a header row lacks; when the first non-empty
    row lacks some, the error says where the headers are (a lower row, another sheet)."""
    import openpyxl

    try:
        wb_val = openpyxl.load_workbook(path, read_only=True, data_only=True)
        wb_fx = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for a bad file
        raise IngestError(f"{path.name}: cannot be read as an .xlsx workbook ({exc})",
                          file=str(path)) from None
    try:
        names = wb_val.sheetnames
        if sheet is not None and sheet not in names:
            raise IngestError(f"{path.name}: has no sheet {sheet!r} (sheets: {', '.join(names)})",
                              file=str(path))
        ws_val = wb_val[sheet] if sheet else wb_val.worksheets[0]
        ws_fx = wb_fx[sheet] if sheet else wb_fx.worksheets[0]
        header: list[str] | None = None
        cols: list[list[str | None]] = []
        lines: list[int] = []
        for line, (vals, fxs) in enumerate(
            zip(ws_val.iter_rows(min_row=1, values_only=True),
                ws_fx.iter_rows(min_row=1, values_only=True)), start=1):
            for j, (v, f) in enumerate(zip(vals, fxs)):
                if v is None and isinstance(f, str) and f.startswith("="):
                    col = f" (column {header[j]}, row {line})" if header and j < len(header) else ""
                    raise IngestError(
                        f"{path.name}: cell {_col_letter(j)}{line} holds the formula {f} without a "
                        f"saved value{col}; open the file in Excel and save it (or paste values) "
                        "first", file=str(path))
            texts = [_cell_text(v) for v in vals]
            if header is None:
                if not any(t is not None for t in texts):
                    continue
                while texts and texts[-1] is None:
                    texts.pop()
                header = []
                seen: dict[str, int] = {}
                for j, t in enumerate(texts):
                    name = t.strip() if t is not None else f"column{j + 1}"
                    k = normalise_header(name)
                    if k in seen:
                        seen[k] += 1
                        name = f"{name}_{seen[k]}"
                    else:
                        seen[k] = 1
                    header.append(name)
                cols = [[] for _ in header]
                lacking = probe(header) if probe is not None else []
                if lacking:
                    hint = _xlsx_header_hint(wb_val, ws_val.title, line, probe, table)
                    if not hint and fallback_hint is not None:
                        hint = fallback_hint(header)
                    raise IngestError(
                        f"{path.name}: cannot load into {table}: missing required column"
                        f"{'s' if len(lacking) > 1 else ''} {', '.join(lacking)} in the header on "
                        f"row {line} of sheet {ws_val.title!r} (found headers: {', '.join(header)})"
                        f"{hint}",
                        file=str(path))
                continue
            if not any(t is not None for t in texts):
                continue
            if len(texts) > len(header) and any(t is not None for t in texts[len(header):]):
                extra = next(j for j in range(len(header), len(texts)) if texts[j] is not None)
                raise IngestError(
                    f"{path.name}: row {line} has a value in column {_col_letter(extra)}, "
                    f"which has no header (a merged or missing header cell?)", file=str(path))
            for j in range(len(header)):
                cols[j].append(texts[j] if j < len(texts) else None)
            lines.append(line)
    finally:
        wb_val.close()
        wb_fx.close()
    if header is None:
        raise IngestError(f"{path.name}: the sheet is empty (no header row)", file=str(path))
    arrays = {"_line": pa.array(lines, type=pa.int64())}
    for name, values in zip(header, cols):
        arrays[name] = pa.array(values, type=pa.string())
    return pa.table(arrays)


def _frame_to_arrow(frame: pd.DataFrame, keep: list[str]) -> pa.Table:
    """A frame's ``keep`` columns as Arrow (tz-aware times → naive Asia/Shanghai), plus ``_line``."""
    out: dict[str, Any] = {"_line": pa.array(np.arange(len(frame), dtype=np.int64))}
    for name in keep:
        s = frame[name]
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            s = s.dt.tz_convert("Asia/Shanghai").dt.tz_localize(None)
        try:
            out[str(name)] = pa.Array.from_pandas(s.reset_index(drop=True))
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
            out[str(name)] = pa.array(
                [None if (x is None or (isinstance(x, float) and np.isnan(x))) else str(x)
                 for x in s.tolist()], type=pa.string())
    return pa.table(out)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _fsync_path(path: Path, directory: bool = False) -> None:
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if directory else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --------------------------------------------------------------------------------------------
# Header mapping
# --------------------------------------------------------------------------------------------


@dataclass
class _Mapping:
    exprs: dict[str, str]  # contract column -> SQL over the raw relation ``r``
    missing: list[str]  # required contract columns nobody provides
    direct: dict[str, str] = field(default_factory=dict)  # contract column -> header, plain rename
    text_only: set[str] = field(default_factory=set)  # headers that must stay text


@dataclass
class _CsvSource:
    path: Path
    delimiter: str
    label: str = ""
    headers: list[str] = field(default_factory=list)
    line_mode: str = "rowid"
    expected_lines: int | None = None
    duplicates: dict[str, list[int]] = field(default_factory=dict)  # header → 1-based columns

    def use_exact_lines(self, con: duckdb.DuckDBPyConnection, registered: list[str],
                        n_rows: int | None = None) -> None:
        """Number records by the physical line they start on (Python's csv module)."""
        lines = _record_lines(self.path, self.delimiter)
        text_scan = self.read_sql(None, parallel=False)
        if n_rows is None:
            n_rows = con.execute(f"SELECT count(*) FROM {text_scan}").fetchall()[0][0]
        if len(lines) - 1 != n_rows:
            raise IngestError(
                f"{self.label}: could not match CSV records to line numbers ({n_rows} rows "
                f"parsed, {len(lines) - 1} records found); check its quoting", file=self.label)
        data_lines = lines[1:]
        con.register("_ccom_lines", pa.table({
            "_idx": pa.array(np.arange(len(data_lines), dtype=np.int64)),
            "_line": pa.array(data_lines)}))
        registered.append("_ccom_lines")
        con.execute("CREATE OR REPLACE TEMP VIEW _ccom_raw AS SELECT * FROM "
                    f"(SELECT _line FROM _ccom_lines ORDER BY _idx) POSITIONAL JOIN {text_scan}")
        self.line_mode = "lines"

    def read_sql(self, types: dict[str, str] | None, parallel: bool = True) -> str:
        """``read_csv`` of the file: every column text, or with the given column types. DuckDB's
        parallel reader cannot pad short rows when quoted fields span lines: ``parallel=False``."""
        opts = (f"header = true, delim = {_lit(self.delimiter)}, quote = '\"', escape = '\"', "
                "null_padding = true, strict_mode = false")
        if not parallel:
            opts += ", parallel = false"
        if types is None:
            return f"read_csv({_lit(str(self.path))}, all_varchar = true, {opts})"
        spec = "{" + ", ".join(f"{_lit(h)}: {_lit(v)}" for h, v in types.items()) + "}"
        # Only the ISO layouts are parsed by the reader; any other layout fails this fast read
        # and the text read lets the contract engine apply its own formats.
        return (f"read_csv({_lit(str(self.path))}, types = {spec}, auto_detect = true, "
                f"timestampformat = '%Y-%m-%d %H:%M:%S', dateformat = '%Y-%m-%d', {opts})")


def _duplicate_headers(path: Path, delimiter: str) -> dict[str, list[int]]:
    """Header names (as written) that occur more than once, with their 1-based positions."""
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as f:
        for rec in csv.reader(f, delimiter=delimiter, quotechar='"', strict=False):
            if any(x.strip() for x in rec):
                seen: dict[str, list[int]] = {}
                first: dict[str, str] = {}
                for i, name in enumerate(rec, start=1):
                    if name.strip():
                        k = normalise_header(name)
                        first.setdefault(k, name.strip())
                        seen.setdefault(k, []).append(i)
                return {first[k]: v for k, v in seen.items() if len(v) > 1}
    return {}


def _open_quote_line(path: Path, delimiter: str) -> int | None:
    """The line where a quoted field starts that is still open at the end of the file."""
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as f:
        reader = csv.reader(f, delimiter=delimiter, quotechar='"', strict=True)
        start = 1
        try:
            for _rec in reader:
                start = reader.line_num + 1
        except csv.Error:
            return start
    return None


_OTHER_SEPARATORS = (" ", "，", "；", "、", ":", "：")


def _delimiter_hint(table: Table, headers: list[str], tmap: TableMap | None,
                    missing: list[str]) -> str:
    """'; line 1 looks separated by …' when splitting the header on another character maps
    more of the required columns."""
    for sep in _OTHER_SEPARATORS:
        pieces = [p.strip() for h in headers for p in h.split(sep) if p.strip()]
        if len(pieces) > len(headers) and len(_map_headers(table, pieces, tmap).missing) < len(missing):
            return (f"; the header on line 1 looks separated by {sep!r}, but the delimiter must be "
                    "one of , ; TAB | (re-export the file as CSV)")
    return ""


def _map_headers(table: Table, headers: list[str], tmap: TableMap | None) -> _Mapping:
    by_norm: dict[str, str] = {}
    for h in headers:
        by_norm.setdefault(normalise_header(h), h)
    tmap = tmap or TableMap()

    def find(name: str) -> str | None:
        return by_norm.get(normalise_header(name))

    exprs: dict[str, str] = {}
    direct: dict[str, str] = {}
    text_only: set[str] = set()
    for col in table.columns:
        expr: str | None = None
        for alt in (*tmap.columns.get(col.name, ()), col.name):
            h = find(alt)
            if h is not None:
                expr = f"r.{_q(h)}"
                if tmap.values.get(col.name):
                    text_only.add(h)
                else:
                    direct[col.name] = h
                break
        if expr is None:
            for alt in tmap.derive.get(col.name, ()):
                names = placeholders(alt)
                found = [find(n) for n in names]
                if all(f is not None for f in found):
                    sql = alt
                    for n, f in zip(names, found):
                        sql = sql.replace("{" + n + "}", f"r.{_q(f)}")  # type: ignore[arg-type]
                    expr = f"({sql})"
                    break
        if expr is None and col.name in tmap.constants:
            val = tmap.constants[col.name]
            expr = _lit(str(val)) if val is not None else "NULL"
        if expr is None:
            continue
        vmap = tmap.values.get(col.name)
        if vmap:
            cases = " ".join(f"WHEN {_lit(k)} THEN {_lit(v)}" for k, v in vmap.items())
            expr = f"(CASE lower(trim(CAST({expr} AS VARCHAR))) {cases} ELSE {expr} END)"
        exprs[col.name] = expr
    missing = [c for c in table.required_columns if c not in exprs]
    # Headers read by derive expressions stay text (the expressions parse them).
    for alts in tmap.derive.values():
        for alt in alts:
            for n in placeholders(alt):
                h = find(n)
                if h is not None:
                    text_only.add(h)
    return _Mapping(exprs, missing, direct, text_only)


def _profile_hint(table: Table, headers: list[str], current: str | None) -> str:
    for name in available_profiles():
        if name == current:
            continue
        try:
            m = _map_headers(table, headers, load_profile(name).tables.get(table.name))
        except CcomkitError:  # pragma: no cover - shipped profiles are valid
            continue
        if not m.missing:
            return f"; the shipped profile {name!r} maps these headers (--profile {name})"
    return ""


# --------------------------------------------------------------------------------------------
# The workspace
# --------------------------------------------------------------------------------------------


@contextlib.contextmanager
def stage(path: str | os.PathLike[str] | None = None, purpose: str = "write",
          create: bool = False) -> Iterator[Path]:
    """Hold the writer lock and yield a private copy of the workspace; swap it in on success.

    This is the mechanism under :meth:`Workspace.open_write`, exposed for writers that work in
    other processes (a playbook's notebooks): they open the yielded path (with
    ``Workspace.open_write`` like any workspace) while this process holds the real workspace's
    lock. When the block ends normally the copy replaces the workspace atomically; when it raises,
    or the process dies, the workspace is exactly as it was. With ``create`` and no workspace yet,
    the yielded path does not exist until someone creates it.
    """
    real = resolve_workspace(path).absolute()  # the copy is opened by processes in other folders
    if not real.exists() and not create:
        raise WorkspaceError(f"no workspace at {real}: run `ccom init` or `ccom demo` first")
    real.parent.mkdir(parents=True, exist_ok=True)
    lock_fd = _acquire_lock(real, purpose)
    tmp = real.with_name(f"{real.name}.tmp-{os.getpid()}")
    try:
        for stale in glob.glob(glob.escape(str(real)) + ".tmp-*"):
            _remove(Path(stale))  # left by a killed writer (copy, WAL, spill folder); we hold the lock
        if real.exists():
            shutil.copyfile(real, tmp)
        yield tmp
        if tmp.exists():
            _fsync_path(tmp)
            os.replace(tmp, real)
            _fsync_path(real.parent, directory=True)
    except BaseException:
        tmp.unlink(missing_ok=True)
        Path(str(tmp) + ".wal").unlink(missing_ok=True)
        raise
    finally:
        Path(str(tmp) + ".lock").unlink(missing_ok=True)  # left by writers that opened the copy
        _remove(Path(str(tmp) + ".tmp"))  # DuckDB's spill folder of a large write
        _release_lock(lock_fd)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


class Workspace:
    """An open workspace. Get one with :meth:`open_read` or :meth:`open_write` (context managers).

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "ws.duckdb"
    >>> with Workspace.open_write(p, "example", create=True) as ws:
    ...     rep = ws.load_frame("agent_dim", pd.DataFrame({
    ...         "agent_id": ["A1", "A2"], "team_id": ["T1", "T1"],
    ...         "hire_date": ["2025-03-01", "2025-13-01"]}), source="example")
    >>> rep.rows_loaded, rep.rows_quarantined
    (1, 1)
    >>> with Workspace.open_read(p) as ws:
    ...     ws.read("agent_dim", columns=["agent_id", "team_id"])
      agent_id team_id
    0       A1      T1
    """

    def __init__(self, path: Path, con: duckdb.DuckDBPyConnection, *, writable: bool) -> None:
        self.path = path
        self._con = con
        self.writable = writable
        self.last_timings: dict[str, float] = {}  # seconds per step of the last load (for bench/)

    # ---------------------------------------------------------------- opening

    @classmethod
    @contextlib.contextmanager
    def open_read(cls, path: str | os.PathLike[str] | None = None) -> Iterator["Workspace"]:
        """Open the workspace read-only (never blocked by a writer; sees the last committed state).

        Raises
        ------
        WorkspaceError
            When there is no workspace at ``path`` or it is not a ccom workspace.
        """
        real = resolve_workspace(path)
        if not real.exists():
            raise WorkspaceError(f"no workspace at {real}: run `ccom init` or `ccom demo` first")
        try:
            con = duckdb.connect(str(real), read_only=True)
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise WorkspaceLockedError(
                    f"workspace {real} is locked by a program outside ccom "
                    f"({_first_line(exc)}); close it and retry") from None
            raise WorkspaceError(f"cannot open workspace {real}: {_first_line(exc)}") from None
        except duckdb.Error as exc:
            raise WorkspaceError(f"cannot open workspace {real}: {_first_line(exc)}") from None
        ws = cls(real, con, writable=False)
        try:
            ws._check_meta()
            yield ws
        finally:
            con.close()

    @classmethod
    @contextlib.contextmanager
    def open_write(
        cls, path: str | os.PathLike[str] | None = None, purpose: str = "write", create: bool = False
    ) -> Iterator["Workspace"]:
        """Open the workspace for writing: lock, work on a copy, swap it in atomically on success.

        Parameters
        ----------
        path : path-like, optional
            See :func:`resolve_workspace`.
        purpose : str
            Shown to other writers that find the workspace locked (e.g. ``"ingest calls.csv"``).
        create : bool
            Create (and :meth:`init`) the workspace when the file does not exist.

        Raises
        ------
        WorkspaceLockedError
            Another process is writing.
        WorkspaceError
            No workspace at ``path`` (and ``create`` is false), or it is not a ccom workspace.
        """
        real = resolve_workspace(path)
        with stage(real, purpose, create=create) as tmp:
            is_new = not tmp.exists()
            try:
                con = duckdb.connect(str(tmp))
            except duckdb.Error as exc:
                raise WorkspaceError(f"cannot open workspace {real}: {_first_line(exc)}") from None
            try:
                # Bounded memory: a 1 GB file loads within about this much RAM (it spills to a
                # temporary directory next to the copy). CCOM_MEMORY_LIMIT overrides it.
                limit = os.environ.get(ENV_MEMORY_LIMIT) or DEFAULT_MEMORY_LIMIT
                try:
                    con.execute(f"SET memory_limit = {_lit(limit)}")
                except duckdb.Error as exc:
                    raise WorkspaceError(f"{ENV_MEMORY_LIMIT}={limit!r} is not a memory size "
                                         f"DuckDB understands ({_first_line(exc)})") from None
                ws = cls(real, con, writable=True)
                if is_new:
                    ws.init()
                else:
                    ws._check_meta()
                    if ws._needs_migration():
                        ws.init()
                yield ws
                con.execute("CHECKPOINT")
            finally:
                con.close()

    def _check_meta(self) -> None:
        try:
            row = self._con.execute("SELECT max(schema_version) FROM _ccom_meta").fetchall()[0]
        except duckdb.CatalogException:
            raise WorkspaceError(
                f"{self.path} is not a ccom workspace (no _ccom_meta table): "
                "run `ccom init` on a new path") from None
        version = row[0] if row else None
        if version is not None and version > SCHEMA_VERSION:
            raise WorkspaceError(
                f"{self.path} has workspace schema version {version}, newer than this ccomkit "
                f"understands ({SCHEMA_VERSION}): upgrade ccomkit")

    def _needs_migration(self) -> bool:
        """True when the workspace lacks the salt or a contract column (made by an older ccomkit)."""
        have = set(self._con.execute(
            "SELECT table_name || '.' || column_name FROM information_schema.columns "
            "WHERE table_schema = 'main'").fetchall())
        have = {r[0] for r in have}
        need = {f"{t.name}.{c}" for t in TABLES.values() for c in [*t.column_names, _LOAD_COL]}
        if not need <= have or "_ccom_secret.salt" not in have:
            return True
        return not self._con.execute("SELECT count(*) FROM _ccom_secret").fetchall()[0][0]

    @property
    def salt(self) -> str:
        """The workspace's secret salt: the key of customer hashes and agent codes.

        Created with the workspace (``_ccom_secret``) and never changed, so hashes and codes are
        stable for its whole life. See :mod:`ccomkit.privacy`.

        Raises
        ------
        WorkspaceError
            A workspace from an older ccomkit opened read-only (any write adds the salt).
        """
        try:
            rows = self._con.execute("SELECT salt FROM _ccom_secret LIMIT 1").fetchall()
        except duckdb.CatalogException:
            rows = []
        if not rows or not rows[0][0]:
            raise WorkspaceError(
                f"{self.path} has no salt yet (made by an older ccomkit): open it for writing "
                "once, e.g. `ccom init`, to add one")
        return str(rows[0][0])

    def _require_writable(self, what: str) -> None:
        if not self.writable:
            raise WorkspaceError(f"{what} needs a workspace opened with Workspace.open_write")

    # ---------------------------------------------------------------- set-up

    def init(self, kind: str | None = None, salt: str | None = None) -> None:
        """Create the 13 contract tables and the meta tables (idempotent; also migrates).

        A workspace made by an older ccomkit gets what it lacks: contract columns added since
        (NULL in existing rows) and the ``_ccom_secret`` salt.
        :meth:`open_write` runs this on every existing workspace.

        Parameters
        ----------
        kind : str, optional
            What the workspace holds, e.g. ``"user"`` or ``"demo"``; recorded in ``_ccom_meta``
            (default ``"user"`` for a new workspace; an existing kind is kept unless given).
        salt : str, optional
            The salt for a workspace that has none yet (default a fresh random one; see
            :mod:`ccomkit.privacy`). An existing salt is never changed.
        """
        self._require_writable("init")
        con = self._con
        con.execute("BEGIN")
        try:
            for ddl in _META_DDL:
                con.execute(ddl)
            for t in TABLES.values():
                con.execute(t.ddl())
                have = set(relation_types(con, _q(t.name)))
                for c in t.columns:  # columns added to a contract since the workspace was made
                    if c.name not in have:
                        con.execute(f"ALTER TABLE {_q(t.name)} ADD COLUMN {_q(c.name)} {c.sql_type}")
                if _LOAD_COL not in have:
                    con.execute(f"ALTER TABLE {_q(t.name)} ADD COLUMN {_LOAD_COL} BIGINT")
            if not con.execute("SELECT count(*) FROM _ccom_secret").fetchall()[0][0]:
                con.execute("INSERT INTO _ccom_secret VALUES (?, ?)",
                            [salt or new_salt(), dt.datetime.now().replace(microsecond=0)])
            n = con.execute("SELECT count(*) FROM _ccom_meta").fetchall()[0][0]
            if n == 0:
                from ccomkit import __version__ as ver  # noqa: PLC0415

                con.execute("INSERT INTO _ccom_meta VALUES (?, ?, ?, ?)",
                            [SCHEMA_VERSION, dt.datetime.now().replace(microsecond=0),
                             kind or "user", str(ver)])
            elif kind is not None:
                con.execute("UPDATE _ccom_meta SET kind = ?", [kind])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    @property
    def kind(self) -> str | None:
        """What the workspace holds (``"user"`` or ``"demo"``), from ``_ccom_meta``."""
        try:
            rows = self._con.execute("SELECT kind FROM _ccom_meta LIMIT 1").fetchall()
        except duckdb.CatalogException:
            return None
        return rows[0][0] if rows else None

    def reset(self, kind: str) -> None:
        """Drop every table and start empty as ``kind`` (used to rebuild the demo workspace).

        Inside :meth:`open_write` this is as atomic as any write: until the swap, readers see the
        old content, and a failure leaves it in place.
        """
        self._require_writable("reset")
        con = self._con
        try:
            salt: str | None = self.salt  # kept: codes in earlier reports stay valid
        except WorkspaceError:
            salt = None
        names = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
            " AND table_type = 'BASE TABLE'").fetchall()]
        for name in names:
            con.execute(f"DROP TABLE {_q(name)}")
        self.init(kind=kind, salt=salt)

    # ---------------------------------------------------------------- loading

    def ingest(
        self,
        file: str | os.PathLike[str],
        table: str,
        profile: str | os.PathLike[str] | Profile | None = None,
        strict: bool = False,
        sheet: str | None = None,
    ) -> IngestReport:
        """Load a CSV or XLSX file into ``table``: all or nothing, bad rows to quarantine.

        Parameters
        ----------
        file : path-like
            ``.csv`` / ``.txt`` / ``.tsv`` (UTF-8, UTF-8 with BOM, or GBK/GB18030; delimiter
            ``,`` ``;`` TAB or ``|``, detected) or ``.xlsx`` (values, not formulas).
        table : str
            A contract table name.
        profile : str, path or Profile, optional
            Column-map profile (shipped name or YAML path). Without one, headers must match the
            contract column names (case-insensitively).
        strict : bool
            Reject the whole file when any row breaks a rule (nothing is loaded).
        sheet : str, optional
            XLSX sheet name (default the first sheet).

        Returns
        -------
        IngestReport

        Raises
        ------
        IngestError
            Unreadable file, unknown encoding, required columns missing after mapping.
        SchemaError
            ``strict`` and some row breaks the contract (the message lists every rule).
        """
        self._require_writable("ingest")
        src = Path(file)
        try:
            t = get_table(table)
        except ParameterError as exc:
            raise IngestError(f"{src.name}: cannot load into table {table!r}: {exc}", file=str(src),
                              table=str(table)) from None
        try:
            return self._ingest(src, t, profile, strict, sheet)
        except IngestError as exc:
            # Every refusal names the file and the table, on one line.
            msg = " ".join(str(exc).split("\n"))
            if f"{t.name}" in msg:
                raise
            raise IngestError(f"{msg} (loading into {t.name})", file=str(src), table=t.name) from None

    def _ingest(self, src: Path, t: Table, profile: str | os.PathLike[str] | Profile | None,
                strict: bool, sheet: str | None) -> IngestReport:
        started = time.perf_counter()
        started_at = dt.datetime.now()
        if not src.is_file():
            raise IngestError(f"{src}: no such file", file=str(src), table=t.name)
        prof = load_profile(profile) if profile is not None else None
        if prof is not None and prof.tables and t.name not in prof.tables:
            raise IngestError(
                f"{src.name}: profile {prof.name!r} has no mapping for table {t.name} "
                f"(it maps: {', '.join(prof.tables)})", file=str(src), table=t.name)
        tmap = prof.for_table(t.name) if prof else None
        suffix = src.suffix.lower()
        if suffix in (".xls", ".xlsm", ".xlsb", ".ods"):
            raise IngestError(f"{src.name}: {suffix} files are not supported; save as .xlsx or .csv",
                              file=str(src), table=t.name)
        is_xlsx = suffix == ".xlsx"
        t_scan = time.perf_counter()
        scan = _scan_file(src, text_checks=not is_xlsx)
        scan_s = time.perf_counter() - t_scan
        prior = self._con.execute(
            "SELECT load_id FROM _ccom_load WHERE table_name = ? AND file_sha256 = ? "
            "ORDER BY load_id LIMIT 1", [t.name, scan.sha256]).fetchall()
        if prior:
            return IngestReport(
                file=src.name, table=t.name, profile=prof.name if prof else "",
                load_id=int(prior[0][0]), sha256=scan.sha256, rows_read=0, rows_loaded=0,
                rows_quarantined=0, rows_existing=0, already_loaded=True,
                messages=[f"{src.name}: already loaded into {t.name} (load {prior[0][0]}); "
                          "nothing added"],
                elapsed_s=time.perf_counter() - started)
        con = self._con
        cleanup: list[Path] = []
        registered: list[str] = []
        self._registered = registered
        try:
            if is_xlsx:
                arrow = _read_xlsx(
                    src, sheet, probe=lambda hs: _map_headers(t, hs, tmap).missing, table=t.name,
                    fallback_hint=lambda hs: _profile_hint(t, hs, prof.name if prof else None))
                con.register("_ccom_xlsx", arrow)
                registered.append("_ccom_xlsx")
                con.execute("CREATE OR REPLACE TEMP VIEW _ccom_raw AS SELECT * FROM _ccom_xlsx")
                headers = [h for h in arrow.column_names if h != "_line"]
                mapping = self._mapping_or_raise(t, headers, tmap, prof, src)
                sources = ["_ccom_xlsx"]
                line_mode = "col"
                has_line = True
            else:
                csv_src = self._stage_csv(src, scan, cleanup, registered)
                headers = csv_src.headers
                mapping = self._mapping_or_raise(t, headers, tmap, prof, src, csv_src=csv_src)
                types = {h: "VARCHAR" for h in headers}
                wanted: dict[str, set[str]] = {}
                for col, h in mapping.direct.items():
                    dtype = t.column(col).dtype
                    wanted.setdefault(h, set()).add({"int": "BIGINT", "float": "DOUBLE",
                                                     "timestamp": "TIMESTAMP", "date": "DATE"}
                                                    .get(dtype, "VARCHAR"))
                for h, kinds in wanted.items():
                    if len(kinds) == 1 and h not in mapping.text_only:
                        types[h] = kinds.pop()
                # Fast path first: numbers parsed by the CSV reader; if any value does not parse,
                # fall back to text (the contract engine then names every bad value).
                sources = [csv_src.read_sql(types)] if any(v != "VARCHAR" for v in types.values()) else []
                sources.append(csv_src.read_sql(None))
                if scan.has_quote:
                    sources.append(csv_src.read_sql(None, parallel=False))
                line_mode = csv_src
                has_line = False
            stage_s = time.perf_counter() - t_scan - scan_s
            used = set(mapping.direct.values()) | {
                h for h in headers if any(f"r.{_q(h)}" in e for e in mapping.exprs.values())}
            ignored = [h for h in headers if h not in used and not h.startswith("column")]
            report = self._load_staged(
                t, mapping.exprs, headers, sources=sources, has_line=has_line, line_mode=line_mode,
                label=src.name, file_path=str(src.resolve()), sha256=scan.sha256,
                profile=prof.name if prof else "", strict=strict, started=started,
                started_at=started_at)
            self.last_timings = {"scan_s": scan_s, "stage_s": stage_s, **self.last_timings}
            if ignored:  # said, never silently dropped
                report.messages.append(
                    f"{src.name}: column{'s' if len(ignored) > 1 else ''} not in the contract of "
                    f"{t.name}, ignored: {', '.join(ignored)}")
            return report
        finally:
            for name in registered:
                with contextlib.suppress(duckdb.Error):
                    con.unregister(name)
            with contextlib.suppress(duckdb.Error):
                con.execute("DROP VIEW IF EXISTS _ccom_raw")
            for p in cleanup:
                p.unlink(missing_ok=True)

    def _mapping_or_raise(self, t: Table, headers: list[str], tmap: TableMap | None,
                          prof: Profile | None, src: Path, csv_src: "_CsvSource | None" = None
                          ) -> "_Mapping":
        mapping = _map_headers(t, headers, tmap)
        if csv_src is not None and csv_src.duplicates:
            used = {normalise_header(h) for h in mapping.direct.values()} | {
                normalise_header(h) for h in headers
                if any(f"r.{_q(h)}" in e for e in mapping.exprs.values())}
            for name, cols in csv_src.duplicates.items():
                if normalise_header(name) in used:
                    raise IngestError(
                        f"{src.name}: cannot load into {t.name}: column {name} appears "
                        f"{len(cols)} times in the header (line 1, columns "
                        f"{', '.join(map(str, cols))}); keep one and retry",
                        file=str(src), table=t.name)
        if mapping.missing:
            hint = ""
            if csv_src is not None:
                hint = _delimiter_hint(t, headers, tmap, mapping.missing)
                if not hint:
                    hint = self._header_row_hint(t, tmap)
            raise IngestError(
                f"{src.name}: cannot load into {t.name}: missing required column"
                f"{'s' if len(mapping.missing) > 1 else ''} {', '.join(mapping.missing)} "
                f"in the header on line 1 (found headers: {', '.join(headers) or 'none'})"
                + (hint or _profile_hint(t, headers, prof.name if prof else None)),
                file=str(src), table=t.name)
        return mapping

    def _header_row_hint(self, t: Table, tmap: TableMap | None) -> str:
        """'; line N holds the headers' when a row below line 1 maps every required column."""
        try:
            rows = self._con.execute(
                "SELECT * FROM _ccom_raw ORDER BY _line LIMIT 10").fetchall()
            names = [d[0] for d in self._con.description]
        except duckdb.Error:
            return ""
        li = names.index("_line")
        for row in rows:
            values = [str(v) for i, v in enumerate(row) if i != li and v is not None]
            if values and not _map_headers(t, values, tmap).missing:
                n = int(row[li])
                return (f"; line {n} holds the headers of {t.name}: delete the "
                        f"line{'s' if n > 2 else ''} above it (a title or merged header row)")
        return ""

    def _stage_csv(self, src: Path, scan: _Scan, cleanup: list[Path], registered: list[str]
                   ) -> "_CsvSource":
        con = self._con
        path = src
        if scan.size_bytes == 0 or scan.blank:
            raise IngestError(f"{src.name}: the file is empty (no header row at line 1)",
                              file=str(src))
        if scan.utf8_cut:
            raise IngestError(
                f"{src.name}: ends inside a UTF-8 character at line {scan.content_lines}: the file "
                "was cut short (truncated); export it again", file=str(src))
        if not scan.utf8:
            fd, tmp_name = tempfile.mkstemp(prefix=".ccom-utf8-", suffix=".csv", dir=self.path.parent)
            os.close(fd)
            path = Path(tmp_name)
            cleanup.append(path)
            if scan.bom:  # Excel's "Unicode text": UTF-16 with a byte-order mark, TAB-separated
                _transcode_gb18030(src, path, "utf-16")
            else:
                _transcode_gb18030(src, path)
        csv_src = _CsvSource(path, _detect_delimiter(path), label=src.name)
        csv_src.duplicates = _duplicate_headers(path, csv_src.delimiter)
        text_scan = csv_src.read_sql(None)
        try:
            con.execute(f"CREATE OR REPLACE TEMP VIEW _ccom_raw AS "
                        f"SELECT row_number() OVER () + 1 AS _line, * FROM {text_scan}")
            csv_src.headers = [h for h in relation_types(con, "_ccom_raw") if h != "_line"]
        except duckdb.Error as exc:
            line = _open_quote_line(path, csv_src.delimiter) if scan.has_quote else None
            if line is not None:
                raise IngestError(
                    f"{src.name}: line {line} opens a quoted field (\") that never closes: the file "
                    "was cut short (truncated) or a quote is missing", file=str(src)) from None
            raise IngestError(f"{src.name}: cannot be read as CSV ({_first_line(exc)})",
                              file=str(src)) from None
        # Row i is on line i + 1 unless a quoted field spans lines or blank lines are skipped:
        # _load_staged compares the rows read with the content lines and numbers exactly if not.
        csv_src.expected_lines = scan.content_lines
        return csv_src

    def load_frame(self, table: str, frame: pd.DataFrame, source: str, strict: bool = False
                   ) -> IngestReport:
        """Load an in-memory frame through the same validation, quarantine and idempotency path.

        The frame is handed to DuckDB as Arrow (no Python loop per row). Quarantine ``line`` is
        the 0-based row position in ``frame``. Columns the contract does not declare are ignored.

        Raises
        ------
        SchemaError
            A required column is missing, or ``strict`` and some row breaks the contract.
        """
        self._require_writable("load_frame")
        started = time.perf_counter()
        started_at = dt.datetime.now()
        t = get_table(table)
        missing = [c for c in t.required_columns if c not in frame.columns]
        if missing:
            raise SchemaError(
                f"{source}: cannot load into {t.name}: missing required column"
                f"{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                f"(has: {', '.join(map(str, frame.columns)) or 'none'})",
                table=t.name, column=missing[0])
        keep = [c for c in t.column_names if c in frame.columns]
        arrow = _frame_to_arrow(frame, keep)
        con = self._con
        con.register("_ccom_frame", arrow)
        try:
            con.execute("CREATE OR REPLACE TEMP VIEW _ccom_raw AS SELECT * FROM _ccom_frame")
            exprs = {c: f"r.{_q(c)}" for c in keep}
            return self._load_staged(
                t, exprs, keep, sources=["_ccom_frame"], has_line=True,
                line_mode="col", label=source, file_path=None,
                sha256=None, profile="", strict=strict, started=started, started_at=started_at)
        finally:
            with contextlib.suppress(duckdb.Error):
                con.execute("DROP VIEW IF EXISTS _ccom_raw")
            con.unregister("_ccom_frame")

    def _load_staged(
        self, t: Table, exprs: dict[str, str], headers: list[str], *, sources: list[str],
        has_line: bool, line_mode: "str | _CsvSource", label: str, file_path: str | None, sha256: str | None,
        profile: str, strict: bool, started: float, started_at: dt.datetime,
    ) -> IngestReport:
        """Validate a staged source and load it into ``t``.

        ``sources`` are FROM-able relations to try in order (a typed fast read, then text);
        ``_ccom_raw`` is the same rows as text with ``_line`` (read again only for failing rows);
        ``line_mode`` says where ``_line`` comes from: a column of the source (``"col"``), the
        row position + 2 (``"rowid"``: header on line 1, one line per record) or the exact
        record start lines registered as ``_ccom_lines`` (``"lines"``). Checks run before the transaction;
        every change to the workspace happens in one transaction.
        """
        con = self._con
        tq = _q(t.name)
        for m in _MACROS:
            con.execute(m)
        # DuckDB plans an IN list (allowed codes) as a parallel hash MARK join, which does not keep
        # the source order; line numbers come from that order (rowid of _ccom_checked), so a large
        # file got wrong line numbers in its quarantine. The IN lists stay scalar filters.
        con.execute("SET disabled_optimizers = 'in_clause'")
        # Customer identifiers become salted keys before anything else sees them (the table, the
        # quarantine's reasons and raw rows): raw values never reach the workspace.
        hashed = [c.name for c in t.columns if c.hash_at_ingest and c.name in exprs]
        hashed_headers: set[str] = set()
        if hashed:
            self._register_hash_udf()
            for c in hashed:
                hashed_headers |= {h for h in headers if f"r.{_q(h)}" in exprs[c]}
                exprs = {**exprs, c: f"ccom_ck(CAST({exprs[c]} AS VARCHAR))"}
        mapped_cols = ", ".join(f"{e} AS {_q(c)}" for c, e in exprs.items())
        line_sel = "r._line, " if has_line else ""
        last_exc: duckdb.Error | None = None
        src_types: dict[str, str] = {}
        timings: dict[str, float] = {}
        self.last_timings = timings
        t0 = time.perf_counter()
        # Stable: this process holds the workspace's write lock.
        load_id = int(con.execute("SELECT coalesce(max(load_id), 0) + 1 FROM _ccom_load")
                      .fetchall()[0][0])
        for source in sources:
            try:
                con.execute(f"CREATE OR REPLACE TEMP VIEW _ccom_mapped AS "
                            f"SELECT {line_sel}{mapped_cols or 'NULL AS _none'} FROM {source} r")
                src_types = relation_types(con, "_ccom_mapped")
                src_types.pop("_line", None)
                src_types.pop("_none", None)
                # A real (not TEMP) table of the working copy: when the target table is empty
                # it is adopted as the target (rename), so the rows are written only once.
                con.execute(
                    f"CREATE OR REPLACE TABLE _ccom_checked AS SELECT *, {int(load_id)}::BIGINT AS "
                    f"{_LOAD_COL} FROM (" + typed_select(
                        t, src_types, "_ccom_mapped", row_col="_line" if has_line else None,
                        check_duplicates=False) + ")")
                last_exc = None
                break
            except duckdb.Error as exc:
                last_exc = exc
        if last_exc is not None:
            raise IngestError(f"{label}: cannot be read into {t.name} ({_first_line(last_exc)})",
                              file=label, table=t.name)
        try:
            timings["validate_s"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            if isinstance(line_mode, _CsvSource):
                csv_src = line_mode
                if "parallel = false" in source and csv_src.line_mode == "rowid":
                    con.execute(f"CREATE OR REPLACE TEMP VIEW _ccom_raw AS SELECT "
                                f"row_number() OVER () + 1 AS _line, * FROM {source}")
                if csv_src.line_mode == "rowid":
                    n_rows = con.execute("SELECT count(*) FROM _ccom_checked").fetchall()[0][0]
                    if n_rows + 1 != csv_src.expected_lines:
                        csv_src.use_exact_lines(con, self._registered, n_rows)
                line_mode = csv_src.line_mode
            n_dups = self._flag_duplicates(t, check_future=sha256 is not None)
            line_sql = {"col": "", "rowid": "c.rowid + 2 AS _line, ", "lines": "l._line, "}[line_mode]
            view = f"SELECT {line_sql}c.*"
            if n_dups:
                view += (" REPLACE (CASE WHEN d._rid IS NULL THEN c._violations ELSE "
                         "list_concat(c._violations, d.codes) END AS _violations)")
            view += " FROM _ccom_checked c"
            if line_mode == "lines":
                view += " JOIN _ccom_lines l ON l._idx = c.rowid"
            if n_dups:
                view += " LEFT JOIN _ccom_dupflag d ON d._rid = c.rowid"
            con.execute(f"CREATE OR REPLACE TEMP VIEW _ccom_checkedv AS {view}")
            timings["duplicates_s"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            n_read, n_bad = con.execute(
                "SELECT count(*), count(*) FILTER (WHERE len(_violations) > 0) FROM _ccom_checkedv"
            ).fetchall()[0]
            if n_read == 0 and sha256 is not None:
                raise IngestError(
                    f"{label}: has a header but no data rows (nothing from line 2 on): nothing to "
                    "load; was the export cut short?", file=label, table=t.name)
            # Rows whose key is already in the workspace: identical → skip, different → conflict.
            has_rows = con.execute(f"SELECT EXISTS (SELECT 1 FROM {tq})").fetchall()[0][0]
            key_join = " AND ".join(f"c.{_q(k)} = w.{_q(k)}" for k in t.key)
            same = " AND ".join(f"c.{_q(c)} IS NOT DISTINCT FROM w.{_q(c)}" for c in t.column_names)
            con.execute(
                "CREATE OR REPLACE TEMP TABLE _ccom_match (_line BIGINT, same BOOLEAN, "
                "existing_load BIGINT)")
            if has_rows:
                con.execute(
                    f"INSERT INTO _ccom_match SELECT c._line, ({same}), w.{_LOAD_COL} "
                    f"FROM _ccom_checkedv c JOIN {tq} w ON {key_join} WHERE len(c._violations) = 0")
            n_existing, n_conflict = con.execute(
                "SELECT count(*) FILTER (WHERE same), count(*) FILTER (WHERE NOT same) "
                "FROM _ccom_match").fetchall()[0]
            messages: list[str] = []
            if n_bad or n_conflict:
                # Text and mapped values of the failing rows only (one more read of the source).
                con.execute(
                    "CREATE OR REPLACE TEMP TABLE _ccom_bad AS SELECT _line, _violations "
                    "FROM _ccom_checkedv WHERE len(_violations) > 0")
                raw_json = ("json_object(" + ", ".join(
                    f"{_lit(h)}, " + (f"ccom_ck(CAST(r.{_q(h)} AS VARCHAR))" if h in hashed_headers
                                      else f"r.{_q(h)}") for h in headers)
                            + ")") if headers else "'{}'"
                con.execute(
                    f"CREATE OR REPLACE TEMP TABLE _ccom_badsrc AS SELECT r._line"
                    f"{', ' + mapped_cols if mapped_cols else ''}, {raw_json} AS _raw_json "
                    "FROM _ccom_raw r WHERE r._line IN (SELECT _line FROM _ccom_bad "
                    "UNION ALL SELECT _line FROM _ccom_match WHERE NOT same)")
                if n_bad:
                    viol = summarise_violations(con, t, "_ccom_bad", src_types, row_col="_line",
                                                source="_ccom_badsrc")
                    res = ValidationResult(t.name, pd.DataFrame(), viol)
                    messages += [f"{label}: {m}" for m in res.messages(row_word="lines")]
                if n_conflict:
                    messages.append(self._conflict_message(t, label, int(n_conflict)))
            n_quar = int(n_bad) + int(n_conflict)
            if strict and messages:
                raise SchemaError(
                    f"{label}: rejected (strict): {n_quar:,} of {n_read:,} rows break the contract "
                    f"of {t.name}; nothing was loaded\n" + "\n".join(messages),
                    table=t.name, column=None)
            cols = ", ".join(_q(c) for c in t.column_names)
            where = "len(c._violations) = 0"
            if n_existing or n_conflict:
                where += " AND c._line NOT IN (SELECT _line FROM _ccom_match)"
            plain = line_mode != "lines" and not n_dups and not (n_existing or n_conflict)
            timings["classify_s"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            adopt = not has_rows and self._prepare_adoption(t, has_line, n_dups)
            con.execute("BEGIN")
            try:
                if adopt:
                    con.execute(f"DROP TABLE {tq}")
                    con.execute(f"ALTER TABLE _ccom_checked RENAME TO {tq}")
                    n_loaded = int(n_read) - int(n_bad)
                else:
                    n_loaded = con.execute(
                        f"INSERT INTO {tq} ({cols}, {_LOAD_COL}) SELECT "
                        f"{', '.join('c.' + _q(c) for c in t.column_names)}, {int(load_id)} "
                        f"FROM {'_ccom_checked' if plain else '_ccom_checkedv'} c "
                        f"WHERE {where}").fetchall()[0][0]
                if n_quar:
                    self._write_quarantine(t, src_types, int(load_id), label)
                con.execute(
                    "INSERT INTO _ccom_load VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'loaded')",
                    [int(load_id), t.name, label, file_path, sha256, profile or None, int(n_read),
                     int(n_loaded), n_quar, int(n_existing), started_at, dt.datetime.now()])
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            timings["load_s"] = time.perf_counter() - t0
        finally:
            for obj in ("_ccom_checked", "_ccom_match", "_ccom_bad", "_ccom_badsrc", "_ccom_msgs",
                        "_ccom_dupflag"):
                with contextlib.suppress(duckdb.Error):
                    con.execute(f"DROP TABLE IF EXISTS {obj}")
            for view in ("_ccom_mapped", "_ccom_checkedv"):
                with contextlib.suppress(duckdb.Error):
                    con.execute(f"DROP VIEW IF EXISTS {view}")
        return IngestReport(
            file=label, table=t.name, profile=profile, load_id=int(load_id), sha256=sha256,
            rows_read=int(n_read), rows_loaded=int(n_loaded), rows_quarantined=n_quar,
            rows_existing=int(n_existing), already_loaded=False, messages=messages,
            elapsed_s=time.perf_counter() - started)

    def _register_hash_udf(self) -> None:
        """``ccom_ck(text)``: :func:`ccomkit.privacy.customer_key` with this workspace's salt,
        as a vectorised (Arrow) function on this connection."""
        if getattr(self, "_hash_udf", False):
            return
        salt = self.salt.encode("utf-8")

        def ccom_ck(values: pa.Array) -> pa.Array:
            cache: dict[str, str | None] = {}
            out = []
            for v in values.to_pylist():
                if v is None:
                    out.append(None)
                    continue
                k = cache.get(v)
                if k is None and v not in cache:
                    k = cache[v] = customer_key(v, salt)
                out.append(k)
            return pa.array(out, type=pa.string())

        self._con.create_function("ccom_ck", ccom_ck, [duckdb.sqltype("VARCHAR")],
                                  duckdb.sqltype("VARCHAR"), type="arrow")
        self._hash_udf = True

    def _prepare_adoption(self, t: Table, has_line: bool, n_dups: int) -> bool:
        """Turn the staged ``_ccom_checked`` into exactly the target's layout (failing rows
        deleted, helper columns dropped) so that it can replace the empty target table."""
        con = self._con
        layout = "SELECT column_name, column_type FROM (DESCRIBE {})"
        target = [r[0] for r in con.execute(layout.format(_q(t.name))).fetchall()]
        if target != [*t.column_names, _LOAD_COL]:
            return False  # migrated from an older workspace (new columns after _load_id): insert
        con.execute("DROP VIEW IF EXISTS _ccom_checkedv")
        cond = "len(_violations) > 0"
        if n_dups:
            cond += " OR rowid IN (SELECT _rid FROM _ccom_dupflag)"
        con.execute(f"DELETE FROM _ccom_checked WHERE {cond}")
        con.execute("ALTER TABLE _ccom_checked DROP COLUMN _violations")
        if has_line:
            con.execute("ALTER TABLE _ccom_checked DROP COLUMN _line")
        same = (con.execute(layout.format("_ccom_checked")).fetchall()
                == con.execute(layout.format(_q(t.name))).fetchall())
        if not same:  # pragma: no cover - the engine's types are the contract's types
            raise WorkspaceError(f"internal: staged rows of {t.name} do not match its layout")
        return True

    def _flag_duplicates(self, t: Table, check_future: bool = False) -> int:
        """The row rules that look across rows, on the materialised rows: listed in
        ``_ccom_dupflag(_rid, codes)``. Returns how many rows are flagged.

        * duplicate keys: the second and later occurrence of a key (in source order). An
          aggregate over the key columns only, instead of a window over wide rows;
        * overlapping periods (``t.span``): a row starting before an earlier-starting row of the
          same group has ended, in this file or among the rows already loaded (checked only
          when interval lengths are mixed, or for tables without a grid: on one grid, distinct
          starts cannot overlap);
        * with ``check_future`` (files), actuals dated after tomorrow (``t.not_future``).
        """
        con = self._con
        keys = ", ".join(_q(k) for k in t.key)
        present = " AND ".join(f"{_q(k)} IS NOT NULL" for k in t.key)
        on = " AND ".join(f"c.{_q(k)} = d.{_q(k)}" for k in t.key)
        # Group a 64-bit hash of the key first (a fixed-width key is far cheaper to aggregate than
        # text + timestamp), then confirm on the real key columns of the few candidate rows.
        parts = [
            f"WITH h AS (SELECT hash({keys}) AS _h FROM _ccom_checked WHERE {present} "
            f"GROUP BY _h HAVING count(*) > 1), "
            f"c AS (SELECT rowid AS _rid, {keys} FROM _ccom_checked WHERE {present} "
            f"AND hash({keys}) IN (SELECT _h FROM h)), "
            f"d AS (SELECT {keys}, min(_rid) AS _first FROM c GROUP BY {keys} HAVING count(*) > 1) "
            f"SELECT c._rid, {_lit(t.key[0] + '|duplicate_key')} AS code "
            f"FROM c JOIN d ON {on} WHERE c._rid > d._first"]
        if t.span is not None:
            parts += self._overlap_sql(t)
        if check_future and t.not_future:
            tomorrow = _lit((dt.date.today() + dt.timedelta(days=1)).isoformat())
            for col in t.not_future:
                parts.append(f"SELECT rowid AS _rid, {_lit(col + '|future')} AS code "
                             f"FROM _ccom_checked WHERE CAST({_q(col)} AS DATE) > DATE {tomorrow}")
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _ccom_dupflag AS SELECT _rid, list(code ORDER BY code) "
            "AS codes FROM (" + " UNION ALL ".join(f"({p})" for p in parts) + ") GROUP BY _rid")
        return int(con.execute("SELECT count(*) FROM _ccom_dupflag").fetchall()[0][0])

    def _overlap_sql(self, t: Table) -> list[str]:
        """SELECTs of (_rid, code) for rows that overlap another row of their group."""
        con = self._con
        assert t.span is not None
        start, end = t.span
        g = ", ".join(_q(c) for c in t.span_group)
        notnull = " AND ".join(f"{_q(c)} IS NOT NULL" for c in (*t.span_group, start))
        code = _lit(start + "|overlap")
        rows = (f"SELECT rowid AS _rid, {g}, {_q(start)} AS _s, {end} AS _e FROM _ccom_checked "
                f"WHERE len(_violations) = 0 AND {notnull}")
        out = []
        mixed_in_file = True
        if t.grid_column:
            mixed_in_file = con.execute(
                "SELECT count(DISTINCT interval_min) > 1 FROM _ccom_checked "
                "WHERE len(_violations) = 0").fetchall()[0][0]
        if mixed_in_file:
            out.append(
                f"WITH s AS ({rows}), k AS (SELECT {g}, _s, max(_e) AS _e FROM s GROUP BY ALL), "
                f"w AS (SELECT {g}, _s, max(_e) OVER (PARTITION BY {g} ORDER BY _s ROWS BETWEEN "
                f"UNBOUNDED PRECEDING AND 1 PRECEDING) AS _pe FROM k) "
                f"SELECT s._rid, {code} AS code FROM s JOIN w USING ({g}, _s) WHERE w._pe > s._s")
        tq = _q(t.name)
        if not con.execute(f"SELECT EXISTS (SELECT 1 FROM {tq})").fetchall()[0][0]:
            return out
        if t.grid_column and not con.execute(
                f"SELECT count(*) > 1 FROM (SELECT DISTINCT interval_min FROM {tq} UNION "
                "SELECT DISTINCT interval_min FROM _ccom_checked WHERE len(_violations) = 0)"
                ).fetchall()[0][0]:
            return out
        on = " AND ".join(f"w.{_q(c)} = s.{_q(c)}" for c in t.span_group)
        # Only loaded rows near the file's time span can overlap (segments are at most 16 h,
        # intervals at most 60 min): a zone-map-friendly filter keeps the join small.
        out.append(
            f"WITH s AS ({rows}), b AS (SELECT min(_s) - INTERVAL 1 DAY AS lo, max(_e) AS hi "
            f"FROM s), w AS (SELECT {g}, {_q(start)} AS _s, {end} AS _e FROM {tq} "
            f"WHERE {_q(start)} >= (SELECT lo FROM b) AND {_q(start)} < (SELECT hi FROM b)) "
            f"SELECT DISTINCT s._rid, {code} AS code FROM s JOIN w ON {on} "
            "AND w._s < s._e AND s._s < w._e AND w._s <> s._s")
        return out

    def _conflict_message(self, t: Table, label: str, n_conflict: int) -> str:
        rows = self._con.execute(
            "SELECT m._line, l.file_name FROM _ccom_match m LEFT JOIN _ccom_load l "
            "ON l.load_id = m.existing_load WHERE NOT m.same ORDER BY m._line LIMIT 5").fetchall()
        files = sorted({r[1] or "an earlier load" for r in rows})
        lines = [int(r[0]) for r in rows]
        more = ", …" if n_conflict > len(lines) else ""
        return (f"{label}: {t.name} ({', '.join(t.key)}) {n_conflict:,} row"
                f"{'s conflict' if n_conflict != 1 else ' conflicts'} with the row"
                f"{'s' if n_conflict != 1 else ''} already loaded from {', '.join(files)}, first at "
                f"lines {lines}{more}: quarantined, not overwritten")

    def _write_quarantine(self, t: Table, src_types: dict[str, str], load_id: int, label: str) -> None:
        con = self._con
        msgs = rule_messages(t, src_types)
        con.execute("CREATE OR REPLACE TEMP TABLE _ccom_msgs (code VARCHAR, col VARCHAR, msg VARCHAR)")
        con.executemany("INSERT INTO _ccom_msgs VALUES (?, ?, ?)",
                        [[code, code.split("|", 1)[0], msg] for code, msg in msgs.items()])
        value_of = "CASE m.col " + " ".join(
            f"WHEN {_lit(c)} THEN CAST(s.{_q(c)} AS VARCHAR)" for c in src_types) + " END" \
            if src_types else "NULL"
        reasons = (f"m.col || ' ' || m.msg || ' (value ' || coalesce('''' || ({value_of}) || '''', "
                   "'empty') || ')'")
        key_text = " || ', ' || ".join(
            f"{_lit(k + '=')} || coalesce(CAST(s.{_q(k)} AS VARCHAR), 'empty')"
            for k in t.key if k in src_types) or "''"
        con.execute(
            f"""
            INSERT INTO _ccom_quarantine
            SELECT {load_id}, {_lit(t.name)}, {_lit(label)}, q._line, q.reasons, s._raw_json
            FROM (
              SELECT b._line, string_agg({reasons}, '; ' ORDER BY b.i) AS reasons
              FROM (SELECT _line, unnest(_violations) AS code,
                           generate_subscripts(_violations, 1) AS i FROM _ccom_bad) b
              JOIN _ccom_msgs m USING (code) JOIN _ccom_badsrc s USING (_line)
              GROUP BY b._line
              UNION ALL
              SELECT x._line, 'conflicts with the row already loaded from '
                     || coalesce(l.file_name, 'an earlier load') || ' (' || {key_text} || ')'
              FROM _ccom_match x JOIN _ccom_badsrc s USING (_line)
              LEFT JOIN _ccom_load l ON l.load_id = x.existing_load
              WHERE NOT x.same
            ) q JOIN _ccom_badsrc s USING (_line)
            ORDER BY q._line
            """)

    # ---------------------------------------------------------------- reading

    def read(self, table: str, columns: list[str] | None = None, where: str | None = None,
             params: list[Any] | None = None) -> pd.DataFrame:
        """Rows of a contract table, ordered by its key, typed like :meth:`Table.empty_frame`.

        Parameters
        ----------
        table : str
        columns : list of str, optional
            Contract columns to return (default all).
        where : str, optional
            A SQL condition over the table's columns, e.g. ``"queue_id = ?"`` with ``params``.
        """
        t = get_table(table)
        cols = list(columns) if columns is not None else t.column_names
        unknown = [c for c in cols if c not in t.column_names]
        if unknown:
            raise SchemaError(f"{t.name} has no column{'s' if len(unknown) > 1 else ''} "
                              f"{', '.join(unknown)}", table=t.name, column=unknown[0])
        sql = f"SELECT {self._select_list(t, cols)} FROM {_q(t.name)}"
        if where:
            sql += f" WHERE {where}"
        sql += " ORDER BY " + ", ".join(_q(k) for k in t.key)
        df = self._execute_df(sql, params)
        return _conform(df, t, cols)

    def _select_list(self, t: Table, cols: list[str]) -> str:
        """The columns as SQL; a column added to the contract after an older workspace was made
        (and not yet migrated, e.g. opened read-only) reads as NULL."""
        have = set(relation_types(self._con, _q(t.name)))
        return ", ".join(_q(c) if c in have else f"CAST(NULL AS {t.column(c).sql_type}) AS {_q(c)}"
                         for c in cols)

    def query(self, sql: str, params: list[Any] | dict[str, Any] | None = None) -> pd.DataFrame:
        """Run any SQL against the workspace and return a new DataFrame."""
        return self._execute_df(sql, params)

    def _execute_df(self, sql: str, params: Any = None) -> pd.DataFrame:
        try:
            return self._con.execute(sql, params).df()
        except duckdb.Error as exc:
            raise WorkspaceError(f"query on {self.path} failed: {_first_line(exc)}") from None

    def status(self) -> pd.DataFrame:
        """One row per contract table: rows, quarantined rows, time and file of the last load."""
        counts = " UNION ALL ".join(
            f"SELECT {_lit(name)} AS table_name, {i} AS ord, count(*) AS n FROM {_q(name)}"
            for i, name in enumerate(TABLES))
        return self._con.execute(
            f"""
            WITH c AS ({counts}),
            q AS (SELECT table_name, count(*) AS n FROM _ccom_quarantine GROUP BY table_name),
            l AS (SELECT table_name, finished_at, file_name,
                         row_number() OVER (PARTITION BY table_name ORDER BY finished_at DESC,
                                            load_id DESC) AS rk
                  FROM _ccom_load)
            SELECT c.table_name AS "table", c.n AS rows, coalesce(q.n, 0) AS quarantined,
                   l.finished_at AS last_load_at, l.file_name AS last_file
            FROM c LEFT JOIN q USING (table_name) LEFT JOIN l ON l.table_name = c.table_name
                   AND l.rk = 1
            ORDER BY c.ord
            """).df()

    def loads(self) -> pd.DataFrame:
        """The load log (``_ccom_load``), newest first."""
        return self._con.execute("SELECT * FROM _ccom_load ORDER BY load_id DESC").df()

    def quarantine(self, table: str | None = None, load_id: int | None = None) -> pd.DataFrame:
        """Quarantined rows: load_id, table_name, source_file, line, reasons, raw_row (JSON)."""
        conds, params = [], []
        if table is not None:
            conds.append("table_name = ?")
            params.append(get_table(table).name)
        if load_id is not None:
            conds.append("load_id = ?")
            params.append(int(load_id))
        where = (" WHERE " + " AND ".join(conds)) if conds else ""
        return self._con.execute(
            f"SELECT * FROM _ccom_quarantine{where} ORDER BY load_id, line", params).df()

    # ---------------------------------------------------------------- records

    def write_records(self, name: str, frame: pd.DataFrame, key: list[str] | None = None,
                      replace: bool = False) -> int:
        """Save rows that ccomkit itself produces (cycles, run log, coaching records) as a table.

        Record tables are named ``rec_<something>`` so they never collide with a contract table
        or the ``_ccom_*`` meta tables. The first write creates the table from the frame's
        columns; later writes may add columns (new columns are added, missing ones are NULL).
        With ``key``, rows whose key matches an incoming row are replaced (an upsert); with
        ``replace=True`` the whole table is replaced. Like every write it happens on the
        writer's copy, so it lands atomically with the rest of the ``open_write`` block.

        Returns the number of rows written.

        Examples
        --------
        >>> import tempfile, pathlib, pandas as pd
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "ws.duckdb"
        >>> with Workspace.open_write(p, "example", create=True) as ws:
        ...     _ = ws.write_records("rec_note", pd.DataFrame({"id": [1, 2], "text": ["a", "b"]}),
        ...                          key=["id"])
        ...     _ = ws.write_records("rec_note", pd.DataFrame({"id": [2], "text": ["B"]}), key=["id"])
        >>> with Workspace.open_read(p) as ws:
        ...     ws.read_records("rec_note", order_by=["id"])
           id text
        0   1    a
        1   2    B
        """
        self._require_writable("write_records")
        _check_record_name(name)
        if not isinstance(frame, pd.DataFrame):
            raise ParameterError.expected("write_records", "frame", "a pandas DataFrame", frame)
        key = list(key or [])
        missing = [k for k in key if k not in frame.columns]
        if missing:
            raise ParameterError(f"write_records {name}: key column(s) {', '.join(missing)} not in "
                                 "the frame", param="key", value=missing)
        con = self._con
        view = f"_ccom_rec_in_{os.getpid()}"
        con.register(view, frame)
        try:
            exists = bool(con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main' "
                "AND table_name = ?", [name]).fetchall()[0][0])
            if replace and exists:
                con.execute(f"DROP TABLE {_q(name)}")
                exists = False
            if not exists:
                con.execute(f"CREATE TABLE {_q(name)} AS SELECT * FROM {view} LIMIT 0")
            have = {r[0]: r[1] for r in con.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = 'main' AND table_name = ?", [name]).fetchall()}
            incoming = {r[0]: r[1] for r in con.execute(f"DESCRIBE {view}").fetchall()}
            for col, typ in incoming.items():
                if col not in have:
                    con.execute(f"ALTER TABLE {_q(name)} ADD COLUMN {_q(col)} {typ}")
            if key:
                cond = " AND ".join(f"t.{_q(k)} IS NOT DISTINCT FROM v.{_q(k)}" for k in key)
                con.execute(f"DELETE FROM {_q(name)} t WHERE EXISTS "
                            f"(SELECT 1 FROM {view} v WHERE {cond})")
            cols = ", ".join(_q(c) for c in frame.columns)
            con.execute(f"INSERT INTO {_q(name)} ({cols}) SELECT {cols} FROM {view}")
        except duckdb.Error as exc:
            raise WorkspaceError(f"cannot write records to {name} in {self.path}: "
                                 f"{_first_line(exc)}") from None
        finally:
            con.unregister(view)
        return len(frame)

    def read_records(self, name: str, where: str | None = None, params: list[Any] | None = None,
                     order_by: list[str] | None = None) -> pd.DataFrame:
        """Rows of a record table (see :meth:`write_records`); an empty frame if it does not exist yet."""
        _check_record_name(name)
        exists = bool(self._con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main' "
            "AND table_name = ?", [name]).fetchall()[0][0])
        if not exists:
            return pd.DataFrame()
        sql = f"SELECT * FROM {_q(name)}"
        if where:
            sql += f" WHERE {where}"
        if order_by:
            sql += " ORDER BY " + ", ".join(_q(c) for c in order_by)
        return self._execute_df(sql, params)

    def delete_records(self, name: str, where: str, params: list[Any] | None = None) -> int:
        """Delete the rows of a record table matching ``where``; returns how many were deleted."""
        self._require_writable("delete_records")
        _check_record_name(name)
        if not self.read_records(name).columns.size:
            return 0
        try:
            n = self._con.execute(f"SELECT count(*) FROM {_q(name)} WHERE {where}", params
                                  ).fetchall()[0][0]
            self._con.execute(f"DELETE FROM {_q(name)} WHERE {where}", params)
        except duckdb.Error as exc:
            raise WorkspaceError(f"cannot delete from {name} in {self.path}: "
                                 f"{_first_line(exc)}") from None
        return int(n)

    def record_tables(self) -> list[str]:
        """Names of the record tables in the workspace (``rec_*``), sorted."""
        return [r[0] for r in self._con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
            "AND table_name LIKE 'rec\\_%' ESCAPE '\\' ORDER BY table_name").fetchall()]

    def export(self, table: str, out: str | os.PathLike[str]) -> Path:
        """Write a contract table to ``.csv`` (UTF-8, comma, header) or ``.xlsx``, ordered by key.

        Re-ingesting the exported file into a fresh workspace gives the same content.
        """
        t = get_table(table)
        dest = Path(out)
        suffix = dest.suffix.lower()
        cols = self._select_list(t, t.column_names)
        order = ", ".join(_q(k) for k in t.key)
        sql = f"SELECT {cols} FROM {_q(t.name)} ORDER BY {order}"
        dest.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".csv":
            tmp = dest.with_name(f".{dest.name}.tmp-{os.getpid()}")
            try:
                self._con.execute(f"COPY ({sql}) TO {_lit(str(tmp))} "
                                  "(FORMAT csv, HEADER true, DELIMITER ',')")
                os.replace(tmp, dest)
            finally:
                tmp.unlink(missing_ok=True)
            return dest
        if suffix == ".xlsx":
            n = self._con.execute(f"SELECT count(*) FROM {_q(t.name)}").fetchall()[0][0]
            if n > XLSX_MAX_ROWS:
                raise ParameterError(
                    f"{t.name} has {n:,} rows, more than an .xlsx sheet holds "
                    f"({XLSX_MAX_ROWS:,}); export to .csv instead", param="out", value=str(dest))
            import openpyxl

            wb = openpyxl.Workbook(write_only=True)
            ws = wb.create_sheet(t.name)
            ws.append(t.column_names)
            cur = self._con.execute(sql)
            while True:
                batch = cur.fetchmany(10_000)
                if not batch:
                    break
                for row in batch:
                    ws.append(list(row))
            tmp = dest.with_name(f".{dest.name}.tmp-{os.getpid()}.xlsx")
            try:
                wb.save(tmp)
                os.replace(tmp, dest)
            finally:
                tmp.unlink(missing_ok=True)
            return dest
        raise ParameterError.expected("Workspace.export", "out", "a path ending in .csv or .xlsx",
                                      str(dest))


def _check_record_name(name: str) -> None:
    import re  # noqa: PLC0415

    if not isinstance(name, str) or not re.fullmatch(r"rec_[a-z0-9_]{1,60}", name):
        raise ParameterError.expected("record table", "name",
                                      "rec_ followed by lower-case letters, digits or _", name)


def _conform(df: pd.DataFrame, t: Table, cols: list[str]) -> pd.DataFrame:
    out = {}
    for c in cols:
        dtype = PANDAS_DTYPES[t.column(c).dtype]
        s = df[c]
        if dtype == "object":
            s = s.astype(object).where(s.notna(), None)
        else:
            s = s.astype(dtype)
        out[c] = s
    return pd.DataFrame(out, index=pd.RangeIndex(len(df)))


# --------------------------------------------------------------------------------------------
# The single-writer lock
# --------------------------------------------------------------------------------------------


def _acquire_lock(real: Path, purpose: str) -> int:
    lock_path = real.with_name(real.name + ".lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        try:
            info = json.loads(os.pread(fd, 4096, 0).decode("utf-8") or "{}")
        except (ValueError, OSError):
            info = {}
        os.close(fd)
        pid = info.get("pid", "?")
        what = info.get("purpose", "unknown")
        since = str(info.get("started_at", "?"))[11:19] or "?"
        raise WorkspaceLockedError(
            f"workspace {real} is being written by another ccom process (pid {pid}: {what!r}, "
            f"since {since}); try again when it finishes") from None
    payload = json.dumps({"pid": os.getpid(), "purpose": purpose,
                          "started_at": dt.datetime.now().isoformat(timespec="seconds")})
    os.ftruncate(fd, 0)
    os.pwrite(fd, payload.encode("utf-8"), 0)
    return fd


def _release_lock(fd: int) -> None:
    try:
        os.ftruncate(fd, 0)
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
