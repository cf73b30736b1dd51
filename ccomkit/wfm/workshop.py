"""The 预测排班 workshop as tables: history → reliability → backtest → forecast → staffing → reserve.

A thin composition over the engines of :mod:`ccomkit.wfm` for the consultant's workshop notebook
(``notebooks/workshop/forecast_and_staffing.ipynb``) and for tests that assert on its numbers.
Every step returns new DataFrames (or a frozen dataclass of them); nothing is drawn or printed here
— the charts live in :mod:`ccomkit.report.charts`.

Steps
-----
1. :func:`load_history` — ``queue, interval_start, calls_offered, aht_s`` from the workspace's
   ``acd_interval`` (:func:`history_from_acd`) or from a bare CSV, last ``history_weeks`` weeks.
2. :func:`ccomkit.wfm.reliability` + :func:`reliability_summary` — the 离散系数 check.
3. :func:`compare_methods` — rolling-origin backtest of several methods and of the chosen one.
4. :func:`forecast` — the chosen method's forecast with its quantiles, interval length and AHT.
5. :func:`staffing_requirement` — Erlang C (Erlang A when ``patience_s > 0``) per interval.
6. :func:`reserve_force` — the reserve force (机动部队) from the backtest's error distribution.
7. :func:`build_roster` — pool sized from the requirement, a named roster with breaks
   (:mod:`ccomkit.wfm.scheduling`) and its three-standard scores (:mod:`ccomkit.wfm.roster_check`);
   :func:`roster_scores`, :func:`roster_grid_preview`, and two chart builders kept here for now
   (:func:`coverage_chart`, :func:`fairness_chart`).

:func:`run` chains all of them; :func:`write_tables` writes result tables as CSV.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ccomkit.errors import ParameterError, SchemaError
from ccomkit.wfm.backtest import BacktestResult, backtest
from ccomkit.wfm.forecast import METHODS, make_forecaster, quantile_column
from ccomkit.wfm.reliability import RELIABILITY_CLASSES, reliability
from ccomkit.wfm.reserve import ReserveRequirement, reserve_requirement
from ccomkit.wfm.staffing import required_agents

__all__ = [
    "MethodComparison",
    "WorkshopParams",
    "WorkshopResult",
    "compare_methods",
    "forecast",
    "history_from_acd",
    "history_summary",
    "load_history",
    "reliability_summary",
    "requirement_daily",
    "reserve_force",
    "run",
    "staffing_requirement",
    "write_tables",
    "RosterWorkshop",
    "roster_requirement",
    "build_roster",
    "roster_scores",
    "roster_grid_preview",
    "coverage_chart",
    "fairness_chart",
]

HISTORY_COLUMNS: tuple[str, ...] = ("queue", "interval_start", "calls_offered", "aht_s")
_OWNER = "WorkshopParams"


# ------------------------------------------------------------------------------------------------
# Parameters
# ------------------------------------------------------------------------------------------------


def _is_int(v: Any) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def _is_real(v: Any) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(float(v))


def _as_tuple(values: Sequence[str] | str) -> tuple[str, ...]:
    """``"a, b"`` or ``["a", "b"]`` → ``("a", "b")`` (notebook parameters hold a string)."""
    if isinstance(values, str):
        return tuple(v.strip() for v in values.split(",") if v.strip())
    return tuple(values)


@dataclass(frozen=True)
class WorkshopParams:
    """Parameters of the forecasting and staffing workshop (validated on creation).

    Parameters
    ----------
    queue_id : str, default "GEN"
        Queue to plan; ``""`` plans every queue of the history.
    history_weeks : int, default 16
        Most recent weeks of history used (>= 3).
    horizon_days : int, default 7
        Calendar days forecast after the history's last day (only days on which the history
        shows the queue open get rows).
    method : str, default "auto"
        A name of :data:`ccomkit.wfm.forecast.METHODS`.
    backtest_origins : int, default 4
        Rolling weekly origins of the backtest.
    compare_methods : tuple of str or comma-separated str, default ("seasonal_naive", "wha", "topdown", "svd")
        Methods backtested next to ``method`` for the comparison table.
    service_level_target_frac : float, default 0.8
        Share of calls to answer within ``target_s``, in (0, 1).
    target_s : float, default 20
        Answer-time threshold of the service level, seconds.
    shrinkage_frac : float, default 0.3
        Share of paid time not available for calls, in [0, 1).
    patience_s : float, default 0.0
        Mean caller patience in seconds; > 0 staffs with Erlang A, 0 with Erlang C.
    reserve_quantile : float, default 0.9
        Forecast-error quantile the reserve force covers, in [0.5, 1).
    default_aht_s : float, default 300.0
        AHT used where the history has none (a history without ``aht_s``, or an interval whose
        history had no handled call and the queue has no AHT at all).

    Examples
    --------
    >>> from ccomkit.wfm.workshop import WorkshopParams
    >>> WorkshopParams(reserve_quantile=0.95).quantiles
    (0.05, 0.5, 0.95)
    >>> WorkshopParams(shrinkage_frac=1.2)
    Traceback (most recent call last):
    ...
    ccomkit.errors.ParameterError: The 'shrinkage_frac' parameter of WorkshopParams must be a float in [0, 1). Got 1.2 instead.
    """

    queue_id: str = "GEN"
    history_weeks: int = 16
    horizon_days: int = 7
    method: str = "auto"
    backtest_origins: int = 4
    compare_methods: tuple[str, ...] = ("seasonal_naive", "wha", "topdown", "svd")
    service_level_target_frac: float = 0.8
    target_s: float = 20
    shrinkage_frac: float = 0.3
    patience_s: float = 0.0
    reserve_quantile: float = 0.9
    default_aht_s: float = 300.0

    def __post_init__(self) -> None:
        if not isinstance(self.queue_id, str):
            raise ParameterError.expected(_OWNER, "queue_id", "a str ('' = every queue)",
                                          self.queue_id)
        for name, lo in (("history_weeks", 3), ("horizon_days", 1), ("backtest_origins", 1)):
            v = getattr(self, name)
            if not _is_int(v) or v < lo:
                raise ParameterError.expected(_OWNER, name, f"an int >= {lo}", v)
        try:
            methods: list[str] | None = list(_as_tuple(self.compare_methods))
        except TypeError:
            methods = None
        if methods is None or any(m not in METHODS for m in methods):
            raise ParameterError.expected(_OWNER, "compare_methods",
                                          f"names among {', '.join(METHODS)}",
                                          self.compare_methods)
        object.__setattr__(self, "compare_methods", tuple(methods))
        if self.method not in METHODS:
            raise ParameterError.expected(_OWNER, "method", f"one of {', '.join(METHODS)}",
                                          self.method)
        checks = (
            ("service_level_target_frac", lambda v: 0 < v < 1, "a float in (0, 1)"),
            ("target_s", lambda v: v >= 0, "a float >= 0"),
            ("shrinkage_frac", lambda v: 0 <= v < 1, "a float in [0, 1)"),
            ("patience_s", lambda v: v >= 0, "a float >= 0 (0 = Erlang C)"),
            ("reserve_quantile", lambda v: 0.5 <= v < 1, "a float in [0.5, 1)"),
            ("default_aht_s", lambda v: v > 0, "a float > 0"),
        )
        for name, ok, text in checks:
            v = getattr(self, name)
            if not _is_real(v) or not ok(float(v)):
                raise ParameterError.expected(_OWNER, name, text, v)

    @property
    def quantiles(self) -> tuple[float, ...]:
        """Forecast quantiles: ``(1 - reserve_quantile, 0.5, reserve_quantile)``."""
        q = float(self.reserve_quantile)
        return tuple(sorted({round(1.0 - q, 10), 0.5, q}))

    @property
    def targets(self) -> dict[str, float]:
        """Keyword arguments of the staffing targets for :func:`~ccomkit.wfm.required_agents`."""
        return {"service_level_target_frac": float(self.service_level_target_frac),
                "target_s": float(self.target_s), "shrinkage_frac": float(self.shrinkage_frac)}


# ------------------------------------------------------------------------------------------------
# 1. History
# ------------------------------------------------------------------------------------------------


def history_from_acd(acd: pd.DataFrame) -> pd.DataFrame:
    """The forecasting history of ``acd_interval`` rows: ``queue, interval_start, calls_offered,
    aht_s``.

    ``aht_s`` = (talk + hold + after-call work) / handled, NaN where nothing was handled.

    Examples
    --------
    >>> import pandas as pd
    >>> from ccomkit.wfm.workshop import history_from_acd
    >>> acd = pd.DataFrame({"queue_id": ["GEN", "GEN"],
    ...     "interval_start": pd.to_datetime(["2026-03-02 09:00", "2026-03-02 09:30"]),
    ...     "offered": [10, 0], "handled": [8, 0], "sum_talk_s": [1600.0, 0.0],
    ...     "sum_hold_s": [0.0, 0.0], "sum_acw_s": [160.0, 0.0]})
    >>> history_from_acd(acd)
      queue      interval_start  calls_offered  aht_s
    0   GEN 2026-03-02 09:00:00           10.0  220.0
    1   GEN 2026-03-02 09:30:00            0.0    NaN
    """
    need = ["queue_id", "interval_start", "offered", "handled", "sum_talk_s"]
    missing = [c for c in need if c not in acd.columns]
    if missing:
        raise SchemaError(f"acd_interval is missing column '{missing[0]}'.", table="acd_interval",
                          column=missing[0])
    work = sum(pd.to_numeric(acd[c], errors="coerce").fillna(0.0).to_numpy(dtype=float)
               for c in ("sum_talk_s", "sum_hold_s", "sum_acw_s") if c in acd.columns)
    handled = pd.to_numeric(acd["handled"], errors="coerce").fillna(0).to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        aht = np.where(handled > 0, work / handled, np.nan)
    return pd.DataFrame({
        "queue": acd["queue_id"].astype(str).to_numpy(),
        "interval_start": pd.to_datetime(acd["interval_start"]).to_numpy(),
        "calls_offered": pd.to_numeric(acd["offered"]).to_numpy(dtype=float),
        "aht_s": aht,
    })


def _read_csv_history(path: str) -> pd.DataFrame:
    from ccomkit.wfm.forecast_cli import read_history_csv

    frame = read_history_csv(path)
    name = Path(path).name
    missing = [c for c in ("queue", "interval_start", "calls_offered") if c not in frame.columns]
    if missing:
        raise SchemaError(f"{name}: missing column '{missing[0]}' (expected queue, "
                          f"interval_start, calls_offered[, aht_s]).", table=name,
                          column=missing[0])
    ts = pd.to_datetime(frame["interval_start"], errors="coerce", format="mixed")
    bad = ts.isna().to_numpy()
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise SchemaError(f"{name}: column 'interval_start' must be a date and time: "
                          f"{int(bad.sum())} rows violate it, first at line {first + 2}, value "
                          f"{frame['interval_start'].iloc[first]!r}.", table=name,
                          column="interval_start", rows=[first + 2])
    cols = [c for c in HISTORY_COLUMNS if c in frame.columns]
    out = frame[cols].copy()
    out["queue"] = out["queue"].astype(str)
    out["interval_start"] = ts
    return out


def load_history(workspace: str = "", history_csv: str = "", queue_id: str = "",
                 history_weeks: int = 16) -> pd.DataFrame:
    """The workshop's history: the last ``history_weeks`` weeks of one queue (or all).

    Parameters
    ----------
    workspace : str, default ""
        Workspace file to read ``acd_interval`` from; ``""`` = ``$CCOM_WORKSPACE``, else
        ``data/workspace.duckdb`` (see :func:`ccomkit.store.resolve_workspace`).
    history_csv : str, default ""
        A bare CSV (``queue, interval_start, calls_offered[, aht_s]``) read instead of the
        workspace when not empty.
    queue_id : str, default ""
        Queue to keep; ``""`` keeps every queue.
    history_weeks : int, default 16
        Weeks kept, counted back from the last day of the history.

    Returns
    -------
    DataFrame
        ``queue, interval_start, calls_offered`` (+ ``aht_s``), sorted.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from ccomkit.wfm.forecast import _demo_history
    >>> from ccomkit.wfm.workshop import load_history
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "h.csv"
    >>> _demo_history(weeks=6).to_csv(p, index=False)
    >>> h = load_history(history_csv=str(p), queue_id="a", history_weeks=4)
    >>> h["interval_start"].dt.normalize().nunique(), list(h.columns)
    (28, ['queue', 'interval_start', 'calls_offered'])
    """
    if not _is_int(history_weeks) or history_weeks < 1:
        raise ParameterError.expected("load_history", "history_weeks", "an int >= 1",
                                      history_weeks)
    if history_csv:
        hist = _read_csv_history(history_csv)
    else:
        from ccomkit.store import Workspace

        cols = ["queue_id", "interval_start", "offered", "handled", "sum_talk_s", "sum_hold_s",
                "sum_acw_s"]
        with Workspace.open_read(workspace or None) as ws:
            acd = (ws.read("acd_interval", columns=cols, where="queue_id = ?", params=[queue_id])
                   if queue_id else ws.read("acd_interval", columns=cols))
            if acd.empty:
                known = ws.query("SELECT DISTINCT queue_id FROM acd_interval ORDER BY 1")
        if acd.empty:
            queues = known["queue_id"].astype(str).tolist()
            if queue_id and queues:
                raise ParameterError.expected("load_history", "queue_id",
                                              f"one of {', '.join(queues)} or ''", queue_id)
            raise SchemaError(f"{ws.path}: acd_interval is empty: ingest ACD interval data "
                              f"(or run `ccom demo`) first.", table="acd_interval")
        hist = history_from_acd(acd)
    if queue_id and history_csv:
        queues = sorted(hist["queue"].unique().tolist())
        if queue_id not in queues:
            raise ParameterError.expected("load_history", "queue_id",
                                          f"one of {', '.join(queues)} or ''", queue_id)
        hist = hist[hist["queue"] == queue_id]
    last_day = hist["interval_start"].max().normalize()
    start = last_day + pd.Timedelta(days=1) - pd.Timedelta(weeks=history_weeks)
    hist = hist[hist["interval_start"] >= start]
    return hist.sort_values(["queue", "interval_start"], kind="stable").reset_index(drop=True)


def history_summary(history: pd.DataFrame) -> pd.DataFrame:
    """One row per queue: ``queue, first_day, last_day, days_open, interval_min, calls_offered,
    calls_per_open_day, aht_s`` (call-weighted; NaN without an ``aht_s`` column).

    Examples
    --------
    >>> from ccomkit.wfm.forecast import _demo_history
    >>> from ccomkit.wfm.workshop import history_summary
    >>> history_summary(_demo_history(weeks=2))[["queue", "days_open", "interval_min", "calls_offered"]]
      queue  days_open  interval_min  calls_offered
    0     a         14            60         2240.0
    """
    from ccomkit.wfm.forecast import infer_interval_min

    rows = []
    for q, g in history.groupby("queue", sort=True):
        calls = g["calls_offered"].astype(float)
        day = g["interval_start"].dt.normalize()
        daily = calls.groupby(day).sum()
        if "aht_s" in g.columns:
            ok = g["aht_s"].notna() & (calls > 0)
            den = float(calls[ok].sum())
            aht = float((g["aht_s"][ok] * calls[ok]).sum() / den) if den > 0 else float("nan")
        else:
            aht = float("nan")
        rows.append({"queue": q, "first_day": day.min(), "last_day": day.max(),
                     "days_open": int((daily > 0).sum()),
                     "interval_min": infer_interval_min(g["interval_start"]),
                     "calls_offered": float(calls.sum()),
                     "calls_per_open_day": float(daily[daily > 0].mean()) if (daily > 0).any()
                     else 0.0,
                     "aht_s": aht})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------------------------
# 2. Reliability
# ------------------------------------------------------------------------------------------------


def reliability_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per queue and weekday: intervals, share of each reliability class, median CV and median
    Poisson floor of a :func:`ccomkit.wfm.reliability` table.

    Examples
    --------
    >>> from ccomkit.wfm.forecast import _demo_history
    >>> from ccomkit.wfm import reliability
    >>> from ccomkit.wfm.workshop import reliability_summary
    >>> reliability_summary(reliability(_demo_history(weeks=8)))[["day_type", "n_intervals", "reliable_frac"]].head(2)
      day_type  n_intervals  reliable_frac
    0      Mon            8            1.0
    1      Tue            8            1.0
    """
    cols = ["queue", "day_type", "n_intervals"] + [f"{c}_frac" for c in RELIABILITY_CLASSES] + [
        "median_cv_share", "median_poisson_floor_cv"]
    if table.empty:
        return pd.DataFrame(columns=cols)
    g = table.groupby(["queue", "weekday", "day_type"], sort=True)
    out = g.size().rename("n_intervals").to_frame()
    shares = pd.crosstab([table["queue"], table["weekday"], table["day_type"]],
                         table["reliability_class"], normalize="index")
    for c in RELIABILITY_CLASSES:
        out[f"{c}_frac"] = shares[c] if c in shares.columns else 0.0
    out["median_cv_share"] = g["cv_share"].median()
    out["median_poisson_floor_cv"] = g["poisson_floor_cv"].median()
    return out.reset_index()[cols]


