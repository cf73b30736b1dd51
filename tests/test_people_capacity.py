"""Capacity plan: a hand-worked three-month example, the helpers and bad input."""

from __future__ import annotations

import pandas as pd
import pytest

from ccomkit.errors import ParameterError, SchemaError
from ccomkit.people.capacity import (
    CapacityParams, capacity_chart, capacity_plan, capacity_scenarios, monthly_fte_required)

EXACT = dict(rel=1e-12, abs=1e-12)


def _req(values, start="2026-01-01"):
    return pd.DataFrame({"month": pd.date_range(start, periods=len(values), freq="MS"),
                         "fte_required": [float(v) for v in values]})


P = CapacityParams(shrinkage_frac=0.2, attrition_tenured_frac=0.05, attrition_new_hire_frac=0.10,
                   learning_curve=(0.5, 0.75, 1.0), training_lead_months=1,
                   pre_job_retention_frac=0.8)


def test_hand_worked_three_month_example():
    # Inputs: 100 tenured agents on 1 Jan; shrinkage s = 0.2; monthly attrition 5 % tenured,
    # 10 % new hires; learning curve 0.5, 0.75, 1.0; lead time L = 1 month; pre-job retention 0.8.
    # Requirement R = 78, 80, 82 on-phone FTE (Jan, Feb, Mar).
    # Per-trainee yield in the first floor month: (1 - s) * rho * p0 = 0.8 * 0.8 * 0.5 = 0.32 FTE.
    #
    # Jan (t=0): H0 = 100. No class can reach the floor yet (t < L).
    #   A0 = 0.8 * 100 = 80;  gap = 78 - 80 = -2 (surplus), status ok.
    #   Tenured leavers = 100 * 0.05 = 5.
    #   The class starting in Jan serves Feb: see Feb.
    # Feb (t=1): H1 = 100 * 0.95 = 95.
    #   Before the Jan class: A0 = 0.8 * 95 = 76; gap_before = 80 - 76 = 4.
    #   Jan class = ceil(4 / 0.32) = ceil(12.5) = 13 trainees; graduates 13 * 0.8 = 10.4.
    #   A = 76 + 0.8 * 0.5 * 10.4 = 76 + 4.16 = 80.16; gap = 80 - 80.16 = -0.16.
    #   Leavers = 95 * 0.05 + 10.4 * 0.10 = 4.75 + 1.04 = 5.79.
    # Mar (t=2): H2 = 95 * 0.95 = 90.25; the Jan cohort, floor month 1: 10.4 * 0.9 = 9.36 heads
    #   at productivity 0.75 = 7.02.
    #   Before the Feb class: A0 = 0.8 * (90.25 + 7.02) = 0.8 * 97.27 = 77.816;
    #   gap_before = 82 - 77.816 = 4.184.
    #   Feb class = ceil(4.184 / 0.32) = ceil(13.075) = 14; graduates 14 * 0.8 = 11.2.
    #   A = 77.816 + 0.8 * 0.5 * 11.2 = 77.816 + 4.48 = 82.296; gap = 82 - 82.296 = -0.296.
    #   Leavers = 90.25 * 0.05 + 9.36 * 0.10 + 11.2 * 0.10 = 4.5125 + 0.936 + 1.12 = 6.5685.
    #   A Mar class would graduate after the horizon: 0.
    plan = capacity_plan(_req([78, 80, 82]), 100, P)
    assert plan["class_start"].tolist() == [13, 14, 0]
    assert plan["class_start"].dtype.kind == "i"
    assert plan["fte_available_before"].tolist() == pytest.approx([80, 76, 77.816], **EXACT)
    assert plan["gap_before"].tolist() == pytest.approx([-2, 4, 4.184], **EXACT)
    assert plan["fte_available"].tolist() == pytest.approx([80, 80.16, 82.296], **EXACT)
    assert plan["gap"].tolist() == pytest.approx([-2, -0.16, -0.296], **EXACT)
    assert plan["graduates"].tolist() == pytest.approx([0, 10.4, 11.2], **EXACT)
    assert plan["hc_tenured"].tolist() == pytest.approx([100, 95, 90.25], **EXACT)
    assert plan["hc_new_hire"].tolist() == pytest.approx([0, 10.4, 20.56], **EXACT)
    assert plan["trainees"].tolist() == [13, 14, 0]
    assert plan["leavers_expected"].tolist() == pytest.approx([5, 5.79, 6.5685], **EXACT)
    assert plan["status"].tolist() == ["ok", "ok", "ok"]
    assert plan["month"].tolist() == list(pd.date_range("2026-01-01", periods=3, freq="MS"))


