"""Forecasters on synthetic series with known structure."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from ccomkit.errors import CcomkitError, ParameterError, SchemaError
from ccomkit.wfm.forecast import (
    METHODS,
    AutoForecaster,
    Combination,
    NotFittedError,
    SVDForecaster,
    WeightedHistoricalAverage,
    _synthetic_history,
    infer_interval_min,
    make_forecaster,
    quantile_column,
)

END = "2025-09-21"  # a Sunday; the next week has no holiday


def _split(df: pd.DataFrame, end: str = END) -> tuple[pd.DataFrame, pd.DataFrame]:
    cut = pd.Timestamp(end) + pd.Timedelta(days=1)
    return df[df["interval_start"] < cut], df[df["interval_start"] >= cut]


@pytest.fixture(scope="module")
def weekly() -> pd.DataFrame:
    return _synthetic_history(weeks=21, queues=("a", "b"), end="2025-09-28", seed=1,
                              with_rate=True, aht=True)


def _wape(fc: pd.DataFrame, truth: pd.DataFrame, col: str = "calls_offered") -> float:
    m = fc.merge(truth, on=["queue", "interval_start"], how="inner", validate="one_to_one")
    assert len(m) == len(fc)
    return float(np.abs(m["calls_forecast"] - m[col]).sum() / m[col].sum())


@pytest.mark.parametrize("method", list(METHODS))
def test_fit_returns_self_and_unfitted_predict_raises(method: str, weekly: pd.DataFrame) -> None:
    model = make_forecaster(method)
    with pytest.raises(NotFittedError, match="not fitted"):
        model.predict(horizon_days=7)
    assert issubclass(NotFittedError, CcomkitError)
    hist, _ = _split(weekly.drop(columns=["rate"]))
    before = hist.copy()
    assert model.fit(hist) is model
    pd.testing.assert_frame_equal(hist, before)  # input not mutated
    assert model.queues_ == ["a", "b"]


@pytest.mark.parametrize("method", list(METHODS))
def test_each_method_recovers_weekly_intraday_pattern(method: str, weekly: pd.DataFrame) -> None:
    hist, fut = _split(weekly.drop(columns=["rate"]))
    fc = make_forecaster(method).fit(hist).predict(horizon_days=7)
    assert list(fc.columns) == ["queue", "interval_start", "calls_forecast", "aht_s_forecast"]
    # same grid as the truth: every interval of the next 7 days, per queue
    assert len(fc) == len(fut)
    limit = 0.16 if method == "seasonal_naive" else 0.11
    assert _wape(fc, fut) < limit
    assert (fc["calls_forecast"] >= 0).all()


@pytest.mark.parametrize("method", ["wha", "svd"])
def test_wha_and_svd_close_to_true_rate(method: str, weekly: pd.DataFrame) -> None:
    hist, fut = _split(weekly)
    fc = make_forecaster(method).fit(hist.drop(columns=["rate"])).predict(horizon_days=7)
    # against the Poisson rate (noise-free truth) the error is small
    assert _wape(fc, fut, "rate") < 0.05


def test_aht_forecast_volume_weighted(weekly: pd.DataFrame) -> None:
    hist, _ = _split(weekly.drop(columns=["rate"]))
    fc = make_forecaster("wha").fit(hist).predict(horizon_days=3)
    aht = fc.groupby("queue")["aht_s_forecast"].mean()
    assert aht["a"] == pytest.approx(200.0, abs=2.0)
    assert aht["b"] == pytest.approx(220.0, abs=2.0)


def test_level_shift_detected_by_wha() -> None:
    df = _synthetic_history(weeks=16, end=END, shift_last_days=9, shift_factor=1.4, seed=3)
    hist = df[df["interval_start"] < pd.Timestamp(END) - pd.Timedelta(days=6)]
    week = df[df["interval_start"] >= pd.Timestamp(END) - pd.Timedelta(days=6)]
    adj = WeightedHistoricalAverage().fit(hist).predict(horizon_days=7)
    plain = WeightedHistoricalAverage(level_adjust=False).fit(hist).predict(horizon_days=7)
    assert _wape(adj, week) < 0.10
    assert _wape(plain, week) > 0.2
    auto = AutoForecaster().fit(hist).predict(horizon_days=7)
    assert _wape(auto, week) < 0.12


def test_weekdays_only_history_gets_weekdays_only() -> None:
    df = _synthetic_history(weeks=8, end="2025-09-19", weekdays_only=True, seed=4)
    # N counts calendar days after the history's last day (Fri 2025-09-19): Sat..Fri, of which the
    # history shows only the 5 weekdays open.
    fc = make_forecaster("auto").fit(df).predict(horizon_days=7)
    days = fc["interval_start"].dt.normalize().unique()
    assert len(days) == 5
    assert (pd.DatetimeIndex(days).day_of_week < 5).all()
    assert pd.Timestamp(days.min()) == pd.Timestamp("2025-09-22")  # Monday after a Friday


@pytest.mark.parametrize("interval_min", [5, 15, 60])
def test_interval_grid_is_inferred_and_kept(interval_min: int) -> None:
    df = _synthetic_history(weeks=6, interval_min=interval_min, end=END, seed=5,
                            open_hours=(9, 18), calls_per_day=1500)
    assert infer_interval_min(df["interval_start"], df["queue"]) == interval_min
    model = make_forecaster("svd").fit(df)
    assert model.interval_min_ == interval_min
    fc = model.predict(horizon_days=2)
    per_day = 9 * 60 // interval_min
    assert len(fc) == 2 * per_day
    tod = fc["interval_start"] - fc["interval_start"].dt.normalize()
    hist_tod = set(df["interval_start"] - df["interval_start"].dt.normalize())
    assert set(tod) == hist_tod
    assert fc["interval_start"].dt.normalize().min() == pd.Timestamp(END) + pd.Timedelta(days=1)


def test_holiday_in_horizon_uses_last_years_festival_factor() -> None:
    # 60 weeks to 2025-09-28 cover National Day 2024; the horizon covers National Day 2025
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = _synthetic_history(weeks=60, interval_min=60, end="2025-09-28", holiday_factor=0.3,
                                seed=6, with_rate=True, calls_per_day=2000)
    fc = make_forecaster("wha").fit(df.drop(columns=["rate"])).predict(horizon_days=14)
    truth = _synthetic_history(weeks=62, interval_min=60, end="2025-10-12", holiday_factor=0.3,
                               seed=6, with_rate=True, calls_per_day=2000)
    m = fc.merge(truth, on=["queue", "interval_start"])
    day = m.groupby(m["interval_start"].dt.normalize())[["calls_forecast", "rate"]].sum()
    hol = day.loc["2025-10-01":"2025-10-08"]
    ratio = hol["calls_forecast"] / hol["rate"]
    assert ratio.between(0.8, 1.25).all(), ratio
    assert float(np.abs(day["calls_forecast"] - day["rate"]).sum() / day["rate"].sum()) < 0.08


def test_holidays_closed_in_history_are_closed_in_forecast() -> None:
    df = _synthetic_history(weeks=60, interval_min=60, end="2025-09-26", weekdays_only=True,
                            seed=7, calls_per_day=1000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ccomkit.calendar import day_types
        cal = day_types("2024-07-01", "2025-10-31")
    hol = set(cal.loc[cal["day_type"] == "holiday", "date"])
    df = df[~df["interval_start"].dt.normalize().isin(hol)]
    fc = make_forecaster("wha").fit(df).predict(horizon_days=17)
    days = pd.DatetimeIndex(fc["interval_start"].dt.normalize().unique())
    # 17 calendar days after Fri 2025-09-26 run to Mon 10-13; 2025-10-01..08 is the National Day
    # block and the history never opened on weekends (not even the 调休 Sun 09-28 / Sat 10-11)
    assert list(days.strftime("%m-%d")) == ["09-29", "09-30", "10-09", "10-10", "10-13"]


def test_quantiles_named_and_ordered(weekly: pd.DataFrame) -> None:
    hist, fut = _split(weekly.drop(columns=["rate"]))
    fc = make_forecaster("svd").fit(hist).predict(horizon_days=7, quantiles=[0.975, 0.1, 0.5, 0.9])
    cols = ["calls_p10", "calls_p50", "calls_p90", "calls_p97.5"]
    assert list(fc.columns[-4:]) == cols
    v = fc[cols].to_numpy()
    assert (np.diff(v, axis=1) >= 0).all()
    m = fc.merge(fut, on=["queue", "interval_start"])
    inside = ((m["calls_offered"] >= m["calls_p10"]) & (m["calls_offered"] <= m["calls_p90"])).mean()
    assert 0.7 < inside < 0.9
    assert quantile_column(0.05) == "calls_p5"


def test_combination_and_bad_parameters(weekly: pd.DataFrame) -> None:
    hist, _ = _split(weekly.drop(columns=["rate"]))
    a = make_forecaster("wha").fit(hist).predict(horizon_days=1)
    b = make_forecaster("seasonal_naive").fit(hist).predict(horizon_days=1)
    c = Combination(members=("wha", "seasonal_naive"), how="mean").fit(hist).predict(horizon_days=1)
    np.testing.assert_allclose(c["calls_forecast"], (a["calls_forecast"] + b["calls_forecast"]) / 2)
    bad = WeightedHistoricalAverage(k_weeks=0)  # __init__ does not validate
    with pytest.raises(ParameterError, match="'k_weeks' parameter of WeightedHistoricalAverage"):
        bad.fit(hist)
    with pytest.raises(ParameterError, match="method"):
        make_forecaster("prophet")
    with pytest.raises(ParameterError, match="quantiles"):
        make_forecaster("wha").fit(hist).predict(horizon_days=1, quantiles=[1.5])
    with pytest.raises(ParameterError, match="horizon_days"):
        make_forecaster("wha").fit(hist).predict(horizon_days=0)


def test_too_little_history_and_bad_frame() -> None:
    df = _synthetic_history(weeks=2, end=END)
    with pytest.raises(SchemaError, match="method 'svd' needs at least 21"):
        SVDForecaster().fit(df)
    with pytest.raises(SchemaError, match="missing column 'calls_offered'"):
        make_forecaster("wha").fit(df.drop(columns=["calls_offered"]))
    neg = df.assign(calls_offered=df["calls_offered"] * 0 - 1)
    with pytest.raises(SchemaError, match=r"calls_offered' must be >= 0: \d+ rows violate it, first at row 0"):
        make_forecaster("wha").fit(neg)


def test_auto_reports_choice_and_scores(weekly: pd.DataFrame) -> None:
    hist, _ = _split(weekly.drop(columns=["rate"]))
    m = AutoForecaster().fit(hist)
    assert set(m.chosen_) == {"a", "b"}
    assert set(m.scores_["method"]) >= {"wha", "svd", "topdown", "fourier_arma", "combination"}
    best = m.scores_.loc[m.scores_.groupby("queue")["wape"].idxmin()]
    assert dict(zip(best["queue"], best["method"])) == m.chosen_
