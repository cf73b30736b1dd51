"""Tests of ccomkit.kpi: every KPI on a small hand-computed fixture.

The arithmetic behind each expected number is written next to it. Conventions checked here:
KPIs aggregate by summing numerators and denominators (never by averaging rates), a zero
denominator gives NaN (never inf), inputs are never mutated, missing columns raise SchemaError
naming the column and bad variants/parameters raise ParameterError in scikit-learn wording.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest

from ccomkit.errors import CcomkitWarning, ParameterError, SchemaError
from ccomkit.kpi import (
    FREQS,
    KPIS,
    adherence_grid,
    complaint_contacts,
    compute,
    dictionary,
    forecast_accuracy,
    format_value,
    headcount_monthly,
    schedule_grid,
)

TS = pd.Timestamp


def value(out: pd.DataFrame, kpi_id: str, variant: str | None = None, **keys: object) -> float:
    """The single value of one KPI (× variant × group) in a compute() result."""
    m = out["kpi_id"] == kpi_id
    if variant is not None:
        m &= out["variant"] == variant
    for k, v in keys.items():
        m &= out[k] == v
    sel = out.loc[m, "value"]
    assert len(sel) == 1, out.loc[m]
    return float(sel.iloc[0])


# --------------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------------


@pytest.fixture
def acd() -> pd.DataFrame:
    """Three 30-min intervals of one queue, T = 20 s, short abandon s = 5 s.

    Totals: Ans = 90 + 40 + 10 = 140; Ans≤T = 72 + 36 + 5 = 113; Abn = 10 + 10 + 0 = 20;
    ShortAbn = 4 + 2 + 0 = 6; Abn≤T = 6 + 5 + 0 = 11; offered column = 100 + 52 + 10 = 162
    (two flow-outs in the second interval), Ans + Abn = 160.
    """
    return pd.DataFrame({
        "interval_start": pd.to_datetime(["2026-03-02 09:00", "2026-03-02 09:30",
                                          "2026-03-02 10:00"]),
        "interval_min": [30, 30, 30],
        "queue_id": ["billing"] * 3,
        "offered": [100, 52, 10],
        "answered": [90, 40, 10],
        "answered_within_t": [72, 36, 5],
        "abandoned": [10, 10, 0],
        "abandoned_short": [4, 2, 0],
        "abandoned_within_t": [6, 5, 0],
        "sl_threshold_s": [20, 20, 20],
        "short_abandon_s": [5, 5, 5],
        "handled": [90, 40, 10],
        "sum_wait_answered_s": [1800.0, 1000.0, 50.0],
        "sum_wait_abandoned_s": [400.0, np.nan, 0.0],
        "sum_talk_s": [18000.0, 8000.0, 2500.0],
        "sum_hold_s": [900.0, 400.0, 0.0],
        "sum_acw_s": [2700.0, 1600.0, 500.0],
        "avg_agents_staffed": [15.0, 8.0, 3.0],
    })


@pytest.fixture
def agent_iv() -> pd.DataFrame:
    """Two agent-intervals. Handle = talk + hold + ACW: r1 1000 + 100 + 200 = 1300,
    r2 200 + 0 + 100 = 300 → 1600. Ready idle 300 + 600 = 900. Login 1800 + 900 = 2700."""
    return pd.DataFrame({
        "agent_id": ["A1", "A2"],
        "interval_start": pd.to_datetime(["2026-03-02 09:00", "2026-03-02 09:00"]),
        "interval_min": [30, 30],
        "queue_id": ["billing", "billing"],
        "login_s": [1800.0, 900.0],
        "ready_idle_s": [300.0, 600.0],
        "talk_s": [1000.0, 200.0],
        "hold_s": [100.0, 0.0],
        "acw_s": [200.0, 100.0],
        "aux_break_s": [200.0, 0.0],
        "handled": [4, 1],
    })


@pytest.fixture
def one_agent() -> tuple[pd.DataFrame, pd.DataFrame]:
    """One agent's schedule against their states, 30-minute grid.

    Day 1 schedule: work 09:00-10:00, break 10:00-10:15, work 10:15-11:00.
    Day 2 schedule: work 09:00-09:30, but the agent never logs in (absent).

    Actual (P = productive = ready idle + talk + hold + ACW):

    ===== ================================== ====== ====== ======= ========================
    iv    states                             sched  P      aux     in-adherence
    ===== ================================== ====== ====== ======= ========================
    09:00 idle 600, talk 1200                W1800  1800   0       min(1800,1800)=1800
    09:30 talk 900, acw 300, break 600       W1800  1200   B600    min(1800,1200)=1200 (+0)
    10:00 talk 900, break 900                W900   900    B900    900 + min(900,900)=1800
                                             B900
    10:30 (no row: logged out early)         W1800  0      0       0
    11:00 talk 1800 (unscheduled overtime)   –      1800   0       0
    ===== ================================== ====== ====== ======= ========================
    """
    ai = pd.DataFrame({
        "agent_id": ["A1"] * 4,
        "interval_start": pd.to_datetime(["2026-03-02 09:00", "2026-03-02 09:30",
                                          "2026-03-02 10:00", "2026-03-02 11:00"]),
        "interval_min": [30] * 4,
        "queue_id": ["billing"] * 4,
        "login_s": [1800.0] * 4,
        "ready_idle_s": [600.0, 0.0, 0.0, 0.0],
        "talk_s": [1200.0, 900.0, 900.0, 1800.0],
        "hold_s": [0.0] * 4,
        "acw_s": [0.0, 300.0, 0.0, 0.0],
        "aux_break_s": [0.0, 600.0, 900.0, 0.0],
        "handled": [5, 4, 3, 6],
    })
    sc = pd.DataFrame({
        "agent_id": ["A1"] * 4,
        "shift_date": pd.to_datetime(["2026-03-02"] * 3 + ["2026-03-03"]),
        "shift_code": ["D9"] * 4,
        "start_at": pd.to_datetime(["2026-03-02 09:00", "2026-03-02 10:00", "2026-03-02 10:15",
                                    "2026-03-03 09:00"]),
        "end_at": pd.to_datetime(["2026-03-02 10:00", "2026-03-02 10:15", "2026-03-02 11:00",
                                  "2026-03-03 09:30"]),
        "activity": ["work", "break", "work", "work"],
    })
    return ai, sc


@pytest.fixture
def csat() -> pd.DataFrame:
    """Six invitations; five responses (the fifth skipped the 1-5 question)."""
    return pd.DataFrame({
        "survey_id": [f"S{i}" for i in range(6)],
        "queue_id": ["billing"] * 6,
        "channel": ["sms"] * 6,
        "invited_at": pd.to_datetime(["2026-03-02 10:00"] * 6),
        "responded_at": pd.to_datetime(["2026-03-02 10:05"] * 5 + [None]),
        "q_overall": pd.array([5, 4, 3, 1, None, None], dtype="Int64"),
        "nps": pd.array([10, 9, 8, 3, None, None], dtype="Int64"),
        "fcr_yes": pd.array([True, True, False, False, None, None], dtype="boolean"),
    })


@pytest.fixture
def qa() -> pd.DataFrame:
    """Five evaluations: 90, 80, 75, 0 (fatal) and a 100-point calibration sample."""
    return pd.DataFrame({
        "eval_id": ["E1", "E2", "E3", "E4", "E5"],
        "agent_id": ["A1", "A1", "A2", "A2", "A1"],
        "evaluator_id": ["Q1"] * 5,
        "eval_date": pd.to_datetime(["2026-03-02"] * 5),
        "form_version": ["v1"] * 5,
        "total_score": [90.0, 80.0, 75.0, 0.0, 100.0],
        "fatal_flag": [False, False, False, True, False],
        "is_calibration": [False, False, False, False, True],
    })


@pytest.fixture
def agents() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Seven agents for January and February 2026.

    A hired 2025-01-01, stays            (team T1)
    B hired 2025-03-01, leaves 2026-01-20, voluntary, tenured (T1)
    C hired 2025-12-15, leaves 2026-01-31, involuntary, 47 days: new hire (T1)
    D hired 2026-01-10, stays            (T2)
    E hired 2025-06-01, stays            (T2)
    F hired 2026-02-01, leaves 2026-02-10, voluntary, 9 days: new hire (T2)
    G hired 2025-05-01, leaves 2025-12-31: gone before January (T2)
    """
    ad = pd.DataFrame({
        "agent_id": list("ABCDEFG"),
        "team_id": ["T1", "T1", "T1", "T2", "T2", "T2", "T2"],
        "hire_date": pd.to_datetime(["2025-01-01", "2025-03-01", "2025-12-15", "2026-01-10",
                                     "2025-06-01", "2026-02-01", "2025-05-01"]),
        "leave_date": pd.to_datetime([None, "2026-01-20", "2026-01-31", None, None,
                                      "2026-02-10", "2025-12-31"]),
    })
    hr = pd.DataFrame({
        "agent_id": ["B", "C", "F", "G", "D"],
        "event_type": ["leave", "leave", "leave", "leave", "hire"],
        "event_date": pd.to_datetime(["2026-01-20", "2026-01-31", "2026-02-10", "2025-12-31",
                                      "2026-01-10"]),
        "leave_type": ["voluntary", "involuntary", "voluntary", "voluntary", None],
    })
    return ad, hr


