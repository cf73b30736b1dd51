"""Customer-satisfaction surveys: sample size, CSAT/DSAT/NPS with intervals, significant changes,
driver analysis and the dissatisfaction-reason Pareto (DOMAIN.md §6, §2.4).

The KPI formulas themselves (CSAT top-2-box, DSAT bottom-2-box, mean score, NPS, response rate,
survey FCR) come from :mod:`ccomkit.kpi`; this module adds the statistics around them:

- **Sample size**: ``n = z²·p(1−p)/e²`` and the finite-population correction
  ``n' = n / (1 + (n−1)/N)``, rounded up; invitations = ``n' / expected response rate``.
- **Intervals**: Wilson score intervals for CSAT and DSAT (the same numbers as
  ``scipy.stats.binomtest(k, n).proportion_ci(method="wilson")``); for NPS the normal interval
  ``NPS ± z·SE`` with ``SE = sqrt((p_P + p_D − (p_P − p_D)²)/n)``, the standard deviation of the
  +1/0/−1 scores over √n.
- **Period-on-period changes**: CSAT and DSAT with the pooled two-proportion z-test; NPS with
  ``z = ΔNPS / sqrt(SE₁² + SE₂²)``. A change is flagged only when its two-sided p-value is below
  ``alpha``; otherwise it is labelled "not significant".
- **Drivers**: importance = Spearman rank correlation of each sub-question with ``q_overall``
  (pairwise-complete responses); performance = top-2-box share (the ``yes`` share for
  ``fcr_yes``). Quadrants split at the mean importance and mean performance of the drivers shown.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ccomkit.errors import ParameterError, SchemaError
from ccomkit.kpi import FREQS, _period, compute
from ccomkit.schemas import require_columns

__all__ = [
    "DRIVERS",
    "QUESTIONS",
    "driver_analysis",
    "driver_chart",
    "dissat_pareto",
    "pareto_chart",
    "nps_standard_error",
    "period_changes",
    "required_sample_size",
    "satisfaction",
    "satisfaction_chart",
    "survey_plan",
    "wilson_interval",
]

QUESTIONS: tuple[str, ...] = ("q_overall", "q_speed", "q_accuracy", "q_attitude")
"""The 1-5 questions of ``csat_response``."""

DRIVERS: tuple[str, ...] = ("q_speed", "q_accuracy", "q_attitude", "fcr_yes")
"""Default sub-questions of the driver analysis."""

_TABLE = "csat_response"

QUADRANTS: dict[str, tuple[str, str]] = {
    "fix_first": ("优先改进", "fix first"),
    "keep_up": ("继续保持", "keep up the good work"),
    "low_priority": ("次要改进", "low priority"),
    "possible_overkill": ("可能过度投入", "possible overkill"),
}


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def _as_list(x: str | Sequence[str] | None) -> list[str]:
    if x is None:
        return []
    if isinstance(x, str):
        return [x]
    return list(x)


def _z(confidence_frac: float, owner: str) -> float:
    if not (isinstance(confidence_frac, (int, float)) and 0 < confidence_frac < 1):
        raise ParameterError.expected(owner, "confidence_frac", "a float in (0, 1)",
                                      confidence_frac)
    return float(stats.norm.ppf(0.5 + confidence_frac / 2.0))


def _frac(value: Any, owner: str, param: str, *, closed_low: bool = False,
          closed_high: bool = False) -> float:
    ok = isinstance(value, (int, float, np.floating)) and not isinstance(value, bool) \
        and not math.isnan(float(value))
    if ok:
        v = float(value)
        ok = (v >= 0 if closed_low else v > 0) and (v <= 1 if closed_high else v < 1)
    if not ok:
        rng = ("[" if closed_low else "(") + "0, 1" + ("]" if closed_high else ")")
        raise ParameterError.expected(owner, param, f"a float in {rng}", value)
    return float(value)


def _numeric(frame: pd.DataFrame, col: str, table: str) -> np.ndarray:
    s = frame[col]
    try:
        if pd.api.types.is_bool_dtype(s.dtype) or pd.api.types.is_numeric_dtype(s.dtype):
            return s.to_numpy(dtype=float, na_value=np.nan)
        return pd.to_numeric(s.astype(object).where(s.notna(), np.nan)).to_numpy(
            dtype=float, na_value=np.nan)
    except (TypeError, ValueError):
        raise SchemaError(f"{table}.{col} must be numeric (dtype {s.dtype})", table=table,
                          column=col) from None


def _violation(table: str, col: str, rule: str, bad: np.ndarray, values: Any) -> SchemaError:
    rows = np.flatnonzero(bad)
    first = rows[:5].tolist()
    seen = ", ".join(repr(v) for v in pd.Series(values).iloc[first[:3]].tolist())
    n = rows.size
    return SchemaError(f"{table}.{col} {rule}: {n} row{'s' if n > 1 else ''} violate"
                       f"{'' if n > 1 else 's'} it, first at rows {first} (value {seen})",
                       table=table, column=col, rows=first)


def _check_responses(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    """Check the survey columns a function reads: scale ranges and answers without a response."""
    if not isinstance(frame, pd.DataFrame):
        raise ParameterError.expected("csat_response", "frame", "a pandas DataFrame",
                                      type(frame).__name__)
    require_columns(frame, list(columns), _TABLE)
    for col in columns:
        if col in QUESTIONS or col == "nps":
            v = _numeric(frame, col, _TABLE)
            lo, hi = (0, 10) if col == "nps" else (1, 5)
            bad = ~np.isnan(v) & ((v < lo) | (v > hi) | (v != np.round(v)))
            if bad.any():
                raise _violation(_TABLE, col, f"must be an integer in {lo}..{hi}", bad,
                                 frame[col])
    answers = [c for c in (*QUESTIONS, "nps") if c in columns]
    if answers:
        require_columns(frame, ["responded_at"], _TABLE)
        given = np.zeros(len(frame), dtype=bool)
        for col in answers:
            given |= frame[col].notna().to_numpy()
        bad = given & frame["responded_at"].isna().to_numpy()
        if bad.any():
            raise _violation(_TABLE, "responded_at", "is empty but answers are given", bad,
                             frame["responded_at"])


def _keys(frame: pd.DataFrame, by: list[str], freq: str | None, time_col: str,
          owner: str) -> dict[str, np.ndarray]:
    require_columns(frame, by, _TABLE)
    keys: dict[str, Any] = {b: frame[b].to_numpy() for b in by}
    if freq is not None:
        if freq not in FREQS:
            raise ParameterError.expected(owner, "freq", "None or one of "
                                          + ", ".join(repr(f) for f in FREQS), freq)
        if "period" in by:
            raise ParameterError.expected(owner, "by", "columns other than 'period' when freq "
                                          "is given", by)
        require_columns(frame, [time_col], _TABLE)
        keys["period"] = _period(frame[time_col], freq)
    return keys


# --------------------------------------------------------------------------------------------
# Statistics kernels
# --------------------------------------------------------------------------------------------


def wilson_interval(successes: Any, n: Any, confidence_frac: float = 0.95
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a proportion ``successes / n``.

    ``centre = (p̂ + z²/2n) / (1 + z²/n)``, ``half = z/(1 + z²/n) · sqrt(p̂(1−p̂)/n + z²/4n²)``.
    The bounds equal ``scipy.stats.binomtest(k, n).proportion_ci(method="wilson")``.

    Parameters
    ----------
    successes, n : array-like
        Counts (``0 ≤ successes ≤ n``). Where ``n`` is 0 both bounds are NaN.
    confidence_frac : float, default 0.95
        Two-sided confidence level.

    Returns
    -------
    (ndarray, ndarray)
        Lower and upper bounds, fractions 0..1.

    Raises
    ------
    ParameterError
        Negative counts, ``successes > n`` or a confidence outside (0, 1).

    Examples
    --------
    80 of 100 top-2-box answers: p̂ = 0.8, z = 1.959964, centre = (0.8 + 0.019207)/1.038415
    = 0.788902, half = 1.887458 × sqrt(0.0016 + 0.0000960) = 0.077731:

    >>> from ccomkit.cx.survey import wilson_interval
    >>> lo, hi = wilson_interval(80, 100)
    >>> round(float(lo), 6), round(float(hi), 6)
    (0.711171, 0.866633)
    """
    z = _z(confidence_frac, "wilson_interval")
    k = np.asarray(successes, dtype=float)
    m = np.asarray(n, dtype=float)
    if np.any(k < 0) or np.any(m < 0) or np.any(k > m):
        raise ParameterError.expected("wilson_interval", "successes", "counts with "
                                      "0 <= successes <= n", successes)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / m
        z2 = z * z
        denom = 1.0 + z2 / m
        centre = (p + z2 / (2.0 * m)) / denom
        half = z / denom * np.sqrt(p * (1.0 - p) / m + z2 / (4.0 * m * m))
        # the bounds at k = 0 and k = n are exactly 0 and 1 (as scipy returns them)
        lo = np.where(k == 0, 0.0, np.clip(centre - half, 0.0, 1.0))
        hi = np.where(k == m, 1.0, np.clip(centre + half, 0.0, 1.0))
        lo = np.where(m > 0, lo, np.nan)
        hi = np.where(m > 0, hi, np.nan)
    return lo, hi


