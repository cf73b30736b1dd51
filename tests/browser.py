"""Shared helpers for the Voila app browser tests and the app bench (not a test module).

A real Voila server (started through ``ccom serve``, so the safety settings and the CDN-free
template are the ones managers get) on a free loopback port, driven by Playwright in Debian's
chromium (``/usr/bin/chromium`` via ``executable_path``: Playwright cannot download its own
browser here). Every request the page makes is recorded and anything not on the loopback
server is aborted, so a test can assert the app works offline.

Typical use in an app test (one server per test module; keep page loads few, they are slow)::

    from browser import AppServer, browser_session, open_app  # tests/ is on sys.path

    @pytest.fixture(scope="module")
    def page(demo_workspace):
        with AppServer("quality_dashboard", workspace=demo_workspace) as server, \\
                browser_session() as browser:
            app = open_app(browser, server.url)
            yield app

    def test_filter(page):
        before = page.text(".ccom-result")
        page.select(".ccom-team select", "T01")
        page.wait_text_change(".ccom-result", before)
        assert page.chart_marks("pareto") > 0
        assert page.remote_requests == []

Selectors: the apps give their widgets CSS classes ``ccom-<name>`` (see
:mod:`ccomkit.apps.common`); an ipywidgets control's ``<input>``/``<select>`` sits inside the
element with that class (``.ccom-calls input``, ``.ccom-team select``).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage"]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
# what a live frontend puts in a process environment; scrubbed from the server's environment
FRONTEND_ENV = ("JPY_SESSION_NAME", "VOILA_PREHEAT", "VOILA_KERNEL_ID", "VOILA_REQUEST_URL",
                "VOILA_BASE_URL", "VOILA_SERVER_URL", "SERVER_SOFTWARE")
PAGE_TIMEOUT_MS = 90_000  # a cold kernel start and notebook run takes 10-12 s on an idle machine
ACTION_TIMEOUT_MS = 30_000


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, proc: subprocess.Popen[Any] | None = None, timeout_s: float = 60.0,
              host: str = "127.0.0.1") -> None:
    """Wait until ``host:port`` accepts a connection; fail early if ``proc`` died."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before listening")
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1):
            return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listening on {host}:{port} after {timeout_s:.0f} s")


def _processes() -> dict[int, tuple[int, int, int, bytes]]:
    """pid → (ppid, utime, stime, cmdline) of every process (Linux /proc)."""
    out: dict[int, tuple[int, int, int, bytes]] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
            cmd = (d / "cmdline").read_bytes()
        except OSError:
            continue
        f = stat[stat.rindex(")") + 2:].split()
        out[int(d.name)] = (int(f[1]), int(f[11]), int(f[12]), cmd)
    return out


def _descendants(pid: int) -> dict[int, tuple[int, int, int, bytes]]:
    """The processes below ``pid`` (children, grandchildren …)."""
    procs = _processes()
    found: dict[int, tuple[int, int, int, bytes]] = {}
    frontier = {pid}
    while frontier:
        nxt = {p for p, v in procs.items() if v[0] in frontier and p not in found}
        for p in nxt:
            found[p] = procs[p]
        frontier = nxt
    return found


def stop_process_group(proc: subprocess.Popen[Any], timeout_s: float = 15.0) -> None:
    """SIGTERM the process group led by ``proc`` (server), SIGKILL if it lingers; then make sure
    its kernels are gone too (jupyter_client starts them in their own session)."""
    if proc.poll() is not None:
        return
    below = list(_descendants(proc.pid))
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=timeout_s)
    # kernels may outlive the server by a moment; make sure none remains
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    deadline = time.monotonic() + 5.0
    alive = [p for p in below if Path(f"/proc/{p}").exists()]
    while alive and time.monotonic() < deadline:
        time.sleep(0.2)
        alive = [p for p in alive if Path(f"/proc/{p}").exists()]
    for p in alive:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(p, signal.SIGKILL)


