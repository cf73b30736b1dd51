"""Forecast and schedule planner app: queue and weeks → forecast → requirement → roster.

Presentation layer over :mod:`ccomkit.wfm`: the forecasting workshop's steps
(:func:`ccomkit.wfm.workshop.load_history`, :func:`~ccomkit.wfm.workshop.forecast` with
quantile intervals, :func:`~ccomkit.wfm.workshop.staffing_requirement` with Erlang C or A),
the reliability map (离散系数, :func:`ccomkit.wfm.reliability.reliability`), and the roster:
a pool sized from the requirement (:func:`ccomkit.wfm.scheduling.size_pool`), the two-stage
solver (:func:`~ccomkit.wfm.scheduling.solve_roster`) under the roster rules
(:func:`ccomkit.wfm.roster_rules.load_rules`, default the shipped ``example``), its three
scores — 利用率 utilization, 人性化 humane, 公平性 fairness
(:func:`ccomkit.wfm.roster_check.score_roster`) — and the team leader's grid as a CSV download
(:func:`ccomkit.wfm.roster_io.roster_grid`), served from the page itself (a ``data:`` link: no
file is written and the workspace stays read-only).

Three update paths by cost: *Forecast* (button; reads the history, fits, backtests when
``auto``: seconds), the staffing knobs (service level, answer time, shrinkage, patience:
recomputed from the forecast in memory, immediately) and *Solve roster* (button; the solver's
time limit is a knob). The busy indicator shows during each.

Notebook: ``notebooks/apps/planner.ipynb``.
"""

from __future__ import annotations

import base64
import html
from typing import Any

import ipywidgets as widgets
import pandas as pd

from ccomkit.apps.common import AppFrame, ChartView, css, empty_chart, html_table, workspace_path
from ccomkit.errors import ParameterError

__all__ = ["PlannerApp", "build_planner", "roster_scores"]

METHODS = ("auto", "wha", "seasonal_naive", "topdown", "svd")
TEXT: dict[str, tuple[str, str]] = {
    "title": ("预测与排班规划", "Forecast and schedule planner"),
    "queue": ("队列", "Queue"),
    "weeks": ("历史周数", "History weeks"),
    "horizon": ("预测天数", "Days ahead"),
    "method": ("预测方法", "Method"),
    "run_forecast": ("预测", "Forecast"),
    "sl": ("服务水平目标", "Service level target"),
    "target_s": ("目标应答秒数", "Answer within (s)"),
    "shrinkage": ("缺勤率", "Shrinkage"),
    "patience": ("耐心时长(秒, 0=Erlang C)", "Patience (s, 0 = Erlang C)"),
    "w_util": ("利用率权重", "Utilization weight"),
    "w_humane": ("人性化权重", "Humane weight"),
    "w_fair": ("公平性权重", "Fairness weight"),
    "time_limit": ("求解时限(秒)", "Solver time limit (s)"),
    "solve": ("排班求解", "Solve roster"),
    "forecast_h": ("预测", "Forecast"),
    "staffing_h": ("人力需求", "Requirement"),
    "roster_h": ("排班", "Roster"),
    "calls": ("预测来电", "Calls forecast"),
    "band": ("区间", "interval"),
    "agent_hours": ("座席小时", "Agent-hours"),
    "peak_agents": ("峰值座席", "Peak agents"),
    "peak_fte": ("峰值人力(FTE)", "Peak FTE"),
    "method_used": ("所用方法", "Method used"),
    "reliable": ("可靠时段占比", "Reliable intervals"),
    "pool": ("人员池", "Agent pool"),
    "full": ("全职", "full-time"),
    "part": ("兼职", "part-time"),
    "status": ("求解状态", "Solver status"),
    "standard": ("标准", "Standard"),
    "metric": ("指标", "Measure"),
    "value": ("数值", "Value"),
    "utilization": ("利用率", "Utilization"),
    "humane": ("人性化", "Humane"),
    "fairness": ("公平性", "Fairness"),
    "download": ("下载排班表 CSV", "Download roster CSV"),
    "no_roster": ("尚未排班: 点击“排班求解”。", "No roster yet: press Solve roster."),
    "coverage_title": ("排班覆盖 vs 需求", "Roster coverage vs requirement"),
    "required": ("需求", "required"),
    "scheduled": ("排班", "scheduled"),
    "agents": ("座席数", "Agents"),
}