def nps_standard_error(promoters: Any, detractors: Any, n: Any) -> np.ndarray:
    """Standard error of NPS (as a fraction −1..1): ``sqrt((p_P + p_D − (p_P − p_D)²)/n)``.

    Parameters
    ----------
    promoters, detractors, n : array-like
        Counts of scores 9-10, 0-6 and all NPS answers. NaN where ``n`` is 0.

    Returns
    -------
    ndarray

    Examples
    --------
    50 promoters, 20 detractors of 100: (0.5 + 0.2 − 0.3²)/100 = 0.0061, SE = 0.078102:

    >>> from ccomkit.cx.survey import nps_standard_error
    >>> round(float(nps_standard_error(50, 20, 100)), 6)
    0.078102
    """
    pp = np.asarray(promoters, dtype=float)
    dd = np.asarray(detractors, dtype=float)
    m = np.asarray(n, dtype=float)
    if np.any(pp < 0) or np.any(dd < 0) or np.any(pp + dd > m):
        raise ParameterError.expected("nps_standard_error", "promoters", "counts with "
                                      "promoters + detractors <= n", promoters)
    with np.errstate(invalid="ignore", divide="ignore"):
        p, d = pp / m, dd / m
        se = np.sqrt(np.maximum(p + d - (p - d) ** 2, 0.0) / m)
    return np.where(m > 0, se, np.nan)


# --------------------------------------------------------------------------------------------
# Sample size
# --------------------------------------------------------------------------------------------


def required_sample_size(margin_frac: float = 0.03, confidence_frac: float = 0.95,
                         p_frac: float = 0.5, population: float | None = None) -> int:
    """Responses needed to estimate a proportion within ``±margin_frac``.

    ``n = z²·p(1−p)/e²``; with a finite ``population`` N, ``n' = n / (1 + (n−1)/N)``. The result
    is rounded up.

    Parameters
    ----------
    margin_frac : float, default 0.03
        Half-width of the interval (fraction, 0.03 = ±3 points).
    confidence_frac : float, default 0.95
    p_frac : float, default 0.5
        Expected proportion (0.5 is the worst case).
    population : float, optional
        Contacts in the population surveyed (finite-population correction). ``None``: infinite.

    Returns
    -------
    int

    Examples
    --------
    95 %, ±3 %, p = 0.5: 1.959964² × 0.25 / 0.0009 = 1067.07 → 1068. With N = 5,000:
    1067.07 / (1 + 1066.07/5000) = 879.4 → 880.

    >>> from ccomkit.cx.survey import required_sample_size
    >>> required_sample_size(), required_sample_size(population=5000)
    (1068, 880)
    """
    n = _sample_size(np.asarray([np.inf if population is None else population], dtype=float),
                     margin_frac, confidence_frac, p_frac, "required_sample_size")
    return int(n[0])


def _sample_size(population: np.ndarray, margin_frac: float, confidence_frac: float,
                 p_frac: float, owner: str) -> np.ndarray:
    e = _frac(margin_frac, owner, "margin_frac")
    p = _frac(p_frac, owner, "p_frac")
    z = _z(confidence_frac, owner)
    if np.any(np.isnan(population)) or np.any(population < 0):
        raise ParameterError.expected(owner, "population", "counts >= 0", population.tolist()[:5])
    n0 = z * z * p * (1.0 - p) / (e * e)
    with np.errstate(invalid="ignore", divide="ignore"):
        n = np.where(np.isinf(population), n0, n0 / (1.0 + (n0 - 1.0) / population))
    # 1e-9 guards against float noise turning an exact integer into the next one up
    n = np.ceil(n - 1e-9)
    return np.where(population == 0, 0.0, n).astype(np.int64)


