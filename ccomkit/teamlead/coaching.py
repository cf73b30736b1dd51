"""Coaching sessions (一对一辅导) with a SMART target, and their follow-up (seed 001 chapters 1, 6).

A session record keeps what the CCOM team-leader programme asks a coaching talk to produce: the
evidence shown (沟通依据: QA results, call recordings, complaint reviews), the strengths discussed
(强化优点), the improvement agreed (剥洋葱式改善), the agent's own commitment (发自内心的改进承诺)
and a SMART target on one measurable metric with a due date. Records live in the workspace
record table ``rec_coaching_session`` (:func:`save_sessions`, :func:`read_sessions`).

Target metrics (:data:`TARGET_METRICS`)
---------------------------------------
``qa_score`` mean QA score (points, higher better); ``qa_pass_rate`` share of evaluations at or
above the pass mark; ``csat`` top-2-box and ``fcr`` survey FCR (fractions, higher better);
``aht_s`` (talk + hold + ACW) ÷ handled from agent_interval (seconds, lower better); and
``qa_item:<item_code>`` the points lost on one QA form item per evaluation (lower better, 0..the
item's maximum).

Follow-up windows
-----------------
*before* = ``[session_date − before_days, session_date)``; *after* = ``(session_date, end]`` with
``end = min(due_date, as_of)``. The session day itself is in neither (the talk happens during
it). ``after_n < min_n`` → outcome ``no_data``. Otherwise ``met`` when the after value reaches
the target; before the due date ``in_progress``; after it ``improved_not_met`` when the after
value is better than the before value, else ``ineffective``. ``overdue`` flags an *open* plan
whose due date has passed (the leader has not closed it with a follow-up talk).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ccomkit.errors import ParameterError
from ccomkit.quality.forms import QAForm, load_form
from ccomkit.schemas import require_columns
from ccomkit.teamlead.profile import _ts, window_evaluations
from ccomkit.calendar import now_local

__all__ = ["SESSION_TABLE", "SESSION_COLUMNS", "SESSION_STATUSES", "TARGET_METRICS",
           "OUTCOMES", "metric_info", "new_session", "smart_check", "validate_sessions",
           "measure", "follow_up", "save_sessions", "read_sessions", "update_session"]

SESSION_TABLE = "rec_coaching_session"
SESSION_STATUSES: tuple[str, ...] = ("open", "closed", "cancelled")
OUTCOMES: tuple[str, ...] = ("met", "in_progress", "improved_not_met", "ineffective", "no_data",
                             "cancelled")

# metric -> (label_zh, label_en, unit, better, lo, hi)
TARGET_METRICS: dict[str, tuple[str, str, str, str, float, float]] = {
    "qa_score": ("质检得分", "QA score", "points", "higher", 0.0, 100.0),
    "qa_pass_rate": ("质检合格率", "QA pass rate", "frac", "higher", 0.0, 1.0),
    "csat": ("满意率", "CSAT (top-2-box)", "frac", "higher", 0.0, 1.0),
    "fcr": ("首次解决率", "FCR", "frac", "higher", 0.0, 1.0),
    "aht_s": ("平均处理时长", "AHT", "s", "lower", 1.0, 7200.0),
}

SESSION_COLUMNS: tuple[str, ...] = (
    "session_id", "agent_id", "team_id", "leader_id", "session_date", "evidence_shown",
    "strengths", "improvement_agreed", "agent_commitment", "target_metric", "target_value",
    "baseline_value", "due_date", "status", "closed_date", "follow_up_note", "created_at",
    "updated_at",
)
"""Columns of ``rec_coaching_session`` (key ``session_id``)."""

_TEXTS = ("evidence_shown", "improvement_agreed", "agent_commitment")


def metric_info(metric: str, form: QAForm | str | None = None) -> dict[str, Any]:
    """Label, unit, direction and range of a target metric (``qa_item:<code>`` included).

    Examples
    --------
    >>> metric_info("aht_s")["better"]
    'lower'
    >>> i = metric_info("qa_item:A1_tone")
    >>> i["label_en"], i["unit"], i["hi"]
    ('Points lost on Tone', 'points', 7.0)
    """
    if isinstance(metric, str) and metric.startswith("qa_item:"):
        f = form if isinstance(form, QAForm) else load_form(form or "default")
        code = metric.split(":", 1)[1]
        try:
            it = f.item(code)
        except ParameterError:
            raise ParameterError.expected("metric_info", "metric", "qa_item:<a scored item code "
                                          f"of form {f.form_id}>", metric) from None
        if it.is_fatal:
            raise ParameterError.expected("metric_info", "metric", "a scored (not fatal) item",
                                          metric)
        return {"metric": metric, "label_zh": f"{it.label_zh}扣分", "label_en":
                f"Points lost on {it.label_en}", "unit": "points", "better": "lower",
                "lo": 0.0, "hi": float(it.max_points)}
    if metric not in TARGET_METRICS:
        raise ParameterError.expected("metric_info", "metric", "one of " + ", ".join(
            TARGET_METRICS) + " or qa_item:<item code>", metric)
    zh, en, unit, better, lo, hi = TARGET_METRICS[metric]
    return {"metric": metric, "label_zh": zh, "label_en": en, "unit": unit, "better": better,
            "lo": lo, "hi": hi}


def _blank(v: Any) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) or \
        (isinstance(v, str) and not v.strip())


def new_session(agent_id: str, session_date: Any, *, target_metric: str, target_value: float,
                due_date: Any, evidence_shown: str, improvement_agreed: str,
                agent_commitment: str, strengths: str = "", team_id: str | None = None,
                leader_id: str | None = None, baseline_value: float | None = None,
                session_id: str | None = None, existing: pd.DataFrame | None = None,
                now: Any = None) -> pd.DataFrame:
    """One validated session record (a one-row frame with :data:`SESSION_COLUMNS`).

    ``session_id`` defaults to ``CS<yyyymmdd>-<agent_id>-<k>``, ``k`` one more than the
    sessions of that agent and day in ``existing``.

    Raises
    ------
    ParameterError
        The record is not SMART (see :func:`smart_check`); the message lists every failed check.

    Examples
    --------
    >>> s = new_session("A1", "2026-03-02", target_metric="qa_item:A1_tone", target_value=1.0,
    ...                 due_date="2026-03-31", evidence_shown="3 calls, tone deductions",
    ...                 improvement_agreed="soften openings", agent_commitment="我每天听一通录音",
    ...                 baseline_value=3.5, now="2026-03-02 10:00")
    >>> s[["session_id", "target_metric", "target_value", "status"]]
            session_id    target_metric  target_value status
    0  CS20260302-A1-1  qa_item:A1_tone           1.0   open
    """
    d = _ts(session_date, "new_session", "session_date")
    if session_id is None:
        k = 1
        if existing is not None and len(existing):
            same = (existing["agent_id"] == agent_id) & (
                pd.to_datetime(existing["session_date"]).dt.normalize() == d)
            k = int(same.sum()) + 1
            while f"CS{d:%Y%m%d}-{agent_id}-{k}" in set(existing["session_id"]):
                k += 1
        session_id = f"CS{d:%Y%m%d}-{agent_id}-{k}"
    t = pd.Timestamp(now) if now is not None else now_local()
    row = {
        "session_id": session_id, "agent_id": agent_id, "team_id": team_id,
        "leader_id": leader_id, "session_date": d, "evidence_shown": evidence_shown,
        "strengths": strengths, "improvement_agreed": improvement_agreed,
        "agent_commitment": agent_commitment, "target_metric": target_metric,
        "target_value": float(target_value) if not _blank(target_value) else np.nan,
        "baseline_value": np.nan if _blank(baseline_value) else float(baseline_value),
        "due_date": _ts(due_date, "new_session", "due_date"), "status": "open",
        "closed_date": pd.NaT, "follow_up_note": "", "created_at": t, "updated_at": t,
    }
    out = pd.DataFrame([row], columns=list(SESSION_COLUMNS))
    validate_sessions(out)
    return out


def smart_check(sessions: pd.DataFrame, *, max_days: int = 92,
                form: QAForm | str | None = None) -> pd.DataFrame:
    """The SMART and completeness checks of each session.

    Checks: ``specific`` (a known target metric and an agreed improvement), ``measurable`` (a
    numeric target inside the metric's range), ``achievable`` (the agent's own commitment is
    written down, and the target improves on the baseline when one is recorded), ``relevant``
    (the evidence shown is recorded), ``time_bound`` (due after the session, within
    ``max_days``), ``status`` (one of :data:`SESSION_STATUSES`).

    Returns
    -------
    DataFrame
        One row per session × check: ``session_id``, ``check``, ``ok``, ``message`` (empty
        when ok).

    Examples
    --------
    Due before the session, and a target of 95 when the baseline is already 96:

    >>> s = pd.DataFrame({"session_id": ["S1"], "agent_id": ["A"],
    ...     "session_date": pd.to_datetime(["2026-03-10"]), "target_metric": ["qa_score"],
    ...     "target_value": [95.0], "baseline_value": [96.0],
    ...     "due_date": pd.to_datetime(["2026-03-01"]), "status": ["open"],
    ...     "evidence_shown": ["QA"], "improvement_agreed": ["x"], "agent_commitment": ["y"]})
    >>> c = smart_check(s)
    >>> for m in c[~c.ok].itertuples():
    ...     print(m.check, "|", m.message)
    achievable | target 95 does not improve on the baseline 96 (qa_score: higher is better)
    time_bound | due_date 2026-03-01 must be after session_date 2026-03-10 (and within 92 days)
    """
    require_columns(sessions, ["session_id", "agent_id", "session_date", "target_metric",
                               "target_value", "due_date", *_TEXTS], "coaching sessions")
    rows = []
    for r in sessions.to_dict("records"):
        sid = r["session_id"]
        info = None
        msg_s = []
        try:
            info = metric_info(r["target_metric"], form)
        except ParameterError:
            msg_s.append(f"target_metric {r['target_metric']!r} is not one of "
                         + ", ".join(TARGET_METRICS) + " or qa_item:<item code>")
        if _blank(r["improvement_agreed"]):
            msg_s.append("improvement_agreed is empty")
        if _blank(r["agent_id"]):
            msg_s.append("agent_id is empty")
        rows.append((sid, "specific", not msg_s, "; ".join(msg_s)))
        tv = r["target_value"]
        msg_m = ""
        try:
            tvf = float(tv)
        except (TypeError, ValueError):
            tvf = math.nan
        if math.isnan(tvf):
            msg_m = "target_value must be a number"
        elif info is not None and not info["lo"] <= tvf <= info["hi"]:
            msg_m = (f"target_value {tvf:g} is outside {info['lo']:g}..{info['hi']:g} "
                     f"({info['unit']})")
        rows.append((sid, "measurable", not msg_m, msg_m))
        msg_a = []
        if _blank(r["agent_commitment"]):
            msg_a.append("agent_commitment is empty (the agent's own words)")
        b = r.get("baseline_value")
        if info is not None and not _blank(b) and not math.isnan(tvf):
            better = tvf > float(b) if info["better"] == "higher" else tvf < float(b)
            if not better:
                msg_a.append(f"target {tvf:g} does not improve on the baseline {float(b):g} "
                             f"({r['target_metric']}: {info['better']} is better)")
        rows.append((sid, "achievable", not msg_a, "; ".join(msg_a)))
        msg_r = "" if not _blank(r["evidence_shown"]) else "evidence_shown is empty (沟通依据)"
        rows.append((sid, "relevant", not msg_r, msg_r))
        msg_t = ""
        try:
            d0 = _ts(r["session_date"], "smart_check", "session_date")
            d1 = _ts(r["due_date"], "smart_check", "due_date")
            if not (d0 < d1 <= d0 + pd.Timedelta(days=max_days)):
                msg_t = (f"due_date {d1:%Y-%m-%d} must be after session_date {d0:%Y-%m-%d} "
                         f"(and within {max_days} days)")
        except ParameterError:
            msg_t = "session_date and due_date must be dates"
        rows.append((sid, "time_bound", not msg_t, msg_t))
        st = r.get("status", "open")
        msg_st = "" if st in SESSION_STATUSES else (f"status {st!r} is not one of "
                                                    + ", ".join(SESSION_STATUSES))
        rows.append((sid, "status", not msg_st, msg_st))
    return pd.DataFrame(rows, columns=["session_id", "check", "ok", "message"])


def validate_sessions(sessions: pd.DataFrame, *, max_days: int = 92,
                      form: QAForm | str | None = None) -> None:
    """Raise :class:`ParameterError` listing every failed :func:`smart_check` (one line).

    Examples
    --------
    >>> s = pd.DataFrame({"session_id": ["S1"], "agent_id": ["A"],
    ...     "session_date": pd.to_datetime(["2026-03-10"]), "target_metric": ["speed"],
    ...     "target_value": [1.0], "due_date": pd.to_datetime(["2026-04-01"]),
    ...     "evidence_shown": ["QA"], "improvement_agreed": ["x"], "agent_commitment": [""]})
    >>> validate_sessions(s)
    Traceback (most recent call last):
    ...
    ccomkit.errors.ParameterError: coaching session S1 is not SMART: specific: target_metric 'speed' is not one of qa_score, qa_pass_rate, csat, fcr, aht_s or qa_item:<item code>; achievable: agent_commitment is empty (the agent's own words)
    """
    c = smart_check(sessions, max_days=max_days, form=form)
    bad = c[~c["ok"]]
    if len(bad):
        parts = []
        for sid, g in bad.groupby("session_id", sort=False):
            parts.append(f"coaching session {sid} is not SMART: " + "; ".join(
                f"{k}: {m}" for k, m in zip(g["check"], g["message"])))
        raise ParameterError(" | ".join(parts), param="session", value=bad["session_id"].iloc[0])


def measure(frames: Mapping[str, pd.DataFrame], agent_id: str, metric: str, start: Any,
            end: Any, *, pass_mark: float = 80.0, form: QAForm | str | None = None
            ) -> tuple[float, int]:
    """Value and sample size of ``metric`` for one agent over the days ``start ≤ d ≤ end``.

    ``n`` is the evaluations (QA metrics), answers (csat, fcr) or contacts handled (aht_s).
    A value with ``n = 0`` is NaN.

    Examples
    --------
    >>> ev = pd.DataFrame({"eval_id": ["E1", "E2"], "call_id": ["C1", "C2"],
    ...     "agent_id": ["A", "A"], "total_score": [90.0, 80.0],
    ...     "eval_date": pd.to_datetime(["2026-03-02", "2026-03-03"])})
    >>> it = pd.DataFrame({"eval_id": ["E1", "E2"], "item_code": ["A1_tone", "A1_tone"],
    ...                    "deducted_points": [3.0, 0.0]})
    >>> measure({"qa_evaluation": ev, "qa_item": it}, "A", "qa_item:A1_tone",
    ...         "2026-03-01", "2026-03-31")
    (1.5, 2)
    """
    info = metric_info(metric, form)
    lo = _ts(start, "measure", "start")
    hi = _ts(end, "measure", "end")
    if hi < lo:
        return math.nan, 0
    if metric.startswith("qa_") or metric.startswith("qa_item:"):
        ev = frames.get("qa_evaluation")
        if ev is None:
            return math.nan, 0
        e = window_evaluations(ev[ev["agent_id"] == agent_id], lo - pd.Timedelta(days=1), hi)
        n = len(e)
        if n == 0:
            return math.nan, 0
        if metric == "qa_score":
            return float(e["total_score"].mean()), n
        if metric == "qa_pass_rate":
            return float((e["total_score"] >= pass_mark).mean()), n
        code = metric.split(":", 1)[1]
        it = frames.get("qa_item")
        if it is None:
            return math.nan, 0
        x = it[(it["item_code"] == code) & it["eval_id"].isin(e["eval_id"])]
        return float(pd.to_numeric(x["deducted_points"]).sum() / n), n
    if metric in ("csat", "fcr"):
        cs = frames.get("csat_response")
        if cs is None:
            return math.nan, 0
        d = pd.to_datetime(cs["invited_at"]).dt.normalize()
        c = cs[((cs["agent_id"] == agent_id) & (d >= lo) & (d <= hi)).to_numpy()]
        if metric == "csat":
            q = pd.to_numeric(c["q_overall"], errors="coerce").dropna()
            return (float((q >= 4).mean()) if len(q) else math.nan), int(len(q))
        f = c["fcr_yes"].dropna().astype(bool)
        return (float(f.mean()) if len(f) else math.nan), int(len(f))
    ai = frames.get("agent_interval")
    if ai is None:
        return math.nan, 0
    d = pd.to_datetime(ai["interval_start"]).dt.normalize()
    a = ai[((ai["agent_id"] == agent_id) & (d >= lo) & (d <= hi)).to_numpy()]
    h = float(a["handled"].sum())
    if h <= 0:
        return math.nan, 0
    assert info["unit"] == "s"
    return float((a["talk_s"] + a["hold_s"] + a["acw_s"]).sum() / h), int(h)


def follow_up(sessions: pd.DataFrame, frames: Mapping[str, pd.DataFrame], *, as_of: Any = None,
              before_days: int = 30, min_n: int = 3, pass_mark: float = 80.0,
              form: QAForm | str | None = None) -> pd.DataFrame:
    """Measure each session's target metric before and after the session; flag overdue and
    ineffective plans (see the module docstring for the windows and outcomes).

    Parameters
    ----------
    sessions : DataFrame
        Session records (:data:`SESSION_COLUMNS`; ``status`` defaults to open).
    frames : mapping of table name to DataFrame
        ``qa_evaluation`` and ``qa_item`` (QA metrics), ``csat_response``, ``agent_interval``.
    as_of : date-like, optional
        Default today.
    before_days : int, default 30
    min_n : int, default 3
        Observations the after window needs before an outcome is judged.

    Returns
    -------
    DataFrame
        One row per session (input order): ``session_id``, ``agent_id``, ``session_date``,
        ``target_metric``, ``better``, ``target_value``, ``due_date``, ``status``,
        ``before_start``, ``before_value``, ``before_n``, ``after_end``, ``after_value``,
        ``after_n``, ``change`` (after − before), ``improved``, ``target_met``,
        ``days_to_due`` (negative when past), ``outcome`` (:data:`OUTCOMES`), ``overdue``,
        ``ineffective``.

    Examples
    --------
    Agent A, target QA ≥ 90 by 2026-03-31, coached on 2026-03-10. Before (Feb 8 – Mar 9): 80 and
    84 → 82; after (Mar 11 – Mar 31): 86, 88, 87 → 87 (not met, but better):

    >>> ev = pd.DataFrame({"eval_id": [f"E{i}" for i in range(6)],
    ...     "call_id": [f"C{i}" for i in range(6)], "agent_id": ["A"] * 6,
    ...     "total_score": [80.0, 84.0, 70.0, 86.0, 88.0, 87.0],
    ...     "eval_date": pd.to_datetime(["2026-02-20", "2026-03-01", "2026-03-10",
    ...                                  "2026-03-15", "2026-03-20", "2026-03-25"])})
    >>> s = pd.DataFrame({"session_id": ["S1"], "agent_id": ["A"],
    ...     "session_date": pd.to_datetime(["2026-03-10"]), "target_metric": ["qa_score"],
    ...     "target_value": [90.0], "due_date": pd.to_datetime(["2026-03-31"]),
    ...     "status": ["open"]})
    >>> f = follow_up(s, {"qa_evaluation": ev}, as_of="2026-04-05")
    >>> f[["before_value", "before_n", "after_value", "after_n", "outcome", "overdue"]]
       before_value  before_n  after_value  after_n           outcome  overdue
    0          82.0         2         87.0        3  improved_not_met     True
    """
    for name, v, lo in (("before_days", before_days, 1), ("min_n", min_n, 1)):
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < lo:
            raise ParameterError.expected("follow_up", name, f"an int >= {lo}", v)
    require_columns(sessions, ["session_id", "agent_id", "session_date", "target_metric",
                               "target_value", "due_date"], "coaching sessions")
    t_now = _ts(as_of if as_of is not None else now_local(), "follow_up", "as_of")
    rows = []
    for r in sessions.to_dict("records"):
        info = metric_info(r["target_metric"], form)
        d0 = _ts(r["session_date"], "follow_up", "session_date")
        due = _ts(r["due_date"], "follow_up", "due_date")
        status = r.get("status") if not _blank(r.get("status")) else "open"
        b_lo = d0 - pd.Timedelta(days=before_days)
        b_val, b_n = measure(frames, r["agent_id"], r["target_metric"], b_lo,
                             d0 - pd.Timedelta(days=1), pass_mark=pass_mark, form=form)
        a_end = min(due, t_now)
        a_val, a_n = measure(frames, r["agent_id"], r["target_metric"],
                             d0 + pd.Timedelta(days=1), a_end, pass_mark=pass_mark, form=form)
        tv = float(r["target_value"])
        higher = info["better"] == "higher"
        has_after = a_n >= min_n and not math.isnan(a_val)
        met = bool(has_after and (a_val >= tv if higher else a_val <= tv))
        if has_after and not math.isnan(b_val):
            improved: Any = bool(a_val > b_val if higher else a_val < b_val)
        else:
            improved = pd.NA
        past_due = t_now > due
        if status == "cancelled":
            outcome = "cancelled"
        elif not has_after:
            outcome = "no_data"
        elif met:
            outcome = "met"
        elif not past_due:
            outcome = "in_progress"
        elif improved is True:
            outcome = "improved_not_met"
        else:
            outcome = "ineffective"
        rows.append({
            "session_id": r["session_id"], "agent_id": r["agent_id"], "session_date": d0,
            "target_metric": r["target_metric"], "better": info["better"], "target_value": tv,
            "due_date": due, "status": status, "before_start": b_lo, "before_value": b_val,
            "before_n": b_n, "after_end": a_end, "after_value": a_val, "after_n": a_n,
            "change": a_val - b_val, "improved": improved, "target_met": met,
            "days_to_due": int((due - t_now).days), "outcome": outcome,
            "overdue": bool(past_due and status == "open"),
            "ineffective": outcome == "ineffective"})
    cols = ["session_id", "agent_id", "session_date", "target_metric", "better", "target_value",
            "due_date", "status", "before_start", "before_value", "before_n", "after_end",
            "after_value", "after_n", "change", "improved", "target_met", "days_to_due",
            "outcome", "overdue", "ineffective"]
    out = pd.DataFrame(rows, columns=cols)
    out["improved"] = out["improved"].astype("boolean")
    for c in ("before_n", "after_n", "days_to_due"):
        out[c] = out[c].astype(np.int64)
    return out


def _conform(sessions: pd.DataFrame) -> pd.DataFrame:
    out = sessions.copy()
    for c in SESSION_COLUMNS:
        if c not in out.columns:
            out[c] = None
    out = out[list(SESSION_COLUMNS)]
    for c in ("session_date", "due_date", "closed_date"):
        out[c] = pd.to_datetime(out[c]).astype("datetime64[us]")
    for c in ("created_at", "updated_at"):
        out[c] = pd.to_datetime(out[c]).astype("datetime64[us]")
    for c in ("target_value", "baseline_value"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype(float)
    for c in SESSION_COLUMNS:
        if c not in ("session_date", "due_date", "closed_date", "created_at", "updated_at",
                     "target_value", "baseline_value"):
            out[c] = out[c].astype(object).where(out[c].notna(), None)
    out["status"] = out["status"].fillna("open")
    return out


def save_sessions(ws: Any, sessions: pd.DataFrame, *, max_days: int = 92) -> int:
    """Validate and upsert session records into ``rec_coaching_session`` (key ``session_id``).

    ``ws`` is a workspace opened with ``Workspace.open_write``: the write lands atomically
    with the rest of that block. Returns the number of rows written.
    """
    validate_sessions(sessions, max_days=max_days)
    return ws.write_records(SESSION_TABLE, _conform(sessions), key=["session_id"])


def read_sessions(ws: Any, *, agent_id: str | None = None, team_id: str | None = None
                  ) -> pd.DataFrame:
    """Session records of a workspace (newest first), optionally of one agent or team; an
    empty frame with :data:`SESSION_COLUMNS` when none were saved."""
    conds, params = [], []
    if agent_id is not None:
        conds.append("agent_id = ?")
        params.append(agent_id)
    if team_id is not None:
        conds.append("team_id = ?")
        params.append(team_id)
    df = ws.read_records(SESSION_TABLE, where=" AND ".join(conds) or None,
                         params=params or None, order_by=["session_date", "session_id"])
    if not len(df.columns):
        return _conform(pd.DataFrame(columns=list(SESSION_COLUMNS)))
    return _conform(df).iloc[::-1].reset_index(drop=True)


def update_session(ws: Any, session_id: str, *, now: Any = None, **changes: Any) -> pd.DataFrame:
    """Change fields of a saved session (e.g. ``status="closed"``, ``follow_up_note=...``),
    re-validate and save it; closing sets ``closed_date`` (default today). Returns the row.

    Raises
    ------
    ParameterError
        No such session, an unknown field, or the changed record is not SMART.
    """
    unknown = sorted(set(changes) - set(SESSION_COLUMNS) - {"session_id"})
    if unknown or "session_id" in changes:
        raise ParameterError.expected("update_session", "changes", "fields of "
                                      "rec_coaching_session other than session_id",
                                      unknown or ["session_id"])
    cur = ws.read_records(SESSION_TABLE, where="session_id = ?", params=[session_id])
    if not len(cur):
        raise ParameterError.expected("update_session", "session_id", "the id of a saved "
                                      "coaching session", session_id)
    row = _conform(cur)
    t = pd.Timestamp(now) if now is not None else now_local()
    for k, v in changes.items():
        row[k] = [v]
    if changes.get("status") in ("closed", "cancelled") and pd.isna(row["closed_date"].iloc[0]):
        row["closed_date"] = [t.normalize()]
    if changes.get("status") == "open":  # re-opened: no longer closed
        row["closed_date"] = [pd.NaT]
    row["updated_at"] = [t]
    save_sessions(ws, row)
    return _conform(row)