# ------------------------------------------------------------------------------------------------
# 3. Backtest
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MethodComparison:
    """Result of :func:`compare_methods`.

    Attributes
    ----------
    summary : DataFrame
        ``queue, method, selected, level, n_folds, wape, bias, mase, hit_rate_5, hit_rate_10,
        coverage_central, coverage_central_nominal``: one row per queue × method × level
        (interval, day, week); ``selected`` marks the workshop's method.
    selected : BacktestResult
        The full backtest of the workshop's method (its ``residuals`` size the reserve force).
    """

    summary: pd.DataFrame
    selected: BacktestResult = field(repr=False)


def compare_methods(history: pd.DataFrame, params: WorkshopParams) -> MethodComparison:
    """Rolling-origin backtest (``params.backtest_origins`` weekly origins, 7-day horizon) of
    ``params.method`` and of ``params.compare_methods``.

    Examples
    --------
    >>> from ccomkit.wfm.forecast import _demo_history
    >>> from ccomkit.wfm.workshop import WorkshopParams, compare_methods
    >>> cmp = compare_methods(_demo_history(weeks=6),
    ...                       WorkshopParams(queue_id="", method="wha", backtest_origins=2,
    ...                                      compare_methods=("seasonal_naive",)))
    >>> cmp.summary.query("level == 'day'")[["method", "selected", "wape"]].round(6)
               method  selected  wape
    1             wha      True   0.0
    4  seasonal_naive     False   0.0
    """
    methods = [params.method] + [m for m in params.compare_methods if m != params.method]
    parts = []
    selected: BacktestResult | None = None
    keep = ["queue", "level", "n_folds", "wape", "bias", "mase", "hit_rate_5", "hit_rate_10",
            "coverage_central", "coverage_central_nominal"]
    for m in methods:
        res = backtest(history, m, n_origins=params.backtest_origins, horizon_days=7,
                       quantiles=params.quantiles)
        if m == params.method:
            selected = res
        s = res.summary.reindex(columns=keep)
        s.insert(1, "method", m)
        s.insert(2, "selected", m == params.method)
        parts.append(s)
    assert selected is not None
    return MethodComparison(summary=pd.concat(parts, ignore_index=True), selected=selected)


