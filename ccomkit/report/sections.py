"""Sections of the daily, weekly and monthly operations reports (DOMAIN.md §7).

Presentation layer. Each section function takes a :class:`ReportContext` (workspace, period,
language, pseudonymisation) and returns a :class:`Section`: the numbers as tidy DataFrames
(``tables``, values in their units, fractions 0..1), the same tables formatted for people
(``display``: percent with one decimal, thousands separators, red/amber/green status) and altair
charts (``charts``). Displaying a section in a notebook (its ``_ipython_display_``) shows a
heading, the tables and the charts; under papermill the charts are SVG
(:func:`ccomkit.report.charts.enable_offline`), so the HTML report opens with no network.

KPIs come from :mod:`ccomkit.kpi` (sums of numerators and denominators: the period's interval
rows are summed in DuckDB per queue and threshold first, then ``kpi.compute`` divides), targets
and tolerances from ``kpi_target`` (scope ``center``), labels from :mod:`ccomkit.i18n` (domain
``report``), and the domain analyses from ``ccomkit.quality``, ``ccomkit.cx``, ``ccomkit.people``
and ``ccomkit.wfm``.

Examples
--------
>>> from ccomkit.report.sections import period_bounds
>>> period_bounds("daily", "2026-03-04")
(Timestamp('2026-03-04 00:00:00'), Timestamp('2026-03-05 00:00:00'), Timestamp('2026-03-03 00:00:00'))
>>> period_bounds("weekly", "2026-03-04")[0], period_bounds("monthly", "2026-03")[1]
(Timestamp('2026-03-02 00:00:00'), Timestamp('2026-04-01 00:00:00'))
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from ccomkit import kpi
from ccomkit.errors import ParameterError, WorkspaceError
from ccomkit.i18n import label
from ccomkit.report.format import fmt_change, fmt_count, fmt_kpi, fmt_num, fmt_pct, html_table, rag

__all__ = [
    "KINDS",
    "ReportContext",
    "Section",
    "actions",
    "attendance",
    "capacity",
    "complaints",
    "context",
    "cover",
    "csat",
    "forecast_accuracy",
    "headline",
    "interval_profile",
    "league",
    "people",
    "period_bounds",
    "qa",
    "trends",
]

Kind = Literal["daily", "weekly", "monthly"]
KINDS: tuple[str, ...] = ("daily", "weekly", "monthly")

_ACD_SUMS = ("offered", "answered", "answered_within_t", "abandoned", "abandoned_short",
             "abandoned_within_t", "handled", "sum_wait_answered_s", "sum_wait_abandoned_s",
             "sum_talk_s", "sum_hold_s", "sum_acw_s")
_AGENT_SUMS = ("login_s", "ready_idle_s", "talk_s", "hold_s", "acw_s", "aux_break_s",
               "aux_meal_s", "aux_training_s", "aux_meeting_s", "aux_coaching_s", "aux_other_s",
               "handled")
_ACD_KPIS = ("service_level", "answer_rate", "abandon_rate", "asa_s", "aht_s")
_OWN_FOR = ("service_level", "abandon_rate", "answer_rate")


def _own(kpis: Sequence[str]) -> dict[str, dict[str, bool]]:
    """Each queue keeps its own service-level threshold (VIP 10 s, chat 30 s …)."""
    return {k: {"own_thresholds": True} for k in kpis if k in _OWN_FOR}


def L(code: str, lang: str) -> str:
    """The report label of ``code`` (i18n domain ``report``, codes stored as ``rpt_<code>``)."""
    return label(f"rpt_{code}", lang, domain="report").removeprefix("rpt_")


# ------------------------------------------------------------------------------------------------
# Context
# ------------------------------------------------------------------------------------------------


def period_bounds(kind: str, period: str) -> tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp]:
    """``(start, end, previous_start)`` of the report period (end exclusive).

    ``daily``: the day ``YYYY-MM-DD``; ``weekly``: the Monday-to-Sunday week holding the date;
    ``monthly``: the month ``YYYY-MM``.
    """
    if kind not in KINDS:
        raise ParameterError.expected("period_bounds", "kind", "one of daily, weekly, monthly", kind)
    pattern = r"\d{4}-\d{2}" if kind == "monthly" else r"\d{4}-\d{2}-\d{2}"
    try:
        if not re.fullmatch(pattern, str(period).strip()):
            raise ValueError(period)
        if kind == "monthly":
            m = pd.Period(period, freq="M")
            return m.start_time, (m + 1).start_time, (m - 1).start_time
        day = pd.Timestamp(period).normalize()
    except (ValueError, TypeError):
        fmt = "a month YYYY-MM" if kind == "monthly" else "a date YYYY-MM-DD"
        raise ParameterError.expected(f"{kind} report", "period", fmt, period) from None
    if kind == "daily":
        return day, day + pd.Timedelta(days=1), day - pd.Timedelta(days=1)
    start = day - pd.Timedelta(days=day.weekday())
    return start, start + pd.Timedelta(days=7), start - pd.Timedelta(days=7)


@dataclass
class ReportContext:
    """What every section needs: the workspace, the period and how to present it."""

    workspace: str
    kind: str
    start: pd.Timestamp
    end: pd.Timestamp
    prev_start: pd.Timestamp
    lang: str = "zh"
    pseudonymise: bool = False
    queues: tuple[str, ...] = ()
    history_weeks: int = 8
    tolerance_frac: float = 0.05
    team_id: str = ""
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def label(self) -> str:
        """The period as people write it (``2026-03-04``, ``2026-03-02 – 2026-03-08``, ``2026-03``)."""
        if self.kind == "daily":
            return self.start.strftime("%Y-%m-%d")
        if self.kind == "weekly":
            return (f"{self.start.strftime('%Y-%m-%d')} – "
                    f"{(self.end - pd.Timedelta(days=1)).strftime('%Y-%m-%d')}")
        return self.start.strftime("%Y-%m")

    def _raw_query(self, sql: str, params: list[Any] | None = None) -> pd.DataFrame:
        from ccomkit.store import Workspace

        with Workspace.open_read(self.workspace or None) as ws:
            return ws.query(sql, params)

    def agent_teams(self) -> pd.DataFrame:
        """``agent_id, team_id`` of every agent in ``agent_dim`` (cached)."""
        if "agent_teams" not in self._cache:
            self._cache["agent_teams"] = self._raw_query(
                "SELECT agent_id, team_id FROM agent_dim")
        return self._cache["agent_teams"]

    def query(self, sql: str, params: list[Any] | None = None) -> pd.DataFrame:
        """Run read-only SQL on the workspace.

        With ``team_id`` set (a team leader's view) every result holding an ``agent_id`` or
        ``team_id`` column keeps only that team's rows (:func:`ccomkit.privacy.limit_to_team`),
        so no section can show another team's agents; results without either column (queue
        KPIs, sums over all agents) are center figures and pass unchanged.
        """
        frame = self._raw_query(sql, params)
        if self.team_id and ("agent_id" in frame.columns or "team_id" in frame.columns):
            from ccomkit.privacy import limit_to_team

            frame = limit_to_team(frame, self.team_id, self.agent_teams()).reset_index(drop=True)
        return frame

    def queue_filter(self, col: str = "queue_id") -> tuple[str, list[Any]]:
        """``AND queue_id IN (…)`` for the chosen queues ('' for all)."""
        if not self.queues:
            return "", []
        return f" AND {col} IN ({', '.join('?' * len(self.queues))})", list(self.queues)

    def agent_code(self) -> Callable[[pd.Series], pd.Series]:
        """Maps agent ids to what the report shows: the id, or, with ``pseudonymise``, the
        stable code of :func:`ccomkit.privacy.agent_codes` keyed with the workspace's salt (the
        same code in every report of this workspace)."""
        if not self.pseudonymise:
            return lambda s: s.astype("string")
        from ccomkit.privacy import agent_codes
        from ccomkit.store import Workspace

        if "salt" not in self._cache:
            with Workspace.open_read(self.workspace or None) as ws:
                self._cache["salt"] = ws.salt

        def code(s: pd.Series) -> pd.Series:
            codes = agent_codes(s.tolist(), self._cache["salt"])
            return s.map(lambda v: None if pd.isna(v) else codes[str(v)]).astype("string")

        return code


def _latest(ctx_workspace: str, kind: str) -> str:
    from ccomkit.store import Workspace

    with Workspace.open_read(ctx_workspace or None) as ws:
        last = ws.query("SELECT max(interval_start) AS t FROM acd_interval")["t"].iloc[0]
    if last is None or pd.isna(last):
        raise WorkspaceError("acd_interval is empty: ingest ACD data (or run `ccom demo`) first")
    last = pd.Timestamp(last)
    day_end = last.normalize()
    if last < day_end + pd.Timedelta(hours=23):  # the last day is not complete
        day_end -= pd.Timedelta(days=1)
    if kind == "daily":
        return day_end.strftime("%Y-%m-%d")
    if kind == "weekly":
        sunday = day_end - pd.Timedelta(days=(day_end.weekday() + 1) % 7)
        return sunday.strftime("%Y-%m-%d")
    month = day_end.to_period("M")
    if day_end != (month + 1).start_time - pd.Timedelta(days=1):
        month -= 1
    return str(month)


def context(workspace: str = "", kind: str = "daily", period: str = "", *, lang: str = "zh",
            pseudonymise: bool = False, queues: str | Sequence[str] = "",
            history_weeks: int = 8, tolerance_frac: float = 0.05,
            team_id: str = "") -> ReportContext:
    """Check the report parameters and fix the period (default: the latest complete one).

    Parameters
    ----------
    workspace : str
        Workspace file; empty: ``$CCOM_WORKSPACE`` or ``data/workspace.duckdb``.
    kind : {'daily', 'weekly', 'monthly'}
    period : str
        ``YYYY-MM-DD`` (daily; weekly: any day of the week) or ``YYYY-MM`` (monthly); empty: the
        latest complete period in ``acd_interval``.
    lang : {'zh', 'en'}
    pseudonymise : bool
        Show stable codes instead of agent ids.
    queues : str or sequence of str
        Queues to report (comma-separated); empty: all.
    history_weeks : int
        Weeks of history behind the period's forecast (weighted historical average).
    tolerance_frac : float
        Forecast hit tolerance (an interval hits when ``|F − A| / A ≤ tolerance_frac``).
    team_id : str
        One team's view (a team leader's): every agent-level table and chart holds only this
        team's agents; queue KPIs (service level, volume …) stay center figures and say so.
        Empty: the whole center.

    Raises
    ------
    ParameterError
        A parameter is out of range, or ``team_id`` is not a team in ``agent_dim`` (the message
        names the known teams).
    """
    if lang not in ("zh", "en"):
        raise ParameterError.expected(f"{kind} report", "lang", "'zh' or 'en'", lang)
    if not isinstance(pseudonymise, bool):
        raise ParameterError.expected(f"{kind} report", "pseudonymise", "true or false",
                                      pseudonymise)
    if not isinstance(history_weeks, int) or isinstance(history_weeks, bool) or not \
            1 <= history_weeks <= 52:
        raise ParameterError.expected(f"{kind} report", "history_weeks", "an integer in [1, 52]",
                                      history_weeks)
    if not 0 < float(tolerance_frac) < 1:
        raise ParameterError.expected(f"{kind} report", "tolerance_frac", "a float in (0, 1)",
                                      tolerance_frac)
    if isinstance(queues, str):
        queues = [q.strip() for q in queues.split(",") if q.strip()]
    if not isinstance(team_id, str):
        raise ParameterError.expected(f"{kind} report", "team_id", "a team id (text)", team_id)
    team_id = team_id.strip()
    period = period or _latest(workspace, kind)
    start, end, prev = period_bounds(kind, period)
    ctx = ReportContext(str(workspace), kind, start, end, prev, lang, pseudonymise,
                        tuple(queues), int(history_weeks), float(tolerance_frac), team_id)
    if team_id:
        teams = sorted(set(ctx.agent_teams()["team_id"].dropna().astype(str)))
        if team_id not in teams:
            known = ", ".join(teams) if teams else "none: agent_dim is empty"
            raise ParameterError(f"{kind} report: team_id {team_id!r} is not a team in agent_dim "
                                 f"(known teams: {known})", param="team_id", value=team_id)
    return ctx


# ------------------------------------------------------------------------------------------------
# Section
# ------------------------------------------------------------------------------------------------


@dataclass
class Section:
    """One report section: numbers (``tables``), the same for people (``display``), charts."""

    key: str
    title: str
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    display: list[tuple[str, str]] = field(default_factory=list)  # (caption, HTML table)
    charts: list[Any] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def html(self) -> str:
        """The section's heading, notes and tables as HTML (charts are displayed apart)."""
        import html as _h

        tag = "h1" if self.key == "cover" else "h2"
        parts = [f'<{tag} class="ccom-section" id="{_h.escape(self.key)}">'
                 f'{_h.escape(self.title)}</{tag}>']
        parts += [f"<p>{_h.escape(n)}</p>" for n in self.notes]
        parts += [t for _, t in self.display]
        return "\n".join(parts)

    def _ipython_display_(self) -> None:
        from IPython.display import HTML, display

        display(HTML(self.html()))
        for chart in self.charts:
            display(chart)


