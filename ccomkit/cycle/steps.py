"""The six DCDIER steps as compositions, one pair of calls per notebook of ``notebooks/dcdier/``.

Each step has a *compute* function that reads an open workspace and returns a
:class:`StepResult` (its artifact tables and a one-line summary), and :func:`save`, which
writes the result into the cycle record (``Workspace.open_write``, kept short)::

    with Workspace.open_read(workspace) as ws:
        res = steps.collect(ws, cycle_id)
    with Workspace.open_write(workspace, "dcdier collect") as ws:
        steps.save(ws, res)

=========  ====================================================================================
step       artifact tables (``StepResult.tables``)
=========  ====================================================================================
define     ``card`` (指标定义卡: field, label, value), ``history`` (the KPI per period from the
           baseline start to the review end) — creates the cycle on save (re-defines it when
           the cycle id exists)
collect    ``log`` (table, rows in window, first/last day, quarantined rows, last load),
           ``baseline_series`` (the KPI per day/week), ``baseline`` (pooled value, mean, SD, CV of
           the periods, weekly t-interval)
clarify    ``gap`` (baseline against target with its interval), ``top_causes`` and the topic's
           root-cause tables (``rc_*``)
improve    ``plan`` (改进措施表: what, owner, due, expected effect, root cause) — adds the actions
execute    ``tracker`` (actions with status and lateness), ``progress`` (the KPI per week since
           the change against baseline and target) — applies the action updates
review     ``comparison`` (matched weeks and ITS), ``pairs``, ``its``, ``fitted``, ``proposal``
           (the revised target) — records the review and closes the cycle
=========  ====================================================================================

Dates: a cycle has a baseline window, a change date (the actions go live) and a review end.
Step 1 defaults them from the data (see :func:`define`) so that a cycle can also be run
retrospectively on history, as the tests and the demo playbooks do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats

from ccomkit import kpi
from ccomkit.cycle import model
from ccomkit.cycle.review import before_after, propose_target
from ccomkit.cycle.topics import Topic, get_topic, parse_scope
from ccomkit.errors import ParameterError, WorkspaceError
from ccomkit.i18n import label

if TYPE_CHECKING:  # pragma: no cover
    from ccomkit.store import Workspace

__all__ = ["StepResult", "clarify", "collect", "define", "display", "execute", "improve",
           "resolve_cycle", "review", "save"]


@dataclass
class StepResult:
    """What a step computed: the cycle, the step, artifact tables, a summary line, and what
    :func:`save` must also write (``create``: the new cycle's fields; ``actions``: actions to
    add; ``updates``: action updates; ``review``: comparison and proposal)."""

    cycle_id: str
    step: str
    tables: dict[str, pd.DataFrame]
    summary: str
    create: dict[str, Any] | None = None
    cycle_fields: dict[str, Any] = field(default_factory=dict)
    actions: pd.DataFrame | None = None
    updates: pd.DataFrame | None = None
    close: bool = False


def _nan(x: Any) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return float("nan")
    return v


def _opt_date(x: Any, param: str) -> pd.Timestamp | None:
    if x is None or (isinstance(x, str) and not x.strip()):
        return None
    try:
        return pd.Timestamp(x).normalize()
    except (ValueError, TypeError):
        raise ParameterError.expected("dcdier", param, "a date YYYY-MM-DD or empty", x) from None


def _L(code: str, lang: str) -> str:
    return label(code, lang, domain="cycle")


def display(frame: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The table for people: floats rounded to 4 decimals and column headers in ``lang`` where
    the cycle labels know them (the stored artifact keeps its codes and full precision)."""
    from ccomkit.i18n import labels

    known = labels("cycle", lang)
    floats = [c for c in frame.columns if pd.api.types.is_float_dtype(frame[c])]
    out = frame.copy()
    out[floats] = out[floats].round(4)
    return out.rename(columns={c: known.get(f"col_{c}", c) for c in frame.columns})


