"""Headline KPIs of one month from a workspace: the main job until the report playbooks land.

The figures come from the KPI dictionary (:mod:`ccomkit.kpi`), summed over the whole center for the
month, next to the previous month and the center's target (``kpi_target``, scope ``center``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ccomkit import kpi
from ccomkit.errors import ParameterError, WorkspaceError

if TYPE_CHECKING:  # pragma: no cover
    from ccomkit.store import Workspace

#: (kpi_id, how it is computed) in the order of the table.
HEADLINE: tuple[str, ...] = (
    "offered", "answered", "service_level", "abandon_rate", "aht_s", "occupancy", "attrition",
)
_ABBREV = {"aht_s": "AHT", "service_level": "SL"}
_COUNT_LABELS = {"offered": ("接入量", "Offered"), "answered": ("接通量", "Answered")}


def _month_bounds(month: pd.Period) -> tuple[str, str]:
    start = month.start_time
    end = (month + 1).start_time
    return start.strftime("%Y-%m-%d %H:%M:%S"), end.strftime("%Y-%m-%d %H:%M:%S")


def last_full_month(ws: "Workspace") -> pd.Period:
    """The last calendar month fully covered by ``acd_interval`` (the month of the last day when
    that day is a month end, else the month before)."""
    last = ws.query("SELECT max(interval_start) AS t FROM acd_interval")["t"].iloc[0]
    if last is None or pd.isna(last):
        raise WorkspaceError("acd_interval is empty: ingest ACD interval data (or run `ccom demo`) first")
    last = pd.Timestamp(last)
    month = last.to_period("M")
    if last.normalize() != (month + 1).start_time - pd.Timedelta(days=1):
        month -= 1
    return month


def _parse_month(month: str | None, ws: "Workspace") -> pd.Period:
    if month is None:
        return last_full_month(ws)
    try:
        return pd.Period(month, freq="M")
    except (ValueError, TypeError):
        raise ParameterError.expected("headline_kpis", "month", "a month YYYY-MM", month) from None


def _month_frame(ws: "Workspace", table: str, months: list[pd.Period]) -> pd.DataFrame:
    lo, _ = _month_bounds(min(months))
    _, hi = _month_bounds(max(months))
    return ws.query(f"SELECT * FROM {table} WHERE interval_start >= ? AND interval_start < ?", [lo, hi])


def headline_kpis(ws: "Workspace", month: str | None = None) -> pd.DataFrame:
    """The center's headline KPIs for ``month`` (default: the last full month in the data).

    Returns
    -------
    DataFrame
        One row per KPI: ``kpi_id, name_zh, name_en, unit, better, value, numerator, denominator,
        previous, change, target, status`` (status: ``met`` / ``missed`` / ``""`` without a
        target). ``attrs["month"]`` holds the month as ``YYYY-MM``.
    """
    target_month = _parse_month(month, ws)
    prev_month = target_month - 1
    months = [prev_month, target_month]
    acd = _month_frame(ws, "acd_interval", months)
    if acd.empty or not (acd["interval_start"].dt.to_period("M") == target_month).any():
        raise WorkspaceError(f"acd_interval has no rows for {target_month}: choose another --month")
    agents = _month_frame(ws, "agent_interval", months)

    rows: dict[tuple[str, pd.Period], dict[str, float]] = {}
    acd["_month"] = acd["interval_start"].dt.to_period("M")
    for m, grp in acd.groupby("_month"):
        for kid in ("offered", "answered"):
            total = float(grp[kid].sum())
            rows[(kid, m)] = {"value": total, "numerator": total, "denominator": np.nan}
    # Queues keep their own service-level threshold (VIP 10 s, chat 30 s …): the center figure is
    # the share answered within each queue's own T, stated in the docs.
    tidy = [kpi.compute(acd, ["service_level", "abandon_rate", "aht_s"], freq="M",
                        params={"service_level": {"own_thresholds": True},
                                "abandon_rate": {"own_thresholds": True}})]
    if not agents.empty:
        tidy.append(kpi.compute(agents, ["occupancy"], freq="M"))
    agent_dim = ws.read("agent_dim")
    if not agent_dim.empty:
        hr_event = ws.read("hr_event")
        hc = kpi.headcount_monthly(
            agent_dim, start=prev_month.start_time, end=target_month.start_time,
            hr_event=hr_event if not hr_event.empty else None,
        )
        tidy.append(kpi.compute(hc, ["attrition"], freq="M"))
    for t in tidy:
        for r in t.itertuples(index=False):
            rows[(r.kpi_id, pd.Period(r.period, freq="M"))] = {
                "value": float(r.value), "numerator": float(r.numerator), "denominator": float(r.denominator),
            }

    targets = _center_targets(ws, target_month)
    out = []
    for kid in HEADLINE:
        cur = rows.get((kid, target_month), {"value": np.nan, "numerator": np.nan, "denominator": np.nan})
        prev = rows.get((kid, prev_month), {}).get("value", np.nan)
        if kid in _COUNT_LABELS:
            zh, en = _COUNT_LABELS[kid]
            unit, better = "count", "higher"
        else:
            meta = kpi.KPIS[kid]
            zh, en, unit, better = meta.name_zh, meta.name_en, meta.unit, meta.better
        target = targets.get(kid, np.nan)
        status = ""
        if not np.isnan(target) and not np.isnan(cur["value"]):
            ok = cur["value"] >= target if better == "higher" else cur["value"] <= target
            status = "met" if ok else "missed"
        out.append({
            "kpi_id": kid, "name_zh": zh, "name_en": en, "unit": unit, "better": better,
            "value": cur["value"], "numerator": cur["numerator"], "denominator": cur["denominator"],
            "previous": prev, "change": cur["value"] - prev, "target": target, "status": status,
        })
    table = pd.DataFrame(out)
    table.attrs["month"] = str(target_month)
    return table


def _center_targets(ws: "Workspace", month: pd.Period) -> dict[str, float]:
    day = month.start_time.strftime("%Y-%m-%d")
    t = ws.query(
        "SELECT kpi_id, target FROM kpi_target WHERE scope = 'center' AND period_start <= ? "
        "AND period_end >= ? ORDER BY period_start",
        [day, day],
    )
    return {str(k): float(v) for k, v in zip(t["kpi_id"], t["target"])}


def _fmt(kid: str, unit: str, value: float, lang: str) -> str:
    if value is None or np.isnan(value):
        return "—"
    if unit == "count":
        return f"{value:,.0f}"
    return kpi.format_value(kid, value, lang=lang)


def render_headline(table: pd.DataFrame, lang: str = "zh") -> str:
    """The headline table as aligned text for a terminal (``lang`` 'zh' or 'en')."""
    month = table.attrs.get("month", "")
    heads = {
        "zh": ("指标", "本月", "上月", "目标", "状态"),
        "en": ("KPI", "this month", "last month", "target", "status"),
    }[lang]
    status_words = {"zh": {"met": "达标", "missed": "未达标", "": ""}, "en": {"met": "met", "missed": "missed", "": ""}}
    lines = []
    for r in table.itertuples(index=False):
        en = f"{r.name_en} ({_ABBREV[r.kpi_id]})" if r.kpi_id in _ABBREV else r.name_en
        name = f"{r.name_zh} {en}" if lang == "zh" else en
        lines.append((
            name,
            _fmt(r.kpi_id, r.unit, r.value, lang),
            _fmt(r.kpi_id, r.unit, r.previous, lang),
            _fmt(r.kpi_id, r.unit, r.target, lang),
            status_words[lang][r.status],
        ))
    widths = [max(_width(x) for x in col) for col in zip(heads, *lines)]
    title = f"{'中心月度核心指标' if lang == 'zh' else 'Headline KPIs'} {month}"
    body = [_row(heads, widths), _row(tuple("-" * w for w in widths), widths)]
    body += [_row(line, widths) for line in lines]
    return "\n".join([title, *body])


def _width(text: str) -> int:
    """Terminal width: CJK characters take two columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _row(cells: tuple[str, ...], widths: list[int]) -> str:
    parts = []
    for i, (cell, w) in enumerate(zip(cells, widths)):
        pad = " " * (w - _width(cell))
        parts.append(cell + pad if i == 0 else pad + cell)
    return "  ".join(parts)