def cover(ctx: ReportContext) -> Section:
    """The report's title block: title, period, workspace kind, generation time, whether agent
    ids are pseudonymised."""
    import html as _h

    lang = ctx.lang
    team = f" · {L('team_view', lang)} {ctx.team_id}" if ctx.team_id else ""
    sec = Section("cover", f"{L('title_' + ctx.kind, lang)}{team} · {ctx.label}")
    when = pd.Timestamp.now().strftime("%Y-%m-%d %H:%M")
    rows = [(L("report_period", lang), ctx.label), (L("generated_at", lang), when)]
    if ctx.team_id:
        rows.append((L("team_view", lang), ctx.team_id))
        rows.append(("", L("team_view_note", lang)))
    if ctx.queues:
        rows.append((L("col_queue", lang), ", ".join(ctx.queues)))
    if ctx.pseudonymise:
        rows.append((L("pseudonymised", lang), "✓"))
    sec.tables["cover"] = pd.DataFrame(rows, columns=["item", "value"])
    body = "".join(f"<tr><th style='text-align:left;padding:2px 12px 2px 0'>{_h.escape(a)}</th>"
                   f"<td>{_h.escape(b)}</td></tr>" for a, b in rows)
    sec.display.append(("", f"<table class='ccom-cover'>{body}</table>"))
    return sec


def _table(sec: Section, name: str, raw: pd.DataFrame, shown: pd.DataFrame, ctx: ReportContext,
           *, status_col: str | None = None, numeric: Sequence[str] = (),
           caption: str | None = None) -> None:
    sec.tables[name] = raw
    labels = {c: L(c, ctx.lang) for c in ("green", "amber", "red", "")}
    labels[""] = L("no_target", ctx.lang)
    sec.display.append((caption or "", html_table(shown, status_col=status_col,
                                                  status_labels=labels, numeric=numeric,
                                                  caption=caption)))


def _center_note(sec: Section, ctx: ReportContext) -> Section:
    """In a team's view, say that the section's queue figures are the whole center's."""
    if ctx.team_id:
        sec.notes.append(L("center_figures", ctx.lang))
    return sec


def _empty(sec: Section, ctx: ReportContext, what: str) -> Section:
    sec.notes.append(f"{L('no_data', ctx.lang)}: {what}")
    return sec


def _ts(x: pd.Timestamp) -> str:
    return x.strftime("%Y-%m-%d %H:%M:%S")


# ------------------------------------------------------------------------------------------------
# Data helpers (aggregate in DuckDB, divide in kpi.compute)
# ------------------------------------------------------------------------------------------------


def _acd_sums(ctx: ReportContext, start: pd.Timestamp, end: pd.Timestamp,
              grain: str | None = None, by_queue: bool = True) -> pd.DataFrame:
    """acd_interval summed per queue × threshold (× time bucket ``grain``: 'interval', 'day',
    'week', 'month')."""
    qf, qp = ctx.queue_filter()
    sums = ", ".join(f'sum("{c}")::DOUBLE AS "{c}"' for c in _ACD_SUMS)
    keys = ["sl_threshold_s", "short_abandon_s"] + (["queue_id"] if by_queue else [])
    if grain == "interval":
        keys.append("interval_start")
    elif grain:
        keys.insert(0, f"date_trunc('{grain}', interval_start) AS interval_start")
    sel = ", ".join(keys)
    grp = ", ".join(str(i + 1) for i in range(len(keys)))
    return ctx.query(f"SELECT {sel}, {sums} FROM acd_interval WHERE interval_start >= ? AND "
                     f"interval_start < ?{qf} GROUP BY {grp} ORDER BY {grp}",
                     [_ts(start), _ts(end), *qp])


def _agent_sums(ctx: ReportContext, start: pd.Timestamp, end: pd.Timestamp,
                grain: str | None = None) -> pd.DataFrame:
    qf, qp = ctx.queue_filter()
    sums = ", ".join(f'sum("{c}")::DOUBLE AS "{c}"' for c in _AGENT_SUMS)
    if grain is None:
        return ctx.query(f"SELECT {sums} FROM agent_interval WHERE interval_start >= ? AND "
                         f"interval_start < ?{qf}", [_ts(start), _ts(end), *qp])
    t = "interval_start" if grain == "interval" else f"date_trunc('{grain}', interval_start)"
    return ctx.query(f"SELECT {t} AS interval_start, {sums} FROM agent_interval WHERE "
                     f"interval_start >= ? AND interval_start < ?{qf} GROUP BY 1 ORDER BY 1",
                     [_ts(start), _ts(end), *qp])


def _center_targets(ctx: ReportContext) -> pd.DataFrame:
    day = ctx.start.strftime("%Y-%m-%d")
    t = ctx.query("SELECT kpi_id, target, tolerance FROM kpi_target WHERE scope = 'center' AND "
                  "period_start <= ? AND period_end >= ? ORDER BY period_start", [day, day])
    return t.drop_duplicates("kpi_id", keep="last").set_index("kpi_id")


