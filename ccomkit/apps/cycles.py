"""Improvement-cycle tracker app: cycles, step status, open actions, before/after results.

Presentation layer over the DCDIER record (:mod:`ccomkit.cycle.model`), read-only: the cycle
list (:func:`~ccomkit.cycle.model.list_cycles`: progress through 定义 收集 明确 改善 执行 评测,
open actions), one cycle's detail (:func:`~ccomkit.cycle.model.cycle_detail`: the six steps
with their one-line summaries, the actions with their status and lateness, the review's
before/after estimates with intervals and the revised target — :func:`~ccomkit.cycle.model.review_result`),
and every open action of the open cycles (:func:`~ccomkit.cycle.model.open_actions`). The
cycles are written by the DCDIER step notebooks and playbooks; this app never writes.

The chart shows the KPI over the cycle with the target and the change date
(:func:`ccomkit.cycle.charts.kpi_chart`), or after the review the observed KPI against the
interrupted-time-series fit and its counterfactual (:func:`ccomkit.cycle.charts.review_chart`).

Notebook: ``notebooks/apps/improvement_cycles.ipynb``.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets
import pandas as pd

from ccomkit.apps.common import AppFrame, ChartView, css, empty_chart, html_table, workspace_path
from ccomkit.errors import ParameterError
from ccomkit.i18n import label
from ccomkit.calendar import now_local

__all__ = ["CyclesApp", "build_cycles"]

PRELOAD = 20
"""Cycles whose detail is read when the app starts (the newest); others on demand."""

TEXT: dict[str, tuple[str, str]] = {
    "title": ("改进循环跟踪 (DCDIER)", "Improvement-cycle tracker (DCDIER)"),
    "refresh": ("刷新", "Refresh"),
    "status_filter": ("循环状态", "Cycles"),
    "cycle": ("循环", "Cycle"),
    "open": ("进行中", "open"),
    "closed": ("已关闭", "closed"),
    "all": ("全部", "all"),
    "cycles_h": ("改进循环", "Cycles"),
    "steps_h": ("步骤", "Steps"),
    "actions_h": ("改进措施", "Actions"),
    "review_h": ("改进前后对比", "Before / after"),
    "open_actions_h": ("所有未完成措施", "All open actions"),
    "no_cycles": ("工作区中尚无改进循环: 运行 DCDIER 步骤笔记本创建。",
                  "No improvement cycle in the workspace yet: run the DCDIER step notebooks."),
    "no_actions": ("无措施", "No actions"),
    "no_review": ("尚未评测 (第6步)。", "Not reviewed yet (step 6)."),
    "no_open": ("没有未完成的措施。", "No open action."),
    "overdue": ("逾期", "overdue"),
    "col_cycle": ("循环", "Cycle"),
    "col_topic": ("主题", "Topic"),
    "col_scope": ("范围", "Scope"),
    "col_owner": ("负责人", "Owner"),
    "col_status": ("状态", "Status"),
    "col_step": ("当前步骤", "Current step"),
    "col_steps": ("完成步骤", "Steps done"),
    "col_actions": ("未完成/全部措施", "Open / all actions"),
    "col_target": ("目标", "Target"),
    "col_no": ("序号", "No."),
    "col_what": ("措施", "Action"),
    "col_due": ("截止", "Due"),
    "col_effect": ("预期效果", "Expected effect"),
    "col_method": ("方法", "Method"),
    "col_before": ("改进前", "Before"),
    "col_after": ("改进后", "After"),
    "col_effect_est": ("效果 [区间]", "Effect [interval]"),
    "col_p": ("p值", "p-value"),
    "col_decision": ("结论", "Decision"),
    "col_revised": ("修订目标", "Revised target"),
    "col_summary": ("摘要", "Summary"),
    "done": ("✔ 已完成", "✔ done"),
    "pending": ("○ 待完成", "○ pending"),
}


def _topic(code: Any, lang: str) -> str:
    """The label of a cycle topic (``aht`` → 平均处理时长（绩效）); the code when unknown."""
    text = label(f"topic_{code}", lang, "cycle")
    return str(code) if text == f"topic_{code}" else text


def _fmt(v: Any, digits: int = 4) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA:
        return "—"
    if isinstance(v, (pd.Timestamp,)):
        return str(v.date())
    if isinstance(v, float):
        return f"{v:.{digits}g}"
    return str(v)


class CyclesApp:
    """The tracker: a status filter, a cycle selector, the cycle's steps, actions and review.

    Attributes
    ----------
    container : ipywidgets.VBox
    frame : AppFrame
    cycles : DataFrame
        :func:`ccomkit.cycle.model.list_cycles` (all statuses).
    detail : CycleDetail or None
        The selected cycle.
    open_actions : DataFrame
        :func:`ccomkit.cycle.model.open_actions` of every open cycle.
    """

    def __init__(self, workspace: str = "", lang: str = "zh", cycle_id: str = "") -> None:
        f = self.frame = AppFrame("cycles", TEXT, lang=lang)
        self.workspace = workspace
        self.cycles = pd.DataFrame()
        self.open_actions = pd.DataFrame()
        self.detail: Any = None
        self._load_error: Exception | None = None
        self._details: dict[str, Any] = {}
        self._quiet = False
        st = {"description_width": "80px"}
        self.status = css(widgets.Dropdown(options=[], style=st,
                                           layout=widgets.Layout(width="220px")), "status")
        self.cycle = css(widgets.Dropdown(options=[], style=st,
                                          layout=widgets.Layout(width="380px")), "cycle")
        self.refresh = css(widgets.Button(icon="refresh"), "refresh")
        f.text(self.status, "status_filter")
        f.text(self.cycle, "cycle")
        f.text(self.refresh, "refresh")
        self.list_html = css(widgets.HTML(), "cycle-list")
        self.steps_html = css(widgets.HTML(), "steps", "result")
        self.actions_html = css(widgets.HTML(), "actions")
        self.review_html = css(widgets.HTML(), "review")
        self.open_html = css(widgets.HTML(), "open-actions")
        self.chart = ChartView("kpi")
        heads = {k: css(widgets.HTML(), f"h-{k}") for k in
                 ("cycles_h", "steps_h", "actions_h", "review_h", "open_actions_h")}
        self._heads = heads
        f.body.children = [
            widgets.HBox([self.status, self.cycle, self.refresh]),
            heads["cycles_h"], self.list_html,
            heads["steps_h"], self.steps_html,
            widgets.HBox([widgets.VBox([heads["actions_h"], self.actions_html,
                                        heads["review_h"], self.review_html],
                                       layout=widgets.Layout(width="560px")),
                          self.chart.widget]),
            heads["open_actions_h"], self.open_html,
        ]
        self._headings()
        loaded = f.run(self._load, cycle_id)
        f.observe(self._on_status, self.status)
        self.refresh.on_click(lambda _b: f.run(self.reload))
        f.observe(self.update, self.cycle)
        f.on_lang(self._headings)
        f.on_lang(self._relabel_options)
        f.on_lang(self.update)
        if loaded:  # else the load error stays in the page
            f.run(self.update)

    @property
    def container(self) -> widgets.VBox:
        """What the notebook displays."""
        return self.frame.container

    def _headings(self) -> None:
        for k, w in self._heads.items():
            w.value = f"<h3>{html.escape(self.frame.t(k))}</h3>"

    # -- data -------------------------------------------------------------------------------
    def _load(self, cycle_id: str) -> bool:
        from ccomkit.cycle import model
        from ccomkit.store import Workspace

        try:
            with Workspace.open_read(workspace_path(self.workspace)) as ws:
                self.cycles = model.list_cycles(ws)
                self.open_actions = model.open_actions(ws)
                # the newest cycles' details in the same read: switching between them is then
                # instant (older ones are read on demand)
                self._details = {str(c): model.cycle_detail(ws, str(c))
                                 for c in self.cycles["cycle_id"].astype(str)[:PRELOAD]}
        except Exception as exc:
            self._load_error = exc
            raise
        self._relabel_options(cycle=cycle_id or None)
        if cycle_id and cycle_id not in set(self.cycles["cycle_id"].astype(str)):
            known = ", ".join(self.cycles["cycle_id"].astype(str)) or "none"
            raise ParameterError.expected("build_cycles", "cycle_id", f"one of: {known}",
                                          cycle_id)
        return True

    def reload(self) -> None:
        """Read the record again (what the DCDIER notebooks wrote since) and redraw."""
        self._load_error = None
        self._details = {}
        self._load(self.cycle.value or "")
        self.update()

    def _visible(self) -> pd.DataFrame:
        c = self.cycles
        st = self.status.value or "all"
        return c if st == "all" or c.empty else c[(c["status"] == st).to_numpy()]

    def _relabel_options(self, cycle: str | None = None) -> None:
        f = self.frame
        self._quiet = True
        try:
            keep = self.status.value
            self.status.options = [(f.t(k), k) for k in ("all", "open", "closed")]
            self.status.value = keep or "all"
            self._cycle_options(cycle or self.cycle.value)
        finally:
            self._quiet = False

    def _cycle_options(self, keep: Any = None) -> None:
        f = self.frame
        vis = self._visible()
        opts = [(f"{r.cycle_id} · {_topic(r.topic, f.lang)} · {r.scope}", str(r.cycle_id))
                for r in vis.itertuples(index=False)]
        self.cycle.options = opts
        ids = [v for _, v in opts]
        self.cycle.value = keep if keep in ids else (ids[0] if ids else None)

    def _on_status(self) -> None:
        if self._quiet:
            return
        self._quiet = True
        try:
            self._cycle_options(self.cycle.value)
        finally:
            self._quiet = False
        self.update()

    # -- the update path --------------------------------------------------------------------
    def update(self) -> None:
        """Show the cycle list and the selected cycle's steps, actions, review and chart."""
        if self._load_error is not None:
            raise self._load_error
        if self._quiet:
            return
        from ccomkit.cycle import model
        from ccomkit.store import Workspace

        f = self.frame
        self._render_list()
        self._render_open()
        cid = self.cycle.value
        if not cid:
            self.detail = None
            msg = f'<div class="ccom-note">{html.escape(f.t("no_cycles"))}</div>'
            self.steps_html.value = msg
            self.actions_html.value = self.review_html.value = ""
            self.chart.update(empty_chart(f.t("no_cycles")))
            return
        if str(cid) not in self._details:
            with Workspace.open_read(workspace_path(self.workspace)) as ws:
                self._details[str(cid)] = model.cycle_detail(ws, str(cid))
        self.detail = self._details[str(cid)]
        self._render_detail()

    def _render_list(self) -> None:
        f = self.frame
        vis = self._visible()
        if vis.empty:
            self.list_html.value = f'<div class="ccom-note">{html.escape(f.t("no_cycles"))}</div>'
            return
        t = pd.DataFrame({
            f.t("col_cycle"): vis["cycle_id"].astype(str),
            f.t("col_topic"): vis["topic"].map(lambda c: _topic(c, f.lang)),
            f.t("col_scope"): vis["scope"].astype(str),
            f.t("col_owner"): vis["owner"].astype(str),
            f.t("col_status"): vis["status"].map(f.t),
            f.t("col_step"): vis["current_step"].map(lambda s: label(s, f.lang)),
            f.t("col_steps"): vis["steps_done"].map(lambda n: f"{int(n)}/6"),
            f.t("col_actions"): [f"{int(o)}/{int(a)}" for o, a in
                                 zip(vis["actions_open"], vis["actions_total"])],
            f.t("col_target"): [f"{_fmt(t)} → {_fmt(r)}" if pd.notna(r) else _fmt(t)
                                for t, r in zip(vis["target"], vis["revised_target"])],
        })
        self.list_html.value = html_table(t)

    def _render_open(self) -> None:
        f = self.frame
        a = self.open_actions
        if a.empty:
            self.open_html.value = f'<div class="ccom-note">{html.escape(f.t("no_open"))}</div>'
            return
        self.open_html.value = html_table(self._actions_table(a, with_cycle=True))

    def _actions_table(self, a: pd.DataFrame, with_cycle: bool = False) -> pd.DataFrame:
        f = self.frame
        cols: dict[str, Any] = {}
        if with_cycle:
            cols[f.t("col_cycle")] = a["cycle_id"].astype(str)
        overdue = a["overdue"] if "overdue" in a else (
            (a["due_date"] < now_local().normalize()) & a["status"].isin(
                ["planned", "in_progress"])).fillna(False)
        cols.update({
            f.t("col_no"): a["action_no"].astype(int),
            f.t("col_what"): a["what"].astype(str),
            f.t("col_owner"): a["owner"].astype(str),
            f.t("col_due"): [_fmt(d) + (f" ⚠ {f.t('overdue')}" if o else "")
                             for d, o in zip(a["due_date"], overdue)],
            f.t("col_effect"): a["expected_effect"].map(_fmt),
            f.t("col_status"): a["status"].map(lambda s: label(s, f.lang)),
        })
        return pd.DataFrame(cols)

    def _render_detail(self) -> None:
        from ccomkit.cycle.charts import kpi_chart, review_chart

        f = self.frame
        d = self.detail
        s = d.steps
        st = pd.DataFrame({
            "#": s["step_no"].astype(int),
            f.t("steps_h"): s["step"].map(lambda x: label(x, f.lang)),
            f.t("col_status"): s["status"].map(lambda x: f.t(x) if x in ("done", "pending")
                                               else str(x)),
            f.t("col_summary"): s["summary"].fillna("").astype(str),
        })
        self.steps_html.value = html_table(st)
        a = d.actions
        self.actions_html.value = (html_table(self._actions_table(a)) if len(a) else
                                   f'<div class="ccom-note">{html.escape(f.t("no_actions"))}</div>')
        r = d.review
        if len(r):
            rv = pd.DataFrame({
                f.t("col_method"): r["method"].astype(str),
                f.t("col_before"): r["before"].map(_fmt),
                f.t("col_after"): [f"{_fmt(v)} [{_fmt(lo)}, {_fmt(hi)}]" for v, lo, hi in
                                   zip(r["after"], r["after_low"], r["after_high"])],
                f.t("col_effect_est"): [
                    "—" if m == "target" else f"{e:+.4g} [{lo:+.4g}, {hi:+.4g}]"
                    for m, e, lo, hi in zip(r["method"], r["estimate"], r["ci_low"],
                                            r["ci_high"])],
                f.t("col_p"): r["p_value"].map(lambda p: _fmt(p, 3)),
                f.t("col_decision"): r["decision"].astype(str),
                f.t("col_revised"): r["revised_target"].map(_fmt),
            })
            self.review_html.value = html_table(rv)
        else:
            self.review_html.value = (f'<div class="ccom-note">{html.escape(f.t("no_review"))}'
                                      "</div>")
        c = d.cycle
        title = f"{c['cycle_id']} · {_topic(str(c['topic']), f.lang)} · {c['scope']}"
        if "review/fitted" in d.artifacts and len(d.artifacts["review/fitted"]):
            chart = review_chart(d.artifacts["review/fitted"], lang=f.lang, title=title)
        elif "define/history" in d.artifacts and len(d.artifacts["define/history"]):
            target = float(c["target"]) if pd.notna(c["target"]) else float("nan")
            chart = kpi_chart(d.artifacts["define/history"], target=target,
                              change_date=c["change_date"], lang=f.lang, title=title)
        else:
            chart = empty_chart(f.t("no_review"))
        self.chart.update(chart.properties(width=520))


def build_cycles(workspace: str = "", lang: str = "zh", cycle_id: str = "") -> CyclesApp:
    """Build the improvement-cycle tracker; display its ``.container``.

    Parameters
    ----------
    workspace : str, default ""
        Workspace file; ``""`` = ``$CCOM_WORKSPACE`` (set by ``ccom serve``). Opened read-only.
    lang : {'zh', 'en'}
    cycle_id : str, default ""
        Cycle shown first; ``""`` = the newest.
    """
    if lang not in ("zh", "en"):
        raise ParameterError.expected("build_cycles", "lang", "'zh' or 'en'", lang)
    return CyclesApp(workspace=workspace, lang=lang, cycle_id=cycle_id)
