"""Quality dashboard app: team / agent / evaluator filters over the four QA analyses.

Presentation layer over :mod:`ccomkit.quality` (through the workshop composition
:mod:`ccomkit.quality.workshop`, which reads the workspace read-only): root cause (Pareto of
deductions), trend (X̄-S control chart with the Western Electric rules), comparison (groups
against the target, Welch / Mann-Whitney with Holm) and evaluator calibration (deviation from
the consensus). The tables are read once; a filter change recomputes from memory.

Filters narrow what each analysis looks at; the comparison ignores the filter on its own
dimension (comparing teams shows every team, with the agent and evaluator filters applied),
and calibration is computed over the whole month's sessions (consensus needs every evaluator),
then narrowed to the chosen evaluator.

Notebook: ``notebooks/apps/quality_dashboard.ipynb``.
"""

from __future__ import annotations

import html
from dataclasses import replace
from typing import Any

import ipywidgets as widgets
import numpy as np
import pandas as pd

from ccomkit.apps.common import AppFrame, ChartView, css, empty_chart, workspace_path
from ccomkit.errors import ParameterError

__all__ = ["QualityApp", "build_quality", "filter_data"]

ALL = ""
TEXT: dict[str, tuple[str, str]] = {
    "title": ("质量控制看板", "Quality dashboard"),
    "month": ("月份", "Month"),
    "team": ("班组", "Team"),
    "agent": ("座席", "Agent"),
    "evaluator": ("质检员", "Evaluator"),
    "compare_by": ("对比维度", "Compare by"),
    "all": ("全部", "All"),
    "team_id": ("班组", "teams"),
    "evaluator_id": ("质检员", "evaluators"),
    "tenure_band": ("司龄段", "tenure bands"),
    "agent_id": ("座席", "agents"),
    "n_eval": ("质检量", "Evaluations"),
    "mean": ("平均分", "Mean score"),
    "pass_rate": ("合格率", "Pass rate"),
    "fatal_rate": ("致命错误率", "Fatal error rate"),
    "top_causes": ("关键少数扣分项", "Vital few deductions"),
    "no_data": ("当前筛选无数据", "No data for these filters"),
    "no_calibration": ("本月无校准数据", "No calibration sessions this month"),
    "one_group": ("只有一个组, 无法对比", "Only one group: nothing to compare"),
}


def filter_data(data: Any, *, team_id: str = ALL, agent_id: str = ALL,
                evaluator_id: str = ALL) -> Any:
    """A :class:`ccomkit.quality.workshop.WorkshopData` narrowed to a team, agent, evaluator.

    Examples
    --------
    >>> import pandas as pd
    >>> from ccomkit.quality.workshop import QualityWorkshopParams, WorkshopData
    >>> from ccomkit.apps.quality import filter_data
    >>> ev = pd.DataFrame({"eval_id": ["e1", "e2"], "team_id": ["T1", "T2"],
    ...                    "agent_id": ["a", "b"], "evaluator_id": ["q", "q"]})
    >>> it = pd.DataFrame({"eval_id": ["e1", "e2"], "item_code": ["x", "y"]})
    >>> d = WorkshopData(QualityWorkshopParams(month="2026-03"), {}, ev, it)
    >>> filter_data(d, team_id="T2").items["item_code"].tolist()
    ['y']
    """
    ev = data.evaluations
    mask = np.ones(len(ev), dtype=bool)
    for col, value in (("team_id", team_id), ("agent_id", agent_id),
                       ("evaluator_id", evaluator_id)):
        if value:
            mask &= (ev[col].astype(str) == value).to_numpy()
    ev = ev[mask].reset_index(drop=True)
    items = data.items[data.items["eval_id"].isin(ev["eval_id"]).to_numpy()]
    return replace(data, evaluations=ev, items=items.reset_index(drop=True))


