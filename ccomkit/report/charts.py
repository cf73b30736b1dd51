"""Altair charts of the forecasting and staffing workflow, rendered without a network.

Presentation layer: every builder takes the tables of :mod:`ccomkit.wfm.workshop` (or of the
engines it composes), aggregates them to what the chart shows, and returns an ``altair`` chart;
nothing is displayed here. Titles and axis labels are bilingual (中文 English).

Rendering (see ``docs`` STACK notes): in JupyterLab and Voila, ``alt.renderers.enable("jupyter",
offline=True)`` draws through anywidget with the Vega bundle from vl-convert-python; in a report
executed by papermill / nbconvert / nbval there is no widget manager, so charts are rendered to
SVG by vl-convert (``alt.renderers.enable("svg")``). :func:`enable_offline` picks one.

Row limit: altair refuses to embed more than 5,000 rows by default. The limit is left on, so a
chart that would bloat a report fails loudly; the builders pre-aggregate instead (daily totals,
weekday × time-of-day means, and coarser time buckets when a table has many queues or a fine
grid), keeping each chart under :data:`MAX_ROWS` rows.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd

from ccomkit.errors import ParameterError, SchemaError

__all__ = [
    "MAX_ROWS",
    "backtest_chart",
    "enable_offline",
    "forecast_chart",
    "history_chart",
    "requirement_chart",
    "reserve_chart",
    "resolve_render",
]

MAX_ROWS = 4000
"""Most rows a builder embeds in one chart (below altair's 5,000-row limit)."""

Render = Literal["interactive", "static"]

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
# Environment variables that only a live frontend sets in the kernel's environment:
# jupyter_server (JupyterLab, Notebook 7) sets JPY_SESSION_NAME; Voila sets VOILA_* (also for
# pre-heated kernels) and SERVER_SOFTWARE="voila/<version>".
_FRONTEND_ENV = ("JPY_SESSION_NAME", "VOILA_PREHEAT", "VOILA_KERNEL_ID", "VOILA_REQUEST_URL",
                 "VOILA_BASE_URL", "VOILA_SERVER_URL")


# ------------------------------------------------------------------------------------------------
# Rendering
# ------------------------------------------------------------------------------------------------


def resolve_render(mode: str = "auto", env: Mapping[str, str] | None = None) -> Render:
    """``"interactive"`` or ``"static"`` for a render ``mode`` of ``auto|interactive|static``.

    ``auto`` is interactive only when the kernel was started by a live frontend — JupyterLab /
    Jupyter Server (``JPY_SESSION_NAME`` in the kernel's environment) or Voila (``VOILA_*``,
    ``SERVER_SOFTWARE=voila/…``) — and static otherwise: papermill, nbconvert ``--execute``,
    nbval and plain scripts start kernels without those variables, and the SVG they get draws
    everywhere. (A papermill run started from *inside* a Lab kernel inherits its environment:
    pass ``render="static"`` there.)

    Examples
    --------
    >>> from ccomkit.report.charts import resolve_render
    >>> resolve_render("auto", env={})
    'static'
    >>> resolve_render("auto", env={"JPY_SESSION_NAME": "/w/forecast_and_staffing.ipynb"})
    'interactive'
    >>> resolve_render("auto", env={"SERVER_SOFTWARE": "voila/0.5.13"})
    'interactive'
    >>> resolve_render("static", env={"JPY_SESSION_NAME": "x"})
    'static'
    """
    if mode not in ("auto", "interactive", "static"):
        raise ParameterError.expected("enable_offline", "mode",
                                      "one of 'auto', 'interactive', 'static'", mode)
    if mode != "auto":
        return mode  # type: ignore[return-value]
    env = os.environ if env is None else env
    live = any(env.get(k) for k in _FRONTEND_ENV) or str(
        env.get("SERVER_SOFTWARE", "")).startswith("voila")
    return "interactive" if live else "static"


def enable_offline(mode: str = "auto") -> Render:
    """Enable an altair renderer that needs no network; returns the mode used.

    ``interactive`` → ``alt.renderers.enable("jupyter", offline=True)`` (JupyterLab, Voila;
    needs anywidget and vl-convert-python); ``static`` → ``alt.renderers.enable("svg")``
    (papermill, nbconvert HTML reports); ``auto`` → :func:`resolve_render`.

    Examples
    --------
    >>> import altair as alt
    >>> from ccomkit.report.charts import enable_offline
    >>> enable_offline("static"), alt.renderers.active
    ('static', 'svg')
    """
    import altair as alt

    chosen = resolve_render(mode)
    if chosen == "interactive":
        alt.renderers.enable("jupyter", offline=True)
    else:
        alt.renderers.enable("svg")
    return chosen


# ------------------------------------------------------------------------------------------------
# Helpers
# ------------------------------------------------------------------------------------------------


def _require(frame: pd.DataFrame, columns: list[str], owner: str, what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SchemaError(f"{owner}: missing column '{missing[0]}' (pass {what}).",
                          table=what, column=missing[0])


def _interval_min(ts: pd.Series) -> int:
    t = pd.Series(pd.to_datetime(ts)).drop_duplicates().sort_values()
    d = t.diff().dropna().dt.total_seconds() / 60.0
    d = d[d > 0]
    return int(d.min()) if len(d) else 60


def _bucket(n_rows: int, interval_min: int, limit: int = MAX_ROWS) -> int:
    """Smallest bucket (minutes, a multiple of the interval up to a day) that keeps
    ``n_rows`` interval rows under ``limit``."""
    bucket = max(int(interval_min), 1)
    for cand in (bucket, 30, 60, 120, 240, 1440):
        if cand < bucket:
            continue
        if n_rows * bucket / cand <= limit:
            return cand
    return 1440


def _coarsen(frame: pd.DataFrame, sums: list[str], means: list[str],
             limit: int = MAX_ROWS) -> pd.DataFrame:
    """Aggregate ``queue, interval_start`` rows into time buckets when there are too many."""
    if len(frame) <= limit:
        return frame
    bucket = _bucket(len(frame), _interval_min(frame["interval_start"]), limit)
    key = pd.to_datetime(frame["interval_start"]).dt.floor(f"{bucket}min")
    agg = {**{c: "sum" for c in sums}, **{c: "mean" for c in means}}
    return frame.groupby([frame["queue"], key], sort=True).agg(agg).reset_index()


def _title(zh: str, en: str, frame: pd.DataFrame | None = None) -> str:
    queues = sorted(frame["queue"].astype(str).unique()) if frame is not None else []
    tail = f" — {queues[0]}" if len(queues) == 1 else ""
    return f"{zh} {en}{tail}"


def _facet(chart: Any, frame: pd.DataFrame, title: str, height: int = 180) -> Any:
    if frame["queue"].nunique() > 1:
        return chart.properties(width=640, height=height).facet(
            row=_row()).properties(title=title)
    return chart.properties(width=640, height=height, title=title)


def _row() -> Any:
    import altair as alt

    return alt.Row("queue:N", title="队列 queue")


# ------------------------------------------------------------------------------------------------
# Charts
# ------------------------------------------------------------------------------------------------


def history_chart(history: pd.DataFrame) -> Any:
    """Daily calls over the history, above the weekly pattern (mean calls by weekday × time of
    day).

    Parameters
    ----------
    history : DataFrame
        ``queue, interval_start, calls_offered`` (any number of rows: aggregated here).

    Returns
    -------
    altair.VConcatChart

    Examples
    --------
    >>> from ccomkit.wfm.forecast import _demo_history
    >>> from ccomkit.report.charts import history_chart
    >>> spec = history_chart(_demo_history(weeks=3)).to_dict()
    >>> len(spec["vconcat"]), spec["vconcat"][1]["mark"]["type"]
    (2, 'rect')
    """
    import altair as alt

    _require(history, ["queue", "interval_start", "calls_offered"], "history_chart",
             "a history table")
    ts = pd.to_datetime(history["interval_start"])
    calls = history["calls_offered"].astype(float)
    daily = calls.groupby([history["queue"].astype(str), ts.dt.normalize()]).sum()
    daily = daily.rename("calls").rename_axis(["queue", "date"]).reset_index()
    daily["weekday"] = daily["date"].dt.day_of_week.map(dict(enumerate(_WEEKDAYS_ZH)))

    n_q = history["queue"].nunique()
    bucket = _bucket(7 * 1440 // max(_interval_min(ts), 1) * n_q, _interval_min(ts))
    tod = (ts.dt.hour * 60 + ts.dt.minute) // bucket * bucket
    n_days = ts.dt.normalize().groupby([history["queue"], ts.dt.day_of_week]).nunique()
    prof = calls.groupby([history["queue"].astype(str), ts.dt.day_of_week, tod]).sum()
    prof = prof.rename("calls").rename_axis(["queue", "weekday", "tod"]).reset_index()
    prof["mean_calls"] = prof["calls"] / n_days.reindex(
        pd.MultiIndex.from_frame(prof[["queue", "weekday"]])).to_numpy()
    prof["day"] = prof["weekday"].map(dict(enumerate(_WEEKDAYS)))
    prof["time_of_day"] = [f"{m // 60:02d}:{m % 60:02d}" for m in prof["tod"].astype(int)]

    line = alt.Chart(daily).mark_line(point=True).encode(
        x=alt.X("date:T", title="日期 date"),
        y=alt.Y("calls:Q", title="日来电量 calls per day"),
        color=alt.Color("queue:N", title="队列 queue"),
        tooltip=["queue", alt.Tooltip("date:T", format="%Y-%m-%d"), "weekday",
                 alt.Tooltip("calls:Q", format=",.0f")],
    ).properties(width=640, height=160,
                 title=_title("日话务量", "Daily calls", history))
    heat = alt.Chart(prof).mark_rect().encode(
        x=alt.X("time_of_day:O", title=f"时段 time of day ({bucket} min)"),
        y=alt.Y("day:O", sort=list(_WEEKDAYS), title="星期 weekday"),
        color=alt.Color("mean_calls:Q", title="平均来电 mean calls",
                        scale=alt.Scale(scheme="blues")),
        tooltip=["queue", "day", "time_of_day", alt.Tooltip("mean_calls:Q", format=".1f")],
    )
    heat = _facet(heat, prof, _title("周内话务模式", "Weekly pattern", history), height=140)
    return alt.vconcat(line, heat)


def backtest_chart(summary: pd.DataFrame, *, levels: tuple[str, ...] = ("interval", "day")) -> Any:
    """WAPE of each method in the backtest, per level; the workshop's method is highlighted.

    Parameters
    ----------
    summary : DataFrame
        ``queue, method, level, wape`` (+ ``selected``), e.g. ``compare_methods(...).summary``.
    levels : tuple of str, default ("interval", "day")

    Examples
    --------
    >>> import pandas as pd
    >>> from ccomkit.report.charts import backtest_chart
    >>> s = pd.DataFrame({"queue": "q", "method": ["wha", "svd"], "level": "day",
    ...                   "wape": [0.05, 0.04], "selected": [False, True]})
    >>> backtest_chart(s).to_dict()["spec"]["mark"]["type"]
    'bar'
    """
    import altair as alt

    _require(summary, ["queue", "method", "level", "wape"], "backtest_chart",
             "compare_methods(...).summary")
    data = summary[summary["level"].isin(levels)].copy()
    if "selected" not in data.columns:
        data["selected"] = False
    data["selected"] = data["selected"].astype(bool)
    data["level_label"] = data["level"].map(
        {"interval": "时段 interval", "day": "日 day", "week": "周 week"}).fillna(data["level"])
    data = data[["queue", "method", "level_label", "wape", "selected"]]
    chart = alt.Chart(data).mark_bar().encode(
        x=alt.X("wape:Q", title="WAPE（越低越好 lower is better）", axis=alt.Axis(format="%")),
        y=alt.Y("method:N", sort="x", title="方法 method"),
        color=alt.Color("selected:N", title="所选 selected",
                        scale=alt.Scale(domain=[True, False], range=["#d95f02", "#7570b3"])),
        tooltip=["queue", "method", "level_label", alt.Tooltip("wape:Q", format=".2%")],
    ).properties(width=280, height=22 * max(data["method"].nunique(), 1))
    title = _title("回测预测误差", "Backtest WAPE by method", data)
    row = alt.Row("queue:N", title="队列 queue") if data["queue"].nunique() > 1 else alt.Undefined
    order = [lab for lab in ("时段 interval", "日 day", "周 week") if lab in set(data["level_label"])]
    return chart.facet(column=alt.Column("level_label:N", title=None, sort=order),
                       row=row).properties(
        title=title)


def forecast_chart(forecast: pd.DataFrame, history: pd.DataFrame | None = None, *,
                   recent_days: int = 14) -> Any:
    """The forecast with its quantile band, after the last ``recent_days`` days of actuals.

    The band spans the lowest and highest ``calls_pNN`` columns present. When a table is too
    large and is put into coarser time buckets, the band is the sum of the interval quantiles
    (wider than the quantile of the sum: conservative).

    Examples
    --------
    >>> import pandas as pd
    >>> from ccomkit.report.charts import forecast_chart
    >>> fc = pd.DataFrame({"queue": "q",
    ...     "interval_start": pd.date_range("2026-03-02 09:00", periods=4, freq="30min"),
    ...     "calls_forecast": [10.0, 12, 11, 9], "calls_p10": [7.0, 8, 8, 6],
    ...     "calls_p90": [13.0, 16, 14, 12]})
    >>> [layer["mark"]["type"] for layer in forecast_chart(fc).to_dict()["layer"]]
    ['area', 'line']
    """
    import altair as alt

    _require(forecast, ["queue", "interval_start", "calls_forecast"], "forecast_chart",
             "a forecast table")
    qcols = sorted((c for c in forecast.columns if c.startswith("calls_p")),
                   key=lambda c: float(c[len("calls_p"):]))
    fc = forecast[["queue", "interval_start", "calls_forecast"] + qcols].copy()
    fc["queue"] = fc["queue"].astype(str)
    fc["interval_start"] = pd.to_datetime(fc["interval_start"])
    parts = []
    if history is not None and len(history):
        _require(history, ["queue", "interval_start", "calls_offered"], "forecast_chart",
                 "a history table")
        h = history[history["queue"].astype(str).isin(fc["queue"].unique())]
        ts = pd.to_datetime(h["interval_start"])
        h = h[ts > ts.max().normalize() - pd.Timedelta(days=recent_days - 1)]
        parts.append(pd.DataFrame({"queue": h["queue"].astype(str).to_numpy(),
                                   "interval_start": pd.to_datetime(h["interval_start"]).to_numpy(),
                                   "calls": h["calls_offered"].astype(float).to_numpy(),
                                   "series": "实际 actual"}))
    f = pd.DataFrame({"queue": fc["queue"].to_numpy(),
                      "interval_start": fc["interval_start"].to_numpy(),
                      "calls": fc["calls_forecast"].astype(float).to_numpy(),
                      "series": "预测 forecast"})
    band = f"{qcols[0][len('calls_p'):]}–{qcols[-1][len('calls_p'):]}%" if len(qcols) >= 2 else ""
    if len(qcols) >= 2:
        f["lo"] = fc[qcols[0]].astype(float).to_numpy()
        f["hi"] = fc[qcols[-1]].astype(float).to_numpy()
    parts.append(f)
    data = pd.concat(parts, ignore_index=True)
    limit = MAX_ROWS
    if len(data) > limit:
        data = pd.concat([_coarsen(g.drop(columns="series"), [c for c in ("calls", "lo", "hi")
                                                              if c in g.columns], [], limit // 2)
                          .assign(series=s) for s, g in data.groupby("series", sort=False)],
                         ignore_index=True)
    base = alt.Chart(data)
    line = base.mark_line(strokeWidth=1.5).encode(
        x=alt.X("interval_start:T", title="时段 interval"),
        y=alt.Y("calls:Q", title="来电量 calls per interval"),
        color=alt.Color("series:N", title=None,
                        scale=alt.Scale(domain=["实际 actual", "预测 forecast"],
                                        range=["#636363", "#d95f02"])),
        tooltip=["queue", "series", alt.Tooltip("interval_start:T", format="%Y-%m-%d %H:%M"),
                 alt.Tooltip("calls:Q", format=".1f")],
    )
    layers = [line]
    if band:
        area = base.transform_filter(alt.datum.series == "预测 forecast").mark_area(
            opacity=0.3, color="#fdae6b").encode(
            x="interval_start:T", y="lo:Q", y2="hi:Q",
            tooltip=[alt.Tooltip("lo:Q", format=".1f", title="low"),
                     alt.Tooltip("hi:Q", format=".1f", title="high")])
        layers = [area, line]
    title = _title("话务预测与近期实际", f"Forecast{' (band ' + band + ')' if band else ''} vs "
                   "recent actuals", fc)
    return _facet(alt.layer(*layers), data, title, height=200)


def requirement_chart(requirement: pd.DataFrame) -> Any:
    """Agents required (Erlang) and FTE after shrinkage per interval.

    Examples
    --------
    >>> import pandas as pd
    >>> from ccomkit.report.charts import requirement_chart
    >>> req = pd.DataFrame({"queue": "q",
    ...     "interval_start": pd.date_range("2026-03-02 09:00", periods=3, freq="30min"),
    ...     "agents_required": [5, 7, 6], "fte_required": [8, 10, 9]})
    >>> requirement_chart(req).to_dict()["mark"]["type"]
    'line'
    """
    import altair as alt

    _require(requirement, ["queue", "interval_start", "agents_required", "fte_required"],
             "requirement_chart", "staffing_requirement(...)")
    d = requirement[["queue", "interval_start", "agents_required", "fte_required"]].copy()
    d["queue"] = d["queue"].astype(str)
    d = _coarsen(d, [], ["agents_required", "fte_required"], MAX_ROWS // 2)
    long = d.melt(id_vars=["queue", "interval_start"], var_name="measure", value_name="staff")
    long["measure"] = long["measure"].map({"agents_required": "在线坐席 agents on phones",
                                           "fte_required": "排班人数 FTE (after shrinkage)"})
    chart = alt.Chart(long).mark_line(interpolate="step-after").encode(
        x=alt.X("interval_start:T", title="时段 interval"),
        y=alt.Y("staff:Q", title="人数 staff"),
        color=alt.Color("measure:N", title=None),
        tooltip=["queue", "measure", alt.Tooltip("interval_start:T", format="%Y-%m-%d %H:%M"),
                 alt.Tooltip("staff:Q", format=".1f")],
    )
    return _facet(chart, long, _title("人力需求", "Staffing requirement", d))


def reserve_chart(intervals: pd.DataFrame) -> Any:
    """Agents at the forecast's median and at the reserve quantile: the band between them is the
    reserve force (机动部队).

    Examples
    --------
    >>> import pandas as pd
    >>> from ccomkit.report.charts import reserve_chart
    >>> r = pd.DataFrame({"queue": "q",
    ...     "interval_start": pd.date_range("2026-03-02 09:00", periods=3, freq="30min"),
    ...     "agents_p50": [5, 7, 6], "agents_q": [6, 9, 7], "quantile": 0.9})
    >>> [layer["mark"]["type"] for layer in reserve_chart(r).to_dict()["layer"]]
    ['area', 'line']
    """
    import altair as alt

    _require(intervals, ["queue", "interval_start", "agents_p50", "agents_q"], "reserve_chart",
             "reserve_force(...).intervals")
    q = float(intervals["quantile"].iloc[0]) if "quantile" in intervals.columns and len(
        intervals) else float("nan")
    d = intervals[["queue", "interval_start", "agents_p50", "agents_q"]].copy()
    d["queue"] = d["queue"].astype(str)
    d = _coarsen(d, [], ["agents_p50", "agents_q"], MAX_ROWS)
    d["reserve_agents"] = d["agents_q"] - d["agents_p50"]
    qtxt = f"p{q * 100:g}" if np.isfinite(q) else "quantile"
    base = alt.Chart(d).encode(x=alt.X("interval_start:T", title="时段 interval"))
    band = base.mark_area(opacity=0.4, color="#e6550d", interpolate="step-after").encode(
        y=alt.Y("agents_p50:Q", title="在线坐席 agents"), y2="agents_q:Q",
        tooltip=["queue", alt.Tooltip("interval_start:T", format="%Y-%m-%d %H:%M"),
                 alt.Tooltip("agents_p50:Q", title="p50", format=".1f"),
                 alt.Tooltip("agents_q:Q", title=qtxt, format=".1f"),
                 alt.Tooltip("reserve_agents:Q", title="机动 reserve", format=".1f")])
    line = base.mark_line(color="#3182bd", interpolate="step-after").encode(y="agents_p50:Q")
    title = _title("机动部队", f"Reserve force: agents at p50 (line) up to {qtxt} (band)", d)
    return _facet(alt.layer(band, line), d, title)
