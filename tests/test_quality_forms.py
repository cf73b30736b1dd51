"""QA forms and scoring: forms as YAML, scores from qa_item rows, re-scores, agent intervals,
sampling plan. Expected values are computed by hand in the comments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ccomkit.demo import generate
from ccomkit.errors import ParameterError, SchemaError
from ccomkit.quality.forms import form_from_dict, load_form
from ccomkit.quality.qa import (
    SamplingParams,
    agent_scores,
    latest_evaluations,
    reconcile_scores,
    sampling_plan,
    score_evaluations,
    t_interval,
    tenure_band,
)


@pytest.fixture(scope="module")
def demo() -> dict[str, pd.DataFrame]:
    return generate(seats=40, years=1)


def _mini_spec(**over: object) -> dict:
    spec = {"form_id": "mini", "form_version": "v1", "label_zh": "迷你", "label_en": "mini",
            "pass_mark": 80,
            "sections": [
                {"code": "language", "items": [{"code": "L1", "max_points": 10,
                                                "rules": [{"zh": "a", "en": "a", "points": 4}]}]},
                {"code": "accuracy", "items": [{"code": "C1", "max_points": 90}]}],
            "fatal_items": [{"code": "F1", "fatal_type": "compliance"},
                            {"code": "F2", "fatal_type": "customer"}]}
    spec.update(over)
    return spec


# ---- forms ---------------------------------------------------------------------------------

def test_default_form_matches_demo_items(demo: dict[str, pd.DataFrame]) -> None:
    form = load_form("default")
    fr = form.to_frame()
    # section maxima 15 / 20 / 25 / 40 (DOMAIN §4.2) add up to the 100-point base
    assert fr[~fr.is_fatal].groupby("section").max_points.sum().to_dict() == {
        "language": 15.0, "attitude": 20.0, "skill": 25.0, "accuracy": 40.0}
    assert set(fr[fr.is_fatal].fatal_type) == {"customer", "business", "compliance"}
    assert set(demo["qa_item"].item_code) <= set(form.item_codes)
    # every demo max_points equals the form's
    m = demo["qa_item"].drop_duplicates("item_code").set_index("item_code").max_points
    assert (fr.set_index("item_code").max_points.reindex(m.index) == m).all()


def test_form_from_path(tmp_path) -> None:
    import yaml

    p = tmp_path / "mini.yaml"
    p.write_text(yaml.safe_dump(_mini_spec(), allow_unicode=True), encoding="utf-8")
    form = load_form(p)
    assert form.item_codes == ("L1", "C1", "F1", "F2")
    assert form.item("F2").fatal_type == "customer"


@pytest.mark.parametrize("over, word", [
    ({"sections": [{"code": "language", "items": [{"code": "L1", "max_points": 50}]}]},
     "add up to base_points"),
    ({"sections": [{"code": "tone", "items": [{"code": "L1", "max_points": 100}]}]}, "section"),
    ({"fatal_items": [{"code": "F1", "fatal_type": "legal"}]}, "fatal_type"),
    ({"sections": [{"code": "language", "items": [
        {"code": "L1", "max_points": 100, "rules": [{"points": 120}]}]}]}, "max_points"),
    ({"fatal_items": [{"code": "L1", "fatal_type": "customer"}]}, "unique"),
])
def test_bad_forms_raise(over: dict, word: str) -> None:
    with pytest.raises(ParameterError, match=word):
        form_from_dict(_mini_spec(**over))


def test_unknown_shipped_form() -> None:
    with pytest.raises(ParameterError, match="shipped form"):
        load_form("nope")


# ---- scoring -------------------------------------------------------------------------------

def test_score_fatal_missing_and_zero() -> None:
    form = form_from_dict(_mini_spec())
    items = pd.DataFrame({
        "eval_id": ["E1", "E1", "E2", "E2", "E2", "E3", "E4", "E4"],
        "item_code": ["L1", "C1", "L1", "C1", "F1", "C1", "L1", "F2"],
        "deducted_points": [4.0, 30.0, 0.0, 0.0, 100.0, 0.0, 2.0, 0.0],
        "is_fatal": [False, False, False, False, True, False, False, True],
    })
    out = score_evaluations(items, form).set_index("eval_id")
    # E1: 100 − (4 + 30) = 66, both items assessed
    assert out.loc["E1", "score"] == 66.0 and out.loc["E1", "complete"]
    # E2: no deduction but F1 triggered → 0, type compliance
    assert out.loc["E2", "score"] == 0.0 and out.loc["E2", "fatal_type"] == "compliance"
    # E3: only C1 assessed, no deduction → 100 with one item missing (not a zero deduction)
    assert out.loc["E3", "score"] == 100.0 and out.loc["E3", "n_items_missing"] == 1
    assert not out.loc["E3", "complete"]
    # E4: F2 row with is_fatal true (deduction 0) still zeroes: customer; L1 deduction 2 kept
    assert out.loc["E4", "score"] == 0.0 and out.loc["E4", "fatal_type"] == "customer"
    assert out.loc["E4", "deducted_language"] == 2.0


def test_score_nothing_assessed_is_nan() -> None:
    form = form_from_dict(_mini_spec())
    # only a fatal row, not triggered (0 points, is_fatal false): nothing was scored
    out = score_evaluations(pd.DataFrame({"eval_id": ["E1"], "item_code": ["F1"],
                                          "deducted_points": [0.0]}), form)
    assert np.isnan(out.score[0]) and out.n_items_assessed[0] == 0


def test_score_errors_name_eval_and_item() -> None:
    bad_code = pd.DataFrame({"eval_id": ["E1", "E9"], "item_code": ["A1_tone", "Z9_unknown"],
                             "deducted_points": [1.0, 1.0]})
    with pytest.raises(SchemaError, match=r"item_code.*'Z9_unknown'.*eval_id='E9'") as ei:
        score_evaluations(bad_code)
    assert ei.value.column == "item_code" and ei.value.rows == [1]
    too_much = pd.DataFrame({"eval_id": ["E7"], "item_code": ["A1_tone"],
                             "deducted_points": [8.0]})  # A1_tone max is 7
    with pytest.raises(SchemaError, match=r"eval_id='E7', item_code='A1_tone'.*max 7"):
        score_evaluations(too_much)
    neg = too_much.assign(deducted_points=[-1.0])
    with pytest.raises(SchemaError, match="deducted_points"):
        score_evaluations(neg)
    dup = pd.DataFrame({"eval_id": ["E1", "E1"], "item_code": ["A1_tone"] * 2,
                        "deducted_points": [1.0, 2.0]})
    with pytest.raises(SchemaError, match="duplicate"):
        score_evaluations(dup)
    with pytest.raises(SchemaError, match="deducted_points"):
        score_evaluations(dup.drop(columns="deducted_points"))


def test_score_matches_demo_and_does_not_mutate(demo: dict[str, pd.DataFrame]) -> None:
    items = demo["qa_item"]
    before = items.copy()
    out = score_evaluations(items)
    pd.testing.assert_frame_equal(items, before)
    m = demo["qa_evaluation"].merge(out, on="eval_id", suffixes=("", "_calc"))
    assert len(m) == len(demo["qa_evaluation"])
    assert np.allclose(m.total_score, m.score)
    assert (m.fatal_flag.astype(bool) == m.fatal_flag_calc).all()
    assert m.complete.all()


# ---- re-scored evaluations -----------------------------------------------------------------

def test_latest_evaluation_replaces_earlier() -> None:
    ev = pd.DataFrame({
        "eval_id": ["E1", "E2", "E3", "E4", "E5", "E6", "E7"],
        "call_id": ["C1", "C1", "C1", "C2", None, "C3", "C3"],
        "agent_id": ["A"] * 7,
        "eval_date": pd.to_datetime(["2026-03-01", "2026-03-05", "2026-03-05", "2026-03-02",
                                     "2026-03-02", "2026-03-09", "2026-03-09"]),
        "is_calibration": [False, False, False, False, False, True, True],
    })
    out = latest_evaluations(ev)
    # C1: E2 and E3 share the latest date → greatest eval_id E3 wins; E5 (no call) kept;
    # calibration E6/E7 are never re-scores
    assert out.eval_id.tolist() == ["E3", "E4", "E5", "E6", "E7"]
    assert out.n_versions.tolist() == [3, 1, 1, 1, 1]
    assert len(ev) == 7  # input untouched


# ---- agent scores --------------------------------------------------------------------------

def test_t_interval_agrees_with_scipy() -> None:
    x = np.array([70.0, 85, 90, 95, 100, 0])
    lo, hi = t_interval(np.array([x.mean()]), np.array([x.std(ddof=1)]), np.array([len(x)]))
    ref = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    assert np.allclose([lo[0], hi[0]], ref)


def test_agent_scores_ranks_only_separable_agents() -> None:
    ev = pd.DataFrame({
        "agent_id": list("AAABBBCCCD"),
        "total_score": [90.0, 92, 94, 60, 62, 64, 61, 63, 65, 50],
        "fatal_flag": [False] * 10,
        "is_calibration": [False] * 9 + [True],  # D only has a calibration sample: left out
    })
    out = agent_scores(ev, pass_mark=80).set_index("agent_id")
    assert list(out.index) == ["A", "C", "B"]
    # A: mean 92, sd 2, half-width t(.975, 2)·2/√3 = 4.3027·1.1547 = 4.968
    assert out.loc["A", "ci_low"] == pytest.approx(92 - 4.968, abs=1e-3)
    assert out.loc["A", "pass_rate"] == 1.0 and out.loc["B", "pass_rate"] == 0.0
    assert out.loc["A", "rank"] == 1 and not out.loc["A", "cannot_rank"]
    # B [57.03, 66.97] and C [58.03, 67.97] overlap → same group, no rank
    assert out.loc["B", "cannot_rank"] and out.loc["C", "cannot_rank"]
    assert out.loc["B", "rank_group"] == out.loc["C", "rank_group"] == 2
    assert pd.isna(out.loc["B", "rank"])
    # centre = (92·3 + 62·3 + 63·3)/9 = 72.33: A above, B and C below (upper ends 66.97, 67.97)
    assert out.vs_center.to_dict() == {"A": "above", "C": "below", "B": "below"}


def test_agent_scores_single_evaluation_cannot_rank() -> None:
    ev = pd.DataFrame({"agent_id": ["A", "A", "B"], "total_score": [90.0, 91, 40],
                       "fatal_flag": [False] * 3})
    out = agent_scores(ev).set_index("agent_id")
    assert out.loc["B", "cannot_rank"] and np.isnan(out.loc["B", "ci_low"])
    assert not out.loc["A", "cannot_rank"]
    with pytest.raises(ParameterError, match="level"):
        agent_scores(ev, level=95)


def test_tenure_band_edges() -> None:
    assert tenure_band(np.array([0, 89, 90, 181, 182, 364, 365, 729, 730, np.nan])).tolist() == [
        "0-3m", "0-3m", "3-6m", "3-6m", "6-12m", "6-12m", "1-2y", "1-2y", "2y+", None]


# ---- sampling plan -------------------------------------------------------------------------

def test_sampling_plan_by_tenure_and_risk() -> None:
    ag = pd.DataFrame({"agent_id": ["N", "T", "R", "L", "Q"], "team_id": ["T1"] * 5,
                       "hire_date": pd.to_datetime(["2026-03-01", "2025-01-01", "2024-01-01",
                                                    "2024-01-01", "2024-01-01"]),
                       "leave_date": pd.to_datetime([None, None, None, "2026-03-15", None]),
                       "role": ["agent", "agent", "agent", "agent", "qa"]})
    ev = pd.DataFrame({"agent_id": ["R", "R", "R", "T"],
                       "call_date": pd.to_datetime(["2026-03-01", "2026-03-20", "2025-06-01",
                                                    "2026-03-10"]),
                       "fatal_flag": [True, True, True, False]})
    comp = pd.DataFrame({"agent_id": ["T", "T"], "valid_flag": [True, False],
                         "received_at": pd.to_datetime(["2026-03-05", "2026-03-06"])})
    out = sampling_plan(ag, "2026-04-01", ev, comp).set_index("agent_id")
    assert list(out.index) == ["N", "T", "R"]  # L has left, Q is not an agent
    # N: tenure 31 days < 90 → 12
    assert out.loc["N", "planned_per_month"] == 12
    # T: tenured 6 + 1 valid complaint × 2 = 8
    assert out.loc["T", "planned_per_month"] == 8
    # R: 2 fatal errors in the last 90 days × 3 = 6 (the 2025 one is outside) → 6 + 6 = 12
    assert out.loc["R", "n_fatal"] == 2 and out.loc["R", "planned_per_month"] == 12
    assert out.loc["R", "planned_per_week"] == pytest.approx(12 * 12 / 52)
    capped = sampling_plan(ag, "2026-04-01", ev, comp, SamplingParams(max_uplift=4))
    assert capped.set_index("agent_id").loc["R", "risk_uplift"] == 4
    with pytest.raises(ParameterError, match="per_fatal"):
        SamplingParams(per_fatal=-1)


def test_sampling_plan_on_demo(demo: dict[str, pd.DataFrame]) -> None:
    out = sampling_plan(demo["agent_dim"], "2026-10-31", demo["qa_evaluation"],
                        demo["complaint"])
    assert len(out) > 0 and (out.planned_per_month >= 6).all()
    assert set(out.tenure_band) <= {"new", "tenured"}


def test_reconcile_scores_statuses(demo: dict[str, pd.DataFrame]) -> None:
    ev = pd.DataFrame({"eval_id": ["E1", "E2", "E3", "E4", "E5"],
                       "total_score": [91.0, 0.0, 100.0, 90.0, 70.0],
                       "fatal_flag": [False, False, False, False, False]})
    it = pd.DataFrame({
        "eval_id": ["E1", "E1", "E2", "E3", "E4", "X9"],
        "item_code": ["L1_greeting_closing", "A1_tone", "F1_customer_abuse_or_false_promise",
                      "F2_business_loss_wrong_operation", "C1_correct_information", "A1_tone"],
        "deducted_points": [2.0, 7.0, 100.0, 0.0, 10.0, 1.0]})
    out = reconcile_scores(ev, it).set_index("eval_id")
    # E1: 100 − 9 = 91 ok; E2: a triggered fatal row but fatal_flag false; E3: only an
    # un-triggered fatal row; E4: 100 − 10 = 90 ok; E5: no rows. X9 is not an evaluation here.
    assert out.status.to_dict() == {"E1": "ok", "E2": "fatal_mismatch", "E3": "not_assessed",
                                    "E4": "ok", "E5": "no_items"}
    assert out.loc["E4", "n_items_missing"] == 12
    full = reconcile_scores(demo["qa_evaluation"], demo["qa_item"])
    assert (full.status == "ok").all()
