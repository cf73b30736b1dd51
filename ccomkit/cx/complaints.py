"""DSAT follow-up and complaint closure tracking (DOMAIN.md §6 跟踪解决, §2.4 complaint rate).

Cases move through ``open → contacted → resolved → verified``. Two builders turn the workspace
tables into one *case table* that the summaries read:

- :func:`complaint_cases`: one row per complaint. Status as of ``as_of`` is derived:
  not closed by ``as_of`` (``closed_at`` empty or later) → ``open``; closed with
  ``customer_satisfied_flag`` true → ``verified`` (the customer confirmed the fix); closed
  otherwise → ``resolved``. The complaint table has no contact timestamp, so ``contacted``
  cannot be derived for complaints and never appears there.
- :func:`dsat_cases`: one row per dissatisfied response (bottom-2-box ``q_overall``) or per
  response with a follow-up under way; status is ``followup_status``, and a DSAT never routed
  (``none`` or empty) counts as ``open`` with ``routed`` False. The due time is
  ``responded_at + due_days``; the survey table keeps no closing time, so ``hours_to_close``
  is empty for DSAT cases.

A case is **overdue** at ``as_of`` when its due time has passed and it is not closed (status
``open`` or ``contacted``). Closure rate = closed (resolved + verified) ÷ cases; the complaint
rate per 10,000 contacts comes from :func:`ccomkit.kpi.complaint_contacts` and
:func:`ccomkit.kpi.compute`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ccomkit.cx.survey import _as_list, _check_responses, _numeric, _pareto, _violation
from ccomkit.errors import ParameterError, SchemaError
from ccomkit.kpi import FREQS, _period, complaint_contacts, compute
from ccomkit.schemas import FOLLOWUP, require_columns

__all__ = [
    "CASE_STATES",
    "closure_summary",
    "complaint_cases",
    "complaint_pareto",
    "complaint_rate",
    "dsat_cases",
    "overdue_list",
]

CASE_STATES: tuple[str, ...] = ("open", "contacted", "resolved", "verified")
"""Case states in order; ``resolved`` and ``verified`` are closed."""

_CLOSED = ("resolved", "verified")
_CASE_COLS = ("case_id", "kind", "opened_at", "due_at", "closed_at", "status", "is_closed",
              "hours_to_close", "overdue", "hours_overdue", "closed_late")


def _ts(frame: pd.DataFrame, col: str, table: str) -> pd.Series:
    s = frame[col]
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        t = s
    else:
        try:
            t = pd.to_datetime(s)
        except (TypeError, ValueError):
            raise SchemaError(f"{table}.{col} must hold date-times (dtype {s.dtype})",
                              table=table, column=col) from None
    if isinstance(t.dtype, pd.DatetimeTZDtype):
        t = t.dt.tz_localize(None)
    return t.astype("datetime64[us]").reset_index(drop=True)


def _as_of(value: Any, default: pd.Timestamp, owner: str) -> pd.Timestamp:
    if value is None:
        return default
    try:
        t = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise ParameterError.expected(owner, "as_of", "a date-time or None", value) from None
    if t is pd.NaT or pd.isna(t):
        raise ParameterError.expected(owner, "as_of", "a date-time or None", value)
    return t.tz_localize(None) if t.tzinfo is not None else t


def _finish(out: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Add is_closed, hours_to_close, overdue, hours_overdue, closed_late."""
    closed = out["status"].isin(_CLOSED).to_numpy()
    out["is_closed"] = closed
    out["hours_to_close"] = (out["closed_at"] - out["opened_at"]).dt.total_seconds() / 3600.0
    due = out["due_at"]
    late_open = (~closed) & due.notna().to_numpy() & (due < as_of).to_numpy()
    out["overdue"] = late_open
    over_h = (as_of - due).dt.total_seconds() / 3600.0
    out["hours_overdue"] = over_h.where(late_open)
    out["closed_late"] = (closed & out["closed_at"].notna().to_numpy() & due.notna().to_numpy()
                          & (out["closed_at"] > due).to_numpy())
    return out


