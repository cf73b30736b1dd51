"""Roster files: the long activity CSV, the team leader's grid (agents × days) in CSV/XLSX, import.

* ``ROSTER.csv`` (the CLI contract): one row per agent activity,
  ``agent_id, start, end, activity, shift_code`` — :func:`write_roster_csv`.
* The team leader's layout: one row per agent, one column per day, each cell
  ``F8 07:00-15:00 B08:15 L11:00 B13:30`` (shift code, span, then each break ``B`` or lunch ``L``
  at its start time) — :func:`roster_grid`, :func:`export_roster` (``.csv`` UTF-8 with BOM so
  Excel opens it, or ``.xlsx`` with the grid, the activities and, when given, the coverage).
* :func:`read_roster` reads either layout back (CSV or XLSX; UTF-8 or GB18030) into the long
  frame that :func:`ccomkit.wfm.roster_check.score_roster` scores — also a roster exported by
  another system in the long layout.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from ccomkit.errors import IngestError, SchemaError
from ccomkit.wfm.roster_rules import RosterRules, load_rules

__all__ = ["write_roster_csv", "roster_grid", "export_roster", "read_roster", "grid_to_roster"]

LONG_COLUMNS = ["agent_id", "start", "end", "activity", "shift_code"]
_ABBR = {"break": "B", "lunch": "L"}
_CELL = re.compile(r"^\s*(?P<code>\S+)\s+(?P<s>\d{1,2}:\d{2})-(?P<e>\d{1,2}:\d{2})(?P<rest>.*)$")
_PAUSE = re.compile(r"([BL])(\d{1,2}:\d{2})(?:\+(\d+))?")


def _long(roster: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in ("agent_id", "start", "end", "activity") if c not in roster.columns]
    if missing:
        raise SchemaError(f"roster is missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
                          table="roster", column=missing[0])
    out = roster.copy()
    if "shift_code" not in out.columns:
        out["shift_code"] = ""
    out["start"] = pd.to_datetime(out["start"])
    out["end"] = pd.to_datetime(out["end"])
    return out.sort_values(["agent_id", "start"], kind="stable").reset_index(drop=True)


def write_roster_csv(roster: pd.DataFrame, path: str | Path) -> Path:
    """Write the long ``ROSTER.csv`` (``agent_id, start, end, activity, shift_code``).

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> r = pd.DataFrame({"agent_id": ["a"], "start": [pd.Timestamp("2026-03-02 08:00")],
    ...                   "end": [pd.Timestamp("2026-03-02 12:00")], "activity": ["work"]})
    >>> p = write_roster_csv(r, pathlib.Path(tempfile.mkdtemp()) / "r.csv")
    >>> p.read_text().splitlines()[1]
    'a,2026-03-02 08:00:00,2026-03-02 12:00:00,work,'
    """
    out = _long(roster)[LONG_COLUMNS].copy()
    for c in ("start", "end"):
        out[c] = out[c].dt.strftime("%Y-%m-%d %H:%M:%S")
    dest = Path(path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        out.to_csv(dest, index=False, encoding="utf-8")
    except OSError as exc:
        raise IngestError(f"{dest}: cannot write the roster ({exc.strerror}).", file=str(dest)) from None
    return dest


def roster_grid(roster: pd.DataFrame, *, agents: pd.DataFrame | None = None) -> pd.DataFrame:
    """The team leader's layout: one row per agent, one column per day (ISO date), cells like
    ``F8 07:00-15:00 B08:15 L11:00 B13:30``; an empty cell is a day off.

    Agents from ``agents`` who have no shift get an all-empty row.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.Timestamp("2026-03-02 08:00")
    >>> h = pd.Timedelta(hours=1)
    >>> r = pd.DataFrame({"agent_id": ["a"] * 3, "activity": ["work", "lunch", "work"],
    ...     "start": [t, t + 3 * h, t + 4 * h], "end": [t + 3 * h, t + 4 * h, t + 8 * h],
    ...     "shift_code": ["D8"] * 3})
    >>> roster_grid(r).to_dict("records")
    [{'agent_id': 'a', '2026-03-02': 'D8 08:00-16:00 L11:00'}]
    """
    from ccomkit.wfm.roster_check import shifts_of

    sh = shifts_of(_long(roster))
    cells: dict[tuple[str, str], str] = {}
    for _, s in sh.iterrows():
        parts = [str(s["shift_code"] or "?"), f"{s['shift_start']:%H:%M}-{s['shift_end']:%H:%M}"]
        for act, off, _ln in s["activities"]:
            if act in _ABBR:
                parts.append(f"{_ABBR[act]}{(s['shift_start'] + pd.Timedelta(minutes=off)):%H:%M}")
        key = (s["agent_id"], s["date"].isoformat())
        cells[key] = (cells[key] + " / " if key in cells else "") + " ".join(parts)
    days = sorted({d for _, d in cells})
    if days:
        rng = pd.date_range(days[0], days[-1], freq="D")
        days = [d.date().isoformat() for d in rng]
    ids = sorted({a for a, _ in cells} | (set(agents["agent_id"].astype(str)) if agents is not None else set()))
    grid = pd.DataFrame({"agent_id": ids})
    for d in days:
        grid[d] = [cells.get((a, d), "") for a in ids]
    return grid


def export_roster(roster: pd.DataFrame, path: str | Path, *, agents: pd.DataFrame | None = None,
                  coverage: pd.DataFrame | None = None) -> Path:
    """Export the team leader's grid: ``.csv`` (UTF-8 with BOM) or ``.xlsx`` (sheets 排班表 roster
    grid, activities, and coverage when given).

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> r = pd.DataFrame({"agent_id": ["a"], "start": [pd.Timestamp("2026-03-02 08:00")],
    ...                   "end": [pd.Timestamp("2026-03-02 12:00")], "activity": ["work"], "shift_code": ["D4"]})
    >>> p = export_roster(r, pathlib.Path(tempfile.mkdtemp()) / "grid.xlsx")
    >>> sorted(pd.read_excel(p, sheet_name=None))
    ['activities', '排班表 roster']
    """
    dest = Path(path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    grid = roster_grid(roster, agents=agents)
    suffix = dest.suffix.lower()
    try:
        if suffix == ".csv":
            grid.to_csv(dest, index=False, encoding="utf-8-sig")
        elif suffix == ".xlsx":
            long = _long(roster)[LONG_COLUMNS]
            with pd.ExcelWriter(dest, engine="openpyxl") as xw:
                grid.to_excel(xw, sheet_name="排班表 roster", index=False)
                long.to_excel(xw, sheet_name="activities", index=False)
                if coverage is not None:
                    coverage.to_excel(xw, sheet_name="coverage", index=False)
                ws = xw.sheets["排班表 roster"]
                ws.freeze_panes = "B2"
                ws.column_dimensions["A"].width = 12
                from openpyxl.utils import get_column_letter

                for i in range(2, grid.shape[1] + 1):
                    ws.column_dimensions[get_column_letter(i)].width = 34
        else:
            raise IngestError(f"{dest}: export to .csv or .xlsx (got {suffix or 'no suffix'}).", file=str(dest))
    except OSError as exc:
        raise IngestError(f"{dest}: cannot write the roster ({exc.strerror}).", file=str(dest)) from None
    return dest


def grid_to_roster(grid: pd.DataFrame, rules: Any) -> pd.DataFrame:
    """Rebuild the long roster from the team leader's grid (break lengths from the rules, or an
    explicit ``+minutes`` after the time, e.g. ``B10:00+15``).

    Examples
    --------
    >>> import pandas as pd
    >>> rules = load_rules("example")
    >>> g = pd.DataFrame({"agent_id": ["a"], "2026-03-02": ["P4 07:00-11:00 B08:30"]})
    >>> grid_to_roster(g, rules)[["start", "end", "activity"]].astype(str).values.tolist()[1]
    ['2026-03-02 08:30:00', '2026-03-02 08:45:00', 'break']
    """
    rules = load_rules(rules)
    if "agent_id" not in grid.columns:
        raise SchemaError("roster grid is missing column agent_id", table="roster grid", column="agent_id")
    recs: list[tuple[str, pd.Timestamp, pd.Timestamp, str, str]] = []
    day_cols = [c for c in grid.columns if c != "agent_id"]
    for col in day_cols:
        try:
            day = pd.Timestamp(str(col)[:10])
        except ValueError:
            raise SchemaError(f"roster grid column {col!r} is not a date (YYYY-MM-DD)", table="roster grid",
                              column=str(col)) from None
        for i, cell in enumerate(grid[col]):
            if cell is None or (isinstance(cell, float) and pd.isna(cell)) or not str(cell).strip():
                continue
            for piece in str(cell).split("/"):
                m = _CELL.match(piece)
                if not m:
                    raise SchemaError(f"roster grid cell {piece.strip()!r} (agent {grid['agent_id'].iloc[i]}, {col}) "
                                      "is not 'CODE HH:MM-HH:MM [B|L]HH:MM …'", table="roster grid", column=str(col),
                                      rows=[i])
                code = m["code"]
                st = day + pd.Timedelta(m["s"] + ":00")
                en = day + pd.Timedelta(m["e"] + ":00")
                if en <= st:
                    en += pd.Timedelta(days=1)
                tmpl = next((t for t in rules.templates if t.code == code), None)
                pauses = []
                by_kind: dict[str, list[int]] = {"break": [], "lunch": []}
                if tmpl is not None:
                    for b in tmpl.breaks:
                        by_kind[b.activity].append(b.length_min)
                used = {"break": 0, "lunch": 0}
                for letter, hhmm, explicit in _PAUSE.findall(m["rest"]):
                    act = "break" if letter == "B" else "lunch"
                    bs = day + pd.Timedelta(hhmm + ":00")
                    if bs < st:
                        bs += pd.Timedelta(days=1)
                    if explicit:
                        ln = int(explicit)
                    elif used[act] < len(by_kind[act]):
                        ln = by_kind[act][used[act]]
                    else:
                        raise SchemaError(f"roster grid cell {piece.strip()!r}: the length of {act} at {hhmm} is "
                                          f"unknown (shift code {code!r} in RULES.yaml has no such {act}); write "
                                          f"{letter}{hhmm}+MINUTES", table="roster grid", column=str(col), rows=[i])
                    used[act] += 1
                    pauses.append((bs, bs + pd.Timedelta(minutes=ln), act))
                cur = st
                agent = str(grid["agent_id"].iloc[i])
                for bs, be, act in sorted(pauses):
                    if bs > cur:
                        recs.append((agent, cur, bs, "work", code))
                    recs.append((agent, bs, be, act, code))
                    cur = be
                if cur < en:
                    recs.append((agent, cur, en, "work", code))
    return pd.DataFrame(recs, columns=LONG_COLUMNS).sort_values(["agent_id", "start"]).reset_index(drop=True)


def _read_table(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise IngestError(f"{path}: file not found.", file=str(path))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls"):
        try:
            sheets = pd.read_excel(path, sheet_name=None, dtype=str)
        except Exception as exc:  # openpyxl raises many kinds
            raise IngestError(f"{path}: not a readable workbook ({exc}).", file=str(path)) from None
        for frame in sheets.values():
            if "agent_id" in frame.columns:
                return frame
        raise IngestError(f"{path}: no sheet has an agent_id column.", file=str(path))
    last: Exception | None = None
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return pd.read_csv(path, encoding=enc, dtype=str, keep_default_na=False)
        except UnicodeDecodeError as exc:
            last = exc
        except pd.errors.EmptyDataError:
            raise IngestError(f"{path}: the file is empty.", file=str(path)) from None
        except pd.errors.ParserError as exc:
            raise IngestError(f"{path}: not a readable CSV ({str(exc).strip().splitlines()[-1]}).",
                              file=str(path)) from None
    raise IngestError(f"{path}: cannot decode the file as UTF-8 or GB18030 ({last}).", file=str(path))


def read_roster(path: str | Path, rules: Any = None) -> pd.DataFrame:
    """Read a roster file, long (``agent_id, start, end, activity``) or grid layout, CSV or XLSX.

    A workbook written by :func:`export_roster` is read from its ``activities`` sheet. The grid
    layout needs ``rules`` for break lengths (unless every pause has ``+minutes``).

    Raises
    ------
    IngestError
        The file is missing or unreadable.
    SchemaError
        Neither layout: the message names what is missing.
    """
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm") and path.exists():
        try:
            sheets = pd.read_excel(path, sheet_name=None, dtype=str)
        except Exception as exc:
            raise IngestError(f"{path}: not a readable workbook ({exc}).", file=str(path)) from None
        for frame in sheets.values():
            if {"agent_id", "start", "end", "activity"} <= set(frame.columns):
                return _finish_long(frame)
    frame = _read_table(path)
    frame.columns = [str(c).strip() for c in frame.columns]
    if {"agent_id", "start", "end", "activity"} <= set(frame.columns):
        return _finish_long(frame)
    if "agent_id" in frame.columns and any(re.match(r"^\d{4}-\d{2}-\d{2}", str(c)) for c in frame.columns):
        if rules is None:
            rules = RosterRules  # sentinel for the error below
        if rules is RosterRules:
            raise SchemaError(f"{path}: a roster grid needs the rules (break lengths); pass --rules",
                              table="roster", column="rules")
        return grid_to_roster(frame, rules)
    raise SchemaError(f"{path}: not a roster — expected columns agent_id, start, end, activity (long) or "
                      "agent_id plus one column per date (grid)", table="roster", column="activity")


def _finish_long(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["agent_id"] = out["agent_id"].astype(str).str.strip()
    for c in ("start", "end"):
        out[c] = pd.to_datetime(out[c], errors="coerce")
        bad = out[c].isna()
        if bad.any():
            raise SchemaError(f"roster.{c} must be a timestamp: {int(bad.sum())} rows violate it, first at rows "
                              f"{[int(i) + 2 for i in out.index[bad][:5]]} (file lines)", table="roster", column=c,
                              rows=list(out.index[bad][:5]))
    if "shift_code" not in out.columns:
        out["shift_code"] = ""
    out["shift_code"] = out["shift_code"].fillna("").astype(str)
    return out[LONG_COLUMNS + [c for c in out.columns if c not in LONG_COLUMNS]]