def survey_plan(
    volumes: pd.DataFrame,
    by: str | Sequence[str] = ("agent_id",),
    *,
    freq: str | None = "M",
    time_col: str = "interval_start",
    contacts_col: str = "handled",
    response_rate_frac: float = 0.2,
    margin_frac: float = 0.1,
    confidence_frac: float = 0.95,
    p_frac: float = 0.5,
) -> pd.DataFrame:
    """Survey invitations needed per group and period for a target margin of error.

    The contacts of each group × period are the finite population N. Responses needed
    ``n' = n / (1 + (n−1)/N)`` (rounded up) with ``n = z²·p(1−p)/e²``; invitations needed
    ``ceil(n' / response_rate_frac)``. Where more invitations are needed than there are contacts,
    ``feasible`` is False: survey every contact and accept a wider margin
    (``margin_at_all_contacts_frac`` gives the margin that inviting all N contacts achieves).

    Parameters
    ----------
    volumes : DataFrame
        Contact volumes: ``agent_interval`` or ``acd_interval`` (or any frame with the ``by``
        columns, ``time_col`` and ``contacts_col``). Not modified.
    by : str or sequence of str, default ('agent_id',)
        Grain of the plan (``agent_id``, ``queue_id`` …).
    freq : {'D', 'W', 'M', 'Q', 'Y'} or None, default 'M'
        Period the margin applies to. None: the whole frame.
    time_col, contacts_col : str
        Column names in ``volumes``.
    response_rate_frac : float, default 0.2
        Expected share of invitations answered, in (0, 1].
    margin_frac, confidence_frac, p_frac : float
        Target half-width, confidence and expected proportion.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``period`` (with ``freq``), ``contacts``, ``responses_needed``,
        ``invitations_needed``, ``invite_share_frac`` (invitations ÷ contacts), ``feasible``,
        ``margin_at_all_contacts_frac``.

    Examples
    --------
    e = 0.1 at 95 %: n = 96.04. Agent A1 has 200 contacts: 96.04/(1 + 95.04/200) = 65.1 → 66
    responses; at a 20 % response rate 330 invitations > 200 contacts (not feasible).

    >>> import pandas as pd
    >>> from ccomkit.cx.survey import survey_plan
    >>> vol = pd.DataFrame({"agent_id": ["A1", "A2"], "handled": [200, 5000],
    ...                     "interval_start": pd.to_datetime(["2026-03-02", "2026-03-02"])})
    >>> survey_plan(vol)[["agent_id", "contacts", "responses_needed", "invitations_needed",
    ...                   "feasible"]]
      agent_id  contacts  responses_needed  invitations_needed  feasible
    0       A1     200.0                66                 330     False
    1       A2    5000.0                95                 475      True
    """
    owner = "survey_plan"
    if not isinstance(volumes, pd.DataFrame):
        raise ParameterError.expected(owner, "volumes", "a pandas DataFrame",
                                      type(volumes).__name__)
    rr = _frac(response_rate_frac, owner, "response_rate_frac", closed_high=True)
    by_cols = _as_list(by)
    require_columns(volumes, [*by_cols, contacts_col], "volumes")
    keys: dict[str, Any] = {b: volumes[b].to_numpy() for b in by_cols}
    if freq is not None:
        if freq not in FREQS or freq == "interval":
            raise ParameterError.expected(owner, "freq", "None or one of 'D', 'W', 'M', 'Q', "
                                          "'Y'", freq)
        require_columns(volumes, [time_col], "volumes")
        keys["period"] = _period(volumes[time_col], freq)
    contacts = _numeric(volumes, contacts_col, "volumes")
    bad = np.isnan(contacts) | (contacts < 0)
    if bad.any():
        raise _violation("volumes", contacts_col, "must be a count >= 0", bad,
                         volumes[contacts_col])
    work = pd.DataFrame({**keys, "contacts": contacts})
    if keys:
        out = work.groupby(list(keys), sort=True, dropna=False, observed=True)["contacts"].sum()
        out = out.reset_index()
    else:
        out = pd.DataFrame({"contacts": [float(contacts.sum())]})
    pop = out["contacts"].to_numpy(dtype=float)
    need = _sample_size(pop, margin_frac, confidence_frac, p_frac, owner)
    inv = np.ceil(need / rr - 1e-9).astype(np.int64)
    out["responses_needed"] = need
    out["invitations_needed"] = inv
    with np.errstate(invalid="ignore", divide="ignore"):
        out["invite_share_frac"] = np.where(pop > 0, inv / pop, np.nan)
        # margin when all N contacts are invited: m = N·rr responses,
        # e = z·sqrt(p(1−p)/m · (N−m)/(N−1))
        m = pop * rr
        z = _z(confidence_frac, owner)
        fpc = np.where(pop > 1, (pop - m) / (pop - 1), 0.0)
        margin = z * np.sqrt(p_frac * (1 - p_frac) / m * np.maximum(fpc, 0.0))
    out["feasible"] = inv <= pop
    out["margin_at_all_contacts_frac"] = np.where(m > 0, margin, np.nan)
    return out


# --------------------------------------------------------------------------------------------
# CSAT / DSAT / NPS with intervals
# --------------------------------------------------------------------------------------------

_SAT_KPIS = ("csat", "dsat", "csat_mean", "nps", "response_rate")


