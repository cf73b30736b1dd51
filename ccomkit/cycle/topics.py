"""The topics a DCDIER cycle improves: each knows its KPI series, its target and its root causes.

=================  ==========  ====================  ===============================================
topic              KPI         CCOM area             root-cause analyses (step 3, 明确)
=================  ==========  ====================  ===============================================
``service_level``  SL          预测排班 forecasting   SL by weekday × hour and by queue, forecast
                                and scheduling        accuracy of the seasonal-naive reference
                                                      forecast (kpi.forecast_accuracy), 离散系数
                                                      reliability classes (wfm.reliability), the
                                                      SL driver tree of the last two months
                                                      (performance.drivers.sl_drivers)
``qa_score``       QA score    质量 quality           deduction Pareto (quality.analysis), X̄-S
                                                      trend with Western Electric rules, teams
                                                      with t-intervals (quality.qa.agent_scores),
                                                      item deductions against CSAT/FCR/tenure
                                                      (Spearman, quality.analysis.qa_correlation)
``aht``            AHT         绩效 performance        exact split of AHT into talk, hold and ACW per
                                                      contact against the period before, AHT by
                                                      queue and by tenure band
``attrition``      attrition   人员 people             exit-reason Pareto (people.attrition),
                                                      attrition by team, new-hire vs tenured
``csat``           CSAT        满意度 satisfaction     driver quadrants and dissatisfaction Pareto
                                                      (cx.survey), CSAT by queue with Wilson
                                                      intervals, the CSAT driver tree of the last
                                                      two months (performance.drivers)
=================  ==========  ====================  ===============================================

A scope is ``center``, ``queue:<id>``, ``team:<id>`` or ``site:<id>``; service level is a queue
KPI (no team or site scope) and attrition a people KPI (no queue scope).

Series are daily (``freq='D'``) except attrition, which is weekly: leavers in the week over the
week's average headcount, scaled by 52/12 to a *monthly-equivalent* rate so it reads against the
monthly target (numerator = leavers × 52/12, denominator = average headcount).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ccomkit import kpi
from ccomkit.errors import ParameterError, WorkspaceError

if TYPE_CHECKING:  # pragma: no cover
    from ccomkit.store import Workspace

__all__ = ["TOPICS", "Topic", "Scope", "get_topic", "parse_scope"]


@dataclass(frozen=True)
class Scope:
    """A parsed scope: ``kind`` (center/queue/team/site) and ``ident``."""

    kind: str
    ident: str

    @property
    def text(self) -> str:
        return "center" if self.kind == "center" else f"{self.kind}:{self.ident}"


def parse_scope(scope: str) -> Scope:
    """``'center'``, ``'queue:GEN'``, ``'team:T01'`` or ``'site:SITE-A'`` → :class:`Scope`.

    Examples
    --------
    >>> parse_scope("queue:GEN")
    Scope(kind='queue', ident='GEN')
    >>> parse_scope("").text
    'center'
    """
    s = (scope or "center").strip()
    if s == "center":
        return Scope("center", "")
    kind, _, ident = s.partition(":")
    if kind not in ("queue", "team", "site") or not ident:
        raise ParameterError.expected("scope", "scope", "'center', 'queue:<id>', 'team:<id>' or "
                                      "'site:<id>'", scope)
    return Scope(kind, ident)


def _ts(x: Any) -> pd.Timestamp:
    return pd.Timestamp(x).normalize()


def _window(ws: "Workspace", table: str, col: str, start: Any, end: Any,
            extra: str = "", params: list[Any] | None = None) -> pd.DataFrame:
    lo = _ts(start).strftime("%Y-%m-%d")
    hi = (_ts(end) + pd.Timedelta(days=1)).strftime("%Y-%m-%d")
    sql = f'SELECT * FROM {table} WHERE "{col}" >= ? AND "{col}" < ?' + extra
    return ws.query(sql, [lo, hi] + list(params or []))


def _agents_of(ws: "Workspace", scope: Scope) -> list[str] | None:
    if scope.kind not in ("team", "site"):
        return None
    col = "team_id" if scope.kind == "team" else "site"
    a = ws.query(f"SELECT agent_id FROM agent_dim WHERE {col} = ?", [scope.ident])
    if a.empty:
        raise ParameterError.expected("scope", "scope", f"a {scope.kind} of agent_dim",
                                      scope.text)
    return a["agent_id"].astype(str).tolist()


def _filter_scope(ws: "Workspace", frame: pd.DataFrame, scope: Scope, topic: str
                  ) -> pd.DataFrame:
    if scope.kind == "center":
        return frame
    if scope.kind == "queue":
        if "queue_id" not in frame.columns:
            raise ParameterError(f"topic {topic} has no queue scope; use center, team:<id> or "
                                 "site:<id>", param="scope", value=scope.text)
        out = frame[frame["queue_id"].astype(str) == scope.ident]
        if out.empty and len(frame):
            raise ParameterError.expected("scope", "scope", "a queue with data in the window",
                                          scope.text)
        return out
    agents = _agents_of(ws, scope)
    if "agent_id" not in frame.columns:
        raise ParameterError(f"topic {topic} has no {scope.kind} scope; use center or "
                             "queue:<id>", param="scope", value=scope.text)
    return frame[frame["agent_id"].astype(str).isin(agents or [])]


def _tidy(t: pd.DataFrame) -> pd.DataFrame:
    out = t[["period", "numerator", "denominator", "value"]].copy()
    out["period"] = pd.to_datetime(out["period"])
    return out.sort_values("period").reset_index(drop=True)


@dataclass(frozen=True)
class Topic:
    """One improvement topic (see the module docstring).

    Attributes
    ----------
    code : str
    kpi_id : str
        The KPI of :data:`ccomkit.kpi.KPIS`.
    area : str
        CCOM area code (i18n domain ``ccom_domain``).
    freq : str
        ``'D'`` or ``'W'``: the grain of :meth:`series`.
    tables : tuple of (table, time column)
        What step 2 logs.
    """

    code: str
    kpi_id: str
    area: str
    freq: str
    tables: tuple[tuple[str, str], ...]

    @property
    def better(self) -> str:
        return kpi.KPIS[self.kpi_id].better

    @property
    def unit(self) -> str:
        return kpi.KPIS[self.kpi_id].unit

    # ------------------------------------------------------------------------ data
    def frame(self, ws: "Workspace", scope: Scope, start: Any, end: Any) -> pd.DataFrame:
        """The source rows of the KPI in the window and scope."""
        if self.code == "service_level":
            if scope.kind in ("team", "site"):
                raise ParameterError("service level is a queue KPI: use scope center or "
                                     "queue:<id>", param="scope", value=scope.text)
            return _filter_scope(ws, _window(ws, "acd_interval", "interval_start", start, end),
                                 scope, self.code)
        if self.code == "aht":
            if scope.kind in ("team", "site"):
                return _filter_scope(ws, _window(ws, "agent_interval", "interval_start", start,
                                                 end), scope, self.code)
            return _filter_scope(ws, _window(ws, "acd_interval", "interval_start", start, end),
                                 scope, self.code)
        if self.code == "qa_score":
            return _filter_scope(ws, _window(ws, "qa_evaluation", "eval_date", start, end),
                                 scope, self.code)
        if self.code == "csat":
            return _filter_scope(ws, _window(ws, "csat_response", "invited_at", start, end),
                                 scope, self.code)
        # attrition: people employed at some time in the window
        if scope.kind == "queue":
            raise ParameterError("attrition is a people KPI: use scope center, team:<id> or "
                                 "site:<id>", param="scope", value=scope.text)
        ad = ws.read("agent_dim")
        if scope.kind != "center":
            col = "team_id" if scope.kind == "team" else "site"
            ad = ad[ad[col].astype(str) == scope.ident]
        return ad

    def series(self, ws: "Workspace", scope: str | Scope, start: Any, end: Any,
               variant: str = "default") -> pd.DataFrame:
        """The KPI per day (per week for attrition) in the window: ``period, numerator,
        denominator, value`` (sums of numerators and denominators; see :func:`kpi.compute`)."""
        sc = parse_scope(scope) if isinstance(scope, str) else scope
        f = self.frame(ws, sc, start, end)
        variants = {self.kpi_id: variant or "default"}
        if self.code == "attrition":
            return _weekly_attrition(f, start, end)
        if f.empty:
            return pd.DataFrame({"period": pd.Series(dtype="datetime64[ns]"),
                                 "numerator": pd.Series(dtype=float),
                                 "denominator": pd.Series(dtype=float),
                                 "value": pd.Series(dtype=float)})
        params: dict[str, Any] = {}
        if self.code == "service_level" and f["sl_threshold_s"].nunique() > 1:
            params = {"service_level": {"own_thresholds": True}}
        t = kpi.compute(f, self.kpi_id, freq="D", variants=variants, params=params or None)
        return _tidy(t)

    def target(self, ws: "Workspace", scope: str | Scope, day: Any) -> pd.DataFrame:
        """The target in force for the scope on ``day`` (``kpi_target`` resolved by
        :func:`ccomkit.performance.scorecard.resolve_targets`): one row with ``target,
        tolerance, formula_variant, params, owner, target_scope``."""
        from ccomkit.performance.scorecard import resolve_targets

        sc = parse_scope(scope) if isinstance(scope, str) else scope
        kt = ws.read("kpi_target")
        req = {"kpi_id": [self.kpi_id], "date": [_ts(day)]}
        if sc.kind == "queue":
            req["queue_id"] = [sc.ident]
        if sc.kind == "team":
            req["team_id"] = [sc.ident]
        if kt.empty:
            return pd.DataFrame([{**{k: v[0] for k, v in req.items()}, "target": np.nan,
                                  "tolerance": np.nan, "formula_variant": None, "params": None,
                                  "owner": None, "target_scope": None}])
        return resolve_targets(kt, pd.DataFrame(req))

    def data_end(self, ws: "Workspace") -> pd.Timestamp:
        """Last day with data in the topic's main table."""
        table, col = self.tables[0]
        if self.code == "attrition":  # people data run up to the last day of any activity
            v = ws.query("SELECT greatest((SELECT max(hire_date) FROM agent_dim), "
                         "(SELECT max(leave_date) FROM agent_dim), "
                         "(SELECT max(work_date) FROM attendance), "
                         "(SELECT CAST(max(interval_start) AS DATE) FROM agent_interval)) AS t")
        else:
            v = ws.query(f'SELECT max("{col}") AS t FROM {table}')
        t = v["t"].iloc[0]
        if t is None or pd.isna(t):
            raise WorkspaceError(f"{table} is empty: ingest it (or run `ccom demo`) before a "
                                 f"{self.code} cycle")
        return _ts(t)

    # ------------------------------------------------------------------------ analyses
    def root_causes(self, ws: "Workspace", scope: str | Scope, start: Any, end: Any,
                    target: float = float("nan")) -> dict[str, pd.DataFrame]:
        """The root-cause tables of the topic over the window (see the module docstring)."""
        sc = parse_scope(scope) if isinstance(scope, str) else scope
        fn = {"service_level": _rc_service_level, "qa_score": _rc_qa, "aht": _rc_aht,
              "attrition": _rc_attrition, "csat": _rc_csat}[self.code]
        return fn(self, ws, sc, _ts(start), _ts(end), target)

    def suggested_actions(self, causes: dict[str, pd.DataFrame]) -> pd.DataFrame:
        """Countermeasures for the top causes: ``what, root_cause, expected_share`` (share of
        the gap the action is expected to close, a planning guess the user edits)."""
        rows: list[dict[str, Any]] = []
        top = causes.get("top_causes", pd.DataFrame())
        for r in top.head(3).itertuples(index=False):
            rows.append({"what": _ACTION_TEMPLATES[self.code].format(cause=r.cause),
                         "root_cause": str(r.cause), "expected_share": 0.3})
        if not rows:
            rows.append({"what": _ACTION_TEMPLATES[self.code].format(cause="the largest gap"),
                         "root_cause": "", "expected_share": 0.5})
        return pd.DataFrame(rows)


