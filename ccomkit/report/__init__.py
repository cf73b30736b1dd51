"""Presentation layer: charts and rendering for reports, notebooks and apps.

Nothing here computes a domain figure; builders take the tables of :mod:`ccomkit.wfm` (and its
workshop composition) and return altair charts.
"""

from ccomkit.report.charts import (
    MAX_ROWS,
    backtest_chart,
    enable_offline,
    forecast_chart,
    history_chart,
    requirement_chart,
    reserve_chart,
    resolve_render,
)

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