def satisfaction(
    csat_response: pd.DataFrame,
    by: str | Sequence[str] = (),
    *,
    freq: str | None = None,
    time_col: str = "invited_at",
    question: str = "q_overall",
    confidence_frac: float = 0.95,
    min_n: int = 30,
) -> pd.DataFrame:
    """CSAT, DSAT, mean score and NPS with their intervals at any grain.

    Values come from :func:`ccomkit.kpi.compute` (numerators and denominators summed over the
    group); this adds Wilson intervals for CSAT and DSAT, the NPS standard error and interval
    ``NPS ± z·SE``, and the publishing flag ``n ≥ min_n`` (30 per agent, DOMAIN §6).

    Parameters
    ----------
    csat_response : DataFrame
        The ``csat_response`` table (one row per invitation). Not modified.
    by : str or sequence of str, default ()
        Grouping columns (``agent_id``, ``queue_id``, ``channel`` …).
    freq : {'D', 'W', 'M', 'Q', 'Y'}, optional
        Also bucket ``time_col`` into periods (column ``period``).
    time_col : str, default 'invited_at'
    question : str, default 'q_overall'
        The 1-5 question CSAT, DSAT and the mean read.
    confidence_frac : float, default 0.95
    min_n : int, default 30
        Responses needed before a group's CSAT is published.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``period`` (with ``freq``), ``invitations``, ``responses``,
        ``response_rate``, ``n`` (answers to ``question``), ``top2``, ``bottom2``, ``csat``,
        ``csat_lo``, ``csat_hi``, ``dsat``, ``dsat_lo``, ``dsat_hi``, ``mean_score``, ``n_nps``,
        ``promoters``, ``detractors``, ``nps`` (fraction −1..1), ``nps_se``, ``nps_lo``,
        ``nps_hi``, ``publishable``.

    Raises
    ------
    SchemaError
        A missing column, a score outside its scale, or answers without ``responded_at``.
    ParameterError
        Bad ``question``, ``freq``, ``confidence_frac`` or ``min_n``.

    Examples
    --------
    Five answers 5, 4, 4, 2, 1: CSAT 3/5, DSAT 2/5, mean 16/5 = 3.2. NPS 10, 9, 7, 3, 0:
    2 promoters, 2 detractors, NPS 0, SE = sqrt((0.4 + 0.4 − 0)/5) = 0.4:

    >>> import pandas as pd
    >>> from ccomkit.cx.survey import satisfaction
    >>> sv = pd.DataFrame({"invited_at": pd.to_datetime(["2026-03-02"] * 6),
    ...                    "responded_at": pd.to_datetime(["2026-03-02"] * 5 + [None]),
    ...                    "q_overall": pd.array([5, 4, 4, 2, 1, None], dtype="Int64"),
    ...                    "nps": pd.array([10, 9, 7, 3, 0, None], dtype="Int64")})
    >>> out = satisfaction(sv)
    >>> out[["responses", "n", "csat", "dsat", "mean_score", "nps", "nps_se"]]
       responses  n  csat  dsat  mean_score  nps  nps_se
    0          5  5   0.6   0.4         3.2  0.0     0.4
    """
    owner = "satisfaction"
    if question not in QUESTIONS:
        raise ParameterError.expected(owner, "question", "one of " + ", ".join(QUESTIONS),
                                      question)
    if not (isinstance(min_n, (int, np.integer)) and not isinstance(min_n, bool) and min_n >= 0):
        raise ParameterError.expected(owner, "min_n", "an int >= 0", min_n)
    z = _z(confidence_frac, owner)
    by_cols = _as_list(by)
    _check_responses(csat_response, [question, "nps", "responded_at"])
    keys = _keys(csat_response, by_cols, freq, time_col, owner)
    key_names = list(keys)

    k = compute(csat_response, list(_SAT_KPIS), by_cols, freq=freq, time_col=time_col,
                params={"question": question})
    # compute() stacks one block per KPI, each in the same (sorted) group order
    blocks = {kid: k[k["kpi_id"] == kid].reset_index(drop=True) for kid in _SAT_KPIS}
    out = blocks[_SAT_KPIS[0]][key_names].copy() if key_names else pd.DataFrame(index=range(1))
    for kid, blk in blocks.items():
        for a in ("numerator", "denominator", "value"):
            out[f"{kid}_{a}"] = blk[a].to_numpy()

    # promoters per group: the only count compute does not give (its NPS numerator is P − D)
    score = _numeric(csat_response, "nps", _TABLE)
    prom = pd.DataFrame({**keys, "_p": (score >= 9).astype(float)})
    if key_names:
        p = prom.groupby(key_names, sort=True, dropna=False, observed=True)["_p"].sum()
        out = out.merge(p.reset_index(), on=key_names, how="left")
    else:
        out["_p"] = prom["_p"].sum()

    n = out["csat_denominator"].to_numpy(dtype=float)
    top2 = out["csat_numerator"].to_numpy(dtype=float)
    bottom2 = out["dsat_numerator"].to_numpy(dtype=float)
    n_nps = out["nps_denominator"].to_numpy(dtype=float)
    promoters = out["_p"].fillna(0).to_numpy(dtype=float)
    detractors = promoters - out["nps_numerator"].to_numpy(dtype=float)
    c_lo, c_hi = wilson_interval(top2, n, confidence_frac)
    d_lo, d_hi = wilson_interval(bottom2, n, confidence_frac)
    nps = out["nps_value"].to_numpy(dtype=float)
    se = nps_standard_error(promoters, detractors, n_nps)
    res = out[key_names].copy() if key_names else pd.DataFrame(index=range(len(out)))
    res["invitations"] = out["response_rate_denominator"].to_numpy().astype(np.int64)
    res["responses"] = out["response_rate_numerator"].to_numpy().astype(np.int64)
    res["response_rate"] = out["response_rate_value"].to_numpy(dtype=float)
    res["n"] = n.astype(np.int64)
    res["top2"] = top2.astype(np.int64)
    res["bottom2"] = bottom2.astype(np.int64)
    res["csat"] = out["csat_value"].to_numpy(dtype=float)
    res["csat_lo"], res["csat_hi"] = c_lo, c_hi
    res["dsat"] = out["dsat_value"].to_numpy(dtype=float)
    res["dsat_lo"], res["dsat_hi"] = d_lo, d_hi
    res["mean_score"] = out["csat_mean_value"].to_numpy(dtype=float)
    res["n_nps"] = n_nps.astype(np.int64)
    res["promoters"] = promoters.astype(np.int64)
    res["detractors"] = detractors.astype(np.int64)
    res["nps"] = nps
    res["nps_se"] = se
    res["nps_lo"] = np.maximum(nps - z * se, -1.0)
    res["nps_hi"] = np.minimum(nps + z * se, 1.0)
    res["publishable"] = res["n"] >= min_n
    for b in by_cols:
        if res[b].dtype != csat_response[b].dtype:
            try:
                res[b] = res[b].astype(csat_response[b].dtype)
            except (TypeError, ValueError):  # pragma: no cover
                pass
    return res.reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Period-on-period changes
# --------------------------------------------------------------------------------------------

_LABELS = {1: ("显著上升", "significant increase"), -1: ("显著下降", "significant decrease"),
           0: ("无显著变化", "not significant")}


