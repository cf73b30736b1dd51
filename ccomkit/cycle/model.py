"""The DCDIER cycle record: cycles, their six steps, actions and review results in the workspace.

A cycle (改进循环) improves one KPI of one scope. It walks the six steps of DOMAIN.md §1.2 —
定义 Define, 收集 Collect, 明确 Clarify, 改善 Improve, 执行 Execute, 评测 Review — and each step
leaves an artifact. Everything is kept in record tables of the workspace (``Workspace.write_records``),
so a cycle that spans weeks survives between notebook runs and the history of cycles stays:

=====================  =========================================================================
table                  one row per
=====================  =========================================================================
``rec_dcdier_cycle``   cycle: topic, KPI, variant, scope, owner, status (``open``/``closed``),
                       current step, the baseline window, the change date, the review end,
                       the target in force and the revised one
``rec_dcdier_step``    cycle × step: status (``done``), when, who (OS user), revision, one-line
                       summary
``rec_dcdier_artifact`` cycle × step × artifact name: a tidy table stored as JSON records (the
                       KPI card, the collection log, the baseline, the gap, the root causes …)
``rec_dcdier_action``  cycle × action: what, owner, due date, expected effect, status
                       (``planned``/``in_progress``/``done``/``dropped``), start and end dates
``rec_dcdier_review``  cycle × method (``matched_weeks``/``its``/``target``): the before/after
                       estimate with its interval, and the revised target
=====================  =========================================================================

Readers (apps, reports) use :func:`list_cycles`, :func:`cycle_detail`, :func:`open_actions` and
:func:`review_result`; writers :func:`create_cycle`, :func:`record_step`, :func:`add_action`,
:func:`update_action`, :func:`record_review`. Every writer takes a workspace opened with
``Workspace.open_write``; readers take any open workspace.

Examples
--------
>>> import tempfile, pathlib
>>> from ccomkit.store import Workspace
>>> from ccomkit.cycle import model
>>> p = pathlib.Path(tempfile.mkdtemp()) / "ws.duckdb"
>>> with Workspace.open_write(p, "example", create=True) as ws:
...     cid = model.create_cycle(ws, "aht", owner="ops_manager", scope="queue:GEN",
...                              cycle_id="AHT-1", target=290.0)
...     _ = model.add_action(ws, cid, "Coach the five longest-AHT agents", owner="TL-1",
...                          due="2026-09-15", expected_effect=-10.0)
>>> with Workspace.open_read(p) as ws:
...     model.list_cycles(ws)[["cycle_id", "topic", "kpi_id", "status", "current_step"]]
  cycle_id topic kpi_id status current_step
0    AHT-1   aht  aht_s   open       define
>>> with Workspace.open_read(p) as ws:
...     model.open_actions(ws)[["cycle_id", "action_no", "status", "owner"]]
  cycle_id  action_no   status owner
0    AHT-1          1  planned  TL-1
"""

from __future__ import annotations

import getpass
import json
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ccomkit.errors import ParameterError, WorkspaceError
from ccomkit.i18n import DCDIER_STEPS
from ccomkit.calendar import now_local

if TYPE_CHECKING:  # pragma: no cover
    from ccomkit.store import Workspace

__all__ = [
    "ACTION_STATUSES",
    "CYCLE_TABLE",
    "STEPS",
    "CycleDetail",
    "add_action",
    "close_cycle",
    "create_cycle",
    "cycle_detail",
    "get_artifact",
    "get_cycle",
    "latest_cycle_id",
    "list_cycles",
    "open_actions",
    "record_review",
    "record_step",
    "review_result",
    "update_action",
    "update_cycle",
]

STEPS: tuple[str, ...] = DCDIER_STEPS
"""The six steps in order: define, collect, clarify, improve, execute, review."""

ACTION_STATUSES: tuple[str, ...] = ("planned", "in_progress", "done", "dropped")
"""Status of an action; ``done`` and ``dropped`` are closed."""

CYCLE_TABLE = "rec_dcdier_cycle"
STEP_TABLE = "rec_dcdier_step"
ARTIFACT_TABLE = "rec_dcdier_artifact"
ACTION_TABLE = "rec_dcdier_action"
REVIEW_TABLE = "rec_dcdier_review"

