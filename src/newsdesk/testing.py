"""newsdesk.testing: a small scripted OpenAI-compatible server for what a real model cannot do
on demand: errors, 429s, slow answers, dropped connections, malformed bodies. Loopback only.

It ships in the package (as `click.testing` and `typer.testing` do) because newsdesk's tests and
its bench scripts both drive it, and bench scripts import only the package; it also lets code
that calls newsdesk be tested against a failing endpoint.

Each POST gets the next scripted `Reply`, else `responder(request)` when one is set, else
`default`. `schema_responder` answers any structured request with a minimal instance of the
JSON schema it asked for, so whole commands run against it (batch benches, the vLLM doc test).
Run it standalone with `python -m newsdesk.testing --port 8000 --latency 0.3`.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from pydantic import BaseModel


class Verdict(BaseModel):
    """The smallest structured answer: what fault tests ask the scripted server for."""

    ok: bool


VERDICT_SCHEMA = {
    "type": "object",
    "properties": {"ok": {"type": "boolean"}},
    "required": ["ok"],
    "additionalProperties": False,
}


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict -> JSON; str/bytes -> sent as is
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drop: bool = False  # close the connection without answering
    partial: bool = False  # announce the full length, send half the body, close


def completion(
    content: str, finish_reason: str = "stop", prompt_tokens: int = 10
) -> dict[str, Any]:
    return {
        "id": "chatcmpl-scripted",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": "scripted",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": finish_reason,
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": 5,
            "total_tokens": prompt_tokens + 5,
        },
    }


def schema_instance(
    schema: dict[str, Any], root: dict[str, Any] | None = None, text: str = "A scripted answer."
) -> Any:
    """A small value valid against `schema` (the subset of JSON Schema structured output uses);
    free-text strings are `text`."""
    root = schema if root is None else root
    if "$ref" in schema:
        target: Any = root
        for part in schema["$ref"].lstrip("#/").split("/"):
            target = target[part]
        return schema_instance(target, root, text)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        if schema.get(key):
            return schema_instance(schema[key][0], root, text)
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        props = schema.get("properties", {})
        return {name: schema_instance(sub, root, text) for name, sub in props.items()}
    if kind == "array":
        n = max(schema.get("minItems", 1), 1)
        n = min(n, schema.get("maxItems", n))
        item = schema.get("items", {"type": "string"})
        return [schema_instance(item, root, text) for _ in range(n)]
    if kind == "string":
        return text + "x" * max(0, schema.get("minLength", 0) - len(text))
    if kind == "integer":
        return int(schema.get("minimum", 1))
    if kind == "number":
        return float(schema.get("minimum", 1.0))
    if kind == "boolean":
        return True
    return None


def schema_responder(request: dict[str, Any], text: str = "A scripted answer.") -> Reply:
    """A valid answer for whatever schema the request carries (plain text without one)."""
    fmt = request.get("response_format") or {}
    schema = (fmt.get("json_schema") or {}).get("schema")
    if schema is None:
        content = "{}" if fmt.get("type") == "json_object" else text
    else:
        content = json.dumps(schema_instance(schema, text=text))
    return Reply(body=completion(content))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # a batch at concurrency 32 must not meet a full listen backlog


class ScriptedServer:
    """Answers each request with the next scripted Reply (then `default`), recording requests."""

    def __init__(
        self,
        default: Reply | None = None,
        *,
        responder: Callable[[dict[str, Any]], Reply] | None = None,
        latency: float = 0.0,
        port: int = 0,
    ) -> None:
        self.replies: deque[Reply] = deque()
        self.default = default or Reply(body=completion("{}"))
        self.responder = responder
        self.latency = latency  # added to every POST
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.times: list[float] = []  # perf_counter at each POST's arrival
        self.paths: list[str] = []  # each POST's path, query included
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def setup(self) -> None:
                super().setup()
                # headers and body go out as two writes: without this, Nagle's algorithm and
                # the client's delayed ACK add ~40 ms to every answer (real servers set it too)
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_GET(self) -> None:
                self._send(
                    Reply(body={"object": "list", "data": [{"id": "scripted", "object": "model"}]})
                )

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                raw = self.rfile.read(length)
                request = json.loads(raw or b"{}")
                with server._lock:
                    server.requests.append(request)
                    server.paths.append(self.path)
                    server.headers.append(dict(self.headers))
                    server.times.append(time.perf_counter())
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                    if server.replies:
                        reply = server.replies.popleft()
                    elif server.responder is not None:
                        reply = server.responder(request)
                    else:
                        reply = server.default
                try:
                    if reply.delay or server.latency:
                        time.sleep(reply.delay + server.latency)
                    if reply.drop:
                        self.close_connection = True
                        self.connection.shutdown(socket.SHUT_RDWR)
                        return
                    self._send(reply)
                except (BrokenPipeError, ConnectionResetError, OSError):
                    self.close_connection = True  # the client gave up (e.g. its timeout)
                finally:
                    with server._lock:
                        server.in_flight -= 1

            def _send(self, reply: Reply) -> None:
                if isinstance(reply.body, dict | list):
                    data = json.dumps(reply.body).encode()
                    ctype = "application/json"
                else:
                    data = (
                        reply.body.encode() if isinstance(reply.body, str) else (reply.body or b"")
                    )
                    ctype = "text/html"
                self.send_response(reply.status)
                self.send_header("content-type", reply.headers.get("content-type", ctype))
                for k, v in reply.headers.items():
                    if k.lower() != "content-type":
                        self.send_header(k, v)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                if reply.partial:
                    self.wfile.write(data[: len(data) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.wfile.write(data)

        self.httpd = _Server(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def script(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    def __enter__(self) -> ScriptedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to each answer")
    args = parser.parse_args()
    with ScriptedServer(responder=schema_responder, latency=args.latency, port=args.port) as srv:
        print(f"scripted OpenAI-compatible server on {srv.url} (Ctrl-C stops it)", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            srv.thread.join()


if __name__ == "__main__":
    main()
