"""Forecasting and scheduling (预测排班): traffic models, Erlang staffing and the reserve force."""

from ccomkit.wfm.erlang import asa_s, erlang_a_metrics, erlang_b, erlang_c, service_level
from ccomkit.wfm.staffing import required_agents
from ccomkit.wfm.reserve import ReserveRequirement, reserve_requirement
from ccomkit.wfm.backtest import BacktestResult, backtest
from ccomkit.wfm.forecast import (
    METHODS,
    AutoForecaster,
    Combination,
    FourierARMA,
    SeasonalNaive,
    SVDForecaster,
    TopDown,
    WeightedHistoricalAverage,
    make_forecaster,
)
from ccomkit.wfm.reliability import reliability, reliability_chart