# topic code -> KPI id (the topics module holds the rest; kept here so the model needs no domain)
TOPIC_KPI: dict[str, str] = {
    "service_level": "service_level",
    "qa_score": "qa_score",
    "aht": "aht_s",
    "attrition": "attrition",
    "csat": "csat",
}

_CYCLE_COLS: dict[str, str] = {
    "cycle_id": "string", "topic": "string", "kpi_id": "string", "variant": "string",
    "scope": "string", "owner": "string", "title": "string", "status": "string",
    "current_step": "string", "created_at": "datetime64[us]", "updated_at": "datetime64[us]",
    "created_by": "string", "baseline_start": "datetime64[us]", "baseline_end": "datetime64[us]",
    "change_date": "datetime64[us]", "review_end": "datetime64[us]", "target": "float64",
    "tolerance": "float64", "target_source": "string", "revised_target": "float64",
}
_STEP_COLS: dict[str, str] = {
    "cycle_id": "string", "step": "string", "step_no": "int64", "status": "string",
    "recorded_at": "datetime64[us]", "recorded_by": "string", "revision": "int64",
    "summary": "string",
}
_ARTIFACT_COLS: dict[str, str] = {
    "cycle_id": "string", "step": "string", "name": "string", "n_rows": "int64",
    "columns_json": "string", "content_json": "string", "recorded_at": "datetime64[us]",
}
_ACTION_COLS: dict[str, str] = {
    "cycle_id": "string", "action_no": "int64", "what": "string", "owner": "string",
    "due_date": "datetime64[us]", "expected_effect": "float64", "root_cause": "string",
    "status": "string", "started_on": "datetime64[us]", "done_on": "datetime64[us]",
    "evidence": "string", "created_at": "datetime64[us]", "updated_at": "datetime64[us]",
}
_REVIEW_COLS: dict[str, str] = {
    "cycle_id": "string", "method": "string", "estimate": "float64", "ci_low": "float64",
    "ci_high": "float64", "p_value": "float64", "n": "int64", "before": "float64",
    "after": "float64", "after_low": "float64", "after_high": "float64",
    "significant": "bool", "improved": "bool", "old_target": "float64",
    "revised_target": "float64", "decision": "string", "detail": "string",
    "reviewed_at": "datetime64[us]",
}
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")


# ------------------------------------------------------------------------------------------------
# helpers
# ------------------------------------------------------------------------------------------------


def _now() -> pd.Timestamp:
    return now_local()


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover - no login name (containers)
        return "unknown"


def _typed(rows: list[dict[str, Any]] | pd.DataFrame, spec: dict[str, str]) -> pd.DataFrame:
    """A frame with exactly ``spec``'s columns and dtypes (so record tables get stable types)."""
    df = rows.copy() if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows)
    out = {}
    for col, dt in spec.items():
        s = df[col] if col in df.columns else pd.Series([None] * len(df), index=df.index,
                                                         dtype=object)
        if dt.startswith("datetime"):
            out[col] = pd.to_datetime(s).astype("datetime64[us]")
        elif dt == "string":
            out[col] = s.astype(object).where(s.notna(), None).astype("string")
        elif dt == "bool":
            out[col] = s.astype(bool)
        else:
            out[col] = pd.to_numeric(s).astype(dt)
    return pd.DataFrame(out, index=df.index).reset_index(drop=True)


def _date(value: Any, owner: str, param: str) -> pd.Timestamp | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise ParameterError.expected(owner, param, "a date YYYY-MM-DD", value) from None
    if pd.isna(ts):
        return None
    return ts.normalize()


def _check_step(step: str, owner: str) -> str:
    if step not in STEPS:
        raise ParameterError.expected(owner, "step", "one of " + ", ".join(STEPS), step)
    return step


def _jsonable(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, (pd.Timestamp, datetime, date)):
        return None if pd.isna(v) else pd.Timestamp(v).isoformat()
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return None if math.isnan(float(v)) else float(v)
    if isinstance(v, pd.Period):
        return str(v)
    if v is pd.NA or v is pd.NaT:
        return None
    return v if isinstance(v, (int, str)) else str(v)


def _frame_to_json(frame: pd.DataFrame) -> tuple[str, str]:
    cols = [str(c) for c in frame.columns]
    dtypes = {str(c): str(frame[c].dtype) for c in frame.columns}
    records = [[_jsonable(v) for v in row] for row in frame.itertuples(index=False, name=None)]
    return (json.dumps({"columns": cols, "dtypes": dtypes}, ensure_ascii=False),
            json.dumps(records, ensure_ascii=False))


