"""Customer satisfaction (满意度全流程, DOMAIN.md §6): survey statistics and case closure.

- :mod:`ccomkit.cx.survey`: sample-size planning, CSAT/DSAT/NPS with intervals, significant
  period-on-period changes, driver (importance-performance) analysis, dissatisfaction Pareto.
- :mod:`ccomkit.cx.complaints`: DSAT follow-up and complaint closure tracking, overdue lists,
  repeat and root-cause analysis, complaint rate per 10,000 contacts.
"""