_ACTION_TEMPLATES = {
    "service_level": "Re-forecast and re-staff {cause}; call in the reserve force there "
                     "(重新预测并调整排班)",
    "qa_score": "Targeted coaching and calibration on {cause} (专项辅导与校准)",
    "aht": "Coach and fix the process behind {cause} (流程优化与辅导)",
    "attrition": "Stay interviews and a fix for exit reason {cause} (留任面谈与改进)",
    "csat": "Fix the driver {cause}; call back dissatisfied customers (改进驱动因素并回访)",
}


def _weekly_attrition(agent_dim: pd.DataFrame, start: Any, end: Any) -> pd.DataFrame:
    s, e = _ts(start), _ts(end)
    weeks = pd.date_range(s - pd.Timedelta(days=s.day_of_week), e, freq="7D")
    hire = pd.to_datetime(agent_dim["hire_date"]).to_numpy()
    leave = pd.to_datetime(agent_dim["leave_date"]).to_numpy()
    rows = []
    for w in weeks:
        w0, w1 = np.datetime64(w), np.datetime64(w + pd.Timedelta(days=6))
        alive0 = (hire <= w0) & ~(leave < w0)
        alive1 = (hire <= w1) & ~(leave <= w1)
        leavers = int(((leave >= w0) & (leave <= w1)).sum())
        hc = (alive0.sum() + alive1.sum()) / 2.0
        rows.append({"period": w, "numerator": leavers * 52.0 / 12.0, "denominator": float(hc)})
    out = pd.DataFrame(rows, columns=["period", "numerator", "denominator"])
    out["value"] = np.where(out["denominator"] > 0, out["numerator"]
                            / out["denominator"].where(out["denominator"] > 0), np.nan)
    return out