def _json_to_frame(columns_json: str, content_json: str) -> pd.DataFrame:
    meta = json.loads(columns_json)
    df = pd.DataFrame(json.loads(content_json), columns=meta["columns"])
    for c, dt in meta.get("dtypes", {}).items():
        if c not in df.columns:
            continue
        if dt.startswith("datetime"):
            df[c] = pd.to_datetime(df[c])
        elif dt.startswith(("float", "int")) and df[c].notna().all():
            df[c] = pd.to_numeric(df[c]).astype(dt)
        elif dt.startswith("float"):
            df[c] = pd.to_numeric(df[c]).astype(float)
        elif dt == "bool" and df[c].notna().all():
            df[c] = df[c].astype(bool)
    return df


def _read(ws: "Workspace", table: str, spec: dict[str, str], where: str | None = None,
          params: list[Any] | None = None, order_by: list[str] | None = None) -> pd.DataFrame:
    df = ws.read_records(table, where=where, params=params, order_by=order_by)
    if df.columns.size == 0:
        return _typed([], spec)
    return _typed(df, spec)


# ------------------------------------------------------------------------------------------------
# writers
# ------------------------------------------------------------------------------------------------


def latest_cycle_id(ws: "Workspace", topic: str | None = None, *, open_only: bool = True
                    ) -> str | None:
    """The most recently created cycle (of ``topic`` when given; open ones only by default)."""
    c = list_cycles(ws, status="open" if open_only else None)
    if topic:
        c = c[c["topic"] == topic]
    if c.empty:
        return None
    return str(c.sort_values(["created_at", "cycle_id"]).iloc[-1]["cycle_id"])


def create_cycle(ws: "Workspace", topic: str, *, owner: str = "", scope: str = "center",
                 cycle_id: str | None = None, title: str = "", variant: str = "default",
                 baseline_start: Any = None, baseline_end: Any = None, change_date: Any = None,
                 review_end: Any = None, target: float = float("nan"),
                 tolerance: float = float("nan"), target_source: str = "") -> str:
    """Open a new DCDIER cycle and return its id.

    Parameters
    ----------
    ws : Workspace
        Opened with ``Workspace.open_write``.
    topic : str
        ``service_level``, ``qa_score``, ``aht``, ``attrition`` or ``csat``.
    owner : str
        Who owns the cycle (a role or a name).
    scope : str, default 'center'
        ``center``, ``queue:<id>``, ``team:<id>`` or ``site:<id>``.
    cycle_id : str, optional
        Letters, digits, ``_ . -``; default ``<TOPIC>-<YYYYMMDD>-<n>``. An existing id raises.
    baseline_start, baseline_end, change_date, review_end : date-like, optional
        The baseline window, the day the actions went live and the last day reviewed.
    target, tolerance : float, optional
        The target in force (KPI unit) and its tolerance.

    Raises
    ------
    ParameterError
        Unknown topic, a malformed or existing cycle id, or a malformed date.
    """
    if topic not in TOPIC_KPI:
        raise ParameterError.expected("create_cycle", "topic", "one of " + ", ".join(TOPIC_KPI),
                                      topic)
    existing = list_cycles(ws)
    now = _now()
    if not cycle_id:
        stem = f"{topic.upper()}-{now:%Y%m%d}"
        n = 1 + sum(str(c).startswith(stem + "-") for c in existing["cycle_id"])
        cycle_id = f"{stem}-{n}"
        while cycle_id in set(existing["cycle_id"]):
            n += 1
            cycle_id = f"{stem}-{n}"
    if not _ID_RE.match(cycle_id):
        raise ParameterError.expected("create_cycle", "cycle_id", "letters, digits, '_', '.' "
                                      "or '-' (at most 64)", cycle_id)
    if cycle_id in set(existing["cycle_id"]):
        raise ParameterError(f"cycle {cycle_id!r} already exists: choose another cycle_id or "
                             "continue it", param="cycle_id", value=cycle_id)
    row = {
        "cycle_id": cycle_id, "topic": topic, "kpi_id": TOPIC_KPI[topic],
        "variant": variant or "default", "scope": scope or "center", "owner": owner,
        "title": title, "status": "open", "current_step": "define", "created_at": now,
        "updated_at": now, "created_by": _user(),
        "baseline_start": _date(baseline_start, "create_cycle", "baseline_start"),
        "baseline_end": _date(baseline_end, "create_cycle", "baseline_end"),
        "change_date": _date(change_date, "create_cycle", "change_date"),
        "review_end": _date(review_end, "create_cycle", "review_end"),
        "target": float(target), "tolerance": float(tolerance), "target_source": target_source,
        "revised_target": float("nan"),
    }
    ws.write_records(CYCLE_TABLE, _typed([row], _CYCLE_COLS), key=["cycle_id"])
    return cycle_id


