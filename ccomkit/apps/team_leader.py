"""班组长 app: my team → an agent → profile, evidence, coaching plan and history; the team's
task tracker (tasks from above, from the floor and the leader's own plan; the week's summary).

Presentation layer over :mod:`ccomkit.teamlead` (profiles, development types, training needs,
coaching sessions and their follow-up). The app reads the workspace read-only
(:meth:`~ccomkit.store.Workspace.open_read`, one short connection per read) and writes only
coaching records and team-leader tasks, each save or update through :meth:`~ccomkit.store.Workspace.open_write`
(writer lock, copy-on-write, atomic swap: the guarantees of ingest), so a failed or refused
write leaves the workspace as it was and the message shows in the page.

Notebook: ``notebooks/apps/team_leader.ipynb`` (``ccom serve team_leader``).

Examples
--------
A tiny workspace: two agents of team T1 with two evaluations each.

>>> import tempfile, pathlib
>>> import pandas as pd
>>> from ccomkit.store import Workspace
>>> p = pathlib.Path(tempfile.mkdtemp()) / "ws.duckdb"
>>> ev = pd.DataFrame({"eval_id": ["E1", "E2", "E3", "E4"], "call_id": ["C1", "C2", "C3", "C4"],
...     "agent_id": ["A1", "A1", "A2", "A2"], "evaluator_id": "Q1", "form_version": "QA-2025.2",
...     "eval_date": ["2026-03-02", "2026-03-09", "2026-03-03", "2026-03-10"],
...     "total_score": [93.0, 93.0, 100.0, 98.0]})
>>> it = pd.DataFrame({"eval_id": ["E1", "E2", "E4"], "section": "attitude",
...     "item_code": ["A1_tone", "A1_tone", "A1_tone"], "max_points": 7.0,
...     "deducted_points": [7.0, 7.0, 2.0]})
>>> with Workspace.open_write(p, "example", create=True) as ws:
...     _ = ws.load_frame("agent_dim", pd.DataFrame({"agent_id": ["A1", "A2"],
...         "team_id": ["T1", "T1"], "hire_date": ["2025-01-01", "2025-01-01"]}), source="ex")
...     _ = ws.load_frame("qa_evaluation", ev, source="ex")
...     _ = ws.load_frame("qa_item", it, source="ex")
>>> app = build_team_leader(p, lang="en")
>>> app.team.value, app.agent.value, app.metric.value
('T1', 'A1', 'qa_item:A1_tone')
>>> app.commitment.value = "I replay one of my calls every day"
>>> app.save_session()
>>> app.sessions[["session_id", "target_metric", "status"]]
        session_id    target_metric status
0  CS20260310-A1-1  qa_item:A1_tone   open
"""

from __future__ import annotations

import html
import math
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import numpy as np
import pandas as pd

from ccomkit.apps.common import AppFrame, ChartView, css, html_table
from ccomkit.errors import ParameterError
from ccomkit.i18n import label
from ccomkit.quality.forms import load_form
from ccomkit.store import Workspace, resolve_workspace
from ccomkit.teamlead import coaching, development, profile, tasks, training_needs
from ccomkit.calendar import now_local

__all__ = ["TeamLeaderApp", "build_team_leader", "TEXT"]

