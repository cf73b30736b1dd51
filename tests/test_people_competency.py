"""Competency model: KSAO dictionaries, Q-sort weights by hand, gap analysis, learning map."""

from __future__ import annotations

import pandas as pd
import pytest

from ccomkit.errors import ParameterError, SchemaError
from ccomkit.people.competency import (
    gap_analysis, learning_map, load_ksao, priority_courses, promotion_eligibility,
    qsort_pile_sizes, qsort_weights, weights_chart)

TOL = dict(rel=1e-12, abs=1e-12)
# Normal quantiles Φ⁻¹(1 − (r − 0.5)/n) (standard normal table; scipy.stats.norm.ppf to 16 digits)
Z4 = [1.1503493803760079, 0.31863936396437514]            # n = 4: p = 0.875, 0.625
Z8 = [1.5341205443525463, 0.887146559018876, 0.4887764111146695, 0.1573106846101707]  # n = 8


def _sort(rater, codes, piles, ranks):
    return pd.DataFrame({"rater_id": rater, "code": codes, "pile": piles, "rank": ranks})


def test_shipped_dictionaries():
    for role in ("agent", "team_leader"):
        k = load_ksao(role)
        assert set(k.category) == {"knowledge", "skill", "attitude", "other"}
        assert k.code.is_unique and (k.required_junior <= k.required_senior).all()
        assert k.label_zh.notna().all() and k.label_en.notna().all()
        m = learning_map(role)
        assert set(m.level) == {"junior", "intermediate", "senior"}
        codes = set(k.code)
        assert all(set(c.split("|")) <= codes for c in m.competency_codes)
    with pytest.raises(ParameterError, match="No KSAO dictionary 'pilot'"):
        load_ksao("pilot")


