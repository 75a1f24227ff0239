"""The fault matrix: what newsdesk's LLM client does with each endpoint fault, with real sleeps.

For every fault the scripted server (loopback, this process) answers a structured request
either with the fault once then a good answer ("transient"), or with the fault every time
("persistent"). One row per fault and mode: outcome, tries (HTTP requests the server saw),
seconds, and whether anything was cached. Settings: 3 retries, backoff 0.2 s doubling with
jitter, 1 s timeout.

    .venv/bin/python bench/fault_matrix.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from newsdesk.config import Settings
from newsdesk.errors import NewsdeskError
from newsdesk.llm.client import LLMClient
from newsdesk.prompts import Prompt
from newsdesk.testing import VERDICT_SCHEMA, Reply, ScriptedServer, Verdict, completion

GOOD = Reply(body=completion('{"ok": true}'))
ERR = {"error": {"message": "scripted failure"}}

FAULTS: list[tuple[str, Reply]] = [
    ("429 + Retry-After: 1", Reply(429, ERR, headers={"retry-after": "1"})),
    ("429, no Retry-After", Reply(429, ERR)),
    ("500", Reply(500, ERR)),
    ("503", Reply(503, ERR)),
    ("dropped connection", Reply(drop=True)),
    ("half-sent body", Reply(body=completion('{"ok": true}'), partial=True)),
    ("slower than timeout (3 s > 1 s)", Reply(body=completion('{"ok": true}'), delay=3.0)),
    ("body not JSON", Reply(body="<html>502 Bad Gateway</html>")),
    ("JSON not matching schema", Reply(body=completion('{"verdict": "yes"}'))),
    ("truncated (finish_reason=length)", Reply(body=completion('{"ok": t', "length"))),
    ("no choices", Reply(body={**completion(""), "choices": []})),
    ("401 bad key", Reply(401, {"error": {"message": "Incorrect API key provided: sk-...xyz"}})),
]


def run(fault: Reply, transient: bool, cache_dir: Path) -> tuple[str, int, float, int]:
    with ScriptedServer(fault) as srv:
        if transient:
            srv.script(fault, GOOD)
            srv.default = GOOD
        settings = Settings(
            base_url=srv.url,
            api_key="sk-bench-not-a-real-key",
            model="scripted",
            cache_dir=cache_dir,
            max_retries=3,
            backoff=0.2,
            timeout=1.0,
        )
        client = LLMClient(settings)
        start = time.perf_counter()
        try:
            client.structured(
                Prompt(
                    "result", [{"role": "user", "content": "Is it ok?"}], Verdict, VERDICT_SCHEMA
                )
            )
            outcome = "answered"
        except NewsdeskError as exc:
            outcome = f"error: {exc}".replace(srv.url, "<url>")
        seconds = time.perf_counter() - start
        entries = client.cache.stats()["entries"] if client.cache else 0
        return outcome, len(srv.requests), seconds, entries


def main() -> None:
    print(__doc__.splitlines()[0])
    print("settings: max_retries=3, backoff=0.2 s (x2 per try, jitter 0.5-1.5), timeout=1 s")
    header = f"{'fault':<34} {'mode':<10} {'tries':>5} {'seconds':>7} {'cached':>6}  outcome"
    with tempfile.TemporaryDirectory() as tmp:
        run(GOOD, False, Path(tmp))  # warm-up: imports and the first connection are not a fault
    print(header)
    print("-" * len(header))
    for name, reply in FAULTS:
        for transient in (True, False):
            with tempfile.TemporaryDirectory() as tmp:
                outcome, tries, seconds, cached = run(reply, transient, Path(tmp))
            mode = "transient" if transient else "persistent"
            print(f"{name:<34} {mode:<10} {tries:>5} {seconds:>7.2f} {cached:>6}  {outcome}")


if __name__ == "__main__":
    main()