def _top(frame: pd.DataFrame, cause: str, measure: str, n: int = 5) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame({"cause": pd.Series(dtype=str), "measure": pd.Series(dtype=float)})
    t = frame.head(n)
    return pd.DataFrame({"cause": t[cause].astype(str).to_numpy(),
                         "measure": t[measure].astype(float).to_numpy()})


def _month_drivers(ws: "Workspace", sc: Scope, end: pd.Timestamp, kind: str) -> pd.DataFrame:
    """The KPI driver tree (performance.drivers) between the last full month of the window and
    the month before: what moved service level (staffing ratio, adherence) or CSAT (FCR, QA,
    ASA). Center or queue scope; an explanation row instead when it cannot be computed."""
    from ccomkit.errors import CcomkitError
    from ccomkit.performance.drivers import csat_drivers, sl_drivers

    comp = (end + pd.Timedelta(days=1)).to_period("M") - 1
    base = comp - 1
    lo, hi = base.start_time, comp.end_time.normalize()
    try:
        if kind == "service_level":
            acd = _filter_scope(ws, _window(ws, "acd_interval", "interval_start", lo, hi), sc,
                                kind)
            ai = _window(ws, "agent_interval", "interval_start", lo, hi)
            if sc.kind == "queue":
                ai = ai[ai["queue_id"].astype(str) == sc.ident]
            out = sl_drivers(acd, ai, base, comp)
        else:
            cs = _filter_scope(ws, _window(ws, "csat_response", "invited_at", lo, hi), sc, kind)
            ev = _window(ws, "qa_evaluation", "eval_date", lo, hi)
            out = csat_drivers(cs, base, comp, qa_evaluation=ev)
    except CcomkitError as exc:
        return pd.DataFrame({"driver": ["not computed"], "note": [str(exc)]})
    out = out.copy()
    out.attrs = {}
    out.insert(0, "months", f"{base} → {comp}")
    return out


