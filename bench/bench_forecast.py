"""Forecasting bench: ccomkit ``auto`` against statsforecast and historical averages.

Protocol (the same for every method): 8 rolling weekly origins at the end of each queue's
history; from each origin a one-week (7 calendar days) forecast in one shot; every interval of
the demo center's ``acd_interval`` with a row is scored. WAPE = Σ|F − A| / ΣA pooled over the 8
folds, at interval and at day level.

Peers (measured in the same run):

``hist_avg_4w`` / ``hist_avg_8w``  plain mean of the same interval and weekday over the last 4 / 8
                                  weeks (closed days count as zero)
``sf_mstl``        statsforecast MSTL, seasons (day, week) on the interval series (full 24 h grid,
                   closed intervals zero), fitted on the last 8 weeks (a longer window makes it
                   much slower and no more accurate)
``sf_autoets``     statsforecast AutoETS (season 7) on daily totals × intraday profile by weekday
``sf_autoarima``   statsforecast AutoARIMA (season 7) on daily totals × intraday profile
                   (profile: mean share of each interval over the last 4 same weekdays)

Data: ``ccomkit.demo.generate(seats=200, years=2)['acd_interval']`` (30-minute). The demo only
generates 30-minute intervals; the 15- and 5-minute grains are derived from it by splitting each
30-minute count multinomially along the piecewise-linear interpolated intraday intensity (a thinned
Poisson count stays Poisson), so finer grains keep the demo's calendar, events and noise.

Run::

    .venv/bin/pip install statsforecast   # bench only, never a runtime dependency
    .venv/bin/python bench/bench_forecast.py --grains 30,15,5
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings

import numpy as np
import pandas as pd

N_ORIGINS = 8
HORIZON = 7


def load_demo(seats: int, years: int, seed: int) -> pd.DataFrame:
    from ccomkit.demo import generate

    t = generate(seats=seats, years=years, seed=seed)["acd_interval"]
    return pd.DataFrame({"queue": t["queue_id"].astype(str).to_numpy(),
                         "interval_start": pd.to_datetime(t["interval_start"]).to_numpy(),
                         "calls_offered": t["offered"].astype(float).to_numpy()})


def split_grain(df30: pd.DataFrame, grain: int, seed: int = 7) -> pd.DataFrame:
    """Split 30-minute counts into ``grain``-minute counts along the interpolated intensity."""
    if grain == 30:
        return df30.copy()
    k = 30 // grain
    rng = np.random.default_rng(seed)
    parts = []
    for q, g in df30.groupby("queue", sort=True):
        g = g.sort_values("interval_start")
        day = g["interval_start"].dt.normalize()
        slot = ((g["interval_start"] - day).dt.total_seconds() // 1800).astype(int).to_numpy()
        # mean intraday intensity per 30-min slot (by weekday type), interpolated to sub-slots
        wk = g["interval_start"].dt.day_of_week.to_numpy() >= 5
        prof = np.zeros((2, 48))
        for w in (0, 1):
            sel = wk == bool(w)
            if sel.any():
                prof[w] = np.bincount(slot[sel], weights=g["calls_offered"].to_numpy()[sel],
                                      minlength=48) / max(sel.sum(), 1)
        centers = np.arange(48) + 0.5
        sub = (np.arange(48 * k) + 0.5) / k
        fine = np.stack([np.interp(sub, centers, prof[w]) for w in (0, 1)]) + 1e-6
        shares = fine.reshape(2, 48, k)
        shares = shares / shares.sum(axis=2, keepdims=True)
        p = shares[wk.astype(int), slot]  # rows × k
        n = g["calls_offered"].to_numpy().astype(np.int64)
        counts = rng.multinomial(n, p) if hasattr(rng, "multinomial") else None
        ts = g["interval_start"].to_numpy()[:, None] + (np.arange(k) * grain).astype(
            "timedelta64[m]")[None, :]
        parts.append(pd.DataFrame({"queue": q, "interval_start": ts.ravel(),
                                   "calls_offered": counts.ravel().astype(float)}))
    return pd.concat(parts, ignore_index=True)


def _matrix(g: pd.DataFrame, grain: int) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """Full-calendar day × full-day-slot matrix of one queue (closed = 0)."""
    day = g["interval_start"].dt.normalize()
    days = pd.date_range(day.min(), day.max(), freq="D")
    S = 1440 // grain
    Y = np.zeros((len(days), S))
    di = ((day - days[0]).dt.days).to_numpy()
    si = ((g["interval_start"] - day).dt.total_seconds() // (60 * grain)).astype(int).to_numpy()
    Y[di, si] = g["calls_offered"].to_numpy()
    return days, Y


def peers_for_queue(g: pd.DataFrame, grain: int, daily_cache: dict, have_sf: bool) -> dict:
    """Forecast matrices (origin → method → 7 × S) of the peers for one queue."""
    days, Y = _matrix(g, grain)
    D, S = Y.shape
    q = g["queue"].iloc[0]
    tot = Y.sum(axis=1)
    cuts = [D - HORIZON - 7 * i for i in range(N_ORIGINS)][::-1]
    out: dict = {}
    timing = {"hist_avg_4w": 0.0, "hist_avg_8w": 0.0, "sf_mstl": 0.0, "sf_autoets": 0.0,
              "sf_autoarima": 0.0}
    for c in cuts:
        res = {}
        j = np.arange(HORIZON)
        for k, name in ((4, "hist_avg_4w"), (8, "hist_avg_8w")):
            t0 = time.perf_counter()
            idx = c + j[:, None] - 7 * (1 + np.arange(k))[None, :]
            res[name] = Y[np.clip(idx, 0, None)].mean(axis=1)
            timing[name] += time.perf_counter() - t0
        # intraday profile by weekday: mean share over the last 4 same weekdays
        idx = c + j[:, None] - 7 * (1 + np.arange(4))[None, :]
        num = Y[idx].sum(axis=1)
        den = num.sum(axis=1, keepdims=True)
        prof = np.divide(num, den, out=np.zeros_like(num), where=den > 0)
        if have_sf:
            from statsforecast import StatsForecast
            from statsforecast.models import MSTL, AutoARIMA, AutoETS

            key = (q, c)
            if key not in daily_cache:
                dfd = pd.DataFrame({"unique_id": q, "ds": days[:c], "y": tot[:c]})
                for name, model in (("sf_autoets", AutoETS(season_length=7)),
                                    ("sf_autoarima", AutoARIMA(season_length=7))):
                    t0 = time.perf_counter()
                    f = StatsForecast(models=[model], freq="D").forecast(df=dfd, h=HORIZON)
                    daily_cache.setdefault(key, {})[name] = (
                        np.maximum(f.iloc[:, -1].to_numpy(), 0.0), time.perf_counter() - t0)
            for name in ("sf_autoets", "sf_autoarima"):
                dtot, dt = daily_cache[key][name]
                res[name] = dtot[:, None] * prof
                timing[name] += dt
            t0 = time.perf_counter()
            lo = max(0, c - 56)
            ys = Y[lo:c].ravel()
            ds = pd.date_range(days[lo], periods=ys.size, freq=f"{grain}min")
            dfi = pd.DataFrame({"unique_id": q, "ds": ds, "y": ys})
            f = StatsForecast(models=[MSTL(season_length=[S, 7 * S])],
                              freq=f"{grain}min").forecast(df=dfi, h=HORIZON * S)
            res["sf_mstl"] = np.maximum(f.iloc[:, -1].to_numpy(), 0.0).reshape(HORIZON, S)
            timing["sf_mstl"] += time.perf_counter() - t0
        out[c] = res
    return {"days": days, "cuts": cuts, "fc": out, "timing": timing, "S": S}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--grains", default="30,15,5", help="interval lengths in minutes")
    ap.add_argument("--seats", type=int, default=200)
    ap.add_argument("--years", type=int, default=2)
    ap.add_argument("--seed", type=int, default=20261123)
    ap.add_argument("--queues", default=None, help="comma-separated subset of queues")
    ap.add_argument("--skip-statsforecast", action="store_true",
                    help="only the historical-average peers (fast)")
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    try:
        import statsforecast  # noqa: F401

        have_sf = not args.skip_statsforecast
    except ImportError:
        have_sf = False
        print("statsforecast is not installed: only the historical-average peers run. "
              "Install it for the bench with `.venv/bin/pip install statsforecast`.")
    from ccomkit.wfm.backtest import backtest

    t0 = time.perf_counter()
    df30 = load_demo(args.seats, args.years, args.seed)
    if args.queues:
        df30 = df30[df30["queue"].isin(args.queues.split(","))]
    print(f"demo acd_interval: {len(df30):,} rows, {df30['queue'].nunique()} queues "
          f"({time.perf_counter() - t0:.1f} s to generate)")
    daily_cache: dict = {}
    rows = []
    for grain in [int(x) for x in args.grains.split(",")]:
        df = split_grain(df30, grain)
        for q, g in df.groupby("queue", sort=True):
            t1 = time.perf_counter()
            res = backtest(g, "auto", n_origins=N_ORIGINS, horizon_days=HORIZON, quantiles=None)
            t_auto = time.perf_counter() - t1
            ref = res.forecasts[["queue", "interval_start", "actual", "forecast", "method"]]
            peers = peers_for_queue(g, grain, daily_cache, have_sf)
            days, S = peers["days"], peers["S"]
            day0 = days[0]
            di = (ref["interval_start"].dt.normalize() - day0).dt.days.to_numpy()
            si = ((ref["interval_start"] - ref["interval_start"].dt.normalize()).dt.total_seconds()
                  // (60 * grain)).astype(int).to_numpy()
            cols = {"auto": ref["forecast"].to_numpy()}
            names = list(peers["fc"][peers["cuts"][0]])
            for name in names:
                v = np.full(len(ref), np.nan)
                for c in peers["cuts"]:
                    sel = (di >= c) & (di < c + HORIZON)
                    v[sel] = peers["fc"][c][name][di[sel] - c, si[sel]]
                cols[name] = v
            A = ref["actual"].to_numpy()
            dkey = di
            for name, F in cols.items():
                ok = np.isfinite(F)
                wi = np.abs(F[ok] - A[ok]).sum() / A[ok].sum()
                dF = pd.Series(F[ok]).groupby(dkey[ok]).sum().to_numpy()
                dA = pd.Series(A[ok]).groupby(dkey[ok]).sum().to_numpy()
                wd = np.abs(dF - dA).sum() / dA.sum()
                secs = t_auto if name == "auto" else peers["timing"].get(name, float("nan"))
                rows.append({"grain_min": grain, "queue": q, "method": name, "wape_interval": wi,
                             "wape_day": wd, "seconds_all_folds": secs})
            picked = ",".join(f"{m}×{n}" for m, n in res.chosen["method"].value_counts().items())
            print(f"  {grain:>2} min {q:<5} auto {t_auto:5.2f} s  chose {picked}", flush=True)
    table = pd.DataFrame(rows)
    pd.set_option("display.width", 200)
    for grain, tg in table.groupby("grain_min", sort=False):
        print(f"\n== {grain}-minute grain: WAPE pooled over {N_ORIGINS} weekly origins ==")
        piv = tg.pivot(index="queue", columns="method", values="wape_interval")
        pdy = tg.pivot(index="queue", columns="method", values="wape_day")
        order = ["auto"] + [c for c in piv.columns if c != "auto"]
        print("interval level:\n" + piv[order].round(4).to_string())
        print("day level:\n" + pdy[order].round(4).to_string())
        best_i = piv.drop(columns="auto").min(axis=1)
        best_d = pdy.drop(columns="auto").min(axis=1)
        ratio = pd.DataFrame({"auto/best_peer_interval": piv["auto"] / best_i,
                              "auto/best_peer_day": pdy["auto"] / best_d,
                              "auto_seconds": tg[tg["method"] == "auto"].set_index("queue")[
                                  "seconds_all_folds"]})
        print("ratios (< 1: auto better):\n" + ratio.round(3).to_string())
        wins_i = (ratio["auto/best_peer_interval"] < 1).sum()
        wins_d = (ratio["auto/best_peer_day"] < 1).sum()
        print(f"auto beats every peer: interval {wins_i}/{len(ratio)} queues, day "
              f"{wins_d}/{len(ratio)}; slowest queue {ratio['auto_seconds'].max():.2f} s")
    table.to_csv("bench/_data/forecast_bench.csv", index=False) if __import__("os").path.isdir(
        "bench/_data") else None
    return 0


if __name__ == "__main__":
    sys.exit(main())
