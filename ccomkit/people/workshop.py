"""The 人员与客户体验 workshop as tables: recruitment → new hires → attrition → tiers → training →
capacity → satisfaction → drivers → dissatisfaction → complaints.

A thin composition over :mod:`ccomkit.people` and :mod:`ccomkit.cx` for the consultant's workshop
notebook (``notebooks/workshop/people_and_cx.ipynb``) and for tests that assert on its numbers.
Every step returns new DataFrames; nothing is drawn or printed here — the charts are the engines'
own builders (:func:`ccomkit.people.recruitment.funnel_chart`, …).

Steps
-----
1. :func:`load_tables` — the workspace tables up to the end of the analysed month (``month``
   resolved to the latest full month of ``csat_response``) as a :class:`WorkshopData`.
2. :func:`recruitment` — the recruitment funnel by channel with 30/90/180-day retention.
3. :func:`newhire` and :func:`proficiency` — new-hire cohorts by hire month and channel; days
   from hire to proficiency (rolling QA and AHT at the tenured median).
4. :func:`attrition_monthly`, :func:`attrition_annualised` — the ``trend_months`` months ending
   with ``month`` in every variant (default, a, b, c, voluntary, involuntary, new_hire,
   tenured); :func:`survival` and :func:`survival_test` — Kaplan-Meier retention by recruitment
   channel and the log-rank test; :func:`exit_reasons` — the exit-reason Pareto.
5. :func:`tiers` — the talent pool per tier (梯队) at ``as_of``.
6. :func:`training_reaction`, :func:`training_learning` — Kirkpatrick L1 and L2 per course.
7. :func:`capacity_requirement`, :func:`capacity_plan` and :func:`capacity_whatif` — see below.
8. :func:`satisfaction` and :func:`satisfaction_changes` — CSAT / DSAT / NPS of the month by
   week with intervals, and the week-on-week changes (significant ones flagged).
9. :func:`drivers` and :func:`dissatisfaction` — importance-performance quadrants; the Pareto
   of dissatisfaction reasons.
10. :func:`complaint_closure`, :func:`complaint_overdue`, :func:`complaint_rate` and
    :func:`complaint_causes` — closure per category, the overdue list at the month end, the
    complaint rate per 10,000 handled contacts and the Pareto of root causes.

:func:`write_tables` (from :mod:`ccomkit.wfm.workshop`) writes result tables as CSV.

Capacity requirement (kept simple on purpose)
---------------------------------------------
The analysed month's ``acd_interval`` rows become Erlang C inputs (offered calls and the
interval's handled AHT, :func:`ccomkit.wfm.workshop.history_from_acd`); the fewest agents
meeting ``service_level``/``target_s`` per interval, the voice queues pooled (multi-skilled agents)
and chat as its own pool (:func:`ccomkit.wfm.staffing.required_agents`)
summed over the month give the on-phone FTE of the month
(:func:`ccomkit.people.capacity.monthly_fte_required`, ``hours_per_fte``). That FTE is the
requirement of each of the ``plan_months`` months after ``month`` (flat: no seasonality — feed a
forecast to :func:`ccomkit.people.capacity.capacity_plan` for that). Headcount at the start is
the agents (role ``agent``) employed at ``as_of``. The what-if multiplies volume by
``whatif_volume`` and attrition by ``whatif_attrition``.
"""

from __future__ import annotations

import numbers
import re
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from ccomkit.cx import complaints as cx_complaints
from ccomkit.cx import survey
from ccomkit.errors import ParameterError, SchemaError
from ccomkit.people import attrition, capacity, newhire as nh, recruitment, tiers as tr
from ccomkit.people import training
from ccomkit.wfm.staffing import required_agents
from ccomkit.wfm.workshop import _is_int, _is_real, history_from_acd, write_tables

