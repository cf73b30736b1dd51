"""The people and customer-experience workshop notebook: runs end to end with papermill on a demo
workspace, writes consistent tables, renders an offline HTML report and passes nbval; and the
parameters of its composition module (:mod:`ccomkit.people.workshop`)."""

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
from ccomkit.people import workshop

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "workshop" / "people_and_cx.ipynb"
FRONTEND_ENV = ("JPY_SESSION_NAME", "VOILA_PREHEAT", "VOILA_KERNEL_ID", "VOILA_REQUEST_URL",
                "VOILA_BASE_URL", "VOILA_SERVER_URL", "SERVER_SOFTWARE")
CDN = re.compile(r"cdn\.|cdnjs|jsdelivr|unpkg", re.I)
# funnel, survival, training L1, capacity plan, CSAT, drivers, dissatisfaction, complaint causes
N_CHARTS = 8


def _headless_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in FRONTEND_ENV}
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def demo_run(demo_workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("people_cx_run")
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


def test_papermill_people_tables(demo_run: tuple[Path, Path]) -> None:
    _, out_dir = demo_run
    # the demo year ends on 2026-10-31: the latest full month is October
    rec = _read(out_dir, "recruitment")
    assert rec["channel"].is_unique and len(rec) >= 3
    assert (rec["sourced"] >= rec["invited"]).all() and (rec["offered"] >= rec["started"]).all()
    for d in (30, 90, 180):
        assert (rec[f"retained_{d}d"] <= rec[f"eligible_{d}d"]).all()
        assert rec[f"retention_{d}d"].dropna().between(0, 1).all()
    cohorts = _read(out_dir, "newhire")
    assert cohorts["starters"].sum() > 0
    assert (cohorts["completed_training"] + cohorts["left_in_training"]
            + cohorts["in_training"] == cohorts["starters"]).all()
    prof = _read(out_dir, "proficiency")
    assert prof["agent_id"].is_unique and (prof["days_to_proficiency"] >= 0).all()
    monthly = _read(out_dir, "attrition_monthly")
    assert set(monthly["variant"]) == set(workshop.attrition.ATTRITION_VARIANTS)
    assert pd.to_datetime(monthly["period"]).nunique() == 12
    assert pd.to_datetime(monthly["period"]).max() == pd.Timestamp("2026-10-01")
    assert monthly["value"].dropna().between(0, 1).all()
    annual = _read(out_dir, "attrition_annualised")
    assert set(annual["variant"]) == {"annualised", "annualised_compound"}
    assert (annual["months"] == 12).all()
    km = _read(out_dir, "survival")
    for _, g in km.groupby("recruit_channel"):
        assert g["survival"].iloc[0] == 1.0 and g["survival"].is_monotonic_decreasing
    ci = km.dropna(subset=["ci_low"])  # log-log interval undefined where survival reaches 0
    assert (ci["ci_low"] <= ci["survival"] + 1e-9).all()
    assert (ci["survival"] <= ci["ci_high"] + 1e-9).all()
    test = _read(out_dir, "survival_test")
    assert test["recruit_channel"].nunique() == len(test) >= 2
    assert test["observed"].sum() == pytest.approx(test["expected"].sum())
    assert test["p_value"].nunique() == 1 and 0 <= test["p_value"].iloc[0] <= 1
    exits = _read(out_dir, "exit_reasons")
    assert exits["share"].sum() == pytest.approx(1.0) and exits["leavers"].is_monotonic_decreasing
    assert exits["leavers"].sum() == monthly.loc[monthly["variant"] == "default",
                                                 "numerator"].sum()
    tiers = _read(out_dir, "tiers")
    assert set(tiers["tier"]) <= {1, 2, 3} and tiers["share"].sum() <= 1.0
    reaction, learning = _read(out_dir, "training_reaction"), _read(out_dir, "training_learning")
    assert reaction["l1_mean"].between(1, 5).all()
    assert (reaction["l1_lo"] <= reaction["l1_mean"]).all()
    assert learning["gain_mean"].to_numpy() == pytest.approx(
        (learning["post_mean"] - learning["pre_mean"]).to_numpy())
    assert learning["p_value"].between(0, 1).all()


def test_papermill_capacity_tables(demo_run: tuple[Path, Path]) -> None:
    _, out_dir = demo_run
    req = _read(out_dir, "capacity_requirement")
    assert len(req) == 12 and req["fte_required"].nunique() == 1
    assert set(req["basis_month"]) == {"2026-10"}
    assert req["fte_required"].iloc[0] == pytest.approx(req["basis_agent_hours"].iloc[0] / 173.3)
    plan = _read(out_dir, "capacity_plan")
    assert pd.to_datetime(plan["month"]).tolist() == pd.date_range("2026-11-01", periods=12,
                                                                   freq="MS").tolist()
    assert plan["gap"].to_numpy() == pytest.approx(
        (plan["fte_required"] - plan["fte_available"]).to_numpy())
    assert set(plan["status"]) <= {"ok", "short", "capped"}
    whatif = _read(out_dir, "capacity_whatif").set_index("scenario")
    assert list(whatif.index) == ["base", "volume", "attrition", "both"]
    assert whatif.loc["base", "total_hires"] == plan["class_start"].sum()
    assert whatif.loc["volume", "fte_required_total"] == pytest.approx(
        1.1 * whatif.loc["base", "fte_required_total"])
    assert whatif.loc["both", "total_hires"] >= whatif.loc["base", "total_hires"]


def test_papermill_cx_tables(demo_run: tuple[Path, Path]) -> None:
    _, out_dir = demo_run
    sat = _read(out_dir, "satisfaction")
    assert len(sat) == 5  # weeks (Monday start) touching October 2026
    for m in ("csat", "dsat", "nps"):
        assert ((sat[f"{m}_lo"] <= sat[m] + 1e-9) & (sat[m] <= sat[f"{m}_hi"] + 1e-9)).all()
    assert (sat["top2"] + sat["bottom2"] <= sat["n"]).all()
    ch = _read(out_dir, "satisfaction_changes")
    assert set(ch["metric"]) == {"csat", "dsat", "nps"} and len(ch) == 3 * (len(sat) - 1)
    assert (ch["significant"] == (ch["p_value"] < 0.05)).all()
    assert set(ch.loc[~ch["significant"], "label"]) <= {"not significant", "insufficient data"}
    assert ch.loc[ch["significant"], "label"].str.startswith("significant").all()
    drivers = _read(out_dir, "drivers")
    assert set(drivers["driver"]) == {"q_speed", "q_accuracy", "q_attitude", "fcr_yes"}
    assert set(drivers["quadrant"]) <= {"fix_first", "keep_up", "low_priority",
                                        "possible_overkill"}
    for name in ("dissatisfaction", "complaint_causes"):
        p = _read(out_dir, name)
        assert p["share"].sum() == pytest.approx(1.0) and p["mentions"].is_monotonic_decreasing
        assert p["cum_share"].iloc[-1] == pytest.approx(1.0) and p["vital_few"].iloc[0]
    closure = _read(out_dir, "complaint_closure").set_index("category")
    total = closure.loc["all"]
    assert closure.drop(index="all")["cases"].sum() == total["cases"]
    assert total["closure_rate"] == pytest.approx(total["closed"] / total["cases"])
    overdue = _read(out_dir, "complaint_overdue")
    assert len(overdue) == total["overdue"] and (overdue["status"] == "open").all()
    assert overdue["hours_overdue"].is_monotonic_decreasing
    rate = _read(out_dir, "complaint_rate").set_index("queue_id")
    assert rate.drop(index="all")["handled"].sum() == rate.loc["all", "handled"]
    assert rate.loc["all", "rate_valid_per10k"] == pytest.approx(
        rate.loc["all", "complaints_valid"] / rate.loc["all", "handled"] * 10_000)


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
    for title in ("招聘漏斗", "Kaplan-Meier", "Level 1 reaction", "Capacity plan", "CSAT",
                  "Drivers", "Dissatisfaction reasons", "投诉根因"):
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
    with pytest.raises(ParameterError, match="'month' parameter of PeopleCxWorkshopParams"):
        workshop.PeopleCxWorkshopParams(month="2026-9")
    with pytest.raises(ParameterError, match="'as_of' parameter"):
        workshop.PeopleCxWorkshopParams(month="2026-09", as_of="2026-10-01")
    with pytest.raises(ParameterError, match="'as_of' parameter"):
        workshop.PeopleCxWorkshopParams(as_of="2026-02-30")
    with pytest.raises(ParameterError, match="'shrinkage'"):
        workshop.PeopleCxWorkshopParams(shrinkage=1.0)
    with pytest.raises(ParameterError, match="'plan_months'"):
        workshop.PeopleCxWorkshopParams(plan_months=0)
    with pytest.raises(ParameterError, match="'whatif_volume'"):
        workshop.PeopleCxWorkshopParams(whatif_volume=0)
    p = workshop.PeopleCxWorkshopParams(month="2026-01", as_of="2026-01-15", trend_months=3)
    assert str(p.first_period) == "2025-11" and p.as_of_date == pd.Timestamp("2026-01-15")


def test_load_tables(demo_workspace: Path) -> None:
    with pytest.raises(ParameterError, match="'month' parameter of load_tables"):
        workshop.load_tables(workshop.PeopleCxWorkshopParams(workspace=str(demo_workspace),
                                                             month="2024-01"))
    data = workshop.load_tables(workshop.PeopleCxWorkshopParams(
        workspace=str(demo_workspace), as_of="2026-10-15"))
    assert data.params.month == "2026-10"
    assert pd.to_datetime(data.tables["csat_response"]["invited_at"]).max() < pd.Timestamp(
        "2026-11-01")
    employed = workshop.tiers(data)["agents"].sum()
    assert employed > 0
