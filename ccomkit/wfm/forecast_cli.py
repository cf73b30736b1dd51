"""``ccom forecast``: forecast a bare history CSV, no workspace needed.

Contract::

    ccom forecast --history FILE.csv --horizon-days N --out FILE.csv
                  [--method auto|seasonal_naive|wha|topdown|svd|fourier_arma|combination]
                  [--quantiles 0.1,0.5,0.9]

Input columns ``queue, interval_start, calls_offered`` and optionally ``aht_s``; several queues in
one file. Output ``queue, interval_start, calls_forecast`` (+ ``aht_s_forecast`` when the history
has ``aht_s``, + ``calls_pNN`` per quantile) for the next N days after the history's last day on
which the history shows the queue open, on the history's interval grid.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ccomkit.errors import IngestError, ParameterError

if TYPE_CHECKING:  # pandas and the forecasters load when the command runs, not when `ccom` starts
    import pandas as pd

METHOD_NAMES: tuple[str, ...] = ("auto", "seasonal_naive", "wha", "topdown", "svd", "fourier_arma",
                                 "combination")
"""The names ``--method`` accepts: the keys of :data:`ccomkit.wfm.forecast.METHODS` (a test keeps
them equal), spelled out so that building the parser does not import the forecasters."""

__all__ = ["add_parser", "read_history_csv", "run_forecast"]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``forecast`` command to an ``argparse`` sub-parsers object.

    Examples
    --------
    >>> import argparse
    >>> from ccomkit.wfm.forecast_cli import add_parser
    >>> parser = argparse.ArgumentParser(prog="ccom")
    >>> p = add_parser(parser.add_subparsers(dest="command"))
    >>> args = parser.parse_args(["forecast", "--history", "h.csv", "--horizon-days", "7",
    ...                           "--out", "f.csv"])
    >>> args.method, args.quantiles
    ('auto', None)
    """
    p = subparsers.add_parser(
        "forecast", help="forecast interval volume (and AHT) from a history CSV",
        description="Forecast calls per interval for the next N open days of every queue in a "
                    "history CSV (columns queue, interval_start, calls_offered[, aht_s]).")
    p.add_argument("--history", required=True, metavar="FILE.csv",
                   help="history CSV: queue, interval_start, calls_offered[, aht_s]")
    p.add_argument("--horizon-days", required=True, type=int, metavar="N",
                   help="number of open days to forecast after the history's last day")
    p.add_argument("--out", required=True, metavar="FILE.csv", help="output CSV")
    p.add_argument("--method", default="auto", choices=list(METHOD_NAMES),
                   help="forecasting method (default: auto = chosen per queue by backtest)")
    p.add_argument("--quantiles", default=None, metavar="Q[,Q...]",
                   help="comma-separated quantiles in (0, 1), e.g. 0.1,0.5,0.9 → calls_p10 …")
    p.set_defaults(func=run_forecast)
    return p


def read_history_csv(path: str | Path) -> pd.DataFrame:
    """Read a history CSV (UTF-8, UTF-8 with BOM or GB18030) as strings-preserving frame."""
    import pandas as pd

    path = Path(path)
    if not path.exists():
        raise IngestError(f"{path}: file not found.", file=str(path))
    last: Exception | None = None
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return pd.read_csv(path, encoding=enc, dtype={"queue": str})
        except UnicodeDecodeError as exc:
            last = exc
        except pd.errors.EmptyDataError:
            raise IngestError(f"{path}: the file is empty.", file=str(path)) from None
        except pd.errors.ParserError as exc:
            msg = str(exc).strip().splitlines()[-1] if str(exc).strip() else "cannot parse"
            raise IngestError(f"{path}: not a readable CSV ({msg}).", file=str(path)) from None
    raise IngestError(f"{path}: cannot decode the file as UTF-8 or GB18030 ({last}).",
                      file=str(path))


def _parse_quantiles(text: str | None) -> list[float] | None:
    if text is None or str(text).strip() == "":
        return None
    out = []
    for part in str(text).split(","):
        try:
            q = float(part.strip())
        except ValueError:
            raise ParameterError.expected("ccom forecast", "--quantiles",
                                          "comma-separated numbers in (0, 1)", text) from None
        if not 0.0 < q < 1.0:
            raise ParameterError.expected("ccom forecast", "--quantiles",
                                          "comma-separated numbers in (0, 1)", text)
        out.append(q)
    return out


def run_forecast(args: argparse.Namespace) -> int:
    """Run ``ccom forecast``; raises :class:`~ccomkit.errors.CcomkitError` on bad input.

    Returns
    -------
    int
        0 on success.
    """
    from ccomkit.wfm.forecast import METHODS, make_forecaster

    horizon = args.horizon_days
    if not isinstance(horizon, int) or isinstance(horizon, bool) or horizon < 1:
        raise ParameterError.expected("ccom forecast", "--horizon-days", "an integer >= 1", horizon)
    method = getattr(args, "method", "auto") or "auto"
    if method not in METHODS:
        raise ParameterError.expected("ccom forecast", "--method", f"one of {', '.join(METHODS)}",
                                      method)
    qs = _parse_quantiles(getattr(args, "quantiles", None))
    src = Path(args.history)
    frame = read_history_csv(src)
    model = make_forecaster(method)
    model.fit(frame, source=src.name, line_offset=2)
    out = model.predict(horizon_days=horizon, quantiles=qs)
    num = [c for c in out.columns if c not in ("queue", "interval_start")]
    out[num] = out[num].round(4)
    out["interval_start"] = out["interval_start"].dt.strftime("%Y-%m-%d %H:%M:%S")
    dest = Path(args.out)
    if dest.parent and not dest.parent.exists():
        dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        out.to_csv(dest, index=False, encoding="utf-8")
    except OSError as exc:
        raise IngestError(f"{dest}: cannot write the output ({exc.strerror}).", file=str(dest)) \
            from None
    return 0