def get_cycle(ws: "Workspace", cycle_id: str) -> pd.Series:
    """The cycle's row (a Series over the columns of ``rec_dcdier_cycle``).

    Raises
    ------
    WorkspaceError
        No cycle ``cycle_id`` in the workspace.
    """
    c = _read(ws, CYCLE_TABLE, _CYCLE_COLS, where="cycle_id = ?", params=[cycle_id])
    if c.empty:
        known = ", ".join(list_cycles(ws)["cycle_id"].astype(str).tolist()[-5:]) or "none yet"
        raise WorkspaceError(f"no DCDIER cycle {cycle_id!r} in {ws.path} (recent: {known}); "
                             "run 1_define first")
    return c.iloc[0]


def update_cycle(ws: "Workspace", cycle_id: str, **fields: Any) -> pd.Series:
    """Change fields of a cycle (dates, target, owner, status …); returns the new row."""
    row = get_cycle(ws, cycle_id).to_dict()
    for k, v in fields.items():
        if k not in _CYCLE_COLS or k in ("cycle_id", "created_at", "created_by"):
            raise ParameterError.expected("update_cycle", k, "a cycle field ("
                                          + ", ".join(_CYCLE_COLS) + ")", v)
        if _CYCLE_COLS[k].startswith("datetime") and k != "updated_at":
            v = _date(v, "update_cycle", k)
        row[k] = v
    if "topic" in fields:
        if row["topic"] not in TOPIC_KPI:
            raise ParameterError.expected("update_cycle", "topic", "one of "
                                          + ", ".join(TOPIC_KPI), row["topic"])
        row["kpi_id"] = TOPIC_KPI[str(row["topic"])]
    row["updated_at"] = _now()
    frame = _typed([row], _CYCLE_COLS)
    ws.write_records(CYCLE_TABLE, frame, key=["cycle_id"])
    return frame.iloc[0]


def close_cycle(ws: "Workspace", cycle_id: str) -> pd.Series:
    """Mark a cycle ``closed`` (after its review)."""
    return update_cycle(ws, cycle_id, status="closed")


def record_step(ws: "Workspace", cycle_id: str, step: str, artifacts: dict[str, pd.DataFrame]
                | None = None, *, summary: str = "") -> pd.DataFrame:
    """Record that ``step`` of a cycle is done, with its artifact tables.

    Re-recording a step replaces its artifacts and raises its ``revision``. The cycle's
    ``current_step`` moves to the step after the furthest step done.

    Parameters
    ----------
    artifacts : dict of str to DataFrame, optional
        Named tidy tables (the KPI card, the collection log …), kept as JSON records.

    Returns
    -------
    DataFrame
        The step's row of ``rec_dcdier_step``.
    """
    _check_step(step, "record_step")
    get_cycle(ws, cycle_id)
    prev = _read(ws, STEP_TABLE, _STEP_COLS, where="cycle_id = ? AND step = ?",
                 params=[cycle_id, step])
    now = _now()
    row = {"cycle_id": cycle_id, "step": step, "step_no": STEPS.index(step) + 1,
           "status": "done", "recorded_at": now, "recorded_by": _user(),
           "revision": int(prev["revision"].max()) + 1 if len(prev) else 1, "summary": summary}
    frame = _typed([row], _STEP_COLS)
    ws.write_records(STEP_TABLE, frame, key=["cycle_id", "step"])
    if artifacts is not None:
        if ws.read_records(ARTIFACT_TABLE).columns.size:
            ws.delete_records(ARTIFACT_TABLE, "cycle_id = ? AND step = ?", [cycle_id, step])
        rows = []
        for name, table in artifacts.items():
            if not isinstance(table, pd.DataFrame):
                raise ParameterError.expected("record_step", "artifacts",
                                              "a dict of name to DataFrame", type(table).__name__)
            cols, content = _frame_to_json(table)
            rows.append({"cycle_id": cycle_id, "step": step, "name": name,
                         "n_rows": len(table), "columns_json": cols, "content_json": content,
                         "recorded_at": now})
        if rows:
            ws.write_records(ARTIFACT_TABLE, _typed(rows, _ARTIFACT_COLS),
                             key=["cycle_id", "step", "name"])
    done = _read(ws, STEP_TABLE, _STEP_COLS, where="cycle_id = ?", params=[cycle_id])
    furthest = int(done["step_no"].max())
    update_cycle(ws, cycle_id, current_step=STEPS[min(furthest, len(STEPS) - 1)]
                 if furthest < len(STEPS) else "review")
    return frame


