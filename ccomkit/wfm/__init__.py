"""Forecasting and scheduling (预测排班): traffic models, Erlang staffing and the reserve force.

The names below are loaded on first use (so that ``ccom`` starts without importing SciPy).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS: dict[str, str] = {
    "asa_s": "ccomkit.wfm.erlang", "erlang_a_metrics": "ccomkit.wfm.erlang",
    "erlang_b": "ccomkit.wfm.erlang", "erlang_c": "ccomkit.wfm.erlang",
    "service_level": "ccomkit.wfm.erlang",
    "required_agents": "ccomkit.wfm.staffing",
    "ReserveRequirement": "ccomkit.wfm.reserve", "reserve_requirement": "ccomkit.wfm.reserve",
    "BacktestResult": "ccomkit.wfm.backtest", "backtest": "ccomkit.wfm.backtest",
    "METHODS": "ccomkit.wfm.forecast", "AutoForecaster": "ccomkit.wfm.forecast",
    "Combination": "ccomkit.wfm.forecast", "FourierARMA": "ccomkit.wfm.forecast",
    "SeasonalNaive": "ccomkit.wfm.forecast", "SVDForecaster": "ccomkit.wfm.forecast",
    "TopDown": "ccomkit.wfm.forecast", "WeightedHistoricalAverage": "ccomkit.wfm.forecast",
    "make_forecaster": "ccomkit.wfm.forecast",
    "reliability": "ccomkit.wfm.reliability", "reliability_chart": "ccomkit.wfm.reliability",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'ccomkit.wfm' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
