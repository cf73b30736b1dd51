"""Render the table contracts as Markdown (docs/data-model.md is this output; a test keeps them equal)."""

from __future__ import annotations

from ccomkit.schemas import TABLES, Table

_HEADER = """# Data model: the workspace tables

Generated from `ccomkit/schemas.py` by `python -m ccomkit.contracts_doc > docs/data-model.md`;
`tests/test_docs.py` fails when the two differ. Do not edit by hand.

Conventions: timestamps are local time (Asia/Shanghai), naive; durations are seconds (`_s`) or
minutes (`_min`); rates are never stored (the KPI dictionary derives them by summing numerators and
denominators); IDs are text; categorical values are English codes (Chinese labels in `ccomkit.i18n`;
a column-map profile can translate a center's own values on ingest). An empty cell in a column with
a default takes the default. Columns marked personal hold personal data (CCOM data security).

Every ingest validates each row against its table's rules at once: type, required, range, allowed
codes, the table's cross-column checks, the interval grid where a table has one, and duplicate keys.
Rows that break a rule go to the quarantine table with the reason, file and line.
"""


def table_markdown(t: Table) -> str:
    lines = [
        f"## `{t.name}` — {t.label_zh} / {t.label_en}",
        "",
        f"Grain: {t.grain}. Key: {', '.join(f'`{k}`' for k in t.key)}."
        + (f" `{t.grid_column}` must lie on the `interval_min` grid." if t.grid_column else ""),
        "",
        "| column | 中文 | English | type | unit | rule | required | default | personal |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for c in t.columns:
        lines.append(
            f"| `{c.name}` | {c.label_zh} | {c.label_en} | {c.dtype} | {c.unit} | {c.describe_range()} | "
            f"{'no' if c.nullable else 'yes'} | {'' if c.default is None else c.default} | "
            f"{'yes' if c.personal else ''} |"
        )
    if t.checks:
        lines += ["", "Checks across columns:", ""]
        lines += [f"- `{chk.name}`: `{chk.column}` {chk.message}." for chk in t.checks]
    return "\n".join(lines)


def data_model_markdown() -> str:
    body = "\n\n".join(table_markdown(t) for t in TABLES.values())
    return f"{_HEADER}\n{body}\n"


if __name__ == "__main__":  # pragma: no cover
    print(data_model_markdown(), end="")
