"""`webhook`: promptfoo 0.123.1's handleWebhook. The output and its context are POSTed to the URL
as JSON ({output, context: {prompt, vars}}); the reply's JSON `pass` (a boolean), `score` and
`reason` are the grade. Any failure (a dead URL, a status other than 2xx, a reply that is not
JSON or has no boolean `pass`) fails the assertion with promptfoo's "Webhook error: ..." reason.

Like promptfoo's fetchWithRetries, a request that fails (no answer, a timeout) is tried 4 more
times; newsdesk waits 0.25, 0.5, 1 and 2 s between tries (promptfoo waits ~5 s doubling each
time), so a dead URL costs seconds, and an unanswering one five timeouts (WEBHOOK_TIMEOUT, in
ms, default 5000, from the suite's `env` or the environment, as promptfoo reads it)."""

from __future__ import annotations

import os
import queue
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import TYPE_CHECKING, Any

from newsdesk.evals import jscompat, node
from newsdesk.evals.assertions.core import EvalContext, Grade

if TYPE_CHECKING:
    from newsdesk.evals.spec import AssertionSpec

RETRIES = 4  # promptfoo's fetchWithRetries default
BACKOFF_S = 0.25
DEFAULT_TIMEOUT_MS = 5000
MAX_REPLY = 1 << 20  # a webhook's verdict is small; a larger reply is read no further


# the ports fetch refuses to connect to (the Fetch standard's "bad ports", as node 22 has them)
BAD_PORTS = frozenset(
    (1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101,
     102, 103, 104, 109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389,
     427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636,
     989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566,
     6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080)
)  # fmt: skip


class WebhookError(Exception):
    """What promptfoo's handler catches: its message follows "Webhook error: "."""


class _Timeout(Exception):
    pass


def timeout_ms(env: dict[str, Any]) -> int:
    """promptfoo's getEnvInt("WEBHOOK_TIMEOUT", 5000): the suite's env, then the process's;
    parseInt of the text, the default when it is not a number."""
    raw = env.get("WEBHOOK_TIMEOUT", os.environ.get("WEBHOOK_TIMEOUT"))
    found = re.match(r"\s*([-+]?\d+)", str(raw)) if raw is not None else None
    return int(found.group(1)) if found else DEFAULT_TIMEOUT_MS


def _fetch_failure(exc: BaseException, url: urllib.parse.SplitResult, limit_ms: int) -> str:
    """The message node's fetch gives for a request that got no answer, as promptfoo formats it
    (formatFetchErrorMessage): a refused connection names the address, a timeout the limit."""
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, _Timeout | TimeoutError | socket.timeout):
        return f"Error: Request timed out after {limit_ms} ms"
    port = url.port or (443 if url.scheme == "https" else 80)
    if isinstance(reason, ConnectionRefusedError):
        return (
            f"TypeError: fetch failed (Cause: Error: connect ECONNREFUSED {_address(url)}:{port})"
        )
    if isinstance(reason, socket.gaierror):
        return f"TypeError: fetch failed (Cause: Error: getaddrinfo ENOTFOUND {url.hostname})"
    return f"TypeError: fetch failed (Cause: Error: {reason})"


def _address(url: urllib.parse.SplitResult) -> str:
    """The address node names for a refused connection: the host's first (IPv4 for localhost)."""
    host = url.hostname or ""
    if host == "localhost":
        return "127.0.0.1"
    try:
        return str(socket.getaddrinfo(host, None)[0][4][0])
    except (OSError, IndexError):
        return host


def url_problem(url: str) -> str | None:
    """What fetch says at once of a URL it will not request (None: it requests it)."""
    try:
        target = urllib.parse.urlsplit(url)
        port = target.port
    except ValueError:
        target, port = None, None
    if target is None or not target.scheme or not target.netloc:
        return f"TypeError: Failed to parse URL from {url} (Cause: TypeError: Invalid URL)"
    if target.scheme not in ("http", "https"):
        return "TypeError: fetch failed (Cause: Error: unknown scheme)"
    if port in BAD_PORTS:
        return "TypeError: fetch failed (Cause: Error: bad port)"
    return None


