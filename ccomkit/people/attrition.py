"""Attrition: monthly and annualised rates, Kaplan-Meier survival, log-rank test, exit reasons.

Rates come from :func:`ccomkit.kpi.headcount_monthly` and the ``attrition`` KPI of
:func:`ccomkit.kpi.compute` (DOMAIN §2.4); this module never re-implements them. Survival is
tenure in days (``leave_date − hire_date``; leave_date is the last day employed), censored at
``as_of`` for agents still employed.

Left truncation: an agent_dim holds today's staff and the leavers of the recorded window, not the
leavers of years ago, so cohorts hired before the window look better than they were. Pass
``hired_from`` (e.g. the first day of the window) to keep only cohorts observed from day 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ccomkit.errors import ParameterError, SchemaError
from ccomkit.kpi import compute, headcount_monthly
from ccomkit.schemas import require_columns

__all__ = [
    "ATTRITION_VARIANTS",
    "attrition_annualised",
    "attrition_monthly",
    "exit_reason_pareto",
    "kaplan_meier",
    "leaver_comparison",
    "logrank_test",
    "survival_chart",
    "tenure_durations",
]

#: The monthly variants reported by :func:`attrition_monthly` (see ``ccomkit.kpi.dictionary()``).
ATTRITION_VARIANTS = ("default", "a", "b", "c", "voluntary", "involuntary", "new_hire", "tenured")


def _as_list(by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def _ts(x: Any, owner: str, param: str) -> pd.Timestamp:
    try:
        t = pd.Timestamp(x)
    except (TypeError, ValueError):
        raise ParameterError.expected(owner, param, "a date", x) from None
    if pd.isna(t):
        raise ParameterError.expected(owner, param, "a date", x)
    return t.normalize()


# --------------------------------------------------------------------------------------------
# Rates (built on ccomkit.kpi)
# --------------------------------------------------------------------------------------------


def attrition_monthly(agent_dim: pd.DataFrame, hr_event: pd.DataFrame | None = None,
                      by: str | Sequence[str] = (), *, start: Any = None, end: Any = None,
                      variants: Sequence[str] = ATTRITION_VARIANTS,
                      new_hire_days: int = 90) -> pd.DataFrame:
    """Monthly attrition in the variants of DOMAIN §2.4, via ``ccomkit.kpi``.

    ``default`` = leavers ÷ ((HC_start + HC_end)/2); ``a`` = leavers ÷ (leavers + HC_end);
    ``b`` = leavers ÷ HC_start; ``c`` = leavers ÷ everyone employed in the month;
    ``voluntary``/``involuntary`` (need ``hr_event``); ``new_hire`` (< ``new_hire_days``) and
    ``tenured``.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``period`` (month start), ``kpi_id``, ``variant``, ``numerator``,
        ``denominator``, ``value``, ``unit`` and ``formula`` (the variant's text).

    Examples
    --------
    >>> import pandas as pd
    >>> ad = pd.DataFrame({"agent_id": ["A", "B", "C"],
    ...                    "hire_date": pd.to_datetime(["2025-12-01", "2025-06-01", "2026-01-10"]),
    ...                    "leave_date": pd.to_datetime([None, "2026-01-15", None])})
    >>> r = attrition_monthly(ad, start="2026-01", end="2026-01", variants=["default", "a"])
    >>> r[["variant", "numerator", "denominator", "value"]]
       variant  numerator  denominator     value
    0  default        1.0          2.0  0.500000
    1        a        1.0          3.0  0.333333
    """
    by_cols = _as_list(by)
    hc = headcount_monthly(agent_dim, by_cols, start=start, end=end, hr_event=hr_event,
                           new_hire_days=new_hire_days)
    out = compute(hc, "attrition", by_cols, freq="M", time_col="month",
                  variants={"attrition": list(variants)})
    return _with_formula(out)


def _with_formula(out: pd.DataFrame) -> pd.DataFrame:
    from ccomkit.kpi import KPIS
    k = KPIS["attrition"]
    return out.assign(formula=out["variant"].map(k.variants))


def attrition_annualised(agent_dim: pd.DataFrame, hr_event: pd.DataFrame | None = None,
                         by: str | Sequence[str] = (), *, start: Any = None, end: Any = None,
                         ) -> pd.DataFrame:
    """Annualised attrition over ``start``..``end``: simple (×12) and compound variants.

    Over exactly 12 months ``annualised`` is the *actual* rate Σ12 leavers ÷ mean monthly average
    HC; over fewer months it is the simple projection (HC-weighted monthly rate × 12).
    ``annualised_compound`` is ``1 − (1 − m)^12``. The ``months`` column says which applies.

    Examples
    --------
    Ten agents, one leaves in January: m = 1 ÷ ((10 + 9)/2) = 0.105263; simple 12m = 1.263158;
    compound 1 − (1 − m)^12 = 0.736765.

    >>> import pandas as pd

    >>> ad = pd.DataFrame({"agent_id": list("ABCDEFGHIJ"),
    ...                    "hire_date": pd.to_datetime(["2025-01-01"] * 10),
    ...                    "leave_date": pd.to_datetime(["2026-01-15"] + [None] * 9)})
    >>> r = attrition_annualised(ad, start="2026-01", end="2026-01")
    >>> r[["variant", "months", "value"]].round(6)
                   variant  months     value
    0           annualised       1  1.263158
    1  annualised_compound       1  0.736765
    """
    by_cols = _as_list(by)
    hc = headcount_monthly(agent_dim, by_cols, start=start, end=end, hr_event=hr_event)
    out = compute(hc, "attrition", by_cols,
                  variants={"attrition": ["annualised", "annualised_compound"]})
    months = hc["month"].nunique()
    out = out.assign(months=months)
    return _with_formula(out)


# --------------------------------------------------------------------------------------------
# Kaplan-Meier and log-rank: numpy kernels
# --------------------------------------------------------------------------------------------


def _check_survival_arrays(durations: Any, events: Any, owner: str) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(durations, dtype=float)
    e = np.asarray(events)
    if t.ndim != 1 or e.shape != t.shape:
        raise ParameterError.expected(owner, "events", f"a 1-d array of the same length as "
                                      f"durations ({t.shape[0] if t.ndim else 0})", e.shape)
    if not np.isfinite(t).all() or (t < 0).any():
        bad = np.flatnonzero(~np.isfinite(t) | (t < 0))[:5].tolist()
        raise ParameterError(f"The 'durations' parameter of {owner} must hold finite values "
                             f">= 0: {len(bad)}+ rows violate it, first at rows {bad}",
                             param="durations", value=t[bad[0]])
    try:
        e = e.astype(bool) if e.dtype != bool else e
    except (TypeError, ValueError):
        raise ParameterError.expected(owner, "events", "booleans (True = left)", e) from None
    return t, e


def _km(t: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, ...]:
    """Product-limit estimate at the distinct event times: time, n_at_risk, d, c, S, Greenwood."""
    times = np.unique(t[e])
    # at risk at time u: durations >= u; events at u; censorings in [u, next u)
    order = np.sort(t)
    n_risk = len(t) - np.searchsorted(order, times, side="left")
    d = np.searchsorted(np.sort(t[e]), times, side="right") - np.searchsorted(np.sort(t[e]),
                                                                              times, side="left")
    s = np.cumprod(1.0 - d / n_risk)
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(n_risk > d, d / (n_risk * (n_risk - d)), np.inf)
    gw = np.cumsum(term)  # Σ d/(n(n−d)); Var(S) = S² · gw
    return times, n_risk, d, s, gw


def kaplan_meier(frame: pd.DataFrame, duration_col: str = "tenure_days", event_col: str = "left",
                 by: str | Sequence[str] = (), *, level: float = 0.95,
                 ci_method: str = "log-log") -> pd.DataFrame:
    """Kaplan-Meier survival with Greenwood confidence intervals, per group.

    ``S(t) = Π_{t_i ≤ t} (1 − d_i / n_i)``; Greenwood ``Var S = S² Σ d_i / (n_i (n_i − d_i))``.
    ``ci_method='log-log'`` (default, the interval of ``scipy.stats.ecdf`` and lifelines) keeps
    the band inside [0, 1]; ``'linear'`` is ``S ± z·SE`` clipped to [0, 1].

    Parameters
    ----------
    frame : DataFrame
        One row per subject: ``duration_col`` (≥ 0) and ``event_col`` (True = the event, i.e.
        left; False = censored), plus the ``by`` columns (see :func:`tenure_durations`).
    by : str or sequence of str, default ()
    level : float, default 0.95
    ci_method : {'log-log', 'linear'}

    Returns
    -------
    DataFrame
        The ``by`` columns, then one row per distinct event time: ``time``, ``n_at_risk``,
        ``n_events``, ``survival``, ``se`` (Greenwood), ``ci_low``, ``ci_high``. Each group
        starts with a row at time 0, survival 1 (n_events = events at 0 are in the next row).

    Examples
    --------
    Six subjects, times 1, 2+, 3, 3, 4+, 5 (+ = censored): S(1) = 5/6, S(3) = 5/6 · (1 − 2/4) =
    5/12, S(5) = 0.

    >>> import pandas as pd
    >>> f = pd.DataFrame({"tenure_days": [1, 2, 3, 3, 4, 5],
    ...                   "left": [True, False, True, True, False, True]})
    >>> kaplan_meier(f)[["time", "n_at_risk", "n_events", "survival"]]
       time  n_at_risk  n_events  survival
    0   0.0          6         0  1.000000
    1   1.0          6         1  0.833333
    2   3.0          4         2  0.416667
    3   5.0          1         1  0.000000
    """
    owner = "kaplan_meier"
    if not (isinstance(level, float) and 0 < level < 1):
        raise ParameterError.expected(owner, "level", "a float in (0, 1)", level)
    if ci_method not in ("log-log", "linear"):
        raise ParameterError.expected(owner, "ci_method", "'log-log' or 'linear'", ci_method)
    by_cols = _as_list(by)
    require_columns(frame, [duration_col, event_col, *by_cols], "survival frame")
    z = stats.norm.ppf(0.5 + level / 2)
    parts = []
    groups = frame.groupby(by_cols, sort=True, dropna=False) if by_cols else [((), frame)]
    for key, g in groups:
        t, e = _check_survival_arrays(g[duration_col].to_numpy(dtype=float),
                                      g[event_col].to_numpy(), owner)
        times, n_risk, d, s, gw = _km(t, e)
        with np.errstate(invalid="ignore"):
            se = np.where(s > 0, s * np.sqrt(gw), np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            if ci_method == "linear":
                lo, hi = np.clip(s - z * se, 0, 1), np.clip(s + z * se, 0, 1)
            else:
                # log(-log S) has SE sqrt(gw)/|log S|; S^exp(±z·σ)
                sig = np.sqrt(gw) / np.abs(np.log(s))
                lo, hi = s ** np.exp(z * sig), s ** np.exp(-z * sig)
                undefined = (s <= 0) | (s >= 1)
                lo, hi = np.where(undefined, np.nan, lo), np.where(undefined, np.nan, hi)
        part = pd.DataFrame({
            "time": np.r_[0.0, times], "n_at_risk": np.r_[len(t), n_risk].astype(np.int64),
            "n_events": np.r_[0, d].astype(np.int64), "survival": np.r_[1.0, s],
            "se": np.r_[0.0, se], "ci_low": np.r_[1.0, lo], "ci_high": np.r_[1.0, hi]})
        if times.size and times[0] == 0:  # events at 0: keep one row at time 0
            part = part.iloc[1:].reset_index(drop=True)
        key_t = key if isinstance(key, tuple) else (key,)
        for b, v in zip(by_cols, key_t):
            part.insert(by_cols.index(b), b, v)
        parts.append(part)
    cols = [*by_cols, "time", "n_at_risk", "n_events", "survival", "se", "ci_low", "ci_high"]
    if not parts:
        return pd.DataFrame(columns=cols)
    return pd.concat(parts, ignore_index=True)[cols]


def logrank_test(frame: pd.DataFrame, group_col: str, duration_col: str = "tenure_days",
                 event_col: str = "left") -> pd.DataFrame:
    """Log-rank test of equal survival across k ≥ 2 groups (chi-square, k − 1 df).

    At each distinct event time, group j expects ``E_j = d · n_j / n`` events; with
    ``V = Σ_t [n_j/n (δ_jl − n_l/n) · d (n − d)/(n − 1)]`` the statistic is
    ``(O − E)ᵀ V⁻ (O − E)`` over the first k − 1 groups.

    Returns
    -------
    DataFrame
        One row per group: ``group_col``, ``n``, ``observed``, ``expected``, and the test, the
        same on every row: ``chi2``, ``dof``, ``p_value``, ``test`` ("log-rank").

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"g": list("aaabbb"), "tenure_days": [1, 2, 3, 4, 5, 6],
    ...                   "left": [True] * 6})
    >>> r = logrank_test(f, "g")
    >>> r[["g", "observed", "expected"]].round(4)
       g  observed  expected
    0  a       3.0      1.15
    1  b       3.0      4.85
    """
    owner = "logrank_test"
    require_columns(frame, [group_col, duration_col, event_col], "survival frame")
    if frame[group_col].isna().any():
        rows = np.flatnonzero(frame[group_col].isna().to_numpy())[:5].tolist()
        raise SchemaError(f"survival frame.{group_col} is empty in {len(rows)}+ rows, first at "
                          f"rows {rows}", table="survival frame", column=group_col, rows=rows)
    t, e = _check_survival_arrays(frame[duration_col].to_numpy(dtype=float),
                                  frame[event_col].to_numpy(), owner)
    labels, g = np.unique(frame[group_col].to_numpy(), return_inverse=True)
    k = len(labels)
    if k < 2:
        raise ParameterError.expected(owner, "group_col", "a column with at least 2 groups",
                                      group_col)
    times = np.unique(t[e])
    # n_jt at risk, d_jt events: (k, T)
    at_risk = (t[None, :] >= times[:, None])  # (T, N)
    ev = (t[None, :] == times[:, None]) & e[None, :]
    onehot = (g[:, None] == np.arange(k)[None, :]).astype(float)  # (N, k)
    n_jt = at_risk.astype(float) @ onehot  # (T, k)
    d_jt = ev.astype(float) @ onehot
    n_t = n_jt.sum(axis=1)
    d_t = d_jt.sum(axis=1)
    exp_jt = d_t[:, None] * n_jt / n_t[:, None]
    obs = d_jt.sum(axis=0)
    expd = exp_jt.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        fac = np.where(n_t > 1, d_t * (n_t - d_t) / (n_t - 1), 0.0)
    p = n_jt / n_t[:, None]
    v = np.einsum("t,tj,jl->jl", fac, p, np.eye(k)) - np.einsum("t,tj,tl->jl", fac, p, p)
    diff = (obs - expd)[:-1]
    vv = v[:-1, :-1]
    chi2 = float(diff @ np.linalg.pinv(vv) @ diff) if diff.size else float("nan")
    dof = k - 1
    pval = float(stats.chi2.sf(chi2, dof))
    return pd.DataFrame({group_col: labels, "n": np.bincount(g, minlength=k).astype(np.int64),
                         "observed": obs, "expected": expd, "chi2": chi2, "dof": dof,
                         "p_value": pval, "test": "log-rank"})


# --------------------------------------------------------------------------------------------
# Domain wrappers
# --------------------------------------------------------------------------------------------


def tenure_durations(agent_dim: pd.DataFrame, *, as_of: Any = None,
                     hired_from: Any = None) -> pd.DataFrame:
    """One row per agent hired by ``as_of``: tenure in days and whether the agent left.

    ``tenure_days = leave_date − hire_date`` for leavers (``left`` True) and ``as_of − hire_date``
    for the others (censored). Leave dates after ``as_of`` count as still employed.

    Parameters
    ----------
    agent_dim : DataFrame
        agent_id, hire_date, leave_date (optional) and any columns to keep.
    as_of : date-like, optional
        Default: the latest hire or leave date.
    hired_from : date-like, optional
        Keep only agents hired on or after it (against left truncation; see the module notes).

    Returns
    -------
    DataFrame
        agent_dim's columns plus ``hire_month`` (first day), ``tenure_days`` and ``left``.

    Examples
    --------
    >>> import pandas as pd
    >>> ad = pd.DataFrame({"agent_id": ["A", "B"],
    ...                    "hire_date": pd.to_datetime(["2026-01-01", "2026-01-10"]),
    ...                    "leave_date": pd.to_datetime([None, "2026-01-31"])})
    >>> tenure_durations(ad, as_of="2026-03-01")[["agent_id", "tenure_days", "left"]]
      agent_id  tenure_days   left
    0        A           59  False
    1        B           21   True
    """
    owner = "tenure_durations"
    require_columns(agent_dim, ["agent_id", "hire_date"], "agent_dim")
    hire = pd.to_datetime(agent_dim["hire_date"])
    if hire.isna().any():
        rows = np.flatnonzero(hire.isna().to_numpy())[:5].tolist()
        raise SchemaError(f"agent_dim.hire_date is empty, first at rows {rows}",
                          table="agent_dim", column="hire_date", rows=rows)
    leave = (pd.to_datetime(agent_dim["leave_date"]) if "leave_date" in agent_dim.columns
             else pd.Series(pd.NaT, index=agent_dim.index, dtype="datetime64[s]"))
    if as_of is None:
        as_of_t = max(hire.max(), leave.max()) if leave.notna().any() else hire.max()
        as_of_t = pd.Timestamp(as_of_t)
    else:
        as_of_t = _ts(as_of, owner, "as_of")
    keep = hire <= as_of_t
    if hired_from is not None:
        keep &= hire >= _ts(hired_from, owner, "hired_from")
    left = leave.notna() & (leave <= as_of_t)
    end = leave.where(left, as_of_t)
    out = agent_dim.assign(hire_month=hire.dt.to_period("M").dt.start_time,
                           tenure_days=(end - hire).dt.days.astype(np.int64),
                           left=left.astype(bool))
    return out.loc[keep].reset_index(drop=True)


def exit_reason_pareto(hr_event: pd.DataFrame, by: str | Sequence[str] = (), *,
                       start: Any = None, end: Any = None) -> pd.DataFrame:
    """Exit-reason Pareto from the leave events of ``hr_event``.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``leave_reason`` (empty where not recorded), ``leave_type`` (the
        most common type of the reason), ``leavers``, ``share`` (of the group's leavers),
        ``cum_share``; sorted by leavers descending within each group.

    Examples
    --------
    >>> import pandas as pd
    >>> ev = pd.DataFrame({"agent_id": list("ABCD"), "event_type": ["leave"] * 3 + ["hire"],
    ...                    "event_date": pd.to_datetime(["2026-01-05"] * 4),
    ...                    "leave_type": ["voluntary", "voluntary", "involuntary", None],
    ...                    "leave_reason": ["pay", "pay", "attendance", None]})
    >>> exit_reason_pareto(ev)[["leave_reason", "leavers", "share", "cum_share"]].round(4)
      leave_reason  leavers   share  cum_share
    0          pay        2  0.6667     0.6667
    1   attendance        1  0.3333     1.0000
    """
    by_cols = _as_list(by)
    require_columns(hr_event, ["agent_id", "event_type", "event_date", "leave_type",
                               "leave_reason", *by_cols], "hr_event")
    ev = hr_event.loc[hr_event["event_type"] == "leave"]
    d = pd.to_datetime(ev["event_date"])
    if start is not None:
        ev = ev.loc[d >= _ts(start, "exit_reason_pareto", "start")]
        d = d.loc[ev.index]
    if end is not None:
        ev = ev.loc[d <= _ts(end, "exit_reason_pareto", "end")]
    keys = [*by_cols, "leave_reason"]
    grp = ev.groupby(keys, dropna=False, sort=False)
    out = grp.agg(leavers=("agent_id", "size"),
                  leave_type=("leave_type", lambda s: s.mode().iloc[0] if s.notna().any()
                              else np.nan)).reset_index()
    out = out.sort_values([*by_cols, "leavers", "leave_reason"],
                          ascending=[True] * len(by_cols) + [False, True], kind="stable")
    tot = out.groupby(by_cols, dropna=False)["leavers"].transform("sum") if by_cols \
        else out["leavers"].sum()
    out["share"] = out["leavers"] / tot
    out["cum_share"] = (out.groupby(by_cols, dropna=False)["share"].cumsum() if by_cols
                        else out["share"].cumsum())
    out["leavers"] = out["leavers"].astype(np.int64)
    return out[[*by_cols, "leave_reason", "leave_type", "leavers", "share", "cum_share"]
               ].reset_index(drop=True)


def _night_weekend(schedule: pd.DataFrame, night_start_h: int, night_end_h: int) -> pd.DataFrame:
    work = schedule.loc[schedule["activity"] == "work"]
    sh = work.groupby(["agent_id", "shift_date"], sort=False).agg(
        start_at=("start_at", "min"), end_at=("end_at", "max")).reset_index()
    s_h = sh["start_at"].dt.hour + sh["start_at"].dt.minute / 60
    e_h = sh["end_at"].dt.hour + sh["end_at"].dt.minute / 60
    overnight = sh["end_at"].dt.normalize() > sh["start_at"].dt.normalize()
    night = overnight | (s_h >= night_start_h) | (s_h < night_end_h) | (e_h > night_start_h)
    weekend = pd.to_datetime(sh["shift_date"]).dt.day_of_week >= 5
    return sh.assign(night=night.astype(float), weekend=weekend.astype(float))


def leaver_comparison(agent_dim: pd.DataFrame, *, schedule: pd.DataFrame | None = None,
                      agent_interval: pd.DataFrame | None = None, as_of: Any = None,
                      window_days: int = 90, night_start_h: int = 22,
                      night_end_h: int = 6) -> pd.DataFrame:
    """Leavers vs stayers on schedule fairness and occupancy, with a Mann-Whitney U test.

    For each agent, over the ``window_days`` before their leave date (leavers) or before
    ``as_of`` (stayers): ``night_share`` (work shifts touching ``night_start_h``–``night_end_h``
    ÷ work shifts) and ``weekend_share`` (Sat/Sun shifts ÷ shifts) from ``schedule``;
    ``occupancy`` (``ccomkit.kpi`` occupancy, default variant: handle ÷ (handle + idle)) from
    ``agent_interval``. Then, per feature, a two-sided Mann-Whitney U test of leavers against
    stayers.

    This is a descriptive association, not a cause: it is not adjusted for tenure, team or
    queue, and the leavers' window is their last months (which may already reflect
    disengagement). It is not a hazard ratio.

    Returns
    -------
    DataFrame
        One row per feature: ``feature``, ``n_leavers``, ``n_stayers``, ``median_leavers``,
        ``median_stayers``, ``mean_leavers``, ``mean_stayers``, ``u_statistic``, ``p_value``,
        ``test`` ("Mann-Whitney U, two-sided"). Features without data are left out.
    """
    owner = "leaver_comparison"
    if not (isinstance(window_days, (int, np.integer)) and window_days > 0):
        raise ParameterError.expected(owner, "window_days", "a positive int", window_days)
    if schedule is None and agent_interval is None:
        raise ParameterError.expected(owner, "schedule", "given (or agent_interval given)", None)
    dur = tenure_durations(agent_dim, as_of=as_of)
    as_of_t = (pd.Timestamp(as_of).normalize() if as_of is not None else
               (dur["hire_date"] + pd.to_timedelta(dur["tenure_days"], "D")).max())
    leave = pd.to_datetime(dur["leave_date"]) if "leave_date" in dur.columns else None
    win_end = (leave.where(dur["left"], as_of_t) if leave is not None
               else pd.Series(as_of_t, index=dur.index))
    ref = pd.DataFrame({"agent_id": dur["agent_id"], "left": dur["left"],
                        "_end": win_end, "_start": win_end - pd.Timedelta(days=window_days)})
    feats = []
    if schedule is not None:
        require_columns(schedule, ["agent_id", "shift_date", "start_at", "end_at", "activity"],
                        "schedule")
        sh = _night_weekend(schedule, night_start_h, night_end_h).merge(ref, on="agent_id")
        sd = pd.to_datetime(sh["shift_date"])
        sh = sh.loc[(sd > sh["_start"]) & (sd <= sh["_end"])]
        f = sh.groupby("agent_id").agg(night_share=("night", "mean"),
                                       weekend_share=("weekend", "mean"))
        feats.append(f)
    if agent_interval is not None:
        require_columns(agent_interval, ["agent_id", "interval_start"], "agent_interval")
        ai = agent_interval.merge(ref[["agent_id", "_start", "_end"]], on="agent_id")
        day = ai["interval_start"].dt.normalize()
        ai = ai.loc[(day > ai["_start"]) & (day <= ai["_end"])]
        occ = compute(ai.drop(columns=["_start", "_end"]), "occupancy", "agent_id")
        feats.append(occ.set_index("agent_id")[["value"]].rename(columns={"value": "occupancy"}))
    f = ref[["agent_id", "left"]].set_index("agent_id").join(feats, how="left")
    rows = []
    for col in [c for c in f.columns if c != "left"]:
        x = f.loc[f["left"], col].dropna().to_numpy(dtype=float)
        y = f.loc[~f["left"], col].dropna().to_numpy(dtype=float)
        if len(x) == 0 or len(y) == 0:
            continue
        u, p = stats.mannwhitneyu(x, y, alternative="two-sided")
        rows.append({"feature": col, "n_leavers": len(x), "n_stayers": len(y),
                     "median_leavers": float(np.median(x)), "median_stayers": float(np.median(y)),
                     "mean_leavers": float(x.mean()), "mean_stayers": float(y.mean()),
                     "u_statistic": float(u), "p_value": float(p),
                     "test": "Mann-Whitney U, two-sided"})
    cols = ["feature", "n_leavers", "n_stayers", "median_leavers", "median_stayers",
            "mean_leavers", "mean_stayers", "u_statistic", "p_value", "test"]
    return pd.DataFrame(rows, columns=cols)


def survival_chart(km: pd.DataFrame, group_col: str | None = None, lang: str = "zh") -> Any:
    """Step chart of a :func:`kaplan_meier` table with its CI band (unrendered altair chart)."""
    import altair as alt
    require_columns(km, ["time", "survival", "ci_low", "ci_high"], "kaplan_meier table")
    title = "在职生存曲线(Kaplan-Meier)" if lang == "zh" else "Retention survival (Kaplan-Meier)"
    xt, yt = ("在职天数", "留存比例") if lang == "zh" else ("Tenure (days)", "Share still employed")
    color = alt.Color(f"{group_col}:N") if group_col else alt.value("#1f77b4")
    base = alt.Chart(km).encode(x=alt.X("time:Q", title=xt), color=color)
    line = base.mark_line(interpolate="step-after").encode(
        y=alt.Y("survival:Q", title=yt, scale=alt.Scale(domain=[0, 1])))
    band = base.mark_area(interpolate="step-after", opacity=0.2).encode(y="ci_low:Q",
                                                                         y2="ci_high:Q")
    return (band + line).properties(title=title)
