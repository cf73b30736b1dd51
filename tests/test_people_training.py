"""Training evaluation L1/L2: hand-computed fixtures, scipy references and the demo."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ccomkit.errors import ParameterError, SchemaError
from ccomkit.people.training import evaluation_chart, learning_summary, reaction_summary

T_975_2 = 4.302652729749464  # Student t, 0.975 quantile, 2 degrees of freedom (t table: 4.303)


def test_reaction_summary_by_hand():
    tr = pd.DataFrame({"course_id": ["C1", "C1", "C1", "C2", "C2"], "l1_score": [4, 5, 3, 5, None]})
    before = tr.copy()
    out = reaction_summary(tr)
    pd.testing.assert_frame_equal(tr, before)
    c1 = out.iloc[0]
    # C1: mean (4+5+3)/3 = 4, sd sqrt(((0)^2+1+1)/2) = 1, half-width 4.3027 * 1/sqrt(3) = 2.4841
    assert c1["n_responses"] == 3 and c1["l1_mean"] == 4 and c1["l1_sd"] == 1
    assert c1["l1_lo"] == pytest.approx(4 - T_975_2 / math.sqrt(3), abs=1e-12)
    assert c1["l1_hi"] == pytest.approx(4 + T_975_2 / math.sqrt(3), abs=1e-12)
    assert c1["favourable_frac"] == pytest.approx(2 / 3)  # 4 and 5 are >= 4
    c2 = out.iloc[1]  # one response (the empty one is not counted): no interval
    assert c2["n_responses"] == 1 and math.isnan(c2["l1_lo"])


def test_learning_summary_matches_scipy():
    rng = np.random.default_rng(7)
    pre = np.round(rng.uniform(30, 70, 25), 1)
    post = np.round(np.clip(pre + rng.normal(8, 6, 25), 0, 100), 1)
    tr = pd.DataFrame({"course_id": "C", "l2_pre": pre, "l2_post": post, "pass_flag": post >= 60})
    out = learning_summary(tr).iloc[0]
    ref = stats.ttest_rel(post, pre)
    d = post - pre
    assert out["t_stat"] == pytest.approx(ref.statistic, abs=1e-9)
    assert out["p_value"] == pytest.approx(ref.pvalue, abs=1e-9)
    assert out["d_z"] == pytest.approx(d.mean() / d.std(ddof=1), abs=1e-9)
    # d_z = t / sqrt(n) for paired data
    assert out["d_z"] == pytest.approx(ref.statistic / 5, abs=1e-9)
    ci = ref.confidence_interval(0.95)
    assert out["gain_lo"] == pytest.approx(ci.low, abs=1e-9)
    assert out["gain_hi"] == pytest.approx(ci.high, abs=1e-9)
    assert out["pass_rate"] == pytest.approx((post >= 60).mean(), abs=1e-12)
    one = learning_summary(tr, alternative="greater").iloc[0]
    assert one["p_value"] == pytest.approx(stats.ttest_rel(post, pre, alternative="greater").pvalue,
                                           abs=1e-9)


def test_learning_summary_by_hand():
    # C1: pre 50, 60, 70; post 60, 80, 80 -> d = 10, 20, 10; mean 13.333, sd sqrt(((−3.33)^2 +
    # 6.67^2 + 3.33^2)/2) = sqrt(33.33) = 5.7735; t = 13.333 / (5.7735/sqrt 3) = 4.0;
    # d_z = 13.333 / 5.7735 = 2.3094; pass: 2 of 3 with a flag.
    # C2: one pair only -> no test; pass_score 75 -> post 90 passes, the row without a pre-test
    # (post 70) counts for the pass rate only -> 1 of 2.
    tr = pd.DataFrame({"course_id": ["C1"] * 3 + ["C2"] * 2, "l2_pre": [50, 60, 70, 40, None],
                       "l2_post": [60, 80, 80, 90, 70], "pass_flag": [False, True, True, True, None]})
    out = learning_summary(tr).set_index("course_id")
    assert out.loc["C1", "n_pairs"] == 3
    assert out.loc["C1", "gain_mean"] == pytest.approx(40 / 3, abs=1e-12)
    assert out.loc["C1", "gain_sd"] == pytest.approx(math.sqrt(100 / 3), abs=1e-12)
    assert out.loc["C1", "t_stat"] == pytest.approx(4.0, abs=1e-12)
    assert out.loc["C1", "d_z"] == pytest.approx(4 / math.sqrt(3), abs=1e-12)
    assert out.loc["C1", "pass_rate"] == pytest.approx(2 / 3, abs=1e-12)
    assert out.loc["C1", "pre_mean"] == 60 and out.loc["C1", "post_mean"] == pytest.approx(220 / 3)
    assert out.loc["C2", "n_pairs"] == 1 and math.isnan(out.loc["C2", "t_stat"])
    assert out.loc["C2", "n_pass_known"] == 1 and out.loc["C2", "pass_rate"] == 1.0
    by_score = learning_summary(tr, pass_score=75).set_index("course_id")
    assert by_score.loc["C2", "pass_rate"] == 0.5 and by_score.loc["C1", "pass_rate"] == pytest.approx(2 / 3)
    same = learning_summary(pd.DataFrame({"course_id": "C", "l2_pre": [50, 60], "l2_post": [55, 65],
                                          "pass_flag": [True, True]})).iloc[0]
    assert same["gain_sd"] == 0 and math.isnan(same["d_z"]) and math.isnan(same["t_stat"])


def test_bad_input():
    with pytest.raises(SchemaError, match=r"training_record.l1_score must be a number in \[1, 5\]: 1 row"):
        reaction_summary(pd.DataFrame({"course_id": ["C"], "l1_score": [6]}))
    with pytest.raises(SchemaError, match="l2_post must be a number in"):
        learning_summary(pd.DataFrame({"course_id": ["C"], "l2_pre": [1], "l2_post": [101],
                                       "pass_flag": [True]}))
    with pytest.raises(SchemaError, match="missing column l1_score"):
        reaction_summary(pd.DataFrame({"course_id": ["C"]}))
    with pytest.raises(SchemaError, match="missing column pass_flag"):
        learning_summary(pd.DataFrame({"course_id": ["C"], "l2_pre": [1], "l2_post": [2]}))
    with pytest.raises(ParameterError, match="confidence"):
        reaction_summary(pd.DataFrame({"course_id": ["C"], "l1_score": [4]}), confidence=95)
    with pytest.raises(ParameterError, match="alternative"):
        learning_summary(pd.DataFrame({"course_id": ["C"], "l2_pre": [1], "l2_post": [2],
                                       "pass_flag": [True]}), alternative="up")


def test_demo_smoke():
    from ccomkit.demo import generate

    tr = generate(seats=40, years=1)["training_record"]
    r = reaction_summary(tr)
    assert r["n_responses"].sum() == tr["l1_score"].notna().sum()
    assert r["l1_mean"].between(1, 5).all()
    ok = r["n_responses"] > 1
    assert (r.loc[ok, "l1_lo"] <= r.loc[ok, "l1_mean"]).all()
    lv = learning_summary(tr)
    assert lv["n_pairs"].sum() == (tr["l2_pre"].notna() & tr["l2_post"].notna()).sum()
    nh = lv[lv["course_id"].str.startswith("NH") & (lv["n_pairs"] > 2)]
    assert len(nh) and (nh["d_z"] > 0).all() and (nh["p_value"] < 0.05).all()
    by_level = learning_summary(tr, by=["level", "course_id"])
    assert set(by_level["level"]) <= {"junior", "intermediate", "senior"}
    assert evaluation_chart(r).to_dict()["title"].startswith("一级评估")