def resolve_cycle(ws: "Workspace", cycle_id: str = "", topic: str = "") -> pd.Series:
    """The cycle named ``cycle_id``; empty: the latest open cycle of ``topic`` (or of any topic).

    Raises
    ------
    WorkspaceError
        No such cycle, or none open.
    ParameterError
        ``topic`` given and the cycle is of another topic.
    """
    cid = cycle_id or model.latest_cycle_id(ws, topic or None)
    if not cid:
        raise WorkspaceError(f"no open DCDIER cycle{' of ' + topic if topic else ''} in "
                             f"{ws.path}: run 1_define first")
    c = model.get_cycle(ws, cid)
    if topic and str(c["topic"]) != topic:
        raise ParameterError(f"cycle {cid!r} is a {c['topic']} cycle, not {topic}: leave topic "
                             "empty or pass the right cycle_id", param="topic", value=topic)
    return c


def _ctx(c: pd.Series) -> tuple[Topic, str, dict[str, pd.Timestamp]]:
    t = get_topic(str(c["topic"]))
    dates = {k: pd.Timestamp(c[k]) for k in ("baseline_start", "baseline_end", "change_date",
                                             "review_end")}
    return t, str(c["scope"]), dates


# ------------------------------------------------------------------------------------------------
# 1 define
# ------------------------------------------------------------------------------------------------


def define(ws: "Workspace", topic: str, *, cycle_id: str = "", scope: str = "center",
           owner: str = "", variant: str = "default", target: float = float("nan"),
           tolerance: float = float("nan"), baseline_weeks: int = 12, review_weeks: int = 8,
           baseline_end: str = "", change_date: str = "", review_end: str = "",
           title: str = "", lang: str = "zh") -> StepResult:
    """Step 1 (定义): the KPI definition card of a new cycle.

    Dates, when not given: ``change_date`` = the day after ``baseline_end`` when that is
    given, else the Monday on or before the data's last day − 7·``review_weeks`` + 1 (so the
    after period is in the data: a retrospective cycle; ``review_weeks=0`` puts the change
    after the data); ``baseline_end`` = the day before the change; ``baseline_start`` =
    ``baseline_end`` − 7·``baseline_weeks`` + 1 (whole weeks); ``review_end`` =
    ``change_date`` + 7·max(``review_weeks``, 1) − 1. ``target`` NaN (or
    negative) takes the kpi_target row in force for the scope on ``baseline_end``
    (:meth:`Topic.target`), its tolerance and, without ``owner``, its owner.
    """
    t = get_topic(topic)
    sc = parse_scope(scope)
    if int(baseline_weeks) < 3:
        raise ParameterError.expected("define", "baseline_weeks", "an int ≥ 3", baseline_weeks)
    if int(review_weeks) < 0:
        raise ParameterError.expected("define", "review_weeks", "an int ≥ 0", review_weeks)
    if variant and variant not in kpi.KPIS[t.kpi_id].variants:
        raise ParameterError.expected("define", "variant", "one of "
                                      + ", ".join(kpi.KPIS[t.kpi_id].variants), variant)
    end_data = t.data_end(ws)
    b_end = _opt_date(baseline_end, "baseline_end")
    chg = _opt_date(change_date, "change_date")
    if chg is None and b_end is not None:
        chg = b_end + pd.Timedelta(days=1)
    if chg is None:
        anchor = end_data - pd.Timedelta(days=7 * int(review_weeks) - 1)
        chg = anchor - pd.Timedelta(days=anchor.day_of_week)
    b_end = b_end or chg - pd.Timedelta(days=1)
    b_start = b_end - pd.Timedelta(days=7 * int(baseline_weeks) - 1)
    r_end = _opt_date(review_end, "review_end") or (
        chg + pd.Timedelta(days=7 * max(int(review_weeks), 1) - 1))
    if not b_start < b_end < chg <= r_end:
        raise ParameterError(f"dates out of order: baseline {b_start.date()}..{b_end.date()}, "
                             f"change {chg.date()}, review end {r_end.date()}",
                             param="change_date", value=change_date)
    tg = t.target(ws, sc, b_end).iloc[0]
    target = _nan(target)
    given = not math.isnan(target) and target >= 0
    tgt = target if given else _nan(tg["target"])
    tol = _nan(tolerance) if _nan(tolerance) >= 0 else _nan(tg["tolerance"])
    who = owner or (str(tg["owner"]) if tg["owner"] is not None else "")
    k = kpi.KPIS[t.kpi_id]
    var = variant or "default"
    rows = [
        ("cycle_id", cycle_id or _L("cyc_new_id", lang)),
        ("topic", _L(f"topic_{t.code}", lang)),
        ("area", label(t.area, lang, domain="ccom_domain")),
        ("kpi", f"{k.name_zh} {k.name_en} ({t.kpi_id})"),
        ("formula", f"{var}: {k.formula(var)}"),
        ("unit", k.unit), ("better", _L(f"better_{k.better}", lang)),
        ("grain", _L(f"grain_{t.freq}", lang)),
        ("scope", sc.text),
        ("target", "" if math.isnan(tgt) else kpi.format_value(t.kpi_id, tgt, lang=lang)),
        ("tolerance", "" if math.isnan(tol) else f"{tol:g}"),
        ("target_source", "parameter" if given else str(tg["target_scope"] or "")),
        ("owner", who),
        ("baseline", f"{b_start.date()} .. {b_end.date()}"),
        ("change_date", str(chg.date())), ("review_end", str(r_end.date())),
        ("sources", ", ".join(x for x, _ in t.tables)),
        ("data_end", str(end_data.date())),
    ]
    card = pd.DataFrame(rows, columns=["field", "value"])
    card.insert(1, "label", [_L(f"col_{f}", lang) for f in card["field"]])
    create = dict(topic=t.code, owner=who, scope=sc.text, cycle_id=cycle_id or None,
                  title=title, variant=var, baseline_start=b_start, baseline_end=b_end,
                  change_date=chg, review_end=r_end, target=tgt, tolerance=tol,
                  target_source="parameter" if given else str(tg["target_scope"] or ""))
    history = t.series(ws, sc, b_start, min(end_data, r_end), var)
    summary = (f"{t.code} {sc.text}: target {card.loc[card.field == 'target', 'value'].item()}"
               f", baseline {b_start.date()}..{b_end.date()}, change {chg.date()}")
    return StepResult(cycle_id or "", "define", {"card": card, "history": history}, summary,
                      create=create)


