"""`newsdesk eval` beside promptfoo: cases/s on the same 40-case suite, concurrency 1 and 8.

The suite is a promptfoo config (an inline prompt, an `openai:chat:` provider, three assertions a
case: icontains, contains, a JavaScript-dialect regex) that both tools read unchanged. It runs
against a small scripted OpenAI-compatible server that answers every request after a fixed 200 ms
delay, in its own process; caches are off, so every case makes one real HTTP call. Each tool runs
as its CLI (process start, config loading and report writing included: what a user waits for),
the two interleaved in the same run, `--runs` times each (default 1; the best is kept, since other
work on a shared machine can only add time). newsdesk in-process (`run_suites`, warm) is shown too.
promptfoo is /opt/pf/node_modules/.bin/promptfoo (PROMPTFOO_BIN overrides; `.ci/run` installs it);
without it only newsdesk's figures are printed.

    .venv/bin/python bench/eval_throughput.py [--cases 40] [--delay 0.2] [--runs 3]
    flock /tmp/newsdesk-bench.lock .venv/bin/python bench/eval_throughput.py   # timing runs
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
try:
    import newsdesk  # noqa: F401
except ImportError:  # a checkout without the package installed
    sys.path.insert(0, str(ROOT / "src"))

ANSWER = {
    "citations": ["S2"],
    "answer": "Mr Trump agreed to suspend tariffs on US$300 billion of Chinese goods.",
    "answerable": True,
}


def serve(delay: float, port_file: str) -> None:
    """The scripted server: every POST gets the same valid chat completion after `delay` s."""
    body = json.dumps(
        {
            "id": "chatcmpl-bench",
            "object": "chat.completion",
            "created": 0,
            "model": "scripted",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": json.dumps(ANSWER)},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 900, "completion_tokens": 30, "total_tokens": 930},
        }
    ).encode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body as one segment: no 40 ms ACK stalls
        wbufsize = 1 << 16

        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length", 0)))
            time.sleep(delay)
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    ThreadingHTTPServer.request_queue_size = 128
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    Path(port_file).write_text(str(httpd.server_address[1]))
    httpd.serve_forever()


def write_suite(folder: Path, url: str, cases: int) -> Path:
    lines = [
        "description: eval throughput bench",
        'prompts: ["Question {{ n }}: what was agreed?"]',
        "providers:",
        "  - id: openai:chat:scripted",
        "    label: scripted",
        f"    config: {{apiBaseUrl: '{url}', apiKeyEnvar: BENCH_KEY, max_tokens: 64}}",
        "defaultTest:",
        "  assert:",
        "    - {type: icontains, value: tariffs}",
        "    - {type: contains, value: S2}",
        "    - {type: regex, value: '\"answerable\":\\s*(?<a>true)'}",
        "tests:",
    ]
    lines += [f"  - vars: {{n: {i + 1}}}" for i in range(cases)]
    path = folder / "throughput.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def promptfoo_bin() -> Path | None:
    explicit = os.environ.get("PROMPTFOO_BIN")
    path = Path(explicit) if explicit else Path("/opt/pf/node_modules/.bin/promptfoo")
    return path if path.is_file() else None


def run_cli(cmd: list[str], env: dict[str, str], cwd: Path) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=600)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(
            f"{cmd[0]} failed ({proc.returncode}):\n{proc.stdout[-1500:]}{proc.stderr[-1500:]}"
        )
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=40)
    parser.add_argument("--delay", type=float, default=0.2)
    parser.add_argument("--runs", type=int, default=1, help="timed runs per tool and concurrency")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.delay, args.serve)
        return 0

    from newsdesk.evals.providers import ProviderPool
    from newsdesk.evals.runner import run_suites
    from newsdesk.evals.suite import load_suite

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        port_file = tmp / "port"
        server = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(port_file), "--delay", str(args.delay)]
        )
        try:
            for _ in range(100):
                if port_file.exists() and port_file.read_text():
                    break
                time.sleep(0.05)
            url = f"http://127.0.0.1:{port_file.read_text()}/v1"
            env = {
                **os.environ,
                "BENCH_KEY": "bench",
                "NEWSDESK_CACHE_DIR": str(tmp / "cache"),
                "PROMPTFOO_DISABLE_TELEMETRY": "1",
                "PROMPTFOO_DISABLE_UPDATE": "1",
                "PROMPTFOO_CONFIG_DIR": str(tmp / "promptfoo"),
                "PYTHONPATH": str(ROOT / "src"),
            }
            os.environ.update({k: env[k] for k in ("BENCH_KEY", "NEWSDESK_CACHE_DIR")})
            suite_path = write_suite(tmp, url, args.cases)
            pf = promptfoo_bin()
            if pf is not None:
                env["PATH"] = f"{pf.parent}:{env.get('PATH', '')}"
            tools: dict[str, list[str]] = {
                "newsdesk eval": [sys.executable, "-c", "from newsdesk.cli.app import main; main()",
                                  "eval", str(suite_path), "--no-cache", "-q",
                                  "-o", str(tmp / "nd.json")],
            }  # fmt: skip
            if pf is not None:
                tools["promptfoo eval"] = [str(pf), "eval", "-c", str(suite_path), "--no-cache",
                                           "--no-table", "--no-progress-bar",
                                           "-o", str(tmp / "pf.json")]  # fmt: skip
            suite = load_suite(suite_path)
            pool = ProviderPool(use_cache=False)
            warm = run_suites([suite], max_concurrency=8, pool=pool)
            assert warm.passed, "warm-up run failed: the scripted answer should pass every case"
            print(
                f"{args.cases} cases x 3 assertions, {args.delay * 1000:.0f} ms per answer, "
                f"cache off, best of {args.runs} run(s); CLI times include process start"
            )
            print(f"{'tool':<26} {'-j':>3} {'seconds':>8} {'cases/s':>8}")
            for c in (1, 8):
                for name, cmd in tools.items():
                    jflag = ["-j", str(c)]
                    best = min(run_cli(cmd + jflag, env, tmp) for _ in range(args.runs))
                    print(f"{name:<26} {c:>3} {best:>8.2f} {args.cases / best:>8.1f}")
                times = []
                for _ in range(args.runs):
                    t0 = time.perf_counter()
                    report = run_suites([suite], max_concurrency=c, pool=pool)
                    times.append(time.perf_counter() - t0)
                    if not report.passed:
                        print(f"concurrency {c}: {report.summary()}", file=sys.stderr)
                        return 1
                best = min(times)
                print(
                    f"{'newsdesk (in-process)':<26} {c:>3} {best:>8.2f} {args.cases / best:>8.1f}"
                )
            ideal = args.cases * args.delay
            print(f"ideal at -j 1: {ideal:.1f} s; at -j 8: {ideal / 8:.1f} s (server delay alone)")
            print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} (1, 5 min)")
        finally:
            server.terminate()
            server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
