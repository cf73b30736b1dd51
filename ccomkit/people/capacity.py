r"""Long-term capacity plan (长期人力规划): FTE required against FTE available, month by month,
and the hiring plan (how many trainees to start, and when) that meets the requirement.

Pipeline: a forecast (:func:`ccomkit.wfm.forecast.make_forecaster`) → interval staffing
(:func:`ccomkit.wfm.staffing.required_agents`, ``agents_required`` on the phones) →
:func:`monthly_fte_required` (Σ agent-hours ÷ paid hours per FTE per month) →
:func:`capacity_plan` → :func:`capacity_scenarios` for the what-if on volume and attrition.

The model
---------
Months ``t = 0 … T−1``. Parameters (:class:`CapacityParams`): shrinkage ``s``, monthly attrition
``a_T`` (tenured) and ``a_N`` (new hires on the floor for fewer than ``m`` months), learning
curve ``p_0, p_1, …`` (productivity by month on the floor; ``p_k = 1`` beyond the curve),
training lead time ``L`` months and pre-job retention ``ρ`` (trainees who finish training).

- Requirement ``R_t`` is in *on-phone* FTE (agent-hours ÷ paid hours per FTE); shrinkage is
  applied once, on the supply side.
- Tenured staff at the start of month t: ``H_0`` = ``headcount_start``,
  ``H_{t+1} = H_t (1 − a_T)`` (leavers ``H_t a_T`` during month t).
- A class of ``c_u`` trainees starts in month u and reaches the floor in month ``u + L`` with
  ``G_u = ρ c_u`` graduates. In month t its floor tenure is ``k = t − u − L ≥ 0`` and its
  headcount ``N_{u,t} = G_u Π_{j<k} (1 − a(j))``, ``a(j) = a_N`` if ``j < m`` else ``a_T``.
- Available FTE: ``A_t = (1 − s) [H_t + Σ_u p_{t−u−L} N_{u,t}]``; gap ``g_t = R_t − A_t``
  (positive = short).
- Hiring, greedy in time: for ``t = L … T−1``, with the classes ``c_0 … c_{t−L−1}`` already
  fixed, ``A⁰_t`` is the supply without the class of month ``t − L`` and
  ``c_{t−L} = max(0, ⌈(R_t − A⁰_t) / ((1 − s) ρ p_0)⌉)`` (capped at ``max_class_size``); then
  ``A_t = A⁰_t + (1 − s) ρ p_0 c_{t−L}``. Months ``t < L`` cannot be helped by new classes
  (status ``short`` when ``g_t > 0``); classes that would graduate after the horizon are 0.

Headcounts are expected values (fractions of a person); class sizes are integers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from ccomkit.errors import ParameterError, SchemaError
from ccomkit.schemas import require_columns

__all__ = ["CapacityParams", "monthly_fte_required", "capacity_plan", "capacity_scenarios",
           "capacity_chart"]

_EPS = 1e-9


def _is_num(x: Any) -> bool:
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool) \
        and math.isfinite(float(x))


@dataclass(frozen=True)
class CapacityParams:
    """Parameters of :func:`capacity_plan` (see the module docstring for the equations).

    Parameters
    ----------
    shrinkage_frac : float, default 0.3
        Share of paid time not available for contacts, in [0, 1).
    attrition_tenured_frac : float, default 0.03
        Monthly attrition of tenured staff, in [0, 1).
    attrition_new_hire_frac : float, default 0.08
        Monthly attrition of new hires in their first ``new_hire_months`` months on the floor.
    learning_curve : tuple of float, default (0.5, 0.75, 1.0)
        Productivity by month on the floor, each in (0, 1]; 1.0 after the curve ends.
    new_hire_months : int, optional
        Months on the floor counted as new hire for attrition; default ``len(learning_curve)``.
    training_lead_months : int, default 1
        Months between a class start and its graduates counting, >= 0.
    pre_job_retention_frac : float, default 1.0
        Share of trainees who finish training, in (0, 1].
    max_class_size : int, optional
        Cap on one class; months that need more get ``status='capped'``.

    Examples
    --------
    >>> CapacityParams(shrinkage_frac=1.2)
    Traceback (most recent call last):
    ...
    ccomkit.errors.ParameterError: The 'shrinkage_frac' parameter of CapacityParams must be a float in [0, 1). Got 1.2 instead.
    """

    shrinkage_frac: float = 0.3
    attrition_tenured_frac: float = 0.03
    attrition_new_hire_frac: float = 0.08
    learning_curve: tuple[float, ...] = (0.5, 0.75, 1.0)
    new_hire_months: int | None = None
    training_lead_months: int = 1
    pre_job_retention_frac: float = 1.0
    max_class_size: int | None = None

    def __post_init__(self) -> None:
        own = "CapacityParams"
        for name in ("shrinkage_frac", "attrition_tenured_frac", "attrition_new_hire_frac"):
            v = getattr(self, name)
            if not (_is_num(v) and 0 <= v < 1):
                raise ParameterError.expected(own, name, "a float in [0, 1)", v)
        v = self.pre_job_retention_frac
        if not (_is_num(v) and 0 < v <= 1):
            raise ParameterError.expected(own, "pre_job_retention_frac", "a float in (0, 1]", v)
        curve = self.learning_curve
        if not (isinstance(curve, (tuple, list)) and len(curve) >= 1
                and all(_is_num(p) and 0 < p <= 1 for p in curve)):
            raise ParameterError.expected(own, "learning_curve",
                                          "a non-empty tuple of floats in (0, 1]", curve)
        object.__setattr__(self, "learning_curve", tuple(float(p) for p in curve))
        for name, lo in (("training_lead_months", 0), ("new_hire_months", 0), ("max_class_size", 1)):
            v = getattr(self, name)
            if v is None and name != "training_lead_months":
                continue
            if not (isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= lo):
                raise ParameterError.expected(own, name, f"an int >= {lo}", v)

    @property
    def new_hire_months_(self) -> int:
        return len(self.learning_curve) if self.new_hire_months is None else int(self.new_hire_months)

    def productivity(self, k: int) -> float:
        """Productivity in floor month ``k`` (0-based)."""
        return self.learning_curve[k] if k < len(self.learning_curve) else 1.0


def monthly_fte_required(intervals: pd.DataFrame, *, hours_per_fte: float,
                         agents_column: str = "agents_required",
                         by: str | Sequence[str] = ()) -> pd.DataFrame:
    """Monthly on-phone FTE required from interval staffing (``required_agents`` output).

    ``agent_hours = Σ agents × interval_min / 60`` over the intervals of the month and
    ``fte_required = agent_hours / hours_per_fte``, where ``hours_per_fte`` is the paid hours
    of one FTE in a month (e.g. 40 h × 52 / 12 ≈ 173.3). Shrinkage is *not* applied here; the
    capacity plan applies it to the supply.

    Parameters
    ----------
    intervals : DataFrame
        ``interval_start`` (timestamp), ``interval_min`` and ``agents_column`` (>= 0).
    hours_per_fte : float
        Paid hours per FTE per month, > 0.
    agents_column : str, default "agents_required"
    by : str or sequence of str, default ()
        Extra grouping columns (e.g. ``queue_id``).

    Returns
    -------
    DataFrame
        The ``by`` columns, ``month`` (first day), ``agent_hours``, ``fte_required``.

    Examples
    --------
    >>> iv = pd.DataFrame({"interval_start": pd.to_datetime(["2026-01-05 09:00", "2026-01-05 09:30",
    ...                                                      "2026-02-02 09:00"]),
    ...                    "interval_min": 30, "agents_required": [10, 14, 8]})
    >>> monthly_fte_required(iv, hours_per_fte=4.0)
           month  agent_hours  fte_required
    0 2026-01-01         12.0           3.0
    1 2026-02-01          4.0           1.0
    """
    cols = [by] if isinstance(by, str) else list(by)
    table = "intervals"
    require_columns(intervals, ["interval_start", "interval_min", agents_column, *cols], table)
    if not (_is_num(hours_per_fte) and hours_per_fte > 0):
        raise ParameterError.expected("monthly_fte_required", "hours_per_fte", "a float > 0",
                                      hours_per_fte)
    for col in (agents_column, "interval_min"):
        x = pd.to_numeric(intervals[col], errors="coerce").to_numpy(dtype=float)
        bad = np.flatnonzero(~np.isfinite(x) | (x < 0) | ((x == 0) & (col == "interval_min")))
        if len(bad):
            raise SchemaError(f"{table}.{col} must be a number {'> 0' if col == 'interval_min' else '>= 0'}"
                              f": {len(bad)} rows violate it, first at rows {bad[:5].tolist()} "
                              f"(value {intervals[col].iloc[bad[0]]!r})", table=table, column=col,
                              rows=bad[:5].tolist())
    ts = pd.to_datetime(intervals["interval_start"])
    df = intervals[cols].assign(
        month=ts.dt.to_period("M").dt.to_timestamp().to_numpy(),
        agent_hours=intervals[agents_column].to_numpy(dtype=float)
        * intervals["interval_min"].to_numpy(dtype=float) / 60.0)
    out = df.groupby([*cols, "month"], sort=True)["agent_hours"].sum().reset_index()
    out["fte_required"] = out["agent_hours"] / float(hours_per_fte)
    return out


def _requirement(requirement: pd.DataFrame) -> tuple[pd.Series, np.ndarray]:
    table = "requirement"
    require_columns(requirement, ["month", "fte_required"], table)
    if requirement.empty:
        raise SchemaError("requirement has no rows", table=table)
    r = pd.to_numeric(requirement["fte_required"], errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(r) | (r < 0))
    if len(bad):
        raise SchemaError(f"requirement.fte_required must be a number >= 0: {len(bad)} rows violate "
                          f"it, first at rows {bad[:5].tolist()} (value "
                          f"{requirement['fte_required'].iloc[bad[0]]!r})", table=table,
                          column="fte_required", rows=bad[:5].tolist())
    per = pd.to_datetime(requirement["month"]).dt.to_period("M")
    order = np.argsort(per.to_numpy(), kind="stable")
    per = per.iloc[order].reset_index(drop=True)
    steps = np.array([(b - a).n for a, b in zip(per.iloc[:-1], per.iloc[1:])])
    if len(steps) and (steps != 1).any():
        i = int(np.flatnonzero(steps != 1)[0])
        raise SchemaError(f"requirement.month must be consecutive months without duplicates: "
                          f"{per.iloc[i]} is followed by {per.iloc[i + 1]}", table=table,
                          column="month")
    return per.dt.to_timestamp(), r[order]


def capacity_plan(requirement: pd.DataFrame, headcount_start: float,
                  params: CapacityParams | None = None, *, plan_hires: bool = True,
                  classes: Sequence[int] | None = None) -> pd.DataFrame:
    """Month-by-month capacity plan and hiring plan (equations in the module docstring).

    Parameters
    ----------
    requirement : DataFrame
        ``month`` (consecutive months) and ``fte_required`` (on-phone FTE, >= 0), e.g. from
        :func:`monthly_fte_required`.
    headcount_start : float
        Tenured (fully productive) agents at the start of the first month, >= 0.
    params : CapacityParams, optional
    plan_hires : bool, default True
        Size the classes greedily to close each month's gap; False evaluates ``classes``
        (or no hiring).
    classes : sequence of int, optional
        Fixed class sizes by start month (with ``plan_hires=False``), one per month.

    Returns
    -------
    DataFrame
        ``month``, ``fte_required``, ``hc_tenured`` (start of month, incl. cohorts past the
        new-hire window), ``hc_new_hire`` (graduates on the floor < ``new_hire_months``),
        ``trainees`` (in class during the month), ``class_start`` (int: trainees starting
        training this month), ``graduates`` (reaching the floor this month),
        ``fte_available_before`` (``A⁰_t``), ``gap_before``, ``fte_available`` (``A_t``),
        ``gap`` (``R_t − A_t``; > 0 short), ``leavers_expected``, ``status`` (``ok``,
        ``short`` — not fixable within the lead time —, ``capped``).

    Raises
    ------
    ParameterError
        Negative headcount, bad ``classes``.
    SchemaError
        Missing columns, negative or NaN requirement, months not consecutive.

    Examples
    --------
    >>> req = pd.DataFrame({"month": pd.date_range("2026-01-01", periods=3, freq="MS"),
    ...                     "fte_required": [78.0, 80.0, 82.0]})
    >>> p = CapacityParams(shrinkage_frac=0.2, attrition_tenured_frac=0.05,
    ...                    attrition_new_hire_frac=0.10, learning_curve=(0.5, 0.75, 1.0),
    ...                    training_lead_months=1, pre_job_retention_frac=0.8)
    >>> plan = capacity_plan(req, 100, p)
    >>> plan.class_start.tolist(), plan.graduates.round(3).tolist()
    ([13, 14, 0], [0.0, 10.4, 11.2])
    >>> plan.fte_available.round(3).tolist()
    [80.0, 80.16, 82.296]
    """
    p = params if params is not None else CapacityParams()
    if not isinstance(p, CapacityParams):
        raise ParameterError.expected("capacity_plan", "params", "a CapacityParams", p)
    if not (_is_num(headcount_start) and headcount_start >= 0):
        raise ParameterError.expected("capacity_plan", "headcount_start", "a number >= 0",
                                      headcount_start)
    months, req = _requirement(requirement)
    T, L = len(req), int(p.training_lead_months)
    if classes is not None:
        if plan_hires:
            raise ParameterError("capacity_plan: give classes only with plan_hires=False",
                                 param="classes", value=classes)
        c_fixed = list(classes)
        if len(c_fixed) != T or not all(isinstance(c, (int, np.integer)) and c >= 0 for c in c_fixed):
            raise ParameterError.expected("capacity_plan", "classes",
                                          f"{T} non-negative ints (one per month)", classes)
    else:
        c_fixed = [0] * T
    s, rho, m = p.shrinkage_frac, p.pre_job_retention_frac, p.new_hire_months_
    keep = 1.0 - s
    p0 = p.productivity(0)
    H = float(headcount_start) * (1 - p.attrition_tenured_frac) ** np.arange(T)
    c = np.zeros(T, dtype=np.int64)
    status = np.array(["ok"] * T, dtype=object)

    def cohort_state(t: int, upto: int) -> tuple[float, float, float, float]:
        """(productive heads, new-hire heads, matured heads, leavers) of classes u < upto."""
        prod = new = mature = leave = 0.0
        for u in range(min(upto, t - L + 1)):
            if c[u] == 0:
                continue
            k = t - u - L
            n = rho * c[u]
            for j in range(k):
                n *= 1 - (p.attrition_new_hire_frac if j < m else p.attrition_tenured_frac)
            prod += p.productivity(k) * n
            rate = p.attrition_new_hire_frac if k < m else p.attrition_tenured_frac
            leave += n * rate
            if k < m:
                new += n
            else:
                mature += n
        return prod, new, mature, leave

    before = np.zeros(T)
    for t in range(T):
        u = t - L  # the class whose first floor month is t
        prod, *_ = cohort_state(t, max(u, 0))
        before[t] = keep * (H[t] + prod)
        if u < 0:
            continue
        if plan_hires:
            need = req[t] - before[t]
            size = max(0, math.ceil(need / (keep * rho * p0) - _EPS)) if need > _EPS else 0
            if p.max_class_size is not None and size > p.max_class_size:
                size = int(p.max_class_size)
                status[t] = "capped"
            c[u] = size
        else:
            c[u] = c_fixed[u]
    if not plan_hires:
        c[:] = c_fixed  # classes graduating after the horizon still show as class starts
    rows = []
    for t in range(T):
        prod, new, mature, leave = cohort_state(t, T)
        avail = keep * (H[t] + prod)
        grad = rho * c[t - L] if t - L >= 0 else 0.0
        trainees = float(sum(c[u] for u in range(max(0, t - L + 1), t + 1))) if L > 0 else 0.0
        gap = req[t] - avail
        if status[t] == "ok" and gap > _EPS and (t < L or not plan_hires):
            status[t] = "short"
        rows.append({"month": months.iloc[t], "fte_required": req[t], "hc_tenured": H[t] + mature,
                     "hc_new_hire": new, "trainees": trainees, "class_start": int(c[t]),
                     "graduates": grad, "fte_available_before": before[t] if plan_hires else avail,
                     "gap_before": req[t] - (before[t] if plan_hires else avail),
                     "fte_available": avail, "gap": gap,
                     "leavers_expected": H[t] * p.attrition_tenured_frac + leave,
                     "status": status[t]})
    out = pd.DataFrame(rows)
    return out


def capacity_scenarios(requirement: pd.DataFrame, headcount_start: float,
                       params: CapacityParams | None = None,
                       scenarios: pd.DataFrame | None = None, *, detail: bool = False) -> pd.DataFrame:
    """What-if on volume and attrition: re-plan under scenario multipliers and compare.

    Each scenario multiplies ``fte_required`` by ``volume_mult`` and both monthly attrition
    rates by ``attrition_mult`` (the results must stay below 1), then runs
    :func:`capacity_plan`.

    Parameters
    ----------
    scenarios : DataFrame, optional
        ``scenario``, ``volume_mult`` (> 0), ``attrition_mult`` (>= 0). Default: base,
        volume +10 %, attrition +50 %, both.
    detail : bool, default False
        Return the stacked monthly plans (with a ``scenario`` column) instead of the summary.

    Returns
    -------
    DataFrame
        One row per scenario: ``scenario``, ``volume_mult``, ``attrition_mult``,
        ``fte_required_total``, ``total_hires``, ``n_classes``, ``first_class_month``,
        ``months_short``, ``max_gap_fte``, ``fte_available_end``, ``headcount_end``
        (tenured + new hires on the floor in the last month), ``hires_vs_base``.

    Examples
    --------
    >>> req = pd.DataFrame({"month": pd.date_range("2026-01-01", periods=3, freq="MS"),
    ...                     "fte_required": [78.0, 80.0, 82.0]})
    >>> p = CapacityParams(shrinkage_frac=0.2, attrition_tenured_frac=0.05,
    ...                    attrition_new_hire_frac=0.10, pre_job_retention_frac=0.8)
    >>> sc = pd.DataFrame({"scenario": ["base", "low"], "volume_mult": [1.0, 0.9],
    ...                    "attrition_mult": [1.0, 1.0]})
    >>> capacity_scenarios(req, 100, p, sc)[["scenario", "total_hires", "hires_vs_base"]]
      scenario  total_hires  hires_vs_base
    0     base           27              0
    1      low            5            -22
    """
    p = params if params is not None else CapacityParams()
    if scenarios is None:
        scenarios = pd.DataFrame({"scenario": ["base", "volume+10%", "attrition+50%", "both"],
                                  "volume_mult": [1.0, 1.1, 1.0, 1.1],
                                  "attrition_mult": [1.0, 1.0, 1.5, 1.5]})
    require_columns(scenarios, ["scenario", "volume_mult", "attrition_mult"], "scenarios")
    if scenarios["scenario"].duplicated().any():
        raise SchemaError("scenarios.scenario must be unique", table="scenarios", column="scenario")
    require_columns(requirement, ["month", "fte_required"], "requirement")
    summary, plans = [], []
    for i, (name, vm, am) in enumerate(zip(scenarios["scenario"], scenarios["volume_mult"],
                                           scenarios["attrition_mult"])):
        if not (_is_num(vm) and vm > 0):
            raise SchemaError(f"scenarios.volume_mult must be > 0: row {i} ({name!r}) has {vm!r}",
                              table="scenarios", column="volume_mult", rows=[i])
        if not (_is_num(am) and am >= 0):
            raise SchemaError(f"scenarios.attrition_mult must be >= 0: row {i} ({name!r}) has {am!r}",
                              table="scenarios", column="attrition_mult", rows=[i])
        try:
            q = replace(p, attrition_tenured_frac=p.attrition_tenured_frac * float(am),
                        attrition_new_hire_frac=p.attrition_new_hire_frac * float(am))
        except ParameterError as e:
            raise ParameterError(f"scenario {name!r}: attrition_mult {am!r} pushes a monthly "
                                 f"attrition rate to 1 or more ({e})", param="attrition_mult",
                                 value=am) from None
        r = requirement.assign(fte_required=pd.to_numeric(requirement["fte_required"], errors="coerce")
                               * float(vm))
        plan = capacity_plan(r, headcount_start, q)
        plans.append(plan.assign(scenario=name))
        hires = plan["class_start"]
        last = plan.iloc[-1]
        summary.append({
            "scenario": name, "volume_mult": float(vm), "attrition_mult": float(am),
            "fte_required_total": float(plan["fte_required"].sum()),
            "total_hires": int(hires.sum()), "n_classes": int((hires > 0).sum()),
            "first_class_month": plan.loc[hires > 0, "month"].min() if (hires > 0).any() else pd.NaT,
            "months_short": int((plan["gap"] > _EPS).sum()), "max_gap_fte": float(plan["gap"].max()),
            "fte_available_end": float(last["fte_available"]),
            "headcount_end": float(last["hc_tenured"] + last["hc_new_hire"]),
        })
    if detail:
        out = pd.concat(plans, ignore_index=True)
        return out[["scenario", *[c for c in out.columns if c != "scenario"]]]
    out = pd.DataFrame(summary)
    out["hires_vs_base"] = out["total_hires"] - int(out["total_hires"].iloc[0])
    return out


def capacity_chart(plan: pd.DataFrame) -> Any:
    """Required vs available FTE (lines) and class starts (bars); bilingual title, unrendered.

    Examples
    --------
    >>> req = pd.DataFrame({"month": pd.date_range("2026-01-01", periods=2, freq="MS"),
    ...                     "fte_required": [10.0, 12.0]})
    >>> capacity_chart(capacity_plan(req, 14)).to_dict()["title"]
    '人力规划：需求与供给 Capacity plan: FTE required vs available'
    """
    import altair as alt

    require_columns(plan, ["month", "fte_required", "fte_available", "class_start"], "capacity_plan")
    long = plan.melt(id_vars=["month"], value_vars=["fte_required", "fte_available"],
                     var_name="series", value_name="fte")
    long["series"] = long["series"].map({"fte_required": "需求 required",
                                         "fte_available": "可用 available"})
    lines = alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("month:T", title="月份 month"), y=alt.Y("fte:Q", title="FTE"),
        color=alt.Color("series:N", title="序列 series"), tooltip=["month:T", "series:N",
                                                                  alt.Tooltip("fte:Q", format=".1f")])
    bars = alt.Chart(plan).mark_bar(opacity=0.4, color="#2ca02c").encode(
        x="month:T", y=alt.Y("class_start:Q", title="开班人数 class start"),
        tooltip=["month:T", "class_start:Q"])
    return alt.layer(bars, lines).resolve_scale(y="independent").properties(
        title="人力规划：需求与供给 Capacity plan: FTE required vs available", width=480, height=260)
