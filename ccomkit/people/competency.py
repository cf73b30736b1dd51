"""Competency model (胜任力模型, seed 004, DOMAIN.md §5.5): KSAO dictionary, Q-sort weights,
individual gap analysis and the 初级 → 中级 → 高级 learning map.

- :func:`load_ksao` / :func:`learning_map`: the shipped KSAO dictionary of a role
  (``ccomkit/people/ksao/<role>.yaml``: items with codes, zh/en labels and the required level per
  job level; courses per level with prerequisites) as DataFrames.
- :func:`qsort_pile_sizes`, :func:`qsort_weights`: the Q-method weighting (flat sort into
  重要 / 没意见 / 不重要 piles, then an absolute ranking → normal-score weights averaged over raters).
- :func:`gap_analysis`, :func:`priority_courses`: assessed level against required level, weighted
  gaps, and the courses that close the largest weighted gaps.
- :func:`promotion_eligibility`: who has completed the training of their current level
  (学习晋阶: promotion requires the previous level's training and capability).
- :func:`weights_chart`: bar chart of Q-sort weights (zh/en title).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from ccomkit.errors import ParameterError, SchemaError
from ccomkit.schemas import TRAINING_LEVELS, require_columns

__all__ = [
    "KSAO_DIR", "JOB_LEVELS", "PILES", "CATEGORIES", "load_ksao", "learning_map",
    "qsort_pile_sizes", "qsort_weights", "gap_analysis", "priority_courses",
    "promotion_eligibility", "weights_chart",
]

KSAO_DIR = Path(__file__).resolve().parent / "ksao"
JOB_LEVELS: tuple[str, ...] = tuple(TRAINING_LEVELS)  # junior 初级, intermediate 中级, senior 高级
JOB_LEVEL_ZH = {"junior": "初级", "intermediate": "中级", "senior": "高级"}
PILES: tuple[str, ...] = ("important", "neutral", "unimportant")  # 重要 / 没意见 / 不重要
CATEGORIES: tuple[str, ...] = ("knowledge", "skill", "attitude", "other")


# ---- dictionary ----------------------------------------------------------------------------

def _rows_text(rows: Sequence[Any]) -> str:
    rows = list(rows)
    return f"{len(rows)} row{'s' if len(rows) != 1 else ''} violate it, first at rows {rows[:5]}"


def _read_yaml(role_or_path: str | Path) -> dict[str, Any]:
    import yaml

    p = Path(role_or_path)
    if not (p.suffix in (".yaml", ".yml") and p.exists()):
        p = KSAO_DIR / f"{role_or_path}.yaml"
    if not p.exists():
        shipped = sorted(x.stem for x in KSAO_DIR.glob("*.yaml"))
        raise ParameterError(
            f"No KSAO dictionary {str(role_or_path)!r}: give a shipped role {shipped} or a path to "
            "a .yaml file.", param="role", value=role_or_path)
    with p.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    if not isinstance(data, dict) or not data.get("items"):
        raise SchemaError(f"KSAO dictionary {p.name} has no 'items' list", table="ksao", column="items")
    return data


def load_ksao(role: str | Path = "agent") -> pd.DataFrame:
    """The KSAO dictionary of a role: one row per competency item.

    Parameters
    ----------
    role : str or path, default "agent"
        A shipped role (``agent``, ``team_leader``) or a path to a YAML file of the same shape.

    Returns
    -------
    DataFrame
        ``role``, ``code``, ``category`` (knowledge / skill / attitude / other), ``module``,
        ``label_zh``, ``label_en`` and ``required_junior``, ``required_intermediate``,
        ``required_senior`` (required proficiency, 1-5 scale, non-decreasing with level).

    Raises
    ------
    ParameterError
        Unknown role.
    SchemaError
        Duplicate codes, an unknown category, or required levels missing or decreasing.

    Examples
    --------
    >>> k = load_ksao("agent")
    >>> k[["code", "category", "required_junior", "required_senior"]].head(2)
                    code   category  required_junior  required_senior
    0  product_knowledge  knowledge                2                4
    1     business_rules  knowledge                2                4
    >>> sorted(k.category.unique())
    ['attitude', 'knowledge', 'other', 'skill']
    """
    data = _read_yaml(role)
    rows = []
    for i, it in enumerate(data["items"]):
        req = it.get("required") or {}
        missing = [lv for lv in JOB_LEVELS if lv not in req]
        if missing:
            raise SchemaError(f"ksao.required of item {it.get('code')!r} lacks levels {missing}",
                              table="ksao", column="required", rows=[i])
        rows.append({"role": data.get("role", str(role)), "code": it["code"],
                     "category": it.get("category"), "module": it.get("module"),
                     "label_zh": it.get("label_zh"), "label_en": it.get("label_en"),
                     **{f"required_{lv}": int(req[lv]) for lv in JOB_LEVELS}})
    out = pd.DataFrame(rows)
    dup = np.flatnonzero(out["code"].duplicated().to_numpy())
    if len(dup):
        raise SchemaError(f"ksao.code must be unique: {_rows_text(dup)} (value {out.code[dup[0]]!r})",
                          table="ksao", column="code", rows=dup.tolist())
    bad = np.flatnonzero(~out["category"].isin(CATEGORIES).to_numpy())
    if len(bad):
        raise SchemaError(f"ksao.category must be one of {list(CATEGORIES)}: {_rows_text(bad)} "
                          f"(value {out.category[bad[0]]!r})", table="ksao", column="category",
                          rows=bad.tolist())
    req = out[[f"required_{lv}" for lv in JOB_LEVELS]].to_numpy()
    dec = np.flatnonzero((np.diff(req, axis=1) < 0).any(axis=1))
    if len(dec):
        raise SchemaError(f"ksao.required must not decrease from junior to senior: {_rows_text(dec)}"
                          f" (item {out.code[dec[0]]!r})", table="ksao", column="required",
                          rows=dec.tolist())
    return out


def learning_map(role: str | Path = "agent") -> pd.DataFrame:
    """The learning map (学习地图) of a role: courses per level with prerequisites.

    Every prerequisite must be a course of the map at the same or a lower level, and the
    prerequisite graph must be acyclic.

    Returns
    -------
    DataFrame
        ``role``, ``course_id``, ``level``, ``level_order`` (0 junior, 1 intermediate, 2 senior),
        ``label_zh``, ``label_en``, ``hours``, ``competency_codes`` and ``prerequisites``
        (both ``|`` separated, as in ``training_record``), ``depth`` (longest prerequisite chain).

    Examples
    --------
    >>> m = learning_map("agent")
    >>> m.set_index("course_id").depth.loc[["NH01_company_products", "NH05_simulated_calls"]].tolist()
    [0, 2]
    >>> m.groupby("level_order").size().tolist()
    [6, 3, 2]
    """
    data = _read_yaml(role)
    courses = data.get("courses") or []
    out = pd.DataFrame([{
        "role": data.get("role", str(role)), "course_id": c["course_id"], "level": c["level"],
        "label_zh": c.get("label_zh"), "label_en": c.get("label_en"), "hours": float(c.get("hours", 0)),
        "competency_codes": "|".join(c.get("competency_codes") or []),
        "prerequisites": "|".join(c.get("prerequisites") or []),
    } for c in courses], columns=["role", "course_id", "level", "label_zh", "label_en", "hours",
                                  "competency_codes", "prerequisites"])
    bad = np.flatnonzero(~out["level"].isin(JOB_LEVELS).to_numpy())
    if len(bad):
        raise SchemaError(f"learning_map.level must be one of {list(JOB_LEVELS)}: {_rows_text(bad)}",
                          table="learning_map", column="level", rows=bad.tolist())
    order = {lv: i for i, lv in enumerate(JOB_LEVELS)}
    out.insert(3, "level_order", out["level"].map(order).astype(int))
    lvl = dict(zip(out.course_id, out.level_order))
    pre = {c: [p for p in s.split("|") if p] for c, s in zip(out.course_id, out.prerequisites)}
    for c, ps in pre.items():
        for p in ps:
            if p not in lvl:
                raise SchemaError(f"learning_map: course {c!r} names unknown prerequisite {p!r}",
                                  table="learning_map", column="prerequisites")
            if lvl[p] > lvl[c]:
                raise SchemaError(f"learning_map: prerequisite {p!r} of {c!r} is at a higher level",
                                  table="learning_map", column="prerequisites")
    depth: dict[str, int] = {}

    def _depth(c: str, seen: tuple[str, ...]) -> int:
        if c in seen:
            raise SchemaError(f"learning_map: prerequisites form a cycle through {c!r}",
                              table="learning_map", column="prerequisites")
        if c not in depth:
            depth[c] = max((_depth(p, seen + (c,)) + 1 for p in pre[c]), default=0)
        return depth[c]

    out["depth"] = [int(_depth(c, ())) for c in out.course_id]
    return out


# ---- Q-sort ----------------------------------------------------------------------------------

def qsort_pile_sizes(n_items: int) -> tuple[int, int, int]:
    """Pile sizes (important, neutral, unimportant) for a flat sort of ``n_items`` items.

    ``k = floor(n / 4 + 1/2)`` items are important and ``k`` unimportant; the rest (≈ 50 %)
    neutral (DOMAIN.md §5.5 step 1).

    Examples
    --------
    >>> qsort_pile_sizes(4), qsort_pile_sizes(8), qsort_pile_sizes(10)
    ((1, 2, 1), (2, 4, 2), (3, 4, 3))
    """
    if not isinstance(n_items, (int, np.integer)) or isinstance(n_items, bool) or n_items < 2:
        raise ParameterError.expected("qsort_pile_sizes", "n_items", "an int >= 2", n_items)
    k = int(np.floor(n_items / 4 + 0.5))
    return k, int(n_items) - 2 * k, k


def _rater_weights(n: int, floor_sd: float) -> np.ndarray:
    r = np.arange(1, n + 1)
    z = norm.ppf(1 - (r - 0.5) / n)
    s = z - z.min() + floor_sd
    return s / s.sum()


def qsort_weights(sorts: pd.DataFrame, *, pile_sizes: Sequence[int] | None = None,
                  floor_sd: float = 1.0, by_rater: bool = False) -> pd.DataFrame:
    """Competency weights by the Q-method (DOMAIN.md §5.5), averaged over raters.

    For each rater, ``n`` items are flat-sorted into ``important`` / ``neutral`` /
    ``unimportant`` piles of fixed sizes (:func:`qsort_pile_sizes`, or ``pile_sizes``) and then
    ranked absolutely, ``rank`` 1 = most important, so the important pile holds ranks
    ``1..k₁``, neutral the next ``k₂`` and unimportant the last ``k₃``. Then

    - ``z_r = Φ⁻¹(1 − (r − 0.5) / n)`` (a normal score; symmetric, ``Σ z_r = 0``);
    - shift positive: ``s_r = z_r − z_n + floor_sd`` (the least important item keeps
      ``floor_sd`` standard deviations, so no weight is zero);
    - normalise: ``w_r = s_r / Σ s = s_r / (n (floor_sd − z_n))``;
    - the item weight is the mean of ``w`` over raters (each rater's weights sum to 1, so do
      the means).

    Parameters
    ----------
    sorts : DataFrame
        One row per rater × item: ``rater_id``, ``code``, ``pile``, ``rank``. Every rater must
        sort the same items, each once, with ranks ``1..n`` and piles matching the ranks.
    pile_sizes : (int, int, int), optional
        Override the pile sizes; they must sum to ``n``.
    floor_sd : float, default 1.0
        Shift added above the lowest normal score, > 0.
    by_rater : bool, default False
        Return one row per rater × item (``rater_id``, ``code``, ``rank``, ``z``, ``weight``).

    Returns
    -------
    DataFrame
        ``code``, ``weight`` (sums to 1), ``weight_sd`` (across raters, ddof 1; NaN for one
        rater), ``mean_rank``, ``n_raters``, ``rank_order`` (1 = highest weight), sorted by weight.

    Raises
    ------
    SchemaError
        Missing columns, unknown pile, duplicate items or ranks, ranks not 1..n, piles of the
        wrong size or not matching the ranks, raters sorting different item sets.

    Examples
    --------
    >>> s = pd.DataFrame({"rater_id": "R1", "code": list("abcd"),
    ...                   "pile": ["important", "neutral", "neutral", "unimportant"],
    ...                   "rank": [1, 2, 3, 4]})
    >>> qsort_weights(s)[["code", "weight"]].round(4).values.tolist()
    [['a', 0.3837], ['b', 0.287], ['c', 0.213], ['d', 0.1163]]
    """
    table = "qsort"
    require_columns(sorts, ["rater_id", "code", "pile", "rank"], table)
    if not (isinstance(floor_sd, (int, float)) and np.isfinite(floor_sd) and floor_sd > 0):
        raise ParameterError.expected("qsort_weights", "floor_sd", "a float > 0", floor_sd)
    df = sorts[["rater_id", "code", "pile", "rank"]].reset_index(drop=True)
    if df.empty:
        raise SchemaError("qsort has no rows", table=table)
    bad = np.flatnonzero(~df["pile"].isin(PILES).to_numpy())
    if len(bad):
        raise SchemaError(f"qsort.pile must be one of {list(PILES)}: {_rows_text(bad)} "
                          f"(value {df.pile[bad[0]]!r})", table=table, column="pile", rows=bad.tolist())
    rank = pd.to_numeric(df["rank"], errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~(np.isfinite(rank) & (rank == np.round(rank))))
    if len(bad):
        raise SchemaError(f"qsort.rank must be a whole number: {_rows_text(bad)} "
                          f"(value {df['rank'][bad[0]]!r})", table=table, column="rank", rows=bad.tolist())
    df["rank"] = rank.astype(int)
    dup = np.flatnonzero(df.duplicated(["rater_id", "code"]).to_numpy())
    if len(dup):
        raise SchemaError(f"qsort: each rater sorts each item once: {_rows_text(dup)} (rater "
                          f"{df.rater_id[dup[0]]!r}, item {df.code[dup[0]]!r})", table=table,
                          column="code", rows=dup.tolist())
    items = None
    pile_idx = df["pile"].map({p: i for i, p in enumerate(PILES)}).to_numpy()
    for rater, g in df.groupby("rater_id", sort=False):
        its = frozenset(g["code"])
        if items is None:
            items = its
        elif its != items:
            raise SchemaError(f"qsort: rater {rater!r} sorted a different item set "
                              f"(differs in {sorted(its ^ items)})", table=table, column="code",
                              rows=g.index[:5].tolist())
        n = len(g)
        dr = np.flatnonzero(g["rank"].duplicated().to_numpy())
        if len(dr):
            raise SchemaError(f"qsort.rank must be unique per rater: rater {rater!r} repeats rank "
                              f"{int(g['rank'].iloc[dr[0]])} ({_rows_text(g.index[dr])})",
                              table=table, column="rank", rows=g.index[dr].tolist())
        if g["rank"].min() != 1 or g["rank"].max() != n:
            raise SchemaError(f"qsort.rank must run 1..{n} for rater {rater!r}; got "
                              f"{int(g['rank'].min())}..{int(g['rank'].max())}", table=table,
                              column="rank", rows=g.index[:5].tolist())
        sizes = tuple(pile_sizes) if pile_sizes is not None else qsort_pile_sizes(n)
        if len(sizes) != 3 or sum(sizes) != n or min(sizes) < 0:
            raise ParameterError.expected("qsort_weights", "pile_sizes",
                                          f"three non-negative ints summing to {n}", pile_sizes)
        got = tuple(int((g["pile"] == p).sum()) for p in PILES)
        if got != tuple(sizes):
            raise SchemaError(f"qsort.pile sizes of rater {rater!r} must be {dict(zip(PILES, sizes))}"
                              f" for {n} items; got {dict(zip(PILES, got))}", table=table,
                              column="pile", rows=g.index[:5].tolist())
        expect = np.repeat([0, 1, 2], sizes)[g["rank"].to_numpy() - 1]
        wrong = g.index[pile_idx[g.index] != expect]
        if len(wrong):
            raise SchemaError(f"qsort: ranks must follow the piles (important ranks first, "
                              f"unimportant last): rater {rater!r}, {_rows_text(wrong)} (item "
                              f"{df.code[wrong[0]]!r} in pile {df.pile[wrong[0]]!r} at rank "
                              f"{int(df['rank'][wrong[0]])})", table=table, column="pile",
                              rows=wrong.tolist())
    n = len(items or ())
    r = df["rank"].to_numpy()
    z = norm.ppf(1 - (r - 0.5) / n)
    w = _rater_weights(n, float(floor_sd))[r - 1]
    long = pd.DataFrame({"rater_id": df["rater_id"], "code": df["code"], "pile": df["pile"],
                         "rank": r, "z": z, "weight": w})
    if by_rater:
        return long
    out = long.groupby("code", sort=False).agg(
        weight=("weight", "mean"), weight_sd=("weight", "std"), mean_rank=("rank", "mean"),
        n_raters=("rater_id", "nunique")).reset_index()
    out = out.sort_values(["weight", "code"], ascending=[False, True], kind="stable").reset_index(drop=True)
    out["rank_order"] = np.arange(1, len(out) + 1)
    return out


# ---- gap analysis ----------------------------------------------------------------------------

def gap_analysis(assessment: pd.DataFrame, ksao: pd.DataFrame,
                 weights: pd.DataFrame | None = None) -> pd.DataFrame:
    """Individual gap analysis: assessed level against the required level of the job level.

    ``gap = max(required − assessed, 0)``; ``weighted_gap = weight × gap``, where ``weight``
    comes from :func:`qsort_weights` (``code``, ``weight``) or, without it, ``1 / n_items``.
    ``priority`` ranks an agent's items by weighted gap (1 = close first; items without a gap
    get no priority).

    Parameters
    ----------
    assessment : DataFrame
        ``agent_id``, ``level`` (the job level assessed against: junior / intermediate /
        senior), ``code`` (a KSAO item) and ``assessed_level`` (same scale as the dictionary).
    ksao : DataFrame
        :func:`load_ksao` output.
    weights : DataFrame, optional
        ``code`` and ``weight``.

    Returns
    -------
    DataFrame
        ``agent_id``, ``level``, ``code``, ``category``, ``assessed_level``, ``required_level``,
        ``gap``, ``weight``, ``weighted_gap``, ``meets`` (bool), ``priority`` (Int64, NA without
        a gap).

    Examples
    --------
    >>> k = pd.DataFrame({"code": ["x", "y"], "category": ["skill", "knowledge"],
    ...                   "required_junior": [2, 3], "required_intermediate": [3, 3],
    ...                   "required_senior": [4, 4]})
    >>> a = pd.DataFrame({"agent_id": "A1", "level": "intermediate", "code": ["x", "y"],
    ...                   "assessed_level": [1, 4]})
    >>> gap_analysis(a, k)[["code", "required_level", "gap", "weighted_gap", "priority"]]
      code  required_level  gap  weighted_gap  priority
    0    x               3    2           1.0         1
    1    y               3    0           0.0      <NA>
    """
    require_columns(assessment, ["agent_id", "level", "code", "assessed_level"], "assessment")
    require_columns(ksao, ["code", "category", *[f"required_{lv}" for lv in JOB_LEVELS]], "ksao")
    a = assessment[["agent_id", "level", "code", "assessed_level"]].reset_index(drop=True)
    bad = np.flatnonzero(~a["level"].isin(JOB_LEVELS).to_numpy())
    if len(bad):
        raise SchemaError(f"assessment.level must be one of {list(JOB_LEVELS)}: {_rows_text(bad)} "
                          f"(value {a.level[bad[0]]!r})", table="assessment", column="level",
                          rows=bad.tolist())
    bad = np.flatnonzero(~a["code"].isin(ksao["code"]).to_numpy())
    if len(bad):
        raise SchemaError(f"assessment.code must be an item of the KSAO dictionary: {_rows_text(bad)}"
                          f" (value {a.code[bad[0]]!r})", table="assessment", column="code",
                          rows=bad.tolist())
    lv = pd.to_numeric(a["assessed_level"], errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(lv) | (lv < 0))
    if len(bad):
        raise SchemaError(f"assessment.assessed_level must be a number >= 0: {_rows_text(bad)} "
                          f"(value {a.assessed_level[bad[0]]!r})", table="assessment",
                          column="assessed_level", rows=bad.tolist())
    dup = np.flatnonzero(a.duplicated(["agent_id", "level", "code"]).to_numpy())
    if len(dup):
        raise SchemaError(f"assessment: one row per agent × level × item: {_rows_text(dup)}",
                          table="assessment", column="code", rows=dup.tolist())
    k = ksao.set_index("code")
    req = np.array([k.at[c, f"required_{l}"] for c, l in zip(a["code"], a["level"])], dtype=float)
    if weights is None:
        w = np.full(len(a), 1.0 / len(ksao))
    else:
        require_columns(weights, ["code", "weight"], "weights")
        wmap = dict(zip(weights["code"], weights["weight"]))
        miss = sorted(set(a["code"]) - set(wmap))
        if miss:
            raise SchemaError(f"weights has no weight for items {miss[:5]}", table="weights",
                              column="code")
        w = a["code"].map(wmap).to_numpy(dtype=float)
    gap = np.maximum(req - lv, 0)
    out = pd.DataFrame({"agent_id": a["agent_id"], "level": a["level"], "code": a["code"],
                        "category": a["code"].map(k["category"]), "assessed_level": a["assessed_level"],
                        "required_level": req.astype(int) if np.all(req == np.round(req)) else req,
                        "gap": gap.astype(int) if np.all(gap == np.round(gap)) else gap,
                        "weight": w, "weighted_gap": w * gap, "meets": gap <= 0})
    pr = (out.assign(_g=np.where(gap > 0, out["weighted_gap"], np.nan))
          .groupby(["agent_id", "level"], sort=False)["_g"].rank(method="first", ascending=False))
    out["priority"] = pr.astype("Int64")
    return out


def priority_courses(gaps: pd.DataFrame, courses: pd.DataFrame, *, top: int | None = 3) -> pd.DataFrame:
    """Courses that close an agent's largest weighted gaps (重点课程 for each gap).

    A course of the map at or below the agent's job level covers a gap item when the item is in
    its ``competency_codes``; ``covered_weighted_gap`` sums the weighted gaps it covers.

    Parameters
    ----------
    gaps : DataFrame
        :func:`gap_analysis` output.
    courses : DataFrame
        :func:`learning_map` output.
    top : int or None, default 3
        Courses kept per agent (None keeps all).

    Returns
    -------
    DataFrame
        ``agent_id``, ``level``, ``course_id``, ``course_level``, ``covers`` (``|`` separated
        gap items), ``covered_weighted_gap``, ``course_rank`` (1 = first).

    Examples
    --------
    >>> g = pd.DataFrame({"agent_id": "A1", "level": "junior", "code": ["x", "y"],
    ...                   "weighted_gap": [0.5, 0.25], "gap": [1, 1]})
    >>> c = pd.DataFrame({"course_id": ["C1", "C2", "C3"], "level": ["junior"] * 2 + ["senior"],
    ...                   "competency_codes": ["x|y", "y", "x"]})
    >>> priority_courses(g, c)[["course_id", "covers", "covered_weighted_gap"]].values.tolist()
    [['C1', 'x|y', 0.75], ['C2', 'y', 0.25]]
    """
    require_columns(gaps, ["agent_id", "level", "code", "weighted_gap", "gap"], "gaps")
    require_columns(courses, ["course_id", "level", "competency_codes"], "courses")
    if top is not None and not (isinstance(top, (int, np.integer)) and top >= 1):
        raise ParameterError.expected("priority_courses", "top", "an int >= 1 or None", top)
    order = {lv: i for i, lv in enumerate(JOB_LEVELS)}
    c = courses[["course_id", "level", "competency_codes"]].rename(columns={"level": "course_level"})
    c = c.assign(code=c["competency_codes"].fillna("").str.split("|")).explode("code")
    g = gaps.loc[gaps["gap"] > 0, ["agent_id", "level", "code", "weighted_gap"]]
    m = g.merge(c[["course_id", "course_level", "code"]], on="code", how="inner")
    m = m[m["course_level"].map(order) <= m["level"].map(order)]
    cols = ["agent_id", "level", "course_id", "course_level", "covers", "covered_weighted_gap",
            "course_rank"]
    if m.empty:
        return pd.DataFrame(columns=cols)
    out = (m.sort_values("weighted_gap", ascending=False, kind="stable")
           .groupby(["agent_id", "level", "course_id", "course_level"], sort=False)
           .agg(covers=("code", "|".join), covered_weighted_gap=("weighted_gap", "sum")).reset_index())
    out = out.sort_values(["agent_id", "level", "covered_weighted_gap", "course_id"],
                          ascending=[True, True, False, True], kind="stable").reset_index(drop=True)
    out["course_rank"] = out.groupby(["agent_id", "level"]).cumcount() + 1
    if top is not None:
        out = out[out["course_rank"] <= top].reset_index(drop=True)
    return out[cols]


def promotion_eligibility(levels: pd.DataFrame, training_record: pd.DataFrame,
                          courses: pd.DataFrame, *, require_pass: bool = True) -> pd.DataFrame:
    """Who may be promoted to the next level (学习晋阶) on the training criterion.

    An agent at level ``L`` has completed the training for promotion when every course of the
    learning map at level ``L`` appears in ``training_record`` for that agent, passed
    (``pass_flag`` true, or empty — an attendance-only course — when ``require_pass``; any
    record otherwise). When ``levels`` has a boolean ``capable`` column (for instance
    "no weighted gap at the next level" from :func:`gap_analysis`), eligibility also requires
    it. Senior agents have no next level (``eligible`` false).

    Parameters
    ----------
    levels : DataFrame
        ``agent_id``, ``level`` (current job level) and optionally ``capable``.
    training_record : DataFrame
        ``agent_id``, ``course_id`` and ``pass_flag``.
    courses : DataFrame
        :func:`learning_map` output.

    Returns
    -------
    DataFrame
        ``agent_id``, ``level``, ``next_level``, ``courses_required``, ``courses_done``,
        ``courses_missing`` (``|`` separated), ``training_complete``, ``capable`` (boolean,
        NA when not given), ``eligible``.

    Examples
    --------
    >>> c = pd.DataFrame({"course_id": ["J1", "J2", "I1"],
    ...                   "level": ["junior", "junior", "intermediate"]})
    >>> lv = pd.DataFrame({"agent_id": ["A", "B"], "level": ["junior", "junior"]})
    >>> tr = pd.DataFrame({"agent_id": ["A", "A", "B"], "course_id": ["J1", "J2", "J1"],
    ...                    "pass_flag": [True, None, True]})
    >>> promotion_eligibility(lv, tr, c)[["agent_id", "courses_missing", "eligible"]].values.tolist()
    [['A', '', True], ['B', 'J2', False]]
    """
    require_columns(levels, ["agent_id", "level"], "levels")
    require_columns(training_record, ["agent_id", "course_id", "pass_flag"], "training_record")
    require_columns(courses, ["course_id", "level"], "courses")
    lv = levels.reset_index(drop=True)
    bad = np.flatnonzero(~lv["level"].isin(JOB_LEVELS).to_numpy())
    if len(bad):
        raise SchemaError(f"levels.level must be one of {list(JOB_LEVELS)}: {_rows_text(bad)} "
                          f"(value {lv.level[bad[0]]!r})", table="levels", column="level",
                          rows=bad.tolist())
    tr = training_record[["agent_id", "course_id", "pass_flag"]]
    if require_pass:
        pf = tr["pass_flag"].astype("boolean")
        tr = tr[pf.fillna(True).to_numpy(dtype=bool)]
    done = tr.groupby("agent_id")["course_id"].agg(lambda s: set(s)).to_dict()
    by_level = {l: sorted(courses.loc[courses["level"] == l, "course_id"]) for l in JOB_LEVELS}
    nxt = {JOB_LEVELS[i]: JOB_LEVELS[i + 1] for i in range(len(JOB_LEVELS) - 1)}
    rows = []
    for aid, l in zip(lv["agent_id"], lv["level"]):
        req = by_level[l]
        have = done.get(aid, set())
        miss = [c for c in req if c not in have]
        rows.append({"agent_id": aid, "level": l, "next_level": nxt.get(l),
                     "courses_required": len(req), "courses_done": len(req) - len(miss),
                     "courses_missing": "|".join(miss), "training_complete": not miss})
    out = pd.DataFrame(rows)
    cap = (lv["capable"].astype("boolean") if "capable" in lv.columns
           else pd.Series(pd.NA, index=lv.index, dtype="boolean"))
    out["capable"] = cap.to_numpy()
    out["eligible"] = (out["training_complete"] & out["next_level"].notna()
                       & out["capable"].fillna(True).to_numpy(dtype=bool))
    return out


def weights_chart(weights: pd.DataFrame, ksao: pd.DataFrame | None = None) -> Any:
    """Bar chart of :func:`qsort_weights` output (bilingual title), unrendered.

    Examples
    --------
    >>> w = pd.DataFrame({"code": ["a", "b"], "weight": [0.6, 0.4]})
    >>> weights_chart(w).to_dict()["title"]
    '胜任力权重 Competency weights (Q-sort)'
    """
    import altair as alt

    require_columns(weights, ["code", "weight"], "weights")
    data = weights[["code", "weight"]].copy()
    if ksao is not None and "label_zh" in ksao.columns:
        data["label"] = data["code"].map(dict(zip(ksao["code"], ksao["label_zh"]))).fillna(data["code"])
    else:
        data["label"] = data["code"]
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("weight:Q", title="权重 weight", axis=alt.Axis(format=".0%")),
        y=alt.Y("label:N", sort="-x", title="胜任力 competency"),
        tooltip=["code", alt.Tooltip("weight:Q", format=".3f")],
    ).properties(title="胜任力权重 Competency weights (Q-sort)", width=360)