def complaint_cases(complaint: pd.DataFrame, *, as_of: Any = None) -> pd.DataFrame:
    """The complaint table as cases with their status as of a date.

    Parameters
    ----------
    complaint : DataFrame
        The ``complaint`` table (case_id, received_at, valid_flag, due_at, closed_at,
        customer_satisfied_flag; category, severity, source, agent_id, queue_id, root_cause,
        repeat_flag are carried along when present). Not modified.
    as_of : date-like, optional
        The moment the status is taken at. Complaints received later are left out; a closing
        after ``as_of`` counts as not yet closed. Default: the latest received_at or closed_at.

    Returns
    -------
    DataFrame
        ``case_id``, ``kind`` ('complaint'), ``opened_at`` (received_at), ``due_at``,
        ``closed_at`` (empty when not closed by ``as_of``), ``status``, ``is_closed``,
        ``hours_to_close``, ``overdue``, ``hours_overdue``, ``closed_late`` (closed after due),
        then the carried columns and ``as_of``.

    Raises
    ------
    SchemaError
        A missing column, or a closed_at/due_at before received_at.

    Examples
    --------
    As of 2026-03-05 00:00: C1 closed and confirmed (verified, 20 h); C2 closed without
    confirmation (resolved); C3 open and due 2026-03-04 12:00 → overdue by 12 h:

    >>> import pandas as pd
    >>> from ccomkit.cx.complaints import complaint_cases
    >>> cp = pd.DataFrame({
    ...     "case_id": ["C1", "C2", "C3"],
    ...     "received_at": pd.to_datetime(["2026-03-02 08:00", "2026-03-02 09:00",
    ...                                    "2026-03-03 12:00"]),
    ...     "valid_flag": [True, True, False],
    ...     "due_at": pd.to_datetime(["2026-03-03 08:00", "2026-03-03 09:00",
    ...                               "2026-03-04 12:00"]),
    ...     "closed_at": pd.to_datetime(["2026-03-03 04:00", "2026-03-04 09:00", None]),
    ...     "customer_satisfied_flag": pd.array([True, None, None], dtype="boolean")})
    >>> out = complaint_cases(cp, as_of="2026-03-05")
    >>> out[["case_id", "status", "hours_to_close", "overdue", "hours_overdue", "closed_late"]]
      case_id    status  hours_to_close  overdue  hours_overdue  closed_late
    0      C1  verified            20.0    False            NaN        False
    1      C2  resolved            48.0    False            NaN         True
    2      C3      open             NaN     True           12.0        False
    """
    owner = "complaint_cases"
    table = "complaint"
    if not isinstance(complaint, pd.DataFrame):
        raise ParameterError.expected(owner, "complaint", "a pandas DataFrame",
                                      type(complaint).__name__)
    require_columns(complaint, ["case_id", "received_at", "valid_flag", "due_at", "closed_at",
                                "customer_satisfied_flag"], table)
    recv = _ts(complaint, "received_at", table)
    if recv.isna().any():
        bad = recv.isna().to_numpy()
        raise _violation(table, "received_at", "must not be empty", bad, complaint["received_at"])
    due = _ts(complaint, "due_at", table)
    closed_at = _ts(complaint, "closed_at", table)
    for name, t in (("closed_at", closed_at), ("due_at", due)):
        bad = (t.notna() & (t < recv)).to_numpy()
        if bad.any():
            raise _violation(table, name, "must not be before received_at", bad,
                             complaint[name].reset_index(drop=True))
    latest = pd.concat([recv, closed_at]).max()
    t0 = _as_of(as_of, latest if pd.notna(latest) else pd.Timestamp("1970-01-01"), owner)
    sat = _numeric(complaint, "customer_satisfied_flag", table)
    done = (closed_at.notna() & (closed_at <= t0)).to_numpy()
    status = np.where(~done, "open", np.where(sat == 1.0, "verified", "resolved"))
    out = pd.DataFrame({
        "case_id": complaint["case_id"].to_numpy(),
        "kind": "complaint",
        "opened_at": recv,
        "due_at": due,
        "closed_at": closed_at.where(done),
        "status": status,
    })
    out = _finish(out, t0)
    for c in ("category", "severity", "source", "channel", "agent_id", "queue_id",
              "valid_flag", "root_cause", "repeat_flag", "customer_satisfied_flag"):
        if c in complaint.columns:
            out[c] = complaint[c].to_numpy()
    if "repeat_flag" not in out.columns:
        out["repeat_flag"] = False
    out["as_of"] = t0
    keep = (recv <= t0).to_numpy()
    return out[keep].reset_index(drop=True)