_SCORE_ROWS = (
    ("utilization", "short_frac", "all"), ("utilization", "over_frac", "all"),
    ("utilization", "intervals_within_tolerance_frac", "all"),
    ("utilization", "service_level_weighted", "all"),
    ("humane", "hard_violations", "all"), ("humane", "quick_returns", "all"),
    ("humane", "longest_run_days", "all"),
    ("fairness", "nights_gini", "full"), ("fairness", "weekends_gini", "full"),
    ("fairness", "hours_gini", "full"),
)


def roster_scores(summary: pd.DataFrame) -> pd.DataFrame:
    """The headline rows of :attr:`ccomkit.wfm.roster_check.RosterScore.summary`, one or more
    per standard (utilization, humane, fairness), in a fixed order.

    Examples
    --------
    >>> import pandas as pd
    >>> from ccomkit.apps.planner import roster_scores
    >>> s = pd.DataFrame({"standard": ["humane", "utilization"], "group": "all",
    ...                   "metric": ["hard_violations", "short_frac"], "value": [0.0, 0.1],
    ...                   "unit": ["count", "fraction"]})
    >>> roster_scores(s)[["standard", "metric"]].values.tolist()
    [['utilization', 'short_frac'], ['humane', 'hard_violations']]
    """
    key = summary.set_index(["standard", "metric", "group"])
    rows = [(s, m, g) for s, m, g in _SCORE_ROWS if (s, m, g) in key.index]
    out = key.loc[rows].reset_index()
    return out[["standard", "metric", "group", "value", "unit"]]


