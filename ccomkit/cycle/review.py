"""Before/after statistics of the DCDIER review (评测) and the revised-target rule.

Two comparisons of a KPI series around the day the actions went live (``change_date``):

**Matched weeks** (:func:`matched_weeks`). The ``m`` full weeks after the change are paired
with the ``m`` weeks just before it in the same position of the cycle: after-week *w* with the
week that starts ``7·m`` days earlier, so every pair holds the same weekdays. Each week's KPI is
Σnumerator / Σdenominator (never a mean of daily rates). The mean paired difference gets a
Student-t interval on ``m − 1`` degrees of freedom and a seeded bootstrap percentile interval.
Working at week level removes the weekly cycle and most of the day-to-day autocorrelation.

**Interrupted time series** (:func:`interrupted_time_series`). Segmented regression of the daily
(or weekly) KPI on an intercept, a time trend, a level shift and a slope change at the change,
plus day-of-week dummies for a daily series (weekly seasonality)::

    y_t = β0 + β1·t + β2·post_t + β3·(t − t0)·post_t + Σ_j γ_j·[weekday_t = j] + ε_t

fitted by Prais-Winsten (AR(1) errors) with Newey-West (HAC, Bartlett kernel) standard errors
on the quasi-differenced residuals, lag ``floor(4·(n/100)^(2/9))`` by default, and the
small-sample factor ``n / (n − k)`` (statsmodels' ``cov_type='HAC'`` with ``use_correction``,
which the tests use as a reference). The reported effect is
the **mean effect over the after period**, ``β2 + β3·mean(t − t0 | after)`` — the average gap
between what happened and the pre-trend carried forward — with a t interval on ``n − k``
degrees of freedom. The achieved level (mean fitted value over the after days) has its own
interval; it feeds the target rule.

**Revised target** (:func:`propose_target`). The rule, for a KPI where higher is better (mirror
it for lower-is-better):

- the change is an *improvement* when the ITS effect's interval lies wholly on the better side
  of 0; then the revised target is the lower bound of the achieved level's interval, but never
  below the old target (``max(old, low)``): the new level is held as the standard (标准化);
- otherwise (not significant, or worse) the old target stays and the decision says so.

A bound of the interval, not the point estimate, so a team is asked to keep what it has shown it
can keep with 95 % confidence, not a lucky month.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ccomkit.errors import InfeasibleError, ParameterError

__all__ = [
    "before_after",
    "hac_covariance",
    "interrupted_time_series",
    "matched_weeks",
    "newey_west_lags",
    "propose_target",
]


def _check_level(level: float, owner: str) -> float:
    if not (isinstance(level, (int, float)) and 0.5 <= float(level) < 1):
        raise ParameterError.expected(owner, "level", "a float in [0.5, 1)", level)
    return float(level)


def _check_better(better: str, owner: str) -> str:
    if better not in ("higher", "lower"):
        raise ParameterError.expected(owner, "better", "'higher' or 'lower'", better)
    return better


def _series(series: pd.DataFrame, owner: str) -> pd.DataFrame:
    """period, value (and numerator, denominator when given); rows with no value dropped."""
    if not isinstance(series, pd.DataFrame):
        raise ParameterError.expected(owner, "series", "a DataFrame with period and value",
                                      type(series).__name__)
    missing = [c for c in ("period", "value") if c not in series.columns]
    if missing:
        from ccomkit.errors import SchemaError

        raise SchemaError(f"{owner}: the series has no column {missing[0]!r} (need period, "
                          "value; numerator and denominator optional)", table="series",
                          column=missing[0])
    cols = ["period", "value"] + [c for c in ("numerator", "denominator") if c in series.columns]
    s = series[cols].copy()
    s["period"] = pd.to_datetime(s["period"]).dt.normalize()
    s["value"] = pd.to_numeric(s["value"], errors="coerce").astype(float)
    s = s[np.isfinite(s["value"].to_numpy())]
    return s.sort_values("period").reset_index(drop=True)


def newey_west_lags(n: int) -> int:
    """Newey-West (1994) automatic lag ``floor(4·(n/100)^(2/9))``.

    Examples
    --------
    >>> newey_west_lags(100), newey_west_lags(120), newey_west_lags(20)
    (4, 4, 2)
    """
    return int(math.floor(4 * (max(n, 1) / 100.0) ** (2.0 / 9.0)))


def hac_covariance(X: np.ndarray, resid: np.ndarray, lags: int, *,
                   small_sample: bool = True) -> np.ndarray:
    """Newey-West HAC covariance of OLS coefficients (Bartlett weights ``1 − l/(L+1)``).

    ``(X'X)⁻¹ S (X'X)⁻¹`` with ``S = Σ_t u_t u_t' + Σ_{l=1..L} w_l Σ_t (u_t u_{t−l}' + u_{t−l} u_t')``,
    ``u_t = x_t e_t``; times ``n / (n − k)`` with ``small_sample`` (statsmodels' default).

    Examples
    --------
    With zero lags it is White's heteroskedasticity-robust (HC0 × n/(n−k)) covariance; here
    every e² = 1, so it is (X'X)⁻¹ × 4/2:

    >>> import numpy as np
    >>> X = np.column_stack([np.ones(4), [0., 1, 2, 3]])
    >>> e = np.array([1., -1, -1, 1])
    >>> hac_covariance(X, e, 0).round(4)
    array([[ 1.4, -0.6],
           [-0.6,  0.4]])
    """
    X = np.asarray(X, dtype=float)
    e = np.asarray(resid, dtype=float)
    n, k = X.shape
    u = X * e[:, None]
    S = u.T @ u
    for lag in range(1, int(lags) + 1):
        w = 1.0 - lag / (lags + 1.0)
        g = u[lag:].T @ u[:-lag]
        S += w * (g + g.T)
    bread = np.linalg.pinv(X.T @ X)
    cov = bread @ S @ bread
    if small_sample and n > k:
        cov *= n / (n - k)
    return cov


def _design(t: np.ndarray, post: np.ndarray, since: np.ndarray, weekday: np.ndarray | None,
            trend: bool) -> tuple[np.ndarray, list[str]]:
    cols = [np.ones_like(t)]
    names = ["const"]
    if trend:
        cols.append(t)
        names.append("trend")
    cols += [post, since]
    names += ["level_shift", "slope_change"]
    if weekday is not None:
        for j in range(1, 7):
            d = (weekday == j).astype(float)
            if d.any():
                cols.append(d)
                names.append(f"weekday_{j}")
    return np.column_stack(cols), names


def interrupted_time_series(series: pd.DataFrame, change_date: Any, *, freq: str = "D",
                            level: float = 0.95, lags: int | None = None,
                            trend: bool = True, ar1: bool = True) -> pd.DataFrame:
    """Segmented regression of a KPI series around ``change_date`` with HAC standard errors.

    Parameters
    ----------
    series : DataFrame
        ``period`` (day or week start) and ``value``; rows without a value are left out.
    change_date : date-like
        First day of the after period (the actions went live).
    freq : {'D', 'W'}, default 'D'
        Daily series get day-of-week dummies; weekly ones none.
    level : float, default 0.95
    lags : int, optional
        HAC lags; default :func:`newey_west_lags` of the number of points.
    trend : bool, default True
        Include the pre-period time trend (and so the slope change). Without it the model is a
        level shift against the pre-period mean (with the seasonal dummies).
    ar1 : bool, default True
        Prais-Winsten first: estimate the residuals' lag-1 autocorrelation ρ from OLS (with the
        small-sample bias correction ρ + (1 + 3ρ)/n), fit on the quasi-differenced data, and
        take the Newey-West covariance of *those* residuals (a prewhitened HAC). Plain OLS with
        Newey-West errors (``ar1=False``) under-covers when the errors are persistent and the
        regressors trend, as in a segmented regression.

    Notes
    -----
    Measured on simulated daily series (weekly profile, AR(1) errors with φ = 0.5, 12 weeks
    before and 6 after; ``tests/test_dcdier_review.py``): the 95 % interval of the mean effect
    covered the true effect in 89 % of 150 runs with the trend and 93 % without it (OLS+HAC:
    83 % and 91 %); a null effect was flagged in 10 % and 5 % of runs. Extrapolating a trend
    costs coverage: with a short baseline prefer ``trend=False`` unless there is a drift.

    Returns
    -------
    DataFrame
        One row per term — ``level_shift``, ``slope_change`` (per day or week), ``mean_effect``
        (the effect averaged over the after period), ``after_level`` (mean fitted value after),
        ``counterfactual`` (the same without the change) — with ``estimate, se, ci_low,
        ci_high, p_value`` (two-sided, t on ``df``), ``n, n_before, n_after, df, lags, rho``.

    Raises
    ------
    InfeasibleError
        Fewer than 3 points on either side, or fewer points than parameters + 2.

    Examples
    --------
    A series that jumps by 5 at the change, with a weekly cycle and no noise:

    >>> import numpy as np, pandas as pd
    >>> days = pd.date_range("2026-01-05", periods=56, freq="D")
    >>> y = 50 + 3 * (days.day_of_week == 5) + 5 * (days >= "2026-02-02")
    >>> t = interrupted_time_series(pd.DataFrame({"period": days, "value": y}), "2026-02-02")
    >>> t.set_index("term").loc[["level_shift", "mean_effect"], "estimate"].round(6).tolist()
    [5.0, 5.0]
    """
    owner = "interrupted_time_series"
    level = _check_level(level, owner)
    if freq not in ("D", "W"):
        raise ParameterError.expected(owner, "freq", "'D' or 'W'", freq)
    s = _series(series, owner)
    t0 = pd.Timestamp(change_date).normalize()
    step = 1.0 if freq == "D" else 7.0
    t = ((s["period"] - t0).dt.days.to_numpy() / step).astype(float)
    post = (t >= 0).astype(float)
    since = np.where(post > 0, t, 0.0)
    n_after = int(post.sum())
    n_before = len(s) - n_after
    wd = s["period"].dt.day_of_week.to_numpy() if freq == "D" else None
    X, names = _design(t, post, since, wd, trend)
    if not trend:
        X = np.delete(X, names.index("slope_change"), axis=1)
        names.remove("slope_change")
    n, k = X.shape
    if n_before < 3 or n_after < 3 or n < k + 2:
        raise InfeasibleError(f"{owner}: {n_before} points before and {n_after} after "
                              f"{t0.date()} are too few for {k} parameters; widen the "
                              "baseline or wait for more data after the change")
    y = s["value"].to_numpy()
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ beta
    rho = 0.0
    if ar1:  # Prais-Winsten: remove AR(1) first, HAC takes care of what is left
        r0 = float(resid[1:] @ resid[:-1] / (resid[:-1] @ resid[:-1])) \
            if resid[:-1] @ resid[:-1] > 0 else 0.0
        # the OLS estimate of rho is biased towards 0 by about (1 + 3 rho) / n; undo that
        rho = float(np.clip(r0 + (1 + 3 * r0) / n, -0.95, 0.95))
        Xs = np.vstack([X[:1] * math.sqrt(1 - rho ** 2), X[1:] - rho * X[:-1]])
        ys = np.concatenate([y[:1] * math.sqrt(1 - rho ** 2), y[1:] - rho * y[:-1]])
        beta, *_ = np.linalg.lstsq(Xs, ys, rcond=None)
        Xh, eh = Xs, ys - Xs @ beta
    else:
        Xh, eh = X, resid
    L = newey_west_lags(n) if lags is None else int(lags)
    cov = hac_covariance(Xh, eh, L)
    df = n - k
    q = stats.t.ppf(0.5 + level / 2, df)
    after = post > 0
    x_after = X[after].mean(axis=0)
    x_cf = x_after.copy()
    x_cf[names.index("level_shift")] = 0.0
    c_effect = np.zeros(k)
    c_effect[names.index("level_shift")] = 1.0
    if "slope_change" in names:
        x_cf[names.index("slope_change")] = 0.0
        c_effect[names.index("slope_change")] = since[after].mean()
    terms: list[tuple[str, np.ndarray]] = []
    for name in ("level_shift", "slope_change"):
        if name in names:
            c = np.zeros(k)
            c[names.index(name)] = 1.0
            terms.append((name, c))
    terms += [("mean_effect", c_effect), ("after_level", x_after), ("counterfactual", x_cf)]
    rows = []
    for name, c in terms:
        est = float(c @ beta)
        se = float(math.sqrt(max(c @ cov @ c, 0.0)))
        p = float(2 * stats.t.sf(abs(est) / se, df)) if se > 0 else (0.0 if est else 1.0)
        if name in ("after_level", "counterfactual"):
            p = np.nan
        rows.append({"term": name, "estimate": est, "se": se, "ci_low": est - q * se,
                     "ci_high": est + q * se, "p_value": p})
    out = pd.DataFrame(rows)
    out["n"], out["n_before"], out["n_after"], out["df"], out["lags"] = n, n_before, n_after, df, L
    out["rho"] = rho
    Xcf = X.copy()
    for name in ("level_shift", "slope_change"):
        if name in names:
            Xcf[:, names.index(name)] = 0.0
    out.attrs["fitted"] = pd.DataFrame({"period": s["period"].to_numpy(), "value": y,
                                        "fitted": X @ beta, "counterfactual": Xcf @ beta,
                                        "after": post > 0})
    return out


def _weekly(s: pd.DataFrame, start: pd.Timestamp, m: int) -> np.ndarray:
    """KPI of ``m`` consecutive 7-day weeks from ``start`` (NaN where a week has no data)."""
    idx = ((s["period"] - start).dt.days // 7).to_numpy()
    ok = (idx >= 0) & (idx < m)
    part = s[ok].assign(_w=idx[ok])
    out = np.full(m, np.nan)
    if part.empty:
        return out
    if {"numerator", "denominator"} <= set(part.columns):
        g = part.groupby("_w")[["numerator", "denominator"]].sum()
        v = np.where(g["denominator"] > 0, g["numerator"] / g["denominator"].where(
            g["denominator"] > 0), np.nan)
        out[g.index.to_numpy()] = v
    else:
        g = part.groupby("_w")["value"].mean()
        out[g.index.to_numpy()] = g.to_numpy()
    return out


def matched_weeks(series: pd.DataFrame, change_date: Any, *, weeks: int | None = None,
                  end_date: Any = None, level: float = 0.95, n_boot: int = 2000,
                  seed: int = 0) -> pd.DataFrame:
    """Paired week-by-week comparison: after-week *w* against the week ``7·m`` days earlier.

    Parameters
    ----------
    series : DataFrame
        ``period`` (day, or week start) and ``value``; with ``numerator`` and ``denominator``
        each week's KPI is the ratio of their sums, else the mean of the values.
    change_date : date-like
        First day of after-week 1.
    weeks : int, optional
        ``m``; default every full week from the change to ``end_date`` (or the data's end).
    level : float, default 0.95
    n_boot : int, default 2000
        Bootstrap resamples of the ``m`` differences (percentile interval); 0 skips it.
    seed : int, default 0

    Returns
    -------
    DataFrame
        One row per pair (``week`` 1..m, ``before_start``, ``after_start``, ``before``,
        ``after``, ``diff``) and ``attrs['summary']``: a one-row frame with ``mean_diff, sd,
        n, se, ci_low, ci_high`` (t), ``boot_low, boot_high``, ``p_value`` (paired t, two-sided),
        ``before, after`` (means of the weekly values).

    Raises
    ------
    InfeasibleError
        Fewer than 2 complete pairs.

    Examples
    --------
    >>> import pandas as pd
    >>> days = pd.date_range("2026-01-05", periods=28, freq="D")
    >>> y = [10.0] * 14 + [12.0] * 14
    >>> mw = matched_weeks(pd.DataFrame({"period": days, "value": y}), "2026-01-19")
    >>> mw[["week", "before", "after", "diff"]]
       week  before  after  diff
    0     1    10.0   12.0   2.0
    1     2    10.0   12.0   2.0
    >>> mw.attrs["summary"][["mean_diff", "n"]]
       mean_diff  n
    0        2.0  2
    """
    owner = "matched_weeks"
    level = _check_level(level, owner)
    s = _series(series, owner)
    t0 = pd.Timestamp(change_date).normalize()
    end = pd.Timestamp(end_date).normalize() if end_date is not None and str(end_date) \
        else s["period"].max()
    avail_after = int(((end - t0).days + 1) // 7)
    avail_before = int((t0 - s["period"].min()).days // 7)
    m = min(avail_after, avail_before) if weeks is None else int(weeks)
    if m < 2:
        raise InfeasibleError(f"{owner}: only {max(m, 0)} full week(s) can be paired around "
                              f"{t0.date()}; need 2 or more (a longer baseline or after period)")
    after_start = t0
    before_start = t0 - pd.Timedelta(days=7 * m)
    a = _weekly(s, after_start, m)
    b = _weekly(s, before_start, m)
    pairs = pd.DataFrame({
        "week": np.arange(1, m + 1),
        "before_start": before_start + pd.to_timedelta(7 * np.arange(m), unit="D"),
        "after_start": after_start + pd.to_timedelta(7 * np.arange(m), unit="D"),
        "before": b, "after": a, "diff": a - b})
    d = pairs["diff"].dropna().to_numpy()
    n = len(d)
    if n < 2:
        raise InfeasibleError(f"{owner}: {n} complete week pair(s) around {t0.date()}; need 2 "
                              "or more with data on both sides")
    mean, sd = float(d.mean()), float(d.std(ddof=1))
    se = sd / math.sqrt(n)
    q = stats.t.ppf(0.5 + level / 2, n - 1)
    p = float(2 * stats.t.sf(abs(mean) / se, n - 1)) if se > 0 else (0.0 if mean else 1.0)
    boot_low = boot_high = np.nan
    if n_boot:
        rng = np.random.default_rng(seed)
        bm = d[rng.integers(0, n, size=(int(n_boot), n))].mean(axis=1)
        boot_low, boot_high = (float(x) for x in np.quantile(bm, [0.5 - level / 2,
                                                                   0.5 + level / 2]))
    pairs.attrs["summary"] = pd.DataFrame([{
        "mean_diff": mean, "sd": sd, "n": n, "se": se, "ci_low": mean - q * se,
        "ci_high": mean + q * se, "boot_low": boot_low, "boot_high": boot_high, "p_value": p,
        "before": float(np.nanmean(pairs["before"])), "after": float(np.nanmean(pairs["after"]))}])
    return pairs


def before_after(series: pd.DataFrame, change_date: Any, *, better: str = "higher",
                 freq: str = "D", end_date: Any = None, level: float = 0.95,
                 lags: int | None = None, trend: bool = True, seed: int = 0) -> pd.DataFrame:
    """Both comparisons in one table: ``matched_weeks`` and ``its`` rows.

    Columns: ``method, estimate, ci_low, ci_high, p_value, n, before, after, after_low,
    after_high, significant`` (interval excludes 0), ``improved`` (significant and on the better
    side), ``detail``. ``attrs`` keeps ``pairs`` (the matched weeks) and ``its`` (the terms).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> days = pd.date_range("2026-01-05", periods=84, freq="D")
    >>> y = 0.8 + 0.03 * (days >= "2026-02-16") + rng.normal(0, 0.01, 84)
    >>> ba = before_after(pd.DataFrame({"period": days, "value": y}), "2026-02-16")
    >>> ba[["method", "significant", "improved"]]
              method  significant  improved
    0  matched_weeks         True      True
    1            its         True      True
    """
    better = _check_better(better, "before_after")
    s = _series(series, "before_after")
    end = pd.Timestamp(end_date).normalize() if end_date is not None and str(end_date) else None
    if end is not None:
        s = s[s["period"] <= end]
    mw = matched_weeks(s, change_date, end_date=end, level=level, seed=seed)
    ms = mw.attrs["summary"].iloc[0]
    its = interrupted_time_series(s, change_date, freq=freq, level=level, lags=lags, trend=trend)
    it = its.set_index("term")
    sign = 1.0 if better == "higher" else -1.0
    rows = []
    for method, est, lo, hi, p, n, before, after, alo, ahi, detail in (
        ("matched_weeks", ms["mean_diff"], ms["ci_low"], ms["ci_high"], ms["p_value"], ms["n"],
         ms["before"], ms["after"], np.nan, np.nan,
         f"paired t over {int(ms['n'])} week pairs; bootstrap "
         f"[{ms['boot_low']:.6g}, {ms['boot_high']:.6g}]"),
        ("its", it.loc["mean_effect", "estimate"], it.loc["mean_effect", "ci_low"],
         it.loc["mean_effect", "ci_high"], it.loc["mean_effect", "p_value"],
         it.loc["mean_effect", "n"], it.loc["counterfactual", "estimate"],
         it.loc["after_level", "estimate"], it.loc["after_level", "ci_low"],
         it.loc["after_level", "ci_high"],
         f"segmented regression{' with trend' if trend else ''}, "
         f"{'weekday dummies, ' if freq == 'D' else ''}Prais-Winsten rho "
         f"{it.loc['mean_effect', 'rho']:.2f}, Newey-West HAC "
         f"lag {int(it.loc['mean_effect', 'lags'])}, level shift "
         f"{it.loc['level_shift', 'estimate']:.6g}"),
    ):
        sig = bool(lo > 0 or hi < 0)
        rows.append({"method": method, "estimate": float(est), "ci_low": float(lo),
                     "ci_high": float(hi), "p_value": float(p), "n": int(n),
                     "before": float(before), "after": float(after), "after_low": float(alo),
                     "after_high": float(ahi), "significant": sig,
                     "improved": bool(sig and sign * est > 0), "detail": detail})
    out = pd.DataFrame(rows)
    out.attrs["pairs"] = mw
    out.attrs["its"] = its
    return out


def propose_target(comparison: pd.DataFrame, old_target: float, *, better: str = "higher",
                   method: str = "its") -> pd.DataFrame:
    """The revised target from a :func:`before_after` table (rule in the module docstring).

    Returns
    -------
    DataFrame
        One row: ``method, old_target, achieved, achieved_low, achieved_high, significant,
        improved, revised_target, decision`` (``standardize`` / ``keep_target_no_effect`` /
        ``keep_target_worse``), ``rule`` (the rule applied, in words).

    Examples
    --------
    Service level rose significantly to 0.86 (interval 0.84-0.88) against a 0.80 target: the
    new target is the interval's lower bound, 0.84.

    >>> import pandas as pd
    >>> cmp = pd.DataFrame([{"method": "its", "estimate": 0.05, "ci_low": 0.03,
    ...     "ci_high": 0.07, "after": 0.86, "after_low": 0.84, "after_high": 0.88,
    ...     "significant": True, "improved": True}])
    >>> propose_target(cmp, 0.80)[["revised_target", "decision"]]
       revised_target     decision
    0            0.84  standardize
    >>> propose_target(cmp.assign(after_low=0.78), 0.80)["revised_target"].item()
    0.8
    """
    better = _check_better(better, "propose_target")
    r = comparison.set_index("method")
    if method not in r.index:
        raise ParameterError.expected("propose_target", "method", "a method of the comparison ("
                                      + ", ".join(r.index) + ")", method)
    row = r.loc[method]
    old = float(old_target) if old_target is not None else np.nan
    achieved, lo, hi = float(row["after"]), float(row["after_low"]), float(row["after_high"])
    improved, sig = bool(row["improved"]), bool(row["significant"])
    if improved:
        bound = lo if better == "higher" else hi
        if math.isnan(old):
            revised = bound
        else:
            revised = max(old, bound) if better == "higher" else min(old, bound)
        decision = "standardize"
        rule = (f"significant improvement: revised target = {'lower' if better == 'higher' else 'upper'}"
                f" bound of the achieved level's interval, never "
                f"{'below' if better == 'higher' else 'above'} the old target")
    else:
        revised = old
        decision = "keep_target_worse" if sig else "keep_target_no_effect"
        rule = ("change not significant: keep the old target and return to Clarify" if not sig
                else "significant change in the wrong direction: keep the old target, "
                     "investigate and return to Clarify")
    return pd.DataFrame([{"method": method, "old_target": old, "achieved": achieved,
                          "achieved_low": lo, "achieved_high": hi, "significant": sig,
                          "improved": improved, "revised_target": revised,
                          "decision": decision, "rule": rule}])