__all__ = [
    "PeopleCxWorkshopParams",
    "WorkshopData",
    "attrition_annualised",
    "attrition_monthly",
    "capacity_plan",
    "capacity_requirement",
    "capacity_whatif",
    "complaint_causes",
    "complaint_closure",
    "complaint_overdue",
    "complaint_rate",
    "dissatisfaction",
    "drivers",
    "exit_reasons",
    "load_tables",
    "newhire",
    "proficiency",
    "recruitment_funnel",
    "satisfaction",
    "satisfaction_changes",
    "survival",
    "survival_test",
    "tiers",
    "training_learning",
    "training_reaction",
    "write_tables",
]

_OWNER = "PeopleCxWorkshopParams"
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# table → date column: rows after the end of the analysed month are not read
_DATED: dict[str, str] = {
    "recruit_funnel": "sourced_at", "hr_event": "event_date", "training_record": "session_date",
    "qa_evaluation": "eval_date", "agent_interval": "interval_start",
    "acd_interval": "interval_start", "csat_response": "invited_at", "complaint": "received_at",
}
_WHOLE: tuple[str, ...] = ("agent_dim",)


# ------------------------------------------------------------------------------------------------
# Parameters
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeopleCxWorkshopParams:
    """Parameters of the people and customer-experience workshop (validated on creation).

    Parameters
    ----------
    workspace : str, default ""
        Workspace file; ``""`` = ``$CCOM_WORKSPACE``, else ``data/workspace.duckdb``.
    month : str, default ""
        Month analysed, ``YYYY-MM``; ``""`` = the latest full month of ``csat_response``.
    as_of : str, default ""
        Day the people data are taken at (``YYYY-MM-DD``, within ``month``); ``""`` = the last
        day of ``month``.
    trend_months : int, default 12
        Months of attrition and of the recruitment / new-hire cohorts, ending with ``month``.
    level : float, default 0.95
        Confidence level of every interval, in (0.5, 1).
    alpha : float, default 0.05
        Significance level of the week-on-week changes, in (0, 0.5).
    plan_months : int, default 12
        Months of the capacity plan after ``month`` (>= 1).
    hours_per_fte : float, default 173.3
        Paid hours of one FTE in a month (> 0).
    shrinkage : float, default 0.3
        Share of paid time not on the phones, in [0, 1).
    service_level : float, default 0.8
        Service-level target of the capacity requirement, in (0, 1).
    target_s : float, default 20.0
        Answer-time threshold of the service level in seconds (> 0).
    training_lead_months : int, default 1
        Months from a class start to its graduates on the floor (>= 0).
    whatif_volume : float, default 1.1
        Volume multiplier of the what-if (> 0).
    whatif_attrition : float, default 1.5
        Attrition multiplier of the what-if (>= 0).

    Examples
    --------
    >>> from ccomkit.people.workshop import PeopleCxWorkshopParams
    >>> p = PeopleCxWorkshopParams(month="2026-03")
    >>> str(p.period), str(p.as_of_date.date()), str(p.first_period)
    ('2026-03', '2026-03-31', '2025-04')
    >>> PeopleCxWorkshopParams(month="2026-03", as_of="2026-04-02")
    Traceback (most recent call last):
    ...
    ccomkit.errors.ParameterError: The 'as_of' parameter of PeopleCxWorkshopParams must be a day 'YYYY-MM-DD' in 2026-03 or '' (the month end). Got '2026-04-02' instead.
    """

    workspace: str = ""
    month: str = ""
    as_of: str = ""
    trend_months: int = 12
    level: float = 0.95
    alpha: float = 0.05
    plan_months: int = 12
    hours_per_fte: float = 173.3
    shrinkage: float = 0.3
    service_level: float = 0.8
    target_s: float = 20.0
    training_lead_months: int = 1
    whatif_volume: float = 1.1
    whatif_attrition: float = 1.5

    def __post_init__(self) -> None:
        if not isinstance(self.workspace, str):
            raise ParameterError.expected(_OWNER, "workspace", "a str", self.workspace)
        if not isinstance(self.month, str) or (self.month and not _MONTH.match(self.month)):
            raise ParameterError.expected(_OWNER, "month",
                                          "a month 'YYYY-MM' or '' (the latest full month)",
                                          self.month)
        if not isinstance(self.as_of, str) or (self.as_of and not _DATE.match(self.as_of)):
            raise ParameterError.expected(_OWNER, "as_of", "a day 'YYYY-MM-DD' or ''",
                                          self.as_of)
        if self.as_of:
            try:
                day = pd.Timestamp(self.as_of)
            except ValueError:
                raise ParameterError.expected(_OWNER, "as_of", "a day 'YYYY-MM-DD' or ''",
                                              self.as_of) from None
            if self.month and day.to_period("M") != pd.Period(self.month, freq="M"):
                raise ParameterError.expected(
                    _OWNER, "as_of", f"a day 'YYYY-MM-DD' in {self.month} or '' (the month end)",
                    self.as_of)
        for name, low in (("trend_months", 1), ("plan_months", 1), ("training_lead_months", 0)):
            v = getattr(self, name)
            if not _is_int(v) or v < low:
                raise ParameterError.expected(_OWNER, name, f"an int >= {low}", v)
        checks = (
            ("level", lambda v: 0.5 < v < 1, "a float in (0.5, 1)"),
            ("alpha", lambda v: 0 < v < 0.5, "a float in (0, 0.5)"),
            ("hours_per_fte", lambda v: v > 0, "a float > 0"),
            ("shrinkage", lambda v: 0 <= v < 1, "a float in [0, 1)"),
            ("service_level", lambda v: 0 < v < 1, "a float in (0, 1)"),
            ("target_s", lambda v: v > 0, "a float > 0"),
            ("whatif_volume", lambda v: v > 0, "a float > 0"),
            ("whatif_attrition", lambda v: v >= 0, "a float >= 0"),
        )
        for name, ok, text in checks:
            v = getattr(self, name)
            if not _is_real(v) or not ok(float(v)):
                raise ParameterError.expected(_OWNER, name, text, v)

    @property
    def period(self) -> pd.Period:
        """The analysed month (requires ``month``; :func:`load_tables` fills it in)."""
        if not self.month:
            raise ParameterError.expected(_OWNER, "month", "set (load_tables resolves '')", "")
        return pd.Period(self.month, freq="M")

    @property
    def as_of_date(self) -> pd.Timestamp:
        """``as_of`` or the last day of ``month``."""
        return pd.Timestamp(self.as_of) if self.as_of else self.period.end_time.normalize()

    @property
    def first_period(self) -> pd.Period:
        """The first month of the trend window."""
        return self.period - (self.trend_months - 1)


