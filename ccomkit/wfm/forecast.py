"""Interval call-volume (and AHT) forecasting for contact-center queues.

The input is a tidy frame ``queue, interval_start, calls_offered`` (optionally ``aht_s``) holding
several queues. The interval length (5/10/15/20/30/60 min) is inferred from the data, opening hours
are whatever the data shows, and days without rows are days the queue was closed. Mainland-China
holidays and 调休 make-up workdays come from :func:`ccomkit.calendar.day_types`.

How every method works
----------------------
Each queue becomes a *day × interval* matrix over the full calendar from its first to its last
day. Days that are not ordinary (holidays, make-up workdays, the working day before a holiday
block, the first working day after it, and gaps on days the queue is normally open) are replaced
by the average of the same weekday in the neighbouring weeks, so that every method sees an
"ordinary" history. A method forecasts ordinary days; a shared *special-day layer* then scales the
forecast of a holiday / make-up / eve / post-holiday day by the ratio such days showed in the
history (per festival where the festival was seen before) and gives it their intraday profile.

Methods (one scikit-learn style interface, see :class:`BaseForecaster`)
-----------------------------------------------------------------------
``seasonal_naive``  same interval, same weekday, last week (:class:`SeasonalNaive`)
``wha``             weighted historical average of the same interval and weekday over the last
                    ``k_weeks`` weeks with decaying weights, plus a robust recent-level adjustment
                    for level shifts (:class:`WeightedHistoricalAverage`) — what WFM tools do
``topdown``         Holt-Winters (multiplicative weekly season) on daily totals × the intraday
                    profile by weekday (:class:`TopDown`)
``svd``             Shen & Huang (2008): SVD of the square-root day × interval matrix, the leading
                    day factors forecast by a weekly-seasonal average plus AR(1) (:class:`SVDForecaster`)
``fourier_arma``    Fourier regression of the intraday shape by weekday, AR(p) errors on the daily
                    level (:class:`FourierARMA`)
``combination``     median (or mean) of several methods (:class:`Combination`)
``auto``            per queue, the method with the lowest WAPE in a rolling-origin backtest
                    (:class:`AutoForecaster`)

Prediction intervals
--------------------
``predict(..., quantiles=[0.1, 0.5, 0.9])`` adds ``calls_p10, calls_p50, calls_p90``. Each
interval's volume is taken as gamma-distributed with the forecast as mean and variance
``f + φ f²`` (Poisson noise plus a multiplicative forecast error, a continuous negative-binomial);
``φ`` is estimated per queue and interval of day, by moments, from the residuals of a
rolling-origin backtest of the same method on the training history. Their empirical coverage is
reported by :func:`ccomkit.wfm.backtest.backtest`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ccomkit.errors import CcomkitError, CcomkitWarning, ParameterError, SchemaError

__all__ = [
    "METHODS",
    "AutoForecaster",
    "BaseForecaster",
    "Combination",
    "FourierARMA",
    "NotFittedError",
    "SVDForecaster",
    "SeasonalNaive",
    "TopDown",
    "WeightedHistoricalAverage",
    "infer_interval_min",
    "make_forecaster",
    "quantile_column",
]

ALLOWED_INTERVAL_MIN: tuple[int, ...] = (5, 10, 15, 20, 30, 60)
"""Interval lengths the forecaster accepts (minutes)."""

_N_CAT = 9  # 0..6 ordinary weekday Mon..Sun, 7 holiday, 8 make-up workday
_CAT_HOLIDAY = 7
_CAT_MAKEUP = 8
_RECENT_OCCURRENCES = 8  # occurrences of a day category that decide open status and opening hours


class NotFittedError(CcomkitError, AttributeError):
    """``predict`` (or another method needing a fit) was called before ``fit``."""


class ForecastWarning(CcomkitWarning):
    """A forecast could be made, but with a fallback the user should know about."""


# ------------------------------------------------------------------------------------------------
# Input validation and the per-queue matrix
# ------------------------------------------------------------------------------------------------


def quantile_column(q: float, prefix: str = "calls") -> str:
    """Name of the column holding quantile ``q``: ``calls_p10`` for 0.1, ``calls_p97.5`` for 0.975.

    Examples
    --------
    >>> from ccomkit.wfm.forecast import quantile_column
    >>> quantile_column(0.1), quantile_column(0.5), quantile_column(0.975)
    ('calls_p10', 'calls_p50', 'calls_p97.5')
    """
    pct = round(float(q) * 100.0, 6)
    return f"{prefix}_p{pct:g}"


def _check_quantiles(quantiles: Sequence[float] | None, owner: str) -> list[float]:
    if quantiles is None:
        return []
    if isinstance(quantiles, (float, int)):
        quantiles = [quantiles]
    out: list[float] = []
    for q in quantiles:
        try:
            qf = float(q)
        except (TypeError, ValueError):
            raise ParameterError.expected(owner, "quantiles", "a list of floats in (0, 1)",
                                          quantiles) from None
        if not 0.0 < qf < 1.0 or not math.isfinite(qf):
            raise ParameterError.expected(owner, "quantiles", "a list of floats in (0, 1)", quantiles)
        if qf not in out:
            out.append(qf)
    return sorted(out)


def _where(frame: pd.DataFrame, pos: np.ndarray, line_offset: int | None) -> str:
    """'line 7 (queue='a', interval_start=2026-01-05 08:00)' for the first offending position."""
    p = int(pos[0])
    label = f"line {p + line_offset}" if line_offset is not None else f"row {frame.index[p]!r}"
    bits = []
    for col in ("queue", "interval_start"):
        if col in frame.columns:
            bits.append(f"{col}={frame[col].iloc[p]!r}" if col == "queue"
                        else f"{col}={frame[col].iloc[p]}")
    return label + (f" ({', '.join(bits)})" if bits else "")


def _rows_word(n: int) -> str:
    return f"{n} row{'s' if n != 1 else ''} violate{'s' if n == 1 else ''} it"


def _bad(frame: pd.DataFrame, source: str, column: str, rule: str, mask: np.ndarray,
         line_offset: int | None, value: Any = None) -> SchemaError:
    pos = np.flatnonzero(mask)
    first = _where(frame, pos, line_offset)
    shown = f", value {value!r}" if value is not None else ""
    rows = [int(p + line_offset) if line_offset is not None else int(p) for p in pos[:5]]
    return SchemaError(f"{source}: column '{column}' {rule}: {_rows_word(len(pos))}, first at "
                       f"{first}{shown}.", table=source, column=column, rows=rows)


@dataclass(frozen=True)
class _History:
    """A validated history: the tidy rows plus the grid."""

    rows: pd.DataFrame  # queue(str), day(datetime64), slot(int), calls(float), aht_s(float|nan)
    interval_min: int
    anchor_min: int
    has_aht: bool
    source: str


def infer_interval_min(interval_start: pd.Series | Sequence[Any],
                       queue: pd.Series | Sequence[Any] | None = None) -> int:
    """The interval length in minutes: the most common step between consecutive intervals of one
    queue on one day.

    Examples
    --------
    >>> import pandas as pd
    >>> from ccomkit.wfm.forecast import infer_interval_min
    >>> infer_interval_min(pd.date_range("2026-03-02 08:00", periods=8, freq="15min"))
    15
    """
    ts = pd.to_datetime(pd.Series(interval_start)).reset_index(drop=True)
    q = (pd.Series(queue).astype(str).reset_index(drop=True) if queue is not None
         else pd.Series(np.zeros(len(ts), dtype=np.int64)))
    return _infer_step(pd.DataFrame({"queue": q, "interval_start": ts}))


def _infer_step(df: pd.DataFrame) -> int:
    d = df.sort_values(["queue", "interval_start"], kind="stable")
    t = d["interval_start"]
    same = (d["queue"].to_numpy()[1:] == d["queue"].to_numpy()[:-1]) & (
        t.dt.normalize().to_numpy()[1:] == t.dt.normalize().to_numpy()[:-1])
    diffs = (np.diff(t.to_numpy().astype("datetime64[s]").astype(np.int64)) / 60.0)[same]
    diffs = diffs[diffs > 0]
    if diffs.size == 0:
        return 0
    vals, counts = np.unique(np.round(diffs, 6), return_counts=True)
    return int(round(vals[np.argmax(counts)])) if float(vals[np.argmax(counts)]).is_integer() else -1


def _validate_history(frame: pd.DataFrame, source: str = "history",
                      line_offset: int | None = None) -> _History:
    """Check the contract of a history frame and put it on its interval grid."""
    if not isinstance(frame, pd.DataFrame):
        raise ParameterError.expected("fit", "frame", "a pandas DataFrame", type(frame).__name__)
    missing = [c for c in ("queue", "interval_start", "calls_offered") if c not in frame.columns]
    if missing:
        raise SchemaError(
            f"{source}: missing column '{missing[0]}'"
            + (f" (and {', '.join(repr(m) for m in missing[1:])})" if len(missing) > 1 else "")
            + f"; has: {', '.join(map(str, frame.columns)) or 'none'}.",
            table=source, column=missing[0])
    if len(frame) == 0:
        raise SchemaError(f"{source}: no rows.", table=source)
    f = frame.reset_index(drop=True)
    q = f["queue"]
    qnull = q.isna().to_numpy() | (q.astype(str).str.strip() == "").to_numpy()
    if qnull.any():
        raise _bad(f, source, "queue", "must not be empty", qnull, line_offset)
    raw_ts = f["interval_start"]
    ts = pd.to_datetime(raw_ts, errors="coerce") if not pd.api.types.is_datetime64_any_dtype(
        raw_ts) else raw_ts
    if getattr(ts.dt, "tz", None) is not None:
        ts = ts.dt.tz_convert("Asia/Shanghai").dt.tz_localize(None)  # local, like the contracts
    bad_ts = ts.isna().to_numpy()
    if bad_ts.any():
        raise _bad(f, source, "interval_start", "must be a timestamp", bad_ts, line_offset,
                   raw_ts.iloc[int(np.flatnonzero(bad_ts)[0])])
    ts = ts.astype("datetime64[ns]")
    raw = f["calls_offered"]
    calls = pd.to_numeric(raw, errors="coerce")
    miss = raw.isna().to_numpy()
    if miss.any():
        raise _bad(f, source, "calls_offered", "must not be empty", miss, line_offset)
    nonnum = calls.isna().to_numpy() | ~np.isfinite(calls.to_numpy(dtype=float, na_value=np.nan))
    if nonnum.any():
        raise _bad(f, source, "calls_offered", "must be a number", nonnum, line_offset,
                   raw.iloc[int(np.flatnonzero(nonnum)[0])])
    calls = calls.to_numpy(dtype=float)
    neg = calls < 0
    if neg.any():
        raise _bad(f, source, "calls_offered", "must be >= 0", neg, line_offset,
                   float(calls[np.flatnonzero(neg)[0]]))
    has_aht = "aht_s" in f.columns
    aht = np.full(len(f), np.nan)
    if has_aht:
        raw_a = f["aht_s"]
        a = pd.to_numeric(raw_a, errors="coerce")
        nonnum = a.isna().to_numpy() & raw_a.notna().to_numpy()
        if nonnum.any():
            raise _bad(f, source, "aht_s", "must be a number", nonnum, line_offset,
                       raw_a.iloc[int(np.flatnonzero(nonnum)[0])])
        aht = a.to_numpy(dtype=float)
        negat = aht < 0
        if negat.any():
            raise _bad(f, source, "aht_s", "must be >= 0", negat, line_offset,
                       float(aht[np.flatnonzero(negat)[0]]))
    qs = q.astype(str).str.strip()
    dup = pd.DataFrame({"q": qs, "t": ts}).duplicated(keep="first").to_numpy()
    if dup.any():
        raise _bad(f.assign(interval_start=ts), source, "interval_start",
                   "must be unique per queue (duplicate queue × interval)", dup, line_offset)
    step = _infer_step(pd.DataFrame({"queue": qs, "interval_start": ts}))
    if step == 0:
        raise SchemaError(f"{source}: cannot infer the interval length: no queue has two intervals "
                          f"on the same day.", table=source, column="interval_start")
    if step not in ALLOWED_INTERVAL_MIN:
        raise SchemaError(f"{source}: column 'interval_start' is on no supported grid: the usual "
                          f"step between intervals is {step} min; supported: "
                          f"{', '.join(map(str, ALLOWED_INTERVAL_MIN))} min.",
                          table=source, column="interval_start")
    secs = (ts - ts.dt.normalize()).dt.total_seconds().to_numpy()
    minute = secs / 60.0
    mod = np.mod(minute, step)
    vals, counts = np.unique(np.round(mod, 6), return_counts=True)
    anchor = float(vals[np.argmax(counts)])
    off = np.abs(mod - anchor) > 1e-6
    if off.any():
        raise _bad(f.assign(interval_start=ts), source, "interval_start",
                   f"must be on the {step}-minute grid of the file (starting at minute "
                   f"{anchor:g} of the hour)", off, line_offset)
    slot = ((minute - anchor) // step).astype(np.int64)
    rows = pd.DataFrame({"queue": qs.to_numpy(), "day": ts.dt.normalize().to_numpy(),
                         "slot": slot, "calls": calls, "aht_s": aht})
    return _History(rows=rows, interval_min=int(step), anchor_min=int(round(anchor)),
                    has_aht=has_aht, source=source)


@dataclass(frozen=True)
class _Cal:
    """Calendar features of a run of consecutive days."""

    weekday: np.ndarray  # int
    cat: np.ndarray  # 0..8
    day_type: np.ndarray  # object
    key: np.ndarray  # object: '', 'holiday:<name>', 'makeup', 'eve', 'post'
    special: np.ndarray  # bool
    is_guess: np.ndarray  # bool

    def __len__(self) -> int:
        return len(self.weekday)

    def slice(self, a: int, b: int) -> "_Cal":
        return _Cal(self.weekday[a:b], self.cat[a:b], self.day_type[a:b], self.key[a:b],
                    self.special[a:b], self.is_guess[a:b])


def _calendar(first: pd.Timestamp, n_days: int, quiet: bool = False) -> _Cal:
    from ccomkit.calendar import day_types

    last = first + pd.Timedelta(days=n_days - 1)
    if quiet:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cal = day_types(first.date(), last.date())
    else:
        cal = day_types(first.date(), last.date())
    wd = cal["weekday"].to_numpy().astype(np.int64)
    dt = cal["day_type"].to_numpy(dtype=object)
    hol = dt == "holiday"
    mk = dt == "makeup_workday"
    cat = np.where(hol, _CAT_HOLIDAY, np.where(mk, _CAT_MAKEUP, wd))
    after = cal["days_after_holiday"].to_numpy()
    work = cal["is_workday"].to_numpy()
    post = work & (after >= 1) & (after <= 1)
    eve = cal["is_eve"].to_numpy()
    names = cal["holiday_name"].fillna("").to_numpy(dtype=object)
    key = np.full(len(cal), "", dtype=object)
    key[eve] = "eve"
    key[post] = "post"
    key[mk] = "makeup"
    key[hol] = np.array(["holiday:" + str(n) for n in names[hol]], dtype=object)
    return _Cal(weekday=wd, cat=cat, day_type=dt, key=key, special=key != "",
                is_guess=cal["is_guess"].to_numpy())


def _lag_index(n_hist: int, horizon: int, k: int) -> np.ndarray:
    """(horizon, k) day indices of the k most recent same-weekday days before ``n_hist``."""
    j = np.arange(horizon)[:, None]
    m = j // 7 + 1 + np.arange(k)[None, :]
    return n_hist + j - 7 * m


def _weights(idx: np.ndarray, decay: float) -> np.ndarray:
    k = idx.shape[1]
    w = np.broadcast_to(decay ** np.arange(k, dtype=float), idx.shape).copy()
    w[idx < 0] = 0.0
    s = w.sum(axis=1, keepdims=True)
    return np.divide(w, s, out=np.zeros_like(w), where=s > 0)


class _Series:
    """One queue as a full-calendar day × interval matrix, with its cleaned ("ordinary") copy."""

    def __init__(self, queue: str, first_day: pd.Timestamp, y: np.ndarray, seen: np.ndarray,
                 aht_w: np.ndarray | None, aht_n: np.ndarray | None, cal: _Cal, slot0: int,
                 interval_min: int, anchor_min: int) -> None:
        self.queue = queue
        self.first_day = first_day
        self.y = y
        self.seen = seen
        self.aht_w = aht_w
        self.aht_n = aht_n
        self.cal = cal
        self.slot0 = slot0
        self.interval_min = interval_min
        self.anchor_min = anchor_min
        self.has_rows = seen.any(axis=1)
        self._derive()

    @property
    def n_days(self) -> int:
        return self.y.shape[0]

    @property
    def n_slots(self) -> int:
        return self.y.shape[1]

    @property
    def n_open_days(self) -> int:
        return int(self.has_rows.sum())

    def shifted(self, min_shift_frac: float = 0.05) -> np.ndarray:
        """The cleaned matrix with the level before a detected recent level shift rescaled."""
        cache = self.__dict__.setdefault("_shift_cache", {})
        if min_shift_frac not in cache:
            cache[min_shift_frac] = _shift_adjust(self.clean, min_shift_frac=min_shift_frac)
        return cache[min_shift_frac][0]

    def head(self, n: int) -> "_Series":
        return _Series(self.queue, self.first_day, self.y[:n], self.seen[:n],
                       None if self.aht_w is None else self.aht_w[:n],
                       None if self.aht_n is None else self.aht_n[:n], self.cal.slice(0, n),
                       self.slot0, self.interval_min, self.anchor_min)

    # -- derived state -----------------------------------------------------------------------
    def _derive(self) -> None:
        D, S = self.y.shape
        cat = self.cal.cat
        status = np.zeros(_N_CAT, dtype=bool)
        observed = np.zeros(_N_CAT, dtype=bool)
        slot_sets = np.zeros((_N_CAT, S), dtype=bool)
        for c in range(_N_CAT):
            idx = np.flatnonzero(cat == c)[-_RECENT_OCCURRENCES:]
            if idx.size:
                observed[c] = True
                status[c] = self.has_rows[idx].mean() >= 0.5
                slot_sets[c] = self.seen[idx].any(axis=0)
        self.status = status
        self.observed = observed
        self.slot_sets = slot_sets
        # per-festival open status
        self.name_status: dict[str, bool] = {}
        hol = self.cal.cat == _CAT_HOLIDAY
        if hol.any():
            keys = self.cal.key[hol]
            rows = self.has_rows[hol]
            for k in np.unique(keys):
                self.name_status[str(k)] = bool(rows[keys == k].mean() >= 0.5)
        # ordinary days: not special, and open exactly when the weekday category is open
        expected_open = status[self.cal.weekday]
        normal = ~self.cal.special & (self.has_rows == expected_open)
        normal |= ~self.cal.special & ~expected_open  # rows on a usually closed weekday: keep them
        self.normal = normal
        self.clean = self._impute(self.y, normal)
        self._special_stats()

    def _impute(self, y: np.ndarray, normal: np.ndarray, half_weeks: int = 4) -> np.ndarray:
        """Replace non-ordinary days by the mean of the same weekday in the ±half_weeks weeks."""
        if normal.all():
            self.ref = y
            return y
        D, S = y.shape
        lead = int(self.cal.weekday[0]) if D else 0
        W = (lead + D + 6) // 7
        T = np.zeros((W * 7, S))
        M = np.zeros(W * 7)
        T[lead:lead + D] = np.where(normal[:, None], y, 0.0)
        M[lead:lead + D] = normal
        T = T.reshape(W, 7, S)
        M = M.reshape(W, 7)
        cT = np.concatenate([np.zeros((1, 7, S)), np.cumsum(T, axis=0)])
        cM = np.concatenate([np.zeros((1, 7)), np.cumsum(M, axis=0)])
        w = np.arange(W)
        lo = np.clip(w - half_weeks, 0, W)
        hi = np.clip(w + half_weeks + 1, 0, W)
        sT = cT[hi] - cT[lo]
        sM = cM[hi] - cM[lo]
        with np.errstate(invalid="ignore", divide="ignore"):
            ref = sT / sM[:, :, None]
        ref = ref.reshape(W * 7, S)[lead:lead + D]
        ok = np.isfinite(ref[:, 0]) if S else np.ones(D, dtype=bool)
        if not ok.all():
            # no ordinary same weekday nearby: any ordinary same weekday, else the nearest ordinary day
            for wd in range(7):
                sel = self.cal.weekday == wd
                good = sel & normal
                if good.any():
                    ref[sel & ~ok] = y[good].mean(axis=0)
            still = ~np.isfinite(ref[:, 0]) if S else np.zeros(D, dtype=bool)
            if still.any():
                ref[still] = y[normal].mean(axis=0) if normal.any() else 0.0
        self.ref = ref
        return np.where(normal[:, None], y, ref)

    def _special_stats(self) -> None:
        """Total ratio and intraday profile of special days against their ordinary reference."""
        self.special_ratio: dict[str, float] = {}
        self.special_profile: dict[str, np.ndarray] = {}
        sp = self.cal.special & self.has_rows
        if not sp.any():
            return
        ref = getattr(self, "ref", None)
        if ref is None:
            return
        tot = self.y[sp].sum(axis=1)
        rtot = ref[sp].sum(axis=1)
        keys = self.cal.key[sp]
        generic = np.where(np.char.startswith(keys.astype(str), "holiday:"), "holiday", keys)
        for group_keys in (keys, generic):
            for k in np.unique(group_keys):
                sel = (group_keys == k) & (rtot > 0)
                if not sel.any() or k in self.special_ratio:
                    continue
                r = tot[sel] / rtot[sel]
                self.special_ratio[str(k)] = float(np.exp(np.median(np.log(np.maximum(r, 1e-3)))))
                prof = self.y[sp][sel].sum(axis=0)
                if prof.sum() > 0:
                    self.special_profile[str(k)] = prof / prof.sum()

    # -- assembling a forecast on future days -------------------------------------------------
    def future_layout(self, fut: _Cal) -> tuple[np.ndarray, np.ndarray]:
        """(open day mask, open slot mask) of future days."""
        cat = fut.cat.copy()
        unobs = ~self.observed[cat]
        cat[unobs] = fut.weekday[unobs]
        is_open = self.status[cat]
        for k, st in self.name_status.items():
            is_open[fut.key == k] = st
        slots = self.slot_sets[cat]
        empty = ~slots.any(axis=1)
        if empty.any():  # fall back on the weekday's opening hours, then on all slots seen
            slots[empty] = self.slot_sets[fut.weekday[empty]]
            still = ~slots.any(axis=1)
            slots[still] = self.seen.any(axis=0)
        return is_open, slots

    def apply_special(self, base: np.ndarray, fut: _Cal) -> np.ndarray:
        out = base.copy()
        if not self.special_ratio:
            return out
        for k in np.unique(fut.key[fut.special]):
            k = str(k)
            kk = k if k in self.special_ratio else ("holiday" if k.startswith("holiday:") else k)
            if kk not in self.special_ratio:
                continue
            sel = fut.key == k
            n_seen = int((self.cal.key == k).sum())
            prof_key = k if (k in self.special_profile and n_seen >= 2) else kk
            prof = self.special_profile.get(prof_key)
            tot = base[sel].sum(axis=1, keepdims=True) * self.special_ratio[kk]
            if prof is None:
                s = base[sel].sum(axis=1, keepdims=True)
                out[sel] = np.divide(base[sel] * tot, s, out=np.zeros_like(base[sel]), where=s > 0)
            else:
                out[sel] = tot * prof[None, :]
        return out


def _build_series(hist: _History, quiet_calendar: bool = False) -> dict[str, _Series]:
    rows = hist.rows
    out: dict[str, _Series] = {}
    first_all = rows["day"].min()
    last_all = rows["day"].max()
    cal_all = _calendar(first_all, int((last_all - first_all).days) + 1, quiet=quiet_calendar)
    for q, g in rows.groupby("queue", sort=True):
        first = g["day"].min()
        last = g["day"].max()
        D = int((last - first).days) + 1
        off = int((first - first_all).days)
        s0 = int(g["slot"].min())
        S = int(g["slot"].max()) - s0 + 1
        di = ((g["day"] - first).dt.days).to_numpy()
        si = g["slot"].to_numpy() - s0
        y = np.zeros((D, S))
        seen = np.zeros((D, S), dtype=bool)
        y[di, si] = g["calls"].to_numpy()
        seen[di, si] = True
        aw = an = None
        if hist.has_aht:
            a = g["aht_s"].to_numpy()
            ok = np.isfinite(a)
            aw = np.zeros((D, S))
            an = np.zeros((D, S))
            aw[di[ok], si[ok]] = a[ok] * g["calls"].to_numpy()[ok]
            an[di[ok], si[ok]] = g["calls"].to_numpy()[ok]
        out[str(q)] = _Series(str(q), first, y, seen, aw, an, cal_all.slice(off, off + D), s0,
                              hist.interval_min, hist.anchor_min)
    return out


# ------------------------------------------------------------------------------------------------
# Numerical kernels of the methods (arrays in, arrays out)
# ------------------------------------------------------------------------------------------------


def _weekly_totals(x: np.ndarray, n_weeks: int) -> np.ndarray:
    """Totals of the last n_weeks 7-day blocks, newest first (x is days × ...)."""
    D = x.shape[0]
    n = min(n_weeks, D // 7)
    tot = x.reshape(D, -1).sum(axis=1)
    if n == 0:
        return np.zeros(0)
    blocks = tot[D - 7 * n:].reshape(n, 7).sum(axis=1)
    return blocks[::-1]


def _shift_adjust(clean: np.ndarray, k: int = 8, decay: float = 0.8, min_shift_frac: float = 0.05,
                  window_days: int = 21) -> tuple[np.ndarray, float, int]:
    """Robust recent-level adjustment for level shifts.

    The daily totals of the last ``window_days`` days are compared (log ratio) with the weighted
    same-weekday average of the weeks *before* that window. The longest recent run of at least two
    days of which >= 80 % depart in the same direction by more than the threshold (``min_shift_frac``
    and three robust standard deviations of the same ratio in the eight weeks before) is taken as
    a level shift; the days before it are rescaled by the run's median ratio. Returns the adjusted
    matrix, the factor and the run length (1.0, 0 when no shift)."""
    tot = clean.reshape(clean.shape[0], -1).sum(axis=1)
    D = tot.size
    R = window_days
    if D < R + 7 * 3:
        return clean, 1.0, 0
    w = decay ** np.arange(k, dtype=float)
    # ratios in the window against the weeks before the window
    t = np.arange(D - R, D)
    m0 = (t - (D - R)) // 7 + 1
    lags = t[:, None] - 7 * (m0[:, None] + np.arange(k)[None, :])
    ww = np.where(lags >= 0, w[None, :], 0.0)
    base = (ww * tot[np.clip(lags, 0, None)]).sum(axis=1) / np.maximum(ww.sum(axis=1), 1e-12)
    ok = (base > 0) & (tot[t] > 0)
    if ok.sum() < R // 2:
        return clean, 1.0, 0
    lr = np.where(ok, np.log(np.maximum(tot[t], 1e-9) / np.maximum(base, 1e-9)), 0.0)
    # noise of the same ratio before the window (one-week-ahead backcasts)
    t0 = np.arange(max(7, D - R - 56), D - R)
    lg = t0[:, None] - 7 * (1 + np.arange(k)[None, :])
    w0 = np.where(lg >= 0, w[None, :], 0.0)
    b0 = (w0 * tot[np.clip(lg, 0, None)]).sum(axis=1) / np.maximum(w0.sum(axis=1), 1e-12)
    ok0 = (b0 > 0) & (tot[t0] > 0)
    if ok0.sum() < 7:
        return clean, 1.0, 0
    l0 = np.log(tot[t0][ok0] / b0[ok0])
    sd = 1.4826 * float(np.median(np.abs(l0 - np.median(l0))))
    thr = max(math.log1p(min_shift_frac), 3.0 * sd)
    best = 0
    for r in range(2, R + 1):
        seg = lr[-r:][ok[-r:]]
        if seg.size < 2:
            continue
        med = float(np.median(seg))
        if abs(med) <= thr:
            continue
        same = (np.sign(seg) == np.sign(med)) & (np.abs(seg) > thr / 2)
        if same.mean() >= 0.8:
            best = r
    if best == 0:
        return clean, 1.0, 0
    seg = lr[-best:][ok[-best:]]
    f = float(np.exp(np.median(seg)))
    out = clean.copy()
    out[:D - best] *= f
    return out, f, best


def _wha_kernel(clean: np.ndarray, horizon: int, k: int, decay: float) -> np.ndarray:
    idx = _lag_index(clean.shape[0], horizon, k)
    W = _weights(idx, decay)
    return np.einsum("hk,hks->hs", W, clean[np.clip(idx, 0, None)])


def _seasonal_ar(x: np.ndarray, horizon: int, k: int, decay: float, ar: bool = True) -> np.ndarray:
    """Forecast the columns of x (T × K): weighted same-weekday mean + AR(1) on the deviation."""
    T, K = x.shape
    w = decay ** np.arange(k, dtype=float)
    phi = np.zeros(K)
    last_dev = np.zeros(K)
    if ar and T >= 7 * k + 14:
        t = np.arange(7 * k, T)
        lags = t[:, None] - 7 * (np.arange(k)[None, :] + 1)
        base = np.einsum("k,tkc->tc", w / w.sum(), x[lags])
        dev = x[t] - base
        num = (dev[1:] * dev[:-1]).sum(axis=0)
        den = (dev[:-1] ** 2).sum(axis=0)
        phi = np.clip(np.divide(num, den, out=np.zeros(K), where=den > 0), 0.0, 0.9)
        last_dev = dev[-1]
    ext = np.concatenate([x, np.zeros((horizon, K))])
    for b in range(0, horizon, 7):
        j = np.arange(b, min(b + 7, horizon))
        lags = T + j[:, None] - 7 * (np.arange(k)[None, :] + 1)
        ww = np.where(lags >= 0, w[None, :], 0.0)
        ww = ww / np.maximum(ww.sum(axis=1, keepdims=True), 1e-12)
        ext[T + j] = np.einsum("jk,jkc->jc", ww, ext[np.clip(lags, 0, None)])
    out = ext[T:] + (phi[None, :] ** (np.arange(horizon)[:, None] + 1)) * last_dev[None, :]
    return out


def _holt_winters(tot: np.ndarray, weekday0: int, horizon: int, max_days: int = 364) -> np.ndarray:
    """ETS(A,N,M)-style daily-total forecast with a weekly season; alpha, gamma by grid search."""
    x = tot[-max_days:]
    T = x.size
    wd0 = (weekday0 + (tot.size - T)) % 7
    alphas = np.array([0.05, 0.1, 0.2, 0.35, 0.5])
    gammas = np.array([0.02, 0.05, 0.1, 0.2])
    A, G = (a.ravel() for a in np.meshgrid(alphas, gammas))
    n0 = min(T, 28)
    lvl0 = x[:n0].mean() if n0 else 0.0
    season0 = np.zeros(7)
    for d in range(7):
        v = x[:n0][(wd0 + np.arange(n0)) % 7 == d]
        season0[d] = v.mean() / lvl0 if (v.size and lvl0 > 0) else 0.0
    L = np.full(A.size, lvl0)
    Sn = np.tile(season0, (A.size, 1))
    sse = np.zeros(A.size)
    for t in range(T):
        d = (wd0 + t) % 7
        s = Sn[:, d]
        if t >= n0:
            sse += (x[t] - L * s) ** 2
        ok = s > 1e-9
        Ln = np.where(ok, A * (x[t] / np.where(ok, s, 1.0)) + (1 - A) * L, L)
        Sn[:, d] = np.where(ok & (Ln > 0), G * x[t] / np.where(Ln > 0, Ln, 1.0) + (1 - G) * s, s)
        L = Ln
    best = int(np.argmin(sse))
    days = (wd0 + T + np.arange(horizon)) % 7
    return np.maximum(L[best] * Sn[best, days], 0.0)


def _fourier_basis(slots: np.ndarray, n_per_day: int, k: int) -> np.ndarray:
    ang = 2 * np.pi * slots[:, None] * np.arange(1, k + 1)[None, :] / n_per_day
    return np.hstack([np.ones((slots.size, 1)), np.cos(ang), np.sin(ang)])


# ------------------------------------------------------------------------------------------------
# Estimators
# ------------------------------------------------------------------------------------------------


class BaseForecaster:
    """The scikit-learn style contract every forecaster follows.

    ``__init__`` stores hyper-parameters only; :meth:`fit` validates the history, sets
    trailing-underscore state and returns ``self``; :meth:`predict` on an unfitted model raises
    :class:`NotFittedError`.
    """

    name: str = "base"
    min_history_days: int = 7

    # -- per-queue hooks ----------------------------------------------------------------------
    def _fit_q(self, s: _Series) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def _fc_q(self, s: _Series, state: Any, horizon: int) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def _params(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if not k.endswith("_") and not k.startswith("_")}

    def get_params(self) -> dict[str, Any]:
        """The hyper-parameters, as passed to ``__init__``."""
        return self._params()

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._params().items())
        return f"{type(self).__name__}({args})"

    def _check_params(self) -> None:
        """Validate hyper-parameters (at fit time, never in ``__init__``)."""

    def _forecast_q(self, s: _Series, horizon: int, fut: _Cal) -> np.ndarray:
        base = self._fc_q(s, self._fit_q(s), horizon)
        return s.apply_special(np.maximum(base, 0.0), fut)

    # -- public API ---------------------------------------------------------------------------
    def fit(self, frame: pd.DataFrame, *, source: str = "history",
            line_offset: int | None = None) -> "BaseForecaster":
        """Fit one model per queue.

        Parameters
        ----------
        frame : DataFrame
            ``queue, interval_start, calls_offered`` and optionally ``aht_s``.
        source : str, default "history"
            Name used in error messages (the CLI passes the file name).
        line_offset : int or None
            When given, errors name ``line <position + line_offset>`` (2 for a CSV with a header)
            instead of the frame's row label.

        Returns
        -------
        self
        """
        self._check_params()
        hist = _validate_history(frame, source=source, line_offset=line_offset)
        series = _build_series(hist)
        for q, s in series.items():
            if s.n_days < self.min_history_days:
                raise SchemaError(
                    f"{source}: queue {q!r} has {s.n_days} day(s) of history "
                    f"({s.first_day.date()} to {(s.first_day + pd.Timedelta(days=s.n_days - 1)).date()}); "
                    f"method '{self.name}' needs at least {self.min_history_days}.",
                    table=source, column="interval_start")
        self.series_ = series
        self.interval_min_ = hist.interval_min
        self.anchor_min_ = hist.anchor_min
        self.has_aht_ = hist.has_aht
        self.queues_ = list(series)
        self.states_ = {q: self._fit_q(s) for q, s in series.items()}
        self.dispersion_: dict[str, np.ndarray | None] = {}
        self._after_fit()
        return self

    def _after_fit(self) -> None:
        pass

    def _check_fitted(self) -> None:
        if not hasattr(self, "states_"):
            raise NotFittedError(f"This {type(self).__name__} is not fitted yet: call "
                                 f"fit(history) before predict().")

    def _dispersion(self, q: str) -> np.ndarray | None:
        if q not in self.dispersion_:
            s = self.series_[q]
            self.dispersion_[q] = _dispersion_from_folds(self, s)
        return self.dispersion_[q]

    def predict(self, horizon_days: int = 7, quantiles: Sequence[float] | None = None) -> pd.DataFrame:
        """Forecast the next ``horizon_days`` calendar days of every queue, open days only.

        Parameters
        ----------
        horizon_days : int, default 7
            Number of calendar days to cover: the next ``horizon_days`` days after the history's
            last day, with rows only on days the history shows the queue open (a weekdays-only
            history with ``horizon_days=7`` gets 5 weekdays; holidays follow how the history
            treated holidays).
        quantiles : sequence of float in (0, 1) or None
            Adds one column per quantile, named by :func:`quantile_column`.

        Returns
        -------
        DataFrame
            ``queue, interval_start, calls_forecast`` (+ ``aht_s_forecast`` when the history had
            ``aht_s``, + the quantile columns), one row per open interval, sorted.
        """
        self._check_fitted()
        if (not isinstance(horizon_days, (int, np.integer)) or isinstance(horizon_days, bool)
                or horizon_days < 1):
            raise ParameterError.expected(type(self).__name__ + ".predict", "horizon_days",
                                          "an int >= 1", horizon_days)
        qs = _check_quantiles(quantiles, type(self).__name__ + ".predict")
        parts = []
        for q in self.queues_:
            s = self.series_[q]
            parts.append(self._predict_queue(q, s, int(horizon_days), qs))
        out = pd.concat(parts, ignore_index=True)
        return out

    def _predict_queue(self, q: str, s: _Series, n_open: int, qs: list[float]) -> pd.DataFrame:
        last = s.first_day + pd.Timedelta(days=s.n_days)
        span = 7 * n_open + 31
        fut = _calendar(last, span, quiet=True)
        is_open, slots = s.future_layout(fut)
        if not is_open.any():
            raise SchemaError(f"{q!r}: the history shows the queue open on no day type, so there "
                              f"is nothing to forecast.", column="interval_start")
        # The next n calendar days after the history's last day; closed days (per the history's
        # day types) get no rows, so a weekdays-only history with n = 7 gets its 5 weekdays.
        H = n_open
        fut = fut.slice(0, H)
        is_open = is_open[:H]
        slots = slots[:H]
        if fut.is_guess.any() and is_open[fut.is_guess].any():
            _calendar(last, H)  # re-run loudly: the calendar warns about estimated years
        F = self._predict_matrix(q, s, H, fut)
        mask = is_open[:, None] & slots
        di, si = np.nonzero(mask)
        start = (s.first_day + pd.Timedelta(days=s.n_days)).to_datetime64()
        minutes = s.anchor_min + (s.slot0 + si) * s.interval_min
        ts = (start + di.astype("timedelta64[D]") + minutes.astype("timedelta64[m]")).astype(
            "datetime64[ns]")
        f = F[di, si]
        out = pd.DataFrame({"queue": q, "interval_start": ts, "calls_forecast": f})
        if self.has_aht_:
            out["aht_s_forecast"] = _aht_kernel(s, H)[di, si]
        if qs:
            phi = self._dispersion(q)
            phi_cells = np.zeros(f.size) if phi is None else phi[si]
            for qq, col in zip(qs, _gamma_quantiles(f, phi_cells, qs)):
                out[quantile_column(qq)] = col
        return out

    def _predict_matrix(self, q: str, s: _Series, horizon: int, fut: _Cal) -> np.ndarray:
        base = self._fc_q(s, self.states_[q], horizon)
        return s.apply_special(np.maximum(base, 0.0), fut)


def _aht_kernel(s: _Series, horizon: int, k: int = 8) -> np.ndarray:
    """Volume-weighted AHT of the same interval and weekday over the last k weeks."""
    if s.aht_w is None:
        return np.full((horizon, s.n_slots), np.nan)
    idx = _lag_index(s.n_days, horizon, k)
    ci = np.clip(idx, 0, None)
    valid = (idx >= 0)[:, :, None]
    num = np.where(valid, s.aht_w[ci], 0.0).sum(axis=1)
    den = np.where(valid, s.aht_n[ci], 0.0).sum(axis=1)
    day_num = num.sum(axis=1, keepdims=True)
    day_den = den.sum(axis=1, keepdims=True)
    tot_den = s.aht_n.sum()
    overall = s.aht_w.sum() / tot_den if tot_den > 0 else np.nan
    day = np.divide(day_num, day_den, out=np.full_like(day_num, overall), where=day_den > 0)
    return np.divide(num, den, out=np.broadcast_to(day, num.shape).copy(), where=den > 0)


def _gamma_quantiles(f: np.ndarray, phi: np.ndarray, qs: list[float]) -> list[np.ndarray]:
    from scipy.stats import gamma

    f = np.asarray(f, dtype=float)
    pos = f > 1e-9
    shape = np.where(pos, f / (1.0 + phi * f), 1.0)
    scale = 1.0 + phi * f
    out = []
    for q in qs:
        v = np.zeros_like(f)
        v[pos] = gamma.ppf(q, shape[pos], scale=scale[pos])
        out.append(v)
    return out


class SeasonalNaive(BaseForecaster):
    """Same interval, same weekday, last week.

    Examples
    --------
    >>> from ccomkit.wfm.forecast import SeasonalNaive, _demo_history
    >>> fc = SeasonalNaive().fit(_demo_history()).predict(horizon_days=1)
    >>> list(fc.columns), len(fc)
    (['queue', 'interval_start', 'calls_forecast'], 8)
    """

    name = "seasonal_naive"
    min_history_days = 7

    def _fit_q(self, s: _Series) -> None:
        return None

    def _fc_q(self, s: _Series, state: Any, horizon: int) -> np.ndarray:
        idx = _lag_index(s.n_days, horizon, 1)[:, 0]
        return s.clean[idx]


class WeightedHistoricalAverage(BaseForecaster):
    """Weighted average of the same interval and weekday over the last ``k_weeks`` weeks.

    Week ``m`` back (m = 0 is the most recent) weighs ``decay ** m``. With ``level_adjust`` the
    forecast is rescaled to last week's level when last week departs from the level the average
    implies by more than ``min_shift_frac`` and three robust week-to-week standard deviations
    (a level shift).

    Parameters
    ----------
    k_weeks : int, default 8
    decay : float in (0, 1], default 0.8
    level_adjust : bool, default True
    min_shift_frac : float, default 0.05

    Examples
    --------
    >>> from ccomkit.wfm.forecast import WeightedHistoricalAverage, _demo_history
    >>> m = WeightedHistoricalAverage(k_weeks=4).fit(_demo_history())
    >>> fc = m.predict(horizon_days=2)
    >>> fc["interval_start"].dt.date.nunique(), round(float(fc["calls_forecast"].sum()) / 16, 0)
    (2, 20.0)
    """

    name = "wha"
    min_history_days = 7

    def __init__(self, k_weeks: int = 8, decay: float = 0.8, level_adjust: bool = True,
                 min_shift_frac: float = 0.05) -> None:
        self.k_weeks = k_weeks
        self.decay = decay
        self.level_adjust = level_adjust
        self.min_shift_frac = min_shift_frac

    def _check_params(self) -> None:
        _check_int(self, "k_weeks", 1)
        _check_frac(self, "decay", lo_open=True)

    def _fit_q(self, s: _Series) -> None:
        return None

    def _fc_q(self, s: _Series, state: Any, horizon: int) -> np.ndarray:
        clean = s.shifted(self.min_shift_frac) if self.level_adjust else s.clean
        return _wha_kernel(clean, horizon, self.k_weeks, self.decay)


class TopDown(BaseForecaster):
    """Daily totals by Holt-Winters (multiplicative weekly season) × intraday profile by weekday.

    The profile of a weekday is the volume-weighted share of each interval over the last
    ``profile_weeks`` same weekdays, with weights ``profile_decay ** m``. Holidays, make-up days,
    eves and post-holiday days get their own factors and profiles through the shared special-day
    layer.

    Examples
    --------
    >>> from ccomkit.wfm.forecast import TopDown, _demo_history
    >>> fc = TopDown().fit(_demo_history()).predict(horizon_days=1)
    >>> round(float(fc["calls_forecast"].sum()), -1)
    160.0
    """

    name = "topdown"
    min_history_days = 14

    def __init__(self, profile_weeks: int = 8, profile_decay: float = 0.85) -> None:
        self.profile_weeks = profile_weeks
        self.profile_decay = profile_decay

    def _check_params(self) -> None:
        _check_int(self, "profile_weeks", 1)
        _check_frac(self, "profile_decay", lo_open=True)

    def _fit_q(self, s: _Series) -> None:
        return None

    def _fc_q(self, s: _Series, state: Any, horizon: int) -> np.ndarray:
        clean = s.shifted()
        tot = clean.sum(axis=1)
        daily = _holt_winters(tot, int(s.cal.weekday[0]), horizon)
        idx = _lag_index(s.n_days, horizon, self.profile_weeks)
        W = _weights(idx, self.profile_decay)
        ci = np.clip(idx, 0, None)
        num = np.einsum("hk,hks->hs", W, clean[ci])
        den = num.sum(axis=1, keepdims=True)
        prof = np.divide(num, den, out=np.zeros_like(num), where=den > 0)
        return daily[:, None] * prof


class SVDForecaster(BaseForecaster):
    """Shen & Huang (2008): SVD of the day × interval matrix and forecast day factors.

    The square-root transformed matrix ``sqrt(y + 1/4)`` of the last ``window_weeks`` weeks is
    decomposed; the ``n_components`` leading day-factor series are forecast by a weekly-seasonal
    weighted average (weights ``decay ** m`` over ``k_weeks``) plus AR(1) on the deviation; the
    matrix is rebuilt, squared back and calibrated per interval on the window.

    Examples
    --------
    >>> from ccomkit.wfm.forecast import SVDForecaster, _demo_history
    >>> fc = SVDForecaster().fit(_demo_history()).predict(horizon_days=1)
    >>> round(float(fc["calls_forecast"].sum()), -1)
    160.0
    """

    name = "svd"
    min_history_days = 21

    def __init__(self, n_components: int = 3, window_weeks: int = 16, k_weeks: int = 6,
                 decay: float = 0.8) -> None:
        self.n_components = n_components
        self.window_weeks = window_weeks
        self.k_weeks = k_weeks
        self.decay = decay

    def _check_params(self) -> None:
        _check_int(self, "n_components", 1)
        _check_int(self, "window_weeks", 2)
        _check_int(self, "k_weeks", 1)
        _check_frac(self, "decay", lo_open=True)

    def _fit_q(self, s: _Series) -> None:
        return None

    def _fc_q(self, s: _Series, state: Any, horizon: int) -> np.ndarray:
        n = min(s.n_days, 7 * self.window_weeks)
        Y = s.shifted()[-n:]
        X = np.sqrt(Y + 0.25)
        U, sv, Vt = np.linalg.svd(X, full_matrices=False)
        K = max(1, min(self.n_components, sv.size))
        B = U[:, :K] * sv[:K]
        Bf = _seasonal_ar(B, horizon, min(self.k_weeks, max(1, n // 7)), self.decay)
        Xf = Bf @ Vt[:K]
        fit_in = (B @ Vt[:K]) ** 2
        den = fit_in.sum(axis=0)
        cal = np.divide(Y.sum(axis=0), den, out=np.zeros(Y.shape[1]), where=den > 0)
        return np.maximum(Xf, 0.0) ** 2 * cal[None, :]


class FourierARMA(BaseForecaster):
    """Fourier regression of the intraday shape by weekday with AR(p) errors on the daily level.

    In square-root space, the mean shape of each weekday over the last ``window_weeks`` weeks
    (weights ``decay ** m``) is regressed by least squares on ``n_harmonics`` daily Fourier
    pairs; the relative daily deviation from that shape follows an AR(``ar_order``) fitted by
    least squares and forecast recursively.

    Examples
    --------
    >>> from ccomkit.wfm.forecast import FourierARMA, _demo_history
    >>> fc = FourierARMA().fit(_demo_history()).predict(horizon_days=1)
    >>> round(float(fc["calls_forecast"].sum()), -1)
    160.0
    """

    name = "fourier_arma"
    min_history_days = 21

    def __init__(self, n_harmonics: int | None = None, window_weeks: int = 8, decay: float = 0.85,
                 ar_order: int = 2) -> None:
        self.n_harmonics = n_harmonics
        self.window_weeks = window_weeks
        self.decay = decay
        self.ar_order = ar_order

    def _check_params(self) -> None:
        if self.n_harmonics is not None:
            _check_int(self, "n_harmonics", 1)
        _check_int(self, "window_weeks", 2)
        _check_int(self, "ar_order", 0)
        _check_frac(self, "decay", lo_open=True)

    def _fit_q(self, s: _Series) -> None:
        return None

    def _fc_q(self, s: _Series, state: Any, horizon: int) -> np.ndarray:
        D, S = s.clean.shape
        W = min(self.window_weeks, D // 7)
        n = 7 * W
        Y = s.shifted()[D - n:]
        Z = np.sqrt(Y + 0.25).reshape(W, 7, S)
        w = self.decay ** np.arange(W - 1, -1, -1, dtype=float)
        mu = np.einsum("w,wds->ds", w / w.sum(), Z)  # position-in-week × slot
        per_day = 1440 // s.interval_min
        K = self.n_harmonics or max(2, min(12, (S - 1) // 2))
        K = min(K, max(1, (S - 1) // 2))
        Phi = _fourier_basis(np.arange(S) + s.slot0, per_day, K)
        coef, *_ = np.linalg.lstsq(Phi, mu.T, rcond=None)
        mu_s = np.maximum((Phi @ coef).T, 0.0)  # 7 × S
        fitted = np.broadcast_to(mu_s, Z.shape)
        tot_fit = fitted.sum(axis=2).ravel()
        tot_obs = Z.sum(axis=2).ravel()
        e = np.divide(tot_obs, tot_fit, out=np.ones_like(tot_obs), where=tot_fit > 0) - 1.0
        p = self.ar_order
        ef = np.zeros(horizon)
        if p > 0 and e.size > 3 * p + 7:
            Xl = np.column_stack([e[p - i - 1:e.size - i - 1] for i in range(p)])
            coef_ar, *_ = np.linalg.lstsq(Xl, e[p:], rcond=None)
            if np.abs(coef_ar).sum() < 0.98:
                hist = list(e[-p:])
                for j in range(horizon):
                    v = float(np.dot(coef_ar, hist[::-1][:p]))
                    ef[j] = v
                    hist.append(v)
        pos = np.arange(horizon) % 7  # position in week of future day j (window ends at D-1)
        Zf = mu_s[pos] * (1.0 + ef[:, None])
        cal_den = (fitted ** 2).reshape(n, S).sum(axis=0)
        cal = np.divide(Y.sum(axis=0), cal_den, out=np.zeros(S), where=cal_den > 0)
        return np.maximum(Zf, 0.0) ** 2 * cal[None, :]


_REGISTRY: dict[str, type[BaseForecaster]] = {}


def _member(m: str | BaseForecaster) -> BaseForecaster:
    if isinstance(m, BaseForecaster):
        return m
    return make_forecaster(m)


class Combination(BaseForecaster):
    """Median (or mean) of several methods' forecasts, interval by interval.

    Parameters
    ----------
    members : sequence of str or forecasters, default ("wha", "svd", "topdown")
    how : {"median", "mean"}, default "median"

    Examples
    --------
    >>> from ccomkit.wfm.forecast import Combination, _demo_history
    >>> fc = Combination(members=("wha", "seasonal_naive"), how="mean").fit(_demo_history())
    >>> len(fc.predict(horizon_days=1))
    8
    """

    name = "combination"

    def __init__(self, members: Sequence[str | BaseForecaster] = ("wha", "svd", "topdown"),
                 how: str = "median") -> None:
        self.members = members
        self.how = how

    @property
    def min_history_days(self) -> int:  # type: ignore[override]
        return max(_member(m).min_history_days for m in self.members)

    def _check_params(self) -> None:
        if self.how not in ("median", "mean"):
            raise ParameterError.expected("Combination", "how", "'median' or 'mean'", self.how)
        if not self.members:
            raise ParameterError.expected("Combination", "members", "a non-empty sequence",
                                          self.members)
        self.members_ = [_member(m) for m in self.members]
        for m in self.members_:
            m._check_params()

    def _fit_q(self, s: _Series) -> list[Any]:
        if not hasattr(self, "members_"):
            self._check_params()
        return [m._fit_q(s) for m in self.members_]

    def _fc_q(self, s: _Series, state: list[Any], horizon: int) -> np.ndarray:
        fs = np.stack([m._fc_q(s, st, horizon) for m, st in zip(self.members_, state)])
        return np.median(fs, axis=0) if self.how == "median" else fs.mean(axis=0)


class AutoForecaster(BaseForecaster):
    """Per queue, the candidate with the lowest WAPE in a rolling-origin backtest.

    Each candidate forecasts ``horizon_days`` (7) ahead from ``n_origins`` weekly origins at the
    end of the history; the winner is refitted on the whole history. The median combination of
    the ``combine`` candidates is a candidate too. The backtest residuals of the winner also give
    the dispersion used for quantiles. ``chosen_`` maps queue → method name and ``scores_`` holds
    every candidate's WAPE.

    Parameters
    ----------
    candidates : sequence of str, default ("wha", "svd", "topdown", "fourier_arma")
    combine : sequence of str or None, default ("wha", "svd", "topdown")
    n_origins : int, default 4
    horizon_days : int, default 7

    Examples
    --------
    >>> from ccomkit.wfm.forecast import AutoForecaster, _demo_history
    >>> m = AutoForecaster().fit(_demo_history())
    >>> m.chosen_["a"] in {"wha", "svd", "topdown", "fourier_arma", "combination"}
    True
    """

    name = "auto"

    def __init__(self, candidates: Sequence[str] = ("wha", "svd", "topdown", "fourier_arma"),
                 combine: Sequence[str] | None = ("wha", "svd", "topdown"), n_origins: int = 4,
                 horizon_days: int = 7) -> None:
        self.candidates = candidates
        self.combine = combine
        self.n_origins = n_origins
        self.horizon_days = horizon_days

    min_history_days = 7

    def _check_params(self) -> None:
        _check_int(self, "n_origins", 1)
        _check_int(self, "horizon_days", 1)
        for c in list(self.candidates) + list(self.combine or ()):
            make_forecaster(c)

    def _fit_q(self, s: _Series) -> Any:
        choice, model, scores, phi = _select(s, list(self.candidates), list(self.combine or ()),
                                            self.n_origins, self.horizon_days)
        return {"choice": choice, "model": model, "state": model._fit_q(s), "scores": scores,
                "phi": phi}

    def _fc_q(self, s: _Series, state: Any, horizon: int) -> np.ndarray:
        return state["model"]._fc_q(s, state["state"], horizon)

    def _after_fit(self) -> None:
        self.chosen_ = {q: st["choice"] for q, st in self.states_.items()}
        self.scores_ = pd.DataFrame(
            [{"queue": q, "method": m, "wape": w} for q, st in self.states_.items()
             for m, w in st["scores"].items()], columns=["queue", "method", "wape"])
        self.dispersion_ = {q: st["phi"] for q, st in self.states_.items() if st["phi"] is not None}


def _select(s: _Series, candidates: list[str], combine: list[str], n_origins: int,
            horizon: int) -> tuple[str, BaseForecaster, dict[str, float], np.ndarray | None]:
    models = {c: make_forecaster(c) for c in dict.fromkeys(candidates + combine)}
    for m in models.values():
        m._check_params()
    cuts = _cuts(s, n_origins, horizon, min(m.min_history_days for m in models.values()))
    if not cuts:
        fallback = "wha" if "wha" in models else candidates[0]
        return fallback, models[fallback], {}, None
    err = {c: 0.0 for c in models}
    ok = {c: True for c in models}
    act_sum = 0.0
    res: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {c: [] for c in models}
    use_combo = len(combine) >= 2
    if use_combo:
        err["combination"] = 0.0
        ok["combination"] = True
        res["combination"] = []
    for c in cuts:
        sh = s.head(c)
        fut = s.cal.slice(c, c + horizon)
        A = s.y[c:c + horizon]
        M = s.seen[c:c + horizon]
        act_sum += float(A[M].sum())
        bases = {}
        for name, m in models.items():
            if c < m.min_history_days:
                ok[name] = False
                continue
            bases[name] = np.maximum(m._fc_q(sh, m._fit_q(sh), horizon), 0.0)
            F = sh.apply_special(bases[name], fut)
            err[name] += float(np.abs(F - A)[M].sum())
            res[name].append((F, A, M))
        if use_combo:
            if all(k in bases for k in combine):
                Fc = sh.apply_special(np.median(np.stack([bases[k] for k in combine]), axis=0), fut)
                err["combination"] += float(np.abs(Fc - A)[M].sum())
                res["combination"].append((Fc, A, M))
            else:
                ok["combination"] = False
    names = [c for c in candidates if ok.get(c)] + (["combination"] if use_combo and ok["combination"]
                                                    else [])
    if not names:
        fallback = "wha" if "wha" in models else candidates[0]
        return fallback, models[fallback], {}, None
    scores = {n: err[n] / act_sum if act_sum > 0 else float("nan") for n in names}
    best = min(names, key=lambda n: (scores[n] if np.isfinite(scores[n]) else np.inf))
    model = Combination(members=tuple(combine)) if best == "combination" else models[best]
    model._check_params()
    return best, model, scores, _phi(res[best], s.n_slots)


def _cuts(s: _Series, n_origins: int, horizon: int, min_days: int, step: int = 7) -> list[int]:
    """History lengths (cut points) of the rolling origins, oldest first; the last fold ends at
    the end of the history."""
    out = [s.n_days - horizon - i * step for i in range(n_origins)]
    return sorted(c for c in out if c >= min_days)


def _phi(folds: list[tuple[np.ndarray, np.ndarray, np.ndarray]], n_slots: int) -> np.ndarray | None:
    """Dispersion φ per interval of day: Var(A) = F + φ F², by moments, shrunk to the pooled φ."""
    if not folds:
        return None
    F = np.concatenate([f for f, _, _ in folds])
    A = np.concatenate([a for _, a, _ in folds])
    M = np.concatenate([m for _, _, m in folds])
    r2 = np.where(M, (A - F) ** 2 - F, 0.0)
    f2 = np.where(M, F ** 2, 0.0)
    num = r2.sum(axis=0)
    den = f2.sum(axis=0)
    if den.sum() <= 0:
        return np.zeros(n_slots)
    g = max(num.sum() / den.sum(), 0.0)
    prior = max(float(den.mean()), 1e-9)
    return np.maximum((num + g * prior) / (den + prior), 0.0)


def _dispersion_from_folds(model: BaseForecaster, s: _Series, n_origins: int = 4,
                           horizon: int = 7) -> np.ndarray | None:
    cuts = _cuts(s, n_origins, horizon, model.min_history_days)
    folds = []
    for c in cuts:
        sh = s.head(c)
        fut = s.cal.slice(c, c + horizon)
        F = sh.apply_special(np.maximum(model._fc_q(sh, model._fit_q(sh), horizon), 0.0), fut)
        folds.append((F, s.y[c:c + horizon], s.seen[c:c + horizon]))
    if not folds:
        warnings.warn(f"queue {s.queue!r}: too little history for a backtest of "
                      f"'{model.name}'; quantiles assume Poisson noise only.", ForecastWarning,
                      stacklevel=4)
    return _phi(folds, s.n_slots)


def _check_int(obj: object, name: str, lo: int) -> None:
    v = getattr(obj, name)
    if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < lo:
        raise ParameterError.expected(type(obj).__name__, name, f"an int >= {lo}", v)


def _check_frac(obj: object, name: str, lo_open: bool = False) -> None:
    v = getattr(obj, name)
    ok = isinstance(v, (int, float, np.floating)) and not isinstance(v, bool) and (
        0 < v <= 1 if lo_open else 0 <= v <= 1)
    if not ok:
        raise ParameterError.expected(type(obj).__name__, name,
                                      "a float in (0, 1]" if lo_open else "a float in [0, 1]", v)


METHODS: dict[str, type[BaseForecaster]] = {
    "auto": AutoForecaster,
    "seasonal_naive": SeasonalNaive,
    "wha": WeightedHistoricalAverage,
    "topdown": TopDown,
    "svd": SVDForecaster,
    "fourier_arma": FourierARMA,
    "combination": Combination,
}
"""Method name → forecaster class (the names ``ccom forecast --method`` accepts)."""

_ALIASES = {"weighted_historical_average": "wha", "snaive": "seasonal_naive", "top_down": "topdown",
            "shen_huang": "svd"}


def make_forecaster(method: str | BaseForecaster = "auto", **params: Any) -> BaseForecaster:
    """A forecaster by name (see :data:`METHODS`), with its hyper-parameters.

    Examples
    --------
    >>> from ccomkit.wfm.forecast import make_forecaster
    >>> make_forecaster("wha", k_weeks=6)
    WeightedHistoricalAverage(k_weeks=6, decay=0.8, level_adjust=True, min_shift_frac=0.05)
    """
    if isinstance(method, BaseForecaster):
        return method
    key = _ALIASES.get(str(method), str(method))
    if key not in METHODS:
        raise ParameterError.expected("make_forecaster", "method",
                                      f"one of {', '.join(METHODS)}", method)
    return METHODS[key](**params)


def _demo_history(weeks: int = 5, queues: Sequence[str] = ("a",)) -> pd.DataFrame:
    """A tiny deterministic history for doctests: 8 hourly intervals from 09:00, 20 calls each,
    every day from Monday 2025-03-03."""
    days = pd.date_range("2025-03-03", periods=7 * weeks, freq="D")
    ts = (days.values[:, None] + (np.arange(8) + 9).astype("timedelta64[h]")[None, :]).ravel()
    parts = [pd.DataFrame({"queue": q, "interval_start": ts, "calls_offered": 20.0}) for q in queues]
    return pd.concat(parts, ignore_index=True)


def _synthetic_history(weeks: int = 12, interval_min: int = 30, open_hours: tuple[int, int] = (8, 20),
                       queues: Sequence[str] = ("a",), weekdays_only: bool = False,
                       calls_per_day: float = 3000.0, shift_last_days: int | None = None,
                       shift_factor: float = 1.0, end: str = "2025-09-28", aht: bool = False,
                       holiday_factor: float | None = None, seed: int = 0,
                       with_rate: bool = False) -> pd.DataFrame:
    """A synthetic history with known structure (tests and benchmarks): a weekly × intraday
    pattern with Poisson noise, optional level shift over the last days and a holiday effect
    (volume × ``holiday_factor`` on mainland-China holidays, same intraday shape)."""
    from ccomkit.calendar import day_types

    rng = np.random.default_rng(seed)
    end_ts = pd.Timestamp(end)
    days = pd.date_range(end_ts - pd.Timedelta(days=7 * weeks - 1), end_ts, freq="D")
    n_slots = (open_hours[1] - open_hours[0]) * 60 // interval_min
    x = np.linspace(0.0, 1.0, n_slots)
    shape = np.exp(-((x - 0.3) / 0.18) ** 2) + 0.8 * np.exp(-((x - 0.7) / 0.2) ** 2) + 0.15
    shape = shape / shape.sum()
    dow = np.array([1.2, 1.1, 1.0, 1.0, 0.95, 0.6, 0.5])
    factor = np.ones(len(days))
    if holiday_factor is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cal = day_types(days[0].date(), days[-1].date())
        factor = np.where(cal["day_type"].to_numpy() == "holiday", holiday_factor, 1.0)
    parts = []
    for qi, q in enumerate(queues):
        daily = calls_per_day * (1 + 0.3 * qi) * dow[days.day_of_week] * factor
        if shift_last_days:
            daily = daily * np.where(np.arange(len(days)) >= len(days) - shift_last_days,
                                     shift_factor, 1.0)
        lam = daily[:, None] * shape[None, :]
        y = rng.poisson(lam)
        ts = days.values[:, None] + (open_hours[0] * 60 + np.arange(n_slots) * interval_min
                                     ).astype("timedelta64[m]")[None, :]
        df = pd.DataFrame({"queue": q, "interval_start": ts.ravel(),
                           "calls_offered": y.ravel().astype(float)})
        if with_rate:
            df["rate"] = lam.ravel()
        if aht:
            df["aht_s"] = 200.0 + 20 * qi + rng.normal(0, 5, len(df))
        if weekdays_only:
            df = df[df["interval_start"].dt.day_of_week < 5]
        parts.append(df)
    return pd.concat(parts, ignore_index=True)
