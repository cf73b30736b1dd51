"""Numbers and tables for people: percent with one decimal, thousands separators, RAG status.

Presentation helpers of the report sections (:mod:`ccomkit.report.sections`). Values stay
numbers in the sections' ``tables``; these functions only make the text people read.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from ccomkit import kpi

__all__ = ["RAG_COLOURS", "fmt_count", "fmt_kpi", "fmt_num", "fmt_pct", "html_table", "rag"]

RAG_COLOURS = {"green": "#2e7d32", "amber": "#f9a825", "red": "#c62828", "": "#9e9e9e"}
"""Colour of each red/amber/green status (and of "no target")."""


def _missing(x: Any) -> bool:
    if x is None:
        return True
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def fmt_pct(x: Any, digits: int = 1) -> str:
    """A fraction 0..1 as percent with one decimal.

    Examples
    --------
    >>> from ccomkit.report.format import fmt_pct
    >>> fmt_pct(0.82345), fmt_pct(None), fmt_pct(1)
    ('82.3%', '–', '100.0%')
    """
    return "–" if _missing(x) else f"{float(x) * 100:.{digits}f}%"


def fmt_count(x: Any) -> str:
    """A count with thousands separators.

    Examples
    --------
    >>> from ccomkit.report.format import fmt_count
    >>> fmt_count(1234567.0), fmt_count(float("nan"))
    ('1,234,567', '–')
    """
    return "–" if _missing(x) else f"{float(x):,.0f}"


def fmt_num(x: Any, digits: int = 1) -> str:
    """A number with thousands separators and ``digits`` decimals.

    Examples
    --------
    >>> from ccomkit.report.format import fmt_num
    >>> fmt_num(12345.678), fmt_num(-0.04, 2)
    ('12,345.7', '-0.04')
    """
    return "–" if _missing(x) else f"{float(x):,.{digits}f}"


def fmt_kpi(kpi_id: str, x: Any, lang: str = "zh") -> str:
    """A KPI value in its unit (``offered``/``answered``/counts with separators).

    Examples
    --------
    >>> from ccomkit.report.format import fmt_kpi
    >>> fmt_kpi("service_level", 0.8012), fmt_kpi("aht_s", 1312.4, "en"), fmt_kpi("offered", 12345)
    ('80.1%', '1,312 s', '12,345')
    """
    if _missing(x):
        return "–"
    if kpi_id in kpi.KPIS:
        return kpi.format_value(kpi_id, float(x), lang=lang)  # type: ignore[arg-type]
    return fmt_count(x)


def fmt_change(kpi_id: str, x: Any, lang: str = "zh") -> str:
    """A change of a KPI: percentage points for fractions, signed otherwise.

    Examples
    --------
    >>> from ccomkit.report.format import fmt_change
    >>> fmt_change("service_level", -0.0123), fmt_change("offered", 1500), fmt_change("aht_s", 4.2, "en")
    ('-1.2 pp', '+1,500', '+4 s')
    """
    if _missing(x):
        return "–"
    x = float(x)
    unit = kpi.KPIS[kpi_id].unit if kpi_id in kpi.KPIS else "count"
    if unit in ("frac", "nps"):
        return f"{x * 100:+.1f} pp"
    if unit == "s":
        return f"{x:+,.0f} s" if lang == "en" else f"{x:+,.0f}秒"
    if unit in ("points", "per10k"):
        return f"{x:+.1f}"
    if unit == "score_1_5":
        return f"{x:+.2f}"
    return f"{x:+,.0f}"


def rag(value: Any, target: Any, tolerance: Any, better: str) -> str:
    """Red/amber/green of a value against its target: ``green`` meets it, ``amber`` misses it
    by no more than ``tolerance``, ``red`` misses it by more; ``""`` without a target.

    Examples
    --------
    >>> from ccomkit.report.format import rag
    >>> rag(0.81, 0.80, 0.05, "higher"), rag(0.77, 0.80, 0.05, "higher"), rag(0.70, 0.8, 0.05, "higher")
    ('green', 'amber', 'red')
    >>> rag(310, 290, 14, "lower"), rag(0.8, None, None, "higher")
    ('red', '')
    """
    if _missing(value) or _missing(target):
        return ""
    v, t = float(value), float(target)
    tol = 0.0 if _missing(tolerance) else abs(float(tolerance))
    gap = (t - v) if better == "higher" else (v - t)
    if gap <= 0:
        return "green"
    return "amber" if gap <= tol + 1e-12 else "red"


def html_table(frame: pd.DataFrame, *, status_col: str | None = None,
               status_labels: dict[str, str] | None = None, numeric: Sequence[str] = (),
               caption: str | None = None) -> str:
    """A small, self-contained HTML table (inline styles, nothing loaded), with the status
    column drawn as a coloured dot and its label.

    Examples
    --------
    >>> import pandas as pd
    >>> from ccomkit.report.format import html_table
    >>> t = html_table(pd.DataFrame({"KPI": ["SL"], "status": ["red"]}), status_col="status")
    >>> "#c62828" in t and "<table" in t
    True
    """
    e = html.escape
    cols = list(frame.columns)
    head = "".join(f'<th style="border-bottom:2px solid #555;padding:4px 8px;text-align:'
                   f'{"right" if c in numeric else "left"}">{e(str(c))}</th>' for c in cols)
    body = []
    for row in frame.itertuples(index=False):
        cells = []
        for c, v in zip(cols, row):
            text = "–" if _missing(v) else str(v)
            align = "right" if c in numeric else "left"
            if status_col is not None and c == status_col:
                code = "" if _missing(v) else str(v)
                label = (status_labels or {}).get(code, code)
                colour = RAG_COLOURS.get(code, RAG_COLOURS[""])
                text_html = (f'<span class="ccom-rag ccom-rag-{e(code or "none")}" style="display:'
                             f'inline-block;width:.8em;height:.8em;border-radius:50%;background:'
                             f'{colour};margin-right:.4em"></span>{e(label)}')
            else:
                text_html = e(text)
            cells.append(f'<td style="border-bottom:1px solid #ddd;padding:3px 8px;'
                         f'text-align:{align}">{text_html}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    cap = (f'<caption style="caption-side:top;text-align:left;font-weight:bold;padding:4px 0">'
           f'{e(caption)}</caption>' if caption else "")
    return (f'<table class="ccom-table" style="border-collapse:collapse;margin:6px 0 14px">'
            f"{cap}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")


def is_number(x: Any) -> bool:
    """True for a finite real number."""
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(float(x))