def get_artifact(ws: "Workspace", cycle_id: str, step: str, name: str) -> pd.DataFrame:
    """An artifact table recorded by :func:`record_step`.

    Raises
    ------
    WorkspaceError
        The step has not recorded that artifact (run its notebook first).
    """
    _check_step(step, "get_artifact")
    a = _read(ws, ARTIFACT_TABLE, _ARTIFACT_COLS, where="cycle_id = ? AND step = ? AND name = ?",
              params=[cycle_id, step, name])
    if a.empty:
        raise WorkspaceError(f"cycle {cycle_id!r} has no {step} artifact {name!r}: run the "
                             f"{STEPS.index(step) + 1}_{step} notebook first")
    return _json_to_frame(str(a["columns_json"].iloc[0]), str(a["content_json"].iloc[0]))


def add_action(ws: "Workspace", cycle_id: str, what: str, *, owner: str = "", due: Any = None,
               expected_effect: float = float("nan"), root_cause: str = "",
               status: str = "planned") -> int:
    """Add an improvement action (改进措施) to a cycle; returns its number (1, 2, …).

    ``expected_effect`` is the expected change of the KPI in its unit (−10 for AHT −10 s,
    +0.03 for service level +3 points).
    """
    get_cycle(ws, cycle_id)
    if not str(what).strip():
        raise ParameterError.expected("add_action", "what", "a non-empty description", what)
    if status not in ACTION_STATUSES:
        raise ParameterError.expected("add_action", "status", "one of "
                                      + ", ".join(ACTION_STATUSES), status)
    have = _read(ws, ACTION_TABLE, _ACTION_COLS, where="cycle_id = ?", params=[cycle_id])
    no = int(have["action_no"].max()) + 1 if len(have) else 1
    now = _now()
    row = {"cycle_id": cycle_id, "action_no": no, "what": str(what).strip(), "owner": owner,
           "due_date": _date(due, "add_action", "due"), "expected_effect": float(expected_effect),
           "root_cause": root_cause, "status": status,
           "started_on": now.normalize() if status in ("in_progress", "done") else None,
           "done_on": now.normalize() if status == "done" else None, "evidence": "",
           "created_at": now, "updated_at": now}
    ws.write_records(ACTION_TABLE, _typed([row], _ACTION_COLS), key=["cycle_id", "action_no"])
    return no


def update_action(ws: "Workspace", cycle_id: str, action_no: int, *, status: str | None = None,
                  started_on: Any = None, done_on: Any = None, evidence: str | None = None,
                  owner: str | None = None, due: Any = None) -> pd.Series:
    """Change an action's status, dates, evidence, owner or due date; returns the new row.

    Moving to ``in_progress`` sets ``started_on`` (today unless given); to ``done`` sets
    ``done_on`` (and ``started_on`` when still empty).
    """
    have = _read(ws, ACTION_TABLE, _ACTION_COLS, where="cycle_id = ? AND action_no = ?",
                 params=[cycle_id, int(action_no)])
    if have.empty:
        raise WorkspaceError(f"cycle {cycle_id!r} has no action {action_no}: see open_actions()")
    row = have.iloc[0].to_dict()
    today = _now().normalize()
    if status is not None:
        if status not in ACTION_STATUSES:
            raise ParameterError.expected("update_action", "status", "one of "
                                          + ", ".join(ACTION_STATUSES), status)
        row["status"] = status
    s = _date(started_on, "update_action", "started_on")
    d = _date(done_on, "update_action", "done_on")
    if s is not None:
        row["started_on"] = s
    if d is not None:
        row["done_on"] = d
    if row["status"] in ("in_progress", "done") and pd.isna(row["started_on"]):
        row["started_on"] = d if d is not None else today
    if row["status"] == "done" and pd.isna(row["done_on"]):
        row["done_on"] = today
    if evidence is not None:
        row["evidence"] = evidence
    if owner is not None:
        row["owner"] = owner
    if due is not None:
        row["due_date"] = _date(due, "update_action", "due")
    row["updated_at"] = _now()
    frame = _typed([row], _ACTION_COLS)
    ws.write_records(ACTION_TABLE, frame, key=["cycle_id", "action_no"])
    return frame.iloc[0]


