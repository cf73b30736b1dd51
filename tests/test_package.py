"""The package's public surface: cheap to import, every advertised name resolves."""

from __future__ import annotations

import subprocess
import sys

import pytest

import ccomkit


@pytest.mark.parametrize("name", sorted(ccomkit._EXPORTS))
def test_every_export_resolves(name):
    assert getattr(ccomkit, name) is not None


def test_unknown_attribute():
    with pytest.raises(AttributeError):
        ccomkit.no_such_thing  # noqa: B018


def test_import_is_cheap_and_quiet():
    code = "import sys, ccomkit; print('pandas' in sys.modules, 'scipy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"] and out.stderr == ""


def test_erlang_contract_reachable_from_the_package():
    # Issue 3 worked example: 100 calls / 30 min, AHT 180 s -> 10 Erl; 14 agents.
    assert ccomkit.erlang_c(10.0, 14) == pytest.approx(0.1741, abs=5e-5)
    assert ccomkit.service_level(10.0, 14, 180, 20) == pytest.approx(0.8884, abs=5e-5)
    assert ccomkit.asa_s(10.0, 14, 180) == pytest.approx(7.84, abs=5e-3)
