"""Rolling-origin backtest: metric tables, quantile coverage and the residual table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ccomkit.errors import ParameterError, SchemaError
from ccomkit.wfm.backtest import backtest, forecast_metrics
from ccomkit.wfm.forecast import _synthetic_history


@pytest.fixture(scope="module")
def result():
    df = _synthetic_history(weeks=20, queues=("a", "b"), end="2025-09-21", seed=11)
    return backtest(df, "svd", n_origins=6, horizon_days=7)


def test_tables_shapes(result) -> None:
    m = result.metrics
    assert set(m["level"]) == {"interval", "day", "week"}
    assert len(m) == 2 * 6 * 3
    assert {"wape", "mase", "bias", "hit_rate_5", "hit_rate_10", "coverage_p10",
            "coverage_p90", "coverage_central"} <= set(m.columns)
    s = result.summary.set_index(["queue", "level"])
    # aggregation hides error: day and week WAPE far below interval WAPE
    for q in ("a", "b"):
        assert s.loc[(q, "day"), "wape"] < s.loc[(q, "interval"), "wape"] / 2
        assert s.loc[(q, "interval"), "mase"] < 1.0  # beats the same-weekday naive
        assert abs(s.loc[(q, "interval"), "bias"]) < 0.02
    assert result.chosen["method"].eq("svd").all()
    assert len(result.forecasts) == 2 * 6 * 7 * 24


def test_quantile_coverage_roughly_nominal(result) -> None:
    s = result.summary[result.summary["level"] == "interval"]
    assert s["coverage_p10"].between(0.05, 0.16).all()
    assert s["coverage_p50"].between(0.42, 0.58).all()
    assert s["coverage_p90"].between(0.84, 0.95).all()
    assert s["coverage_central"].between(0.72, 0.88).all()


def test_residual_table_for_reserve(result) -> None:
    r = result.residuals
    assert list(r.columns) == ["queue", "interval_start", "interval_of_day", "day_type", "weekday",
                               "forecast", "actual", "error_frac"]
    np.testing.assert_allclose(r["error_frac"], (r["actual"] - r["forecast"]) / r["forecast"])
    assert r["interval_of_day"].iloc[0] == "08:00"
    assert set(r["day_type"]) <= {"workday", "weekend", "holiday", "makeup_workday"}


def test_auto_backtest_and_errors() -> None:
    df = _synthetic_history(weeks=10, end="2025-09-21", seed=12, interval_min=60)
    res = backtest(df, "auto", n_origins=2, quantiles=None)
    assert set(res.chosen["method"]) <= {"wha", "svd", "topdown", "fourier_arma", "combination"}
    assert "coverage_p10" not in res.metrics.columns
    with pytest.raises(SchemaError, match="too little"):
        backtest(df.head(200), "svd", n_origins=1)
    with pytest.raises(ParameterError, match="n_origins"):
        backtest(df, "wha", n_origins=0)


def test_forecast_metrics_by_hand() -> None:
    df = pd.DataFrame({"forecast": [110.0, 96.0, 50.0, 3.0], "actual": [100.0, 100.0, 50.0, 0.0]})
    m = forecast_metrics(df).iloc[0]
    assert m["wape"] == pytest.approx((10 + 4 + 0 + 3) / 250)
    assert m["bias"] == pytest.approx((10 - 4 + 0 + 3) / 250)
    assert m["hit_rate_5"] == pytest.approx(2 / 3)  # A = 0 is left out
    assert m["hit_rate_10"] == pytest.approx(3 / 3)
