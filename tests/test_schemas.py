"""Every table contract: a good row passes, and each kind of bad row is caught and named."""

from __future__ import annotations

import pandas as pd
import pytest

from ccomkit.errors import ParameterError, SchemaError
from ccomkit.schemas import TABLES, check_frame, get_table, validate

# One valid row per table, written by hand as a center's export would give it (strings).
GOOD_ROWS: dict[str, dict[str, object]] = {
    "acd_interval": {
        "interval_start": "2026-03-04 08:30", "interval_min": "30", "queue_id": "billing",
        "channel": "voice", "offered": "120", "answered": "110", "answered_within_t": "95",
        "abandoned": "10", "abandoned_short": "3", "abandoned_within_t": "6", "sl_threshold_s": "20",
        "short_abandon_s": "5", "flow_in": "2", "flow_out": "1", "handled": "109",
        "sum_wait_answered_s": "1650", "sum_wait_abandoned_s": "400", "max_wait_s": "180",
        "sum_talk_s": "26400", "sum_hold_s": "1200", "sum_acw_s": "4400", "avg_agents_staffed": "21.5",
    },
    "agent_dim": {
        "agent_id": "A0001", "name": "张三", "team_id": "T01", "team_leader_id": "L01", "site": "WH",
        "role": "agent", "hire_date": "2025-03-01", "leave_date": "", "employment_type": "full_time",
        "contract_hours_week": "40", "grade": "B+", "level": "intermediate", "tier": "2",
        "skills": "billing|general", "recruit_channel": "campus",
    },
    "agent_interval": {
        "agent_id": "A0001", "interval_start": "2026-03-04 08:30", "interval_min": "30",
        "queue_id": "billing", "login_s": "1800", "ready_idle_s": "200", "talk_s": "1200",
        "hold_s": "60", "acw_s": "240", "aux_break_s": "100", "aux_meal_s": "0",
        "aux_training_s": "0", "aux_meeting_s": "0", "aux_coaching_s": "0", "aux_other_s": "0",
        "handled": "5", "transfers": "0",
    },
    "schedule": {
        "agent_id": "A0001", "shift_date": "2026-03-04", "shift_code": "D0830",
        "start_at": "2026-03-04 08:30", "end_at": "2026-03-04 10:30", "activity": "work",
        "queue_id": "billing", "schedule_version": "published",
    },
    "attendance": {
        "agent_id": "A0001", "work_date": "2026-03-04", "scheduled_flag": "1", "present_flag": "是",
        "late_min": "3", "early_leave_min": "0", "absence_type": "",
    },
    "qa_evaluation": {
        "eval_id": "E1", "call_id": "C9", "agent_id": "A0001", "evaluator_id": "Q01",
        "eval_date": "2026-03-05", "call_date": "2026-03-04", "queue_id": "billing",
        "form_version": "v1", "total_score": "92", "fatal_flag": "false", "fatal_type": "",
        "is_calibration": "false", "calibration_session_id": "",
    },
    "qa_item": {
        "eval_id": "E1", "section": "attitude", "item_code": "ATT_TONE", "max_points": "10",
        "deducted_points": "5", "is_fatal": "0", "comment": "语气生硬",
    },
    "csat_response": {
        "survey_id": "S1", "call_id": "C9", "agent_id": "A0001", "queue_id": "billing",
        "channel": "sms", "invited_at": "2026-03-04 08:40", "responded_at": "2026-03-04 08:52",
        "q_overall": "4", "q_speed": "4", "q_accuracy": "5", "q_attitude": "4", "nps": "9",
        "fcr_yes": "yes", "dissat_reasons": "", "comment": "", "customer_key": "ab12",
        "followup_status": "none",
    },
    "complaint": {
        "case_id": "K1", "received_at": "2026-03-04 09:00", "channel": "voice", "source": "hotline",
        "category": "billing_error", "severity": "medium", "agent_id": "A0001", "queue_id": "billing",
        "valid_flag": "1", "root_cause": "process", "due_at": "2026-03-06 09:00",
        "closed_at": "2026-03-05 17:00", "customer_satisfied_flag": "1", "repeat_flag": "0",
    },
    "hr_event": {
        "agent_id": "A0001", "event_type": "leave", "event_date": "2026-03-31",
        "leave_type": "voluntary", "leave_reason": "pay", "stage": "on_floor", "from_value": "",
        "to_value": "",
    },
    "recruit_funnel": {
        "candidate_id": "R1", "channel": "online", "requisition_id": "REQ1",
        "sourced_at": "2026-01-02", "invited_at": "2026-01-03", "interviewed_at": "2026-01-05",
        "offered_at": "2026-01-06", "started_at": "2026-01-15", "left_at": "", "agent_id": "A0001",
        "cost_cny": "800",
    },
    "training_record": {
        "agent_id": "A0001", "course_id": "NH-101", "session_date": "2026-01-16", "level": "junior",
        "competency_codes": "K1|S2", "hours": "8", "l1_score": "4.5", "l2_pre": "55",
        "l2_post": "82", "pass_flag": "1",
    },
    "kpi_target": {
        "kpi_id": "service_level", "scope": "queue:billing", "period_start": "2026-03-01",
        "period_end": "2026-03-31", "formula_variant": "default", "params": '{"threshold_s": 20}',
        "target": "0.8", "tolerance": "0.02", "owner": "王主任",
    },
}

