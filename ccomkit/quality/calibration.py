"""Evaluator calibration (质检校准; DOMAIN.md §4.3).

Calibration evaluations (``is_calibration`` true) are grouped by ``calibration_session_id`` and
``call_id``: several evaluators score the same call blind. The **consensus** of a call is the
**median** of the evaluators' scores (``consensus="median"``, the default: one outlying
evaluator does not move it) or their mean (``consensus="mean"``). Calls scored by fewer than two
evaluators are left out.

KPIs and flags (DOMAIN.md §4.3 workbench defaults):

* each evaluator's mean absolute deviation (MAD) from the consensus score, target ≤ 3 points;
  ``mean_deviation`` > 0 means lenient (scores above consensus), < 0 harsh;
* item agreement: the share of an item's ratings whose deduction lies within
  ``tolerance_points`` of the call's consensus deduction for that item, target ≥ 85 %;
  an item not assessed by an evaluator (no row) is not a rating;
* spread: max − min across evaluators, of the total score per call and of the deduction per
  call-item; above 10 points is flagged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from ccomkit.errors import ParameterError, SchemaError
from ccomkit.schemas import require_columns

if TYPE_CHECKING:  # pragma: no cover
    import altair as alt

Consensus = Literal["median", "mean"]
_KEY = ["calibration_session_id", "call_id"]


def _calibration_rows(evaluations: pd.DataFrame) -> pd.DataFrame:
    require_columns(evaluations, ["eval_id", "evaluator_id", "total_score", "is_calibration",
                                  "calibration_session_id", "call_id"], "qa_evaluation")
    ev = evaluations[evaluations["is_calibration"].fillna(False).to_numpy(dtype=bool)]
    bad = (ev["calibration_session_id"].isna() | ev["call_id"].isna()).to_numpy()
    if bad.any():
        first = ev["eval_id"].to_numpy()[bad][:3]
        raise SchemaError(
            "qa_evaluation calibration rows need calibration_session_id and call_id: "
            f"{int(bad.sum())} rows lack one, first eval_id {', '.join(map(repr, first))}",
            table="qa_evaluation", column="calibration_session_id")
    return ev


def _check_consensus(consensus: str, owner: str) -> None:
    if consensus not in ("median", "mean"):
        raise ParameterError.expected(owner, "consensus", "'median' or 'mean'", consensus)


def calibration_scores(evaluations: pd.DataFrame, *, consensus: Consensus = "median"
                       ) -> pd.DataFrame:
    """Each calibration evaluation against its call's consensus score.

    Parameters
    ----------
    evaluations : DataFrame
        ``qa_evaluation`` rows; only ``is_calibration`` rows are used.
    consensus : {"median", "mean"}, default "median"

    Returns
    -------
    DataFrame
        ``calibration_session_id``, ``call_id``, ``eval_id``, ``evaluator_id``, ``total_score``,
        ``n_evaluators``, ``consensus_score``, ``deviation`` (score − consensus),
        ``abs_deviation``; calls with fewer than two evaluators left out.

    Examples
    --------
    Scores 80, 84, 90 → median 84; deviations −4, 0, +6:

    >>> ev = pd.DataFrame({"eval_id": ["E1", "E2", "E3"], "evaluator_id": ["Q1", "Q2", "Q3"],
    ...     "total_score": [80.0, 84.0, 90.0], "is_calibration": [True] * 3,
    ...     "calibration_session_id": ["S1"] * 3, "call_id": ["C1"] * 3})
    >>> calibration_scores(ev)[["evaluator_id", "consensus_score", "deviation"]]
      evaluator_id  consensus_score  deviation
    0           Q1             84.0       -4.0
    1           Q2             84.0        0.0
    2           Q3             84.0        6.0
    """
    _check_consensus(consensus, "calibration_scores")
    ev = _calibration_rows(evaluations)
    out = ev[[*_KEY, "eval_id", "evaluator_id", "total_score"]].reset_index(drop=True)
    out["total_score"] = out["total_score"].astype(float)
    g = out.groupby(_KEY, sort=False)["total_score"]
    out["n_evaluators"] = g.transform("size").astype(np.int64)
    out["consensus_score"] = g.transform(consensus)
    out = out[out["n_evaluators"] >= 2].reset_index(drop=True)
    out["deviation"] = out["total_score"] - out["consensus_score"]
    out["abs_deviation"] = out["deviation"].abs()
    return out


def evaluator_calibration(evaluations: pd.DataFrame, *, consensus: Consensus = "median",
                          target_mad_points: float = 3.0) -> pd.DataFrame:
    """Per evaluator: bias and mean absolute deviation from the consensus (target ≤ 3 points).

    Returns
    -------
    DataFrame
        ``evaluator_id``, ``n_calls``, ``n_sessions``, ``mean_deviation`` (+ lenient,
        − harsh), ``mad`` (mean |deviation|), ``max_abs_deviation``, ``within_target``
        (mad ≤ target_mad_points); sorted by mad descending.

    Examples
    --------
    Call C1: 80, 84, 90 (median 84); call C2: 70, 76, 78 (median 76).
    Q1 deviations −4, −6 → mad 5, bias −5; Q2 0, 0 → 0; Q3 +6, +2 → mad 4, bias +4:

    >>> ev = pd.DataFrame({"eval_id": [f"E{i}" for i in range(6)],
    ...     "evaluator_id": ["Q1", "Q2", "Q3"] * 2,
    ...     "total_score": [80.0, 84, 90, 70, 76, 78], "is_calibration": [True] * 6,
    ...     "calibration_session_id": ["S1"] * 6, "call_id": ["C1"] * 3 + ["C2"] * 3})
    >>> evaluator_calibration(ev)[["evaluator_id", "n_calls", "mean_deviation", "mad",
    ...                            "within_target"]]
      evaluator_id  n_calls  mean_deviation  mad  within_target
    0           Q1        2            -5.0  5.0          False
    1           Q3        2             4.0  4.0          False
    2           Q2        2             0.0  0.0           True
    """
    if not target_mad_points >= 0:
        raise ParameterError.expected("evaluator_calibration", "target_mad_points",
                                      "a number >= 0", target_mad_points)
    sc = calibration_scores(evaluations, consensus=consensus)
    g = sc.groupby("evaluator_id", sort=False)
    out = g.agg(n_calls=("eval_id", "size"), n_sessions=("calibration_session_id", "nunique"),
                mean_deviation=("deviation", "mean"), mad=("abs_deviation", "mean"),
                max_abs_deviation=("abs_deviation", "max")).reset_index()
    out["n_calls"] = out["n_calls"].astype(np.int64)
    out["n_sessions"] = out["n_sessions"].astype(np.int64)
    out["within_target"] = out["mad"] <= target_mad_points
    return out.sort_values(["mad", "evaluator_id"], ascending=[False, True],
                           kind="stable").reset_index(drop=True)


def call_spread(evaluations: pd.DataFrame, *, consensus: Consensus = "median",
                flag_points: float = 10.0) -> pd.DataFrame:
    """Per calibrated call: consensus, range of the evaluators' scores and the >10-point flag.

    Returns
    -------
    DataFrame
        ``calibration_session_id``, ``call_id``, ``n_evaluators``, ``consensus_score``,
        ``min_score``, ``max_score``, ``spread``, ``wide_spread`` (spread > flag_points).

    Examples
    --------
    >>> ev = pd.DataFrame({"eval_id": ["E1", "E2", "E3"], "evaluator_id": ["Q1", "Q2", "Q3"],
    ...     "total_score": [80.0, 84.0, 92.0], "is_calibration": [True] * 3,
    ...     "calibration_session_id": ["S1"] * 3, "call_id": ["C1"] * 3})
    >>> call_spread(ev)[["consensus_score", "spread", "wide_spread"]]
       consensus_score  spread  wide_spread
    0             84.0    12.0         True
    """
    sc = calibration_scores(evaluations, consensus=consensus)
    out = sc.groupby(_KEY, sort=False).agg(
        n_evaluators=("eval_id", "size"), consensus_score=("consensus_score", "first"),
        min_score=("total_score", "min"), max_score=("total_score", "max")).reset_index()
    out["n_evaluators"] = out["n_evaluators"].astype(np.int64)
    out["spread"] = out["max_score"] - out["min_score"]
    out["wide_spread"] = out["spread"] > flag_points
    return out


def item_agreement(evaluations: pd.DataFrame, items: pd.DataFrame, *,
                   consensus: Consensus = "median", tolerance_points: float = 0.0,
                   target_frac: float = 0.85, flag_points: float = 10.0) -> pd.DataFrame:
    """Item-level agreement of calibration ratings and the items with the widest spread.

    Parameters
    ----------
    evaluations, items : DataFrame
        ``qa_evaluation`` (calibration rows used) and ``qa_item`` rows.
    consensus : {"median", "mean"}
        Consensus deduction of a call-item over the evaluators who rated it.
    tolerance_points : float, default 0
        A rating agrees when |deduction − consensus| ≤ this.
    target_frac : float, default 0.85
    flag_points : float, default 10
        ``wide_spread`` when the item's largest call spread exceeds this.

    Returns
    -------
    DataFrame
        Per item, widest spread first: ``item_code``, ``n_calls``, ``n_ratings``,
        ``agreement_rate``, ``meets_target``, ``mean_spread``, ``max_spread``, ``wide_spread``.

    Examples
    --------
    One call, three evaluators. A1_tone deductions 0, 0, 7 → median 0, agreement 2/3, spread 7;
    C1 deductions 0, 15, 15 → median 15, agreement 2/3, spread 15 > 10 → flagged:

    >>> ev = pd.DataFrame({"eval_id": ["E1", "E2", "E3"], "evaluator_id": ["Q1", "Q2", "Q3"],
    ...     "total_score": [100.0, 85.0, 78.0], "is_calibration": [True] * 3,
    ...     "calibration_session_id": ["S1"] * 3, "call_id": ["C1"] * 3})
    >>> it = pd.DataFrame({"eval_id": ["E1", "E2", "E3"] * 2,
    ...     "item_code": ["A1_tone"] * 3 + ["C1_correct_information"] * 3,
    ...     "deducted_points": [0.0, 0, 7, 0, 15, 15]})
    >>> item_agreement(ev, it)[["item_code", "agreement_rate", "max_spread", "wide_spread"]].round(3)
                    item_code  agreement_rate  max_spread  wide_spread
    0  C1_correct_information           0.667        15.0         True
    1                 A1_tone           0.667         7.0        False
    """
    _check_consensus(consensus, "item_agreement")
    if not 0 <= target_frac <= 1:
        raise ParameterError.expected("item_agreement", "target_frac", "a float in [0, 1]",
                                      target_frac)
    ev = _calibration_rows(evaluations)
    require_columns(items, ["eval_id", "item_code", "deducted_points"], "qa_item")
    it = items[["eval_id", "item_code", "deducted_points"]].merge(
        ev[["eval_id", *_KEY]], on="eval_id", how="inner")
    it = it.assign(deducted_points=it["deducted_points"].astype(float))
    g = it.groupby([*_KEY, "item_code"], sort=False)["deducted_points"]
    it["n_raters"] = g.transform("size")
    it = it[it["n_raters"] >= 2]
    g = it.groupby([*_KEY, "item_code"], sort=False)["deducted_points"]
    cons = g.transform(consensus)
    it = it.assign(agree=(it["deducted_points"] - cons).abs() <= tolerance_points + 1e-9,
                   spread=g.transform("max") - g.transform("min"))
    per_call = it.groupby([*_KEY, "item_code"], sort=False).agg(
        spread=("spread", "first")).reset_index()
    out = it.groupby("item_code", sort=False).agg(
        n_ratings=("agree", "size"), n_agree=("agree", "sum")).reset_index()
    sp = per_call.groupby("item_code", sort=False).agg(
        n_calls=("spread", "size"), mean_spread=("spread", "mean"),
        max_spread=("spread", "max")).reset_index()
    out = out.merge(sp, on="item_code")
    out["agreement_rate"] = out["n_agree"] / out["n_ratings"]
    out["meets_target"] = out["agreement_rate"] >= target_frac
    out["wide_spread"] = out["max_spread"] > flag_points
    out["n_ratings"] = out["n_ratings"].astype(np.int64)
    out["n_calls"] = out["n_calls"].astype(np.int64)
    out = out.sort_values(["max_spread", "mean_spread", "item_code"],
                          ascending=[False, False, True], kind="stable").reset_index(drop=True)
    return out[["item_code", "n_calls", "n_ratings", "agreement_rate", "meets_target",
                "mean_spread", "max_spread", "wide_spread"]]


def session_summary(evaluations: pd.DataFrame, items: pd.DataFrame | None = None, *,
                    consensus: Consensus = "median", tolerance_points: float = 0.0,
                    target_mad_points: float = 3.0, target_frac: float = 0.85,
                    flag_points: float = 10.0) -> pd.DataFrame:
    """One row per calibration session: the monthly calibration KPIs.

    Returns
    -------
    DataFrame
        ``calibration_session_id``, ``n_calls``, ``n_evaluators``, ``mad`` (mean |deviation|
        over all ratings), ``max_spread`` (total score), ``n_wide_calls``, ``item_agreement``
        (pooled over items, NaN without ``items``), ``mad_ok``, ``agreement_ok``.

    Examples
    --------
    >>> ev = pd.DataFrame({"eval_id": ["E1", "E2", "E3"], "evaluator_id": ["Q1", "Q2", "Q3"],
    ...     "total_score": [80.0, 84.0, 90.0], "is_calibration": [True] * 3,
    ...     "calibration_session_id": ["S1"] * 3, "call_id": ["C1"] * 3})
    >>> session_summary(ev)[["n_calls", "n_evaluators", "mad", "max_spread", "mad_ok"]].round(3)
       n_calls  n_evaluators    mad  max_spread  mad_ok
    0        1             3  3.333        10.0   False
    """
    sc = calibration_scores(evaluations, consensus=consensus)
    cs = call_spread(evaluations, consensus=consensus, flag_points=flag_points)
    key = "calibration_session_id"
    out = sc.groupby(key, sort=True).agg(
        n_calls=("call_id", "nunique"), n_evaluators=("evaluator_id", "nunique"),
        mad=("abs_deviation", "mean")).reset_index()
    w = cs.groupby(key, sort=True).agg(max_spread=("spread", "max"),
                                       n_wide_calls=("wide_spread", "sum")).reset_index()
    out = out.merge(w, on=key, how="left")
    out["n_calls"] = out["n_calls"].astype(np.int64)
    out["n_evaluators"] = out["n_evaluators"].astype(np.int64)
    out["n_wide_calls"] = out["n_wide_calls"].astype(np.int64)
    out["item_agreement"] = np.nan
    if items is not None and len(out):
        ev = _calibration_rows(evaluations)
        for i, sid in enumerate(out[key]):
            sub = ev[ev[key] == sid]
            ia = item_agreement(sub, items[items["eval_id"].isin(sub["eval_id"])],
                                consensus=consensus, tolerance_points=tolerance_points)
            if ia["n_ratings"].sum():
                out.loc[i, "item_agreement"] = (
                    (ia["agreement_rate"] * ia["n_ratings"]).sum() / ia["n_ratings"].sum())
    out["mad_ok"] = out["mad"] <= target_mad_points
    out["agreement_ok"] = out["item_agreement"] >= target_frac
    return out


def calibration_chart(evaluator_table: pd.DataFrame, target_mad_points: float = 3.0
                      ) -> "alt.Chart":
    """Bars of each evaluator's mean deviation (bias) with their MAD, against the ±target band,
    from :func:`evaluator_calibration`.

    Examples
    --------
    >>> tab = pd.DataFrame({"evaluator_id": ["Q1"], "n_calls": [2], "mean_deviation": [-5.0],
    ...                     "mad": [5.0], "within_target": [False]})
    >>> type(calibration_chart(tab)).__name__
    'LayerChart'
    """
    import altair as alt

    require_columns(evaluator_table, ["evaluator_id", "mean_deviation", "mad", "within_target"],
                    "evaluator_calibration")
    band = alt.Chart(pd.DataFrame({"lo": [-target_mad_points], "hi": [target_mad_points]})
                     ).mark_rect(opacity=0.15, color="green").encode(x="lo:Q", x2="hi:Q")
    bars = alt.Chart(evaluator_table).mark_bar().encode(
        y=alt.Y("evaluator_id:N", sort="-x", title=None),
        x=alt.X("mean_deviation:Q", title="deviation from consensus 偏离共识(分)"),
        color=alt.Color("within_target:N", title=f"MAD ≤ {target_mad_points:g}"),
        tooltip=["evaluator_id", "n_calls", alt.Tooltip("mean_deviation:Q", format=".1f"),
                 alt.Tooltip("mad:Q", format=".1f")])
    return alt.layer(band, bars).properties(
        title="质检校准:质检员偏差 · Calibration: evaluator deviation from consensus")