@pytest.fixture
def attendance() -> pd.DataFrame:
    """Scheduled & on time; scheduled & 10 min late; scheduled & left 30 min early;
    scheduled & absent (sick); not scheduled."""
    return pd.DataFrame({
        "agent_id": ["A1", "A1", "A1", "A1", "A1"],
        "work_date": pd.to_datetime(["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05",
                                     "2026-03-06"]),
        "scheduled_flag": [True, True, True, True, False],
        "present_flag": [True, True, True, False, False],
        "late_min": pd.array([0, 10, 0, None, None], dtype="Int64"),
        "early_leave_min": pd.array([0, 0, 30, None, None], dtype="Int64"),
        "absence_type": [None, None, None, "sick", None],
    })


@pytest.fixture
def forecast() -> pd.DataFrame:
    """Two days, two intervals each. Day 1: F 104/60 vs A 100/50; day 2: F 95/0 vs A 100/0."""
    return pd.DataFrame({
        "interval_start": pd.to_datetime(["2026-03-02 09:00", "2026-03-02 09:30",
                                          "2026-03-03 09:00", "2026-03-03 09:30"]),
        "forecast": [104.0, 60.0, 95.0, 0.0],
        "actual": [100.0, 50.0, 100.0, 0.0],
    })


# --------------------------------------------------------------------------------------------
# Accessibility
# --------------------------------------------------------------------------------------------