def dsat_cases(csat_response: pd.DataFrame, *, as_of: Any = None, due_days: float = 3.0,
               dsat_max: int = 2) -> pd.DataFrame:
    """Dissatisfied survey responses as follow-up cases.

    A response is a case when ``q_overall ≤ dsat_max`` (bottom-2-box by default) or its
    ``followup_status`` is one of open/contacted/resolved/verified. Status is
    ``followup_status``; ``none`` or empty on a DSAT counts as ``open`` with ``routed`` False.

    Parameters
    ----------
    csat_response : DataFrame
        The ``csat_response`` table (survey_id, responded_at, q_overall, followup_status;
        agent_id, queue_id, channel carried when present). Not modified.
    as_of : date-like, optional
        Responses after it are left out; overdue is judged at it. Default: the latest
        responded_at.
    due_days : float, default 3.0
        Days after the response by which the team leader must have closed the case.
    dsat_max : int, default 2
        Highest q_overall counted as dissatisfied (2 = bottom-2-box; 3 also takes neutrals).

    Returns
    -------
    DataFrame
        The case columns of :func:`complaint_cases` (``kind`` 'dsat', ``case_id`` = survey_id,
        ``opened_at`` = responded_at, ``closed_at`` empty), ``routed``, ``q_overall``, the
        carried columns and ``as_of``.

    Raises
    ------
    SchemaError
        Missing columns, q_overall outside 1-5, an unknown followup_status, or answers without
        responded_at.

    Examples
    --------
    As of 2026-03-06, due 3 days after the response: S1 (score 1, open, due 03-05) is overdue by
    24 h; S2 (resolved) is closed; S3 (score 2, never routed) is open, due 03-08:

    >>> import pandas as pd
    >>> from ccomkit.cx.complaints import dsat_cases
    >>> sv = pd.DataFrame({"survey_id": ["S1", "S2", "S3", "S4"],
    ...     "responded_at": pd.to_datetime(["2026-03-02", "2026-03-02", "2026-03-05",
    ...                                     "2026-03-05"]),
    ...     "q_overall": [1, 3, 2, 5],
    ...     "followup_status": ["open", "resolved", None, "none"]})
    >>> dsat_cases(sv, as_of="2026-03-06")[["case_id", "status", "routed", "overdue",
    ...                                     "hours_overdue"]]
      case_id    status  routed  overdue  hours_overdue
    0      S1      open    True     True           24.0
    1      S2  resolved    True    False            NaN
    2      S3      open   False    False            NaN
    """
    owner = "dsat_cases"
    table = "csat_response"
    if not isinstance(csat_response, pd.DataFrame):
        raise ParameterError.expected(owner, "csat_response", "a pandas DataFrame",
                                      type(csat_response).__name__)
    if not (isinstance(due_days, (int, float)) and not isinstance(due_days, bool)
            and due_days >= 0):
        raise ParameterError.expected(owner, "due_days", "a number >= 0", due_days)
    if dsat_max not in (1, 2, 3):
        raise ParameterError.expected(owner, "dsat_max", "one of 1, 2, 3", dsat_max)
    _check_responses(csat_response, ["survey_id", "q_overall", "followup_status",
                                     "responded_at"])
    fu = csat_response["followup_status"].astype(object).where(
        csat_response["followup_status"].notna(), None)
    bad = fu.notna().to_numpy() & ~fu.isin(FOLLOWUP).to_numpy()
    if bad.any():
        raise _violation(table, "followup_status", "must be one of " + ", ".join(FOLLOWUP), bad,
                         csat_response["followup_status"])
    q = _numeric(csat_response, "q_overall", table)
    resp = _ts(csat_response, "responded_at", table)
    routed = fu.isin(CASE_STATES).to_numpy()
    is_case = (q <= dsat_max) | routed
    latest = resp.max()
    t0 = _as_of(as_of, latest if pd.notna(latest) else pd.Timestamp("1970-01-01"), owner)
    status = np.where(routed, fu.to_numpy(dtype=object), "open").astype(str)
    out = pd.DataFrame({
        "case_id": csat_response["survey_id"].to_numpy(),
        "kind": "dsat",
        "opened_at": resp,
        "due_at": resp + pd.to_timedelta(float(due_days), unit="D"),
        "closed_at": pd.Series(pd.NaT, index=resp.index, dtype="datetime64[us]"),
        "status": status,
    })
    out = _finish(out, t0)
    out["routed"] = routed
    out["q_overall"] = csat_response["q_overall"].to_numpy()
    for c in ("agent_id", "queue_id", "channel", "call_id"):
        if c in csat_response.columns:
            out[c] = csat_response[c].to_numpy()
    out["as_of"] = t0
    keep = is_case & resp.notna().to_numpy() & (resp <= t0).to_numpy()
    return out[keep].reset_index(drop=True)


