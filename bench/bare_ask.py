"""The floor for bench/ask_latency.py: one process that starts xllamacpp and sends requests.

    python bench/bare_ask.py SPEC.json

Imports nothing of newsdesk (and no openai client): the server's params as newsdesk sets them,
the requests' bodies as newsdesk sends them, both read from SPEC.json, which ask_latency.py
writes. SPEC: model_path, chat_template (or null), n_ctx, threads, threads_batch, state_dir
(or null), restore (a state file name to restore first, or null), save (a name to save the
slot to after the first request, or null), speculative (null, or [n, m]: n-gram speculative
decoding as newsdesk's NEWSDESK_SPECULATIVE sets it, lookup n-gram n, draft m), bodies
(request bodies, sent in order). Prints one
JSON line: the seconds to start the server, each request's seconds and the server's timings.
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.request
from typing import Any


def post(url: str, body: dict[str, Any]) -> dict[str, Any]:
    req = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=900) as resp:
        data: dict[str, Any] = json.load(resp)
    return data


def main() -> None:
    start = time.perf_counter()
    with open(sys.argv[1]) as fh:
        spec = json.load(fh)
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = spec["model_path"]
    params.port = 0
    params.n_parallel = 1
    params.n_ctx = spec["n_ctx"]
    params.verbosity = -1
    params.warmup = False
    params.use_jinja = True
    params.swa_full = True
    if spec["chat_template"] is not None:
        params.chat_template = spec["chat_template"]
    if spec["state_dir"]:
        params.slot_save_path = spec["state_dir"] + os.sep
    params.cpuparams.n_threads = spec["threads"]
    params.cpuparams_batch.n_threads = spec["threads_batch"]
    for cpu in (params.cpuparams, params.cpuparams_batch):
        cpu.poll = 0
    if spec.get("speculative"):
        params.speculative.types = [
            xllamacpp.common_speculative_type.COMMON_SPECULATIVE_TYPE_NGRAM_SIMPLE
        ]
        params.speculative.ngram_simple.size_n, params.speculative.ngram_simple.size_m = spec[
            "speculative"
        ]
    server = xllamacpp.Server(params)
    root = server.listening_address.rstrip("/")
    out: dict[str, Any] = {"start_s": time.perf_counter() - start, "requests": []}
    if spec.get("restore"):
        t = time.perf_counter()
        post(f"{root}/slots/0?action=restore", {"filename": spec["restore"]})
        out["restore_s"] = time.perf_counter() - t
    for i, body in enumerate(spec["bodies"]):
        t = time.perf_counter()
        data = post(f"{root}/v1/chat/completions", body)
        out["requests"].append({"seconds": time.perf_counter() - t, "timings": data["timings"]})
        if i == 0 and spec.get("save"):
            post(f"{root}/slots/0?action=save", {"filename": spec["save"]})
    print(json.dumps(out), flush=True)
    del server


if __name__ == "__main__":
    main()
