"""The quality and performance workshop notebook: runs end to end with papermill on a demo
workspace, writes consistent tables, renders an offline HTML report and passes nbval; and the
parameters of its composition module (:mod:`ccomkit.quality.workshop`)."""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import papermill as pm
import pytest

from ccomkit.errors import ParameterError
from ccomkit.quality import workshop

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "workshop" / "quality_and_performance.ipynb"
FRONTEND_ENV = ("JPY_SESSION_NAME", "VOILA_PREHEAT", "VOILA_KERNEL_ID", "VOILA_REQUEST_URL",
                "VOILA_BASE_URL", "VOILA_SERVER_URL", "SERVER_SOFTWARE")
CDN = re.compile(r"cdn\.|cdnjs|jsdelivr|unpkg", re.I)
N_CHARTS = 7  # pareto, correlation, control chart, team comparison, calibration, 2 decompositions


def _headless_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in FRONTEND_ENV}
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def demo_run(demo_workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("quality_run")
    out_nb, out_dir = tmp / "executed.ipynb", tmp / "tables"
    with pytest.MonkeyPatch.context() as mp:
        for k in FRONTEND_ENV:
            mp.delenv(k, raising=False)
        pm.execute_notebook(str(NOTEBOOK), str(out_nb), kernel_name="python3",
                            parameters={"workspace": str(demo_workspace), "out_dir": str(out_dir)},
                            cwd=str(NOTEBOOK.parent), progress_bar=False)
    return out_nb, out_dir


def _read(out_dir: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(out_dir / f"{name}.csv")


def test_papermill_tables(demo_run: tuple[Path, Path]) -> None:
    _, out_dir = demo_run
    # the demo year ends on 2026-10-31: the latest full month is October, compared to September
    sc = _read(out_dir, "score_check")
    assert len(sc) > 100 and sc["matches"].all()
    agents = _read(out_dir, "agent_scores")
    assert agents["mean_score"].between(0, 100).all()
    assert (agents["ci_low"] <= agents["mean_score"] + 1e-9).all()
    assert (agents["mean_score"] <= agents["ci_high"] + 1e-9).all()
    teams = _read(out_dir, "team_comparison")
    n_regular = teams["n"].sum()  # calibration evaluations are scored but not analysed
    assert 0.9 * len(sc) < n_regular <= len(sc)
    assert agents["agent_id"].is_unique and agents["n_evaluations"].sum() == n_regular
    pareto = _read(out_dir, "pareto")
    assert pareto["share"].sum() == pytest.approx(1.0)
    assert pareto["cum_share"].is_monotonic_increasing and pareto["cum_share"].iloc[-1] == 1.0
    assert pareto["points"].is_monotonic_decreasing and pareto["vital_few"].iloc[0]
    fatal = _read(out_dir, "fatal_pareto")
    assert fatal["share"].sum() == pytest.approx(1.0)
    assert set(fatal["code"]) <= {"customer", "business", "compliance"}
    corr = _read(out_dir, "correlation")
    assert corr["rho"].dropna().between(-1, 1).all() and {"csat", "fcr"} <= set(corr["outcome"])
    control = _read(out_dir, "control_chart")
    assert (control["lcl"] < control["center"]).all() and (control["center"] < control["ucl"]).all()
    assert pd.to_datetime(control["period"]).min() >= pd.Timestamp("2026-04-27")  # 6 months, weeks
    variance = _read(out_dir, "score_variance")
    assert pd.to_datetime(variance["period"]).dt.month.nunique() == 6
    assert (variance["sd_score"] >= 0).all()
    assert teams["team_id"].nunique() == len(teams) >= 2
    assert _read(out_dir, "evaluator_comparison")["n"].sum() == n_regular
    calib = _read(out_dir, "calibration")
    assert (calib["mad"] >= calib["mean_deviation"].abs() - 1e-9).all()
    totals = _read(out_dir, "scorecard_totals")
    assert set(totals["period"]) == {"2026-08", "2026-09", "2026-10"}
    grades = _read(out_dir, "grades")
    assert set(grades["period"]) == {"2026-10"} and len(grades) > 10
    assert set(grades["grade"].dropna()) <= {"A", "B+", "B-", "C", "D"}
    coaching = _read(out_dir, "coaching_list")
    assert len(coaching) >= 1 and (coaching["run_months"] >= 3).all()
    assert coaching["label_en"].str.contains("coaching").all()
    assert coaching["label_en"].str.contains("never a dismissal decision").all()
    assert coaching["legal_basis"].str.contains("18").all()
    for name in ("staffing_change", "csat_change"):  # exact identities: parts add to the total
        t = _read(out_dir, name)
        total = t.loc[t["driver"] == "total", "contribution"].iloc[0]
        assert t.loc[t["driver"] != "total", "contribution"].sum() == pytest.approx(total,
                                                                                     abs=1e-9)


def test_papermill_outputs(demo_run: tuple[Path, Path]) -> None:
    out_nb, _ = demo_run
    nb = nbformat.read(out_nb, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert sum("image/svg+xml" in o.get("data", {}) for o in outputs) == N_CHARTS
    assert not [o for o in outputs if o.output_type == "error"]
    assert not [o for o in outputs if o.output_type == "stream" and o.name == "stderr"]


def test_html_report_offline(demo_run: tuple[Path, Path], tmp_path: Path) -> None:
    out_nb, _ = demo_run
    html = tmp_path / "report.html"
    cmd = [sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", "--no-input",
           '--HTMLExporter.mathjax_url=""', '--HTMLExporter.require_js_url=""',
           str(out_nb), "--output", str(html)]
    subprocess.run(cmd, check=True, capture_output=True, env=_headless_env(), timeout=120)
    text = html.read_text(encoding="utf-8")
    svgs = re.findall(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', text)
    assert len(svgs) == N_CHARTS
    titles = " ".join(base64.b64decode(s).decode("utf-8") for s in svgs)
    for title in ("帕累托", "Root cause", "趋势分析", "对比分析", "质检校准", "人力满足率",
                  "满意度变化"):
        assert title in titles
    attrs = re.findall(r'(?:src|href)\s*=\s*["\']([^"\']*)["\']', text)
    assert [a for a in attrs if re.match(r"(https?:)?//", a)] == []
    # same allowance as tests/test_notebooks.py: nbconvert's mermaid loader (imports from cdnjs
    # only when the page holds a mermaid diagram), and no diagram on the page
    rest = text
    for block in re.findall(r"<script type=\"module\">.*?</script>", text, re.S):
        if "jp-Mermaid" in block and "if (!diagrams.length)" in block:
            rest = rest.replace(block, "")
    assert 'class="jp-Mermaid' not in rest
    assert not CDN.search(rest)
    assert "<script src=" not in text
    assert "Traceback" not in text and "Warning" not in text


def test_nbval(demo_workspace: Path, tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env", "-q",
           "-p", "no:cacheprovider", "-c", os.devnull, "--rootdir", str(tmp_path), str(NOTEBOOK)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=150, cwd=tmp_path,
                          env=_headless_env(CCOM_WORKSPACE=str(demo_workspace)))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert re.search(r"\b\d+ passed\b", proc.stdout)


def test_params_errors() -> None:
    with pytest.raises(ParameterError, match="'month' parameter of QualityWorkshopParams"):
        workshop.QualityWorkshopParams(month="2026-9")
    with pytest.raises(ParameterError, match="'base_month'"):
        workshop.QualityWorkshopParams(month="2026-09", base_month="2026-09")
    with pytest.raises(ParameterError, match="'trend_freq'"):
        workshop.QualityWorkshopParams(trend_freq="M")
    with pytest.raises(ParameterError, match="'bottom_frac'"):
        workshop.QualityWorkshopParams(bottom_frac=0.0)
    p = workshop.QualityWorkshopParams(month="2026-01", base_month="2025-10", trend_months=2)
    assert str(p.first_period) == "2025-10"


def test_load_tables_errors(demo_workspace: Path) -> None:
    with pytest.raises(ParameterError, match="'team_id' parameter of load_tables"):
        workshop.load_tables(workshop.QualityWorkshopParams(workspace=str(demo_workspace),
                                                            team_id="NOPE"))
    with pytest.raises(ParameterError, match="'month' parameter of load_tables"):
        workshop.load_tables(workshop.QualityWorkshopParams(workspace=str(demo_workspace),
                                                            month="2024-01"))
    data = workshop.load_tables(workshop.QualityWorkshopParams(
        workspace=str(demo_workspace), month="2026-09", team_id="T01", trend_months=2))
    assert data.params.month == "2026-09"
    assert set(workshop.agent_intervals(data)["team_id"]) == {"T01"}
    assert workshop.compare(data, "team_id")["team_id"].nunique() > 1  # center-wide
