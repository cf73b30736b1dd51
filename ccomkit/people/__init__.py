"""People management (人员管理, DOMAIN.md §5): recruitment funnel, new-hire stages, attrition,
talent tiers and cadre development, competency model, training evaluation and capacity plan.

``recruitment`` (funnel by channel and period), ``newhire`` (培训期/实习期/上岗期 cohorts, pre-job
retention, speed to proficiency), ``attrition`` (monthly and annualised rates via ``ccomkit.kpi``,
Kaplan-Meier survival, log-rank test, exit-reason Pareto, leavers vs stayers), ``tiers`` (梯队 1-3
and the cadre-programme tracking tables of seed 002 §06).
"""

from ccomkit.people.recruitment import funnel, funnel_chart
from ccomkit.people.newhire import newhire_cohorts, speed_to_proficiency, stage_timeline
from ccomkit.people.attrition import (
    attrition_annualised,
    attrition_monthly,
    exit_reason_pareto,
    kaplan_meier,
    leaver_comparison,
    logrank_test,
    survival_chart,
    tenure_durations,
)
from ccomkit.people.tiers import (
    cadre_process,
    cadre_results,
    eliminations_by_reason,
    promotions_by_route,
    sessions_from_training,
    tier_summary,
)
from ccomkit.people.competency import (
    gap_analysis,
    learning_map,
    load_ksao,
    priority_courses,
    promotion_eligibility,
    qsort_pile_sizes,
    qsort_weights,
    weights_chart,
)
from ccomkit.people.training import evaluation_chart, learning_summary, reaction_summary
from ccomkit.people.capacity import (
    CapacityParams,
    capacity_chart,
    capacity_plan,
    capacity_scenarios,
    monthly_fte_required,
)
