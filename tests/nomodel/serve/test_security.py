"""Who may drive the desk: Host, Origin, token, body size, and what the page may load. A real
uvicorn on 127.0.0.1; the endpoint is the scripted server (no model is needed to be refused)."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from importlib import resources

import httpx2 as httpx  # the HTTP client openai itself uses
import pytest
from typer.testing import CliRunner

from newsdesk.cli.app import app
from newsdesk.errors import ConfigError
from newsdesk.serve.options import ServeOptions
from newsdesk.serve.server import serve_in_thread
from newsdesk.testing import ScriptedServer, schema_responder
from tests.helpers.clients import scripted_settings

TOKEN = "t0ken-for-tests"
KEY = "sk-scripted-secret-0123456789"


@pytest.fixture(scope="module")
def scripted() -> Iterator[ScriptedServer]:
    with ScriptedServer(responder=schema_responder) as srv:
        yield srv


@pytest.fixture(scope="module")
def open_url(scripted: ScriptedServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = scripted_settings(scripted, tmp_path_factory.mktemp("sec"), api_key=KEY)
    with serve_in_thread(settings, ServeOptions(port=0, max_body=20_000)) as url:
        yield url


@pytest.fixture(scope="module")
def token_url(scripted: ScriptedServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = scripted_settings(scripted, tmp_path_factory.mktemp("tok"))
    with serve_in_thread(settings, ServeOptions(port=0, token=TOKEN)) as url:
        yield url


def test_a_rebound_host_name_is_refused(open_url: str) -> None:
    for host in ("evil.example", "evil.example:8765", "127.0.0.1.evil.example"):
        resp = httpx.get(f"{open_url}api/info", headers={"Host": host})
        assert resp.status_code == 421, host
        assert "unknown host" in resp.json()["error"]
    assert httpx.get(f"{open_url}api/info").status_code == 200
    port = open_url.rsplit(":", 1)[1].strip("/")
    assert (
        httpx.get(f"{open_url}api/info", headers={"Host": f"localhost:{port}"}).status_code == 200
    )


def test_another_sites_origin_is_refused(open_url: str) -> None:
    body = {"article": "A sentence. Another one.", "question": "Who?"}
    for origin in ("http://evil.example", "null", open_url.rstrip("/").replace("127.0.0.1", "x")):
        resp = httpx.post(f"{open_url}api/ask", json=body, headers={"Origin": origin})
        assert resp.status_code == 403, origin
    same = httpx.post(f"{open_url}api/ask", json=body, headers={"Origin": open_url.rstrip("/")})
    assert same.status_code == 200, same.text


def test_the_token_is_checked_on_every_api_call(token_url: str) -> None:
    body = {"article": "A sentence. Another one.", "draft": "A sentence."}
    for path in ("api/info", "api/history"):
        assert httpx.get(token_url + path).status_code == 401
        wrong = httpx.get(token_url + path, headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        right = httpx.get(token_url + path, headers={"Authorization": f"Bearer {TOKEN}"})
        assert right.status_code == 200
    assert httpx.post(token_url + "api/check", json=body).status_code == 401
    ok = httpx.post(
        token_url + "api/check", json=body, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert ok.status_code == 200, ok.text
    assert httpx.get(token_url).status_code == 200  # the page itself holds no secret


def test_binding_beyond_loopback_needs_a_token() -> None:
    with pytest.raises(ConfigError, match="--token"):
        ServeOptions(host="0.0.0.0")
    assert ServeOptions(host="0.0.0.0", token="x").token == "x"
    result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0"], env={"NEWSDESK_TOKEN": ""})
    assert result.exit_code == 2
    assert result.output.startswith("error: --host 0.0.0.0 is reachable from other machines")
    assert "Traceback" not in result.output


def test_a_large_body_gets_a_clear_413(open_url: str) -> None:
    big = {"article": "word " * 10_000, "question": "Who?"}
    resp = httpx.post(f"{open_url}api/ask", json=big)
    assert resp.status_code == 413
    assert resp.json()["error"] == "request body is larger than the 20,000-byte limit"
    # no Content-Length (chunked): bounded while it arrives
    host, port = open_url.split("//")[1].strip("/").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(
            f"POST /api/ask HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n".encode()
        )
        chunk = b"x" * 8000
        try:
            for _ in range(4):
                s.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            s.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server may answer and close before the body ends: that is the point
        reply = s.recv(65536)
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]


def test_the_page_loads_nothing_from_elsewhere_and_never_sees_the_key(open_url: str) -> None:
    page = httpx.get(open_url)
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    static = resources.files("newsdesk.serve") / "static"
    files = list(static.iterdir())
    assert files
    for f in files:
        text = f.read_text()
        assert not re.search(r"https?://|//cdn|@import", text), f.name
        assert "innerHTML" not in text and "eval(" not in text, f.name
    for path in ("", "static/app.js", "api/info", "api/history", "openapi.json"):
        assert KEY not in httpx.get(open_url + path).text, path


def test_unknown_static_files_are_404(open_url: str) -> None:
    assert httpx.get(open_url + "static/..%2F..%2Fapp.py").status_code == 404
    assert httpx.get(open_url + "static/secret.txt").status_code == 404
