"""The DCDIER cycle record: a round trip through a real DuckDB workspace file."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from ccomkit.cycle import model
from ccomkit.errors import ParameterError, WorkspaceError
from ccomkit.store import Workspace


@pytest.fixture()
def ws_path(tmp_path: Path) -> Path:
    p = tmp_path / "ws.duckdb"
    with Workspace.open_write(p, "test", create=True):
        pass
    return p


def test_cycle_round_trip(ws_path: Path) -> None:
    card = pd.DataFrame({"field": ["kpi_id", "target"], "value": ["aht_s", "290"],
                         "when": pd.to_datetime(["2026-09-01", None]), "x": [1.5, np.nan]})
    with Workspace.open_write(ws_path, "test") as ws:
        cid = model.create_cycle(ws, "aht", owner="ops", scope="queue:GEN", cycle_id="C-1",
                                 baseline_start="2026-06-01", baseline_end="2026-08-31",
                                 change_date="2026-09-01", review_end="2026-10-31",
                                 target=290.0, tolerance=14.0)
        model.record_step(ws, cid, "define", {"card": card}, summary="AHT of GEN")
        n1 = model.add_action(ws, cid, "Coach long calls", owner="TL1", due="2026-09-10",
                              expected_effect=-8.0, root_cause="talk")
        n2 = model.add_action(ws, cid, "New ACW codes", owner="TL2", due="2026-09-20")
        model.update_action(ws, cid, n1, status="done", done_on="2026-09-09", evidence="log")
        other = model.create_cycle(ws, "csat", owner="qa")
    assert (n1, n2) == (1, 2)
    assert other.startswith("CSAT-")
    # the file holds the record tables (another process reading plain DuckDB sees them)
    con = duckdb.connect(str(ws_path), read_only=True)
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables"
                                            ).fetchall()}
    finally:
        con.close()
    assert {"rec_dcdier_cycle", "rec_dcdier_step", "rec_dcdier_artifact",
            "rec_dcdier_action"} <= tables
    with Workspace.open_read(ws_path) as ws:
        cycles = model.list_cycles(ws)
        detail = model.cycle_detail(ws, "C-1")
        acts = model.open_actions(ws)
        back = model.get_artifact(ws, "C-1", "define", "card")
    assert set(cycles["cycle_id"]) == {"C-1", other}
    row = cycles.set_index("cycle_id").loc["C-1"]
    assert row["kpi_id"] == "aht_s" and row["scope"] == "queue:GEN" and row["target"] == 290.0
    assert row["current_step"] == "collect" and row["steps_done"] == 1
    assert row["actions_open"] == 1 and row["actions_total"] == 2
    assert row["change_date"] == pd.Timestamp("2026-09-01")
    assert detail.steps["status"].tolist() == ["done"] + ["pending"] * 5
    assert detail.steps.loc[0, "artifacts"] == "card"
    done = detail.actions.set_index("action_no").loc[1]
    assert done["status"] == "done" and done["done_on"] == pd.Timestamp("2026-09-09")
    assert done["started_on"] == pd.Timestamp("2026-09-09") and done["evidence"] == "log"
    assert acts["action_no"].tolist() == [2] and acts["kpi_id"].tolist() == ["aht_s"]
    pd.testing.assert_frame_equal(back, card, check_dtype=False)
    assert back["when"].dtype.kind == "M"


def test_rerecording_a_step_replaces_its_artifacts(ws_path: Path) -> None:
    with Workspace.open_write(ws_path, "test") as ws:
        cid = model.create_cycle(ws, "qa_score", cycle_id="Q-1")
        model.record_step(ws, cid, "define", {"a": pd.DataFrame({"v": [1]}),
                                              "b": pd.DataFrame({"v": [2]})})
        model.record_step(ws, cid, "define", {"a": pd.DataFrame({"v": [3, 4]})})
    with Workspace.open_read(ws_path) as ws:
        d = model.cycle_detail(ws, cid)
    assert list(d.artifacts) == ["define/a"]
    assert d.artifacts["define/a"]["v"].tolist() == [3, 4]
    assert int(d.steps.loc[0, "revision"]) == 2


def test_errors_are_actionable(ws_path: Path) -> None:
    with Workspace.open_write(ws_path, "test") as ws:
        with pytest.raises(ParameterError, match="'topic' parameter"):
            model.create_cycle(ws, "happiness")
        model.create_cycle(ws, "csat", cycle_id="X")
        with pytest.raises(ParameterError, match="already exists"):
            model.create_cycle(ws, "csat", cycle_id="X")
        with pytest.raises(ParameterError, match="'cycle_id'"):
            model.create_cycle(ws, "csat", cycle_id="bad id; drop")
        with pytest.raises(WorkspaceError, match="run 1_define first"):
            model.record_step(ws, "nope", "collect")
        with pytest.raises(ParameterError, match="'step'"):
            model.record_step(ws, "X", "celebrate")
        with pytest.raises(ParameterError, match="'status'"):
            model.add_action(ws, "X", "a", status="maybe")
        with pytest.raises(WorkspaceError, match="no action 9"):
            model.update_action(ws, "X", 9, status="done")
    with Workspace.open_read(ws_path) as ws:
        with pytest.raises(WorkspaceError, match="run the 2_collect notebook"):
            model.get_artifact(ws, "X", "collect", "baseline")
        # a cycle's actions stop being open once done or dropped, or when the cycle closes
        assert model.open_actions(ws).empty


def test_closed_cycles_leave_the_open_lists(ws_path: Path) -> None:
    with Workspace.open_write(ws_path, "test") as ws:
        a = model.create_cycle(ws, "aht", cycle_id="A")
        model.add_action(ws, a, "x", due="2000-01-01")
        b = model.create_cycle(ws, "aht", cycle_id="B")
        model.add_action(ws, b, "y")
        model.close_cycle(ws, b)
    with Workspace.open_read(ws_path) as ws:
        acts = model.open_actions(ws)
        assert acts["cycle_id"].tolist() == ["A"] and bool(acts["overdue"].iloc[0])
        assert model.list_cycles(ws, status="open")["cycle_id"].tolist() == ["A"]
        assert model.latest_cycle_id(ws, "aht") == "A"
        assert model.latest_cycle_id(ws, "aht", open_only=False) == "B"
        assert len(model.open_actions(ws, "B")) == 1
