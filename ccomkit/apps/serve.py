"""Serve the Voila apps safely: loopback by default, only ``notebooks/apps/``, read-only workspace.

Presentation layer; used by ``ccom serve`` (:mod:`ccomkit.apps.serve_cli`).

* **Bound to 127.0.0.1** unless told otherwise; any other address is refused without a token
  (``--token``) or a hashed password (``--password-hash``, made with
  ``python -c "from jupyter_server.auth import passwd; print(passwd())"``), because an app
  server without either lets anyone on the network run the apps against the workspace.
* **Only ``notebooks/apps/``**: Voila's root directory is that folder, so no other notebook of
  the project (workshops, DCDIER steps, reports) can be rendered through it.
* **Read-only workspace**: the workspace path reaches the kernels as ``$CCOM_WORKSPACE``
  (honoured by :func:`ccomkit.store.resolve_workspace`), and the apps open it with
  :meth:`ccomkit.store.Workspace.open_read`, so a nightly playbook can write while managers read.
* **No CDN**: Voila's ``lab`` template links FontAwesome from jsDelivr; :func:`write_template`
  writes a ``ccom`` template (a copy of ``lab`` without those links) into a private
  ``JUPYTER_PATH`` directory, and the server uses it.
* **Fast first render**: kernels are pre-heated (``--pool-size``, default 1 per app): Voila runs
  each app notebook before anyone asks, so a page opens in well under the 10-12 s of a cold
  kernel start.

Examples
--------
>>> from ccomkit.apps.serve import is_loopback, voila_command
>>> is_loopback("127.0.0.1"), is_loopback("::1"), is_loopback("0.0.0.0")
(True, True, False)
>>> voila_command(ip="0.0.0.0", port=8866)
Traceback (most recent call last):
...
ccomkit.errors.ParameterError: refusing to serve the apps on 0.0.0.0 without a token or a password: anyone who can reach it could use them. Pass --token TOKEN (or --password-hash HASH), or bind 127.0.0.1.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ccomkit.errors import ParameterError, WorkspaceError
from ccomkit.store import ENV_WORKSPACE

__all__ = ["APPS_DIR", "ServeCommand", "apps_dir", "is_loopback", "list_apps", "serve",
           "voila_command", "write_template"]

APPS_DIR = Path(__file__).resolve().parents[2] / "notebooks" / "apps"
"""The app notebooks of this checkout (``notebooks/apps/``)."""

TEMPLATE = "ccom"
CHART_ESM = "ccom-jupyterchart.js"
CHART_ESM_URL = f"/voila/templates/{TEMPLATE}/static/{CHART_ESM}"
"""Where the page finds the offline JupyterChart module (see :func:`write_template`)."""
ENV_CHART_ESM = "CCOM_CHART_ESM"
_CDN_LINK = re.compile(r"^.*<link[^>]+href=\"https?://[^\"]*\"[^>]*>.*\n?", re.M)


def apps_dir() -> Path:
    """The folder served: ``notebooks/apps/`` of the checkout ccomkit runs from.

    Raises
    ------
    WorkspaceError
        When the folder does not exist (ccomkit installed without its notebooks).
    """
    if not APPS_DIR.is_dir():
        raise WorkspaceError(f"no app notebooks at {APPS_DIR}: run ccom serve from a ccomkit "
                             "checkout (the apps ship as notebooks/apps/*.ipynb)")
    return APPS_DIR


def list_apps() -> list[str]:
    """The app names (notebook file names without ``.ipynb``), sorted.

    Examples
    --------
    >>> from ccomkit.apps.serve import list_apps
    >>> "staffing_calculator" in list_apps()
    True
    """
    return sorted(p.stem for p in apps_dir().glob("*.ipynb"))


def is_loopback(ip: str) -> bool:
    """Whether ``ip`` is a loopback address (``127.0.0.0/8``, ``::1``, ``localhost``)."""
    if ip == "localhost":
        return True
    try:
        return ipaddress.ip_address(ip).is_loopback
    except ValueError:
        return False


def write_template(root: str | os.PathLike[str], *, chart_module: bool = True) -> Path:
    """Write the ``ccom`` Voila template under ``root/voila/templates/ccom`` and return it.

    It is Voila's installed ``lab`` ``index.html.j2`` with every ``<link>`` to an ``http(s)://``
    address removed (FontAwesome from jsDelivr), declared as based on ``lab`` so all other files
    come from there. Put ``root`` first on ``JUPYTER_PATH``.

    With ``chart_module`` it also writes ``static/ccom-jupyterchart.js``: altair's offline
    JupyterChart front-end (Vega, Vega-Lite and vega-embed bundled by vl-convert, about 0.9 MB),
    served by Voila at :data:`CHART_ESM_URL`. With ``$CCOM_CHART_ESM`` set (``ccom serve`` sets
    it), :class:`ccomkit.apps.common.ChartView` sends each chart widget a two-line module that
    imports it from there instead of the whole bundle: the browser fetches and evaluates it once
    per page (and caches it) instead of once per chart.

    Examples
    --------
    >>> import tempfile
    >>> from ccomkit.apps.serve import write_template
    >>> d = write_template(tempfile.mkdtemp(), chart_module=False)
    >>> "cdn.jsdelivr" in (d / "index.html.j2").read_text()
    False
    """
    from jupyter_core.paths import jupyter_path

    found = [Path(p) / "voila" / "templates" / "lab" / "index.html.j2" for p in jupyter_path()]
    found = [p for p in found if p.exists() and Path(root).resolve() not in p.resolve().parents]
    if not found:
        raise WorkspaceError("cannot find Voila's 'lab' template: is voila installed?")
    lab = found[0]
    text = _CDN_LINK.sub("", lab.read_text(encoding="utf-8"))
    dest = Path(root) / "voila" / "templates" / TEMPLATE
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "index.html.j2").write_text(text, encoding="utf-8")
    (dest / "conf.json").write_text(json.dumps({"base_template": "lab"}), encoding="utf-8")
    if chart_module:
        import altair as alt

        alt.JupyterChart.enable_offline(True)
        (dest / "static").mkdir(exist_ok=True)
        (dest / "static" / CHART_ESM).write_text(str(alt.JupyterChart._esm), encoding="utf-8")
    return dest


@dataclass(frozen=True)
class ServeCommand:
    """What :func:`voila_command` decided: the argv, the extra environment, the URL."""

    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    url: str = ""


def voila_command(app: str | None = None, *, ip: str = "127.0.0.1", port: int = 8866,
                  token: str | None = None, password_hash: str | None = None,
                  workspace: str | os.PathLike[str] | None = None, pool_size: int = 1,
                  template_root: str | os.PathLike[str] | None = None) -> ServeCommand:
    """The Voila command line for ``ccom serve``, after the safety checks.

    Parameters
    ----------
    app : str, optional
        One app (notebook name in ``notebooks/apps/``, with or without ``.ipynb``), served at
        ``/``; without it every app is listed at ``/`` and rendered under ``/voila/render/``.
    ip : str, default '127.0.0.1'
        Address to bind. Anything but loopback requires ``token`` or ``password_hash``.
    port : int, default 8866
    token : str, optional
        Login token (``?token=…`` in the URL).
    password_hash : str, optional
        A ``jupyter_server.auth.passwd`` hash; the login page asks for the password.
    workspace : path, optional
        The workspace the apps read (default: ``$CCOM_WORKSPACE`` or ``data/workspace.duckdb``).
    pool_size : int, default 1
        Pre-heated kernels per app notebook (0: start a kernel per page load).
    template_root : path, optional
        Where the ``ccom`` template was written (:func:`write_template`); put on JUPYTER_PATH.

    Raises
    ------
    ParameterError
        A non-loopback ``ip`` without a token or password; an unknown app; a bad port.
    """
    owner = "ccom serve"
    if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
        raise ParameterError.expected(owner, "port", "an int in [1, 65535]", port)
    if not isinstance(pool_size, int) or pool_size < 0:
        raise ParameterError.expected(owner, "pool_size", "an int >= 0", pool_size)
    if not is_loopback(ip) and not (token or password_hash):
        raise ParameterError(
            f"refusing to serve the apps on {ip} without a token or a password: anyone who can "
            "reach it could use them. Pass --token TOKEN (or --password-hash HASH), "
            "or bind 127.0.0.1.", param="ip", value=ip)
    root = apps_dir()
    if app:
        name = app[:-6] if app.endswith(".ipynb") else app
        known = list_apps()
        if name not in known or "/" in name or "\\" in name:
            raise ParameterError.expected(owner, "app", f"one of {', '.join(known)}", app)
        target = str(root / f"{name}.ipynb")
    else:
        target = str(root)
    argv = [sys.executable, "-m", "voila", target, "--no-browser", f"--port={port}",
            f"--Voila.ip={ip}", "--Voila.port_retries=0", f"--template={TEMPLATE}",
            "--theme=light", "--VoilaConfiguration.show_tracebacks=False",
            f"--Voila.root_dir={root}"]
    if pool_size > 0:
        argv += ["--preheat_kernel=True", f"--pool_size={pool_size}",
                 "--VoilaKernelManager.fill_delay=0"]
    if token:
        argv.append(f"--token={token}")
    if password_hash:
        argv.append(f"--PasswordIdentityProvider.hashed_password={password_hash}")
    env: dict[str, str] = {ENV_CHART_ESM: CHART_ESM_URL} if template_root is not None else {}
    if workspace is not None and str(workspace) != "":
        env[ENV_WORKSPACE] = str(Path(workspace).resolve())
    elif os.environ.get(ENV_WORKSPACE):
        env[ENV_WORKSPACE] = str(Path(os.environ[ENV_WORKSPACE]).resolve())
    if template_root is not None:
        env["JUPYTER_PATH"] = os.pathsep.join(
            [str(template_root), *[p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep)
                                   if p]])
    host = f"[{ip}]" if ":" in ip else ip
    url = f"http://{host}:{port}/" + (f"?token={token}" if token else "")
    return ServeCommand(argv=argv, env=env, url=url)


def serve(app: str | None = None, *, ip: str = "127.0.0.1", port: int = 8866,
          token: str | None = None, password_hash: str | None = None,
          workspace: str | os.PathLike[str] | None = None, pool_size: int = 1) -> int:
    """Run Voila in the foreground until it stops (Ctrl-C or SIGTERM); return its exit code.

    See :func:`voila_command` for the parameters and the checks.
    """
    tmp = tempfile.mkdtemp(prefix="ccom-voila-")
    try:
        write_template(tmp)
        cmd = voila_command(app, ip=ip, port=port, token=token, password_hash=password_hash,
                            workspace=workspace, pool_size=pool_size, template_root=tmp)
        print(f"ccom serve: {cmd.url} (apps in {apps_dir()}; workspace "
              f"{cmd.env.get(ENV_WORKSPACE, 'default')}, read-only)", file=sys.stderr, flush=True)
        proc = subprocess.Popen(cmd.argv, env={**os.environ, **cmd.env})

        def _stop(signum: int, _frame: object) -> None:
            proc.send_signal(signal.SIGTERM)

        old = signal.signal(signal.SIGTERM, _stop)
        try:
            return proc.wait()
        except KeyboardInterrupt:
            proc.send_signal(signal.SIGINT)
            try:
                return proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                return proc.wait()
        finally:
            signal.signal(signal.SIGTERM, old)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
