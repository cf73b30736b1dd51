"""New-hire stages 培训期 / 实习期 / 上岗期 and speed to proficiency (DOMAIN §5.2).

Stages come from ``hr_event``: the ``hire`` event (stage ``training``) or a ``stage_change`` to
``training`` starts 培训期; ``stage_change`` to ``nesting`` starts 实习期 (试岗, 带教跟师);
``stage_change`` to ``on_floor`` starts 上岗期. A ``leave`` event ends the timeline.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ccomkit.errors import ParameterError, SchemaError
from ccomkit.kpi import compute
from ccomkit.schemas import require_columns

__all__ = ["newhire_cohorts", "speed_to_proficiency", "stage_timeline"]

_STAGE_ORDER = {"training": 0, "nesting": 1, "on_floor": 2}


def _ts(x: Any, owner: str, param: str) -> pd.Timestamp:
    try:
        t = pd.Timestamp(x)
    except (TypeError, ValueError):
        raise ParameterError.expected(owner, param, "a date", x) from None
    if pd.isna(t):
        raise ParameterError.expected(owner, param, "a date", x)
    return t.normalize()


def stage_timeline(hr_event: pd.DataFrame, *, as_of: Any = None) -> pd.DataFrame:
    """One row per agent with a training start: the dates of each stage and the outcome.

    Parameters
    ----------
    hr_event : DataFrame
        ``hr_event`` rows (agent_id, event_type, event_date, stage). Not modified.
    as_of : date-like, optional
        Events after it are ignored; default the latest event date.

    Returns
    -------
    DataFrame
        ``agent_id``, ``training_start``, ``nesting_start``, ``on_floor_start``, ``leave_date``
        (NaT while employed), ``stage`` (latest stage by as_of or at leaving), ``training_days``
        (training start → nesting, NaN until then), ``nesting_days`` (nesting → on-floor), and
        ``training_outcome``: ``completed`` (reached nesting), ``left`` (left during training)
        or ``in_training`` (censored).

    Examples
    --------
    >>> import pandas as pd
    >>> ev = pd.DataFrame({"agent_id": ["A", "A", "A", "B", "B"],
    ...     "event_type": ["hire", "stage_change", "stage_change", "hire", "leave"],
    ...     "event_date": pd.to_datetime(["2026-01-05", "2026-01-26", "2026-02-09",
    ...                                   "2026-01-05", "2026-01-12"]),
    ...     "stage": ["training", "nesting", "on_floor", "training", None]})
    >>> stage_timeline(ev)[["agent_id", "training_days", "nesting_days", "stage",
    ...                     "training_outcome"]]
      agent_id  training_days  nesting_days     stage training_outcome
    0        A           21.0          14.0  on_floor        completed
    1        B            NaN           NaN  training             left
    """
    owner = "stage_timeline"
    require_columns(hr_event, ["agent_id", "event_type", "event_date", "stage"], "hr_event")
    ev = hr_event.assign(_d=pd.to_datetime(hr_event["event_date"]))
    if ev["_d"].isna().any():
        rows = np.flatnonzero(ev["_d"].isna().to_numpy())[:5].tolist()
        raise SchemaError(f"hr_event.event_date is empty in {len(rows)}+ rows, first at rows "
                          f"{rows}", table="hr_event", column="event_date", rows=rows)
    bad = ev["stage"].notna() & ~ev["stage"].isin(list(_STAGE_ORDER))
    if bad.any():
        rows = np.flatnonzero(bad.to_numpy())[:5].tolist()
        raise SchemaError(f"hr_event.stage must be one of training, nesting, on_floor: "
                          f"{int(bad.sum())} rows violate it, first at rows {rows} (value "
                          f"{ev['stage'].iloc[rows[0]]!r})", table="hr_event", column="stage",
                          rows=rows)
    as_of_t = ev["_d"].max() if as_of is None else _ts(as_of, owner, "as_of")
    ev = ev.loc[ev["_d"] <= as_of_t]
    st = ev.loc[ev["event_type"].isin(["hire", "stage_change"]) & ev["stage"].notna()]
    first = st.groupby(["agent_id", "stage"])["_d"].min().unstack("stage")
    for s in _STAGE_ORDER:
        if s not in first.columns:
            first[s] = pd.NaT
    first = first.loc[first["training"].notna()]
    leave = ev.loc[ev["event_type"] == "leave"].groupby("agent_id")["_d"].max()
    out = pd.DataFrame({"agent_id": first.index.astype(str),
                        "training_start": first["training"].to_numpy(),
                        "nesting_start": first["nesting"].to_numpy(),
                        "on_floor_start": first["on_floor"].to_numpy()})
    out["leave_date"] = out["agent_id"].map(leave.to_dict())  # a dict: an empty Series cannot be cast
    out["leave_date"] = pd.to_datetime(out["leave_date"])
    stage = np.where(out["on_floor_start"].notna(), "on_floor",
                     np.where(out["nesting_start"].notna(), "nesting", "training"))
    out["stage"] = stage
    out["training_days"] = (out["nesting_start"] - out["training_start"]).dt.days.astype(float)
    out["nesting_days"] = (out["on_floor_start"] - out["nesting_start"]).dt.days.astype(float)
    out["training_outcome"] = np.where(out["nesting_start"].notna(), "completed",
                                       np.where(out["leave_date"].notna(), "left",
                                                "in_training"))
    return out.sort_values("agent_id", kind="stable").reset_index(drop=True)


def newhire_cohorts(hr_event: pd.DataFrame, agent_dim: pd.DataFrame | None = None,
                    by: str | Sequence[str] = ("hire_month", "recruit_channel"), *,
                    as_of: Any = None) -> pd.DataFrame:
    """New-hire cohorts by hire month (and any agent_dim column) with pre-job retention.

    Pre-job retention (岗前留存率) = trainees who completed training (reached 实习期) ÷ trainees
    whose training outcome is known (completed or left during training); trainees still in
    training are censored and counted in ``in_training``. ``pre_job_retention_all`` divides by
    every starter instead (a lower bound while trainees are still in class).

    Parameters
    ----------
    hr_event : DataFrame
    agent_dim : DataFrame, optional
        For ``by`` columns other than ``hire_month`` (``recruit_channel``, ``site`` …).
    by : str or sequence of str, default ("hire_month", "recruit_channel")
    as_of : date-like, optional

    Returns
    -------
    DataFrame
        ``by``, ``starters``, ``completed_training``, ``left_in_training``, ``in_training``,
        ``pre_job_retention``, ``pre_job_retention_all``, ``reached_on_floor``,
        ``left_in_nesting``, ``median_training_days``, ``median_nesting_days``.

    Examples
    --------
    >>> import pandas as pd
    >>> ev = pd.DataFrame({"agent_id": ["A", "A", "B", "B", "C"],
    ...     "event_type": ["hire", "stage_change", "hire", "leave", "hire"],
    ...     "event_date": pd.to_datetime(["2026-01-05", "2026-01-26", "2026-01-05",
    ...                                   "2026-01-12", "2026-02-02"]),
    ...     "stage": ["training", "nesting", "training", None, "training"]})
    >>> newhire_cohorts(ev, by="hire_month")[["hire_month", "starters", "completed_training",
    ...     "in_training", "pre_job_retention"]]
      hire_month  starters  completed_training  in_training  pre_job_retention
    0 2026-01-01         2                   1            0                0.5
    1 2026-02-01         1                   0            1                NaN
    """
    by_cols = [by] if isinstance(by, str) else list(by)
    tl = stage_timeline(hr_event, as_of=as_of)
    tl["hire_month"] = tl["training_start"].dt.to_period("M").dt.start_time
    extra = [b for b in by_cols if b != "hire_month"]
    if extra:
        if agent_dim is None:
            raise ParameterError.expected("newhire_cohorts", "agent_dim",
                                          f"given to group by {extra}", None)
        require_columns(agent_dim, ["agent_id", *extra], "agent_dim")
        tl = tl.merge(agent_dim[["agent_id", *extra]], on="agent_id", how="left")
    left = tl["leave_date"].notna()
    tl["starters"] = 1
    tl["completed_training"] = (tl["training_outcome"] == "completed").astype(int)
    tl["left_in_training"] = (tl["training_outcome"] == "left").astype(int)
    tl["in_training"] = (tl["training_outcome"] == "in_training").astype(int)
    tl["reached_on_floor"] = tl["on_floor_start"].notna().astype(int)
    tl["left_in_nesting"] = (left & tl["nesting_start"].notna()
                             & tl["on_floor_start"].isna()).astype(int)
    counts = ["starters", "completed_training", "left_in_training", "in_training",
              "reached_on_floor", "left_in_nesting"]
    g = tl.groupby(by_cols, sort=True, dropna=False)
    out = g[counts].sum()
    out["median_training_days"] = g["training_days"].median()
    out["median_nesting_days"] = g["nesting_days"].median()
    out = out.reset_index()
    known = (out["completed_training"] + out["left_in_training"]).astype(float)
    out["pre_job_retention"] = out["completed_training"] / known.where(known > 0)
    out["pre_job_retention_all"] = out["completed_training"] / out["starters"].astype(float)
    return out[[*by_cols, "starters", "completed_training", "left_in_training", "in_training",
                "pre_job_retention", "pre_job_retention_all", "reached_on_floor",
                "left_in_nesting", "median_training_days", "median_nesting_days"]]


def speed_to_proficiency(qa_evaluation: pd.DataFrame, agent_interval: pd.DataFrame,
                         agent_dim: pd.DataFrame, *, window_days: int = 28,
                         tenured_days: int = 180, min_evals: int = 3, min_handled: int = 30,
                         as_of: Any = None, hired_from: Any = None) -> pd.DataFrame:
    """Days from hire until an agent's rolling QA score and AHT both reach the tenured median.

    Definition, evaluated at the end of every week (Sunday) and on the last day of data d:

    - rolling QA(d) = mean ``total_score`` of the agent's non-calibration evaluations with
      ``eval_date`` in (d − ``window_days``, d], needing ≥ ``min_evals`` evaluations;
    - rolling AHT(d) = Σ(talk + hold + acw) ÷ Σ handled of the agent's ``agent_interval`` rows in
      the same window (``ccomkit.kpi`` aht_s), needing ≥ ``min_handled`` contacts;
    - the benchmarks are the medians of rolling QA and rolling AHT over all agent-weeks of
      *tenured* agents (tenure ≥ ``tenured_days`` at d);
    - an agent hired on or after ``hired_from`` (default: the first day of QA / interval data,
      so that the whole ramp-up is observed) becomes proficient on the first week-end
      with rolling QA ≥ the QA benchmark **and** rolling AHT ≤ the AHT benchmark;
      ``days_to_proficiency`` = that day − hire_date, ``reached`` True;
    - never reached: censored at the last week-end observed (leave date or as_of),
      ``reached`` False, days = the censoring time (use :func:`ccomkit.people.attrition.
      kaplan_meier` on these for a median that respects censoring).

    Returns
    -------
    DataFrame
        ``agent_id``, ``hire_date``, ``days_to_proficiency``, ``reached``,
        ``qa_benchmark``, ``aht_benchmark_s`` (the same on every row).
    """
    owner = "speed_to_proficiency"
    for name, v, lo in (("window_days", window_days, 1), ("tenured_days", tenured_days, 1),
                        ("min_evals", min_evals, 1), ("min_handled", min_handled, 1)):
        if not (isinstance(v, (int, np.integer)) and v >= lo):
            raise ParameterError.expected(owner, name, f"an int >= {lo}", v)
    require_columns(qa_evaluation, ["agent_id", "eval_date", "total_score"], "qa_evaluation")
    require_columns(agent_interval, ["agent_id", "interval_start", "talk_s", "handled"],
                    "agent_interval")
    require_columns(agent_dim, ["agent_id", "hire_date"], "agent_dim")
    qa = qa_evaluation
    if "is_calibration" in qa.columns:
        qa = qa.loc[~qa["is_calibration"].fillna(False).astype(bool)]
    qa = pd.DataFrame({"agent_id": qa["agent_id"].to_numpy(),
                       "day": pd.to_datetime(qa["eval_date"]).dt.normalize().to_numpy(),
                       "qa_sum": qa["total_score"].to_numpy(dtype=float), "qa_n": 1.0})
    ai = agent_interval.assign(day=agent_interval["interval_start"].dt.normalize())
    aht = compute(ai, "aht_s", ["agent_id", "day"])
    aht = aht.rename(columns={"numerator": "h_sum", "denominator": "h_n"})[
        ["agent_id", "day", "h_sum", "h_n"]]
    daily = pd.concat([qa, aht], ignore_index=True).groupby(["agent_id", "day"]).sum()
    daily = daily.reset_index()
    first_day = daily["day"].min()
    last_day = daily["day"].max() if as_of is None else _ts(as_of, owner, "as_of")
    # week-ends grid and rolling windows via cumulative sums per agent
    ends = pd.date_range(first_day + pd.Timedelta(days=(6 - first_day.day_of_week) % 7),
                         last_day, freq="7D")
    if not len(ends) or ends[-1] != last_day:
        ends = ends.append(pd.DatetimeIndex([last_day]))
    rows = []
    for aid, g in daily.groupby("agent_id", sort=True):
        g = g.sort_values("day")
        days = g["day"].to_numpy()
        cs = g[["qa_sum", "qa_n", "h_sum", "h_n"]].cumsum().to_numpy()
        cs = np.vstack([np.zeros(4), cs])
        hi = np.searchsorted(days, ends.to_numpy(), side="right")
        lo = np.searchsorted(days, (ends - pd.Timedelta(days=window_days)).to_numpy(),
                             side="right")
        w = cs[hi] - cs[lo]
        rows.append(pd.DataFrame({"agent_id": aid, "week_end": ends, "qa_sum": w[:, 0],
                                  "qa_n": w[:, 1], "h_sum": w[:, 2], "h_n": w[:, 3]}))
    cols = ["agent_id", "hire_date", "days_to_proficiency", "reached", "qa_benchmark",
            "aht_benchmark_s"]
    if not rows:
        return pd.DataFrame(columns=cols)
    wk = pd.concat(rows, ignore_index=True)
    ad = agent_dim[["agent_id", "hire_date"] + (["leave_date"] if "leave_date" in agent_dim
                                                 else [])].copy()
    ad["hire_date"] = pd.to_datetime(ad["hire_date"])
    wk = wk.merge(ad, on="agent_id", how="inner")
    if "leave_date" in wk.columns:
        wk = wk.loc[wk["leave_date"].isna() | (wk["week_end"] <= pd.to_datetime(wk["leave_date"]))]
    wk = wk.loc[wk["week_end"] >= wk["hire_date"]]
    ok = (wk["qa_n"] >= min_evals) & (wk["h_n"] >= min_handled)
    wk = wk.assign(qa=np.where(ok, wk["qa_sum"] / wk["qa_n"].where(wk["qa_n"] > 0), np.nan),
                   aht=np.where(ok, wk["h_sum"] / wk["h_n"].where(wk["h_n"] > 0), np.nan))
    tenured = (wk["week_end"] - wk["hire_date"]).dt.days >= tenured_days
    qa_b = float(np.nanmedian(wk.loc[tenured, "qa"])) if wk.loc[tenured, "qa"].notna().any() \
        else np.nan
    aht_b = float(np.nanmedian(wk.loc[tenured, "aht"])) if wk.loc[tenured, "aht"].notna().any() \
        else np.nan
    if np.isnan(qa_b) or np.isnan(aht_b):
        raise ParameterError.expected(owner, "tenured_days", "low enough that some agent-weeks "
                                      "are tenured with enough evaluations and contacts",
                                      tenured_days)
    cut = first_day if hired_from is None else _ts(hired_from, owner, "hired_from")
    new = wk.loc[wk["hire_date"] >= cut].copy()
    new["prof"] = (new["qa"] >= qa_b) & (new["aht"] <= aht_b)
    out = []
    for aid, g in new.groupby("agent_id", sort=True):
        hire = g["hire_date"].iloc[0]
        hit = g.loc[g["prof"], "week_end"]
        if len(hit):
            out.append((aid, hire, (hit.min() - hire).days, True))
        else:
            out.append((aid, hire, (g["week_end"].max() - hire).days, False))
    res = pd.DataFrame(out, columns=cols[:4])
    res["days_to_proficiency"] = res["days_to_proficiency"].astype(np.int64)
    res["reached"] = res["reached"].astype(bool)
    return res.assign(qa_benchmark=qa_b, aht_benchmark_s=aht_b)[cols]
