"""ccomkit: a contact-center management workbench for CCOM (SJ/T 11739-2019) and DCDIER.

The handful of entry points a notebook needs are reachable from the package itself and imported on
first use, so ``import ccomkit`` stays cheap::

    import ccomkit as cc
    cc.erlang_c(10.0, 14)                      # probability of waiting
    with cc.Workspace.open_read() as ws: ...   # the workspace (data/workspace.duckdb by default)

Everything else is reached by module path (``ccomkit.kpi``, ``ccomkit.wfm.forecast`` …).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    # core
    "Workspace": "ccomkit.store",
    "resolve_workspace": "ccomkit.store",
    "validate": "ccomkit.schemas",
    "TABLES": "ccomkit.schemas",
    "day_types": "ccomkit.calendar",
    # domain
    "compute_kpis": "ccomkit.kpi:compute",
    "KPIS": "ccomkit.kpi",
    "erlang_b": "ccomkit.wfm.erlang",
    "erlang_c": "ccomkit.wfm.erlang",
    "service_level": "ccomkit.wfm.erlang",
    "asa_s": "ccomkit.wfm.erlang",
    "erlang_a_metrics": "ccomkit.wfm.erlang",
    "required_agents": "ccomkit.wfm.staffing",
    "reserve_requirement": "ccomkit.wfm.reserve",
    "make_forecaster": "ccomkit.wfm.forecast",
    "backtest": "ccomkit.wfm.backtest",
    "reliability": "ccomkit.wfm.reliability",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str) -> Any:
    target = _EXPORTS.get(name)
    if target is None:
        raise AttributeError(f"module 'ccomkit' has no attribute {name!r}")
    module, _, attr = target.partition(":")
    value = getattr(import_module(module), attr or name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
