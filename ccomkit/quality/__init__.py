"""Quality control (质量控制): QA forms and scoring, the four analyses (root cause, correlation,
trend, comparison) and evaluator calibration (DOMAIN.md §4).

``forms`` (QA forms as YAML), ``qa`` (scoring, re-scores, agent intervals, sampling plan),
``analysis`` (the four analysis methods and their charts) and ``calibration`` (evaluator
deviation, item agreement, spread).
"""

from ccomkit.quality.forms import QAForm, load_form
from ccomkit.quality.qa import (
    SamplingParams,
    agent_scores,
    latest_evaluations,
    reconcile_scores,
    sampling_plan,
    score_evaluations,
)
from ccomkit.quality.analysis import (
    ComparisonResult,
    agent_month_panel,
    compare_groups,
    deduction_pareto,
    fatal_pareto,
    key_drivers,
    p_chart,
    qa_context,
    qa_correlation,
    score_variance,
    xbar_s_chart,
)
from ccomkit.quality.calibration import evaluator_calibration, item_agreement, session_summary

__all__ = ["ComparisonResult", "QAForm", "SamplingParams", "agent_month_panel", "agent_scores",
           "compare_groups", "deduction_pareto", "evaluator_calibration", "fatal_pareto",
           "item_agreement", "key_drivers", "latest_evaluations", "load_form", "p_chart",
           "qa_context", "qa_correlation", "reconcile_scores", "sampling_plan", "score_evaluations",
           "score_variance", "session_summary", "xbar_s_chart"]
