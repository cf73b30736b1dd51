"""Shared fixtures: one small demo workspace per test session, and a frontend-free environment."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# what a live frontend puts in a kernel's environment; scrubbed so that `render="auto"` is static
FRONTEND_ENV = ("JPY_SESSION_NAME", "VOILA_PREHEAT", "VOILA_KERNEL_ID", "VOILA_REQUEST_URL",
                "VOILA_BASE_URL", "VOILA_SERVER_URL", "SERVER_SOFTWARE")


def headless_env(**extra: str) -> dict[str, str]:
    """``os.environ`` without the variables a live frontend sets, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if k not in FRONTEND_ENV}
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def demo_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 40-seat, one-year demo workspace built once per session. Treat it as read-only:
    tests that write take a copy with the ``demo_workspace_copy`` fixture."""
    from ccomkit.demo import generate
    from ccomkit.store import Workspace

    path = tmp_path_factory.mktemp("ws") / "workspace.duckdb"
    tables = generate(seats=40, years=1)
    with Workspace.open_write(path, purpose="test", create=True) as ws:
        ws.init(kind="demo")
        for name, frame in tables.items():
            ws.load_frame(name, frame, source="test")
    return path


@pytest.fixture()
def demo_workspace_copy(demo_workspace: Path, tmp_path: Path) -> Path:
    """A private, writable copy of the session's demo workspace."""
    dest = tmp_path / "workspace.duckdb"
    shutil.copyfile(demo_workspace, dest)
    return dest