def _rc_service_level(topic: Topic, ws: "Workspace", sc: Scope, s: pd.Timestamp,
                      e: pd.Timestamp, target: float) -> dict[str, pd.DataFrame]:
    from ccomkit.wfm.reliability import reliability

    acd = topic.frame(ws, sc, s, e)
    params = {"service_level": {"own_thresholds": True}}
    acd = acd.assign(weekday=acd["interval_start"].dt.day_of_week,
                     hour=acd["interval_start"].dt.hour)
    slot = kpi.compute(acd, "service_level", by=["weekday", "hour"], params=params)
    vol = acd.groupby(["weekday", "hour"])["offered"].sum().rename("offered").reset_index()
    slot = slot.merge(vol, on=["weekday", "hour"])
    slot["gap"] = slot["value"] - target if np.isfinite(target) else np.nan
    # calls short of target: how many more answered-in-T calls the slot needed
    slot["calls_short"] = np.where(np.isfinite(target),
                                   np.maximum(target * slot["denominator"] - slot["numerator"], 0),
                                   np.nan)
    slot = slot.sort_values("calls_short" if np.isfinite(target) else "value",
                            ascending=not np.isfinite(target)).reset_index(drop=True)
    slot["slot"] = [f"{'一二三四五六日'[int(d)]} {int(h):02d}:00" for d, h in
                    zip(slot["weekday"], slot["hour"])]
    queue = kpi.compute(acd, ["service_level", "abandon_rate", "asa_s"], by="queue_id",
                        params={"own_thresholds": True})
    queue = queue.pivot_table(index="queue_id", columns="kpi_id", values="value").reset_index()
    queue.columns.name = None
    # forecast accuracy of the reference forecast: the same interval one week before
    hist = acd[["queue_id", "interval_start", "offered"]].copy()
    prev = hist.assign(interval_start=hist["interval_start"] + pd.Timedelta(days=7)).rename(
        columns={"offered": "forecast"})
    fa = hist.rename(columns={"offered": "actual"}).merge(prev, on=["queue_id",
                                                                    "interval_start"])
    fa = fa[fa["actual"] > 0]
    acc = kpi.forecast_accuracy(fa, by="queue_id", freq=None) if len(fa) else pd.DataFrame()
    rel_in = acd.rename(columns={"queue_id": "queue", "offered": "calls_offered"})[
        ["queue", "interval_start", "calls_offered"]]
    try:
        rel = reliability(rel_in, k_weeks=min(8, max(4, (e - s).days // 7)))
        rel = (rel.groupby(["queue", "reliability_class"]).size().rename("intervals")
               .reset_index())
        rel["share"] = rel["intervals"] / rel.groupby("queue")["intervals"].transform("sum")
    except Exception as exc:  # a window too short for the CV: say so instead of failing
        rel = pd.DataFrame({"queue": [""], "reliability_class": [f"not computed: {exc}"],
                            "intervals": [0], "share": [np.nan]})
    top = _top(slot, "slot", "calls_short" if np.isfinite(target) else "value")
    out = {"top_causes": top, "sl_by_slot": slot.head(30), "by_queue": queue,
           "forecast_accuracy": acc, "reliability": rel}
    out["drivers"] = _month_drivers(ws, sc, e, "service_level")
    return out


def _rc_qa(topic: Topic, ws: "Workspace", sc: Scope, s: pd.Timestamp, e: pd.Timestamp,
           target: float) -> dict[str, pd.DataFrame]:
    from ccomkit.quality.analysis import (agent_month_panel, deduction_pareto, qa_context,
                                          qa_correlation, xbar_s_chart)
    from ccomkit.quality.qa import agent_scores

    ev = topic.frame(ws, sc, s, e)
    ev = ev[~ev["is_calibration"].fillna(False).astype(bool)]
    ids = ev["eval_id"].astype(str).tolist()
    items = ws.query("SELECT * FROM qa_item WHERE eval_id IN (SELECT unnest(?))", [ids]) \
        if ids else ws.query("SELECT * FROM qa_item LIMIT 0")
    pareto = deduction_pareto(items, ev)
    trend = xbar_s_chart(ev, freq="W")
    agent_dim = ws.read("agent_dim")
    ctx = qa_context(ev, agent_dim)
    teams = agent_scores(ctx, by="team_id")
    csat = _window(ws, "csat_response", "invited_at", s, e)
    csat = csat[csat["agent_id"].isin(ev["agent_id"])]
    panel = agent_month_panel(ev, items, csat=csat if len(csat) else None, agent_dim=agent_dim)
    corr = qa_correlation(panel).sort_values("p_value", na_position="last").reset_index(
        drop=True)
    top = _top(pareto, "label_en", "points")
    return {"top_causes": top, "deduction_pareto": pareto, "trend": trend, "by_team": teams,
            "correlation": corr}


def _rc_aht(topic: Topic, ws: "Workspace", sc: Scope, s: pd.Timestamp, e: pd.Timestamp,
            target: float) -> dict[str, pd.DataFrame]:
    span = e - s + pd.Timedelta(days=1)
    prior = topic.frame(ws, sc, s - span, s - pd.Timedelta(days=1))
    cur = topic.frame(ws, sc, s, e)
    talk, hold, acw, n = (("sum_talk_s", "sum_hold_s", "sum_acw_s", "handled")
                          if "sum_talk_s" in cur.columns else
                          ("talk_s", "hold_s", "acw_s", "handled"))
    rows = []
    for name, col in (("talk", talk), ("hold", hold), ("acw", acw)):
        b = prior[col].sum() / max(prior[n].sum(), 1)
        c = cur[col].sum() / max(cur[n].sum(), 1)
        rows.append({"component": name, "prior_s": b, "current_s": c, "change_s": c - b})
    comp = pd.DataFrame(rows)
    comp["share_of_change"] = comp["change_s"] / comp["change_s"].sum() \
        if comp["change_s"].sum() else np.nan
    comp.attrs["identity"] = "AHT = talk/handled + hold/handled + ACW/handled (exact split)"
    ai = _window(ws, "agent_interval", "interval_start", s, e)
    ai = _filter_scope(ws, ai, sc, topic.code) if sc.kind != "queue" else \
        ai[ai["queue_id"].astype(str) == sc.ident]
    ad = ws.read("agent_dim", columns=["agent_id", "hire_date", "team_id"])
    ai = ai.merge(ad, on="agent_id", how="left")
    tenure = (e - pd.to_datetime(ai["hire_date"])).dt.days
    ai["tenure_band"] = pd.cut(tenure, [-1, 90, 180, 365, 730, 100000],
                               labels=["0-3m", "3-6m", "6-12m", "1-2y", "2y+"]).astype(str)
    band = kpi.compute(ai, "aht_s", by="tenure_band")[["tenure_band", "value", "denominator"]]
    band = band.rename(columns={"value": "aht_s", "denominator": "handled"})
    team = kpi.compute(ai, "aht_s", by="team_id")[["team_id", "value", "denominator"]].rename(
        columns={"value": "aht_s", "denominator": "handled"}).sort_values("aht_s",
                                                                           ascending=False)
    by_q = kpi.compute(cur, "aht_s", by="queue_id")[["queue_id", "value", "denominator"]].rename(
        columns={"value": "aht_s", "denominator": "handled"}) if "queue_id" in cur.columns \
        else pd.DataFrame()
    ranked = comp.sort_values("change_s", ascending=False)
    top = _top(ranked.assign(cause=ranked["component"] + " time per contact"), "cause",
               "change_s")
    return {"top_causes": top, "components": comp, "by_tenure": band,
            "by_team": team.reset_index(drop=True), "by_queue": by_q}


def _rc_attrition(topic: Topic, ws: "Workspace", sc: Scope, s: pd.Timestamp, e: pd.Timestamp,
                  target: float) -> dict[str, pd.DataFrame]:
    from ccomkit.people.attrition import exit_reason_pareto

    ad = topic.frame(ws, sc, s, e)
    he = ws.read("hr_event")
    he = he[he["agent_id"].isin(ad["agent_id"])]
    pareto = exit_reason_pareto(he, start=s, end=e)
    hc = kpi.headcount_monthly(ad, by="team_id", start=s, end=e, hr_event=he)
    team = kpi.compute(hc, "attrition", by="team_id")[["team_id", "numerator", "denominator",
                                                       "value"]]
    team = team.rename(columns={"numerator": "leavers", "denominator": "avg_headcount_months",
                                "value": "monthly_rate"}).sort_values("monthly_rate",
                                                                      ascending=False)
    hc_all = kpi.headcount_monthly(ad, start=s, end=e, hr_event=he)
    kinds = kpi.compute(hc_all, "attrition", variants={"attrition": ["new_hire", "tenured",
                                                                     "voluntary",
                                                                     "involuntary"]})
    kinds = kinds[["variant", "numerator", "denominator", "value"]].rename(
        columns={"numerator": "leavers", "value": "monthly_rate"})
    top = _top(pareto, "leave_reason", "leavers")
    return {"top_causes": top, "exit_reasons": pareto, "by_team": team.reset_index(drop=True),
            "by_kind": kinds}


def _rc_csat(topic: Topic, ws: "Workspace", sc: Scope, s: pd.Timestamp, e: pd.Timestamp,
             target: float) -> dict[str, pd.DataFrame]:
    from ccomkit.cx.survey import dissat_pareto, driver_analysis, wilson_interval

    cs = topic.frame(ws, sc, s, e)
    drivers = driver_analysis(cs)
    pareto = dissat_pareto(cs)
    q = kpi.compute(cs, "csat", by="queue_id")[["queue_id", "numerator", "denominator",
                                                 "value"]]
    lo_hi = wilson_interval(q["numerator"].to_numpy(), q["denominator"].to_numpy())
    q = q.assign(ci_low=np.asarray(lo_hi)[0], ci_high=np.asarray(lo_hi)[1]) \
        if not isinstance(lo_hi, pd.DataFrame) else q.join(lo_hi[["ci_low", "ci_high"]])
    fix = drivers[drivers["quadrant"] == "fix_first"] if "quadrant" in drivers.columns else \
        drivers.head(0)
    top = _top(fix.sort_values("importance", ascending=False), "driver", "importance") \
        if len(fix) else pd.DataFrame({"cause": pd.Series(dtype=str),
                                       "measure": pd.Series(dtype=float)})
    top = pd.concat([top, _top(pareto, "reason", "mentions", 3)], ignore_index=True)
    return {"top_causes": top, "drivers": drivers, "dissat_pareto": pareto,
            "by_queue": q.rename(columns={"value": "csat"}),
            "change_drivers": _month_drivers(ws, sc, e, "csat")}


TOPICS: dict[str, Topic] = {
    "service_level": Topic("service_level", "service_level", "forecasting_scheduling", "D",
                           (("acd_interval", "interval_start"),)),
    "qa_score": Topic("qa_score", "qa_score", "quality", "D",
                      (("qa_evaluation", "eval_date"), ("qa_item", ""), ("agent_dim", ""))),
    "aht": Topic("aht", "aht_s", "performance", "D",
                 (("acd_interval", "interval_start"), ("agent_interval", "interval_start"),
                  ("agent_dim", ""))),
    "attrition": Topic("attrition", "attrition", "people", "W",
                       (("agent_dim", "hire_date"), ("hr_event", "event_date"))),
    "csat": Topic("csat", "csat", "satisfaction", "D", (("csat_response", "invited_at"),)),
}
"""The topics by code."""


def get_topic(code: str) -> Topic:
    """The :class:`Topic` of ``code`` (``service_level``, ``qa_score``, ``aht``, ``attrition``,
    ``csat``).

    Examples
    --------
    >>> get_topic("aht").kpi_id, get_topic("aht").better
    ('aht_s', 'lower')
    """
    if code not in TOPICS:
        raise ParameterError.expected("topic", "topic", "one of " + ", ".join(TOPICS), code)
    return TOPICS[code]