# ------------------------------------------------------------------------------------------------
# 4. Forecast
# ------------------------------------------------------------------------------------------------


def _queue_aht(history: pd.DataFrame, default_aht_s: float) -> pd.Series:
    if "aht_s" not in history.columns:
        return pd.Series(dtype=float)
    ok = history["aht_s"].notna() & (history["calls_offered"] > 0)
    h = history[ok]
    w = (h["aht_s"] * h["calls_offered"]).groupby(h["queue"]).sum()
    return (w / h["calls_offered"].groupby(h["queue"]).sum()).fillna(default_aht_s)


def forecast(history: pd.DataFrame, params: WorkshopParams) -> pd.DataFrame:
    """Forecast of the ``params.horizon_days`` days after the history, with quantiles, ready for
    staffing.

    Returns
    -------
    DataFrame
        ``queue, interval_start, interval_min, method`` (what ``auto`` chose), ``calls_forecast``,
        ``calls_pNN`` for :attr:`WorkshopParams.quantiles`, ``aht_s_forecast`` (the history's
        AHT of the same interval; gaps filled with the queue's call-weighted AHT, then
        ``params.default_aht_s``).

    Examples
    --------
    >>> from ccomkit.wfm.forecast import _demo_history
    >>> from ccomkit.wfm.workshop import WorkshopParams, forecast
    >>> fc = forecast(_demo_history(weeks=5), WorkshopParams(queue_id="", method="wha",
    ...                                                       horizon_days=2))
    >>> len(fc), int(fc["interval_min"].iloc[0]), float(fc["aht_s_forecast"].iloc[0]), fc["method"].iloc[0]
    (16, 60, 300.0, 'wha')
    """
    model = make_forecaster(params.method).fit(history)
    fc = model.predict(horizon_days=params.horizon_days, quantiles=list(params.quantiles))
    fc.insert(2, "interval_min", int(model.interval_min_))
    chosen = getattr(model, "chosen_", None)
    fc.insert(3, "method", fc["queue"].map(chosen) if chosen else params.method)
    queue_aht = _queue_aht(history, float(params.default_aht_s))
    fallback = fc["queue"].map(queue_aht).astype(float).fillna(float(params.default_aht_s))
    if "aht_s_forecast" in fc.columns:
        fc["aht_s_forecast"] = fc["aht_s_forecast"].astype(float).fillna(fallback)
    else:
        fc["aht_s_forecast"] = fallback.to_numpy()
    return fc


