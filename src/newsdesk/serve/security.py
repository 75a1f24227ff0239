"""Who may drive the desk: Host and Origin checks (DNS rebinding, CSRF), the token, body size.

Pure checks first (unit-tested), then one ASGI middleware that applies them to every request
before any route runs, answering with the CLI's kind of one-line error.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

from newsdesk.serve.options import ServeOptions

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def host_name(value: str) -> str:
    """`example.com:8765` -> `example.com`; `[::1]:8765` -> `::1`."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def host_ok(header: str | None, allowed: set[str]) -> bool:
    """A request must name one of our own host names: a rebound DNS name is refused."""
    return header is not None and host_name(header) in allowed


def origin_ok(origin: str | None, host_header: str | None, allowed: set[str]) -> bool:
    """No Origin (curl, the SDKs) is fine; a browser's must be this very server."""
    if origin is None:
        return True
    if origin == "null":
        return False
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False
    return (
        host_name(parts.netloc) in allowed and parts.netloc.lower() == (host_header or "").lower()
    )


def token_ok(given: str | None, expected: str | None) -> bool:
    if not expected:
        return True
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def bearer(headers: dict[str, str]) -> str | None:
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return headers.get("x-newsdesk-token")


class Guard:
    """The middleware: refuses before routing, and bounds the body while it arrives."""

    def __init__(self, app: ASGIApp, options: ServeOptions) -> None:
        self.app = app
        self.options = options
        self.allowed = options.allowed_hosts()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host")
        if not host_ok(host, self.allowed):
            await _refuse(send, 421, f"unknown host {host!r}: open the desk at its own address")
            return
        if not origin_ok(headers.get("origin"), host, self.allowed):
            await _refuse(send, 403, "requests from other web sites are refused")
            return
        path: str = scope.get("path", "")
        if path.startswith("/api/") and not token_ok(bearer(headers), self.options.token):
            await _refuse(send, 401, "missing or wrong token (Authorization: Bearer TOKEN)")
            return
        limit = self.options.max_body
        length = headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            await _refuse(send, 413, _too_large(limit))
            return
        if length is None and scope.get("method") in ("POST", "PUT", "PATCH"):
            body = await _read_bounded(receive, limit)
            if body is None:
                await _refuse(send, 413, _too_large(limit))
                return
            receive = _replay(body, receive)
        await self.app(scope, receive, _with_headers(send))


# Everything the page needs is served from here; the page's own script sets text with
# textContent only, and this policy forbids inline script should anything slip through.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
]


def _with_headers(send: Send) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", []), *HEADERS]
        await send(message)

    return wrapped


def _too_large(limit: int) -> str:
    return f"request body is larger than the {limit:,}-byte limit"


async def _read_bounded(receive: Receive, limit: int) -> bytes | None:
    """A body sent without Content-Length (chunked), read up to `limit` (None: past it)."""
    chunks: list[bytes] = []
    seen = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks)  # the client left; the app sees an empty body
        body: bytes = message.get("body", b"")
        seen += len(body)
        if seen > limit:
            return None
        chunks.append(body)
        if not message.get("more_body"):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body read already, once; then the connection's own messages (disconnect)."""
    sent = False

    async def wrapped() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return wrapped


async def _refuse(send: Send, status: int, message: str) -> None:
    body = json.dumps({"error": message}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers + HEADERS})
    await send({"type": "http.response.body", "body": body})
