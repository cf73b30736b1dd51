"""Intraday management: roster -> schedule, adherence, conformance, plan vs actual, rest-of-day
reforecast and the scheduler KPIs on hand-checked fixtures, plus one run on the demo center."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from ccomkit.errors import ParameterError, SchemaError
from ccomkit.schemas import check_frame
from ccomkit.wfm.intraday import (
    INTRADAY_ACTIONS,
    SCHEDULER_KPIS,
    adherence,
    conformance,
    plan_vs_actual,
    reforecast_rest_of_day,
    roster_to_schedule,
    scheduled_staff,
    scheduler_kpis,
)

T = pd.Timestamp


# --------------------------------------------------------------------------------------------
# roster -> schedule
# --------------------------------------------------------------------------------------------
def test_roster_to_schedule_shifts_lunch_and_overnight():
    roster = pd.DataFrame({
        "agent_id": ["A1", "A1", "A1", "A1", "A2", "A2"],
        "start": ["2026-03-02 09:00", "2026-03-02 12:00", "2026-03-02 13:00", "2026-03-03 09:00",
                  "2026-03-02 22:00", "2026-03-03 02:00"],
        "end": ["2026-03-02 12:00", "2026-03-02 13:00", "2026-03-02 18:00", "2026-03-03 17:00",
                "2026-03-03 02:00", "2026-03-03 06:00"],
        "activity": ["work", "lunch", "work", "work", "work", "work"],
        "queue": ["GEN", None, "GEN", "BIL", "VIP", "VIP"],
    })
    s = roster_to_schedule(roster)
    # A1 has two shifts (a 15 h gap), A2 one overnight shift dated the day it began
    assert s["shift_code"].tolist() == ["0900-1800"] * 3 + ["0900-1700"] + ["2200-0600"] * 2
    assert s["shift_date"].dt.strftime("%Y-%m-%d").tolist() == ["2026-03-02"] * 3 + ["2026-03-03"] + \
        ["2026-03-02"] * 2
    assert s["activity"].tolist() == ["work", "meal", "work", "work", "work", "work"]
    assert s["queue_id"].tolist() == ["GEN", None, "GEN", "BIL", "VIP", "VIP"]
    check_frame(s, "schedule")  # the output satisfies the schedule contract
    # a roster that carries its own shift codes keeps them
    coded = roster_to_schedule(roster.assign(shift_code=["E9", "E9", "E9", "D9", "N22", None]))
    assert coded["shift_code"].tolist() == ["E9", "E9", "E9", "D9", "N22", "N22"]


def test_roster_to_schedule_errors():
    good = pd.DataFrame({"agent_id": ["A"], "start": ["2026-03-02 09:00"], "end": ["2026-03-02 17:00"],
                         "activity": ["work"]})
    with pytest.raises(SchemaError, match="roster is missing column end"):
        roster_to_schedule(good.drop(columns="end"))
    with pytest.raises(SchemaError, match="activity must be one of work, break, lunch"):
        roster_to_schedule(good.assign(activity="training"))
    with pytest.raises(SchemaError, match="agent_id is empty"):
        roster_to_schedule(good.assign(agent_id=None))
    with pytest.raises(ParameterError, match="max_gap_min"):
        roster_to_schedule(good, max_gap_min=-5)


# --------------------------------------------------------------------------------------------
# adherence and conformance
# --------------------------------------------------------------------------------------------
@pytest.fixture()
def floor():
    """A1: scheduled 09:00-10:00 work, 10:00-10:15 break, 10:15-11:00 work.
    Actual per half-hour (seconds):
      09:00 productive 1800                      -> in 1800 of 1800 work
      09:30 productive 1500, other aux 300       -> in 1500 of 1800 work
      10:00 productive 1500, break 300           -> work sched 900: min(900,1500) = 900;
                                                    break sched 900: min(900,300) = 300 -> 1200 of 1800
      10:30 productive 1800 -> in 1800 of 1800
    A2: scheduled 09:00-10:00 work but never logged in that day (absent)."""
    ai = pd.DataFrame({
        "agent_id": "A1", "interval_min": 30,
        "interval_start": pd.to_datetime(["2026-03-02 09:00", "2026-03-02 09:30", "2026-03-02 10:00",
                                          "2026-03-02 10:30"]),
        "login_s": [1800.0] * 4, "ready_idle_s": [600.0, 500.0, 500.0, 800.0],
        "talk_s": [1200.0, 1000.0, 1000.0, 1000.0], "aux_break_s": [0.0, 0.0, 300.0, 0.0],
        "aux_other_s": [0.0, 300.0, 0.0, 0.0], "handled": [5, 4, 4, 4],
    })
    sc = pd.DataFrame({
        "agent_id": ["A1", "A1", "A1", "A2"],
        "start_at": pd.to_datetime(["2026-03-02 09:00", "2026-03-02 10:00", "2026-03-02 10:15",
                                    "2026-03-02 09:00"]),
        "end_at": pd.to_datetime(["2026-03-02 10:00", "2026-03-02 10:15", "2026-03-02 11:00",
                                  "2026-03-02 10:00"]),
        "activity": ["work", "break", "work", "work"],
    })
    return ai, sc


def test_adherence_by_interval_and_day(floor):
    ai, sc = floor
    a = adherence(ai, sc)
    assert a["agent_id"].unique().tolist() == ["A1"]  # A2 absent: counted by attendance, not here
    assert a["in_adherence_min"].tolist() == [30.0, 25.0, 20.0, 30.0]
    assert a["scheduled_min"].tolist() == [30.0] * 4
    # 10:00: 10 min of the scheduled break not taken then
    assert a["out_break_min"].tolist() == [0.0, 0.0, 10.0, 0.0]
    assert a["out_work_min"].tolist() == [0.0, 5.0, 0.0, 0.0]
    d = adherence(ai, sc, by="day")
    assert d["adherence_frac"].item() == pytest.approx(105 / 120)
    assert d["out_of_adherence_min"].item() == pytest.approx(15.0)
    # present_only=False counts A2's absent hour: A2 0 of 60
    d2 = adherence(ai, sc, by="agent", present_only=False).set_index("agent_id")
    assert d2.loc["A2", "adherence_frac"] == 0.0 and d2.loc["A2", "out_work_min"] == 60.0
    assert d2.loc["A1", "adherence_frac"] == pytest.approx(105 / 120)


def test_conformance_counts_amounts_not_timing(floor):
    ai, sc = floor
    c = conformance(ai, sc, by="day").set_index("agent_id")
    # A1: scheduled work 105 min; productive 1800+1500+1500+1800 s = 110 min -> 110/105.
    assert c.loc["A1", "sched_work_min"] == 105.0 and c.loc["A1", "worked_min"] == 110.0
    assert c.loc["A1", "conformance_frac"] == pytest.approx(110 / 105)
    # per activity over the day: min(105, 110) + min(15 break, 5 break) = 110 of 120
    assert c.loc["A1", "activity_conformance_frac"] == pytest.approx(110 / 120)
    # A2 absent: 0 of 60 scheduled work
    assert c.loc["A2", "conformance_frac"] == 0.0
    with pytest.raises(ParameterError, match="'by'"):
        conformance(ai, sc, by="week")


def test_scheduled_staff_attributes_breaks_to_the_shift_queue():
    sc = pd.DataFrame({
        "agent_id": ["A1", "A1", "A1", "A2", "A2"],
        "shift_date": pd.to_datetime(["2026-03-02"] * 5),
        "start_at": pd.to_datetime(["2026-03-02 09:00", "2026-03-02 09:45", "2026-03-02 10:00",
                                    "2026-03-02 09:00", "2026-03-02 09:30"]),
        "end_at": pd.to_datetime(["2026-03-02 09:45", "2026-03-02 10:00", "2026-03-02 10:30",
                                  "2026-03-02 09:30", "2026-03-02 10:30"]),
        "activity": ["work", "break", "work", "training", "work"],
        "queue_id": ["GEN", None, "GEN", None, "BIL"],
    })
    s = scheduled_staff(sc).set_index(["queue", "interval_start"])
    # GEN 09:00: A1 works the whole half-hour; 09:30: 15 min work + 15 min break
    assert s.loc[("GEN", T("2026-03-02 09:30")), ["agents_scheduled", "agents_break"]].tolist() == [0.5, 0.5]
    # A2's training belongs to its BIL shift
    assert s.loc[("BIL", T("2026-03-02 09:00")), "agents_offline"] == 1.0
    assert s.loc[("BIL", T("2026-03-02 10:00")), "agents_scheduled"] == 1.0
    assert len(s) == 6


# --------------------------------------------------------------------------------------------
# plan vs actual
# --------------------------------------------------------------------------------------------
def _acd(offered, within, handled, talk, short=0, queue="GEN", times=("2026-03-02 09:00",)):
    n = len(offered)
    return pd.DataFrame({
        "queue_id": queue, "interval_start": pd.to_datetime(list(times)[:n]), "interval_min": 30,
        "offered": offered, "answered": handled, "answered_within_t": within,
        "abandoned": [o - h for o, h in zip(offered, handled)], "abandoned_short": short,
        "sl_threshold_s": 20, "short_abandon_s": 5, "handled": handled,
        "sum_wait_answered_s": 0, "sum_talk_s": talk, "sum_hold_s": 0, "sum_acw_s": 0,
        "avg_agents_staffed": 9.0,
    })


def test_plan_vs_actual_hand_checked():
    times = ("2026-03-02 09:00", "2026-03-02 09:30", "2026-03-02 10:00")
    plan = pd.DataFrame({"queue": "GEN", "interval_start": pd.to_datetime(list(times)), "interval_min": 30,
                         "calls_forecast": [100.0, 50.0, 0.0], "aht_s_forecast": [180.0, 180.0, np.nan],
                         "agents_scheduled": [14.5, 8.0, 1.0], "agents_required": [14, 8, 0]})
    acd = _acd([90, 60], [81, 30], [90, 50], [90 * 200, 50 * 180], times=times)
    r = plan_vs_actual(plan, acd)
    # volume: 90 vs 100 -> -10 %; 60 vs 50 -> +20 %
    assert r["calls_diff_frac"].tolist()[:2] == pytest.approx([-0.1, 0.2])
    assert r["aht_s_actual"].tolist()[:2] == pytest.approx([200.0, 180.0])
    # SL actual: 81/90 = 0.9 (no abandons); 30/60 = 0.5
    assert r["service_level_actual"].tolist()[:2] == pytest.approx([0.9, 0.5])
    assert r["sl_met"].tolist()[:2] == [True, False]
    # SL planned: Erlang C, A = 100*180/1800 = 10 Erl, 14 agents (14.5 rounded down), T = 20 s
    from ccomkit.wfm.erlang import service_level
    assert r["service_level_plan"].iloc[0] == pytest.approx(service_level(10, 14, 180, 20))
    assert r["service_level_plan"].iloc[2] == 1.0  # no calls planned
    # no ACD row at 10:00: actuals are missing, not zero
    assert math.isnan(r["calls_actual"].iloc[2]) and pd.isna(r["sl_met"].iloc[2])
    # staff logged from acd_interval.avg_agents_staffed without agent_interval
    assert r["agents_logged"].tolist()[:2] == [9.0, 9.0]
    # an explicit threshold replaces the data's 20 s
    r10 = plan_vs_actual(plan, acd, target_s=10)
    assert r10["service_level_plan"].iloc[0] == pytest.approx(service_level(10, 14, 180, 10))


def test_plan_vs_actual_empty_interval():
    # an interval with no calls at all: no actual SL or AHT (0 / 0), Erlang on no load gives 1
    plan = pd.DataFrame({"queue": "GEN", "interval_start": [T("2026-03-02 09:00")], "interval_min": 30,
                         "calls_forecast": [2.0], "aht_s": [180.0], "agents_scheduled": [1.0]})
    r = plan_vs_actual(plan, _acd([0], [0], [0], [0])).iloc[0]
    assert r["calls_actual"] == 0.0 and math.isnan(r["service_level_actual"]) and math.isnan(r["aht_s_actual"])
    assert pd.isna(r["sl_met"]) and r["service_level_erlang_actual"] == 1.0
    assert r["calls_diff_frac"] == -1.0


def test_plan_vs_actual_staff_from_agent_interval():
    plan = pd.DataFrame({"queue": "GEN", "interval_start": [T("2026-03-02 09:00")], "interval_min": 30,
                         "calls_forecast": [100.0], "aht_s": [180.0], "agents_scheduled": [12.0]})
    ai = pd.DataFrame({"agent_id": ["A", "B", "C"], "queue_id": ["GEN", "GEN", "BIL"],
                       "interval_start": T("2026-03-02 09:00"), "interval_min": 30,
                       "login_s": [1800.0, 900.0, 1800.0], "ready_idle_s": [300.0, 100.0, 0.0],
                       "talk_s": [1200.0, 500.0, 1800.0], "handled": 3})
    r = plan_vs_actual(plan, _acd([100], [80], [100], [18000]), agent_interval=ai)
    # GEN: logged (1800 + 900) / 1800 = 1.5; productive (1500 + 600) / 1800
    assert r["agents_logged"].item() == 1.5
    assert r["agents_productive"].item() == pytest.approx(2100 / 1800)
    # 1 agent available for 10 Erlangs: Erlang C gives 0
    assert r["service_level_erlang_actual"].item() == 0.0


def test_plan_vs_actual_errors():
    plan = pd.DataFrame({"queue": "GEN", "interval_start": [T("2026-03-02 09:00")], "interval_min": 30,
                         "calls_forecast": [-1.0], "aht_s": [180.0], "agents_scheduled": [12.0]})
    with pytest.raises(SchemaError, match="plan.calls_forecast must be a finite number >= 0"):
        plan_vs_actual(plan, _acd([100], [80], [100], [18000]))
    with pytest.raises(SchemaError, match="plan is missing column agents_scheduled"):
        plan_vs_actual(plan.drop(columns="agents_scheduled"), _acd([100], [80], [100], [18000]))
    with pytest.raises(ParameterError, match="sl_target_frac"):
        plan_vs_actual(plan.assign(calls_forecast=1.0), _acd([100], [80], [100], [18000]), sl_target_frac=80)


# --------------------------------------------------------------------------------------------
# rest-of-day reforecast
# --------------------------------------------------------------------------------------------
@pytest.fixture()
def day_plan():
    t = pd.date_range("2026-03-02 08:00", periods=8, freq="30min")  # 08:00 .. 11:30
    fc = pd.DataFrame({"queue": "GEN", "interval_start": t, "interval_min": 30,
                       "calls_forecast": [50.0, 50.0, 100.0, 100.0, 100.0, 100.0, 100.0, 100.0],
                       "aht_s_forecast": 180.0})
    sched = pd.DataFrame({"queue": "GEN", "interval_start": t,
                          "agents_scheduled": [9, 9, 14, 14, 10, 14, 18, 18],
                          "agents_break": [0, 0, 0, 0, 0, 1, 0, 0],
                          "agents_offline": [0, 0, 0, 0, 1, 0, 0, 0]})
    return fc, sched


def test_reforecast_ratio_shrinkage_and_bounds(day_plan):
    fc, sched = day_plan
    act = pd.DataFrame({"queue_id": "GEN", "interval_start": fc["interval_start"][:4],
                        "offered": [70, 70, 120, 120]})
    # as_of 10:00: observed 08:00-09:30: O = 380, F = 300 -> raw 1.2667; r = 430 / 350
    rf = reforecast_rest_of_day(fc, act, "2026-03-02 10:00", scheduled=sched)
    r = rf.ratios.iloc[0]
    assert r["intervals_observed"] == 4 and r["calls_observed"] == 380.0
    assert r["volume_ratio_raw"] == pytest.approx(380 / 300)
    assert r["volume_ratio"] == pytest.approx(430 / 350)
    assert r["aht_ratio"] == 1.0  # no handle time in the actuals
    assert rf.intervals["calls_reforecast"].tolist() == pytest.approx([100 * 430 / 350] * 4)
    assert rf.intervals["interval_start"].min() == T("2026-03-02 10:00")
    # no shrinkage: the raw ratio; a huge surge is capped by the bounds
    assert reforecast_rest_of_day(fc, act, "2026-03-02 10:00", scheduled=sched,
                                  shrink_calls=0).ratios["volume_ratio"].item() == pytest.approx(380 / 300)
    flood = act.assign(offered=[500, 500, 900, 900])
    assert reforecast_rest_of_day(fc, flood, "2026-03-02 10:00", scheduled=sched,
                                  ratio_bounds=(0.5, 1.5)).ratios["volume_ratio"].item() == 1.5
    # mid-interval as_of: 09:30-10:00 has not ended at 09:45 and is not observed; 10:00 on is the rest
    rf = reforecast_rest_of_day(fc, act, "2026-03-02 09:45", scheduled=sched)
    assert rf.ratios["intervals_observed"].item() == 3
    assert rf.ratios["volume_ratio"].item() == pytest.approx((260 + 50) / (200 + 50))
    # nothing observed yet: the plan stands
    rf = reforecast_rest_of_day(fc, act.iloc[:0], "2026-03-02 08:00", scheduled=sched)
    assert rf.ratios["volume_ratio"].item() == 1.0 and len(rf.intervals) == 8


def test_reforecast_one_wild_interval_is_clipped(day_plan):
    fc, sched = day_plan
    # 09:30 floods (an outage elsewhere sends 1000 calls against 100 forecast); the other three
    # intervals run on forecast. 09:30's calls are clipped to 2 x 100 + 3 sqrt(100) = 230, so
    # O_used = 50 + 50 + 100 + 230 = 430 and r = (430 + 50) / (300 + 50), not (1200 + 50) / 350.
    act = pd.DataFrame({"queue_id": "GEN", "interval_start": fc["interval_start"][:4],
                        "offered": [50, 50, 100, 1000]})
    r = reforecast_rest_of_day(fc, act, "2026-03-02 10:00", scheduled=sched).ratios.iloc[0]
    assert r["calls_observed"] == 1200 and r["calls_observed_used"] == pytest.approx(430.0)
    assert r["volume_ratio_raw"] == pytest.approx(4.0)
    assert r["volume_ratio"] == pytest.approx(480 / 350)
    # an outage interval with no calls at all is lifted to 0.5 x 100 - 3 sqrt(100) = 20
    act0 = act.assign(offered=[50, 50, 100, 0])
    r0 = reforecast_rest_of_day(fc, act0, "2026-03-02 10:00", scheduled=sched).ratios.iloc[0]
    assert r0["calls_observed_used"] == pytest.approx(220.0)
    # calls in an interval forecast empty count up to 2 x 0 + 3 sqrt(1) = 3
    fc0 = fc.assign(calls_forecast=[0.0, 50.0, 100.0, 100.0, 100.0, 100.0, 100.0, 100.0])
    act1 = act.assign(offered=[7, 50, 100, 100])
    r1 = reforecast_rest_of_day(fc0, act1, "2026-03-02 10:00", scheduled=sched).ratios.iloc[0]
    assert r1["calls_observed_used"] == pytest.approx(253.0)


def test_reforecast_call_ins_are_named_by_the_reserve_roster(day_plan):
    """The reforecast says how many to call in; the reserve roster says who."""
    from ccomkit.wfm.reserve_roster import reserve_roster

    fc, sched = day_plan
    act = pd.DataFrame({"queue_id": "GEN", "interval_start": fc["interval_start"][:4],
                        "offered": [50, 50, 100, 100]})
    iv = reforecast_rest_of_day(fc, act, "2026-03-02 10:00", scheduled=sched).intervals
    reserve = iv[["queue", "interval_start", "interval_min"]].assign(reserve_agents=iv["reserve_call_in_agents"])
    roster = pd.DataFrame({"agent_id": ["X"], "start": [T("2026-03-02 06:00")], "end": [T("2026-03-02 14:00")],
                           "activity": ["work"]})
    agents = pd.DataFrame({"agent_id": ["X", "P", "Q", "R"], "skills": ["BIL|GEN", "GEN", "GEN", "GEN"]})
    rr = reserve_roster(roster, agents, reserve)
    # 10:00 needs 3 (see test_reforecast_actions): back-up X, then P and Q on call
    row = rr.intervals.set_index("interval_start").loc[T("2026-03-02 10:00")]
    assert (row["reserve_needed"], row["reserve_named"], row["agents"]) == (3, 3, "X|P|Q")


def test_reforecast_aht_ratio():
    t = pd.date_range("2026-03-02 08:00", periods=3, freq="30min")
    fc = pd.DataFrame({"queue": "GEN", "interval_start": t, "interval_min": 30, "calls_forecast": 100.0,
                       "aht_s_forecast": 200.0, "agents_scheduled": 15})
    act = pd.DataFrame({"queue": "GEN", "interval_start": t[:2], "calls_offered": [100, 100],
                        "handled": [90, 90], "aht_s": [240.0, 240.0]})
    # N = 180 handled, H = 180 * 240 s; aht_f = 200; m = 30: (43200 + 6000) / (210 * 200) = 1.1714
    rf = reforecast_rest_of_day(fc, act, "2026-03-02 09:00")
    assert rf.ratios["aht_ratio_raw"].item() == pytest.approx(1.2)
    assert rf.ratios["aht_ratio"].item() == pytest.approx(49200 / 42000)
    assert rf.intervals["aht_s_reforecast"].item() == pytest.approx(200 * 49200 / 42000)


def test_reforecast_actions(day_plan):
    fc, sched = day_plan
    act = pd.DataFrame({"queue_id": "GEN", "interval_start": fc["interval_start"][:4],
                        "offered": [50, 50, 100, 100]})  # exactly on forecast: ratio 1
    rf = reforecast_rest_of_day(fc, act, "2026-03-02 10:00", scheduled=sched)
    iv = rf.intervals.set_index(rf.intervals["interval_start"].dt.strftime("%H:%M"))
    # 100 calls x 180 s / 1800 s = 10 Erlangs -> 14 agents at 80/20 in every remaining interval
    assert (iv["agents_required"] == 14).all()
    # 10:00: 10 scheduled, 4 short, 1 in training, no break -> call in 3
    assert (iv.loc["10:00", "gap_agents"], iv.loc["10:00", "action"], iv.loc["10:00", "reserve_call_in_agents"]) \
        == (-4, "call_in_reserve", 3)
    # 10:30: 14 scheduled, on target, 1 on break -> none
    assert iv.loc["10:30", "action"] == "none"
    # 11:00, 11:30: 18 scheduled, 4 spare -> offer VTO
    assert iv.loc[["11:00", "11:30"], "action"].tolist() == ["offer_vto", "offer_vto"]
    # a break that can move: 10:30 one short with one on break, 11:00 spare within 60 min
    s2 = sched.assign(agents_scheduled=[9, 9, 14, 14, 14, 13, 18, 18])
    iv2 = reforecast_rest_of_day(fc, act, "2026-03-02 10:00", scheduled=s2).intervals
    assert iv2["action"].tolist() == ["none", "move_breaks", "offer_vto", "offer_vto"]
    # no spare agent within the window: the break cannot move -> the reserve
    s3 = s2.assign(agents_scheduled=[9, 9, 14, 14, 14, 13, 14, 14])
    iv3 = reforecast_rest_of_day(fc, act, "2026-03-02 10:00", scheduled=s3).intervals
    assert iv3["action"].tolist() == ["none", "call_in_reserve", "none", "none"]
    assert set(iv3["action"]) <= set(INTRADAY_ACTIONS)


def test_reforecast_errors(day_plan):
    fc, sched = day_plan
    act = pd.DataFrame({"queue": "GEN", "interval_start": fc["interval_start"][:2], "calls_offered": [1, 2]})
    with pytest.raises(SchemaError, match="no interval on 2026-03-05"):
        reforecast_rest_of_day(fc, act, "2026-03-05 10:00", scheduled=sched)
    with pytest.raises(SchemaError, match="needs the scheduled staff"):
        reforecast_rest_of_day(fc, act, "2026-03-02 10:00")
    with pytest.raises(ParameterError, match="ratio_bounds"):
        reforecast_rest_of_day(fc, act, "2026-03-02 10:00", scheduled=sched, ratio_bounds=(1.2, 2))
    with pytest.raises(ParameterError, match="as_of"):
        reforecast_rest_of_day(fc, act, "not a time", scheduled=sched)
    with pytest.raises(ParameterError, match="shrink_calls"):
        reforecast_rest_of_day(fc, act, "2026-03-02 10:00", scheduled=sched, shrink_calls=-1)


# --------------------------------------------------------------------------------------------
# scheduler KPIs
# --------------------------------------------------------------------------------------------
def test_scheduler_kpis_fairness_and_floor(floor):
    ai, sc = floor
    pa = pd.DataFrame({"queue": "GEN", "interval_min": 30,
                       "interval_start": pd.to_datetime(["2026-03-02 09:00", "2026-03-02 09:30",
                                                         "2026-03-03 09:00"]),
                       "calls_forecast": [100.0, 100.0, 0.0], "calls_actual": [104.0, 80.0, 0.0],
                       "agents_required": [10.0, 10.0, 0.0], "agents_scheduled": [12.0, 9.0, 1.0],
                       "sl_answered_within_t": [90.0, 60.0, 0.0], "sl_base": [100.0, 80.0, 0.0]})
    # fairness over two days: A: 08:00-16:30 incl. a 1 h meal (7.5 paid h) on day 1, a night
    # shift 22:00-06:00 on day 2; B: 09:00-17:00 on day 1 only.
    sched = pd.DataFrame({
        "agent_id": ["A", "A", "A", "A", "B"],
        "shift_date": pd.to_datetime(["2026-03-02"] * 3 + ["2026-03-03", "2026-03-02"]),
        "start_at": pd.to_datetime(["2026-03-02 08:00", "2026-03-02 12:00", "2026-03-02 13:00",
                                    "2026-03-03 22:00", "2026-03-02 09:00"]),
        "end_at": pd.to_datetime(["2026-03-02 12:00", "2026-03-02 13:00", "2026-03-02 16:30",
                                  "2026-03-04 06:00", "2026-03-02 17:00"]),
        "activity": ["work", "meal", "work", "work", "work"],
    })
    k = scheduler_kpis(pa, schedule=sched).set_index("kpi_id")
    # hit at 5 %: |100-104|/104 yes, |100-80|/80 no -> 1 of 2 (the empty interval is skipped)
    assert (k.loc["forecast_hit_rate_5", "numerator"], k.loc["forecast_hit_rate_5", "denominator"]) == (1, 2)
    assert k.loc["forecast_wape", "value"] == pytest.approx(24 / 184)
    assert k.loc["forecast_bias", "value"] == pytest.approx(16 / 184)
    # fill: min(12,10) + min(9,10) + min(1,0) = 19 of 20; under 1 agent x 0.5 h; over (2 + 1) x 0.5 h
    assert k.loc["resource_fill_rate", "value"] == pytest.approx(19 / 20)
    assert k.loc["understaffed_agent_h", "value"] == 0.5 and k.loc["overstaffed_agent_h", "value"] == 1.5
    # within ±10 %: 12 vs 10 no, 9 vs 10 yes -> 1 of 2 intervals with a requirement
    assert k.loc["staffing_within_tolerance_rate", "value"] == 0.5
    # SL: 0.9 yes, 0.75 no; the day (150/180 = 0.833) yes
    assert k.loc["sl_achievement_interval_rate", "value"] == 0.5
    assert k.loc["sl_achievement_day_rate", "value"] == 1.0
    # hours A 7.5 + 8 = 15.5, B 8 -> SD (ddof 0) 3.75; nights A 1, B 0 -> 0.5; days off A 0, B 1 -> 0.5
    assert k.loc["hours_sd_h", "value"] == pytest.approx(3.75)
    assert k.loc["night_shifts_sd", "value"] == 0.5 and k.loc["days_off_sd", "value"] == 0.5
    assert "adherence" not in k.index
    # with agent_interval: the floor's adherence (A2 absent is excluded: present only) and conformance
    k2 = scheduler_kpis(pa, schedule=sc, agent_interval=ai).set_index("kpi_id")
    assert k2.loc["adherence", "value"] == pytest.approx(105 / 120)
    assert k2.loc["conformance", "value"] == pytest.approx(110 / 165)  # A2's 60 scheduled minutes count
    assert set(k2.index) <= set(SCHEDULER_KPIS)
    with pytest.raises(ParameterError, match="schedule"):
        scheduler_kpis(pa, agent_interval=ai)


def test_inputs_are_not_mutated(floor, day_plan):
    ai, sc = floor
    fc, sched = day_plan
    frames = [ai, sc, fc, sched]
    before = [f.copy() for f in frames]
    adherence(ai, sc)
    conformance(ai, sc)
    scheduled_staff(sc)
    act = pd.DataFrame({"queue": "GEN", "interval_start": fc["interval_start"][:2], "calls_offered": [1, 2]})
    reforecast_rest_of_day(fc, act, "2026-03-02 10:00", scheduled=sched)
    for f, b in zip(frames, before):
        pd.testing.assert_frame_equal(f, b)


# --------------------------------------------------------------------------------------------
# the demo center
# --------------------------------------------------------------------------------------------
def test_demo_center_week(demo_workspace):
    """One week of the demo center through every intraday function."""
    from ccomkit.store import Workspace
    from ccomkit.wfm.forecast import WeightedHistoricalAverage
    from ccomkit.wfm.staffing import required_agents

    w0, w1 = "TIMESTAMP '2026-10-19'", "TIMESTAMP '2026-10-26'"
    with Workspace.open_read(demo_workspace) as ws:
        ai = ws.query(f"SELECT * FROM agent_interval WHERE interval_start >= {w0} AND interval_start < {w1}")
        sc = ws.query(f"SELECT * FROM schedule WHERE start_at >= {w0} AND start_at < {w1}")
        acd = ws.query(f"SELECT * FROM acd_interval WHERE interval_start >= TIMESTAMP '2026-08-01' "
                       f"AND interval_start < {w1}")

    # adherence: the demo's agents arrive late 5 % of days, stretch breaks and meals a little and
    # team leaders coach off the phones, so the floor sits in the high 80s to low 90s
    a = adherence(ai, sc, by="day")
    assert len(a) > 200 and a["adherence_frac"].between(0, 1).all()
    total = a["in_adherence_min"].sum() / a["scheduled_min"].sum()
    assert 0.8 < total < 0.97
    assert a["out_work_min"].sum() > a["out_break_min"].sum() > 0  # most lost time is off the phones
    assert 0.85 < a["adherence_frac"].median() < 0.98
    c = conformance(ai, sc, by="agent")
    assert c["conformance_frac"].between(0, 1.5).all() and 0.75 < c["conformance_frac"].median() < 1.0

    # plan: a forecast of the week from the history before it, with the published schedule
    hist = acd[acd["interval_start"] < T("2026-10-19")]
    h = pd.DataFrame({"queue": hist["queue_id"].astype(str), "interval_start": hist["interval_start"],
                      "calls_offered": hist["offered"],
                      "aht_s": (hist["sum_talk_s"] + hist["sum_hold_s"] + hist["sum_acw_s"])
                      / hist["handled"].where(hist["handled"] > 0)})
    fc = WeightedHistoricalAverage().fit(h).predict(7)
    fc["interval_min"] = 30
    fc["aht_s_forecast"] = fc["aht_s_forecast"].fillna(300.0)
    req = required_agents(fc.rename(columns={"calls_forecast": "calls_offered", "aht_s_forecast": "aht_s"}),
                          service_level_target_frac=0.8, target_s=20)
    fc["agents_required"] = req["agents_required"].to_numpy()
    staff = scheduled_staff(sc)
    plan = fc.merge(staff, on=["queue", "interval_start", "interval_min"], how="left").fillna(
        {"agents_scheduled": 0.0, "agents_break": 0.0, "agents_offline": 0.0})
    week = acd[acd["interval_start"] >= T("2026-10-19")]
    pva = plan_vs_actual(plan, week, agent_interval=ai)
    assert len(pva) == len(plan)
    for col in ("service_level_plan", "service_level_actual", "service_level_erlang_actual"):
        assert pva[col].dropna().between(0, 1).all(), col
    assert pva["calls_actual"].sum() == pytest.approx(week["offered"].sum(), rel=0.02)
    assert abs(pva["calls_forecast"].sum() / pva["calls_actual"].sum() - 1) < 0.15

    k = scheduler_kpis(pva, schedule=sc, agent_interval=ai).set_index("kpi_id")["value"]
    assert set(k.index) == set(SCHEDULER_KPIS)
    assert 0 < k["forecast_wape"] < 0.5 and 0 < k["resource_fill_rate"] <= 1
    assert 0.8 < k["adherence"] < 0.97 and 0 <= k["sl_achievement_interval_rate"] <= 1

    # Wednesday 11:00: reforecast the afternoon; every remaining open interval gets an action code
    rf = reforecast_rest_of_day(plan, week, "2026-10-21 11:00", scheduled=staff)
    assert rf.ratios["volume_ratio"].between(0.5, 2.0).all()
    assert (rf.intervals["interval_start"] >= T("2026-10-21 11:00")).all()
    assert set(rf.intervals["action"]) <= set(INTRADAY_ACTIONS)
    assert (rf.intervals["reserve_call_in_agents"] >= 0).all()
