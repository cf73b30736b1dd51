"""Development types (员工发展类型, seed 001 chapter 4 一) assigned by transparent rules.

The rules are data (``ccomkit/teamlead/rules/*.yaml``): an ordered list of types, each with
conditions on the metrics of an agent profile (:func:`ccomkit.teamlead.profile.agent_profiles`).
An agent gets the first type whose conditions hold; every condition tried is returned as an
evidence row (metric, the agent's value, operator, threshold, held or not, and the profile columns
the rule asks to show beside it), so a team leader can see *why* — never a black box.

Condition semantics
-------------------
* ``all``: every condition must hold; ``any``: at least one must; a type with both needs both;
  a type with neither is the fallback and always holds.
* A condition on a metric with no value (NaN / None: no data in the window) does **not** hold.
* ``value`` is a number, a string, a list (``op: in`` / ``not_in``) or the name of another
  profile column (compared row by row).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from ccomkit.errors import ParameterError
from ccomkit.schemas import require_columns

__all__ = ["Condition", "DevType", "DevRules", "load_rules", "development_evidence",
           "development_types", "RULES_DIR", "DEV_TYPES"]

RULES_DIR = Path(__file__).parent / "rules"

DEV_TYPES: tuple[str, ...] = ("unfinished", "repeat_error", "slow_grower", "potential", "steady")
"""The five development types of seed 001 chapter 4 (半成品, 重复犯错, 成长缓慢, 潜力股, 中规中矩)."""

_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "==": operator.eq, "!=": operator.ne,
}
_LIST_OPS = ("in", "not_in")


@dataclass(frozen=True)
class Condition:
    """One test ``metric op value`` on a profile row; ``show`` lists profile columns printed
    beside it as its evidence."""

    metric: str
    op: str
    value: Any
    show: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.metric, str) or not self.metric:
            raise ParameterError.expected("Condition", "metric", "a profile column name",
                                          self.metric)
        if self.op not in _OPS and self.op not in _LIST_OPS:
            raise ParameterError.expected("Condition", "op", "one of " + ", ".join(
                [*_OPS, *_LIST_OPS]) + f" (metric {self.metric})", self.op)
        if self.op in _LIST_OPS and not isinstance(self.value, (list, tuple)):
            raise ParameterError.expected("Condition", "value", f"a list for op {self.op!r} "
                                          f"(metric {self.metric})", self.value)

    def threshold_text(self) -> str:
        v = self.value
        if isinstance(v, (list, tuple)):
            return "[" + ", ".join(map(str, v)) + "]"
        return f"{v:g}" if isinstance(v, float) else str(v)


@dataclass(frozen=True)
class DevType:
    """A development type: code, labels, the need it points to, and its conditions."""

    code: str
    label_zh: str
    label_en: str
    need_zh: str = ""
    need_en: str = ""
    all: tuple[Condition, ...] = ()
    any: tuple[Condition, ...] = ()

    @property
    def is_fallback(self) -> bool:
        return not self.all and not self.any


@dataclass(frozen=True)
class DevRules:
    """An ordered set of development types; the last one should be a fallback."""

    name: str
    types: tuple[DevType, ...]
    label_zh: str = ""
    label_en: str = ""
    source: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        codes = [t.code for t in self.types]
        if not codes:
            raise ParameterError.expected("DevRules", "types", "at least one type", codes)
        dup = sorted({c for c in codes if codes.count(c) > 1})
        if dup:
            raise ParameterError.expected("DevRules", "types", "types with unique codes", dup)
        if not self.types[-1].is_fallback:
            raise ParameterError.expected(
                "DevRules", "types", "a last type without conditions (the fallback every agent "
                "not matched earlier gets)", self.types[-1].code)

    @property
    def metrics(self) -> list[str]:
        """Profile columns the rules read (metrics, compared columns and shown columns)."""
        out: list[str] = []
        for t in self.types:
            for c in (*t.all, *t.any):
                out.append(c.metric)
        return list(dict.fromkeys(out))

    def to_frame(self) -> pd.DataFrame:
        """One row per condition: ``type_order``, ``type_code``, ``label_zh``, ``label_en``,
        ``block`` (all/any/fallback), ``metric``, ``op``, ``threshold``."""
        rows = []
        for i, t in enumerate(self.types, 1):
            if t.is_fallback:
                rows.append((i, t.code, t.label_zh, t.label_en, "fallback", None, None, None))
            for block, conds in (("all", t.all), ("any", t.any)):
                for c in conds:
                    rows.append((i, t.code, t.label_zh, t.label_en, block, c.metric, c.op,
                                 c.threshold_text()))
        return pd.DataFrame(rows, columns=["type_order", "type_code", "label_zh", "label_en",
                                           "block", "metric", "op", "threshold"])


def _condition(raw: Any, where: str) -> Condition:
    if not isinstance(raw, Mapping) or not {"metric", "op", "value"} <= set(raw):
        raise ParameterError.expected("load_rules", "conditions",
                                      f"mappings with metric, op and value ({where})", raw)
    show = raw.get("show") or ()
    return Condition(str(raw["metric"]), str(raw["op"]), raw["value"], tuple(map(str, show)))


def load_rules(name_or_path: str | Path | DevRules = "default") -> DevRules:
    """Load development-type rules: a shipped set by name or a YAML file by path.

    Examples
    --------
    >>> rules = load_rules()
    >>> [t.code for t in rules.types]
    ['unfinished', 'repeat_error', 'slow_grower', 'potential', 'steady']
    >>> rules.to_frame().query("type_code == 'repeat_error'")[["metric", "op", "threshold"]]
                 metric  op threshold
    2  max_item_repeats  >=         4
    3      repeat_share  >=       0.3
    """
    if isinstance(name_or_path, DevRules):
        return name_or_path
    p = Path(name_or_path)
    if not p.suffix:
        p = RULES_DIR / f"{name_or_path}.yaml"
    if not p.is_file():
        shipped = sorted(x.stem for x in RULES_DIR.glob("*.yaml"))
        raise ParameterError.expected("load_rules", "name_or_path",
                                      "a shipped rule set (" + ", ".join(shipped)
                                      + ") or a YAML file", str(name_or_path))
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ParameterError(f"development rules {p} are not valid YAML: "
                             f"{str(exc).splitlines()[0]}", param="name_or_path",
                             value=str(p)) from None
    if not isinstance(raw, Mapping) or not isinstance(raw.get("types"), list):
        raise ParameterError(f"development rules {p} need a 'types' list", param="name_or_path",
                             value=str(p))
    types = []
    for t in raw["types"]:
        code = str(t.get("code", ""))
        types.append(DevType(
            code=code, label_zh=str(t.get("label_zh", code)), label_en=str(t.get("label_en", code)),
            need_zh=str(t.get("need_zh", "")), need_en=str(t.get("need_en", "")),
            all=tuple(_condition(c, f"type {code}") for c in (t.get("all") or ())),
            any=tuple(_condition(c, f"type {code}") for c in (t.get("any") or ()))))
    return DevRules(name=str(raw.get("name", p.stem)), types=tuple(types),
                    label_zh=str(raw.get("label_zh", "")), label_en=str(raw.get("label_en", "")),
                    source=str(p))


def _is_missing(v: Any) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    try:
        return bool(isinstance(v, float) and np.isnan(v))
    except TypeError:  # pragma: no cover
        return False


def _fmt(v: Any) -> str:
    if _is_missing(v):
        return "—"
    if isinstance(v, (float, np.floating)):
        return f"{float(v):.4g}"
    if isinstance(v, pd.Timestamp):
        return v.strftime("%Y-%m-%d")
    return str(v)


def _test(c: Condition, row: Mapping[str, Any]) -> tuple[Any, Any, bool]:
    """(value, threshold used, held)."""
    v = row.get(c.metric)
    thr = c.value
    if isinstance(thr, str) and thr in row and c.op in _OPS:
        thr = row[thr]
    if _is_missing(v) or (not isinstance(thr, (list, tuple)) and _is_missing(thr)):
        return v, thr, False
    if c.op == "in":
        return v, thr, v in thr
    if c.op == "not_in":
        return v, thr, v not in thr
    try:
        return v, thr, bool(_OPS[c.op](v, thr))
    except TypeError:
        raise ParameterError(f"development rule: cannot compare {c.metric}={v!r} {c.op} "
                             f"{thr!r}; check the rule's value type", param="value",
                             value=thr) from None


def development_evidence(profile: pd.DataFrame, rules: str | Path | DevRules = "default"
                         ) -> pd.DataFrame:
    """Every condition of every type tried on every agent, with the values that decided it.

    Parameters
    ----------
    profile : DataFrame
        One row per agent: ``agent_id`` and the metric columns the rules read (see
        :attr:`DevRules.metrics`). Not modified.
    rules : str, Path or DevRules, default "default"

    Returns
    -------
    DataFrame
        One row per agent × condition (agent order, then rule order): ``agent_id``,
        ``type_order``, ``type_code``, ``block`` (all/any/fallback), ``metric``, ``value``
        (text), ``op``, ``threshold`` (text; a compared column shows its value), ``held``,
        ``type_holds`` (the whole type holds), ``assigned`` (this type is the agent's
        development type) and ``shown`` (the ``show`` columns as ``col=value`` text).

    Raises
    ------
    SchemaError
        The profile lacks a metric column a rule reads (the error names it).

    Examples
    --------
    >>> from ccomkit.teamlead.development import DevRules, DevType, Condition
    >>> r = DevRules("t", (DevType("new", "新", "new", any=(Condition("tenure_days", "<", 90),)),
    ...                    DevType("other", "其他", "other")))
    >>> p = pd.DataFrame({"agent_id": ["A", "B"], "tenure_days": [30, 400]})
    >>> development_evidence(p, r)[["agent_id", "type_code", "value", "held", "assigned"]]
      agent_id type_code value   held  assigned
    0        A       new    30   True      True
    1        A     other   NaN   True     False
    2        B       new   400  False     False
    3        B     other   NaN   True      True
    """
    r = load_rules(rules)
    need = set(r.metrics)
    for t in r.types:
        for c in (*t.all, *t.any):
            if isinstance(c.value, str) and c.op in _OPS and c.value in profile.columns:
                need.add(c.value)
    require_columns(profile, ["agent_id", *sorted(need)], "agent profile")
    rows: list[tuple[Any, ...]] = []
    for rec in profile.to_dict("records"):
        assigned_done = False
        for i, t in enumerate(r.types, 1):
            results = []
            for block, conds in (("all", t.all), ("any", t.any)):
                for c in conds:
                    v, thr, held = _test(c, rec)
                    shown = "; ".join(f"{s}={_fmt(rec.get(s))}" for s in c.show if s in rec)
                    results.append((block, c, v, thr, held, shown))
            all_ok = all(h for b, _, _, _, h, _ in results if b == "all")
            any_list = [h for b, _, _, _, h, _ in results if b == "any"]
            holds = all_ok and (any(any_list) if any_list else True)
            assigned = holds and not assigned_done
            assigned_done = assigned_done or holds
            if t.is_fallback:
                rows.append((rec["agent_id"], i, t.code, "fallback", None, None, None, None,
                             True, True, assigned, ""))
            for block, c, v, thr, held, shown in results:
                thr_text = (c.threshold_text() if not (isinstance(c.value, str)
                                                       and c.value in rec and c.op in _OPS)
                            else f"{c.value}={_fmt(thr)}")
                rows.append((rec["agent_id"], i, t.code, block, c.metric, _fmt(v), c.op,
                             thr_text, held, holds, assigned, shown))
    cols = ["agent_id", "type_order", "type_code", "block", "metric", "value", "op", "threshold",
            "held", "type_holds", "assigned", "shown"]
    out = pd.DataFrame(rows, columns=cols)
    for b in ("held", "type_holds", "assigned"):
        out[b] = out[b].astype(bool)
    out["type_order"] = out["type_order"].astype(np.int64)
    return out


def development_types(profile: pd.DataFrame, rules: str | Path | DevRules = "default",
                      *, lang: str = "zh") -> pd.DataFrame:
    """The development type of each agent, with the reason in words.

    Parameters
    ----------
    profile : DataFrame
        See :func:`development_evidence`.
    rules : str, Path or DevRules, default "default"
    lang : {"zh", "en"}, default "zh"
        Language of ``reason``.

    Returns
    -------
    DataFrame
        One row per agent (profile order): ``agent_id``, ``dev_type``, ``label_zh``,
        ``label_en``, ``need_zh``, ``need_en``, ``also_matches`` (other types whose
        conditions hold, ``|`` separated, empty if none) and ``reason`` (the held conditions of
        the assigned type as ``metric value op threshold``; the fallback says none matched).

    Examples
    --------
    >>> from ccomkit.teamlead.development import DevRules, DevType, Condition
    >>> r = DevRules("t", (DevType("new", "新", "new", any=(Condition("tenure_days", "<", 90),)),
    ...                    DevType("other", "其他", "other")))
    >>> p = pd.DataFrame({"agent_id": ["A", "B"], "tenure_days": [30, 400]})
    >>> development_types(p, r, lang="en")[["agent_id", "dev_type", "reason"]]
      agent_id dev_type                             reason
    0        A      new                tenure_days 30 < 90
    1        B    other  no earlier type matched: fallback
    """
    if lang not in ("zh", "en"):
        raise ParameterError.expected("development_types", "lang", "'zh' or 'en'", lang)
    r = load_rules(rules)
    ev = development_evidence(profile, r)
    by_code = {t.code: t for t in r.types}
    out = []
    for aid, g in ev.groupby("agent_id", sort=False):
        a = g[g["assigned"]]
        code = a["type_code"].iloc[0]
        t = by_code[code]
        also = [c for c in dict.fromkeys(g.loc[g["type_holds"] & ~g["assigned"], "type_code"])
                if c != code and not by_code[c].is_fallback]
        held = a[a["held"] & a["metric"].notna()]
        if t.is_fallback:
            reason = "之前的类型均不符合:默认类型" if lang == "zh" else \
                "no earlier type matched: fallback"
        else:
            reason = "; ".join(f"{m} {v} {o} {th}" for m, v, o, th in
                               held[["metric", "value", "op", "threshold"]].itertuples(
                                   index=False))
        out.append((aid, code, t.label_zh, t.label_en, t.need_zh, t.need_en, "|".join(also),
                    reason))
    return pd.DataFrame(out, columns=["agent_id", "dev_type", "label_zh", "label_en", "need_zh",
                                      "need_en", "also_matches", "reason"])

