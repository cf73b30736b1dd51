"""`ccom serve`: loopback by default, a token off loopback, only notebooks/apps/, no CDN."""

from __future__ import annotations

import http.client
import subprocess
import sys
from pathlib import Path

import pytest
from browser import AppServer

from ccomkit.apps import serve
from ccomkit.errors import ParameterError

ROOT = Path(__file__).resolve().parents[1]


def _get(port: int, path: str, timeout: float = 120.0) -> tuple[int, str]:
    """A raw GET (the path is sent as is: no client-side normalisation of '..')."""
    con = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        con.request("GET", path)
        resp = con.getresponse()
        return resp.status, resp.read().decode("utf-8", "replace")
    finally:
        con.close()


def test_refuses_non_loopback_without_token() -> None:
    proc = subprocess.run([sys.executable, "-m", "ccomkit.cli", "serve", "--ip", "0.0.0.0",
                           "--port", "18999"], capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    assert "refusing to serve the apps on 0.0.0.0 without a token or a password" in proc.stderr
    assert "--token" in proc.stderr
    for ip in ("192.168.1.10", "::", "example.org"):
        with pytest.raises(ParameterError, match="without a token or a password"):
            serve.voila_command(ip=ip)
    # with a token (or a password hash) another address is allowed, and the token is passed on
    cmd = serve.voila_command(ip="0.0.0.0", token="s3cret")
    assert "--Voila.ip=0.0.0.0" in cmd.argv and "--token=s3cret" in cmd.argv
    assert cmd.url.endswith("?token=s3cret")
    cmd = serve.voila_command(ip="0.0.0.0", password_hash="argon2:abc")
    assert "--PasswordIdentityProvider.hashed_password=argon2:abc" in cmd.argv


def test_command_defaults_are_safe(tmp_path: Path) -> None:
    cmd = serve.voila_command(workspace=tmp_path / "w.duckdb", template_root=tmp_path)
    assert "--Voila.ip=127.0.0.1" in cmd.argv
    assert f"--Voila.root_dir={ROOT / 'notebooks' / 'apps'}" in cmd.argv
    assert cmd.argv[3] == str(ROOT / "notebooks" / "apps")  # the folder, nothing above it
    assert "--template=ccom" in cmd.argv and not any(a.startswith("--token") for a in cmd.argv)
    assert cmd.env["CCOM_WORKSPACE"] == str((tmp_path / "w.duckdb").resolve())
    assert cmd.env["JUPYTER_PATH"].split(":")[0] == str(tmp_path)
    assert cmd.env["CCOM_CHART_ESM"] == "/voila/templates/ccom/static/ccom-jupyterchart.js"
    one = serve.voila_command("staffing_calculator.ipynb")
    assert one.argv[3] == str(ROOT / "notebooks" / "apps" / "staffing_calculator.ipynb")
    with pytest.raises(ParameterError, match="'app' parameter"):
        serve.voila_command("../workshop/forecast_and_staffing")
    with pytest.raises(ParameterError, match="'port' parameter"):
        serve.voila_command(port=0)


def test_template_has_no_remote_links(tmp_path: Path) -> None:
    d = serve.write_template(tmp_path)
    text = (d / "index.html.j2").read_text()
    assert "fontawesome" not in text.lower() and "<link" not in text.split("{{ super() }}")[0] \
        .split("notebook_css")[1].replace('<link rel="icon"', "")
    assert (d / "conf.json").read_text() == '{"base_template": "lab"}'
    bundle = (d / "static" / "ccom-jupyterchart.js").read_text()
    assert len(bundle) > 100_000 and "export{__default as default}" in bundle


@pytest.fixture(scope="module")
def tree_server():
    # every app listed, no pre-heated kernels: only the positive control below starts one
    with AppServer(None, pool_size=0) as server:
        yield server


def test_only_apps_folder_is_served(tree_server: AppServer) -> None:
    port = tree_server.port
    status, listing = _get(port, "/voila/tree?classic-tree=true")  # listed server-side
    assert status == 200
    assert "staffing_calculator.ipynb" in listing
    assert "forecast_and_staffing" not in listing and "workshop" not in listing
    outside = ROOT / "notebooks" / "workshop" / "forecast_and_staffing.ipynb"
    assert outside.exists()
    for path in ("/voila/render/../workshop/forecast_and_staffing.ipynb",
                 "/voila/render/%2e%2e/workshop/forecast_and_staffing.ipynb",
                 "/voila/render/..%2fworkshop%2fforecast_and_staffing.ipynb",
                 f"/voila/render/{outside}",
                 f"/voila/render/{outside.relative_to(ROOT)}",
                 "/voila/tree/..", "/voila/tree/%2e%2e/workshop",
                 "/voila/files/../workshop/forecast_and_staffing.ipynb",
                 "/voila/files/%2e%2e/workshop/forecast_and_staffing.ipynb"):
        status, body = _get(port, path)
        assert status in (403, 404), (path, status)
        assert "预测排班工作坊" not in body and "Forecasting and staffing workshop" not in body
    # positive control: an app inside the folder renders (a cold kernel runs the notebook)
    status, body = _get(port, "/voila/render/staffing_calculator.ipynb")
    assert status == 200 and "application/vnd.jupyter.widget-view+json" in body


def test_token_is_enforced() -> None:
    with AppServer("staffing_calculator", pool_size=0, extra_args=["--token", "s3cret"]) as srv:
        status, _ = _get(srv.port, "/")
        assert status in (302, 401, 403)
        status, body = _get(srv.port, "/?token=wrong")
        assert status in (302, 401, 403)


def test_password_is_enforced() -> None:
    import re
    import urllib.parse

    from jupyter_server.auth import passwd

    hashed = passwd("pw-123")
    with AppServer("staffing_calculator", pool_size=0,
                   extra_args=["--password-hash", hashed]) as srv:
        con = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=60)
        con.request("GET", "/")
        resp = con.getresponse()
        resp.read()
        assert resp.status == 302 and "/login" in resp.getheader("Location", "")
        con.request("GET", "/login")
        resp = con.getresponse()
        page = resp.read().decode()
        cookie = "; ".join(c.split(";")[0] for c in resp.headers.get_all("Set-Cookie") or [])
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page).group(1)
        for password, ok in (("wrong", False), ("pw-123", True)):
            body = urllib.parse.urlencode({"password": password, "_xsrf": xsrf})
            con.request("POST", "/login?next=%2F", body=body,
                        headers={"Content-Type": "application/x-www-form-urlencoded",
                                 "Cookie": cookie})
            resp = con.getresponse()
            resp.read()
            logged_in = resp.status == 302 and resp.getheader("Location", "").endswith("/")
            assert logged_in is ok, (password, resp.status, resp.getheader("Location"))
        con.close()


@pytest.mark.browser
def test_errors_are_readable_in_the_page(tmp_path: Path) -> None:
    """Voila hides tracebacks ("There was an error when executing cell"): an app on a missing
    workspace must say what is wrong in its error area instead."""
    from browser import assert_offline, browser_session, open_app

    missing = tmp_path / "nowhere.duckdb"
    with AppServer("kpi_scorecard", workspace=missing) as server, browser_session() as browser:
        app = open_app(browser, server.url)
        text = app.error_text()
        assert f"no workspace at {missing}" in text and "ccom demo" in text
        assert "There was an error" not in app.page.content()
        assert_offline(app)
