"""Apps bench: time to first render and widget round-trip of each Voila app, in a real browser.

For each app a real ``ccom serve APP --workspace W`` (Voila on a free loopback port, one
pre-heated kernel per app: Voila runs the notebook before anyone asks) is driven by Playwright
in Debian's chromium, with the helpers of ``tests/browser.py``:

* **first render** — from navigation to the app rendered: ``.ccom-app`` visible, the busy
  indicator empty and every chart of the app drawn (SVG marks present). Each sample is a fresh
  page on a freshly pre-heated kernel (the bench waits for Voila to refill its pool between
  loads and until the new kernel has run the notebook — what a manager opening the app finds on
  a server that has been up a moment).
* **widget round-trip** — from a widget change in the page (typing a value + Enter, or picking
  a dropdown option) to the app's output text changing (the kernel got the change, recomputed
  and the new text reached the page), and to the busy indicator clearing (every table and chart
  of the update sent). Alternates between two values, so each sample is a real change.

Medians of ``--loads`` page loads and ``--changes`` widget changes per app; also printed: each
sample, the machine's load average (the machine is shared: figures move with it).

Data: the demo center (``ccomkit.demo.generate(seats=40, years=1)``, not timed) plus two DCDIER
cycles (one reviewed, one open) for the tracker.

Run::

    .venv/bin/python bench/bench_apps.py --loads 3 --changes 7
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from browser import AppServer, browser_session, open_app  # noqa: E402

# app → (charts waited for at first render, output selector, widget kind, selector, two values)
APPS: dict[str, tuple[tuple[str, ...], str, str, str, tuple[str, str]]] = {
    "staffing_calculator": (("curve",), ".ccom-result", "fill", ".ccom-calls", ("120", "100")),
    "quality_dashboard": (("pareto", "control", "comparison", "calibration"), ".ccom-summary",
                          "select", ".ccom-team", ("T01", "T02")),
    "kpi_scorecard": (("grades", "trend", "drivers"), ".ccom-summary", "select", ".ccom-team",
                      ("T01", "T02")),
    "planner": (("forecast", "reliability", "requirement"), ".ccom-requirement-summary", "fill",
                ".ccom-target-s", ("30", "20")),
    "improvement_cycles": (("kpi",), ".ccom-steps", "select", ".ccom-cycle",
                           ("AHT-GEN", "QA-1")),
}


def build_workspace(tmp: Path) -> Path:
    from ccomkit.cycle import steps
    from ccomkit.demo import generate
    from ccomkit.store import Workspace

    path = tmp / "workspace.duckdb"
    tables = generate(seats=40, years=1)
    with Workspace.open_write(path, purpose="bench", create=True) as ws:
        ws.init(kind="demo")
        for name, frame in tables.items():
            ws.load_frame(name, frame, source="bench")

    def run(fn, *args, **kw):  # noqa: ANN001, ANN202
        with Workspace.open_read(path) as ws:
            res = fn(ws, *args, **kw)
        with Workspace.open_write(path, f"bench {res.step}") as ws:
            steps.save(ws, res)

    run(steps.define, "aht", cycle_id="AHT-GEN", scope="queue:GEN")
    for fn in (steps.collect, steps.clarify, steps.improve):
        run(fn, "AHT-GEN")
    run(steps.execute, "AHT-GEN", updates="all|done")
    run(steps.review, "AHT-GEN")
    run(steps.define, "qa_score", cycle_id="QA-1", scope="center")
    for fn in (steps.collect, steps.clarify, steps.improve):
        run(fn, "QA-1")
    return path


def _wait_pool(server: AppServer, n_filled: int, timeout_s: float = 180.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.log.count("is filled with") >= n_filled:
            return
        time.sleep(0.2)
    raise TimeoutError(f"pool not refilled ({n_filled}) in {timeout_s:.0f} s")


def bench_app(browser, name: str, workspace: Path, loads: int, changes: int) -> dict:  # noqa: ANN001
    charts, out_sel, kind, sel, values = APPS[name]
    renders: list[float] = []
    first_change: list[float] = []
    settled: list[float] = []
    with AppServer(name, workspace=workspace, pool_size=1) as server:
        for i in range(loads):
            _wait_pool(server, i + 1)
            server.wait_kernels_idle()  # the pre-heated kernel has run the notebook
            app = open_app(browser, server.url, charts=charts)
            renders.append(app.load_s)
            if i == loads - 1:  # widget round-trips on the last page
                if kind == "select":  # option labels starting with the given values
                    opts = app.options(sel)
                    values = tuple(next(o for o in opts if o.startswith(v)) for v in values)
                for k in range(changes):
                    v = values[k % 2]
                    before = app.text(out_sel)
                    t0 = time.perf_counter()
                    if kind == "fill":
                        app.fill(sel, v)
                    else:
                        app.select(sel, v)
                    app.wait_text_change(out_sel, before)
                    t1 = time.perf_counter()
                    app.wait_idle()
                    t2 = time.perf_counter()
                    first_change.append(t1 - t0)
                    settled.append(t2 - t0)
                    time.sleep(0.3)
                assert app.remote_requests == [], app.remote_requests
            app.page.context.close()
    return {"app": name, "render_s": renders, "change_s": first_change, "settled_s": settled}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--loads", type=int, default=3, help="page loads per app (first render)")
    ap.add_argument("--changes", type=int, default=7, help="widget changes per app")
    ap.add_argument("--apps", default=",".join(APPS), help="comma-separated app names")
    ap.add_argument("--workspace", default="", help="reuse a workspace with the two cycles")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-apps-"))
    try:
        t = time.perf_counter()
        ws = Path(args.workspace) if args.workspace else build_workspace(tmp)
        print(f"workspace {ws} ready in {time.perf_counter() - t:.0f} s (not timed)")
        print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
              f"load average {os.getloadavg()[0]:.1f} at start")
        rows = []
        with browser_session() as browser:
            for name in args.apps.split(","):
                r = bench_app(browser, name, ws, args.loads, args.changes)
                rows.append(r)
                print(f"{name:22s} first render median {statistics.median(r['render_s']):5.2f} s "
                      f"{[round(x, 2) for x in r['render_s']]} | round-trip median "
                      f"{1000 * statistics.median(r['change_s']):6.0f} ms "
                      f"{[round(1000 * x) for x in r['change_s']]} | settled median "
                      f"{1000 * statistics.median(r['settled_s']):6.0f} ms | "
                      f"load {os.getloadavg()[0]:.1f}", flush=True)
        print()
        print("| app | first render, median (s) | widget round-trip, median (ms) | "
              "update settled, median (ms) |")
        print("|---|---|---|---|")
        for r in rows:
            print(f"| {r['app']} | {statistics.median(r['render_s']):.2f} | "
                  f"{1000 * statistics.median(r['change_s']):.0f} | "
                  f"{1000 * statistics.median(r['settled_s']):.0f} |")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
