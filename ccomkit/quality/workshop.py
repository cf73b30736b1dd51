"""The 质量与绩效 workshop as tables: QA scores → root cause → correlation → trend → comparison →
calibration → scorecard and grades → coaching list → KPI decomposition.

A thin composition over :mod:`ccomkit.quality` and :mod:`ccomkit.performance` for the consultant's
workshop notebook (``notebooks/workshop/quality_and_performance.ipynb``) and for tests that assert
on its numbers. Every step returns new DataFrames; nothing is drawn or printed here — the charts
are the engines' own builders (:func:`ccomkit.quality.analysis.pareto_chart`, …).

Steps
-----
1. :func:`load_tables` — the workspace tables of the analysed month (and of the trend, scorecard
   and comparison months before it) as a :class:`WorkshopData`: re-scored evaluations dropped,
   team / tenure band / shift added (:func:`ccomkit.quality.analysis.qa_context`).
2. :func:`score_check` and :func:`agent_intervals` — evaluation scores recomputed from the items
   against the form; per-agent QA score with a t-interval and rank groups.
3. :func:`root_cause` and :func:`fatal_causes` — Pareto of deduction items and of fatal errors.
4. :func:`correlation` — Spearman correlation of item deductions with CSAT, FCR, AHT, tenure.
5. :func:`control_chart_table` and :func:`variance_kpi` — X̄-S control chart over the trend
   months and the monthly score SD per team (质检分数方差).
6. :func:`compare` — teams (always the whole center) or evaluators against the target.
7. :func:`calibration` and :func:`calibration_sessions` — evaluator deviation from consensus.
8. :func:`scorecard_totals` and :func:`grades` — the role scorecard per month and A/B+/B-/C/D.
9. :func:`coaching_list` — agents at the bottom for ``bottom_months`` months in a row: a
   coaching / improvement-plan trigger, **never a dismissal decision** (Guiding Case No. 18).
10. :func:`staffing_change` and :func:`csat_change` — exact decomposition of the change of the
    staffing ratio and of CSAT between ``base_month`` and ``month``.

:func:`write_tables` (from :mod:`ccomkit.wfm.workshop`) writes result tables as CSV.

``team_id`` narrows the agent-level steps (2–5, 8, 9) to one team; the team comparison, the
calibration and the decomposition stay center-wide.
"""

from __future__ import annotations

import numbers
import re
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from ccomkit.errors import ParameterError, SchemaError
from ccomkit.performance import appraisal, drivers
from ccomkit.performance.scorecard import scorecard_months as _scorecard_months
from ccomkit.performance.scorecard import scorecard_totals as _scorecard_totals
from ccomkit.quality import analysis, calibration as cal
from ccomkit.quality.qa import agent_scores, latest_evaluations, score_evaluations
from ccomkit.wfm.workshop import _is_int, _is_real, write_tables

__all__ = [
    "QualityWorkshopParams",
    "WorkshopData",
    "agent_intervals",
    "calibration",
    "calibration_sessions",
    "coaching_list",
    "compare",
    "control_chart_table",
    "correlation",
    "csat_change",
    "fatal_causes",
    "grades",
    "load_tables",
    "root_cause",
    "scorecard_totals",
    "score_check",
    "staffing_change",
    "variance_kpi",
    "write_tables",
]

_OWNER = "QualityWorkshopParams"
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
# table → date column used to cut the window read from the workspace
_DATED: dict[str, str] = {
    "qa_evaluation": "eval_date", "csat_response": "invited_at",
    "agent_interval": "interval_start", "acd_interval": "interval_start",
    "schedule": "shift_date", "complaint": "received_at", "attendance": "work_date",
}
_WHOLE: tuple[str, ...] = ("agent_dim", "kpi_target")


