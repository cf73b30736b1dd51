"""The shared frame of every ccomkit Voila app: header, zh/en switch, busy indicator, error area.

Presentation layer. An app builder creates one :class:`AppFrame`, puts its input widgets and
outputs into ``frame.body``, registers one update function with :meth:`AppFrame.run` (or calls
it from its observers) and returns an object whose ``.container`` the app notebook displays.

Behaviour every app gets from here:

* **one update path** — :meth:`AppFrame.run` shows the busy indicator, calls the function,
  hides the indicator, and catches errors: a :class:`~ccomkit.errors.CcomkitError` shows its
  one-line message in the page (Voila hides tracebacks: a manager would only see "There was an
  error when executing cell"), anything else shows its type and message as an unexpected error;
* **zh/en switch** — labels registered with :meth:`AppFrame.text` / :meth:`AppFrame.bind` are
  re-set on a switch, then the app's callbacks (:meth:`AppFrame.on_lang`) redraw;
* **one long-lived chart per view** — :class:`ChartView` holds one ``alt.JupyterChart``
  (offline: the Vega bundle comes from vl-convert-python, never a CDN) and assigns
  ``.chart`` on each update instead of displaying a new chart;
* **stable selectors** — every widget gets a CSS class ``ccom-<name>`` (:func:`css`), which
  the browser tests and the bench use (``.ccom-app``, ``.ccom-busy``, ``.ccom-error``,
  ``.ccom-lang``, ``.ccom-chart-<name>``).

Examples
--------
>>> from ccomkit.apps.common import AppFrame
>>> frame = AppFrame("demo", {"title": ("演示", "Demo")}, lang="en")
>>> frame.t("title")
'Demo'
>>> frame.run(lambda: 1 / 0)
>>> frame.error.value
'<div class="ccom-error-msg"><b>Unexpected error / 意外错误</b>: ZeroDivisionError: division by zero</div>'
>>> frame.run(lambda: None); frame.error.value
''
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as widgets

from ccomkit.errors import CcomkitError, ParameterError

__all__ = ["AppFrame", "ChartView", "css", "empty_chart", "html_table", "workspace_path"]

LANGS = ("zh", "en")
_COMMON_TEXT: dict[str, tuple[str, str]] = {
    "busy": ("计算中…", "Working…"),
    "unexpected": ("意外错误", "Unexpected error"),
    "error": ("错误", "Error"),
}


def css(widget: widgets.Widget, *names: str) -> widgets.Widget:
    """Add the CSS classes ``ccom-<name>`` to ``widget`` and return it.

    Examples
    --------
    >>> import ipywidgets as widgets
    >>> from ccomkit.apps.common import css
    >>> css(widgets.Button(), "run")._dom_classes
    ('ccom-run',)
    """
    for name in names:
        widget.add_class(name if name.startswith("ccom-") else f"ccom-{name}")
    return widget


def _check_lang(lang: str, owner: str) -> str:
    if lang not in LANGS:
        raise ParameterError.expected(owner, "lang", "'zh' or 'en'", lang)
    return lang


def html_table(frame: Any, *, css_class: str = "ccom-table", index: bool = False,
               float_format: str = "{:,.3g}") -> str:
    """A small pandas frame as an escaped HTML table for a ``widgets.HTML``.

    Examples
    --------
    >>> import pandas as pd
    >>> from ccomkit.apps.common import html_table
    >>> html_table(pd.DataFrame({"a": [1.5]}))[:40]
    '<table class="ccom-table"><thead><tr><th'
    """
    import pandas as pd

    def fmt(v: Any) -> str:
        if isinstance(v, float):
            return "" if pd.isna(v) else float_format.format(v)
        return html.escape("" if v is None else str(v))

    cols = list(frame.columns)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in ([frame.index.name or ""] if index else []) + cols)
    rows = []
    for idx, row in frame.iterrows():
        cells = ([f"<th>{fmt(idx)}</th>"] if index else []) + [f"<td>{fmt(row[c])}</td>" for c in cols]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<table class="{css_class}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")


_STYLE = """<style>
.ccom-app { max-width: 1180px; }
.ccom-app .ccom-title h2 { margin: 0.2em 0 0.4em 0; }
.ccom-app .ccom-error-msg { background: #fdecea; color: #611a15; border-left: 4px solid #d32f2f;
  padding: 6px 10px; margin: 6px 0; }
