"""``ccom serve``: the Voila apps for managers, on 127.0.0.1 unless a token or password is given.

Contract::

    ccom serve [APP] [--ip 127.0.0.1] [--port 8866] [--token TOKEN] [--password-hash HASH]
               [--workspace PATH] [--pool-size 1]

Serves only ``notebooks/apps/`` (root directory = that folder); with ``APP`` just that app at
``/``. The workspace is opened read-only by the apps. See :mod:`ccomkit.apps.serve`.
"""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["add_parser", "run_serve"]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``serve`` command to an ``argparse`` sub-parsers object.

    Examples
    --------
    >>> import argparse
    >>> from ccomkit.apps.serve_cli import add_parser
    >>> parser = argparse.ArgumentParser(prog="ccom")
    >>> p = add_parser(parser.add_subparsers(dest="command"))
    >>> args = parser.parse_args(["serve", "staffing_calculator", "--port", "9000"])
    >>> args.app, args.ip, args.port, args.token
    ('staffing_calculator', '127.0.0.1', 9000, None)
    """
    p = subparsers.add_parser(
        "serve", help="serve the Voila apps for managers (127.0.0.1 unless a token is given)",
        description="Serve the manager apps of notebooks/apps/ with Voila. Binds 127.0.0.1; any "
                    "other address requires --token or --password-hash. The workspace is read "
                    "only, so a nightly playbook can write while managers read.")
    p.add_argument("app", nargs="?", default=None,
                   help="one app (notebook name in notebooks/apps/) served at /; default: all")
    p.add_argument("--ip", default="127.0.0.1",
                   help="address to bind (default 127.0.0.1; others need --token or a password)")
    p.add_argument("--port", type=int, default=8866, help="port (default 8866)")
    p.add_argument("--token", default=None, help="login token, required off loopback")
    p.add_argument("--password-hash", default=None, metavar="HASH",
                   help="a jupyter_server.auth.passwd() hash: the login page asks for it")
    p.add_argument("--workspace", default=None,
                   help="workspace the apps read (default: $CCOM_WORKSPACE or data/workspace.duckdb)")
    p.add_argument("--pool-size", type=int, default=1, metavar="N",
                   help="pre-heated kernels per app (0 = start one per page load; default 1)")
    p.set_defaults(func=run_serve)
    return p


def run_serve(args: argparse.Namespace) -> int:
    """Run ``ccom serve`` with parsed arguments; Voila's exit code."""
    from ccomkit.apps.serve import serve

    return serve(args.app, ip=args.ip, port=args.port, token=args.token,
                 password_hash=args.password_hash, workspace=args.workspace,
                 pool_size=args.pool_size)
