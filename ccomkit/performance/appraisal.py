"""Monthly appraisal: grades A/B+/B-/C/D, forced distribution, levels and the bottom-3 list.

Three steps follow the scorecard (:mod:`ccomkit.performance.scorecard`):

1. :func:`grade` turns total scores into grades **A / B+ / B- / C / D** (DOMAIN.md §5.4, the
   9-module seed's post review), by score thresholds or by a forced distribution (quotas per
   grade), with ties handled deterministically.
2. :func:`level_review` applies the semi-annual level review of the agent levels 初级/中级/高级/资深
   (``junior``/``intermediate``/``senior``/``expert``): composite = 在岗年限 10 % + 专业技能知识 40 %
   + 日常考核 50 %; promote when in the top 10 % **and** ≤ 2 valid complaints, ≤ 1 leave per month
   and ≤ 2 late/early per month; demote when in the bottom 5 % or on a major violation. All of
   it is configurable (:class:`LevelRules`); :func:`level_inputs` builds the inputs from the
   workspace tables.
3. :func:`bottom_months` lists people at the bottom of the ranking for N consecutive months (the
   seed's 末位淘汰 rule). **It is a coaching / improvement-plan trigger, never a dismissal
   decision**: under the Supreme People's Court **Guiding Case No. 18** (指导案例18号, 2013,
   中兴通讯(杭州)有限责任公司诉王鹏劳动合同纠纷案), ranking last is not evidence of being
   "unable to do the job" (不能胜任工作); terminating on rank alone is unlawful. The lawful path
   is evidence of incompetence → training or a change of post → still incompetent → termination
   (劳动合同法 art. 40(2)). Every row of the list says so in ``label_zh``/``label_en`` and
   ``legal_basis``, and the frame carries it in ``attrs['legal_note']``.

Rank ties (documented once, used everywhere): people are ranked by score with competition
ranking (``method='min'``: equal scores share the better rank), so a tie that straddles a quota
or a top/bottom cut-off is resolved **in favour of all the tied people** (they all get the
better grade, all enter the top set, or all enter the bottom set). ``ties='by_id'`` in
:func:`grade` instead splits a tie by ascending agent_id, which keeps quotas exact.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ccomkit.errors import ParameterError
from ccomkit.schemas import GRADES, LEVELS, require_columns

__all__ = [
    "DEFAULT_THRESHOLDS",
    "LEGAL_NOTE_EN",
    "LEGAL_NOTE_ZH",
    "LEVEL_NAMES_ZH",
    "LevelRules",
    "bottom_months",
    "grade",
    "level_inputs",
    "level_review",
]

DEFAULT_THRESHOLDS: dict[str, float] = {"A": 90.0, "B+": 80.0, "B-": 70.0, "C": 60.0}
"""Lowest total score of each grade; below the last one is D. [inferred]"""

LEVEL_NAMES_ZH: dict[str, str] = {"junior": "初级", "intermediate": "中级", "senior": "高级",
                                  "expert": "资深"}

LEGAL_NOTE_ZH = ("最高人民法院指导案例18号(2013,中兴通讯(杭州)有限责任公司诉王鹏劳动合同纠纷案):"
                 "考核末位不等于“不能胜任工作”,不得仅凭排名解除劳动合同;合法路径为:不能胜任的证据→"
                 "培训或调岗→仍不能胜任→方可解除(劳动合同法第四十条第二项)。")
LEGAL_NOTE_EN = ("Supreme People's Court Guiding Case No. 18 (2013, ZTE (Hangzhou) v. Wang Peng): "
                 "ranking last is not proof of being unable to do the job; dismissal on rank "
                 "alone is unlawful. Lawful path: evidence of incompetence -> training or a change "
                 "of post -> still incompetent -> termination (Labour Contract Law art. 40(2)).")
_LABEL_ZH = "连续{n}个月末位:辅导/绩效改进计划触发,不是解除劳动合同的决定"
_LABEL_EN = ("bottom {n} months in a row: coaching / improvement-plan trigger, never a "
             "dismissal decision")


def _check_frame(frame: Any, owner: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ParameterError.expected(owner, "frame", "a pandas DataFrame",
                                      type(frame).__name__)


def _groups(frame: pd.DataFrame, by: Sequence[str]) -> list[np.ndarray]:
    """Row positions of each group (all rows when ``by`` is empty)."""
    if not by:
        return [np.arange(len(frame))]
    codes = frame.groupby(list(by), sort=False, dropna=False).ngroup().to_numpy()
    return [np.flatnonzero(codes == k) for k in range(int(codes.max()) + 1)] if len(
        codes) else []


# --------------------------------------------------------------------------------------------
# Grades
# --------------------------------------------------------------------------------------------


def _check_thresholds(thr: Mapping[str, float]) -> list[tuple[str, float]]:
    if set(thr) != set(GRADES[:-1]):
        raise ParameterError.expected("grade", "thresholds", "a mapping with keys A, B+, B-, C "
                                      "(D is below C)", dict(thr))
    items = [(g, float(thr[g])) for g in GRADES[:-1]]
    vals = [v for _, v in items]
    if any(a <= b for a, b in zip(vals, vals[1:])):
        raise ParameterError.expected("grade", "thresholds", "strictly decreasing from A to C",
                                      dict(thr))
    return items


def _check_quotas(q: Mapping[str, float]) -> np.ndarray:
    if set(q) != set(GRADES):
        raise ParameterError.expected("grade", "quotas", "a mapping with keys A, B+, B-, C, D",
                                      dict(q))
    arr = np.array([float(q[g]) for g in GRADES])
    if (arr < 0).any() or abs(arr.sum() - 1.0) > 1e-6:
        raise ParameterError.expected("grade", "quotas", "non-negative shares summing to 1",
                                      dict(q))
    return arr


def grade(totals: pd.DataFrame, *, thresholds: Mapping[str, float] = DEFAULT_THRESHOLDS,
          quotas: Mapping[str, float] | None = None, by: str | Sequence[str] = (),
          score_col: str = "total_score", ties: str = "share_better") -> pd.DataFrame:
    """Grade total scores A/B+/B-/C/D by thresholds or by forced distribution.

    Parameters
    ----------
    totals : DataFrame
        ``agent_id`` and ``score_col``
        (e.g. :func:`~ccomkit.performance.scorecard.scorecard_totals`).
        Not modified.
    thresholds : mapping, default :data:`DEFAULT_THRESHOLDS`
        Lowest score of A, B+, B-, C; lower scores are D. Used when ``quotas`` is None.
    quotas : mapping, optional
        Forced distribution: share of each grade (A, B+, B-, C, D; summing to 1). Within each
        ``by`` group the n scored people are sorted by score (descending) then agent_id; grade g
        takes positions up to ``round_half_up(n × cumulative share)``.
    by : str or sequence of str, default ()
        Group columns for the distribution and ranks (``period``, ``role`` …).
    score_col : str, default 'total_score'
    ties : {'share_better', 'by_id'}, default 'share_better'
        Forced distribution only: people tied on score across a quota boundary all get the
        better grade (the quota overruns), or are split by ascending agent_id.

    Returns
    -------
    DataFrame
        A copy of ``totals`` plus ``rank`` (1 = best, competition ranking within ``by``),
        ``n_ranked``, ``grade`` (None when the score is NaN) and ``grade_method``
        ('threshold', 'forced' or 'no_score').

    Examples
    --------
    Thresholds: 91 → A, 80 → B+ (80 ≥ 80), 64.5 → C, 59.9 → D:

    >>> import pandas as pd
    >>> from ccomkit.performance.appraisal import grade
    >>> t = pd.DataFrame({"agent_id": list("ABCD"), "total_score": [91, 80, 64.5, 59.9]})
    >>> grade(t)["grade"].tolist()
    ['A', 'B+', 'C', 'D']

    Forced 20 % each over five people: cumulative slots 1, 2, 3, 4, 5. Q and R tie at 90 on
    positions 2 and 3 (B+ and B-); with 'share_better' both get B+:

    >>> t = pd.DataFrame({"agent_id": list("PQRST"), "total_score": [95, 90, 90, 80, 70]})
    >>> q = {"A": .2, "B+": .2, "B-": .2, "C": .2, "D": .2}
    >>> grade(t, quotas=q)["grade"].tolist()
    ['A', 'B+', 'B+', 'C', 'D']
    >>> grade(t, quotas=q, ties="by_id")["grade"].tolist()
    ['A', 'B+', 'B-', 'C', 'D']
    """
    _check_frame(totals, "grade")
    by_cols = [by] if isinstance(by, str) else list(by)
    require_columns(totals, ["agent_id", score_col, *by_cols], "totals")
    if ties not in ("share_better", "by_id"):
        raise ParameterError.expected("grade", "ties", "'share_better' or 'by_id'", ties)
    thr = _check_thresholds(thresholds)
    qarr = _check_quotas(quotas) if quotas is not None else None
    out = totals.copy()
    score = pd.to_numeric(out[score_col], errors="coerce").astype(float)
    out["rank"] = (score.groupby([out[b] for b in by_cols], dropna=False).rank(
        method="min", ascending=False) if by_cols else score.rank(method="min",
                                                                  ascending=False))
    out["rank"] = out["rank"].astype("Int64")
    out["n_ranked"] = (score.notna().groupby([out[b] for b in by_cols], dropna=False)
                       .transform("sum") if by_cols else int(score.notna().sum()))
    grades = np.full(len(out), None, dtype=object)
    if qarr is None:
        s = score.to_numpy()
        for g, lo in reversed(thr):
            grades[s >= lo] = g
        grades[(s < thr[-1][1])] = "D"
        grades[np.isnan(s)] = None
        method = np.where(np.isnan(s), "no_score", "threshold")
    else:
        for ii in _groups(out, by_cols):
            sc = score.to_numpy()[ii]
            ok = ~np.isnan(sc)
            ii, sc = ii[ok], sc[ok]
            n = len(ii)
            if n == 0:
                continue
            ids = out["agent_id"].astype(str).to_numpy()[ii]
            order = np.lexsort((ids, -sc))
            slots = np.floor(n * np.cumsum(qarr) + 0.5).astype(int)
            slots[-1] = n
            gi = np.searchsorted(slots, np.arange(n), side="right")
            if ties == "share_better":
                s_sorted = sc[order]
                # first position of each tie block gives the block's grade
                first = np.r_[0, np.flatnonzero(np.diff(s_sorted) != 0) + 1]
                block = np.cumsum(np.r_[1, (np.diff(s_sorted) != 0).astype(int)]) - 1
                gi = gi[first][block]
            grades[ii[order]] = np.array(GRADES, dtype=object)[gi]
        method = np.where(score.isna().to_numpy(), "no_score", "forced")
    out["grade"] = pd.Series(grades, index=out.index, dtype=object)
    out["grade_method"] = method
    return out


# --------------------------------------------------------------------------------------------
# Levels
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LevelRules:
    """Promotion and demotion rules of the level review (DOMAIN.md §5.4, [S59]).

    Parameters
    ----------
    weights : mapping, default tenure 0.1, skills 0.4, appraisal 0.5
        Weights of ``tenure_score``, ``skills_score`` and ``appraisal_score`` (0..100 each);
        must sum to 1. A missing component is left out and the others renormalised.
    promote_top_frac : float, default 0.10
        Top share by composite that may be promoted: rank ≤ floor(frac × n).
    demote_bottom_frac : float, default 0.05
        Bottom share demoted: ascending rank ≤ floor(frac × n).
    max_valid_complaints : int, default 2
        In the review period, to be promoted.
    max_leave_per_month : int, default 1
        Leave (absence) days in the worst month, to be promoted.
    max_late_per_month : int, default 2
        Late or early-leave days in the worst month, to be promoted.
    levels : tuple of str, default ``LEVELS``
        From lowest to highest.
    """

    weights: Mapping[str, float] = field(default_factory=lambda: {
        "tenure": 0.1, "skills": 0.4, "appraisal": 0.5})
    promote_top_frac: float = 0.10
    demote_bottom_frac: float = 0.05
    max_valid_complaints: int = 2
    max_leave_per_month: int = 1
    max_late_per_month: int = 2
    levels: tuple[str, ...] = LEVELS

    def __post_init__(self) -> None:
        if set(self.weights) != {"tenure", "skills", "appraisal"}:
            raise ParameterError.expected("LevelRules", "weights", "a mapping with keys tenure, "
                                          "skills, appraisal", dict(self.weights))
        if abs(sum(float(v) for v in self.weights.values()) - 1) > 1e-6 or any(
                float(v) < 0 for v in self.weights.values()):
            raise ParameterError.expected("LevelRules", "weights", "non-negative weights "
                                          "summing to 1", dict(self.weights))
        for name in ("promote_top_frac", "demote_bottom_frac"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and 0 <= v <= 1):
                raise ParameterError.expected("LevelRules", name, "a float in [0, 1]", v)
        for name in ("max_valid_complaints", "max_leave_per_month", "max_late_per_month"):
            v = getattr(self, name)
            if not (isinstance(v, (int, np.integer)) and v >= 0):
                raise ParameterError.expected("LevelRules", name, "an int >= 0", v)
        if len(self.levels) < 2 or len(set(self.levels)) != len(self.levels):
            raise ParameterError.expected("LevelRules", "levels", "at least two distinct "
                                          "levels", self.levels)


def level_review(inputs: pd.DataFrame, rules: LevelRules | None = None, *,
                 by: str | Sequence[str] = ()) -> pd.DataFrame:
    """Promotion / demotion decisions of the level review.

    Parameters
    ----------
    inputs : DataFrame
        One row per agent: ``agent_id``, ``level`` (current), ``tenure_score``,
        ``skills_score``, ``appraisal_score`` (0..100), ``valid_complaints``,
        ``max_leave_month``, ``max_late_month``, and optionally ``major_violation`` (bool:
        repeated violations or a major self-caused complaint). :func:`level_inputs` builds it.
        Not modified.
    rules : LevelRules, optional
    by : str or sequence of str, default ()
        Rank within groups (``team_id``, ``level`` …); default one ranking.

    Returns
    -------
    DataFrame
        ``inputs`` plus ``composite``, ``rank`` (1 = best), ``n_ranked``, ``in_top``,
        ``in_bottom``, ``eligible`` (the promotion gates), ``action`` ('promote', 'demote',
        'hold'), ``new_level``, ``reason``.

    Examples
    --------
    Twenty agents with composite 0.1·tenure + 0.4·skills + 0.5·appraisal; top 10 % = floor(2) =
    2 people, bottom 5 % = floor(1) = 1. A01 (composite 0.1·100 + 0.4·100 + 0.5·100 = 100) is
    promoted; A02 is second but had 3 valid complaints (> 2), so holds; A20 is last and demoted:

    >>> import pandas as pd
    >>> from ccomkit.performance.appraisal import level_review
    >>> n = 20
    >>> inp = pd.DataFrame({"agent_id": [f"A{i:02d}" for i in range(1, n + 1)],
    ...     "level": ["intermediate"] * n, "tenure_score": [100.0] * n,
    ...     "skills_score": [100.0 - i for i in range(n)],
    ...     "appraisal_score": [100.0 - i for i in range(n)],
    ...     "valid_complaints": [0, 3] + [0] * (n - 2), "max_leave_month": [0] * n,
    ...     "max_late_month": [0] * n})
    >>> out = level_review(inp)
    >>> out.loc[[0, 1, 19], ["agent_id", "composite", "action", "new_level"]]
       agent_id  composite   action     new_level
    0       A01      100.0  promote        senior
    1       A02       99.1     hold  intermediate
    19      A20       82.9   demote        junior
    """
    _check_frame(inputs, "level_review")
    rules = rules or LevelRules()
    by_cols = [by] if isinstance(by, str) else list(by)
    need = ["agent_id", "level", "tenure_score", "skills_score", "appraisal_score",
            "valid_complaints", "max_leave_month", "max_late_month"]
    require_columns(inputs, [*need, *by_cols], "level_inputs")
    bad = ~inputs["level"].isin(rules.levels)
    if bad.any():
        rows = np.flatnonzero(bad.to_numpy())[:5].tolist()
        raise ParameterError(f"level_inputs.level must be one of {', '.join(rules.levels)}: "
                             f"{int(bad.sum())} rows violate it, first at rows {rows} "
                             f"(level={inputs['level'].iloc[rows[0]]!r})", param="level",
                             value=inputs["level"].iloc[rows[0]])
    out = inputs.copy()
    comp = {"tenure": "tenure_score", "skills": "skills_score", "appraisal": "appraisal_score"}
    vals = np.column_stack([pd.to_numeric(out[c], errors="coerce").to_numpy(dtype=float)
                            for c in comp.values()])
    w = np.array([float(rules.weights[k]) for k in comp])
    have = ~np.isnan(vals)
    wsum = (have * w).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["composite"] = np.where(wsum > 0, np.nansum(vals * w, axis=1) / wsum, np.nan)
    score = out["composite"]
    keys = [out[b] for b in by_cols]
    rk_desc = (score.groupby(keys, dropna=False).rank(method="min", ascending=False)
               if by_cols else score.rank(method="min", ascending=False))
    rk_asc = (score.groupby(keys, dropna=False).rank(method="min", ascending=True)
              if by_cols else score.rank(method="min", ascending=True))
    n = (score.notna().groupby(keys, dropna=False).transform("sum") if by_cols
         else pd.Series(int(score.notna().sum()), index=out.index))
    k_top = np.floor(rules.promote_top_frac * n.to_numpy() + 1e-9)
    k_bot = np.floor(rules.demote_bottom_frac * n.to_numpy() + 1e-9)
    out["rank"] = rk_desc.astype("Int64")
    out["n_ranked"] = n.to_numpy()
    out["in_top"] = (rk_desc.to_numpy() <= k_top) & score.notna().to_numpy()
    out["in_bottom"] = (rk_asc.to_numpy() <= k_bot) & score.notna().to_numpy()
    c_ok = out["valid_complaints"].fillna(0).to_numpy() <= rules.max_valid_complaints
    l_ok = out["max_leave_month"].fillna(0).to_numpy() <= rules.max_leave_per_month
    t_ok = out["max_late_month"].fillna(0).to_numpy() <= rules.max_late_per_month
    out["eligible"] = c_ok & l_ok & t_ok
    major = (out["major_violation"].fillna(False).astype(bool).to_numpy()
             if "major_violation" in out.columns else np.zeros(len(out), dtype=bool))
    lv = list(rules.levels)
    idx = out["level"].map({l: i for i, l in enumerate(lv)}).to_numpy(dtype=int)
    action, new, reason = [], [], []
    for i in range(len(out)):
        top, bot = bool(out["in_top"].iat[i]), bool(out["in_bottom"].iat[i])
        if bot or major[i]:
            why = "bottom share by composite" if bot else "major violation"
            if idx[i] == 0:
                action.append("hold"), new.append(lv[0])
                reason.append(f"{why}; already at the lowest level")
            else:
                action.append("demote"), new.append(lv[idx[i] - 1]), reason.append(why)
        elif top:
            fails = [t for t, ok in (("valid complaints", c_ok[i]), ("leave per month", l_ok[i]),
                                     ("late/early per month", t_ok[i])) if not ok]
            if fails:
                action.append("hold"), new.append(lv[idx[i]])
                reason.append("top share but over the limit on " + ", ".join(fails))
            elif idx[i] == len(lv) - 1:
                action.append("hold"), new.append(lv[-1])
                reason.append("top share; already at the highest level")
            else:
                action.append("promote"), new.append(lv[idx[i] + 1])
                reason.append("top share and all gates met")
        else:
            action.append("hold"), new.append(lv[idx[i]])
            reason.append("no composite" if math.isnan(score.iat[i]) else "")
    out["action"], out["new_level"], out["reason"] = action, new, reason
    return out


def level_inputs(frames: Mapping[str, pd.DataFrame], start: Any, end: Any,
                 appraisal: pd.DataFrame, *, skills: pd.DataFrame | None = None,
                 full_tenure_years: float = 5.0, roles: Sequence[str] = ("agent",)
                 ) -> pd.DataFrame:
    """Build the :func:`level_review` inputs for a review window from the workspace tables.

    Parameters
    ----------
    frames : mapping of str to DataFrame
        ``agent_dim``; ``attendance`` and ``complaint`` when present (else counts are 0);
        ``training_record`` for skills when ``skills`` is not given. Not modified.
    start, end : date-like
        First and last day of the review window (e.g. a half-year).
    appraisal : DataFrame
        Monthly totals (``agent_id``, ``period``, ``total_score``): the mean over the window's
        months is ``appraisal_score`` (日常考核).
    skills : DataFrame, optional
        ``agent_id``, ``skills_score`` (0..100, 专业技能知识). Default: mean ``l2_post`` of the
        window's training_record rows.
    full_tenure_years : float, default 5.0
        ``tenure_score = 100 × min(tenure years at end / full_tenure_years, 1)``, tenure years =
        days from hire_date to ``end`` / 365.
    roles : sequence of str, default ('agent',)

    Returns
    -------
    DataFrame
        ``agent_id``, ``team_id``, ``level``, ``tenure_score``, ``skills_score``,
        ``appraisal_score``, ``valid_complaints``, ``max_leave_month`` (absence days in the
        worst month), ``max_late_month`` (days late or leaving early in the worst month).

    Examples
    --------
    One agent hired 730 days (2 years) before the end of the window: tenure 100 × 2/5 = 40; two
    monthly totals 80 and 90 → 85; one valid complaint:

    >>> import pandas as pd
    >>> from ccomkit.performance.appraisal import level_inputs
    >>> ad = pd.DataFrame({"agent_id": ["A"], "team_id": ["T1"], "role": ["agent"],
    ...     "level": ["junior"], "hire_date": pd.to_datetime(["2024-06-30"])})
    >>> cp = pd.DataFrame({"agent_id": ["A", "A"], "valid_flag": [True, False],
    ...     "received_at": pd.to_datetime(["2026-02-03", "2026-03-01"])})
    >>> ap = pd.DataFrame({"agent_id": ["A", "A"], "period": ["2026-01", "2026-02"],
    ...     "total_score": [80.0, 90.0]})
    >>> out = level_inputs({"agent_dim": ad, "complaint": cp}, "2026-01-01", "2026-06-30", ap,
    ...     skills=pd.DataFrame({"agent_id": ["A"], "skills_score": [70.0]}))
    >>> out[["tenure_score", "skills_score", "appraisal_score", "valid_complaints"]].round(1)
       tenure_score  skills_score  appraisal_score  valid_complaints
    0          40.0          70.0             85.0                 1
    """
    ad = frames["agent_dim"]
    require_columns(ad, ["agent_id", "team_id", "role", "level", "hire_date"], "agent_dim")
    require_columns(appraisal, ["agent_id", "period", "total_score"], "appraisal")
    t0, t1 = pd.Timestamp(start), pd.Timestamp(end)
    if t1 < t0:
        raise ParameterError.expected("level_inputs", "end", "on or after start", end)
    t1x = t1 + pd.Timedelta(days=1)
    a = ad[ad["role"].isin(list(roles))]
    if "leave_date" in a.columns:
        a = a[a["leave_date"].isna() | (pd.to_datetime(a["leave_date"]) >= t1)]
    out = a[["agent_id", "team_id", "level"]].reset_index(drop=True)
    yrs = (t1 - pd.to_datetime(a["hire_date"])).dt.days.to_numpy() / 365.0
    out["tenure_score"] = 100.0 * np.clip(yrs / full_tenure_years, 0.0, 1.0)
    if skills is not None:
        require_columns(skills, ["agent_id", "skills_score"], "skills")
        sk = skills.drop_duplicates("agent_id", keep="last").set_index("agent_id")[
            "skills_score"]
    elif "training_record" in frames:
        tr = frames["training_record"]
        tr = tr[(pd.to_datetime(tr["session_date"]) >= t0)
                & (pd.to_datetime(tr["session_date"]) < t1x)]
        sk = tr.groupby("agent_id")["l2_post"].mean()
    else:
        sk = pd.Series(dtype=float)
    out["skills_score"] = out["agent_id"].map(sk).astype(float)
    per = appraisal["period"].map(lambda v: pd.Period(v, freq="M"))
    inwin = (per.map(lambda q: q.start_time) >= t0.to_period("M").start_time) & (
        per.map(lambda q: q.start_time) <= t1)
    out["appraisal_score"] = out["agent_id"].map(
        appraisal[inwin.to_numpy()].groupby("agent_id")["total_score"].mean()).astype(float)
    if "complaint" in frames:
        cp = frames["complaint"]
        ts = pd.to_datetime(cp["received_at"])
        cp = cp[(ts >= t0) & (ts < t1x) & cp["valid_flag"].fillna(False).astype(bool)]
        cnt = cp.groupby("agent_id").size()
    else:
        cnt = pd.Series(dtype=int)
    out["valid_complaints"] = out["agent_id"].map(cnt).fillna(0).astype(int)
    if "attendance" in frames:
        at = frames["attendance"]
        wd = pd.to_datetime(at["work_date"])
        at = at[(wd >= t0) & (wd < t1x)]
        m = pd.to_datetime(at["work_date"]).dt.to_period("M")
        absent = at["scheduled_flag"].astype(bool) & ~at["present_flag"].astype(bool)
        late = at["present_flag"].astype(bool) & ((at["late_min"].fillna(0) > 0) | (
            at.get("early_leave_min", pd.Series(0, index=at.index)).fillna(0) > 0))
        f = pd.DataFrame({"agent_id": at["agent_id"].to_numpy(), "m": m.to_numpy(),
                          "absent": absent.to_numpy(int), "late": late.to_numpy(int)})
        mx = f.groupby(["agent_id", "m"])[["absent", "late"]].sum().groupby("agent_id").max()
        out["max_leave_month"] = out["agent_id"].map(mx["absent"]).fillna(0).astype(int)
        out["max_late_month"] = out["agent_id"].map(mx["late"]).fillna(0).astype(int)
    else:
        out["max_leave_month"] = 0
        out["max_late_month"] = 0
    return out


# --------------------------------------------------------------------------------------------
# The bottom-N-months list
# --------------------------------------------------------------------------------------------


def bottom_months(monthly: pd.DataFrame, *, n_months: int = 3, bottom_n: int | None = 1,
                  bottom_frac: float | None = None, by: str | Sequence[str] = (),
                  score_col: str = "total_score", as_of: Any = None) -> pd.DataFrame:
    """People at the bottom for ``n_months`` consecutive months: a coaching / PIP trigger.

    **Never a dismissal decision.** Under the Supreme People's Court Guiding Case No. 18
    (指导案例18号, 2013, 中兴通讯(杭州) v 王鹏), ranking last does not prove that an employee is
    unable to do the job (不能胜任工作), and dismissal on rank alone is unlawful (the employer
    paid double compensation). The lawful path is evidence of incompetence → training or a change
    of post → still incompetent → termination (劳动合同法 art. 40(2)). This list only says whom to
    coach first; every row carries ``label_zh``, ``label_en`` and ``legal_basis`` saying so, and
    the frame's ``attrs['legal_note']`` repeats it.

    Parameters
    ----------
    monthly : DataFrame
        ``period`` (month), ``agent_id`` and ``score_col``, one row per person and month
        (e.g. :func:`~ccomkit.performance.scorecard.scorecard_totals` of
        :func:`~ccomkit.performance.scorecard.scorecard_months`). Not modified.
    n_months : int, default 3
        Consecutive calendar months at the bottom (a month without a score breaks the run).
    bottom_n : int or None, default 1
        Size of the bottom set each month (ascending competition rank ≤ bottom_n, so people
        tied at the cut-off are all in).
    bottom_frac : float, optional
        Instead of ``bottom_n``: the bottom set is rank ≤ max(1, floor(frac × n)).
    by : str or sequence of str, default ()
        Rank within groups (``role``, ``team_id`` …).
    score_col : str, default 'total_score'
    as_of : period-like, optional
        The month the run must end in. Default: the latest month in ``monthly``.

    Returns
    -------
    DataFrame
        One row per person on the list: the ``by`` columns, ``agent_id``, ``run_months``,
        ``first_period``, ``last_period``, ``scores`` (text, month: score), ``action_zh``,
        ``action_en``, ``label_zh``, ``label_en``, ``legal_basis``.

    Examples
    --------
    Three people over three months; C is last every month (70, 60, 50):

    >>> import pandas as pd
    >>> from ccomkit.performance.appraisal import bottom_months
    >>> m = pd.DataFrame({"period": ["2026-01"] * 3 + ["2026-02"] * 3 + ["2026-03"] * 3,
    ...     "agent_id": list("ABC") * 3,
    ...     "total_score": [90, 80, 70, 85, 75, 60, 88, 66, 50]})
    >>> out = bottom_months(m)
    >>> out[["agent_id", "run_months", "first_period", "last_period"]]
      agent_id  run_months first_period last_period
    0        C           3      2026-01     2026-03
    >>> out.loc[0, "label_en"]
    'bottom 3 months in a row: coaching / improvement-plan trigger, never a dismissal decision'
    >>> bottom_months(m, as_of="2026-02").empty
    True
    """
    _check_frame(monthly, "bottom_months")
    by_cols = [by] if isinstance(by, str) else list(by)
    require_columns(monthly, ["period", "agent_id", score_col, *by_cols], "monthly")
    if not (isinstance(n_months, (int, np.integer)) and n_months >= 1):
        raise ParameterError.expected("bottom_months", "n_months", "an int >= 1", n_months)
    if bottom_frac is not None:
        if not (isinstance(bottom_frac, (int, float)) and 0 < bottom_frac <= 1):
            raise ParameterError.expected("bottom_months", "bottom_frac", "a float in (0, 1]",
                                          bottom_frac)
    elif not (isinstance(bottom_n, (int, np.integer)) and bottom_n >= 1):
        raise ParameterError.expected("bottom_months", "bottom_n", "an int >= 1", bottom_n)
    f = monthly[["period", "agent_id", score_col, *by_cols]].copy()
    try:
        f["_p"] = [pd.Period(v, freq="M") for v in f["period"]]
    except (ValueError, TypeError):
        raise ParameterError.expected("bottom_months", "monthly.period", "month periods",
                                      f["period"].iloc[0]) from None
    f["_s"] = pd.to_numeric(f[score_col], errors="coerce").astype(float)
    f = f[f["_s"].notna()]
    f["_o"] = [p.ordinal for p in f["_p"]]
    gk = [f[c] for c in ["_o", *by_cols]]
    rk = f["_s"].groupby(gk, dropna=False).rank(method="min", ascending=True)
    n = f["_s"].groupby(gk, dropna=False).transform("size")
    k = (np.maximum(1, np.floor(bottom_frac * n + 1e-9)) if bottom_frac is not None
         else bottom_n)
    f["_bot"] = rk <= k
    last = pd.Period(as_of, freq="M").ordinal if as_of is not None else (
        int(f["_o"].max()) if len(f) else 0)
    rows = []
    label_zh = _LABEL_ZH.format(n=n_months)
    label_en = _LABEL_EN.format(n=n_months)
    for key, g in f[f["_bot"] & (f["_o"] <= last)].groupby(["agent_id", *by_cols],
                                                             sort=True, dropna=False):
        months = set(g["_o"].tolist())
        run = 0
        while (last - run) in months:
            run += 1
        if run < n_months:
            continue
        gg = g[g["_o"] > last - run].sort_values("_o")
        key = key if isinstance(key, tuple) else (key,)
        rows.append({**dict(zip(["agent_id", *by_cols], key)), "run_months": run,
                     "first_period": str(gg["_p"].iloc[0]), "last_period": str(gg["_p"].iloc[-1]),
                     "scores": " | ".join(f"{p}: {s:.1f}" for p, s in zip(gg["_p"], gg["_s"]))})
    cols = [*by_cols, "agent_id", "run_months", "first_period", "last_period", "scores"]
    out = pd.DataFrame(rows, columns=["agent_id", *by_cols, "run_months", "first_period",
                                      "last_period", "scores"])[cols]
    out["action_zh"] = "辅导/绩效改进计划(PIP)"
    out["action_en"] = "coaching / performance improvement plan"
    out["label_zh"] = label_zh
    out["label_en"] = label_en
    out["legal_basis"] = LEGAL_NOTE_ZH + " " + LEGAL_NOTE_EN
    out.attrs["legal_note"] = LEGAL_NOTE_ZH + " " + LEGAL_NOTE_EN
    out.attrs["label_zh"] = label_zh
    out.attrs["label_en"] = label_en
    return out