def record_review(ws: "Workspace", cycle_id: str, comparison: pd.DataFrame,
                  proposal: pd.DataFrame) -> pd.DataFrame:
    """Keep the before/after comparisons and the target proposal of a cycle's review.

    ``comparison`` is :func:`ccomkit.cycle.review.before_after`'s table and ``proposal``
    :func:`ccomkit.cycle.review.propose_target`'s one row; the cycle's ``revised_target`` is set.
    Returns the rows written to ``rec_dcdier_review``.
    """
    get_cycle(ws, cycle_id)
    now = _now()
    rows = []
    for r in comparison.to_dict("records"):
        rows.append({**{k: r.get(k) for k in _REVIEW_COLS if k in r}, "cycle_id": cycle_id,
                     "old_target": proposal["old_target"].iloc[0],
                     "revised_target": proposal["revised_target"].iloc[0],
                     "decision": proposal["decision"].iloc[0], "reviewed_at": now})
    p = proposal.iloc[0]
    rows.append({"cycle_id": cycle_id, "method": "target", "estimate": p["achieved"],
                 "ci_low": p["achieved_low"], "ci_high": p["achieved_high"], "p_value": np.nan,
                 "n": 0, "before": np.nan, "after": p["achieved"], "after_low": p["achieved_low"],
                 "after_high": p["achieved_high"], "significant": bool(p["significant"]),
                 "improved": bool(p["improved"]), "old_target": p["old_target"],
                 "revised_target": p["revised_target"], "decision": p["decision"],
                 "detail": p["rule"], "reviewed_at": now})
    frame = _typed(rows, _REVIEW_COLS)
    if ws.read_records(REVIEW_TABLE).columns.size:
        ws.delete_records(REVIEW_TABLE, "cycle_id = ?", [cycle_id])
    ws.write_records(REVIEW_TABLE, frame, key=["cycle_id", "method"])
    update_cycle(ws, cycle_id, revised_target=float(p["revised_target"]))
    return frame


# ------------------------------------------------------------------------------------------------
# readers (the improvement-cycle tracker and the reports read through these)
# ------------------------------------------------------------------------------------------------


def list_cycles(ws: "Workspace", status: str | None = None) -> pd.DataFrame:
    """Every cycle, newest first, with its progress.

    Returns
    -------
    DataFrame
        The columns of ``rec_dcdier_cycle`` (cycle_id, topic, kpi_id, variant, scope, owner,
        title, status, current_step, created_at, updated_at, created_by, baseline_start,
        baseline_end, change_date, review_end, target, tolerance, target_source,
        revised_target) plus ``steps_done`` (0-6), ``actions_open`` and ``actions_total``.
    """
    c = _read(ws, CYCLE_TABLE, _CYCLE_COLS)
    if status is not None:
        c = c[c["status"] == status]
    s = _read(ws, STEP_TABLE, _STEP_COLS)
    a = _read(ws, ACTION_TABLE, _ACTION_COLS)
    done = s.groupby("cycle_id").size() if len(s) else pd.Series(dtype="int64")
    total = a.groupby("cycle_id").size() if len(a) else pd.Series(dtype="int64")
    is_open = a[a["status"].isin(["planned", "in_progress"])] if len(a) else a
    n_open = is_open.groupby("cycle_id").size() if len(is_open) else pd.Series(dtype="int64")
    ids = c["cycle_id"].astype(str)
    c = c.assign(steps_done=ids.map(done).fillna(0).astype("int64").to_numpy(),
                 actions_open=ids.map(n_open).fillna(0).astype("int64").to_numpy(),
                 actions_total=ids.map(total).fillna(0).astype("int64").to_numpy())
    return c.sort_values(["created_at", "cycle_id"], ascending=False).reset_index(drop=True)


