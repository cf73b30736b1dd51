"""The six DCDIER step notebooks executed with papermill on a copy of the demo workspace.

Run time: one papermill run costs ~10-25 s here (a kernel start and the altair import), so the
full chain 1 → 6 runs for two topics (service level in English, AHT of queue GEN in Chinese) and
steps 1 → 3 for the other three (QA score, attrition, CSAT): 21 runs in one module-scoped
chain. Steps 4 → 6 of those three topics run in process in test_dcdier_steps.py, through the
same calls the notebooks make."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import papermill as pm
import pytest

from ccomkit.cycle import model
from ccomkit.store import Workspace

# what a live frontend puts in a kernel's environment; scrubbed so that `render="auto"` is static
FRONTEND_ENV = ("JPY_SESSION_NAME", "VOILA_PREHEAT", "VOILA_KERNEL_ID", "VOILA_REQUEST_URL",
                "VOILA_BASE_URL", "VOILA_SERVER_URL", "SERVER_SOFTWARE")
ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "notebooks" / "dcdier"
STEPS = ("1_define", "2_collect", "3_clarify", "4_improve", "5_execute", "6_review")
SVGS = {"1_define": 1, "2_collect": 1, "3_clarify": 1, "4_improve": 0, "5_execute": 1,
        "6_review": 1}
# topic -> (scope, lang, how many steps)
PLAN = {"service_level": ("center", "en", 6), "aht": ("queue:GEN", "zh", 6),
        "qa_score": ("center", "en", 3), "attrition": ("center", "zh", 3),
        "csat": ("center", "en", 3)}


def _execute(nb: str, out: Path, params: dict) -> nbformat.NotebookNode:
    with pytest.MonkeyPatch.context() as mp:
        for k in FRONTEND_ENV:
            mp.delenv(k, raising=False)
        pm.execute_notebook(str(FOLDER / f"{nb}.ipynb"), str(out), parameters=params,
                            kernel_name="python3", cwd=str(FOLDER), progress_bar=False)
    return nbformat.read(out, as_version=4)


@pytest.fixture(scope="module")
def runs(demo_workspace: Path, tmp_path_factory: pytest.TempPathFactory
         ) -> tuple[Path, dict[tuple[str, str], nbformat.NotebookNode], dict[str, list[int]]]:
    tmp = tmp_path_factory.mktemp("dcdier_nb")
    ws = tmp / "workspace.duckdb"
    shutil.copyfile(demo_workspace, ws)
    done: dict[tuple[str, str], nbformat.NotebookNode] = {}
    progress: dict[str, list[int]] = {}
    for topic, (scope, lang, n) in PLAN.items():
        cid = f"NB-{topic}"
        progress[topic] = []
        for nb in STEPS[:n]:
            params: dict = {"workspace": str(ws), "cycle_id": cid, "topic": topic, "lang": lang}
            if nb == "1_define":
                params["scope"] = scope
            if nb == "5_execute":
                params["updates"] = "all|done"
            done[(topic, nb)] = _execute(nb, tmp / f"{topic}_{nb}.ipynb", params)
            with Workspace.open_read(ws) as w:
                progress[topic].append(int(model.list_cycles(w).set_index("cycle_id")
                                           .loc[cid, "steps_done"]))
    return ws, done, progress


def test_notebooks_execute_cleanly(runs: tuple) -> None:
    _, done, _ = runs
    assert len(done) == sum(n for _, _, n in PLAN.values())
    for (topic, nb), node in done.items():
        outputs = [o for c in node.cells if c.cell_type == "code" for o in c.outputs]
        assert not [o for o in outputs if o.output_type == "error"], (topic, nb)
        assert not [o for o in outputs if o.output_type == "stream" and o.name == "stderr"], \
            (topic, nb, [o.text[:300] for o in outputs if o.output_type == "stream"])
        n_svg = sum("image/svg+xml" in o.get("data", {}) for o in outputs)
        assert n_svg == SVGS[nb], (topic, nb, n_svg)
        assert not any("application/vnd.jupyter.widget-view+json" in o.get("data", {})
                       for o in outputs)
        printed = "".join(o.text for o in outputs if o.output_type == "stream")
        assert f"NB-{topic} ·" in printed, (topic, nb)


def test_each_notebook_records_its_step(runs: tuple) -> None:
    _, _, progress = runs
    for topic, (_, _, n) in PLAN.items():
        assert progress[topic] == list(range(1, n + 1)), topic


def test_full_chains_end_with_a_review(runs: tuple) -> None:
    ws, done, _ = runs
    with Workspace.open_read(ws) as w:
        cycles = model.list_cycles(w).set_index("cycle_id")
        for topic in ("service_level", "aht"):
            cid = f"NB-{topic}"
            assert cycles.loc[cid, "status"] == "closed"
            rv = model.review_result(w, cid)
            assert set(rv["method"]) == {"matched_weeks", "its", "target"}
            assert rv["decision"].nunique() == 1
            assert model.cycle_detail(w, cid).actions["status"].eq("done").all()
        for topic in ("qa_score", "attrition", "csat"):
            assert cycles.loc[f"NB-{topic}", "current_step"] == "improve"
            assert cycles.loc[f"NB-{topic}", "status"] == "open"


def test_language_parameter(runs: tuple) -> None:
    _, done, _ = runs
    zh = nbformat.writes(done[("aht", "1_define")])
    en = nbformat.writes(done[("service_level", "1_define")])
    assert "指标定义卡" in zh  # markdown is bilingual in both …
    assert "目标来源" in zh and "目标来源" not in en  # … the card's labels follow lang
    assert "target source" in en
    # summaries format the KPI in the notebook's language: seconds as 秒 in zh
    printed = {k: "".join(o.text for c in done[k].cells if c.cell_type == "code"
                          for o in c.outputs if o.output_type == "stream")
               for k in (("aht", "2_collect"), ("qa_score", "2_collect"))}
    assert re.search(r"baseline \d+秒 \[\d+秒, \d+秒\]", printed[("aht", "2_collect")])
    assert re.search(r"baseline \d+\.\d pts \[", printed[("qa_score", "2_collect")]), \
        printed[("qa_score", "2_collect")]


def test_redefining_an_existing_cycle_keeps_its_id(runs: tuple, tmp_path: Path) -> None:
    ws, _, _ = runs
    copy = tmp_path / "ws.duckdb"
    shutil.copyfile(ws, copy)
    _execute("1_define", tmp_path / "again.ipynb",
             {"workspace": str(copy), "cycle_id": "NB-csat", "topic": "csat", "lang": "en",
              "baseline_weeks": 8})
    with Workspace.open_read(copy) as w:
        c = model.get_cycle(w, "NB-csat")
        assert (c["baseline_end"] - c["baseline_start"]).days == 55
        assert (model.list_cycles(w)["cycle_id"] == "NB-csat").sum() == 1
