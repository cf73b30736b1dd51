"""QA scoring (质检评分): evaluation scores from ``qa_item`` rows, re-scored evaluations, per-agent
scores with 95 % confidence intervals, and the sampling plan (DOMAIN.md §2.4, §4.2, §4.3).

Rules
-----
* **Score** = ``base_points`` (100) − Σ deductions of the scored items; a triggered fatal
  (red-line) item sets it to 0. A fatal item is triggered when its row has ``is_fatal`` true or a
  deduction above 0.
* **Missing items** (a scored item of the form without a row for the evaluation) are *not
  assessed*: they deduct nothing and are counted in ``n_items_missing``; a row with
  ``deducted_points = 0`` is *assessed, no deduction*. An evaluation with no scored item assessed
  and no fatal item gets a NaN score (nothing was scored), never 100.
* **Re-scored evaluations**: among non-calibration evaluations of the same ``call_id`` and
  ``agent_id``, the one with the latest ``eval_date`` (ties: the greatest ``eval_id``) replaces the
  others. Calibration evaluations (several evaluators scoring one call on purpose) are never
  treated as re-scores. Evaluations without a ``call_id`` are always kept.
* **Agent intervals** are Student-t intervals on the evaluation scores,
  ``mean ± t(1 − α/2, n − 1) · sd / √n``; agents whose intervals chain-overlap share a
  ``rank_group`` and cannot be ranked inside it (DOMAIN.md §4.3).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from ccomkit import kpi
from ccomkit.errors import ParameterError, SchemaError
from ccomkit.quality.forms import SECTIONS, QAForm, load_form
from ccomkit.schemas import require_columns

TENURE_BANDS: tuple[tuple[str, int], ...] = (
    ("0-3m", 90), ("3-6m", 182), ("6-12m", 365), ("1-2y", 730), ("2y+", 10**9),
)


def tenure_band(tenure_days: pd.Series | np.ndarray) -> pd.Series:
    """Label tenure in days with the bands ``0-3m``, ``3-6m``, ``6-12m``, ``1-2y``, ``2y+``
    (upper bounds 90, 182, 365, 730 days, exclusive).

    Examples
    --------
    >>> tenure_band(np.array([0, 89, 90, 400, 800])).tolist()
    ['0-3m', '0-3m', '3-6m', '1-2y', '2y+']
    """
    d = np.asarray(tenure_days, dtype=float)
    edges = np.array([b for _, b in TENURE_BANDS], dtype=float)
    idx = np.searchsorted(edges, d, side="right")
    labels = np.array([n for n, _ in TENURE_BANDS] + [None], dtype=object)
    idx = np.where(np.isnan(d), len(TENURE_BANDS), np.minimum(idx, len(TENURE_BANDS) - 1))
    return pd.Series(labels[idx], dtype=object)


def _first_rows(mask: np.ndarray, frame: pd.DataFrame, cols: list[str], k: int = 3) -> str:
    rows = np.flatnonzero(mask)[:k]
    return "; ".join(", ".join(f"{c}={frame[c].iloc[r]!r}" for c in cols) for r in rows)


def score_evaluations(items: pd.DataFrame, form: QAForm | str | None = None) -> pd.DataFrame:
    """Score evaluations from their ``qa_item`` rows against a form.

    Parameters
    ----------
    items : DataFrame
        ``qa_item`` rows: ``eval_id``, ``item_code``, ``deducted_points`` and optionally
        ``is_fatal``. Not modified.
    form : QAForm or str, optional
        The form (or a shipped form's name); default :func:`~ccomkit.quality.forms.load_form`.

    Returns
    -------
    DataFrame
        One row per ``eval_id`` (first-seen order): ``eval_id``, ``score`` (points, 0..100, NaN
        when nothing was assessed), ``deducted_points`` (Σ over scored items), one
        ``deducted_<section>`` column per section, ``fatal_flag``, ``fatal_type`` (of the first
        triggered fatal item in form order, else None), ``n_items_assessed``,
        ``n_items_missing`` and ``complete`` (no scored item missing).

    Raises
    ------
    SchemaError
        A missing column; an item code not on the form; a deduction that is negative, empty or
        above the item's maximum; a duplicate (eval_id, item_code). The message names the
        eval_id and item_code of the first offending rows.

    Examples
    --------
    Evaluation E1 loses 2 + 7 = 9 points → 91; E2 triggers a fatal item → 0; E3 has only one
    of the 13 scored items assessed (no deduction) → 100 with 12 missing:

    >>> import pandas as pd
    >>> items = pd.DataFrame({
    ...     "eval_id": ["E1", "E1", "E2", "E2", "E3"],
    ...     "item_code": ["L1_greeting_closing", "A1_tone", "A1_tone",
    ...                   "F3_privacy_or_compliance_breach", "C1_correct_information"],
    ...     "deducted_points": [2.0, 7.0, 3.0, 100.0, 0.0]})
    >>> out = score_evaluations(items)
    >>> out[["eval_id", "score", "deducted_points", "fatal_flag", "fatal_type",
    ...      "n_items_missing"]]
      eval_id  score  deducted_points  fatal_flag  fatal_type  n_items_missing
    0      E1   91.0              9.0       False         NaN               11
    1      E2    0.0              3.0        True  compliance               12
    2      E3  100.0              0.0       False         NaN               12
    """
    if not isinstance(form, QAForm):
        form = load_form(form or "default")
    require_columns(items, ["eval_id", "item_code", "deducted_points"], "qa_item")
    codes = np.array(form.item_codes, dtype=object)
    icode = pd.Index(codes).get_indexer(items["item_code"].to_numpy(dtype=object))
    unknown = icode < 0
    if unknown.any():
        bad = pd.unique(items["item_code"].to_numpy()[unknown])
        raise SchemaError(
            f"qa_item.item_code is not on form {form.form_id} ({form.form_version}): "
            f"{int(unknown.sum())} rows, unknown codes {', '.join(map(repr, bad[:5]))}; first: "
            + _first_rows(unknown, items, ["eval_id", "item_code"]),
            table="qa_item", column="item_code", rows=np.flatnonzero(unknown)[:10].tolist())
    ded = pd.to_numeric(items["deducted_points"], errors="coerce").to_numpy(dtype=float)
    maxp = np.array([it.max_points for it in form.items])[icode]
    bad = ~(ded >= 0) | (ded > maxp + 1e-9)
    if bad.any():
        raise SchemaError(
            "qa_item.deducted_points must be a number between 0 and the item's max_points on form "
            f"{form.form_id}: {int(bad.sum())} rows violate it; first: "
            + _first_rows(bad, items, ["eval_id", "item_code", "deducted_points"])
            + " (max " + ", ".join(f"{m:g}" for m in maxp[np.flatnonzero(bad)[:3]]) + ")",
            table="qa_item", column="deducted_points", rows=np.flatnonzero(bad)[:10].tolist())
    ev_codes, ev_uniques = pd.factorize(items["eval_id"], sort=False)
    n_ev, n_it = len(ev_uniques), len(codes)
    pair = ev_codes.astype(np.int64) * n_it + icode
    if len(np.unique(pair)) != len(pair):
        dupm = pd.Series(pair).duplicated(keep=False).to_numpy()
        raise SchemaError(
            f"qa_item has duplicate (eval_id, item_code) rows: {int(dupm.sum())} rows; first: "
            + _first_rows(dupm, items, ["eval_id", "item_code"]),
            table="qa_item", column="item_code", rows=np.flatnonzero(dupm)[:10].tolist())
    is_fatal_item = np.array([it.is_fatal for it in form.items])[icode]
    trig = is_fatal_item & (ded > 0)
    if "is_fatal" in items.columns:
        trig |= is_fatal_item & items["is_fatal"].fillna(False).to_numpy(dtype=bool)
    sec_of = np.array([it.section for it in form.items], dtype=object)
    scored = ~is_fatal_item
    out: dict[str, object] = {"eval_id": ev_uniques.to_numpy()}
    total_ded = np.bincount(ev_codes[scored], weights=ded[scored], minlength=n_ev)
    fatal_rank = np.where(trig, icode, n_it)
    first_fatal = np.full(n_ev, n_it, dtype=np.int64)
    np.minimum.at(first_fatal, ev_codes, fatal_rank)
    fatal = first_fatal < n_it
    n_assessed = np.bincount(ev_codes[scored], minlength=n_ev)
    n_scored_items = int((~np.array([it.is_fatal for it in form.items])).sum())
    score = np.clip(form.base_points - total_ded, 0, None)
    score = np.where(fatal, 0.0, np.where(n_assessed > 0, score, np.nan))
    out["score"] = score
    out["deducted_points"] = total_ded
    for s in SECTIONS:
        m = scored & (sec_of[icode] == s)
        out[f"deducted_{s}"] = np.bincount(ev_codes[m], weights=ded[m], minlength=n_ev)
    ftypes = np.array([it.fatal_type for it in form.items] + [None], dtype=object)
    out["fatal_flag"] = fatal
    out["fatal_type"] = ftypes[first_fatal]
    out["n_items_assessed"] = n_assessed
    out["n_items_missing"] = n_scored_items - n_assessed
    out["complete"] = n_assessed == n_scored_items
    return pd.DataFrame(out)


def reconcile_scores(evaluations: pd.DataFrame, items: pd.DataFrame,
                     form: QAForm | str | None = None, *, tolerance_points: float = 0.01
                     ) -> pd.DataFrame:
    """Check each evaluation's recorded ``total_score`` / ``fatal_flag`` against the score its
    ``qa_item`` rows give on the form.

    Returns
    -------
    DataFrame
        One row per evaluation (input order): ``eval_id``, ``total_score``, ``score`` (from the
        items), ``diff_points`` (total_score − score), ``n_items_missing`` and ``status``:
        ``ok``; ``no_items`` (no qa_item row); ``not_assessed`` (only un-triggered fatal rows);
        ``fatal_mismatch`` (fatal_flag and the items disagree); ``score_mismatch``
        (|diff| > tolerance_points).

    Examples
    --------
    E1 records 91 and loses 2 + 7 = 9 → ok; E2 records 95 but its items give 100 − 7 = 93;
    E3 has no items:

    >>> ev = pd.DataFrame({"eval_id": ["E1", "E2", "E3"], "total_score": [91.0, 95.0, 80.0],
    ...                    "fatal_flag": [False, False, False]})
    >>> it = pd.DataFrame({"eval_id": ["E1", "E1", "E2"],
    ...     "item_code": ["L1_greeting_closing", "A1_tone", "A1_tone"],
    ...     "deducted_points": [2.0, 7.0, 7.0]})
    >>> reconcile_scores(ev, it)[["eval_id", "score", "diff_points", "status"]]
      eval_id  score  diff_points          status
    0      E1   91.0          0.0              ok
    1      E2   93.0          2.0  score_mismatch
    2      E3    NaN          NaN        no_items
    """
    require_columns(evaluations, ["eval_id", "total_score"], "qa_evaluation")
    sc = score_evaluations(items[items["eval_id"].isin(evaluations["eval_id"])], form)
    sc = sc.set_index("eval_id").reindex(evaluations["eval_id"].to_numpy())
    rec = evaluations["total_score"].to_numpy(dtype=float)
    score = sc["score"].to_numpy(dtype=float)
    diff = rec - score
    has = sc["n_items_assessed"].notna().to_numpy()
    status = np.full(len(rec), "ok", dtype=object)
    status[np.abs(np.nan_to_num(diff)) > tolerance_points] = "score_mismatch"
    if "fatal_flag" in evaluations.columns:
        rf = evaluations["fatal_flag"].fillna(False).to_numpy(dtype=bool)
        cf = sc["fatal_flag"].fillna(False).to_numpy(dtype=bool)
        status[has & (rf != cf)] = "fatal_mismatch"
    status[has & np.isnan(score)] = "not_assessed"
    status[~has] = "no_items"
    return pd.DataFrame({"eval_id": evaluations["eval_id"].to_numpy(), "total_score": rec,
                         "score": score, "diff_points": diff,
                         "n_items_missing": pd.array(sc["n_items_missing"].to_numpy(),
                                                     dtype="Int64"),
                         "status": status})


def latest_evaluations(evaluations: pd.DataFrame) -> pd.DataFrame:
    """Drop evaluations replaced by a re-score of the same call (module rule).

    Among non-calibration evaluations with the same ``call_id`` and ``agent_id``, the latest
    ``eval_date`` wins (ties: the greatest ``eval_id``). Calibration evaluations and evaluations
    without a ``call_id`` are kept.

    Parameters
    ----------
    evaluations : DataFrame
        ``qa_evaluation`` rows (``eval_id``, ``call_id``, ``agent_id``, ``eval_date``; optional
        ``is_calibration``). Not modified.

    Returns
    -------
    DataFrame
        The kept rows in input order with a new column ``n_versions`` (evaluations of that call,
        1 when not re-scored).

    Examples
    --------
    >>> ev = pd.DataFrame({"eval_id": ["E1", "E2", "E3"], "call_id": ["C1", "C1", "C2"],
    ...                    "agent_id": ["A", "A", "A"],
    ...                    "eval_date": pd.to_datetime(["2026-03-01", "2026-03-05", "2026-03-02"]),
    ...                    "total_score": [70.0, 85.0, 90.0]})
    >>> latest_evaluations(ev)[["eval_id", "total_score", "n_versions"]]
      eval_id  total_score  n_versions
    1      E2         85.0           2
    2      E3         90.0           1
    """
    require_columns(evaluations, ["eval_id", "call_id", "agent_id", "eval_date"], "qa_evaluation")
    ev = evaluations
    cal = (ev["is_calibration"].fillna(False).to_numpy(dtype=bool)
           if "is_calibration" in ev.columns else np.zeros(len(ev), dtype=bool))
    has_call = ev["call_id"].notna().to_numpy() & ~cal
    key = pd.DataFrame({"call": ev["call_id"].to_numpy(), "agent": ev["agent_id"].to_numpy(),
                        "d": pd.to_datetime(ev["eval_date"]).to_numpy(),
                        "e": ev["eval_id"].to_numpy(), "pos": np.arange(len(ev))})[has_call]
    n_versions = np.ones(len(ev), dtype=np.int64)
    drop = np.zeros(len(ev), dtype=bool)
    if len(key):
        key = key.sort_values(["call", "agent", "d", "e"], kind="stable")
        later = key.duplicated(["call", "agent"], keep="last").to_numpy()
        drop[key["pos"].to_numpy()[later]] = True
        sizes = key.groupby(["call", "agent"], sort=False)["pos"].transform("size").to_numpy()
        n_versions[key["pos"].to_numpy()] = sizes
    out = ev.loc[~drop].copy()
    out["n_versions"] = n_versions[~drop]
    return out


def _regular(evaluations: pd.DataFrame) -> pd.DataFrame:
    if "is_calibration" in evaluations.columns:
        return evaluations[~evaluations["is_calibration"].fillna(False).to_numpy(dtype=bool)]
    return evaluations


def t_interval(mean: np.ndarray, sd: np.ndarray, n: np.ndarray,
               level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Student-t interval ``mean ± t(1 − α/2, n − 1)·sd/√n`` (NaN for n < 2).

    Examples
    --------
    >>> lo, hi = t_interval(np.array([80.0]), np.array([10.0]), np.array([4]))
    >>> round(float(lo[0]), 3), round(float(hi[0]), 3)  # t(0.975, 3) = 3.182; 3.182·10/2
    (64.088, 95.912)
    """
    from scipy import stats

    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        q = stats.t.ppf(0.5 + level / 2, np.where(n >= 2, n - 1, np.nan))
        half = q * np.asarray(sd, dtype=float) / np.sqrt(n)
    return np.asarray(mean) - half, np.asarray(mean) + half


def agent_scores(evaluations: pd.DataFrame, by: str | list[str] = "agent_id", *,
                 level: float = 0.95, pass_mark: float = 80.0) -> pd.DataFrame:
    """Per-agent (or any grouping) QA score with a t-interval and the "can't be ranked" flag.

    Calibration evaluations are left out. Mean score, pass rate and fatal rate come from
    :func:`ccomkit.kpi.compute` (``qa_score``, ``qa_pass_rate``, ``fatal_rate``).

    Parameters
    ----------
    evaluations : DataFrame
        ``qa_evaluation`` rows (``total_score``, ``fatal_flag`` and the ``by`` columns).
    by : str or list of str, default "agent_id"
    level : float, default 0.95
        Confidence level of the Student-t interval.
    pass_mark : float, default 80.0

    Returns
    -------
    DataFrame
        Sorted by ``mean_score`` descending: the ``by`` columns, ``n_evaluations``,
        ``mean_score``, ``sd_score``, ``ci_low``, ``ci_high``, ``pass_rate``, ``fatal_rate``,
        ``position`` (1 = highest mean), ``rank_group`` (a new group starts only where an
        interval lies wholly below the previous one), ``cannot_rank`` (the group holds more
        than one agent, or n < 2), ``rank`` (the position when rankable, else NA) and
        ``vs_center`` (``above`` / ``below`` when the whole interval lies above / below the
        evaluation-weighted mean of all groups, else ``not_different``): with hundreds of
        agents the chain of overlapping intervals usually makes one rank group, and
        ``vs_center`` is the separation a month of data still supports.

    Examples
    --------
    A: 90, 92, 94 → mean 92, sd 2, half-width t(.975,2)·2/√3 = 4.303·1.155 = 4.97 → [87.03, 96.97].
    B: 60, 62, 64 → [57.03, 66.97], clearly below A; C: 61, 63, 65 → overlaps B:

    >>> ev = pd.DataFrame({"agent_id": list("AAABBBCCC"),
    ...     "total_score": [90., 92, 94, 60, 62, 64, 61, 63, 65], "fatal_flag": [False] * 9})
    >>> out = agent_scores(ev)
    >>> out[["agent_id", "mean_score", "ci_low", "rank_group", "cannot_rank", "rank"]].round(2)
      agent_id  mean_score  ci_low  rank_group  cannot_rank  rank
    0        A        92.0   87.03           1        False     1
    1        C        63.0   58.03           2         True  <NA>
    2        B        62.0   57.03           2         True  <NA>
    """
    if not 0 < level < 1:
        raise ParameterError.expected("agent_scores", "level", "a float in (0, 1)", level)
    by_cols = [by] if isinstance(by, str) else list(by)
    require_columns(evaluations, ["total_score", "fatal_flag", *by_cols], "qa_evaluation")
    ev = _regular(evaluations)
    k = kpi.compute(ev, ["qa_score", "qa_pass_rate", "fatal_rate"], by=by_cols,
                    params={"pass_mark": pass_mark, "include_calibration": True})
    wide = k.pivot_table(index=by_cols, columns="kpi_id", values="value", sort=False,
                         dropna=False).reset_index()
    cnt = k[k.kpi_id == "qa_score"][[*by_cols, "denominator"]]
    g = ev.groupby(by_cols, sort=False, dropna=False)["total_score"].std(ddof=1).rename("sd_score")
    out = cnt.merge(wide, on=by_cols).merge(g.reset_index(), on=by_cols, how="left")
    out = out.rename(columns={"denominator": "n_evaluations", "qa_score": "mean_score",
                              "qa_pass_rate": "pass_rate"})
    out["n_evaluations"] = out["n_evaluations"].astype(np.int64)
    lo, hi = t_interval(out["mean_score"].to_numpy(), out["sd_score"].to_numpy(),
                        out["n_evaluations"].to_numpy(), level)
    out["ci_low"], out["ci_high"] = lo, hi
    out = out.sort_values(["mean_score", *by_cols], ascending=[False] + [True] * len(by_cols),
                          kind="stable").reset_index(drop=True)
    lo, hi = out["ci_low"].to_numpy(), out["ci_high"].to_numpy()
    ok = ~np.isnan(lo) & ~np.isnan(hi)
    # a new group starts where this upper bound lies below every lower bound above it
    lo_v, hi_v = lo[ok], hi[ok]
    run_lo = np.minimum.accumulate(lo_v) if len(lo_v) else lo_v
    new = np.r_[True, hi_v[1:] < run_lo[:-1]] if len(lo_v) else np.zeros(0, dtype=bool)
    grp = np.full(len(out), -1, dtype=np.int64)
    grp[ok] = np.cumsum(new)
    out["position"] = np.arange(1, len(out) + 1)
    out["rank_group"] = pd.array(np.where(ok, grp, 0), dtype="Int64")
    out.loc[~ok, "rank_group"] = pd.NA
    size = pd.Series(grp).map(pd.Series(grp[ok]).value_counts()).fillna(0).to_numpy()
    out["cannot_rank"] = ~ok | (size > 1)
    rank = pd.array(out["position"].to_numpy(), dtype="Int64")
    rank[out["cannot_rank"].to_numpy()] = pd.NA
    out["rank"] = rank
    center = float(np.nansum(out["mean_score"] * out["n_evaluations"])
                   / max(out["n_evaluations"].sum(), 1))
    out["vs_center"] = np.where(out["ci_low"] > center, "above",
                                np.where(out["ci_high"] < center, "below", "not_different"))
    return out[[*by_cols, "n_evaluations", "mean_score", "sd_score", "ci_low", "ci_high",
                "pass_rate", "fatal_rate", "position", "rank_group", "cannot_rank", "rank",
                "vs_center"]]


@dataclass(frozen=True)
class SamplingParams:
    """Sampling plan defaults (DOMAIN.md §4.3 [inferred]): new hires (tenure < ``new_hire_days``)
    12 evaluations a month, tenured 6; +``per_fatal`` per fatal error and +``per_complaint`` per
    valid complaint in the last ``lookback_days``, the uplift capped at ``max_uplift``."""

    new_hire_days: int = 90
    new_hire_per_month: int = 12
    tenured_per_month: int = 6
    lookback_days: int = 90
    per_fatal: int = 3
    per_complaint: int = 2
    max_uplift: int = 6

    def __post_init__(self) -> None:
        for name in ("new_hire_days", "new_hire_per_month", "tenured_per_month", "lookback_days",
                     "per_fatal", "per_complaint", "max_uplift"):
            v = getattr(self, name)
            if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 0:
                raise ParameterError.expected("SamplingParams", name, "an int >= 0", v)


def sampling_plan(agent_dim: pd.DataFrame, as_of: date | str | pd.Timestamp,
                  evaluations: pd.DataFrame | None = None, complaints: pd.DataFrame | None = None,
                  params: SamplingParams = SamplingParams()) -> pd.DataFrame:
    """Monthly evaluations to sample per active agent, by tenure and risk.

    Parameters
    ----------
    agent_dim : DataFrame
        ``agent_id``, ``team_id``, ``hire_date``; optional ``leave_date``, ``role`` (only
        ``agent`` rows are planned when given).
    as_of : date
        Planning date: agents employed that day; tenure = as_of − hire_date.
    evaluations : DataFrame, optional
        ``qa_evaluation`` rows; fatal errors with ``call_date`` (else ``eval_date``) in
        (as_of − lookback_days, as_of] raise the risk.
    complaints : DataFrame, optional
        ``complaint`` rows; valid ones (``valid_flag``) received in the window raise the risk.
    params : SamplingParams

    Returns
    -------
    DataFrame
        ``agent_id``, ``team_id``, ``tenure_days``, ``tenure_band`` (``new``/``tenured``),
        ``base_per_month``, ``n_fatal``, ``n_complaints``, ``risk_uplift``,
        ``planned_per_month``, ``planned_per_week`` (÷ 52/12).

    Examples
    --------
    >>> ag = pd.DataFrame({"agent_id": ["A", "B"], "team_id": ["T", "T"],
    ...                    "hire_date": pd.to_datetime(["2026-02-01", "2024-01-01"])})
    >>> ev = pd.DataFrame({"agent_id": ["B"], "eval_date": pd.to_datetime(["2026-03-20"]),
    ...                    "fatal_flag": [True]})
    >>> sampling_plan(ag, "2026-04-01", ev)[["agent_id", "tenure_band", "risk_uplift",
    ...                                       "planned_per_month"]]
      agent_id tenure_band  risk_uplift  planned_per_month
    0        A         new            0                 12
    1        B     tenured            3                  9
    """
    require_columns(agent_dim, ["agent_id", "team_id", "hire_date"], "agent_dim")
    t0 = pd.Timestamp(as_of)
    ag = agent_dim
    hire = pd.to_datetime(ag["hire_date"])
    act = np.array(hire <= t0, dtype=bool)
    if "leave_date" in ag.columns:
        act &= ~(pd.to_datetime(ag["leave_date"]) <= t0).to_numpy()
    if "role" in ag.columns:
        act &= (ag["role"] == "agent").to_numpy()
    ag = ag[act]
    tenure = (t0 - pd.to_datetime(ag["hire_date"])).dt.days.to_numpy()
    new = tenure < params.new_hire_days
    lo = t0 - pd.Timedelta(days=params.lookback_days)

    def _count(frame: pd.DataFrame | None, tcol: str, flag: str) -> np.ndarray:
        if frame is None or len(frame) == 0:
            return np.zeros(len(ag), dtype=np.int64)
        require_columns(frame, ["agent_id", flag], "qa_evaluation" if flag == "fatal_flag"
                        else "complaint")
        t = pd.to_datetime(frame[tcol])
        m = (t > lo) & (t <= t0) & frame[flag].fillna(False).astype(bool)
        c = frame.loc[m.to_numpy(), "agent_id"].value_counts()
        return c.reindex(ag["agent_id"].to_numpy()).fillna(0).to_numpy(dtype=np.int64)

    tcol_ev = ("call_date" if evaluations is not None and "call_date" in evaluations.columns
               else "eval_date")
    n_fatal = _count(None if evaluations is None else _regular(evaluations), tcol_ev, "fatal_flag")
    n_comp = _count(complaints, "received_at", "valid_flag")
    uplift = np.minimum(params.per_fatal * n_fatal + params.per_complaint * n_comp,
                        params.max_uplift)
    base = np.where(new, params.new_hire_per_month, params.tenured_per_month)
    out = pd.DataFrame({
        "agent_id": ag["agent_id"].to_numpy(), "team_id": ag["team_id"].to_numpy(),
        "tenure_days": tenure.astype(np.int64), "tenure_band": np.where(new, "new", "tenured"),
        "base_per_month": base.astype(np.int64), "n_fatal": n_fatal, "n_complaints": n_comp,
        "risk_uplift": uplift.astype(np.int64), "planned_per_month": (base + uplift).astype(np.int64),
    })
    out["planned_per_week"] = out["planned_per_month"] / (52 / 12)
    return out
