"""The four quality analysis methods of DOMAIN.md §4.1 — 根源 root cause, 关联 correlation,
趋势 trend, 对比 comparison — each a function returning tables, with a chart builder beside it
(an unrendered :class:`altair.Chart` with a bilingual title).

Inputs are the workspace tables ``qa_evaluation`` and ``qa_item`` (plus ``agent_dim``,
``csat_response``, ``agent_interval`` and ``schedule`` where a method needs them). Functions use
the evaluations they are given: pass :func:`ccomkit.quality.qa.latest_evaluations` output to
drop re-scored evaluations, and :func:`qa_context` to add drill-down columns (team, tenure band,
shift). Calibration evaluations are always left out here (they belong to
:mod:`ccomkit.quality.calibration`).

Statistics
----------
* Spearman rank correlation (:func:`scipy.stats.spearmanr`) with n and two-sided p-values;
  Benjamini-Hochberg adjusted p-values within each outcome.
* p-chart with varying n: p̄ = Σx/Σn, limits p̄ ± 3·√(p̄(1 − p̄)/nᵢ) clipped to [0, 1].
* X̄-S chart with varying n: grand mean x̿ = Σnᵢx̄ᵢ/Σnᵢ, σ̂ = s̄/c4(Σ(nᵢ − 1) + 1) where s̄
  is the pooled ``√(Σ(nᵢ − 1)sᵢ²/Σ(nᵢ − 1))``; X̄ limits x̿ ± 3σ̂/√nᵢ, S centre c4(nᵢ)σ̂ and limits
  σ̂·(c4 ± 3√(1 − c4²)) (Montgomery, *Introduction to SQC*, §6.3).
* Western Electric rules on z = (value − centre)/σᵢ: 1 one point beyond 3σ; 2 two of three
  successive points beyond 2σ on one side; 3 four of five beyond 1σ on one side; 4 eight in a
  row on one side. A rule is flagged on the point that completes the pattern, if that point is
  itself on the pattern's side.
* Comparison: each group against the rest by Welch's t and Mann-Whitney U (normal
  approximation with tie and continuity correction, as scipy's ``method="asymptotic"``), against
  the target by a one-sample t-test; Holm (default) or Benjamini-Hochberg control within each
  family; omnibus one-way ANOVA and Kruskal-Wallis.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from ccomkit import kpi
from ccomkit.errors import ParameterError
from ccomkit.quality.forms import SECTION_LABELS, QAForm, load_form
from ccomkit.quality.qa import _regular, t_interval, tenure_band
from ccomkit.schemas import require_columns

if TYPE_CHECKING:  # pragma: no cover
    import altair as alt

Correction = Literal["holm", "bh"]


# --------------------------------------------------------------------------------------------
# shared helpers
# --------------------------------------------------------------------------------------------

def _as_list(by: str | list[str] | tuple[str, ...] | None) -> list[str]:
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def adjust_pvalues(p: np.ndarray, method: Correction = "holm") -> np.ndarray:
    """Holm step-down or Benjamini-Hochberg adjusted p-values (NaN kept as NaN).

    Examples
    --------
    >>> adjust_pvalues(np.array([0.01, 0.04, 0.03]), "holm").round(3).tolist()
    [0.03, 0.06, 0.06]
    >>> adjust_pvalues(np.array([0.01, 0.04, 0.03]), "bh").round(3).tolist()
    [0.03, 0.04, 0.04]
    """
    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    q = p[ok]
    m = len(q)
    if m == 0:
        return out
    order = np.argsort(q, kind="stable")
    if method == "holm":
        adj = np.maximum.accumulate((m - np.arange(m)) * q[order])
    elif method == "bh":
        adj = np.minimum.accumulate((q[order] * m / np.arange(1, m + 1))[::-1])[::-1]
    else:
        raise ParameterError.expected("adjust_pvalues", "method", "'holm' or 'bh'", method)
    res = np.empty(m)
    res[order] = np.minimum(adj, 1.0)
    out[ok] = res
    return out


def qa_context(evaluations: pd.DataFrame, agent_dim: pd.DataFrame | None = None,
               schedule: pd.DataFrame | None = None) -> pd.DataFrame:
    """Add drill-down columns to evaluations: ``team_id``, ``tenure_days``, ``tenure_band``
    (from ``agent_dim``, tenure at ``call_date`` or else ``eval_date``), ``shift_code`` (the
    agent's shift on the call day, from ``schedule``) and ``month`` (first day of the
    ``eval_date`` month).

    Examples
    --------
    >>> ev = pd.DataFrame({"eval_id": ["E1"], "agent_id": ["A"],
    ...                    "eval_date": pd.to_datetime(["2026-03-05"])})
    >>> ag = pd.DataFrame({"agent_id": ["A"], "team_id": ["T1"],
    ...                    "hire_date": pd.to_datetime(["2026-01-01"])})
    >>> qa_context(ev, ag)[["team_id", "tenure_days", "tenure_band", "month"]]
      team_id  tenure_days tenure_band      month
    0      T1           63        0-3m 2026-03-01
    """
    require_columns(evaluations, ["eval_id", "agent_id", "eval_date"], "qa_evaluation")
    out = evaluations.copy()
    day = pd.to_datetime(out["call_date"] if "call_date" in out.columns else out["eval_date"])
    day = day.fillna(pd.to_datetime(out["eval_date"]))
    out["month"] = pd.to_datetime(out["eval_date"]).dt.to_period("M").dt.start_time
    if agent_dim is not None:
        require_columns(agent_dim, ["agent_id", "team_id", "hire_date"], "agent_dim")
        a = agent_dim.drop_duplicates("agent_id").set_index("agent_id")
        aid = out["agent_id"].to_numpy()
        if "team_id" not in out.columns:
            out["team_id"] = a["team_id"].reindex(aid).to_numpy()
        hire = pd.to_datetime(a["hire_date"]).reindex(aid).to_numpy()
        td = (day.to_numpy() - hire) / np.timedelta64(1, "D")
        out["tenure_days"] = pd.array(np.where(np.isnan(td), np.nan, np.floor(td)), dtype="Int64")
        out["tenure_band"] = tenure_band(td).to_numpy()
    if schedule is not None:
        require_columns(schedule, ["agent_id", "shift_date", "shift_code"], "schedule")
        sc = schedule
        if "schedule_version" in sc.columns:
            sc = sc[sc["schedule_version"] == "published"]
        sc = sc.drop_duplicates(["agent_id", "shift_date"])[["agent_id", "shift_date", "shift_code"]]
        key = pd.DataFrame({"agent_id": out["agent_id"].to_numpy(),
                            "shift_date": day.dt.normalize().to_numpy()})
        sc = sc.assign(shift_date=pd.to_datetime(sc["shift_date"]).astype(key["shift_date"].dtype))
        out["shift_code"] = key.merge(sc, on=["agent_id", "shift_date"], how="left")[
            "shift_code"].to_numpy()
    return out


def _factorize_rows(frame: pd.DataFrame, cols: list[str], sort: bool = False
                    ) -> tuple[np.ndarray, pd.DataFrame]:
    """Group codes (0..k-1, -1 for a row with a missing key) and the k key rows."""
    codes = (frame[cols].groupby(cols, sort=sort, dropna=True, observed=True).ngroup()
             .fillna(-1).to_numpy(dtype=np.int64))
    valid = np.flatnonzero(codes >= 0)
    _, first = np.unique(codes[valid], return_index=True)
    keys = frame[cols].iloc[valid[first]].reset_index(drop=True)
    return codes, keys


def _title(zh: str, en: str) -> str:
    return f"{zh} · {en}"


# --------------------------------------------------------------------------------------------
# 1. root cause (根源分析): Pareto of deduction items and fatal types
# --------------------------------------------------------------------------------------------

def _pareto_finish(out: pd.DataFrame, by_cols: list[str], measure: str,
                   vital_share: float) -> pd.DataFrame:
    out = out.sort_values([*by_cols, measure, "code"],
                          ascending=[True] * len(by_cols) + [False, True], kind="stable")
    g = out.groupby(by_cols, sort=False)[measure] if by_cols else None
    tot = g.transform("sum") if g is not None else out[measure].sum()
    cum = g.cumsum() if g is not None else out[measure].cumsum()
    with np.errstate(invalid="ignore", divide="ignore"):
        out["share"] = out[measure] / tot
        out["cum_share"] = cum / tot
    before = out["cum_share"] - out["share"]
    out["vital_few"] = (before < vital_share - 1e-12) & (out[measure] > 0)
    out["rank"] = (out.groupby(by_cols, sort=False).cumcount() + 1 if by_cols
                   else np.arange(1, len(out) + 1))
    return out.reset_index(drop=True)


def deduction_pareto(items: pd.DataFrame, evaluations: pd.DataFrame | None = None,
                     by: str | list[str] | None = None, *, form: QAForm | str | None = None,
                     vital_share: float = 0.8) -> pd.DataFrame:
    """Pareto of deduction items (根源分析): how often and how many points each item cost.

    Parameters
    ----------
    items : DataFrame
        ``qa_item`` rows (``eval_id``, ``item_code``, ``deducted_points``). Fatal items are
        left out (see :func:`fatal_pareto`).
    evaluations : DataFrame, optional
        When given, only items of these evaluations (calibration ones left out) count, and the
        ``by`` columns (team_id, queue_id, tenure_band, evaluator_id …) are read from it.
    by : str or list of str, optional
        Drill-down: one Pareto per group.
    form : QAForm or str, optional
        For labels and sections; default the shipped form.
    vital_share : float, default 0.8
        An item is one of the *vital few* when the cumulative points share before it is below
        this (so the item that crosses 80 % is included).

    Returns
    -------
    DataFrame
        Per group, items by points descending: the ``by`` columns, ``code``, ``section``,
        ``label_zh``, ``label_en``, ``n_deductions`` (rows with points > 0), ``points``,
        ``share`` (of the group's points), ``cum_share``, ``vital_few``, ``rank``.

    Examples
    --------
    Points 6 (A1_tone) + 3 (L1) + 1 (S1) = 10 → shares 0.6, 0.3, 0.1; cumulative 0.6, 0.9, 1.0.
    A1 (0 before) and L1 (0.6 before) are vital; S1 (0.9 before) is not:

    >>> items = pd.DataFrame({"eval_id": ["E1", "E1", "E2", "E2"],
    ...     "item_code": ["A1_tone", "L1_greeting_closing", "A1_tone", "S1_probing"],
    ...     "deducted_points": [3.0, 3.0, 3.0, 1.0]})
    >>> deduction_pareto(items)[["code", "n_deductions", "points", "cum_share", "vital_few"]]
                      code  n_deductions  points  cum_share  vital_few
    0              A1_tone             2     6.0        0.6       True
    1  L1_greeting_closing             1     3.0        0.9       True
    2           S1_probing             1     1.0        1.0      False
    """
    if not 0 < vital_share <= 1:
        raise ParameterError.expected("deduction_pareto", "vital_share", "a float in (0, 1]",
                                      vital_share)
    f = form if isinstance(form, QAForm) else load_form(form or "default")
    by_cols = _as_list(by)
    require_columns(items, ["eval_id", "item_code", "deducted_points"], "qa_item")
    fd = f.to_frame().set_index("item_code")
    it = items[["eval_id", "item_code", "deducted_points"]]
    if evaluations is not None:
        require_columns(evaluations, ["eval_id", *by_cols], "qa_evaluation")
        ev = _regular(evaluations)[["eval_id", *by_cols]]
        it = it.merge(ev, on="eval_id", how="inner")
    elif by_cols:
        raise ParameterError.expected("deduction_pareto", "evaluations",
                                      "a frame holding the 'by' columns when 'by' is given", None)
    fatal_codes = fd.index[fd["is_fatal"]]
    it = it[~it["item_code"].isin(fatal_codes)]
    ded = it["deducted_points"].to_numpy(dtype=float)
    g = it.assign(hit=ded > 0).groupby([*by_cols, "item_code"], sort=False, observed=True)
    out = g.agg(n_deductions=("hit", "sum"), points=("deducted_points", "sum")).reset_index()
    out = out.rename(columns={"item_code": "code"})
    out["n_deductions"] = out["n_deductions"].astype(np.int64)
    lab = fd.reindex(out["code"].to_numpy())
    out["section"] = lab["section"].to_numpy()
    out["label_zh"] = lab["label_zh"].to_numpy()
    out["label_en"] = lab["label_en"].to_numpy()
    out = _pareto_finish(out, by_cols, "points", vital_share)
    return out[[*by_cols, "code", "section", "label_zh", "label_en", "n_deductions", "points",
                "share", "cum_share", "vital_few", "rank"]]


def fatal_pareto(evaluations: pd.DataFrame, by: str | list[str] | None = None, *,
                 vital_share: float = 0.8) -> pd.DataFrame:
    """Pareto of fatal (red-line) errors by type: customer / business / compliance critical.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``code`` (fatal_type), ``label_zh``, ``label_en``, ``n_fatal``,
        ``n_evaluations`` (of the group), ``fatal_rate`` (n_fatal ÷ n_evaluations), ``share``
        (of the group's fatal errors), ``cum_share``, ``vital_few``, ``rank``.

    Examples
    --------
    >>> ev = pd.DataFrame({"eval_id": list("abcde"), "fatal_flag": [True, True, True, False, False],
    ...     "fatal_type": ["compliance", "customer", "compliance", None, None]})
    >>> fatal_pareto(ev)[["code", "n_fatal", "fatal_rate", "cum_share"]].round(3)
             code  n_fatal  fatal_rate  cum_share
    0  compliance        2         0.4      0.667
    1    customer        1         0.2      1.000
    """
    by_cols = _as_list(by)
    require_columns(evaluations, ["fatal_flag", "fatal_type", *by_cols], "qa_evaluation")
    ev = _regular(evaluations)
    n_group = (ev.groupby(by_cols, sort=False, dropna=False).size().rename("n_evaluations")
               if by_cols else None)
    fat = ev[ev["fatal_flag"].fillna(False).to_numpy(dtype=bool)]
    out = (fat.groupby([*by_cols, "fatal_type"], sort=False, dropna=False).size()
           .rename("n_fatal").reset_index().rename(columns={"fatal_type": "code"}))
    if by_cols:
        out = out.merge(n_group.reset_index(), on=by_cols, how="left")
    else:
        out["n_evaluations"] = len(ev)
    out["n_fatal"] = out["n_fatal"].astype(np.int64)
    out["n_evaluations"] = out["n_evaluations"].astype(np.int64)
    out["fatal_rate"] = out["n_fatal"] / out["n_evaluations"]
    labels = {"customer": ("客户致命", "customer-critical"),
              "business": ("业务致命", "business-critical"),
              "compliance": ("合规致命", "compliance-critical")}
    out["label_zh"] = [labels.get(c, (c, c))[0] for c in out["code"]]
    out["label_en"] = [labels.get(c, (c, c))[1] for c in out["code"]]
    out = _pareto_finish(out, by_cols, "n_fatal", vital_share)
    return out[[*by_cols, "code", "label_zh", "label_en", "n_fatal", "n_evaluations",
                "fatal_rate", "share", "cum_share", "vital_few", "rank"]]


def pareto_chart(pareto: pd.DataFrame, measure: str = "points", label: str = "label_en"
                 ) -> "alt.Chart":
    """Pareto chart: bars of ``measure`` (sorted) and the cumulative-share line with the 80 %
    rule, from :func:`deduction_pareto` or :func:`fatal_pareto` output (one group).

    Examples
    --------
    >>> items = pd.DataFrame({"eval_id": ["E1"], "item_code": ["A1_tone"],
    ...                       "deducted_points": [3.0]})
    >>> type(pareto_chart(deduction_pareto(items))).__name__
    'LayerChart'
    """
    import altair as alt

    require_columns(pareto, [measure, "cum_share", label, "vital_few"], "pareto")
    order = list(pareto[label])
    base = alt.Chart(pareto).encode(x=alt.X(f"{label}:N", sort=order, title=None))
    bars = base.mark_bar().encode(
        y=alt.Y(f"{measure}:Q", title=measure),
        color=alt.Color("vital_few:N", title="vital few 关键少数"),
        tooltip=[label, measure, alt.Tooltip("cum_share:Q", format=".0%")])
    line = base.mark_line(point=True, color="black").encode(
        y=alt.Y("cum_share:Q", axis=alt.Axis(format="%"), title="cumulative share 累计占比"))
    rule = alt.Chart(pd.DataFrame({"y": [0.8]})).mark_rule(strokeDash=[4, 4]).encode(y="y:Q")
    return alt.layer(bars, line + rule).resolve_scale(y="independent").properties(
        title=_title("根源分析:扣分项帕累托", "Root cause: Pareto of deductions"))


# --------------------------------------------------------------------------------------------
# 2. correlation (关联分析)
# --------------------------------------------------------------------------------------------

def agent_month_panel(evaluations: pd.DataFrame, items: pd.DataFrame, *,
                      csat: pd.DataFrame | None = None,
                      agent_interval: pd.DataFrame | None = None,
                      agent_dim: pd.DataFrame | None = None,
                      form: QAForm | str | None = None) -> pd.DataFrame:
    """One row per agent × month: QA item deductions beside CSAT, FCR, AHT and tenure.

    Parameters
    ----------
    evaluations, items : DataFrame
        ``qa_evaluation`` (calibration rows left out) and its ``qa_item`` rows.
    csat : DataFrame, optional
        ``csat_response``: ``csat`` = top-2-box (q_overall ≥ 4) ÷ responses and ``fcr`` =
        fcr_yes ÷ answers, by ``agent_id`` and month of ``invited_at``.
    agent_interval : DataFrame, optional
        ``aht_s`` = Σ(talk_s + hold_s + acw_s) ÷ Σ handled by agent and month of
        ``interval_start``.
    agent_dim : DataFrame, optional
        ``tenure_days`` at the first day of the month.
    form : QAForm or str, optional

    Returns
    -------
    DataFrame
        ``agent_id``, ``month``, ``n_evaluations``, ``mean_score``, one ``ded_<item_code>`` per
        scored item (mean points deducted per evaluation), and when their inputs are given
        ``n_csat``, ``csat``, ``n_fcr``, ``fcr``, ``aht_s``, ``tenure_days``.

    Examples
    --------
    >>> ev = pd.DataFrame({"eval_id": ["E1", "E2"], "agent_id": ["A", "A"],
    ...     "eval_date": pd.to_datetime(["2026-03-02", "2026-03-09"]),
    ...     "total_score": [96.0, 100.0]})
    >>> it = pd.DataFrame({"eval_id": ["E1", "E2"], "item_code": ["A1_tone"] * 2,
    ...                    "deducted_points": [4.0, 0.0]})
    >>> agent_month_panel(ev, it)[["agent_id", "n_evaluations", "mean_score", "ded_A1_tone"]]
      agent_id  n_evaluations  mean_score  ded_A1_tone
    0        A              2        98.0          2.0
    """
    f = form if isinstance(form, QAForm) else load_form(form or "default")
    require_columns(evaluations, ["eval_id", "agent_id", "eval_date", "total_score"],
                    "qa_evaluation")
    require_columns(items, ["eval_id", "item_code", "deducted_points"], "qa_item")
    ev = _regular(evaluations)
    month = pd.to_datetime(ev["eval_date"]).dt.to_period("M").dt.start_time
    key = pd.DataFrame({"agent_id": ev["agent_id"].to_numpy(), "month": month.to_numpy()})
    gcode, panel = _factorize_rows(key, ["agent_id", "month"])
    guniq = panel
    n = np.bincount(gcode, minlength=len(guniq))
    panel["n_evaluations"] = n.astype(np.int64)
    panel["mean_score"] = np.bincount(gcode, weights=ev["total_score"].to_numpy(dtype=float),
                                      minlength=len(guniq)) / n
    scored = [it.code for it in f.items if not it.is_fatal]
    ev_pos = pd.Series(gcode, index=ev["eval_id"].to_numpy())
    it = items[items["item_code"].isin(scored)]
    g_of_item = ev_pos.reindex(it["eval_id"].to_numpy()).to_numpy()
    keep = ~np.isnan(g_of_item)
    g_of_item = g_of_item[keep].astype(np.int64)
    icode = pd.Index(scored).get_indexer(it["item_code"].to_numpy(dtype=object)[keep])
    ded = it["deducted_points"].to_numpy(dtype=float)[keep]
    mat = np.zeros((len(guniq), len(scored)))
    np.add.at(mat, (g_of_item, icode), ded)
    for j, c in enumerate(scored):
        panel[f"ded_{c}"] = mat[:, j] / n
    if csat is not None:
        require_columns(csat, ["agent_id", "invited_at", "q_overall"], "csat_response")
        cs = csat[csat["agent_id"].notna()]
        cm = pd.to_datetime(cs["invited_at"]).dt.to_period("M").dt.start_time
        q = pd.to_numeric(cs["q_overall"], errors="coerce").astype(float)
        fcr = (cs["fcr_yes"].astype("boolean").astype("Float64").astype(float)
               if "fcr_yes" in cs.columns else pd.Series(np.nan, index=cs.index))
        c = pd.DataFrame({"agent_id": cs["agent_id"].to_numpy(), "month": cm.to_numpy(),
                          "resp": q.notna().to_numpy(), "top2": (q >= 4).to_numpy(),
                          "fcr_n": fcr.notna().to_numpy(), "fcr_y": (fcr == 1).to_numpy()})
        c = c.groupby(["agent_id", "month"], sort=False).sum().reset_index()
        c["csat"] = np.where(c["resp"] > 0, c["top2"] / c["resp"].where(c["resp"] > 0), np.nan)
        c["fcr"] = np.where(c["fcr_n"] > 0, c["fcr_y"] / c["fcr_n"].where(c["fcr_n"] > 0), np.nan)
        c = c.rename(columns={"resp": "n_csat", "fcr_n": "n_fcr"})
        panel = panel.merge(c[["agent_id", "month", "n_csat", "csat", "n_fcr", "fcr"]],
                            on=["agent_id", "month"], how="left")
        panel["n_csat"] = panel["n_csat"].fillna(0).astype(np.int64)
        panel["n_fcr"] = panel["n_fcr"].fillna(0).astype(np.int64)
    if agent_interval is not None:
        require_columns(agent_interval, ["agent_id", "interval_start", "talk_s", "handled"],
                        "agent_interval")
        ai = agent_interval
        am = pd.to_datetime(ai["interval_start"]).dt.to_period("M").dt.start_time
        work = ai["talk_s"].to_numpy(dtype=float)
        for col in ("hold_s", "acw_s"):
            if col in ai.columns:
                work = work + ai[col].fillna(0).to_numpy(dtype=float)
        a = pd.DataFrame({"agent_id": ai["agent_id"].to_numpy(), "month": am.to_numpy(),
                          "w": work, "h": ai["handled"].fillna(0).to_numpy(dtype=float)})
        a = a.groupby(["agent_id", "month"], sort=False).sum().reset_index()
        a["aht_s"] = a["w"] / a["h"].where(a["h"] > 0)
        panel = panel.merge(a[["agent_id", "month", "aht_s"]], on=["agent_id", "month"],
                            how="left")
    if agent_dim is not None:
        require_columns(agent_dim, ["agent_id", "hire_date"], "agent_dim")
        hire = pd.to_datetime(agent_dim.drop_duplicates("agent_id").set_index("agent_id")[
            "hire_date"]).reindex(panel["agent_id"].to_numpy()).to_numpy()
        panel["tenure_days"] = (panel["month"].to_numpy() - hire) / np.timedelta64(1, "D")
    return panel


_OUTCOMES_HIGHER_BETTER = {"csat": True, "fcr": True, "aht_s": False, "tenure_days": True,
                           "mean_score": True}


def qa_correlation(panel: pd.DataFrame, outcomes: tuple[str, ...] | list[str] | None = None,
                   *, min_n: int = 10, alpha: float = 0.05) -> pd.DataFrame:
    """Spearman rank correlation of each QA item's deduction with each outcome (关联分析).

    Parameters
    ----------
    panel : DataFrame
        :func:`agent_month_panel` output (``ded_<item>`` columns and outcome columns).
    outcomes : sequence of str, optional
        Default: whichever of ``csat``, ``fcr``, ``aht_s``, ``tenure_days`` the panel holds.
    min_n : int, default 10
        Pairs with fewer complete rows get NaN rho and p.
    alpha : float, default 0.05
        Level for ``significant`` (on BH-adjusted p within each outcome).

    Returns
    -------
    DataFrame
        ``item_code``, ``outcome``, ``n``, ``rho``, ``p_value``, ``p_adj`` (Benjamini-Hochberg
        within the outcome), ``significant``.

    Examples
    --------
    Deductions 0, 1, 2, 3, 4 against CSAT 0.9, 0.8, 0.85, 0.7, 0.6: ranks (1..5) vs
    (5, 3, 4, 2, 1), Σd² = 16+1+1+4+16 = 38, rho = 1 − 6·38/(5·24) = −0.9:

    >>> panel = pd.DataFrame({"ded_A1_tone": [0., 1, 2, 3, 4],
    ...                       "csat": [0.9, 0.8, 0.85, 0.7, 0.6]})
    >>> qa_correlation(panel, min_n=3)[["item_code", "outcome", "n", "rho"]]
      item_code outcome  n  rho
    0   A1_tone    csat  5 -0.9
    """
    from scipy import stats

    items = [c for c in panel.columns if str(c).startswith("ded_")]
    if outcomes is None:
        outcomes = [o for o in ("csat", "fcr", "aht_s", "tenure_days") if o in panel.columns]
    require_columns(panel, list(outcomes), "agent_month_panel")
    rows = []
    for o in outcomes:
        y = pd.to_numeric(panel[o], errors="coerce").to_numpy(dtype=float)
        for c in items:
            x = panel[c].to_numpy(dtype=float)
            ok = ~np.isnan(x) & ~np.isnan(y)
            n = int(ok.sum())
            if n >= max(min_n, 3) and np.ptp(x[ok]) > 0 and np.ptp(y[ok]) > 0:
                r = stats.spearmanr(x[ok], y[ok])
                rho, p = float(r.statistic), float(r.pvalue)
            else:
                rho, p = np.nan, np.nan
            rows.append((c[4:], o, n, rho, p))
    out = pd.DataFrame(rows, columns=["item_code", "outcome", "n", "rho", "p_value"])
    out["p_adj"] = np.nan
    for o in outcomes:
        m = (out["outcome"] == o).to_numpy()
        out.loc[m, "p_adj"] = adjust_pvalues(out.loc[m, "p_value"].to_numpy(), "bh")
    out["significant"] = out["p_adj"] < alpha
    return out


def key_drivers(panel: pd.DataFrame, outcome: str = "csat", *, min_n: int = 10,
                alpha: float = 0.05) -> pd.DataFrame:
    """Key-driver table for one outcome: each item's Spearman rho and its standardised
    regression weight (OLS of the z-scored outcome on all z-scored item deductions), ranked by
    the harm the item does.

    Returns
    -------
    DataFrame
        ``item_code``, ``n``, ``mean_deduction``, ``rho``, ``p_adj``, ``significant``,
        ``beta`` (standardised OLS weight, NaN with fewer rows than items + 2), ``direction``
        (``hurts`` when more deduction goes with a worse outcome, else ``helps``),
        ``importance`` (|rho|) and ``rank`` (1 = strongest significant harm first).

    Examples
    --------
    >>> panel = pd.DataFrame({"ded_A1_tone": [0., 1, 2, 3, 4], "ded_S1_probing": [1., 0, 1, 0, 1],
    ...                       "csat": [0.9, 0.8, 0.85, 0.7, 0.6]})
    >>> key_drivers(panel, min_n=3)[["item_code", "rho", "direction", "rank"]].round(3)
        item_code    rho direction  rank
    0     A1_tone -0.900     hurts     1
    1  S1_probing  0.289     helps     2
    """
    corr = qa_correlation(panel, [outcome], min_n=min_n, alpha=alpha)
    items = ["ded_" + c for c in corr["item_code"]]
    y = pd.to_numeric(panel[outcome], errors="coerce").to_numpy(dtype=float)
    X = panel[items].to_numpy(dtype=float)
    ok = ~np.isnan(y) & ~np.isnan(X).any(axis=1)
    beta = np.full(len(items), np.nan)
    if ok.sum() >= len(items) + 2:
        Xo, yo = X[ok], y[ok]
        sd = Xo.std(axis=0)
        use = sd > 0
        if yo.std() > 0 and use.any():
            Z = (Xo[:, use] - Xo[:, use].mean(axis=0)) / sd[use]
            zy = (yo - yo.mean()) / yo.std()
            b, *_ = np.linalg.lstsq(np.c_[np.ones(len(zy)), Z], zy, rcond=None)
            beta[use] = b[1:]
    higher_better = _OUTCOMES_HIGHER_BETTER.get(outcome, True)
    harm = -corr["rho"].to_numpy() if higher_better else corr["rho"].to_numpy()
    out = corr[["item_code", "n"]].copy()
    out["mean_deduction"] = np.nanmean(X, axis=0) if len(X) else np.nan
    out["rho"] = corr["rho"].to_numpy()
    out["p_adj"] = corr["p_adj"].to_numpy()
    out["significant"] = corr["significant"].to_numpy()
    out["beta"] = beta
    out["direction"] = np.where(harm > 0, "hurts", "helps")
    out["importance"] = np.abs(out["rho"])
    out["_k"] = np.where(np.isnan(harm), -np.inf, harm) + np.where(out["significant"], 10, 0)
    out = out.sort_values("_k", ascending=False, kind="stable").drop(columns="_k")
    out["rank"] = np.arange(1, len(out) + 1)
    return out.reset_index(drop=True)


def correlation_chart(corr: pd.DataFrame) -> "alt.Chart":
    """Heat map of rho (item × outcome) from :func:`qa_correlation`; significant cells marked.

    Examples
    --------
    >>> corr = pd.DataFrame({"item_code": ["A1_tone"], "outcome": ["csat"], "n": [5],
    ...                      "rho": [-0.9], "p_value": [0.04], "p_adj": [0.04],
    ...                      "significant": [True]})
    >>> type(correlation_chart(corr)).__name__
    'LayerChart'
    """
    import altair as alt

    require_columns(corr, ["item_code", "outcome", "rho", "significant"], "qa_correlation")
    base = alt.Chart(corr).encode(x=alt.X("outcome:N", title=None),
                                  y=alt.Y("item_code:N", title=None))
    heat = base.mark_rect().encode(
        color=alt.Color("rho:Q", scale=alt.Scale(scheme="redblue", domain=[-1, 1])),
        tooltip=["item_code", "outcome", "n", alt.Tooltip("rho:Q", format=".2f"),
                 alt.Tooltip("p_adj:Q", format=".3g")])
    text = base.mark_text().encode(text=alt.condition("datum.significant", alt.value("*"),
                                                      alt.value("")))
    return (heat + text).properties(
        title=_title("关联分析:质检项与结果指标(Spearman)",
                     "Correlation: QA items vs outcomes (Spearman)"))


# --------------------------------------------------------------------------------------------
# 3. trend (趋势分析): control charts, Western Electric rules, variance as a KPI
# --------------------------------------------------------------------------------------------

def _run_rule(side: np.ndarray, window: int, need: int) -> np.ndarray:
    """True where at least ``need`` of the last ``window`` points (ending here) satisfy ``side``
    and the point itself does."""
    s = side.astype(np.int64)
    c = np.cumsum(np.r_[0, s])
    idx = np.arange(len(s))
    lo = np.maximum(idx + 1 - window, 0)
    cnt = c[idx + 1] - c[lo]
    full = idx + 1 >= min(window, need)
    return (cnt >= need) & side & full


def western_electric(z: np.ndarray) -> pd.DataFrame:
    """Flag the four Western Electric rules on standardised values ``z`` (NaN never flags).

    Returns
    -------
    DataFrame
        Columns ``rule_1`` … ``rule_4`` and ``any_rule`` (booleans), one row per point.

    Examples
    --------
    Rule 1 at 3.2; rule 2 at 2.1 (3.2, 2.1 beyond 2σ) and at 2.5 (2.1, 0.0, 2.5); rule 3 from
    index 5 (3.2, 2.1, 0.0, 2.5, 1.2: four beyond 1σ) to 8; rule 4 from index 11 (2.5 … 0.4 is
    the eighth point above the centre in a row):

    >>> z = np.array([0.5, 3.2, 2.1, 0.0, 2.5, 1.2, 1.1, 1.3, 1.5, 0.2, 0.3, 0.4, 0.1, 0.2])
    >>> [np.flatnonzero(c).tolist() for _, c in western_electric(z).items()]
    [[1], [2, 4], [5, 6, 7, 8], [11, 12, 13], [1, 2, 4, 5, 6, 7, 8, 11, 12, 13]]
    """
    z = np.asarray(z, dtype=float)
    zz = np.where(np.isnan(z), 0.0, z)
    r1 = np.abs(zz) > 3
    r2 = _run_rule(zz > 2, 3, 2) | _run_rule(zz < -2, 3, 2)
    r3 = _run_rule(zz > 1, 5, 4) | _run_rule(zz < -1, 5, 4)
    r4 = _run_rule(zz > 0, 8, 8) | _run_rule(zz < 0, 8, 8)
    nan = np.isnan(z)
    out = pd.DataFrame({"rule_1": r1 & ~nan, "rule_2": r2 & ~nan, "rule_3": r3 & ~nan,
                        "rule_4": r4 & ~nan})
    out["any_rule"] = out.any(axis=1)
    return out


def _periods(evaluations: pd.DataFrame, freq: str) -> pd.Series:
    t = pd.to_datetime(evaluations["eval_date"])
    if freq == "D":
        return t.dt.normalize()
    if freq == "W":
        return t.dt.to_period("W-SUN").dt.start_time
    if freq == "M":
        return t.dt.to_period("M").dt.start_time
    raise ParameterError.expected("control chart", "freq", "one of 'D', 'W', 'M'", freq)


def p_chart(evaluations: pd.DataFrame, freq: str = "W", *, pass_mark: float = 80.0
            ) -> pd.DataFrame:
    """p-chart of the QA pass rate per period with varying n (趋势分析).

    Counts come from :func:`ccomkit.kpi.compute` (``qa_pass_rate``); calibration evaluations
    are left out. Limits p̄ ± 3√(p̄(1 − p̄)/nᵢ), clipped to [0, 1].

    Returns
    -------
    DataFrame
        ``period``, ``n``, ``n_pass``, ``p``, ``center``, ``sigma``, ``lcl``, ``ucl``, ``z``,
        ``rule_1`` … ``rule_4``, ``any_rule``.

    Examples
    --------
    Weeks with 8/10 and 18/20 passes: p̄ = 26/30 = 0.8667; σ₁ = √(0.8667·0.1333/10) = 0.1075,
    UCL₁ = 0.8667 + 0.3225 = 1.19 → clipped to 1:

    >>> ev = pd.DataFrame({"eval_date": pd.to_datetime(["2026-03-02"] * 10 + ["2026-03-09"] * 20),
    ...                    "total_score": [90.0] * 8 + [50.0] * 2 + [90.0] * 18 + [50.0] * 2,
    ...                    "fatal_flag": [False] * 30})
    >>> p_chart(ev)[["n", "n_pass", "p", "center", "sigma", "ucl"]].round(4)
        n  n_pass    p  center   sigma  ucl
    0  10       8  0.8  0.8667  0.1075  1.0
    1  20      18  0.9  0.8667  0.0760  1.0
    """
    require_columns(evaluations, ["eval_date", "total_score"], "qa_evaluation")
    ev = _regular(evaluations)
    ev = ev.assign(period=_periods(ev, freq).to_numpy())
    k = kpi.compute(ev, "qa_pass_rate", by="period",
                    params={"pass_mark": pass_mark, "include_calibration": True})
    k = k.sort_values("period").reset_index(drop=True)
    n = k["denominator"].to_numpy(dtype=float)
    x = k["numerator"].to_numpy(dtype=float)
    pbar = x.sum() / n.sum() if n.sum() else np.nan
    sigma = np.sqrt(pbar * (1 - pbar) / n)
    out = pd.DataFrame({"period": k["period"].to_numpy(), "n": n.astype(np.int64),
                        "n_pass": x.astype(np.int64), "p": x / n, "center": pbar,
                        "sigma": sigma})
    out["lcl"] = np.clip(pbar - 3 * sigma, 0, 1)
    out["ucl"] = np.clip(pbar + 3 * sigma, 0, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["z"] = np.where(sigma > 0, (out["p"] - pbar) / sigma, 0.0)
    return pd.concat([out, western_electric(out["z"].to_numpy())], axis=1)


def _c4(n: np.ndarray) -> np.ndarray:
    from scipy.special import gammaln

    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where(n >= 2, np.sqrt(2 / np.maximum(n - 1, 1))
                        * np.exp(gammaln(n / 2) - gammaln(np.maximum(n - 1, 1) / 2)), np.nan)


def xbar_s_chart(evaluations: pd.DataFrame, freq: str = "W") -> pd.DataFrame:
    """X̄-S chart of QA scores per period with varying n; the S chart doubles as the variance
    KPI (质检分数方差, 最小方差管理法).

    Returns
    -------
    DataFrame
        ``period``, ``n``, ``mean``, ``sd``, ``center`` (x̿), ``sigma_hat`` (s̄/c4 of pooled s̄),
        ``lcl``, ``ucl`` (X̄ limits), ``s_center``, ``s_lcl``, ``s_ucl``, ``z``, ``s_out``
        (sd outside its limits), ``rule_1`` … ``rule_4``, ``any_rule`` (on X̄).

    Examples
    --------
    Week 1: 80, 90 (mean 85, s 7.071); week 2: 70, 80, 90 (mean 80, s 10).
    x̿ = (2·85 + 3·80)/5 = 82; pooled s̄ = √((1·50 + 2·100)/3) = 9.129;
    c4(3)… σ̂ uses c4 of the pooled degrees of freedom + 1 = 4: c4(4) = 0.92132 → σ̂ = 9.908;
    week-1 UCL = 82 + 3·9.908/√2 = 103.02:

    >>> ev = pd.DataFrame({"eval_date": pd.to_datetime(["2026-03-02"] * 2 + ["2026-03-09"] * 3),
    ...                    "total_score": [80.0, 90, 70, 80, 90]})
    >>> xbar_s_chart(ev)[["n", "mean", "sd", "center", "sigma_hat", "ucl"]].round(3)
       n  mean      sd  center  sigma_hat      ucl
    0  2  85.0   7.071    82.0      9.908  103.019
    1  3  80.0  10.000    82.0      9.908   99.162
    """
    require_columns(evaluations, ["eval_date", "total_score"], "qa_evaluation")
    ev = _regular(evaluations)
    per = _periods(ev, freq)
    s = ev["total_score"].astype(float)
    g = pd.DataFrame({"period": per.to_numpy(), "x": s.to_numpy()}).groupby("period")["x"]
    st = g.agg(["size", "mean", "std"]).reset_index()
    n = st["size"].to_numpy(dtype=float)
    mean = st["mean"].to_numpy()
    sd = st["std"].to_numpy()
    xbb = (n * mean).sum() / n.sum()
    dfree = np.where(n >= 2, n - 1, 0)
    sbar = np.sqrt(np.nansum(dfree * np.nan_to_num(sd) ** 2) / dfree.sum()) if dfree.sum() else np.nan
    sig = sbar / _c4(np.array([dfree.sum() + 1]))[0]
    c4 = _c4(n)
    out = pd.DataFrame({"period": st["period"].to_numpy(), "n": n.astype(np.int64),
                        "mean": mean, "sd": sd, "center": xbb, "sigma_hat": sig})
    out["lcl"] = xbb - 3 * sig / np.sqrt(n)
    out["ucl"] = xbb + 3 * sig / np.sqrt(n)
    out["s_center"] = c4 * sig
    out["s_lcl"] = np.maximum(sig * (c4 - 3 * np.sqrt(1 - c4 ** 2)), 0)
    out["s_ucl"] = sig * (c4 + 3 * np.sqrt(1 - c4 ** 2))
    out["z"] = (mean - xbb) / (sig / np.sqrt(n))
    out["s_out"] = (sd > out["s_ucl"]) | (sd < out["s_lcl"])
    return pd.concat([out, western_electric(out["z"].to_numpy())], axis=1)


def score_variance(evaluations: pd.DataFrame, by: str | list[str] | None = None,
                   freq: str = "M") -> pd.DataFrame:
    """QA score dispersion as a KPI in its own right (质检分数方差; DOMAIN.md §3.3).

    Returns
    -------
    DataFrame
        The ``by`` columns, ``period``, ``n``, ``mean_score``, ``sd_score``, ``var_score``,
        ``cv`` (sd ÷ mean) and ``sd_change`` (against the group's previous period).

    Examples
    --------
    >>> ev = pd.DataFrame({"eval_date": pd.to_datetime(["2026-03-02"] * 2 + ["2026-04-02"] * 2),
    ...                    "total_score": [80.0, 90, 84, 86]})
    >>> score_variance(ev)[["period", "sd_score", "var_score", "sd_change"]].round(
    ...     {"sd_score": 3, "sd_change": 3})
          period  sd_score  var_score  sd_change
    0 2026-03-01     7.071       50.0        NaN
    1 2026-04-01     1.414        2.0     -5.657
    """
    by_cols = _as_list(by)
    require_columns(evaluations, ["eval_date", "total_score", *by_cols], "qa_evaluation")
    ev = _regular(evaluations)
    work = ev[by_cols].copy() if by_cols else pd.DataFrame(index=ev.index)
    work["period"] = _periods(ev, freq).to_numpy()
    work["x"] = ev["total_score"].astype(float).to_numpy()
    st = work.groupby([*by_cols, "period"], sort=True, dropna=False)["x"].agg(
        ["size", "mean", "std", "var"]).reset_index()
    st = st.rename(columns={"size": "n", "mean": "mean_score", "std": "sd_score",
                            "var": "var_score"})
    st["n"] = st["n"].astype(np.int64)
    st["cv"] = st["sd_score"] / st["mean_score"].where(st["mean_score"] > 0)
    st["sd_change"] = (st.groupby(by_cols, sort=False, dropna=False)["sd_score"].diff()
                       if by_cols else st["sd_score"].diff())
    return st


def control_chart(chart: pd.DataFrame, value: str | None = None) -> "alt.Chart":
    """Control chart from :func:`p_chart` (value ``p``) or :func:`xbar_s_chart` (``mean``):
    the series, centre line, limits and the points breaking a Western Electric rule.

    Examples
    --------
    >>> ev = pd.DataFrame({"eval_date": pd.to_datetime(["2026-03-02", "2026-03-09"]),
    ...                    "total_score": [90.0, 70.0], "fatal_flag": [False, False]})
    >>> type(control_chart(p_chart(ev))).__name__
    'LayerChart'
    """
    import altair as alt

    value = value or ("p" if "p" in chart.columns else "mean")
    require_columns(chart, ["period", value, "center", "lcl", "ucl", "any_rule"], "control chart")
    base = alt.Chart(chart).encode(x=alt.X("period:T", title=None))
    line = base.mark_line(point=True).encode(y=alt.Y(f"{value}:Q", title=value,
                                                     scale=alt.Scale(zero=False)))
    center = base.mark_line(color="gray").encode(y="center:Q")
    ucl = base.mark_line(color="red", strokeDash=[4, 4]).encode(y="ucl:Q")
    lcl = base.mark_line(color="red", strokeDash=[4, 4]).encode(y="lcl:Q")
    flags = base.transform_filter("datum.any_rule").mark_point(
        color="red", size=120, shape="diamond", filled=True).encode(y=f"{value}:Q")
    zh, en = (("合格率p控制图", "p-chart of the pass rate") if value == "p"
              else ("质检得分X̄控制图", "X̄ chart of QA scores"))
    return alt.layer(center, ucl, lcl, line, flags).properties(
        title=_title(f"趋势分析:{zh}", f"Trend: {en}"))


# --------------------------------------------------------------------------------------------
# 4. comparison (对比分析)
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ComparisonResult:
    """Output of :func:`compare_groups`: ``groups`` (one row per group) and ``omnibus`` (one
    row per omnibus test: ``anova``, ``kruskal``)."""

    groups: pd.DataFrame
    omnibus: pd.DataFrame


def compare_groups(evaluations: pd.DataFrame, by: str | list[str], *,
                   target: float | None = 85.0, benchmark: float | None = None,
                   pass_mark: float = 80.0, level: float = 0.95,
                   correction: Correction = "holm", alpha: float = 0.05) -> ComparisonResult:
    """Compare groups (teams, agents, evaluators, shifts, tenure cohorts) on QA score against
    target, benchmark and each other (对比分析).

    Parameters
    ----------
    evaluations : DataFrame
        ``qa_evaluation`` rows with ``total_score``, ``fatal_flag`` and the ``by`` columns
        (use :func:`qa_context` for team, tenure band, shift). Calibration rows left out.
    by : str or list of str
    target : float, optional
        Score target; ``p_vs_target`` is a one-sample t-test of the group's scores against it.
    benchmark : float, optional
        External benchmark; default the overall mean of the evaluations given.
    pass_mark, level : float
    correction : {"holm", "bh"}
        Multiple-comparison control, applied within each family of p-values.
    alpha : float

    Returns
    -------
    ComparisonResult
        ``groups``: the ``by`` columns, ``n``, ``mean_score``, ``sd_score``, ``ci_low``,
        ``ci_high``, ``pass_rate``, ``gap_to_target``, ``gap_to_benchmark``, ``p_vs_target``,
        ``p_welch_vs_rest``, ``p_mwu_vs_rest``, their ``_adj`` versions, and ``verdict``
        (``above``/``below``/``no_difference``: Welch vs rest after correction).
        ``omnibus``: ``test``, ``statistic``, ``p_value``, ``k_groups``, ``n``.

    Examples
    --------
    >>> ev = pd.DataFrame({"team_id": ["T1"] * 4 + ["T2"] * 4,
    ...     "total_score": [90.0, 92, 94, 96, 70, 72, 74, 76], "fatal_flag": [False] * 8})
    >>> res = compare_groups(ev, "team_id", target=85)
    >>> res.groups[["team_id", "n", "mean_score", "gap_to_target", "gap_to_benchmark"]]
      team_id  n  mean_score  gap_to_target  gap_to_benchmark
    0      T1  4        93.0            8.0              10.0
    1      T2  4        73.0          -12.0             -10.0
    >>> res.omnibus["test"].tolist()
    ['anova', 'kruskal']
    """
    from scipy import stats

    by_cols = _as_list(by)
    if not by_cols:
        raise ParameterError.expected("compare_groups", "by", "one or more column names", by)
    require_columns(evaluations, ["total_score", "fatal_flag", *by_cols], "qa_evaluation")
    ev = _regular(evaluations)
    ev = ev[ev["total_score"].notna().to_numpy()]
    x = ev["total_score"].to_numpy(dtype=float)
    gcode, gframe = _factorize_rows(ev, by_cols, sort=True)
    ok = gcode >= 0
    x, gcode = x[ok], gcode[ok]
    k = len(gframe)
    N = len(x)
    n = np.bincount(gcode, minlength=k).astype(float)
    s1 = np.bincount(gcode, weights=x, minlength=k)
    s2 = np.bincount(gcode, weights=x * x, minlength=k)
    mean = s1 / n
    with np.errstate(invalid="ignore", divide="ignore"):
        var = (s2 - n * mean ** 2) / (n - 1)
        var = np.where(n >= 2, np.maximum(var, 0), np.nan)
        # rest = everything outside the group
        nr = N - n
        mr = (s1.sum() - s1) / nr
        vr = ((s2.sum() - s2) - nr * mr ** 2) / (nr - 1)
        vr = np.where(nr >= 2, np.maximum(vr, 0), np.nan)
        se2 = var / n + vr / nr
        tw = (mean - mr) / np.sqrt(se2)
        dfw = se2 ** 2 / ((var / n) ** 2 / (n - 1) + (vr / nr) ** 2 / (nr - 1))
        p_welch = 2 * stats.t.sf(np.abs(tw), dfw)
        # Mann-Whitney U of group vs rest from one pooled ranking (asymptotic, tie-corrected)
        ranks = stats.rankdata(x)
        R = np.bincount(gcode, weights=ranks, minlength=k)
        U = R - n * (n + 1) / 2
        _, tcounts = np.unique(x, return_counts=True)
        tie = (tcounts ** 3 - tcounts).sum() / (N * (N - 1)) if N > 1 else 0.0
        sdU = np.sqrt(n * nr / 12 * ((N + 1) - tie))
        zU = (np.abs(U - n * nr / 2) - 0.5) / sdU
        p_mwu = np.where(sdU > 0, np.minimum(2 * stats.norm.sf(zU), 1.0), np.nan)
        if target is not None:
            t1 = (mean - target) / np.sqrt(var / n)
            p_target = 2 * stats.t.sf(np.abs(t1), n - 1)
        else:
            p_target = np.full(k, np.nan)
    bench = float(x.mean()) if benchmark is None else float(benchmark)
    lo, hi = t_interval(mean, np.sqrt(var), n, level)
    npass = np.bincount(gcode, weights=(x >= pass_mark).astype(float), minlength=k)
    out = gframe.copy()
    out["n"] = n.astype(np.int64)
    out["mean_score"] = mean
    out["sd_score"] = np.sqrt(var)
    out["ci_low"], out["ci_high"] = lo, hi
    out["pass_rate"] = npass / n
    out["gap_to_target"] = mean - target if target is not None else np.nan
    out["gap_to_benchmark"] = mean - bench
    out["p_vs_target"] = p_target
    out["p_welch_vs_rest"] = p_welch
    out["p_mwu_vs_rest"] = p_mwu
    for c in ("p_vs_target", "p_welch_vs_rest", "p_mwu_vs_rest"):
        out[c + "_adj"] = adjust_pvalues(out[c].to_numpy(), correction)
    sig = out["p_welch_vs_rest_adj"].to_numpy() < alpha
    out["verdict"] = np.where(sig & (mean > mr), "above",
                              np.where(sig & (mean < mr), "below", "no_difference"))
    order = np.argsort(gcode, kind="stable")
    splits = np.split(x[order], np.cumsum(np.bincount(gcode, minlength=k))[:-1])
    groups = [g for g in splits if len(g)]
    om = []
    if len(groups) >= 2 and N > len(groups):
        with np.errstate(invalid="ignore", divide="ignore"):
            a = stats.f_oneway(*groups)
            kw = stats.kruskal(*groups) if np.ptp(x) > 0 else None
        om.append(("anova", float(a.statistic), float(a.pvalue)))
        om.append(("kruskal", float(kw.statistic) if kw else np.nan,
                   float(kw.pvalue) if kw else np.nan))
    else:
        om = [("anova", np.nan, np.nan), ("kruskal", np.nan, np.nan)]
    omnibus = pd.DataFrame(om, columns=["test", "statistic", "p_value"])
    omnibus["k_groups"] = k
    omnibus["n"] = N
    return ComparisonResult(groups=out, omnibus=omnibus)


def comparison_chart(groups: pd.DataFrame, by: str, *, target: float | None = None,
                     benchmark: float | None = None) -> "alt.Chart":
    """Means with confidence intervals per group, target and benchmark rules, coloured by
    verdict, from ``compare_groups(...).groups``.

    Examples
    --------
    >>> ev = pd.DataFrame({"team_id": ["T1", "T1", "T2", "T2"],
    ...     "total_score": [90.0, 92, 70, 76], "fatal_flag": [False] * 4})
    >>> g = compare_groups(ev, "team_id").groups
    >>> type(comparison_chart(g, "team_id", target=85)).__name__
    'LayerChart'
    """
    import altair as alt

    require_columns(groups, [by, "mean_score", "ci_low", "ci_high", "verdict"], "comparison")
    base = alt.Chart(groups).encode(y=alt.Y(f"{by}:N", sort="-x", title=None))
    pts = base.mark_point(filled=True, size=60).encode(
        x=alt.X("mean_score:Q", scale=alt.Scale(zero=False), title="QA score 质检得分"),
        color=alt.Color("verdict:N"), tooltip=[by, "n", "mean_score", "verdict"])
    bars = base.mark_rule().encode(x="ci_low:Q", x2="ci_high:Q")
    layers = [bars, pts]
    for val, dash in ((target, [4, 4]), (benchmark, [1, 3])):
        if val is not None:
            layers.append(alt.Chart(pd.DataFrame({"x": [val]})).mark_rule(
                strokeDash=dash, color="black").encode(x="x:Q"))
    return alt.layer(*layers).properties(
        title=_title("对比分析:各组质检得分与目标", "Comparison: QA score by group vs target"))


def section_labels() -> pd.DataFrame:
    """Bilingual labels of the QA sections (``section``, ``label_zh``, ``label_en``).

    Examples
    --------
    >>> section_labels().section.tolist()
    ['language', 'attitude', 'skill', 'accuracy', 'fatal']
    """
    return pd.DataFrame([(k, v[0], v[1]) for k, v in SECTION_LABELS.items()],
                        columns=["section", "label_zh", "label_en"])
