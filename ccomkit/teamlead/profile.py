"""Agent development profiles (员工个性化画像, seed 001 chapters 1 and 4): one row per agent of a
team from the workspace tables, built on the quality, performance, people and CX functions.

Definitions (all over the window ``(as_of − window_days, as_of]`` unless said otherwise)
--------------------------------------------------------------------------------------------
* **Evaluations**: regular (non-calibration) ``qa_evaluation`` rows after re-scores are resolved
  (:func:`ccomkit.quality.qa.latest_evaluations`), dated by ``eval_date``.
* **Window**: the days ``(as_of − window_days, as_of]``: a timestamp counts from the first
  instant of the day after ``window_start`` to the end of ``as_of``.
* **QA**: ``qa_mean`` with a Student-t interval (:func:`ccomkit.quality.qa.t_interval`);
  ``team_qa_mean`` = mean of every evaluation in the window of the team's agents employed on
  ``as_of`` (the agent included); ``qa_gap_to_team`` = ``qa_mean − team_qa_mean``; ``qa_slope_per_month`` = OLS slope
  of score on the evaluation date × 30 days (NaN below 3 evaluations or one date);
  ``qa_vs_team`` = ``above`` / ``below`` / ``not_different`` from
  :func:`~ccomkit.quality.qa.agent_scores` within the team.
* **Item gaps** (:func:`item_gaps`): for a scored item *i*, ``points_per_eval`` = points the
  agent lost on *i* ÷ the agent's evaluations; ``team_points_per_eval`` the same over the team;
  ``gap_points`` = their difference (> 0: the agent loses more than the team); ``freq`` = share
  of the agent's evaluations with a deduction on *i*; ``priority = max(gap_points, 0) × freq``.
  The items most worth improving are the (up to) ``n_improve`` largest priorities > 0;
  strengths the ``n_strengths`` largest ``−gap_points`` > 0 (items the team loses points on and
  the agent less so). Fatal items are left out (they zero the score: see ``n_fatal``).
* **Repeat errors**: ``max_item_repeats`` = most evaluations with a deduction on one item,
  ``repeat_item`` that item (first in form order on ties), ``repeat_share`` = repeats ÷ ``qa_n``.
* **Tenure**: ``tenure_days`` = as_of − hire_date; ``stage`` from the hr_event stage history
  (:func:`ccomkit.people.newhire.stage_timeline`), None without one; ``days_on_floor`` = as_of −
  on-floor start, or the tenure when the agent has no stage history.
* **Customers**: ``n_valid_complaints`` attributable valid complaints received in the window and
  their most frequent ``top_root_cause``; ``n_commendations`` = survey answers with
  ``q_overall ≥ commendation_score`` (default 5; the workspace has no separate praise table);
  ``csat`` top-2-box with ``csat_n`` answers; ``aht_s`` from agent_interval.
* **Training**: ``n_trainings``, ``training_hours`` of every training_record row up to as_of, and
  ``last_course_id`` / ``last_training_date``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ccomkit import kpi
from ccomkit.cx.survey import wilson_interval
from ccomkit.errors import ParameterError
from ccomkit.people.newhire import stage_timeline
from ccomkit.quality.forms import QAForm, load_form
from ccomkit.quality.qa import agent_scores, latest_evaluations, t_interval, tenure_band
from ccomkit.schemas import require_columns

__all__ = ["TREND_KPIS", "active_agents", "window_evaluations", "item_gaps", "kpi_trends",
           "agent_profiles", "profile_as_of"]

TREND_KPIS: tuple[str, ...] = ("qa_score", "csat", "fcr", "aht_s")
"""KPIs :func:`kpi_trends` follows per agent and period (with their intervals)."""


def _ts(x: Any, owner: str, param: str) -> pd.Timestamp:
    try:
        t = pd.Timestamp(x)
    except (TypeError, ValueError):
        raise ParameterError.expected(owner, param, "a date (YYYY-MM-DD)", x) from None
    if pd.isna(t):
        raise ParameterError.expected(owner, param, "a date (YYYY-MM-DD)", x)
    return t.normalize()


def profile_as_of(frames: Mapping[str, pd.DataFrame]) -> pd.Timestamp:
    """The default profile date: the latest ``eval_date`` in ``qa_evaluation``.

    Examples
    --------
    >>> ev = pd.DataFrame({"eval_date": pd.to_datetime(["2026-03-01", "2026-03-09"])})
    >>> profile_as_of({"qa_evaluation": ev})
    Timestamp('2026-03-09 00:00:00')
    """
    ev = frames.get("qa_evaluation")
    if ev is None or not len(ev):
        raise ParameterError.expected("profile_as_of", "frames",
                                      "a qa_evaluation frame with rows (or pass as_of)", None)
    return pd.Timestamp(pd.to_datetime(ev["eval_date"]).max()).normalize()


def active_agents(agent_dim: pd.DataFrame, as_of: Any, team_id: str | Sequence[str] | None = None
                  ) -> pd.DataFrame:
    """Agents (role ``agent``) employed on ``as_of``, optionally of some teams.

    Returns
    -------
    DataFrame
        The agent_dim rows kept (agent_id order), a new frame.

    Examples
    --------
    >>> ad = pd.DataFrame({"agent_id": ["A", "B", "C"], "team_id": ["T1", "T1", "T2"],
    ...     "role": ["agent", "agent", "team_leader"],
    ...     "hire_date": pd.to_datetime(["2025-01-01", "2025-01-01", "2024-01-01"]),
    ...     "leave_date": pd.to_datetime([None, "2026-01-01", None])})
    >>> active_agents(ad, "2026-02-01")["agent_id"].tolist()
    ['A']
    """
    require_columns(agent_dim, ["agent_id", "team_id", "hire_date"], "agent_dim")
    t0 = _ts(as_of, "active_agents", "as_of")
    ad = agent_dim
    keep = np.array(pd.to_datetime(ad["hire_date"]) <= t0, dtype=bool)
    if "leave_date" in ad.columns:
        keep &= ~(pd.to_datetime(ad["leave_date"]) <= t0).to_numpy()
    if "role" in ad.columns:
        keep &= (ad["role"].fillna("agent") == "agent").to_numpy()
    if team_id is not None:
        teams = [team_id] if isinstance(team_id, str) else list(team_id)
        keep &= ad["team_id"].isin(teams).to_numpy()
    return ad.loc[keep].sort_values("agent_id", kind="stable").reset_index(drop=True)


def window_evaluations(evaluations: pd.DataFrame, start: Any, end: Any) -> pd.DataFrame:
    """Regular evaluations (no calibration, re-scores resolved) with ``start < eval_date ≤ end``.

    Examples
    --------
    >>> ev = pd.DataFrame({"eval_id": ["E1", "E2", "E3"], "call_id": ["C1", "C1", "C2"],
    ...     "agent_id": ["A", "A", "A"], "total_score": [70.0, 85.0, 90.0],
    ...     "eval_date": pd.to_datetime(["2026-03-01", "2026-03-05", "2026-02-01"])})
    >>> window_evaluations(ev, "2026-02-28", "2026-03-31")["eval_id"].tolist()
    ['E2']
    """
    require_columns(evaluations, ["eval_id", "call_id", "agent_id", "eval_date", "total_score"],
                    "qa_evaluation")
    ev = evaluations
    if "is_calibration" in ev.columns:
        ev = ev[~ev["is_calibration"].fillna(False).to_numpy(dtype=bool)]
    ev = latest_evaluations(ev)
    d = pd.to_datetime(ev["eval_date"])
    m = (d > _ts(start, "window_evaluations", "start")) & (d <= _ts(end, "window_evaluations",
                                                                     "end"))
    return ev.loc[m.to_numpy()].drop(columns=["n_versions"]).reset_index(drop=True)


def item_gaps(evaluations: pd.DataFrame, items: pd.DataFrame, team_of: pd.DataFrame, *,
              form: QAForm | str | None = None, n_strengths: int = 3, n_improve: int = 3
              ) -> pd.DataFrame:
    """Per agent × scored item: how much the agent loses against the team, how often, and the
    resulting priority; the strengths and the items most worth improving.

    Parameters
    ----------
    evaluations : DataFrame
        The evaluations to use (already windowed: see :func:`window_evaluations`):
        ``eval_id``, ``agent_id``.
    items : DataFrame
        ``qa_item`` rows (``eval_id``, ``item_code``, ``deducted_points``); rows of other
        evaluations are ignored.
    team_of : DataFrame
        ``agent_id``, ``team_id`` (agent_dim). Agents not in it are left out.
    form : QAForm or str, optional
    n_strengths, n_improve : int, default 3

    Returns
    -------
    DataFrame
        One row per agent × scored item of the form (agent order, then form order):
        ``agent_id``, ``team_id``, ``item_code``, ``section``, ``label_zh``, ``label_en``,
        ``n_evals``, ``n_deductions``, ``freq``, ``points_per_eval``, ``team_points_per_eval``,
        ``gap_points``, ``priority``, ``improve_rank`` (1 = most worth improving, NA otherwise),
        ``strength_rank`` (1 = best relative to the team, NA otherwise).

    Examples
    --------
    Team T: A has 2 evaluations (A1_tone −7 and −3), B has 2 (no deduction). A loses 10/2 = 5
    points per evaluation on A1_tone, the team 10/4 = 2.5 → gap 2.5, freq 2/2 = 1 →
    priority 2.5. On L1_greeting_closing B loses 2 in one of two: team 2/4 = 0.5, B 1.0 → A's
    gap −0.5 makes it a strength of A:

    >>> ev = pd.DataFrame({"eval_id": ["E1", "E2", "E3", "E4"], "agent_id": ["A", "A", "B", "B"]})
    >>> it = pd.DataFrame({"eval_id": ["E1", "E2", "E3"],
    ...     "item_code": ["A1_tone", "A1_tone", "L1_greeting_closing"],
    ...     "deducted_points": [7.0, 3.0, 2.0]})
    >>> team = pd.DataFrame({"agent_id": ["A", "B"], "team_id": ["T", "T"]})
    >>> g = item_gaps(ev, it, team)
    >>> a = g[(g.agent_id == "A") & g.item_code.isin(["A1_tone", "L1_greeting_closing"])]
    >>> a[["item_code", "points_per_eval", "team_points_per_eval", "gap_points"]]
                 item_code  points_per_eval  team_points_per_eval  gap_points
    0  L1_greeting_closing              0.0                   0.5        -0.5
    3              A1_tone              5.0                   2.5         2.5
    >>> a[["item_code", "freq", "priority", "improve_rank", "strength_rank"]]
                 item_code  freq  priority  improve_rank  strength_rank
    0  L1_greeting_closing   0.0       0.0          <NA>              1
    3              A1_tone   1.0       2.5             1           <NA>
    """
    for name, v in (("n_strengths", n_strengths), ("n_improve", n_improve)):
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 0:
            raise ParameterError.expected("item_gaps", name, "an int >= 0", v)
    f = form if isinstance(form, QAForm) else load_form(form or "default")
    require_columns(evaluations, ["eval_id", "agent_id"], "qa_evaluation")
    require_columns(items, ["eval_id", "item_code", "deducted_points"], "qa_item")
    require_columns(team_of, ["agent_id", "team_id"], "agent_dim")
    fd = f.to_frame()
    fd = fd[~fd["is_fatal"]].reset_index(drop=True)
    team = team_of[["agent_id", "team_id"]].drop_duplicates("agent_id")
    ev = evaluations[["eval_id", "agent_id"]].merge(team, on="agent_id", how="inner")
    n_ev = ev.groupby("agent_id", sort=True).size()
    n_team = ev.groupby("team_id").size()
    it = items[["eval_id", "item_code", "deducted_points"]].merge(ev, on="eval_id", how="inner")
    it = it[it["item_code"].isin(fd["item_code"])]
    pts = pd.to_numeric(it["deducted_points"], errors="coerce").fillna(0.0)
    it = it.assign(_p=pts.to_numpy(), _hit=(pts > 0).to_numpy())
    a = it.groupby(["agent_id", "item_code"]).agg(points=("_p", "sum"), hits=("_hit", "sum"))
    t = it.groupby(["team_id", "item_code"])["_p"].sum()
    agents = n_ev.index.to_numpy()
    grid = pd.MultiIndex.from_product([agents, fd["item_code"].to_numpy()],
                                      names=["agent_id", "item_code"]).to_frame(index=False)
    grid = grid.merge(team, on="agent_id", how="left")
    grid = grid.merge(fd[["item_code", "section", "label_zh", "label_en"]], on="item_code",
                      how="left")
    aa = a.reindex(pd.MultiIndex.from_frame(grid[["agent_id", "item_code"]]))
    tt = t.reindex(pd.MultiIndex.from_frame(grid[["team_id", "item_code"]]))
    n_a = grid["agent_id"].map(n_ev).to_numpy(dtype=float)
    n_t = grid["team_id"].map(n_team).to_numpy(dtype=float)
    grid["n_evals"] = n_a.astype(np.int64)
    grid["n_deductions"] = np.nan_to_num(aa["hits"].to_numpy(dtype=float)).astype(np.int64)
    grid["freq"] = grid["n_deductions"] / n_a
    grid["points_per_eval"] = np.nan_to_num(aa["points"].to_numpy(dtype=float)) / n_a
    grid["team_points_per_eval"] = np.nan_to_num(tt.to_numpy(dtype=float)) / n_t
    grid["gap_points"] = grid["points_per_eval"] - grid["team_points_per_eval"]
    grid["priority"] = np.clip(grid["gap_points"], 0, None) * grid["freq"]
    pos = np.arange(len(grid))
    grid["_pos"] = pos
    imp = grid[grid["priority"] > 1e-12].sort_values(["agent_id", "priority", "_pos"],
                                                     ascending=[True, False, True], kind="stable")
    imp_rank = imp.groupby("agent_id").cumcount() + 1
    imp_rank = imp_rank[imp_rank <= n_improve]
    st = grid[grid["gap_points"] < -1e-12].sort_values(["agent_id", "gap_points", "_pos"],
                                                        kind="stable")
    st_rank = st.groupby("agent_id").cumcount() + 1
    st_rank = st_rank[st_rank <= n_strengths]
    grid["improve_rank"] = pd.array(imp_rank.reindex(grid.index).to_numpy(), dtype="Int64")
    grid["strength_rank"] = pd.array(st_rank.reindex(grid.index).to_numpy(), dtype="Int64")
    return grid.drop(columns="_pos")


def _period(t: pd.Series, freq: str) -> np.ndarray:
    """Period start (weeks start on Monday) of each timestamp."""
    return pd.to_datetime(t).dt.to_period(freq).dt.start_time.to_numpy()


def _ratio_interval(y: np.ndarray, x: np.ndarray, groups: np.ndarray, level: float
                    ) -> pd.DataFrame:
    """Ratio Σy/Σx per group with a t-interval from the linearised (cluster) variance over the
    rows of the group: se² = n/(n−1) · Σ(y − R·x)² / (Σx)²."""
    df = pd.DataFrame({"g": groups, "y": y, "x": x})
    s = df.groupby("g", sort=True).agg(sy=("y", "sum"), sx=("x", "sum"), n=("y", "size"))
    r = s["sy"] / s["sx"].where(s["sx"] > 0)
    df["e2"] = (df["y"] - df["g"].map(r).to_numpy() * df["x"]) ** 2
    se2 = df.groupby("g", sort=True)["e2"].sum() * s["n"] / (s["n"] - 1).where(s["n"] > 1)
    se = np.sqrt(se2) / s["sx"].where(s["sx"] > 0)
    from scipy import stats
    q = stats.t.ppf(0.5 + level / 2, (s["n"] - 1).where(s["n"] > 1))
    return pd.DataFrame({"value": r, "n": s["n"], "ci_low": r - q * se, "ci_high": r + q * se})


def kpi_trends(frames: Mapping[str, pd.DataFrame], *, agent_ids: Sequence[str] | None = None,
               freq: str = "M", start: Any = None, end: Any = None, level: float = 0.95,
               kpis: Sequence[str] = TREND_KPIS) -> pd.DataFrame:
    """Per agent and period: QA score, CSAT, FCR and AHT with their intervals and the team's value.

    Parameters
    ----------
    frames : mapping of table name to DataFrame
        ``agent_dim`` and, per KPI, ``qa_evaluation`` (qa_score), ``csat_response`` (csat,
        fcr), ``agent_interval`` (aht_s). A KPI whose table is absent is skipped.
    agent_ids : sequence of str, optional
        Agents to return (default all of agent_dim); team values use the whole team.
    freq : {"W", "M", "Q"}, default "M"
    start, end : date-like, optional
        Keep ``start < time ≤ end`` (default everything).
    level : float, default 0.95
    kpis : sequence of str, default TREND_KPIS

    Returns
    -------
    DataFrame
        ``agent_id``, ``team_id``, ``period``, ``kpi_id``, ``value``, ``n`` (evaluations,
        answers, or agent-days for AHT), ``ci_low``, ``ci_high`` (Student-t on scores for QA;
        Wilson for CSAT and FCR; a t-interval of the ratio with agent-days as clusters for
        AHT), ``team_value`` (the team's value in the period, sums of numerators and
        denominators).

    Examples
    --------
    A: scores 80, 90 in March → mean 85, interval 85 ± 12.706 · 7.071/√2 = 85 ± 63.5; B: 70.
    The team value is (80 + 90 + 70)/3 = 80:

    >>> ad = pd.DataFrame({"agent_id": ["A", "B"], "team_id": ["T", "T"]})
    >>> ev = pd.DataFrame({"eval_id": ["E1", "E2", "E3"], "call_id": ["C1", "C2", "C3"],
    ...     "agent_id": ["A", "A", "B"], "total_score": [80.0, 90.0, 70.0],
    ...     "fatal_flag": [False] * 3,
    ...     "eval_date": pd.to_datetime(["2026-03-02", "2026-03-20", "2026-03-05"])})
    >>> kpi_trends({"agent_dim": ad, "qa_evaluation": ev}, agent_ids=["A"])[
    ...     ["agent_id", "period", "value", "n", "ci_low", "ci_high", "team_value"]].round(
    ...     {"ci_low": 2, "ci_high": 2})
      agent_id     period  value  n  ci_low  ci_high  team_value
    0        A 2026-03-01   85.0  2   21.47   148.53        80.0
    """
    if freq not in ("W", "M", "Q"):
        raise ParameterError.expected("kpi_trends", "freq", "'W', 'M' or 'Q'", freq)
    if not 0 < level < 1:
        raise ParameterError.expected("kpi_trends", "level", "a float in (0, 1)", level)
    for k in kpis:
        if k not in TREND_KPIS:
            raise ParameterError.expected("kpi_trends", "kpis", "ids from " +
                                          ", ".join(TREND_KPIS), k)
    ad = frames["agent_dim"]
    require_columns(ad, ["agent_id", "team_id"], "agent_dim")
    team = ad[["agent_id", "team_id"]].drop_duplicates("agent_id")
    lo = None if start is None else _ts(start, "kpi_trends", "start")
    hi = None if end is None else _ts(end, "kpi_trends", "end") + pd.Timedelta(days=1)

    def _cut(frame: pd.DataFrame, col: str) -> pd.DataFrame:
        t = pd.to_datetime(frame[col])
        m = np.ones(len(frame), dtype=bool)
        if lo is not None:
            m &= (t >= lo + pd.Timedelta(days=1)).to_numpy()
        if hi is not None:
            m &= (t < hi).to_numpy()
        return frame.loc[m].merge(team, on="agent_id", how="inner")

    blocks: list[pd.DataFrame] = []
    ev0 = frames.get("qa_evaluation")
    if "qa_score" in kpis and ev0 is not None:
        ev = ev0
        if "is_calibration" in ev.columns:
            ev = ev[~ev["is_calibration"].fillna(False).to_numpy(dtype=bool)]
        if "call_id" in ev.columns:
            ev = latest_evaluations(ev).drop(columns="n_versions")
        ev = _cut(ev, "eval_date")
        ev = ev.assign(period=_period(ev["eval_date"], freq))
        g = ev.groupby(["agent_id", "team_id", "period"], sort=True)["total_score"]
        s = g.agg(["mean", "std", "size"]).reset_index()
        cl, ch = t_interval(s["mean"].to_numpy(), s["std"].to_numpy(), s["size"].to_numpy(),
                            level)
        tv = ev.groupby(["team_id", "period"])["total_score"].mean().rename("team_value")
        b = pd.DataFrame({"agent_id": s["agent_id"], "team_id": s["team_id"],
                          "period": s["period"], "kpi_id": "qa_score", "value": s["mean"],
                          "n": s["size"], "ci_low": cl, "ci_high": ch})
        blocks.append(b.merge(tv.reset_index(), on=["team_id", "period"], how="left"))
    cs0 = frames.get("csat_response")
    if cs0 is not None and ({"csat", "fcr"} & set(kpis)):
        cs = _cut(cs0[cs0["agent_id"].notna()], "invited_at")
        cs = cs.assign(period=_period(cs["invited_at"], freq))
        for kid in ("csat", "fcr"):
            if kid not in kpis:
                continue
            k = kpi.compute(cs, kid, by=["agent_id", "team_id", "period"])
            tk = kpi.compute(cs, kid, by=["team_id", "period"])
            cl, ch = wilson_interval(k["numerator"].to_numpy(), k["denominator"].to_numpy(),
                                     level)
            b = pd.DataFrame({"agent_id": k["agent_id"], "team_id": k["team_id"],
                              "period": k["period"], "kpi_id": kid, "value": k["value"],
                              "n": k["denominator"], "ci_low": cl, "ci_high": ch})
            b = b[b["n"] > 0]
            tv = tk[["team_id", "period", "value"]].rename(columns={"value": "team_value"})
            blocks.append(b.merge(tv, on=["team_id", "period"], how="left"))
    ai0 = frames.get("agent_interval")
    if "aht_s" in kpis and ai0 is not None:
        ai = _cut(ai0, "interval_start")
        day = pd.to_datetime(ai["interval_start"]).dt.normalize()
        ai = ai.assign(period=_period(day, freq), day=day,
                       _y=(ai["talk_s"] + ai["hold_s"] + ai["acw_s"]).to_numpy(dtype=float),
                       _x=ai["handled"].to_numpy(dtype=float))
        d = ai.groupby(["agent_id", "team_id", "period", "day"], sort=True)[["_y", "_x"]].sum()
        d = d.reset_index()
        d = d[d["_x"] > 0]
        keys = d["agent_id"].astype(str) + "\x1f" + d["period"].astype(str)
        r = _ratio_interval(d["_y"].to_numpy(), d["_x"].to_numpy(), keys.to_numpy(), level)
        first = d.drop_duplicates(["agent_id", "period"]).assign(
            _k=lambda x: x["agent_id"].astype(str) + "\x1f" + x["period"].astype(str))
        r = r.reindex(first["_k"].to_numpy())
        tv = d.groupby(["team_id", "period"])[["_y", "_x"]].sum()
        tv = (tv["_y"] / tv["_x"]).rename("team_value").reset_index()
        b = pd.DataFrame({"agent_id": first["agent_id"].to_numpy(),
                          "team_id": first["team_id"].to_numpy(),
                          "period": first["period"].to_numpy(), "kpi_id": "aht_s",
                          "value": r["value"].to_numpy(), "n": r["n"].to_numpy(),
                          "ci_low": r["ci_low"].to_numpy(), "ci_high": r["ci_high"].to_numpy()})
        blocks.append(b.merge(tv, on=["team_id", "period"], how="left"))
    cols = ["agent_id", "team_id", "period", "kpi_id", "value", "n", "ci_low", "ci_high",
            "team_value"]
    if not blocks:
        return pd.DataFrame(columns=cols)
    out = pd.concat(blocks, ignore_index=True)[cols]
    if agent_ids is not None:
        out = out[out["agent_id"].isin(list(agent_ids))]
    out["n"] = out["n"].astype(np.int64)
    order = {k: i for i, k in enumerate(kpis)}
    out = out.assign(_o=out["kpi_id"].map(order)).sort_values(
        ["agent_id", "_o", "period"], kind="stable").drop(columns="_o")
    return out.reset_index(drop=True)


def _slope_per_month(ev: pd.DataFrame) -> pd.Series:
    d = (pd.to_datetime(ev["eval_date"]) - pd.Timestamp("2000-01-01")).dt.days.to_numpy(float)
    y = ev["total_score"].to_numpy(dtype=float)
    df = pd.DataFrame({"a": ev["agent_id"].to_numpy(), "x": d, "y": y})
    out = {}
    for a, g in df.groupby("a", sort=True):
        x = g["x"].to_numpy()
        if len(g) < 3 or np.ptp(x) == 0:
            out[a] = np.nan
            continue
        xc = x - x.mean()
        out[a] = float((xc * (g["y"].to_numpy() - g["y"].mean())).sum() / (xc ** 2).sum() * 30)
    return pd.Series(out, dtype=float)


def agent_profiles(frames: Mapping[str, pd.DataFrame], *, team_id: str | Sequence[str] | None
                   = None, as_of: Any = None, window_days: int = 90,
                   form: QAForm | str | None = None, n_strengths: int = 3, n_improve: int = 3,
                   commendation_score: int = 5, level: float = 0.95) -> pd.DataFrame:
    """One development profile per active agent (see the module docstring for every column).

    Parameters
    ----------
    frames : mapping of table name to DataFrame
        ``agent_dim``, ``qa_evaluation``, ``qa_item`` required; ``hr_event``,
        ``csat_response``, ``complaint``, ``training_record``, ``agent_interval`` used when
        present.
    team_id : str or sequence of str, optional
        Only these teams (default every team).
    as_of : date-like, optional
        Profile date (default :func:`profile_as_of`).
    window_days : int, default 90
    form : QAForm or str, optional
    n_strengths, n_improve : int, default 3
    commendation_score : int, default 5
    level : float, default 0.95

    Returns
    -------
    DataFrame
        One row per agent (agent_id order): ``agent_id``, ``name``, ``team_id``, ``hire_date``,
        ``tenure_days``, ``tenure_band``, ``stage``, ``days_on_floor``, ``qa_n``, ``qa_mean``,
        ``qa_ci_low``, ``qa_ci_high``, ``team_qa_mean``, ``qa_gap_to_team``,
        ``qa_slope_per_month``, ``qa_vs_team``, ``n_fatal``, ``max_item_repeats``,
        ``repeat_item``, ``repeat_share``, ``strengths``, ``improve_items`` (item codes, ``|``
        separated, best first), ``csat``, ``csat_n``, ``aht_s``, ``n_valid_complaints``,
        ``top_root_cause``, ``n_commendations``, ``n_trainings``, ``training_hours``,
        ``last_course_id``, ``last_training_date``, ``window_start``, ``as_of``.
    """
    if not isinstance(window_days, (int, np.integer)) or isinstance(window_days, bool) \
            or window_days < 1:
        raise ParameterError.expected("agent_profiles", "window_days", "an int >= 1", window_days)
    for name in ("agent_dim", "qa_evaluation", "qa_item"):
        if name not in frames:
            raise ParameterError.expected("agent_profiles", "frames",
                                          f"a mapping holding {name}", sorted(frames))
    t0 = profile_as_of(frames) if as_of is None else _ts(as_of, "agent_profiles", "as_of")
    w0 = t0 - pd.Timedelta(days=window_days)
    ad = frames["agent_dim"]
    agents = active_agents(ad, t0)
    teams = agents if team_id is None else active_agents(ad, t0, team_id)
    team_map = agents[["agent_id", "team_id"]]
    ev = window_evaluations(frames["qa_evaluation"], w0, t0).merge(team_map, on="agent_id",
                                                                   how="inner")
    out = teams[["agent_id", "team_id", "hire_date"]].copy()
    out.insert(1, "name", teams["name"].to_numpy() if "name" in teams.columns else None)
    out["hire_date"] = pd.to_datetime(out["hire_date"])
    out["tenure_days"] = (t0 - out["hire_date"]).dt.days.astype(np.int64)
    out["tenure_band"] = tenure_band(out["tenure_days"].to_numpy()).to_numpy()
    hr = frames.get("hr_event")
    stage = pd.Series(dtype=object)
    floor = pd.Series(dtype="datetime64[ns]")
    if hr is not None and len(hr):
        tl = stage_timeline(hr, as_of=t0).set_index("agent_id")
        stage, floor = tl["stage"], tl["on_floor_start"]
    out["stage"] = out["agent_id"].map(stage).astype(object).where(
        out["agent_id"].map(stage).notna(), None)
    # (Series.map with an empty datetime Series fails in pandas: go through a dict)
    fs = pd.to_datetime(out["agent_id"].map(floor.dropna().to_dict()))
    dof = (t0 - fs).dt.days.astype(float)
    dof = dof.where(fs.notna(), np.where(out["stage"].isna(), out["tenure_days"], np.nan))
    out["days_on_floor"] = dof.to_numpy(dtype=float)
    # QA
    g = ev.groupby("agent_id")["total_score"]
    s = g.agg(["mean", "std", "size"])
    out["qa_n"] = out["agent_id"].map(s["size"]).fillna(0).astype(np.int64)
    out["qa_mean"] = out["agent_id"].map(s["mean"]).astype(float)
    cl, ch = t_interval(out["qa_mean"].to_numpy(), out["agent_id"].map(s["std"]).to_numpy(
        dtype=float), out["qa_n"].to_numpy(), level)
    out["qa_ci_low"], out["qa_ci_high"] = cl, ch
    tm = ev.groupby("team_id")["total_score"].mean()
    out["team_qa_mean"] = out["team_id"].map(tm).astype(float)
    out["qa_gap_to_team"] = out["qa_mean"] - out["team_qa_mean"]
    out["qa_slope_per_month"] = out["agent_id"].map(_slope_per_month(ev)).astype(float)
    vs = pd.Series(dtype=object)
    if len(ev):
        parts = [agent_scores(e, level=level)[["agent_id", "vs_center"]]
                 for _, e in ev.groupby("team_id", sort=True)]
        vs = pd.concat(parts).set_index("agent_id")["vs_center"]
    out["qa_vs_team"] = out["agent_id"].map(vs).astype(object).where(
        out["agent_id"].map(vs).notna(), None)
    fat = ev[ev["fatal_flag"].fillna(False).astype(bool)].groupby("agent_id").size() \
        if "fatal_flag" in ev.columns else pd.Series(dtype=float)
    out["n_fatal"] = out["agent_id"].map(fat).fillna(0).astype(np.int64)
    # items
    gaps = item_gaps(ev, frames["qa_item"], team_map, form=form, n_strengths=n_strengths,
                     n_improve=n_improve)
    gp = gaps[gaps["n_deductions"] > 0].sort_values(["agent_id", "n_deductions"],
                                                   ascending=[True, False], kind="stable")
    top = gp.drop_duplicates("agent_id").set_index("agent_id")
    out["max_item_repeats"] = out["agent_id"].map(top["n_deductions"]).fillna(0).astype(np.int64)
    out["repeat_item"] = out["agent_id"].map(top["item_code"]).astype(object).where(
        out["agent_id"].map(top["item_code"]).notna(), None)
    out["repeat_share"] = np.where(out["qa_n"] > 0, out["max_item_repeats"]
                                   / out["qa_n"].where(out["qa_n"] > 0), np.nan)

    def _join(rank_col: str) -> pd.Series:
        r = gaps[gaps[rank_col].notna()].sort_values(["agent_id", rank_col], kind="stable")
        return r.groupby("agent_id")["item_code"].agg("|".join)

    out["strengths"] = out["agent_id"].map(_join("strength_rank").to_dict()).astype(
        object).fillna("")
    out["improve_items"] = out["agent_id"].map(_join("improve_rank").to_dict()).astype(
        object).fillna("")
    # customers
    cs = frames.get("csat_response")
    out["csat"], out["csat_n"], out["n_commendations"] = np.nan, 0, 0
    if cs is not None and len(cs):
        t = pd.to_datetime(cs["invited_at"])
        c = cs.loc[((t >= w0 + pd.Timedelta(days=1)) & (t < t0 + pd.Timedelta(days=1))).to_numpy()
                   & cs["agent_id"].notna().to_numpy()]
        k = kpi.compute(c, "csat", by="agent_id").set_index("agent_id")
        out["csat"] = out["agent_id"].map(k["value"]).astype(float)
        out["csat_n"] = out["agent_id"].map(k["denominator"]).fillna(0).astype(np.int64)
        q = pd.to_numeric(c["q_overall"], errors="coerce")
        com = c.loc[(q >= commendation_score).fillna(False).to_numpy(dtype=bool)].groupby("agent_id").size()
        out["n_commendations"] = out["agent_id"].map(com).fillna(0).astype(np.int64)
    ai = frames.get("agent_interval")
    out["aht_s"] = np.nan
    if ai is not None and len(ai):
        t = pd.to_datetime(ai["interval_start"])
        a = ai.loc[((t >= w0 + pd.Timedelta(days=1)) & (t < t0 + pd.Timedelta(days=1))).to_numpy()]
        h = a.groupby("agent_id")[["talk_s", "hold_s", "acw_s", "handled"]].sum()
        aht = (h["talk_s"] + h["hold_s"] + h["acw_s"]) / h["handled"].where(h["handled"] > 0)
        out["aht_s"] = out["agent_id"].map(aht).astype(float)
    cp = frames.get("complaint")
    out["n_valid_complaints"], out["top_root_cause"] = 0, None
    if cp is not None and len(cp):
        t = pd.to_datetime(cp["received_at"])
        c = cp.loc[((t >= w0 + pd.Timedelta(days=1)) & (t < t0 + pd.Timedelta(days=1))).to_numpy()
                   & cp["valid_flag"].fillna(False).to_numpy(dtype=bool)
                   & cp["agent_id"].notna().to_numpy()]
        out["n_valid_complaints"] = out["agent_id"].map(c.groupby("agent_id").size()).fillna(
            0).astype(np.int64)
        rc = c[c["root_cause"].notna()].groupby(["agent_id", "root_cause"]).size().reset_index(
            name="n").sort_values(["agent_id", "n", "root_cause"], ascending=[True, False, True])
        rc = rc.drop_duplicates("agent_id").set_index("agent_id")["root_cause"]
        out["top_root_cause"] = out["agent_id"].map(rc).astype(object).where(
            out["agent_id"].map(rc).notna(), None)
    tr = frames.get("training_record")
    out["n_trainings"], out["training_hours"] = 0, 0.0
    out["last_course_id"], out["last_training_date"] = None, pd.NaT
    if tr is not None and len(tr):
        t = pd.to_datetime(tr["session_date"])
        r = tr.loc[(t <= t0).to_numpy()].assign(_d=t[(t <= t0).to_numpy()])
        gr = r.groupby("agent_id")
        out["n_trainings"] = out["agent_id"].map(gr.size()).fillna(0).astype(np.int64)
        out["training_hours"] = out["agent_id"].map(gr["hours"].sum()).fillna(0.0).astype(float)
        last = r.sort_values(["agent_id", "_d", "course_id"]).drop_duplicates("agent_id",
                                                                              keep="last")
        last = last.set_index("agent_id")
        out["last_course_id"] = out["agent_id"].map(last["course_id"]).astype(object).where(
            out["agent_id"].map(last["course_id"]).notna(), None)
        out["last_training_date"] = pd.to_datetime(out["agent_id"].map(last["_d"].to_dict()))
    out["window_start"] = w0
    out["as_of"] = t0
    return out.reset_index(drop=True)
