"""Altair charts of the DCDIER step notebooks (bilingual titles; rendering set up by
:func:`ccomkit.report.charts.enable_offline`: SVG under papermill, offline ``jupyter`` in Lab).

Every builder takes a step's tables and returns a chart; nothing is displayed here.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ccomkit.i18n import label

__all__ = ["causes_chart", "kpi_chart", "review_chart"]


def _t(code: str, lang: str) -> str:
    return label(code, lang, domain="cycle")


def kpi_chart(series: pd.DataFrame, *, target: float = float("nan"), change_date: Any = None,
              lang: str = "zh", title: str = "") -> Any:
    """The KPI per period (line and points) with the target (dashed) and the change date (rule).

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"period": pd.date_range("2026-03-02", periods=3), "value": [.8, .7, .9]})
    >>> kpi_chart(s, target=0.8, change_date="2026-03-03").to_dict()["layer"][0]["mark"]["type"]
    'line'
    """
    import altair as alt

    d = series[["period", "value"]].dropna().assign(period=lambda x: pd.to_datetime(x["period"]))
    x = alt.X("period:T", title=_t("cyc_period", lang))
    y = alt.Y("value:Q", title=_t("cyc_value", lang), scale=alt.Scale(zero=False))
    layers = [alt.Chart(d).mark_line(color="#4c78a8").encode(x=x, y=y),
              alt.Chart(d).mark_point(color="#4c78a8", size=12).encode(x=x, y=y)]
    if target is not None and np.isfinite(target):
        layers.append(alt.Chart(pd.DataFrame({"target": [float(target)]})).mark_rule(
            color="#e45756", strokeDash=[6, 4]).encode(y="target:Q"))
    if change_date is not None and str(change_date) and not pd.isna(pd.Timestamp(change_date)):
        layers.append(alt.Chart(pd.DataFrame({"change": [pd.Timestamp(change_date)]})).mark_rule(
            color="#54a24b").encode(x="change:T"))
    return alt.layer(*layers).properties(
        title=title or _t("cyc_chart_kpi", lang), width=620, height=220)


def causes_chart(top: pd.DataFrame, *, lang: str = "zh", title: str = "") -> Any:
    """Horizontal bars of the top causes (``cause``, ``measure``) of the Clarify step.

    Examples
    --------
    >>> import pandas as pd
    >>> c = causes_chart(pd.DataFrame({"cause": ["a", "b"], "measure": [3.0, 1.0]}))
    >>> c.to_dict()["mark"]["type"]
    'bar'
    """
    import altair as alt

    d = top[["cause", "measure"]].copy()
    return alt.Chart(d).mark_bar(color="#f58518").encode(
        y=alt.Y("cause:N", sort="-x", title=_t("cyc_cause", lang)),
        x=alt.X("measure:Q", title=_t("cyc_measure", lang)),
    ).properties(title=title or _t("cyc_chart_causes", lang), width=520,
                 height=max(60, 24 * len(d)))


def review_chart(fitted: pd.DataFrame, *, lang: str = "zh", title: str = "") -> Any:
    """Observed KPI, the segmented-regression fit and the counterfactual (the pre-period model
    carried past the change), from ``interrupted_time_series(...).attrs['fitted']``.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"period": pd.date_range("2026-03-02", periods=4), "value": [1., 2, 3, 4],
    ...                   "fitted": [1., 2, 3, 4], "counterfactual": [1., 2, 2, 2],
    ...                   "after": [False, False, True, True]})
    >>> len(review_chart(f).to_dict()["layer"])
    3
    """
    import altair as alt

    d = fitted.assign(period=pd.to_datetime(fitted["period"]))
    obs = d[["period", "value"]].rename(columns={"value": "y"}).assign(
        series=_t("cyc_observed", lang))
    fit = d[["period", "fitted"]].rename(columns={"fitted": "y"}).assign(
        series=_t("cyc_fitted", lang))
    cf = d[d["after"]][["period", "counterfactual"]].rename(columns={"counterfactual": "y"}
                                                           ).assign(
        series=_t("cyc_counterfactual", lang))
    x = alt.X("period:T", title=_t("cyc_period", lang))
    y = alt.Y("y:Q", title=_t("cyc_value", lang), scale=alt.Scale(zero=False))
    color = alt.Color("series:N", title=None)
    return alt.layer(
        alt.Chart(obs).mark_point(size=12, opacity=0.6).encode(x=x, y=y, color=color),
        alt.Chart(fit).mark_line().encode(x=x, y=y, color=color),
        alt.Chart(cf).mark_line(strokeDash=[6, 4]).encode(x=x, y=y, color=color),
    ).properties(title=title or _t("cyc_chart_review", lang), width=620, height=240)