def test_service_level_variants_by_hand(acd: pd.DataFrame) -> None:
    out = compute(acd, "service_level", variants={"service_level": "all"})
    expected = {
        "default": 113 / (160 - 6),        # Ans≤T / (Ans + Abn − Short)  = 113/154 = 0.7338
        "v1": (113 + 11) / 160,            # (Ans≤T + Abn≤T) / (Ans + Abn) = 124/160 = 0.775
        "v2": 113 / 140,                   # Ans≤T / Ans                   = 0.8071
        "v3": 113 / 160,                   # Ans≤T / (Ans + Abn)           = 0.70625
        "v4": 113 / (140 + (20 - 11)),     # Ans≤T / (Ans + Abn>T)         = 113/149 = 0.7584
        "v5": (113 + 11 - 6) / (160 - 6),  # (Ans≤T + Abn≤T − S)/(Ans + Abn − S) = 118/154
        "ans_only": 113 / 140,             # Huawei: same as v2
    }
    assert set(out["variant"]) == set(expected)
    for v, x in expected.items():
        assert value(out, "service_level", v) == pytest.approx(x), v
    assert (out["unit"] == "frac").all()


def test_service_level_offered_column_basis(acd: pd.DataFrame) -> None:
    # offered column 162 (two flow-outs) − 6 short abandons = 156
    out = compute(acd, "service_level", params={"offered_basis": "offered_column"})
    assert value(out, "service_level") == pytest.approx(113 / 156)


def test_answer_and_abandon_rates_by_hand(acd: pd.DataFrame) -> None:
    out = compute(acd, ["answer_rate", "abandon_rate"],
                  variants={"answer_rate": "all", "abandon_rate": "all"})
    assert value(out, "answer_rate", "default") == pytest.approx(140 / 154)  # Ans/(160 − 6)
    assert value(out, "answer_rate", "incl_short") == pytest.approx(140 / 160)
    assert value(out, "abandon_rate", "default") == pytest.approx((20 - 6) / 154)  # 14/154
    assert value(out, "abandon_rate", "incl_short") == pytest.approx(20 / 160)
    # with the default basis the two are complements
    assert value(out, "answer_rate", "default") + value(out, "abandon_rate", "default") == \
        pytest.approx(1.0)


def test_asa_abandon_wait_aht_by_hand(acd: pd.DataFrame) -> None:
    out = compute(acd, ["asa_s", "avg_abandon_wait_s", "aht_s"], variants={"aht_s": "all"})
    assert value(out, "asa_s") == pytest.approx((1800 + 1000 + 50) / 140)  # 20.36 s
    # interval 2 did not report abandon wait: it counts in neither sum → (400 + 0)/(10 + 0)
    assert value(out, "avg_abandon_wait_s") == pytest.approx(40.0)
    # talk 28500 + hold 1300 + ACW 4800 = 34600 over 140 handled = 247.14 s
    assert value(out, "aht_s", "default") == pytest.approx(34600 / 140)
    assert value(out, "aht_s", "talk_acw") == pytest.approx((28500 + 4800) / 140)
    assert (out.loc[out.kpi_id == "aht_s", "unit"] == "s").all()


def test_aggregation_sums_numerators_not_mean_of_rates(acd: pd.DataFrame) -> None:
    per_iv = compute(acd, "service_level", freq="interval")
    # interval SLs: 72/96 = 0.75, 36/48 = 0.75, 5/10 = 0.5 → their mean is 0.6667
    assert per_iv["value"].tolist() == pytest.approx([0.75, 0.75, 0.5])
    day = compute(acd, "service_level", freq="D")
    assert len(day) == 1
    assert day["numerator"].iloc[0] == per_iv["numerator"].sum() == 113
    assert day["denominator"].iloc[0] == per_iv["denominator"].sum() == 154
    assert day["value"].iloc[0] == pytest.approx(113 / 154)  # 0.7338
    assert day["value"].iloc[0] != pytest.approx(per_iv["value"].mean())


def test_threshold_must_match_the_data(acd: pd.DataFrame) -> None:
    assert value(compute(acd, "service_level", params={"threshold_s": 20}),
                 "service_level") == pytest.approx(113 / 154)
    with pytest.raises(ParameterError, match=r"The 'threshold_s' parameter of service_level "
                       r"must equal the threshold the data were counted at.*20.*Got 30 instead"):
        compute(acd, "service_level", params={"threshold_s": 30})
    with pytest.raises(ParameterError, match="short_abandon_s"):
        compute(acd, "abandon_rate", params={"short_abandon_s": 10})


def test_mixed_thresholds_are_not_summed_together(acd: pd.DataFrame) -> None:
    other = acd.assign(queue_id="sales", sl_threshold_s=30)
    both = pd.concat([acd, other], ignore_index=True)
    with pytest.raises(ParameterError, match=r"sl_threshold_s takes the values 20, 30"):
        compute(both, "service_level")
    out = compute(both, "service_level", by="queue_id")  # separated: fine
    assert value(out, "service_level", queue_id="sales") == pytest.approx(113 / 154)
    # v2/v3 don't read short abandons but still must not mix T
    with pytest.raises(ParameterError):
        compute(both, "service_level", variants={"service_level": "v3"})


def test_missing_abandoned_within_t_values(acd: pd.DataFrame) -> None:
    bad = acd.assign(abandoned_within_t=pd.array([6, None, 0], dtype="Int64"))
    with pytest.raises(SchemaError, match=r"abandoned_within_t is empty in 1 row.*v1") as e:
        compute(bad, "service_level", variants={"service_level": "v1"})
    assert e.value.column == "abandoned_within_t"
    # the default formula doesn't need it
    assert value(compute(bad, "service_level"), "service_level") == pytest.approx(113 / 154)


