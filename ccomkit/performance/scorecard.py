"""KPI targets and role scorecards (座席代表, 值班长, 品管培训岗, 信息协调岗).

A scorecard is data: a list of items, each a KPI of :data:`ccomkit.kpi.KPIS` (or a manager-scored
item) with a grain (the person, their team, or the whole center), a weight, a target and a
scoring rule. :func:`scorecard` computes every item's value with :func:`ccomkit.kpi.compute`
(numerators and denominators summed over the period, never averaged percentages), turns it
into points with the rule, and weights the points into one total per person.

Scoring rules (points are 0..100 per item; ``cap`` > 1 allows a bonus above target):

``linear``
    ``points = 100 × clip((value − floor) / (target − floor), 0, cap)``. The floor lies on the bad
    side of the target (below it for a higher-is-better KPI, above it for lower-is-better), so
    one formula serves both directions. ``floor_frac`` gives the floor relative to the target
    (``floor = floor_frac × target``, e.g. 1.4 for AHT), which follows per-queue targets.
``banded``
    The 档位 of the seed's appraisal forms: bands ``[{at, points}, …]``; the first band the value
    reaches (``value ≥ at`` when higher is better, ``value ≤ at`` when lower is better, bands
    checked from the strictest) gives its points; otherwise ``else_points``.
``direct``
    A manager-scored item (``kpi_id: null``): its value is already points, clipped to 0..100.

Weights must sum to 1. An item without data for a person (no CSAT responses, no manual score)
gets ``status='no_data'`` and NaN points; with ``missing: renormalise`` (default) the total is
``Σ w·points / Σ w`` over the items with points, and ``weight_covered`` says how much weight that
was; with ``missing: zero`` such items score 0.

Target resolution (:func:`resolve_targets`): the ``kpi_target`` table is the Define card of a KPI.
For one KPI and date, the rows whose ``[period_start, period_end]`` holds the date apply, and the
**most specific scope wins** in the order ``team:ID`` > ``queue:ID`` > ``role:ID`` > ``center``
(:data:`SCOPE_PRECEDENCE`); among rows of the same scope the latest ``period_start`` wins.
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from ccomkit.errors import CcomkitWarning, ParameterError, SchemaError
from ccomkit.kpi import KPIS, adherence_grid, complaint_contacts, compute, headcount_monthly
from ccomkit.schemas import ROLES, require_columns

__all__ = [
    "SCOPE_PRECEDENCE",
    "SCORECARD_DIR",
    "ROLE_SCORECARDS",
    "ScoringRule",
    "ScorecardItem",
    "Scorecard",
    "load_scorecard",
    "resolve_targets",
    "score_points",
    "scorecard",
    "scorecard_months",
    "scorecard_totals",
]

SCOPE_PRECEDENCE: tuple[str, ...] = ("team", "queue", "role", "center")
"""Scope kinds of ``kpi_target.scope`` from most to least specific."""

SCORECARD_DIR = Path(__file__).with_name("scorecards")
"""Folder of the shipped scorecard configs (``<scorecard_id>.yaml``)."""

ROLE_SCORECARDS: dict[str, str] = {
    "agent": "agent",
    "team_leader": "duty_lead",
    "supervisor": "duty_lead",
    "qa": "qa_trainer",
    "trainer": "qa_trainer",
    "coordinator": "coordinator",
}
"""agent_dim.role → the shipped scorecard that appraises it (manager and wfm have none)."""

GRAINS = ("agent", "team", "center", "person")
RULES = ("linear", "banded", "direct")
_WEIGHT_TOL = 1e-6

_TIME_COL = {
    "agent_interval": "interval_start", "acd_interval": "interval_start",
    "qa_evaluation": "eval_date", "csat_response": "invited_at", "attendance": "work_date",
    "complaint": "received_at", "schedule": "start_at",
}


# --------------------------------------------------------------------------------------------
# Config records
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoringRule:
    """How an item's value becomes 0..100 points (see the module docstring).

    Parameters
    ----------
    kind : {'linear', 'banded', 'direct'}
    floor : float, optional
        Value scoring 0 (``linear``), on the bad side of the target.
    floor_frac : float, optional
        Floor as a multiple of the target (``linear``); used when ``floor`` is not given.
    cap : float, default 1.0
        Upper clip of ``(value − floor) / (target − floor)``; 1.2 allows 120 points.
    bands : tuple of (at, points), default ()
        ``banded`` thresholds and their points.
    else_points : float, default 0.0
        Points of a ``banded`` value that reaches no band.
    """

    kind: str
    floor: float | None = None
    floor_frac: float | None = None
    cap: float = 1.0
    bands: tuple[tuple[float, float], ...] = ()
    else_points: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in RULES:
            raise ParameterError.expected("ScoringRule", "kind", "one of " + ", ".join(
                repr(r) for r in RULES), self.kind)
        if self.kind == "linear" and self.floor is None and self.floor_frac is None:
            raise ParameterError.expected("ScoringRule", "floor", "a float (or floor_frac) for "
                                          "a linear rule", None)
        if not (isinstance(self.cap, (int, float)) and self.cap > 0):
            raise ParameterError.expected("ScoringRule", "cap", "a float > 0", self.cap)
        if self.kind == "banded" and not self.bands:
            raise ParameterError.expected("ScoringRule", "bands", "at least one {at, points} "
                                          "band for a banded rule", self.bands)
        for at, pts in self.bands:
            if not (0 <= pts <= 100 * max(1.0, self.cap)):
                raise ParameterError.expected("ScoringRule", "bands", "points in [0, 100]",
                                              pts)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "ScoringRule":
        """Build from a YAML mapping (``bands`` as a list of ``{at, points}``)."""
        d = dict(d)
        unknown = set(d) - {"kind", "floor", "floor_frac", "cap", "bands", "else_points"}
        if unknown:
            raise ParameterError.expected("ScoringRule", sorted(unknown)[0], "one of kind, "
                                          "floor, floor_frac, cap, bands, else_points",
                                          sorted(unknown))
        bands = tuple((float(b["at"]), float(b["points"])) for b in d.pop("bands", []) or [])
        return cls(bands=bands, **d)


@dataclass(frozen=True)
class ScorecardItem:
    """One line of a role's appraisal form.

    Parameters
    ----------
    item_id : str
        Unique within the scorecard.
    kpi_id : str or None
        A KPI of :data:`ccomkit.kpi.KPIS`; None for a manager-scored item (grain ``person``).
    weight : float
        Share of the total, in (0, 1].
    rule : ScoringRule
    grain : {'agent', 'team', 'center', 'person'}, default 'agent'
        Whose data the KPI is computed over: the person's own rows, their team's rows
        (agent_dim.team_id), or the whole center. ``person`` is for manual items.
    target : float or 'kpi_target'
        A number, or ``'kpi_target'`` to resolve it from the kpi_target table
        (:func:`resolve_targets`), falling back to ``target_default``.
    target_default : float, optional
    direction : {'higher', 'lower'}, optional
        Default: the KPI's ``better``.
    variant : str, optional
        KPI formula variant (default: the KPI's default).
    params : dict, optional
        KPI parameters passed to :func:`ccomkit.kpi.compute`.
    name_zh, name_en : str
    """

    item_id: str
    kpi_id: str | None
    weight: float
    rule: ScoringRule
    grain: str = "agent"
    target: float | str = "kpi_target"
    target_default: float | None = None
    direction: str | None = None
    variant: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    name_zh: str = ""
    name_en: str = ""

    def __post_init__(self) -> None:
        owner = f"ScorecardItem {self.item_id!r}"
        if self.kpi_id is not None and self.kpi_id not in KPIS:
            raise ParameterError.expected(owner, "kpi_id", "None or a KPI id from "
                                          "ccomkit.kpi.KPIS (" + ", ".join(KPIS) + ")",
                                          self.kpi_id)
        if self.grain not in GRAINS:
            raise ParameterError.expected(owner, "grain", "one of " + ", ".join(
                repr(g) for g in GRAINS), self.grain)
        if (self.kpi_id is None) != (self.grain == "person"):
            raise ParameterError.expected(owner, "grain", "'person' exactly when kpi_id is "
                                          "None (a manager-scored item)", self.grain)
        if (self.kpi_id is None) != (self.rule.kind == "direct"):
            raise ParameterError.expected(owner, "rule", "kind 'direct' exactly for a "
                                          "manager-scored item", self.rule.kind)
        if self.kpi_id is not None:
            src = KPIS[self.kpi_id].source_table
            if src == "forecast" or (src == "acd_interval" and self.grain != "center"
                                     and self.kpi_id != "aht_s"):
                raise ParameterError.expected(owner, "grain", f"'center' for a KPI read from "
                                              f"{src}", self.grain)
            if src == "headcount_monthly" and self.grain == "agent":
                raise ParameterError.expected(owner, "grain", "'team' or 'center' for "
                                              "attrition", self.grain)
        if not (isinstance(self.weight, (int, float)) and 0 < self.weight <= 1):
            raise ParameterError.expected(owner, "weight", "a float in (0, 1]", self.weight)
        if not (self.target == "kpi_target" or isinstance(self.target, (int, float))):
            raise ParameterError.expected(owner, "target", "a number or 'kpi_target'",
                                          self.target)
        if self.direction is not None and self.direction not in ("higher", "lower"):
            raise ParameterError.expected(owner, "direction", "'higher' or 'lower'",
                                          self.direction)

    @property
    def better(self) -> str:
        """Direction of improvement: the override, else the KPI's, else higher."""
        if self.direction is not None:
            return self.direction
        return KPIS[self.kpi_id].better if self.kpi_id else "higher"


@dataclass(frozen=True)
class Scorecard:
    """A role's monthly appraisal form as data.

    Parameters
    ----------
    scorecard_id : str
    roles : tuple of str
        agent_dim.role codes the form appraises.
    items : tuple of ScorecardItem
        Weights must sum to 1 (±1e-6).
    missing : {'renormalise', 'zero'}, default 'renormalise'
        Items without data: left out of the total (weights renormalised) or scored 0.
    name_zh, name_en : str

    Examples
    --------
    >>> from ccomkit.performance.scorecard import Scorecard, ScorecardItem, ScoringRule
    >>> lin = ScoringRule("linear", floor=60.0)
    >>> Scorecard("x", ("agent",), (  # doctest: +ELLIPSIS
    ...     ScorecardItem("qa", "qa_score", 0.6, lin, target=85.0),
    ...     ScorecardItem("csat", "csat", 0.3, lin, target=0.9)))
    Traceback (most recent call last):
    ...
    ccomkit.errors.ParameterError: The 'items' parameter of Scorecard 'x' must be weights ...
    """

    scorecard_id: str
    roles: tuple[str, ...]
    items: tuple[ScorecardItem, ...]
    missing: str = "renormalise"
    name_zh: str = ""
    name_en: str = ""

    def __post_init__(self) -> None:
        owner = f"Scorecard {self.scorecard_id!r}"
        if not self.items:
            raise ParameterError.expected(owner, "items", "at least one item", self.items)
        ids = [i.item_id for i in self.items]
        if len(set(ids)) != len(ids):
            raise ParameterError.expected(owner, "items", "unique item ids", ids)
        total = float(sum(i.weight for i in self.items))
        if abs(total - 1.0) > _WEIGHT_TOL:
            raise ParameterError.expected(owner, "items", "weights summing to 1",
                                          round(total, 9))
        for r in self.roles:
            if r not in ROLES:
                raise ParameterError.expected(owner, "roles", "agent_dim role codes (" +
                                              ", ".join(ROLES) + ")", r)
        if self.missing not in ("renormalise", "zero"):
            raise ParameterError.expected(owner, "missing", "'renormalise' or 'zero'",
                                          self.missing)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Scorecard":
        """Build from a parsed YAML mapping (see ``scorecards/*.yaml``)."""
        try:
            items = tuple(
                ScorecardItem(
                    item_id=str(it["item_id"]), kpi_id=it.get("kpi_id"),
                    weight=float(it["weight"]), rule=ScoringRule.from_dict(it["rule"]),
                    grain=it.get("grain", "agent"), target=it.get("target", "kpi_target"),
                    target_default=it.get("target_default"), direction=it.get("direction"),
                    variant=it.get("variant"), params=dict(it.get("params") or {}),
                    name_zh=it.get("name_zh", ""), name_en=it.get("name_en", ""))
                for it in d["items"])
            return cls(scorecard_id=str(d["scorecard_id"]), roles=tuple(d.get("roles", ())),
                       items=items, missing=d.get("missing", "renormalise"),
                       name_zh=d.get("name_zh", ""), name_en=d.get("name_en", ""))
        except KeyError as e:
            raise ParameterError(f"Scorecard config is missing key {e.args[0]!r}.",
                                 param=str(e.args[0])) from None


def load_scorecard(name: str | Path | Scorecard) -> Scorecard:
    """Load a scorecard by shipped id, agent_dim role code, or YAML path.

    Parameters
    ----------
    name : str, Path or Scorecard
        ``'agent'``, ``'duty_lead'``, ``'qa_trainer'``, ``'coordinator'``; a role code of
        :data:`ROLE_SCORECARDS` (``'team_leader'`` → duty_lead); a path to a YAML file; or a
        Scorecard (returned as is).

    Returns
    -------
    Scorecard

    Raises
    ------
    ParameterError
        Unknown name or role, or an invalid config (weights not summing to 1, unknown KPI).

    Examples
    --------
    >>> from ccomkit.performance.scorecard import load_scorecard
    >>> sc = load_scorecard("team_leader")
    >>> sc.scorecard_id, sc.roles, round(sum(i.weight for i in sc.items), 6)
    ('duty_lead', ('supervisor', 'team_leader'), 1.0)
    """
    if isinstance(name, Scorecard):
        return name
    path = Path(name)
    if not (path.suffix in (".yaml", ".yml") and path.exists()):
        key = ROLE_SCORECARDS.get(str(name), str(name))
        path = SCORECARD_DIR / f"{key}.yaml"
        if not path.exists():
            shipped = sorted(p.stem for p in SCORECARD_DIR.glob("*.yaml"))
            raise ParameterError.expected("load_scorecard", "name", "a shipped scorecard (" +
                                          ", ".join(shipped) + "), a role with one (" +
                                          ", ".join(ROLE_SCORECARDS) + ") or a YAML path",
                                          str(name))
    with open(path, encoding="utf-8") as fh:
        return Scorecard.from_dict(yaml.safe_load(fh))


# --------------------------------------------------------------------------------------------
# Periods and targets
# --------------------------------------------------------------------------------------------


def _period(period: Any) -> pd.Period:
    try:
        p = period if isinstance(period, pd.Period) else pd.Period(period, freq=None)
        if p.freqstr.startswith(("D", "h", "min", "s")) and not isinstance(period, pd.Period):
            p = pd.Period(period, freq="M")
        return p
    except (ValueError, TypeError):
        raise ParameterError.expected("scorecard", "period", "a month such as '2026-09' (or "
                                      "any pandas Period)", period) from None


def _parse_scope(scope: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    s = scope.fillna("center").astype(str).str.strip()
    kind = s.str.split(":", n=1).str[0].str.lower().to_numpy()
    ident = s.str.split(":", n=1).str[1].to_numpy()
    bad = ~np.isin(kind, SCOPE_PRECEDENCE) | ((kind != "center") & pd.isna(ident))
    if bad.any():
        rows = np.flatnonzero(bad)[:5].tolist()
        raise SchemaError(f"kpi_target.scope must be 'center', 'queue:ID', 'team:ID' or "
                          f"'role:ID': {int(bad.sum())} rows violate it, first at rows {rows} "
                          f"(scope={s.iloc[rows[0]]!r})", table="kpi_target", column="scope",
                          rows=rows)
    return kind, ident


def resolve_targets(kpi_target: pd.DataFrame, requests: pd.DataFrame,
                    *, precedence: Sequence[str] = SCOPE_PRECEDENCE) -> pd.DataFrame:
    """Resolve the target of each KPI × scope × date from the kpi_target table.

    Parameters
    ----------
    kpi_target : DataFrame
        The ``kpi_target`` table (kpi_id, scope, period_start, period_end, target, and optional
        formula_variant, params, tolerance, owner). Not modified.
    requests : DataFrame
        ``kpi_id`` and ``date`` (the day the target must cover, e.g. the month's first day), and
        any of ``team_id``, ``queue_id``, ``role`` (NaN where not applicable). Not modified.
    precedence : sequence of str, default ('team', 'queue', 'role', 'center')
        Scope kinds from most to least specific: the first that has a row covering the date
        wins; among rows of one scope the latest period_start wins.

    Returns
    -------
    DataFrame
        ``requests`` plus ``target``, ``tolerance``, ``formula_variant``, ``params`` (parsed
        JSON dict or None), ``owner``, ``target_scope`` (the scope that won; None when no row
        applies, and then ``target`` is NaN).

    Examples
    --------
    A center target of 0.80 and a VIP queue target of 0.85 for March; the VIP agent gets the
    queue's, the GEN agent the center's, and April has no target:

    >>> import pandas as pd
    >>> from ccomkit.performance.scorecard import resolve_targets
    >>> kt = pd.DataFrame({"kpi_id": ["service_level"] * 2, "scope": ["center", "queue:VIP"],
    ...     "period_start": pd.to_datetime(["2026-03-01"] * 2),
    ...     "period_end": pd.to_datetime(["2026-03-31"] * 2), "target": [0.80, 0.85]})
    >>> rq = pd.DataFrame({"kpi_id": ["service_level"] * 3, "queue_id": ["VIP", "GEN", "VIP"],
    ...     "date": pd.to_datetime(["2026-03-01", "2026-03-01", "2026-04-01"])})
    >>> resolve_targets(kt, rq)[["queue_id", "date", "target", "target_scope"]]
      queue_id       date  target target_scope
    0      VIP 2026-03-01    0.85    queue:VIP
    1      GEN 2026-03-01    0.80       center
    2      VIP 2026-04-01     NaN         None
    """
    require_columns(kpi_target, ["kpi_id", "scope", "period_start", "period_end", "target"],
                    "kpi_target")
    require_columns(requests, ["kpi_id", "date"], "requests")
    for p in precedence:
        if p not in SCOPE_PRECEDENCE:
            raise ParameterError.expected("resolve_targets", "precedence", "scope kinds from "
                                          + ", ".join(SCOPE_PRECEDENCE), p)
    kt = kpi_target.copy()
    kind, ident = _parse_scope(kt["scope"])
    kt["_kind"], kt["_ident"] = kind, ident
    kt["_start"] = pd.to_datetime(kt["period_start"])
    kt["_end"] = pd.to_datetime(kt["period_end"])
    for col in ("tolerance", "formula_variant", "params", "owner"):
        if col not in kt.columns:
            kt[col] = None
    out = requests.copy().reset_index(drop=True)
    date = pd.to_datetime(out["date"])
    res = pd.DataFrame({"target": np.nan, "tolerance": np.nan, "formula_variant": None,
                        "params": None, "owner": None, "target_scope": None},
                       index=out.index).astype({"formula_variant": object, "params": object,
                                                "owner": object, "target_scope": object})
    done = np.zeros(len(out), dtype=bool)
    col_of = {"team": "team_id", "queue": "queue_id", "role": "role"}
    for k in precedence:
        cand = kt[kt["_kind"] == k]
        if cand.empty:
            continue
        left = pd.DataFrame({"_row": np.arange(len(out)), "kpi_id": out["kpi_id"].to_numpy(),
                             "_date": date.to_numpy()})
        if k != "center":
            if col_of[k] not in out.columns:
                continue
            left["_ident"] = out[col_of[k]].astype(object).to_numpy()
            m = left.merge(cand, on=["kpi_id", "_ident"], how="inner")
        else:
            m = left.merge(cand.drop(columns="_ident"), on="kpi_id", how="inner")
        m = m[(m["_start"] <= m["_date"]) & (m["_date"] <= m["_end"]) & ~done[m["_row"]]]
        if m.empty:
            continue
        m = m.sort_values(["_row", "_start"]).drop_duplicates("_row", keep="last")
        idx = m["_row"].to_numpy()
        res.loc[idx, "target"] = m["target"].astype(float).to_numpy()
        res.loc[idx, "tolerance"] = pd.to_numeric(m["tolerance"]).astype(float).to_numpy()
        res.loc[idx, "formula_variant"] = m["formula_variant"].to_numpy()
        res.loc[idx, "params"] = pd.Series([_json(v) for v in m["params"]], index=idx)
        res.loc[idx, "owner"] = m["owner"].to_numpy()
        res.loc[idx, "target_scope"] = m["scope"].to_numpy()
        done[idx] = True
    return pd.concat([out, res], axis=1)


def _json(v: Any) -> Any:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, Mapping):
        return dict(v)
    try:
        return json.loads(v)
    except (TypeError, ValueError):
        raise SchemaError(f"kpi_target.params must be valid JSON: got {v!r}",
                          table="kpi_target", column="params") from None


# --------------------------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------------------------


def score_points(value: Any, target: Any, rule: ScoringRule,
                 better: str = "higher") -> np.ndarray:
    """Points (0..100, or up to 100 × cap) of values against targets under one rule.

    Parameters
    ----------
    value, target : float or array-like
        KPI values and their targets (broadcast). NaN value → NaN points.
    rule : ScoringRule
    better : {'higher', 'lower'}, default 'higher'
        Direction of the KPI (used by ``banded``; ``linear`` reads it from the floor's side).

    Returns
    -------
    ndarray of float

    Examples
    --------
    QA 76.5 with floor 60, target 85: (76.5 − 60) / (85 − 60) = 0.66 → 66 points. AHT 330 s with
    target 300 and floor_frac 1.4 (floor 420): (330 − 420) / (300 − 420) = 0.75 → 75 points:

    >>> from ccomkit.performance.scorecard import ScoringRule, score_points
    >>> score_points([76.5, 95.0], 85.0, ScoringRule("linear", floor=60.0)).round(2).tolist()
    [66.0, 100.0]
    >>> score_points(330.0, 300.0, ScoringRule("linear", floor_frac=1.4), "lower").tolist()
    [75.0]
    >>> bands = ScoringRule("banded", bands=((0.0, 100.0), (5.0, 80.0)))
    >>> score_points([0.0, 3.2, 7.0], 0.0, bands, "lower").tolist()
    [100.0, 80.0, 0.0]
    """
    v = np.atleast_1d(np.asarray(value, dtype=float))
    t = np.broadcast_to(np.asarray(target, dtype=float), v.shape)
    if rule.kind == "direct":
        pts = np.clip(v, 0.0, 100.0)
    elif rule.kind == "linear":
        floor = (np.full(v.shape, float(rule.floor)) if rule.floor is not None
                 else t * float(rule.floor_frac))  # type: ignore[arg-type]
        span = t - floor
        with np.errstate(divide="ignore", invalid="ignore"):
            frac = np.where(span != 0, (v - floor) / span, np.where(
                (better == "higher") == (v >= t), 1.0, 0.0))
        pts = 100.0 * np.clip(frac, 0.0, rule.cap)
    else:
        bands = sorted(rule.bands, key=lambda b: b[0], reverse=(better == "higher"))
        pts = np.full(v.shape, float(rule.else_points))
        hit = np.zeros(v.shape, dtype=bool)
        for at, p in bands:
            ok = (v >= at) if better == "higher" else (v <= at)
            ok &= ~hit
            pts[ok] = p
            hit |= ok
    return np.where(np.isnan(v), np.nan, pts)


# --------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------


def _in_period(frame: pd.DataFrame, col: str, p: pd.Period, table: str) -> pd.DataFrame:
    require_columns(frame, [col], table)
    t = pd.to_datetime(frame[col])
    return frame[(t >= p.start_time) & (t < (p + 1).start_time)]


class _Sources:
    """Period-filtered source frames, built once per scorecard call."""

    def __init__(self, frames: Mapping[str, pd.DataFrame], p: pd.Period,
                 team_of: pd.Series) -> None:
        self.frames, self.p, self.team_of = frames, p, team_of
        self.cache: dict[str, pd.DataFrame] = {}

    def need(self, table: str) -> pd.DataFrame:
        if table not in self.frames or self.frames[table] is None:
            raise SchemaError(f"scorecard needs the {table} table (frames[{table!r}])",
                              table=table)
        return self.frames[table]

    def get(self, src: str, grain: str) -> pd.DataFrame:
        key = f"{src}/{grain}"
        if key in self.cache:
            return self.cache[key]
        p = self.p
        if src in ("agent_interval", "acd_interval", "qa_evaluation", "csat_response",
                   "attendance"):
            f = _in_period(self.need(src), _TIME_COL[src], p, src)
        elif src == "adherence_grid":
            ai = _in_period(self.need("agent_interval"), "interval_start", p, "agent_interval")
            sc = self.need("schedule")
            sc = sc[(pd.to_datetime(sc["shift_date"]) >= p.start_time)
                    & (pd.to_datetime(sc["shift_date"]) < (p + 1).start_time)]
            f = adherence_grid(ai, sc)
        elif src == "complaint_contacts":
            cp = _in_period(self.need("complaint"), "received_at", p, "complaint")
            if grain == "center" and "acd_interval" in self.frames:
                f = complaint_contacts(cp, _in_period(self.frames["acd_interval"],
                                                      "interval_start", p, "acd_interval"))
            else:
                ai = _in_period(self.need("agent_interval"), "interval_start", p,
                                "agent_interval")
                f = complaint_contacts(cp.dropna(subset=["agent_id"]), ai, by="agent_id")
        elif src == "headcount_monthly":
            ad = self.need("agent_dim")
            ad = ad[ad["role"] == "agent"] if "role" in ad.columns else ad
            f = headcount_monthly(ad, by="team_id" if grain == "team" else (),
                                  start=p.start_time, end=p.start_time)
            f = f[(f["month"] >= p.start_time) & (f["month"] < (p + 1).start_time)]
        else:  # pragma: no cover - excluded by ScorecardItem validation
            raise ParameterError.expected("scorecard", "kpi source", "a supported table", src)
        if grain == "team" and src != "headcount_monthly":
            f = f.assign(team_id=f["agent_id"].map(self.team_of))
        self.cache[key] = f
        return f


def _item_values(src: _Sources, item: ScorecardItem) -> pd.DataFrame:
    """KPI value per key of the item's grain: columns key, value, unit."""
    kpi = KPIS[item.kpi_id]  # type: ignore[index]
    table = kpi.source_table
    if item.kpi_id == "aht_s" and item.grain != "center":
        table = "agent_interval"
    f = src.get(table, item.grain)
    by = {"agent": "agent_id", "team": "team_id", "center": None}[item.grain]
    kw: dict[str, Any] = {}
    if item.variant:
        kw["variants"] = {item.kpi_id: item.variant}
    if item.params:
        kw["params"] = {item.kpi_id: dict(item.params)}
    if f.empty:
        return pd.DataFrame({"key": pd.Series([], dtype=object), "value": [], "unit": []})
    if item.kpi_id == "aht_s" and item.grain != "center":
        f = f.drop(columns=[c for c in ("sum_talk_s", "sum_hold_s", "sum_acw_s")
                            if c in f.columns])
    out = compute(f, item.kpi_id, by=by or (), **kw)  # type: ignore[arg-type]
    key = out[by].astype(object) if by else pd.Series(["center"] * len(out), dtype=object)
    return pd.DataFrame({"key": key.to_numpy(), "value": out["value"].to_numpy(dtype=float),
                         "unit": out["unit"].to_numpy()})


def _people(agent_dim: pd.DataFrame, roles: Sequence[str], p: pd.Period) -> pd.DataFrame:
    require_columns(agent_dim, ["agent_id", "team_id", "role", "hire_date"], "agent_dim")
    ad = agent_dim[agent_dim["role"].isin(roles)]
    hire = pd.to_datetime(ad["hire_date"])
    leave = (pd.to_datetime(ad["leave_date"]) if "leave_date" in ad.columns
             else pd.Series(pd.NaT, index=ad.index))
    emp = (hire < (p + 1).start_time) & (leave.isna() | (leave >= p.start_time))
    return ad.loc[emp, ["agent_id", "team_id", "role"]].reset_index(drop=True)


def _main_queue(src: _Sources) -> pd.Series:
    if "agent_interval" not in src.frames:
        return pd.Series(dtype=object)
    ai = src.get("agent_interval", "agent")
    if "queue_id" not in ai.columns or ai.empty:
        return pd.Series(dtype=object)
    w = ai.dropna(subset=["queue_id"]).groupby(["agent_id", "queue_id"], observed=True)[
        "login_s"].sum().reset_index().sort_values(["agent_id", "login_s", "queue_id"],
                                                   ascending=[True, False, True])
    return w.drop_duplicates("agent_id").set_index("agent_id")["queue_id"]


def scorecard(frames: Mapping[str, pd.DataFrame], role: str | Path | Scorecard,
              period: Any, *, manual: pd.DataFrame | None = None,
              people: Sequence[str] | None = None) -> pd.DataFrame:
    """Score every person of a role on their scorecard for one period.

    Parameters
    ----------
    frames : mapping of str to DataFrame
        Workspace tables by name (what :func:`ccomkit.demo.generate` returns): ``agent_dim``
        always; then whatever the items read — ``agent_interval``, ``schedule`` (adherence),
        ``acd_interval``, ``qa_evaluation``, ``csat_response``, ``complaint``, ``attendance``;
        ``kpi_target`` for targets given as ``'kpi_target'``. Not modified.
    role : str, Path or Scorecard
        A role code (``'agent'``, ``'team_leader'`` …), a shipped scorecard id (``'agent'``,
        ``'duty_lead'``, ``'qa_trainer'``, ``'coordinator'``), a YAML path or a Scorecard.
    period : str or Period
        The appraisal period, usually a month (``'2026-09'``).
    manual : DataFrame, optional
        Manager-scored items: ``agent_id``, ``item_id``, ``value`` (0..100).
    people : sequence of str, optional
        Restrict to these agent_ids. Default: everyone with one of the scorecard's roles employed
        during the period.

    Returns
    -------
    DataFrame
        One row per person × item: ``period``, ``scorecard_id``, ``agent_id``, ``role``,
        ``team_id``, ``item_id``, ``kpi_id``, ``variant``, ``grain``, ``value``, ``unit``, ``target``,
        ``target_scope`` ('config', a kpi_target scope, or 'default'), ``tolerance`` and
        ``target_formula_variant`` (from the kpi_target row, for traceability: the value is
        always computed with the item's own ``variant``/``params``, shown in ``variant``; a
        kpi_target variant of the dictionary that differs raises a ``CcomkitWarning``),
        ``on_target`` (value at or
        better than target, or within tolerance; NA without value or target), ``better``,
        ``rule``, ``points``, ``weight``, ``weighted_points``, ``status`` ('ok', 'no_data',
        'no_target'), and per person ``total_score`` and ``weight_covered``.

    Raises
    ------
    ParameterError
        Unknown role or scorecard, invalid config.
    SchemaError
        A table or column the items need is missing.

    Examples
    --------
    Two agents, one KPI (QA, floor 60 → target 85). A: evaluations 80 and 90 → Σ170/2 = 85 → 100
    points; B: 70 → (70 − 60)/(85 − 60) = 0.4 → 40 points:

    >>> import pandas as pd
    >>> from ccomkit.performance.scorecard import (Scorecard, ScorecardItem, ScoringRule,
    ...                                            scorecard)
    >>> sc = Scorecard("qa_only", ("agent",), (ScorecardItem(
    ...     "qa", "qa_score", 1.0, ScoringRule("linear", floor=60.0), target=85.0),))
    >>> ad = pd.DataFrame({"agent_id": ["A", "B"], "team_id": ["T1", "T1"],
    ...                    "role": ["agent", "agent"],
    ...                    "hire_date": pd.to_datetime(["2025-01-01"] * 2)})
    >>> qa = pd.DataFrame({"eval_id": ["e1", "e2", "e3"], "agent_id": ["A", "A", "B"],
    ...     "eval_date": pd.to_datetime(["2026-03-02", "2026-03-09", "2026-03-05"]),
    ...     "total_score": [80.0, 90.0, 70.0], "fatal_flag": [False] * 3,
    ...     "is_calibration": [False] * 3})
    >>> out = scorecard({"agent_dim": ad, "qa_evaluation": qa}, sc, "2026-03")
    >>> out[["agent_id", "value", "points", "total_score"]]
      agent_id  value  points  total_score
    0        A   85.0   100.0        100.0
    1        B   70.0    40.0         40.0
    """
    sc = load_scorecard(role)
    p = _period(period)
    if "agent_dim" not in frames:
        raise SchemaError("scorecard needs the agent_dim table (frames['agent_dim'])",
                          table="agent_dim")
    ad = frames["agent_dim"]
    roles = sc.roles
    if isinstance(role, str) and role in ROLE_SCORECARDS and role in ROLES:
        roles = (role,)
    ppl = _people(ad, roles, p)
    if people is not None:
        ppl = ppl[ppl["agent_id"].isin(list(people))].reset_index(drop=True)
    team_of = ad.drop_duplicates("agent_id").set_index("agent_id")["team_id"]
    src = _Sources(frames, p, team_of)
    if manual is not None:
        require_columns(manual, ["agent_id", "item_id", "value"], "manual")
    queue_of = (_main_queue(src) if any(i.target == "kpi_target" and i.grain == "agent"
                                        for i in sc.items) else pd.Series(dtype=object))

    blocks = []
    for it in (sc.items if len(ppl) else ()):  # nobody to score: read no tables
        b = ppl.copy()
        b["item_id"], b["kpi_id"], b["grain"] = it.item_id, it.kpi_id, it.grain
        if it.kpi_id is None:
            if manual is not None:
                m = manual[manual["item_id"] == it.item_id].drop_duplicates("agent_id",
                                                                            keep="last")
                b["value"] = b["agent_id"].map(m.set_index("agent_id")["value"]).astype(float)
            else:
                b["value"] = np.nan
            b["unit"] = "points"
        else:
            vals = _item_values(src, it)
            key = {"agent": b["agent_id"], "team": b["team_id"],
                   "center": pd.Series(["center"] * len(b), index=b.index)}[it.grain]
            vmap = vals.drop_duplicates("key").set_index("key")
            b["value"] = key.map(vmap["value"]).astype(float)
            b["unit"] = KPIS[it.kpi_id].unit
        # target
        if it.target == "kpi_target" and it.kpi_id is not None and "kpi_target" in frames:
            rq = pd.DataFrame({"kpi_id": it.kpi_id, "date": p.start_time,
                               "role": b["role"].to_numpy(),
                               "team_id": (b["team_id"].to_numpy() if it.grain != "center"
                                           else None),
                               "queue_id": (b["agent_id"].map(queue_of).to_numpy()
                                            if it.grain == "agent" else None)})
            r = resolve_targets(frames["kpi_target"], rq)
            tgt = r["target"].to_numpy(dtype=float)
            scope = r["target_scope"].to_numpy(dtype=object)
            tol = r["tolerance"].to_numpy(dtype=float)
            tvar = r["formula_variant"].to_numpy(dtype=object)
        else:
            tgt = np.full(len(b), np.nan if it.target == "kpi_target" else float(it.target))
            scope = np.full(len(b), "config" if it.target != "kpi_target" else None, object)
            tol = np.full(len(b), np.nan)
            tvar = np.full(len(b), None, dtype=object)
        miss = np.isnan(tgt)
        if it.target_default is not None:
            tgt = np.where(miss, float(it.target_default), tgt)
            scope = np.where(miss, "default", scope)
        b["target"], b["target_scope"], b["tolerance"] = tgt, scope, tol
        b["target_formula_variant"] = pd.Series(tvar, index=b.index, dtype=object)
        used = it.variant or (KPIS[it.kpi_id].default_variant if it.kpi_id else None)
        b["variant"] = used
        if it.kpi_id is not None:
            known = KPIS[it.kpi_id].variants
            clash = sorted({str(v) for v in tvar if v is not None and not (
                isinstance(v, float) and math.isnan(v)) and v in known and v != used})
            if clash:
                warnings.warn(f"scorecard item {it.item_id!r}: kpi_target sets {it.kpi_id} "
                              f"variant {', '.join(clash)} but the scorecard computes variant "
                              f"{used!r}; set the item's 'variant' to match the Define card.",
                              CcomkitWarning, stacklevel=2)
        val = b["value"].to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            better_or_equal = (val >= tgt) if it.better == "higher" else (val <= tgt)
            near = np.abs(val - tgt) <= np.nan_to_num(tol, nan=0.0)
        b["on_target"] = pd.array(np.where(np.isnan(val) | np.isnan(tgt), pd.NA,
                                           better_or_equal | near), dtype="boolean")
        b["better"], b["rule"], b["weight"] = it.better, it.rule.kind, float(it.weight)
        b["points"] = score_points(b["value"].to_numpy(), tgt, it.rule, it.better)
        status = np.where(b["value"].isna(), "no_data",
                          np.where(np.isnan(tgt), "no_target", "ok"))
        b["points"] = np.where(status == "no_target", np.nan, b["points"])
        b["status"] = status
        blocks.append(b)
    cols = ["agent_id", "role", "team_id", "item_id", "kpi_id", "variant", "grain", "value",
            "unit", "target", "target_scope", "tolerance", "target_formula_variant", "on_target",
            "better", "rule", "points", "weight", "status"]
    if not blocks or ppl.empty:
        out = pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    else:
        out = pd.concat(blocks, ignore_index=True)[cols]
    order = {it.item_id: i for i, it in enumerate(sc.items)}
    out = out.sort_values(["agent_id", "item_id"], key=lambda s: s.map(order) if
                          s.name == "item_id" else s, kind="stable").reset_index(drop=True)
    pts = out["points"].astype(float)
    if sc.missing == "zero":
        pts = pts.fillna(0.0)
    out["weighted_points"] = out["weight"].astype(float) * pts
    has = pts.notna()
    g = out.assign(_w=np.where(has, out["weight"].astype(float), 0.0),
                   _wp=out["weighted_points"].fillna(0.0)).groupby("agent_id", sort=False)
    wsum = g["_w"].transform("sum")
    out["weight_covered"] = wsum
    out["total_score"] = np.where(wsum > 0, g["_wp"].transform("sum") / wsum.where(wsum > 0),
                                  np.nan)
    out.insert(0, "scorecard_id", sc.scorecard_id)
    out.insert(0, "period", p)
    return out


def scorecard_totals(card: pd.DataFrame) -> pd.DataFrame:
    """One row per person and period from :func:`scorecard` (or :func:`scorecard_months`).

    Parameters
    ----------
    card : DataFrame
        The output of :func:`scorecard`.

    Returns
    -------
    DataFrame
        ``period``, ``scorecard_id``, ``agent_id``, ``role``, ``team_id``, ``total_score``,
        ``weight_covered``, ``n_items``, ``n_no_data``.

    Examples
    --------
    >>> import pandas as pd
    >>> from ccomkit.performance.scorecard import scorecard_totals
    >>> card = pd.DataFrame({"period": ["2026-03"] * 2, "scorecard_id": ["agent"] * 2,
    ...     "agent_id": ["A", "A"], "role": ["agent"] * 2, "team_id": ["T1"] * 2,
    ...     "status": ["ok", "no_data"], "total_score": [80.0, 80.0],
    ...     "weight_covered": [0.6, 0.6]})
    >>> scorecard_totals(card)[["agent_id", "total_score", "n_items", "n_no_data"]]
      agent_id  total_score  n_items  n_no_data
    0        A         80.0        2          1
    """
    keys = ["period", "scorecard_id", "agent_id", "role", "team_id"]
    require_columns(card, [*keys, "status", "total_score", "weight_covered"], "scorecard")
    g = card.assign(_nd=(card["status"] == "no_data").astype(int)).groupby(
        keys, sort=True, dropna=False)
    out = g.agg(total_score=("total_score", "first"), weight_covered=("weight_covered",
                                                                      "first"),
                n_items=("status", "size"), n_no_data=("_nd", "sum")).reset_index()
    return out


def scorecard_months(frames: Mapping[str, pd.DataFrame], role: str | Path | Scorecard,
                     months: Sequence[Any], *, manual: pd.DataFrame | None = None
                     ) -> pd.DataFrame:
    """:func:`scorecard` over several periods, stacked (the input of the bottom-3 list).

    Parameters
    ----------
    frames, role, manual
        As in :func:`scorecard` (``manual`` may carry a ``period`` column to vary by month).
    months : sequence of period-like

    Returns
    -------
    DataFrame
        The rows of :func:`scorecard` for every month.

    Examples
    --------
    >>> import pandas as pd
    >>> from ccomkit.performance.scorecard import (Scorecard, ScorecardItem, ScoringRule,
    ...                                            scorecard_months)
    >>> sc = Scorecard("qa_only", ("agent",), (ScorecardItem(
    ...     "qa", "qa_score", 1.0, ScoringRule("linear", floor=60.0), target=85.0),))
    >>> ad = pd.DataFrame({"agent_id": ["A"], "team_id": ["T1"], "role": ["agent"],
    ...                    "hire_date": pd.to_datetime(["2025-01-01"])})
    >>> qa = pd.DataFrame({"eval_id": ["e1", "e2"], "agent_id": ["A", "A"],
    ...     "eval_date": pd.to_datetime(["2026-03-02", "2026-04-09"]),
    ...     "total_score": [85.0, 72.5], "fatal_flag": [False] * 2,
    ...     "is_calibration": [False] * 2})
    >>> out = scorecard_months({"agent_dim": ad, "qa_evaluation": qa}, sc, ["2026-03", "2026-04"])
    >>> out["total_score"].tolist()
    [100.0, 50.0]
    """
    parts = []
    for m in months:
        man = manual
        p = _period(m)
        if manual is not None and "period" in manual.columns:
            man = manual[manual["period"].astype(str) == str(p)]
        parts.append(scorecard(frames, role, p, manual=man))
    return pd.concat(parts, ignore_index=True)
