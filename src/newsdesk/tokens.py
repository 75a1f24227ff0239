"""Token counting with tiktoken, offline.

tiktoken fetches its BPE files over the network on first use; newsdesk ships o200k_base
(byte-identical: tiktoken checks its sha256) and places it in tiktoken's cache, so budgets are
computed with the real encoding and no network. Models whose encoding is not available offline
fall back to o200k_base (the design brief beside the repository, ../shared/DESIGN.md, asks for
the real encoding, never a guess from characters).
"""

from __future__ import annotations

import hashlib
import os
import shutil
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

from newsdesk import tokens_memo  # tokens_memo.memo(): a test may stand in for it
from newsdesk.modelfiles import MODELS

if TYPE_CHECKING:
    import tiktoken

FALLBACK_ENCODING = "o200k_base"
_O200K_URL = "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken"


def _seed_tiktoken_cache() -> None:
    from platformdirs import user_cache_dir

    cache_dir = Path(
        os.environ.get("TIKTOKEN_CACHE_DIR") or Path(user_cache_dir("newsdesk")) / "tiktoken"
    )
    os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(cache_dir))
    target = cache_dir / hashlib.sha1(_O200K_URL.encode()).hexdigest()
    if target.exists():
        return
    cache_dir.mkdir(parents=True, exist_ok=True)
    source = files("newsdesk").joinpath("data/o200k_base.tiktoken")
    tmp = target.with_suffix(f".{os.getpid()}.tmp")
    with source.open("rb") as src, open(tmp, "wb") as dst:
        shutil.copyfileobj(src, dst)
    os.replace(tmp, target)


@lru_cache(maxsize=8)
def encoding_for(model: str | None) -> tiktoken.Encoding:
    """The model's tiktoken encoding when known and available offline, else o200k_base."""
    import tiktoken

    _seed_tiktoken_cache()
    if model:
        try:
            return tiktoken.encoding_for_model(model)
        except Exception:  # unknown model, or its encoding is not available offline
            pass
    return tiktoken.get_encoding(FALLBACK_ENCODING)


def count_tokens(text: str, model: str | None = None) -> int:
    """Exact token count. Memoised on disk: loading the BPE costs ~0.3-0.7 s, more than a whole
    cached `ask`, and the same article and prompts are counted again on every run."""

    key = hashlib.sha256(f"{encoding_name(model)}\0{text}".encode()).hexdigest()
    known = tokens_memo.memo().get(key)
    if known is not None:
        return known
    n = len(encoding_for(model).encode(text, disallowed_special=()))
    tokens_memo.memo().put(key, n)
    return n


def encoding_name(model: str | None) -> str:
    """The encoding's name without loading it (tiktoken's model table is a plain dict).

    The embedded models' names are in no tiktoken table: answered without importing tiktoken
    (~30 ms of CPU, a tenth of a cached `ask`, whose counts all come from the memo)."""

    if model in MODELS:
        return FALLBACK_ENCODING
    if model:
        from tiktoken.model import MODEL_PREFIX_TO_ENCODING, MODEL_TO_ENCODING

        if model in MODEL_TO_ENCODING:
            return MODEL_TO_ENCODING[model]
        for prefix, name in MODEL_PREFIX_TO_ENCODING.items():
            if model.startswith(prefix):
                return name
    return FALLBACK_ENCODING
