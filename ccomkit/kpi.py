"""The KPI dictionary: formulas of DOMAIN.md §2 with their variants, computed at any grain.

Every KPI is a ratio of two *additive* quantities. A vectorised kernel maps each input row to a
``numerator`` and a ``denominator``; :func:`compute` groups the rows by the caller's ``by`` columns
(and a calendar bucket when ``freq`` is given), **sums** both, and only then divides. A KPI over a
day is therefore Σnumerator / Σdenominator of its intervals, never the mean of interval rates
(CONVENTIONS.md, "Aggregate KPIs by summing numerators and denominators").

Which frame a KPI reads is its ``source_table``:

==================== ===============================================================================
source_table         what it is
==================== ===============================================================================
acd_interval         the workspace table (queue × interval)
agent_interval       the workspace table (agent × interval)
adherence_grid       :func:`adherence_grid`: schedule segments spread onto the agent_interval grid
forecast             any frame with forecast and actual columns (``forecast``, ``actual``)
csat_response        the workspace table (survey invitation)
qa_evaluation        the workspace table (evaluation)
complaint_contacts   :func:`complaint_contacts`: complaints stacked with handled contacts
headcount_monthly    :func:`headcount_monthly`: month-by-month headcount, hires and leavers
attendance           the workspace table (agent × day)
==================== ===============================================================================

Units (``KPI.unit``): ``frac`` (0..1), ``s`` (seconds), ``count``, ``per10k`` (per 10,000
contacts), ``points`` (0..100), ``nps`` (a fraction in −1..1, shown ×100 as NPS points) and
``score_1_5``. Values are never stored as percent; :func:`format_value` renders them.

A few KPIs need a value that is not ``numerator / denominator`` (forecast period accuracy
``1 − |ΣF − ΣA| / ΣA``, compound annualised attrition ``1 − (1 − m)^12``); their numerator and
denominator are still additive sums and the value is a documented function of the two sums.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from ccomkit.errors import CcomkitWarning, ParameterError, SchemaError
from ccomkit.schemas import ACTIVITIES, TABLES, require_columns

__all__ = [
    "KPI",
    "KPIS",
    "FREQS",
    "PAID_ACTIVITIES",
    "adherence_grid",
    "complaint_contacts",
    "compute",
    "dictionary",
    "forecast_accuracy",
    "format_value",
    "headcount_monthly",
    "schedule_grid",
]

Unit = Literal["frac", "s", "count", "per10k", "points", "nps", "score_1_5"]
Better = Literal["higher", "lower"]
Freq = Literal["interval", "D", "W", "M", "Q", "Y"]

FREQS: tuple[str, ...] = ("interval", "D", "W", "M", "Q", "Y")
"""Calendar buckets :func:`compute` understands (weeks start on Monday; periods are labelled by
their first instant)."""

AUX_STATES: tuple[str, ...] = ("break", "meal", "training", "meeting", "coaching", "other")
"""agent_interval's not-ready reasons (columns ``aux_<state>_s``)."""

PAID_ACTIVITIES: tuple[str, ...] = ("work", "break", "training", "meeting", "coaching", "leave",
                                    "other")
"""Schedule activities counted as paid time by default (meal is unpaid in most Chinese centers)."""

_HANDLE = ("talk_s", "hold_s", "acw_s")

_TIME_COLS: dict[str, str] = {
    "acd_interval": "interval_start",
    "agent_interval": "interval_start",
    "adherence_grid": "interval_start",
    "forecast": "interval_start",
    "csat_response": "invited_at",
    "qa_evaluation": "eval_date",
    "complaint_contacts": "ts",
    "headcount_monthly": "month",
    "attendance": "work_date",
}


# --------------------------------------------------------------------------------------------
# The KPI record
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KPI:
    """One KPI of the dictionary.

    Attributes
    ----------
    kpi_id : str
        Stable identifier (``service_level``, ``aht_s`` …); units in the name where not a fraction.
    name_zh, name_en : str
        Chinese and English display names.
    unit : {'frac', 's', 'count', 'per10k', 'points', 'nps', 'score_1_5'}
        Unit of ``value``.
    better : {'higher', 'lower'}
        Which direction is an improvement.
    source_table : str
        The frame the KPI reads (see the module docstring).
    default_variant : str
        The variant used when none is asked for.
    variants : dict of str to str
        Variant id → formula text.
    params : dict of str to Any
        Parameter names and their defaults.
    description : str
        What the KPI measures, with caveats.
    source : str
        Where the definition comes from (DOMAIN.md section and source keys).
    """

    kpi_id: str
    name_zh: str
    name_en: str
    unit: Unit
    better: Better
    source_table: str
    default_variant: str
    variants: dict[str, str]
    params: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        if self.default_variant not in self.variants:  # pragma: no cover - programming error
            raise ValueError(f"{self.kpi_id}: default variant {self.default_variant!r} undeclared")

    @property
    def time_col(self) -> str:
        """The default time column of :attr:`source_table`."""
        return _TIME_COLS[self.source_table]

    def formula(self, variant: str | None = None) -> str:
        """Formula text of ``variant`` (default: :attr:`default_variant`)."""
        return self.variants[self._check_variant(variant)]

    def _check_variant(self, variant: str | None) -> str:
        v = self.default_variant if variant is None else variant
        if v not in self.variants:
            raise ParameterError.expected(
                self.kpi_id, "variant", "one of " + ", ".join(repr(x) for x in self.variants), v
            )
        return v


# --------------------------------------------------------------------------------------------
# Column access for kernels
# --------------------------------------------------------------------------------------------


class _Cols:
    """Float arrays of a frame's columns, with contract defaults and empty-value checks."""

    def __init__(self, frame: pd.DataFrame, table: str) -> None:
        self.frame = frame
        self.table = table
        self.n = len(frame)
        self._cache: dict[str, np.ndarray] = {}
        self._contract = TABLES.get(table)

    def has(self, name: str) -> bool:
        return name in self.frame.columns

    def __call__(self, name: str, *, nullable: bool | None = None) -> np.ndarray:
        if name in self._cache:
            return self._cache[name]
        col = None
        if self._contract is not None and name in self._contract.column_names:
            col = self._contract.column(name)
        if name not in self.frame.columns:
            if col is not None and col.default is not None:
                arr = np.full(self.n, float(col.default))
                self._cache[name] = arr
                return arr
            require_columns(self.frame, [name], self.table)
        s = self.frame[name]
        try:
            if pd.api.types.is_bool_dtype(s.dtype) or pd.api.types.is_numeric_dtype(s.dtype):
                arr = s.to_numpy(dtype=float, na_value=np.nan)
            else:
                arr = pd.to_numeric(s.astype(object).where(s.notna(), np.nan)).to_numpy(
                    dtype=float, na_value=np.nan)
        except (TypeError, ValueError):
            raise SchemaError(f"{self.table}.{name} must be numeric or true/false "
                              f"(dtype {s.dtype})", table=self.table, column=name) from None
        is_nullable = (col.nullable if col is not None else False) if nullable is None else nullable
        if not is_nullable:
            bad = np.flatnonzero(np.isnan(arr))
            if bad.size:
                raise SchemaError(
                    f"{self.table}.{name} is empty in {bad.size} row{'s' if bad.size > 1 else ''}, "
                    f"first at rows {bad[:5].tolist()}", table=self.table, column=name,
                    rows=bad[:5].tolist())
        self._cache[name] = arr
        return arr

    def sum(self, names: Sequence[str]) -> np.ndarray:
        out = np.zeros(self.n)
        for name in names:
            out = out + self(name)
        return out


@dataclass
class _ND:
    num: np.ndarray
    den: np.ndarray
    consts: dict[str, np.ndarray] = field(default_factory=dict)
    value_fn: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None


def _f(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=float)


def _match_data_threshold(c: _Cols, column: str, wanted: Any, param: str,
                          kpi_id: str) -> np.ndarray:
    """The data's own threshold column; a requested other threshold cannot be recounted."""
    have = c(column)
    if wanted is not None and have.size and np.any(have != float(wanted)):
        seen = sorted({_num(x) for x in np.unique(have)})
        raise ParameterError(
            f"The {param!r} parameter of {kpi_id} must equal the threshold the data were counted "
            f"at ({c.table}.{column} = {', '.join(seen)} s); the counts cannot be recounted for "
            f"another threshold. Got {wanted!r} instead.", param=param, value=wanted)
    return have


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


# --------------------------------------------------------------------------------------------
# Kernels: (columns, variant, params) -> numerator, denominator
# --------------------------------------------------------------------------------------------


def _offered(c: _Cols, p: Mapping[str, Any]) -> np.ndarray:
    if p["offered_basis"] == "offered_column":
        return c("offered")
    return c("answered") + c("abandoned")


def _short(c: _Cols, p: Mapping[str, Any], kpi_id: str) -> tuple[np.ndarray, np.ndarray]:
    s = _match_data_threshold(c, "short_abandon_s", p["short_abandon_s"], "short_abandon_s", kpi_id)
    return c("abandoned_short"), s


def _k_service_level(c: _Cols, v: str, p: Mapping[str, Any]) -> _ND:
    t = _match_data_threshold(c, "sl_threshold_s", p["threshold_s"], "threshold_s", "service_level")
    ans, awt, abn = c("answered"), c("answered_within_t"), c("abandoned")
    consts = {"sl_threshold_s": t}
    if v in ("v1", "v4", "v5"):
        abn_t = c("abandoned_within_t", nullable=False)
    if v == "default":
        short, s = _short(c, p, "service_level")
        consts["short_abandon_s"] = s
        return _ND(awt, _offered(c, p) - short, consts)
    if v == "v1":
        return _ND(awt + abn_t, ans + abn, consts)
    if v in ("v2", "ans_only"):
        return _ND(awt, ans, consts)
    if v == "v3":
        return _ND(awt, ans + abn, consts)
    if v == "v4":
        return _ND(awt, ans + (abn - abn_t), consts)
    # v5
    short, s = _short(c, p, "service_level")
    consts["short_abandon_s"] = s
    return _ND(awt + abn_t - short, ans + abn - short, consts)


def _k_answer_rate(c: _Cols, v: str, p: Mapping[str, Any]) -> _ND:
    if v == "incl_short":
        return _ND(c("answered"), _offered(c, p))
    short, s = _short(c, p, "answer_rate")
    return _ND(c("answered"), _offered(c, p) - short, {"short_abandon_s": s})