# For every cross-column check, a change to the good row that breaks it (and nothing else).
CHECK_BREAKERS: dict[tuple[str, str], dict[str, object]] = {
    ("acd_interval", "interval_min_allowed"): {"interval_min": "20", "interval_start": "2026-03-04 08:40"},
    ("acd_interval", "answered_le_offered"): {"offered": "100"},
    ("acd_interval", "within_t_le_answered"): {"answered_within_t": "111"},
    ("acd_interval", "short_le_abandoned"): {"abandoned_short": "11"},
    ("acd_interval", "abandoned_within_t_le_abandoned"): {"abandoned_within_t": "12"},
    ("acd_interval", "aht_plausible"): {"sum_talk_s": "2640000"},
    ("acd_interval", "talk_without_calls"): {
        "answered": "0", "handled": "0", "answered_within_t": "0", "sum_talk_s": "2000000",
    },
    ("agent_dim", "leave_after_hire"): {"leave_date": "2025-02-01"},
    ("agent_interval", "interval_min_allowed"): {"interval_min": "45", "interval_start": "2026-03-04 09:00"},
    ("agent_interval", "login_le_interval"): {"login_s": "2000"},
    ("agent_interval", "states_le_login"): {"login_s": "1700"},
    ("schedule", "end_after_start"): {"end_at": "2026-03-04 08:30"},
    ("schedule", "segment_length"): {"end_at": "2026-03-05 02:00"},
    ("schedule", "start_near_shift_date"): {"shift_date": "2026-03-01"},
    ("attendance", "absent_not_late"): {"present_flag": "0", "absence_type": "sick"},
    ("qa_evaluation", "fatal_zero"): {"fatal_flag": "1", "fatal_type": "compliance"},
    ("qa_evaluation", "fatal_type_needed"): {"fatal_type": "customer"},
    ("qa_evaluation", "calibration_session"): {"is_calibration": "1"},
    ("qa_evaluation", "eval_after_call"): {"eval_date": "2026-03-03"},
    ("qa_item", "deduction_le_max"): {"deducted_points": "12"},
    ("csat_response", "response_after_invite"): {"responded_at": "2026-03-04 08:00"},
    ("csat_response", "answers_need_response"): {"responded_at": ""},
    ("complaint", "closed_after_received"): {"closed_at": "2026-03-03 09:00"},
    ("complaint", "due_after_received"): {"due_at": "2026-03-03 09:00"},
    ("hr_event", "leave_type_needed"): {"leave_type": ""},
    ("hr_event", "leave_type_only_for_leave"): {"event_type": "promotion"},
    ("recruit_funnel", "invited_after_sourced"): {"invited_at": "2026-01-01"},
    ("recruit_funnel", "interviewed_after_invited"): {"interviewed_at": "2026-01-02"},
    ("recruit_funnel", "offered_after_interviewed"): {"offered_at": "2026-01-04"},
    ("recruit_funnel", "started_after_offered"): {"started_at": "2026-01-05"},
    ("recruit_funnel", "left_after_started"): {"left_at": "2026-01-10"},
    ("kpi_target", "period_order"): {"period_end": "2026-02-01"},
    ("kpi_target", "params_json"): {"params": "{threshold_s: 20"},
}


