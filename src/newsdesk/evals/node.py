"""JavaScript for suites, run by a real `node` (never emulated).

promptfoo's `javascript` assertions and inline transforms are JavaScript. newsdesk runs them in
one long-lived `node` worker (js_worker.mjs) per run, one JSON line per call; without node, a
suite that needs JavaScript is rejected at load time with its file and line. `NEWSDESK_NODE`
names the node binary (default: `node` on PATH); node 18 or newer.

A few assertion types need promptfoo itself (its parsers, perplexity): the worker imports the
installed promptfoo 0.123.1 and calls its public `assertions.runAssertion`. `NEWSDESK_PROMPTFOO`
names the package (its folder, an install prefix holding node_modules/promptfoo, or its
`promptfoo` binary); otherwise it is looked for beside node, beside `promptfoo` on PATH, and in
/opt/pf.
"""

from __future__ import annotations

import atexit
import json
import os
import queue
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

from newsdesk.errors import ConfigError

WORKER = Path(__file__).with_name("js_worker.mjs")
MIN_MAJOR = 18
# one call (a template, a regex, a user's assertion) may take this long before the worker is
# killed and the call fails: a hostile suite's endless loop costs one case, not the run
CALL_TIMEOUT_S = float(os.environ.get("NEWSDESK_JS_TIMEOUT", "30"))


def node_binary() -> str | None:
    explicit = os.environ.get("NEWSDESK_NODE")
    if explicit:
        return explicit if Path(explicit).is_file() else shutil.which(explicit)
    return shutil.which("node")


_version_cache: dict[str, str | None] = {}


