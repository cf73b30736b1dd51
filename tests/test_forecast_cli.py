"""`ccom forecast` end to end: the CLI contract."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ccomkit.errors import CcomkitError, IngestError, ParameterError, SchemaError
from ccomkit.wfm.forecast import _synthetic_history
from ccomkit.wfm.forecast_cli import add_parser, run_forecast

CCOM = Path(sys.executable).parent / "ccom"


def _args(history: Path, out: Path, horizon: int = 7, method: str = "auto",
          quantiles: str | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="ccom")
    add_parser(parser.add_subparsers(dest="command"))
    argv = ["forecast", "--history", str(history), "--horizon-days", str(horizon), "--out", str(out),
            "--method", method]
    if quantiles:
        argv += ["--quantiles", quantiles]
    return parser.parse_args(argv)


def _write(df: pd.DataFrame, path: Path) -> Path:
    df.to_csv(path, index=False)
    return path


def test_multi_queue_with_aht_and_quantiles(tmp_path: Path) -> None:
    df = _synthetic_history(weeks=8, queues=("billing", "售后"), end="2025-09-21", aht=True, seed=21)
    out = tmp_path / "fc.csv"
    assert run_forecast(_args(_write(df, tmp_path / "h.csv"), out, quantiles="0.1,0.5,0.9,0.975")) == 0
    fc = pd.read_csv(out, parse_dates=["interval_start"])
    assert list(fc.columns) == ["queue", "interval_start", "calls_forecast", "aht_s_forecast",
                                "calls_p10", "calls_p50", "calls_p90", "calls_p97.5"]
    assert set(fc["queue"]) == {"billing", "售后"}
    days = fc["interval_start"].dt.normalize()
    assert days.min() == pd.Timestamp("2025-09-22") and days.nunique() == 7
    assert len(fc) == 2 * 7 * 24
    assert (fc["calls_p10"] <= fc["calls_p90"]).all()


def test_weekdays_only_history(tmp_path: Path) -> None:
    df = _synthetic_history(weeks=6, end="2025-09-19", weekdays_only=True, seed=22)
    out = tmp_path / "fc.csv"
    # --horizon-days 7 after Fri 2025-09-19 covers Sat..Fri: the 5 weekdays get rows.
    run_forecast(_args(_write(df, tmp_path / "h.csv"), out, horizon=7, method="wha"))
    fc = pd.read_csv(out, parse_dates=["interval_start"])
    d = pd.DatetimeIndex(fc["interval_start"].dt.normalize().unique())
    assert (d.day_of_week < 5).all() and len(d) == 5 and d.min() == pd.Timestamp("2025-09-22")


def test_five_minute_grid(tmp_path: Path) -> None:
    df = _synthetic_history(weeks=4, interval_min=5, open_hours=(9, 17), end="2025-09-21", seed=23)
    out = tmp_path / "fc.csv"
    run_forecast(_args(_write(df, tmp_path / "h.csv"), out, horizon=2))
    fc = pd.read_csv(out, parse_dates=["interval_start"])
    assert len(fc) == 2 * 96
    step = fc["interval_start"].diff().dropna().dt.total_seconds().unique()
    assert 300.0 in step
    assert set(fc["interval_start"].dt.minute % 5) == {0}
    assert fc["interval_start"].dt.hour.between(9, 16).all()


@pytest.mark.parametrize("mutate, err, pattern", [
    (lambda d: d.drop(columns=["calls_offered"]), SchemaError, r"h\.csv: missing column 'calls_offered'"),
    (lambda d: d.assign(calls_offered=d["calls_offered"].astype(object).where(d.index != 4, "lots")),
     SchemaError, r"column 'calls_offered' must be a number: 1 row violates it, first at line 6 .*'lots'"),
    (lambda d: d.assign(calls_offered=d["calls_offered"].where(d.index != 3, -2)),
     SchemaError, r"'calls_offered' must be >= 0: 1 row violates it, first at line 5"),
    (lambda d: d.assign(interval_start=d["interval_start"].where(
        d.index != 10, d["interval_start"] + pd.Timedelta(minutes=7))),
     SchemaError, r"must be on the 30-minute grid .* first at line 12"),
    (lambda d: pd.concat([d, d.iloc[[2]]], ignore_index=True), SchemaError,
     r"duplicate queue × interval\): 1 row violates it"),
    (lambda d: d.head(24 * 5), SchemaError, r"method 'svd' needs at least 21"),
])
def test_bad_input_one_line_errors(tmp_path: Path, mutate, err, pattern) -> None:
    df = _synthetic_history(weeks=4, end="2025-09-21", seed=24)
    path = _write(mutate(df), tmp_path / "h.csv")
    with pytest.raises(err, match=pattern) as info:
        run_forecast(_args(path, tmp_path / "o.csv", method="svd"))
    assert "\n" not in str(info.value)
    assert not (tmp_path / "o.csv").exists()


def test_bad_arguments(tmp_path: Path) -> None:
    df = _synthetic_history(weeks=3, end="2025-09-21", seed=25)
    path = _write(df, tmp_path / "h.csv")
    with pytest.raises(ParameterError, match="--quantiles"):
        run_forecast(_args(path, tmp_path / "o.csv", quantiles="0.1,90"))
    with pytest.raises(ParameterError, match="--horizon-days"):
        run_forecast(_args(path, tmp_path / "o.csv", horizon=0))
    with pytest.raises(IngestError, match="file not found"):
        run_forecast(_args(tmp_path / "nope.csv", tmp_path / "o.csv"))
    assert issubclass(IngestError, CcomkitError)


def test_real_console_script(tmp_path: Path) -> None:
    df = _synthetic_history(weeks=5, queues=("a", "b"), end="2025-09-21", seed=26)
    hist = _write(df, tmp_path / "h.csv")
    out = tmp_path / "fc.csv"
    r = subprocess.run([str(CCOM), "forecast", "--history", str(hist), "--horizon-days", "3",
                        "--out", str(out), "--quantiles", "0.1,0.5,0.9"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    fc = pd.read_csv(out)
    assert list(fc.columns[:3]) == ["queue", "interval_start", "calls_forecast"]
    assert len(fc) == 2 * 3 * 24
    bad = _write(df.drop(columns=["queue"]), tmp_path / "bad.csv")
    r = subprocess.run([str(CCOM), "forecast", "--history", str(bad), "--horizon-days", "3",
                        "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert r.returncode != 0
    lines = [x for x in r.stderr.strip().splitlines() if x.strip()]
    assert len(lines) == 1 and "missing column 'queue'" in lines[0]
