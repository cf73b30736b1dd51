"""Recruitment funnel by channel and period (DOMAIN §5.2; seed 002 module 01).

Rates (each a sum of numerators over a sum of denominators):

- 邀约率 ``invite_rate`` = invited ÷ sourced;
- 面试率 ``interview_rate`` = interviewed ÷ invited;
- 到岗率 ``start_rate`` = started ÷ **offered** (``start_rate_interviewed`` = started ÷ interviewed);
- 留存率 ``retention_<d>d`` = still employed on day d after start ÷ starters *whose start is at
  least d days before as_of* (younger starters are censored, neither kept nor lost);
- ``cost_per_hire`` = Σ cost_cny of all candidates of the group ÷ started;
- time to fill = days from sourced_at to started_at, for starters (median and mean).

A candidate counts in the period of ``sourced_at``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ccomkit.errors import ParameterError
from ccomkit.schemas import require_columns

__all__ = ["funnel", "funnel_chart"]

_FREQS = {"D": "D", "W": "W-SUN", "M": "M", "Q": "Q", "Y": "Y"}


def funnel(recruit_funnel: pd.DataFrame, by: str | Sequence[str] = "channel", *,
           freq: str | None = "M", as_of: Any = None,
           retention_days: Sequence[int] = (30, 90, 180)) -> pd.DataFrame:
    """The recruitment funnel per ``by`` × period with counts, rates and censoring-aware retention.

    Parameters
    ----------
    recruit_funnel : DataFrame
        The ``recruit_funnel`` table. Not modified.
    by : str or sequence of str, default "channel"
    freq : {'D', 'W', 'M', 'Q', 'Y'} or None, default 'M'
        Period of ``sourced_at`` (``period`` = first day); None: one row per group.
    as_of : date-like, optional
        Day the data were extracted; default the latest date in the table.
    retention_days : sequence of int, default (30, 90, 180)

    Returns
    -------
    DataFrame
        ``by``, ``period`` (when freq), ``sourced``, ``invited``, ``interviewed``, ``offered``,
        ``started``, ``invite_rate``, ``interview_rate``, ``start_rate``,
        ``start_rate_interviewed``, for each d: ``eligible_<d>d``, ``retained_<d>d``,
        ``retention_<d>d``; ``cost_cny``, ``cost_per_hire``, ``time_to_fill_median_days``,
        ``time_to_fill_mean_days``. Rates are NaN where the denominator is 0.

    Examples
    --------
    Four candidates; two started on 2026-01-01 and 2026-03-01, the first left on 2026-01-20;
    as_of 2026-03-15 so only the first is old enough for 30-day retention (it failed: 0/1);
    time to fill 31 and 90 days, median 60.5; cost (100 + 100 + 50 + 50) ÷ 2 starters = 150.

    >>> import pandas as pd
    >>> d = lambda *x: pd.to_datetime(list(x))
    >>> rf = pd.DataFrame({"candidate_id": list("abcd"), "channel": ["online"] * 4,
    ...     "sourced_at": d("2025-12-01", "2025-12-01", "2025-12-05", "2026-02-01"),
    ...     "invited_at": d("2025-12-02", "2025-12-02", "2025-12-06", None),
    ...     "interviewed_at": d("2025-12-03", "2025-12-03", None, None),
    ...     "offered_at": d("2025-12-04", "2025-12-04", None, None),
    ...     "started_at": d("2026-01-01", "2026-03-01", None, None),
    ...     "left_at": d("2026-01-20", None, None, None),
    ...     "cost_cny": [100.0, 100.0, 50.0, 50.0]})
    >>> r = funnel(rf, freq=None, as_of="2026-03-15", retention_days=[30])
    >>> r[["channel", "sourced", "invited", "started", "invite_rate", "start_rate"]]
      channel  sourced  invited  started  invite_rate  start_rate
    0  online        4        3        2         0.75         1.0
    >>> r[["eligible_30d", "retention_30d", "cost_per_hire", "time_to_fill_median_days"]]
       eligible_30d  retention_30d  cost_per_hire  time_to_fill_median_days
    0             1            0.0          150.0                      60.5
    """
    owner = "funnel"
    by_cols = [by] if isinstance(by, str) else list(by)
    dates = ["sourced_at", "invited_at", "interviewed_at", "offered_at", "started_at"]
    require_columns(recruit_funnel, ["candidate_id", *dates, *by_cols], "recruit_funnel")
    if freq is not None and freq not in _FREQS:
        raise ParameterError.expected(owner, "freq", "one of 'D', 'W', 'M', 'Q', 'Y' or None",
                                      freq)
    rd = list(retention_days)
    if not all(isinstance(x, (int, np.integer)) and x > 0 for x in rd):
        raise ParameterError.expected(owner, "retention_days", "positive ints", retention_days)
    f = recruit_funnel
    dt = {c: pd.to_datetime(f[c]) for c in dates}
    left = (pd.to_datetime(f["left_at"]) if "left_at" in f.columns
            else pd.Series(pd.NaT, index=f.index, dtype="datetime64[s]"))
    if as_of is None:
        as_of_t = max(pd.concat([*dt.values(), left]).max(), dt["sourced_at"].max())
    else:
        try:
            as_of_t = pd.Timestamp(as_of)
        except (TypeError, ValueError):
            raise ParameterError.expected(owner, "as_of", "a date", as_of) from None
    started = dt["started_at"].notna()
    work = pd.DataFrame({c: f[c] for c in by_cols})
    keys = list(by_cols)
    if freq is not None:
        work["period"] = dt["sourced_at"].dt.to_period(_FREQS[freq]).dt.start_time
        keys.append("period")
    for c, name in zip(dates, ["sourced", "invited", "interviewed", "offered", "started"]):
        work[name] = dt[c].notna().astype(np.int64)
    for d in rd:
        elig = started & (dt["started_at"] + pd.Timedelta(days=d) <= as_of_t)
        kept = elig & (left.isna() | (left - dt["started_at"] >= pd.Timedelta(days=d)))
        work[f"eligible_{d}d"] = elig.astype(np.int64)
        work[f"retained_{d}d"] = kept.astype(np.int64)
    work["cost_cny"] = (pd.to_numeric(f["cost_cny"]).fillna(0.0) if "cost_cny" in f.columns
                        else 0.0)
    work["_ttf"] = (dt["started_at"] - dt["sourced_at"]).dt.days.where(started)
    sums = [c for c in work.columns if c not in keys and c != "_ttf"]
    g = work.groupby(keys, sort=True, dropna=False) if keys else work.assign(_k=0).groupby("_k")
    out = g[sums].sum()
    out["time_to_fill_median_days"] = g["_ttf"].median()
    out["time_to_fill_mean_days"] = g["_ttf"].mean()
    out = out.reset_index()
    if not keys:
        out = out.drop(columns="_k")

    def ratio(n: str, d: str) -> pd.Series:
        den = out[d].astype(float)
        return out[n].astype(float) / den.where(den > 0)

    out["invite_rate"] = ratio("invited", "sourced")
    out["interview_rate"] = ratio("interviewed", "invited")
    out["start_rate"] = ratio("started", "offered")
    out["start_rate_interviewed"] = ratio("started", "interviewed")
    for d in rd:
        out[f"retention_{d}d"] = ratio(f"retained_{d}d", f"eligible_{d}d")
    out["cost_per_hire"] = ratio("cost_cny", "started")
    cols = [*keys, "sourced", "invited", "interviewed", "offered", "started", "invite_rate",
            "interview_rate", "start_rate", "start_rate_interviewed"]
    for d in rd:
        cols += [f"eligible_{d}d", f"retained_{d}d", f"retention_{d}d"]
    cols += ["cost_cny", "cost_per_hire", "time_to_fill_median_days", "time_to_fill_mean_days"]
    return out[cols]


def funnel_chart(funnel_table: pd.DataFrame, by: str = "channel", lang: str = "zh") -> Any:
    """Bar chart of the stage counts per ``by`` of a :func:`funnel` table (unrendered altair)."""
    import altair as alt
    stages = ["sourced", "invited", "interviewed", "offered", "started"]
    require_columns(funnel_table, [by, *stages], "funnel table")
    zh = {"sourced": "简历", "invited": "邀约", "interviewed": "面试", "offered": "录用",
          "started": "到岗"}
    long = funnel_table.groupby(by, as_index=False)[stages].sum().melt(
        id_vars=by, var_name="stage", value_name="candidates")
    if lang == "zh":
        long["stage"] = long["stage"].map(zh)
        order = [zh[s] for s in stages]
    else:
        order = stages
    title = "招聘漏斗(按渠道)" if lang == "zh" else "Recruitment funnel by channel"
    return alt.Chart(long).mark_bar().encode(
        x=alt.X("stage:N", sort=order, title=None), y=alt.Y("candidates:Q"),
        color=f"{by}:N", xOffset=f"{by}:N").properties(title=title)