def _check_cases(cases: pd.DataFrame, owner: str) -> None:
    if not isinstance(cases, pd.DataFrame):
        raise ParameterError.expected(owner, "cases", "a pandas DataFrame",
                                      type(cases).__name__)
    require_columns(cases, list(_CASE_COLS), "cases")
    bad = ~cases["status"].isin(CASE_STATES).to_numpy()
    if bad.any():
        raise _violation("cases", "status", "must be one of " + ", ".join(CASE_STATES), bad,
                         cases["status"])


def closure_summary(
    cases: pd.DataFrame,
    by: str | Sequence[str] = (),
    *,
    freq: str | None = None,
    time_col: str = "opened_at",
) -> pd.DataFrame:
    """Closure rate, time to close, overdue and repeat rate per group (and period).

    Parameters
    ----------
    cases : DataFrame
        Output of :func:`complaint_cases` or :func:`dsat_cases` (or both concatenated). Not
        modified.
    by : str or sequence of str, default ()
        Grouping columns (``category``, ``queue_id``, ``agent_id``, ``kind`` …).
    freq : {'D', 'W', 'M', 'Q', 'Y'}, optional
        Bucket ``time_col`` (default ``opened_at``) into periods (column ``period``).
    time_col : str, default 'opened_at'

    Returns
    -------
    DataFrame
        The ``by`` columns, ``period`` (with ``freq``), ``cases``, ``open``, ``contacted``,
        ``resolved``, ``verified``, ``closed``, ``closure_rate`` (closed ÷ cases),
        ``verified_rate`` (verified ÷ cases), ``overdue``, ``overdue_rate``, ``closed_late``,
        ``on_time_rate`` (closed by due ÷ closed with a due time and a closing time),
        ``median_hours_to_close`` (closed cases with a closing time), ``repeats``,
        ``repeat_rate`` (repeat_flag ÷ cases; 0 for DSAT cases).

    Examples
    --------
    The three cases of :func:`complaint_cases`' example: 2 of 3 closed, 1 verified, 1 overdue,
    median of 20 h and 48 h = 34 h, one of two closings late:

    >>> import pandas as pd
    >>> from ccomkit.cx.complaints import complaint_cases, closure_summary
    >>> cp = pd.DataFrame({
    ...     "case_id": ["C1", "C2", "C3"],
    ...     "received_at": pd.to_datetime(["2026-03-02 08:00", "2026-03-02 09:00",
    ...                                    "2026-03-03 12:00"]),
    ...     "valid_flag": [True, True, False],
    ...     "due_at": pd.to_datetime(["2026-03-03 08:00", "2026-03-03 09:00",
    ...                               "2026-03-04 12:00"]),
    ...     "closed_at": pd.to_datetime(["2026-03-03 04:00", "2026-03-04 09:00", None]),
    ...     "customer_satisfied_flag": pd.array([True, None, None], dtype="boolean")})
    >>> s = closure_summary(complaint_cases(cp, as_of="2026-03-05"))
    >>> s[["cases", "closed", "closure_rate", "overdue", "on_time_rate",
    ...    "median_hours_to_close"]].round(4)
       cases  closed  closure_rate  overdue  on_time_rate  median_hours_to_close
    0      3       2        0.6667        1           0.5                   34.0
    """
    owner = "closure_summary"
    _check_cases(cases, owner)
    by_cols = _as_list(by)
    require_columns(cases, by_cols, "cases")
    keys: dict[str, Any] = {b: cases[b].to_numpy() for b in by_cols}
    if freq is not None:
        if freq not in FREQS or freq == "interval":
            raise ParameterError.expected(owner, "freq", "None or one of 'D', 'W', 'M', 'Q', "
                                          "'Y'", freq)
        require_columns(cases, [time_col], "cases")
        keys["period"] = _period(cases[time_col], freq)
    st = cases["status"].to_numpy(dtype=object)
    timed = cases["closed_at"].notna().to_numpy() & cases["due_at"].notna().to_numpy() & \
        cases["is_closed"].to_numpy(dtype=bool)
    rep = (cases["repeat_flag"].astype("boolean").fillna(False).to_numpy(dtype=bool)
           if "repeat_flag" in cases.columns else np.zeros(len(cases), dtype=bool))
    work = pd.DataFrame({
        **keys,
        "cases": np.ones(len(cases), dtype=np.int64),
        **{s: (st == s).astype(np.int64) for s in CASE_STATES},
        "closed": cases["is_closed"].to_numpy(dtype=bool).astype(np.int64),
        "overdue": cases["overdue"].to_numpy(dtype=bool).astype(np.int64),
        "closed_late": cases["closed_late"].to_numpy(dtype=bool).astype(np.int64),
        "_timed": timed.astype(np.int64),
        "repeats": rep.astype(np.int64),
        "_h": cases["hours_to_close"].to_numpy(dtype=float),
    })
    sums = ["cases", *CASE_STATES, "closed", "overdue", "closed_late", "_timed", "repeats"]
    if keys:
        g = work.groupby(list(keys), sort=True, dropna=False, observed=True)
        out = g[sums].sum()
        out["median_hours_to_close"] = g["_h"].median()
        out = out.reset_index()
    else:
        out = work[sums].sum().to_frame().T.astype(np.int64)
        out["median_hours_to_close"] = float(np.nanmedian(work["_h"])) if \
            work["_h"].notna().any() else np.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        n = out["cases"].to_numpy(dtype=float)
        out["closure_rate"] = out["closed"] / n
        out["verified_rate"] = out["verified"] / n
        out["overdue_rate"] = out["overdue"] / n
        timed_n = out["_timed"].to_numpy(dtype=float)
        out["on_time_rate"] = np.where(timed_n > 0,
                                       (timed_n - out["closed_late"].to_numpy(dtype=float))
                                       / np.where(timed_n > 0, timed_n, 1.0), np.nan)
        out["repeat_rate"] = out["repeats"] / n
    cols = [*keys, "cases", *CASE_STATES, "closed", "closure_rate", "verified_rate", "overdue",
            "overdue_rate", "closed_late", "on_time_rate", "median_hours_to_close", "repeats",
            "repeat_rate"]
    return out[cols].reset_index(drop=True)


