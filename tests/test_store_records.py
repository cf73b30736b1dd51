"""Record tables: what ccomkit itself writes into the workspace (cycles, run log, coaching)."""

from __future__ import annotations

import pandas as pd
import pytest

from ccomkit.errors import ParameterError, WorkspaceError
from ccomkit.store import Workspace


@pytest.fixture()
def ws_path(tmp_path):
    p = tmp_path / "ws.duckdb"
    with Workspace.open_write(p, "test", create=True):
        pass
    return p


def test_upsert_by_key_and_new_columns(ws_path):
    with Workspace.open_write(ws_path, "t") as ws:
        assert ws.write_records("rec_cycle", pd.DataFrame({"cycle_id": ["c1", "c2"],
                                                           "owner": ["Li", "Wang"]}),
                                key=["cycle_id"]) == 2
        ws.write_records("rec_cycle", pd.DataFrame({"cycle_id": ["c2"], "owner": ["Zhao"],
                                                    "status": ["open"]}), key=["cycle_id"])
    with Workspace.open_read(ws_path) as ws:
        got = ws.read_records("rec_cycle", order_by=["cycle_id"])
        assert ws.record_tables() == ["rec_cycle"]
    assert got["owner"].tolist() == ["Li", "Zhao"]
    assert got["status"].isna().tolist() == [True, False]


def test_replace_and_delete(ws_path):
    with Workspace.open_write(ws_path, "t") as ws:
        ws.write_records("rec_x", pd.DataFrame({"a": [1, 2, 3]}))
        ws.write_records("rec_x", pd.DataFrame({"a": [9]}), replace=True)
        assert ws.read_records("rec_x")["a"].tolist() == [9]
        ws.write_records("rec_x", pd.DataFrame({"a": [1, 2]}))
        assert ws.delete_records("rec_x", "a < ?", [5]) == 2
        assert ws.read_records("rec_x")["a"].tolist() == [9]


def test_missing_table_reads_empty_and_bad_names_refused(ws_path):
    with Workspace.open_read(ws_path) as ws:
        assert ws.read_records("rec_nothing").empty
        with pytest.raises(WorkspaceError, match="open_write"):
            ws.write_records("rec_x", pd.DataFrame({"a": [1]}))
    with Workspace.open_write(ws_path, "t") as ws:
        for bad in ("agent_dim", "_ccom_meta", "rec_x; DROP TABLE agent_dim", "REC_X"):
            with pytest.raises(ParameterError, match="rec_"):
                ws.write_records(bad, pd.DataFrame({"a": [1]}))
        with pytest.raises(ParameterError, match="key"):
            ws.write_records("rec_x", pd.DataFrame({"a": [1]}), key=["b"])


def test_failed_block_leaves_records_untouched(ws_path):
    with Workspace.open_write(ws_path, "t") as ws:
        ws.write_records("rec_x", pd.DataFrame({"a": [1]}))
    with pytest.raises(RuntimeError):
        with Workspace.open_write(ws_path, "t") as ws:
            ws.write_records("rec_x", pd.DataFrame({"a": [2]}))
            raise RuntimeError("boom")
    with Workspace.open_read(ws_path) as ws:
        assert ws.read_records("rec_x")["a"].tolist() == [1]


def test_stage_swaps_on_success_and_keeps_the_original_on_failure(ws_path):
    from ccomkit.errors import WorkspaceLockedError
    from ccomkit.store import stage

    with stage(ws_path, "playbook") as staged:
        assert staged != ws_path and staged.exists()
        with pytest.raises(WorkspaceLockedError):
            with Workspace.open_write(ws_path, "second writer"):
                pass
        with Workspace.open_write(staged, "a notebook") as ws:  # another writer on the copy
            ws.write_records("rec_run", pd.DataFrame({"a": [1]}))
        with Workspace.open_read(ws_path) as ws:  # the real workspace is unchanged until the end
            assert ws.read_records("rec_run").empty
    with Workspace.open_read(ws_path) as ws:
        assert ws.read_records("rec_run")["a"].tolist() == [1]
    before = ws_path.read_bytes()
    with pytest.raises(RuntimeError):
        with stage(ws_path, "playbook") as staged:
            with Workspace.open_write(staged, "a notebook") as ws:
                ws.write_records("rec_run", pd.DataFrame({"a": [2]}))
            raise RuntimeError("a notebook failed")
    assert ws_path.read_bytes() == before
    assert not list(ws_path.parent.glob("*.tmp-*"))


def test_stage_yields_an_absolute_path_for_a_relative_workspace(ws_path, monkeypatch):
    """Notebooks run in their own folder: the staged copy of `data/workspace.duckdb` must not be
    a relative path (make demo's monthly playbook failed on exactly that)."""
    from ccomkit.store import stage

    monkeypatch.chdir(ws_path.parent)
    with stage(ws_path.name, "playbook") as staged:
        assert staged.is_absolute() and staged.exists()
