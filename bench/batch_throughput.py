"""Batch throughput: 100 FRANK articles through `newsdesk summarize DIR -o OUT/` against the
scripted OpenAI-compatible server (its own process) answering after a fixed 300 ms, at
--max-concurrency 1, 8 and 32. Prints articles/s, speedup over concurrency 1, and the peak RSS
of each newsdesk process. The cache is off, so every article is a real HTTP call. Then the same
articles through `run_batch` in this process, warmed up: the runner's own scaling, without the
CLI's fixed start-up cost (~1-3 s of imports and tiktoken's table, paid once per batch).

    .venv/bin/python bench/batch_throughput.py [--articles 100] [--latency 0.3] [--levels 1,8,32]
    [--command summarize|brief]

Reads ../shared/eval/summ-frank.jsonl (or $NEWSDESK_EVAL_DIR); skips cleanly if absent.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVAL = Path(os.environ.get("NEWSDESK_EVAL_DIR", ROOT.parent / "shared" / "eval"))
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int, latency: float) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "newsdesk.testing",
            "--port",
            str(port),
            "--latency",
            str(latency),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert proc.stdout is not None
    proc.stdout.readline()  # "scripted ... server on ..." once it listens
    return proc


def run_batch(command: str, indir: Path, outdir: Path, url: str, level: int, fmt: str) -> dict:
    env = {
        **os.environ,
        "OPENAI_BASE_URL": url,
        "OPENAI_API_KEY": "sk-bench",
        "NEWSDESK_MODEL": "scripted",
        "NEWSDESK_NO_CACHE": "1",
        "NEWSDESK_ENV_FILE": "",
    }
    args = [str(BIN / "newsdesk"), command, str(indir), "-o", f"{outdir}/", "--format", fmt]
    args += ["--max-concurrency", str(level), "--json"]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(args, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own peak RSS
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{command} failed ({proc.returncode}): {stderr.decode()[-2000:]}")
    report = json.loads(stdout)
    cpu = usage.ru_utime + usage.ru_stime
    return {"seconds": seconds, "report": report, "rss_mib": usage.ru_maxrss / 1024, "cpu": cpu}


def in_process(
    indir: Path, tmp: Path, url: str, levels: list[int]
) -> list[tuple[int, float, float]]:
    """run_batch + the summarize task in this process, after a warm-up article: the runner's
    scaling without the CLI's per-process start (imports, tiktoken's o200k table)."""
    sys.path.insert(0, str(ROOT / "src"))
    from newsdesk.batch import run_batch
    from newsdesk.config import Settings
    from newsdesk.llm.client import LLMClient
    from newsdesk.tasks.summarize import summarize

    llm = LLMClient(Settings(base_url=url, api_key="sk-bench", model="scripted", use_cache=False))

    def process(article):  # type: ignore[no-untyped-def]
        return json.dumps(summarize(article, llm, "bullets").to_dict())

    first = sorted(indir.iterdir())[0]
    run_batch([first], tmp / "warm", process, ".json", 1)
    out = []
    for level in levels:
        start, cpu = time.perf_counter(), time.process_time()
        rep = run_batch([indir], tmp / f"inproc-{level}", process, ".json", level)
        assert rep.ok, rep.failures[:3]
        out.append((level, time.perf_counter() - start, time.process_time() - cpu))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=100)
    ap.add_argument("--latency", type=float, default=0.3)
    ap.add_argument("--levels", default="1,8,32")
    ap.add_argument("--command", default="summarize", choices=["summarize", "brief"])
    ap.add_argument("--format", default="json")
    args = ap.parse_args()
    src = EVAL / "summ-frank.jsonl"
    if not src.is_file():
        print(f"skipped: {src} not found (set NEWSDESK_EVAL_DIR)")
        return
    records = [json.loads(line) for line in src.open() if line.strip()][: args.articles]
    port = free_port()
    server = start_server(port, args.latency)
    url = f"http://127.0.0.1:{port}/v1"
    levels = [int(x) for x in args.levels.split(",")]
    rows = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            indir = Path(tmp) / "in"
            indir.mkdir()
            for i, r in enumerate(records):
                (indir / f"{i:03d}-{r['id'][:24]}.txt").write_text(r["article"])
            for level in levels:
                outdir = Path(tmp) / f"out-{level}"
                res = run_batch(args.command, indir, outdir, url, level, args.format)
                rep = res["report"]
                rows.append((level, res, rep))
                print(
                    f"  c={level:<3} {rep['written']} written, {rep['failed']} failed in "
                    f"{res['seconds']:.1f} s",
                    file=sys.stderr,
                    flush=True,
                )
            steady = (
                in_process(indir, Path(tmp), url, levels) if args.command == "summarize" else []
            )
    finally:
        server.terminate()
        server.wait()
    load = os.getloadavg()
    base = None
    print(
        f"{args.command} batch: {len(records)} FRANK articles, scripted server with "
        f"{args.latency * 1000:.0f} ms latency (own process), cache off"
    )
    print(
        f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
        f" ({os.cpu_count()} CPUs)"
    )
    print(
        f"{'concurrency':>11} {'written':>8} {'failed':>7} {'wall s':>7} {'batch s':>8} "
        f"{'articles/s':>11} {'speedup':>8} {'peak RSS':>9}"
    )
    for level, res, rep in rows:
        rate = rep["written"] / res["seconds"] if res["seconds"] else 0.0
        base = base or rate
        print(
            f"{level:>11} {rep['written']:>8} {rep['failed']:>7} {res['seconds']:>7.1f} "
            f"{rep['seconds']:>8.1f} {rate:>11.2f} {rate / base:>7.1f}x {res['rss_mib']:>6.0f} MiB"
            f" {res['cpu']:>6.1f}"
        )
    if steady:
        print(
            "in-process run_batch + summarize task (warm: no process start, o200k loaded), "
            "same server:"
        )
        print(f"{'concurrency':>11} {'seconds':>8} {'articles/s':>11} {'speedup':>8} {'CPU s':>6}")
        base_rate = len(records) / steady[0][1]
        for level, secs, cpu in steady:
            rate = len(records) / secs
            print(f"{level:>11} {secs:>8.2f} {rate:>11.2f} {rate / base_rate:>7.1f}x {cpu:>6.2f}")
    ideal = [min(level, len(records)) for level in levels]
    print("ideal speedup (latency-bound): " + ", ".join(f"{i}x" for i in ideal))


if __name__ == "__main__":
    main()
