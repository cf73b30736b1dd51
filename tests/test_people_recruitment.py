"""ccomkit.people.recruitment: funnel rates, censored retention, cost and time to fill."""

from __future__ import annotations

import pandas as pd
import pytest

from ccomkit.errors import ParameterError, SchemaError
from ccomkit.people.recruitment import funnel, funnel_chart


def _d(*x):
    return pd.to_datetime(list(x))


@pytest.fixture()
def rf():
    # online: a starts 01-01 leaves 01-20 (19 d); b starts 01-01 stays; c offered, no start;
    #         d invited only; e sourced only.  campus: f starts 03-01 (sourced Feb), stays.
    return pd.DataFrame({
        "candidate_id": list("abcdef"),
        "channel": ["online"] * 5 + ["campus"],
        "sourced_at": _d("2025-12-01", "2025-12-10", "2025-12-11", "2025-12-12", "2025-12-13",
                         "2026-02-01"),
        "invited_at": _d("2025-12-02", "2025-12-11", "2025-12-12", "2025-12-13", None,
                         "2026-02-02"),
        "interviewed_at": _d("2025-12-03", "2025-12-12", "2025-12-13", None, None, "2026-02-03"),
        "offered_at": _d("2025-12-04", "2025-12-13", "2025-12-14", None, None, "2026-02-04"),
        "started_at": _d("2026-01-01", "2026-01-01", None, None, None, "2026-03-01"),
        "left_at": _d("2026-01-20", None, None, None, None, None),
        "cost_cny": [300.0, 300.0, 200.0, 100.0, 100.0, 50.0]})


def test_rates_hand(rf):
    r = funnel(rf, freq=None, as_of="2026-04-15").set_index("channel")
    on = r.loc["online"]
    # sourced 5, invited 4, interviewed 3, offered 3, started 2
    assert (on["sourced"], on["invited"], on["interviewed"], on["offered"], on["started"]) == \
        (5, 4, 3, 3, 2)
    assert on["invite_rate"] == pytest.approx(4 / 5)
    assert on["interview_rate"] == pytest.approx(3 / 4)
    assert on["start_rate"] == pytest.approx(2 / 3)              # ÷ offered
    assert on["start_rate_interviewed"] == pytest.approx(2 / 3)  # ÷ interviewed (3)
    # cost (300+300+200+100+100) ÷ 2 = 500; time to fill: a 31 d, b 22 d → median 26.5
    assert on["cost_per_hire"] == pytest.approx(500.0)
    assert on["time_to_fill_median_days"] == pytest.approx(26.5)
    assert on["time_to_fill_mean_days"] == pytest.approx(26.5)


def test_retention_censoring(rf):
    r = funnel(rf, freq=None, as_of="2026-04-15").set_index("channel")
    # as_of 04-15: online starters (01-01) are 104 days old → eligible at 30 and 90, not 180.
    # a left after 19 days → retention 30d = 1/2, 90d = 1/2; 180d eligible 0 → NaN
    assert r.loc["online", "eligible_30d"] == 2 and r.loc["online", "retention_30d"] == 0.5
    assert r.loc["online", "retention_90d"] == 0.5
    assert r.loc["online", "eligible_180d"] == 0 and pd.isna(r.loc["online", "retention_180d"])
    # campus f started 03-01 → 45 days old: eligible at 30 (kept), censored at 90
    assert r.loc["campus", "retention_30d"] == 1.0 and r.loc["campus", "eligible_90d"] == 0


def test_period_buckets_and_sum_not_mean(rf):
    r = funnel(rf, by=[], freq="M", as_of="2026-04-15")
    # Dec 2025: 5 sourced; Feb 2026: 1 sourced
    assert r["period"].dt.strftime("%Y-%m").tolist() == ["2025-12", "2026-02"]
    assert r["sourced"].tolist() == [5, 1]
    tot = funnel(rf, by=[], freq=None, as_of="2026-04-15")
    # overall invite rate = 5/6, not mean(4/5, 1/1)
    assert tot["invite_rate"].iloc[0] == pytest.approx(5 / 6)


def test_bad_input(rf):
    with pytest.raises(SchemaError, match="started_at"):
        funnel(rf.drop(columns="started_at"))
    with pytest.raises(ParameterError, match="freq"):
        funnel(rf, freq="H")
    with pytest.raises(ParameterError, match="retention_days"):
        funnel(rf, retention_days=[0])


def test_does_not_mutate(rf):
    before = rf.copy()
    funnel(rf)
    pd.testing.assert_frame_equal(rf, before)


def test_demo_smoke():
    from ccomkit.demo import generate
    d = generate(seats=40, years=1)["recruit_funnel"]
    r = funnel(d, freq="Q")
    assert r["sourced"].sum() == len(d) and r["started"].sum() == d["started_at"].notna().sum()
    assert r["invite_rate"].dropna().between(0, 1).all()
    ch = funnel_chart(r, lang="zh").to_dict()
    assert ch["title"] == "招聘漏斗(按渠道)"