def overdue_list(cases: pd.DataFrame) -> pd.DataFrame:
    """The cases overdue at the case table's ``as_of``, most overdue first.

    Parameters
    ----------
    cases : DataFrame
        Output of :func:`complaint_cases` or :func:`dsat_cases` (built with the ``as_of`` the
        list is for). Not modified.

    Returns
    -------
    DataFrame
        The overdue rows (all case columns), sorted by ``hours_overdue`` descending, then
        ``case_id``.

    Examples
    --------
    >>> import pandas as pd
    >>> from ccomkit.cx.complaints import dsat_cases, overdue_list
    >>> sv = pd.DataFrame({"survey_id": ["S1", "S2", "S3"],
    ...     "responded_at": pd.to_datetime(["2026-03-01", "2026-03-02", "2026-03-05"]),
    ...     "q_overall": [1, 2, 1], "followup_status": ["open", "contacted", "open"]})
    >>> overdue_list(dsat_cases(sv, as_of="2026-03-06", due_days=1))[
    ...     ["case_id", "status", "hours_overdue"]]
      case_id     status  hours_overdue
    0      S1       open           96.0
    1      S2  contacted           72.0
    """
    _check_cases(cases, "overdue_list")
    out = cases[cases["overdue"].to_numpy(dtype=bool)]
    return out.sort_values(["hours_overdue", "case_id"], ascending=[False, True],
                           kind="stable").reset_index(drop=True)


def complaint_pareto(
    complaint: pd.DataFrame,
    by: str | Sequence[str] = (),
    *,
    column: str = "root_cause",
    valid_only: bool = True,
    vital_frac: float = 0.8,
) -> pd.DataFrame:
    """Pareto of complaint root causes (or categories) per group.

    Complaints without a value in ``column`` (root cause not yet found) are left out.

    Parameters
    ----------
    complaint : DataFrame
        The ``complaint`` table, or :func:`complaint_cases` output. Not modified.
    by : str or sequence of str, default ()
    column : str, default 'root_cause'
        ``root_cause`` or ``category`` (any code column).
    valid_only : bool, default True
        Count valid complaints only (valid_flag true).
    vital_frac : float, default 0.8
        Cumulative share marking the "vital few".

    Returns
    -------
    DataFrame
        The ``by`` columns, ``reason`` (the code), ``mentions`` (complaints), ``share``,
        ``cum_share``, ``responses_with_reason`` (complaints with a code in the group),
        ``share_of_responses``, ``rank``, ``vital_few``.

    Examples
    --------
    >>> import pandas as pd
    >>> from ccomkit.cx.complaints import complaint_pareto
    >>> cp = pd.DataFrame({"root_cause": ["process", "process", "training", "system", None],
    ...                    "valid_flag": [True, True, True, False, True]})
    >>> complaint_pareto(cp)[["reason", "mentions", "cum_share", "vital_few"]].round(4)
         reason  mentions  cum_share  vital_few
    0   process         2     0.6667       True
    1  training         1     1.0000       True
    """
    if not isinstance(valid_only, bool):
        raise ParameterError.expected("complaint_pareto", "valid_only", "a bool", valid_only)
    if not isinstance(complaint, pd.DataFrame):
        raise ParameterError.expected("complaint_pareto", "complaint", "a pandas DataFrame",
                                      type(complaint).__name__)
    frame = complaint
    if valid_only:
        require_columns(complaint, ["valid_flag"], "complaint")
        frame = complaint[_numeric(complaint, "valid_flag", "complaint") == 1.0]
    return _pareto(frame, by, column=column, sep=None, vital_frac=vital_frac,
                   table="complaint", owner="complaint_pareto")