# ------------------------------------------------------------------------------------------------
# 1. Tables
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkshopData:
    """What :func:`load_tables` returns: ``params`` with ``month`` resolved and ``tables`` (the
    dated tables up to the end of the month; ``agent_dim`` whole)."""

    params: PeopleCxWorkshopParams
    tables: dict[str, pd.DataFrame]

    def in_month(self, name: str, col: str | None = None) -> pd.DataFrame:
        """Rows of table ``name`` dated in the analysed month."""
        frame = self.tables[name]
        t = pd.to_datetime(frame[col or _DATED[name]])
        p = self.params.period
        keep = ((t >= p.start_time) & (t < (p + 1).start_time)).to_numpy()
        return frame[keep].reset_index(drop=True)

    def in_trend(self, name: str) -> pd.DataFrame:
        """Rows of table ``name`` dated in the trend window."""
        frame = self.tables[name]
        t = pd.to_datetime(frame[_DATED[name]])
        return frame[(t >= self.params.first_period.start_time).to_numpy()].reset_index(drop=True)


def _latest_full_month(ws: Any) -> str:
    last = ws.query("SELECT max(invited_at) AS d FROM csat_response")["d"].iloc[0]
    if last is None or pd.isna(last):
        raise SchemaError(f"{ws.path}: csat_response is empty: ingest survey data (or run "
                          f"`ccom demo`) first.", table="csat_response")
    last = pd.Timestamp(last)
    p = last.to_period("M")
    return str(p if last.normalize() == p.end_time.normalize() else p - 1)