def test_contract_defaults_fill_absent_columns(acd: pd.DataFrame) -> None:
    # no abandoned_short / short_abandon_s / sl_threshold_s columns: defaults 0, 5, 20
    slim = acd.drop(columns=["abandoned_short", "short_abandon_s", "sl_threshold_s"])
    out = compute(slim, "service_level")
    assert value(out, "service_level") == pytest.approx(113 / 160)


# --------------------------------------------------------------------------------------------
# Efficiency
# --------------------------------------------------------------------------------------------


def test_occupancy_utilisation_aht_from_agent_interval(agent_iv: pd.DataFrame) -> None:
    out = compute(agent_iv, ["occupancy", "utilisation", "aht_s", "shrinkage"],
                  variants={"occupancy": ["default", "acd_time"], "shrinkage": "aux_login"})
    assert value(out, "occupancy", "default") == pytest.approx(1600 / 2500)  # COPC 0.64
    assert value(out, "occupancy", "acd_time") == pytest.approx(1600 / 2700)  # Avaya % ACD
    assert value(out, "utilisation", "login") == pytest.approx(1600 / 2700)
    assert value(out, "aht_s") == pytest.approx(1600 / 5)  # 4 + 1 handled → 320 s
    assert value(out, "shrinkage", "aux_login") == pytest.approx(200 / 2700)


def test_occupancy_erlang_from_acd(acd: pd.DataFrame) -> None:
    out = compute(acd, "occupancy", variants={"occupancy": "erlang"}, freq="interval")
    # interval 1: handle 18000 + 900 + 2700 = 21600 s over 15 agents × 1800 s = 0.8
    assert out["value"].iloc[0] == pytest.approx(21600 / 27000)
    assert out["denominator"].sum() == pytest.approx((15 + 8 + 3) * 1800)


def test_adherence_conformance_shrinkage_on_one_agent(one_agent) -> None:
    ai, sc = one_agent
    g = adherence_grid(ai, sc)
    # grid: 09:00, 09:30, 10:00, 10:30, 11:00 on day 1 and 09:00 on day 2
    assert len(g) == 6
    day1 = g[g.interval_start < TS("2026-03-03")]
    assert day1["sched_work_s"].tolist() == [1800, 1800, 900, 1800, 0]
    assert day1["sched_break_s"].tolist() == [0, 0, 900, 0, 0]
    assert day1["in_adherence_s"].tolist() == [1800, 1200, 1800, 0, 0]
    assert g["present_day"].tolist() == [True] * 5 + [False]

    out = compute(g, ["adherence", "conformance", "shrinkage", "utilisation"],
                  variants={"adherence": "all", "shrinkage": "all", "utilisation": "paid"})
    # day 2 is left out (absent all day): (1800 + 1200 + 1800 + 0) / (1800 × 4) = 4800/7200
    assert value(out, "adherence", "default") == pytest.approx(4800 / 7200)
    # work only: (1800 + 1200 + 900 + 0) / (1800 + 1800 + 900 + 1800) = 3900/6300
    assert value(out, "adherence", "work_only") == pytest.approx(3900 / 6300)
    # conformance (all days): productive (1800 + 1200 + 900 + 0 + 1800) / work (6300 + 1800)
    assert value(out, "conformance") == pytest.approx(5700 / 8100)
    # paid = work 8100 + break 900 = 9000; in-adherence work 3900
    assert value(out, "shrinkage", "default") == pytest.approx((9000 - 3900) / 9000)
    assert value(out, "shrinkage", "internal") == pytest.approx(900 / 9000)
    assert value(out, "shrinkage", "external") == pytest.approx((8100 - 3900) / 9000)
    # handle: 1200 + 1200 + 900 + 1800 = 5100 over paid 9000
    assert value(out, "utilisation", "paid") == pytest.approx(5100 / 9000)

    counted = compute(g, "adherence", params={"present_only": False})
    assert value(counted, "adherence") == pytest.approx(4800 / 9000)  # absent day counts

    daily = compute(g, "adherence", by="agent_id", freq="D")
    assert daily["value"].iloc[0] == pytest.approx(4800 / 7200)
    assert np.isnan(daily["value"].iloc[1])  # the absent day has no denominator: NaN


def test_schedule_grid_cuts_overnight_segments() -> None:
    s = pd.DataFrame({"agent_id": ["N1"], "start_at": [TS("2026-03-02 23:15")],
                      "end_at": [TS("2026-03-03 00:45")], "activity": ["work"],
                      "schedule_version": ["published"]})
    g = schedule_grid(s, 30)
    assert g["interval_start"].tolist() == [TS("2026-03-02 23:00"), TS("2026-03-02 23:30"),
                                            TS("2026-03-03 00:00"), TS("2026-03-03 00:30")]
    assert g["sched_work_s"].tolist() == [900, 1800, 1800, 900]  # 90 min in all
    with pytest.raises(ParameterError, match="schedule_version"):
        schedule_grid(s, 30, version="draft")
    # meal is unpaid by default
    m = s.assign(activity="meal")
    assert schedule_grid(m, 30)["sched_paid_s"].sum() == 0


def test_adherence_grid_rejects_off_grid_intervals(one_agent) -> None:
    ai, sc = one_agent
    bad = ai.assign(interval_start=ai.interval_start + pd.Timedelta(minutes=7))
    with pytest.raises(SchemaError, match="grid"):
        adherence_grid(bad, sc)


