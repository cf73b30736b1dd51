"""The discrete-event simulator agrees with exact Erlang A and Erlang C inside its CI."""

from __future__ import annotations

import math

import pytest

from ccomkit.errors import ParameterError
from ccomkit.wfm import erlang_a_metrics
from ccomkit.wfm.simulate import simulate_queue

CASES = [
    # traffic, agents, aht_s, patience_s, target_s, seed
    (10, 14, 180, 120, 20, 11),  # the worked example with impatient callers
    (10, 9, 180, 90, 20, 12),  # under-staffed: only abandonment keeps it stable
    (40, 42, 300, 600, 30, 13),
    (10, 14, 180, math.inf, 20, 14),  # Erlang C
    (40, 45, 240, math.inf, 20, 15),  # Erlang C, busier
]


@pytest.mark.parametrize("case", CASES)
def test_simulation_agrees_with_exact_formulas(case: tuple) -> None:
    a, n, aht, pat, t, seed = case
    sim = simulate_queue(a, n, aht, patience_s=pat, target_s=t, n_calls=400_000, n_batches=25,
                         confidence=0.99, seed=seed)
    exact = erlang_a_metrics(a, n, aht, pat, t).iloc[0]
    for measure in ("p_wait", "p_abandon", "service_level", "asa_s", "occupancy"):
        lo, hi = sim.loc[measure, "ci_low"], sim.loc[measure, "ci_high"]
        value = exact[measure]
        if measure == "p_abandon" and math.isinf(pat):
            assert sim.loc[measure, "estimate"] == 0.0
            continue
        assert lo <= value <= hi, (measure, lo, value, hi)


def test_simulation_is_seeded() -> None:
    one = simulate_queue(5, 7, 200, patience_s=60, n_calls=5_000, seed=3)
    two = simulate_queue(5, 7, 200, patience_s=60, n_calls=5_000, seed=3)
    assert one.equals(two)


def test_simulation_rejects_unstable_erlang_c() -> None:
    with pytest.raises(ParameterError, match="'agents'"):
        simulate_queue(10, 10, 180)
