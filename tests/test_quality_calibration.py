"""Evaluator calibration: deviation from consensus, item agreement, widest spread."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import pytest

from ccomkit.demo import generate
from ccomkit.errors import ParameterError, SchemaError
from ccomkit.quality import calibration as C


@pytest.fixture(scope="module")
def demo() -> dict[str, pd.DataFrame]:
    return generate(seats=40, years=1)


def _fixture() -> tuple[pd.DataFrame, pd.DataFrame]:
    # session S1: calls C1 and C2 scored by Q1, Q2, Q3; call C3 by Q1 only (left out);
    # one regular evaluation (not calibration) that must be ignored
    ev = pd.DataFrame({
        "eval_id": ["E1", "E2", "E3", "E4", "E5", "E6", "E7", "R1"],
        "evaluator_id": ["Q1", "Q2", "Q3", "Q1", "Q2", "Q3", "Q1", "Q2"],
        "total_score": [80.0, 84, 90, 70, 76, 78, 50, 10],
        "is_calibration": [True] * 7 + [False],
        "calibration_session_id": ["S1"] * 7 + [None],
        "call_id": ["C1"] * 3 + ["C2"] * 3 + ["C3", "C1"],
    })
    it = pd.DataFrame({
        "eval_id": ["E1", "E2", "E3", "E4", "E5", "E6", "E1", "E2", "E3", "E4", "E5"],
        "item_code": ["A1_tone"] * 6 + ["C1_correct_information"] * 5,
        # A1: C1 call 0, 0, 7 → median 0; C2 call 3, 3, 3 → median 3
        # C1: C1 call 15, 10, 0 → median 10; C2 call rated by E4, E5 only: 0, 12 → median 6
        "deducted_points": [0.0, 0, 7, 3, 3, 3, 15, 10, 0, 0, 12],
    })
    return ev, it


def test_calibration_scores_median_and_mean() -> None:
    ev, _ = _fixture()
    out = C.calibration_scores(ev)
    assert out.eval_id.tolist() == ["E1", "E2", "E3", "E4", "E5", "E6"]  # C3 and R1 out
    # C1: median of 80, 84, 90 = 84 → −4, 0, +6; C2: median of 70, 76, 78 = 76 → −6, 0, +2
    assert out.deviation.tolist() == [-4.0, 0.0, 6.0, -6.0, 0.0, 2.0]
    mean = C.calibration_scores(ev, consensus="mean")
    # C1 mean (80 + 84 + 90)/3 = 84.667; C2 (70 + 76 + 78)/3 = 74.667
    assert np.allclose(mean.consensus_score, [84 + 2 / 3] * 3 + [74 + 2 / 3] * 3)
    with pytest.raises(ParameterError, match="consensus"):
        C.calibration_scores(ev, consensus="mode")  # type: ignore[arg-type]


def test_evaluator_mad_against_target() -> None:
    ev, _ = _fixture()
    out = C.evaluator_calibration(ev, target_mad_points=3).set_index("evaluator_id")
    # Q1: |−4|, |−6| → MAD 5, bias −5 (harsh); Q3: 6, 2 → MAD 4, bias +4; Q2: 0
    assert out.loc["Q1", "mad"] == 5.0 and out.loc["Q1", "mean_deviation"] == -5.0
    assert out.loc["Q3", "mad"] == 4.0 and out.loc["Q3", "mean_deviation"] == 4.0
    assert out.loc["Q2", "mad"] == 0.0 and out.loc["Q2", "within_target"]
    assert not out.loc["Q1", "within_target"] and out.loc["Q1", "n_calls"] == 2
    assert list(out.index) == ["Q1", "Q3", "Q2"]  # worst first
    assert out.loc["Q1", "max_abs_deviation"] == 6.0


def test_item_agreement_and_spread() -> None:
    ev, it = _fixture()
    out = C.item_agreement(ev, it).set_index("item_code")
    # A1: ratings agreeing with the call median: C1 call 2 of 3, C2 call 3 of 3 → 5/6
    assert out.loc["A1_tone", "agreement_rate"] == pytest.approx(5 / 6)
    assert not out.loc["A1_tone", "meets_target"]  # 0.833 < 0.85
    # A1 spreads 7 and 0 → mean 3.5, max 7
    assert out.loc["A1_tone", "mean_spread"] == 3.5 and out.loc["A1_tone", "max_spread"] == 7
    # C1: call C1 10 agrees (1 of 3), call C2 0 vs 6 and 12 vs 6 → 0 of 2 → 1/5
    assert out.loc["C1_correct_information", "agreement_rate"] == pytest.approx(0.2)
    # spreads 15 and 12 → flagged (> 10)
    assert out.loc["C1_correct_information", "max_spread"] == 15.0
    assert out.loc["C1_correct_information", "wide_spread"]
    assert out.index[0] == "C1_correct_information"  # widest first
    # with a 5-point tolerance C1 call C1: |15−10|, 0, |0−10| → 2 of 3; call C2: 6, 6 → 0 → 2/5
    tol = C.item_agreement(ev, it, tolerance_points=5).set_index("item_code")
    assert tol.loc["C1_correct_information", "agreement_rate"] == pytest.approx(0.4)


def test_call_spread_and_session_summary() -> None:
    ev, it = _fixture()
    cs = C.call_spread(ev)
    # C1: 90 − 80 = 10 (not > 10); C2: 78 − 70 = 8
    assert cs.spread.tolist() == [10.0, 8.0] and not cs.wide_spread.any()
    ss = C.session_summary(ev, it)
    # MAD over all 6 ratings: (4 + 0 + 6 + 6 + 0 + 2)/6 = 3
    assert ss.mad.tolist() == [3.0] and ss.mad_ok.tolist() == [True]
    # pooled item agreement: (5 + 1)/(6 + 5) = 6/11
    assert ss.item_agreement.iloc[0] == pytest.approx(6 / 11)
    assert ss.n_calls.iloc[0] == 2 and ss.n_evaluators.iloc[0] == 3


def test_calibration_errors_and_chart() -> None:
    ev, _ = _fixture()
    bad = ev.copy()
    bad.loc[0, "call_id"] = None
    with pytest.raises(SchemaError, match="E1"):
        C.calibration_scores(bad)
    with pytest.raises(SchemaError, match="calibration_session_id"):
        C.calibration_scores(ev.drop(columns="calibration_session_id"))
    with pytest.raises(ParameterError, match="target_frac"):
        C.item_agreement(ev, _fixture()[1], target_frac=85)
    assert isinstance(C.calibration_chart(C.evaluator_calibration(ev)), alt.LayerChart)


def test_calibration_on_demo(demo: dict[str, pd.DataFrame]) -> None:
    ev, it = demo["qa_evaluation"], demo["qa_item"]
    evc = C.evaluator_calibration(ev)
    assert len(evc) >= 2 and (evc.mad >= 0).all()
    ia = C.item_agreement(ev, it)
    assert len(ia) >= 13 and ia.agreement_rate.between(0, 1).all()
    ss = C.session_summary(ev, it)
    assert ss.calibration_session_id.notna().all() and len(ss) >= 12