# ------------------------------------------------------------------------------------------------
# 5. Staffing and 6. reserve
# ------------------------------------------------------------------------------------------------


def _staffing_input(fc: pd.DataFrame, params: WorkshopParams) -> pd.DataFrame:
    out = pd.DataFrame({"queue": fc["queue"].to_numpy(),
                        "interval_start": fc["interval_start"].to_numpy(),
                        "interval_min": fc["interval_min"].to_numpy(),
                        "calls_offered": fc["calls_forecast"].to_numpy(dtype=float),
                        "aht_s": fc["aht_s_forecast"].to_numpy(dtype=float)})
    if params.patience_s > 0:
        out["patience_s"] = float(params.patience_s)
    return out


def staffing_requirement(fc: pd.DataFrame, params: WorkshopParams) -> pd.DataFrame:
    """Agents and FTE per forecast interval (Erlang C, or Erlang A when ``params.patience_s > 0``).

    Returns
    -------
    DataFrame
        ``queue, interval_start, interval_min, calls_offered, aht_s`` (+ ``patience_s``), then the
        columns of :func:`ccomkit.wfm.required_agents` (``traffic_erl, agents_required,
        service_level, asa_s, occupancy, fte_required, status`` …).

    Examples
    --------
    >>> import pandas as pd
    >>> from ccomkit.wfm.workshop import WorkshopParams, staffing_requirement
    >>> fc = pd.DataFrame({"queue": "q", "interval_start": pd.to_datetime(["2026-03-02 09:00"]),
    ...                    "interval_min": 30, "calls_forecast": [100.0], "aht_s_forecast": [180.0]})
    >>> staffing_requirement(fc, WorkshopParams())[["agents_required", "fte_required"]]
       agents_required  fte_required
    0               14            20
    """
    return required_agents(_staffing_input(fc, params), **params.targets)


