"""KPI scorecard app: role scorecards, grades, trends and the driver tree.

Presentation layer over :mod:`ccomkit.performance`: the role scorecard
(:func:`~ccomkit.performance.scorecard_months` / :func:`~ccomkit.performance.scorecard_totals`,
shipped YAML cards 座席代表 / 值班长 / 品管培训岗 / 信息协调岗), grades A/B+/B-/C/D
(:func:`~ccomkit.performance.grade`), each person's or team's total over the months, and the
driver tree (绩效拆解) — the exact LMDI split of the staffing ratio's change between the month
and the one before (:func:`~ccomkit.performance.decompose_staffing`).

The workspace tables of the last ``months`` months are read once (read-only); a scorecard is
computed once per role (a few seconds: the busy indicator shows) and every other change
(month, team, person, language) is recomputed from memory.

Notebook: ``notebooks/apps/kpi_scorecard.ipynb``.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets
import numpy as np
import pandas as pd

from ccomkit.apps.common import AppFrame, ChartView, css, empty_chart, html_table, workspace_path
from ccomkit.errors import ParameterError
from ccomkit.i18n import label

__all__ = ["ScorecardApp", "build_scorecard", "ROLES"]

ALL = ""
ROLES = ("agent", "duty_lead", "qa_trainer", "coordinator")
"""The shipped scorecards, in menu order."""
GRADES = ("A", "B+", "B-", "C", "D")
TEXT: dict[str, tuple[str, str]] = {
    "title": ("绩效考核看板", "KPI scorecard"),
    "role": ("考核表", "Scorecard"),
    "month": ("月份", "Month"),
    "team": ("班组", "Team"),
    "person": ("人员", "Person"),
    "all": ("全部", "All"),
    "agent": ("座席代表", "Agents"),
    "duty_lead": ("值班长/组长", "Duty leads / team leaders"),
    "qa_trainer": ("品管培训岗", "QA / trainers"),
    "coordinator": ("信息协调岗", "Coordinators"),
    "n_people": ("人数", "People"),
    "mean_score": ("平均总分", "Mean total"),
    "grades": ("等级分布", "Grades"),
    "person_col": ("人员", "Person"),
    "team_col": ("班组", "Team"),
    "total": ("总分", "Total"),
    "grade": ("等级", "Grade"),
    "rank": ("排名", "Rank"),
    "count": ("人数", "People"),
    "trend": ("总分趋势", "Total score trend"),
    "grade_title": ("等级分布", "Grade distribution"),
    "drivers_title": ("人力满足率变化拆解(较上月)", "Staffing ratio: change vs the month before"),
    "no_people": ("该考核表本月无人员", "Nobody on this scorecard this month"),
    "no_drivers": ("无上月数据, 无法拆解", "No previous month to compare"),
    "coaching_note": ("排名靠后仅作辅导触发, 绝不作为辞退依据。",
                      "A low rank triggers coaching only, never a dismissal decision."),
}


class ScorecardApp:
    """The KPI scorecard: role, month, team and person selectors; table and three charts.

    Attributes
    ----------
    container : ipywidgets.VBox
    frame : AppFrame
    totals : DataFrame
        All months' totals of the current role (``period, agent_id, team_id, total_score`` …).
    graded : DataFrame
        The month's totals with grades, narrowed to the team.
    drivers : DataFrame
        The staffing-ratio decomposition of the month against the one before.
    """

    def __init__(self, workspace: str = "", lang: str = "zh", role: str = "agent",
                 months: int = 4) -> None:
        if role not in ROLES:
            raise ParameterError.expected("build_scorecard", "role", f"one of {ROLES}", role)
        f = self.frame = AppFrame("scorecard", TEXT, lang=lang)
        self.workspace = workspace
        self.n_months = int(months)
        self.tables: dict[str, pd.DataFrame] | None = None
        self._cards: dict[str, pd.DataFrame] = {}
        self._drivers: dict[str, pd.DataFrame] = {}
        self._load_error: Exception | None = None
        self._quiet = False
        style = {"description_width": "70px"}
        lay = widgets.Layout(width="260px")
        self.role = css(widgets.Dropdown(options=[], style=style, layout=lay), "role")
        self.month = css(widgets.Dropdown(options=[], style=style, layout=lay), "month")
        self.team = css(widgets.Dropdown(options=[], style=style, layout=lay), "team")
        self.person = css(widgets.Dropdown(options=[], style=style, layout=lay), "person")
        for w, k in ((self.role, "role"), (self.month, "month"), (self.team, "team"),
                     (self.person, "person")):
            f.text(w, k)
        self.summary_html = css(widgets.HTML(), "summary", "result")
        self.table = css(widgets.HTML(), "scorecard-table")
        self.note = css(widgets.HTML(), "note")
        self.charts = {n: ChartView(n) for n in ("grades", "trend", "drivers")}
        self.totals = self.graded = self.drivers = pd.DataFrame()
        self.card = pd.DataFrame()
        f.body.children = [
            widgets.HBox([self.role, self.month, self.team, self.person],
                         layout=widgets.Layout(flex_flow="row wrap")),
            self.summary_html,
            widgets.HBox([widgets.VBox([self.table, self.note],
                                       layout=widgets.Layout(max_height="420px",
                                                             overflow="auto", width="560px")),
                          self.charts["grades"].widget]),
            widgets.HBox([self.charts["trend"].widget, self.charts["drivers"].widget]),
        ]
        self._role0 = role
        f.run(self._load)
        f.observe(self._on_role, self.role)
        f.observe(self._on_team, self.team)
        f.observe(self.update, self.month, self.person)
        f.on_lang(self._relabel_options)
        f.on_lang(self.update)
        f.run(self.update)

    @property
    def container(self) -> widgets.VBox:
        """What the notebook displays."""
        return self.frame.container

    # -- data -------------------------------------------------------------------------------
    def _load(self) -> None:
        from ccomkit.quality.workshop import QualityWorkshopParams, load_tables

        try:
            params = QualityWorkshopParams(workspace=workspace_path(self.workspace) or "",
                                           trend_months=self.n_months,
                                           bottom_months=self.n_months)
            data = load_tables(params)
        except Exception as exc:
            self._load_error = exc
            raise
        self.tables = data.tables
        last = data.params.period
        self._months = [str(last - k) for k in range(self.n_months - 1, -1, -1)]
        self._relabel_options(role=self._role0, month=str(last))

    def _card(self, role: str) -> pd.DataFrame:
        from ccomkit.performance import scorecard_months

        if role not in self._cards:
            self._cards[role] = scorecard_months(self.tables, role,
                                                 [pd.Period(m, freq="M") for m in self._months])
        return self._cards[role]

    def _relabel_options(self, role: str | None = None, month: str | None = None) -> None:
        if self.tables is None:
            return
        f = self.frame
        self._quiet = True
        try:
            role = role or self.role.value
            month = month or self.month.value
            self.role.options = [(f.t(r), r) for r in ROLES]
            self.role.value = role
            self.month.options = self._months
            self.month.value = month
            self._team_person_options(keep_team=self.team.value, keep_person=self.person.value)
        finally:
            self._quiet = False

    def _team_person_options(self, keep_team: Any = None, keep_person: Any = None) -> None:
        f = self.frame
        card = self._card(self.role.value)
        teams = sorted(card["team_id"].dropna().astype(str).unique())
        self.team.options = [(f.t("all"), ALL)] + [(t, t) for t in teams]
        self.team.value = keep_team if keep_team in teams else ALL
        people = card if not self.team.value else card[
            (card["team_id"].astype(str) == self.team.value).to_numpy()]
        ids = sorted(people["agent_id"].dropna().astype(str).unique())
        self.person.options = [(f.t("all"), ALL)] + [(p, p) for p in ids]
        self.person.value = keep_person if keep_person in ids else ALL

    def _on_role(self) -> None:
        if self._quiet or self.tables is None:
            return
        self._quiet = True
        try:
            self._team_person_options()
        finally:
            self._quiet = False
        self.update()

    def _on_team(self) -> None:
        if self._quiet or self.tables is None:
            return
        self._quiet = True
        try:
            self._team_person_options(keep_team=self.team.value)
        finally:
            self._quiet = False
        self.update()

    # -- the update path --------------------------------------------------------------------
    def update(self) -> None:
        """Recompute the month's scorecard view for the current selectors and redraw."""
        if self.tables is None and self._load_error is not None:
            raise self._load_error
        if self._quiet or self.tables is None:
            return
        from ccomkit.performance import decompose_staffing, grade, scorecard_totals

        f = self.frame
        role, month, team, person = (self.role.value, self.month.value, self.team.value or ALL,
                                     self.person.value or ALL)
        card = self._card(role)
        self.card = card
        totals = scorecard_totals(card) if len(card) else pd.DataFrame(
            columns=["period", "agent_id", "team_id", "role", "total_score"])
        totals["period"] = totals["period"].astype(str)
        self.totals = totals
        month_tot = totals[(totals["period"] == month).to_numpy()].reset_index(drop=True)
        graded = grade(month_tot, by="role") if len(month_tot) else month_tot.assign(
            grade=pd.Series(dtype=object), rank=pd.Series(dtype=float))
        if team:
            graded = graded[(graded["team_id"].astype(str) == team).to_numpy()]
        self.graded = graded.sort_values("total_score", ascending=False).reset_index(drop=True)
        if month not in self._drivers:
            base = str(pd.Period(month, freq="M") - 1)
            ai = self.tables["agent_interval"]
            has_base = (pd.to_datetime(ai["interval_start"]).dt.to_period("M").astype(str)
                        == base).any()
            self._drivers[month] = decompose_staffing(
                ai, self.tables["acd_interval"], base, month) if has_base else pd.DataFrame()
        self.drivers = self._drivers[month]
        self._render_summary()
        self._render_table()
        self._draw(person)

    def _render_summary(self) -> None:
        f = self.frame
        g = self.graded
        counts = g["grade"].value_counts() if len(g) else pd.Series(dtype=int)
        grades = " ".join(f"{k}:{int(counts.get(k, 0))}" for k in GRADES)
        mean = f"{g['total_score'].mean():.1f}" if len(g) else "—"
        parts = [f"<b>{html.escape(f.t('role'))}</b> {html.escape(f.t(self.role.value))}",
                 f"<b>{html.escape(f.t('month'))}</b> {html.escape(str(self.month.value))}",
                 f"<b>{html.escape(f.t('n_people'))}</b> {len(g)}",
                 f"<b>{html.escape(f.t('mean_score'))}</b> {mean}",
                 f"<b>{html.escape(f.t('grades'))}</b> {html.escape(grades)}"]
        self.summary_html.value = '<div class="ccom-summary-line">' + " · ".join(parts) + "</div>"

    def _render_table(self) -> None:
        f = self.frame
        g = self.graded
        if not len(g):
            self.table.value = f'<div class="ccom-note">{html.escape(f.t("no_people"))}</div>'
            self.note.value = ""
            return
        month_card = self.card[(self.card["period"].astype(str) == self.month.value).to_numpy()]
        items = month_card.pivot_table(index="agent_id", columns="item_id", values="points",
                                       aggfunc="first")
        shown = g[["agent_id", "team_id", "total_score", "grade", "rank"]].merge(
            items, left_on="agent_id", right_index=True, how="left")
        shown["grade"] = shown["grade"].map(lambda c: label(c, f.lang, "grade"))
        shown["rank"] = shown["rank"].map(lambda v: "" if pd.isna(v) else str(int(v)))
        shown = shown.rename(columns={"agent_id": f.t("person_col"), "team_id": f.t("team_col"),
                                      "total_score": f.t("total"), "grade": f.t("grade"),
                                      "rank": f.t("rank")})
        self.table.value = html_table(shown, float_format="{:.1f}")
        self.note.value = f'<div class="ccom-note">{html.escape(f.t("coaching_note"))}</div>'

    def _draw(self, person: str) -> None:
        import altair as alt

        f = self.frame
        g = self.graded
        if len(g):
            counts = g.groupby("grade", observed=True).size().reindex(list(GRADES), fill_value=0)
            gd = pd.DataFrame({"grade": [label(k, f.lang, "grade") for k in GRADES],
                               "code": list(GRADES), "count": counts.to_numpy()})
            chart = alt.Chart(gd).mark_bar().encode(
                x=alt.X("grade:N", sort=list(gd["grade"]), title=f.t("grade")),
                y=alt.Y("count:Q", title=f.t("count")),
                color=alt.Color("code:N", legend=None, sort=list(GRADES),
                                scale=alt.Scale(scheme="redyellowgreen", reverse=True)),
                tooltip=["grade", "count"]).properties(width=300, height=220,
                                                       title=f.t("grade_title"))
        else:
            chart = empty_chart(f.t("no_people"))
        self.charts["grades"].update(chart)

        tot = self.totals
        team = self.team.value or ALL
        if len(tot):
            if team:
                tot = tot[(tot["team_id"].astype(str) == team).to_numpy()]
            series = tot.groupby(["period", "team_id"], as_index=False)["total_score"].mean()
            series = series.rename(columns={"team_id": "series"})
            if person:
                one = tot[(tot["agent_id"].astype(str) == person).to_numpy()]
                series = pd.concat([series, one[["period", "total_score"]].assign(series=person)])
            chart = alt.Chart(series).mark_line(point=True).encode(
                x=alt.X("period:O", title=f.t("month")),
                y=alt.Y("total_score:Q", title=f.t("total"), scale=alt.Scale(zero=False)),
                color=alt.Color("series:N", title=f"{f.t('team_col')} / {f.t('person_col')}"),
                strokeWidth=alt.condition(alt.datum.series == person, alt.value(4),
                                          alt.value(1.5)),
                tooltip=["series", "period", alt.Tooltip("total_score:Q", format=".1f")],
            ).properties(width=420, height=220, title=f.t("trend"))
        else:
            chart = empty_chart(f.t("no_people"))
        self.charts["trend"].update(chart)

        if len(self.drivers):
            from ccomkit.performance import contribution_chart

            chart = contribution_chart(self.drivers, title=f.t("drivers_title"))
        else:
            chart = empty_chart(f.t("no_drivers"))
        self.charts["drivers"].update(chart)


def build_scorecard(workspace: str = "", lang: str = "zh", role: str = "agent",
                    months: int = 4) -> ScorecardApp:
    """Build the KPI scorecard app; display its ``.container``.

    Parameters
    ----------
    workspace : str, default ""
        Workspace file; ``""`` = ``$CCOM_WORKSPACE`` (set by ``ccom serve``). Opened read-only.
    lang : {'zh', 'en'}
    role : str, default 'agent'
        First scorecard shown: one of :data:`ROLES`.
    months : int, default 4
        Months read and scored (the trend), ending with the latest full month.
    """
    if lang not in ("zh", "en"):
        raise ParameterError.expected("build_scorecard", "lang", "'zh' or 'en'", lang)
    if not isinstance(months, int) or months < 2:
        raise ParameterError.expected("build_scorecard", "months", "an int >= 2", months)
    return ScorecardApp(workspace=workspace, lang=lang, role=role, months=months)
