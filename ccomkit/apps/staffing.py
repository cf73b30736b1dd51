"""Staffing calculator app: one interval's volume, AHT and targets → agents, with Erlang C and A.

Presentation layer over :func:`ccomkit.wfm.staffing.required_agents` (the fewest agents meeting
the targets, FTE after shrinkage) and :mod:`ccomkit.wfm.erlang` (the service level / ASA /
abandonment curve against the number of agents). Erlang C (callers wait forever) and Erlang A
(callers abandon after an exponential patience, M/M/n+M) are shown side by side: with a finite
patience Erlang A needs fewer agents, because callers who give up no longer load the queue.

Notebook: ``notebooks/apps/staffing_calculator.ipynb``.

Examples
--------
>>> from ccomkit.apps.staffing import build_staffing
>>> app = build_staffing(lang="en")
>>> app.result.loc["agents_required", ["erlang_c", "erlang_a"]].tolist()
[14, 12]
>>> app.calls.value = 200
>>> int(app.result.loc["agents_required", "erlang_c"])
24
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import numpy as np
import pandas as pd

from ccomkit.apps.common import AppFrame, ChartView, css, html_table
from ccomkit.wfm import erlang
from ccomkit.wfm.staffing import required_agents

__all__ = ["StaffingApp", "build_staffing", "staffing_table"]

TEXT: dict[str, tuple[str, str]] = {
    "title": ("人力计算器 (Erlang C / Erlang A)", "Staffing calculator (Erlang C / Erlang A)"),
    "calls": ("来电量/时段", "Calls per interval"),
    "interval_min": ("时段(分钟)", "Interval (min)"),
    "aht_s": ("平均处理时长(秒)", "AHT (s)"),
    "sl": ("服务水平目标", "Service level target"),
    "target_s": ("目标应答秒数", "Answer within (s)"),
    "asa": ("平均应答速度上限(秒, 0=不限)", "Max ASA (s, 0 = none)"),
    "occ": ("占用率上限", "Max occupancy"),
    "shrinkage": ("缺勤率(shrinkage)", "Shrinkage"),
    "patience_s": ("平均耐心时长(秒, Erlang A)", "Mean patience (s, Erlang A)"),
    "max_abandon": ("放弃率上限(0=不限)", "Max abandonment (0 = none)"),
    "inputs": ("输入", "Inputs"),
    "results": ("结果", "Results"),
    "erlang_c": ("Erlang C (不放弃)", "Erlang C (no abandonment)"),
    "erlang_a": ("Erlang A (有放弃)", "Erlang A (with abandonment)"),
    "metric": ("指标", "Measure"),
    "traffic_erl": ("话务量(Erlang)", "Traffic (Erlang)"),
    "agents_required": ("所需座席", "Agents required"),
    "fte_required": ("所需人力(FTE, 含缺勤)", "FTE (after shrinkage)"),
    "service_level": ("服务水平", "Service level"),
    "asa_s": ("平均应答速度(秒)", "ASA (s)"),
    "p_abandon": ("放弃率", "Abandonment"),
    "occupancy": ("占用率", "Occupancy"),
    "agents": ("座席数", "Agents"),
    "model": ("模型", "Model"),
    "target": ("目标", "Target"),
    "curve_title": ("服务水平 vs 座席数", "Service level vs agents"),
    "note": ("Erlang A 考虑客户放弃: 耐心越短, 所需座席越少, 但放弃率上升。",
             "Erlang A counts callers who hang up: the shorter the patience, the fewer agents "
             "it needs, at the price of abandonment."),
}

_ROWS = ("traffic_erl", "agents_required", "fte_required", "service_level", "asa_s", "p_abandon",
         "occupancy")


@dataclass(frozen=True)
class StaffingInputs:
    """The calculator's inputs (units in the names)."""

    calls: float = 100.0
    interval_min: int = 30
    aht_s: float = 180.0
    service_level_target_frac: float = 0.8
    target_s: float = 20.0
    asa_target_s: float = 0.0
    max_occupancy_frac: float = 1.0
    shrinkage_frac: float = 0.3
    patience_s: float = 120.0
    max_abandon_frac: float = 0.0