def node_version() -> str | None:
    """`v22.23.3`, or None when node is absent or older than 18."""
    binary = node_binary()
    if binary is None:
        return None
    if binary not in _version_cache:
        try:
            out = subprocess.run(
                [binary, "--version"], capture_output=True, text=True, timeout=20, check=True
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            out = ""
        try:
            ok = int(out.lstrip("v").split(".")[0]) >= MIN_MAJOR
        except ValueError:
            ok = False
        _version_cache[binary] = out if ok else None
    return _version_cache[binary]


PROMPTFOO_VERSION = "0.123.1"  # the promptfoo whose grading newsdesk eval reproduces
# where CI (.ci/run) installs promptfoo and node
DEFAULT_PROMPTFOO = Path("/opt/pf/node_modules/promptfoo")


def _package_of(start: Path) -> Path | None:
    """The promptfoo package folder holding `start` (a file or folder inside it), if any."""
    for folder in [start, *start.parents][:8]:
        manifest = folder / "package.json"
        if manifest.is_file():
            try:
                if json.loads(manifest.read_text(encoding="utf-8")).get("name") == "promptfoo":
                    return folder
            except (OSError, ValueError):
                pass
    return None


def _candidates() -> list[Path]:
    """Where promptfoo may be, in order: beside node (an npm install of both, or node's global
    npm root), beside `promptfoo` on PATH, then CI's /opt/pf."""
    out: list[Path] = []
    binary = node_binary()
    if binary:
        for path in dict.fromkeys((Path(binary).absolute(), Path(binary).resolve())):
            for folder in list(path.parents)[:4]:
                out += [
                    folder / "node_modules" / "promptfoo",
                    folder / "lib/node_modules/promptfoo",
                ]
                if folder.name == "node_modules":
                    out.append(folder / "promptfoo")
    on_path = shutil.which("promptfoo")
    if on_path:
        out.append(Path(on_path).resolve())
    out.append(DEFAULT_PROMPTFOO)
    return [c for c in out if c.exists()]


_promptfoo_cache: dict[str, tuple[Path | None, str]] = {}


def promptfoo_entry() -> tuple[Path | None, str]:
    """(promptfoo's ES module entry, "") or (None, why it was not found)."""
    explicit = os.environ.get("NEWSDESK_PROMPTFOO", "")
    if explicit in _promptfoo_cache:
        return _promptfoo_cache[explicit]
    if explicit:
        given = Path(explicit).expanduser()
        found = [_package_of(given.resolve()), _package_of(given / "node_modules" / "promptfoo")]
        candidates = [p for p in found if p is not None]
        if not candidates:
            result: tuple[Path | None, str] = (
                None,
                f"NEWSDESK_PROMPTFOO={explicit} is no promptfoo",
            )
            _promptfoo_cache[explicit] = result
            return result
    else:
        candidates = [p for c in _candidates() if (p := _package_of(c)) is not None]
    result = (None, "promptfoo was not found")
    for package in dict.fromkeys(candidates):
        try:
            manifest = json.loads((package / "package.json").read_text(encoding="utf-8"))
            entry = package / manifest["exports"]["."]["import"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if manifest.get("version") != PROMPTFOO_VERSION:
            result = (None, f"{package} is promptfoo {manifest.get('version')}")
        elif entry.is_file():
            result = (entry.resolve(), "")
            break
    _promptfoo_cache[explicit] = result
    return result


def promptfoo_missing() -> str | None:
    """Why promptfoo's own assertions cannot run here (None: they can)."""
    if node_version() is None:
        return "no node >= 18 was found"
    entry, why = promptfoo_entry()
    return None if entry is not None else why


class JSError(Exception):
    """The JavaScript threw (or returned nothing where a value was needed)."""


class NodeWorker:
    """One node process; calls are serialised (JS runs one at a time, as in promptfoo)."""

    def __init__(self) -> None:
        binary = node_binary()
        if binary is None or node_version() is None:
            raise ConfigError(
                "JavaScript in a suite needs node >= 18 (not found; set NEWSDESK_NODE)"
            )
        self.proc = subprocess.Popen(
            [binary, str(WORKER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            bufsize=1,
        )
        self.lock = threading.Lock()
        self.next_id = 0
        # stdout lines, read by a thread so that a reply can be awaited with a timeout
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put("")  # end of output: the worker exited

    def call(
        self,
        kind: str,
        arg: Any,
        context: dict[str, Any],
        code: str | None = None,
        file: str | None = None,
        fn: str | None = None,
    ) -> tuple[Any, bool]:
        """(value, was_undefined). Raises JSError when the JavaScript throws."""
        with self.lock:
            self.next_id += 1
            req = {"id": self.next_id, "kind": kind, "code": code, "file": file, "fn": fn}
            req["arg"] = arg
            req["context"] = context
            assert self.proc.stdin is not None and self.proc.stdout is not None
            try:
                self.proc.stdin.write(json.dumps(req, default=str) + "\n")
                self.proc.stdin.flush()
                reply = self._reply(self.next_id)
            except (BrokenPipeError, OSError) as exc:
                raise JSError(f"node worker died: {exc}") from None
        if not reply.get("ok"):
            raise JSError(str(reply.get("error")))
        return reply.get("value"), bool(reply.get("undefined"))

    def _reply(self, want: int) -> dict[str, Any]:
        """The worker's reply to request `want`; any other stdout line (a write that bypassed
        console, say) is skipped, never taken for the reply. A call that outlives CALL_TIMEOUT_S
        kills the worker (the next call starts another)."""
        while True:
            try:
                line = self.lines.get(timeout=CALL_TIMEOUT_S)
            except queue.Empty:
                self.proc.kill()
                self.proc.wait()  # so that worker() sees it dead and starts another
                raise JSError(
                    f"JavaScript ran longer than {CALL_TIMEOUT_S:g} s and was stopped "
                    "(NEWSDESK_JS_TIMEOUT)"
                ) from None
            if not line:
                raise JSError("node worker exited")
            try:
                reply = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(reply, dict) and reply.get("id") == want:
                return reply

    def close(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


_worker: NodeWorker | None = None
_worker_lock = threading.Lock()


def worker() -> NodeWorker:
    global _worker
    with _worker_lock:
        if _worker is None or _worker.proc.poll() is not None:
            _worker = NodeWorker()
            atexit.register(_worker.close)
        return _worker


def json_parse_message(text: str, fallback: str) -> str:
    """What V8's JSON.parse says of a text it refuses (promptfoo quotes it in its reasons):
    node's own words where node is found, else `fallback`."""
    if node_version() is None:
        return fallback
    error, _ = worker().call("json_error", text, {})
    return str(error) if error else fallback
