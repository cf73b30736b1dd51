"""Performance management (绩效管理): KPI targets, role scorecards, appraisal and KPI decomposition.

- :mod:`ccomkit.performance.scorecard` — the kpi_target Define card (:func:`resolve_targets`),
  role scorecards as YAML (``scorecards/*.yaml``: 座席代表 agent, 值班长 duty lead, 品管培训岗
  QA-trainer, 信息协调岗 coordinator) and :func:`scorecard`.
- :mod:`ccomkit.performance.appraisal` — grades A/B+/B-/C/D with optional forced distribution,
  the level review (初级/中级/高级/资深) and the bottom-3-months list, a coaching / improvement-plan
  trigger and never a dismissal decision (Guiding Case No. 18).
- :mod:`ccomkit.performance.drivers` — the driver tree (绩效拆解) and each driver's contribution
  to a change between two months, exact where an identity exists, regression-based elsewhere.
"""

from ccomkit.performance.appraisal import bottom_months, grade, level_inputs, level_review
from ccomkit.performance.drivers import (
    contribution_chart,
    csat_drivers,
    csat_fcr_mix,
    decompose_staffing,
    driver_tree,
    sl_drivers,
)
from ccomkit.performance.scorecard import (
    load_scorecard,
    resolve_targets,
    scorecard,
    scorecard_months,
    scorecard_totals,
)

__all__ = [
    "bottom_months",
    "contribution_chart",
    "csat_drivers",
    "csat_fcr_mix",
    "decompose_staffing",
    "driver_tree",
    "grade",
    "level_inputs",
    "level_review",
    "load_scorecard",
    "resolve_targets",
    "scorecard",
    "scorecard_months",
    "scorecard_totals",
    "sl_drivers",
]
