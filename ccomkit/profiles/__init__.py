"""Column-map profiles: how a center's own export headers become a table contract's columns.

A profile is a YAML file, shipped here (``generic_en``, ``generic_zh``, ``avaya_cms``) or given by
path. For each table it maps contract columns to source headers::

    name: my_center
    description: Nightly export of our ACD
    tables:
      acd_interval:
        columns:            # contract column: source header, or a list of alternatives
          queue_id: [Skill, 技能组]
        derive:             # contract column: SQL over source columns written as {Header}
          sum_talk_s:       # (alternatives: the first whose headers are all present wins)
            - "ccom_secs({Avg Talk}) * ccom_num({Answered})"
        values:             # contract column: {source value: contract code} (case-insensitive)
          channel: {语音: voice, 在线: chat}
        constants:          # contract column: value used when the file has no such column
          interval_min: 30

Resolution order per contract column: a header listed under ``columns`` (then the contract name
itself, case-insensitively), then the first applicable ``derive`` expression, then ``constants``,
then the contract default. Helper SQL macros usable in ``derive``: ``ccom_num(x)`` (number, with
thousands separators and ``%`` removed), ``ccom_secs(x)`` (seconds from ``h:mm:ss``, ``mm:ss`` or
a number), ``ccom_date(x)``, ``ccom_time(x)``, ``ccom_ts(date, time)`` (a timestamp from a date and
a start time or an interval such as ``8:00 AM-8:30 AM``) and ``ccom_span_min(interval)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ccomkit.errors import ParameterError

PROFILE_DIR = Path(__file__).resolve().parent
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


def normalise_header(text: str) -> str:
    """Header comparison key: BOM and outer blanks stripped, inner blanks collapsed, case-folded."""
    return re.sub(r"\s+", " ", str(text).replace("\ufeff", "").strip()).casefold()


@dataclass(frozen=True)
class TableMap:
    """How one profile maps source headers onto one table's columns."""

    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    derive: dict[str, tuple[str, ...]] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    constants: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Profile:
    """A named column-map profile (see the module docstring for the YAML layout)."""

    name: str
    description: str
    tables: dict[str, TableMap]
    path: Path | None = None

    def for_table(self, table: str) -> TableMap:
        """The mapping for ``table``; an empty mapping when the profile does not mention it."""
        return self.tables.get(table, TableMap())


def _as_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value)
    return (str(value),)


def placeholders(expr: str) -> list[str]:
    """The ``{Header}`` names a derive expression reads."""
    return _PLACEHOLDER.findall(expr)


def available_profiles() -> list[str]:
    """Names of the profiles shipped with ccomkit."""
    return sorted(p.stem for p in PROFILE_DIR.glob("*.yaml"))


def load_profile(profile: str | Path | Profile) -> Profile:
    """Load a shipped profile by name (``"generic_zh"``) or a YAML file by path.

    Raises
    ------
    ParameterError
        When the profile does not exist or is malformed.
    """
    if isinstance(profile, Profile):
        return profile
    text = str(profile)
    path = Path(text)
    if not (text.endswith((".yaml", ".yml")) or path.exists()):
        path = PROFILE_DIR / f"{text}.yaml"
    if not path.exists():
        raise ParameterError(
            f"Unknown profile {text!r}: not a file and not one of the shipped profiles "
            f"({', '.join(available_profiles())}).",
            param="profile",
            value=text,
        )
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ParameterError(f"Profile {path} is not valid YAML: {exc}", param="profile",
                             value=text) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("tables", {}), dict):
        raise ParameterError(f"Profile {path} must be a mapping with a 'tables' mapping.",
                             param="profile", value=text)
    tables: dict[str, TableMap] = {}
    for tname, spec in (doc.get("tables") or {}).items():
        spec = spec or {}
        tables[str(tname)] = TableMap(
            columns={str(k): _as_tuple(v) for k, v in (spec.get("columns") or {}).items()},
            derive={str(k): _as_tuple(v) for k, v in (spec.get("derive") or {}).items()},
            values={
                str(k): {normalise_header(str(a)): str(b) for a, b in (v or {}).items()}
                for k, v in (spec.get("values") or {}).items()
            },
            constants=dict(spec.get("constants") or {}),
        )
    return Profile(name=str(doc.get("name") or path.stem), description=str(doc.get("description", "")),
                   tables=tables, path=path)