def requirement_daily(requirement: pd.DataFrame) -> pd.DataFrame:
    """Per queue and day: ``queue, date, calls_offered, agent_hours, fte_hours, peak_agents,
    peak_fte, service_level`` (call-weighted expected service level).

    Examples
    --------
    >>> import pandas as pd
    >>> from ccomkit.wfm.workshop import requirement_daily
    >>> req = pd.DataFrame({"queue": "q", "interval_min": 30,
    ...     "interval_start": pd.to_datetime(["2026-03-02 09:00", "2026-03-02 09:30"]),
    ...     "calls_offered": [100.0, 0.0], "agents_required": [14, 0], "fte_required": [20, 0],
    ...     "service_level": [0.9, 1.0]})
    >>> requirement_daily(req)[["agent_hours", "peak_fte", "service_level"]]
       agent_hours  peak_fte  service_level
    0          7.0        20            0.9
    """
    hours = requirement["interval_min"].astype(float) / 60.0
    calls = requirement["calls_offered"].astype(float)
    sl = requirement["service_level"].astype(float).fillna(1.0)
    work = pd.DataFrame({
        "queue": requirement["queue"].to_numpy(),
        "date": pd.to_datetime(requirement["interval_start"]).dt.normalize().to_numpy(),
        "calls_offered": calls.to_numpy(),
        "agent_hours": (requirement["agents_required"] * hours).to_numpy(dtype=float),
        "fte_hours": (requirement["fte_required"] * hours).to_numpy(dtype=float),
        "agents": requirement["agents_required"].to_numpy(),
        "fte": requirement["fte_required"].to_numpy(),
        "sl_calls": (sl * calls).to_numpy(),
    })
    d = work.groupby(["queue", "date"], sort=True).agg(
        calls_offered=("calls_offered", "sum"), agent_hours=("agent_hours", "sum"),
        fte_hours=("fte_hours", "sum"), peak_agents=("agents", "max"), peak_fte=("fte", "max"),
        sl_calls=("sl_calls", "sum"))
    with np.errstate(divide="ignore", invalid="ignore"):
        d["service_level"] = np.where(d["calls_offered"] > 0,
                                      d["sl_calls"] / d["calls_offered"], np.nan)
    return d.drop(columns="sl_calls").reset_index()