def frame(table: str, **changes: object) -> pd.DataFrame:
    row = dict(GOOD_ROWS[table])
    row.update(changes)
    return pd.DataFrame([row])


def rules_of(df: pd.DataFrame, table: str) -> set[tuple[str, str]]:
    res = validate(df, table)
    return {(c, r) for c, r in zip(res.violations["column"], res.violations["rule"])}


def test_every_table_has_a_good_row_fixture():
    assert set(GOOD_ROWS) == set(TABLES)
    for name, row in GOOD_ROWS.items():
        assert set(row) == set(TABLES[name].column_names), name


@pytest.mark.parametrize("table", sorted(TABLES))
def test_good_row_passes_and_is_typed(table):
    res = validate(frame(table), table)
    assert res.ok, res.messages()
    assert len(res.frame) == 1
    assert list(res.frame.columns) == TABLES[table].column_names
    for col in TABLES[table].columns:
        value = res.frame[col.name].iloc[0]
        if col.dtype == "int" and not pd.isna(value):
            assert int(value) == value
        if col.dtype in ("date", "timestamp") and not pd.isna(value):
            assert isinstance(value, pd.Timestamp)


def _column_breakers():
    for name, t in sorted(TABLES.items()):
        for c in t.columns:
            if not c.nullable:
                yield name, c.name, "", "required"
            if c.dtype != "str":
                yield name, c.name, "n/a?", "type"
            if c.min is not None:
                yield name, c.name, str(c.min - 1 if not c.min_exclusive else c.min), "min"
            if c.max is not None:
                yield name, c.name, str(c.max + 1), "max"
            if c.allowed is not None:
                yield name, c.name, "zzz_not_a_code", "allowed"


@pytest.mark.parametrize("table,column,value,rule", list(_column_breakers()))
def test_each_column_rule_is_caught_and_named(table, column, value, rule):
    col = get_table(table).column(column)
    if rule == "required" and col.default is not None:
        # An empty value takes the declared default instead of failing.
        res = validate(frame(table, **{column: value}), table)
        assert res.ok, res.messages()
        got = res.frame[column].iloc[0]
        assert got == col.default or str(got).lower() == str(col.default).lower()
        return
    found = rules_of(frame(table, **{column: value}), table)
    assert (column, rule) in found, found
    res = validate(frame(table, **{column: value}), table)
    assert len(res.frame) == 0
    msg = " ".join(res.messages())
    assert f"{table}.{column}" in msg and "rows [0]" in msg


@pytest.mark.parametrize("table,check", sorted(CHECK_BREAKERS))
def test_each_cross_column_check_is_caught(table, check):
    found = rules_of(frame(table, **CHECK_BREAKERS[(table, check)]), table)
    assert check in {r for _c, r in found}, found


def test_every_check_has_a_breaker():
    declared = {(t.name, c.name) for t in TABLES.values() for c in t.checks}
    assert declared == set(CHECK_BREAKERS)


def test_interval_grid_and_duplicate_keys():
    df = pd.concat(
        [
            frame("acd_interval"),
            frame("acd_interval", interval_start="2026-03-04 08:45"),  # off the 30-min grid
            frame("acd_interval"),  # same key as row 0
        ],
        ignore_index=True,
    )
    res = validate(df, "acd_interval")
    got = {(r, tuple(v["first_rows"])) for r, v in zip(res.violations["rule"], res.violations.to_dict("records"))}
    assert ("grid", (1,)) in got
    assert ("duplicate_key", (2,)) in got
    assert list(res.frame.index) == [0] and len(res.frame) == 1