def complaint_rate(
    complaint: pd.DataFrame,
    contacts: pd.DataFrame,
    by: str | Sequence[str] = (),
    *,
    freq: str | None = None,
    contacts_time_col: str = "interval_start",
    handled_col: str = "handled",
) -> pd.DataFrame:
    """Complaint rate per 10,000 handled contacts, valid and all, via :mod:`ccomkit.kpi`.

    Parameters
    ----------
    complaint : DataFrame
        The ``complaint`` table. Not modified.
    contacts : DataFrame
        Handled contacts: ``acd_interval`` (queue grain) or ``agent_interval`` (agent grain).
    by : str or sequence of str, default ()
        Columns both frames hold (``queue_id`` with acd_interval, ``agent_id`` with
        agent_interval). Category splits have no contact denominator; use
        :func:`closure_summary` or :func:`complaint_pareto` for them.
    freq : {'D', 'W', 'M', 'Q', 'Y'}, optional
        Period buckets (column ``period``).
    contacts_time_col, handled_col : str
        Column names in ``contacts``.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``period`` (with ``freq``), ``complaints_valid``,
        ``complaints_all``, ``handled``, ``rate_valid_per10k`` (有效投诉率, the default),
        ``rate_all_per10k``.

    Examples
    --------
    3 complaints (2 valid) against 20,000 handled calls: 2/20,000 × 10,000 = 1.0 and 1.5:

    >>> import pandas as pd
    >>> from ccomkit.cx.complaints import complaint_rate
    >>> cp = pd.DataFrame({"received_at": pd.to_datetime(["2026-03-02 09:07"] * 3),
    ...                    "valid_flag": [True, True, False]})
    >>> acd = pd.DataFrame({"interval_start": pd.to_datetime(["2026-03-02 09:00",
    ...                     "2026-03-02 09:30"]), "handled": [12000, 8000]})
    >>> complaint_rate(cp, acd)[["complaints_valid", "complaints_all", "rate_valid_per10k",
    ...                          "rate_all_per10k"]]
       complaints_valid  complaints_all  rate_valid_per10k  rate_all_per10k
    0                 2               3                1.0              1.5
    """
    by_cols = _as_list(by)
    if freq is not None and (freq not in FREQS or freq == "interval"):
        raise ParameterError.expected("complaint_rate", "freq", "None or one of 'D', 'W', 'M', "
                                      "'Q', 'Y'", freq)
    cc = complaint_contacts(complaint, contacts, by_cols, contacts_time_col=contacts_time_col,
                            handled_col=handled_col)
    k = compute(cc, "complaint_rate_per10k", by_cols, freq=freq,
                variants={"complaint_rate_per10k": ["default", "incl_invalid"]})
    key_names = [*by_cols, *(["period"] if freq is not None else [])]
    v = k[k["variant"] == "default"].reset_index(drop=True)
    a = k[k["variant"] == "incl_invalid"].reset_index(drop=True)
    out = v[key_names].copy() if key_names else pd.DataFrame(index=range(len(v)))
    out["complaints_valid"] = v["numerator"].to_numpy().astype(np.int64)
    out["complaints_all"] = a["numerator"].to_numpy().astype(np.int64)
    out["handled"] = v["denominator"].to_numpy()
    if np.all(out["handled"] == np.round(out["handled"])):
        out["handled"] = out["handled"].astype(np.int64)
    out["rate_valid_per10k"] = v["value"].to_numpy()
    out["rate_all_per10k"] = a["value"].to_numpy()
    return out