class AppServer:
    """``ccom serve APP`` on a free loopback port in its own process group (a context manager).

    Parameters
    ----------
    app : str or None
        Notebook name in ``notebooks/apps/`` (served at ``/``); None serves the folder.
    workspace : path, optional
        Passed as ``--workspace`` (read by the apps through ``$CCOM_WORKSPACE``).
    pool_size : int, default 1
        Pre-heated kernels (0 = a cold kernel per page load).
    extra_args : list of str
        More ``ccom serve`` arguments.
    log_path : path, optional
        Where the server's output goes (default: a temporary file; see :attr:`log`).
    """

    def __init__(self, app: str | None, *, workspace: str | os.PathLike[str] | None = None,
                 pool_size: int = 1, extra_args: list[str] | None = None,
                 log_path: str | os.PathLike[str] | None = None, ready_timeout_s: float = 90.0,
                 env: dict[str, str] | None = None) -> None:
        self.app = app
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        args = [sys.executable, "-m", "ccomkit.cli", "serve"] + ([app] if app else [])
        args += ["--port", str(self.port), "--pool-size", str(pool_size)]
        if workspace is not None:
            args += ["--workspace", str(workspace)]
        self.argv = args + list(extra_args or [])
        self.ready_timeout_s = ready_timeout_s
        self._log_path = Path(log_path) if log_path else None
        self._own_log = log_path is None  # a temporary log, removed by stop()
        self._env = env
        self.proc: subprocess.Popen[Any] | None = None

    @property
    def log(self) -> str:
        """The server's output so far."""
        return self._log_path.read_text(errors="replace") if self._log_path else ""

    def start(self) -> "AppServer":
        import tempfile

        if self._log_path is None:
            fd, name = tempfile.mkstemp(prefix="ccom-voila-", suffix=".log")
            os.close(fd)
            self._log_path = Path(name)
        env = {k: v for k, v in os.environ.items() if k not in FRONTEND_ENV}
        env.update(self._env or {})
        log = open(self._log_path, "wb")  # noqa: SIM115 - closed with the process
        self.proc = subprocess.Popen(self.argv, stdout=log, stderr=subprocess.STDOUT, env=env,
                                     start_new_session=True)
        log.close()
        try:
            wait_port(self.port, self.proc, self.ready_timeout_s)
        except Exception as exc:
            tail = self.log[-3000:]
            self.stop()
            raise RuntimeError(f"{exc}\n--- server log ---\n{tail}") from exc
        return self

    def wait_preheated(self, timeout_s: float = 90.0) -> None:
        """Wait until Voila logs that its kernel pool is filled (pre-heated apps only)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if "is filled with" in self.log:
                return
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log[-2000:]}")
            time.sleep(0.25)
        raise TimeoutError(f"kernel pool not filled after {timeout_s:.0f} s: {self.log[-2000:]}")

    def kernel_cpu_s(self) -> float:
        """CPU seconds used so far by the server's kernels (its descendant processes running
        ipykernel; jupyter_client starts kernels in their own session, so not by group)."""
        if self.proc is None:
            return 0.0
        tick = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for pid, (_, utime, stime, cmd) in _descendants(self.proc.pid).items():
            if b"ipykernel" in cmd:
                total += (utime + stime) / tick
        return total

    def wait_kernels_idle(self, quiet_s: float = 2.0, timeout_s: float = 240.0) -> None:
        """Wait until the pre-heated kernels have finished running the notebook: Voila logs
        "pool is filled" when a kernel *starts*, while it renders the notebook afterwards; this
        waits until the kernels use no CPU for ``quiet_s`` seconds."""
        self.wait_preheated(timeout_s)
        deadline = time.monotonic() + timeout_s
        last, since = self.kernel_cpu_s(), time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.25)
            now = self.kernel_cpu_s()
            if now > last + 0.05:
                last, since = now, time.monotonic()
            elif time.monotonic() - since >= quiet_s:
                return
        raise TimeoutError(f"kernels still busy after {timeout_s:.0f} s")

    def stop(self) -> None:
        if self.proc is not None:
            stop_process_group(self.proc)
        if self._own_log and self._log_path is not None:
            self._log_path.unlink(missing_ok=True)

    def __enter__(self) -> "AppServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextlib.contextmanager
def browser_session() -> Iterator[Any]:
    """A Playwright chromium browser (Debian's, headless), closed on exit."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def is_local(url: str) -> bool:
    """Whether a request URL stays on this machine (loopback, ``data:``, ``blob:``, ``about:``)."""
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about", "chrome", "chrome-extension"):
        return True
    return (parts.hostname or "") in LOCAL_HOSTS or (parts.netloc or "") in LOCAL_HOSTS


@dataclass
class AppPage:
    """A loaded app page, with every request it made.

    Attributes
    ----------
    page : playwright Page
    requests : list of str
        Every URL requested (HTTP and WebSocket).
    remote_requests : list of str
        The requests that left the machine (aborted); must stay empty.
    load_s : float
        Seconds from navigation to the app's first render (``.ccom-app`` visible, not busy,
        every chart drawn).
    """

    page: Any
    requests: list[str] = field(default_factory=list)
    remote_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    load_s: float = float("nan")

    # -- reading -----------------------------------------------------------------------------
    def text(self, selector: str) -> str:
        """The visible text of the first element matching ``selector``."""
        return str(self.page.locator(selector).first.inner_text(timeout=ACTION_TIMEOUT_MS))

    def chart_marks(self, name: str | None = None) -> int:
        """Number of drawn SVG marks (paths, symbols, rects, lines) in a chart view
        (``.ccom-chart-<name>``; all charts when None)."""
        sel = f".ccom-chart-{name}" if name else ".ccom-chart"
        return int(self.page.evaluate(
            """(sel) => { let n = 0; for (const c of document.querySelectorAll(sel)) {
                 n += c.querySelectorAll('svg g[class*="mark-"] path, svg g[class*="mark-"] rect,'
                   + ' svg g[class*="mark-"] line, svg g[class*="mark-"] text').length; }
               return n; }""", sel))

    def chart_signature(self, name: str) -> str:
        """A string that changes when the chart ``.ccom-chart-<name>`` is redrawn differently."""
        return str(self.page.evaluate(
            """(sel) => { const c = document.querySelector(sel); if (!c) return '';
                 const svg = c.querySelector('svg'); return svg ? svg.innerHTML.length + ':' +
                 Array.from(svg.querySelectorAll('g[class*="mark-"] path')).map(
                   p => p.getAttribute('d') || '').join('|').slice(0, 20000) : ''; }""",
            f".ccom-chart-{name}"))

    def error_text(self) -> str:
        """The app's error area text ('' when there is no error)."""
        return str(self.page.locator(".ccom-error").first.inner_text(timeout=ACTION_TIMEOUT_MS))

    # -- acting ------------------------------------------------------------------------------
    def fill(self, selector: str, value: Any) -> None:
        """Type ``value`` into the ``<input>`` under ``selector`` and commit it (Enter)."""
        box = self.page.locator(f"{selector} input").first
        box.fill(str(value), timeout=ACTION_TIMEOUT_MS)
        box.press("Enter")

    def select(self, selector: str, label: str) -> None:
        """Choose the option labelled ``label`` in the ``<select>`` under ``selector``."""
        self.page.locator(f"{selector} select").first.select_option(label=label,
                                                                    timeout=ACTION_TIMEOUT_MS)

    def options(self, selector: str) -> list[str]:
        """The option labels of the ``<select>`` under ``selector``."""
        return list(self.page.locator(f"{selector} select option").all_inner_texts())

    def click(self, selector: str, text: str | None = None) -> None:
        """Click the element (a button when ``text`` names it) under ``selector``."""
        loc = self.page.locator(selector)
        if text is not None:
            loc = loc.get_by_text(text, exact=True)
        loc.first.click(timeout=ACTION_TIMEOUT_MS)

    def wait_idle(self, timeout_ms: int = ACTION_TIMEOUT_MS) -> None:
        """Wait until the busy indicator is empty."""
        self.page.wait_for_function(
            """() => { const b = document.querySelector('.ccom-busy');
                       return b && b.innerText.trim() === ''; }""", timeout=timeout_ms)

    def wait_text_change(self, selector: str, before: str,
                         timeout_ms: int = ACTION_TIMEOUT_MS) -> str:
        """Wait until the text of ``selector`` differs from ``before``; return the new text."""
        self.page.wait_for_function(
            """([sel, before]) => { const e = document.querySelector(sel);
                 return e && e.innerText !== before; }""", arg=[selector, before],
            timeout=timeout_ms)
        return self.text(selector)

    def wait_chart_change(self, name: str, before: str,
                          timeout_ms: int = ACTION_TIMEOUT_MS) -> str:
        """Wait until :meth:`chart_signature` of ``name`` differs from ``before``."""
        deadline = time.monotonic() + timeout_ms / 1000
        while time.monotonic() < deadline:
            sig = self.chart_signature(name)
            if sig and sig != before:
                return sig
            self.page.wait_for_timeout(50)
        raise TimeoutError(f"chart {name!r} did not change within {timeout_ms} ms")


def _route(page_obj: AppPage) -> Any:
    def handler(route: Any) -> None:
        url = route.request.url
        if is_local(url):
            route.continue_()
        else:
            page_obj.remote_requests.append(url)
            route.abort()
    return handler


def open_app(browser: Any, url: str, *, charts: tuple[str, ...] = (),
             timeout_ms: int = PAGE_TIMEOUT_MS, viewport: dict[str, int] | None = None) -> AppPage:
    """Open an app page, abort every non-local request, wait for the first render.

    The first render is reached when ``.ccom-app`` is visible, the busy indicator is empty and
    each chart named in ``charts`` (``.ccom-chart-<name>``) has drawn SVG marks.
    """
    context = browser.new_context(viewport=viewport or {"width": 1400, "height": 1000})
    page = context.new_page()
    app = AppPage(page=page)
    page.route("**/*", _route(app))
    page.on("request", lambda r: app.requests.append(r.url))
    page.on("websocket", lambda ws: app.requests.append(ws.url))
    page.on("console", lambda m: app.console_errors.append(m.text) if m.type == "error" else None)

    def _ws_remote(ws: Any) -> None:
        if not is_local(ws.url):
            app.remote_requests.append(ws.url)

    page.on("websocket", _ws_remote)
    t0 = time.perf_counter()
    page.goto(url, timeout=timeout_ms, wait_until="domcontentloaded")
    page.locator(".ccom-app").first.wait_for(state="visible", timeout=timeout_ms)
    app.wait_idle(timeout_ms)
    for name in charts:
        page.wait_for_function(
            """(sel) => { const c = document.querySelector(sel);
                 return c && c.querySelectorAll('svg g[class*="mark-"] > *').length > 0; }""",
            arg=f".ccom-chart-{name}", timeout=timeout_ms)
    app.load_s = time.perf_counter() - t0
    return app


def assert_offline(app: AppPage) -> None:
    """Fail when the page requested anything off the machine."""
    assert app.requests, "no request recorded: the request hook is not working"
    assert app.remote_requests == [], f"non-local requests: {app.remote_requests[:5]}"
    remote = [u for u in app.requests if not is_local(u)]
    assert remote == [], f"non-local requests: {remote[:5]}"