def load_tables(params: PeopleCxWorkshopParams) -> WorkshopData:
    """Read the workshop's tables from the workspace.

    The dated tables (``recruit_funnel``, ``hr_event``, ``training_record``, ``qa_evaluation``,
    ``agent_interval``, ``acd_interval``, ``csat_response``, ``complaint``) up to the end of the
    month; ``agent_dim`` whole. An empty ``month`` becomes the latest full month of
    ``csat_response``.

    Raises
    ------
    ParameterError
        The month has no survey invitation, or ``as_of`` lies outside the month.
    SchemaError
        ``csat_response`` is empty.
    """
    from ccomkit.store import Workspace

    with Workspace.open_read(params.workspace or None) as ws:
        if not params.month:
            params = replace(params, month=_latest_full_month(ws))
        if params.as_of and params.as_of_date.to_period("M") != params.period:
            raise ParameterError.expected("load_tables", "as_of", f"a day in {params.month}",
                                          params.as_of)
        end = (params.period + 1).start_time.to_pydatetime()
        tables = {name: ws.read(name) for name in _WHOLE}
        for name, col in _DATED.items():
            tables[name] = ws.read(name, where=f'"{col}" < ?', params=[end])
    data = WorkshopData(params=params, tables=tables)
    if data.in_month("csat_response").empty:
        raise ParameterError.expected("load_tables", "month", "a month with survey invitations",
                                      params.month)
    return data


# ------------------------------------------------------------------------------------------------
# 2.–7. People
# ------------------------------------------------------------------------------------------------


def recruitment_funnel(data: WorkshopData) -> pd.DataFrame:
    """The recruitment funnel per channel over the trend window (one row per channel) with
    counts, rates, cost per hire and 30/90/180-day retention censored at ``as_of``."""
    return recruitment.funnel(data.in_trend("recruit_funnel"), "channel", freq=None,
                              as_of=data.params.as_of_date)


def newhire(data: WorkshopData) -> pd.DataFrame:
    """New-hire cohorts (hires in the trend window) by hire month and recruitment channel:
    pre-job retention, training and nesting days
    (:func:`ccomkit.people.newhire.newhire_cohorts`)."""
    p = data.params
    ev = data.tables["hr_event"]
    hired = ev.loc[(ev["event_type"] == "hire").to_numpy()
                   & (pd.to_datetime(ev["event_date"]) >= p.first_period.start_time).to_numpy(),
                   "agent_id"]
    ev = ev[ev["agent_id"].isin(hired).to_numpy()]
    return nh.newhire_cohorts(ev, data.tables["agent_dim"], as_of=p.as_of_date)


def proficiency(data: WorkshopData) -> pd.DataFrame:
    """Days from hire to proficiency (rolling QA ≥ and AHT ≤ the tenured medians) per agent hired
    since the first day of QA / interval data; never reached = censored."""
    t = data.tables
    return nh.speed_to_proficiency(t["qa_evaluation"], t["agent_interval"], t["agent_dim"],
                                   as_of=data.params.as_of_date)


def attrition_monthly(data: WorkshopData) -> pd.DataFrame:
    """Monthly attrition of the trend months in every variant (DOMAIN §2.4)."""
    p = data.params
    return attrition.attrition_monthly(data.tables["agent_dim"], data.tables["hr_event"],
                                       start=str(p.first_period), end=str(p.period))


def attrition_annualised(data: WorkshopData) -> pd.DataFrame:
    """Annualised attrition over the trend months: actual 12-month (or ×12) and compound."""
    p = data.params
    return attrition.attrition_annualised(data.tables["agent_dim"], data.tables["hr_event"],
                                          start=str(p.first_period), end=str(p.period))


def _durations(data: WorkshopData) -> pd.DataFrame:
    d = attrition.tenure_durations(data.tables["agent_dim"], as_of=data.params.as_of_date)
    d["recruit_channel"] = d["recruit_channel"].fillna("unknown").astype(str)
    return d