def test_lead_time_short_months_and_cap():
    # L = 2: Jan and Feb cannot be helped; Jan needs 90 > 80 -> short.
    p = CapacityParams(shrinkage_frac=0.2, attrition_tenured_frac=0.0, attrition_new_hire_frac=0.0,
                       learning_curve=(1.0,), training_lead_months=2, max_class_size=5)
    plan = capacity_plan(_req([90, 80, 90]), 100, p)
    # Mar: A0 = 80, gap 10; class = ceil(10 / 0.8) = 13 > cap 5 -> 5, A = 84, gap 6, capped.
    assert plan["status"].tolist() == ["short", "ok", "capped"]
    assert plan["class_start"].tolist() == [5, 0, 0]
    assert plan["trainees"].tolist() == [5, 5, 0]
    assert plan["fte_available"].tolist() == pytest.approx([80, 80, 84], **EXACT)
    assert plan["gap"].tolist() == pytest.approx([10, 0, 6], **EXACT)


def test_lead_time_zero_and_fixed_classes():
    p = CapacityParams(shrinkage_frac=0.5, attrition_tenured_frac=0.0, attrition_new_hire_frac=0.0,
                       learning_curve=(0.5,), training_lead_months=0)
    # t=0: A0 = 0.5 * 10 = 5, gap 1 -> ceil(1 / 0.25) = 4; A = 5 + 0.25 * 4 = 6.
    # t=1: A0 = 0.5 * (10 + 4 * 1.0) = 7 >= 6 -> 0.
    plan = capacity_plan(_req([6, 6]), 10, p)
    assert plan["class_start"].tolist() == [4, 0]
    assert plan["fte_available"].tolist() == pytest.approx([6, 7], **EXACT)
    fixed = capacity_plan(_req([6, 6]), 10, p, plan_hires=False, classes=[0, 2])
    # t=1: 0.5 * (10 + 0.5 * 2) = 5.5 < 6 -> short.
    assert fixed["fte_available"].tolist() == pytest.approx([5, 5.5], **EXACT)
    assert fixed["status"].tolist() == ["short", "short"]


def test_monthly_fte_required_by_hand():
    iv = pd.DataFrame({
        "interval_start": pd.to_datetime(["2026-01-31 23:30", "2026-02-01 00:00", "2026-02-01 00:00"]),
        "queue_id": ["A", "A", "B"], "interval_min": [30, 30, 15], "agents_required": [4, 6, 8]})
    out = monthly_fte_required(iv, hours_per_fte=2.0)
    # Jan: 4 * 0.5 h = 2 h -> 1 FTE; Feb: 6 * 0.5 + 8 * 0.25 = 5 h -> 2.5 FTE.
    assert out["agent_hours"].tolist() == [2.0, 5.0]
    assert out["fte_required"].tolist() == [1.0, 2.5]
    by = monthly_fte_required(iv, hours_per_fte=2.0, by="queue_id")
    assert by[["queue_id", "agent_hours"]].values.tolist() == [["A", 2.0], ["A", 3.0], ["B", 2.0]]


def test_monthly_fte_required_from_required_agents():
    from ccomkit.wfm.staffing import required_agents

    iv = pd.DataFrame({"interval_start": pd.date_range("2026-03-02 09:00", periods=2, freq="30min"),
                       "calls_offered": [100, 0], "aht_s": [180, 180], "interval_min": [30, 30]})
    st = required_agents(iv, service_level_target_frac=0.8, target_s=20)
    out = monthly_fte_required(st, hours_per_fte=7.0)
    assert out["agent_hours"].tolist() == [7.0]  # 14 agents x 0.5 h (see required_agents doctest)
    assert out["fte_required"].tolist() == [1.0]