def period_changes(
    csat_response: pd.DataFrame,
    by: str | Sequence[str] = (),
    *,
    freq: str = "W",
    time_col: str = "invited_at",
    metrics: Sequence[str] = ("csat", "dsat", "nps"),
    question: str = "q_overall",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Period-on-period changes of CSAT, DSAT and NPS, flagged only when significant.

    Each period is compared with the previous period present for the same group
    (``prev_period``). CSAT and DSAT use the **pooled two-proportion z-test**
    ``z = (p₂ − p₁) / sqrt(p̄(1−p̄)(1/n₁ + 1/n₂))`` with ``p̄ = (k₁ + k₂)/(n₁ + n₂)``; NPS uses
    ``z = (NPS₂ − NPS₁) / sqrt(SE₁² + SE₂²)``. The two-sided p-value is ``2·(1 − Φ(|z|))``;
    ``significant`` is ``p < alpha``. ``label`` reads "significant increase",
    "significant decrease" or "not significant" (``label_zh`` likewise); a period without
    answers on either side gets "insufficient data".

    ``change_lo`` / ``change_hi`` give the ``1 − alpha`` interval of the change, for reading
    only: Newcombe's hybrid score interval (from the two Wilson intervals) for CSAT and DSAT,
    ``ΔNPS ± z·sqrt(SE₁² + SE₂²)`` for NPS. The flag comes from the test; near the boundary the
    Newcombe interval and the pooled test can disagree.

    Parameters
    ----------
    csat_response : DataFrame
        The ``csat_response`` table. Not modified.
    by : str or sequence of str, default ()
    freq : {'D', 'W', 'M', 'Q', 'Y'}, default 'W'
        Period length (weeks start on Monday).
    time_col : str, default 'invited_at'
    metrics : sequence of {'csat', 'dsat', 'nps'}
    question : str, default 'q_overall'
    alpha : float, default 0.05
        Significance level of the two-sided test.

    Returns
    -------
    DataFrame
        One row per group × period (after the first) × metric: the ``by`` columns, ``metric``,
        ``prev_period``, ``period``, ``n_prev``, ``n``, ``value_prev``, ``value``, ``change``,
        ``change_lo``, ``change_hi``, ``se_change``, ``z``, ``p_value``, ``significant``,
        ``direction`` (−1, 0, +1, only when significant), ``label``, ``label_zh``, ``test``.

    Examples
    --------
    Week 1: 80 of 100 top-2-box; week 2: 65 of 100. p̄ = 0.725, SE = sqrt(0.725·0.275·0.02)
    = 0.063147, z = −0.15/0.063147 = −2.375 → p = 0.0175, a significant fall:

    >>> import pandas as pd
    >>> from ccomkit.cx.survey import period_changes
    >>> t = pd.to_datetime(["2026-03-02"] * 100 + ["2026-03-09"] * 100)
    >>> q = [5] * 80 + [3] * 20 + [4] * 65 + [2] * 35
    >>> sv = pd.DataFrame({"invited_at": t, "responded_at": t,
    ...                    "q_overall": q, "nps": [None] * 200})
    >>> ch = period_changes(sv, metrics=["csat"])
    >>> ch[["metric", "value_prev", "value", "z", "label"]].round(3)
      metric  value_prev  value      z                 label
    0   csat         0.8   0.65 -2.375  significant decrease
    """
    owner = "period_changes"
    ms = _as_list(metrics)
    if not ms or any(m not in ("csat", "dsat", "nps") for m in ms):
        raise ParameterError.expected(owner, "metrics", "a non-empty subset of 'csat', 'dsat', "
                                      "'nps'", metrics)
    a = _frac(alpha, owner, "alpha")
    if freq is None or freq == "interval":
        raise ParameterError.expected(owner, "freq", "one of 'D', 'W', 'M', 'Q', 'Y'", freq)
    by_cols = _as_list(by)
    sat = satisfaction(csat_response, by_cols, freq=freq, time_col=time_col, question=question)
    zc = float(stats.norm.ppf(1.0 - a / 2.0))
    sat = sat.sort_values([*by_cols, "period"], kind="stable").reset_index(drop=True)
    if by_cols:
        g = sat.groupby(by_cols, sort=False, dropna=False, observed=True)
        prev = g.shift(1)
        has_prev = g.cumcount().to_numpy() > 0
    else:
        prev = sat.shift(1)
        has_prev = np.arange(len(sat)) > 0
    blocks = []
    for m in ms:
        if m == "nps":
            n1, n2 = prev["n_nps"].to_numpy(dtype=float), sat["n_nps"].to_numpy(dtype=float)
            v1, v2 = prev["nps"].to_numpy(dtype=float), sat["nps"].to_numpy(dtype=float)
            with np.errstate(invalid="ignore"):
                se = np.sqrt(prev["nps_se"].to_numpy(dtype=float) ** 2
                             + sat["nps_se"].to_numpy(dtype=float) ** 2)
            test = "NPS difference / sqrt(SE1^2 + SE2^2)"
            d = v2 - v1
            c_lo, c_hi = d - zc * se, d + zc * se
        else:
            cnt = "top2" if m == "csat" else "bottom2"
            n1, n2 = prev["n"].to_numpy(dtype=float), sat["n"].to_numpy(dtype=float)
            k1, k2 = prev[cnt].to_numpy(dtype=float), sat[cnt].to_numpy(dtype=float)
            v1, v2 = prev[m].to_numpy(dtype=float), sat[m].to_numpy(dtype=float)
            with np.errstate(invalid="ignore", divide="ignore"):
                pool = (k1 + k2) / (n1 + n2)
                se = np.sqrt(pool * (1 - pool) * (1 / n1 + 1 / n2))
            test = "pooled two-proportion z-test"
            l1, u1 = wilson_interval(np.nan_to_num(k1), np.nan_to_num(n1), 1.0 - a)
            l2, u2 = wilson_interval(k2, n2, 1.0 - a)
            d = v2 - v1
            c_lo = d - np.sqrt((v2 - l2) ** 2 + (u1 - v1) ** 2)
            c_hi = d + np.sqrt((u2 - v2) ** 2 + (v1 - l1) ** 2)
        diff = v2 - v1
        ok = (n1 > 0) & (n2 > 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            zz = np.where(ok & (se > 0), diff / se, np.where(ok, 0.0, np.nan))
        pval = np.where(ok, 2.0 * stats.norm.sf(np.abs(zz)), np.nan)
        sig = ok & (pval < a)
        direction = np.where(sig, np.sign(diff), 0).astype(np.int64)
        label = np.where(ok, [_LABELS[int(d)][1] for d in direction], "insufficient data")
        label_zh = np.where(ok, [_LABELS[int(d)][0] for d in direction], "样本不足")
        blk = sat[by_cols].copy() if by_cols else pd.DataFrame(index=sat.index)
        blk["metric"] = m
        blk["prev_period"] = prev["period"].to_numpy()
        blk["period"] = sat["period"].to_numpy()
        blk["n_prev"] = n1
        blk["n"] = n2
        blk["value_prev"] = v1
        blk["value"] = v2
        blk["change"] = diff
        blk["change_lo"] = c_lo
        blk["change_hi"] = c_hi
        blk["se_change"] = se
        blk["z"] = zz
        blk["p_value"] = pval
        blk["significant"] = sig
        blk["direction"] = direction
        blk["label"] = label
        blk["label_zh"] = label_zh
        blk["test"] = test
        blocks.append(blk[has_prev])
    out = pd.concat(blocks, ignore_index=True)
    out["n_prev"] = out["n_prev"].astype(np.int64)
    out["n"] = out["n"].astype(np.int64)
    return out


# --------------------------------------------------------------------------------------------
# Driver analysis
# --------------------------------------------------------------------------------------------


def driver_analysis(
    csat_response: pd.DataFrame,
    by: str | Sequence[str] = (),
    *,
    drivers: Sequence[str] = DRIVERS,
    target: str = "q_overall",
    min_n: int = 30,
) -> pd.DataFrame:
    """Importance against performance of each sub-question: the importance-performance table.

    - ``importance``: Spearman rank correlation of the driver with ``target`` over the responses
      that answered both (ties get average ranks). Spearman, not relative weights: it is robust
      to the ordinal 1-5 scale, needs no model, and is what a manager can recompute; its caveat is
      that correlated drivers share importance.
    - ``performance``: top-2-box share (scores 4-5, :func:`ccomkit.kpi.compute` ``csat`` with
      ``question``=driver) for a 1-5 question; the yes share (``fcr``) for ``fcr_yes``.
    - Quadrants split at the mean importance and the mean performance of the drivers within the
      group: ``fix_first`` (importance ≥ mean, performance < mean), ``keep_up`` (both ≥ mean),
      ``low_priority`` (both < mean), ``possible_overkill`` (importance < mean, performance ≥
      mean).

    Parameters
    ----------
    csat_response : DataFrame
        The ``csat_response`` table. Not modified.
    by : str or sequence of str, default ()
        Grouping columns (``queue_id`` …); each group gets its own quadrant split.
    drivers : sequence of str, default ('q_speed', 'q_accuracy', 'q_attitude', 'fcr_yes')
    target : str, default 'q_overall'
    min_n : int, default 30
        Pairs needed for a stable importance (DOMAIN §6): ``reliable`` is ``n >= min_n``.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``driver``, ``n`` (pairs), ``importance``, ``p_value`` (of the
        correlation), ``performance``, ``importance_rank`` (1 = most important), ``quadrant``,
        ``quadrant_zh``, ``quadrant_en``, ``reliable``.

    Examples
    --------
    See ``tests/test_cx_survey.py`` for a hand-built four-driver case:

    >>> import pandas as pd
    >>> from ccomkit.cx.survey import driver_analysis
    >>> sv = pd.DataFrame({"responded_at": pd.to_datetime(["2026-03-02"] * 4),
    ...                    "q_overall": [1, 2, 4, 5], "q_speed": [1, 2, 3, 4],
    ...                    "q_attitude": [5, 5, 4, 5]})
    >>> driver_analysis(sv, drivers=["q_speed", "q_attitude"], min_n=3)[
    ...     ["driver", "importance", "performance", "quadrant"]]
           driver  importance  performance           quadrant
    0     q_speed    1.000000         0.25          fix_first
    1  q_attitude   -0.258199         1.00  possible_overkill
    """
    owner = "driver_analysis"
    drv = _as_list(drivers)
    if not drv or any(d not in (*QUESTIONS, "fcr_yes", "nps") for d in drv) or target in drv:
        raise ParameterError.expected(owner, "drivers", "a non-empty list of q_speed, "
                                      "q_accuracy, q_attitude, fcr_yes, nps (not the target)",
                                      drivers)
    if target not in QUESTIONS and target != "nps":
        raise ParameterError.expected(owner, "target", "one of " + ", ".join(QUESTIONS)
                                      + ", 'nps'", target)
    if not (isinstance(min_n, (int, np.integer)) and min_n >= 0):
        raise ParameterError.expected(owner, "min_n", "an int >= 0", min_n)
    by_cols = _as_list(by)
    _check_responses(csat_response, [target, *drv])
    require_columns(csat_response, by_cols, _TABLE)
    y_all = _numeric(csat_response, target, _TABLE)
    xs = {d: _numeric(csat_response, d, _TABLE) for d in drv}

    # performance through the KPI dictionary
    perf: dict[str, pd.DataFrame] = {}
    for d in drv:
        if d == "fcr_yes":
            r = compute(csat_response, "fcr", by_cols)
        elif d == "nps":
            r = compute(csat_response, "nps", by_cols)
        else:
            r = compute(csat_response, "csat", by_cols, params={"question": d})
        perf[d] = r

    if by_cols:
        codes = csat_response.groupby(by_cols, sort=True, dropna=False, observed=True).ngroup()
        codes = codes.to_numpy()
        groups = (csat_response[by_cols].assign(_g=codes).drop_duplicates("_g").sort_values("_g")
                  .reset_index(drop=True))
    else:
        codes = np.zeros(len(csat_response), dtype=np.int64)
        groups = pd.DataFrame(index=range(1))
    rows = []
    for gi in range(len(groups)):
        sel = codes == gi
        y = y_all[sel]
        recs = []
        for j, d in enumerate(drv):
            x = xs[d][sel]
            ok = ~np.isnan(x) & ~np.isnan(y)
            n = int(ok.sum())
            if n >= 3 and np.ptp(x[ok]) > 0 and np.ptp(y[ok]) > 0:
                res = stats.spearmanr(x[ok], y[ok])
                rho, pv = float(res.statistic), float(res.pvalue)
            else:
                rho, pv = np.nan, np.nan
            pr = perf[d]
            if by_cols:
                mask = np.ones(len(pr), dtype=bool)
                for b in by_cols:
                    gv = groups.at[gi, b]
                    mask &= (pr[b].isna() if pd.isna(gv) else (pr[b] == gv)).to_numpy()
                pval = float(pr.loc[mask, "value"].iloc[0]) if mask.any() else np.nan
            else:
                pval = float(pr["value"].iloc[0])
            recs.append({"driver": d, "n": n, "importance": rho, "p_value": pv,
                         "performance": pval})
        blk = pd.DataFrame(recs)
        imp, per = blk["importance"], blk["performance"]
        hi_i = imp >= imp.mean()
        hi_p = per >= per.mean()
        quad = np.select([hi_i & ~hi_p, hi_i & hi_p, ~hi_i & ~hi_p],
                         ["fix_first", "keep_up", "low_priority"], "possible_overkill")
        quad = np.where(imp.isna() | per.isna(), "undetermined", quad)
        blk["importance_rank"] = imp.rank(ascending=False, method="min").astype("Int64")
        blk["quadrant"] = quad
        blk["quadrant_zh"] = [QUADRANTS.get(q, ("无法判断", ""))[0] for q in quad]
        blk["quadrant_en"] = [QUADRANTS.get(q, ("", "undetermined"))[1] for q in quad]
        blk["reliable"] = blk["n"] >= min_n
        for pos, b in enumerate(by_cols):
            blk.insert(pos, b, groups.at[gi, b])
        rows.append(blk)
    return pd.concat(rows, ignore_index=True)


# --------------------------------------------------------------------------------------------
# Dissatisfaction reasons
# --------------------------------------------------------------------------------------------


def dissat_pareto(
    csat_response: pd.DataFrame,
    by: str | Sequence[str] = (),
    *,
    column: str = "dissat_reasons",
    sep: str = "|",
    vital_frac: float = 0.8,
) -> pd.DataFrame:
    """Pareto of dissatisfaction reasons (multi-select codes separated by ``sep``).

    Each code of a response counts once (a response naming two reasons adds one to each).

    Parameters
    ----------
    csat_response : DataFrame
        The ``csat_response`` table. Not modified.
    by : str or sequence of str, default ()
        Grouping columns; shares and the cumulative share restart in each group.
    column : str, default 'dissat_reasons'
    sep : str, default '|'
    vital_frac : float, default 0.8
        Cumulative share up to which reasons are the "vital few" (the reason that crosses the
        line is included).

    Returns
    -------
    DataFrame
        The ``by`` columns, ``reason``, ``mentions``, ``share`` (of all mentions in the group),
        ``cum_share``, ``responses_with_reason`` (responses naming any reason, in the group),
        ``share_of_responses`` (mentions ÷ those responses), ``rank``, ``vital_few``; sorted by
        group, then mentions descending (ties by reason code).

    Examples
    --------
    Three responses: 'long_wait|unresolved', 'long_wait', 'bad_attitude' → long_wait 2 of 4
    mentions, then bad_attitude and unresolved 1 each:

    >>> import pandas as pd
    >>> from ccomkit.cx.survey import dissat_pareto
    >>> sv = pd.DataFrame({"dissat_reasons": ["long_wait|unresolved", "long_wait",
    ...                                       "bad_attitude", None]})
    >>> dissat_pareto(sv)[["reason", "mentions", "share", "cum_share", "vital_few"]]
             reason  mentions  share  cum_share  vital_few
    0     long_wait         2   0.50       0.50       True
    1  bad_attitude         1   0.25       0.75       True
    2    unresolved         1   0.25       1.00       True
    """
    return _pareto(csat_response, by, column=column, sep=sep, vital_frac=vital_frac,
                   table=_TABLE, owner="dissat_pareto")


def _pareto(frame: pd.DataFrame, by: str | Sequence[str], *, column: str, sep: str | None,
            vital_frac: float, table: str, owner: str) -> pd.DataFrame:
    """Pareto table of the codes in ``column`` (split on ``sep`` when given), per ``by`` group."""
    v = _frac(vital_frac, owner, "vital_frac", closed_high=True)
    if sep is not None and (not isinstance(sep, str) or not sep):
        raise ParameterError.expected(owner, "sep", "a non-empty string or None", sep)
    by_cols = _as_list(by)
    if not isinstance(frame, pd.DataFrame):
        raise ParameterError.expected(owner, table, "a pandas DataFrame", type(frame).__name__)
    require_columns(frame, [column, *by_cols], table)
    s = frame[column]
    text = s.astype(object).where(s.notna(), "").astype(str)
    work = frame[by_cols].copy() if by_cols else pd.DataFrame(index=frame.index)
    work["reason"] = text.str.split(sep, regex=False) if sep is not None else text
    work["_resp"] = np.arange(len(work))
    long = work.explode("reason") if sep is not None else work
    long = long.assign(reason=long["reason"].astype(str).str.strip())
    long = long[long["reason"] != ""].drop_duplicates([*by_cols, "_resp", "reason"])
    cols = [*by_cols, "reason", "mentions", "share", "cum_share", "responses_with_reason",
            "share_of_responses", "rank", "vital_few"]
    if long.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    keys = [*by_cols, "reason"]
    cnt = long.groupby(keys, sort=True, dropna=False, observed=True).size().rename("mentions")
    out = cnt.reset_index()
    if by_cols:
        resp = long.groupby(by_cols, dropna=False, observed=True)["_resp"].nunique()
        resp = resp.rename("responses_with_reason").reset_index()
        out = out.merge(resp, on=by_cols, how="left")
        out = out.sort_values([*by_cols, "mentions", "reason"],
                              ascending=[True] * len(by_cols) + [False, True], kind="stable")
        g = out.groupby(by_cols, sort=False, dropna=False, observed=True)
        total = g["mentions"].transform("sum")
        cum = g["mentions"].cumsum()
        out["rank"] = g.cumcount() + 1
    else:
        out["responses_with_reason"] = long["_resp"].nunique()
        out = out.sort_values(["mentions", "reason"], ascending=[False, True], kind="stable")
        total = out["mentions"].sum()
        cum = out["mentions"].cumsum()
        out["rank"] = np.arange(1, len(out) + 1)
    out["share"] = out["mentions"] / total
    out["cum_share"] = cum / total
    prev_cum = out["cum_share"] - out["share"]
    out["vital_few"] = prev_cum < v - 1e-12
    out["share_of_responses"] = out["mentions"] / out["responses_with_reason"]
    out["mentions"] = out["mentions"].astype(np.int64)
    out["responses_with_reason"] = out["responses_with_reason"].astype(np.int64)
    return out[cols].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Charts (altair; built, not rendered)
# --------------------------------------------------------------------------------------------


def satisfaction_chart(table: pd.DataFrame, *, x: str | None = None,
                       metric: str = "csat") -> Any:
    """Point-and-interval chart of :func:`satisfaction` output (bilingual title).

    Parameters
    ----------
    table : DataFrame
        Output of :func:`satisfaction`.
    x : str, optional
        Column on the x axis; default ``period`` when present, else the first ``by`` column.
    metric : {'csat', 'dsat', 'nps'}, default 'csat'

    Returns
    -------
    altair.LayerChart

    Examples
    --------
    >>> import pandas as pd
    >>> from ccomkit.cx.survey import satisfaction, satisfaction_chart
    >>> sv = pd.DataFrame({"queue_id": ["a", "a", "b"], "invited_at": pd.to_datetime(
    ...     ["2026-03-02"] * 3), "responded_at": pd.to_datetime(["2026-03-02"] * 3),
    ...     "q_overall": [5, 3, 4], "nps": [10, 5, 9]})
    >>> chart = satisfaction_chart(satisfaction(sv, "queue_id"))
    >>> chart.to_dict()["title"]
    '满意率 CSAT (top-2-box) — 95% Wilson'
    """
    import altair as alt

    if metric not in ("csat", "dsat", "nps"):
        raise ParameterError.expected("satisfaction_chart", "metric", "one of 'csat', 'dsat', "
                                      "'nps'", metric)
    need = [metric, f"{metric}_lo", f"{metric}_hi", "n"]
    require_columns(table, need, "satisfaction")
    if x is None:
        cands = ["period"] if "period" in table.columns else [
            c for c in table.columns if c not in _SAT_OUT]
        if not cands:
            raise ParameterError.expected("satisfaction_chart", "x", "a column of the table "
                                          "(the table has no period or by column)", x)
        x = cands[0]
    require_columns(table, [x], "satisfaction")
    titles = {"csat": ("满意率", "CSAT (top-2-box)", "95% Wilson"),
              "dsat": ("不满意率", "DSAT (bottom-2-box)", "95% Wilson"),
              "nps": ("净推荐值", "NPS", "± z·SE")}
    zh, en, ci = titles[metric]
    data = table[[x, *need]].copy()
    if x != "period":
        data[x] = data[x].astype(str)
    xtype = "T" if x == "period" else "N"
    base = alt.Chart(data).encode(x=alt.X(f"{x}:{xtype}", title=x))
    fmt = ".0%" if metric != "nps" else "+.2f"
    rule = base.mark_rule().encode(y=alt.Y(f"{metric}_lo:Q", title=f"{zh} {en}",
                                           axis=alt.Axis(format=fmt)),
                                   y2=f"{metric}_hi:Q")
    point = base.mark_point(filled=True).encode(
        y=f"{metric}:Q", tooltip=[x, alt.Tooltip(f"{metric}:Q", format=".3f"), "n:Q"])
    return alt.layer(rule, point).properties(title=f"{zh} {en} — {ci}", width=480, height=240)


_SAT_OUT = {"invitations", "responses", "response_rate", "n", "top2", "bottom2", "csat",
            "csat_lo", "csat_hi", "dsat", "dsat_lo", "dsat_hi", "mean_score", "n_nps",
            "promoters", "detractors", "nps", "nps_se", "nps_lo", "nps_hi", "publishable"}


def driver_chart(drivers: pd.DataFrame) -> Any:
    """Importance-performance scatter of :func:`driver_analysis` output, with mean lines.

    Parameters
    ----------
    drivers : DataFrame
        Output of :func:`driver_analysis` (one group; filter first when it has ``by`` columns).

    Returns
    -------
    altair.LayerChart

    Examples
    --------
    >>> import pandas as pd
    >>> from ccomkit.cx.survey import driver_chart
    >>> d = pd.DataFrame({"driver": ["q_speed", "fcr_yes"], "importance": [0.6, 0.3],
    ...                   "performance": [0.7, 0.8], "quadrant": ["fix_first", "keep_up"],
    ...                   "quadrant_zh": ["优先改进", "继续保持"]})
    >>> driver_chart(d).to_dict()["title"]
    '驱动因素：重要性-表现 Drivers: importance vs performance'
    """
    import altair as alt

    require_columns(drivers, ["driver", "importance", "performance", "quadrant"],
                    "driver_analysis")
    data = drivers[[c for c in ("driver", "importance", "performance", "quadrant",
                                "quadrant_zh") if c in drivers.columns]].copy()
    base = alt.Chart(data)
    pts = base.mark_point(filled=True, size=80).encode(
        x=alt.X("performance:Q", title="表现 performance (top-2-box)",
                axis=alt.Axis(format=".0%")),
        y=alt.Y("importance:Q", title="重要性 importance (Spearman ρ)"),
        color=alt.Color("quadrant:N", title="象限 quadrant"),
        tooltip=list(data.columns))
    labels = base.mark_text(dx=8, align="left").encode(x="performance:Q", y="importance:Q",
                                                       text="driver:N")
    vline = alt.Chart(pd.DataFrame({"m": [float(data["performance"].mean())]})).mark_rule(
        strokeDash=[4, 4]).encode(x="m:Q")
    hline = alt.Chart(pd.DataFrame({"m": [float(data["importance"].mean())]})).mark_rule(
        strokeDash=[4, 4]).encode(y="m:Q")
    return alt.layer(pts, labels, vline, hline).properties(
        title="驱动因素：重要性-表现 Drivers: importance vs performance", width=420, height=320)


def pareto_chart(pareto: pd.DataFrame, *, title_zh: str = "不满意原因",
                 title_en: str = "Dissatisfaction reasons") -> Any:
    """Pareto chart (bars of mentions, line of the cumulative share) of a Pareto table.

    Parameters
    ----------
    pareto : DataFrame
        Output of :func:`dissat_pareto` or :func:`ccomkit.cx.complaints.complaint_pareto` (one
        group; filter first when it has ``by`` columns).
    title_zh, title_en : str
        Title halves; the chart title is ``"<zh> <en> (Pareto)"``.

    Returns
    -------
    altair.LayerChart

    Examples
    --------
    >>> import pandas as pd
    >>> from ccomkit.cx.survey import dissat_pareto, pareto_chart
    >>> p = dissat_pareto(pd.DataFrame({"dissat_reasons": ["long_wait|unresolved", "long_wait"]}))
    >>> pareto_chart(p).to_dict()["title"]
    '不满意原因 Dissatisfaction reasons (Pareto)'
    """
    import altair as alt

    require_columns(pareto, ["reason", "mentions", "cum_share"], "pareto")
    data = pareto[["reason", "mentions", "cum_share"]].copy()
    order = data["reason"].astype(str).tolist()
    x = alt.X("reason:N", sort=order, title="原因 reason")
    bars = alt.Chart(data).mark_bar().encode(
        x=x, y=alt.Y("mentions:Q", title="次数 mentions"), tooltip=list(data.columns))
    line = alt.Chart(data).mark_line(point=True, color="#d62728").encode(
        x=x, y=alt.Y("cum_share:Q", title="累计占比 cumulative share",
                     axis=alt.Axis(format=".0%"), scale=alt.Scale(domain=[0, 1])))
    return alt.layer(bars, line).resolve_scale(y="independent").properties(
        title=f"{title_zh} {title_en} (Pareto)", width=480, height=240)
