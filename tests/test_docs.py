"""The project's docs stay true to the code."""

from __future__ import annotations

from pathlib import Path

from ccomkit.contracts_doc import data_model_markdown

ROOT = Path(__file__).resolve().parents[1]


def test_data_model_doc_is_generated_from_the_contracts():
    on_disk = (ROOT / "docs" / "data-model.md").read_text(encoding="utf-8")
    assert on_disk == data_model_markdown(), (
        "docs/data-model.md is stale: run `python -m ccomkit.contracts_doc > docs/data-model.md`"
    )


def test_architecture_doc_names_every_module():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    modules = sorted(
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "ccomkit").rglob("*.py")
        if p.name != "__init__.py"
    )
    missing = [m for m in modules if Path(m).name not in text]
    assert not missing, f"docs/architecture.md does not mention {missing}"


def test_readme_quick_start_is_two_commands_and_ci_calls_the_test_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Quick start")
    block = readme[start:].split("```")[1]
    commands = [line.strip() for line in block.splitlines()[1:] if line.strip()]
    assert commands == ["make demo", "make test"]
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