# ------------------------------------------------------------------------------------------------
# 2 collect
# ------------------------------------------------------------------------------------------------


def _summary_stats(series: pd.DataFrame, level: float = 0.95) -> dict[str, float]:
    v = series["value"].dropna()
    pooled = (series["numerator"].sum() / series["denominator"].sum()
              if series["denominator"].sum() > 0 else np.nan)
    per = pd.to_datetime(series["period"])
    w = series.assign(_w=(per - per.min()).dt.days // 7)  # 7-day blocks from the start
    wk = w.groupby("_w")[["numerator", "denominator"]].sum()
    wk = wk[wk["denominator"] > 0]
    wv = (wk["numerator"] / wk["denominator"]).to_numpy()
    n = len(wv)
    if n >= 2:
        se = wv.std(ddof=1) / math.sqrt(n)
        q = stats.t.ppf(0.5 + level / 2, n - 1)
        lo, hi = max(pooled - q * se, 0.0), pooled + q * se  # every KPI here is ≥ 0
    else:
        lo = hi = np.nan
    mean = float(v.mean()) if len(v) else np.nan
    sd = float(v.std(ddof=1)) if len(v) > 1 else np.nan
    return {"value": float(pooled), "ci_low": float(lo), "ci_high": float(hi),
            "periods": int(len(v)), "weeks": int(n), "mean": mean, "sd": sd,
            "cv": sd / mean if mean else np.nan,
            "numerator": float(series["numerator"].sum()),
            "denominator": float(series["denominator"].sum())}


def collect(ws: "Workspace", cycle_id: str = "", topic: str = "", *, level: float = 0.95,
            lang: str = "zh") -> StepResult:
    """Step 2 (收集): the data-collection log and the baseline of the cycle's KPI.

    The baseline value is Σnumerator / Σdenominator over the window; its interval is
    value ± t·SD(weekly values)/√weeks (weekly values: whole weeks are nearly independent and
    free of the weekly cycle). Mean, SD and CV are of the daily (weekly) values.
    """
    c = resolve_cycle(ws, cycle_id, topic)
    t, scope, d = _ctx(c)
    st = ws.status().set_index("table")
    log = []
    for table, col in t.tables:
        if col:
            q = ws.query(f'SELECT count(*) AS n, min("{col}") AS lo, max("{col}") AS hi FROM '
                         f'{table} WHERE "{col}" >= ? AND "{col}" < ?',
                         [str(d["baseline_start"].date()),
                          str((d["baseline_end"] + pd.Timedelta(days=1)).date())])
            n, lo, hi = int(q["n"].iloc[0]), q["lo"].iloc[0], q["hi"].iloc[0]
        else:
            n, lo, hi = int(st.loc[table, "rows"]), None, None
        log.append({"table": table, "time_column": col or "", "rows_in_window": n,
                    "first": pd.Timestamp(lo) if lo is not None and not pd.isna(lo) else pd.NaT,
                    "last": pd.Timestamp(hi) if hi is not None and not pd.isna(hi) else pd.NaT,
                    "rows_total": int(st.loc[table, "rows"]),
                    "quarantined": int(st.loc[table, "quarantined"]),
                    "last_load_at": st.loc[table, "last_load_at"],
                    "last_file": st.loc[table, "last_file"]})
    log_df = pd.DataFrame(log)
    series = t.series(ws, scope, d["baseline_start"], d["baseline_end"], str(c["variant"]))
    if series["value"].notna().sum() < 3:
        raise WorkspaceError(f"{t.kpi_id} has {int(series['value'].notna().sum())} periods with "
                             f"data in the baseline {d['baseline_start'].date()}.."
                             f"{d['baseline_end'].date()} for {scope}: ingest the data or move "
                             "the baseline (1_define)")
    s = _summary_stats(series, level)
    base = pd.DataFrame([{"kpi_id": t.kpi_id, "scope": scope,
                          "start": d["baseline_start"], "end": d["baseline_end"],
                          "grain": t.freq, **s, "level": level}])
    summary = (f"baseline {kpi.format_value(t.kpi_id, s['value'], lang=lang)} "
               f"[{kpi.format_value(t.kpi_id, s['ci_low'], lang=lang)}, "
               f"{kpi.format_value(t.kpi_id, s['ci_high'], lang=lang)}] over {s['periods']} periods; "
               f"{int(log_df['rows_in_window'].sum()):,} rows read, "
               f"{int(log_df['quarantined'].sum())} quarantined")
    return StepResult(str(c["cycle_id"]), "collect",
                      {"log": log_df, "baseline_series": series, "baseline": base}, summary)


# ------------------------------------------------------------------------------------------------
# 3 clarify
# ------------------------------------------------------------------------------------------------


def clarify(ws: "Workspace", cycle_id: str = "", topic: str = "", *, lang: str = "zh"
            ) -> StepResult:
    """Step 3 (明确): the gap between baseline and target, and the topic's root causes.

    ``gap`` = baseline − target; ``gap_better`` is signed so that > 0 is better than target;
    ``significant`` when the target lies outside the baseline's interval.
    """
    c = resolve_cycle(ws, cycle_id, topic)
    t, scope, d = _ctx(c)
    base = model.get_artifact(ws, str(c["cycle_id"]), "collect", "baseline").iloc[0]
    target = _nan(c["target"])
    sign = 1.0 if t.better == "higher" else -1.0
    gap = float(base["value"]) - target
    sig = bool(np.isfinite(target) and (target < base["ci_low"] or target > base["ci_high"]))
    status = ("no_target" if not np.isfinite(target) else
              "meets" if sign * gap >= 0 else "misses")
    gap_df = pd.DataFrame([{"kpi_id": t.kpi_id, "scope": scope, "baseline": base["value"],
                            "ci_low": base["ci_low"], "ci_high": base["ci_high"],
                            "target": target, "gap": gap, "gap_better": sign * gap,
                            "significant": sig, "status": status}])
    causes = t.root_causes(ws, scope, d["baseline_start"], d["baseline_end"], target)
    tables = {"gap": gap_df, "top_causes": causes.pop("top_causes")}
    tables.update({f"rc_{k}": v for k, v in causes.items()})
    top = tables["top_causes"]["cause"].astype(str).head(3).tolist()
    summary = (f"{status}: baseline {kpi.format_value(t.kpi_id, base['value'], lang=lang)} vs "
               f"target {kpi.format_value(t.kpi_id, target, lang=lang) if np.isfinite(target) else '—'}; "
               f"top causes: {', '.join(top) or '—'}")
    return StepResult(str(c["cycle_id"]), "clarify", tables, summary)


# ------------------------------------------------------------------------------------------------
# 4 improve
# ------------------------------------------------------------------------------------------------


def _parse_actions(text: str, owner: str, due: pd.Timestamp) -> pd.DataFrame:
    rows = []
    for i, part in enumerate(p for p in text.split(";") if p.strip()):
        f = [x.strip() for x in part.split("|")]
        if not f[0]:
            raise ParameterError.expected("improve", "actions", "'what|owner|due|effect;…' with "
                                          "a non-empty what", part)
        eff = np.nan
        if len(f) > 3 and f[3]:
            try:
                eff = float(f[3])
            except ValueError:
                raise ParameterError.expected("improve", "actions", "a number as the expected "
                                              f"effect of action {i + 1}", f[3]) from None
        rows.append({"what": f[0], "owner": f[1] if len(f) > 1 and f[1] else owner,
                     "due": _opt_date(f[2], "actions") if len(f) > 2 and f[2] else due,
                     "expected_effect": eff, "root_cause": ""})
    return pd.DataFrame(rows)


def improve(ws: "Workspace", cycle_id: str = "", topic: str = "", *, actions: str = ""
            ) -> StepResult:
    """Step 4 (改善): the improvement plan.

    ``actions``: ``"what|owner|due YYYY-MM-DD|expected effect; …"`` (owner, due and effect
    optional; the effect in the KPI's unit, e.g. ``-10`` for AHT −10 s). Empty: the topic's
    suggested countermeasures for the top three causes of step 3, owned by the cycle owner,
    due the day before the change, each expected to close a share of the gap (a planning
    figure to edit).
    """
    c = resolve_cycle(ws, cycle_id, topic)
    t, scope, d = _ctx(c)
    cid = str(c["cycle_id"])
    due = d["change_date"] - pd.Timedelta(days=1)
    if actions.strip():
        plan = _parse_actions(actions, str(c["owner"]), due)
    else:
        causes = model.get_artifact(ws, cid, "clarify", "top_causes")
        gap = model.get_artifact(ws, cid, "clarify", "gap").iloc[0]
        need = -float(gap["gap"]) if np.isfinite(gap["gap"]) else np.nan
        sug = t.suggested_actions({"top_causes": causes})
        plan = pd.DataFrame({"what": sug["what"], "owner": str(c["owner"]), "due": due,
                             "expected_effect": sug["expected_share"] * need
                             if np.isfinite(need) and need * (1 if t.better == "higher" else -1)
                             > 0 else np.nan,
                             "root_cause": sug["root_cause"]})
    have = model.cycle_detail(ws, cid).actions
    new = plan[~plan["what"].isin(set(have["what"].astype(str)))].reset_index(drop=True)
    start = int(have["action_no"].max()) + 1 if len(have) else 1
    new.insert(0, "action_no", range(start, start + len(new)))
    shown = pd.concat([have.rename(columns={"due_date": "due"})[
        ["action_no", "what", "owner", "due", "expected_effect", "root_cause"]], new],
        ignore_index=True) if len(have) else new
    summary = (f"{len(shown)} action(s), expected effect "
               f"{np.nansum(shown['expected_effect'].astype(float)):+.4g} {t.unit}")
    return StepResult(cid, "improve", {"plan": shown}, summary, actions=new)


# ------------------------------------------------------------------------------------------------
# 5 execute
# ------------------------------------------------------------------------------------------------


def _parse_updates(text: str, action_nos: list[int]) -> pd.DataFrame:
    rows = []
    for part in (p for p in text.split(";") if p.strip()):
        f = [x.strip() for x in part.split("|")]
        if len(f) < 2 or f[1] not in model.ACTION_STATUSES:
            raise ParameterError.expected("execute", "updates", "'no|status|date;…' with status "
                                          "one of " + ", ".join(model.ACTION_STATUSES), part)
        nos = action_nos if f[0] == "all" else [int(f[0])] if f[0].isdigit() else None
        if nos is None:
            raise ParameterError.expected("execute", "updates", "an action number or 'all'",
                                          f[0])
        for no in nos:
            rows.append({"action_no": no, "status": f[1],
                         "date": _opt_date(f[2], "updates") if len(f) > 2 and f[2] else None})
    return pd.DataFrame(rows, columns=["action_no", "status", "date"])


def execute(ws: "Workspace", cycle_id: str = "", topic: str = "", *, updates: str = "",
            change_date: str = "", as_of: str = "", lang: str = "zh") -> StepResult:
    """Step 5 (执行): the execution tracker and the KPI while the actions run.

    ``updates``: ``"no|status|date; …"`` (``all`` for every action; status planned,
    in_progress, done or dropped; the date is the start for in_progress, the end for done).
    ``change_date`` moves the day the actions went live. ``as_of`` (default: the data's last
    day, capped at the review end) ends the progress table.
    """
    c = resolve_cycle(ws, cycle_id, topic)
    t, scope, d = _ctx(c)
    cid = str(c["cycle_id"])
    fields: dict[str, Any] = {}
    if change_date:
        d["change_date"] = _opt_date(change_date, "change_date")
        fields["change_date"] = d["change_date"]
    acts = model.cycle_detail(ws, cid).actions
    upd = _parse_updates(updates, acts["action_no"].astype(int).tolist())
    unknown = sorted(set(upd["action_no"]) - set(acts["action_no"].astype(int)))
    if unknown:
        raise ParameterError.expected("execute", "updates", "numbers of the cycle's actions ("
                                      + ", ".join(map(str, acts["action_no"])) + ")", unknown)
    tracker = acts[["action_no", "what", "owner", "due_date", "status", "started_on", "done_on",
                    "expected_effect"]].copy()
    for r in upd.itertuples(index=False):
        m = tracker["action_no"] == r.action_no
        tracker.loc[m, "status"] = r.status
        if r.status == "in_progress" and r.date is not None:
            tracker.loc[m, "started_on"] = r.date
        if r.status == "done" and r.date is not None:
            tracker.loc[m, "done_on"] = r.date
    end_data = t.data_end(ws)
    asof = _opt_date(as_of, "as_of") or min(end_data, d["review_end"])
    ref = tracker["done_on"].where(tracker["status"] == "done", asof)
    tracker["days_late"] = (pd.to_datetime(ref) - pd.to_datetime(tracker["due_date"])).dt.days \
        .clip(lower=0).where(tracker["status"] != "dropped")
    base = model.get_artifact(ws, cid, "collect", "baseline").iloc[0]
    prog = pd.DataFrame(columns=["period", "numerator", "denominator", "value"])
    if asof >= d["change_date"]:
        s = t.series(ws, scope, d["change_date"], asof, str(c["variant"]))
        if len(s):
            w = s.assign(period=pd.to_datetime(s["period"]) - pd.to_timedelta(
                (pd.to_datetime(s["period"]) - d["change_date"]).dt.days % 7, unit="D"))
            prog = w.groupby("period", as_index=False)[["numerator", "denominator"]].sum()
            prog["value"] = prog["numerator"] / prog["denominator"].where(
                prog["denominator"] > 0)
    prog["week"] = np.arange(1, len(prog) + 1)
    prog["baseline"] = float(base["value"])
    prog["target"] = _nan(c["target"])
    n_done = int((tracker["status"] == "done").sum())
    summary = (f"{n_done}/{len(tracker)} actions done, {len(prog)} week(s) since "
               f"{d['change_date'].date()}; latest week "
               f"{kpi.format_value(t.kpi_id, prog['value'].iloc[-1], lang=lang) if len(prog) else '—'}")
    return StepResult(cid, "execute", {"tracker": tracker, "progress": prog}, summary,
                      cycle_fields=fields, updates=upd)


# ------------------------------------------------------------------------------------------------
# 6 review
# ------------------------------------------------------------------------------------------------


def review(ws: "Workspace", cycle_id: str = "", topic: str = "", *, level: float = 0.95,
           trend: bool = True, close: bool = True, seed: int = 0, lang: str = "zh"
           ) -> StepResult:
    """Step 6 (评测): before/after by matched weeks and by interrupted time series, and the
    revised target (rules in :mod:`ccomkit.cycle.review`). The series runs from the baseline
    start to the review end (or the data's last day, if earlier)."""
    c = resolve_cycle(ws, cycle_id, topic)
    t, scope, d = _ctx(c)
    cid = str(c["cycle_id"])
    end = min(d["review_end"], t.data_end(ws))
    if end < d["change_date"] + pd.Timedelta(days=13):
        raise WorkspaceError(f"only {(end - d['change_date']).days + 1} day(s) of data after the "
                             f"change {d['change_date'].date()}: review needs 2 full weeks or "
                             "more")
    s = t.series(ws, scope, d["baseline_start"], end, str(c["variant"]))
    cmp = before_after(s, d["change_date"], better=t.better, freq=t.freq, end_date=end,
                       level=level, trend=trend, seed=seed)
    prop = propose_target(cmp, _nan(c["target"]), better=t.better)
    p = prop.iloc[0]
    tables = {"comparison": cmp, "pairs": cmp.attrs["pairs"], "its": cmp.attrs["its"],
              "fitted": cmp.attrs["its"].attrs["fitted"], "proposal": prop}
    its = cmp.set_index("method").loc["its"]
    fmt = lambda v: kpi.format_value(t.kpi_id, v, lang=lang) if np.isfinite(v) else "—"  # noqa: E731
    summary = (f"{p['decision']}: effect {its['estimate']:+.4g} [{its['ci_low']:+.4g}, "
               f"{its['ci_high']:+.4g}] {t.unit}; target {fmt(p['old_target'])} → "
               f"{fmt(p['revised_target'])}")
    return StepResult(cid, "review", tables, summary, close=close)


# ------------------------------------------------------------------------------------------------
# save
# ------------------------------------------------------------------------------------------------


def save(ws: "Workspace", result: StepResult) -> str:
    """Write a step's result into the cycle record; returns the cycle id (new for define)."""
    cid = result.cycle_id
    tables = dict(result.tables)
    if result.step == "define":
        fields = dict(result.create or {})
        known = set(model.list_cycles(ws)["cycle_id"].astype(str))
        if fields.get("cycle_id") and fields["cycle_id"] in known:  # re-run: redefine in place
            cid = str(fields.pop("cycle_id"))
            model.update_cycle(ws, cid, **fields, status="open")
        else:
            cid = model.create_cycle(ws, **fields)
        card = tables["card"].copy()
        card.loc[card["field"] == "cycle_id", "value"] = cid
        tables["card"] = card
    if result.cycle_fields:
        model.update_cycle(ws, cid, **result.cycle_fields)
    if result.actions is not None:
        for r in result.actions.itertuples(index=False):
            model.add_action(ws, cid, r.what, owner=r.owner, due=r.due,
                             expected_effect=_nan(r.expected_effect),
                             root_cause=str(r.root_cause or ""))
    if result.updates is not None:
        for r in result.updates.itertuples(index=False):
            kw = {"started_on": r.date} if r.status == "in_progress" else \
                {"done_on": r.date} if r.status == "done" else {}
            model.update_action(ws, cid, int(r.action_no), status=r.status, **kw)
    if result.step == "review":
        model.record_review(ws, cid, tables["comparison"], tables["proposal"])
    model.record_step(ws, cid, result.step, tables, summary=result.summary)
    if result.close:
        model.close_cycle(ws, cid)
    result.cycle_id = cid
    return cid