def reserve_force(fc: pd.DataFrame, errors: pd.DataFrame | None,
                  params: WorkshopParams) -> ReserveRequirement:
    """Reserve force (机动部队) at ``params.reserve_quantile``: staff at the median and at the
    quantile with the workshop's targets; ``errors`` is a backtest residual table
    (``MethodComparison.selected.residuals``), or None to use the forecast's quantile columns.

    Examples
    --------
    >>> import pandas as pd
    >>> from ccomkit.wfm.workshop import WorkshopParams, reserve_force
    >>> fc = pd.DataFrame({"queue": "q", "interval_start": pd.to_datetime(["2026-03-02 09:00"]),
    ...     "interval_min": 30, "calls_forecast": [100.0], "calls_p50": [100.0],
    ...     "calls_p90": [125.0], "aht_s_forecast": [180.0]})
    >>> reserve_force(fc, None, WorkshopParams()).intervals[["agents_p50", "agents_q", "reserve_agents"]]
       agents_p50  agents_q  reserve_agents
    0          14        16               2
    """
    keep = ["queue", "interval_start", "interval_min", "calls_forecast", "aht_s_forecast"]
    if errors is None:
        keep += [c for c in (quantile_column(0.5), quantile_column(params.reserve_quantile))
                 if c in fc.columns and c not in keep]
    frame = fc[keep].copy()
    if params.patience_s > 0:
        frame["patience_s"] = float(params.patience_s)
    return reserve_requirement(frame, quantile=float(params.reserve_quantile), errors=errors,
                               **params.targets)


# ------------------------------------------------------------------------------------------------
# Everything at once, and output
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkshopResult:
    """Every table of the workshop (see :func:`run`)."""

    history: pd.DataFrame
    reliability: pd.DataFrame
    backtest: pd.DataFrame
    forecast: pd.DataFrame
    requirement: pd.DataFrame
    requirement_daily: pd.DataFrame
    reserve: pd.DataFrame
    reserve_daily: pd.DataFrame


def run(history: pd.DataFrame, params: WorkshopParams) -> WorkshopResult:
    """History → reliability → backtest → forecast → staffing → reserve, as tables.

    Examples
    --------
    >>> from ccomkit.wfm.forecast import _demo_history
    >>> from ccomkit.wfm.workshop import WorkshopParams, run
    >>> res = run(_demo_history(weeks=6), WorkshopParams(queue_id="", method="wha",
    ...           backtest_origins=2, compare_methods=("wha",), horizon_days=3))
    >>> len(res.forecast), int(res.requirement["agents_required"].min()) >= 0
    (24, True)
    """
    cmp = compare_methods(history, params)
    fc = forecast(history, params)
    req = staffing_requirement(fc, params)
    res = reserve_force(fc, cmp.selected.residuals, params)
    return WorkshopResult(history=history, reliability=reliability(history),
                          backtest=cmp.summary, forecast=fc, requirement=req,
                          requirement_daily=requirement_daily(req), reserve=res.intervals,
                          reserve_daily=res.daily)


def write_tables(out_dir: str, **tables: pd.DataFrame) -> pd.DataFrame:
    """Write each table as ``<out_dir>/<name>.csv`` (UTF-8); nothing when ``out_dir`` is ``""``.

    Returns
    -------
    DataFrame
        ``table, path, rows``: one row per file written.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> from ccomkit.wfm.workshop import write_tables
    >>> write_tables("", forecast=pd.DataFrame({"a": [1]})).empty
    True
    >>> d = tempfile.mkdtemp()
    >>> write_tables(d, forecast=pd.DataFrame({"a": [1, 2]}))[["table", "rows"]]
          table  rows
    0  forecast     2
    """
    rows: list[dict[str, Any]] = []
    if out_dir:
        dest = Path(out_dir)
        dest.mkdir(parents=True, exist_ok=True)
        for name, frame in tables.items():
            if not isinstance(frame, pd.DataFrame):
                raise ParameterError.expected("write_tables", name, "a DataFrame",
                                              type(frame).__name__)
            path = dest / f"{name}.csv"
            frame.to_csv(path, index=False, encoding="utf-8")
            rows.append({"table": name, "path": str(path), "rows": len(frame)})
    return pd.DataFrame(rows, columns=["table", "path", "rows"])



