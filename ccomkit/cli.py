"""The ``ccom`` command.

Every command takes ``--workspace PATH`` (or the ``CCOM_WORKSPACE`` environment variable; default
``data/workspace.duckdb``). A problem the user can fix prints one line per problem on stderr and
exits non-zero; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from ccomkit.errors import CcomkitError, ParameterError

_EPILOG = "Workspace: --workspace PATH, else $CCOM_WORKSPACE, else data/workspace.duckdb."


def _add_workspace(p: argparse.ArgumentParser) -> None:
    p.add_argument("--workspace", "-w", metavar="PATH", default=None,
                   help="workspace DuckDB file (default: $CCOM_WORKSPACE or data/workspace.duckdb)")


def _command_modules() -> list[str]:
    """Modules named ``*_cli.py`` under ``ccomkit/`` add their own commands (``add_parser(sub)``).

    A domain or presentation package ships its command next to its code (``wfm/forecast_cli.py``
    adds ``ccom forecast``) without editing this file; the order is the sorted module path.

    >>> "ccomkit.wfm.forecast_cli" in _command_modules()
    True
    """
    root = Path(__file__).resolve().parent
    return sorted(
        "ccomkit." + ".".join(f.relative_to(root).with_suffix("").parts)
        for f in root.rglob("*_cli.py"))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ccom",
        description="ccomkit — contact-center management workbench (CCOM SJ/T 11739-2019, DCDIER).",
        epilog=_EPILOG,
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("init", help="create an empty workspace (idempotent)")
    _add_workspace(p)

    p = sub.add_parser("ingest", help="load a CSV/XLSX export into a workspace table")
    _add_workspace(p)
    p.add_argument("file", help="CSV or XLSX file (UTF-8, UTF-8 with BOM, GBK/GB18030)")
    p.add_argument("--table", "-t", required=True, help="target table (see `ccom tables`)")
    p.add_argument("--profile", "-p", default=None,
                   help="column-map profile: a shipped name (generic_en, generic_zh, avaya_cms) or a YAML path")
    p.add_argument("--strict", action="store_true", help="reject the whole file if any row breaks the contract")
    p.add_argument("--sheet", default=None, help="XLSX sheet name (default: the first)")

    p = sub.add_parser("status", help="tables, row counts, quarantine counts, last loads")
    _add_workspace(p)

    p = sub.add_parser("quarantine", help="show rows that were quarantined, with the reason")
    _add_workspace(p)
    p.add_argument("--table", "-t", default=None)
    p.add_argument("--limit", type=int, default=20)

    p = sub.add_parser("export", help="write a table to CSV or XLSX")
    _add_workspace(p)
    p.add_argument("--table", "-t", required=True)
    p.add_argument("--out", "-o", required=True, help="FILE.csv or FILE.xlsx")

    p = sub.add_parser("tables", help="list the table contracts, or show one")
    p.add_argument("table", nargs="?", default=None)

    p = sub.add_parser("demo", help="build the realistic demo center into a workspace")
    _add_workspace(p)
    p.add_argument("--seats", type=int, default=200, help="seats (headcount is about 1.25 × seats)")
    p.add_argument("--seed", type=int, default=20261123)
    p.add_argument("--years", type=int, default=2, help="years of history")
    p.add_argument("--end", default="2026-10-31", help="last day of the history (YYYY-MM-DD)")
    p.add_argument("--force", action="store_true", help="replace an existing demo workspace")

    p = sub.add_parser("summary", help="headline KPIs of a month (the main job until reports land)")
    _add_workspace(p)
    p.add_argument("--month", default=None, help="YYYY-MM (default: the last full month in the data)")
    p.add_argument("--out", default="out", help="folder for the CSV output")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")

    for module in _command_modules():
        importlib.import_module(module).add_parser(sub)
    for sp in sub.choices.values():  # `ccom CMD --debug` works as well as `ccom --debug CMD`
        sp.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    return parser


# ------------------------------------------------------------------------------------------------
# Commands
# ------------------------------------------------------------------------------------------------


def _fmt_table(df) -> str:  # noqa: ANN001 - a DataFrame
    import pandas as pd

    with pd.option_context("display.max_rows", 200, "display.max_columns", 50, "display.width", 160):
        return df.to_string(index=False)


def cmd_init(args: argparse.Namespace) -> int:
    from ccomkit.store import Workspace, resolve_workspace

    path = resolve_workspace(args.workspace)
    with Workspace.open_write(path, purpose="init", create=True) as ws:
        ws.init()
    print(f"workspace ready: {path}")
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    from ccomkit.store import Workspace, resolve_workspace

    path = resolve_workspace(args.workspace)
    with Workspace.open_write(path, purpose=f"ingest {Path(args.file).name}", create=True) as ws:
        ws.init()
        report = ws.ingest(args.file, args.table, profile=args.profile, strict=args.strict, sheet=args.sheet)
    if report.already_loaded:
        print(f"{args.file}: already loaded into {args.table} (same file content); nothing added")
        return 0
    print(
        f"{args.file} → {args.table}: {report.rows_read} rows read, {report.rows_loaded} loaded, "
        f"{report.rows_existing} already present, {report.rows_quarantined} quarantined"
    )
    for line in report.messages:
        print(f"  {line}")
    if report.rows_quarantined:
        print(f"  see them with: ccom quarantine --table {args.table}"
              + (f" --workspace {args.workspace}" if args.workspace else ""))
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from ccomkit.store import Workspace, resolve_workspace

    path = resolve_workspace(args.workspace)
    with Workspace.open_read(path) as ws:
        st = ws.status()
    print(f"workspace: {path}")
    print(_fmt_table(st))
    return 0


def cmd_quarantine(args: argparse.Namespace) -> int:
    from ccomkit.store import Workspace, resolve_workspace

    with Workspace.open_read(resolve_workspace(args.workspace)) as ws:
        q = ws.quarantine(table=args.table)
    if q.empty:
        print("no quarantined rows")
        return 0
    print(f"{len(q)} quarantined rows" + (f" (showing {args.limit})" if len(q) > args.limit else ""))
    print(_fmt_table(q.head(args.limit)))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from ccomkit.schemas import get_table
    from ccomkit.store import Workspace, resolve_workspace

    with Workspace.open_read(resolve_workspace(args.workspace)) as ws:
        out = ws.export(args.table, args.out)
        n = int(ws.query(f'SELECT count(*) AS n FROM "{get_table(args.table).name}"')["n"].iloc[0])
    print(f"{args.table}: {n:,} rows written to {out}")
    return 0


def cmd_tables(args: argparse.Namespace) -> int:
    import pandas as pd

    from ccomkit.schemas import TABLES, get_table

    if args.table is None:
        rows = [
            {"table": t.name, "表": t.label_zh, "grain": t.grain, "key": ", ".join(t.key), "columns": len(t.columns)}
            for t in TABLES.values()
        ]
        print(_fmt_table(pd.DataFrame(rows)))
        return 0
    t = get_table(args.table)
    rows = [
        {
            "column": c.name, "中文": c.label_zh, "dtype": c.dtype, "unit": c.unit,
            "rule": c.describe_range(), "nullable": c.nullable,
            "default": "" if c.default is None else c.default, "personal": c.personal,
        }
        for c in t.columns
    ]
    print(f"{t.name} ({t.label_zh} / {t.label_en}); grain: {t.grain}; key: {', '.join(t.key)}")
    print(_fmt_table(pd.DataFrame(rows)))
    for chk in t.checks:
        print(f"  check {chk.name}: {chk.column} {chk.message}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from ccomkit import demo
    from ccomkit.store import Workspace, resolve_workspace

    try:
        end = date.fromisoformat(args.end)
    except ValueError:
        raise ParameterError.expected("ccom demo", "end", "a date YYYY-MM-DD", args.end) from None
    if args.seats < 10:
        raise ParameterError.expected("ccom demo", "seats", "an integer >= 10", args.seats)
    path = resolve_workspace(args.workspace)
    if path.exists():
        if not args.force:
            raise CcomkitError(f"{path} already exists: pass --force to replace it, or --workspace another file")
        with Workspace.open_read(path) as old:
            if old.kind != "demo":
                raise CcomkitError(
                    f"{path} holds a {old.kind or 'non-ccom'} workspace, not a demo: refusing to replace it "
                    "even with --force; build the demo with --workspace another file")
    t0 = time.perf_counter()
    frames = demo.generate(seats=args.seats, seed=args.seed, end_date=end, years=args.years)
    t_gen = time.perf_counter() - t0
    with Workspace.open_write(path, purpose="demo", create=True) as ws:
        ws.reset(kind="demo")  # replaced atomically at the swap: a failed build keeps the old demo
        for name, frame in frames.items():
            ws.load_frame(name, frame, source=f"demo(seats={args.seats}, seed={args.seed})")
    total = sum(len(f) for f in frames.values())
    print(f"demo center: {args.seats} seats, {args.years} year(s) to {end}, seed {args.seed}: "
          f"{total:,} rows in {len(frames)} tables (generated in {t_gen:.1f} s, "
          f"{time.perf_counter() - t0:.1f} s in all)")
    print(f"workspace: {path.resolve()}")
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    from ccomkit.store import Workspace, resolve_workspace
    from ccomkit.summary import headline_kpis, render_headline

    path = resolve_workspace(args.workspace)
    with Workspace.open_read(path) as ws:
        table = headline_kpis(ws, month=args.month)
    month = str(table.attrs.get("month"))
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    out_file = out_dir / f"headline-{month}.csv"
    table.to_csv(out_file, index=False, encoding="utf-8-sig")
    print(render_headline(table, lang=args.lang))
    print(f"\noutput: {out_file.resolve()}")
    return 0


COMMANDS = {
    "init": cmd_init,
    "ingest": cmd_ingest,
    "status": cmd_status,
    "quarantine": cmd_quarantine,
    "export": cmd_export,
    "tables": cmd_tables,
    "demo": cmd_demo,
    "summary": cmd_summary,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command in COMMANDS:
            return COMMANDS[args.command](args)
        return int(args.func(args))
    except CcomkitError as exc:
        if getattr(args, "debug", False):
            raise
        for line in str(exc).splitlines() or [type(exc).__name__]:
            print(f"ccom {args.command}: error: {line}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"ccom {args.command}: interrupted; the workspace was left as it was", file=sys.stderr)
        return 130
    except Exception as exc:  # an unexpected failure: still one line unless --debug
        if getattr(args, "debug", False):
            raise
        print(
            f"ccom {args.command}: unexpected error: {type(exc).__name__}: {exc} "
            "(run again with --debug for the traceback, and please report it)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