def _k_abandon_rate(c: _Cols, v: str, p: Mapping[str, Any]) -> _ND:
    if v == "incl_short":
        return _ND(c("abandoned"), _offered(c, p))
    short, s = _short(c, p, "abandon_rate")
    return _ND(c("abandoned") - short, _offered(c, p) - short, {"short_abandon_s": s})


def _k_asa(c: _Cols, v: str, p: Mapping[str, Any]) -> _ND:
    return _ND(c("sum_wait_answered_s"), c("answered"))


def _k_abandon_wait(c: _Cols, v: str, p: Mapping[str, Any]) -> _ND:
    wait = c("sum_wait_abandoned_s")
    known = ~np.isnan(wait)  # rows whose ACD did not report abandon wait count in neither sum
    return _ND(np.where(known, wait, 0.0), np.where(known, c("abandoned"), 0.0))


def _k_aht(c: _Cols, v: str, p: Mapping[str, Any]) -> _ND:
    if c.has("sum_talk_s") or not c.has("talk_s"):  # acd_interval (default) …
        parts = ("sum_talk_s", "sum_acw_s") if v == "talk_acw" else (
            "sum_talk_s", "sum_hold_s", "sum_acw_s")
    else:  # … or agent_interval, whose handle columns have no sum_ prefix
        c = _Cols(c.frame, "agent_interval")
        parts = ("talk_s", "acw_s") if v == "talk_acw" else _HANDLE
    return _ND(c.sum(parts), c("handled"))


def _k_occupancy(c: _Cols, v: str, p: Mapping[str, Any]) -> _ND:
    if v == "erlang":
        handle = c.sum(("sum_talk_s", "sum_hold_s", "sum_acw_s"))
        staffed = c("avg_agents_staffed", nullable=False)
        return _ND(handle, staffed * c("interval_min") * 60.0)
    handle = c.sum(_HANDLE)
    if v == "acd_time":
        return _ND(handle, c("login_s"))
    return _ND(handle, handle + c("ready_idle_s"))


def _k_utilisation(c: _Cols, v: str, p: Mapping[str, Any]) -> _ND:
    handle = c.sum(_HANDLE)
    if v == "paid":
        return _ND(handle, c("sched_paid_s"))
    return _ND(handle, c("login_s"))


def _k_shrinkage(c: _Cols, v: str, p: Mapping[str, Any]) -> _ND:
    if v == "aux_login":  # reads agent_interval alone (its aux columns default to 0)
        c = _Cols(c.frame, "agent_interval")
        return _ND(c.sum([f"aux_{a}_s" for a in AUX_STATES]), c("login_s"))
    paid, work, in_work = c("sched_paid_s"), c("sched_work_s"), c("in_adherence_work_s")
    if v == "internal":
        return _ND(paid - work, paid)
    if v == "external":
        return _ND(work - in_work, paid)
    return _ND(paid - in_work, paid)


def _k_adherence(c: _Cols, v: str, p: Mapping[str, Any]) -> _ND:
    keep = c("present_day") if p["present_only"] else np.ones(c.n)
    if v == "work_only":
        return _ND(c("in_adherence_work_s") * keep, c("sched_work_s") * keep)
    return _ND(c("in_adherence_s") * keep, c("sched_adherence_s") * keep)


def _k_conformance(c: _Cols, v: str, p: Mapping[str, Any]) -> _ND:
    return _ND(c("productive_s"), c("sched_work_s"))