# --------------------------------------------------------------------------------------------
# Forecast accuracy
# --------------------------------------------------------------------------------------------


def test_forecast_accuracy_by_hand(forecast: pd.DataFrame) -> None:
    out = forecast_accuracy(forecast, freq="D")
    d1, d2 = TS("2026-03-02"), TS("2026-03-03")
    # day 1: |104−100|/100 = 4 % hit, |60−50|/50 = 20 % miss → 1/2
    assert value(out, "forecast_hit_rate", period=d1) == pytest.approx(0.5)
    # day 2: 5 % hit (boundary counts); A = 0 interval left out → 1/1
    assert value(out, "forecast_hit_rate", period=d2) == pytest.approx(1.0)
    assert value(out, "forecast_wape", period=d1) == pytest.approx((4 + 10) / 150)
    assert value(out, "forecast_mape", period=d1) == pytest.approx((0.04 + 0.2) / 2)
    assert value(out, "forecast_bias", period=d1) == pytest.approx((4 + 10) / 150)
    # day accuracy: 1 − |164 − 150| / 150
    assert value(out, "forecast_accuracy", period=d1) == pytest.approx(1 - 14 / 150)
    assert value(out, "forecast_accuracy", period=d2) == pytest.approx(1 - 5 / 100)
    total = forecast_accuracy(forecast, freq=None)
    # both days: hits 1 + 1 of 3 valid intervals; accuracy 1 − |259 − 250| / 250
    assert value(total, "forecast_hit_rate") == pytest.approx(2 / 3)
    assert value(total, "forecast_accuracy") == pytest.approx(1 - 9 / 250)
    tight = forecast_accuracy(forecast, freq=None, tol_frac=0.03)
    assert value(tight, "forecast_hit_rate") == pytest.approx(0.0)  # 4 % and 5 % now miss


def test_forecast_custom_columns(forecast: pd.DataFrame) -> None:
    f = forecast.rename(columns={"forecast": "fc_volume", "actual": "calls_offered"})
    out = forecast_accuracy(f, freq=None, forecast_col="fc_volume", actual_col="calls_offered")
    assert value(out, "forecast_wape") == pytest.approx((4 + 10 + 5 + 0) / 250)


# --------------------------------------------------------------------------------------------
# Quality, customer, people
# --------------------------------------------------------------------------------------------


def test_survey_kpis_by_hand(csat: pd.DataFrame) -> None:
    out = compute(csat, ["fcr", "csat", "dsat", "csat_mean", "response_rate", "nps"])
    assert value(out, "fcr") == pytest.approx(2 / 4)          # yes, yes, no, no of 4 answers
    assert value(out, "csat") == pytest.approx(2 / 4)         # 5 and 4 of 4 valid scores
    assert value(out, "dsat") == pytest.approx(1 / 4)         # 1 of 4
    assert value(out, "csat_mean") == pytest.approx((5 + 4 + 3 + 1) / 4)  # 3.25
    assert value(out, "response_rate") == pytest.approx(5 / 6)  # 5 responded of 6 invited
    # NPS: promoters 10, 9 (2); detractors 3 (1); 8 passive → (2 − 1)/4 = 0.25 (25 points)
    assert value(out, "nps") == pytest.approx(0.25)
    row = out[out.kpi_id == "nps"].iloc[0]
    assert (row.numerator, row.denominator) == (1.0, 4.0)


def test_qa_kpis_by_hand(qa: pd.DataFrame) -> None:
    out = compute(qa, ["qa_score", "qa_pass_rate", "fatal_rate"])
    assert value(out, "qa_score") == pytest.approx((90 + 80 + 75 + 0) / 4)  # 61.25, no calib.
    assert value(out, "qa_pass_rate") == pytest.approx(2 / 4)  # 90, 80 ≥ 80
    assert value(out, "fatal_rate") == pytest.approx(1 / 4)
    cal = compute(qa, ["qa_score", "qa_pass_rate"], params={"include_calibration": True})
    assert value(cal, "qa_score") == pytest.approx(345 / 5)  # 69
    assert value(cal, "qa_pass_rate") == pytest.approx(3 / 5)
    lower = compute(qa, "qa_pass_rate", params={"qa_pass_rate": {"pass_mark": 75}})
    assert value(lower, "qa_pass_rate") == pytest.approx(3 / 4)
    by_agent = compute(qa, "qa_score", by="agent_id")
    assert value(by_agent, "qa_score", agent_id="A1") == pytest.approx(85.0)  # (90 + 80)/2
    assert value(by_agent, "qa_score", agent_id="A2") == pytest.approx(37.5)  # (75 + 0)/2


