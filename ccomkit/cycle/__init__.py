"""The DCDIER improvement cycle (定义 收集 明确 改善 执行 评测): its record in the workspace
(:mod:`ccomkit.cycle.model`), the topics it improves (:mod:`ccomkit.cycle.topics`), the
before/after statistics of its review (:mod:`ccomkit.cycle.review`) and the step compositions
behind ``notebooks/dcdier/`` (:mod:`ccomkit.cycle.steps`).

The cycle layer sits between the domain modules and the presentation: it reads the workspace
through an open :class:`ccomkit.store.Workspace` and writes only record tables ``rec_dcdier_*``.
"""

from ccomkit.cycle.model import (
    ACTION_STATUSES,
    STEPS,
    CycleDetail,
    add_action,
    close_cycle,
    create_cycle,
    cycle_detail,
    get_artifact,
    get_cycle,
    latest_cycle_id,
    list_cycles,
    open_actions,
    record_review,
    record_step,
    review_result,
    update_action,
    update_cycle,
)

__all__ = [
    "ACTION_STATUSES",
    "STEPS",
    "CycleDetail",
    "add_action",
    "close_cycle",
    "create_cycle",
    "cycle_detail",
    "get_artifact",
    "get_cycle",
    "latest_cycle_id",
    "list_cycles",
    "open_actions",
    "record_review",
    "record_step",
    "review_result",
    "update_action",
    "update_cycle",
]
