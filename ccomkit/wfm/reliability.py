"""Reliability of the traffic model: the 离散系数 (coefficient of variation) check, DOMAIN.md §3.3.

For every queue, weekday (the "day type" of the CCOM syllabus: the same weekday over the last
``k_weeks`` ordinary weeks, holidays and 调休 days left out) and interval of day, the share of the
day's volume falling in the interval is computed for each of those days; its CV = σ / μ says how
stable the intraday pattern is. Pure Poisson noise alone gives CV ≈ 1 / √μ (μ = mean calls in
the interval), so the table carries that floor next to the observed CV: an interval can be
"unreliable" only because it is small.

Classes (configurable): ``reliable`` CV ≤ 0.10, ``usable`` CV ≤ 0.20, ``unreliable`` above;
``insufficient`` when fewer than ``min_weeks`` days or no volume.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ccomkit.errors import ParameterError
from ccomkit.wfm.forecast import _build_series, _validate_history

__all__ = ["RELIABILITY_CLASSES", "reliability", "reliability_chart"]

RELIABILITY_CLASSES: tuple[str, ...] = ("reliable", "usable", "unreliable", "insufficient")
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def reliability(frame: pd.DataFrame, *, k_weeks: int = 8, reliable_max_cv: float = 0.10,
                usable_max_cv: float = 0.20, min_weeks: int = 4,
                source: str = "history") -> pd.DataFrame:
    """CV across the last ``k_weeks`` weeks of each interval's share of the day total.

    Parameters
    ----------
    frame : DataFrame
        ``queue, interval_start, calls_offered`` (as for forecasting).
    k_weeks : int, default 8
        Number of most recent ordinary days of each weekday used.
    reliable_max_cv, usable_max_cv : float, default 0.10, 0.20
        Class thresholds (CV ≤ reliable_max_cv → reliable, ≤ usable_max_cv → usable).
    min_weeks : int, default 4
        Fewer days than this gives class ``insufficient``.

    Returns
    -------
    DataFrame
        ``queue, day_type`` (Mon … Sun), ``weekday`` (0 = Monday), ``interval_of_day`` (HH:MM),
        ``n_weeks, mean_calls, mean_share, cv_share, poisson_floor_cv`` (1 / √mean_calls),
        ``cv_over_floor``, ``reliability_class``; one row per open interval of each weekday.

    Examples
    --------
    >>> from ccomkit.wfm.forecast import _demo_history
    >>> from ccomkit.wfm.reliability import reliability
    >>> t = reliability(_demo_history(weeks=8))
    >>> t[["day_type", "interval_of_day", "cv_share", "reliability_class"]].head(2)
      day_type interval_of_day  cv_share reliability_class
    0      Mon           09:00       0.0          reliable
    1      Mon           10:00       0.0          reliable
    """
    owner = "reliability"
    for name, v, lo in (("k_weeks", k_weeks, 2), ("min_weeks", min_weeks, 2)):
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < lo:
            raise ParameterError.expected(owner, name, f"an int >= {lo}", v)
    for name, v in (("reliable_max_cv", reliable_max_cv), ("usable_max_cv", usable_max_cv)):
        if not isinstance(v, (int, float)) or isinstance(v, bool) or not v > 0:
            raise ParameterError.expected(owner, name, "a float > 0", v)
    if usable_max_cv < reliable_max_cv:
        raise ParameterError.expected(owner, "usable_max_cv",
                                      f">= reliable_max_cv ({reliable_max_cv})", usable_max_cv)
    hist = _validate_history(frame, source=source)
    series = _build_series(hist)
    parts: list[pd.DataFrame] = []
    for q, s in series.items():
        ok_day = s.normal & s.has_rows & ~s.cal.special
        for wd in range(7):
            days = np.flatnonzero(ok_day & (s.cal.weekday == wd))[-k_weeks:]
            open_slots = np.flatnonzero(s.slot_sets[wd]) if s.status[wd] else np.array([], int)
            if open_slots.size == 0 or days.size == 0:
                continue
            Y = s.y[np.ix_(days, open_slots)]
            tot = Y.sum(axis=1, keepdims=True)
            keep = tot[:, 0] > 0
            Y = Y[keep]
            share = Y / tot[keep]
            n = int(Y.shape[0])
            mu = Y.mean(axis=0) if n else np.zeros(open_slots.size)
            msh = share.mean(axis=0) if n else np.zeros(open_slots.size)
            sd = share.std(axis=0, ddof=1) if n >= 2 else np.full(open_slots.size, np.nan)
            with np.errstate(invalid="ignore", divide="ignore"):
                cv = np.where(msh > 0, sd / msh, np.nan)
                floor = np.where(mu > 0, 1.0 / np.sqrt(mu), np.nan)
                over = cv / floor
            cls = np.where(cv <= reliable_max_cv, "reliable",
                           np.where(cv <= usable_max_cv, "usable", "unreliable")).astype(object)
            cls[(n < min_weeks) | ~np.isfinite(cv)] = "insufficient"
            minutes = (s.anchor_min + (s.slot0 + open_slots) * s.interval_min) % 1440
            parts.append(pd.DataFrame({
                "queue": q, "day_type": _WEEKDAYS[wd], "weekday": wd,
                "interval_of_day": [f"{m // 60:02d}:{m % 60:02d}" for m in minutes.tolist()],
                "n_weeks": n, "mean_calls": mu, "mean_share": msh, "cv_share": cv,
                "poisson_floor_cv": floor, "cv_over_floor": over, "reliability_class": cls}))
    cols = ["queue", "day_type", "weekday", "interval_of_day", "n_weeks", "mean_calls",
            "mean_share", "cv_share", "poisson_floor_cv", "cv_over_floor", "reliability_class"]
    if not parts:
        return pd.DataFrame(columns=cols)
    return pd.concat(parts, ignore_index=True)[cols]


def reliability_chart(table: pd.DataFrame, *, color: str = "reliability_class") -> Any:
    """An altair heat-map of a :func:`reliability` table: interval of day × weekday, one row of
    panels per queue. Nothing is rendered here; the chart is returned.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`reliability`.
    color : {"reliability_class", "cv_share", "cv_over_floor"}, default "reliability_class"

    Returns
    -------
    altair.Chart

    Examples
    --------
    >>> from ccomkit.wfm.forecast import _demo_history
    >>> from ccomkit.wfm.reliability import reliability, reliability_chart
    >>> chart = reliability_chart(reliability(_demo_history(weeks=8)))
    >>> chart.to_dict()["mark"]["type"]
    'rect'
    """
    import altair as alt

    need = ["queue", "day_type", "interval_of_day", "cv_share", "poisson_floor_cv",
            "mean_calls", "reliability_class"]
    missing = [c for c in need if c not in table.columns]
    if missing:
        from ccomkit.errors import SchemaError

        raise SchemaError(f"reliability_chart: missing column '{missing[0]}' (pass the table "
                          f"returned by reliability()).", column=missing[0])
    if color not in ("reliability_class", "cv_share", "cv_over_floor"):
        raise ParameterError.expected("reliability_chart", "color",
                                      "'reliability_class', 'cv_share' or 'cv_over_floor'", color)
    data = table.copy()
    if color == "reliability_class":
        enc = alt.Color("reliability_class:N", title="class",
                        scale=alt.Scale(domain=list(RELIABILITY_CLASSES),
                                        range=["#1a9850", "#fee08b", "#d73027", "#bdbdbd"]))
    else:
        enc = alt.Color(f"{color}:Q", title=color, scale=alt.Scale(scheme="orangered"))
    chart = alt.Chart(data).mark_rect().encode(
        x=alt.X("interval_of_day:O", title="interval"),
        y=alt.Y("day_type:O", sort=list(_WEEKDAYS), title="weekday"),
        color=enc,
        tooltip=["queue", "day_type", "interval_of_day", alt.Tooltip("mean_calls:Q", format=".1f"),
                 alt.Tooltip("cv_share:Q", format=".3f"),
                 alt.Tooltip("poisson_floor_cv:Q", format=".3f"), "reliability_class"],
    )
    if data["queue"].nunique() > 1:
        chart = chart.properties(height=120).facet(row=alt.Row("queue:N", title="queue"))
        return chart
    return chart.properties(title=f"离散系数 reliability — {data['queue'].iloc[0]}"
                            if len(data) else "离散系数 reliability")
