"""Roster files and the CLI contract: ROSTER.csv, the team leader's grid in CSV/XLSX (export and
import round trips), `ccom roster` and `ccom roster-score` through the real console script."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ccomkit.errors import SchemaError
from ccomkit.wfm.roster_check import check_roster, score_roster
from ccomkit.wfm.roster_io import export_roster, read_roster, roster_grid, write_roster_csv
from ccomkit.wfm.roster_rules import EXAMPLE_RULES, load_rules
from ccomkit.wfm.scheduling import make_agents, solve_roster

CCOM = Path(sys.executable).parent / "ccom"


@pytest.fixture(scope="module")
def small_week():
    """Three days of the example rules, a pool of 4 full-time and 2 part-time agents."""
    rules = load_rules(EXAMPLE_RULES)
    ts = pd.date_range("2026-03-02", periods=3 * 48, freq="30min")
    h = ts.hour + ts.minute / 60
    need = np.where((h >= 8) & (h < 20), 2, 0) + np.where((h >= 10) & (h < 14), 1, 0)
    req = pd.DataFrame({"interval_start": ts, "agents_required": need,
                        "traffic_erl": need * 0.6, "aht_s": 240.0})
    agents = make_agents({"full": 4, "part": 2}, contract_hours={"full": 24, "part": 12})
    res = solve_roster(req, agents, rules, time_limit_s=10)
    return rules, req, agents, res


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    cols = ["agent_id", "start", "end", "activity", "shift_code"]
    x = a[cols].sort_values(["agent_id", "start"]).reset_index(drop=True)
    y = b[cols].sort_values(["agent_id", "start"]).reset_index(drop=True)
    x["start"], x["end"] = pd.to_datetime(x["start"]), pd.to_datetime(x["end"])
    pd.testing.assert_frame_equal(x, y, check_dtype=False)


def test_roster_passes_the_checker(small_week):
    rules, _, agents, res = small_week
    assert len(res.roster) > 0
    assert check_roster(res.roster, agents, rules).empty


def test_long_csv_round_trip(small_week, tmp_path):
    rules, _, _, res = small_week
    p = write_roster_csv(res.roster, tmp_path / "ROSTER.csv")
    assert p.read_text().splitlines()[0] == "agent_id,start,end,activity,shift_code"
    _same(res.roster, read_roster(p))


def test_grid_layout_and_round_trip_csv_and_xlsx(small_week, tmp_path):
    rules, _, agents, res = small_week
    grid = roster_grid(res.roster, agents=agents)
    assert list(grid.columns) == ["agent_id", "2026-03-02", "2026-03-03", "2026-03-04"]
    f8 = [c for c in grid.drop(columns="agent_id").to_numpy().ravel() if str(c).startswith("F8")]
    assert f8 and all(c.count(" B") == 2 and c.count(" L") == 1 for c in f8)
    p_csv = export_roster(res.roster, tmp_path / "grid.csv", agents=agents)
    assert p_csv.read_bytes()[:3] == b"\xef\xbb\xbf"  # BOM: Excel opens the Chinese header right
    _same(res.roster, read_roster(p_csv, rules))
    p_x = export_roster(res.roster, tmp_path / "grid.xlsx", agents=agents, coverage=res.coverage)
    sheets = pd.read_excel(p_x, sheet_name=None)
    assert set(sheets) == {"排班表 roster", "activities", "coverage"}
    _same(res.roster, read_roster(p_x))
    # the grid sheet alone (another system's export in the team leader's layout) also imports
    only = tmp_path / "only_grid.xlsx"
    sheets["排班表 roster"].to_excel(only, index=False)
    _same(res.roster, read_roster(only, rules))


def test_grid_import_needs_rules_and_valid_cells(tmp_path):
    p = tmp_path / "g.csv"
    pd.DataFrame({"agent_id": ["a"], "2026-03-02": ["F8 07:00-15:00 B08:00"]}).to_csv(p, index=False)
    with pytest.raises(SchemaError, match="needs the rules"):
        read_roster(p)
    pd.DataFrame({"agent_id": ["a"], "2026-03-02": ["early shift"]}).to_csv(p, index=False)
    with pytest.raises(SchemaError, match="is not 'CODE HH:MM-HH:MM"):
        read_roster(p, load_rules(EXAMPLE_RULES))


def test_cli_roster_and_roster_score(small_week, tmp_path):
    rules, req, agents, _ = small_week
    req_p, ag_p = tmp_path / "REQ.csv", tmp_path / "AGENTS.csv"
    req.to_csv(req_p, index=False)
    agents.to_csv(ag_p, index=False)
    out = tmp_path / "ROSTER.csv"
    r = subprocess.run([str(CCOM), "roster", "--requirement", str(req_p), "--agents", str(ag_p), "--rules",
                        str(EXAMPLE_RULES), "--out", str(out), "--time-limit-s", "10",
                        "--grid-out", str(tmp_path / "GRID.xlsx")],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    for title in ("利用率 utilization", "人性化 humane", "公平性 fairness", "service_level_weighted"):
        assert title in r.stdout
    roster = pd.read_csv(out)
    assert list(roster.columns) == ["agent_id", "start", "end", "activity", "shift_code"]
    assert set(roster["activity"]) == {"work", "break", "lunch"}
    assert (tmp_path / "GRID.xlsx").exists()
    r2 = subprocess.run([str(CCOM), "roster-score", "--roster", str(out), "--requirement", str(req_p), "--rules",
                         str(EXAMPLE_RULES), "--agents", str(ag_p)], capture_output=True, text=True, timeout=300)
    assert r2.returncode == 0, r2.stderr
    sc = score_roster(read_roster(out), req, rules, agents)
    assert f"short_frac                               {sc.value('short_frac'):.1%}" in r2.stdout
    assert "hard_violations                          0" in r2.stdout
    # a broken roster is scored, and its violations are listed
    bad = roster.copy()
    bad.loc[bad.index[0], "start"] = "2026-03-02 06:00:00"
    bad.to_csv(tmp_path / "BAD.csv", index=False)
    r3 = subprocess.run([str(CCOM), "roster-score", "--roster", str(tmp_path / "BAD.csv"), "--requirement",
                         str(req_p), "--rules", str(EXAMPLE_RULES)], capture_output=True, text=True, timeout=300)
    assert r3.returncode == 0 and "hard-rule violations:" in r3.stdout and "template" in r3.stdout


def test_cli_errors_are_one_line(tmp_path):
    r = subprocess.run([str(CCOM), "roster", "--requirement", str(tmp_path / "none.csv"), "--agents", "a.csv",
                        "--rules", str(EXAMPLE_RULES), "--out", str(tmp_path / "o.csv")],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert "none.csv: file not found" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    bad_rules = tmp_path / "RULES.yaml"
    bad_rules.write_text("interval_min: 30\nshift_templates:\n  - {code: X, length_min: 240, start_earliest: '25:00'}\n")
    r = subprocess.run([str(CCOM), "roster-score", "--roster", "r.csv", "--requirement", "q.csv", "--rules",
                        str(bad_rules)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "shift_templates[0].start_earliest" in r.stderr
