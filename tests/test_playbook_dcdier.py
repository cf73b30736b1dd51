"""The DCDIER playbooks: one full cycle per topic (service level, QA score, AHT, attrition, CSAT)
runs the six step notebooks in one staged workspace copy; the cycle record lands with the run."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccomkit.cycle import list_cycles
from ccomkit.errors import ParameterError
from ccomkit.report.playbook import RUN_LOG, load_playbook, resolve_parameters, run_playbook
from ccomkit.store import Workspace

TOPICS = ("service_level", "qa_score", "aht", "attrition", "csat")
STEPS = ("1_define", "2_collect", "3_clarify", "4_improve", "5_execute", "6_review")
FRONTEND_ENV = ("JPY_SESSION_NAME", "VOILA_PREHEAT", "VOILA_KERNEL_ID", "VOILA_REQUEST_URL",
                "VOILA_BASE_URL", "VOILA_SERVER_URL", "SERVER_SOFTWARE")


@pytest.mark.parametrize("topic", TOPICS)
def test_each_topic_has_a_full_cycle_playbook(topic: str) -> None:
    pb = load_playbook(f"dcdier_{topic}")
    assert [s.output for s in pb.notebooks] == list(STEPS)
    assert [s.notebook.parent.name for s in pb.notebooks] == ["dcdier"] * 6
    per_nb = resolve_parameters(pb, {"lang": "en"})
    assert all(p["topic"] == topic and p["lang"] == "en" for p in per_nb)


def test_dcdier_parameters_are_checked_against_the_step_that_declares_them() -> None:
    pb = load_playbook("dcdier_aht")
    with pytest.raises(ParameterError, match=r"'baseline_weeks' .*1_define\.ipynb.*integer"):
        resolve_parameters(pb, {"baseline_weeks": "twelve"})
    with pytest.raises(ParameterError, match=r"'close' .*6_review\.ipynb.*true or false"):
        resolve_parameters(pb, {"close": "perhaps"})
    per_nb = resolve_parameters(pb, {"level": "0.9"})  # declared by collect and review only
    assert [("level" in p) for p in per_nb] == [False, True, False, False, False, True]


def test_full_cycle_runs_and_lands_with_the_run(demo_workspace_copy: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    for k in FRONTEND_ENV:
        monkeypatch.delenv(k, raising=False)
    out = tmp_path / "cycle"
    res = run_playbook("dcdier_qa_score", {"lang": "en"}, out_dir=out,
                       workspace=demo_workspace_copy, progress=False, log=lambda m: None)
    assert res.outcome == "ok"
    index = res.index.read_text(encoding="utf-8")
    for step in STEPS:
        assert (out / f"{step}.html").is_file()
        assert f'href="{step}.html"' in index
        html = (out / f"{step}.html").read_text(encoding="utf-8")
        assert "Traceback" not in html and "cdnjs" not in html
    with Workspace.open_read(demo_workspace_copy) as ws:
        cycles = list_cycles(ws)
        log = ws.read_records(RUN_LOG)
    mine = cycles[cycles["topic"] == "qa_score"]
    assert len(mine) == 1 and int(mine["steps_done"].iloc[0]) == 6
    assert log["playbook"].tolist() == ["dcdier_qa_score"] and log["outcome"].tolist() == ["ok"]
