"""The team leader's task tracker (工作任务追踪, seed 001 chapter 6 四-五).

Tasks come from three places: ``above`` (a policy or instruction to relay to the team, 下达公司
政策), ``floor`` (agent feedback to pass up, 上传员工意见与反馈) and ``own`` (the leader's own
plan, 班组长年度/月度计划). Each has an owner, a due date and a status. Records live in the
workspace record table ``rec_tl_task`` (:func:`save_tasks`, :func:`read_tasks`).

A task is **overdue** on a day when it is not done or cancelled and its due date is before that
day; it is **done on time** when ``done_date ≤ due_date``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ccomkit.errors import ParameterError
from ccomkit.schemas import require_columns
from ccomkit.teamlead.profile import _ts
from ccomkit.calendar import now_local

__all__ = ["TASK_TABLE", "TASK_COLUMNS", "TASK_SOURCES", "TASK_STATUSES", "new_task",
           "validate_tasks", "task_status", "weekly_summary", "save_tasks", "read_tasks"]

TASK_TABLE = "rec_tl_task"
TASK_SOURCES: tuple[str, ...] = ("above", "floor", "own")
TASK_STATUSES: tuple[str, ...] = ("open", "in_progress", "done", "cancelled")
TASK_COLUMNS: tuple[str, ...] = ("task_id", "team_id", "title", "source", "owner",
                                 "created_date", "due_date", "status", "done_date", "note",
                                 "updated_at")
"""Columns of ``rec_tl_task`` (key ``task_id``)."""


def validate_tasks(tasks: pd.DataFrame) -> None:
    """Raise :class:`ParameterError` naming the first bad task and every problem it has.

    Checks: a title and an owner; ``source`` in :data:`TASK_SOURCES`; ``status`` in
    :data:`TASK_STATUSES`; ``due_date`` not before ``created_date``; a ``done_date`` exactly
    when the status is done, not before ``created_date``.

    Examples
    --------
    >>> t = pd.DataFrame({"task_id": ["T1"], "team_id": ["G1"], "title": ["relay new policy"],
    ...     "source": ["boss"], "owner": ["L1"], "created_date": ["2026-03-02"],
    ...     "due_date": ["2026-03-01"], "status": ["open"], "done_date": [None]})
    >>> validate_tasks(t)
    Traceback (most recent call last):
    ...
    ccomkit.errors.ParameterError: task T1: source 'boss' is not one of above, floor, own; due_date 2026-03-01 is before created_date 2026-03-02
    """
    require_columns(tasks, ["task_id", "title", "source", "owner", "created_date", "due_date",
                            "status"], "team-leader tasks")
    for r in tasks.to_dict("records"):
        msgs = []
        for c in ("task_id", "title", "owner"):
            v = r.get(c)
            if v is None or (isinstance(v, float) and np.isnan(v)) or not str(v).strip():
                msgs.append(f"{c} is empty")
        if r["source"] not in TASK_SOURCES:
            msgs.append(f"source {r['source']!r} is not one of " + ", ".join(TASK_SOURCES))
        if r["status"] not in TASK_STATUSES:
            msgs.append(f"status {r['status']!r} is not one of " + ", ".join(TASK_STATUSES))
        c0 = pd.to_datetime(r["created_date"], errors="coerce")
        d1 = pd.to_datetime(r["due_date"], errors="coerce")
        dd = pd.to_datetime(r.get("done_date"), errors="coerce")
        if pd.isna(c0) or pd.isna(d1):
            msgs.append("created_date and due_date must be dates")
        elif d1 < c0:
            msgs.append(f"due_date {d1:%Y-%m-%d} is before created_date {c0:%Y-%m-%d}")
        if r["status"] == "done" and pd.isna(dd):
            msgs.append("a done task needs its done_date")
        if r["status"] != "done" and not pd.isna(dd):
            msgs.append(f"done_date is set but status is {r['status']!r}")
        if not pd.isna(dd) and not pd.isna(c0) and dd < c0:
            msgs.append(f"done_date {dd:%Y-%m-%d} is before created_date {c0:%Y-%m-%d}")
        if msgs:
            raise ParameterError(f"task {r['task_id']}: " + "; ".join(msgs), param="task",
                                 value=r["task_id"])


def new_task(title: str, source: str, owner: str, created_date: Any, due_date: Any, *,
             team_id: str | None = None, note: str = "", task_id: str | None = None,
             existing: pd.DataFrame | None = None, now: Any = None) -> pd.DataFrame:
    """One validated open task (a one-row frame with :data:`TASK_COLUMNS`); ``task_id``
    defaults to ``TK<yyyymmdd>-<k>``, one more than the tasks created that day in ``existing``.

    Examples
    --------
    >>> new_task("传达新资费政策", "above", "L1", "2026-03-02", "2026-03-04",
    ...          now="2026-03-02 09:00")[["task_id", "source", "status"]]
            task_id source status
    0  TK20260302-1  above   open
    """
    c0 = _ts(created_date, "new_task", "created_date")
    if task_id is None:
        k = 1
        ids = set() if existing is None or not len(existing) else set(existing["task_id"])
        while f"TK{c0:%Y%m%d}-{k}" in ids:
            k += 1
        task_id = f"TK{c0:%Y%m%d}-{k}"
    t = pd.Timestamp(now) if now is not None else now_local()
    out = pd.DataFrame([{
        "task_id": task_id, "team_id": team_id, "title": title, "source": source,
        "owner": owner, "created_date": c0, "due_date": _ts(due_date, "new_task", "due_date"),
        "status": "open", "done_date": pd.NaT, "note": note, "updated_at": t}],
        columns=list(TASK_COLUMNS))
    validate_tasks(out)
    return out


def task_status(tasks: pd.DataFrame, as_of: Any) -> pd.DataFrame:
    """The tasks with ``overdue`` (on ``as_of``), ``days_late`` (overdue: as_of − due; done:
    done − due when late; else 0) and ``on_time`` (done by the due date; NA while not done).

    Examples
    --------
    >>> t = pd.DataFrame({"task_id": ["T1", "T2", "T3"], "title": ["a", "b", "c"],
    ...     "source": ["above", "floor", "own"], "owner": ["L", "L", "L"],
    ...     "created_date": pd.to_datetime(["2026-03-02"] * 3),
    ...     "due_date": pd.to_datetime(["2026-03-04", "2026-03-06", "2026-03-10"]),
    ...     "status": ["done", "open", "open"],
    ...     "done_date": pd.to_datetime(["2026-03-05", None, None])})
    >>> task_status(t, "2026-03-08")[["task_id", "overdue", "days_late", "on_time"]]
      task_id  overdue  days_late  on_time
    0      T1    False          1    False
    1      T2     True          2     <NA>
    2      T3    False          0     <NA>
    """
    validate_tasks(tasks)
    t0 = _ts(as_of, "task_status", "as_of")
    out = tasks.copy()
    due = pd.to_datetime(out["due_date"]).dt.normalize()
    done = pd.to_datetime(out["done_date"] if "done_date" in out.columns else pd.NaT)
    active = ~out["status"].isin(["done", "cancelled"])
    out["overdue"] = (active & (due < t0)).to_numpy(dtype=bool)
    late_open = np.where(out["overdue"], (t0 - due).dt.days, 0)
    late_done = np.where(out["status"] == "done", np.clip((done - due).dt.days.fillna(0), 0,
                                                           None), 0)
    out["days_late"] = (late_open + late_done).astype(np.int64)
    on_time = pd.array([pd.NA] * len(out), dtype="boolean")
    is_done = (out["status"] == "done").to_numpy()
    on_time[is_done] = (done[is_done] <= due[is_done]).to_numpy()
    out["on_time"] = on_time
    return out


def weekly_summary(tasks: pd.DataFrame, week_start: Any) -> pd.DataFrame:
    """The week's tracker summary by source (and a ``total`` row).

    The week is ``week_start ≤ day < week_start + 7``; states are taken at the end of the week
    (as of its last day).

    Returns
    -------
    DataFrame
        One row per source in :data:`TASK_SOURCES` order plus ``total``: ``source``,
        ``created`` (created in the week), ``done`` (done in the week), ``done_on_time`` (of
        those), ``open_end`` (not done or cancelled at the end of the week, created by then),
        ``overdue_end`` (of those, due before the week's last day), ``due_next_week`` (open
        and due in the following seven days).

    Examples
    --------
    Week of 2026-03-02. T1 created Mon, done Thu (due Wed: late); T2 created Tue, due Fri, open
    → overdue on Sunday 03-08; T3 created the week before, due 03-12 → due next week:

    >>> t = pd.DataFrame({"task_id": ["T1", "T2", "T3"], "title": ["a", "b", "c"],
    ...     "source": ["above", "floor", "floor"], "owner": ["L"] * 3,
    ...     "created_date": pd.to_datetime(["2026-03-02", "2026-03-03", "2026-02-25"]),
    ...     "due_date": pd.to_datetime(["2026-03-04", "2026-03-06", "2026-03-12"]),
    ...     "status": ["done", "open", "in_progress"],
    ...     "done_date": pd.to_datetime(["2026-03-05", None, None])})
    >>> weekly_summary(t, "2026-03-02")
      source  created  done  done_on_time  open_end  overdue_end  due_next_week
    0  above        1     1             0         0            0              0
    1  floor        1     0             0         2            1              1
    2    own        0     0             0         0            0              0
    3  total        2     1             0         2            1              1
    """
    validate_tasks(tasks)
    w0 = _ts(week_start, "weekly_summary", "week_start")
    w_last = w0 + pd.Timedelta(days=6)
    st = task_status(tasks, w_last + pd.Timedelta(days=1))
    created = pd.to_datetime(st["created_date"]).dt.normalize()
    due = pd.to_datetime(st["due_date"]).dt.normalize()
    done = pd.to_datetime(st["done_date"]).dt.normalize()
    in_week_c = (created >= w0) & (created <= w_last)
    in_week_d = (st["status"] == "done") & (done >= w0) & (done <= w_last)
    # open at the end of the week: created by then, not cancelled, not done by then
    open_end = (created <= w_last) & (st["status"] != "cancelled") & ~(
        (st["status"] == "done") & (done <= w_last))
    overdue_end = open_end & (due < w_last)
    next_week = open_end & (due > w_last) & (due <= w_last + pd.Timedelta(days=7))
    frame = pd.DataFrame({"source": st["source"], "created": in_week_c, "done": in_week_d,
                          "done_on_time": in_week_d & (done <= due), "open_end": open_end,
                          "overdue_end": overdue_end, "due_next_week": next_week})
    g = frame.groupby("source").sum().reindex(list(TASK_SOURCES), fill_value=0)
    g.loc["total"] = g.sum()
    out = g.astype(np.int64).reset_index()
    return out


def _conform(tasks: pd.DataFrame) -> pd.DataFrame:
    out = tasks.copy()
    for c in TASK_COLUMNS:
        if c not in out.columns:
            out[c] = None
    out = out[list(TASK_COLUMNS)]
    for c in ("created_date", "due_date", "done_date", "updated_at"):
        out[c] = pd.to_datetime(out[c]).astype("datetime64[us]")
    for c in ("task_id", "team_id", "title", "source", "owner", "status", "note"):
        out[c] = out[c].astype(object).where(out[c].notna(), None)
    return out


def save_tasks(ws: Any, tasks: pd.DataFrame) -> int:
    """Validate and upsert tasks into ``rec_tl_task`` (key ``task_id``) of a workspace opened
    with ``Workspace.open_write``. Returns the number of rows written."""
    validate_tasks(tasks)
    return ws.write_records(TASK_TABLE, _conform(tasks), key=["task_id"])


def read_tasks(ws: Any, *, team_id: str | None = None) -> pd.DataFrame:
    """Tasks of a workspace by due date (optionally of one team); empty with
    :data:`TASK_COLUMNS` when none were saved."""
    df = ws.read_records(TASK_TABLE, where="team_id = ?" if team_id is not None else None,
                         params=[team_id] if team_id is not None else None,
                         order_by=["due_date", "task_id"])
    if not len(df.columns):
        return _conform(pd.DataFrame(columns=list(TASK_COLUMNS)))
    return _conform(df)
