"""Discrete-event simulation of the M/M/n(+M) queue, to validate the Erlang C and A formulas.

Calls arrive as a Poisson process, handling times are exponential with mean ``aht_s``, patience
is exponential with mean ``patience_s`` (``inf``: nobody abandons, the Erlang C model), and the
queue is served first come, first served by ``agents`` identical agents. Under FCFS a caller's
fate is fixed by the time the first agent becomes free after all earlier *served* callers have
been placed, so the simulation processes calls in arrival order with a heap of agent free-times
(exact, no time-stepping): a caller who finds the earliest free-time ``f`` at or before arrival
is answered at once; otherwise she is answered at ``f`` if her patience exceeds ``f - arrival``
and abandons otherwise.

Confidence intervals come from batch means: after a warm-up, the calls are split into
``n_batches`` consecutive batches, each batch gives one estimate of every measure, and the
interval is the Student-t interval of the batch estimates.
"""

from __future__ import annotations

import heapq
import math

import numpy as np
import pandas as pd
from scipy import stats

from ccomkit.errors import ParameterError

__all__ = ["simulate_queue"]


def simulate_queue(
    traffic_erl: float,
    agents: int,
    aht_s: float,
    *,
    patience_s: float = math.inf,
    target_s: float = 20.0,
    n_calls: int = 200_000,
    warmup_frac: float = 0.1,
    n_batches: int = 20,
    confidence: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """Simulate an M/M/n(+M) queue and estimate its measures with confidence intervals.

    Parameters
    ----------
    traffic_erl : float
        Offered load in Erlangs (> 0).
    agents : int
        Number of agents (>= 1).
    aht_s : float
        Mean handling time in seconds (> 0).
    patience_s : float, default inf
        Mean patience in seconds (> 0); ``inf`` simulates Erlang C (requires agents >
        traffic_erl for a steady state).
    target_s : float, default 20.0
        Answer-time threshold of the service level, seconds.
    n_calls : int, default 200_000
        Simulated calls, warm-up included.
    warmup_frac : float, default 0.1
        Share of the first calls discarded as warm-up, in [0, 1).
    n_batches : int, default 20
        Number of batches for the batch-means confidence interval (>= 2).
    confidence : float, default 0.95
        Confidence level of the intervals, in (0, 1).
    seed : int, default 0
        Seed of :func:`numpy.random.default_rng`.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``measure`` (``p_wait``, ``p_abandon``, ``service_level``, ``asa_s``,
        ``occupancy``, same definitions as :func:`ccomkit.wfm.erlang.erlang_a_metrics`) with
        columns ``estimate``, ``ci_low``, ``ci_high``.

    Examples
    --------
    >>> sim = simulate_queue(10, 14, 180, patience_s=120, n_calls=20_000, seed=1)
    >>> list(sim.columns)
    ['estimate', 'ci_low', 'ci_high']
    >>> bool(sim.loc["p_wait", "ci_low"] < sim.loc["p_wait", "estimate"] < sim.loc["p_wait", "ci_high"])
    True
    """
    owner = "simulate_queue"
    if not (math.isfinite(traffic_erl) and traffic_erl > 0):
        raise ParameterError.expected(owner, "traffic_erl", "a finite float > 0", traffic_erl)
    if not (float(agents) == int(agents) and agents >= 1):
        raise ParameterError.expected(owner, "agents", "an int >= 1", agents)
    if not (math.isfinite(aht_s) and aht_s > 0):
        raise ParameterError.expected(owner, "aht_s", "a finite float > 0", aht_s)
    if not patience_s > 0:
        raise ParameterError.expected(owner, "patience_s", "a float > 0 (inf allowed)", patience_s)
    if math.isinf(patience_s) and agents <= traffic_erl:
        raise ParameterError.expected(owner, "agents", "> traffic_erl when patience_s is inf", agents)
    if not 0 <= warmup_frac < 1:
        raise ParameterError.expected(owner, "warmup_frac", "a float in [0, 1)", warmup_frac)
    if n_batches < 2 or n_calls < 10 * n_batches:
        raise ParameterError.expected(owner, "n_batches", "an int >= 2 with n_calls >= 10 * n_batches", n_batches)
    if not 0 < confidence < 1:
        raise ParameterError.expected(owner, "confidence", "a float in (0, 1)", confidence)

    agents = int(agents)
    rng = np.random.default_rng(seed)
    arrivals = np.cumsum(rng.exponential(aht_s / traffic_erl, n_calls))
    service = rng.exponential(aht_s, n_calls)
    patience = rng.exponential(patience_s, n_calls) if math.isfinite(patience_s) else np.full(n_calls, np.inf)

    wait = np.empty(n_calls)
    waited = np.zeros(n_calls, dtype=bool)
    served = np.ones(n_calls, dtype=bool)
    free = [0.0] * agents  # heap of agent free-times
    replace = heapq.heapreplace
    for i, (a, s, p) in enumerate(zip(arrivals.tolist(), service.tolist(), patience.tolist())):
        f = free[0]
        if f <= a:
            wait[i] = 0.0
            replace(free, a + s)
        else:
            waited[i] = True
            w = f - a
            if w <= p:
                wait[i] = w
                replace(free, f + s)
            else:
                wait[i] = p
                served[i] = False

    start = int(n_calls * warmup_frac)
    edges = np.linspace(start, n_calls, n_batches + 1).astype(int)
    rows = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        sv = served[lo:hi]
        wt = wait[lo:hi]
        span = arrivals[hi - 1] - (arrivals[lo - 1] if lo > 0 else 0.0)
        rows.append(
            (
                waited[lo:hi].mean(),
                1.0 - sv.mean(),
                np.mean(sv & (wt <= target_s)),
                wt[sv].mean() if sv.any() else np.nan,
                service[lo:hi][sv].sum() / (agents * span),
            )
        )
    batches = np.array(rows)
    mean = batches.mean(axis=0)
    half = stats.t.ppf(0.5 + confidence / 2, n_batches - 1) * batches.std(axis=0, ddof=1) / math.sqrt(n_batches)
    index = pd.Index(["p_wait", "p_abandon", "service_level", "asa_s", "occupancy"], name="measure")
    return pd.DataFrame({"estimate": mean, "ci_low": mean - half, "ci_high": mean + half}, index=index)