def test_all_violations_reported_at_once_with_counts_rows_and_values():
    rows = [dict(GOOD_ROWS["acd_interval"]) for _ in range(8)]
    for i, r in enumerate(rows):
        r["interval_start"] = f"2026-03-04 {8 + i // 2:02d}:{30 * (i % 2):02d}"
    rows[2]["offered"] = "-5"
    rows[5]["offered"] = "-1"
    rows[6]["offered"] = "-7"
    rows[3]["channel"] = "fax"
    rows[4]["sum_talk_s"] = "abc"
    res = validate(pd.DataFrame(rows), "acd_interval")
    v = res.violations.set_index(["column", "rule"])
    assert v.loc[("offered", "min"), "n_rows"] == 3
    assert v.loc[("offered", "min"), "first_rows"] == [2, 5, 6]
    assert v.loc[("offered", "min"), "first_values"] == ["-5", "-1", "-7"]
    assert v.loc[("channel", "allowed"), "first_values"] == ["fax"]
    assert v.loc[("sum_talk_s", "type"), "first_rows"] == [4]
    assert len(res.frame) == 3  # rows 2-6 are bad (5 and 6 also break answered <= offered)
    with pytest.raises(SchemaError) as exc:
        check_frame(pd.DataFrame(rows), "acd_interval")
    assert exc.value.table == "acd_interval"
    assert "acd_interval.offered must be >= 0: 3 rows violate it, first at rows [2, 5, 6]" in str(exc.value)


def test_missing_required_column_is_named():
    df = frame("acd_interval").drop(columns=["offered", "queue_id"])
    with pytest.raises(SchemaError) as exc:
        validate(df, "acd_interval")
    assert exc.value.column == "queue_id" or exc.value.column == "offered"
    assert "offered" in str(exc.value) and "queue_id" in str(exc.value)


def test_defaults_fill_absent_columns():
    df = frame("acd_interval").drop(columns=["channel", "sl_threshold_s", "sum_hold_s"])
    res = validate(df, "acd_interval")
    assert res.ok
    assert res.frame.loc[0, "channel"] == "voice"
    assert res.frame.loc[0, "sl_threshold_s"] == 20
    assert res.frame.loc[0, "sum_hold_s"] == 0


def test_typed_frames_and_other_formats_are_read():
    df = pd.DataFrame(
        {
            "agent_id": ["A1", "A2", "A3"],
            "team_id": ["T1"] * 3,
            "hire_date": pd.to_datetime(["2025-01-01", "2025/02/03", "2025-03-04"], format="mixed"),
            "tier": [1.0, 2.0, None],
            "contract_hours_week": [40, 20, 40],
        }
    )
    res = validate(df, "agent_dim")
    assert res.ok, res.messages()
    assert res.frame["tier"].tolist()[:2] == [1, 2]
    slash = pd.DataFrame({"agent_id": ["A1"], "team_id": ["T1"], "hire_date": ["2025/02/03"]})
    assert validate(slash, "agent_dim").frame.loc[0, "hire_date"] == pd.Timestamp("2025-02-03")
    frac = pd.DataFrame({"agent_id": ["A1"], "team_id": ["T1"], "hire_date": ["2025-02-03"], "tier": [1.5]})
    assert ("tier", "type") in rules_of(frac, "agent_dim")


def test_tz_aware_times_become_local():
    df = frame("agent_interval")
    df["interval_start"] = pd.to_datetime(["2026-03-04 00:30"]).tz_localize("UTC")
    res = validate(df, "agent_interval")
    assert res.ok
    assert res.frame.loc[0, "interval_start"] == pd.Timestamp("2026-03-04 08:30")


def test_input_is_not_mutated():
    df = frame("qa_item")
    before = df.copy()
    validate(df, "qa_item")
    pd.testing.assert_frame_equal(df, before)


def test_unknown_table():
    with pytest.raises(ParameterError, match="Unknown table 'acd'"):
        get_table("acd")


def test_contract_metadata_complete():
    for t in TABLES.values():
        assert t.label_zh and t.label_en and t.key
        for c in t.columns:
            assert c.label_zh and c.label_en, (t.name, c.name)
        assert t.ddl().startswith("CREATE TABLE")
    personal = {(t.name, c.name) for t in TABLES.values() for c in t.columns if c.personal}
    assert ("agent_dim", "name") in personal and ("csat_response", "customer_key") in personal
