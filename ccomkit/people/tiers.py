"""Talent tiers (人才梯队 1-3) and cadre development (干部培养): seed 002 modules 04 and 06.

The demo holds ``agent_dim.tier`` and ``training_record``; a real cadre programme also keeps the
tables the seed names, which ccomkit accepts as optional frames with these columns:

``cadre_session`` — 过程指标跟进表, one row per participant × course session:
    ``agent_id`` (str), ``programme_id`` (str), ``course_id`` (str), ``session_date`` (date),
    ``exam_score`` (float 0-100, empty if no exam), ``attended`` (bool),
    ``class_points`` (float, 课堂表现加减分, may be negative, empty = 0),
    ``homework_due`` (bool), ``homework_submitted`` (bool).

``cadre_outcome`` — 结果指标 / 晋升明细 / 淘汰明细, one row per participant × programme:
    ``agent_id``, ``programme_id``, ``outcome`` (one of :data:`OUTCOMES`), ``outcome_date``,
    ``final_exam_score`` (float 0-100, optional), ``route`` (one of :data:`PROMOTION_ROUTES`
    when promoted), ``elimination_reason`` (one of :data:`ELIMINATION_REASONS` when eliminated).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ccomkit.errors import ParameterError, SchemaError
from ccomkit.schemas import require_columns

__all__ = [
    "ELIMINATION_REASONS",
    "OUTCOMES",
    "PROMOTION_ROUTES",
    "cadre_process",
    "cadre_results",
    "eliminations_by_reason",
    "promotions_by_route",
    "sessions_from_training",
    "tier_summary",
]

OUTCOMES = ("in_progress", "graduated", "promoted", "eliminated")

#: The eight promotion routes of seed 002 §06 (晋升途径) → zh label.
PROMOTION_ROUTES = {
    "internal_competition": "内部竞聘", "fast_track": "火线提拔",
    "project_recommendation": "项目推荐", "self_nomination": "毛遂自荐",
    "leader_appointment": "领导指派", "democratic_election": "民主选举",
    "new_project_recruitment": "新项目招募", "other": "其他",
}

#: Elimination reasons (淘汰原因) → (kind, zh label); kind is active (主动) or passive (被动).
ELIMINATION_REASONS = {
    "withdrew": ("active", "自身原因主动申请退出"), "pre_leaving": ("active", "预离职"),
    "left": ("active", "离职"), "exam_failed": ("passive", "考试成绩不合格"),
    "low_attendance": ("passive", "出勤率低"), "attitude": ("passive", "态度不端正"),
    "class_discipline": ("passive", "课堂纪律差"), "culture_misfit": ("passive", "不认可企业文化"),
    "other_passive": ("passive", "其他"),
}


def _bad_values(frame: pd.DataFrame, col: str, allowed: Sequence[str], table: str,
                mask: pd.Series | None = None) -> None:
    v = frame[col]
    bad = v.notna() & ~v.isin(list(allowed))
    if mask is not None:
        bad &= mask
    if bad.any():
        rows = np.flatnonzero(bad.to_numpy())[:5].tolist()
        raise SchemaError(f"{table}.{col} must be one of {', '.join(allowed)}: {int(bad.sum())} "
                          f"rows violate it, first at rows {rows} (value "
                          f"{v.iloc[rows[0]]!r})", table=table, column=col, rows=rows)


def tier_summary(agent_dim: pd.DataFrame, by: str | Sequence[str] = (), *,
                 as_of: Any = None) -> pd.DataFrame:
    """Talent-pool size per tier (梯队 1-3) among agents employed on ``as_of``.

    Returns
    -------
    DataFrame
        ``by``, ``tier`` (1-3), ``agents``, ``share`` (of employed agents of the group, tiered
        or not), ``median_tenure_days``, and ``grade_<g>`` counts when agent_dim has ``grade``.

    Examples
    --------
    >>> import pandas as pd
    >>> ad = pd.DataFrame({"agent_id": list("ABCD"), "tier": pd.array([1, 2, 2, None], "Int64"),
    ...                    "hire_date": pd.to_datetime(["2024-01-01"] * 4),
    ...                    "leave_date": pd.to_datetime([None] * 4)})
    >>> tier_summary(ad, as_of="2025-01-01")[["tier", "agents", "share"]]
       tier  agents  share
    0     1       1   0.25
    1     2       2   0.50
    """
    by_cols = [by] if isinstance(by, str) else list(by)
    require_columns(agent_dim, ["agent_id", "tier", "hire_date", *by_cols], "agent_dim")
    hire = pd.to_datetime(agent_dim["hire_date"])
    leave = (pd.to_datetime(agent_dim["leave_date"]) if "leave_date" in agent_dim.columns
             else pd.Series(pd.NaT, index=agent_dim.index))
    as_of_t = pd.Timestamp(as_of) if as_of is not None else hire.max()
    emp = (hire <= as_of_t) & (leave.isna() | (leave >= as_of_t))
    tier = pd.to_numeric(agent_dim["tier"], errors="coerce")
    bad = tier.notna() & ~tier.isin([1, 2, 3])
    if bad.any():
        rows = np.flatnonzero(bad.to_numpy())[:5].tolist()
        raise SchemaError(f"agent_dim.tier must be 1, 2 or 3: {int(bad.sum())} rows violate it, "
                          f"first at rows {rows}", table="agent_dim", column="tier", rows=rows)
    a = agent_dim.loc[emp].assign(_tenure=(as_of_t - hire[emp]).dt.days, tier=tier[emp])
    tot = (a.groupby(by_cols, dropna=False).size() if by_cols else pd.Series([len(a)]))
    t = a.loc[a["tier"].notna()]
    keys = [*by_cols, "tier"]
    g = t.groupby(keys, sort=True, dropna=False)
    out = g.agg(agents=("agent_id", "size"), median_tenure_days=("_tenure", "median"))
    if "grade" in t.columns:
        gr = pd.crosstab([t[k] for k in keys], t["grade"]).add_prefix("grade_")
        out = out.join(gr)
    out = out.reset_index()
    out["tier"] = out["tier"].astype(np.int64)
    if by_cols:
        den = out[by_cols].merge(tot.rename("_n").reset_index(), on=by_cols, how="left")["_n"]
    else:
        den = float(tot.iloc[0])
    out.insert(len(keys) + 1, "share", out["agents"] / den)
    return out


def sessions_from_training(training_record: pd.DataFrame, agent_dim: pd.DataFrame, *,
                           programme_id: str = "tier_pool") -> pd.DataFrame:
    """A ``cadre_session`` frame from ``training_record`` for agents in a talent tier.

    What the demo lacks is left empty: ``exam_score`` = ``l2_post``; ``attended`` = True (a
    record means attendance); ``class_points``, ``homework_due`` and ``homework_submitted``
    are empty (NaN / <NA>). Only agents with a tier in agent_dim are kept.
    """
    require_columns(training_record, ["agent_id", "course_id", "session_date"],
                    "training_record")
    require_columns(agent_dim, ["agent_id", "tier"], "agent_dim")
    pool = agent_dim.loc[agent_dim["tier"].notna(), "agent_id"]
    tr = training_record.loc[training_record["agent_id"].isin(pool)]
    score = (tr["l2_post"].astype(float) if "l2_post" in tr.columns
             else pd.Series(np.nan, index=tr.index))
    return pd.DataFrame({"agent_id": tr["agent_id"].to_numpy(), "programme_id": programme_id,
                         "course_id": tr["course_id"].to_numpy(),
                         "session_date": pd.to_datetime(tr["session_date"]).to_numpy(),
                         "exam_score": score.to_numpy(), "attended": True,
                         "class_points": np.nan,
                         "homework_due": pd.array([pd.NA] * len(tr), dtype="boolean"),
                         "homework_submitted": pd.array([pd.NA] * len(tr), dtype="boolean")})


def cadre_process(cadre_session: pd.DataFrame, *, pass_mark: float = 60.0) -> pd.DataFrame:
    """过程指标跟进表: per participant — attendance, exam scores, class points, homework.

    ``attendance_rate`` = sessions attended ÷ sessions; ``mean_exam_score`` over scored
    sessions; ``exams_passed`` = exam_score ≥ ``pass_mark``; ``class_points`` summed;
    ``homework_rate`` = submitted ÷ due (NaN when nothing was due or it was not recorded).

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"agent_id": ["A", "A", "B"], "programme_id": ["P1"] * 3,
    ...     "course_id": ["c1", "c2", "c1"],
    ...     "session_date": pd.to_datetime(["2026-01-05", "2026-01-12", "2026-01-05"]),
    ...     "exam_score": [80.0, 50.0, None], "attended": [True, True, False],
    ...     "class_points": [2.0, -1.0, None], "homework_due": [True, True, True],
    ...     "homework_submitted": [True, False, False]})
    >>> r = cadre_process(s)
    >>> r[["agent_id", "attendance_rate", "mean_exam_score", "exams_passed"]]
      agent_id  attendance_rate  mean_exam_score  exams_passed
    0        A              1.0             65.0             1
    1        B              0.0              NaN             0
    >>> r[["agent_id", "class_points", "homework_rate"]]
      agent_id  class_points  homework_rate
    0        A           1.0            0.5
    1        B           0.0            0.0
    """
    if not (isinstance(pass_mark, (int, float)) and 0 <= pass_mark <= 100):
        raise ParameterError.expected("cadre_process", "pass_mark", "a number in [0, 100]",
                                      pass_mark)
    need = ["agent_id", "programme_id", "course_id", "session_date", "exam_score", "attended",
            "class_points", "homework_due", "homework_submitted"]
    require_columns(cadre_session, need, "cadre_session")
    s = cadre_session
    sc = pd.to_numeric(s["exam_score"], errors="coerce")
    bad = sc.notna() & ((sc < 0) | (sc > 100))
    if bad.any():
        rows = np.flatnonzero(bad.to_numpy())[:5].tolist()
        raise SchemaError(f"cadre_session.exam_score must be in [0, 100]: {int(bad.sum())} rows "
                          f"violate it, first at rows {rows} (value {sc.iloc[rows[0]]})",
                          table="cadre_session", column="exam_score", rows=rows)
    due = s["homework_due"].astype("boolean")
    sub = s["homework_submitted"].astype("boolean")
    w = pd.DataFrame({"agent_id": s["agent_id"], "programme_id": s["programme_id"],
                      "sessions": 1, "attended": s["attended"].astype("boolean").fillna(False)
                      .astype(int), "exam_score": sc,
                      "exams_taken": sc.notna().astype(int),
                      "exams_passed": (sc >= pass_mark).astype(int),
                      "class_points": pd.to_numeric(s["class_points"]).fillna(0.0),
                      "hw_due": due.fillna(False).astype(int),
                      "hw_sub": (due.fillna(False) & sub.fillna(False)).astype(int)})
    g = w.groupby(["programme_id", "agent_id"], sort=True)
    out = g[["sessions", "attended", "exams_taken", "exams_passed", "class_points", "hw_due",
             "hw_sub"]].sum()
    out["mean_exam_score"] = g["exam_score"].mean()
    out = out.reset_index()
    out["attendance_rate"] = out["attended"] / out["sessions"]
    out["homework_rate"] = out["hw_sub"] / out["hw_due"].where(out["hw_due"] > 0)
    out = out.rename(columns={"attended": "sessions_attended", "hw_due": "homework_due",
                              "hw_sub": "homework_submitted"})
    return out[["programme_id", "agent_id", "sessions", "sessions_attended", "attendance_rate",
                "exams_taken", "exams_passed", "mean_exam_score", "class_points",
                "homework_due", "homework_submitted", "homework_rate"]]


def _check_outcome(cadre_outcome: pd.DataFrame) -> None:
    require_columns(cadre_outcome, ["agent_id", "programme_id", "outcome"], "cadre_outcome")
    _bad_values(cadre_outcome, "outcome", OUTCOMES, "cadre_outcome")
    if "outcome" in cadre_outcome and cadre_outcome["outcome"].isna().any():
        rows = np.flatnonzero(cadre_outcome["outcome"].isna().to_numpy())[:5].tolist()
        raise SchemaError(f"cadre_outcome.outcome is empty, first at rows {rows}",
                          table="cadre_outcome", column="outcome", rows=rows)


def cadre_results(cadre_outcome: pd.DataFrame) -> pd.DataFrame:
    """结果指标跟进表 per programme: enrolled, graduated (incl. promoted), promoted, eliminated.

    ``graduation_rate`` = (graduated + promoted) ÷ participants with a final outcome (not
    ``in_progress``); ``elimination_rate`` = eliminated ÷ the same.

    Examples
    --------
    >>> import pandas as pd
    >>> o = pd.DataFrame({"agent_id": list("ABCD"), "programme_id": ["P1"] * 4,
    ...     "outcome": ["graduated", "promoted", "eliminated", "in_progress"]})
    >>> cadre_results(o)[["programme_id", "enrolled", "finished", "graduation_rate",
    ...                   "elimination_rate"]].round(4)
      programme_id  enrolled  finished  graduation_rate  elimination_rate
    0           P1         4         3           0.6667            0.3333
    """
    _check_outcome(cadre_outcome)
    o = cadre_outcome
    ct = pd.crosstab(o["programme_id"], o["outcome"]).reindex(columns=list(OUTCOMES),
                                                               fill_value=0)
    out = ct.reset_index()
    out.columns.name = None
    out.insert(1, "enrolled", ct.sum(axis=1).to_numpy())
    out["finished"] = out["enrolled"] - out["in_progress"]
    fin = out["finished"].astype(float).where(out["finished"] > 0)
    out["graduation_rate"] = (out["graduated"] + out["promoted"]) / fin
    out["elimination_rate"] = out["eliminated"] / fin
    if "final_exam_score" in o.columns:
        out = out.merge(o.groupby("programme_id")["final_exam_score"].mean()
                        .rename("mean_final_exam_score").reset_index(), on="programme_id")
    return out


def promotions_by_route(cadre_outcome: pd.DataFrame | None = None,
                        hr_event: pd.DataFrame | None = None) -> pd.DataFrame:
    """晋升明细 by route (the eight routes of seed 002 §06).

    From ``cadre_outcome`` rows with outcome ``promoted`` (``route`` required), else from the
    ``promotion`` events of ``hr_event`` (which carry no route: counted by ``to_value`` with
    ``route`` empty).

    Returns
    -------
    DataFrame
        ``route``, ``route_zh``, ``promotions``, ``share``; sorted by promotions descending.

    Examples
    --------
    >>> import pandas as pd
    >>> o = pd.DataFrame({"agent_id": list("ABC"), "programme_id": ["P1"] * 3,
    ...     "outcome": ["promoted"] * 3,
    ...     "route": ["internal_competition", "fast_track", "internal_competition"]})
    >>> promotions_by_route(o)[["route", "route_zh", "promotions"]]
                      route route_zh  promotions
    0  internal_competition     内部竞聘           2
    1            fast_track     火线提拔           1
    """
    if cadre_outcome is not None:
        _check_outcome(cadre_outcome)
        require_columns(cadre_outcome, ["route"], "cadre_outcome")
        p = cadre_outcome.loc[cadre_outcome["outcome"] == "promoted"]
        _bad_values(p, "route", list(PROMOTION_ROUTES), "cadre_outcome")
        out = p.groupby("route", dropna=False).size().rename("promotions").reset_index()
        out.insert(1, "route_zh", out["route"].map(PROMOTION_ROUTES))
    elif hr_event is not None:
        require_columns(hr_event, ["agent_id", "event_type", "to_value"], "hr_event")
        p = hr_event.loc[hr_event["event_type"] == "promotion"]
        out = p.groupby("to_value", dropna=False).size().rename("promotions").reset_index()
        out.insert(0, "route", np.nan)
        out.insert(1, "route_zh", np.nan)
    else:
        raise ParameterError.expected("promotions_by_route", "cadre_outcome",
                                      "given (or hr_event given)", None)
    out["promotions"] = out["promotions"].astype(np.int64)
    out = out.sort_values("promotions", ascending=False, kind="stable").reset_index(drop=True)
    out["share"] = out["promotions"] / out["promotions"].sum() if len(out) else np.nan
    return out


def eliminations_by_reason(cadre_outcome: pd.DataFrame) -> pd.DataFrame:
    """淘汰明细 by kind (active 主动 / passive 被动) and reason.

    Examples
    --------
    >>> import pandas as pd
    >>> o = pd.DataFrame({"agent_id": list("ABC"), "programme_id": ["P1"] * 3,
    ...     "outcome": ["eliminated"] * 3,
    ...     "elimination_reason": ["exam_failed", "withdrew", "exam_failed"]})
    >>> eliminations_by_reason(o)[["kind", "elimination_reason", "eliminations", "share"]]
          kind elimination_reason  eliminations     share
    0  passive        exam_failed             2  0.666667
    1   active           withdrew             1  0.333333
    """
    _check_outcome(cadre_outcome)
    require_columns(cadre_outcome, ["elimination_reason"], "cadre_outcome")
    e = cadre_outcome.loc[cadre_outcome["outcome"] == "eliminated"]
    _bad_values(e, "elimination_reason", list(ELIMINATION_REASONS), "cadre_outcome")
    if e["elimination_reason"].isna().any():
        rows = np.flatnonzero(e["elimination_reason"].isna().to_numpy())[:5].tolist()
        raise SchemaError("cadre_outcome.elimination_reason is required when outcome is "
                          f"eliminated: {len(rows)}+ rows violate it", table="cadre_outcome",
                          column="elimination_reason", rows=rows)
    out = e.groupby("elimination_reason").size().rename("eliminations").reset_index()
    out.insert(0, "kind", out["elimination_reason"].map(lambda r: ELIMINATION_REASONS[r][0]))
    out.insert(2, "reason_zh", out["elimination_reason"].map(lambda r: ELIMINATION_REASONS[r][1]))
    out["eliminations"] = out["eliminations"].astype(np.int64)
    out = out.sort_values(["eliminations", "elimination_reason"], ascending=[False, True],
                          kind="stable").reset_index(drop=True)
    out["share"] = out["eliminations"] / out["eliminations"].sum() if len(out) else np.nan
    return out