# node's fetch (undici) ignores HTTP(S)_PROXY: so does the hook's POST, whose body holds the
# output, prompt and vars
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _attempt(url: str, body: bytes, limit_ms: int) -> tuple[int, str]:
    """One POST, (status, reply text), within limit_ms in all (a reply that trickles in is cut
    off as fetch's timeout cuts it): the request runs in a daemon thread we stop waiting for."""
    out: queue.Queue[tuple[int, str] | BaseException] = queue.Queue()

    def run() -> None:
        request = urllib.request.Request(
            url, data=body, headers={"Content-Type": "application/json"}, method="POST"
        )
        try:
            with _DIRECT.open(request, timeout=limit_ms / 1000) as response:
                text = response.read(MAX_REPLY).decode("utf-8", "replace")
                out.put((response.status, text))
        except urllib.error.HTTPError as exc:  # a status other than 2xx: an answer all the same
            out.put((exc.code, ""))
        except BaseException as exc:  # every failure is the caller's to word
            out.put(exc)

    threading.Thread(target=run, daemon=True).start()
    try:
        got = out.get(timeout=limit_ms / 1000 + 0.05)
    except queue.Empty:
        raise _Timeout from None
    if isinstance(got, BaseException):
        raise got
    return got


def post(url: str, body: bytes, limit_ms: int) -> tuple[int, str]:
    """fetchWithRetries: (status, text) of the first request that got an answer; else a
    WebhookError naming the last failure."""
    # fetch fails such a URL the same way on every try: said at once, without the waits
    if problem := url_problem(url):
        raise WebhookError(f"Request failed after {RETRIES} retries: {problem}")
    target = urllib.parse.urlsplit(url)
    last = ""
    for attempt in range(RETRIES + 1):
        try:
            return _attempt(url, body, limit_ms)
        except Exception as exc:  # no answer: tried again, as promptfoo does
            last = _fetch_failure(exc, target, limit_ms)
        if attempt < RETRIES:
            time.sleep(BACKOFF_S * 2**attempt)
    raise WebhookError(f"Request failed after {RETRIES} retries: {last}")


def _json_reply(text: str) -> Any:
    """response.json(): the reply parsed as JSON.parse parses it, else its SyntaxError's words
    (node's own where node is found)."""
    try:
        return jscompat.js_json_parse(text)
    except ValueError as exc:
        raise WebhookError(node.json_parse_message(text, str(exc))) from None


def _js_number(value: Any) -> float:
    """JavaScript's Number(value) for a JSON value (what arithmetic on a score does)."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    if value is None:
        return 0.0
    if isinstance(value, str):
        try:
            return float(value.strip()) if value.strip() else 0.0
        except ValueError:
            return float("nan")
    return float("nan")


def check_webhook(
    output: str, value: Any, spec: AssertionSpec, ctx: EvalContext, inv: bool
) -> Grade:
    body = jscompat.js_stringify(
        {"output": ctx.raw(output), "context": {"prompt": ctx.prompt, "vars": _vars(ctx)}}
    )
    try:
        limit = timeout_ms(ctx.env)
        status, text = post(str(value), body.encode("utf-8"), limit)
        if not 200 <= status < 300:
            raise WebhookError(f"Webhook response status: {status}")
        reply = _json_reply(text)
        verdict = reply.get("pass") if isinstance(reply, dict) else None
        if not isinstance(verdict, bool):
            raise WebhookError(
                'Invariant failed: Webhook response must be a JSON object with a boolean "pass" '
                "property"
            )
    except WebhookError as exc:
        return Grade(False, 0.0, f"Webhook error: {exc}")
    passed = verdict is not inv
    if "score" not in reply:
        score = 1.0 if passed else 0.0
    else:
        score = 1 - _js_number(reply["score"]) if inv else _js_number(reply["score"])
    reason = reply.get("reason")
    if reason in (None, "", 0, False):  # promptfoo's `reason || ...`: JavaScript's false values
        reason = "Assertion passed" if passed else f"Webhook returned {'true' if inv else 'false'}"
    return Grade(passed, score, jscompat.js_str(reason))


def _vars(ctx: EvalContext) -> Any:
    """The test's vars (promptfoo's `test.vars || {}`)."""
    test_vars = ctx.test.get("vars") if isinstance(ctx.test, dict) else None
    return test_vars if test_vars is not None else ctx.vars
