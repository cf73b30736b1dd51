"""离散系数 reliability on a constructed case."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ccomkit.errors import ParameterError
from ccomkit.wfm.reliability import reliability, reliability_chart


def _case() -> pd.DataFrame:
    # 8 ordinary Mondays (2025-06-09 … 07-28: no holiday, eve or post-holiday day), 4 hours.
    # 09:00 and 10:00 are exact (share CV 0), 11:00 swings ±15 %, 12:00 swings ±50 %.
    days = pd.date_range("2025-06-09", periods=8, freq="7D")
    swing = np.array([1, -1] * 4, dtype=float)
    rows = []
    for i, d in enumerate(days):
        calls = [400.0, 400.0, 400.0 * (1 + 0.15 * swing[i]), 100.0 * (1 - 0.5 * swing[i])]
        for h, c in enumerate(calls):
            rows.append({"queue": "q", "interval_start": d + pd.Timedelta(hours=9 + h),
                         "calls_offered": c})
    return pd.DataFrame(rows)


def test_classes_on_constructed_case() -> None:
    t = reliability(_case())
    assert list(t["interval_of_day"]) == ["09:00", "10:00", "11:00", "12:00"]
    assert (t["day_type"] == "Mon").all() and (t["n_weeks"] == 8).all()
    cls = dict(zip(t["interval_of_day"], t["reliability_class"]))
    assert cls["12:00"] == "unreliable"
    assert cls["11:00"] == "usable"
    # the stable hours move with the others' total, so their share CV is small but not zero
    assert t.set_index("interval_of_day").loc["09:00", "cv_share"] < 0.10
    assert cls["09:00"] == "reliable"
    floor = t.set_index("interval_of_day")["poisson_floor_cv"]
    assert floor["09:00"] == pytest.approx(1 / np.sqrt(400.0))
    # thresholds are configurable
    strict = reliability(_case(), reliable_max_cv=0.001, usable_max_cv=0.05)
    assert list(strict["reliability_class"]) == ["usable", "usable", "unreliable", "unreliable"]
    few = reliability(_case(), min_weeks=9, k_weeks=8)
    assert set(few["reliability_class"]) == {"insufficient"}


def test_chart_and_parameters() -> None:
    t = reliability(_case())
    chart = reliability_chart(t)
    spec = chart.to_dict()
    assert spec["mark"]["type"] == "rect"
    assert spec["encoding"]["color"]["field"] == "reliability_class"
    two = pd.concat([_case(), _case().assign(queue="r")])
    facet = reliability_chart(reliability(two), color="cv_share").to_dict()
    assert "facet" in facet
    with pytest.raises(ParameterError, match="usable_max_cv"):
        reliability(_case(), reliable_max_cv=0.3, usable_max_cv=0.2)