def test_learning_map_depth_and_bad_yaml(tmp_path):
    m = learning_map("agent").set_index("course_id")
    # NH05 needs NH04 which needs NH01 -> depth 2; SKL_junior one more -> 3; SKL_senior 5.
    assert m.loc["NH05_simulated_calls", "depth"] == 2
    assert m.loc["SKL_senior", "depth"] == 5
    bad = tmp_path / "x.yaml"
    bad.write_text("role: x\nitems:\n  - {code: a, category: skill, required: {junior: 1, intermediate: 1, senior: 1}}\n"
                   "courses:\n  - {course_id: A, level: junior, prerequisites: [B]}\n"
                   "  - {course_id: B, level: junior, prerequisites: [A]}\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="cycle"):
        learning_map(bad)
    bad.write_text("role: x\nitems:\n  - {code: a, category: skill, required: {junior: 3, intermediate: 2, senior: 4}}\n",
                   encoding="utf-8")
    with pytest.raises(SchemaError, match="must not decrease"):
        load_ksao(bad)


def test_pile_sizes():
    assert qsort_pile_sizes(4) == (1, 2, 1)
    assert qsort_pile_sizes(8) == (2, 4, 2)
    assert qsort_pile_sizes(70) == (18, 34, 18)  # 17.5 + 0.5 -> 18
    with pytest.raises(ParameterError):
        qsort_pile_sizes(1)


def test_qsort_four_items_by_hand():
    # n = 4, ranks 1..4: z = [1.15035, 0.31864, -0.31864, -1.15035] (symmetric, Σz = 0).
    # Shift: s = z - z_min + 1 = z + 1.15035 + 1; Σs = 4 (1 + 1.15035) = 8.60140.
    # Weights = s / Σs = [0.38374, 0.28704, 0.21296, 0.11626].
    z1, z2 = Z4
    total = 4 * (1 + z1)
    expect = [(2 * z1 + 1) / total, (z2 + z1 + 1) / total, (-z2 + z1 + 1) / total, 1 / total]
    s = _sort("R1", ["d", "b", "c", "a"], ["unimportant", "important", "neutral", "neutral"], [4, 1, 3, 2])
    out = qsort_weights(s)
    assert out["code"].tolist() == ["b", "a", "c", "d"]
    assert out["weight"].tolist() == pytest.approx(expect, **TOL)
    assert out["weight"].sum() == pytest.approx(1, **TOL)
    assert out["rank_order"].tolist() == [1, 2, 3, 4]
    assert out["n_raters"].tolist() == [1] * 4 and out["weight_sd"].isna().all()
    long = qsort_weights(s, by_rater=True)
    assert long.set_index("code").loc["b", "z"] == pytest.approx(z1, **TOL)
    # a different floor: s = z + z1 + 0.5
    half = qsort_weights(s, floor_sd=0.5).set_index("code")["weight"]
    assert half["d"] == pytest.approx(0.5 / (4 * (0.5 + z1)), **TOL)


def test_qsort_eight_items_two_raters_by_hand():
    # n = 8, piles 2/4/2. R1 ranks a..h as 1..8; R2 swaps a<->b and g<->h (within piles).
    # Rater weight of rank r: w_r = (z_r + z1 + 1) / (8 (1 + z1)), z_{9-r} = -z_r.
    z = Z8 + [-v for v in reversed(Z8)]
    D = 8 * (1 + Z8[0])
    w = [(zr + Z8[0] + 1) / D for zr in z]
    codes = list("abcdefgh")
    piles = ["important"] * 2 + ["neutral"] * 4 + ["unimportant"] * 2
    r1 = _sort("R1", codes, piles, [1, 2, 3, 4, 5, 6, 7, 8])
    r2 = _sort("R2", codes, piles, [2, 1, 3, 4, 5, 6, 8, 7])
    out = qsort_weights(pd.concat([r1, r2])).set_index("code")
    assert out.loc["a", "weight"] == pytest.approx((w[0] + w[1]) / 2, **TOL)
    assert out.loc["b", "weight"] == pytest.approx((w[0] + w[1]) / 2, **TOL)
    assert out.loc["c", "weight"] == pytest.approx(w[2], **TOL)
    assert out.loc["f", "weight"] == pytest.approx(w[5], **TOL)
    assert out.loc["g", "weight"] == pytest.approx((w[6] + w[7]) / 2, **TOL)
    assert out["weight"].sum() == pytest.approx(1, **TOL)
    assert out.loc["a", "mean_rank"] == 1.5 and out.loc["c", "weight_sd"] == 0
    assert out.loc["a", "weight_sd"] == pytest.approx(abs(w[0] - w[1]) / 2 ** 0.5, **TOL)


def test_qsort_bad_input():
    codes = list("abcd")
    ok_piles = ["important", "neutral", "neutral", "unimportant"]
    with pytest.raises(SchemaError, match=r"pile sizes of rater 'R1' must be \{'important': 1, 'neutral': 2"):
        qsort_weights(_sort("R1", codes, ["important", "important", "neutral", "unimportant"], [1, 2, 3, 4]))
    with pytest.raises(SchemaError, match="repeats rank 2"):
        qsort_weights(_sort("R1", codes, ok_piles, [1, 2, 2, 4]))
    with pytest.raises(SchemaError, match=r"rank must run 1..4"):
        qsort_weights(_sort("R1", codes, ok_piles, [0, 1, 2, 3]))
    with pytest.raises(SchemaError, match="ranks must follow the piles"):
        qsort_weights(_sort("R1", codes, ["neutral", "important", "neutral", "unimportant"], [1, 2, 3, 4]))
    with pytest.raises(SchemaError, match="pile must be one of"):
        qsort_weights(_sort("R1", codes, ["vital", "neutral", "neutral", "unimportant"], [1, 2, 3, 4]))
    with pytest.raises(SchemaError, match="each rater sorts each item once"):
        qsort_weights(_sort("R1", list("abca"), ok_piles, [1, 2, 3, 4]))
    two = pd.concat([_sort("R1", codes, ok_piles, [1, 2, 3, 4]),
                     _sort("R2", list("abce"), ok_piles, [1, 2, 3, 4])])
    with pytest.raises(SchemaError, match="different item set"):
        qsort_weights(two)
    with pytest.raises(SchemaError, match="missing column rank"):
        qsort_weights(pd.DataFrame({"rater_id": [], "code": [], "pile": []}))
    with pytest.raises(ParameterError, match="pile_sizes"):
        qsort_weights(_sort("R1", codes, ok_piles, [1, 2, 3, 4]), pile_sizes=(1, 1, 1))
    # custom pile sizes are honoured
    out = qsort_weights(_sort("R1", codes, ["important", "important", "neutral", "unimportant"],
                              [1, 2, 3, 4]), pile_sizes=(2, 1, 1))
    assert len(out) == 4


KSAO = pd.DataFrame({"code": ["x", "y", "z"], "category": ["skill", "knowledge", "attitude"],
                     "required_junior": [2, 2, 1], "required_intermediate": [3, 3, 2],
                     "required_senior": [4, 4, 3]})
W = pd.DataFrame({"code": ["x", "y", "z"], "weight": [0.5, 0.3, 0.2]})


def test_gap_analysis_by_hand():
    a = pd.DataFrame({"agent_id": ["A1"] * 3 + ["A2"] * 2, "level": ["intermediate"] * 3 + ["junior"] * 2,
                      "code": ["x", "y", "z", "x", "y"], "assessed_level": [1, 2, 3, 2, 1]})
    before = a.copy()
    g = gap_analysis(a, KSAO, W)
    pd.testing.assert_frame_equal(a, before)
    # A1 (intermediate): x 3-1 = 2 -> 0.5*2 = 1.0; y 3-2 = 1 -> 0.3; z 2-3 < 0 -> 0.
    # A2 (junior): x 2-2 = 0; y 2-1 = 1 -> 0.3.
    assert g["required_level"].tolist() == [3, 3, 2, 2, 2]
    assert g["gap"].tolist() == [2, 1, 0, 0, 1]
    assert g["weighted_gap"].tolist() == pytest.approx([1.0, 0.3, 0.0, 0.0, 0.3], **TOL)
    assert g["meets"].tolist() == [False, False, True, True, False]
    assert g["priority"].tolist() == [1, 2, pd.NA, pd.NA, 1]
    eq = gap_analysis(a, KSAO)  # equal weights 1/3
    assert eq["weighted_gap"].tolist() == pytest.approx([2 / 3, 1 / 3, 0, 0, 1 / 3], **TOL)
    courses = pd.DataFrame({"course_id": ["C1", "C2", "C3"], "level": ["junior", "intermediate", "senior"],
                            "competency_codes": ["y", "x|y", "x"]})
    pc = priority_courses(g, courses)
    # A1 may take junior and intermediate courses: C2 covers x+y = 1.3, C1 covers y = 0.3.
    # A2 (junior) only C1: 0.3.
    assert pc[["agent_id", "course_id", "covers"]].values.tolist() == [
        ["A1", "C2", "x|y"], ["A1", "C1", "y"], ["A2", "C1", "y"]]
    assert pc["covered_weighted_gap"].tolist() == pytest.approx([1.3, 0.3, 0.3], **TOL)
    assert priority_courses(g, courses, top=1)["course_id"].tolist() == ["C2", "C1"]


def test_gap_analysis_bad_input():
    a = pd.DataFrame({"agent_id": ["A1"], "level": ["expert"], "code": ["x"], "assessed_level": [1]})
    with pytest.raises(SchemaError, match="assessment.level must be one of"):
        gap_analysis(a, KSAO)
    with pytest.raises(SchemaError, match="KSAO dictionary"):
        gap_analysis(a.assign(level="junior", code="q"), KSAO)
    with pytest.raises(SchemaError, match="assessed_level must be a number >= 0"):
        gap_analysis(a.assign(level="junior", assessed_level=-1), KSAO)
    with pytest.raises(SchemaError, match="no weight"):
        gap_analysis(a.assign(level="junior"), KSAO, W.iloc[1:])
    with pytest.raises(SchemaError, match="missing column assessed_level"):
        gap_analysis(a.drop(columns="assessed_level"), KSAO)


def test_promotion_eligibility_by_hand():
    courses = pd.DataFrame({"course_id": ["J1", "J2", "I1", "S1"],
                            "level": ["junior", "junior", "intermediate", "senior"]})
    levels = pd.DataFrame({"agent_id": ["A", "B", "C", "D", "E"],
                           "level": ["junior", "junior", "intermediate", "senior", "junior"],
                           "capable": [True, True, True, True, False]})
    tr = pd.DataFrame({"agent_id": ["A", "A", "B", "B", "C", "D", "E", "E"],
                       "course_id": ["J1", "J2", "J1", "J2", "I1", "S1", "J1", "J2"],
                       "pass_flag": [True, None, True, False, True, True, True, True]})
    out = promotion_eligibility(levels, tr, courses)
    # A: both junior courses (J2 attendance-only) -> eligible. B failed J2 -> missing J2.
    # C: I1 done -> eligible to senior. D: senior, no next level. E: trained but not capable.
    assert out["courses_missing"].tolist() == ["", "J2", "", "", ""]
    assert out["next_level"].fillna("-").tolist() == ["intermediate", "intermediate", "senior", "-", "intermediate"]
    assert out["eligible"].tolist() == [True, False, True, False, False]
    loose = promotion_eligibility(levels.drop(columns="capable"), tr, courses, require_pass=False)
    assert loose["eligible"].tolist() == [True, True, True, False, True]
    assert loose["capable"].isna().all()


def test_promotion_on_demo_and_chart():
    from ccomkit.demo import generate

    d = generate(seats=40, years=1)
    ad = d["agent_dim"]
    lv = ad.loc[ad["level"].isin(["junior", "intermediate", "senior"]) & (ad["role"] == "agent"),
                ["agent_id", "level"]]
    out = promotion_eligibility(lv, d["training_record"], learning_map("agent"))
    assert len(out) == len(lv) and out["courses_required"].gt(0).all()
    assert (out["courses_done"] <= out["courses_required"]).all()
    w = qsort_weights(_sort("R1", list("abcd"), ["important", "neutral", "neutral", "unimportant"],
                            [1, 2, 3, 4]))
    assert weights_chart(w, load_ksao()).to_dict()["title"].startswith("胜任力权重")
