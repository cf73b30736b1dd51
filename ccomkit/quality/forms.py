"""QA forms as data (服务质量监控扣分标准): sections, items, maximum points, deduction rules and
fatal (red-line) items, loaded from YAML.

A form has four scored sections (``language`` 服务用语, ``attitude`` 服务态度, ``skill`` 处理技巧,
``accuracy`` 准确度; DOMAIN.md §4.2) whose item maxima add up to ``base_points`` (100), and fatal
items typed ``customer``, ``business`` or ``compliance`` that set an evaluation to 0. The shipped
default form (``ccomkit/quality/forms/default.yaml``) uses the item codes of :mod:`ccomkit.demo`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ccomkit.errors import ParameterError

FORMS_DIR = Path(__file__).with_name("forms")
SECTIONS: tuple[str, ...] = ("language", "attitude", "skill", "accuracy")
SECTION_LABELS: dict[str, tuple[str, str]] = {
    "language": ("服务用语", "Service language"),
    "attitude": ("服务态度", "Attitude"),
    "skill": ("处理技巧", "Handling skill"),
    "accuracy": ("准确度", "Accuracy"),
    "fatal": ("致命错误", "Fatal error"),
}
FATAL_TYPES: tuple[str, ...] = ("customer", "business", "compliance")


@dataclass(frozen=True)
class DeductionRule:
    """One behaviour and the points it costs (``points`` ≤ the item's ``max_points``)."""

    label_zh: str
    label_en: str
    points: float


@dataclass(frozen=True)
class FormItem:
    """A scored item (``fatal_type`` None) or a fatal red-line item (``fatal_type`` set)."""

    code: str
    section: str
    label_zh: str
    label_en: str
    max_points: float
    rules: tuple[DeductionRule, ...] = ()
    fatal_type: str | None = None

    @property
    def is_fatal(self) -> bool:
        """True for a red-line item."""
        return self.fatal_type is not None


@dataclass(frozen=True)
class QAForm:
    """A deduction-based QA form.

    Build one with :func:`load_form` (from YAML) or directly; ``__post_init__`` checks it: known
    sections, unique codes, rules within the item maximum, scored maxima summing to
    ``base_points``, fatal types from customer/business/compliance.
    """

    form_id: str
    form_version: str
    label_zh: str
    label_en: str
    items: tuple[FormItem, ...]
    base_points: float = 100.0
    pass_mark: float = 80.0

    def __post_init__(self) -> None:
        codes = [it.code for it in self.items]
        dup = sorted({c for c in codes if codes.count(c) > 1})
        if dup:
            raise ParameterError.expected("QAForm", "items", "items with unique codes",
                                          ", ".join(dup))
        for it in self.items:
            if it.is_fatal:
                if it.fatal_type not in FATAL_TYPES:
                    raise ParameterError.expected(
                        "QAForm", "fatal_type", f"one of {', '.join(FATAL_TYPES)} (item {it.code})",
                        it.fatal_type)
            elif it.section not in SECTIONS:
                raise ParameterError.expected(
                    "QAForm", "section", f"one of {', '.join(SECTIONS)} (item {it.code})",
                    it.section)
            if not it.is_fatal and not 0 < it.max_points <= self.base_points:
                raise ParameterError.expected("QAForm", "max_points",
                                              f"a number in (0, base_points] (item {it.code})",
                                              it.max_points)
            for r in it.rules:
                if not 0 < r.points <= it.max_points:
                    raise ParameterError.expected(
                        "QAForm", "points", f"a number in (0, {it.max_points:g}] (a rule of item "
                        f"{it.code} may not deduct more than the item's max_points)", r.points)
        total = sum(it.max_points for it in self.items if not it.is_fatal)
        if abs(total - self.base_points) > 1e-9:
            raise ParameterError.expected("QAForm", "items",
                                          f"scored items whose max_points add up to base_points "
                                          f"({self.base_points:g})", total)
        if not 0 <= self.pass_mark <= self.base_points:
            raise ParameterError.expected("QAForm", "pass_mark", "a number in [0, base_points]",
                                          self.pass_mark)

    @property
    def item_codes(self) -> tuple[str, ...]:
        """Codes of all items, scored first then fatal, in form order."""
        return tuple(it.code for it in self.items)

    def item(self, code: str) -> FormItem:
        """The item with ``code`` (``ParameterError`` when the form has none)."""
        for it in self.items:
            if it.code == code:
                return it
        raise ParameterError.expected("QAForm.item", "code", "an item code of the form", code)

    def to_frame(self) -> pd.DataFrame:
        """One row per item: ``item_code``, ``section``, ``label_zh``, ``label_en``,
        ``max_points``, ``is_fatal``, ``fatal_type``, ``n_rules``, ``position`` (form order)."""
        return pd.DataFrame({
            "item_code": [it.code for it in self.items],
            "section": [("fatal" if it.is_fatal else it.section) for it in self.items],
            "label_zh": [it.label_zh for it in self.items],
            "label_en": [it.label_en for it in self.items],
            "max_points": [float(it.max_points) for it in self.items],
            "is_fatal": [it.is_fatal for it in self.items],
            "fatal_type": pd.Series([it.fatal_type for it in self.items], dtype=object),
            "n_rules": [len(it.rules) for it in self.items],
            "position": range(len(self.items)),
        })


def _req(d: dict, key: str, where: str) -> object:
    if key not in d:
        raise ParameterError(f"QA form {where} is missing the key {key!r}", param=key)
    return d[key]


def form_from_dict(spec: dict) -> QAForm:
    """Build a :class:`QAForm` from the parsed YAML mapping (see ``forms/default.yaml``).

    Examples
    --------
    >>> f = form_from_dict({"form_id": "mini", "form_version": "v1", "label_zh": "迷你",
    ...     "label_en": "mini", "sections": [{"code": "accuracy", "items": [
    ...         {"code": "C1", "label_zh": "准确", "label_en": "correct", "max_points": 100}]}],
    ...     "fatal_items": [{"code": "F1", "label_zh": "泄密", "label_en": "leak",
    ...                      "fatal_type": "compliance"}]})
    >>> f.item_codes, f.item("F1").is_fatal
    (('C1', 'F1'), True)
    """
    if not isinstance(spec, dict):
        raise ParameterError.expected("form_from_dict", "spec", "a mapping", type(spec).__name__)
    items: list[FormItem] = []
    for sec in _req(spec, "sections", "root") or []:  # type: ignore[union-attr]
        scode = str(_req(sec, "code", "section"))
        for it in _req(sec, "items", f"section {scode}") or []:  # type: ignore[union-attr]
            code = str(_req(it, "code", f"section {scode}"))
            rules = tuple(DeductionRule(str(r.get("zh", "")), str(r.get("en", "")),
                                        float(_req(r, "points", f"item {code}")))
                          for r in it.get("rules", []) or [])
            items.append(FormItem(code, scode, str(it.get("label_zh", code)),
                                  str(it.get("label_en", code)),
                                  float(_req(it, "max_points", f"item {code}")), rules))
    for it in spec.get("fatal_items", []) or []:
        code = str(_req(it, "code", "fatal_items"))
        items.append(FormItem(code, "fatal", str(it.get("label_zh", code)),
                              str(it.get("label_en", code)), 100.0, (),
                              str(_req(it, "fatal_type", f"fatal item {code}"))))
    return QAForm(
        form_id=str(_req(spec, "form_id", "root")),
        form_version=str(_req(spec, "form_version", "root")),
        label_zh=str(spec.get("label_zh", "")),
        label_en=str(spec.get("label_en", "")),
        items=tuple(items),
        base_points=float(spec.get("base_points", 100)),
        pass_mark=float(spec.get("pass_mark", 80)),
    )


def load_form(name_or_path: str | Path = "default") -> QAForm:
    """Load a QA form: a shipped form by name (``"default"``) or a YAML file by path.

    Parameters
    ----------
    name_or_path : str or Path, default "default"
        Name of a YAML file in ``ccomkit/quality/forms/`` (without ``.yaml``) or a path.

    Returns
    -------
    QAForm

    Examples
    --------
    >>> form = load_form()
    >>> form.form_version, form.pass_mark, len(form.items)
    ('QA-2025.2', 80.0, 16)
    >>> form.to_frame().groupby("section", sort=False).max_points.sum().to_dict()
    {'language': 15.0, 'attitude': 20.0, 'skill': 25.0, 'accuracy': 40.0, 'fatal': 300.0}
    """
    p = Path(name_or_path)
    if not p.suffix:
        p = FORMS_DIR / f"{name_or_path}.yaml"
    if not p.is_file():
        shipped = sorted(x.stem for x in FORMS_DIR.glob("*.yaml"))
        raise ParameterError.expected("load_form", "name_or_path",
                                      f"a shipped form ({', '.join(shipped)}) or a YAML file path",
                                      str(name_or_path))
    return _load_cached(str(p.resolve()), p.stat().st_mtime_ns)


@lru_cache(maxsize=32)
def _load_cached(path: str, mtime_ns: int) -> QAForm:
    """Parse a form file once per (path, modification time); QAForm is immutable."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(path, encoding="utf-8") as fh:
        return form_from_dict(yaml.load(fh, Loader=loader))  # noqa: S506 (a safe loader)
