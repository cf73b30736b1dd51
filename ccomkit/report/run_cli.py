"""``ccom run PLAYBOOK [--param k=v ...] [--out DIR] [--workspace PATH]``: run a playbook.

Validates every parameter against the notebooks before executing anything, runs the notebooks
with papermill in a staged copy of the workspace, renders offline HTML and an index page, and
records the run in the workspace (see :mod:`ccomkit.report.playbook`). Prints the index page's
path on success; a failure is one line (the notebook, the cell, the error) and exit status 1.
"""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(subparsers: Any) -> None:
    """Add the ``run`` command to the ``ccom`` CLI."""
    p = subparsers.add_parser(
        "run", help="run a playbook (daily, weekly, monthly, dcdier_*) and write offline HTML",
        description="Run a playbook: validate parameters, execute its notebooks with papermill, "
                    "render HTML without code cells and without CDN requests, write index.html "
                    "and record the run in the workspace (rec_run_log).")
    p.add_argument("playbook", nargs="?", help="playbook name (see --list) or YAML file")
    p.add_argument("--param", "-p", action="append", default=[], metavar="NAME=VALUE",
                   help="a notebook parameter (repeatable); checked against the notebooks' "
                        "declared names and types")
    p.add_argument("--out", "-o", metavar="DIR", help="output folder (default out/<playbook>-<time>)")
    p.add_argument("--workspace", "-w", metavar="PATH",
                   help="workspace DuckDB file (default: $CCOM_WORKSPACE or data/workspace.duckdb)")
    p.add_argument("--list", action="store_true", help="list the shipped playbooks and exit")
    p.add_argument("--no-progress", action="store_true", help="no per-cell progress bar")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from ccomkit.errors import ParameterError
    from ccomkit.report.playbook import (
        declared_parameters, list_playbooks, load_playbook, parse_cli_params, run_playbook)

    if args.list or not args.playbook:
        if not args.list:
            raise ParameterError("give a PLAYBOOK (name or YAML file); `ccom run --list` lists "
                                 "them", param="playbook", value=None)
        for path in list_playbooks():
            pb = load_playbook(path)
            names = sorted({k for s in pb.notebooks for k in declared_parameters(s.notebook)}
                           - {"workspace"})
            print(f"{pb.name:<24} {pb.title_in('zh')} · {pb.title_in('en')}  "
                  f"[{', '.join(names)}]")
        return 0
    params = parse_cli_params(args.param)
    result = run_playbook(args.playbook, params, out_dir=args.out, workspace=args.workspace,
                          progress=False if args.no_progress else None)
    print(f"run {result.run_id}: {result.outcome} in {result.duration_s:,.1f} s")
    print(result.index)
    return 0
