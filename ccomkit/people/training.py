"""Training evaluation (seed 004, DOMAIN.md §5.5): Kirkpatrick level 1 (reaction, 反应评估) and
level 2 (learning, 学习评估) from the ``training_record`` table.

- :func:`reaction_summary`: mean L1 score (1-5) per course with a Student-t confidence interval.
- :func:`learning_summary`: pre/post tests per course — mean gain, paired t-test
  (:func:`scipy.stats.ttest_rel`), effect size Cohen's ``d_z`` and pass rate.
- :func:`evaluation_chart`: L1 means with intervals (zh/en title), unrendered.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ccomkit.errors import ParameterError, SchemaError
from ccomkit.schemas import require_columns

__all__ = ["reaction_summary", "learning_summary", "evaluation_chart"]

_TABLE = "training_record"


def _by(by: str | Sequence[str]) -> list[str]:
    return [by] if isinstance(by, str) else list(by)


def _confidence(owner: str, confidence: float) -> float:
    if not (isinstance(confidence, (int, float)) and 0 < confidence < 1):
        raise ParameterError.expected(owner, "confidence", "a float in (0, 1)", confidence)
    return float(confidence)


def _range(frame: pd.DataFrame, column: str, lo: float, hi: float) -> np.ndarray:
    x = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    given = frame[column].notna().to_numpy()
    bad = np.flatnonzero(given & ~((x >= lo) & (x <= hi)))
    if len(bad):
        raise SchemaError(
            f"{_TABLE}.{column} must be a number in [{lo:g}, {hi:g}]: {len(bad)} row"
            f"{'s' if len(bad) > 1 else ''} violate it, first at rows {bad[:5].tolist()} "
            f"(value {frame[column].iloc[bad[0]]!r})", table=_TABLE, column=column,
            rows=bad[:5].tolist())
    return x


def reaction_summary(training_record: pd.DataFrame, by: str | Sequence[str] = "course_id", *,
                     confidence: float = 0.95, favourable_min: float = 4.0) -> pd.DataFrame:
    """Kirkpatrick level 1 (reaction): mean satisfaction score per group with a t interval.

    ``l1_mean ± t_{(1+c)/2, n−1} · sd / √n`` over the rows with an ``l1_score`` (1-5); the
    interval is NaN for a single response.

    Parameters
    ----------
    training_record : DataFrame
        The ``training_record`` table (at least the ``by`` columns and ``l1_score``).
    by : str or sequence of str, default "course_id"
    confidence : float, default 0.95
    favourable_min : float, default 4.0
        Scores ≥ this count as favourable (top-2-box on a 5-point scale).

    Returns
    -------
    DataFrame
        The ``by`` columns, ``n_responses``, ``l1_mean``, ``l1_sd``, ``l1_lo``, ``l1_hi``,
        ``favourable_frac``.

    Examples
    --------
    >>> tr = pd.DataFrame({"course_id": ["C1"] * 3 + ["C2"], "l1_score": [4, 5, 3, 5]})
    >>> reaction_summary(tr)[["course_id", "n_responses", "l1_mean", "l1_sd"]]
      course_id  n_responses  l1_mean  l1_sd
    0        C1            3      4.0    1.0
    1        C2            1      5.0    NaN
    """
    cols = _by(by)
    require_columns(training_record, [*cols, "l1_score"], _TABLE)
    c = _confidence("reaction_summary", confidence)
    x = _range(training_record, "l1_score", 1, 5)
    df = training_record[cols].assign(_x=x).loc[np.isfinite(x)]
    g = df.groupby(cols, sort=True, dropna=False)["_x"]
    out = g.agg(n_responses="count", l1_mean="mean", l1_sd="std").reset_index()
    out["favourable_frac"] = g.apply(lambda s: float((s >= favourable_min).mean())).to_numpy()
    n = out["n_responses"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = stats.t.ppf((1 + c) / 2, n - 1)
        half = t * out["l1_sd"].to_numpy() / np.sqrt(n)
    out["l1_lo"] = out["l1_mean"] - half
    out["l1_hi"] = out["l1_mean"] + half
    return out[[*cols, "n_responses", "l1_mean", "l1_sd", "l1_lo", "l1_hi", "favourable_frac"]]


def learning_summary(training_record: pd.DataFrame, by: str | Sequence[str] = "course_id", *,
                     confidence: float = 0.95, pass_score: float | None = None,
                     alternative: str = "two-sided") -> pd.DataFrame:
    """Kirkpatrick level 2 (learning): pre/post gain, paired t-test, Cohen's d_z, pass rate.

    Over the rows with both ``l2_pre`` and ``l2_post`` (0-100 points), with ``d = post − pre``:
    ``gain_mean = mean(d)``, ``gain_sd = sd(d)`` (ddof 1), ``t = gain_mean / (gain_sd / √n)``
    and its p-value from :func:`scipy.stats.ttest_rel` (``alternative`` as in scipy),
    ``d_z = gain_mean / gain_sd`` (Cohen's effect size for paired data; NaN when the sd is 0 or
    n < 2) and the t interval of the mean gain. ``pass_rate`` = passes ÷ rows with a known
    result: ``pass_flag`` or, when ``pass_score`` is given, ``l2_post ≥ pass_score`` (all rows
    with a post-test).

    Returns
    -------
    DataFrame
        The ``by`` columns, ``n_pairs``, ``pre_mean``, ``post_mean``, ``gain_mean``, ``gain_sd``,
        ``gain_lo``, ``gain_hi``, ``t_stat``, ``p_value``, ``d_z``, ``n_pass_known``, ``pass_rate``.

    Examples
    --------
    >>> tr = pd.DataFrame({"course_id": "C1", "l2_pre": [50, 60, 70], "l2_post": [60, 80, 80],
    ...                    "pass_flag": [False, True, True]})
    >>> out = learning_summary(tr)
    >>> out[["n_pairs", "gain_mean", "gain_sd", "t_stat", "d_z", "pass_rate"]].round(4)
       n_pairs  gain_mean  gain_sd  t_stat     d_z  pass_rate
    0        3    13.3333   5.7735     4.0  2.3094     0.6667
    """
    cols = _by(by)
    require_columns(training_record, [*cols, "l2_pre", "l2_post"], _TABLE)
    c = _confidence("learning_summary", confidence)
    if alternative not in ("two-sided", "greater", "less"):
        raise ParameterError.expected("learning_summary", "alternative",
                                      "one of 'two-sided', 'greater', 'less'", alternative)
    if pass_score is None:
        require_columns(training_record, ["pass_flag"], _TABLE)
    elif not (isinstance(pass_score, (int, float)) and 0 <= pass_score <= 100):
        raise ParameterError.expected("learning_summary", "pass_score", "a number in [0, 100]",
                                      pass_score)
    pre = _range(training_record, "l2_pre", 0, 100)
    post = _range(training_record, "l2_post", 0, 100)
    if pass_score is None:
        pf = training_record["pass_flag"].astype("boolean")
        known = pf.notna().to_numpy()
        passed = pf.fillna(False).to_numpy(dtype=bool)
    else:
        known = np.isfinite(post)
        passed = known & (post >= pass_score)
    base = training_record[cols].assign(_pre=pre, _post=post, _known=known, _pass=passed)
    rows = []
    for key, g in base.groupby(cols, sort=True, dropna=False):
        pair = g[np.isfinite(g["_pre"]) & np.isfinite(g["_post"])]
        n = len(pair)
        n_known = int(g["_known"].sum())
        if n == 0 and n_known == 0:
            continue
        a, b = pair["_pre"].to_numpy(), pair["_post"].to_numpy()
        d = b - a
        rec: dict[str, Any] = dict(zip(cols, key if isinstance(key, tuple) else (key,)))
        rec.update(n_pairs=n, pre_mean=a.mean() if n else np.nan, post_mean=b.mean() if n else np.nan,
                   gain_mean=d.mean() if n else np.nan)
        if n >= 2:
            sd = float(d.std(ddof=1))
            half = stats.t.ppf((1 + c) / 2, n - 1) * sd / np.sqrt(n)
            rec.update(gain_sd=sd, gain_lo=d.mean() - half, gain_hi=d.mean() + half,
                       t_stat=np.nan, p_value=np.nan, d_z=np.nan)
            if sd > 0:  # a constant gain has no t statistic (scipy would warn and return ±inf)
                res = stats.ttest_rel(b, a, alternative=alternative)
                rec.update(t_stat=float(res.statistic), p_value=float(res.pvalue),
                           d_z=d.mean() / sd)
        else:
            rec.update(gain_sd=np.nan, gain_lo=np.nan, gain_hi=np.nan, t_stat=np.nan,
                       p_value=np.nan, d_z=np.nan)
        rec.update(n_pass_known=n_known,
                   pass_rate=float(g["_pass"].sum()) / n_known if n_known else np.nan)
        rows.append(rec)
    names = [*cols, "n_pairs", "pre_mean", "post_mean", "gain_mean", "gain_sd", "gain_lo", "gain_hi",
             "t_stat", "p_value", "d_z", "n_pass_known", "pass_rate"]
    return pd.DataFrame(rows, columns=names)


def evaluation_chart(reaction: pd.DataFrame, by: str = "course_id") -> Any:
    """Point-and-interval chart of :func:`reaction_summary` output (bilingual title).

    Examples
    --------
    >>> r = pd.DataFrame({"course_id": ["C1"], "l1_mean": [4.2], "l1_lo": [4.0], "l1_hi": [4.4],
    ...                   "n_responses": [10]})
    >>> evaluation_chart(r).to_dict()["title"]
    '一级评估：反应 Level 1 reaction (mean, 95% t interval)'
    """
    import altair as alt

    require_columns(reaction, [by, "l1_mean", "l1_lo", "l1_hi"], "reaction_summary")
    data = reaction[[by, "l1_mean", "l1_lo", "l1_hi", *(["n_responses"] if "n_responses" in reaction
                                                        else [])]].copy()
    base = alt.Chart(data).encode(y=alt.Y(f"{by}:N", title="课程 course"))
    rule = base.mark_rule().encode(x=alt.X("l1_lo:Q", title="反应评分 L1 score (1-5)",
                                           scale=alt.Scale(domain=[1, 5])), x2="l1_hi:Q")
    point = base.mark_point(filled=True).encode(x="l1_mean:Q", tooltip=list(data.columns))
    return alt.layer(rule, point).properties(
        title="一级评估：反应 Level 1 reaction (mean, 95% t interval)", width=420)