TEXT: dict[str, tuple[str, str]] = {
    "title": ("班组长工作台", "Team leader workbench"),
    "team": ("我的班组", "My team"),
    "agent": ("座席", "Agent"),
    "h_team": ("班组概览", "Team overview"),
    "h_profile": ("员工画像", "Agent profile"),
    "h_evidence": ("依据", "Evidence"),
    "h_plan": ("辅导计划", "Coaching plan"),
    "h_history": ("辅导记录与跟进", "Coaching history and follow-up"),
    "h_needs": ("培训需求", "Training needs"),
    "h_team_needs": ("班组共性培训需求", "Team training needs"),
    "h_trend": ("质检得分趋势 (95% 区间, 虚线 = 班组)", "QA score trend (95% interval, dashed = team)"),
    "session_date": ("辅导日期", "Session date"),
    "due_date": ("完成期限", "Due date"),
    "target_metric": ("目标指标", "Target metric"),
    "target_value": ("目标值", "Target value"),
    "evidence_shown": ("沟通依据", "Evidence shown"),
    "strengths": ("优点", "Strengths"),
    "improvement_agreed": ("改进事项", "Improvement agreed"),
    "agent_commitment": ("员工承诺", "Agent's commitment"),
    "save": ("保存辅导记录", "Save coaching session"),
    "saved": ("已保存", "Saved"),
    "updated": ("已更新", "Updated"),
    "session_pick": ("辅导记录", "Session"),
    "new_status": ("状态", "Status"),
    "followup_note": ("跟进说明", "Follow-up note"),
    "update": ("更新记录", "Update session"),
    "no_sessions": ("暂无辅导记录", "No coaching session yet"),
    "no_agents": ("该班组暂无在岗座席", "No active agent in this team"),
    "baseline": ("基线(辅导前30天)", "Baseline (30 days before)"),
    "dev_type": ("发展类型", "Development type"),
    "need": ("培养方向", "Development need"),
    "reason": ("判定依据", "Why"),
    "also": ("同时符合", "Also matches"),
    "tenure": ("司龄(天)", "Tenure (days)"),
    "stage": ("阶段", "Stage"),
    "qa": ("质检均分 [95%区间]", "QA mean [95% CI]"),
    "team_qa": ("班组均分", "Team mean"),
    "gap": ("与班组差", "Gap to team"),
    "slope": ("月趋势", "Trend per month"),
    "improve": ("最值得改进", "Most worth improving"),
    "strength_items": ("相对优势", "Strengths"),
    "csat": ("满意率", "CSAT"),
    "aht": ("平均处理时长(秒)", "AHT (s)"),
    "complaints": ("有效投诉", "Valid complaints"),
    "commendations": ("表扬(5分评价)", "Commendations (5/5)"),
    "training": ("培训(次/学时)", "Training (sessions/hours)"),
    "window": ("统计窗口", "Window"),
    "metric": ("条件", "Condition"),
    "value": ("本人数值", "Value"),
    "threshold": ("阈值", "Threshold"),
    "held": ("满足", "Holds"),
    "shown": ("相关数据", "Context"),
    "type": ("类型", "Type"),
    "item": ("质检项", "QA item"),
    "freq": ("出现频率", "Frequency"),
    "pts": ("每单扣分", "Points lost per evaluation"),
    "team_pts": ("班组每单扣分", "Team points per evaluation"),
    "priority": ("优先度", "Priority"),
    "topic": ("培训主题", "Topic"),
    "n_evidence": ("依据条数", "Evidence"),
    "codes": ("依据明细", "Evidence codes"),
    "is_need": ("需培训", "Need"),
    "trained_since": ("已培训", "Trained since"),
    "n_agents": ("人数", "Agents"),
    "agents": ("座席", "Agents"),
    "mode": ("方式", "Mode"),
    "one_to_many": ("一对多培训", "one-to-many"),
    "one_to_one": ("一对一辅导", "one-to-one"),
    "session_id": ("编号", "Id"),
    "date": ("日期", "Date"),
    "target": ("目标", "Target"),
    "before": ("辅导前", "Before"),
    "after": ("辅导后", "After"),
    "outcome": ("结果", "Outcome"),
    "status": ("状态", "Status"),
    "overdue": ("逾期", "Overdue"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "met": ("已达成", "met"),
    "in_progress": ("进行中", "in progress"),
    "improved_not_met": ("有改善未达标", "improved, not met"),
    "ineffective": ("无效", "ineffective"),
    "no_data": ("数据不足", "not enough data"),
    "cancelled": ("已取消", "cancelled"),
    "open": ("进行中", "open"),
    "closed": ("已关闭", "closed"),
    "commitment_hint": ("请写下员工自己的话", "In the agent's own words"),
    "h_tasks": ("班组任务追踪", "Team task tracker"),
    "h_week": ("本周小结", "This week"),
    "task_title": ("任务内容", "Task"),
    "task_source": ("来源", "Source"),
    "task_owner": ("负责人", "Owner"),
    "task_due": ("期限", "Due"),
    "add_task": ("添加任务", "Add task"),
    "task_pick": ("未完成任务", "Open task"),
    "mark_done": ("标记完成", "Mark done"),
    "task_added": ("已添加", "Added"),
    "task_done": ("已完成", "Done"),
    "no_tasks": ("暂无任务", "No task yet"),
    "above": ("上级下达", "from above"),
    "floor": ("员工反馈", "from the floor"),
    "own": ("自身计划", "own plan"),
    "total": ("合计", "total"),
    "created": ("新建", "created"),
    "done": ("完成", "done"),
    "done_on_time": ("按期完成", "done on time"),
    "open_end": ("未完成", "open"),
    "overdue_end": ("逾期", "overdue"),
    "due_next_week": ("下周到期", "due next week"),
    "days_late": ("逾期天数", "days late"),
}

_STATUS_KEYS = ("open", "closed", "cancelled")
_STYLE = """<style>
.ccom-app-team-leader .ccom-h { font-weight: bold; font-size: 115%; margin: 14px 0 2px 0;
  border-bottom: 1px solid #ddd; }
</style>"""


def _fmt(v: Any, spec: str = "{:.1f}") -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return "—"
    if isinstance(v, (float, np.floating)):
        return spec.format(float(v))
    return str(v)


class TeamLeaderApp:
    """The team-leader workbench (see the module docstring).

    Attributes
    ----------
    container : ipywidgets.VBox
    frame : AppFrame
    profiles : DataFrame
        The team's profiles (:func:`ccomkit.teamlead.profile.agent_profiles`).
    types : DataFrame
        Their development types.
    sessions : DataFrame
        The selected agent's coaching records (newest first).
    follow : DataFrame
        Their follow-up (:func:`ccomkit.teamlead.coaching.follow_up`).
    """

    TABLES = ("agent_dim", "hr_event", "qa_evaluation", "qa_item", "csat_response", "complaint",
              "training_record", "agent_interval")

    def __init__(self, workspace: str | Path | None = None, lang: str = "zh", *,
                 window_days: int = 90, history_days: int = 365, today: Any = None,
                 team_id: str | None = None) -> None:
        self.path = resolve_workspace(workspace)
        self.team_id = team_id or None
        self.today = (pd.Timestamp(today) if today is not None else now_local()).normalize()
        self.window_days = window_days
        self.history_days = history_days
        self.form = load_form()
        self.rules = development.load_rules()
        self.mapping = training_needs.load_mapping()
        f = self.frame = AppFrame("team-leader", TEXT, lang=lang)
        style = {"description_width": "110px"}
        self.team = css(widgets.Dropdown(options=[], style=style), "team")
        self.agent = css(widgets.Dropdown(options=[], style=style,
                                          layout=widgets.Layout(width="320px")), "agent")
        f.text(self.team, "team")
        f.text(self.agent, "agent")
        self.team_table = css(widgets.HTML(), "team-table")
        self.team_needs = css(widgets.HTML(), "team-needs")
        self.profile_box = css(widgets.HTML(), "profile")
        self.evidence = css(widgets.HTML(), "evidence")
        self.needs = css(widgets.HTML(), "needs")
        self.chart = ChartView("trend")
        # plan form
        wide = widgets.Layout(width="640px")
        self.session_date = css(widgets.Text(style=style), "session-date")
        self.due_date = css(widgets.Text(style=style), "due-date")
        self.metric = css(widgets.Dropdown(options=[], style=style, layout=wide),
                          "target-metric")
        self.target_value = css(widgets.FloatText(style=style), "target-value")
        self.baseline = css(widgets.HTML(), "baseline")
        self.evidence_shown = css(widgets.Textarea(style=style, layout=wide), "evidence-shown")
        self.strengths = css(widgets.Textarea(style=style, layout=wide), "strengths")
        self.improvement = css(widgets.Textarea(style=style, layout=wide), "improvement")
        self.commitment = css(widgets.Textarea(style=style, layout=wide), "commitment")
        self.save_button = css(widgets.Button(button_style="primary",
                                              layout=widgets.Layout(width="200px")), "save")
        self.save_msg = css(widgets.HTML(), "save-msg")
        for w, k in ((self.session_date, "session_date"), (self.due_date, "due_date"),
                     (self.metric, "target_metric"), (self.target_value, "target_value"),
                     (self.evidence_shown, "evidence_shown"), (self.strengths, "strengths"),
                     (self.improvement, "improvement_agreed"),
                     (self.commitment, "agent_commitment"), (self.save_button, "save")):
            f.text(w, k)
        f.text(self.commitment, "commitment_hint", "placeholder")
        # history and update
        self.history = css(widgets.HTML(), "history")
        self.session_pick = css(widgets.Dropdown(options=[], style=style), "session-pick")
        self.new_status = css(widgets.Dropdown(options=[(f.t(k), k) for k in _STATUS_KEYS],
                                               style=style), "session-status")
        self.followup_note = css(widgets.Text(style=style, layout=wide), "followup-note")
        self.update_button = css(widgets.Button(layout=widgets.Layout(width="200px")), "update")
        for w, k in ((self.session_pick, "session_pick"), (self.new_status, "new_status"),
                     (self.followup_note, "followup_note"), (self.update_button, "update")):
            f.text(w, k)

        # task tracker
        self.task_list = css(widgets.HTML(), "tasks")
        self.week = css(widgets.HTML(), "week")
        self.task_title = css(widgets.Text(style=style, layout=wide), "task-title")
        self.task_source = css(widgets.Dropdown(options=[(f.t(k), k) for k in tasks.TASK_SOURCES],
                                                style=style), "task-source")
        self.task_owner = css(widgets.Text(style=style), "task-owner")
        self.task_due = css(widgets.Text(style=style), "task-due")
        self.add_task_button = css(widgets.Button(layout=widgets.Layout(width="200px")),
                                   "add-task")
        self.task_pick = css(widgets.Dropdown(options=[], style=style, layout=wide), "task-pick")
        self.mark_done_button = css(widgets.Button(layout=widgets.Layout(width="200px")),
                                    "mark-done")
        self.task_msg = css(widgets.HTML(), "task-msg")
        for w, k in ((self.task_title, "task_title"), (self.task_source, "task_source"),
                     (self.task_owner, "task_owner"), (self.task_due, "task_due"),
                     (self.add_task_button, "add_task"), (self.task_pick, "task_pick"),
                     (self.mark_done_button, "mark_done")):
            f.text(w, k)
        self.tasks = pd.DataFrame()

        def head(key: str) -> widgets.HTML:
            return f.text(css(widgets.HTML(), "h", f"h-{key}"), key, "value")

        f.body.children = [
            widgets.HTML(_STYLE), widgets.HBox([self.team, self.agent]),
            head("h_team"), self.team_table, head("h_team_needs"), self.team_needs,
            head("h_profile"), self.profile_box, head("h_trend"), self.chart.widget,
            head("h_evidence"), self.evidence, head("h_needs"), self.needs,
            head("h_plan"), widgets.HBox([self.session_date, self.due_date]), self.metric,
            widgets.HBox([self.target_value, self.baseline]), self.evidence_shown,
            self.strengths, self.improvement, self.commitment,
            widgets.HBox([self.save_button, self.save_msg]),
            head("h_history"), self.history,
            widgets.HBox([self.session_pick, self.new_status]), self.followup_note,
            self.update_button,
            head("h_tasks"), self.task_list, head("h_week"), self.week, self.task_title,
            widgets.HBox([self.task_source, self.task_owner, self.task_due]),
            widgets.HBox([self.add_task_button, self.task_msg]),
            widgets.HBox([self.task_pick, self.mark_done_button]),
        ]
        self._frames: dict[str, dict[str, pd.DataFrame]] = {}
        self.profiles = pd.DataFrame()
        self.types = pd.DataFrame()
        self.sessions = pd.DataFrame()
        self.follow = pd.DataFrame()
        self.as_of: pd.Timestamp | None = None
        self._quiet = False
        self.team.observe(lambda _c: None if self._quiet else f.run(self.select_team),
                          names="value")
        self.agent.observe(lambda _c: None if self._quiet else f.run(self.select_agent),
                           names="value")
        self.metric.observe(lambda _c: None if self._quiet else f.run(self.suggest_target),
                            names="value")
        self.save_button.on_click(lambda _b: f.run(self.save_session))
        self.update_button.on_click(lambda _b: f.run(self.update_session))
        self.add_task_button.on_click(lambda _b: f.run(self.add_task))
        self.mark_done_button.on_click(lambda _b: f.run(self.mark_task_done))
        f.on_lang(self.render)
        f.run(self.load)

    @property
    def container(self) -> widgets.VBox:
        """What the notebook displays."""
        return self.frame.container

    # -- data -----------------------------------------------------------------------------------
    def load(self) -> None:
        """Read the teams and select the first one."""
        with Workspace.open_read(self.path) as ws:
            # a team leader's view reads its own team's agents only (ids and names are personal)
            ad = (ws.read("agent_dim", where="team_id = ?", params=[self.team_id])
                  if self.team_id else ws.read("agent_dim"))
            known = (ws.query("SELECT DISTINCT team_id FROM agent_dim ORDER BY 1")["team_id"]
                     .astype(str).tolist() if self.team_id else [])
            last = ws.query("SELECT max(eval_date) AS d FROM qa_evaluation")["d"].iloc[0]
        if pd.isna(last):
            raise ParameterError(f"workspace {self.path} has no QA evaluation: load qa_evaluation "
                                 "first (the profiles are built from it)", param="workspace",
                                 value=str(self.path))
        self.as_of = pd.Timestamp(last).normalize()
        teams = sorted(profile.active_agents(ad, self.as_of)["team_id"].unique())
        team_id = self.team_id
        if team_id:  # a team leader's view: one team, the team list locked (no other team is read)
            if team_id not in teams:
                raise ParameterError(f"team {team_id!r} has no active agent in {self.path} "
                                     f"(teams: {', '.join(known) or 'none'})",
                                     param="team_id", value=team_id)
            teams = [team_id]
            self.team.disabled = True
        self._quiet = True
        self.team.options = teams
        self.team.value = teams[0] if teams else None
        self._quiet = False
        self.select_team()

    def team_frames(self, team_id: str) -> dict[str, pd.DataFrame]:
        """The team's rows of the tables the toolkit reads (cached per team)."""
        if team_id in self._frames:
            return self._frames[team_id]
        assert self.as_of is not None
        start = (self.as_of - pd.Timedelta(days=self.history_days)).date()
        sub = "agent_id IN (SELECT agent_id FROM agent_dim WHERE team_id = ?)"
        out: dict[str, pd.DataFrame] = {}
        with Workspace.open_read(self.path) as ws:
            out["agent_dim"] = ws.read("agent_dim", where=(
                "team_id = ? OR agent_id IN (SELECT team_leader_id FROM agent_dim "
                "WHERE team_id = ?)"), params=[team_id, team_id]) if self.team_id else \
                ws.read("agent_dim")  # a team's view reads its agents and their leader only
            out["hr_event"] = ws.read("hr_event", where=sub, params=[team_id])
            out["qa_evaluation"] = ws.read("qa_evaluation", where=f"{sub} AND eval_date > ?",
                                           params=[team_id, start])
            out["qa_item"] = ws.read("qa_item", where=(
                "eval_id IN (SELECT eval_id FROM qa_evaluation WHERE " + sub
                + " AND eval_date > ?)"), params=[team_id, start])
            out["csat_response"] = ws.read("csat_response", where=f"{sub} AND invited_at > ?",
                                           params=[team_id, start])
            out["complaint"] = ws.read("complaint", where=f"{sub} AND received_at > ?",
                                       params=[team_id, start])
            out["training_record"] = ws.read("training_record", where=sub, params=[team_id])
            out["agent_interval"] = ws.read(
                "agent_interval", columns=["agent_id", "interval_start", "talk_s", "hold_s",
                                           "acw_s", "handled"],
                where=f"{sub} AND interval_start > ?", params=[team_id, start])
        self._frames[team_id] = out
        return out

    def select_team(self) -> None:
        """Build the team's profiles, types and needs; select its first agent."""
        team = self.team.value
        if team is None:
            return
        fr = self.team_frames(team)
        self.profiles = profile.agent_profiles(fr, team_id=team, as_of=self.as_of,
                                               window_days=self.window_days, form=self.form)
        self.types = development.development_types(self.profiles, self.rules)
        self.evidence_rows = development.development_evidence(self.profiles, self.rules)
        ev = training_needs.training_evidence(fr, start=self.as_of - pd.Timedelta(
            days=self.window_days), end=self.as_of)
        self.agent_needs = training_needs.agent_training_needs(
            ev, self.mapping, min_count=3, training_record=fr["training_record"])
        # the team's profiled agents only (not its leader, not agents who left in the window)
        self.agent_needs = self.agent_needs[
            self.agent_needs["agent_id"].isin(self.profiles["agent_id"]).to_numpy()]
        self.team_need_table = training_needs.team_training_needs(self.agent_needs, k=3)
        ad = fr["agent_dim"].set_index("agent_id")
        opts = [(f"{a} {ad.loc[a, 'name']}" if "name" in ad.columns and
                 isinstance(ad.loc[a, "name"], str) else a, a) for a in self.profiles["agent_id"]]
        self._quiet = True
        self.agent.options = opts
        self.agent.value = opts[0][1] if opts else None
        self._quiet = False
        self.render_team()
        leaders = fr["agent_dim"].loc[fr["agent_dim"]["team_id"] == team, "team_leader_id"] \
            if "team_leader_id" in fr["agent_dim"].columns else pd.Series(dtype=object)
        leaders = leaders.dropna()
        self.task_owner.value = str(leaders.mode().iloc[0]) if len(leaders) else ""
        self.task_due.value = f"{self.today + pd.Timedelta(days=7):%Y-%m-%d}"
        self.refresh_tasks()
        self.select_agent()

    def select_agent(self) -> None:
        """Show the agent's profile, evidence and history; pre-fill the plan."""
        self.render_agent()
        self.prefill_plan()
        self.refresh_history()

    # -- the plan ---------------------------------------------------------------------------------
    def _metric_options(self) -> list[tuple[str, str]]:
        lang = self.frame.lang
        p = self.profiles.set_index("agent_id").loc[self.agent.value]
        items = [c for c in str(p["improve_items"]).split("|") if c]
        codes = [f"qa_item:{c}" for c in items] + list(coaching.TARGET_METRICS)
        for it in self.form.items:
            if not it.is_fatal and f"qa_item:{it.code}" not in codes:
                codes.append(f"qa_item:{it.code}")
        out = []
        for c in codes:
            info = coaching.metric_info(c, self.form)
            out.append((info["label_zh"] if lang == "zh" else info["label_en"], c))
        return out

    def prefill_plan(self) -> None:
        """Defaults for a new session: dates, the top improvement item, evidence and strengths."""
        if self.agent.value is None:
            return
        assert self.as_of is not None
        p = self.profiles.set_index("agent_id").loc[self.agent.value]
        self.session_date.value = f"{self.as_of:%Y-%m-%d}"
        self.due_date.value = f"{self.as_of + pd.Timedelta(days=30):%Y-%m-%d}"
        self._quiet = True
        self.metric.options = self._metric_options()
        self.metric.value = self.metric.options[0][1]
        self._quiet = False
        self.evidence_shown.value = self._evidence_text(p)
        self.strengths.value = ", ".join(self._item_label(c) for c in
                                         str(p["strengths"]).split("|") if c)
        top = str(p["improve_items"]).split("|")[0]
        self.improvement.value = self._item_label(top) if top else ""
        self.commitment.value = ""
        self.save_msg.value = ""
        self.suggest_target()

    def _item_label(self, code: str) -> str:
        try:
            it = self.form.item(code)
        except ParameterError:
            return code
        return it.label_zh if self.frame.lang == "zh" else it.label_en

    def _evidence_text(self, p: pd.Series) -> str:
        zh = self.frame.lang == "zh"
        parts = [(f"质检 {p['qa_n']} 单, 均分 {_fmt(p['qa_mean'])} (班组 {_fmt(p['team_qa_mean'])})"
                  if zh else f"QA {p['qa_n']} evaluations, mean {_fmt(p['qa_mean'])} "
                  f"(team {_fmt(p['team_qa_mean'])})")]
        if p["repeat_item"]:
            parts.append((f"{self._item_label(p['repeat_item'])} 扣分 {p['max_item_repeats']} 次"
                          if zh else f"{self._item_label(p['repeat_item'])} deducted "
                          f"{p['max_item_repeats']} times"))
        if p["n_valid_complaints"]:
            parts.append((f"有效投诉 {p['n_valid_complaints']} 件 ({p['top_root_cause']})" if zh
                          else f"{p['n_valid_complaints']} valid complaints "
                          f"({p['top_root_cause']})"))
        return "; ".join(parts)

    def suggest_target(self) -> None:
        """Measure the chosen metric's baseline (30 days before the session) and suggest a
        target: halve the points lost on a QA item, else a step in the better direction."""
        if self.agent.value is None or self.metric.value is None:
            return
        fr = self.team_frames(self.team.value)
        d0 = pd.Timestamp(self.session_date.value or self.as_of)
        info = coaching.metric_info(self.metric.value, self.form)
        val, n = coaching.measure(fr, self.agent.value, self.metric.value,
                                  d0 - pd.Timedelta(days=30), d0 - pd.Timedelta(days=1),
                                  form=self.form)
        self._baseline = val
        ref = val
        if math.isnan(ref):  # nothing in the 30 days: start from the profile window's value
            p = self.profiles.set_index("agent_id").loc[self.agent.value]
            ref = {"qa_score": p["qa_mean"], "csat": p["csat"], "aht_s": p["aht_s"]}.get(
                self.metric.value, float("nan"))
        if math.isnan(ref):
            target = {"points": 0.0 if self.metric.value.startswith("qa_item:") else 90.0,
                      "frac": 0.9, "s": 300.0}[info["unit"]]
        elif self.metric.value.startswith("qa_item:"):
            target = round(ref / 2, 1)
        elif info["unit"] == "frac":
            target = round(min(1.0, ref + 0.05), 2)
        elif info["unit"] == "s":
            target = round(ref * 0.95)
        else:
            target = round(min(info["hi"], ref + 3), 1)
        self.target_value.value = float(target)
        self.baseline.value = (f'<span class="ccom-note">{html.escape(self.frame.t("baseline"))}: '
                               f"{_fmt(val, '{:.3g}')} (n = {n})</span>")

    def save_session(self) -> None:
        """Validate the form as a SMART session and save it through the workspace writer."""
        self.save_msg.value = ""
        with Workspace.open_read(self.path) as ws:
            existing = coaching.read_sessions(ws, agent_id=self.agent.value)
        base = getattr(self, "_baseline", float("nan"))
        s = coaching.new_session(
            self.agent.value, self.session_date.value, target_metric=self.metric.value,
            target_value=float(self.target_value.value), due_date=self.due_date.value,
            evidence_shown=self.evidence_shown.value, strengths=self.strengths.value,
            improvement_agreed=self.improvement.value,
            agent_commitment=self.commitment.value, team_id=self.team.value,
            baseline_value=None if math.isnan(base) else base, existing=existing)
        with Workspace.open_write(self.path, f"coaching session {s['session_id'].iloc[0]}") as ws:
            coaching.save_sessions(ws, s)
        self.save_msg.value = (f'<span class="ccom-note">{html.escape(self.frame.t("saved"))}: '
                               f"{html.escape(s['session_id'].iloc[0])}</span>")
        self.refresh_history()

    def update_session(self) -> None:
        """Set the chosen session's status and follow-up note (through the workspace writer)."""
        sid = self.session_pick.value
        if sid is None:
            raise ParameterError.expected("update_session", "session", "a saved coaching "
                                          "session (save one first)", sid)
        with Workspace.open_write(self.path, f"coaching follow-up {sid}") as ws:
            coaching.update_session(ws, sid, status=self.new_status.value,
                                    follow_up_note=self.followup_note.value)
        self.save_msg.value = (f'<span class="ccom-note">{html.escape(self.frame.t("updated"))}: '
                               f"{html.escape(sid)}</span>")
        self.refresh_history()

    def refresh_history(self) -> None:
        """Re-read the agent's sessions and measure their follow-up."""
        if self.agent.value is None:
            self.sessions = pd.DataFrame()
            self.follow = pd.DataFrame()
        else:
            with Workspace.open_read(self.path) as ws:
                self.sessions = coaching.read_sessions(ws, agent_id=self.agent.value)
            self.follow = (coaching.follow_up(self.sessions, self.team_frames(self.team.value),
                                              form=self.form)
                           if len(self.sessions) else pd.DataFrame())
        ids = self.sessions["session_id"].tolist() if len(self.sessions) else []
        self._quiet = True
        self.session_pick.options = ids
        self.session_pick.value = ids[0] if ids else None
        self._quiet = False
        self.render_history()

    # -- the task tracker ---------------------------------------------------------------------------
    def refresh_tasks(self) -> None:
        """Re-read the team's tasks; list them with their overdue state and the week's summary."""
        with Workspace.open_read(self.path) as ws:
            self.tasks = tasks.read_tasks(ws, team_id=self.team.value)
        open_ = self.tasks[~self.tasks["status"].isin(["done", "cancelled"])] \
            if len(self.tasks) else self.tasks
        opts = [(f"{r.task_id} {r.title}", r.task_id) for r in open_.itertuples()] \
            if len(open_) else []
        self._quiet = True
        self.task_pick.options = opts
        self.task_pick.value = opts[0][1] if opts else None
        self._quiet = False
        self.render_tasks()

    def add_task(self) -> None:
        """Add a task created today (validated), through the workspace writer."""
        self.task_msg.value = ""
        with Workspace.open_read(self.path) as ws:
            existing = tasks.read_tasks(ws)
        t = tasks.new_task(self.task_title.value, self.task_source.value, self.task_owner.value,
                           self.today, self.task_due.value, team_id=self.team.value,
                           existing=existing)
        with Workspace.open_write(self.path, f"team-leader task {t['task_id'].iloc[0]}") as ws:
            tasks.save_tasks(ws, t)
        self.task_msg.value = (f'<span class="ccom-note">{html.escape(self.frame.t("task_added"))}'
                               f": {html.escape(t['task_id'].iloc[0])}</span>")
        self.task_title.value = ""
        self.refresh_tasks()

    def mark_task_done(self) -> None:
        """Mark the chosen open task done today, through the workspace writer."""
        tid = self.task_pick.value
        if tid is None:
            raise ParameterError.expected("mark_task_done", "task", "an open task (add one "
                                          "first)", tid)
        row = self.tasks[self.tasks["task_id"] == tid].copy()
        row["status"] = "done"
        row["done_date"] = self.today
        row["updated_at"] = now_local()
        with Workspace.open_write(self.path, f"team-leader task {tid} done") as ws:
            tasks.save_tasks(ws, row)
        self.task_msg.value = (f'<span class="ccom-note">{html.escape(self.frame.t("task_done"))}'
                               f": {html.escape(tid)}</span>")
        self.refresh_tasks()

    def render_tasks(self) -> None:
        f = self.frame
        if not len(self.tasks):
            self.task_list.value = f"<p>{html.escape(f.t('no_tasks'))}</p>"
            self.week.value = ""
            return
        st = tasks.task_status(self.tasks, self.today)
        tab = pd.DataFrame({
            f.t("session_id"): st["task_id"], f.t("task_title"): st["title"],
            f.t("task_source"): [f.t(x) for x in st["source"]],
            f.t("task_owner"): st["owner"],
            f.t("task_due"): st["due_date"].dt.strftime("%Y-%m-%d"),
            f.t("status"): [f.t(x) for x in st["status"]],
            f.t("overdue"): [f.t("yes") if x else f.t("no") for x in st["overdue"]],
            f.t("days_late"): st["days_late"].astype(str)})
        self.task_list.value = html_table(tab)
        monday = self.today - pd.Timedelta(days=self.today.weekday())
        w = tasks.weekly_summary(self.tasks, monday)
        w = w.assign(source=[f.t(x) for x in w["source"]])
        w.columns = [f.t("task_source") if c == "source" else f.t(c) for c in w.columns]
        self.week.value = (f'<div class="ccom-note">{monday:%Y-%m-%d} – '
                           f"{monday + pd.Timedelta(days=6):%Y-%m-%d}</div>" + html_table(w))

    # -- drawing ----------------------------------------------------------------------------------
    def render(self) -> None:
        """Redraw everything in the current language."""
        if self.agent.value is not None:
            cur = self.metric.value
            self._quiet = True
            self.metric.options = self._metric_options()
            self.metric.value = cur
            self._quiet = False
        self.new_status.options = [(self.frame.t(k), k) for k in _STATUS_KEYS]
        src = self.task_source.value
        self.task_source.options = [(self.frame.t(k), k) for k in tasks.TASK_SOURCES]
        self.task_source.value = src
        self.render_team()
        self.render_agent()
        self.render_history()
        self.render_tasks()

    def _type_label(self, code: str) -> str:
        t = {x.code: x for x in self.rules.types}.get(code)
        if t is None:
            return code
        return t.label_zh if self.frame.lang == "zh" else t.label_en

    def render_team(self) -> None:
        f = self.frame
        if self.profiles.empty:
            self.team_table.value = f"<p>{html.escape(f.t('no_agents'))}</p>"
            self.team_needs.value = ""
            return
        ty = self.types.set_index("agent_id")
        p = self.profiles
        tab = pd.DataFrame({
            f.t("agent"): p["agent_id"],
            f.t("dev_type"): [self._type_label(ty.loc[a, "dev_type"]) for a in p["agent_id"]],
            f.t("qa"): [f"{_fmt(m)} [{_fmt(lo)}, {_fmt(hi)}]" for m, lo, hi in
                        zip(p["qa_mean"], p["qa_ci_low"], p["qa_ci_high"])],
            f.t("gap"): [_fmt(g, "{:+.1f}") for g in p["qa_gap_to_team"]],
            f.t("improve"): [", ".join(self._item_label(c) for c in s.split("|") if c)
                             for s in p["improve_items"]],
            f.t("complaints"): p["n_valid_complaints"].astype(str),
        })
        self.team_table.value = html_table(tab)
        tn = self.team_need_table
        if len(tn):
            t2 = pd.DataFrame({
                f.t("topic"): tn["label_zh"] if f.lang == "zh" else tn["label_en"],
                f.t("n_agents"): tn["n_agents"].astype(str), f.t("agents"): tn["agents"],
                f.t("mode"): [f.t(m) for m in tn["mode"]]})
            self.team_needs.value = html_table(t2)
        else:
            self.team_needs.value = ""

    def render_agent(self) -> None:
        import altair as alt

        f = self.frame
        a = self.agent.value
        if a is None:
            self.profile_box.value = self.evidence.value = self.needs.value = ""
            return
        p = self.profiles.set_index("agent_id").loc[a]
        t = self.types.set_index("agent_id").loc[a]
        zh = f.lang == "zh"
        rows = [
            (f.t("dev_type"), self._type_label(t["dev_type"])),
            (f.t("need"), t["need_zh"] if zh else t["need_en"]),
            (f.t("reason"), t["reason"] if t["dev_type"] != self.rules.types[-1].code else
             ("之前的类型均不符合" if zh else "no earlier type matched")),
            (f.t("also"), ", ".join(self._type_label(c) for c in t["also_matches"].split("|")
                                    if c) or "—"),
            (f.t("tenure"), f"{p['tenure_days']} ({p['tenure_band']})"),
            (f.t("stage"), label(p["stage"], domain="stage", lang=f.lang) if p["stage"]
             else "—"),
            (f.t("qa"), f"{_fmt(p['qa_mean'])} [{_fmt(p['qa_ci_low'])}, "
                        f"{_fmt(p['qa_ci_high'])}] n = {p['qa_n']}"),
            (f.t("team_qa"), _fmt(p["team_qa_mean"])),
            (f.t("gap"), _fmt(p["qa_gap_to_team"], "{:+.1f}")),
            (f.t("slope"), _fmt(p["qa_slope_per_month"], "{:+.2f}")),
            (f.t("strength_items"), ", ".join(self._item_label(c) for c in
                                              p["strengths"].split("|") if c) or "—"),
            (f.t("improve"), ", ".join(self._item_label(c) for c in
                                       p["improve_items"].split("|") if c) or "—"),
            (f.t("csat"), f"{_fmt(p['csat'], '{:.1%}')} (n = {p['csat_n']})"),
            (f.t("aht"), _fmt(p["aht_s"], "{:.0f}")),
            (f.t("complaints"), f"{p['n_valid_complaints']}"
             + (f" ({p['top_root_cause']})" if p["top_root_cause"] else "")),
            (f.t("commendations"), str(p["n_commendations"])),
            (f.t("training"), f"{p['n_trainings']} / {p['training_hours']:g}"),
            (f.t("window"), f"{p['window_start']:%Y-%m-%d} – {p['as_of']:%Y-%m-%d}"),
        ]
        self.profile_box.value = html_table(pd.DataFrame(rows, columns=["", a]))
        ev = self.evidence_rows[self.evidence_rows["agent_id"] == a]
        ev = ev[ev["block"] != "fallback"]
        et = pd.DataFrame({
            f.t("type"): [self._type_label(c) for c in ev["type_code"]],
            f.t("metric"): ev["metric"], f.t("value"): ev["value"],
            f.t("threshold"): ev["op"] + " " + ev["threshold"],
            f.t("held"): [f.t("yes") if h else f.t("no") for h in ev["held"]],
            f.t("shown"): ev["shown"]})
        gaps = profile.item_gaps(
            profile.window_evaluations(self.team_frames(self.team.value)["qa_evaluation"],
                                       p["window_start"], p["as_of"]),
            self.team_frames(self.team.value)["qa_item"],
            self.team_frames(self.team.value)["agent_dim"][lambda d: d["team_id"]
                                                           == self.team.value], form=self.form)
        g = gaps[(gaps["agent_id"] == a) & (gaps["n_deductions"] > 0)].sort_values(
            "priority", ascending=False).head(5)
        gt = pd.DataFrame({f.t("item"): [self._item_label(c) for c in g["item_code"]],
                           f.t("freq"): [f"{x:.0%}" for x in g["freq"]],
                           f.t("pts"): g["points_per_eval"].round(2),
                           f.t("team_pts"): g["team_points_per_eval"].round(2),
                           f.t("priority"): g["priority"].round(2)})
        self.evidence.value = html_table(et) + html_table(gt)
        n = self.agent_needs[self.agent_needs["agent_id"] == a]
        nt = pd.DataFrame({f.t("topic"): n["label_zh"] if zh else n["label_en"],
                           f.t("n_evidence"): n["n_evidence"].astype(str),
                           f.t("codes"): n["codes"],
                           f.t("is_need"): [f.t("yes") if x else f.t("no") for x in n["is_need"]],
                           f.t("trained_since"): [f.t("yes") if x else f.t("no")
                                                  for x in n["trained_since"]]})
        self.needs.value = html_table(nt)
        fr = self.team_frames(self.team.value)
        tr = profile.kpi_trends(fr, agent_ids=[a], kpis=("qa_score",))
        if len(tr):
            base = alt.Chart(tr).encode(x=alt.X("period:T", title=None))
            band = base.mark_area(opacity=0.2).encode(
                y=alt.Y("ci_low:Q", title=f.t("qa"), scale=alt.Scale(zero=False)),
                y2="ci_high:Q")
            line = base.mark_line(point=True).encode(y="value:Q", tooltip=[
                "period:T", alt.Tooltip("value:Q", format=".1f"), "n:Q"])
            team = base.mark_line(strokeDash=[4, 3], color="gray").encode(y="team_value:Q")
            self.chart.update((band + line + team).properties(width=640, height=200))

    def render_history(self) -> None:
        f = self.frame
        if not len(self.sessions):
            self.history.value = f"<p>{html.escape(f.t('no_sessions'))}</p>"
            return
        fu = self.follow.set_index("session_id")
        s = self.sessions
        zh = f.lang == "zh"
        labels = [coaching.metric_info(m, self.form)["label_zh" if zh else "label_en"]
                  for m in s["target_metric"]]
        tab = pd.DataFrame({
            f.t("session_id"): s["session_id"],
            f.t("date"): s["session_date"].dt.strftime("%Y-%m-%d"),
            f.t("target"): [f"{lab} → {_fmt(v, '{:.3g}')}" for lab, v in
                            zip(labels, s["target_value"])],
            f.t("due_date"): s["due_date"].dt.strftime("%Y-%m-%d"),
            f.t("agent_commitment"): s["agent_commitment"],
            f.t("before"): [_fmt(fu.loc[i, "before_value"], "{:.3g}") for i in s["session_id"]],
            f.t("after"): [_fmt(fu.loc[i, "after_value"], "{:.3g}") for i in s["session_id"]],
            f.t("outcome"): [f.t(fu.loc[i, "outcome"]) for i in s["session_id"]],
            f.t("status"): [f.t(x) for x in s["status"]],
            f.t("overdue"): [f.t("yes") if fu.loc[i, "overdue"] else f.t("no")
                             for i in s["session_id"]],
        })
        self.history.value = html_table(tab)


def build_team_leader(workspace: str | Path | None = None, lang: str = "zh", *,
                      today: Any = None, team_id: str | None = None) -> TeamLeaderApp:
    """Build the team-leader app on a workspace (default ``$CCOM_WORKSPACE`` or the project's);
    display its ``.container``. ``today`` (default: today) dates new tasks and the week shown.
    ``team_id`` (default ``$CCOM_TEAM``, else every team) limits the app to one team: a team
    leader sees and reads only their own team's agents."""
    import os  # noqa: PLC0415

    team = team_id if team_id not in ("", None) else os.environ.get("CCOM_TEAM") or None
    return TeamLeaderApp(workspace if workspace not in ("", None) else None, lang=lang,
                         today=today, team_id=team)