def test_complaint_rate_per_10k_by_hand() -> None:
    cp = pd.DataFrame({
        "case_id": ["C1", "C2", "C3", "C4"],
        "received_at": pd.to_datetime(["2026-03-02 09:07", "2026-03-02 09:40",
                                       "2026-03-02 09:41", "2026-03-02 09:10"]),
        "queue_id": ["billing", "billing", "billing", "sales"],
        "valid_flag": [True, True, False, True],
    })
    contacts = pd.DataFrame({
        "interval_start": pd.to_datetime(["2026-03-02 09:00", "2026-03-02 09:30",
                                          "2026-03-02 09:00"]),
        "interval_min": [30, 30, 30],
        "queue_id": ["billing", "billing", "sales"],
        "handled": [6000, 4000, 5000],
    })
    cc = complaint_contacts(cp, contacts, by="queue_id")
    out = compute(cc, "complaint_rate_per10k", by="queue_id",
                  variants={"complaint_rate_per10k": "all"})
    # billing: 2 valid / 10,000 handled × 10,000 = 2.0; all 3 → 3.0; sales 1/5,000 → 2.0
    assert value(out, "complaint_rate_per10k", "default", queue_id="billing") == pytest.approx(2.0)
    assert value(out, "complaint_rate_per10k", "incl_invalid", queue_id="billing") == \
        pytest.approx(3.0)
    assert value(out, "complaint_rate_per10k", "default", queue_id="sales") == pytest.approx(2.0)
    # complaints are floored to the contacts' grid, so interval-level rates line up
    iv = compute(cc, "complaint_rate_per10k", by="queue_id", freq="interval")
    b = iv[iv.queue_id == "billing"]
    assert b["numerator"].tolist() == [1.0, 1.0]     # 09:07 → 09:00, 09:40 → 09:30
    assert b["value"].tolist() == pytest.approx([10_000 / 6000, 10_000 / 4000])
    assert (out["unit"] == "per10k").all()


def test_headcount_and_attrition_variants_by_hand(agents) -> None:
    ad, hr = agents
    hc = headcount_monthly(ad, hr_event=hr, start="2026-01-01", end="2026-02-28")
    jan, feb = hc.iloc[0], hc.iloc[1]
    # January: start A B C E (G left 12-31) = 4; hire D; leavers B, C; end A D E = 3
    assert (jan.hc_start, jan.hires, jan.leavers, jan.hc_end, jan.employed_in_month) == \
        (4, 1, 2, 3, 5)
    assert (jan.leavers_voluntary, jan.leavers_involuntary, jan.leavers_type_unknown) == (1, 1, 0)
    assert (jan.leavers_new_hire, jan.leavers_tenured) == (1, 1)  # C 47 days; B tenured
    assert (jan.hc_new_hire_start, jan.hc_new_hire_end) == (1, 1)  # C (17 d) at start; D at end
    # February: start A D E = 3; F hired and left; end 3
    assert (feb.hc_start, feb.hires, feb.leavers, feb.hc_end, feb.employed_in_month) == \
        (3, 1, 1, 3, 4)

    out = compute(hc, "attrition", freq="M", variants={"attrition": "all"})
    j = TS("2026-01-01")
    assert value(out, "attrition", "default", period=j) == pytest.approx(2 / 3.5)  # avg (4+3)/2
    assert value(out, "attrition", "a", period=j) == pytest.approx(2 / (2 + 3))  # + HC_end
    assert value(out, "attrition", "b", period=j) == pytest.approx(2 / 4)        # HC_start
    assert value(out, "attrition", "c", period=j) == pytest.approx(2 / 5)        # employed
    assert value(out, "attrition", "voluntary", period=j) == pytest.approx(1 / 3.5)
    assert value(out, "attrition", "involuntary", period=j) == pytest.approx(1 / 3.5)
    assert value(out, "attrition", "new_hire", period=j) == pytest.approx(1 / 1)  # avg NH HC 1
    assert value(out, "attrition", "tenured", period=j) == pytest.approx(1 / 2.5)  # 3.5 − 1
    assert value(out, "attrition", "default", period=TS("2026-02-01")) == pytest.approx(1 / 3)

    # Over both months: Σleavers / Σ avg HC = 3 / 6.5, not the mean of 2/3.5 and 1/3
    q = compute(hc, "attrition", freq="Q", variants={"attrition": "all"})
    m = 3 / 6.5
    assert value(q, "attrition", "default") == pytest.approx(m)
    assert value(q, "attrition", "default") != pytest.approx((2 / 3.5 + 1 / 3) / 2)
    assert value(q, "attrition", "annualised") == pytest.approx(12 * m)   # simple projection
    assert value(q, "attrition", "annualised_compound") == pytest.approx(1 - (1 - m) ** 12)


def test_attrition_by_team_and_without_hr_event(agents) -> None:
    ad, _hr = agents
    hc = headcount_monthly(ad, by="team_id", start="2026-01", end="2026-01")
    out = compute(hc, "attrition", by="team_id")
    # T1: start A B C = 3, end A = 1, 2 leavers → 2/2; T2: start E = 1, end D E = 2 → 0/1.5
    assert value(out, "attrition", team_id="T1") == pytest.approx(1.0)
    assert value(out, "attrition", team_id="T2") == pytest.approx(0.0)
    with pytest.warns(CcomkitWarning, match="leave_type"):
        compute(hc, "attrition", variants={"attrition": "voluntary"})


def test_headcount_balances(agents) -> None:
    ad, _ = agents
    hc = headcount_monthly(ad)  # default window: first hire (2025-01) … last date (2026-02)
    assert hc["month"].iloc[0] == TS("2025-01-01") and hc["month"].iloc[-1] == TS("2026-02-01")
    assert (hc.hc_end == hc.hc_start + hc.hires - hc.leavers).all()
    assert (hc.hc_start.iloc[1:].to_numpy() == hc.hc_end.iloc[:-1].to_numpy()).all()
    assert hc.hires.sum() == 7 and hc.leavers.sum() == 4


def test_attendance_and_punctuality_by_hand(attendance: pd.DataFrame) -> None:
    out = compute(attendance, ["attendance", "punctuality"],
                  variants={"punctuality": "all"})
    assert value(out, "attendance") == pytest.approx(3 / 4)  # 3 of 4 scheduled days attended
    assert value(out, "punctuality", "default") == pytest.approx(2 / 3)  # one late of 3
    assert value(out, "punctuality", "late_or_early") == pytest.approx(1 / 3)