def staffing_table(inputs: StaffingInputs) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Erlang C and Erlang A side by side, and the service-level curve against agents.

    Returns
    -------
    result : DataFrame
        Index the measures ``traffic_erl, agents_required, fte_required, service_level, asa_s,
        p_abandon, occupancy``; columns ``erlang_c, erlang_a``.
    curve : DataFrame
        ``model, agents, service_level, asa_s, p_abandon`` for agents around the requirement.

    Examples
    --------
    >>> from ccomkit.apps.staffing import StaffingInputs, staffing_table
    >>> res, curve = staffing_table(StaffingInputs())
    >>> res.loc["fte_required"].tolist()
    [20, 18]
    >>> sorted(curve["model"].unique())
    ['erlang_a', 'erlang_c']
    """
    i = inputs
    base = pd.DataFrame({"calls_offered": [float(i.calls)], "aht_s": [float(i.aht_s)],
                         "interval_min": [float(i.interval_min)]})
    targets: dict[str, Any] = {
        "service_level_target_frac": i.service_level_target_frac, "target_s": i.target_s,
        "asa_target_s": i.asa_target_s or None,
        "max_occupancy_frac": i.max_occupancy_frac if i.max_occupancy_frac < 1 else None,
        "shrinkage_frac": i.shrinkage_frac,
    }
    c = required_agents(base, **targets)
    a = required_agents(base.assign(patience_s=float(i.patience_s)),
                        max_abandon_frac=i.max_abandon_frac or None, **targets)
    cols = {}
    for name, out in (("erlang_c", c), ("erlang_a", a)):
        row = out.iloc[0]
        cols[name] = [float(row["traffic_erl"]), int(row["agents_required"]),
                      int(row["fte_required"]), float(row["service_level"]), float(row["asa_s"]),
                      float(row["p_abandon"]) if "p_abandon" in out else 0.0,
                      float(row["occupancy"])]
    result = pd.DataFrame(cols, index=list(_ROWS), dtype=object)

    traffic = float(c["traffic_erl"].iloc[0])
    need = max(int(c["agents_required"].iloc[0]), 1)
    lo = max(int(np.floor(traffic * 0.8)), 1)
    hi = max(need + max(int(np.ceil(0.25 * need)), 4), lo + 8)
    n = np.arange(lo, hi + 1)
    sl_c = erlang.service_level(traffic, n, i.aht_s, i.target_s) if traffic > 0 else np.ones(len(n))
    asa_c = erlang.asa_s(traffic, n, i.aht_s) if traffic > 0 else np.zeros(len(n))
    am = erlang.erlang_a_metrics(traffic, n, i.aht_s, i.patience_s, i.target_s)
    curve = pd.concat([
        pd.DataFrame({"model": "erlang_c", "agents": n, "service_level": np.asarray(sl_c, float),
                      "asa_s": np.asarray(asa_c, float), "p_abandon": 0.0}),
        pd.DataFrame({"model": "erlang_a", "agents": n, "service_level": am["service_level"],
                      "asa_s": am["asa_s"], "p_abandon": am["p_abandon"]}),
    ], ignore_index=True)
    curve["asa_s"] = curve["asa_s"].replace([np.inf, -np.inf], np.nan)
    return result, curve


class StaffingApp:
    """The staffing calculator: widgets, one update path, a result table and one chart.

    Attributes
    ----------
    container : ipywidgets.VBox
    frame : AppFrame
    result : DataFrame
        The last result (see :func:`staffing_table`).
    curve : DataFrame
    """

    def __init__(self, lang: str = "zh") -> None:
        f = self.frame = AppFrame("staffing", TEXT, lang=lang)
        d = StaffingInputs()
        style = {"description_width": "230px"}
        lay = widgets.Layout(width="360px")
        self.calls = css(widgets.BoundedFloatText(d.calls, min=0, max=1e6, step=10, style=style,
                                                  layout=lay), "calls")
        self.interval_min = css(widgets.Dropdown(options=[15, 30, 60], value=d.interval_min,
                                                 style=style, layout=lay), "interval-min")
        self.aht_s = css(widgets.BoundedFloatText(d.aht_s, min=1, max=36000, step=10, style=style,
                                                  layout=lay), "aht-s")
        self.sl = css(widgets.FloatSlider(d.service_level_target_frac, min=0.5, max=0.99,
                                          step=0.01, style=style, layout=lay), "sl")
        self.target_s = css(widgets.BoundedFloatText(d.target_s, min=0, max=3600, step=5,
                                                     style=style, layout=lay), "target-s")
        self.asa = css(widgets.BoundedFloatText(d.asa_target_s, min=0, max=3600, step=5,
                                                style=style, layout=lay), "asa")
        self.occ = css(widgets.FloatSlider(d.max_occupancy_frac, min=0.5, max=1.0, step=0.01,
                                           style=style, layout=lay), "occ")
        self.shrinkage = css(widgets.FloatSlider(d.shrinkage_frac, min=0.0, max=0.6, step=0.01,
                                                 style=style, layout=lay), "shrinkage")
        self.patience_s = css(widgets.BoundedFloatText(d.patience_s, min=1, max=36000, step=10,
                                                       style=style, layout=lay), "patience-s")
        self.max_abandon = css(widgets.FloatSlider(d.max_abandon_frac, min=0.0, max=0.3,
                                                   step=0.01, style=style, layout=lay),
                               "max-abandon")
        self.controls = [self.calls, self.interval_min, self.aht_s, self.sl, self.target_s,
                         self.asa, self.occ, self.shrinkage, self.patience_s, self.max_abandon]
        keys = ["calls", "interval_min", "aht_s", "sl", "target_s", "asa", "occ", "shrinkage",
                "patience_s", "max_abandon"]
        for w, k in zip(self.controls, keys):
            f.text(w, k)
        self.table = css(widgets.HTML(), "result")
        self.note = css(widgets.HTML(), "note")
        self.chart = ChartView("curve")
        self.result = pd.DataFrame()
        self.curve = pd.DataFrame()
        inputs_box = widgets.VBox([css(widgets.HTML(), "h-inputs"), *self.controls])
        f.text(inputs_box.children[0], "inputs", "value")
        out_box = widgets.VBox([self.table, self.note, self.chart.widget])
        f.body.children = [widgets.HBox([inputs_box, out_box],
                                        layout=widgets.Layout(justify_content="flex-start"))]
        f.observe(self.update, *self.controls)
        f.on_lang(self.render)
        f.run(self.update)

    @property
    def container(self) -> widgets.VBox:
        """What the notebook displays."""
        return self.frame.container

    def inputs(self) -> StaffingInputs:
        """The current widget values as :class:`StaffingInputs`."""
        return StaffingInputs(
            calls=float(self.calls.value), interval_min=int(self.interval_min.value),
            aht_s=float(self.aht_s.value), service_level_target_frac=float(self.sl.value),
            target_s=float(self.target_s.value), asa_target_s=float(self.asa.value),
            max_occupancy_frac=float(self.occ.value), shrinkage_frac=float(self.shrinkage.value),
            patience_s=float(self.patience_s.value),
            max_abandon_frac=float(self.max_abandon.value))

    def update(self) -> None:
        """Recompute from the widgets and redraw (the one update path)."""
        self.result, self.curve = staffing_table(self.inputs())
        self.render()

    def render(self) -> None:
        """Draw the table and the chart in the current language."""
        import altair as alt

        f = self.frame
        if self.result.empty:
            return
        shown = self.result.copy()
        fmt = {"traffic_erl": "{:.2f}", "agents_required": "{:d}", "fte_required": "{:d}",
               "service_level": "{:.1%}", "asa_s": "{:.1f}", "p_abandon": "{:.1%}",
               "occupancy": "{:.1%}"}
        for k, spec in fmt.items():
            shown.loc[k] = [spec.format(v) if np.isfinite(v) else "—" for v in shown.loc[k]]
        shown.index = [f.t(k) for k in shown.index]
        shown.index.name = f.t("metric")
        shown.columns = [f.t("erlang_c"), f.t("erlang_a")]
        self.table.value = html_table(shown, index=True)
        self.note.value = f'<div class="ccom-note">{f.t("note")}</div>'

        cur = self.curve.assign(model=self.curve["model"].map(
            {"erlang_c": f.t("erlang_c"), "erlang_a": f.t("erlang_a")}))
        need = pd.DataFrame({"model": [f.t("erlang_c"), f.t("erlang_a")],
                             "agents": [int(self.result.loc["agents_required", "erlang_c"]),
                                        int(self.result.loc["agents_required", "erlang_a"])]})
        x = alt.X("agents:Q", title=f.t("agents"), scale=alt.Scale(zero=False))
        color = alt.Color("model:N", title=f.t("model"))
        lines = alt.Chart(cur).mark_line(point=True).encode(
            x=x, y=alt.Y("service_level:Q", title=f.t("service_level"),
                         axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
            color=color,
            tooltip=[alt.Tooltip("model:N", title=f.t("model")),
                     alt.Tooltip("agents:Q", title=f.t("agents")),
                     alt.Tooltip("service_level:Q", format=".1%", title=f.t("service_level")),
                     alt.Tooltip("p_abandon:Q", format=".1%", title=f.t("p_abandon"))])
        target = alt.Chart(pd.DataFrame({"y": [float(self.sl.value)]})).mark_rule(
            strokeDash=[4, 4], color="gray").encode(y="y:Q")
        rules = alt.Chart(need).mark_rule().encode(x="agents:Q", color=color)
        self.chart.update((lines + target + rules).properties(
            width=520, height=300, title=f.t("curve_title")))


def build_staffing(lang: str = "zh") -> StaffingApp:
    """Build the staffing calculator; display its ``.container``.

    Parameters
    ----------
    lang : {'zh', 'en'}, default 'zh'
    """
    return StaffingApp(lang=lang)
