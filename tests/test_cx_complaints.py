"""Tests of ccomkit.cx.complaints on hand-computed fixtures and the demo center."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ccomkit.cx.complaints import (
    CASE_STATES,
    closure_summary,
    complaint_cases,
    complaint_pareto,
    complaint_rate,
    dsat_cases,
    overdue_list,
)
from ccomkit.errors import ParameterError, SchemaError
from ccomkit.kpi import complaint_contacts, compute

AS_OF = "2026-03-10 00:00"


@pytest.fixture()
def complaints() -> pd.DataFrame:
    T = pd.to_datetime
    return pd.DataFrame({
        "case_id": ["C1", "C2", "C3", "C4", "C5", "C6"],
        "received_at": T(["2026-03-02 08:00", "2026-03-03 09:00", "2026-03-05 10:00",
                          "2026-03-08 12:00", "2026-03-09 06:00", "2026-03-11 09:00"]),
        "category": ["billing", "billing", "attitude", "billing", "attitude", "billing"],
        "queue_id": ["BIL", "BIL", "GEN", "BIL", "GEN", "BIL"],
        "valid_flag": [True, True, False, True, True, True],
        "root_cause": ["system", "system", None, "process", "training", "system"],
        "due_at": T(["2026-03-03 08:00", "2026-03-04 09:00", "2026-03-07 10:00",
                     "2026-03-09 12:00", "2026-03-11 06:00", "2026-03-12 09:00"]),
        "closed_at": T(["2026-03-02 20:00", "2026-03-05 09:00", None, "2026-03-12 08:00",
                        None, None]),
        "customer_satisfied_flag": pd.array([True, False, None, True, None, None],
                                            dtype="boolean"),
        "repeat_flag": [False, True, False, False, False, False],
    })


# As of 2026-03-10 00:00:
#   C1 closed 03-02 20:00, satisfied → verified, 12 h, on time
#   C2 closed 03-05 09:00, not satisfied → resolved, 48 h, 24 h after due → closed late
#   C3 open, due 03-07 10:00 → overdue by 62 h
#   C4 closes 03-12 (after as_of) → open at as_of, due 03-09 12:00 → overdue by 12 h
#   C5 open, due 03-11 → not overdue
#   C6 received 03-11, after as_of → left out


def test_complaint_cases_status_as_of(complaints):
    before = complaints.copy()
    cs = complaint_cases(complaints, as_of=AS_OF)
    pd.testing.assert_frame_equal(complaints, before)
    assert cs["case_id"].tolist() == ["C1", "C2", "C3", "C4", "C5"]
    assert cs["status"].tolist() == ["verified", "resolved", "open", "open", "open"]
    assert cs["is_closed"].tolist() == [True, True, False, False, False]
    assert cs["hours_to_close"].iloc[:2].tolist() == [12.0, 48.0]
    assert cs["hours_to_close"].iloc[2:].isna().all()
    assert cs["closed_at"].iloc[3] is pd.NaT  # closed after as_of: not closed yet
    assert cs["overdue"].tolist() == [False, False, True, True, False]
    assert cs["hours_overdue"].iloc[2:4].tolist() == [62.0, 12.0]
    assert cs["closed_late"].tolist() == [False, True, False, False, False]
    assert set(cs["status"]) <= set(CASE_STATES)
    assert (cs["as_of"] == pd.Timestamp(AS_OF)).all()
    # later as_of: C4 is closed and verified, C6 appears
    later = complaint_cases(complaints, as_of="2026-03-13")
    assert later.set_index("case_id").loc["C4", "status"] == "verified"
    assert len(later) == 6
    # default as_of: the latest received/closed time (2026-03-12 08:00)
    assert complaint_cases(complaints)["as_of"].iloc[0] == pd.Timestamp("2026-03-12 08:00")


def test_overdue_list_fixed_date(complaints):
    od = overdue_list(complaint_cases(complaints, as_of=AS_OF))
    assert od["case_id"].tolist() == ["C3", "C4"]  # most overdue first
    assert od["hours_overdue"].tolist() == [62.0, 12.0]
    assert overdue_list(complaint_cases(complaints, as_of="2026-03-03 00:00")).empty


def test_closure_summary_by_hand(complaints):
    cs = complaint_cases(complaints, as_of=AS_OF)
    total = closure_summary(cs).iloc[0]
    # 5 cases: 2 closed (1 verified, 1 resolved), 3 open, 2 overdue, 1 repeat
    assert (total.cases, total.open, total.contacted, total.resolved, total.verified) == \
        (5, 3, 0, 1, 1)
    assert total.closure_rate == pytest.approx(2 / 5)
    assert total.verified_rate == pytest.approx(1 / 5)
    assert total.overdue == 2 and total.overdue_rate == pytest.approx(2 / 5)
    # median of 12 h and 48 h = 30 h; one of two closings on time
    assert total.median_hours_to_close == 30.0
    assert total.on_time_rate == pytest.approx(0.5)
    assert total.repeat_rate == pytest.approx(1 / 5)
    by = closure_summary(cs, "category").set_index("category")
    # billing: C1, C2, C4 → closed 2/3, overdue 1 (C4), repeat 1/3, median (12, 48) = 30
    assert by.loc["billing", "cases"] == 3
    assert by.loc["billing", "closure_rate"] == pytest.approx(2 / 3)
    assert by.loc["billing", "median_hours_to_close"] == 30.0
    assert by.loc["billing", "repeat_rate"] == pytest.approx(1 / 3)
    # attitude: C3, C5 → nothing closed, C3 overdue; no closing time → NaN median and on-time
    assert by.loc["attitude", "closure_rate"] == 0.0 and by.loc["attitude", "overdue"] == 1
    assert np.isnan(by.loc["attitude", "median_hours_to_close"])
    assert np.isnan(by.loc["attitude", "on_time_rate"])
    monthly = closure_summary(cs, ["queue_id"], freq="M")
    assert monthly["period"].unique().tolist() == [pd.Timestamp("2026-03-01")]
    assert monthly["cases"].tolist() == [3, 2]


def test_dsat_cases_and_mixed_summary():
    sv = pd.DataFrame({
        "survey_id": ["S1", "S2", "S3", "S4", "S5", "S6"],
        "agent_id": ["A1", "A1", "A2", "A2", "A1", "A2"],
        "invited_at": pd.to_datetime(["2026-03-01"] * 6),
        "responded_at": pd.to_datetime(["2026-03-01 10:00", "2026-03-04 10:00",
                                        "2026-03-02 10:00", "2026-03-08 10:00",
                                        "2026-03-03 10:00", None]),
        "q_overall": pd.array([1, 2, 3, 5, 2, None], dtype="Int64"),
        "followup_status": ["contacted", "verified", "open", None, None, None],
    })
    before = sv.copy()
    ds = dsat_cases(sv, as_of=AS_OF, due_days=3)
    pd.testing.assert_frame_equal(sv, before)
    # cases: S1 (score 1), S2 (2), S3 (3 but routed), S5 (2, never routed); S4 is a 5, S6 no reply
    assert ds["case_id"].tolist() == ["S1", "S2", "S3", "S5"]
    assert ds["status"].tolist() == ["contacted", "verified", "open", "open"]
    assert ds["routed"].tolist() == [True, True, True, False]
    # due = responded + 3 days; as of 03-10 00:00: S1 due 03-04 10:00 → 134 h overdue,
    # S3 due 03-05 10:00 → 110 h, S5 due 03-06 10:00 → 86 h; S2 is closed
    assert ds["overdue"].tolist() == [True, False, True, True]
    assert ds["hours_overdue"].dropna().tolist() == [134.0, 110.0, 86.0]
    assert overdue_list(ds)["case_id"].tolist() == ["S1", "S3", "S5"]
    assert ds["hours_to_close"].isna().all()
    # only bottom-1: S1 plus the routed S2 and S3
    assert dsat_cases(sv, as_of=AS_OF, dsat_max=1)["case_id"].tolist() == ["S1", "S2", "S3"]
    s = closure_summary(ds, "agent_id").set_index("agent_id")
    # A1: S1 contacted, S2 verified, S5 open → closure 1/3; A2: S3 open
    assert s.loc["A1", "contacted"] == 1 and s.loc["A1", "closure_rate"] == pytest.approx(1 / 3)
    assert s.loc["A2", "overdue"] == 1 and s.loc["A2", "repeat_rate"] == 0.0


def test_both_kinds_concatenate(complaints):
    sv = pd.DataFrame({"survey_id": ["S1"], "responded_at": pd.to_datetime(["2026-03-08"]),
                       "q_overall": [1], "followup_status": ["open"]})
    both = pd.concat([complaint_cases(complaints, as_of=AS_OF), dsat_cases(sv, as_of=AS_OF)],
                     ignore_index=True)
    out = closure_summary(both, "kind").set_index("kind")
    assert out.loc["complaint", "cases"] == 5 and out.loc["dsat", "cases"] == 1


def test_complaint_pareto(complaints):
    p = complaint_pareto(complaints)
    # valid complaints with a root cause: system ×3 (C1, C2, C6), process, training → 5
    assert p["reason"].tolist() == ["system", "process", "training"]
    assert p["mentions"].tolist() == [3, 1, 1]
    assert p["cum_share"].tolist() == pytest.approx([0.6, 0.8, 1.0])
    assert p["vital_few"].tolist() == [True, True, False]
    cat = complaint_pareto(complaints, column="category", valid_only=False)
    assert cat["mentions"].tolist() == [4, 2]
    g = complaint_pareto(complaints, "queue_id")
    assert g[g.queue_id == "GEN"]["reason"].tolist() == ["training"]
    with pytest.raises(SchemaError, match="region"):
        complaint_pareto(complaints, "region")


def test_complaint_rate_by_hand(complaints):
    acd = pd.DataFrame({
        "interval_start": pd.to_datetime(["2026-03-02 08:00", "2026-03-02 08:00",
                                          "2026-03-09 08:00", "2026-03-09 08:00"]),
        "interval_min": 30,
        "queue_id": ["BIL", "GEN", "BIL", "GEN"],
        "handled": [6000, 3000, 4000, 2000],
    })
    out = complaint_rate(complaints, acd, "queue_id").set_index("queue_id")
    # BIL: 4 complaints, all valid, 10,000 handled → 4.0 per 10k both ways
    # GEN: 2 complaints, 1 valid, 5,000 handled → 2.0 valid, 4.0 all
    assert out.loc["BIL", "rate_valid_per10k"] == pytest.approx(4.0)
    assert out.loc["GEN", "rate_valid_per10k"] == pytest.approx(2.0)
    assert out.loc["GEN", "rate_all_per10k"] == pytest.approx(4.0)
    assert out.loc["GEN", "complaints_all"] == 2 and out.loc["GEN", "handled"] == 5000
    k = compute(complaint_contacts(complaints, acd, "queue_id"), "complaint_rate_per10k",
                "queue_id")
    assert k["value"].tolist() == out["rate_valid_per10k"].tolist()
    weekly = complaint_rate(complaints, acd, freq="W")
    # week of 03-02: C1, C2, C3, C4 (3 valid) over 9,000; week of 03-09: C5, C6 over 6,000
    assert weekly["complaints_valid"].tolist() == [3, 2]
    assert weekly["rate_valid_per10k"].tolist() == pytest.approx([30000 / 9000, 20000 / 6000])


def test_bad_input(complaints):
    bad = complaints.copy()
    bad.loc[1, "closed_at"] = pd.Timestamp("2026-03-01")
    with pytest.raises(SchemaError, match=r"complaint.closed_at must not be before received_at: "
                                          r"1 row violates it, first at rows \[1\]"):
        complaint_cases(bad)
    with pytest.raises(SchemaError, match="due_at"):
        complaint_cases(complaints.drop(columns="due_at"))
    with pytest.raises(ParameterError, match="as_of"):
        complaint_cases(complaints, as_of="not a date")
    sv = pd.DataFrame({"survey_id": ["S1", "S2"],
                       "responded_at": pd.to_datetime(["2026-03-08", None]),
                       "q_overall": [1, 2], "followup_status": ["open", "closed"]})
    with pytest.raises(SchemaError, match="followup_status must be one of"):
        dsat_cases(sv.assign(responded_at=pd.to_datetime(["2026-03-08"] * 2)))
    with pytest.raises(SchemaError, match=r"responded_at is empty but answers are given"):
        dsat_cases(sv.assign(followup_status="open"))
    with pytest.raises(SchemaError, match=r"q_overall must be an integer in 1\.\.5"):
        dsat_cases(sv.assign(q_overall=[0, 9], responded_at=pd.to_datetime(["2026-03-08"] * 2),
                             followup_status="open"))
    with pytest.raises(ParameterError, match="due_days"):
        dsat_cases(sv, due_days=-1)
    cs = complaint_cases(complaints, as_of=AS_OF)
    with pytest.raises(SchemaError, match="team_id"):
        closure_summary(cs, "team_id")
    with pytest.raises(SchemaError, match="cases.status must be one of"):
        closure_summary(cs.assign(status="closed"))
    with pytest.raises(ParameterError, match="freq"):
        closure_summary(cs, freq="fortnight")
    with pytest.raises(SchemaError, match="handled"):
        complaint_rate(complaints, pd.DataFrame({"interval_start": []}))


@pytest.fixture(scope="module")
def demo():
    from ccomkit.demo import generate

    return generate(seats=40, years=1)


def test_demo_smoke(demo):
    cp, sv = demo["complaint"], demo["csat_response"]
    as_of = pd.Timestamp("2026-10-31 23:59")
    cs = complaint_cases(cp, as_of=as_of)
    assert len(cs) == (cp["received_at"] <= as_of).sum()
    s = closure_summary(cs, "category", freq="M")
    assert (s["closed"] <= s["cases"]).all() and s["closure_rate"].between(0, 1).all()
    assert s["cases"].sum() == len(cs)
    od = overdue_list(cs)
    assert (od["due_at"] < as_of).all() and not od["is_closed"].any()
    ds = dsat_cases(sv, as_of=as_of)
    assert set(ds["status"]) <= set(CASE_STATES) and len(ds) > 0
    closure_summary(pd.concat([cs, ds], ignore_index=True), ["kind", "queue_id"])
    rate = complaint_rate(cp, demo["acd_interval"], "queue_id", freq="M")
    ok = rate["handled"] > 0  # complaints received after the last day have no contacts
    assert (rate.loc[ok, "rate_valid_per10k"] <= rate.loc[ok, "rate_all_per10k"]).all()
    assert rate.loc[~ok, "rate_valid_per10k"].isna().all()
    assert rate["complaints_all"].sum() == len(cp)
    assert complaint_pareto(cp)["cum_share"].iloc[-1] == pytest.approx(1.0)


# --------------------------------------------------------------------------------------------
# Common contract: no mutation, a missing column names itself, documented columns
# --------------------------------------------------------------------------------------------

CASE_COLUMNS = ["case_id", "kind", "opened_at", "due_at", "closed_at", "status", "is_closed",
                "hours_to_close", "overdue", "hours_overdue", "closed_late"]


def _dsat_frame() -> pd.DataFrame:
    return pd.DataFrame({"survey_id": ["S1", "S2"],
                         "responded_at": pd.to_datetime(["2026-03-02", "2026-03-03"]),
                         "q_overall": [1, 2], "followup_status": ["open", "verified"]})


@pytest.mark.parametrize("name", ["complaint_cases", "dsat_cases", "closure_summary",
                                  "overdue_list", "complaint_pareto", "complaint_rate"])
def test_common_contract(complaints, name):
    acd = pd.DataFrame({"interval_start": pd.to_datetime(["2026-03-02 08:00"]),
                        "handled": [1000]})
    if name == "complaint_cases":
        frame, call, col = complaints, lambda f: complaint_cases(f, as_of=AS_OF), "closed_at"
        columns = [*CASE_COLUMNS, "category", "queue_id", "valid_flag", "root_cause",
                   "repeat_flag", "customer_satisfied_flag", "as_of"]
    elif name == "dsat_cases":
        frame, call, col = _dsat_frame(), lambda f: dsat_cases(f, as_of=AS_OF), "followup_status"
        columns = [*CASE_COLUMNS, "routed", "q_overall", "as_of"]
    elif name == "closure_summary":
        frame, call, col = complaint_cases(complaints, as_of=AS_OF), closure_summary, "status"
        columns = ["cases", *CASE_STATES, "closed", "closure_rate", "verified_rate", "overdue",
                   "overdue_rate", "closed_late", "on_time_rate", "median_hours_to_close",
                   "repeats", "repeat_rate"]
    elif name == "overdue_list":
        frame, call, col = complaint_cases(complaints, as_of=AS_OF), overdue_list, "overdue"
        columns = list(frame.columns)
    elif name == "complaint_pareto":
        frame, call, col = complaints, complaint_pareto, "root_cause"
        columns = ["reason", "mentions", "share", "cum_share", "responses_with_reason",
                   "share_of_responses", "rank", "vital_few"]
    else:
        frame, call, col = complaints, lambda f: complaint_rate(f, acd), "valid_flag"
        columns = ["complaints_valid", "complaints_all", "handled", "rate_valid_per10k",
                   "rate_all_per10k"]
    before = frame.copy()
    out = call(frame)
    pd.testing.assert_frame_equal(frame, before)
    assert list(out.columns) == columns
    with pytest.raises(SchemaError, match=col) as e:
        call(frame.drop(columns=col))
    assert e.value.column == col
