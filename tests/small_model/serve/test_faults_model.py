"""The desk in a real process on the small model stops cleanly on Ctrl-C (split from
tests/nomodel/serve/test_faults.py, whose faults run on the scripted server)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx  # the HTTP client openai itself uses


def test_ctrl_c_stops_the_desk_cleanly(tmp_path: Path) -> None:
    """`newsdesk serve` on the small model: ready, then SIGINT, then exit 0 within seconds."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "NEWSDESK_CACHE_DIR": str(tmp_path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsdesk", "serve", "--port", str(port)],
        env=env,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/info").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the desk did not start"
            time.sleep(0.2)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 0
        err = proc.stderr.read().decode() if proc.stderr else ""
        assert f"at http://127.0.0.1:{port}/" in err and "Traceback" not in err
    finally:
        if proc.poll() is None:
            proc.kill()