def test_scenarios_compare_table():
    sc = pd.DataFrame({"scenario": ["base", "vol+10%", "attr x0"], "volume_mult": [1.0, 1.1, 1.0],
                       "attrition_mult": [1.0, 1.0, 0.0]})
    out = capacity_scenarios(_req([78, 80, 82]), 100, P, sc)
    assert out["scenario"].tolist() == ["base", "vol+10%", "attr x0"]
    # base: the hand-worked example, 13 + 14.
    assert out.loc[0, "total_hires"] == 27 and out.loc[0, "n_classes"] == 2
    # no attrition: Feb A0 = 80 -> 0; Mar A0 = 80 -> ceil(2 / 0.32) = 7.
    assert out.loc[2, "total_hires"] == 7
    assert out.loc[2, "first_class_month"] == pd.Timestamp("2026-02-01")
    # +10 %: Feb gap 88 - 76 = 12 -> ceil(37.5) = 38; Mar A0 = 0.8 (90.25 + 0.75 * 0.9 * 30.4)
    # = 88.616, gap 90.2 - 88.616 = 1.584 -> ceil(4.95) = 5.
    assert out.loc[1, "total_hires"] == 43
    assert out["hires_vs_base"].tolist() == [0, 16, -20]
    assert out.loc[0, "months_short"] == 0
    assert out.loc[0, "fte_required_total"] == pytest.approx(240, **EXACT)
    detail = capacity_scenarios(_req([78, 80, 82]), 100, P, sc, detail=True)
    assert len(detail) == 9 and detail.columns[0] == "scenario"
    default = capacity_scenarios(_req([78, 80, 82]), 100, P)
    assert default["scenario"].tolist() == ["base", "volume+10%", "attrition+50%", "both"]


def test_bad_input():
    with pytest.raises(ParameterError, match="headcount_start"):
        capacity_plan(_req([1]), -1, P)
    with pytest.raises(ParameterError, match=r"'shrinkage_frac' parameter of CapacityParams must be a float in \[0, 1\)"):
        CapacityParams(shrinkage_frac=1.0)
    with pytest.raises(ParameterError, match="learning_curve"):
        CapacityParams(learning_curve=(0.5, 1.5))
    with pytest.raises(ParameterError, match="training_lead_months"):
        CapacityParams(training_lead_months=-1)
    with pytest.raises(ParameterError, match="pre_job_retention_frac"):
        CapacityParams(pre_job_retention_frac=0.0)
    with pytest.raises(SchemaError, match="fte_required must be a number >= 0"):
        capacity_plan(_req([1, -2]), 10, P)
    gap = pd.DataFrame({"month": pd.to_datetime(["2026-01-01", "2026-03-01"]), "fte_required": [1, 1]})
    with pytest.raises(SchemaError, match="consecutive"):
        capacity_plan(gap, 10, P)
    with pytest.raises(SchemaError, match="missing column fte_required"):
        capacity_plan(pd.DataFrame({"month": []}), 10, P)
    with pytest.raises(ParameterError, match="attrition_mult"):
        capacity_scenarios(_req([1]), 10, P, pd.DataFrame({"scenario": ["x"], "volume_mult": [1.0],
                                                             "attrition_mult": [20.0]}))
    with pytest.raises(ParameterError, match="hours_per_fte"):
        monthly_fte_required(pd.DataFrame({"interval_start": [], "interval_min": [],
                                           "agents_required": []}), hours_per_fte=0)


def test_does_not_mutate_and_unsorted_months():
    req = _req([78, 80, 82]).iloc[[2, 0, 1]]
    before = req.copy()
    plan = capacity_plan(req, 100, P)
    pd.testing.assert_frame_equal(req, before)
    assert plan["class_start"].tolist() == [13, 14, 0]


def test_chart_title():
    chart = capacity_chart(capacity_plan(_req([78, 80, 82]), 100, P))
    assert chart.to_dict()["title"].startswith("人力规划")