def _kpi_values(acd: pd.DataFrame, agents: pd.DataFrame) -> dict[str, float]:
    out: dict[str, float] = {}
    if not acd.empty and acd["offered"].sum() > 0:
        out["offered"] = float(acd["offered"].sum())
        out["answered"] = float(acd["answered"].sum())
        t = kpi.compute(acd, list(_ACD_KPIS), params=_own(_ACD_KPIS))
        out.update({r.kpi_id: float(r.value) for r in t.itertuples()})
    if not agents.empty and float(agents["login_s"].fillna(0).sum()) > 0:
        t = kpi.compute(agents.fillna(0), ["occupancy"])
        out["occupancy"] = float(t["value"].iloc[0])
    return out


def _between(ctx: ReportContext, table: str, col: str, start: pd.Timestamp, end: pd.Timestamp,
             extra: str = "") -> pd.DataFrame:
    return ctx.query(f'SELECT * FROM "{table}" WHERE "{col}" >= ? AND "{col}" < ?{extra}',
                     [_ts(start), _ts(end)])


def _qa_frame(ctx: ReportContext, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    ev = ctx.query("SELECT e.*, a.team_id FROM qa_evaluation e LEFT JOIN agent_dim a USING "
                   "(agent_id) WHERE e.eval_date >= ? AND e.eval_date < ?",
                   [_ts(start), _ts(end)])
    if not ev.empty:
        ev = ev[~ev["is_calibration"].fillna(False).astype(bool)]
    return ev


def _other_kpis(ctx: ReportContext, start: pd.Timestamp, end: pd.Timestamp) -> dict[str, float]:
    out: dict[str, float] = {}
    ev = _qa_frame(ctx, start, end)
    if not ev.empty:
        t = kpi.compute(ev, ["qa_score", "qa_pass_rate", "fatal_rate"])
        out.update({r.kpi_id: float(r.value) for r in t.itertuples()})
    cs = _between(ctx, "csat_response", "invited_at", start, end)
    if not cs.empty:
        t = kpi.compute(cs, ["csat", "nps"])
        out.update({r.kpi_id: float(r.value) for r in t.itertuples()})
    comp = _between(ctx, "complaint", "received_at", start, end)
    acd = _handled_by_day(ctx, start, end)
    if not acd.empty:
        from ccomkit.cx.complaints import complaint_rate

        qf = set(ctx.queues)
        if qf and "queue_id" in comp:
            comp = comp[comp["queue_id"].isin(qf)]
        r = complaint_rate(comp, acd[["interval_start", "queue_id", "handled"]])
        out["complaint_rate_per10k"] = float(r["rate_valid_per10k"].iloc[0])
    return out


def _attrition(ctx: ReportContext, months: int = 1) -> pd.DataFrame:
    from ccomkit.people.attrition import attrition_monthly

    agent_dim = ctx.query("SELECT * FROM agent_dim")
    hr = ctx.query("SELECT * FROM hr_event")
    last = (ctx.end - pd.Timedelta(days=1)).to_period("M")
    first = last - (months - 1)
    return attrition_monthly(agent_dim, hr if not hr.empty else None,
                             start=first.start_time, end=last.start_time)


# ------------------------------------------------------------------------------------------------
# 1. Headline KPIs vs target
# ------------------------------------------------------------------------------------------------


def _kpi_name(kid: str, lang: str) -> str:
    if kid in kpi.KPIS:
        m = kpi.KPIS[kid]
        return m.name_zh if lang == "zh" else m.name_en
    return label(kid, lang, domain="column")  # offered, answered: the acd_interval columns


def _better(kid: str) -> str:
    return kpi.KPIS[kid].better if kid in kpi.KPIS else "higher"


def headline(ctx: ReportContext) -> Section:
    """Headline KPIs of the period against target and the previous period, with red/amber/green.

    Daily (the morning meeting): offered, answered, answer rate (接通率), service level, abandon
    rate, ASA, AHT, occupancy. Weekly and monthly add QA score, CSAT, NPS and the complaint rate,
    and the same period last year (52 weeks back; the same month); monthly adds the month's
    attrition. Status: green meets the target, amber misses it by no
    more than the target's tolerance, red misses it by more.

    ``tables["kpis"]``: ``kpi_id, value, previous, change, last_year, target, tolerance,
    status``.
    """
    sec = Section("headline", f"{L('sec_headline', ctx.lang)} · {ctx.label}")
    if ctx.team_id:
        sec.notes.append(L("center_figures_headline", ctx.lang))
    cur = _kpi_values(_acd_sums(ctx, ctx.start, ctx.end), _agent_sums(ctx, ctx.start, ctx.end))
    if not cur:
        return _empty(sec, ctx, "acd_interval")
    prev = _kpi_values(_acd_sums(ctx, ctx.prev_start, ctx.start),
                       _agent_sums(ctx, ctx.prev_start, ctx.start))
    ids = ["offered", "answered", "answer_rate", "service_level", "abandon_rate", "asa_s",
           "aht_s", "occupancy"]
    last_year: dict[str, float] = {}
    if ctx.kind != "daily":
        cur.update(_other_kpis(ctx, ctx.start, ctx.end))
        prev.update(_other_kpis(ctx, ctx.prev_start, ctx.start))
        ids += ["qa_score", "qa_pass_rate", "csat", "nps", "complaint_rate_per10k"]
        if ctx.kind == "weekly":  # 52 weeks back: the same weekdays
            ly_start = ctx.start - pd.Timedelta(weeks=52)
            ly_end = ly_start + (ctx.end - ctx.start)
        else:
            ly_start = (ctx.start.to_period("M") - 12).start_time
            ly_end = (ctx.start.to_period("M") - 11).start_time
        first = ctx.query("SELECT min(interval_start) AS t FROM acd_interval")["t"].iloc[0]
        covered = first is not None and not pd.isna(first) and pd.Timestamp(first) <= ly_start
        if covered:  # a partly covered period would compare a part with a whole
            last_year = _kpi_values(_acd_sums(ctx, ly_start, ly_end),
                                    _agent_sums(ctx, ly_start, ly_end))
        if last_year:
            last_year.update(_other_kpis(ctx, ly_start, ly_end))
    if ctx.kind == "monthly":
        att = _attrition(ctx, months=2)
        if not att.empty:
            vals = att["value"].to_numpy(float) if "value" in att else att.iloc[:, -1].to_numpy()
            cur["attrition"] = float(vals[-1])
            prev["attrition"] = float(vals[-2]) if len(vals) > 1 else np.nan
            ids.append("attrition")
    targets = _center_targets(ctx)
    rows = []
    for kid in ids:
        if kid not in cur:
            continue
        tgt = float(targets["target"].get(kid, np.nan)) if kid in targets.index else np.nan
        tol = float(targets["tolerance"].get(kid, np.nan)) if kid in targets.index else np.nan
        v, p = cur[kid], prev.get(kid, np.nan)
        rows.append({"kpi_id": kid, "value": v, "previous": p, "change": v - p,
                     "last_year": last_year.get(kid, np.nan), "target": tgt, "tolerance": tol,
                     "status": rag(v, tgt, tol, _better(kid))})
    raw = pd.DataFrame(rows)
    lang = ctx.lang
    shown = pd.DataFrame({
        L("col_kpi", lang): [_kpi_name(k, lang) for k in raw["kpi_id"]],
        L("col_value", lang): [fmt_kpi(k, v, lang) for k, v in zip(raw["kpi_id"], raw["value"])],
        L(f"col_previous_{ctx.kind}", lang): [fmt_kpi(k, v, lang)
                                              for k, v in zip(raw["kpi_id"], raw["previous"])],
        L("col_change", lang): [fmt_change(k, v, lang)
                                for k, v in zip(raw["kpi_id"], raw["change"])],
    })
    if ctx.kind != "daily":
        shown[L("col_last_year", lang)] = [fmt_kpi(k, v, lang)
                                           for k, v in zip(raw["kpi_id"], raw["last_year"])]
    shown[L("col_target", lang)] = [fmt_kpi(k, v, lang)
                                    for k, v in zip(raw["kpi_id"], raw["target"])]
    shown[L("col_status", lang)] = raw["status"].to_numpy()
    _table(sec, "kpis", raw, shown, ctx, status_col=L("col_status", lang),
           numeric=shown.columns[1:-1].tolist())
    sec.charts.append(_rag_chart(raw, ctx))
    return sec


def _rag_chart(raw: pd.DataFrame, ctx: ReportContext) -> Any:
    """Bars of each KPI as % of its target (direction-aware), coloured by status."""
    import altair as alt

    from ccomkit.report.format import RAG_COLOURS

    t = raw.dropna(subset=["target"]).copy()
    t = t[t["target"] != 0]
    ratio = np.where([_better(k) == "higher" for k in t["kpi_id"]], t["value"] / t["target"],
                     t["target"] / t["value"])
    frame = pd.DataFrame({"kpi": [_kpi_name(k, ctx.lang) for k in t["kpi_id"]],
                          "attainment": ratio.astype(float),
                          "status": [L(s, ctx.lang) for s in t["status"]]})
    dom = [L(s, ctx.lang) for s in ("green", "amber", "red")]
    bars = alt.Chart(frame).mark_bar().encode(
        y=alt.Y("kpi:N", sort=None, title=None),
        x=alt.X("attainment:Q", axis=alt.Axis(format="%"), title=L("attainment", ctx.lang)),
        color=alt.Color("status:N", scale=alt.Scale(domain=dom, range=[RAG_COLOURS[s] for s in (
            "green", "amber", "red")]), title=L("col_status", ctx.lang)))
    rule = alt.Chart(pd.DataFrame({"x": [1.0]})).mark_rule(strokeDash=[4, 4]).encode(x="x:Q")
    return (bars + rule).properties(title=L("chart_attainment", ctx.lang), width=420)


# ------------------------------------------------------------------------------------------------
# 2. Interval chart and forecast accuracy
# ------------------------------------------------------------------------------------------------


def _forecast(ctx: ReportContext) -> pd.DataFrame:
    """Forecast vs actual per queue × interval over the period: a weighted historical average
    of the ``history_weeks`` weeks before the period (what a planner would have published)."""
    if "fc" in ctx._cache:
        return ctx._cache["fc"]
    from ccomkit.wfm.forecast import WeightedHistoricalAverage
    from ccomkit.wfm.workshop import history_from_acd

    h_start = ctx.start - pd.Timedelta(weeks=ctx.history_weeks)
    qf, qp = ctx.queue_filter()
    cols = ("interval_start, queue_id, offered, handled, sum_talk_s, sum_hold_s, sum_acw_s, "
            "sl_threshold_s, short_abandon_s, answered, answered_within_t, abandoned, "
            "abandoned_short, abandoned_within_t, interval_min")
    hist = ctx.query(f"SELECT {cols} FROM acd_interval WHERE interval_start >= ? AND "
                     f"interval_start < ?{qf}", [_ts(h_start), _ts(ctx.start), *qp])
    actual = ctx.query(f"SELECT {cols} FROM acd_interval WHERE interval_start >= ? AND "
                       f"interval_start < ?{qf}", [_ts(ctx.start), _ts(ctx.end), *qp])
    if hist.empty or actual.empty:
        ctx._cache["fc"] = pd.DataFrame()
        return ctx._cache["fc"]
    days = int((ctx.end - ctx.start) / pd.Timedelta(days=1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = WeightedHistoricalAverage(k_weeks=min(ctx.history_weeks, 8)).fit(
            history_from_acd(hist))
        fc = model.predict(horizon_days=days)
    fc = fc.rename(columns={"queue": "queue_id"})
    out = actual.merge(fc, on=["queue_id", "interval_start"], how="left")
    out["calls_forecast"] = out["calls_forecast"].fillna(0.0)
    out["aht_s_forecast"] = out["aht_s_forecast"].fillna(out["aht_s_forecast"].median())
    out["forecast"] = out["calls_forecast"]
    out["actual"] = out["offered"].astype(float)
    ctx._cache["fc"] = out
    return out


def _staffing(ctx: ReportContext, fc: pd.DataFrame) -> pd.DataFrame:
    """Required agents (Erlang C on the forecast, each queue's own SL target), net scheduled
    (published schedule, on-phone work) and logged in, per interval, summed over queues."""
    from ccomkit.wfm.staffing import required_agents

    targets = ctx.query("SELECT kpi_id, scope, target, params FROM kpi_target WHERE kpi_id = "
                        "'service_level' AND period_start <= ? AND period_end >= ?",
                        [ctx.start.strftime("%Y-%m-%d")] * 2)
    sl_center = targets.loc[targets["scope"] == "center", "target"]
    default_sl = float(sl_center.iloc[0]) if len(sl_center) else 0.8
    parts = []
    for (q, thr), g in fc.groupby(["queue_id", "sl_threshold_s"], sort=True):
        qt = targets.loc[targets["scope"] == f"queue:{q}", "target"]
        sl = float(qt.iloc[0]) if len(qt) else default_sl
        frame = pd.DataFrame({"interval_start": g["interval_start"].to_numpy(),
                              "calls_offered": g["calls_forecast"].to_numpy(float),
                              "aht_s": g["aht_s_forecast"].to_numpy(float),
                              "interval_min": g["interval_min"].to_numpy()})
        frame.loc[frame["calls_offered"] <= 0, "calls_offered"] = 0.0
        frame["aht_s"] = frame["aht_s"].where(frame["aht_s"] > 0, 300.0).fillna(300.0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            req = required_agents(frame, service_level_target_frac=sl, target_s=float(thr))
        parts.append(req[["interval_start", "agents_required"]])
    req = pd.concat(parts).groupby("interval_start", as_index=False)["agents_required"].sum()
    iv_s = float(fc["interval_min"].iloc[0]) * 60.0
    ag = _agent_sums(ctx, ctx.start, ctx.end, grain="interval")
    ag = ag.assign(logged_in=ag["login_s"] / iv_s)[["interval_start", "logged_in"]]
    qf, qp = ctx.queue_filter()
    sch = ctx.query(
        "WITH g AS (SELECT unnest(generate_series(?::TIMESTAMP, ?::TIMESTAMP - INTERVAL 1 SECOND, "
        f"INTERVAL {int(iv_s)} SECOND)) AS t) "
        "SELECT g.t AS interval_start, sum(epoch(least(s.end_at, g.t + INTERVAL "
        f"{int(iv_s)} SECOND) - greatest(s.start_at, g.t)))::DOUBLE / {iv_s} AS scheduled "
        "FROM g JOIN schedule s ON s.start_at < g.t + INTERVAL "
        f"{int(iv_s)} SECOND AND s.end_at > g.t WHERE s.activity = 'work' AND "
        f"s.schedule_version = 'published'{qf.replace('queue_id', 's.queue_id')} GROUP BY 1",
        [_ts(ctx.start), _ts(ctx.end), *qp])
    out = req.merge(sch, on="interval_start", how="outer").merge(ag, on="interval_start",
                                                                   how="outer")
    return out.fillna(0.0).sort_values("interval_start").reset_index(drop=True)


def interval_profile(ctx: ReportContext) -> Section:
    """The day by interval: forecast vs actual volume, service level against target, and
    agents required (Erlang C on the forecast) vs net scheduled vs logged in.

    ``tables``: ``volume`` (interval_start, forecast, actual), ``service_level``
    (interval_start, value), ``staffing`` (interval_start, agents_required, scheduled,
    logged_in).
    """
    import altair as alt

    lang = ctx.lang
    sec = Section("interval", f"{L('sec_interval', lang)} · {ctx.label}")
    _center_note(sec, ctx)
    fc = _forecast(ctx)
    if fc.empty:
        return _empty(sec, ctx, "acd_interval")
    vol = fc.groupby("interval_start", as_index=False)[["forecast", "actual"]].sum()
    sl = kpi.compute(fc, ["service_level"], freq="interval", params=_own(["service_level"]))[
        ["period", "value"]].rename(columns={"period": "interval_start"})
    staff = _staffing(ctx, fc)
    sec.tables.update(volume=vol, service_level=sl, staffing=staff)
    tgt = _center_targets(ctx)
    sl_target = float(tgt["target"].get("service_level", np.nan)) if "service_level" in \
        tgt.index else np.nan

    x = alt.X("interval_start:T", title=L("col_interval", lang), axis=alt.Axis(format="%H:%M"))
    v_long = vol.melt("interval_start", var_name="series", value_name="calls")
    v_long["series"] = v_long["series"].map(lambda s: L(s, lang))
    c1 = alt.Chart(v_long).mark_line().encode(
        x=x, y=alt.Y("calls:Q", title=L("calls", lang)),
        color=alt.Color("series:N", title=None)).properties(
        title=L("chart_volume", lang), width=620, height=160)
    c2 = alt.Chart(sl).mark_line(point=True).encode(
        x=x, y=alt.Y("value:Q", axis=alt.Axis(format="%"), title=L("service_level", lang),
                     scale=alt.Scale(domain=[0, 1]))).properties(
        title=L("chart_sl", lang), width=620, height=140)
    if not np.isnan(sl_target):
        c2 = c2 + alt.Chart(pd.DataFrame({"y": [sl_target]})).mark_rule(
            color="#c62828", strokeDash=[4, 4]).encode(y="y:Q")
    s_long = staff.melt("interval_start", var_name="series", value_name="agents")
    s_long["series"] = s_long["series"].map(lambda s: L(s, lang))
    c3 = alt.Chart(s_long).mark_line().encode(
        x=x, y=alt.Y("agents:Q", title=L("agents", lang)),
        color=alt.Color("series:N", title=None)).properties(
        title=L("chart_staffing", lang), width=620, height=160)
    sec.charts.append(alt.vconcat(c1, c2, c3).resolve_scale(color="independent"))
    under = staff[(staff["agents_required"] > 0) & (staff["logged_in"] < staff[
        "agents_required"] * 0.9)]
    if float(staff["logged_in"].sum()) > 0:  # without agent_interval there is nothing to compare
        sec.notes.append(f"{L('note_understaffed', lang)}: {fmt_count(len(under))} / "
                         f"{fmt_count(int((staff['agents_required'] > 0).sum()))}")
    return sec


def _fa_wide(fc: pd.DataFrame, by: list[str], freq: str | None, tol: float) -> pd.DataFrame:
    """``kpi.forecast_accuracy`` as one row per group: forecast, actual, hit_rate, wape, mape,
    bias, accuracy."""
    t = kpi.forecast_accuracy(fc[["interval_start", *by, "forecast", "actual"]], by=by,
                              freq=freq, tol_frac=tol)
    keys = by + (["period"] if freq else [])
    w = t.pivot_table(index=keys or None, columns="kpi_id", values="value", dropna=False) \
        if keys else t.set_index("kpi_id")[["value"]].T
    w = w.rename(columns=lambda c: str(c).removeprefix("forecast_")).reset_index(drop=not keys)
    w.columns.name = None
    sums = (fc.groupby(keys)[["forecast", "actual"]].sum().reset_index() if keys and not freq
            else None)
    if not keys:
        w["forecast"], w["actual"] = float(fc["forecast"].sum()), float(fc["actual"].sum())
    elif sums is not None:
        w = w.merge(sums, on=keys, how="left")
    return w


def forecast_accuracy(ctx: ReportContext) -> Section:
    """Forecast accuracy of the period by queue: hit rate at ±tolerance, WAPE, bias, period
    accuracy (``kpi.forecast_accuracy``); weekly and monthly add accuracy by day and a
    weekday × time-of-day heat-map of the absolute percentage error.

    ``tables["by_queue"]``: queue_id and the measures of ``ccomkit.kpi.forecast_accuracy``.
    """
    import altair as alt

    lang = ctx.lang
    sec = Section("forecast", f"{L('sec_forecast', lang)} · {ctx.label}")
    _center_note(sec, ctx)
    fc = _forecast(ctx)
    if fc.empty:
        return _empty(sec, ctx, "acd_interval")
    fa = _fa_wide(fc, ["queue_id"], None, ctx.tolerance_frac)
    tot = _fa_wide(fc, [], None, ctx.tolerance_frac).assign(queue_id=L("all", lang))
    both = pd.concat([fa, tot], ignore_index=True)
    shown = pd.DataFrame({L("col_queue", lang): both["queue_id"]})
    shown[L("forecast", lang)] = [fmt_count(x) for x in both["forecast"]]
    shown[L("actual", lang)] = [fmt_count(x) for x in both["actual"]]
    for c in ("hit_rate", "wape", "bias", "accuracy"):
        shown[L(c, lang)] = [fmt_pct(x) for x in both[c]]
    _table(sec, "by_queue", both, shown, ctx, numeric=list(shown.columns[1:]))
    if ctx.kind != "daily":
        fc2 = fc.assign(day=fc["interval_start"].dt.normalize())
        sec.tables["by_day"] = _fa_wide(fc2, [], "D", ctx.tolerance_frac)
        g = fc2.groupby("interval_start", as_index=False)[["forecast", "actual"]].sum()
        g = g[g["actual"] > 0]
        g["ape"] = (g["forecast"] - g["actual"]).abs() / g["actual"]
        g["weekday"] = g["interval_start"].dt.day_of_week
        g["time"] = g["interval_start"].dt.strftime("%H:%M")
        heat = g.groupby(["weekday", "time"], as_index=False)["ape"].mean()
        heat["weekday"] = heat["weekday"].map(lambda d: L(f"wd{d}", lang))
        sec.tables["heatmap"] = heat
        order = [L(f"wd{d}", lang) for d in range(7)]
        sec.charts.append(alt.Chart(heat).mark_rect().encode(
            x=alt.X("time:O", title=L("col_interval", lang)),
            y=alt.Y("weekday:O", sort=order, title=None),
            color=alt.Color("ape:Q", title="APE", scale=alt.Scale(scheme="orangered"),
                            legend=alt.Legend(format="%"))).properties(
            title=L("chart_fc_heatmap", lang), width=620, height=160))
    return sec


def capacity(ctx: ReportContext) -> Section:
    """Capacity and shrinkage: hours logged in and available for contacts, occupancy, and the
    shrinkage while logged in split by off-queue state (break, meal, training, meeting,
    coaching, other) — for the period and, as a stacked bar chart, for each of the last twelve
    months (monthly) or each day of the period (weekly, daily: the last 14 days).

    ``tables``: ``period`` (one row), ``by_bucket`` (bucket, state, hours, share of login).
    """
    import altair as alt

    lang = ctx.lang
    sec = Section("capacity", f"{L('sec_capacity', lang)} · {ctx.label}")
    _center_note(sec, ctx)
    if ctx.kind == "monthly":
        start, grain = (ctx.start.to_period("M") - 11).start_time, "month"
    elif ctx.kind == "weekly":
        start, grain = ctx.start, "day"
    else:
        start, grain = ctx.end - pd.Timedelta(days=14), "day"
    ag = _agent_sums(ctx, start, ctx.end, grain=grain)
    if ag.empty or float(ag["login_s"].sum()) <= 0:
        return _empty(sec, ctx, "agent_interval")
    ag = ag.fillna(0.0)
    states = ("break", "meal", "training", "meeting", "coaching", "other")
    cur = ag[ag["interval_start"] >= ctx.start]
    tot = cur[list(_AGENT_SUMS)].sum()
    productive = tot[["ready_idle_s", "talk_s", "hold_s", "acw_s"]].sum()
    aux = sum(tot[f"aux_{x}_s"] for x in states)
    occ = (tot["talk_s"] + tot["hold_s"] + tot["acw_s"]) / productive if productive else np.nan
    row = {"login_h": tot["login_s"] / 3600, "productive_h": productive / 3600,
           "occupancy": occ, "shrinkage_in_login": aux / tot["login_s"]}
    row.update({f"aux_{x}": tot[f"aux_{x}_s"] / tot["login_s"] for x in states})
    per = pd.DataFrame([row])
    shown = pd.DataFrame({
        L("login_h", lang): [fmt_count(row["login_h"])],
        L("productive_h", lang): [fmt_count(row["productive_h"])],
        _kpi_name("occupancy", lang): [fmt_pct(occ)],
        L("shrinkage_in_login", lang): [fmt_pct(row["shrinkage_in_login"])],
        **{label(x, lang, domain="activity"): [fmt_pct(row[f"aux_{x}"])] for x in states}})
    _table(sec, "period", per, shown, ctx, numeric=list(shown.columns))
    long = ag.melt("interval_start", [f"aux_{x}_s" for x in states], var_name="state",
                   value_name="seconds")
    long = long.merge(ag[["interval_start", "login_s"]], on="interval_start")
    long["share"] = long["seconds"] / long["login_s"].where(long["login_s"] > 0)
    long["hours"] = long["seconds"] / 3600
    long["state"] = long["state"].str.removeprefix("aux_").str.removesuffix("_s").map(
        lambda x: label(x, lang, domain="activity"))
    long = long.rename(columns={"interval_start": "bucket"})[["bucket", "state", "hours", "share"]]
    sec.tables["by_bucket"] = long
    fmt = "%Y-%m" if grain == "month" else "%m-%d"
    sec.charts.append(alt.Chart(long).mark_bar().encode(
        x=alt.X("bucket:T", title=None, axis=alt.Axis(format=fmt),
                timeUnit="yearmonth" if grain == "month" else "yearmonthdate"),
        y=alt.Y("sum(share):Q", axis=alt.Axis(format="%"), title=L("share_of_login", lang)),
        color=alt.Color("state:N", title=L("aux", lang))).properties(
        title=L("chart_shrinkage", lang), width=620, height=180))
    return sec


# ------------------------------------------------------------------------------------------------
# 3. Attendance and adherence
# ------------------------------------------------------------------------------------------------


def attendance(ctx: ReportContext) -> Section:
    """Attendance and adherence by team: scheduled vs present days, lateness, absences by type,
    and schedule adherence (``kpi.adherence_grid``, interval grain).

    ``tables["by_team"]``: ``team_id, scheduled, present, attendance, late, late_min, absences,
    adherence``.
    """
    import altair as alt

    lang = ctx.lang
    sec = Section("attendance", f"{L('sec_attendance', lang)} · {ctx.label}")
    att = ctx.query("SELECT a.*, d.team_id FROM attendance a LEFT JOIN agent_dim d USING "
                    "(agent_id) WHERE a.work_date >= ? AND a.work_date < ?",
                    [_ts(ctx.start), _ts(ctx.end)])
    if att.empty:
        return _empty(sec, ctx, "attendance")
    att["scheduled"] = att["scheduled_flag"].fillna(False).astype(bool)
    att["present"] = att["present_flag"].fillna(False).astype(bool) & att["scheduled"]
    att["late"] = (att["late_min"].fillna(0) > 0) & att["present"]
    att["absent"] = att["scheduled"] & ~att["present_flag"].fillna(False).astype(bool)
    g = att.groupby("team_id", dropna=False).agg(
        scheduled=("scheduled", "sum"), present=("present", "sum"), late=("late", "sum"),
        late_min=("late_min", "sum"), absences=("absent", "sum")).reset_index()
    g["attendance"] = g["present"] / g["scheduled"].where(g["scheduled"] > 0)
    adh = _adherence_by_team(ctx)
    g = g.merge(adh, on="team_id", how="left") if not adh.empty else g.assign(adherence=np.nan)
    tot = pd.DataFrame([{"team_id": L("all", lang), "scheduled": g["scheduled"].sum(),
                         "present": g["present"].sum(), "late": g["late"].sum(),
                         "late_min": g["late_min"].sum(), "absences": g["absences"].sum()}])
    tot["attendance"] = tot["present"] / tot["scheduled"].where(tot["scheduled"] > 0)
    tot["adherence"] = adh.attrs.get("total", np.nan) if not adh.empty else np.nan
    g = pd.concat([g, tot], ignore_index=True)
    shown = pd.DataFrame({
        L("col_team", lang): g["team_id"].fillna("–"),
        L("scheduled_days", lang): [fmt_count(x) for x in g["scheduled"]],
        L("present_days", lang): [fmt_count(x) for x in g["present"]],
        L("attendance", lang): [fmt_pct(x) for x in g["attendance"]],
        L("late", lang): [fmt_count(x) for x in g["late"]],
        L("late_min", lang): [fmt_count(x) for x in g["late_min"]],
        L("absences", lang): [fmt_count(x) for x in g["absences"]],
        L("adherence", lang): [fmt_pct(x) for x in g["adherence"]],
    })
    _table(sec, "by_team", g, shown, ctx, numeric=list(shown.columns[1:]))
    ab = att[att["absent"]]
    if not ab.empty:
        types = ab["absence_type"].fillna("other").map(
            lambda c: label(c, lang, domain="absence_type")).value_counts().reset_index()
        types.columns = ["absence_type", "n"]
        sec.tables["absence_types"] = types
        sec.charts.append(alt.Chart(types).mark_bar().encode(
            x=alt.X("n:Q", title=L("absences", lang)), y=alt.Y("absence_type:N", sort="-x",
                                                               title=None)).properties(
            title=L("chart_absence", lang), width=420))
    return sec


def _adherence_by_team(ctx: ReportContext) -> pd.DataFrame:
    ai = ctx.query("SELECT agent_id, interval_start, interval_min, login_s, ready_idle_s, talk_s, "
                   "hold_s, acw_s, aux_break_s, aux_meal_s, aux_training_s, aux_meeting_s, "
                   "aux_coaching_s, aux_other_s FROM agent_interval WHERE interval_start >= ? "
                   "AND interval_start < ?", [_ts(ctx.start), _ts(ctx.end)])
    sch = ctx.query("SELECT agent_id, shift_date, start_at, end_at, activity, schedule_version "
                    "FROM schedule WHERE start_at >= ? AND start_at < ? AND schedule_version = "
                    "'published'", [_ts(ctx.start), _ts(ctx.end)])
    if ai.empty or sch.empty:
        return pd.DataFrame()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        grid = kpi.adherence_grid(ai, sch)
    teams = ctx.query("SELECT agent_id, team_id FROM agent_dim")
    grid = grid.merge(teams, on="agent_id", how="left")
    by = kpi.compute(grid, ["adherence"], by="team_id")[["team_id", "value"]].rename(
        columns={"value": "adherence"})
    by.attrs["total"] = float(kpi.compute(grid, ["adherence"])["value"].iloc[0])
    return by


# ------------------------------------------------------------------------------------------------
# 4. Quality
# ------------------------------------------------------------------------------------------------


def qa(ctx: ReportContext) -> Section:
    """QA of the period: evaluations, mean score, pass rate, red-line (fatal) events by team;
    the Pareto of deduction items (根源分析); the day's red-line events (daily).

    ``tables``: ``by_team`` (team_id, evaluations, qa_score, qa_pass_rate, fatal, score_sd),
    ``pareto`` (from ``ccomkit.quality.analysis.deduction_pareto``), ``red_line``.
    """
    import altair as alt

    lang = ctx.lang
    sec = Section("qa", f"{L('sec_qa', lang)} · {ctx.label}")
    ev = _qa_frame(ctx, ctx.start, ctx.end)
    if ev.empty:
        return _empty(sec, ctx, "qa_evaluation")
    rows = []
    for team, g in list(ev.groupby("team_id", dropna=False)) + [(L("all", lang), ev)]:
        t = kpi.compute(g, ["qa_score", "qa_pass_rate"]).set_index("kpi_id")["value"]
        rows.append({"team_id": team, "evaluations": len(g), "qa_score": t["qa_score"],
                     "qa_pass_rate": t["qa_pass_rate"], "fatal": int(g["fatal_flag"].fillna(
                         False).astype(bool).sum()),
                     "score_sd": float(g["total_score"].std(ddof=1)) if len(g) > 1 else np.nan})
    by = pd.DataFrame(rows)
    shown = pd.DataFrame({
        L("col_team", lang): by["team_id"].fillna("–"),
        L("evaluations", lang): [fmt_count(x) for x in by["evaluations"]],
        _kpi_name("qa_score", lang): [fmt_num(x) for x in by["qa_score"]],
        _kpi_name("qa_pass_rate", lang): [fmt_pct(x) for x in by["qa_pass_rate"]],
        L("fatal", lang): [fmt_count(x) for x in by["fatal"]],
        L("score_sd", lang): [fmt_num(x) for x in by["score_sd"]],
    })
    _table(sec, "by_team", by, shown, ctx, numeric=list(shown.columns[1:]))
    ids = ev["eval_id"].tolist()
    items = ctx.query("SELECT eval_id, section, item_code, max_points, deducted_points, is_fatal "
                      "FROM qa_item WHERE eval_id IN (SELECT eval_id FROM qa_evaluation WHERE "
                      "eval_date >= ? AND eval_date < ?)", [_ts(ctx.start), _ts(ctx.end)])
    items = items[items["eval_id"].isin(set(ids))]
    if not items.empty:
        from ccomkit.quality.analysis import deduction_pareto

        par = deduction_pareto(items, ev).head(10)
        if not par.empty:
            lab = "label_zh" if lang == "zh" and "label_zh" in par else (
                "label_en" if "label_en" in par else "item_code")
            sec.tables["pareto"] = par
            base = alt.Chart(par).encode(x=alt.X(f"{lab}:N", sort=list(par[lab]), title=None))
            bars = base.mark_bar(color="#5470c6").encode(
                y=alt.Y("points:Q", title=L("deducted_points", lang)))
            line = base.mark_line(point=True, color="black").encode(
                y=alt.Y("cum_share:Q", axis=alt.Axis(format="%"), title=L("cum_share", lang)))
            sec.charts.append(alt.layer(bars, line).resolve_scale(y="independent").properties(
                title=L("chart_qa_pareto", lang), width=620))
    fatal = ev[ev["fatal_flag"].fillna(False).astype(bool)]
    if ctx.kind == "daily" or len(fatal) <= 20:
        code = ctx.agent_code()
        red = pd.DataFrame({
            "eval_id": fatal["eval_id"], "agent": code(fatal["agent_id"]),
            "team_id": fatal["team_id"], "queue_id": fatal["queue_id"],
            "fatal_type": fatal["fatal_type"], "total_score": fatal["total_score"]})
        sec.tables["red_line"] = red
        if not red.empty:
            shown = pd.DataFrame({
                L("eval_id", lang): red["eval_id"], L("col_agent", lang): red["agent"],
                L("col_team", lang): red["team_id"], L("col_queue", lang): red["queue_id"],
                L("fatal_type", lang): red["fatal_type"].map(
                    lambda c: label(c, lang, domain="fatal_type"))})
            _table(sec, "red_line", red, shown, ctx, caption=L("red_line_events", lang))
        else:
            sec.notes.append(L("no_red_line", lang))
    return sec


# ------------------------------------------------------------------------------------------------
# 5. Customer satisfaction
# ------------------------------------------------------------------------------------------------


def csat(ctx: ReportContext) -> Section:
    """CSAT, DSAT and NPS with 95 % intervals (``ccomkit.cx.survey.satisfaction``), by queue
    and, for weekly and monthly, by day / week with a chart of CSAT and its interval.

    ``tables``: ``by_queue``, ``trend``.
    """
    import altair as alt

    from ccomkit.cx.survey import satisfaction

    lang = ctx.lang
    sec = Section("csat", f"{L('sec_csat', lang)} · {ctx.label}")
    qf, qp = ctx.queue_filter()
    cs = ctx.query(f"SELECT * FROM csat_response WHERE invited_at >= ? AND invited_at < ?{qf}",
                   [_ts(ctx.start), _ts(ctx.end), *qp])
    if cs.empty or cs["responded_at"].notna().sum() == 0:
        return _empty(sec, ctx, "csat_response")
    by = pd.concat([satisfaction(cs, "queue_id", min_n=10),
                    satisfaction(cs, min_n=10).assign(queue_id=L("all", lang))],
                   ignore_index=True)
    shown = pd.DataFrame({
        L("col_queue", lang): by["queue_id"],
        L("responses", lang): [fmt_count(x) for x in by["responses"]],
        _kpi_name("csat", lang): [fmt_pct(x) for x in by["csat"]],
        L("ci95", lang): [f"{fmt_pct(a)} – {fmt_pct(b)}" for a, b in zip(by["csat_lo"],
                                                                          by["csat_hi"])],
        _kpi_name("dsat", lang): [fmt_pct(x) for x in by["dsat"]],
        "NPS": [fmt_kpi("nps", x, lang) for x in by["nps"]],
    })
    _table(sec, "by_queue", by, shown, ctx, numeric=list(shown.columns[1:]))
    if ctx.kind != "daily":
        freq = "D" if ctx.kind == "weekly" else "W"
        tr = satisfaction(cs, freq=freq, min_n=10)
        sec.tables["trend"] = tr
        base = alt.Chart(tr).encode(x=alt.X("period:T", title=None))
        band = base.mark_area(opacity=0.25).encode(
            y=alt.Y("csat_lo:Q", axis=alt.Axis(format="%"), title=_kpi_name("csat", lang)),
            y2="csat_hi:Q")
        line = base.mark_line(point=True).encode(y="csat:Q")
        sec.charts.append((band + line).properties(title=L("chart_csat", lang), width=620,
                                                   height=180))
    return sec


# ------------------------------------------------------------------------------------------------
# 6. Complaints
# ------------------------------------------------------------------------------------------------


def complaints(ctx: ReportContext) -> Section:
    """Complaints of the period (信息协调岗): count, valid, rate per 10,000 handled contacts,
    categories, closure and the overdue cases (``ccomkit.cx.complaints``).

    ``tables``: ``summary``, ``categories``, ``overdue``.
    """
    import altair as alt

    from ccomkit.cx.complaints import closure_summary, complaint_cases, overdue_list

    lang = ctx.lang
    sec = Section("complaints", f"{L('sec_complaints', lang)} · {ctx.label}")
    comp = _between(ctx, "complaint", "received_at", ctx.start, ctx.end)
    if ctx.queues and not comp.empty:
        comp = comp[comp["queue_id"].isin(set(ctx.queues))]
    rate = _other_kpis_complaints(ctx, comp)
    if comp.empty:
        sec.notes.append(f"{L('complaints', lang)}: 0")
        return sec
    cases = complaint_cases(comp, as_of=ctx.end - pd.Timedelta(seconds=1))
    summ = closure_summary(cases)
    summ = summ.assign(complaints=len(comp), valid=int(comp["valid_flag"].fillna(False).sum()),
                       rate_per10k=rate)
    shown = pd.DataFrame({
        L("complaints", lang): [fmt_count(len(comp))],
        L("valid", lang): [fmt_count(summ["valid"].iloc[0])],
        _kpi_name("complaint_rate_per10k", lang): [fmt_kpi("complaint_rate_per10k", rate, lang)],
        L("closure_rate", lang): [fmt_pct(summ["closure_rate"].iloc[0])],
        L("overdue", lang): [fmt_count(summ["overdue"].iloc[0]) if "overdue" in summ else "–"],
    })
    _table(sec, "summary", summ, shown, ctx, numeric=list(shown.columns))
    cat = comp.groupby("category", dropna=False).size().rename("n").reset_index().sort_values(
        "n", ascending=False)
    cat["share"] = cat["n"] / cat["n"].sum()
    sec.tables["categories"] = cat
    sec.charts.append(alt.Chart(cat).mark_bar(color="#ee6666").encode(
        x=alt.X("n:Q", title=L("complaints", lang)),
        y=alt.Y("category:N", sort="-x", title=None)).properties(
        title=L("chart_complaints", lang), width=420))
    over = overdue_list(cases)
    if not over.empty:
        over = over.head(20)
        code = ctx.agent_code()
        agent = code(over["agent_id"]) if "agent_id" in over else pd.Series(["–"] * len(over))
        sec.tables["overdue"] = over
        shown = pd.DataFrame({L("case_id", lang): over["case_id"],
                              L("category", lang): over.get("category", "–"),
                              L("col_agent", lang): agent.fillna("–").to_numpy()})
        _table(sec, "overdue", over, shown, ctx, caption=L("overdue_cases", lang))
    return sec


def _handled_by_day(ctx: ReportContext, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Contacts handled per day and queue: the center's (acd_interval) or, in a team's view,
    the team's agents' (agent_interval), the denominator of the complaint rate."""
    if not ctx.team_id:
        return _acd_sums(ctx, start, end, grain="day")
    qf, qp = ctx.queue_filter()
    ag = ctx.query("SELECT date_trunc('day', interval_start) AS interval_start, queue_id, "
                   "agent_id, sum(handled)::DOUBLE AS handled FROM agent_interval WHERE "
                   "interval_start >= ? "
                   f"AND interval_start < ?{qf} GROUP BY 1, 2, 3", [_ts(start), _ts(end), *qp])
    return ag.groupby(["interval_start", "queue_id"], as_index=False)["handled"].sum()


def _other_kpis_complaints(ctx: ReportContext, comp: pd.DataFrame) -> float:
    from ccomkit.cx.complaints import complaint_rate

    acd = _handled_by_day(ctx, ctx.start, ctx.end)
    if acd.empty:
        return float("nan")
    r = complaint_rate(comp, acd[["interval_start", "queue_id", "handled"]])
    return float(r["rate_valid_per10k"].iloc[0])


# ------------------------------------------------------------------------------------------------
# 7. People
# ------------------------------------------------------------------------------------------------


def people(ctx: ReportContext) -> Section:
    """People: headcount at the start and end of the period, hires, leavers (voluntary split),
    attrition (monthly: 12-month trend with the target), and the grade distribution (monthly).

    ``tables``: ``movement`` and, monthly, ``attrition`` and ``grades``.
    """
    import altair as alt

    lang = ctx.lang
    sec = Section("people", f"{L('sec_people', lang)} · {ctx.label}")
    ad = ctx.query("SELECT agent_id, role, hire_date, leave_date, grade FROM agent_dim")
    if ad.empty:
        return _empty(sec, ctx, "agent_dim")
    hire = pd.to_datetime(ad["hire_date"])
    leave = pd.to_datetime(ad["leave_date"])
    last = ctx.end - pd.Timedelta(days=1)
    at_start = ((hire < ctx.start) & (leave.isna() | (leave >= ctx.start))).sum()
    at_end = ((hire <= last) & (leave.isna() | (leave > last))).sum()
    hires = ((hire >= ctx.start) & (hire < ctx.end)).sum()
    leavers = ((leave >= ctx.start) & (leave < ctx.end)).sum()
    hr = ctx.query("SELECT agent_id, leave_type FROM hr_event WHERE event_type = 'leave' AND "
                   "event_date >= ? AND event_date < ?", [_ts(ctx.start), _ts(ctx.end)])
    vol = int((hr["leave_type"] == "voluntary").sum()) if not hr.empty else 0
    mv = pd.DataFrame([{"hc_start": at_start, "hires": hires, "leavers": leavers,
                        "leavers_voluntary": vol, "hc_end": at_end}])
    shown = pd.DataFrame({L(c, lang): [fmt_count(mv[c].iloc[0])] for c in mv.columns})
    _table(sec, "movement", mv, shown, ctx, numeric=list(shown.columns))
    if ctx.kind == "monthly":
        att = _attrition(ctx, months=12)
        if not att.empty:
            sec.tables["attrition"] = att
            t = att.assign(month=pd.to_datetime(att["period"].astype(str)))[["month", "value"]]
            sec.charts.append(alt.Chart(t).mark_line(point=True).encode(
                x=alt.X("month:T", title=None, axis=alt.Axis(format="%Y-%m")),
                y=alt.Y("value:Q", axis=alt.Axis(format="%"),
                        title=_kpi_name("attrition", lang))).properties(
                title=L("chart_attrition", lang), width=620, height=180))
        cur = ad[(hire <= last) & (leave.isna() | (leave > last))]
        grades = cur["grade"].fillna("–").value_counts().rename("n").reset_index()
        grades.columns = ["grade", "n"]
        grades["share"] = grades["n"] / grades["n"].sum()
        sec.tables["grades"] = grades
        shown = pd.DataFrame({L("grade", lang): grades["grade"].map(
            lambda g: label(g, lang, domain="grade")),
            L("agents", lang): [fmt_count(x) for x in grades["n"]],
            L("share", lang): [fmt_pct(x) for x in grades["share"]]})
        _table(sec, "grades", grades, shown, ctx, numeric=list(shown.columns[1:]),
               caption=L("grade_distribution", lang))
    return sec


# ------------------------------------------------------------------------------------------------
# 8. Trends and league tables
# ------------------------------------------------------------------------------------------------


def trends(ctx: ReportContext) -> Section:
    """Trend lines of SL, abandon, AHT and occupancy: by day over the week (weekly) or by month
    over twelve months (monthly); daily: the last 14 days.

    ``tables["trend"]``: ``period, kpi_id, value``.
    """
    import altair as alt

    lang = ctx.lang
    sec = Section("trends", f"{L('sec_trends', lang)} · {ctx.label}")
    _center_note(sec, ctx)
    if ctx.kind == "monthly":
        start, grain = (ctx.start.to_period("M") - 11).start_time, "month"
    elif ctx.kind == "weekly":
        start, grain = ctx.prev_start, "day"
    else:
        start, grain = ctx.end - pd.Timedelta(days=14), "day"
    acd = _acd_sums(ctx, start, ctx.end, grain=grain)
    if acd.empty:
        return _empty(sec, ctx, "acd_interval")
    freq = "M" if grain == "month" else "D"
    t1 = kpi.compute(acd, ["service_level", "abandon_rate", "aht_s"], freq=freq,
                     params=_own(["service_level", "abandon_rate"]))
    ag = _agent_sums(ctx, start, ctx.end, grain=grain)
    parts = [t1[["period", "kpi_id", "value"]]]
    if not ag.empty:
        parts.append(kpi.compute(ag.fillna(0), ["occupancy"], freq=freq)[
            ["period", "kpi_id", "value"]])
    tr = pd.concat(parts, ignore_index=True)
    tr["period"] = pd.to_datetime(tr["period"])
    sec.tables["trend"] = tr
    fmt = "%Y-%m" if grain == "month" else "%m-%d"
    charts = []
    for kid in ("service_level", "abandon_rate", "aht_s", "occupancy"):
        d = tr[tr["kpi_id"] == kid]
        if d.empty:
            continue
        axis = alt.Axis(format="%") if kpi.KPIS[kid].unit == "frac" else alt.Axis()
        charts.append(alt.Chart(d).mark_line(point=True).encode(
            x=alt.X("period:T", title=None, axis=alt.Axis(format=fmt)),
            y=alt.Y("value:Q", axis=axis, title=_kpi_name(kid, lang),
                    scale=alt.Scale(zero=False))).properties(
            title=_kpi_name(kid, lang), width=290, height=150))
    if charts:
        rows = [alt.hconcat(*charts[i:i + 2]) for i in range(0, len(charts), 2)]
        sec.charts.append(alt.vconcat(*rows))
    piv = tr.pivot_table(index="period", columns="kpi_id", values="value").reset_index()
    shown = pd.DataFrame({L("col_period", lang): piv["period"].dt.strftime(
        "%Y-%m" if grain == "month" else "%Y-%m-%d")})
    for kid in ("service_level", "abandon_rate", "aht_s", "occupancy"):
        if kid in piv:
            shown[_kpi_name(kid, lang)] = [fmt_kpi(kid, v, lang) for v in piv[kid]]
    _table(sec, "trend_wide", piv, shown, ctx, numeric=list(shown.columns[1:]))
    return sec


def league(ctx: ReportContext) -> Section:
    """Team league table: QA score and its variance (方差), AHT, occupancy, CSAT per team, sorted
    by QA score.

    ``tables["teams"]``: ``team_id, qa_score, qa_var, aht_s, occupancy, csat, responses``.
    """
    lang = ctx.lang
    sec = Section("league", f"{L('sec_league', lang)} · {ctx.label}")
    ag = ctx.query(
        "SELECT d.team_id, " + ", ".join(f'sum(i."{c}")::DOUBLE AS "{c}"' for c in _AGENT_SUMS)
        + " FROM agent_interval i JOIN agent_dim d USING (agent_id) WHERE i.interval_start >= ? "
        "AND i.interval_start < ? GROUP BY 1", [_ts(ctx.start), _ts(ctx.end)])
    if ag.empty:
        return _empty(sec, ctx, "agent_interval")
    ag = ag.fillna(0)
    occ = kpi.compute(ag, ["occupancy"], by="team_id")[["team_id", "value"]].rename(
        columns={"value": "occupancy"})
    ag["aht_s"] = (ag["talk_s"] + ag["hold_s"] + ag["acw_s"]) / ag["handled"].where(
        ag["handled"] > 0)
    out = ag[["team_id", "aht_s"]].merge(occ, on="team_id", how="left")
    ev = _qa_frame(ctx, ctx.start, ctx.end)
    if not ev.empty:
        q = ev.groupby("team_id").agg(qa_score=("total_score", "mean"),
                                      qa_var=("total_score", "var")).reset_index()
        out = out.merge(q, on="team_id", how="left")
    cs = ctx.query("SELECT c.*, d.team_id FROM csat_response c JOIN agent_dim d USING (agent_id) "
                   "WHERE c.invited_at >= ? AND c.invited_at < ?", [_ts(ctx.start), _ts(ctx.end)])
    if not cs.empty and cs["responded_at"].notna().any():
        from ccomkit.cx.survey import satisfaction

        s = satisfaction(cs, "team_id", min_n=10)[["team_id", "csat", "responses"]]
        out = out.merge(s, on="team_id", how="left")
    out = out.sort_values("qa_score" if "qa_score" in out else "team_id", ascending=False)
    sec.tables["teams"] = out.reset_index(drop=True)
    shown = pd.DataFrame({L("col_team", lang): out["team_id"]})
    if "qa_score" in out:
        shown[_kpi_name("qa_score", lang)] = [fmt_num(x) for x in out["qa_score"]]
        shown[L("qa_var", lang)] = [fmt_num(x) for x in out["qa_var"]]
    shown[_kpi_name("aht_s", lang)] = [fmt_kpi("aht_s", x, lang) for x in out["aht_s"]]
    shown[_kpi_name("occupancy", lang)] = [fmt_pct(x) for x in out["occupancy"]]
    if "csat" in out:
        shown[_kpi_name("csat", lang)] = [fmt_pct(x) for x in out["csat"]]
    _table(sec, "teams", out, shown, ctx, numeric=list(shown.columns[1:]))
    return sec


# ------------------------------------------------------------------------------------------------
# 9. Actions
# ------------------------------------------------------------------------------------------------


def actions(ctx: ReportContext, headline_section: Section | None = None) -> Section:
    """Actions: one line per KPI in red or amber (what to look at, and the DCDIER step to open),
    and the open DCDIER improvement items recorded in the workspace, if any.

    ``tables["actions"]``: ``kpi_id, status, action``.
    """
    lang = ctx.lang
    sec = Section("actions", f"{L('sec_actions', lang)} · {ctx.label}")
    head = headline_section or headline(ctx)
    k = head.tables.get("kpis", pd.DataFrame())
    rows = []
    for r in k.itertuples():
        if r.status in ("red", "amber"):
            rows.append({"kpi_id": r.kpi_id, "status": r.status,
                         "action": L(f"act_{r.kpi_id}", lang) if L(
                             f"act_{r.kpi_id}", lang) != f"act_{r.kpi_id}"
                         else L("act_default", lang)})
    act = pd.DataFrame(rows, columns=["kpi_id", "status", "action"])
    if act.empty:
        sec.notes.append(L("all_on_target", lang))
    else:
        shown = pd.DataFrame({L("col_kpi", lang): [_kpi_name(x, lang) for x in act["kpi_id"]],
                              L("col_status", lang): act["status"],
                              L("action", lang): act["action"]})
        _table(sec, "actions", act, shown, ctx, status_col=L("col_status", lang))
    items = _dcdier_items(ctx)
    if not items.empty:
        sec.tables["dcdier"] = items
        shown = items.copy()
        shown.columns = [L(c, lang) for c in shown.columns]
        shown = shown.astype(str)
        _table(sec, "dcdier", items, shown, ctx, caption=L("dcdier_open", lang))
    return sec


def _dcdier_items(ctx: ReportContext) -> pd.DataFrame:
    """Open DCDIER cycles recorded in the workspace (:func:`ccomkit.cycle.list_cycles`), newest
    first, with the current step and open actions; empty when none."""
    from ccomkit.cycle import list_cycles
    from ccomkit.store import Workspace

    with Workspace.open_read(ctx.workspace or None) as ws:
        cycles = list_cycles(ws, status="open")
    if ctx.team_id and "scope" in cycles.columns:  # a team's view: its own and center-level cycles
        scope = cycles["scope"].fillna("").astype(str)
        cycles = cycles.loc[~scope.str.startswith("team:") | (scope == f"team:{ctx.team_id}")]
    if cycles.empty:
        return pd.DataFrame()
    owner = cycles["owner"].fillna("").astype(str)
    if ctx.pseudonymise:  # an owner is a person: a code like every agent in the report
        owner = ctx.agent_code()(owner.where(owner != "")).fillna("").astype(str)
    out = pd.DataFrame({
        "cycle_id": cycles["cycle_id"].astype(str),
        "topic": cycles["topic"].astype(str),
        "owner": owner.to_numpy(),
        "step": cycles["current_step"].map(lambda x: label(x, ctx.lang, domain="dcdier")),
        "steps_done": cycles["steps_done"].astype(int),
        "actions_open": cycles["actions_open"].astype(int),
    })
    return out.head(20).reset_index(drop=True)