# --------------------------------------------------------------------------------------------
# Grain, periods, NaN
# --------------------------------------------------------------------------------------------


def test_denominator_zero_gives_nan_never_inf(acd: pd.DataFrame) -> None:
    quiet = acd.assign(queue_id="night", answered=0, answered_within_t=0, abandoned=0,
                       abandoned_short=0, abandoned_within_t=0, offered=0, handled=0,
                       sum_wait_answered_s=0.0, sum_talk_s=0.0, sum_hold_s=0.0, sum_acw_s=0.0)
    both = pd.concat([acd, quiet], ignore_index=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no divide-by-zero RuntimeWarning either
        out = compute(both, ["service_level", "asa_s", "aht_s", "answer_rate"], by="queue_id")
    night = out[out.queue_id == "night"]
    assert night["value"].isna().all()
    assert not np.isinf(out["value"]).any()
    empty = compute(acd.iloc[:0], "service_level")
    assert len(empty) == 1 and np.isnan(empty["value"].iloc[0])


def test_weeks_start_monday_and_period_labels(acd: pd.DataFrame) -> None:
    days = pd.to_datetime(["2026-03-01 10:00",   # Sunday → week of Mon 2026-02-23
                           "2026-03-02 10:00",   # Monday → week of 2026-03-02
                           "2026-12-31 23:30"])  # Thursday → week of 2026-12-28
    f = acd.assign(interval_start=days)
    w = compute(f, "answer_rate", freq="W")
    assert w["period"].tolist() == [TS("2026-02-23"), TS("2026-03-02"), TS("2026-12-28")]
    assert compute(f, "answer_rate", freq="M")["period"].tolist() == \
        [TS("2026-03-01"), TS("2026-12-01")]
    assert compute(f, "answer_rate", freq="Q")["period"].tolist() == \
        [TS("2026-01-01"), TS("2026-10-01")]
    assert compute(f, "answer_rate", freq="Y")["period"].tolist() == [TS("2026-01-01")]
    assert len(compute(f, "answer_rate", freq="interval")) == 3


def test_output_layout(acd: pd.DataFrame) -> None:
    out = compute(acd, ["service_level", "aht_s"], by=["queue_id", "interval_min"], freq="D")
    assert list(out.columns) == ["queue_id", "interval_min", "period", "kpi_id", "variant",
                                 "numerator", "denominator", "value", "unit"]
    assert out["interval_min"].dtype == acd["interval_min"].dtype
    nofreq = compute(acd, "service_level")
    assert list(nofreq.columns) == ["kpi_id", "variant", "numerator", "denominator", "value",
                                    "unit"]


def test_group_with_missing_key_is_kept(acd: pd.DataFrame) -> None:
    f = acd.assign(queue_id=["billing", None, "billing"])
    out = compute(f, "asa_s", by="queue_id")
    assert len(out) == 2
    assert out["denominator"].sum() == 140


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kpi_id", sorted(KPIS))
def test_missing_column_raises_schema_error_naming_it(kpi_id: str) -> None:
    frame = pd.DataFrame({"unrelated": [1, 2]})
    with pytest.raises(SchemaError) as e:
        compute(frame, kpi_id)
    assert e.value.column
    assert e.value.column in str(e.value)
    assert kpi_id in str(e.value)


def test_missing_named_columns(acd: pd.DataFrame) -> None:
    with pytest.raises(SchemaError, match="answered_within_t") as e:
        compute(acd.drop(columns="answered_within_t"), "service_level")
    assert e.value.column == "answered_within_t" and e.value.table == "acd_interval"
    with pytest.raises(SchemaError, match="team_id"):
        compute(acd, "service_level", by="team_id")
    with pytest.raises(SchemaError, match="interval_start"):
        compute(acd.drop(columns="interval_start"), "service_level", freq="D")


def test_empty_required_value_raises(acd: pd.DataFrame) -> None:
    bad = acd.assign(answered=pd.array([90, None, 10], dtype="Int64"))
    with pytest.raises(SchemaError, match=r"acd_interval.answered is empty in 1 row, first at "
                                          r"rows \[1\]"):
        compute(bad, "asa_s")


def test_unknown_variant_kpi_param_freq(acd: pd.DataFrame) -> None:
    with pytest.raises(ParameterError, match=r"^The 'variant' parameter of service_level must be "
                                             r"one of 'default', 'v1'.* Got 'v9' instead\.$"):
        compute(acd, "service_level", variants={"service_level": "v9"})
    with pytest.raises(ParameterError, match=r"The 'kpis' parameter of compute .* Got 'sl' inst"):
        compute(acd, "sl")
    with pytest.raises(ParameterError, match=r"The 'params' parameter of compute .* Got 'pass_"):
        compute(acd, "service_level", params={"pass_mark": 80})
    with pytest.raises(ParameterError, match=r"The 'threshold_s' parameter of service_level must "
                                             r"be None or an int in \[1, 600\]\. Got -3 instead"):
        compute(acd, "service_level", params={"threshold_s": -3})
    with pytest.raises(ParameterError, match=r"The 'freq' parameter of compute"):
        compute(acd, "service_level", freq="H")
    with pytest.raises(ParameterError, match="variants"):
        compute(acd, "service_level", variants={"aht_s": "default"})
    with pytest.raises(ParameterError, match="tol_frac"):
        compute(pd.DataFrame({"forecast": [1.0], "actual": [1.0]}), "forecast_hit_rate",
                params={"tol_frac": 0})
    with pytest.raises(ParameterError):
        format_value("nope", 1.0)


def test_inputs_are_not_mutated(acd, agent_iv, one_agent, csat, qa, agents, attendance,
                                forecast) -> None:
    ai, sc = one_agent
    ad, hr = agents
    frames = [acd, agent_iv, ai, sc, csat, qa, ad, hr, attendance, forecast]
    before = [f.copy(deep=True) for f in frames]
    compute(acd, ["service_level", "aht_s", "asa_s"], by="queue_id", freq="D",
            variants={"service_level": "all"})
    compute(agent_iv, ["occupancy", "utilisation"], by="agent_id", freq="interval")
    compute(adherence_grid(ai, sc), ["adherence", "shrinkage"], by="agent_id", freq="D")
    schedule_grid(sc, 15)
    compute(csat, ["csat", "nps", "response_rate"], by="queue_id", freq="W")
    compute(qa, ["qa_score", "fatal_rate"], by="agent_id", freq="M")
    compute(headcount_monthly(ad, by="team_id", hr_event=hr), "attrition", by="team_id",
            freq="Q")
    compute(attendance, ["attendance", "punctuality"], by="agent_id", freq="W")
    forecast_accuracy(forecast)
    complaint_contacts(pd.DataFrame({"received_at": [TS("2026-03-02 09:07")],
                                     "valid_flag": [True]}), acd)
    for b, f in zip(before, frames, strict=True):
        pd.testing.assert_frame_equal(b, f)


# --------------------------------------------------------------------------------------------
# The dictionary and formatting
# --------------------------------------------------------------------------------------------

_CJK = re.compile(r"[\u4e00-\u9fff]")


def test_dictionary_is_complete() -> None:
    d = dictionary()
    assert set(d.kpi_id) == set(KPIS)
    assert len(d) == sum(len(k.variants) for k in KPIS.values())
    for row in d.itertuples():
        assert _CJK.search(row.name_zh), row.kpi_id
        assert row.name_en and not _CJK.search(row.name_en)
        assert row.unit in ("frac", "s", "count", "per10k", "points", "nps", "score_1_5")
        assert row.better in ("higher", "lower")
        assert row.formula and row.source.startswith("DOMAIN")
    assert (d.groupby("kpi_id").is_default.sum() == 1).all()
    sl = d[d.kpi_id == "service_level"].set_index("variant").formula
    assert sl["default"].startswith("Ans≤T / (Offered − ShortAbn)")
    assert "Huawei" in sl["ans_only"]
    # the KPIs the issue lists are all there
    for kid in ("service_level", "answer_rate", "abandon_rate", "asa_s", "aht_s", "occupancy",
                "utilisation", "shrinkage", "adherence", "conformance", "forecast_hit_rate",
                "forecast_wape", "forecast_mape", "forecast_bias", "forecast_accuracy", "fcr",
                "csat", "dsat", "nps", "qa_score", "complaint_rate_per10k", "attrition",
                "attendance"):
        assert kid in KPIS
    assert {"a", "b", "c", "annualised", "annualised_compound"} <= set(KPIS["attrition"].variants)


def test_format_value() -> None:
    assert format_value("service_level", 0.8) == "80.0%"
    assert format_value("service_level", 0.8, lang="en", digits=0) == "80%"
    assert format_value("aht_s", 245.4, lang="en") == "245 s"
    assert format_value("aht_s", 245.4) == "245秒"
    assert format_value("nps", -0.125) == "-12"
    assert format_value("qa_score", 61.25) == "61.2分"
    assert format_value("qa_score", 61.26, lang="en") == "61.3 pts"
    assert format_value("csat_mean", 3.25) == "3.25"
    assert format_value("complaint_rate_per10k", 2.0) == "万分之2.0"
    assert format_value("service_level", None) == "–"
    assert format_value("service_level", np.nan) == "–"


def test_freqs_constant() -> None:
    assert FREQS == ("interval", "D", "W", "M", "Q", "Y")


def test_own_thresholds_sums_each_queue_against_its_own_target():
    # billing counted at T=20 s: 8 of 10 answered within T; vip at T=10 s: 3 of 5.
    # Without the opt-in a center total mixing thresholds is refused; with it the figure is
    # (8 + 3) / (10 + 5) = 0.7333…, each queue judged by its own T.
    import pandas as pd
    import pytest

    from ccomkit.errors import ParameterError
    from ccomkit.kpi import compute

    df = pd.DataFrame({
        "interval_start": pd.to_datetime(["2026-03-02 09:00", "2026-03-02 09:00"]),
        "interval_min": [30, 30], "queue_id": ["billing", "vip"],
        "offered": [10, 5], "answered": [10, 5], "answered_within_t": [8, 3], "abandoned": [0, 0],
        "abandoned_short": [0, 0], "sl_threshold_s": [20, 10], "short_abandon_s": [5, 5],
    })
    with pytest.raises(ParameterError, match="different thresholds"):
        compute(df, "service_level")
    out = compute(df, "service_level", params={"service_level": {"own_thresholds": True}})
    assert out["value"].iloc[0] == pytest.approx(11 / 15)
    by_queue = compute(df, "service_level", by="queue_id")
    assert by_queue["value"].tolist() == pytest.approx([0.8, 0.6])