class PlannerApp:
    """The planner: forecast, requirement and roster sections with their knobs.

    Attributes
    ----------
    container : ipywidgets.VBox
    frame : AppFrame
    history, forecast, requirement, reliability : DataFrame
    roster : RosterResult or None
        The last solve (:class:`ccomkit.wfm.scheduling.RosterResult`).
    scores : RosterScore or None
    agents : DataFrame
        The agent pool the roster names (sized from the requirement).
    """

    def __init__(self, workspace: str = "", lang: str = "zh", queue: str = "BIL",
                 history_weeks: int = 8, horizon_days: int = 7, method: str = "wha",
                 rules: str = "example", solve: bool = False) -> None:
        if method not in METHODS:
            raise ParameterError.expected("build_planner", "method", f"one of {METHODS}", method)
        f = self.frame = AppFrame("planner", TEXT, lang=lang)
        self.workspace = workspace
        self.rules_name = rules
        self.history = self.forecast = self.requirement = self.reliability = pd.DataFrame()
        self.agents = pd.DataFrame()
        self.roster: Any = None
        self.scores: Any = None
        st = {"description_width": "170px"}
        lay = widgets.Layout(width="330px")
        self.queue = css(widgets.Dropdown(options=[queue] if queue else [], value=queue or None,
                                          style=st, layout=lay), "queue")
        self.weeks = css(widgets.IntSlider(history_weeks, min=4, max=16, style=st, layout=lay),
                         "weeks")
        self.horizon = css(widgets.Dropdown(options=[7, 14], value=horizon_days, style=st,
                                            layout=lay), "horizon")
        self.method = css(widgets.Dropdown(options=list(METHODS), value=method, style=st,
                                           layout=lay), "method")
        self.run_forecast = css(widgets.Button(button_style="primary"), "run-forecast")
        self.sl = css(widgets.FloatSlider(0.8, min=0.5, max=0.95, step=0.05, style=st,
                                          layout=lay), "sl")
        self.target_s = css(widgets.BoundedIntText(20, min=0, max=600, step=5, style=st,
                                                   layout=lay), "target-s")
        self.shrinkage = css(widgets.FloatSlider(0.3, min=0.0, max=0.5, step=0.01, style=st,
                                                 layout=lay), "shrinkage")
        self.patience = css(widgets.BoundedIntText(0, min=0, max=3600, step=10, style=st,
                                                   layout=lay), "patience")
        self.w_util = css(widgets.FloatSlider(1.0, min=0, max=5, step=0.5, style=st,
                                              layout=lay), "w-util")
        self.w_humane = css(widgets.FloatSlider(1.0, min=0, max=5, step=0.5, style=st,
                                                layout=lay), "w-humane")
        self.w_fair = css(widgets.FloatSlider(1.0, min=0, max=5, step=0.5, style=st,
                                              layout=lay), "w-fair")
        self.time_limit = css(widgets.BoundedIntText(20, min=5, max=300, step=5, style=st,
                                                     layout=lay), "time-limit")
        self.solve = css(widgets.Button(button_style="primary"), "solve")
        for w, k in ((self.queue, "queue"), (self.weeks, "weeks"), (self.horizon, "horizon"),
                     (self.method, "method"), (self.sl, "sl"), (self.target_s, "target_s"),
                     (self.shrinkage, "shrinkage"), (self.patience, "patience"),
                     (self.w_util, "w_util"), (self.w_humane, "w_humane"),
                     (self.w_fair, "w_fair"), (self.time_limit, "time_limit")):
            f.text(w, k)
        f.text(self.run_forecast, "run_forecast")
        f.text(self.solve, "solve")
        self.forecast_html = css(widgets.HTML(), "forecast-summary")
        self.requirement_html = css(widgets.HTML(), "requirement-summary", "result")
        self.roster_html = css(widgets.HTML(), "roster-scores")
        self.download = css(widgets.HTML(), "download")
        self.charts = {n: ChartView(n) for n in ("forecast", "reliability", "requirement",
                                                 "coverage")}
        heads = {k: css(widgets.HTML(), f"h-{k}") for k in ("forecast_h", "staffing_h",
                                                            "roster_h")}
        for k, w in heads.items():
            f.text(w, k, "value")
        self._heads = heads
        f.body.children = [
            heads["forecast_h"],
            widgets.HBox([widgets.VBox([self.queue, self.weeks, self.horizon, self.method,
                                        self.run_forecast]), self.forecast_html]),
            widgets.HBox([self.charts["forecast"].widget, self.charts["reliability"].widget]),
            heads["staffing_h"],
            widgets.HBox([widgets.VBox([self.sl, self.target_s, self.shrinkage, self.patience]),
                          self.requirement_html]),
            self.charts["requirement"].widget,
            heads["roster_h"],
            widgets.HBox([widgets.VBox([self.w_util, self.w_humane, self.w_fair,
                                        self.time_limit, self.solve]),
                          widgets.VBox([self.roster_html, self.download])]),
            self.charts["coverage"].widget,
        ]
        self._heading_html()
        self.run_forecast.on_click(lambda _b: f.run(self.do_forecast))
        self.solve.on_click(lambda _b: f.run(self.do_solve))
        f.observe(self.do_requirement, self.sl, self.target_s, self.shrinkage, self.patience)
        f.on_lang(self._heading_html)
        f.on_lang(self.render)
        if f.run(self._load_queues, queue):
            f.run(self.do_forecast)
        if solve and not self.requirement.empty:
            f.run(self.do_solve)
        else:
            self._render_roster()

    @property
    def container(self) -> widgets.VBox:
        """What the notebook displays."""
        return self.frame.container

    def _heading_html(self) -> None:
        for k, w in self._heads.items():
            w.value = f"<h3>{html.escape(self.frame.t(k))}</h3>"

    # -- data -------------------------------------------------------------------------------
    def _load_queues(self, queue: str) -> bool:
        from ccomkit.store import Workspace

        with Workspace.open_read(workspace_path(self.workspace)) as ws:
            queues = ws.query("SELECT DISTINCT queue_id FROM acd_interval ORDER BY 1")
        names = queues["queue_id"].astype(str).tolist()
        if not names:
            raise ParameterError("the workspace has no acd_interval rows: ingest ACD interval "
                                 "data (or run `ccom demo`) first.", param="workspace")
        if queue and queue not in names:
            raise ParameterError.expected("build_planner", "queue", f"one of {', '.join(names)}",
                                          queue)
        self.queue.options = names
        self.queue.value = queue or names[0]
        return True

    def _params(self) -> Any:
        from ccomkit.wfm.workshop import WorkshopParams

        return WorkshopParams(queue_id=str(self.queue.value), history_weeks=int(self.weeks.value),
                              horizon_days=int(self.horizon.value), method=str(self.method.value),
                              service_level_target_frac=float(self.sl.value),
                              target_s=float(self.target_s.value),
                              shrinkage_frac=float(self.shrinkage.value),
                              patience_s=float(self.patience.value))

    # -- the three update paths -------------------------------------------------------------
    def do_forecast(self) -> None:
        """Read the queue's history, forecast with intervals, map reliability, then staff."""
        from ccomkit.wfm import workshop
        from ccomkit.wfm.reliability import reliability

        p = self._params()
        self.history = workshop.load_history(workspace_path(self.workspace) or "",
                                             queue_id=p.queue_id, history_weeks=p.history_weeks)
        self.forecast = workshop.forecast(self.history, p)
        self.reliability = reliability(self.history, k_weeks=min(8, p.history_weeks),
                                       min_weeks=min(4, p.history_weeks))
        self.roster = self.scores = None
        self.do_requirement()
        self._render_forecast()
        self._render_roster()

    def do_requirement(self) -> None:
        """Staff the forecast with the current targets (in memory: immediate)."""
        from ccomkit.wfm import workshop

        if self.forecast.empty:
            return
        self.requirement = workshop.staffing_requirement(self.forecast, self._params())
        self._render_requirement()

    def do_solve(self) -> None:
        """Size the pool, solve the roster under the rules with the three weights, score it."""
        from ccomkit.wfm.roster_check import score_roster
        from ccomkit.wfm.roster_rules import load_rules
        from ccomkit.wfm.scheduling import make_agents, size_pool, solve_roster

        if self.requirement.empty:
            raise ParameterError("forecast first: there is no requirement to roster.",
                                 param="requirement")
        rules = load_rules(self.rules_name)
        req = self.requirement
        limit = float(self.time_limit.value)
        pool = size_pool(req, rules, time_limit_s=max(limit / 2, 5.0))
        self.agents = make_agents(pool)
        self.roster = solve_roster(req, self.agents, rules, time_limit_s=limit,
                                   weights={"utilization": float(self.w_util.value),
                                            "humane": float(self.w_humane.value),
                                            "fairness": float(self.w_fair.value)})
        self.scores = score_roster(self.roster.roster, req, rules, self.agents)
        self._render_roster()

    # -- rendering ------------------------------------------------------------------------
    def render(self) -> None:
        """Redraw every section in the current language."""
        if not self.forecast.empty:
            self._render_forecast()
            self._render_requirement()
        self._render_roster()

    def _render_forecast(self) -> None:
        from ccomkit.report.charts import forecast_chart
        from ccomkit.wfm.reliability import reliability_chart

        f = self.frame
        fc = self.forecast
        qcols = sorted(c for c in fc.columns if c.startswith("calls_p"))
        lo, hi = (fc[qcols[0]].sum(), fc[qcols[-1]].sum()) if qcols else (float("nan"),) * 2
        rel = self.reliability
        share = (rel["reliability_class"] == "reliable").mean() if len(rel) else float("nan")
        self.forecast_html.value = (
            f'<div class="ccom-summary-line"><b>{html.escape(f.t("calls"))}</b> '
            f"{fc['calls_forecast'].sum():,.0f} ({html.escape(f.t('band'))} {lo:,.0f}–{hi:,.0f}) · "
            f"<b>{html.escape(f.t('method_used'))}</b> "
            f"{html.escape(', '.join(sorted(fc['method'].astype(str).unique())))} · "
            f"<b>{html.escape(f.t('reliable'))}</b> {share:.0%}</div>")
        self.charts["forecast"].update(forecast_chart(fc, self.history, recent_days=7)
                                       .properties(width=520))
        self.charts["reliability"].update(reliability_chart(rel) if len(rel)
                                          else empty_chart("—"))

    def _render_requirement(self) -> None:
        from ccomkit.report.charts import requirement_chart

        f = self.frame
        req = self.requirement
        hours = (req["agents_required"] * req["interval_min"] / 60).sum()
        self.requirement_html.value = (
            f'<div class="ccom-summary-line"><b>{html.escape(f.t("agent_hours"))}</b> '
            f"{hours:,.1f} · <b>{html.escape(f.t('peak_agents'))}</b> "
            f"{int(req['agents_required'].max())} · <b>{html.escape(f.t('peak_fte'))}</b> "
            f"{int(req['fte_required'].max())}</div>")
        self.charts["requirement"].update(requirement_chart(req).properties(width=1000))

    def _render_roster(self) -> None:
        import altair as alt

        f = self.frame
        if self.roster is None or self.scores is None:
            self.roster_html.value = f'<div class="ccom-note">{html.escape(f.t("no_roster"))}</div>'
            self.download.value = ""
            self.charts["coverage"].update(empty_chart(f.t("no_roster")))
            return
        from ccomkit.wfm.roster_io import roster_grid

        res = self.roster
        tab = roster_scores(self.scores.summary)
        shown = pd.DataFrame({
            f.t("standard"): tab["standard"].map(f.t),
            f.t("metric"): tab["metric"] + tab["group"].map(lambda g: "" if g == "all"
                                                           else f" ({f.t(g)})"),
            f.t("value"): [f"{v:.1%}" if u == "fraction" else f"{v:.3g}"
                           for v, u in zip(tab["value"], tab["unit"])]})
        pool = (self.agents["employment"].value_counts() if "employment" in self.agents
                else pd.Series(dtype=int))
        head = (f'<div class="ccom-summary-line"><b>{html.escape(f.t("status"))}</b> '
                f"{html.escape(res.status)} ({res.solve_s:.1f} s) · "
                f"<b>{html.escape(f.t('pool'))}</b> {int(pool.get('full', 0))} "
                f"{html.escape(f.t('full'))} + {int(pool.get('part', 0))} "
                f"{html.escape(f.t('part'))}</div>"
                f'<div class="ccom-note">{html.escape(res.message)}</div>')
        self.roster_html.value = head + html_table(shown)
        grid = roster_grid(res.roster, agents=self.agents)
        data = base64.b64encode(grid.to_csv(index=False).encode("utf-8-sig")).decode("ascii")
        name = f"roster_{self.queue.value}.csv"
        self.download.value = (f'<a class="ccom-download-link" download="{html.escape(name)}" '
                               f'href="data:text/csv;base64,{data}">'
                               f"⬇ {html.escape(f.t('download'))}</a>")
        cov = res.coverage.melt(id_vars="interval_start",
                                value_vars=["agents_required", "agents_scheduled"],
                                var_name="series", value_name="agents")
        cov["series"] = cov["series"].map({"agents_required": f.t("required"),
                                           "agents_scheduled": f.t("scheduled")})
        self.charts["coverage"].update(alt.Chart(cov).mark_line(interpolate="step-after").encode(
            x=alt.X("interval_start:T", title=None),
            y=alt.Y("agents:Q", title=f.t("agents")),
            color=alt.Color("series:N", title=None),
            tooltip=[alt.Tooltip("interval_start:T", format="%m-%d %H:%M"), "series",
                     alt.Tooltip("agents:Q", format=".1f")],
        ).properties(width=1000, height=220, title=f.t("coverage_title")))


