"""Quality control (质量控制): QA forms and scoring, the four analyses (root cause, correlation,
trend, comparison) and evaluator calibration (DOMAIN.md §4)."""

from ccomkit.quality.forms import QAForm, load_form
from ccomkit.quality.qa import (
    SamplingParams,
    agent_scores,
    latest_evaluations,
    sampling_plan,
    score_evaluations,
)

__all__ = ["QAForm", "SamplingParams", "agent_scores", "latest_evaluations", "load_form",
           "sampling_plan", "score_evaluations"]