# ------------------------------------------------------------------------------------------------
# Parameters
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QualityWorkshopParams:
    """Parameters of the quality and performance workshop (validated on creation).

    Parameters
    ----------
    workspace : str, default ""
        Workspace file; ``""`` = ``$CCOM_WORKSPACE``, else ``data/workspace.duckdb``.
    month : str, default ""
        Month analysed, ``YYYY-MM``; ``""`` = the latest full month of ``qa_evaluation``.
    base_month : str, default ""
        Month the decomposition compares against; ``""`` = the month before ``month``.
    team_id : str, default ""
        Team of the agent-level steps; ``""`` = the whole center.
    pass_mark : float, default 80.0
        QA score at or above which an evaluation passes, in [0, 100].
    target_score : float, default 85.0
        QA score target of the comparison, in [0, 100].
    level : float, default 0.95
        Confidence level of the agent intervals and comparisons, in (0.5, 1).
    trend_months : int, default 6
        Months of the control chart and the variance KPI, ending with ``month`` (>= 1).
    trend_freq : str, default "W"
        Control-chart period: ``"D"`` (day) or ``"W"`` (week).
    role : str, default "agent"
        Scorecard: a shipped scorecard id or role code (``agent``, ``duty_lead`` …).
    bottom_months : int, default 3
        Consecutive months at the bottom that put someone on the coaching list (>= 1).
    bottom_frac : float, default 0.1
        Share of the ranked people that is "the bottom" each month, in (0, 1].

    Examples
    --------
    >>> from ccomkit.quality.workshop import QualityWorkshopParams
    >>> p = QualityWorkshopParams(month="2026-03")
    >>> str(p.period), str(p.base_period), [str(m) for m in p.scorecard_months]
    ('2026-03', '2026-02', ['2026-01', '2026-02', '2026-03'])
    >>> QualityWorkshopParams(month="2026-13")
    Traceback (most recent call last):
    ...
    ccomkit.errors.ParameterError: The 'month' parameter of QualityWorkshopParams must be a month 'YYYY-MM' or '' (the latest full month). Got '2026-13' instead.
    """

    workspace: str = ""
    month: str = ""
    base_month: str = ""
    team_id: str = ""
    pass_mark: float = 80.0
    target_score: float = 85.0
    level: float = 0.95
    trend_months: int = 6
    trend_freq: str = "W"
    role: str = "agent"
    bottom_months: int = 3
    bottom_frac: float = 0.1

    def __post_init__(self) -> None:
        for name in ("workspace", "team_id", "role"):
            if not isinstance(getattr(self, name), str):
                raise ParameterError.expected(_OWNER, name, "a str", getattr(self, name))
        if not self.role:
            raise ParameterError.expected(_OWNER, "role", "a scorecard id or role code",
                                          self.role)
        for name in ("month", "base_month"):
            v = getattr(self, name)
            if not isinstance(v, str) or (v and not _MONTH.match(v)):
                raise ParameterError.expected(
                    _OWNER, name, "a month 'YYYY-MM' or '' (the latest full month)"
                    if name == "month" else "a month 'YYYY-MM' or '' (the month before)", v)
        if self.month and self.base_month and self.base_month >= self.month:
            raise ParameterError.expected(_OWNER, "base_month", f"a month before {self.month}",
                                          self.base_month)
        for name in ("trend_months", "bottom_months"):
            v = getattr(self, name)
            if not _is_int(v) or v < 1:
                raise ParameterError.expected(_OWNER, name, "an int >= 1", v)
        if self.trend_freq not in ("D", "W"):
            raise ParameterError.expected(_OWNER, "trend_freq", "'D' or 'W'", self.trend_freq)
        checks = (
            ("pass_mark", lambda v: 0 <= v <= 100, "a float in [0, 100]"),
            ("target_score", lambda v: 0 <= v <= 100, "a float in [0, 100]"),
            ("level", lambda v: 0.5 < v < 1, "a float in (0.5, 1)"),
            ("bottom_frac", lambda v: 0 < v <= 1, "a float in (0, 1]"),
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
    def base_period(self) -> pd.Period:
        """The decomposition's base month: ``base_month`` or the month before ``month``."""
        return pd.Period(self.base_month, freq="M") if self.base_month else self.period - 1

    @property
    def scorecard_months(self) -> list[pd.Period]:
        """The ``bottom_months`` months ending with ``month`` (oldest first)."""
        return [self.period - k for k in range(self.bottom_months - 1, -1, -1)]

    @property
    def first_period(self) -> pd.Period:
        """The first month any step reads."""
        return min(self.period - (self.trend_months - 1), self.scorecard_months[0],
                   self.base_period)


# ------------------------------------------------------------------------------------------------
# 1. Tables
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkshopData:
    """What :func:`load_tables` returns.

    ``params`` has ``month`` resolved; ``tables`` holds the workspace tables cut to
    ``[params.first_period - 14 days, end of month]``; ``evaluations`` is the trend window's
    ``qa_evaluation`` without re-scored rows, with ``team_id``, ``tenure_days``,
    ``tenure_band``, ``shift_code`` and ``month``; ``items`` is ``qa_item`` of those rows.
    """

    params: QualityWorkshopParams
    tables: dict[str, pd.DataFrame]
    evaluations: pd.DataFrame
    items: pd.DataFrame

    def month_evaluations(self, scoped: bool = True) -> pd.DataFrame:
        """The analysed month's evaluations (of ``team_id`` when ``scoped`` and set)."""
        ev = self.evaluations
        ev = ev[(ev["month"] == self.params.period.start_time).to_numpy()]
        if scoped and self.params.team_id:
            ev = ev[(ev["team_id"] == self.params.team_id).to_numpy()]
        return ev.reset_index(drop=True)

    def trend_evaluations(self) -> pd.DataFrame:
        """The trend months' evaluations (of ``team_id`` when set)."""
        ev = self.evaluations
        ev = ev[(ev["month"] >= (self.params.period - (self.params.trend_months - 1))
                 .start_time).to_numpy()]
        if self.params.team_id:
            ev = ev[(ev["team_id"] == self.params.team_id).to_numpy()]
        return ev.reset_index(drop=True)


def _latest_full_month(ws: Any) -> str:
    last = ws.query("SELECT max(eval_date) AS d FROM qa_evaluation")["d"].iloc[0]
    if last is None or pd.isna(last):
        raise SchemaError(f"{ws.path}: qa_evaluation is empty: ingest QA data (or run "
                          f"`ccom demo`) first.", table="qa_evaluation")
    last = pd.Timestamp(last)
    p = last.to_period("M")
    return str(p if last.normalize() == p.end_time.normalize() else p - 1)


def load_tables(params: QualityWorkshopParams) -> WorkshopData:
    """Read the workshop's tables from the workspace and prepare the evaluations.

    The dated tables are read from 14 days before :attr:`QualityWorkshopParams.first_period`
    (schedules and complaints just before a month) to the end of the month; ``agent_dim`` and
    ``kpi_target`` whole. An empty ``month`` becomes the latest full month of ``qa_evaluation``.

    Raises
    ------
    ParameterError
        ``team_id`` names no team of ``agent_dim``, or the month has no evaluation.
    SchemaError
        ``qa_evaluation`` is empty.
    """
    from ccomkit.store import Workspace

    with Workspace.open_read(params.workspace or None) as ws:
        if not params.month:
            params = replace(params, month=_latest_full_month(ws))
        start = params.first_period.start_time - pd.Timedelta(days=14)
        end = (params.period + 1).start_time
        tables = {name: ws.read(name) for name in _WHOLE}
        for name, col in _DATED.items():
            tables[name] = ws.read(name, where=f'"{col}" >= ? AND "{col}" < ?',
                                   params=[start.to_pydatetime(), end.to_pydatetime()])
        tables["qa_item"] = ws.read(
            "qa_item", where='eval_id IN (SELECT eval_id FROM qa_evaluation WHERE '
                             'eval_date >= ? AND eval_date < ?)',
            params=[start.to_pydatetime(), end.to_pydatetime()])
    teams = sorted(tables["agent_dim"]["team_id"].dropna().astype(str).unique().tolist())
    if params.team_id and params.team_id not in teams:
        raise ParameterError.expected("load_tables", "team_id",
                                      f"one of {', '.join(teams)} or ''", params.team_id)
    ev = tables["qa_evaluation"]
    trend_start = (params.period - (params.trend_months - 1)).start_time
    ev = ev[(pd.to_datetime(ev["eval_date"]) >= trend_start).to_numpy()]
    ev = analysis.qa_context(latest_evaluations(ev), tables["agent_dim"], tables["schedule"])
    if not (ev["month"] == params.period.start_time).any():
        raise ParameterError.expected("load_tables", "month", "a month with QA evaluations",
                                      params.month)
    items = tables["qa_item"]
    items = items[items["eval_id"].isin(ev["eval_id"]).to_numpy()].reset_index(drop=True)
    return WorkshopData(params=params, tables=tables, evaluations=ev.reset_index(drop=True),
                        items=items)


# ------------------------------------------------------------------------------------------------
# 2.–7. Quality
# ------------------------------------------------------------------------------------------------


def _month_items(data: WorkshopData, ev: pd.DataFrame) -> pd.DataFrame:
    return data.items[data.items["eval_id"].isin(ev["eval_id"]).to_numpy()]


def score_check(data: WorkshopData) -> pd.DataFrame:
    """The month's evaluations re-scored from their items against the default form, beside the
    recorded ``total_score``: ``eval_id, agent_id, total_score, score, deducted_points,
    fatal_flag, n_items_missing, matches``."""
    ev = data.month_evaluations()
    scores = score_evaluations(_month_items(data, ev))
    out = ev[["eval_id", "agent_id", "total_score"]].merge(
        scores[["eval_id", "score", "deducted_points", "fatal_flag", "n_items_missing"]],
        on="eval_id", how="left")
    out["matches"] = np.isclose(out["total_score"].astype(float), out["score"].astype(float))
    return out


def agent_intervals(data: WorkshopData) -> pd.DataFrame:
    """Per agent (with ``team_id``): QA score, t-interval, pass and fatal rates, rank group
    (:func:`ccomkit.quality.qa.agent_scores`)."""
    p = data.params
    return agent_scores(data.month_evaluations(), by=["agent_id", "team_id"],
                        level=float(p.level), pass_mark=float(p.pass_mark))


def root_cause(data: WorkshopData) -> pd.DataFrame:
    """Pareto of the month's deduction items (根源分析; fatal items left out)."""
    ev = data.month_evaluations()
    return analysis.deduction_pareto(_month_items(data, ev), ev)


def fatal_causes(data: WorkshopData) -> pd.DataFrame:
    """Pareto of the month's fatal (red-line) errors by type."""
    return analysis.fatal_pareto(data.month_evaluations())


def correlation(data: WorkshopData) -> pd.DataFrame:
    """Spearman correlation of each item's deduction with CSAT, FCR, AHT and tenure over the
    agent × month panel of the trend months (关联分析)."""
    ev = data.trend_evaluations()
    t = data.tables
    panel = analysis.agent_month_panel(ev, _month_items(data, ev), csat=t["csat_response"],
                                       agent_interval=t["agent_interval"],
                                       agent_dim=t["agent_dim"])
    return analysis.qa_correlation(panel)


def control_chart_table(data: WorkshopData) -> pd.DataFrame:
    """X̄-S chart of QA scores over the trend months (``trend_freq`` periods) with the Western
    Electric rules (趋势分析)."""
    return analysis.xbar_s_chart(data.trend_evaluations(), data.params.trend_freq)


def variance_kpi(data: WorkshopData) -> pd.DataFrame:
    """Monthly QA score SD per team over the trend months (质检分数方差, 最小方差管理法)."""
    return analysis.score_variance(data.trend_evaluations(), by="team_id", freq="M")


def compare(data: WorkshopData, by: str = "team_id") -> pd.DataFrame:
    """The month's groups against the target and each other (对比分析): ``by="team_id"`` over
    the whole center, any other column (``evaluator_id``, ``tenure_band`` …) within the team."""
    p = data.params
    ev = data.month_evaluations(scoped=by != "team_id")
    return analysis.compare_groups(ev, by, target=float(p.target_score),
                                   pass_mark=float(p.pass_mark), level=float(p.level)).groups


def calibration(data: WorkshopData) -> pd.DataFrame:
    """Each evaluator's bias and MAD from the consensus in the month's calibration sessions."""
    return cal.evaluator_calibration(data.month_evaluations(scoped=False))


def calibration_sessions(data: WorkshopData) -> pd.DataFrame:
    """The month's calibration sessions: MAD, spread, item agreement."""
    ev = data.month_evaluations(scoped=False)
    return cal.session_summary(ev, _month_items(data, ev))


# ------------------------------------------------------------------------------------------------
# 8.–10. Performance
# ------------------------------------------------------------------------------------------------


def scorecard_totals(data: WorkshopData) -> pd.DataFrame:
    """The role scorecard's total per person for each of the ``bottom_months`` months ending
    with ``month`` (of ``team_id`` when set): ``period, scorecard_id, agent_id, role, team_id,
    total_score, weight_covered, n_items, n_no_data``."""
    p = data.params
    card = _scorecard_months(data.tables, p.role, p.scorecard_months)
    tot = _scorecard_totals(card)
    tot["period"] = tot["period"].astype(str)
    if p.team_id:
        tot = tot[(tot["team_id"] == p.team_id).to_numpy()]
    return tot.reset_index(drop=True)


def grades(totals: pd.DataFrame, data: WorkshopData) -> pd.DataFrame:
    """Grades A/B+/B-/C/D (score thresholds) of the analysed month's totals."""
    month = totals[(totals["period"] == str(data.params.period)).to_numpy()]
    return appraisal.grade(month.reset_index(drop=True), by="role")


def coaching_list(totals: pd.DataFrame, data: WorkshopData) -> pd.DataFrame:
    """People in the bottom ``bottom_frac`` for ``bottom_months`` months in a row up to
    ``month``: a coaching / improvement-plan trigger, never a dismissal decision (every row says
    so; :func:`ccomkit.performance.appraisal.bottom_months`)."""
    p = data.params
    return appraisal.bottom_months(totals, n_months=p.bottom_months,
                                   bottom_frac=float(p.bottom_frac), by="role",
                                   as_of=str(p.period))


def staffing_change(data: WorkshopData) -> pd.DataFrame:
    """Exact (LMDI) split of the staffing ratio's change from ``base_month`` to ``month``."""
    p = data.params
    return drivers.decompose_staffing(data.tables["agent_interval"], data.tables["acd_interval"],
                                      p.base_period, p.period)


def csat_change(data: WorkshopData) -> pd.DataFrame:
    """Exact split of CSAT's change from ``base_month`` to ``month`` into the FCR mix and the
    within-segment rates."""
    p = data.params
    return drivers.csat_fcr_mix(data.tables["csat_response"], p.base_period, p.period)