def build_planner(workspace: str = "", lang: str = "zh", queue: str = "BIL",
                  history_weeks: int = 8, horizon_days: int = 7, method: str = "wha",
                  rules: str = "example", solve: bool = False) -> PlannerApp:
    """Build the forecast and schedule planner; display its ``.container``.

    Parameters
    ----------
    workspace : str, default ""
        Workspace file; ``""`` = ``$CCOM_WORKSPACE`` (set by ``ccom serve``). Opened read-only.
    lang : {'zh', 'en'}
    queue : str, default 'BIL'
        First queue planned (``""``: the first queue of the workspace).
    history_weeks : int, default 8
    horizon_days : {7, 14}
    method : str, default 'wha'
        Forecasting method (``auto`` backtests every method: slower).
    rules : str, default 'example'
        Roster rules: a shipped name or a RULES.yaml path (:func:`ccomkit.wfm.roster_rules.load_rules`).
    solve : bool, default False
        Solve a roster at start (otherwise on the *Solve roster* button).
    """
    if lang not in ("zh", "en"):
        raise ParameterError.expected("build_planner", "lang", "'zh' or 'en'", lang)
    if horizon_days not in (7, 14):
        raise ParameterError.expected("build_planner", "horizon_days", "7 or 14", horizon_days)
    if not isinstance(history_weeks, int) or not 4 <= history_weeks <= 16:
        raise ParameterError.expected("build_planner", "history_weeks", "an int in [4, 16]",
                                      history_weeks)
    return PlannerApp(workspace=workspace, lang=lang, queue=queue, history_weeks=history_weeks,
                      horizon_days=horizon_days, method=method, rules=rules, solve=solve)