.ccom-app .ccom-busy-msg { color: #1565c0; font-style: italic; }
.ccom-app table.ccom-table { border-collapse: collapse; margin: 4px 0; }
.ccom-app table.ccom-table th, .ccom-app table.ccom-table td { border: 1px solid #ccc;
  padding: 2px 8px; text-align: right; }
.ccom-app table.ccom-table th { background: #f4f4f4; }
.ccom-app .ccom-note { color: #555; font-size: 90%; }
</style>"""


class AppFrame:
    """Header, language switch, busy indicator and error area around an app's body.

    Parameters
    ----------
    name : str
        Short app name; the container gets the classes ``ccom-app`` and ``ccom-app-<name>``.
    text : mapping of str to (zh, en)
        The app's own labels by key; ``title`` is shown as the header.
    lang : {'zh', 'en'}, default 'zh'

    Attributes
    ----------
    container : ipywidgets.VBox
        What the notebook displays.
    body : ipywidgets.VBox
        Where the app puts its widgets (set ``body.children``).
    busy, error : ipywidgets.HTML
        The busy indicator (``.ccom-busy``) and the error area (``.ccom-error``).
    lang_toggle : ipywidgets.ToggleButtons
        The zh/en switch (``.ccom-lang``).
    n_updates : int
        Completed :meth:`run` calls (for tests and the bench).
    """

    def __init__(self, name: str, text: Mapping[str, tuple[str, str]], lang: str = "zh") -> None:
        self.name = name
        self._text = {**_COMMON_TEXT, **dict(text)}
        self._lang = _check_lang(lang, "AppFrame")
        self._bound: list[tuple[Any, str, str]] = []
        self._lang_callbacks: list[Callable[[], None]] = []
        self.n_updates = 0
        self.title = css(widgets.HTML(), "title")
        self.busy = css(widgets.HTML(""), "busy")
        self.error = css(widgets.HTML(""), "error")
        self.lang_toggle = css(widgets.ToggleButtons(options=[("中文", "zh"), ("English", "en")],
                                                     value=self._lang,
                                                     style={"button_width": "80px"}), "lang")
        self.body = css(widgets.VBox(), "body")
        header = widgets.HBox([self.title, self.lang_toggle, self.busy],
                              layout=widgets.Layout(align_items="center", justify_content="space-between"))
        self.container = css(widgets.VBox([widgets.HTML(_STYLE), header, self.error, self.body]),
                             "app", f"app-{name}")
        self.lang_toggle.observe(self._switch_lang, names="value")
        self._relabel()

    # -- language -------------------------------------------------------------------------------
    @property
    def lang(self) -> str:
        """The current language, ``'zh'`` or ``'en'``."""
        return self._lang

    def t(self, key: str) -> str:
        """The label of ``key`` in the current language (the key itself when unknown)."""
        pair = self._text.get(key)
        return pair[0 if self._lang == "zh" else 1] if pair else key

    def text(self, widget: Any, key: str, attr: str = "description") -> Any:
        """Set ``widget.<attr>`` to the label of ``key`` now and after every language switch."""
        self._bound.append((widget, attr, key))
        setattr(widget, attr, self.t(key))
        return widget

    def bind(self, widget: Any, key: str, attr: str = "description") -> Any:
        """Alias of :meth:`text`."""
        return self.text(widget, key, attr)

    def on_lang(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` (through :meth:`run`) after each language switch."""
        self._lang_callbacks.append(callback)

    def set_lang(self, lang: str) -> None:
        """Switch language (as the toggle does)."""
        self.lang_toggle.value = _check_lang(lang, "AppFrame.set_lang")

    def _relabel(self) -> None:
        self.title.value = f"<h2>{html.escape(self.t('title'))}</h2>"
        for widget, attr, key in self._bound:
            setattr(widget, attr, self.t(key))

    def _switch_lang(self, change: dict[str, Any]) -> None:
        self._lang = change["new"]
        self._relabel()
        for cb in self._lang_callbacks:
            self.run(cb)

    # -- the update path ------------------------------------------------------------------------
    def show_error(self, message: str, *, unexpected: bool = False) -> None:
        """Show ``message`` in the error area (escaped)."""
        head = "Unexpected error / 意外错误" if unexpected else f"{self.t('error')}"
        self.error.value = (f'<div class="ccom-error-msg"><b>{html.escape(head)}</b>: '
                            f"{html.escape(message)}</div>")

    def clear_error(self) -> None:
        """Empty the error area."""
        self.error.value = ""

    def run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Call ``fn`` with the busy indicator on; show errors in the page instead of raising.

        Returns ``fn``'s result, or None when it failed (the message is then in
        :attr:`error`). A :class:`~ccomkit.errors.CcomkitError` shows its message; any other
        exception shows its type and message as an unexpected error.
        """
        self.busy.value = f'<span class="ccom-busy-msg">⏳ {html.escape(self.t("busy"))}</span>'
        try:
            result = fn(*args, **kwargs)
        except CcomkitError as exc:
            self.show_error(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            return None
        except Exception as exc:  # noqa: BLE001 - a manager must see a message, never a blank page
            self.show_error(f"{type(exc).__name__}: {exc}", unexpected=True)
            return None
        else:
            self.clear_error()
            return result
        finally:
            self.busy.value = ""
            self.n_updates += 1

    def observe(self, callback: Callable[[], None], *controls: widgets.Widget) -> None:
        """Run ``callback`` through :meth:`run` when any of ``controls`` changes value."""
        def handler(_change: dict[str, Any]) -> None:
            self.run(callback)

        for w in controls:
            w.observe(handler, names="value")


def empty_chart(message: str) -> Any:
    """A chart that only says ``message`` (no data for the current filters).

    Examples
    --------
    >>> from ccomkit.apps.common import empty_chart
    >>> empty_chart("no data").to_dict()["mark"]["type"]
    'text'
    """
    import altair as alt

    return alt.Chart({"values": [{"t": message}]}).mark_text(size=14, color="#777").encode(
        text="t:N").properties(width=420, height=60)


def workspace_path(workspace: str = "") -> str | None:
    """The ``workspace`` parameter of an app notebook as a path for ``Workspace.open_read``:
    ``""`` means ``$CCOM_WORKSPACE`` (set by ``ccom serve``), else ``data/workspace.duckdb``.

    Examples
    --------
    >>> from ccomkit.apps.common import workspace_path
    >>> workspace_path(""), workspace_path("/w/ws.duckdb")
    (None, '/w/ws.duckdb')
    """
    return workspace or None


class ChartView:
    """One long-lived ``alt.JupyterChart`` updated in place (``.chart = new``), offline.

    Parameters
    ----------
    name : str
        The view gets the classes ``ccom-chart`` and ``ccom-chart-<name>``.
    chart : altair chart, optional
        Initial chart (an empty placeholder when None).

    Notes
    -----
    The chart is drawn with the SVG renderer so that its marks are inspectable in a browser
    (``.ccom-chart-<name> svg .mark-line path``).

    Offline front-end: altair's ``JupyterChart.enable_offline`` puts the whole Vega bundle
    (about 0.9 MB, from vl-convert-python) into every chart widget. Under ``ccom serve``
    (``$CCOM_CHART_ESM`` set to the URL path of that bundle, written by
    :func:`ccomkit.apps.serve.write_template` into the server's template) each widget gets a
    two-line module importing it from the same server instead, so a page with four charts loads
    and evaluates the bundle once. Either way nothing comes from a CDN.
    """

    def __init__(self, name: str, chart: Any = None) -> None:
        import altair as alt

        if chart is None:
            chart = alt.Chart({"values": [{}]}).mark_text(text="")
        kwargs: dict[str, Any] = {}
        url = os.environ.get("CCOM_CHART_ESM", "")
        if url:
            kwargs["_esm"] = (f"const m = await import(new URL({json.dumps(url)}, "
                              "document.baseURI).href);\nexport default m.default;\n")
        else:
            alt.JupyterChart.enable_offline(True)
        self.jchart = alt.JupyterChart(chart, embed_options={"renderer": "svg", "actions": False},
                                       **kwargs)
        self.widget = css(widgets.Box([self.jchart]), "chart", f"chart-{name}")
        self.n_draws = 0

    def update(self, chart: Any) -> None:
        """Replace the chart shown (the widget stays, the view redraws)."""
        self.jchart.chart = chart
        self.n_draws += 1
