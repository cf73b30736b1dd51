"""Property tests (hypothesis) for the engines: Erlang, staffing, KPI aggregation, forecast grid,
roster checker. Modest example counts, no deadline: the machine is shared."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ccomkit import kpi
from ccomkit.wfm.erlang import erlang_c, service_level
from ccomkit.wfm.staffing import required_agents

SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

traffic = st.floats(min_value=0.05, max_value=400.0, allow_nan=False)
aht = st.floats(min_value=20.0, max_value=900.0, allow_nan=False)
target = st.floats(min_value=1.0, max_value=120.0, allow_nan=False)


# ------------------------------------------------------------------ Erlang C


@SETTINGS
@given(a=traffic, aht_s=aht, t_s=target, extra=st.integers(1, 40))
def test_service_level_rises_with_agents(a, aht_s, t_s, extra):
    n0 = int(np.floor(a)) + 1  # the first stable staffing
    n = np.arange(n0, n0 + extra + 1)
    sl = np.asarray(service_level(a, n, aht_s, t_s))
    assert np.all((sl >= 0) & (sl <= 1))
    assert np.all(np.diff(sl) >= -1e-12)
    pw = np.asarray(erlang_c(a, n))
    assert np.all(np.diff(pw) <= 1e-12)  # waiting probability falls with agents


@SETTINGS
@given(a=traffic, more=st.floats(min_value=1.0001, max_value=3.0), aht_s=aht, t_s=target,
       spare=st.integers(1, 30))
def test_service_level_falls_with_load(a, more, aht_s, t_s, spare):
    n = int(np.ceil(a * more)) + spare  # stable for both loads
    assert service_level(a * more, n, aht_s, t_s) <= service_level(a, n, aht_s, t_s) + 1e-12


# ------------------------------------------------------------------ required agents


@SETTINGS
@given(calls=st.lists(st.floats(min_value=0, max_value=2000, allow_nan=False), min_size=1,
                      max_size=6),
       aht_s=aht, sl=st.floats(min_value=0.5, max_value=0.95), t_s=target,
       occ=st.one_of(st.none(), st.floats(min_value=0.6, max_value=0.95)))
def test_required_agents_is_minimal(calls, aht_s, sl, t_s, occ):
    frame = pd.DataFrame({"calls_offered": calls, "aht_s": aht_s, "interval_min": 30})
    kw = {"service_level_target_frac": sl, "target_s": t_s}
    if occ is not None:
        kw["max_occupancy_frac"] = occ
    out = required_agents(frame, **kw)
    for row in out.itertuples():
        n, a = int(row.agents_required), float(row.traffic_erl)
        if row.calls_offered == 0:
            assert n == 0
            continue

        def meets(k: int) -> bool:
            if k <= a:
                return False
            ok = service_level(a, k, aht_s, t_s) >= sl - 1e-9
            return ok and (occ is None or a / k <= occ + 1e-12)

        assert meets(n), (a, n)
        assert not meets(n - 1), (a, n)  # one fewer misses a target
        assert row.fte_required >= n


# ------------------------------------------------------------------ KPI aggregation


acd_rows = st.lists(
    st.tuples(st.sampled_from(["Q1", "Q2", "Q3"]), st.integers(0, 95),
              st.integers(0, 300), st.floats(0, 1), st.floats(0, 1), st.floats(0, 1),
              st.floats(30, 600)),
    min_size=1, max_size=40, unique_by=lambda r: (r[0], r[1]))


def _acd(rows) -> pd.DataFrame:
    recs = []
    for q, slot, offered, f_ans, f_in, f_short, aht_s in rows:
        answered = int(round(offered * f_ans))
        abandoned = offered - answered
        recs.append({
            "queue_id": q,
            "interval_start": pd.Timestamp("2025-03-03") + pd.Timedelta(minutes=30 * slot),
            "interval_min": 30, "offered": offered, "answered": answered,
            "answered_within_t": int(answered * f_in), "abandoned": abandoned,
            "abandoned_short": int(abandoned * f_short), "handled": answered,
            "sum_talk_s": answered * aht_s, "sum_hold_s": 0.0, "sum_acw_s": 0.0,
            "sum_wait_answered_s": 10.0 * answered, "sl_threshold_s": 20, "short_abandon_s": 5,
            "channel": "voice"})
    return pd.DataFrame(recs)


@SETTINGS
@given(rows=acd_rows)
def test_kpis_are_ratios_of_sums_and_parts_add_up(rows):
    frame = _acd(rows)
    ids = ["service_level", "abandon_rate", "aht_s"]
    total = kpi.compute(frame, ids).set_index("kpi_id")
    parts = kpi.compute(frame, ids, by="queue_id")
    daily = kpi.compute(frame, ids, by="queue_id", freq="D")
    for k in ids:
        p = parts[parts["kpi_id"] == k]
        # numerators and denominators of the parts sum to the whole
        assert np.isclose(p["numerator"].sum(), total.loc[k, "numerator"])
        assert np.isclose(p["denominator"].sum(), total.loc[k, "denominator"])
        # the whole is the ratio of sums (never a mean of the parts' ratios)
        den = total.loc[k, "denominator"]
        if den > 0:
            assert np.isclose(total.loc[k, "value"], total.loc[k, "numerator"] / den)
            # and lies between the smallest and largest part
            vals = p.loc[p["denominator"] > 0, "value"]
            assert vals.min() - 1e-9 <= total.loc[k, "value"] <= vals.max() + 1e-9
        else:
            assert np.isnan(total.loc[k, "value"])
        d = daily[daily["kpi_id"] == k]
        assert np.isclose(d["numerator"].sum(), total.loc[k, "numerator"])


# ------------------------------------------------------------------ forecast grid


def _history(interval_min: int, open_h: int, close_h: int, weeks: int, queues: int,
             seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    days = pd.date_range("2025-06-09", periods=7 * weeks, freq="D")  # no holidays until August
    slots = np.arange(open_h * 60, close_h * 60, interval_min)
    parts = []
    for qi in range(queues):
        ts = (days.values[:, None] + slots[None, :].astype("timedelta64[m]")).ravel()
        lam = 20 + 10 * np.sin(np.linspace(0, 6, ts.size)) + 5 * qi
        parts.append(pd.DataFrame({"queue": f"Q{qi}", "interval_start": ts,
                                   "calls_offered": rng.poisson(lam).astype(float)}))
    return pd.concat(parts, ignore_index=True)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(interval_min=st.sampled_from([15, 30, 60]), open_h=st.integers(0, 10),
       hours=st.integers(4, 14), weeks=st.integers(3, 5), queues=st.integers(1, 2),
       horizon=st.integers(1, 14), method=st.sampled_from(["seasonal_naive", "wha"]),
       seed=st.integers(0, 1000))
def test_forecast_grid_is_the_requested_grid(interval_min, open_h, hours, weeks, queues, horizon,
                                             method, seed):
    from ccomkit.wfm.forecast import METHODS

    close_h = min(24, open_h + hours)
    hist = _history(interval_min, open_h, close_h, weeks, queues, seed)
    model = METHODS[method]().fit(hist)
    fc = model.predict(horizon_days=horizon)
    last = hist["interval_start"].max().normalize()
    days = pd.date_range(last + pd.Timedelta(days=1), periods=horizon, freq="D")
    slots = np.arange(open_h * 60, close_h * 60, interval_min)
    grid = pd.DataFrame([(f"Q{q}", d + pd.Timedelta(minutes=int(m)))
                         for q in range(queues) for d in days for m in slots],
                        columns=["queue", "interval_start"])
    got = fc[["queue", "interval_start"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(got.sort_values(["queue", "interval_start"]).reset_index(drop=True),
                                  grid.sort_values(["queue", "interval_start"]).reset_index(drop=True),
                                  check_dtype=False)
    assert np.isfinite(fc["calls_forecast"]).all() and (fc["calls_forecast"] >= 0).all()


# ------------------------------------------------------------------ roster checker

roster_check = pytest.importorskip("ccomkit.wfm.roster_check")  # lands with the roster issue

RULES = {
    "interval_min": 60,
    "shift_templates": [{"code": "D8", "length_min": 480, "start_earliest": "07:00",
                         "start_latest": "16:00", "start_step_min": 60}],
    "hard_rules": {"min_rest_h": 11, "max_consecutive_work_days": 5, "min_days_off_per_week": 2},
}
MONDAY = dt.date(2026, 3, 2)


def _valid_roster(plan: list[tuple[int, list[int]]]) -> pd.DataFrame:
    """plan: per agent, (first work weekday, start hours for each of the 10 work days)."""
    rows = []
    for a, (offset, hours) in enumerate(plan):
        k = 0
        for day in range(14):
            if (day - offset) % 7 < 5:  # five days on, two off, every week
                start = pd.Timestamp(MONDAY + dt.timedelta(days=day)) + pd.Timedelta(hours=hours[k])
                rows.append({"agent_id": f"a{a}", "activity": "work", "start": start,
                             "end": start + pd.Timedelta(hours=8)})
                k += 1
    return pd.DataFrame(rows)


plans = st.lists(st.tuples(st.integers(0, 6), st.lists(st.integers(7, 11), min_size=10,
                                                        max_size=10)), min_size=1, max_size=4)


@SETTINGS
@given(plan=plans, breaker=st.sampled_from(
    ["min_rest", "max_consecutive_work_days", "min_days_off_per_week", "template",
     "one_shift_per_day", "overlap"]), pick=st.integers(0, 10_000))
def test_roster_checker_never_passes_a_broken_roster(plan, breaker, pick):
    roster = _valid_roster(plan)
    ok = roster_check.check_roster(roster, None, RULES, period_start=MONDAY)
    assert ok.empty, ok  # the generated roster is valid
    agent = f"a{pick % len(plan)}"
    mine = roster[roster["agent_id"] == agent].sort_values("start")
    i = pick % len(mine)
    row = mine.iloc[i]
    bad = roster.copy()
    if breaker == "min_rest":
        # a late shift the day before a work day: 16:00-24:00 then a start at 07:00-11:00
        nxt = mine[mine["start"].dt.normalize() == row["start"].normalize() + pd.Timedelta(days=1)]
        assume(len(nxt) > 0)
        late = row["start"].normalize() + pd.Timedelta(hours=16)
        bad.loc[row.name, ["start", "end"]] = [late, late + pd.Timedelta(hours=8)]
        nstart = nxt.iloc[0]["start"]
        assume((nstart - (late + pd.Timedelta(hours=8))) < pd.Timedelta(hours=11))
    elif breaker in ("max_consecutive_work_days", "min_days_off_per_week"):
        # work on a day off right after a run of five
        worked = set(mine["start"].dt.date)
        free = [d for d in (MONDAY + dt.timedelta(days=k) for k in range(14)) if d not in worked
                and (d - dt.timedelta(days=1)) in worked]
        assume(free)
        start = pd.Timestamp(free[pick % len(free)]) + pd.Timedelta(hours=9)
        bad = pd.concat([bad, pd.DataFrame([{"agent_id": agent, "activity": "work", "start": start,
                                             "end": start + pd.Timedelta(hours=8)}])],
                        ignore_index=True)
        breaker = "max_consecutive_work_days|min_days_off_per_week"
    elif breaker == "template":
        bad.loc[row.name, "end"] = row["end"] + pd.Timedelta(minutes=30)  # 8.5 h: no template
    elif breaker == "one_shift_per_day":
        late = row["start"].normalize() + pd.Timedelta(hours=20)
        bad = pd.concat([bad, pd.DataFrame([{"agent_id": agent, "activity": "work", "start": late,
                                             "end": late + pd.Timedelta(hours=8)}])],
                        ignore_index=True)
        breaker = "one_shift_per_day|min_rest"
    elif breaker == "overlap":
        mid = row["start"] + pd.Timedelta(hours=2)
        bad = pd.concat([bad, pd.DataFrame([{"agent_id": agent, "activity": "break", "start": mid,
                                             "end": mid + pd.Timedelta(minutes=15)}])],
                        ignore_index=True)
    found = roster_check.check_roster(bad, None, RULES, period_start=MONDAY)
    assert not found.empty, f"{breaker} not flagged"
    assert found["rule"].str.fullmatch(breaker).any(), (breaker, found)