# ------------------------------------------------------------------------------------------------
# 7. Roster: requirement → named roster → the three standards (issue 4)
# ------------------------------------------------------------------------------------------------

_STANDARD_LABELS = {"utilization": "利用率 utilization", "humane": "人性化 humane", "fairness": "公平性 fairness"}


@dataclass(frozen=True)
class RosterWorkshop:
    """The roster step: the pooled requirement, the sized pool, the solver's result and its scores."""

    requirement: pd.DataFrame
    agents: pd.DataFrame
    result: Any  # ccomkit.wfm.scheduling.RosterResult
    score: Any  # ccomkit.wfm.roster_check.RosterScore

    @property
    def summary(self) -> pd.DataFrame:
        """One row: agents, shifts, status, gap, seconds, short and over as shares of required."""
        r = self.result
        shifts = r.roster.groupby(["agent_id", "shift_start"]).ngroups if len(r.roster) else 0
        return pd.DataFrame([{
            "agents": len(self.agents),
            "full_time": int((self.agents["employment"] == "full").sum()),
            "part_time": int((self.agents["employment"] == "part").sum()),
            "shifts": shifts, "status": r.status, "gap_frac": round(float(r.gap_frac), 4),
            "solve_s": round(float(r.solve_s), 1),
            "short_frac": round(self.score.value("short_frac"), 4),
            "over_frac": round(self.score.value("over_frac"), 4),
            "hard_violations": int(self.score.value("hard_violations")),
        }])


def roster_requirement(requirement: pd.DataFrame) -> pd.DataFrame:
    """Pool a staffing requirement over queues for rostering (agents taken as multi-skilled).

    Returns ``interval_start, agents_required, traffic_erl, aht_s`` (AHT weighted by traffic).

    Examples
    --------
    >>> import pandas as pd
    >>> from ccomkit.wfm.workshop import roster_requirement
    >>> req = pd.DataFrame({"queue": ["a", "b"], "interval_start": pd.to_datetime(["2026-03-02 09:00"] * 2),
    ...                     "agents_required": [3, 2], "traffic_erl": [2.0, 1.0], "aht_s": [300.0, 180.0]})
    >>> roster_requirement(req).to_dict("records")[0]["aht_s"]
    260.0
    """
    for col in ("interval_start", "agents_required", "traffic_erl", "aht_s"):
        if col not in requirement.columns:
            raise SchemaError(f"roster_requirement: missing column '{col}' (pass staffing_requirement(...)).",
                              table="requirement", column=col)
    d = requirement[["interval_start", "agents_required", "traffic_erl", "aht_s"]].copy()
    d["interval_start"] = pd.to_datetime(d["interval_start"])
    d["_work"] = d["traffic_erl"] * d["aht_s"].fillna(0)
    g = d.groupby("interval_start", as_index=False).agg(agents_required=("agents_required", "sum"),
                                                         traffic_erl=("traffic_erl", "sum"), _work=("_work", "sum"))
    g["aht_s"] = np.where(g["traffic_erl"] > 0, g["_work"] / g["traffic_erl"].where(g["traffic_erl"] > 0, 1), 0.0)
    return g.drop(columns="_work")


def build_roster(requirement: pd.DataFrame, rules: str = "24x7", time_limit_s: float = 30.0) -> RosterWorkshop:
    """Size the pool from the requirement, solve the roster and score it on the three standards.

    The pool: :func:`ccomkit.wfm.scheduling.size_pool` (40 h full-time, 20 h part-time).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from ccomkit.wfm.workshop import build_roster
    >>> ts = pd.date_range("2026-03-02", periods=2 * 48, freq="30min")
    >>> need = np.where((ts.hour >= 9) & (ts.hour < 17), 3, 0)
    >>> req = pd.DataFrame({"queue": "q", "interval_start": ts, "agents_required": need,
    ...                     "traffic_erl": need * 0.6, "aht_s": 300.0})
    >>> ws = build_roster(req, rules="example", time_limit_s=10)
    >>> int(ws.summary["hard_violations"].iloc[0])
    0
    """
    from ccomkit.wfm.roster_check import score_roster
    from ccomkit.wfm.roster_rules import load_rules
    from ccomkit.wfm.scheduling import make_agents, size_pool, solve_roster

    if not _is_real(time_limit_s) or time_limit_s <= 0:
        raise ParameterError.expected("build_roster", "time_limit_s", "a float > 0", time_limit_s)
    r = load_rules(rules)
    req = roster_requirement(requirement)
    agents = make_agents(size_pool(req, r, time_limit_s=time_limit_s))
    import warnings

    from ccomkit.errors import CcomkitWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CcomkitWarning)  # unnamed shifts are in result.unfilled
        res = solve_roster(req, agents, r, time_limit_s=float(time_limit_s))
    score = score_roster(res.roster, req, r, agents)
    return RosterWorkshop(requirement=req, agents=agents, result=res, score=score)