@dataclass(frozen=True)
class CycleDetail:
    """Everything recorded about one cycle.

    Attributes
    ----------
    cycle : Series
        The cycle's row (see :func:`list_cycles`).
    steps : DataFrame
        Six rows in step order: ``step, step_no, status`` (``done``/``pending``),
        ``recorded_at, recorded_by, revision, summary, artifacts`` (names, comma-separated).
    actions : DataFrame
        The actions (columns of ``rec_dcdier_action``), by number.
    review : DataFrame
        The review rows (see :func:`review_result`); empty before the review.
    artifacts : dict of str to DataFrame
        ``"<step>/<name>"`` → the artifact table.
    """

    cycle: pd.Series
    steps: pd.DataFrame
    actions: pd.DataFrame
    review: pd.DataFrame
    artifacts: dict[str, pd.DataFrame] = field(default_factory=dict)


def cycle_detail(ws: "Workspace", cycle_id: str) -> CycleDetail:
    """The cycle, its six steps' status, its actions, its review and its artifact tables."""
    c = get_cycle(ws, cycle_id)
    s = _read(ws, STEP_TABLE, _STEP_COLS, where="cycle_id = ?", params=[cycle_id])
    art = _read(ws, ARTIFACT_TABLE, _ARTIFACT_COLS, where="cycle_id = ?", params=[cycle_id])
    steps = pd.DataFrame({"step": list(STEPS), "step_no": range(1, len(STEPS) + 1)}).astype(
        {"step": "string", "step_no": "int64"})
    steps = steps.merge(s.drop(columns=["cycle_id", "step_no"]), on="step", how="left")
    steps["status"] = steps["status"].fillna("pending")
    names = art.groupby("step")["name"].agg(lambda x: ", ".join(map(str, x))) if len(art) else {}
    steps["artifacts"] = steps["step"].map(names).fillna("").astype("string")
    artifacts = {f"{r.step}/{r.name}": _json_to_frame(str(r.columns_json), str(r.content_json))
                 for r in art.itertuples(index=False)}
    actions = _read(ws, ACTION_TABLE, _ACTION_COLS, where="cycle_id = ?", params=[cycle_id],
                    order_by=["action_no"])
    return CycleDetail(cycle=c, steps=steps, actions=actions,
                       review=review_result(ws, cycle_id), artifacts=artifacts)


def open_actions(ws: "Workspace", cycle_id: str | None = None) -> pd.DataFrame:
    """Actions still ``planned`` or ``in_progress`` (of every open cycle, or of ``cycle_id``),
    with the cycle's topic, KPI and scope and ``overdue`` (due date before today), by due date."""
    a = _read(ws, ACTION_TABLE, _ACTION_COLS)
    a = a[a["status"].isin(["planned", "in_progress"])]
    c = _read(ws, CYCLE_TABLE, _CYCLE_COLS)[["cycle_id", "topic", "kpi_id", "scope", "status"]]
    c = c.rename(columns={"status": "cycle_status"})
    a = a.merge(c, on="cycle_id", how="left")
    if cycle_id is not None:
        a = a[a["cycle_id"] == cycle_id]
    else:
        a = a[a["cycle_status"] == "open"]
    today = _now().normalize()
    a = a.assign(overdue=(a["due_date"] < today).fillna(False).astype(bool))
    return a.sort_values(["due_date", "cycle_id", "action_no"], na_position="last"
                         ).reset_index(drop=True)


def review_result(ws: "Workspace", cycle_id: str) -> pd.DataFrame:
    """The before/after result of a cycle: one row per method (``matched_weeks``, ``its``) and a
    ``target`` row (achieved level with its interval, old and revised target, decision).
    Empty before step 6 has run.

    Columns: cycle_id, method, estimate, ci_low, ci_high, p_value, n, before, after, after_low,
    after_high, significant, improved, old_target, revised_target, decision, detail,
    reviewed_at.
    """
    return _read(ws, REVIEW_TABLE, _REVIEW_COLS, where="cycle_id = ?", params=[cycle_id],
                 order_by=["method"])