def survival(data: WorkshopData) -> pd.DataFrame:
    """Kaplan-Meier retention (tenure in days, censored at ``as_of``) by recruitment channel."""
    return attrition.kaplan_meier(_durations(data), by="recruit_channel",
                                  level=float(data.params.level))


def survival_test(data: WorkshopData) -> pd.DataFrame:
    """Log-rank test of equal retention across recruitment channels."""
    return attrition.logrank_test(_durations(data), "recruit_channel")


def exit_reasons(data: WorkshopData) -> pd.DataFrame:
    """Exit-reason Pareto of the leave events in the trend months."""
    p = data.params
    return attrition.exit_reason_pareto(data.tables["hr_event"], start=p.first_period.start_time,
                                        end=p.as_of_date)


def tiers(data: WorkshopData) -> pd.DataFrame:
    """Talent pool per tier (梯队 1-3) among the agents employed at ``as_of``."""
    return tr.tier_summary(data.tables["agent_dim"], as_of=data.params.as_of_date)


def training_reaction(data: WorkshopData) -> pd.DataFrame:
    """Kirkpatrick L1 (reaction) per course over the trend months, with t-intervals."""
    return training.reaction_summary(data.in_trend("training_record"),
                                     confidence=float(data.params.level))


def training_learning(data: WorkshopData) -> pd.DataFrame:
    """Kirkpatrick L2 (learning) per course over the trend months: pre/post gain, paired t-test,
    Cohen's d_z, pass rate."""
    return training.learning_summary(data.in_trend("training_record"),
                                     confidence=float(data.params.level))


def _capacity_params(p: PeopleCxWorkshopParams) -> capacity.CapacityParams:
    return capacity.CapacityParams(shrinkage_frac=float(p.shrinkage),
                                   training_lead_months=p.training_lead_months)


def capacity_requirement(data: WorkshopData) -> pd.DataFrame:
    """On-phone FTE required in each of the ``plan_months`` months after ``month``: the analysed
    month's Erlang C requirement held flat (see the module notes): ``month, fte_required,
    basis_month, basis_agent_hours``."""
    p = data.params
    acd = data.in_month("acd_interval")
    frame = history_from_acd(acd).rename(columns={"queue": "queue_id"})
    frame["interval_min"] = pd.to_numeric(acd["interval_min"]).to_numpy(dtype=float)
    frame["aht_s"] = frame["aht_s"].fillna(frame["aht_s"].median())
    # Multi-skilled agents serve the voice queues as one pool and chat as another: staffing each
    # queue as its own Erlang pool would overstate the requirement of a small center several-fold.
    frame["pool"] = np.where(acd["channel"].to_numpy() == "chat", "chat", "voice")
    frame["workload_s"] = frame["calls_offered"] * frame["aht_s"]
    pooled = frame.groupby(["pool", "interval_start", "interval_min"], as_index=False)[
        ["calls_offered", "workload_s"]].sum()
    pooled["aht_s"] = np.where(pooled["calls_offered"] > 0,
                               pooled["workload_s"] / pooled["calls_offered"].where(
                                   pooled["calls_offered"] > 0, 1), frame["aht_s"].median())
    frame = pooled.drop(columns="workload_s")
    req = required_agents(frame, service_level_target_frac=float(p.service_level),
                          target_s=float(p.target_s))
    basis = capacity.monthly_fte_required(req, hours_per_fte=float(p.hours_per_fte))
    fte = float(basis["fte_required"].sum())
    months = pd.period_range(p.period + 1, periods=p.plan_months, freq="M").to_timestamp()
    return pd.DataFrame({"month": months, "fte_required": fte, "basis_month": str(p.period),
                         "basis_agent_hours": float(basis["agent_hours"].sum())})


def _headcount(data: WorkshopData) -> int:
    ad = data.tables["agent_dim"]
    day = data.params.as_of_date
    hired = pd.to_datetime(ad["hire_date"]) <= day
    leave = pd.to_datetime(ad["leave_date"])
    employed = hired & (leave.isna() | (leave >= day))
    if "role" in ad.columns:
        employed &= ad["role"].fillna("agent").eq("agent")
    return int(employed.sum())