class QualityApp:
    """The quality dashboard: filters, a summary line and four long-lived charts.

    Attributes
    ----------
    container : ipywidgets.VBox
    frame : AppFrame
    data : WorkshopData or None
        The tables read at start (None when reading failed: the error is in the page).
    summary : DataFrame
        One row: ``month, n_eval, mean, pass_rate, fatal_rate`` of the current filters.
    pareto, control, comparison, calibration : DataFrame
        The tables behind the four charts.
    """

    def __init__(self, workspace: str = "", lang: str = "zh", month: str = "",
                 pass_mark: float = 80.0, target_score: float = 85.0) -> None:
        f = self.frame = AppFrame("quality", TEXT, lang=lang)
        self.workspace = workspace
        self.pass_mark = float(pass_mark)
        self.target_score = float(target_score)
        self.data: Any = None
        style = {"description_width": "70px"}
        lay = widgets.Layout(width="230px")
        self.month = css(widgets.Dropdown(options=[], style=style, layout=lay), "month")
        self.team = css(widgets.Dropdown(options=[], style=style, layout=lay), "team")
        self.agent = css(widgets.Dropdown(options=[], style=style, layout=lay), "agent")
        self.evaluator = css(widgets.Dropdown(options=[], style=style, layout=lay), "evaluator")
        self.compare_by = css(widgets.Dropdown(options=[], style={"description_width": "90px"},
                                               layout=widgets.Layout(width="240px")),
                              "compare-by")
        for w, k in ((self.month, "month"), (self.team, "team"), (self.agent, "agent"),
                     (self.evaluator, "evaluator"), (self.compare_by, "compare_by")):
            f.text(w, k)
        self.summary_html = css(widgets.HTML(), "summary", "result")
        self.charts = {name: ChartView(name) for name in
                       ("pareto", "control", "comparison", "calibration")}
        self.summary = pd.DataFrame()
        self.pareto = self.control = self.comparison = self.calibration = pd.DataFrame()
        filters = widgets.HBox([self.month, self.team, self.agent, self.evaluator,
                                self.compare_by], layout=widgets.Layout(flex_flow="row wrap"))
        grid = widgets.GridBox([c.widget for c in self.charts.values()],
                               layout=widgets.Layout(grid_template_columns="1fr 1fr"))
        f.body.children = [filters, self.summary_html, grid]
        self._quiet = False
        self._load_error = None
        f.run(self._load, month)
        f.observe(self._on_team, self.team)
        f.observe(self.update, self.month, self.agent, self.evaluator, self.compare_by)
        f.on_lang(self._relabel_options)
        f.on_lang(self._render_summary)
        f.on_lang(self.draw)
        f.run(self.update)

    @property
    def container(self) -> widgets.VBox:
        """What the notebook displays."""
        return self.frame.container

    # -- data -------------------------------------------------------------------------------
    def _load(self, month: str) -> None:
        from ccomkit.quality.workshop import QualityWorkshopParams, load_tables

        try:
            params = QualityWorkshopParams(workspace=workspace_path(self.workspace) or "",
                                           month=month, pass_mark=self.pass_mark,
                                           target_score=self.target_score)
            self.data = load_tables(params)
        except Exception as exc:
            self._load_error: Exception | None = exc  # shown again by every update
            raise
        months = sorted(self.data.evaluations["month"].dropna().unique())
        self._months = [str(pd.Period(m, freq="M")) for m in months]
        self._relabel_options()
        self.month.value = str(self.data.params.period)

    def _options(self, values: list[str]) -> list[tuple[str, str]]:
        return [(self.frame.t("all"), ALL)] + [(v, v) for v in values]

    def _relabel_options(self) -> None:
        if self.data is None:
            return
        self._quiet = True
        try:
            ev = self.data.evaluations
            keep = {w: w.value for w in (self.month, self.team, self.agent, self.evaluator,
                                         self.compare_by)}
            self.month.options = self._months
            self.team.options = self._options(sorted(ev["team_id"].dropna().astype(str).unique()))
            self.evaluator.options = self._options(
                sorted(ev["evaluator_id"].dropna().astype(str).unique()))
            self._agent_options(keep[self.team] or ALL)
            self.compare_by.options = [(self.frame.t(k), k) for k in
                                       ("team_id", "evaluator_id", "tenure_band", "agent_id")]
            for w, v in keep.items():
                if v is not None and v in [o[1] if isinstance(o, tuple) else o
                                           for o in w.options]:
                    w.value = v
        finally:
            self._quiet = False

    def _agent_options(self, team: str) -> None:
        ev = self.data.evaluations
        if team:
            ev = ev[(ev["team_id"].astype(str) == team).to_numpy()]
        keep = self.agent.value
        opts = self._options(sorted(ev["agent_id"].dropna().astype(str).unique()))
        self.agent.options = opts
        self.agent.value = keep if keep in [o[1] for o in opts] else ALL

    def _on_team(self) -> None:
        if self._quiet or self.data is None:
            return
        self._quiet = True
        try:
            self._agent_options(self.team.value or ALL)
        finally:
            self._quiet = False
        self.update()

    # -- the update path --------------------------------------------------------------------
    def update(self) -> None:
        """Recompute the four analyses for the current filters and redraw."""
        if self.data is None and self._load_error is not None:
            raise self._load_error
        if self._quiet or self.data is None:
            return
        from ccomkit.quality import analysis
        from ccomkit.quality import calibration as cal

        f = self.frame
        month = self.month.value or str(self.data.params.period)
        data = replace(self.data, params=replace(self.data.params, month=month))
        team, agent, evaluator = self.team.value or ALL, self.agent.value or ALL, \
            self.evaluator.value or ALL
        sub = filter_data(data, team_id=team, agent_id=agent, evaluator_id=evaluator)
        mev = sub.month_evaluations(scoped=False)
        n = len(mev)
        scores = mev["total_score"].astype(float)
        self.summary = pd.DataFrame({
            "month": [month], "n_eval": [n],
            "mean": [float(scores.mean()) if n else np.nan],
            "pass_rate": [float((scores >= self.pass_mark).mean()) if n else np.nan],
            "fatal_rate": [float(mev["fatal_flag"].astype(bool).mean()) if n else np.nan]})
        # root cause
        items = sub.items[sub.items["eval_id"].isin(mev["eval_id"]).to_numpy()]
        self.pareto = analysis.deduction_pareto(items, mev) if len(items) else pd.DataFrame()
        self._render_summary()  # the numbers reach the page first; then the analyses and charts
        # trend
        tev = sub.trend_evaluations()
        self.control = analysis.xbar_s_chart(tev, self.data.params.trend_freq) if len(tev) > 1 \
            else pd.DataFrame()
        # comparison: the filter on the compared dimension is lifted
        by = self.compare_by.value or "team_id"
        lift = {"team_id": {"team_id": ALL, "agent_id": ALL}, "agent_id": {"agent_id": ALL},
                "evaluator_id": {"evaluator_id": ALL}, "tenure_band": {}}[by]
        cur = {"team_id": team, "agent_id": agent, "evaluator_id": evaluator, **lift}
        cev = filter_data(data, **cur).month_evaluations(scoped=False)
        self._compare_by = by
        self.comparison = analysis.compare_groups(
            cev, by, target=self.target_score, pass_mark=self.pass_mark,
            level=float(self.data.params.level)).groups if cev[by].nunique() >= 2 \
            else pd.DataFrame()
        # calibration: consensus over the whole month, then the chosen evaluator
        key = (month, evaluator)
        if getattr(self, "_calib_key", None) != key:
            allm = data.month_evaluations(scoped=False)
            calib = cal.evaluator_calibration(allm) \
                if allm["is_calibration"].astype(bool).any() else pd.DataFrame()
            if evaluator and len(calib):
                calib = calib[(calib["evaluator_id"].astype(str) == evaluator).to_numpy()]
            self.calibration = calib.reset_index(drop=True)
        self.draw(redraw_calibration=getattr(self, "_calib_key", None) != key)
        self._calib_key = key

    def draw(self, redraw_calibration: bool = True) -> None:
        """Draw the four charts from the current tables (in place)."""
        from ccomkit.quality import analysis
        from ccomkit.quality import calibration as cal

        f = self.frame
        label = "label_zh" if f.lang == "zh" else "label_en"
        self.charts["pareto"].update(
            analysis.pareto_chart(self.pareto.head(12), label=label).properties(width=420)
            if len(self.pareto) else empty_chart(f.t("no_data")))
        self.charts["control"].update(
            analysis.control_chart(self.control).properties(width=420)
            if len(self.control) else empty_chart(f.t("no_data")))
        self.charts["comparison"].update(
            analysis.comparison_chart(self.comparison, self._compare_by, target=self.target_score)
            if len(self.comparison) else empty_chart(f.t("one_group")))
        if redraw_calibration:
            self.charts["calibration"].update(
                cal.calibration_chart(self.calibration) if len(self.calibration)
                else empty_chart(f.t("no_calibration")))

    def _render_summary(self) -> None:
        f = self.frame
        s = self.summary.iloc[0]

        def pct(v: float) -> str:
            return "—" if pd.isna(v) else f"{v:.1%}"

        vital = []
        if len(self.pareto):
            label = "label_zh" if f.lang == "zh" else "label_en"
            vital = self.pareto.loc[self.pareto["vital_few"].astype(bool), label].head(3).tolist()
        parts = [f"<b>{html.escape(f.t('month'))}</b> {html.escape(str(s['month']))}",
                 f"<b>{html.escape(f.t('n_eval'))}</b> {int(s['n_eval'])}",
                 f"<b>{html.escape(f.t('mean'))}</b> "
                 f"{'—' if pd.isna(s['mean']) else format(s['mean'], '.1f')}",
                 f"<b>{html.escape(f.t('pass_rate'))}</b> {pct(s['pass_rate'])}",
                 f"<b>{html.escape(f.t('fatal_rate'))}</b> {pct(s['fatal_rate'])}",
                 f"<b>{html.escape(f.t('top_causes'))}</b> "
                 f"{html.escape(', '.join(map(str, vital)) or '—')}"]
        self.summary_html.value = ('<div class="ccom-summary-line">' + " · ".join(parts)
                                   + "</div>")


def build_quality(workspace: str = "", lang: str = "zh", month: str = "",
                  pass_mark: float = 80.0, target_score: float = 85.0) -> QualityApp:
    """Build the quality dashboard; display its ``.container``.

    Parameters
    ----------
    workspace : str, default ""
        Workspace file; ``""`` = ``$CCOM_WORKSPACE`` (set by ``ccom serve``), else
        ``data/workspace.duckdb``. Opened read-only.
    lang : {'zh', 'en'}
    month : str, default ""
        First month shown, ``YYYY-MM``; ``""`` = the latest full month.
    pass_mark, target_score : float
        QA pass mark and target score (0-100).
    """
    if lang not in ("zh", "en"):
        raise ParameterError.expected("build_quality", "lang", "'zh' or 'en'", lang)
    return QualityApp(workspace=workspace, lang=lang, month=month, pass_mark=pass_mark,
                      target_score=target_score)
