"""required_agents: minimality, edge cases, several targets, shrinkage, contract."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from ccomkit.errors import CcomkitWarning, ParameterError, SchemaError
from ccomkit.wfm import erlang_a_metrics, erlang_c, required_agents, service_level, asa_s


def _frame(n: int = 300, seed: int = 0, patience: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    f = pd.DataFrame(
        {
            "queue": rng.choice(["billing", "sales"], n),
            "calls_offered": rng.integers(0, 400, n),
            "aht_s": rng.uniform(120, 480, n).round(1),
            "interval_min": rng.choice([15, 30, 60], n),
        }
    )
    if patience:
        f["patience_s"] = rng.uniform(30, 900, n)
    return f


def test_erlang_c_minimal_for_every_target() -> None:
    f = _frame()
    out = required_agents(f, service_level_target_frac=0.8, target_s=20, asa_target_s=15, max_occupancy_frac=0.85)
    busy = out.calls_offered > 0
    a, n, h = out.traffic_erl[busy].to_numpy(), out.agents_required[busy].to_numpy(), out.aht_s[busy].to_numpy()

    def meets(k: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return (
                (k > a)
                & (service_level(a, k, h, 20) >= 0.8)
                & (asa_s(a, k, h) <= 15)
                & (a / np.maximum(k, 1) <= 0.85 + 1e-9)
            )

    assert meets(n).all()
    assert not meets(n - 1).any()
    assert (out.status[busy] == "ok").all()


def test_erlang_a_minimal_for_every_target() -> None:
    f = _frame(120, seed=1, patience=True)
    out = required_agents(f, service_level_target_frac=0.8, target_s=20, max_abandon_frac=0.03, max_occupancy_frac=0.9)
    busy = out.calls_offered > 0
    sub = out[busy]

    def meets(k: np.ndarray) -> np.ndarray:
        m = erlang_a_metrics(sub.traffic_erl, k, sub.aht_s, sub.patience_s, 20)
        return ((m.service_level >= 0.8) & (m.p_abandon <= 0.03) & (m.occupancy <= 0.9)).to_numpy() & (k > 0)

    n = sub.agents_required.to_numpy()
    assert meets(n).all()
    assert not meets(n - 1).any()
    assert {"p_abandon"} <= set(out.columns)
    m = erlang_a_metrics(sub.traffic_erl, n, sub.aht_s, sub.patience_s, 20)
    np.testing.assert_allclose(sub.service_level, m.service_level)
    np.testing.assert_allclose(sub.p_abandon, m.p_abandon)


def test_erlang_a_needs_no_more_than_erlang_c_for_asa() -> None:
    f = _frame(100, seed=2, patience=True)
    a_out = required_agents(f, asa_target_s=20)
    c_out = required_agents(f.drop(columns="patience_s"), asa_target_s=20)
    assert (a_out.agents_required <= c_out.agents_required).all()


def test_zero_calls_need_zero_agents() -> None:
    f = pd.DataFrame({"calls_offered": [0, 0, 10], "aht_s": [np.nan, 200, 200], "interval_min": [30, 30, 30]})
    out = required_agents(f, service_level_target_frac=0.8, target_s=20, shrinkage_frac=0.3)
    assert out.agents_required.tolist()[:2] == [0, 0]
    assert out.fte_required.tolist()[:2] == [0, 0]
    assert out.status.tolist() == ["zero_load", "zero_load", "ok"]
    assert out.service_level[0] == 1.0 and out.asa_s[0] == 0.0


def test_integer_loads_do_not_fail() -> None:
    # A = 10, 20, 1 Erl exactly: n = A must be rejected (no steady state), n = A + 1 considered
    f = pd.DataFrame({"calls_offered": [100, 200, 10], "aht_s": [180, 180, 180], "interval_min": [30, 30, 30]})
    out = required_agents(f, service_level_target_frac=0.8, target_s=20)
    assert out.traffic_erl.tolist() == [10.0, 20.0, 1.0]
    assert out.agents_required.tolist()[0] == 14
    assert (out.agents_required > out.traffic_erl).all()
    occ_only = required_agents(f, max_occupancy_frac=1.0)
    assert (occ_only.agents_required == occ_only.traffic_erl + 1).all()


def test_capped_rows_warn_once() -> None:
    f = pd.DataFrame({"calls_offered": [100, 500, 600, 1], "aht_s": [180, 420, 420, 180], "interval_min": 30})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = required_agents(f, service_level_target_frac=0.8, target_s=20, max_agents=40)
    ours = [w for w in caught if issubclass(w.category, CcomkitWarning)]
    assert len(ours) == 1 and "2 of 4 rows" in str(ours[0].message)
    assert out.status.tolist() == ["ok", "capped", "capped", "ok"]
    assert out.agents_required.tolist()[1:3] == [40, 40]


def test_shrinkage_is_ceiled_never_rounded() -> None:
    f = pd.DataFrame({"calls_offered": [100, 37], "aht_s": [180, 200], "interval_min": [30, 30]})
    out = required_agents(f, service_level_target_frac=0.8, target_s=20, shrinkage_frac=0.3)
    assert out.agents_required.tolist() == [14, 7]
    # 14 / 0.7 = 20 exactly (not 21 from 20.000000000000004); 7 / 0.7 = 10
    assert out.fte_required.tolist() == [20, 10]
    out2 = required_agents(f, service_level_target_frac=0.8, target_s=20, shrinkage_frac=0.35)
    assert out2.fte_required.tolist() == [22, 11]  # 21.54 -> 22, 10.77 -> 11 (rounding would give 11)
    assert out.fte_required.dtype == np.int64 and out.agents_required.dtype == np.int64


def test_several_targets_take_the_strictest() -> None:
    f = pd.DataFrame({"calls_offered": [100], "aht_s": [180], "interval_min": [30]})
    sl = required_agents(f, service_level_target_frac=0.8, target_s=20).agents_required[0]
    asa = required_agents(f, asa_target_s=3).agents_required[0]
    occ = required_agents(f, max_occupancy_frac=0.6).agents_required[0]
    both = required_agents(f, service_level_target_frac=0.8, target_s=20, asa_target_s=3,
                           max_occupancy_frac=0.6).agents_required[0]
    assert both == max(sl, asa, occ)
    assert occ == 17  # ceil(10 / 0.6)


def test_input_not_mutated_and_columns() -> None:
    f = _frame(50, patience=True)
    before = f.copy()
    out = required_agents(f, service_level_target_frac=0.8, target_s=20)
    pd.testing.assert_frame_equal(f, before)
    assert list(out.columns) == list(f.columns) + [
        "traffic_erl", "agents_required", "service_level", "asa_s", "occupancy", "p_abandon", "fte_required", "status"
    ]
    out_c = required_agents(f.drop(columns="patience_s"), asa_target_s=20)
    assert "p_abandon" not in out_c.columns and out_c.service_level.isna().all()


@pytest.mark.parametrize("missing", ["calls_offered", "aht_s", "interval_min"])
def test_missing_columns_raise_schema_error(missing: str) -> None:
    f = _frame(5).drop(columns=missing)
    with pytest.raises(SchemaError, match=missing) as err:
        required_agents(f, service_level_target_frac=0.8, target_s=20)
    assert err.value.column == missing


def test_bad_values_raise_schema_error() -> None:
    f = pd.DataFrame({"calls_offered": [10, -1, np.nan], "aht_s": [180, 180, 180], "interval_min": 30})
    with pytest.raises(SchemaError, match=r"calls_offered must be .*2 rows"):
        required_agents(f, asa_target_s=20)
    g = pd.DataFrame({"calls_offered": [10], "aht_s": [0], "interval_min": 30})
    with pytest.raises(SchemaError, match="aht_s"):
        required_agents(g, asa_target_s=20)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"shrinkage_frac": 1.2, "asa_target_s": 20},
         "The 'shrinkage_frac' parameter of required_agents must be a float in [0, 1). Got 1.2 instead."),
        ({"service_level_target_frac": 80, "target_s": 20}, "'service_level_target_frac'"),
        ({"service_level_target_frac": 0.8}, "'target_s'"),
        ({"asa_target_s": -3}, "'asa_target_s'"),
        ({"max_abandon_frac": 0.05}, "patience_s"),
        ({"asa_target_s": 20, "max_agents": 0}, "'max_agents'"),
        ({}, "at least one target"),
    ],
)
def test_parameter_errors(kwargs: dict, message: str) -> None:
    with pytest.raises(ParameterError) as err:
        required_agents(_frame(5), **kwargs)
    assert message in str(err.value)


def test_matches_erlang_c_example() -> None:
    f = pd.DataFrame({"calls_offered": [100], "aht_s": [180.0], "interval_min": [30]})
    out = required_agents(f, service_level_target_frac=0.8, target_s=20).iloc[0]
    assert out.agents_required == 14
    assert out.service_level == pytest.approx(0.8884, abs=5e-5)
    assert out.asa_s == pytest.approx(7.84, abs=5e-3)
    assert erlang_c(out.traffic_erl, 13) > erlang_c(out.traffic_erl, 14)


# ---------------------------------------------------------------- reserve force (机动部队)
from ccomkit.wfm import reserve_requirement  # noqa: E402


def _forecast(days: int = 2) -> pd.DataFrame:
    starts = pd.date_range("2026-03-02 08:00", periods=days * 4, freq="30min")
    starts = starts[:4].append(starts[:4] + pd.Timedelta(days=1))[: days * 4]
    base = np.tile([40.0, 120.0, 80.0, 0.0], days)
    return pd.DataFrame(
        {
            "queue": "billing",
            "interval_start": starts,
            "interval_min": 30,
            "calls_forecast": base,
            "calls_p50": base,
            "calls_p90": base * 1.2,
            "calls_p97.5": base * 1.4,
            "aht_s_forecast": 240.0,
        }
    )


def test_reserve_from_quantile_columns() -> None:
    fc = _forecast()
    before = fc.copy()
    res = reserve_requirement(fc, quantile=0.9, service_level_target_frac=0.8, target_s=20, shrinkage_frac=0.3)
    pd.testing.assert_frame_equal(fc, before)
    iv = res.intervals
    p50 = required_agents(fc.rename(columns={"calls_p50": "calls_offered", "aht_s_forecast": "aht_s"}),
                          service_level_target_frac=0.8, target_s=20, shrinkage_frac=0.3)
    p90 = required_agents(fc.drop(columns="calls_p50").rename(columns={"calls_p90": "calls_offered",
                                                                        "aht_s_forecast": "aht_s"}),
                          service_level_target_frac=0.8, target_s=20, shrinkage_frac=0.3)
    assert iv.agents_p50.tolist() == p50.agents_required.tolist()
    assert iv.agents_q.tolist() == p90.agents_required.tolist()
    assert (iv.reserve_agents == iv.agents_q - iv.agents_p50).all()
    assert (iv.reserve_fte == p90.fte_required - p50.fte_required).all()
    assert iv.status.tolist()[3] == "zero_load" and iv.reserve_agents[3] == 0
    d = res.daily
    assert len(d) == 2
    assert d.peak_reserve_agents.tolist() == [iv.reserve_agents[:4].max()] * 2
    assert d.reserve_agent_hours[0] == pytest.approx(iv.reserve_agents[:4].sum() * 0.5)
    hi = reserve_requirement(fc, quantile=0.975, service_level_target_frac=0.8, target_s=20)
    assert (hi.intervals.reserve_agents >= iv.reserve_agents).all()


def test_reserve_from_error_table() -> None:
    fc = _forecast().drop(columns=["calls_p50", "calls_p90", "calls_p97.5"])
    rng = np.random.default_rng(0)
    tod = np.repeat(["08:00", "08:30", "09:00", "09:30"], 40)
    errors = pd.DataFrame({"queue": "billing", "interval_of_day": tod, "error_frac": rng.normal(0.0, 0.1, tod.size)})
    errors.loc[errors.interval_of_day == "08:30", "error_frac"] += 0.3  # 08:30 is under-forecast
    res = reserve_requirement(fc, errors=errors, quantile=0.9, asa_target_s=20)
    iv = res.intervals
    q = errors.groupby("interval_of_day").error_frac.quantile(0.9)
    assert iv.calls_q[1] == pytest.approx(120.0 * (1 + q["08:30"]))
    assert iv.reserve_agents[1] >= iv.reserve_agents[0]
    # slots without enough samples use the queue's pooled errors
    sparse = errors[errors.interval_of_day != "09:00"]
    res2 = reserve_requirement(fc, errors=sparse, quantile=0.9, asa_target_s=20)
    assert res2.intervals.calls_q[2] == pytest.approx(80.0 * (1 + sparse.error_frac.quantile(0.9)))


def test_reserve_errors() -> None:
    fc = _forecast().drop(columns="calls_p90")
    with pytest.raises(SchemaError, match="calls_p90"):
        reserve_requirement(fc, quantile=0.9, asa_target_s=20)
    with pytest.raises(ParameterError, match="'quantile'"):
        reserve_requirement(_forecast(), quantile=0.3, asa_target_s=20)
    errors = pd.DataFrame({"queue": "sales", "interval_of_day": "08:00", "error_frac": [0.1] * 10})
    with pytest.raises(SchemaError, match="billing"):
        reserve_requirement(fc, errors=errors, asa_target_s=20)
