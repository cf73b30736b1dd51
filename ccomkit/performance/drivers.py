"""KPI decomposition (绩效拆解): a driver tree and each driver's contribution to a change.

The tree (:data:`DRIVER_TREE`, :func:`driver_tree`) links result KPIs to process metrics. Each
link says honestly what kind of link it is:

``identity``
    An exact accounting identity, so the contributions add up to the change with no residual.
    The staffing ratio (人力满足率 at workload level) is
    ``R = login_s × (1 − shrinkage) / (offered × AHT)`` (shrinkage = the ``aux_login`` variant,
    Σaux / login): :func:`decompose_staffing` splits ΔR over its four factors by LMDI (log-mean
    Divisia, exact for products) or Shapley. CSAT is ``Σ_s share_s × CSAT_s`` over the FCR
    segments of the responses: :func:`csat_fcr_mix` splits ΔCSAT into the FCR-mix effect and
    the within-segment rate effects (two-factor Shapley, exact).
``statistical``
    No identity links service level to staffing (queueing is non-linear) or CSAT to QA scores
    and waiting. :func:`regression_attribution` fits a weighted least-squares line over the days
    of both periods and credits driver j with ``b_j × Δ(weighted mean of x_j)``; the row
    ``unexplained`` holds the rest, so the rows still sum to the change, and ``r2`` says how much
    of the day-to-day variation the drivers explain. These are associations, not causes.
    :func:`sl_drivers` regresses daily SL on ln R (and adherence when a schedule is given) and
    splits ln R's share exactly over R's factors (ln R is a sum of logs);
    :func:`csat_drivers` regresses daily CSAT on FCR, QA score and ASA.

The weights of the regressions are each day's KPI denominator, so the weighted mean of the
daily values is the period's KPI (Σnumerator / Σdenominator), never a mean of percentages.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from ccomkit.errors import ParameterError, SchemaError
from ccomkit.kpi import adherence_grid, compute
from ccomkit.schemas import require_columns

__all__ = [
    "DRIVER_TREE",
    "contribution_chart",
    "csat_drivers",
    "csat_fcr_mix",
    "decompose_staffing",
    "driver_tree",
    "lmdi",
    "regression_attribution",
    "shapley",
    "sl_drivers",
    "staffing_identity",
]

_TREE_ROWS = [
    ("service_level", "staffing_ratio", "statistical", "+",
     "SL rises with available agent time per unit of offered workload (non-linear, Erlang)"),
    ("service_level", "adherence", "statistical", "+",
     "agents in the scheduled state when the calls come"),
    ("staffing_ratio", "login_s", "identity", "× login_s",
     "logged-in agent seconds (staffing against requirement)"),
    ("staffing_ratio", "availability", "identity", "× (1 − shrinkage)",
     "1 − shrinkage (aux_login variant: Σaux / login)"),
    ("staffing_ratio", "offered", "identity", "÷ offered", "offered contacts (volume)"),
    ("staffing_ratio", "aht_s", "identity", "÷ AHT", "average handle time"),
    ("csat", "fcr_mix", "identity", "Σ share_s × CSAT_s",
     "share of responses resolved on first contact (mix effect)"),
    ("csat", "csat_within_fcr", "identity", "Σ share_s × CSAT_s",
     "CSAT inside each FCR segment (rate effect)"),
    ("csat", "fcr", "statistical", "+", "survey FCR of the day"),
    ("csat", "qa_score", "statistical", "+", "QA accuracy (mean QA score of the day)"),
    ("csat", "asa_s", "statistical", "−", "waiting: average speed of answer"),
]

DRIVER_TREE: pd.DataFrame = pd.DataFrame(_TREE_ROWS, columns=["result", "driver", "link",
                                                              "relation", "note"])
"""The driver tree as data: result, driver, link ('identity' / 'statistical'), relation, note."""


def driver_tree() -> pd.DataFrame:
    """Return a copy of :data:`DRIVER_TREE`.

    Returns
    -------
    DataFrame
        ``result``, ``driver``, ``link``, ``relation``, ``note``.

    Examples
    --------
    >>> from ccomkit.performance.drivers import driver_tree
    >>> t = driver_tree()
    >>> t[t.result == "staffing_ratio"].driver.tolist()
    ['login_s', 'availability', 'offered', 'aht_s']
    """
    return DRIVER_TREE.copy()


# --------------------------------------------------------------------------------------------
# Exact decompositions
# --------------------------------------------------------------------------------------------


def shapley(fn: Callable[[Mapping[str, float]], float], base: Mapping[str, float],
            comparison: Mapping[str, float]) -> pd.DataFrame:
    """Exact Shapley split of ``fn(comparison) − fn(base)`` over the factors.

    Factor i gets the average, over all orders of switching factors from base to comparison,
    of the change in ``fn`` when i switches. The contributions always sum to the total change.

    Parameters
    ----------
    fn : callable
        Maps a dict factor → value to the result.
    base, comparison : mapping of str to float
        Factor values in the two periods (same keys, at most 12 factors).

    Returns
    -------
    DataFrame
        ``factor``, ``base``, ``comparison``, ``contribution``.

    Examples
    --------
    y = a × b from (2, 3) to (4, 5): Δy = 20 − 6 = 14. Shapley: a gets ½[(4−2)·3 + (4−2)·5] = 8,
    b gets ½[2·(5−3) + 4·(5−3)] = 6:

    >>> from ccomkit.performance.drivers import shapley
    >>> shapley(lambda f: f["a"] * f["b"], {"a": 2, "b": 3}, {"a": 4, "b": 5})
      factor  base  comparison  contribution
    0      a   2.0         4.0           8.0
    1      b   3.0         5.0           6.0
    """
    keys = list(base)
    if set(keys) != set(comparison):
        raise ParameterError.expected("shapley", "comparison", "the same factors as base ("
                                      + ", ".join(keys) + ")", sorted(comparison))
    k = len(keys)
    if not 1 <= k <= 12:
        raise ParameterError.expected("shapley", "base", "1 to 12 factors", k)
    cache: dict[frozenset[str], float] = {}

    def val(switched: frozenset[str]) -> float:
        if switched not in cache:
            cache[switched] = float(fn({f: float(comparison[f] if f in switched else base[f])
                                        for f in keys}))
        return cache[switched]

    contrib = []
    for f in keys:
        others = [o for o in keys if o != f]
        tot = 0.0
        for r in range(k):
            w = math.factorial(r) * math.factorial(k - r - 1) / math.factorial(k)
            for s in combinations(others, r):
                fs = frozenset(s)
                tot += w * (val(fs | {f}) - val(fs))
        contrib.append(tot)
    return pd.DataFrame({"factor": keys, "base": [float(base[f]) for f in keys],
                         "comparison": [float(comparison[f]) for f in keys],
                         "contribution": contrib})


def _logmean(a: float, b: float) -> float:
    if a <= 0 or b <= 0:
        raise ParameterError.expected("lmdi", "base", "positive values (LMDI takes logs)",
                                      (a, b))
    return a if math.isclose(a, b, rel_tol=1e-12) else (a - b) / (math.log(a) - math.log(b))


def lmdi(base: Mapping[str, float], comparison: Mapping[str, float],
         exponents: Mapping[str, float]) -> pd.DataFrame:
    """LMDI-I split of the change of ``y = Π x_i^e_i``: exact, no residual.

    Factor i contributes ``L(y1, y0) × e_i × ln(x_i1 / x_i0)`` with the logarithmic mean
    ``L(a, b) = (a − b) / (ln a − ln b)``; the contributions sum to ``y1 − y0``.

    Parameters
    ----------
    base, comparison : mapping of str to float
        Positive factor values.
    exponents : mapping of str to float
        +1 for a factor in the numerator, −1 in the denominator.

    Returns
    -------
    DataFrame
        ``factor``, ``base``, ``comparison``, ``exponent``, ``contribution``.

    Examples
    --------
    y = a / b from 2/1 = 2 to 4/1.6 = 2.5: L(2.5, 2) = 0.5 / ln 1.25 = 2.2407;
    a: 2.2407 × ln 2 = 1.5531, b: −2.2407 × ln 1.6 = −1.0531; sum 0.5:

    >>> from ccomkit.performance.drivers import lmdi
    >>> out = lmdi({"a": 2, "b": 1}, {"a": 4, "b": 1.6}, {"a": 1, "b": -1})
    >>> out.contribution.round(4).tolist(), round(float(out.contribution.sum()), 10)
    ([1.5531, -1.0531], 0.5)
    """
    keys = list(exponents)
    if set(keys) != set(base) or set(keys) != set(comparison):
        raise ParameterError.expected("lmdi", "exponents", "the factors of base and "
                                      "comparison", sorted(exponents))
    y0 = math.prod(float(base[f]) ** float(exponents[f]) for f in keys)
    y1 = math.prod(float(comparison[f]) ** float(exponents[f]) for f in keys)
    for f in keys:
        if float(base[f]) <= 0 or float(comparison[f]) <= 0:
            raise ParameterError.expected("lmdi", f, "positive values (LMDI takes logs)",
                                          (base[f], comparison[f]))
    L = _logmean(y1, y0)
    return pd.DataFrame({
        "factor": keys, "base": [float(base[f]) for f in keys],
        "comparison": [float(comparison[f]) for f in keys],
        "exponent": [float(exponents[f]) for f in keys],
        "contribution": [L * float(exponents[f]) * math.log(float(comparison[f]) /
                                                             float(base[f])) for f in keys]})


# --------------------------------------------------------------------------------------------
# The staffing identity
# --------------------------------------------------------------------------------------------


def _per(p: Any, param: str) -> pd.Period:
    try:
        return p if isinstance(p, pd.Period) else pd.Period(p, freq="M")
    except (ValueError, TypeError):
        raise ParameterError.expected("drivers", param, "a month such as '2026-09'", p) from None


def _window(frame: pd.DataFrame, col: str, base: pd.Period, comp: pd.Period, table: str
            ) -> pd.DataFrame:
    require_columns(frame, [col], table)
    t = pd.to_datetime(frame[col])
    lab = np.full(len(frame), None, dtype=object)
    for name, p in (("base", base), ("comparison", comp)):
        lab[((t >= p.start_time) & (t < (p + 1).start_time)).to_numpy()] = name
    out = frame[lab != None].copy()  # noqa: E711 - elementwise
    out["_which"] = lab[lab != None]  # noqa: E711
    return out


def staffing_identity(agent_interval: pd.DataFrame, acd_interval: pd.DataFrame,
                      by: str | Sequence[str] = "_which") -> pd.DataFrame:
    """The factors of the staffing ratio ``R = login_s × (1 − shrinkage) / (offered × AHT)``.

    ``shrinkage`` and ``aht_s`` come from :func:`ccomkit.kpi.compute` (variants ``aux_login``
    and ``default``); ``login_s`` and ``offered`` (answered + abandoned) are sums.

    Parameters
    ----------
    agent_interval, acd_interval : DataFrame
        The two tables, already restricted to the rows wanted. Not modified.
    by : str or sequence of str, default '_which'
        Columns both frames carry (e.g. a period label or ``day``).

    Returns
    -------
    DataFrame
        The ``by`` columns, ``login_s``, ``availability`` (1 − shrinkage), ``offered``,
        ``aht_s``, ``staffing_ratio``.

    Examples
    --------
    One hour: 2 agents logged in 3,600 s each with 720 s aux in total → shrinkage 720/7,200 =
    0.1; 40 offered calls (38 answered + 2 abandoned) at AHT 300 s → workload 12,000 s.
    R = 7,200 × 0.9 / 12,000 = 0.54:

    >>> import pandas as pd
    >>> from ccomkit.performance.drivers import staffing_identity
    >>> ai = pd.DataFrame({"agent_id": ["a", "b"], "login_s": [3600.0, 3600.0],
    ...     "ready_idle_s": [0.0, 0.0], "talk_s": [3000.0, 2880.0], "hold_s": [0.0, 0.0],
    ...     "acw_s": [300.0, 0.0], "aux_break_s": [300.0, 420.0], "handled": [20, 18],
    ...     "interval_start": pd.to_datetime(["2026-03-02 09:00"] * 2), "day": [1, 1]})
    >>> acd = pd.DataFrame({"answered": [38], "abandoned": [2], "handled": [38],
    ...     "sum_talk_s": [11400.0], "sum_hold_s": [0.0], "sum_acw_s": [0.0], "day": [1],
    ...     "interval_start": pd.to_datetime(["2026-03-02 09:00"])})
    >>> staffing_identity(ai, acd, by="day").round(4)
       day  login_s  availability  offered  aht_s  staffing_ratio
    0    1   7200.0           0.9     40.0  300.0            0.54
    """
    by_cols = [by] if isinstance(by, str) else list(by)
    require_columns(agent_interval, ["login_s", *by_cols], "agent_interval")
    require_columns(acd_interval, ["answered", "abandoned", *by_cols], "acd_interval")
    sh = compute(agent_interval, "shrinkage", by=by_cols,
                 variants={"shrinkage": "aux_login"}).set_index(by_cols)
    ah = compute(acd_interval, "aht_s", by=by_cols).set_index(by_cols)
    lg = agent_interval.groupby(by_cols, sort=True)["login_s"].sum()
    off = acd_interval.groupby(by_cols, sort=True)[["answered", "abandoned"]].sum().sum(axis=1)
    out = pd.DataFrame({"login_s": lg.astype(float)})
    out["availability"] = 1.0 - sh["value"].reindex(out.index)
    out["offered"] = off.reindex(out.index).astype(float)
    out["aht_s"] = ah["value"].reindex(out.index)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["staffing_ratio"] = (out["login_s"] * out["availability"]
                                 / (out["offered"] * out["aht_s"]))
    return out.reset_index()


_R_EXP = {"login_s": 1.0, "availability": 1.0, "offered": -1.0, "aht_s": -1.0}


def decompose_staffing(agent_interval: pd.DataFrame, acd_interval: pd.DataFrame, base: Any,
                       comparison: Any, *, method: str = "lmdi") -> pd.DataFrame:
    """Each factor's exact contribution to the change of the staffing ratio between two months.

    Parameters
    ----------
    agent_interval, acd_interval : DataFrame
        The workspace tables (any span; the two months are cut from them). Not modified.
    base, comparison : period-like
        The two months (``'2026-08'``, ``'2026-09'``).
    method : {'lmdi', 'shapley'}, default 'lmdi'

    Returns
    -------
    DataFrame
        ``result`` ('staffing_ratio'), ``driver``, ``link`` ('identity'), ``base``,
        ``comparison``, ``contribution`` (in units of R), ``share`` of the total change; a last
        row ``driver='total'`` with R in both months and the change. The contributions sum to
        the total exactly.

    Examples
    --------
    See the tests for a hand-computed two-month case; on any data the rows add up:

    >>> import pandas as pd
    >>> from ccomkit.performance.drivers import decompose_staffing
    >>> ts = pd.to_datetime(["2026-03-02 09:00", "2026-04-06 09:00"])
    >>> ai = pd.DataFrame({"interval_start": ts, "login_s": [7200.0, 7200.0],
    ...     "ready_idle_s": 0.0, "talk_s": [6480.0, 5760.0], "hold_s": 0.0, "acw_s": 0.0,
    ...     "aux_break_s": [720.0, 1440.0], "handled": [40, 40]})
    >>> acd = pd.DataFrame({"interval_start": ts, "answered": [40, 40], "abandoned": [0, 0],
    ...     "handled": [40, 40], "sum_talk_s": [12000.0, 13200.0]})
    >>> out = decompose_staffing(ai, acd, "2026-03", "2026-04")
    >>> bool(abs(out.contribution.iloc[:-1].sum() - out.contribution.iloc[-1]) < 1e-12)
    True
    """
    if method not in ("lmdi", "shapley"):
        raise ParameterError.expected("decompose_staffing", "method", "'lmdi' or 'shapley'",
                                      method)
    b, c = _per(base, "base"), _per(comparison, "comparison")
    ai = _window(agent_interval, "interval_start", b, c, "agent_interval")
    ac = _window(acd_interval, "interval_start", b, c, "acd_interval")
    f = staffing_identity(ai, ac, by="_which").set_index("_which")
    if not {"base", "comparison"} <= set(f.index):
        raise SchemaError("decompose_staffing needs agent_interval and acd_interval rows in "
                          f"both months ({b}, {c})", table="agent_interval")
    f0 = f.loc["base", list(_R_EXP)].astype(float).to_dict()
    f1 = f.loc["comparison", list(_R_EXP)].astype(float).to_dict()
    if method == "lmdi":
        t = lmdi(f0, f1, _R_EXP)
    else:
        t = shapley(lambda x: math.prod(x[k] ** e for k, e in _R_EXP.items()), f0, f1)
    r0, r1 = float(f.loc["base", "staffing_ratio"]), float(f.loc["comparison",
                                                                   "staffing_ratio"])
    return _finish(t.rename(columns={"factor": "driver"}), "staffing_ratio", "identity",
                   r0, r1)


def _finish(t: pd.DataFrame, result: str, link: str, y0: float, y1: float) -> pd.DataFrame:
    total = y1 - y0
    out = pd.DataFrame({"result": result, "driver": t["driver"], "link": link,
                        "base": t["base"], "comparison": t["comparison"],
                        "contribution": t["contribution"]})
    out = pd.concat([out, pd.DataFrame({"result": [result], "driver": ["total"],
                                        "link": [link], "base": [y0], "comparison": [y1],
                                        "contribution": [total]})], ignore_index=True)
    out["share"] = out["contribution"] / total if total != 0 else np.nan
    return out


# --------------------------------------------------------------------------------------------
# CSAT mix identity
# --------------------------------------------------------------------------------------------


def csat_fcr_mix(csat_response: pd.DataFrame, base: Any, comparison: Any) -> pd.DataFrame:
    """Exact split of ΔCSAT into the FCR-mix effect and the within-segment CSAT effects.

    ``CSAT = Σ_s share_s × CSAT_s`` over the segments s of the valid responses (fcr_yes true,
    false, unanswered). Two-factor Shapley per segment: mix effect
    ``Δshare_s × (CSAT_s0 + CSAT_s1) / 2`` and rate effect ``ΔCSAT_s × (share_s0 + share_s1) / 2``.
    A segment empty in one month contributes only through its mix (its CSAT is taken as the
    other month's). The effects sum exactly to ΔCSAT.

    Parameters
    ----------
    csat_response : DataFrame
        The workspace table (invited_at, q_overall, fcr_yes). Not modified.
    base, comparison : period-like

    Returns
    -------
    DataFrame
        ``result`` ('csat'), ``driver`` ('fcr_mix' or 'csat_within_fcr'), ``segment``,
        ``link`` ('identity'), ``base``/``comparison`` (share or CSAT), ``contribution``,
        ``share``; the last row is the total.

    Examples
    --------
    March: 10 responses, 6 FCR-yes (5 satisfied), 4 no (1): CSAT 0.6. April: 8 yes (7), 2 no
    (0): CSAT 0.7. Mix: yes (0.8 − 0.6)(5/6 + 7/8)/2 = 0.1708, no (0.2 − 0.4)(0.25 + 0)/2 =
    −0.025; rate: yes (7/8 − 5/6)(0.7) = 0.0292, no (0 − 0.25)(0.3) = −0.075. Sum 0.1:

    >>> import pandas as pd
    >>> from ccomkit.performance.drivers import csat_fcr_mix
    >>> cs = pd.DataFrame({
    ...     "invited_at": pd.to_datetime(["2026-03-05"] * 10 + ["2026-04-05"] * 10),
    ...     "q_overall": [5] * 5 + [2] + [5] + [1] * 3 + [5] * 7 + [3] + [2] * 2,
    ...     "fcr_yes": [True] * 6 + [False] * 4 + [True] * 8 + [False] * 2})
    >>> out = csat_fcr_mix(cs, "2026-03", "2026-04")
    >>> out[["driver", "segment", "contribution"]].round(4)
                driver segment  contribution
    0          fcr_mix     yes        0.1708
    1          fcr_mix      no       -0.0250
    2  csat_within_fcr     yes        0.0292
    3  csat_within_fcr      no       -0.0750
    4            total     all        0.1000
    """
    require_columns(csat_response, ["invited_at", "q_overall", "fcr_yes"], "csat_response")
    b, c = _per(base, "base"), _per(comparison, "comparison")
    cs = _window(csat_response, "invited_at", b, c, "csat_response")
    fy = cs["fcr_yes"].astype(object)
    cs["_seg"] = np.where(fy.isna(), "unknown", np.where(fy == True, "yes", "no"))  # noqa: E712
    k = compute(cs, "csat", by=["_which", "_seg"])
    k = k[k["denominator"] > 0]
    tab = k.pivot(index="_seg", columns="_which", values=["numerator", "denominator"]).fillna(0)
    for w in ("base", "comparison"):
        if ("denominator", w) not in tab.columns or tab[("denominator", w)].sum() == 0:
            raise SchemaError(f"csat_fcr_mix needs valid csat_response rows in both months "
                              f"({b}, {c})", table="csat_response", column="q_overall")
    segs = [s for s in ("yes", "no", "unknown") if s in tab.index]
    rows = []
    n0, n1 = tab[("denominator", "base")].sum(), tab[("denominator", "comparison")].sum()
    sh0 = tab[("denominator", "base")] / n0
    sh1 = tab[("denominator", "comparison")] / n1
    with np.errstate(invalid="ignore", divide="ignore"):
        r0 = tab[("numerator", "base")] / tab[("denominator", "base")]
        r1 = tab[("numerator", "comparison")] / tab[("denominator", "comparison")]
    r0, r1 = r0.fillna(r1), r1.fillna(r0)
    for s in segs:
        rows.append(("fcr_mix", s, sh0[s], sh1[s], (sh1[s] - sh0[s]) * (r0[s] + r1[s]) / 2))
    for s in segs:
        rows.append(("csat_within_fcr", s, r0[s], r1[s], (r1[s] - r0[s]) * (sh0[s] + sh1[s]) / 2))
    y0 = float(tab[("numerator", "base")].sum() / n0)
    y1 = float(tab[("numerator", "comparison")].sum() / n1)
    t = pd.DataFrame(rows, columns=["driver", "segment", "base", "comparison", "contribution"])
    out = _finish(t, "csat", "identity", y0, y1)
    out.insert(2, "segment", list(t["segment"]) + ["all"])
    return out


# --------------------------------------------------------------------------------------------
# Statistical attribution
# --------------------------------------------------------------------------------------------


def regression_attribution(frame: pd.DataFrame, y: str, x: Sequence[str], *,
                           period_col: str = "_which", base: Any = "base",
                           comparison: Any = "comparison", weight: str | None = None,
                           result: str | None = None) -> pd.DataFrame:
    """Regression-based attribution of a change: ``b_j × Δ(weighted mean of x_j)``.

    Fits ``y = a + Σ b_j x_j`` by weighted least squares over the rows of both periods. Since
    the weighted residuals have zero mean over the pooled rows but not within each period,
    ``Δȳ = Σ b_j Δx̄_j + Δē`` exactly: the drivers' rows plus ``unexplained`` (Δē) sum to the
    total. **Statistical, not causal**: ``r2`` (weighted) says how much of the row-to-row
    variation the drivers explain, and with few rows or collinear drivers the split is fragile.

    Parameters
    ----------
    frame : DataFrame
        One row per observation (e.g. a day) with ``y``, the ``x`` columns, ``period_col`` and
        optionally ``weight``. Rows with a NaN are dropped. Not modified.
    y : str
    x : sequence of str
    period_col : str, default '_which'
    base, comparison : Any
        The values of ``period_col`` marking the two periods.
    weight : str, optional
        Row weights (the KPI's denominator, so weighted means equal the period KPI).
    result : str, optional
        Name of the result in the output (default ``y``).

    Returns
    -------
    DataFrame
        ``result``, ``driver``, ``link`` ('statistical'), ``coef``, ``base``, ``comparison``
        (weighted means), ``contribution``, ``share``, ``r2``, ``n``; rows ``unexplained`` and
        ``total`` at the end.

    Examples
    --------
    y = 1 + 2x exactly; x̄ goes from 1.5 to 3.5, so x contributes 2 × 2 = 4 = Δȳ, r2 = 1:

    >>> import pandas as pd
    >>> from ccomkit.performance.drivers import regression_attribution
    >>> f = pd.DataFrame({"p": ["b", "b", "c", "c"], "x": [1.0, 2.0, 3.0, 4.0]})
    >>> f["y"] = 1 + 2 * f["x"]
    >>> out = regression_attribution(f, "y", ["x"], period_col="p", base="b", comparison="c")
    >>> out[["driver", "coef", "contribution", "r2"]].round(6)
            driver  coef  contribution   r2
    0            x   2.0           4.0  1.0
    1  unexplained   NaN           0.0  1.0
    2        total   NaN           4.0  1.0
    """
    xs = list(x)
    if not xs:
        raise ParameterError.expected("regression_attribution", "x", "at least one driver",
                                      x)
    require_columns(frame, [y, *xs, period_col] + ([weight] if weight else []), "frame")
    f = frame[frame[period_col].isin([base, comparison])]
    f = f.dropna(subset=[y, *xs] + ([weight] if weight else []))
    w = f[weight].to_numpy(dtype=float) if weight else np.ones(len(f))
    keep = w > 0
    f, w = f[keep], w[keep]
    n = len(f)
    if n < len(xs) + 2:
        raise ParameterError.expected("regression_attribution", "frame", f"at least "
                                      f"{len(xs) + 2} complete rows for {len(xs)} drivers", n)
    X = np.column_stack([np.ones(n), f[xs].to_numpy(dtype=float)])
    Y = f[y].to_numpy(dtype=float)
    sw = np.sqrt(w)
    coef, *_ = np.linalg.lstsq(X * sw[:, None], Y * sw, rcond=None)
    resid = Y - X @ coef
    ybar = np.average(Y, weights=w)
    ss_tot = float(np.sum(w * (Y - ybar) ** 2))
    r2 = 1.0 - float(np.sum(w * resid ** 2)) / ss_tot if ss_tot > 0 else np.nan
    m0 = (f[period_col] == base).to_numpy()
    m1 = (f[period_col] == comparison).to_numpy()
    if not (m0.any() and m1.any()):
        raise SchemaError("regression_attribution needs rows in both periods",
                          table="frame", column=period_col)

    def wm(v: np.ndarray, m: np.ndarray) -> float:
        return float(np.average(v[m], weights=w[m]))

    rows = []
    for j, col in enumerate(xs):
        v = X[:, j + 1]
        rows.append((col, coef[j + 1], wm(v, m0), wm(v, m1),
                     coef[j + 1] * (wm(v, m1) - wm(v, m0))))
    rows.append(("unexplained", np.nan, wm(resid, m0), wm(resid, m1),
                 wm(resid, m1) - wm(resid, m0)))
    t = pd.DataFrame(rows, columns=["driver", "coef", "base", "comparison", "contribution"])
    out = _finish(t, result or y, "statistical", wm(Y, m0), wm(Y, m1))
    out.insert(3, "coef", list(t["coef"]) + [np.nan])
    out["r2"] = r2
    out["n"] = n
    return out


def sl_drivers(acd_interval: pd.DataFrame, agent_interval: pd.DataFrame, base: Any,
               comparison: Any, *, schedule: pd.DataFrame | None = None) -> pd.DataFrame:
    """Service level change attributed to the staffing ratio (and adherence), then to R's factors.

    Daily center SL (``own_thresholds``: each queue against its own T) is regressed on
    ``ln R`` (:func:`staffing_identity` per day) and, with ``schedule``, daily adherence, over
    the days of both months, weighted by the SL denominator (see
    :func:`regression_attribution`; statistical). Because ``ln R = ln login_s + ln availability
    − ln offered − ln aht_s`` day by day, ln R's contribution splits **exactly** into four
    level-2 rows (``parent='staffing_ratio'``).

    Parameters
    ----------
    acd_interval, agent_interval : DataFrame
        Not modified.
    base, comparison : period-like
    schedule : DataFrame, optional
        The schedule table, to add adherence as a driver.

    Returns
    -------
    DataFrame
        The rows of :func:`regression_attribution` for result ``service_level`` (drivers
        ``ln_staffing_ratio``, ``adherence``, ``unexplained``, ``total``) with ``parent``
        empty, followed by the level-2 rows of the staffing identity (``parent =
        'ln_staffing_ratio'``, link 'identity'; their ``base``/``comparison`` are the weighted
        means of ``± ln factor``, minus for offered and AHT, and ``coef`` is ln R's). The
        level-2 rows sum to ln R's contribution. ``attrs['days']`` holds the daily frame.

    Examples
    --------
    See the tests (synthetic days where SL is linear in ln R) and the demo smoke test.

    >>> from ccomkit.performance.drivers import sl_drivers
    >>> callable(sl_drivers)
    True
    """
    b, c = _per(base, "base"), _per(comparison, "comparison")
    ac = _window(acd_interval, "interval_start", b, c, "acd_interval")
    ai = _window(agent_interval, "interval_start", b, c, "agent_interval")
    ac["_day"] = pd.to_datetime(ac["interval_start"]).dt.floor("D")
    ai["_day"] = pd.to_datetime(ai["interval_start"]).dt.floor("D")
    sl = compute(ac, "service_level", by=["_which", "_day"], params={"own_thresholds": True})
    days = staffing_identity(ai, ac, by=["_which", "_day"])
    days = days.merge(sl[["_which", "_day", "value", "denominator"]].rename(
        columns={"value": "service_level", "denominator": "_w"}), on=["_which", "_day"])
    logs = {"login_s": 1.0, "availability": 1.0, "offered": -1.0, "aht_s": -1.0}
    ok = np.ones(len(days), dtype=bool)
    for k in logs:
        ok &= (days[k] > 0).to_numpy()
    days = days[ok].copy()
    for k, e in logs.items():
        days[f"ln_{k}"] = e * np.log(days[k].astype(float))
    days["ln_staffing_ratio"] = days[[f"ln_{k}" for k in logs]].sum(axis=1)
    xs = ["ln_staffing_ratio"]
    if schedule is not None:
        sd = pd.to_datetime(schedule["shift_date"])
        sc = schedule[((sd >= b.start_time) & (sd < (b + 1).start_time))
                      | ((sd >= c.start_time) & (sd < (c + 1).start_time))]
        g = adherence_grid(ai.drop(columns=["_which", "_day"]), sc)
        g["_day"] = pd.to_datetime(g["interval_start"]).dt.floor("D")
        ad = compute(g, "adherence", by="_day")[["_day", "value"]].rename(
            columns={"value": "adherence"})
        days = days.merge(ad, on="_day", how="left")
        xs.append("adherence")
    out = regression_attribution(days, "service_level", xs, weight="_w")
    out.insert(1, "parent", "")
    b_ln = float(out.loc[out["driver"] == "ln_staffing_ratio", "coef"].iloc[0])
    w = days["_w"].to_numpy(dtype=float)
    m0 = (days["_which"] == "base").to_numpy()
    m1 = (days["_which"] == "comparison").to_numpy()
    lvl2 = []
    for k in logs:
        v = days[f"ln_{k}"].to_numpy(dtype=float)
        x0 = float(np.average(v[m0], weights=w[m0]))
        x1 = float(np.average(v[m1], weights=w[m1]))
        lvl2.append({"result": "service_level", "parent": "ln_staffing_ratio", "driver": k,
                     "link": "identity", "coef": b_ln, "base": x0, "comparison": x1,
                     "contribution": b_ln * (x1 - x0)})
    l2 = pd.DataFrame(lvl2)
    tot = float(out.loc[out["driver"] == "total", "contribution"].iloc[0])
    l2["share"] = l2["contribution"] / tot if tot != 0 else np.nan
    l2["r2"], l2["n"] = out["r2"].iloc[0], out["n"].iloc[0]
    res = pd.concat([out, l2], ignore_index=True)
    res.attrs["days"] = days
    return res


def csat_drivers(csat_response: pd.DataFrame, base: Any, comparison: Any, *,
                 qa_evaluation: pd.DataFrame | None = None,
                 acd_interval: pd.DataFrame | None = None) -> pd.DataFrame:
    """CSAT change attributed to FCR, QA accuracy and waiting (ASA) by daily regression.

    Daily center CSAT (weights: valid responses) on daily survey FCR, and when given the mean
    QA score of the calls of that day (``call_date``, else ``eval_date``) and ASA. Statistical
    (see :func:`regression_attribution`); for the exact FCR-mix identity use
    :func:`csat_fcr_mix`.

    Parameters
    ----------
    csat_response : DataFrame
    base, comparison : period-like
    qa_evaluation, acd_interval : DataFrame, optional

    Returns
    -------
    DataFrame
        The rows of :func:`regression_attribution` for result ``csat``; ``attrs['days']``.

    Examples
    --------
    >>> from ccomkit.performance.drivers import csat_drivers
    >>> callable(csat_drivers)
    True
    """
    b, c = _per(base, "base"), _per(comparison, "comparison")
    cs = _window(csat_response, "invited_at", b, c, "csat_response")
    cs["_day"] = pd.to_datetime(cs["invited_at"]).dt.floor("D")
    k = compute(cs, ["csat", "fcr"], by=["_which", "_day"])
    days = k.pivot_table(index=["_which", "_day"], columns="kpi_id", values="value")
    days["_w"] = k[k["kpi_id"] == "csat"].set_index(["_which", "_day"])["denominator"]
    days = days.reset_index()
    xs = ["fcr"]
    if qa_evaluation is not None:
        col = ("call_date" if "call_date" in qa_evaluation.columns
               and qa_evaluation["call_date"].notna().any() else "eval_date")
        qa = _window(qa_evaluation, col, b, c, "qa_evaluation")
        qa["_day"] = pd.to_datetime(qa[col]).dt.floor("D")
        q = compute(qa, "qa_score", by="_day")[["_day", "value"]].rename(
            columns={"value": "qa_score"})
        days = days.merge(q, on="_day", how="left")
        xs.append("qa_score")
    if acd_interval is not None:
        ac = _window(acd_interval, "interval_start", b, c, "acd_interval")
        ac["_day"] = pd.to_datetime(ac["interval_start"]).dt.floor("D")
        a = compute(ac, "asa_s", by="_day")[["_day", "value"]].rename(columns={"value": "asa_s"})
        days = days.merge(a, on="_day", how="left")
        xs.append("asa_s")
    out = regression_attribution(days, "csat", xs, weight="_w")
    out.attrs["days"] = days
    return out


def contribution_chart(table: pd.DataFrame, *, title: str | None = None) -> Any:
    """A bar chart of the contributions (altair, not rendered).

    Parameters
    ----------
    table : DataFrame
        Output of :func:`decompose_staffing`, :func:`csat_fcr_mix`,
        :func:`regression_attribution`, :func:`sl_drivers` or :func:`csat_drivers`.
    title : str, optional

    Returns
    -------
    altair.Chart
        Horizontal bars, one per driver (segment, parent), the total last, coloured by sign.

    Examples
    --------
    >>> import pandas as pd
    >>> from ccomkit.performance.drivers import contribution_chart, lmdi
    >>> t = lmdi({"a": 2, "b": 1}, {"a": 4, "b": 1.6}, {"a": 1, "b": -1})
    >>> t = t.rename(columns={"factor": "driver"}).assign(result="y")
    >>> type(contribution_chart(t)).__name__
    'Chart'
    """
    import altair as alt

    require_columns(table, ["driver", "contribution"], "contributions")
    d = table.copy()
    label = d["driver"].astype(str)
    if "segment" in d.columns:
        label = label + np.where(d["segment"].isin(["all"]), "", " · " + d["segment"].astype(str))
    if "parent" in d.columns:
        label = np.where(d["parent"].fillna("") != "", "  ↳ " + label, label)
    d["label"] = label
    d["sign"] = np.where(d["driver"] == "total", "total",
                         np.where(d["contribution"] >= 0, "up", "down"))
    d = d[["label", "contribution", "sign"]]
    res = table["result"].iloc[0] if "result" in table.columns and len(table) else ""
    return alt.Chart(d, title=title or f"Contributions to the change of {res}").mark_bar().encode(
        y=alt.Y("label:N", sort=list(d["label"]), title=None),
        x=alt.X("contribution:Q", title="contribution to the change"),
        color=alt.Color("sign:N", scale=alt.Scale(domain=["up", "down", "total"],
                                                  range=["#2ca02c", "#d62728", "#7f7f7f"]),
                        legend=None),
        tooltip=["label", alt.Tooltip("contribution:Q", format=".4f")])
