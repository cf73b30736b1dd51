"""Roster rules as data: shift templates, break rules, hard rules, fairness horizon and knobs.

A ``RULES.yaml`` file (schema and example in ``docs/roster-rules.md``; the shipped example is
``ccomkit/wfm/rules/example.yaml``) is loaded into a frozen :class:`RosterRules` by
:func:`load_rules`, which validates everything at once and names the offending key. The solver
(:mod:`ccomkit.wfm.scheduling`) and the independent checker (:mod:`ccomkit.wfm.roster_check`)
both read this one object; neither interprets the YAML itself.

Times of day are ``"HH:MM"`` strings; offsets and lengths are minutes (``*_min``), rest and
hours are hours (``*_h``).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from ccomkit.errors import ParameterError

__all__ = [
    "BreakRule",
    "ShiftTemplate",
    "HardRules",
    "RosterRules",
    "load_rules",
    "rules_from_dict",
    "normalize_agents",
    "EXAMPLE_RULES",
    "WEEKDAYS",
]

RULES_DIR = Path(__file__).with_name("rules")
EXAMPLE_RULES = RULES_DIR / "example.yaml"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ACTIVITIES = ("work", "break", "lunch")
_OWNER = "RosterRules"


def _fail(key: str, expectation: str, value: Any) -> ParameterError:
    return ParameterError(f"RULES.yaml: '{key}' must be {expectation}. Got {value!r} instead.",
                          param=key, value=value)


def _int(key: str, value: Any, *, lo: int = 0, allow_none: bool = False) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not float(value).is_integer() \
            or value < lo:
        raise _fail(key, f"a whole number >= {lo}" + (" or null" if allow_none else ""), value)
    return int(value)


def _num(key: str, value: Any, *, lo: float = 0.0, allow_none: bool = False) -> float | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) \
            or value < lo:
        raise _fail(key, f"a number >= {lo:g}" + (" or null" if allow_none else ""), value)
    return float(value)


def _clock(key: str, value: Any) -> int:
    """'HH:MM' (or minutes as an int) → minutes after midnight, 0..1439 (24:00 → 1440 allowed)."""
    if isinstance(value, int) and not isinstance(value, bool):
        minutes = value
    else:
        text = str(value).strip()
        try:
            hh, mm = text.split(":")
            minutes = int(hh) * 60 + int(mm)
            if not (0 <= int(mm) < 60):
                raise ValueError
        except ValueError:
            raise _fail(key, "a time of day 'HH:MM'", value) from None
    if not 0 <= minutes <= 1440:
        raise _fail(key, "a time of day between 00:00 and 24:00", value)
    return minutes


@dataclass(frozen=True)
class BreakRule:
    """One break or lunch inside a shift: its length and the window where it may *start*.

    ``window_start_min`` and ``window_end_min`` are offsets from the shift start (inclusive) of
    the earliest and latest allowed break start; the break itself must end inside the shift.
    """

    activity: str
    length_min: int
    window_start_min: int
    window_end_min: int
    paid: bool = True


@dataclass(frozen=True)
class ShiftTemplate:
    """A family of shifts: one length, starts every ``start_step_min`` in a start window.

    ``kind`` says which agents may work it (``full`` or ``part`` time). ``start_latest_min`` may
    exceed 1440 - length (overnight shift) only when ``overnight`` is true.
    """

    code: str
    kind: str
    length_min: int
    start_earliest_min: int
    start_latest_min: int
    start_step_min: int
    breaks: tuple[BreakRule, ...] = ()
    days: tuple[str, ...] = WEEKDAYS
    overnight: bool = False

    @property
    def starts_min(self) -> tuple[int, ...]:
        """Allowed start times, minutes after midnight."""
        return tuple(range(self.start_earliest_min, self.start_latest_min + 1, self.start_step_min))

    @property
    def paid_min(self) -> int:
        """Paid minutes: the span minus unpaid breaks."""
        return self.length_min - sum(b.length_min for b in self.breaks if not b.paid)

    @property
    def work_min(self) -> int:
        """Minutes on the phones: the span minus every break and lunch."""
        return self.length_min - sum(b.length_min for b in self.breaks)


@dataclass(frozen=True)
class HardRules:
    """Rules no produced roster may break (the checker verifies every one of them)."""

    min_rest_h: float = 11.0
    max_consecutive_work_days: int = 6
    min_days_off_per_week: int = 2
    max_nights_per_period: int | None = None
    max_weekends_per_period: int | None = None
    weekly_hours_tolerance_h: float = 0.0
    full_time_min_hours_week: float = 35.0


@dataclass(frozen=True)
class RosterRules:
    """Everything a roster is built and judged by; load it with :func:`load_rules`.

    Attributes
    ----------
    interval_min : int
        The requirement grid (15 or 30 minutes are usual).
    slot_min : int
        The model's time step: divides the interval, every start step, break length and window.
    templates : tuple of ShiftTemplate
    hard : HardRules
    night_start_min, night_end_min : int
        A shift that has any minute in ``[night_start, night_end)`` (wrapping midnight) is a night.
    holidays : tuple of str
        ISO dates counted as holidays for fairness.
    fairness_horizon_weeks : int
        The period fairness is judged over; counts of the earlier weeks come in per agent
        (columns ``nights_prev``, ``weekends_prev``, ``holidays_prev``, ``hours_prev``).
    weight_utilization, weight_humane, weight_fairness : float
        The three knobs (>= 0) of the soft goals, one per CCOM standard.
    tolerance_frac : float
        Scoring: an interval is "on target" when scheduled is within ± this share of required.
    quick_return_h : float
        Scoring: a rest shorter than this between two shifts is a quick return (晚转早).
    service_level_target_s : float
        Scoring: answer-time threshold of the Erlang service level recomputed per interval.
    """

    interval_min: int
    slot_min: int
    templates: tuple[ShiftTemplate, ...]
    hard: HardRules = field(default_factory=HardRules)
    night_start_min: int = 22 * 60
    night_end_min: int = 6 * 60
    holidays: tuple[str, ...] = ()
    fairness_horizon_weeks: int = 4
    weight_utilization: float = 1.0
    weight_humane: float = 1.0
    weight_fairness: float = 1.0
    tolerance_frac: float = 0.10
    quick_return_h: float = 12.0
    service_level_target_s: float = 20.0

    def template(self, code: str) -> ShiftTemplate:
        """The template with this code (``ParameterError`` naming the known codes otherwise)."""
        for t in self.templates:
            if t.code == code:
                return t
        raise ParameterError(f"Unknown shift code {code!r}; RULES.yaml defines "
                             f"{', '.join(t.code for t in self.templates)}.", param="shift_code",
                             value=code)

    def is_night(self, start_min: int, length_min: int) -> bool:
        """Whether a shift starting at ``start_min`` (after midnight) touches the night window."""
        ns, ne = self.night_start_min, self.night_end_min
        lo, hi = start_min, start_min + length_min
        windows = []
        for day in (-1, 0, 1):
            base = day * 1440
            if ns < ne:
                windows.append((base + ns, base + ne))
            else:
                windows.append((base + ns, base + 1440 + ne))
        return any(lo < b and hi > a for a, b in windows)


def _break(key: str, raw: Any, length_span: int) -> BreakRule:
    if not isinstance(raw, Mapping):
        raise _fail(key, "a mapping with activity, length_min, window_start_min, window_end_min", raw)
    unknown = set(raw) - {"activity", "length_min", "window_start_min", "window_end_min", "paid"}
    if unknown:
        raise _fail(f"{key}.{sorted(unknown)[0]}", "one of activity, length_min, window_start_min, "
                    "window_end_min, paid", raw[sorted(unknown)[0]])
    act = raw.get("activity", "break")
    if act not in ("break", "lunch"):
        raise _fail(f"{key}.activity", "'break' or 'lunch'", act)
    length = _int(f"{key}.length_min", raw.get("length_min"), lo=1)
    lo = _int(f"{key}.window_start_min", raw.get("window_start_min"), lo=1)
    hi = _int(f"{key}.window_end_min", raw.get("window_end_min"), lo=1)
    assert length is not None and lo is not None and hi is not None
    if hi < lo:
        raise _fail(f"{key}.window_end_min", f">= window_start_min ({lo})", hi)
    if hi + length >= length_span:
        raise _fail(f"{key}.window_end_min", f"such that the break ends before the shift does "
                    f"(<= {length_span - length - 1})", hi)
    paid = raw.get("paid", act == "break")
    if not isinstance(paid, bool):
        raise _fail(f"{key}.paid", "true or false", paid)
    return BreakRule(act, length, lo, hi, paid)


def _template(i: int, raw: Any) -> ShiftTemplate:
    key = f"shift_templates[{i}]"
    if not isinstance(raw, Mapping):
        raise _fail(key, "a mapping", raw)
    allowed = {"code", "kind", "length_min", "start_earliest", "start_latest", "start_step_min",
               "breaks", "days", "overnight"}
    unknown = set(raw) - allowed
    if unknown:
        u = sorted(unknown)[0]
        raise _fail(f"{key}.{u}", f"one of {', '.join(sorted(allowed))}", raw[u])
    code = raw.get("code")
    if not isinstance(code, str) or not code.strip() or any(c in code for c in " ,;|"):
        raise _fail(f"{key}.code", "a short text without spaces, commas, ';' or '|'", code)
    kind = raw.get("kind", "full")
    if kind not in ("full", "part"):
        raise _fail(f"{key}.kind", "'full' or 'part'", kind)
    length = _int(f"{key}.length_min", raw.get("length_min"), lo=1)
    assert length is not None
    if length > 16 * 60:
        raise _fail(f"{key}.length_min", "at most 960 (16 hours)", length)
    early = _clock(f"{key}.start_earliest", raw.get("start_earliest"))
    late = _clock(f"{key}.start_latest", raw.get("start_latest", raw.get("start_earliest")))
    if late < early or late >= 1440:
        raise _fail(f"{key}.start_latest", f"a time from start_earliest to 23:59", raw.get("start_latest"))
    step = _int(f"{key}.start_step_min", raw.get("start_step_min", 30), lo=1)
    assert step is not None
    overnight = raw.get("overnight", False)
    if not isinstance(overnight, bool):
        raise _fail(f"{key}.overnight", "true or false", overnight)
    if not overnight and late + length > 1440:
        raise _fail(f"{key}.start_latest", f"such that the shift ends by 24:00 (set overnight: true "
                    f"to allow it to cross midnight)", raw.get("start_latest"))
    days = raw.get("days", list(WEEKDAYS))
    if isinstance(days, str):
        days = [d.strip() for d in days.split(",")]
    days_t = tuple(str(d).strip().lower()[:3] for d in days)
    if not days_t or any(d not in WEEKDAYS for d in days_t):
        raise _fail(f"{key}.days", f"a list of {', '.join(WEEKDAYS)}", days)
    breaks = raw.get("breaks", []) or []
    if not isinstance(breaks, list):
        raise _fail(f"{key}.breaks", "a list", breaks)
    brs = tuple(_break(f"{key}.breaks[{j}]", b, length) for j, b in enumerate(breaks))
    order = sorted(brs, key=lambda b: b.window_start_min)
    for a, b in zip(order, order[1:]):
        # disjoint windows: breaks can never overlap, whatever start each takes
        if a.window_end_min + a.length_min > b.window_start_min:
            raise _fail(f"{key}.breaks", "breaks whose windows cannot overlap (each window_start_min "
                        "after the previous break's window_end_min + length_min)",
                        [x.activity for x in order])
    return ShiftTemplate(code.strip(), kind, length, early, late, step, tuple(order), days_t, overnight)


def rules_from_dict(raw: Mapping[str, Any]) -> RosterRules:
    """Build a validated :class:`RosterRules` from the parsed YAML mapping.

    Examples
    --------
    >>> r = rules_from_dict({"interval_min": 30, "shift_templates": [
    ...     {"code": "D8", "length_min": 480, "start_earliest": "08:00", "start_latest": "09:00",
    ...      "breaks": [{"activity": "lunch", "length_min": 30, "window_start_min": 180,
    ...                  "window_end_min": 270}]}]})
    >>> r.templates[0].starts_min, r.slot_min, r.templates[0].paid_min
    ((480, 510, 540), 30, 450)
    """
    if not isinstance(raw, Mapping):
        raise _fail("(top level)", "a mapping", raw)
    allowed = {"interval_min", "slot_min", "shift_templates", "hard_rules", "night", "holidays",
               "fairness", "weights", "scoring"}
    unknown = set(raw) - allowed
    if unknown:
        u = sorted(unknown)[0]
        raise _fail(u, f"one of the top-level keys {', '.join(sorted(allowed))}", raw[u])
    interval = _int("interval_min", raw.get("interval_min", 30), lo=1)
    assert interval is not None
    if 1440 % interval:
        raise _fail("interval_min", "a divisor of 1440 (e.g. 15 or 30)", interval)
    tmpl_raw = raw.get("shift_templates")
    if not isinstance(tmpl_raw, list) or not tmpl_raw:
        raise _fail("shift_templates", "a non-empty list of shift templates", tmpl_raw)
    templates = tuple(_template(i, t) for i, t in enumerate(tmpl_raw))
    codes = [t.code for t in templates]
    if len(set(codes)) != len(codes):
        raise _fail("shift_templates", "templates with distinct codes", codes)
    # the model's time step: gcd of everything on the clock
    g = interval
    for t in templates:
        g = math.gcd(g, t.start_earliest_min, t.start_step_min, t.length_min)
        for b in t.breaks:
            g = math.gcd(g, b.length_min, b.window_start_min, b.window_end_min)
    slot = raw.get("slot_min")
    if slot is None:
        slot = g
    slot = _int("slot_min", slot, lo=1)
    assert slot is not None
    if g % slot or 1440 % slot:
        raise _fail("slot_min", f"a divisor of {g} (the gcd of the interval, start steps, lengths and "
                    "break windows)", slot)
    if slot < 5:
        raise _fail("slot_min", "at least 5 minutes (make lengths and windows multiples of 5)", slot)
    hr = raw.get("hard_rules", {}) or {}
    if not isinstance(hr, Mapping):
        raise _fail("hard_rules", "a mapping", hr)
    hd = HardRules()
    allowed_h = set(HardRules.__dataclass_fields__)
    unknown = set(hr) - allowed_h
    if unknown:
        u = sorted(unknown)[0]
        raise _fail(f"hard_rules.{u}", f"one of {', '.join(sorted(allowed_h))}", hr[u])
    hard = HardRules(
        min_rest_h=_num("hard_rules.min_rest_h", hr.get("min_rest_h", hd.min_rest_h)),  # type: ignore[arg-type]
        max_consecutive_work_days=_int("hard_rules.max_consecutive_work_days",  # type: ignore[arg-type]
                                       hr.get("max_consecutive_work_days", hd.max_consecutive_work_days), lo=1),
        min_days_off_per_week=_int("hard_rules.min_days_off_per_week",  # type: ignore[arg-type]
                                   hr.get("min_days_off_per_week", hd.min_days_off_per_week)),
        max_nights_per_period=_int("hard_rules.max_nights_per_period",
                                   hr.get("max_nights_per_period"), allow_none=True),
        max_weekends_per_period=_int("hard_rules.max_weekends_per_period",
                                     hr.get("max_weekends_per_period"), allow_none=True),
        weekly_hours_tolerance_h=_num("hard_rules.weekly_hours_tolerance_h",  # type: ignore[arg-type]
                                      hr.get("weekly_hours_tolerance_h", hd.weekly_hours_tolerance_h)),
        full_time_min_hours_week=_num("hard_rules.full_time_min_hours_week",  # type: ignore[arg-type]
                                      hr.get("full_time_min_hours_week", hd.full_time_min_hours_week)),
    )
    if hard.min_days_off_per_week > 6:
        raise _fail("hard_rules.min_days_off_per_week", "at most 6", hard.min_days_off_per_week)
    if hard.min_rest_h > 24:
        raise _fail("hard_rules.min_rest_h", "at most 24", hard.min_rest_h)
    night = raw.get("night", {}) or {}
    ns = _clock("night.start", night.get("start", "22:00")) % 1440
    ne = _clock("night.end", night.get("end", "06:00")) % 1440
    hol = raw.get("holidays", []) or []
    if not isinstance(hol, list):
        raise _fail("holidays", "a list of ISO dates", hol)
    import datetime as _dt

    hol_t = []
    for h in hol:
        try:
            hol_t.append(_dt.date.fromisoformat(str(h)).isoformat())
        except ValueError:
            raise _fail("holidays", "a list of ISO dates (YYYY-MM-DD)", h) from None
    fair = raw.get("fairness", {}) or {}
    horizon = _int("fairness.horizon_weeks", fair.get("horizon_weeks", 4), lo=1)
    w = raw.get("weights", {}) or {}
    unknown = set(w) - {"utilization", "humane", "fairness"}
    if unknown:
        u = sorted(unknown)[0]
        raise _fail(f"weights.{u}", "one of utilization, humane, fairness", w[u])
    sc = raw.get("scoring", {}) or {}
    tol = _num("scoring.tolerance_frac", sc.get("tolerance_frac", 0.10))
    assert tol is not None
    if tol >= 1:
        raise _fail("scoring.tolerance_frac", "a fraction in [0, 1)", tol)
    return RosterRules(
        interval_min=interval,
        slot_min=slot,
        templates=templates,
        hard=hard,
        night_start_min=ns,
        night_end_min=ne,
        holidays=tuple(hol_t),
        fairness_horizon_weeks=horizon,  # type: ignore[arg-type]
        weight_utilization=_num("weights.utilization", w.get("utilization", 1.0)),  # type: ignore[arg-type]
        weight_humane=_num("weights.humane", w.get("humane", 1.0)),  # type: ignore[arg-type]
        weight_fairness=_num("weights.fairness", w.get("fairness", 1.0)),  # type: ignore[arg-type]
        tolerance_frac=tol,
        quick_return_h=_num("scoring.quick_return_h", sc.get("quick_return_h", 12.0)),  # type: ignore[arg-type]
        service_level_target_s=_num("scoring.service_level_target_s",  # type: ignore[arg-type]
                                    sc.get("service_level_target_s", 20.0)),
    )


def load_rules(path_or_dict: str | Path | Mapping[str, Any] | RosterRules) -> RosterRules:
    """Load and validate roster rules from a YAML file, a parsed mapping, or pass rules through.

    Parameters
    ----------
    path_or_dict : str, Path, mapping or RosterRules
        A ``RULES.yaml`` path (schema in ``docs/roster-rules.md``), the name of a rules file
        shipped in ``ccomkit/wfm/rules/`` (``"example"``: 07:00-23:00; ``"24x7"``: round the
        clock), the parsed mapping, or an already built :class:`RosterRules`.

    Returns
    -------
    RosterRules

    Raises
    ------
    ParameterError
        The file is missing or unreadable, or a key is unknown or out of its domain (the message
        names the key, e.g. ``shift_templates[1].breaks[0].window_end_min``).

    Examples
    --------
    >>> rules = load_rules("example")
    >>> [t.code for t in rules.templates]
    ['F8', 'P4']
    >>> rules.hard.min_rest_h, rules.slot_min
    (11.0, 15)
    """
    if isinstance(path_or_dict, RosterRules):
        return path_or_dict
    if isinstance(path_or_dict, Mapping):
        return rules_from_dict(path_or_dict)
    path = Path(path_or_dict)
    shipped = RULES_DIR / f"{path_or_dict}.yaml"
    if not path.exists() and "/" not in str(path_or_dict) and shipped.exists():
        path = shipped  # a rules file shipped with ccomkit: "example", "24x7"
    if not path.exists():
        raise ParameterError(f"{path}: rules file not found.", param="rules", value=str(path))
    import yaml

    try:
        with open(path, encoding="utf-8") as fh:
            raw = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
    except yaml.YAMLError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "cannot parse"
        raise ParameterError(f"{path}: not valid YAML ({first}).", param="rules", value=str(path)) from None
    return rules_from_dict(raw)


# --------------------------------------------------------------------------------------------
# agents: one normalised frame that the solver and the checker both read
# --------------------------------------------------------------------------------------------
AGENT_LIST_COLUMNS = ("shift_codes", "unavailable_dates", "preferred_shifts", "preferred_days_off", "skills")
AGENT_COUNT_COLUMNS = ("nights_prev", "weekends_prev", "holidays_prev", "consecutive_days_before")


def _split(value: Any) -> tuple[str, ...]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ()
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(str(v).strip() for v in value if str(v).strip())
    text = str(value).strip()
    if not text or text.lower() in ("nan", "none"):
        return ()
    for sep in (",", "|"):
        text = text.replace(sep, ";")
    return tuple(p.strip() for p in text.split(";") if p.strip())


def normalize_agents(agents: Any, rules: RosterRules) -> Any:
    """Validate an agents frame and return it normalised (lists as tuples, kinds resolved).

    Input columns: ``agent_id``, ``contract_hours_week`` and optionally ``employment``
    (``full``/``part``; default: full when the contract is at least
    ``hard_rules.full_time_min_hours_week``), ``shift_codes`` (allowed template codes, ``;``
    separated; default: every template of the agent's kind), ``unavailable_dates`` (or
    ``leave_dates``; ISO dates), ``no_nights`` (bool), ``preferred_shifts`` (codes),
    ``preferred_days_off`` (``sat;sun``), ``skills``, and the counts carried in from the earlier
    weeks of the fairness horizon ``nights_prev``, ``weekends_prev``, ``holidays_prev`` and
    ``consecutive_days_before`` (work days in a row just before the roster starts).

    Examples
    --------
    >>> import pandas as pd
    >>> rules = load_rules("example")
    >>> a = normalize_agents(pd.DataFrame({"agent_id": ["a1", "a2"], "contract_hours_week": [40, 20],
    ...                                    "preferred_days_off": ["sat;sun", None]}), rules)
    >>> a[["agent_id", "kind", "shift_codes", "preferred_days_off"]].to_dict("records")[0]
    {'agent_id': 'a1', 'kind': 'full', 'shift_codes': ('F8',), 'preferred_days_off': ('sat', 'sun')}
    """
    import pandas as pd

    from ccomkit.errors import SchemaError
    from ccomkit.schemas import require_columns

    table = "agents"
    require_columns(agents, ["agent_id", "contract_hours_week"], table)
    frame = agents.copy()
    frame["agent_id"] = frame["agent_id"].astype(str).str.strip()
    dup = frame["agent_id"].duplicated()
    if dup.any():
        raise SchemaError(f"agents.agent_id must be unique: {int(dup.sum())} duplicates, first "
                          f"{frame.loc[dup, 'agent_id'].iloc[0]!r}", table=table, column="agent_id",
                          rows=list(frame.index[dup][:5]))
    hours = pd.to_numeric(frame["contract_hours_week"], errors="coerce")
    bad = hours.isna() | (hours <= 0) | (hours > 84)
    if bad.any():
        raise SchemaError(f"agents.contract_hours_week must be a number in (0, 84]: {int(bad.sum())} rows "
                          f"violate it, first at rows {list(frame.index[bad][:5])} (values "
                          f"{list(frame.loc[bad, 'contract_hours_week'][:5])})", table=table,
                          column="contract_hours_week", rows=list(frame.index[bad][:5]))
    frame["contract_hours_week"] = hours.astype(float)
    if "leave_dates" in frame.columns and "unavailable_dates" not in frame.columns:
        frame = frame.rename(columns={"leave_dates": "unavailable_dates"})
    if "employment" in frame.columns:
        kind = frame["employment"].astype(str).str.strip().str.lower()
        kind = kind.replace({"ft": "full", "pt": "part", "full_time": "full", "part_time": "part",
                             "全职": "full", "兼职": "part", "nan": ""})
        auto = kind.eq("")
        kind[auto] = ["full" if h >= rules.hard.full_time_min_hours_week else "part" for h in hours[auto]]
        bad = ~kind.isin(["full", "part"])
        if bad.any():
            raise SchemaError(f"agents.employment must be 'full' or 'part': {int(bad.sum())} rows violate it, "
                              f"first at rows {list(frame.index[bad][:5])}", table=table, column="employment",
                              rows=list(frame.index[bad][:5]))
    else:
        kind = pd.Series(["full" if h >= rules.hard.full_time_min_hours_week else "part" for h in hours],
                         index=frame.index)
    frame["kind"] = kind
    for col in AGENT_LIST_COLUMNS:
        if col not in frame.columns:
            frame[col] = [() for _ in range(len(frame))]
        else:
            frame[col] = [_split(v) for v in frame[col]]
    known = {t.code for t in rules.templates}
    codes = []
    for i, (k, own) in enumerate(zip(frame["kind"], frame["shift_codes"])):
        if own:
            unknown = [c for c in own if c not in known]
            if unknown:
                raise SchemaError(f"agents.shift_codes names unknown shift code {unknown[0]!r} (row "
                                  f"{frame.index[i]}); RULES.yaml defines {', '.join(sorted(known))}",
                                  table=table, column="shift_codes", rows=[frame.index[i]])
            codes.append(tuple(own))
        else:
            codes.append(tuple(t.code for t in rules.templates if t.kind == k))
    frame["shift_codes"] = codes
    days = []
    for i, v in enumerate(frame["preferred_days_off"]):
        d = tuple(x.lower()[:3] for x in v)
        if any(x not in WEEKDAYS for x in d):
            raise SchemaError(f"agents.preferred_days_off must list weekdays (mon … sun), row {frame.index[i]} "
                              f"has {v!r}", table=table, column="preferred_days_off", rows=[frame.index[i]])
        days.append(d)
    frame["preferred_days_off"] = days
    import datetime as _dt

    unav = []
    for i, v in enumerate(frame["unavailable_dates"]):
        try:
            unav.append(frozenset(_dt.date.fromisoformat(x[:10]).isoformat() for x in v))
        except ValueError:
            raise SchemaError(f"agents.unavailable_dates must be ISO dates separated by ';', row {frame.index[i]} "
                              f"has {v!r}", table=table, column="unavailable_dates",
                              rows=[frame.index[i]]) from None
    frame["unavailable_dates"] = unav
    if "no_nights" in frame.columns:
        frame["no_nights"] = [str(v).strip().lower() in ("1", "true", "yes", "y", "t", "是")
                              for v in frame["no_nights"]]
    else:
        frame["no_nights"] = False
    for col in AGENT_COUNT_COLUMNS:
        if col in frame.columns:
            v = pd.to_numeric(frame[col], errors="coerce").fillna(0)
            if (v < 0).any():
                raise SchemaError(f"agents.{col} must be >= 0", table=table, column=col)
            frame[col] = v.astype(int)
        else:
            frame[col] = 0
    return frame.reset_index(drop=True)