def roster_scores(score: Any) -> pd.DataFrame:
    """The three standards as a table for people: 标准 standard, metric, group, value (formatted).

    Examples
    --------
    >>> import pandas as pd
    >>> from ccomkit.wfm.roster_check import RosterScore
    >>> from ccomkit.wfm.workshop import roster_scores
    >>> s = RosterScore(pd.DataFrame([("utilization", "short_frac", "all", 0.0123, "fraction")],
    ...     columns=["standard", "metric", "group", "value", "unit"]), pd.DataFrame(), pd.DataFrame(), pd.DataFrame())
    >>> roster_scores(s).to_dict("records")
    [{'standard': '利用率 utilization', 'metric': 'short_frac', 'group': 'all', 'value': '1.2 %'}]
    """
    rows = []
    for r in score.summary.itertuples():
        v = float(r.value)
        if math.isnan(v):
            text = "n/a"
        elif r.unit == "fraction":
            text = f"{100 * v:.1f} %"
        elif r.unit == "gini":
            text = f"{v:.3f}"
        elif v.is_integer():
            text = f"{int(v)}"
        else:
            text = f"{v:.1f}"
        rows.append({"standard": _STANDARD_LABELS.get(r.standard, r.standard), "metric": r.metric,
                     "group": r.group, "value": text})
    return pd.DataFrame(rows, columns=["standard", "metric", "group", "value"])


def roster_grid_preview(ws: RosterWorkshop, n_agents: int = 12) -> pd.DataFrame:
    """The team leader's layout (agents × days) for the first ``n_agents`` agents."""
    from ccomkit.wfm.roster_io import roster_grid

    return roster_grid(ws.result.roster, agents=ws.agents).head(int(n_agents))


def coverage_chart(coverage: pd.DataFrame) -> Any:
    """Agents required vs net agents scheduled per interval (breaks and lunches taken out).

    (Built here until ``ccomkit.report.charts`` takes it over.)

    Examples
    --------
    >>> import pandas as pd
    >>> from ccomkit.wfm.workshop import coverage_chart
    >>> cov = pd.DataFrame({"interval_start": pd.date_range("2026-03-02 09:00", periods=3, freq="30min"),
    ...                     "agents_required": [2, 3, 2], "agents_scheduled": [2, 2.5, 3]})
    >>> coverage_chart(cov).to_dict()["mark"]["type"]
    'line'
    """
    import altair as alt

    d = coverage[["interval_start", "agents_required", "agents_scheduled"]].copy()
    long = d.melt(id_vars="interval_start", var_name="measure", value_name="agents")
    long["measure"] = long["measure"].map({"agents_required": "需求 required",
                                           "agents_scheduled": "排班净在线 scheduled (net)"})
    return alt.Chart(long).mark_line(interpolate="step-after").encode(
        x=alt.X("interval_start:T", title="时段 interval"),
        y=alt.Y("agents:Q", title="坐席 agents"),
        color=alt.Color("measure:N", title=None),
        tooltip=["measure", alt.Tooltip("interval_start:T", format="%Y-%m-%d %H:%M"),
                 alt.Tooltip("agents:Q", format=".2f")],
    ).properties(width=640, height=200, title="排班覆盖 Roster coverage: required vs scheduled")


def fairness_chart(agents: pd.DataFrame) -> Any:
    """How many agents got how many nights and weekend shifts (公平性), per kind.

    Examples
    --------
    >>> import pandas as pd
    >>> from ccomkit.wfm.workshop import fairness_chart
    >>> a = pd.DataFrame({"agent_id": ["a", "b"], "kind": ["full", "full"], "nights": [1, 2], "weekends": [2, 2]})
    >>> fairness_chart(a).to_dict()["mark"]["type"]
    'bar'
    """
    import altair as alt

    d = agents[["agent_id", "kind", "nights", "weekends"]].melt(id_vars=["agent_id", "kind"], var_name="measure",
                                                                value_name="count")
    d["measure"] = d["measure"].map({"nights": "夜班 nights", "weekends": "周末班 weekend shifts"})
    d = d.groupby(["kind", "measure", "count"], as_index=False).size().rename(columns={"size": "agents"})
    return alt.Chart(d).mark_bar().encode(
        x=alt.X("count:O", title="每人次数 per agent"),
        y=alt.Y("agents:Q", title="坐席数 agents"),
        color=alt.Color("kind:N", title="全职/兼职 kind"),
        column=alt.Column("measure:N", title=None),
        tooltip=["kind", "measure", "count", "agents"],
    ).properties(width=300, height=160, title="公平性 Fairness: spread of unpopular shifts")