def _fa_cols(c: _Cols, p: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    return c(p["forecast_col"]), c(p["actual_col"])


def _k_fc_hit(c: _Cols, v: str, p: Mapping[str, Any]) -> _ND:
    f, a = _fa_cols(c, p)
    valid = a > 0  # |F−A|/A is undefined where nothing happened: such intervals are left out
    hit = valid & (np.abs(f - a) <= p["tol_frac"] * a + 1e-12)
    return _ND(_f(hit), _f(valid))


def _k_fc_wape(c: _Cols, v: str, p: Mapping[str, Any]) -> _ND:
    f, a = _fa_cols(c, p)
    return _ND(np.abs(f - a), a)


def _k_fc_mape(c: _Cols, v: str, p: Mapping[str, Any]) -> _ND:
    f, a = _fa_cols(c, p)
    valid = a > 0
    ape = np.divide(np.abs(f - a), a, out=np.zeros(c.n), where=valid)
    return _ND(ape, _f(valid))


def _k_fc_bias(c: _Cols, v: str, p: Mapping[str, Any]) -> _ND:
    f, a = _fa_cols(c, p)
    return _ND(f - a, a)


def _period_accuracy(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    return 1.0 - np.abs(num - den) / den


def _k_fc_accuracy(c: _Cols, v: str, p: Mapping[str, Any]) -> _ND:
    f, a = _fa_cols(c, p)
    return _ND(f, a, value_fn=_period_accuracy)


def _k_fcr(c: _Cols, v: str, p: Mapping[str, Any]) -> _ND:
    y = c("fcr_yes")
    answered = ~np.isnan(y)
    return _ND(np.where(answered, y, 0.0), _f(answered))


def _question(c: _Cols, p: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    q = c(p["question"])
    valid = ~np.isnan(q)
    return np.where(valid, q, 0.0), _f(valid)


def _k_csat(c: _Cols, v: str, p: Mapping[str, Any]) -> _ND:
    q, valid = _question(c, p)
    return _ND(_f((q >= 4) & (valid > 0)), valid)


def _k_dsat(c: _Cols, v: str, p: Mapping[str, Any]) -> _ND:
    q, valid = _question(c, p)
    return _ND(_f((q <= 2) & (valid > 0)), valid)


def _k_csat_mean(c: _Cols, v: str, p: Mapping[str, Any]) -> _ND:
    q, valid = _question(c, p)
    return _ND(q, valid)


def _k_response_rate(c: _Cols, v: str, p: Mapping[str, Any]) -> _ND:
    require_columns(c.frame, ["responded_at"], c.table)
    responded = c.frame["responded_at"].notna().to_numpy()
    return _ND(_f(responded), np.ones(c.n))


def _k_nps(c: _Cols, v: str, p: Mapping[str, Any]) -> _ND:
    s = c("nps")
    valid = ~np.isnan(s)
    return _ND(_f(valid & (s >= 9)) - _f(valid & (s <= 6)), _f(valid))


def _qa_keep(c: _Cols, p: Mapping[str, Any]) -> np.ndarray:
    c("total_score")  # every evaluation has one: a frame without it is not qa_evaluation
    if p["include_calibration"]:
        return np.ones(c.n)
    return 1.0 - c("is_calibration")


def _k_qa_score(c: _Cols, v: str, p: Mapping[str, Any]) -> _ND:
    keep = _qa_keep(c, p)
    return _ND(c("total_score") * keep, keep)


def _k_qa_pass(c: _Cols, v: str, p: Mapping[str, Any]) -> _ND:
    keep = _qa_keep(c, p)
    return _ND(_f(c("total_score") >= p["pass_mark"]) * keep, keep)


def _k_fatal(c: _Cols, v: str, p: Mapping[str, Any]) -> _ND:
    keep = _qa_keep(c, p)
    return _ND(c("fatal_flag") * keep, keep)


def _per10k(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    return 10_000.0 * num / den


def _k_complaint(c: _Cols, v: str, p: Mapping[str, Any]) -> _ND:
    col = "complaints" if v == "incl_invalid" else "complaints_valid"
    return _ND(c(col), c("handled"), value_fn=_per10k)


def _annual_simple(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    return 12.0 * num / den


def _annual_compound(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    return 1.0 - (1.0 - num / den) ** 12


def _k_attrition(c: _Cols, v: str, p: Mapping[str, Any]) -> _ND:
    leavers = c("leavers")
    avg = (c("hc_start") + c("hc_end")) / 2.0
    if v == "a":
        return _ND(leavers, leavers + c("hc_end"))
    if v == "b":
        return _ND(leavers, c("hc_start"))
    if v == "c":
        return _ND(leavers, c("employed_in_month"))
    if v in ("voluntary", "involuntary"):
        unknown = c("leavers_type_unknown")
        if unknown.sum() > 0:
            warnings.warn(
                f"{int(unknown.sum())} leavers have no leave_type (pass hr_event to "
                "headcount_monthly); they are counted in neither the voluntary nor the "
                "involuntary rate", CcomkitWarning, stacklevel=4)
        return _ND(c(f"leavers_{v}"), avg)
    if v == "new_hire":
        return _ND(c("leavers_new_hire"), (c("hc_new_hire_start") + c("hc_new_hire_end")) / 2.0)
    if v == "tenured":
        new_avg = (c("hc_new_hire_start") + c("hc_new_hire_end")) / 2.0
        return _ND(c("leavers_tenured"), avg - new_avg)
    if v == "annualised":
        return _ND(leavers, avg, value_fn=_annual_simple)
    if v == "annualised_compound":
        return _ND(leavers, avg, value_fn=_annual_compound)
    return _ND(leavers, avg)


def _k_attendance(c: _Cols, v: str, p: Mapping[str, Any]) -> _ND:
    sched = c("scheduled_flag")
    return _ND(sched * c("present_flag"), sched)


def _k_punctuality(c: _Cols, v: str, p: Mapping[str, Any]) -> _ND:
    came = c("scheduled_flag") * c("present_flag")
    late = np.nan_to_num(c("late_min"), nan=0.0) > 0
    if v == "late_or_early":
        late = late | (np.nan_to_num(c("early_leave_min"), nan=0.0) > 0)
    return _ND(came * _f(~late), came)


# --------------------------------------------------------------------------------------------
# Parameters: defaults live on each KPI; rules live here (scikit-learn wording on failure)
# --------------------------------------------------------------------------------------------


def _is_int_in(lo: float, hi: float) -> Callable[[Any], bool]:
    return lambda x: isinstance(x, (int, np.integer)) and not isinstance(x, bool) and lo <= x <= hi


def _is_real_in(lo: float, hi: float, lo_open: bool = False) -> Callable[[Any], bool]:
    def ok(x: Any) -> bool:
        if isinstance(x, bool) or not isinstance(x, (int, float, np.integer, np.floating)):
            return False
        x = float(x)
        return math.isfinite(x) and (lo < x if lo_open else lo <= x) and x <= hi
    return ok


_QUESTIONS = ("q_overall", "q_speed", "q_accuracy", "q_attitude")
_PARAM_RULES: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "own_thresholds": ("a bool", lambda v: isinstance(v, bool)),
    "threshold_s": ("None or an int in [1, 600]", lambda x: x is None or _is_int_in(1, 600)(x)),
    "short_abandon_s": ("None or an int in [0, 120]",
                        lambda x: x is None or _is_int_in(0, 120)(x)),
    "offered_basis": ("one of 'answered_plus_abandoned', 'offered_column'",
                      lambda x: x in ("answered_plus_abandoned", "offered_column")),
    "present_only": ("a bool", lambda x: isinstance(x, (bool, np.bool_))),
    "include_calibration": ("a bool", lambda x: isinstance(x, (bool, np.bool_))),
    "pass_mark": ("a float in [0, 100]", _is_real_in(0, 100)),
    "tol_frac": ("a float in (0, 1]", _is_real_in(0, 1, lo_open=True)),
    "question": ("one of " + ", ".join(repr(q) for q in _QUESTIONS), lambda x: x in _QUESTIONS),
    "forecast_col": ("a column name (str)", lambda x: isinstance(x, str) and bool(x)),
    "actual_col": ("a column name (str)", lambda x: isinstance(x, str) and bool(x)),
}

_SL_PARAMS = {"threshold_s": None, "short_abandon_s": None,
              "offered_basis": "answered_plus_abandoned", "own_thresholds": False}
_SHORT_PARAMS = {"short_abandon_s": None, "offered_basis": "answered_plus_abandoned",
                 "own_thresholds": False}
_FC_PARAMS = {"forecast_col": "forecast", "actual_col": "actual"}
_Q_PARAMS = {"question": "q_overall"}
_QA_PARAMS = {"include_calibration": False}
_OFFERED_NOTE = (" Offered = Ans + Abn by default (offered_basis='answered_plus_abandoned'); "
                 "offered_basis='offered_column' uses the ACD's own offered count (接入量).")

# --------------------------------------------------------------------------------------------
# The dictionary
# --------------------------------------------------------------------------------------------

_DEFS: list[tuple[KPI, Callable[[_Cols, str, Mapping[str, Any]], _ND]]] = [
    (KPI("service_level", "服务水平", "Service level", "frac", "higher", "acd_interval", "default",
         {"default": "Ans≤T / (Offered − ShortAbn), Offered = Ans + Abn",
          "v1": "(Ans≤T + Abn≤T) / (Ans + Abn)",
          "v2": "Ans≤T / Ans (ignores abandons; not recommended)",
          "v3": "Ans≤T / (Ans + Abn)",
          "v4": "Ans≤T / (Ans + Abn>T) (Bright Pattern)",
          "v5": "(Ans≤T + Abn≤T − ShortAbn) / (Ans + Abn − ShortAbn): (1) with a short-abandon "
                "threshold",
          "ans_only": "Ans≤T / Ans (Huawei 20秒内人工接通率; same as v2)"},
         dict(_SL_PARAMS),
         "Share of calls answered within T seconds (X/T). acd_interval counts answered_within_t "
         "and abandoned_within_t at its own sl_threshold_s, and abandoned_short at its own "
         "short_abandon_s: threshold_s / short_abandon_s only confirm those thresholds (another "
         "value raises ParameterError) and a group that mixes thresholds raises too. v1, v4 and "
         "v5 need abandoned_within_t. own_thresholds=True sums rows counted at different "
         "thresholds, each against its own queue's T (a center-wide 'answered within each "
         "queue's target' figure)." + _OFFERED_NOTE,
         "DOMAIN §2.1 [S17][S18][S19][S20][S23]"), _k_service_level),
    (KPI("answer_rate", "接通率", "Answer rate", "frac", "higher", "acd_interval", "default",
         {"default": "Ans / (Offered − ShortAbn)",
          "incl_short": "Ans / Offered (short abandons kept in the denominator)"},
         dict(_SHORT_PARAMS),
         "人工接通率. 呼损率 = 1 − 接通率 (Huawei). System-level 接通率 may include IVR-completed "
         "calls; this one is agent-answered only." + _OFFERED_NOTE,
         "DOMAIN §2.1 [S23][S25]"), _k_answer_rate),
    (KPI("abandon_rate", "放弃率", "Abandon rate", "frac", "lower", "acd_interval", "default",
         {"default": "(Abn − ShortAbn) / (Offered − ShortAbn)",
          "incl_short": "Abn / Offered (Abn / Queued, short abandons included)"},
         dict(_SHORT_PARAMS),
         "Share of queued calls abandoned. With the default basis answer_rate + abandon_rate = 1."
         + _OFFERED_NOTE,
         "DOMAIN §2.1 [S21][S69]"), _k_abandon_rate),
    (KPI("asa_s", "平均应答速度", "Average speed of answer", "s", "lower", "acd_interval",
         "default", {"default": "Σ wait of answered calls / Ans"}, {},
         "Wait includes queue and ring time; abandoned calls are excluded. Vendors differ on "
         "whether timing starts at IVR exit or queue entry: record which.",
         "DOMAIN §2.1 [S26]"), _k_asa),
    (KPI("avg_abandon_wait_s", "平均放弃等待时长", "Average abandon wait", "s", "lower",
         "acd_interval", "default", {"default": "Σ wait of abandoned calls / Abn"}, {},
         "Mean time callers waited before hanging up. Rows whose ACD did not report "
         "sum_wait_abandoned_s count in neither sum.",
         "DOMAIN §2.1"), _k_abandon_wait),
    (KPI("aht_s", "平均处理时长", "Average handle time", "s", "lower", "acd_interval", "default",
         {"default": "(Σtalk + Σhold + ΣACW) / Handled",
          "talk_acw": "(Σtalk + ΣACW) / Handled (Voximplant HT; Avaya 'avg talk' already "
                      "includes hold)"}, {},
         "Reads acd_interval (sum_talk_s, sum_hold_s, sum_acw_s, handled) or, when those are "
         "absent, agent_interval (talk_s, hold_s, acw_s, handled). Lower is cheaper, not always "
         "better: watch FCR and QA alongside.",
         "DOMAIN §2.2 [S26]"), _k_aht),
    (KPI("occupancy", "占用率", "Occupancy", "frac", "higher", "agent_interval", "default",
         {"default": "(talk + hold + ACW) / (talk + hold + ACW + ready idle) (COPC)",
          "acd_time": "(talk + hold + ACW) / login (Avaya % ACD time over staffed time)",
          "erlang": "offered load / agents = Σhandle time / (avg_agents_staffed × interval "
                    "seconds), from acd_interval"}, {},
         "Share of available time spent handling contacts. Higher is better only up to the "
         "85-90 % ceiling: above it agents burn out.",
         "DOMAIN §2.2 [S26][S27][S28][S29]"), _k_occupancy),
    (KPI("utilisation", "工时利用率", "Utilisation", "frac", "higher", "agent_interval", "login",
         {"login": "(talk + hold + ACW) / login (denominator: 签入时长)",
          "paid": "(talk + hold + ACW) / scheduled paid time (adherence_grid.sched_paid_s)"}, {},
         "Productive (contact handling and related work) time over a base time. The denominator "
         "depends on purpose: always state it (the variant).",
         "DOMAIN §2.2 [S27][S30]"), _k_utilisation),
    (KPI("shrinkage", "缩减率", "Shrinkage", "frac", "lower", "adherence_grid", "default",
         {"default": "(paid − min(scheduled work, productive)) / paid = internal + external",
          "internal": "scheduled paid non-work time (breaks, training, meetings, coaching, "
                      "leave) / paid (planned)",
          "external": "(scheduled work − min(scheduled work, productive)) / paid (unplanned: "
                      "absence, lateness, unscheduled aux)",
          "aux_login": "Σ aux / login from agent_interval alone (no absence, no schedule)"}, {},
         "Paid time not available for contacts over paid time, per agent-interval of "
         "adherence_grid; productive = ready idle + talk + hold + ACW. Which activities are "
         "paid is set when the grid is built (PAID_ACTIVITIES, meal unpaid).",
         "DOMAIN §2.2 [S31][S32]"), _k_shrinkage),
    (KPI("adherence", "排班遵从率", "Schedule adherence", "frac", "higher", "adherence_grid",
         "default",
         {"default": "Σ in-adherence / Σ scheduled over work, break, meal, training, meeting, "
                     "coaching and other; in-adherence per agent-interval = min(scheduled work, "
                     "productive) + Σ_a min(scheduled a, aux a)",
          "work_only": "Σ min(scheduled work, productive) / Σ scheduled work"},
         {"present_only": True},
         "Interval-grain approximation (see adherence_grid): the order of states inside an "
         "interval is unknown, so min(scheduled, actual) per interval is an upper bound of "
         "event-level adherence, and the 2-minute grace per activity is not applied. With "
         "present_only (default) agent-days without any login are left out (counted only while "
         "present; absence belongs to attendance and shrinkage).",
         "DOMAIN §2.2 [S33][S35]"), _k_adherence),
    (KPI("conformance", "班表符合率", "Schedule conformance", "frac", "higher", "adherence_grid",
         "default", {"default": "Σ productive (ready idle + talk + hold + ACW) / Σ scheduled work"},
         {},
         "Worked productive time against scheduled work time, wherever it fell (can exceed 1 "
         "with overtime). Also called compliance.",
         "DOMAIN §2.2 [S33][S34][S36]"), _k_conformance),
    (KPI("forecast_hit_rate", "时段预测达标率", "Interval forecast hit rate", "frac", "higher",
         "forecast", "default", {"default": "#intervals with |F − A| / A ≤ tol ÷ #intervals"},
         {**_FC_PARAMS, "tol_frac": 0.05},
         "The headline forecast measure: share of input rows (intervals) within ±tol_frac "
         "(Chinese practice ±5 %). Intervals with A = 0 are left out of both counts.",
         "DOMAIN §2.3 [S37][S38]"), _k_fc_hit),
    (KPI("forecast_wape", "加权平均绝对百分比误差", "WAPE", "frac", "lower", "forecast",
         "default", {"default": "Σ|F − A| / ΣA"}, dict(_FC_PARAMS),
         "Volume-weighted error, fairer than MAPE.", "DOMAIN §2.3 [S40]"), _k_fc_wape),
    (KPI("forecast_mape", "平均绝对百分比误差", "MAPE", "frac", "lower", "forecast", "default",
         {"default": "mean(|F − A| / A) over rows with A > 0"}, dict(_FC_PARAMS),
         "Blows up on small intervals. Lewis scale: < 10 % high, 10-20 % good, 20-50 % "
         "reasonable, > 50 % weak.", "DOMAIN §2.3 [S40][S42]"), _k_fc_mape),
    (KPI("forecast_bias", "预测偏差", "Forecast bias", "frac", "lower", "forecast", "default",
         {"default": "Σ(F − A) / ΣA"}, dict(_FC_PARAMS),
         "Direction of error (> 0 over-forecast). Better means closer to 0.",
         "DOMAIN §2.3 [S40]"), _k_fc_bias),
    (KPI("forecast_accuracy", "预测准确率", "Forecast accuracy (period)", "frac", "higher",
         "forecast", "default", {"default": "1 − |ΣF − ΣA| / ΣA over the output period"},
         dict(_FC_PARAMS),
         "Day/week/month accuracy. numerator = ΣF, denominator = ΣA and value = 1 − |num − den| "
         "/ den. It masks interval error: report it with the hit rate.",
         "DOMAIN §2.3 [S37][S41]"), _k_fc_accuracy),
    (KPI("fcr", "首次解决率", "First contact resolution", "frac", "higher", "csat_response",
         "default", {"default": "fcr_yes = yes ÷ responses to the FCR question (survey FCR)"}, {},
         "Survey FCR. Internal FCR (repeat contacts within N days) needs a contact_reason "
         "table, which the workspace does not hold yet.", "DOMAIN §2.4 [S43][S44]"), _k_fcr),
    (KPI("csat", "满意率", "Customer satisfaction (top-2-box)", "frac", "higher", "csat_response",
         "default", {"default": "responses scoring 4-5 ÷ valid responses (5-point scale)"},
         dict(_Q_PARAMS), "question chooses q_overall (default), q_speed, q_accuracy or "
         "q_attitude.", "DOMAIN §2.4 [S73]"), _k_csat),
    (KPI("dsat", "不满意率", "Dissatisfaction (bottom-2-box)", "frac", "lower", "csat_response",
         "default", {"default": "responses scoring 1-2 ÷ valid responses"}, dict(_Q_PARAMS),
         "Drives complaint follow-up.", "DOMAIN §2.4"), _k_dsat),
    (KPI("csat_mean", "满意度均分", "Mean satisfaction score", "score_1_5", "higher",
         "csat_response", "default", {"default": "Σ score ÷ valid responses"}, dict(_Q_PARAMS),
         "Mean of a 1-5 question.", "DOMAIN §2.4"), _k_csat_mean),
    (KPI("response_rate", "参评率", "Survey response rate", "frac", "higher", "csat_response",
         "default", {"default": "responses (responded_at given) ÷ invitations"}, {},
         "One row of csat_response is one invitation.", "DOMAIN §2.4"), _k_response_rate),
    (KPI("nps", "净推荐值", "Net promoter score", "nps", "higher", "csat_response", "default",
         {"default": "(promoters 9-10 − detractors 0-6) ÷ NPS responses"}, {},
         "value is a fraction in −1..1 (numerator = promoters − detractors, denominator = "
         "responses); format_value shows it ×100 as NPS points (−100..+100).",
         "DOMAIN §2.4 [S46]"), _k_nps),
    (KPI("qa_score", "质检得分", "QA score", "points", "higher", "qa_evaluation", "default",
         {"default": "Σ total_score ÷ evaluations (100 − Σ deductions; fatal error = 0)"},
         dict(_QA_PARAMS), "Calibration samples are left out unless include_calibration.",
         "DOMAIN §2.4, §4.2"), _k_qa_score),
    (KPI("qa_pass_rate", "质检合格率", "QA pass rate", "frac", "higher", "qa_evaluation",
         "default", {"default": "evaluations with total_score ≥ pass_mark ÷ evaluations"},
         {**_QA_PARAMS, "pass_mark": 80.0}, "pass_mark defaults to 80 points.",
         "DOMAIN §2.4"), _k_qa_pass),
    (KPI("fatal_rate", "致命错误率", "Fatal error rate", "frac", "lower", "qa_evaluation",
         "default", {"default": "evaluations with a fatal (red-line) error ÷ evaluations"},
         dict(_QA_PARAMS), "Customer-, business- or compliance-critical errors.",
         "DOMAIN §2.4, §1.3"), _k_fatal),
    (KPI("complaint_rate_per10k", "投诉率(万分比)", "Complaint rate per 10,000 contacts",
         "per10k", "lower", "complaint_contacts", "default",
         {"default": "valid complaints ÷ handled contacts × 10,000",
          "incl_invalid": "all complaints, valid or not ÷ handled contacts × 10,000"}, {},
         "Reads complaint_contacts(complaint, contacts): numerator = complaints, denominator = "
         "handled contacts, value = 10,000 × numerator / denominator.",
         "DOMAIN §2.4 [inferred unit]"), _k_complaint),
    (KPI("attrition", "流失率", "Attrition (monthly)", "frac", "lower", "headcount_monthly",
         "default",
         {"default": "leavers ÷ ((HC_start + HC_end) / 2)",
          "a": "leavers ÷ (leavers + HC_end) (Chinese HR variant)",
          "b": "leavers ÷ HC_start",
          "c": "leavers ÷ all people employed in the month",
          "voluntary": "voluntary leavers ÷ ((HC_start + HC_end) / 2)",
          "involuntary": "involuntary leavers ÷ ((HC_start + HC_end) / 2)",
          "new_hire": "leavers with < 90 days tenure ÷ average new-hire HC",
          "tenured": "leavers with ≥ 90 days tenure ÷ average tenured HC",
          "annualised": "12 × Σ leavers ÷ Σ monthly average HC: over 12 months = Σ12 leavers ÷ "
                        "mean(monthly avg HC) (actual); over fewer = mean monthly rate × 12 "
                        "(simple projection)",
          "annualised_compound": "1 − (1 − m)^12 with m = Σ leavers ÷ Σ monthly average HC"},
         {},
         "Reads headcount_monthly(agent_dim). Summed over several months, the monthly variants "
         "give the HC-weighted mean monthly rate Σleavers / ΣHC. The monthly rate m of the "
         "annualised variants is HC-weighted too (never an average of percentages).",
         "DOMAIN §2.4, §5.3 [S55][S56][S57]"), _k_attrition),
    (KPI("attendance", "出勤率", "Attendance", "frac", "higher", "attendance", "default",
         {"default": "scheduled days attended ÷ scheduled days"}, {},
         "Unplanned absence rate = 1 − attendance. Hours-based attendance needs the schedule "
         "(see adherence_grid).", "DOMAIN §2.4"), _k_attendance),
    (KPI("punctuality", "准点率", "Punctuality", "frac", "higher", "attendance", "default",
         {"default": "attended scheduled days without lateness ÷ attended scheduled days",
          "late_or_early": "attended scheduled days without lateness or early leave ÷ attended "
                           "scheduled days"}, {},
         "Kept separate from attendance.", "DOMAIN §2.4"), _k_punctuality),
]

KPIS: dict[str, KPI] = {k.kpi_id: k for k, _ in _DEFS}
"""Every KPI of the dictionary by id."""

_KERNELS: dict[str, Callable[[_Cols, str, Mapping[str, Any]], _ND]] = {
    k.kpi_id: fn for k, fn in _DEFS
}


def dictionary() -> pd.DataFrame:
    """The KPI dictionary as a table: one row per KPI × variant.

    Returns
    -------
    DataFrame
        Columns ``kpi_id``, ``variant``, ``is_default``, ``name_zh``, ``name_en``, ``unit``,
        ``better``, ``source_table``, ``formula``, ``params`` (defaults as text),
        ``description``, ``source``.

    Examples
    --------
    >>> from ccomkit.kpi import dictionary
    >>> d = dictionary()
    >>> d.loc[d.kpi_id == "service_level", "variant"].tolist()
    ['default', 'v1', 'v2', 'v3', 'v4', 'v5', 'ans_only']
    >>> d.loc[(d.kpi_id == "aht_s") & d.is_default, ["name_zh", "unit", "better"]].values.tolist()
    [['平均处理时长', 's', 'lower']]
    """
    rows = []
    for k in KPIS.values():
        for v, formula in k.variants.items():
            rows.append({
                "kpi_id": k.kpi_id, "variant": v, "is_default": v == k.default_variant,
                "name_zh": k.name_zh, "name_en": k.name_en, "unit": k.unit, "better": k.better,
                "source_table": k.source_table, "formula": formula,
                "params": ", ".join(f"{n}={d!r}" for n, d in k.params.items()),
                "description": k.description, "source": k.source,
            })
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# compute
# --------------------------------------------------------------------------------------------


def _as_list(x: str | Sequence[str] | None) -> list[str]:
    if x is None:
        return []
    if isinstance(x, str):
        return [x]
    return list(x)


def _resolve_variants(kpi_ids: list[str],
                      variants: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    variants = dict(variants or {})
    unknown = [k for k in variants if k not in kpi_ids]
    if unknown:
        raise ParameterError.expected(
            "compute", "variants", "a mapping from requested KPI ids (" + ", ".join(kpi_ids)
            + ") to variant ids", unknown[0])
    out = []
    for kid in kpi_ids:
        kpi = KPIS[kid]
        want = variants.get(kid)
        if want is None:
            vs = [kpi.default_variant]
        elif isinstance(want, str) and want == "all":
            vs = list(kpi.variants)
        else:
            vs = _as_list(want)
        for v in vs:
            out.append((kid, kpi._check_variant(v)))
    return out


def _resolve_params(kpi_ids: list[str],
                    params: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    params = dict(params or {})
    resolved = {kid: dict(KPIS[kid].params) for kid in kpi_ids}
    for name, val in params.items():
        if name in KPIS:
            if name not in kpi_ids:
                raise ParameterError.expected("compute", "params", "parameters of the requested "
                                              "KPIs", name)
            if not isinstance(val, Mapping):
                raise ParameterError.expected("compute", "params", f"a dict for KPI {name!r}", val)
            for pname, pval in val.items():
                if pname not in resolved[name]:
                    raise ParameterError.expected(
                        name, "params", "one of " + (", ".join(repr(x) for x in resolved[name])
                                                     or "no parameters"), pname)
                resolved[name][pname] = pval
            continue
        owners = [kid for kid in kpi_ids if name in resolved[kid]]
        if not owners:
            declared = sorted({p for kid in kpi_ids for p in resolved[kid]})
            raise ParameterError.expected(
                "compute", "params", "parameters the requested KPIs declare ("
                + (", ".join(declared) or "none") + ")", name)
        for kid in owners:
            resolved[kid][name] = val
    for kid, ps in resolved.items():
        for pname, pval in ps.items():
            expectation, ok = _PARAM_RULES[pname]
            if not ok(pval):
                raise ParameterError.expected(kid, pname, expectation, pval)
    return resolved


def _period(t: pd.Series, freq: str) -> np.ndarray:
    """Label each timestamp by the first instant of its ``freq`` bucket (vectorised)."""
    if not pd.api.types.is_datetime64_any_dtype(t.dtype):
        try:
            t = pd.to_datetime(t)
        except (TypeError, ValueError):
            raise SchemaError(f"column {t.name!r} must hold date-times to bucket by freq",
                              column=str(t.name)) from None
    if isinstance(t.dtype, pd.DatetimeTZDtype):
        t = t.dt.tz_convert("Asia/Shanghai").dt.tz_localize(None)  # local, like the contracts
    v = t.to_numpy(dtype="datetime64[us]")
    if freq == "interval":
        return v
    if freq == "D":
        out = v.astype("datetime64[D]")
    elif freq == "W":
        days = v.astype("datetime64[D]")
        dow = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
        out = days - dow.astype("timedelta64[D]")
        out[np.isnat(days)] = np.datetime64("NaT")
    elif freq == "M":
        out = v.astype("datetime64[M]")
    elif freq == "Q":
        m = v.astype("datetime64[M]")
        mi = m.astype(np.int64)
        out = (mi - mi % 3).astype("datetime64[M]")
        out[np.isnat(m)] = np.datetime64("NaT")
    else:
        out = v.astype("datetime64[Y]")
    return out.astype("datetime64[us]")


def compute(
    frame: pd.DataFrame,
    kpis: str | Sequence[str],
    by: str | Sequence[str] = (),
    *,
    freq: Freq | None = None,
    time_col: str | None = None,
    variants: Mapping[str, str | Sequence[str]] | None = None,
    params: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Compute KPIs at any grain by summing numerators and denominators.

    Parameters
    ----------
    frame : DataFrame
        Rows of the KPIs' ``source_table`` (or a frame holding the columns they need). Not
        modified.
    kpis : str or sequence of str
        KPI ids from :data:`KPIS`.
    by : str or sequence of str, default ()
        Columns to group by (``queue_id``, ``agent_id``, ``team_id`` …). Empty: one total.
    freq : {'interval', 'D', 'W', 'M', 'Q', 'Y'}, optional
        Also bucket ``time_col`` into periods (weeks start on Monday), labelled ``period`` by the
        first instant of the bucket. ``'interval'`` keeps the timestamps as they are.
    time_col : str, optional
        Column to bucket; default the source table's time column (``interval_start``,
        ``invited_at``, ``eval_date``, ``work_date``, ``month``, ``ts``).
    variants : mapping, optional
        KPI id → a variant id, a list of them, or ``'all'``. Default: each KPI's default.
    params : mapping, optional
        Parameter name → value, applied to every requested KPI that declares it
        (``{'threshold_s': 20, 'pass_mark': 85}``), or KPI id → dict of its parameters.

    Returns
    -------
    DataFrame
        One row per group × (period) × KPI × variant: the ``by`` columns, ``period`` (when
        ``freq``), ``kpi_id``, ``variant``, ``numerator``, ``denominator``, ``value``, ``unit``.
        ``value`` is ``numerator / denominator`` (×10,000 for ``per10k``; see the KPI's formula
        for the few others) and NaN where the denominator is 0, never inf.

    Raises
    ------
    SchemaError
        A column the KPIs, ``by`` or ``time_col`` need is missing (the error names it), or a
        required column holds empty values.
    ParameterError
        Unknown KPI, variant, parameter or freq; a parameter out of range; a threshold other
        than the one the data were counted at; or an output group that mixes thresholds.

    Examples
    --------
    Two intervals of one queue. The day's service level is Σ answered within T over Σ
    (answered + abandoned − short abandons) = (8 + 72) / ((10 − 0) + (100 − 0)) = 80/110,
    not the mean of the interval rates (0.8 and 0.72 → 0.76):

    >>> import pandas as pd
    >>> from ccomkit.kpi import compute
    >>> acd = pd.DataFrame({
    ...     "interval_start": pd.to_datetime(["2026-03-02 09:00", "2026-03-02 09:30"]),
    ...     "queue_id": ["billing", "billing"],
    ...     "offered": [10, 100], "answered": [9, 90], "answered_within_t": [8, 72],
    ...     "abandoned": [1, 10], "abandoned_short": [0, 0], "handled": [9, 90],
    ...     "sum_wait_answered_s": [45.0, 900.0], "sum_talk_s": [1800.0, 18000.0],
    ... })
    >>> out = compute(acd, ["service_level", "asa_s"], by="queue_id", freq="D")
    >>> cols = ["queue_id", "period", "kpi_id", "numerator", "denominator", "value"]
    >>> out[cols].round({"value": 4})
      queue_id     period         kpi_id  numerator  denominator   value
    0  billing 2026-03-02  service_level       80.0        110.0  0.7273
    1  billing 2026-03-02          asa_s      945.0         99.0  9.5455
    >>> both = compute(acd, "service_level", variants={"service_level": ["v2", "v3"]})
    >>> both.value.round(4).tolist()
    [0.8081, 0.7273]
    """
    if not isinstance(frame, pd.DataFrame):
        raise ParameterError.expected("compute", "frame", "a pandas DataFrame",
                                      type(frame).__name__)
    kpi_ids = _as_list(kpis)
    if not kpi_ids:
        raise ParameterError.expected("compute", "kpis", "at least one KPI id", kpis)
    for kid in kpi_ids:
        if kid not in KPIS:
            raise ParameterError.expected("compute", "kpis", "KPI ids from ccomkit.kpi.KPIS ("
                                          + ", ".join(KPIS) + ")", kid)
    if len(set(kpi_ids)) != len(kpi_ids):
        raise ParameterError.expected("compute", "kpis", "KPI ids without repeats", kpis)
    if freq is not None and freq not in FREQS:
        raise ParameterError.expected("compute", "freq", "None or one of "
                                      + ", ".join(repr(f) for f in FREQS), freq)
    by_cols = _as_list(by)
    selection = _resolve_variants(kpi_ids, variants)
    resolved = _resolve_params(kpi_ids, params)
    table = KPIS[kpi_ids[0]].source_table
    require_columns(frame, by_cols, table)

    keys: dict[str, Any] = {b: frame[b].to_numpy() for b in by_cols}
    if freq is not None:
        if time_col is None:
            cols = {KPIS[k].time_col for k in kpi_ids}
            if len(cols) > 1:
                raise ParameterError.expected(
                    "compute", "time_col", "given when the KPIs' tables keep time in different "
                    "columns (" + ", ".join(sorted(cols)) + ")", time_col)
            time_col = cols.pop()
        require_columns(frame, [time_col], table)
        if "period" in keys:
            raise ParameterError.expected("compute", "by", "columns other than 'period' when "
                                          "freq is given", by_cols)
        keys["period"] = _period(frame[time_col], freq)

    columns: dict[str, np.ndarray] = {}
    post: list[Callable[[np.ndarray, np.ndarray], np.ndarray] | None] = []
    consts: list[tuple[str, str, np.ndarray]] = []
    cache: dict[str, _Cols] = {}
    for i, (kid, v) in enumerate(selection):
        kpi = KPIS[kid]
        c = cache.setdefault(kpi.source_table, _Cols(frame, kpi.source_table))
        try:
            nd = _KERNELS[kid](c, v, resolved[kid])
        except SchemaError as e:
            raise SchemaError(f"{e} (needed by KPI {kid!r}, variant {v!r})", table=e.table,
                              column=e.column, rows=e.rows) from None
        columns[f"n{i}"] = np.broadcast_to(_f(nd.num), (len(frame),))
        columns[f"d{i}"] = np.broadcast_to(_f(nd.den), (len(frame),))
        post.append(nd.value_fn)
        if not resolved[kid].get("own_thresholds", False):
            # own_thresholds=True: each row counts against its own queue's threshold (a center
            # figure across queues with different T, stated as such); otherwise groups must not mix.
            consts.extend((kid, name, arr) for name, arr in nd.consts.items())

    key_names = list(keys)
    work = pd.DataFrame({**keys, **columns}, copy=False)
    _check_constant_within_groups(work, key_names, consts, table)
    num_cols = list(columns)
    if key_names:
        agg = work.groupby(key_names, sort=True, dropna=False, observed=True)[num_cols].sum()
        agg = agg.reset_index()
    else:
        agg = work[num_cols].sum().to_frame().T

    blocks = []
    for i, (kid, v) in enumerate(selection):
        num = agg[f"n{i}"].to_numpy(dtype=float)
        den = agg[f"d{i}"].to_numpy(dtype=float)
        block = agg[key_names].copy() if key_names else pd.DataFrame(index=range(len(agg)))
        block["kpi_id"] = kid
        block["variant"] = v
        block["numerator"] = num
        block["denominator"] = den
        block["value"] = _value(num, den, post[i])
        block["unit"] = KPIS[kid].unit
        blocks.append(block)
    out = pd.concat(blocks, ignore_index=True)
    for b in by_cols:  # keep the caller's dtypes (groupby returns object for some)
        if out[b].dtype != frame[b].dtype:
            try:
                out[b] = out[b].astype(frame[b].dtype)
            except (TypeError, ValueError):  # pragma: no cover - keep what groupby returned
                pass
    return out


def _value(num: np.ndarray, den: np.ndarray,
           fn: Callable[[np.ndarray, np.ndarray], np.ndarray] | None) -> np.ndarray:
    ok = den != 0
    out = np.full(num.shape, np.nan)
    if fn is None:
        np.divide(num, den, out=out, where=ok)
    elif ok.any():
        out[ok] = fn(num[ok], den[ok])
    return out


def _check_constant_within_groups(work: pd.DataFrame, key_names: list[str],
                                  consts: list[tuple[str, str, np.ndarray]], table: str) -> None:
    """Counts taken at different thresholds must not be summed into one group."""
    seen: set[str] = set()
    for kid, name, arr in consts:
        if name in seen or arr.size == 0:
            continue
        seen.add(name)
        lo, hi = np.nanmin(arr), np.nanmax(arr)
        if lo == hi:
            continue
        if key_names:
            g = pd.DataFrame({**{k: work[k] for k in key_names}, name: arr})
            n = g.groupby(key_names, dropna=False, observed=True)[name].nunique()
            if (n <= 1).all():
                continue
        values = ", ".join(_num(x) for x in np.unique(arr))
        raise ParameterError(
            f"The 'by' parameter of compute must separate rows counted at different thresholds: "
            f"{table}.{name} takes the values {values} s within one output group of {kid}. Add "
            f"the column that tells them apart (e.g. queue_id) to by, or filter the frame. "
            f"Got {key_names or '()'} instead.", param="by", value=key_names)


# --------------------------------------------------------------------------------------------
# Forecast accuracy
# --------------------------------------------------------------------------------------------

FORECAST_KPIS: tuple[str, ...] = ("forecast_hit_rate", "forecast_wape", "forecast_mape",
                                  "forecast_bias", "forecast_accuracy")


def forecast_accuracy(
    frame: pd.DataFrame,
    by: str | Sequence[str] = (),
    freq: Freq | None = "D",
    *,
    tol_frac: float = 0.05,
    forecast_col: str = "forecast",
    actual_col: str = "actual",
    time_col: str = "interval_start",
) -> pd.DataFrame:
    """All forecast-accuracy measures of DOMAIN.md §2.3 for interval rows of forecast vs actual.

    Parameters
    ----------
    frame : DataFrame
        One row per interval (× queue …) with ``forecast_col`` and ``actual_col`` (volume, AHT
        or workload; the same unit). Not modified.
    by : str or sequence of str, default ()
        Group columns.
    freq : {'interval', 'D', 'W', 'M', 'Q', 'Y'} or None, default 'D'
        Period of the result (the hit rate is the share of the period's intervals that hit).
    tol_frac : float, default 0.05
        Hit tolerance: an interval hits when ``|F − A| / A ≤ tol_frac``.
    forecast_col, actual_col, time_col : str
        Column names.

    Returns
    -------
    DataFrame
        :func:`compute`'s tidy layout for ``forecast_hit_rate``, ``forecast_wape``,
        ``forecast_mape``, ``forecast_bias`` and ``forecast_accuracy`` (1 − |ΣF − ΣA| / ΣA).

    Examples
    --------
    Three intervals, A = 100, 50, 0 and F = 104, 60, 5. Hits at ±5 %: |4|/100 = 0.04 yes,
    10/50 = 0.2 no, A = 0 left out → 1/2. WAPE = (4 + 10 + 5) / 150. Day accuracy =
    1 − |169 − 150| / 150:

    >>> import pandas as pd
    >>> from ccomkit.kpi import forecast_accuracy
    >>> fc = pd.DataFrame({"interval_start": pd.date_range("2026-03-02 09:00", periods=3,
    ...                                                    freq="30min"),
    ...                    "forecast": [104.0, 60.0, 5.0], "actual": [100.0, 50.0, 0.0]})
    >>> forecast_accuracy(fc)[["kpi_id", "value"]].round(4)
                  kpi_id   value
    0  forecast_hit_rate  0.5000
    1      forecast_wape  0.1267
    2      forecast_mape  0.1200
    3      forecast_bias  0.1267
    4  forecast_accuracy  0.8733
    """
    return compute(frame, list(FORECAST_KPIS), by, freq=freq, time_col=time_col,
                   params={"tol_frac": tol_frac, "forecast_col": forecast_col,
                           "actual_col": actual_col})


# --------------------------------------------------------------------------------------------
# Schedule onto the agent_interval grid; adherence
# --------------------------------------------------------------------------------------------


def _to_us(s: pd.Series, table: str) -> np.ndarray:
    try:
        t = s if pd.api.types.is_datetime64_any_dtype(s.dtype) else pd.to_datetime(s)
    except (TypeError, ValueError):
        raise SchemaError(f"{table}.{s.name} must hold date-times", table=table,
                          column=str(s.name)) from None
    if isinstance(t.dtype, pd.DatetimeTZDtype):
        t = t.dt.tz_convert("Asia/Shanghai").dt.tz_localize(None)
    v = t.to_numpy(dtype="datetime64[us]")
    bad = np.flatnonzero(np.isnat(v))
    if bad.size:
        raise SchemaError(f"{table}.{s.name} is empty in {bad.size} rows, first at rows "
                          f"{bad[:5].tolist()}", table=table, column=str(s.name),
                          rows=bad[:5].tolist())
    return v


def schedule_grid(
    schedule: pd.DataFrame,
    interval_min: int = 30,
    *,
    version: str = "published",
    paid_activities: Sequence[str] = PAID_ACTIVITIES,
) -> pd.DataFrame:
    """Spread schedule segments onto an interval grid: scheduled seconds per activity.

    Parameters
    ----------
    schedule : DataFrame
        The ``schedule`` table (agent_id, start_at, end_at, activity; schedule_version). Not
        modified.
    interval_min : int, default 30
        Grid interval length in minutes (5, 10, 15, 30 or 60).
    version : str, default 'published'
        Which ``schedule_version`` to use (ignored when the column is absent).
    paid_activities : sequence of str, default PAID_ACTIVITIES
        Activities counted in ``sched_paid_s`` (``work`` always is).

    Returns
    -------
    DataFrame
        One row per agent × interval touched by the schedule: ``agent_id``, ``interval_start``,
        ``sched_<activity>_s`` for every activity of the contract, ``sched_paid_s``.

    Examples
    --------
    A 09:10-10:00 work segment and a 10:00-10:15 break on a 30-minute grid:

    >>> import pandas as pd
    >>> from ccomkit.kpi import schedule_grid
    >>> s = pd.DataFrame({"agent_id": ["A1", "A1"],
    ...                   "start_at": pd.to_datetime(["2026-03-02 09:10", "2026-03-02 10:00"]),
    ...                   "end_at": pd.to_datetime(["2026-03-02 10:00", "2026-03-02 10:15"]),
    ...                   "activity": ["work", "break"]})
    >>> schedule_grid(s)[["interval_start", "sched_work_s", "sched_break_s", "sched_paid_s"]]
           interval_start  sched_work_s  sched_break_s  sched_paid_s
    0 2026-03-02 09:00:00        1200.0            0.0        1200.0
    1 2026-03-02 09:30:00        1800.0            0.0        1800.0
    2 2026-03-02 10:00:00           0.0          900.0         900.0
    """
    agent, ist, act, secs = _schedule_segments(schedule, interval_min, version, paid_activities)
    (inv,), u_agent, u_ist, _codes = _union_keys([agent], [ist], interval_min)
    return _schedule_columns(pd.DataFrame({"agent_id": u_agent,
                                           "interval_start": u_ist.astype("datetime64[us]")}),
                             inv, act, secs, len(u_agent), paid_activities)


def _schedule_segments(schedule: pd.DataFrame, interval_min: int, version: str,
                       paid_activities: Sequence[str]
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Cut schedule segments at interval boundaries: agent, interval start (µs), activity code,
    seconds, one entry per segment × interval it touches (vectorised, no loop per segment)."""
    if interval_min not in (5, 10, 15, 30, 60):
        raise ParameterError.expected("schedule_grid", "interval_min", "one of 5, 10, 15, 30, 60",
                                      interval_min)
    bad = [a for a in paid_activities if a not in ACTIVITIES]
    if bad:
        raise ParameterError.expected("schedule_grid", "paid_activities", "activities from "
                                      + ", ".join(ACTIVITIES), bad[0])
    require_columns(schedule, ["agent_id", "start_at", "end_at"], "schedule")
    sched = schedule
    if "schedule_version" in sched.columns:
        mask = (sched["schedule_version"] == version).to_numpy()
        if not mask.any() and len(sched):
            raise ParameterError.expected(
                "schedule_grid", "version", "a schedule_version present in the schedule ("
                + ", ".join(map(str, pd.unique(sched["schedule_version"]))) + ")", version)
        sched = sched.loc[mask]
    if "activity" in sched.columns:
        act_codes = pd.Categorical(sched["activity"], categories=list(ACTIVITIES)).codes
        if (act_codes < 0).any():
            first_bad = sched["activity"].to_numpy()[np.flatnonzero(act_codes < 0)[0]]
            raise SchemaError(f"schedule.activity must be one of {', '.join(ACTIVITIES)}: got "
                              f"{first_bad!r}", table="schedule", column="activity")
    else:
        act_codes = np.zeros(len(sched), dtype=np.int8)  # work
    start = _to_us(sched["start_at"], "schedule").astype(np.int64)
    end = _to_us(sched["end_at"], "schedule").astype(np.int64)
    if np.any(end <= start):
        rows = np.flatnonzero(end <= start)[:5].tolist()
        raise SchemaError(f"schedule.end_at must be after start_at, first at rows {rows}",
                          table="schedule", column="end_at", rows=rows)
    step = interval_min * 60 * 1_000_000  # µs
    first = start - start % step
    last = (end - 1) - (end - 1) % step
    k = (last - first) // step + 1
    seg = np.repeat(np.arange(len(start)), k)
    offset = np.arange(k.sum()) - np.repeat(np.cumsum(k) - k, k)
    ist = first[seg] + offset * step
    secs = (np.minimum(end[seg], ist + step) - np.maximum(start[seg], ist)) / 1e6
    return sched["agent_id"].to_numpy()[seg], ist, np.asarray(act_codes)[seg], secs


def _union_keys(agents: list[np.ndarray], ists: list[np.ndarray], interval_min: int
                ) -> tuple[list[np.ndarray], np.ndarray, np.ndarray, np.ndarray]:
    """Sorted union of (agent, interval start µs) keys of several frames, as integers.

    Returns the position of every input row in the union, the union's agents and interval
    starts, and the union's agent codes (sorted agent order)."""
    step = interval_min * 60 * 1_000_000
    all_ist = np.concatenate(ists) if ists else np.zeros(0, dtype=np.int64)
    codes, uniq = pd.factorize(np.concatenate(agents), sort=True)
    if all_ist.size == 0:
        return ([np.zeros(0, dtype=np.int64) for _ in agents], np.asarray(uniq, dtype=object),
                np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    t0 = all_ist.min()
    idx = (all_ist - t0) // step
    width = int(idx.max()) + 1
    key = codes.astype(np.int64) * width + idx
    ukey, inv = np.unique(key, return_inverse=True)
    bounds = np.cumsum([0] + [len(a) for a in agents])
    parts = [inv[bounds[i]:bounds[i + 1]] for i in range(len(agents))]
    u_codes = ukey // width
    return parts, np.asarray(uniq, dtype=object)[u_codes], t0 + (ukey % width) * step, u_codes


def _schedule_columns(out: pd.DataFrame, inv: np.ndarray, act: np.ndarray, secs: np.ndarray,
                      n: int, paid_activities: Sequence[str]) -> pd.DataFrame:
    paid = set(paid_activities) | {"work"}
    total = np.zeros(n)
    for i, a in enumerate(ACTIVITIES):
        col = np.bincount(inv, weights=np.where(act == i, secs, 0.0), minlength=n)
        out[f"sched_{a}_s"] = col
        if a in paid:
            total = total + col
    out["sched_paid_s"] = total
    return out


def adherence_grid(
    agent_interval: pd.DataFrame,
    schedule: pd.DataFrame,
    *,
    version: str = "published",
    paid_activities: Sequence[str] = PAID_ACTIVITIES,
) -> pd.DataFrame:
    """Scheduled versus actual seconds per agent-interval: the frame of adherence, conformance,
    shrinkage and paid utilisation.

    The schedule is spread onto agent_interval's grid (:func:`schedule_grid`) and outer-joined
    with it (intervals scheduled but never logged in, and logged in but not scheduled, both
    count). Per agent-interval:

    - ``productive_s`` = ready idle + talk + hold + ACW (available for contacts);
    - ``in_adherence_work_s`` = min(sched_work_s, productive_s);
    - ``in_adherence_s`` = in_adherence_work_s + Σ_a min(sched_a_s, aux_a_s) for a in break, meal,
      training, meeting, coaching, other;
    - ``sched_adherence_s`` = scheduled seconds of those activities plus work (leave has no
      matching agent state and is left out);
    - ``present_day`` = the agent logged in at some time that calendar day.

    **Approximation.** agent_interval holds seconds per state, not their order: within one
    interval an agent scheduled 20 min work + 10 min break who took the break at the wrong time
    still counts as adherent. Interval-grain adherence is therefore an upper bound of
    event-level adherence (finer intervals tighten it), and the usual 2-minute grace per
    activity is not applied.

    Parameters
    ----------
    agent_interval : DataFrame
        The ``agent_interval`` table (one interval length). Not modified.
    schedule : DataFrame
        The ``schedule`` table. Not modified.
    version : str, default 'published'
        ``schedule_version`` to compare with.
    paid_activities : sequence of str, default PAID_ACTIVITIES
        Activities counted as paid time.

    Returns
    -------
    DataFrame
        ``agent_id``, ``interval_start``, ``interval_min``, ``queue_id`` (from agent_interval),
        the agent_interval state columns (0 where absent), the ``sched_*_s`` columns, and
        ``productive_s``, ``in_adherence_work_s``, ``in_adherence_s``, ``sched_adherence_s``,
        ``present_day``.

    Examples
    --------
    One agent scheduled 09:00-10:00 work; logged in 09:00-09:30 only (1500 s ready/talk, 300 s
    break): in-adherence = min(1800, 1500) + min(0, 300) = 1500 s of 3600 s scheduled:

    >>> import pandas as pd
    >>> from ccomkit.kpi import adherence_grid, compute
    >>> ai = pd.DataFrame({"agent_id": ["A1"],
    ...                    "interval_start": pd.to_datetime(["2026-03-02 09:00"]),
    ...                    "interval_min": [30], "login_s": [1800.0], "ready_idle_s": [300.0],
    ...                    "talk_s": [1200.0], "aux_break_s": [300.0], "handled": [4]})
    >>> sc = pd.DataFrame({"agent_id": ["A1"], "start_at": pd.to_datetime(["2026-03-02 09:00"]),
    ...                    "end_at": pd.to_datetime(["2026-03-02 10:00"]), "activity": ["work"]})
    >>> g = adherence_grid(ai, sc)
    >>> compute(g, ["adherence", "conformance"])[["kpi_id", "numerator", "denominator"]]
            kpi_id  numerator  denominator
    0    adherence     1500.0       3600.0
    1  conformance     1500.0       3600.0
    """
    require_columns(agent_interval, ["agent_id", "interval_start", "interval_min", "login_s",
                                     "ready_idle_s", "talk_s"], "agent_interval")
    mins = pd.unique(agent_interval["interval_min"].dropna())
    if len(mins) > 1:
        raise ParameterError.expected("adherence_grid", "agent_interval",
                                      "a frame of one interval length", sorted(mins.tolist()))
    interval_min = int(mins[0]) if len(mins) else 30
    s_agent, s_ist, s_act, s_secs = _schedule_segments(schedule, interval_min, version,
                                                       paid_activities)
    a_ist = _to_us(agent_interval["interval_start"], "agent_interval").astype(np.int64)
    step = interval_min * 60 * 1_000_000
    off = np.flatnonzero(a_ist % step)
    if off.size:
        raise SchemaError(f"agent_interval.interval_start must lie on the {interval_min}-minute "
                          f"grid, first at rows {off[:5].tolist()}", table="agent_interval",
                          column="interval_start", rows=off[:5].tolist())
    (a_inv, s_inv), u_agent, u_ist, u_codes = _union_keys(
        [agent_interval["agent_id"].to_numpy(), s_agent], [a_ist, s_ist], interval_min)
    n = len(u_agent)
    out = pd.DataFrame({"agent_id": u_agent, "interval_start": u_ist.astype("datetime64[us]"),
                        "interval_min": np.full(n, interval_min)})
    queue = np.full(n, None, dtype=object)
    if "queue_id" in agent_interval.columns:
        queue[a_inv] = agent_interval["queue_id"].to_numpy(dtype=object)
    out["queue_id"] = queue
    c = _Cols(agent_interval, "agent_interval")
    state_cols = ["login_s", "ready_idle_s", *_HANDLE, *[f"aux_{a}_s" for a in AUX_STATES]]
    for name in state_cols + ["handled"]:
        vals = c(name) if (name != "handled" or c.has(name)) else np.zeros(c.n)
        out[name] = np.bincount(a_inv, weights=vals, minlength=n)
    out = _schedule_columns(out, s_inv, s_act, s_secs, n, paid_activities)

    productive = (out["ready_idle_s"].to_numpy() + out["talk_s"].to_numpy()
                  + out["hold_s"].to_numpy() + out["acw_s"].to_numpy())
    work = out["sched_work_s"].to_numpy()
    in_work = np.minimum(work, productive)
    in_adh = in_work.copy()
    sched_adh = work.copy()
    for a in AUX_STATES:
        s_a = out[f"sched_{a}_s"].to_numpy()
        in_adh += np.minimum(s_a, out[f"aux_{a}_s"].to_numpy())
        sched_adh += s_a
    out["productive_s"] = productive
    out["in_adherence_work_s"] = in_work
    out["in_adherence_s"] = in_adh
    out["sched_adherence_s"] = sched_adh
    # present_day: the agent logged in at some time that calendar day (integer keys again)
    day = u_ist // 86_400_000_000 if n else np.zeros(0, dtype=np.int64)
    if n:
        d_width = int(day.max() - day.min()) + 1
        dkey = u_codes * d_width + (day - day.min())
        _uk, dinv = np.unique(dkey, return_inverse=True)
        login_day = np.bincount(dinv, weights=out["login_s"].to_numpy())
        out["present_day"] = login_day[dinv] > 0
    else:
        out["present_day"] = np.zeros(0, dtype=bool)
    return out


# --------------------------------------------------------------------------------------------
# Complaints over contacts
# --------------------------------------------------------------------------------------------


def complaint_contacts(
    complaint: pd.DataFrame,
    contacts: pd.DataFrame,
    by: str | Sequence[str] = (),
    *,
    contacts_time_col: str = "interval_start",
    handled_col: str = "handled",
) -> pd.DataFrame:
    """Stack complaints and handled contacts into one frame for ``complaint_rate_per10k``.

    Complaint rows carry ``complaints`` = 1 and ``complaints_valid`` = valid_flag; contact rows
    carry ``handled``. Summing any grouping of the stacked rows gives both sides of the ratio
    for the same group and period, so the two tables never need a join.

    Parameters
    ----------
    complaint : DataFrame
        The ``complaint`` table (received_at, valid_flag, plus the ``by`` columns). Not modified.
    contacts : DataFrame
        Handled contacts: ``acd_interval`` (queue grain) or ``agent_interval`` (agent grain),
        with ``contacts_time_col``, ``handled_col`` and the ``by`` columns. Not modified.
    by : str or sequence of str, default ()
        Columns both frames share and the result should keep (``queue_id``, ``agent_id``).
    contacts_time_col, handled_col : str
        Column names in ``contacts``.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``ts`` (received_at, floored to the contacts' interval grid when
        ``contacts`` has one ``interval_min``; or the contact time), ``complaints``,
        ``complaints_valid``, ``handled``.

    Examples
    --------
    Three complaints (two valid) against 20,000 handled calls: valid 2 / 20,000 × 10,000 = 1.0,
    all 3 / 20,000 × 10,000 = 1.5:

    >>> import pandas as pd
    >>> from ccomkit.kpi import complaint_contacts, compute
    >>> cp = pd.DataFrame({"received_at": pd.to_datetime(["2026-03-02 09:07"] * 3),
    ...                    "valid_flag": [True, True, False]})
    >>> acd = pd.DataFrame({"interval_start": pd.to_datetime(["2026-03-02 09:00",
    ...                     "2026-03-02 09:30"]), "handled": [12000, 8000]})
    >>> cc = complaint_contacts(cp, acd)
    >>> compute(cc, "complaint_rate_per10k", variants={"complaint_rate_per10k": "all"},
    ...         )[["variant", "numerator", "denominator", "value"]]
            variant  numerator  denominator  value
    0       default        2.0      20000.0    1.0
    1  incl_invalid        3.0      20000.0    1.5
    """
    by_cols = _as_list(by)
    require_columns(complaint, ["received_at", "valid_flag", *by_cols], "complaint")
    require_columns(contacts, [contacts_time_col, handled_col, *by_cols], "contacts")
    ts = _to_us(complaint["received_at"], "complaint")
    if "interval_min" in contacts.columns:
        mins = pd.unique(contacts["interval_min"].dropna())
        if len(mins) == 1:
            step = np.timedelta64(int(mins[0]) * 60_000_000, "us")
            ts = ts - (ts - np.datetime64("1970-01-01T00:00", "us")) % step
    cv = _Cols(complaint, "complaint")
    valid = np.nan_to_num(cv("valid_flag"), nan=0.0)
    n = len(complaint)
    left = pd.DataFrame({**{b: complaint[b].to_numpy() for b in by_cols}, "ts": ts,
                         "complaints": np.ones(n), "complaints_valid": valid,
                         "handled": np.zeros(n)})
    ch = _Cols(contacts, "contacts")
    m = len(contacts)
    right = pd.DataFrame({**{b: contacts[b].to_numpy() for b in by_cols},
                          "ts": _to_us(contacts[contacts_time_col], "contacts"),
                          "complaints": np.zeros(m), "complaints_valid": np.zeros(m),
                          "handled": ch(handled_col)})
    return pd.concat([left, right], ignore_index=True)


# --------------------------------------------------------------------------------------------
# Headcount and attrition
# --------------------------------------------------------------------------------------------


def _to_days(s: pd.Series, table: str) -> np.ndarray:
    t = s if pd.api.types.is_datetime64_any_dtype(s.dtype) else pd.to_datetime(s)
    return t.to_numpy(dtype="datetime64[us]").astype("datetime64[D]")


def _month(x: Any, param: str) -> np.datetime64:
    try:
        return pd.Timestamp(x).to_datetime64().astype("datetime64[M]")
    except (TypeError, ValueError):
        raise ParameterError.expected("headcount_monthly", param, "a date or None", x) from None


def headcount_monthly(
    agent_dim: pd.DataFrame,
    by: str | Sequence[str] = (),
    *,
    start: Any = None,
    end: Any = None,
    hr_event: pd.DataFrame | None = None,
    new_hire_days: int = 90,
) -> pd.DataFrame:
    """Monthly headcount, hires and leavers from hire and leave dates: the attrition frame.

    An agent is employed on day *d* when ``hire_date ≤ d ≤ leave_date`` (leave_date is the last
    day employed; empty while employed). For each month:

    - ``hc_start``: employed at the start of the month (hired before day 1, not left before it);
    - ``hc_end``: employed at the end of the month (hired by the last day, leaving after it);
    - ``hires`` / ``leavers``: hire_date / leave_date in the month, so
      ``hc_end = hc_start + hires − leavers``;
    - ``employed_in_month`` = hc_start + hires (everyone employed at some time in the month);
    - ``leavers_voluntary`` / ``leavers_involuntary`` / ``leavers_type_unknown``: from the
      leave events of ``hr_event`` (latest leave event per agent), unknown without it;
    - ``leavers_new_hire`` (tenure at leaving < ``new_hire_days``) and ``leavers_tenured``;
    - ``hc_new_hire_start`` / ``hc_new_hire_end``: employed agents with tenure below
      ``new_hire_days`` on the first / last day.

    Parameters
    ----------
    agent_dim : DataFrame
        The ``agent_dim`` table (agent_id, hire_date, leave_date). Not modified.
    by : str or sequence of str, default ()
        agent_dim columns to split by (``team_id``, ``site``, ``recruit_channel`` …).
    start, end : date-like, optional
        First and last month. Default: the month of the earliest hire_date, and the month of
        the latest hire or leave date.
    hr_event : DataFrame, optional
        The ``hr_event`` table, for the voluntary/involuntary split.
    new_hire_days : int, default 90
        Tenure below which a leaver counts as a new hire.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``month`` (first day), the counts above and ``hc_avg``.

    Examples
    --------
    Three agents: A hired 2025-12-01 and still employed; B left 2026-01-15; C hired 2026-01-10.

    >>> import pandas as pd
    >>> from ccomkit.kpi import headcount_monthly
    >>> ad = pd.DataFrame({"agent_id": ["A", "B", "C"],
    ...                    "hire_date": pd.to_datetime(["2025-12-01", "2025-06-01", "2026-01-10"]),
    ...                    "leave_date": pd.to_datetime([None, "2026-01-15", None])})
    >>> hc = headcount_monthly(ad, start="2026-01", end="2026-01")
    >>> hc[["month", "hc_start", "hires", "leavers", "hc_end", "employed_in_month"]]
           month  hc_start  hires  leavers  hc_end  employed_in_month
    0 2026-01-01         2      1        1       2                  3
    """
    by_cols = _as_list(by)
    require_columns(agent_dim, ["agent_id", "hire_date", *by_cols], "agent_dim")
    if not (isinstance(new_hire_days, (int, np.integer)) and new_hire_days > 0):
        raise ParameterError.expected("headcount_monthly", "new_hire_days", "a positive int",
                                      new_hire_days)
    hire = _to_days(agent_dim["hire_date"], "agent_dim")
    if np.isnat(hire).any():
        rows = np.flatnonzero(np.isnat(hire))[:5].tolist()
        raise SchemaError(f"agent_dim.hire_date is empty, first at rows {rows}", table="agent_dim",
                          column="hire_date", rows=rows)
    if "leave_date" in agent_dim.columns:
        leave = _to_days(agent_dim["leave_date"], "agent_dim")
    else:
        leave = np.full(len(agent_dim), np.datetime64("NaT"), dtype="datetime64[D]")
    has_left = ~np.isnat(leave)
    never = np.datetime64("9999-12-31", "D")
    leave_f = np.where(has_left, leave, never)

    if start is None:
        if not len(hire):
            raise ParameterError.expected("headcount_monthly", "start", "given for an empty "
                                          "agent_dim", start)
        m0 = hire.min().astype("datetime64[M]")
    else:
        m0 = _month(start, "start")
    if end is None:
        last_seen = max(hire.max(), leave[has_left].max()) if has_left.any() else hire.max()
        m1 = last_seen.astype("datetime64[M]")
    else:
        m1 = _month(end, "end")
    if m1 < m0:
        raise ParameterError.expected("headcount_monthly", "end", f"a month not before start "
                                      f"({m0})", end)
    months = np.arange(m0, m1 + 1)
    first = months.astype("datetime64[D]")[None, :]
    last = ((months + 1).astype("datetime64[D]") - 1)[None, :]
    h, lv = hire[:, None], leave_f[:, None]

    leave_type = np.full(len(agent_dim), "", dtype=object)
    if hr_event is not None:
        require_columns(hr_event, ["agent_id", "event_type", "event_date", "leave_type"],
                        "hr_event")
        ev = hr_event.loc[hr_event["event_type"] == "leave", ["agent_id", "event_date",
                                                              "leave_type"]]
        ev = ev.assign(_d=pd.to_datetime(ev["event_date"])).sort_values("_d", kind="stable")
        latest = ev.groupby("agent_id", sort=False)["leave_type"].last()
        leave_type = agent_dim["agent_id"].map(latest).fillna("").to_numpy(dtype=object)
    vol = (leave_type == "voluntary")[:, None]
    invol = (leave_type == "involuntary")[:, None]

    in_start = (h < first) & (lv >= first)
    in_end = (h <= last) & (lv > last)
    hired = (h >= first) & (h <= last)
    left = (lv >= first) & (lv <= last)
    tenure_at_leave = (leave_f - hire).astype(np.int64)[:, None]
    new_leaver = left & (tenure_at_leave < new_hire_days)
    nh = np.timedelta64(new_hire_days, "D")
    mats = {
        "hc_start": in_start,
        "hires": hired,
        "leavers": left,
        "hc_end": in_end,
        "employed_in_month": in_start | hired,
        "leavers_voluntary": left & vol,
        "leavers_involuntary": left & invol,
        "leavers_type_unknown": left & ~(vol | invol),
        "leavers_new_hire": new_leaver,
        "leavers_tenured": left & ~new_leaver,
        "hc_new_hire_start": in_start & (first - h < nh),
        "hc_new_hire_end": in_end & (last - h < nh),
    }
    if by_cols:
        codes = agent_dim.groupby(by_cols, sort=True, dropna=False, observed=True).ngroup()
        codes = codes.to_numpy()
        groups = (agent_dim[by_cols].assign(_g=codes).drop_duplicates("_g").sort_values("_g")
                  .reset_index(drop=True))
        n_groups = len(groups)
        sums = {}
        for name, mat in mats.items():
            acc = np.zeros((n_groups, len(months)), dtype=np.int64)
            np.add.at(acc, codes, mat.astype(np.int64))
            sums[name] = acc.ravel()
        keys = {b: np.repeat(groups[b].to_numpy(), len(months)) for b in by_cols}
        month_col = np.tile(months, n_groups)
    else:
        sums = {name: mat.sum(axis=0).astype(np.int64) for name, mat in mats.items()}
        keys = {}
        month_col = months
    out = pd.DataFrame({**keys, "month": month_col.astype("datetime64[us]"), **sums})
    out["hc_avg"] = (out["hc_start"] + out["hc_end"]) / 2.0
    return out


# --------------------------------------------------------------------------------------------
# Formatting
# --------------------------------------------------------------------------------------------


def format_value(kpi_id: str, value: float | None, lang: Literal["zh", "en"] = "zh",
                 digits: int | None = None) -> str:
    """Render a KPI value for people: fractions as %, seconds as s/秒, NPS as points.

    Parameters
    ----------
    kpi_id : str
        A KPI id from :data:`KPIS`.
    value : float or None
        The value in the KPI's unit (fractions 0..1). NaN or None renders as ``–``.
    lang : {'zh', 'en'}, default 'zh'
    digits : int, optional
        Decimals (default 1 for % and per-10k, 0 for seconds, counts and NPS, 2 for 1-5 scores).

    Returns
    -------
    str

    Examples
    --------
    >>> from ccomkit.kpi import format_value
    >>> format_value("service_level", 0.8234), format_value("aht_s", 245.4, lang="en")
    ('82.3%', '245 s')
    >>> format_value("aht_s", 245.4), format_value("nps", 0.231), format_value("asa_s", None)
    ('245秒', '+23', '–')
    >>> format_value("complaint_rate_per10k", 1.26, lang="en")
    '1.3 per 10k'
    """
    if kpi_id not in KPIS:
        raise ParameterError.expected("format_value", "kpi_id", "a KPI id from ccomkit.kpi.KPIS",
                                      kpi_id)
    if lang not in ("zh", "en"):
        raise ParameterError.expected("format_value", "lang", "one of 'zh', 'en'", lang)
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return "–"
    unit = KPIS[kpi_id].unit
    x = float(value)
    if unit == "frac":
        return f"{x * 100:.{1 if digits is None else digits}f}%"
    if unit == "s":
        d = 0 if digits is None else digits
        return f"{x:,.{d}f} s" if lang == "en" else f"{x:,.{d}f}秒"
    if unit == "per10k":
        d = 1 if digits is None else digits
        return f"{x:.{d}f} per 10k" if lang == "en" else f"万分之{x:.{d}f}"
    if unit == "nps":
        return f"{x * 100:+.{0 if digits is None else digits}f}"
    if unit == "points":
        d = 1 if digits is None else digits
        return f"{x:.{d}f} pts" if lang == "en" else f"{x:.{d}f}分"
    if unit == "score_1_5":
        return f"{x:.{2 if digits is None else digits}f}"
    return f"{x:,.{0 if digits is None else digits}f}"
