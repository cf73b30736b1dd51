"""Presentation layer: charts and rendering for reports, notebooks and apps.

Nothing here computes a domain figure; builders take the tables of :mod:`ccomkit.wfm` (and its
workshop composition) and return altair charts. The names below are loaded on first use (so that
``ccom`` starts without importing altair).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

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


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module 'ccomkit.report' has no attribute {name!r}")
    value = getattr(import_module("ccomkit.report.charts"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