def capacity_plan(requirement: pd.DataFrame, data: WorkshopData) -> pd.DataFrame:
    """Month-by-month FTE available against required and the hiring plan, starting from the
    agents employed at ``as_of`` (:func:`ccomkit.people.capacity.capacity_plan`)."""
    return capacity.capacity_plan(requirement[["month", "fte_required"]], _headcount(data),
                                  _capacity_params(data.params))


def capacity_whatif(requirement: pd.DataFrame, data: WorkshopData) -> pd.DataFrame:
    """The plan re-run with volume × ``whatif_volume``, attrition × ``whatif_attrition`` and both,
    against the base (:func:`ccomkit.people.capacity.capacity_scenarios`)."""
    p = data.params
    v, a = float(p.whatif_volume), float(p.whatif_attrition)
    scenarios = pd.DataFrame({"scenario": ["base", "volume", "attrition", "both"],
                              "volume_mult": [1.0, v, 1.0, v],
                              "attrition_mult": [1.0, 1.0, a, a]})
    return capacity.capacity_scenarios(requirement[["month", "fte_required"]], _headcount(data),
                                       _capacity_params(p), scenarios)


# ------------------------------------------------------------------------------------------------
# 8.–10. Customer experience
# ------------------------------------------------------------------------------------------------


def satisfaction(data: WorkshopData) -> pd.DataFrame:
    """CSAT, DSAT, mean score and NPS of the month's invitations by week (Monday start), with
    Wilson / normal intervals."""
    return survey.satisfaction(data.in_month("csat_response"), freq="W",
                               confidence_frac=float(data.params.level))


def satisfaction_changes(data: WorkshopData) -> pd.DataFrame:
    """Week-on-week changes of CSAT, DSAT and NPS in the month, flagged only when significant at
    ``alpha``."""
    return survey.period_changes(data.in_month("csat_response"), freq="W",
                                 alpha=float(data.params.alpha))


def drivers(data: WorkshopData) -> pd.DataFrame:
    """Importance (Spearman with q_overall) against performance of the sub-questions, with the
    quadrants (fix_first, keep_up …)."""
    return survey.driver_analysis(data.in_month("csat_response"))


def dissatisfaction(data: WorkshopData) -> pd.DataFrame:
    """Pareto of the month's dissatisfaction reasons."""
    return survey.dissat_pareto(data.in_month("csat_response"))


def _cases(data: WorkshopData) -> pd.DataFrame:
    return cx_complaints.complaint_cases(data.in_month("complaint"),
                                         as_of=data.params.period.end_time)


def complaint_closure(data: WorkshopData) -> pd.DataFrame:
    """Closure of the month's complaints at the month end, per category and in total (category
    ``all``)."""
    cases = _cases(data)
    by_cat = cx_complaints.closure_summary(cases, "category")
    total = cx_complaints.closure_summary(cases).assign(category="all")
    return pd.concat([by_cat, total[by_cat.columns]], ignore_index=True)


def complaint_overdue(data: WorkshopData) -> pd.DataFrame:
    """The month's complaints overdue at the month end, most overdue first."""
    return cx_complaints.overdue_list(_cases(data))


def complaint_causes(data: WorkshopData) -> pd.DataFrame:
    """Pareto of the root causes of the month's valid complaints."""
    return cx_complaints.complaint_pareto(data.in_month("complaint"))


def complaint_rate(data: WorkshopData) -> pd.DataFrame:
    """Complaints per 10,000 handled contacts (``acd_interval``) per queue and in total
    (``queue_id`` ``all``)."""
    cp, acd = data.in_month("complaint"), data.in_month("acd_interval")
    by_q = cx_complaints.complaint_rate(cp, acd, "queue_id")
    total = cx_complaints.complaint_rate(cp, acd).assign(queue_id="all")
    return pd.concat([by_q, total[by_q.columns]], ignore_index=True)
