"""Rolling-origin backtest of the forecasters (预测准确率, DOMAIN.md §2.3).

From each origin the model is fitted on the history before it and forecasts ``horizon_days``
calendar days in one shot; origins step back ``step_days`` from the end of the history, the last
fold ending on the history's last day. Only intervals for which the history has a row are scored.

Measures, at interval, day and week level (DOMAIN.md §2.3):

``wape``          Σ|F − A| / ΣA
``bias``          Σ(F − A) / ΣA (> 0 over-forecast)
``mase``          MAE / MAE of the same-weekday-last-week naive forecast in the fold's training
                  history (last 8 weeks, same level)
``hit_rate_5``    share of units (intervals, days, weeks) with A > 0 and |F − A| / A ≤ 5 %
``hit_rate_10``   the same at ±10 %
``coverage_pNN``  share of intervals with A ≤ the forecast quantile (nominal NN %), interval level
``coverage_central``  share of intervals inside [lowest, highest] quantile (nominal: their gap)

The residual table (``queue, interval_start, interval_of_day, day_type, weekday, forecast, actual,
error_frac``) with ``error_frac = (A − F) / F`` is what the reserve-force code consumes: a
positive value is volume the forecast missed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ccomkit.errors import ParameterError, SchemaError
from ccomkit.wfm.forecast import (
    AutoForecaster,
    BaseForecaster,
    _build_series,
    _check_quantiles,
    _cuts,
    _dispersion_from_folds,
    _gamma_quantiles,
    _Series,
    _validate_history,
    make_forecaster,
    quantile_column,
)

__all__ = ["BacktestResult", "backtest", "forecast_metrics"]

LEVELS: tuple[str, ...] = ("interval", "day", "week")


@dataclass(frozen=True)
class BacktestResult:
    """Tables of a rolling-origin backtest.

    Attributes
    ----------
    forecasts : DataFrame
        ``queue, method, fold, origin, interval_start, horizon_day, day_type, interval_of_day,
        actual, forecast`` and the quantile columns: one row per scored interval.
    metrics : DataFrame
        ``queue, method, fold, origin, level, n, actual_total, forecast_total, wape, bias, mase,
        hit_rate_5, hit_rate_10`` (+ coverage columns at interval level): one row per fold × level.
    summary : DataFrame
        The same measures pooled over folds (sums of numerators and denominators), per queue ×
        level.
    residuals : DataFrame
        ``queue, interval_start, interval_of_day, day_type, weekday, forecast, actual, error_frac``
        with ``error_frac = (actual − forecast) / forecast`` (intervals with forecast > 0).
    chosen : DataFrame
        ``queue, fold, origin, method``: the method each fold used (what ``auto`` picked).
    """

    forecasts: pd.DataFrame
    metrics: pd.DataFrame
    summary: pd.DataFrame
    residuals: pd.DataFrame
    chosen: pd.DataFrame


def _naive_scale(sh: _Series, level: str, weeks: int = 8) -> float:
    """MAE of the same-weekday-last-week naive forecast over the last ``weeks`` weeks."""
    D = sh.n_days
    lo = max(7, D - 7 * weeks)
    if D - lo < 1:
        return float("nan")
    t = np.arange(lo, D)
    ok = sh.has_rows[t] & sh.has_rows[t - 7]
    if level == "interval":
        m = sh.seen[t] & sh.seen[t - 7]
        d = np.abs(sh.y[t] - sh.y[t - 7])[m]
        return float(d.mean()) if d.size else float("nan")
    tot = sh.y.sum(axis=1)
    if level == "day":
        d = np.abs(tot[t] - tot[t - 7])[ok]
        return float(d.mean()) if d.size else float("nan")
    n = min(weeks, D // 7)
    if n < 2:
        return float("nan")
    wk = tot[D - 7 * n:].reshape(n, 7).sum(axis=1)
    return float(np.abs(np.diff(wk)).mean())


def _measures(F: np.ndarray, A: np.ndarray) -> dict[str, float]:
    sa = float(A.sum())
    err = F - A
    pos = A > 0
    rel = np.abs(err[pos]) / A[pos]
    return {
        "n": int(A.size),
        "actual_total": sa,
        "forecast_total": float(F.sum()),
        "wape": float(np.abs(err).sum() / sa) if sa > 0 else float("nan"),
        "bias": float(err.sum() / sa) if sa > 0 else float("nan"),
        "mae": float(np.abs(err).mean()) if A.size else float("nan"),
        "hit_rate_5": float((rel <= 0.05).mean()) if rel.size else float("nan"),
        "hit_rate_10": float((rel <= 0.10).mean()) if rel.size else float("nan"),
    }


def forecast_metrics(frame: pd.DataFrame, *, forecast_col: str = "forecast",
                     actual_col: str = "actual") -> pd.DataFrame:
    """WAPE, bias, MAE and hit rates at ±5 % / ±10 % of a frame of forecasts and actuals.

    Parameters
    ----------
    frame : DataFrame
        Any rows (intervals, days, weeks) with a forecast and an actual column.

    Returns
    -------
    DataFrame
        One row: ``n, actual_total, forecast_total, wape, bias, mae, hit_rate_5, hit_rate_10``.

    Examples
    --------
    >>> import pandas as pd
    >>> from ccomkit.wfm.backtest import forecast_metrics
    >>> df = pd.DataFrame({"forecast": [100, 95, 120], "actual": [100, 100, 100]})
    >>> forecast_metrics(df)[["wape", "bias", "hit_rate_5", "hit_rate_10"]].round(3)
        wape  bias  hit_rate_5  hit_rate_10
    0  0.083  0.05       0.667        0.667
    """
    for col in (forecast_col, actual_col):
        if col not in frame.columns:
            raise SchemaError(f"forecast_metrics: missing column '{col}'.", column=col)
    F = pd.to_numeric(frame[forecast_col]).to_numpy(dtype=float)
    A = pd.to_numeric(frame[actual_col]).to_numpy(dtype=float)
    return pd.DataFrame([_measures(F, A)])


def backtest(frame: pd.DataFrame, method: str | BaseForecaster = "auto", *, n_origins: int = 8,
             horizon_days: int = 7, step_days: int = 7,
             quantiles: Sequence[float] | None = (0.1, 0.5, 0.9),
             source: str = "history") -> BacktestResult:
    """Rolling-origin backtest of a forecasting method on every queue of ``frame``.

    Parameters
    ----------
    frame : DataFrame
        ``queue, interval_start, calls_offered`` (+ ``aht_s``), as for ``fit``.
    method : str or forecaster, default "auto"
        A name of :data:`ccomkit.wfm.forecast.METHODS` or an (unfitted) forecaster.
    n_origins : int, default 8
        Number of forecast origins (folds).
    horizon_days : int, default 7
        Calendar days forecast from each origin, in one shot.
    step_days : int, default 7
        Days between origins.
    quantiles : sequence of float or None, default (0.1, 0.5, 0.9)
        Quantiles forecast in each fold; their coverage is reported.

    Returns
    -------
    BacktestResult

    Examples
    --------
    >>> from ccomkit.wfm.forecast import _demo_history
    >>> from ccomkit.wfm.backtest import backtest
    >>> res = backtest(_demo_history(weeks=6), "wha", n_origins=2)
    >>> res.summary[["queue", "level", "wape", "hit_rate_5"]].round(6)
      queue     level  wape  hit_rate_5
    0     a  interval   0.0         1.0
    1     a       day   0.0         1.0
    2     a      week   0.0         1.0
    """
    owner = "backtest"
    for name, v, lo in (("n_origins", n_origins, 1), ("horizon_days", horizon_days, 1),
                        ("step_days", step_days, 1)):
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < lo:
            raise ParameterError.expected(owner, name, f"an int >= {lo}", v)
    qs = _check_quantiles(quantiles, owner)
    model = make_forecaster(method) if isinstance(method, str) else method
    model._check_params()
    hist = _validate_history(frame, source=source)
    series = _build_series(hist)
    fc_parts: list[pd.DataFrame] = []
    met_rows: list[dict[str, Any]] = []
    chosen_rows: list[dict[str, Any]] = []
    for q, s in series.items():
        cuts = _cuts(s, n_origins, horizon_days, model.min_history_days, step_days)
        cuts = [c for c in cuts if c + 1 <= s.n_days]
        if not cuts:
            raise SchemaError(
                f"{source}: queue {q!r} has {s.n_days} day(s) of history: too little for "
                f"{n_origins} origin(s) of {horizon_days} day(s) with method '{model.name}' "
                f"(needs at least {model.min_history_days + horizon_days}).",
                table=source, column="interval_start")
        for fold, c in enumerate(cuts):
            h = min(horizon_days, s.n_days - c)
            sh = s.head(c)
            fut = s.cal.slice(c, c + h)
            state = model._fit_q(sh)
            F = sh.apply_special(np.maximum(model._fc_q(sh, state, h), 0.0), fut)
            A = s.y[c:c + h]
            M = s.seen[c:c + h]
            origin = s.first_day + pd.Timedelta(days=c)
            used = state["choice"] if isinstance(model, AutoForecaster) else model.name
            chosen_rows.append({"queue": q, "fold": fold, "origin": origin, "method": used})
            di, si = np.nonzero(M)
            f = F[di, si]
            a = A[di, si]
            minutes = s.anchor_min + (s.slot0 + si) * s.interval_min
            ts = (origin.to_datetime64() + di.astype("timedelta64[D]")
                  + minutes.astype("timedelta64[m]")).astype("datetime64[ns]")
            part = pd.DataFrame({
                "queue": q, "method": used, "fold": fold, "origin": origin, "interval_start": ts,
                "horizon_day": di + 1, "day_type": fut.day_type[di], "weekday": fut.weekday[di],
                "interval_of_day": _hhmm(minutes),
                "actual": a, "forecast": f})
            if qs:
                if isinstance(model, AutoForecaster):
                    phi = state["phi"]
                else:
                    phi = _dispersion_from_folds(model, sh)
                phic = np.zeros(f.size) if phi is None else phi[si]
                for qq, col in zip(qs, _gamma_quantiles(f, phic, qs)):
                    part[quantile_column(qq)] = col
            fc_parts.append(part)
            met_rows.extend(_fold_metrics(part, sh, qs, q, used, fold, origin))
    forecasts = pd.concat(fc_parts, ignore_index=True)
    metrics = pd.DataFrame(met_rows)
    summary = _summary(forecasts, metrics, qs)
    pos = forecasts["forecast"] > 0
    residuals = forecasts.loc[pos, ["queue", "interval_start", "interval_of_day", "day_type",
                                    "weekday", "forecast", "actual"]].reset_index(drop=True)
    residuals["error_frac"] = (residuals["actual"] - residuals["forecast"]) / residuals["forecast"]
    return BacktestResult(forecasts=forecasts, metrics=metrics, summary=summary,
                          residuals=residuals, chosen=pd.DataFrame(chosen_rows))


def _hhmm(minutes: np.ndarray) -> np.ndarray:
    m = np.asarray(minutes) % 1440
    h = (m // 60).astype(int)
    mm = (m % 60).astype(int)
    return np.char.add(np.char.add(np.char.zfill(h.astype(str), 2), ":"),
                       np.char.zfill(mm.astype(str), 2)).astype(object)


def _level_frame(part: pd.DataFrame, level: str) -> pd.DataFrame:
    if level == "interval":
        return part
    key = part["horizon_day"] if level == "day" else (part["horizon_day"] - 1) // 7
    g = part.groupby([part["fold"], key], sort=True)
    return g[["actual", "forecast"]].sum().reset_index(drop=True)


def _coverage(part: pd.DataFrame, qs: list[float]) -> dict[str, float]:
    out: dict[str, float] = {}
    a = part["actual"].to_numpy()
    for qq in qs:
        col = quantile_column(qq)
        out["coverage_" + col.split("_", 1)[1]] = float((a <= part[col].to_numpy()).mean())
    if len(qs) >= 2:
        lo = part[quantile_column(qs[0])].to_numpy()
        hi = part[quantile_column(qs[-1])].to_numpy()
        out["coverage_central"] = float(((a >= lo) & (a <= hi)).mean())
        out["coverage_central_nominal"] = qs[-1] - qs[0]
    return out


def _fold_metrics(part: pd.DataFrame, sh: _Series, qs: list[float], q: str, method: str,
                  fold: int, origin: pd.Timestamp) -> list[dict[str, Any]]:
    rows = []
    for level in LEVELS:
        lf = _level_frame(part, level)
        m = _measures(lf["forecast"].to_numpy(float), lf["actual"].to_numpy(float))
        scale = _naive_scale(sh, level)
        m["mase"] = m["mae"] / scale if scale and np.isfinite(scale) and scale > 0 else float("nan")
        row = {"queue": q, "method": method, "fold": fold, "origin": origin, "level": level, **m}
        if level == "interval" and qs:
            row.update(_coverage(part, qs))
        rows.append(row)
    return rows


def _summary(forecasts: pd.DataFrame, metrics: pd.DataFrame, qs: list[float]) -> pd.DataFrame:
    rows = []
    for q, fq in forecasts.groupby("queue", sort=True):
        mq = metrics[metrics["queue"] == q]
        for level in LEVELS:
            lf = _level_frame(fq, level)
            m = _measures(lf["forecast"].to_numpy(float), lf["actual"].to_numpy(float))
            ml = mq[mq["level"] == level]
            m["mase"] = float(ml["mase"].mean()) if ml["mase"].notna().any() else float("nan")
            row = {"queue": q, "level": level, "n_folds": int(ml.shape[0]), **m}
            if level == "interval" and qs:
                row.update(_coverage(fq, qs))
            rows.append(row)
    return pd.DataFrame(rows)
