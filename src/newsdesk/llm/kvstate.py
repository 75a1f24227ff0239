"""Saved KV states of the embedded server's slots: an article is read once, across processes.

llama.cpp keeps the KV cache of the last prompt in each slot and reuses the longest common prefix
with the next prompt on that slot. Every prompt starts with the same system turn and numbered
article (prompts/_system.j2, _article.j2), so after the first request on an article a slot holds
what every later task on it shares. `POST /slots/N?action=save` writes a slot to a file; a later
process restores it (`action=restore`) before its first request on the same article, and llama.cpp
then reads only the tokens after the common prefix (the task and the question). The check's
verify prompts share more: the article and the verify instructions, up to the line `<claim>`
(prompts/verify.j2). They run on a slot of their own (`slot_for`), so a follow-up question's
answer does not push those instructions out. A chat with that line is saved under both prefixes,
and restored from the longer one when it is there, so a later `check` reads neither the article
nor the instructions (two files: an article that is checked takes twice the disk of one only
asked). Either slot restores any saved prefix: a state file is the tokens, not the slot.

Files live in `<cache dir>/kv/`, one per (model file, rendered prefix): the key hashes the model
file's sha256 (registry) or identity (a --gguf file: path, size, mtime) with the system content and
the user content up to and including `</article>`. A file's name also carries its size and sha256,
checked before every restore: llama.cpp aborts the whole process on a truncated state file
(measured: `GGML_ASSERT(nread <= state_size)`), so a file that does not check out is removed with
a one-line warning and never reaches the server. A state holds its own tokens and llama.cpp reuses
only the prefix they share with the new prompt, so a state that happens to hold another prompt
costs a miss, never a wrong answer. Files are written under a temp name and renamed into place
(content-addressed, so two processes saving the same prefix cannot interleave); the folder is kept
under a size bound, least recently used (mtime; a restore touches its file) removed first.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from newsdesk.modelfiles import sha256_file

T = TypeVar("T")
PREFIX_END = re.compile(r"^</article>$", re.MULTILINE)  # a line of its own (_article.j2)
# After the article, a line where a longer prefix ends that many prompts share: the verify
# prompt's instructions, the same for every claim (prompts/verify.j2), so a later process
# that checks claims on a saved article does not read them again either.
LONGER_ENDS = re.compile(r"^<claim>$", re.MULTILINE)
SUFFIX = ".kvstate"
TMP_SUFFIX = ".part"
STALE_TMP_SECONDS = 3600  # a temp file older than this was left by a process that died
SLOTS = 2  # the embedded server's: the tasks' prompts, and the check's (`slot_for`)
DEFAULT_LIMIT_MB = 512  # NEWSDESK_KV_CACHE_MB; the default model's state is ~28 kB a token


def default_state_dir(cache_dir: Path | None = None) -> Path:
    """`<cache dir>/kv`: NEWSDESK_CACHE_DIR's when set, else the user cache dir's."""
    if cache_dir is None:
        from platformdirs import user_cache_dir

        cache_dir = Path(user_cache_dir("newsdesk"))
    return cache_dir / "kv"


def shared_prefixes(messages: Sequence[dict[str, str]]) -> list[str]:
    """The prefixes a saved state may serve this chat from, longest first: through the last
    LONGER_ENDS line after the article, when there is one, then `shared_prefix`. Empty: no
    article in the prompt."""
    parts = []
    for m in messages:
        content, role = m.get("content", ""), m.get("role", "")
        end = PREFIX_END.search(content)
        if end is None:
            parts.append(f"{role}\n{content}")
            continue
        head = "\n\x00".join([*parts, f"{role}\n"])
        longer = [e.end() for e in LONGER_ENDS.finditer(content, end.end())]
        return [head + content[:e] for e in longer[-1:]] + [head + content[: end.end()]]
    return []


def shared_prefix(messages: Sequence[dict[str, str]]) -> str | None:
    """The part of a chat every task on one article shares: each turn up to and including the
    line `</article>` that closes the numbered article (role and content; the system turn's own
    mention of the tag is no line of its own). None: no article in the prompt."""
    found = shared_prefixes(messages)
    return found[-1] if found else None


def slot_for(messages: Sequence[dict[str, str]]) -> int:
    """The server slot a chat runs on: 1 for a verify prompt (the one with a longer shared
    prefix, LONGER_ENDS), 0 for any other."""
    return _slot_of(shared_prefixes(messages))


def _slot_of(prefixes: Sequence[str]) -> int:
    """`slot_for`, from the chat's `shared_prefixes`."""
    return 1 if len(prefixes) > 1 else 0


def state_key(model_id: str, prefix: str) -> str:
    return hashlib.sha256(f"{model_id}\n\x00{prefix}".encode()).hexdigest()[:32]


def file_model_id(path: Path) -> str:
    """Identity of a GGUF that is not in the registry: its real path, size and mtime (hashing a
    7B file on every start would cost seconds)."""
    st = path.stat()
    return f"file:{path.resolve()}:{st.st_size}:{st.st_mtime_ns}"


class Refused(OSError):
    """The server answered a slot action with an error (e.g. a state it cannot load)."""


def warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Entry:
    path: Path
    key: str
    size: int  # from the name: what the file must hold
    sha: str  # first 32 hex digits of the content's sha256, from the name

    @classmethod
    def parse(cls, path: Path) -> Entry | None:
        parts = path.name[: -len(SUFFIX)].split("-") if path.name.endswith(SUFFIX) else []
        if len(parts) != 3 or not parts[1].isdigit():
            return None
        return cls(path, parts[0], int(parts[1]), parts[2])


class StateStore:
    """The folder of saved states: lookup with verification, atomic commit, LRU bound."""

    def __init__(self, folder: Path, limit_bytes: int = DEFAULT_LIMIT_MB * 1_000_000) -> None:
        self.folder = folder
        self.limit_bytes = limit_bytes

    def entries(self) -> list[Entry]:
        try:
            names = os.listdir(self.folder)
        except OSError:
            return []
        found = (Entry.parse(self.folder / n) for n in names)
        return [e for e in found if e is not None]

    def lookup(self, key: str) -> Entry | None:
        """The newest saved state for `key` whose size and hash check out (others are removed
        with a warning), or None."""
        mine = [e for e in self.entries() if e.key == key]
        for entry in sorted(mine, key=_mtime, reverse=True):
            problem = self._problem(entry)
            if problem is None:
                with contextlib.suppress(OSError):
                    os.utime(entry.path)  # recently used, for the LRU bound
                return entry
            self.discard(entry, problem)
        return None

    def _problem(self, entry: Entry) -> str | None:
        try:
            size = entry.path.stat().st_size
            if size != entry.size:
                return f"{size:,} bytes, expected {entry.size:,} (truncated?)"
            if not sha256_file(entry.path).startswith(entry.sha):
                return "its sha256 does not match (corrupt)"
        except OSError as exc:
            return f"unreadable ({exc.strerror or exc})"
        return None

    def discard(self, entry: Entry, why: str) -> None:
        warn(f"saved KV state {entry.path.name} ignored and removed: {why}")
        with contextlib.suppress(OSError):
            entry.path.unlink()

    def temp_name(self, key: str) -> str:
        """A name for the server to save into (no leading dot: llama.cpp's filename check)."""
        return f"tmp{os.getpid()}x{threading.get_ident()}-{key}{TMP_SUFFIX}"

    def commit(self, key: str, temp: Path, expected_bytes: int | None = None) -> Entry | None:
        """Rename a freshly saved temp file into place under its content-addressed name, drop
        older states of the same key, and keep the folder within the bound."""
        try:
            size = temp.stat().st_size
            if expected_bytes is not None and size != expected_bytes:
                raise OSError(f"{size} bytes written, the server reported {expected_bytes}")
            sha = sha256_file(temp)[:32]
            final = self.folder / f"{key}-{size}-{sha}{SUFFIX}"
            os.replace(temp, final)
        except OSError as exc:
            with contextlib.suppress(OSError):
                temp.unlink()
            warn(f"could not save the KV state for reuse: {exc}")
            return None
        entry = Entry(final, key, size, sha)
        for old in self.entries():
            if old.key == key and old.path != final:
                with contextlib.suppress(OSError):
                    old.path.unlink()
        self.prune()
        return entry

    def prune(self) -> int:
        """Remove least recently used states until the total fits the bound; also temp files
        left by dead processes. Returns how many states were removed."""
        now = time.time()
        with contextlib.suppress(OSError):
            for name in os.listdir(self.folder):
                if name.endswith(TMP_SUFFIX):
                    p = self.folder / name
                    with contextlib.suppress(OSError):
                        if now - p.stat().st_mtime > STALE_TMP_SECONDS:
                            p.unlink()
        sized = []
        for e in self.entries():
            with contextlib.suppress(OSError):
                st = e.path.stat()
                sized.append((st.st_mtime, st.st_size, e))
        sized.sort(key=lambda t: t[0])  # oldest first
        total = sum(s for _, s, _ in sized)
        removed = 0
        for _, size, e in sized:
            if total <= self.limit_bytes:
                break
            with contextlib.suppress(OSError):
                e.path.unlink()
                removed += 1
            total -= size
        return removed

    def stats(self) -> dict[str, Any]:
        sizes = []
        for e in self.entries():
            with contextlib.suppress(OSError):
                sizes.append(e.path.stat().st_size)
        return {
            "path": str(self.folder),
            "states": len(sizes),
            "bytes": sum(sizes),
            "limit_bytes": self.limit_bytes,
        }

    def clear(self) -> int:
        n = 0
        for e in self.entries():
            with contextlib.suppress(OSError):
                e.path.unlink()
                n += 1
        with contextlib.suppress(OSError):
            for name in os.listdir(self.folder):
                if name.endswith(TMP_SUFFIX):
                    with contextlib.suppress(OSError):
                        (self.folder / name).unlink()
        return n


def _mtime(entry: Entry) -> float:
    try:
        return entry.path.stat().st_mtime
    except OSError:
        return 0.0


class SlotStates:
    """Restore before, save after: around every request to one embedded server.

    The server has two slots (`SLOTS`): the check's verify prompts take slot 1 (`slot_for`) and
    every other prompt slot 0, so each keeps its own longest prefix. With one slot, a follow-up
    question's answer pushed the verify instructions out, and its check read them again (290
    new tokens a question on the example, against the claim's own ~110). One per server, shared
    by every client of it in the process. Requests through it are serialised (the two cores run
    one at a time anyway): a save must find the slot holding the prompt it is saved for.
    """

    def __init__(self, root_url: str, store: StateStore, model_id: str) -> None:
        self.root_url = root_url.rstrip("/")
        self.store = store
        self.model_id = model_id
        self._lock = threading.Lock()
        # keys of the prefixes each slot holds, as far as we know
        self._held: list[set[str]] = [set() for _ in range(SLOTS)]
        self.restored = 0  # states restored in this process (for tests and benchmarks)
        self.saved = 0
        self._save_failed = False  # warned once; not tried again in this process
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def run(self, messages: Sequence[dict[str, str]], send: Callable[[], T]) -> T:
        """`send` the chat (its request names `slot_for(messages)`), its slot restored first."""
        prefixes = shared_prefixes(messages)
        slot = _slot_of(prefixes)  # the one the request names (`slot_for`)
        keys = [state_key(self.model_id, p) for p in prefixes]
        with self._lock:
            # the slot already holds one of this chat's prefixes: llama.cpp reuses it as is
            if keys and not self._held[slot] & set(keys):
                # the longest saved prefix first (the verify instructions), else the article
                any(self._restore(key, slot) for key in keys)
            self._held[slot] = set()  # unknown until the request is done
            result = send()
            self._held[slot] = set(keys)
            if not keys or self._save_failed or self.store.limit_bytes <= 0:
                return result
            # each prefix under its own key (the same slot, so the same tokens): a later
            # process finds the article's state whether it asks or checks first
            for key in keys:
                if not self._saved(key) and not self._save(key, slot):
                    break
            return result

    def _saved(self, key: str) -> bool:
        return any(e.key == key for e in self.store.entries())

    def _slot_action(self, action: str, filename: str, slot: int) -> dict[str, Any]:
        url = f"{self.root_url}/slots/{slot}?action={action}"
        req = urllib.request.Request(
            url,
            data=json.dumps({"filename": filename}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with self._opener.open(req, timeout=120) as resp:
                data = json.loads(resp.read())
        except urllib.error.HTTPError as exc:
            try:
                message = json.loads(exc.read())["error"]["message"]
            except (ValueError, KeyError, TypeError, OSError):
                message = f"HTTP {exc.code}"
            raise Refused(message) from None
        except (urllib.error.URLError, ValueError) as exc:
            raise OSError(str(exc)) from None
        if not isinstance(data, dict):
            raise OSError("the server's answer is not a JSON object")
        return data

    def _restore(self, key: str, slot: int) -> bool:
        entry = self.store.lookup(key)
        if entry is None:
            return False
        try:
            data = self._slot_action("restore", entry.path.name, slot)
        except Refused as exc:
            self.store.discard(entry, f"the server refused it ({exc})")
            return False
        except OSError as exc:  # not the file's fault: keep it
            warn(f"could not restore the saved KV state {entry.path.name}: {exc}")
            return False
        if not data.get("n_restored"):
            self.store.discard(entry, "the server restored no tokens from it")
            return False
        self.restored += 1
        return True

    def _save(self, key: str, slot: int) -> bool:
        temp_name = self.store.temp_name(key)
        try:
            self.store.folder.mkdir(parents=True, exist_ok=True)
            data = self._slot_action("save", temp_name, slot)
        except OSError as exc:
            with contextlib.suppress(OSError):
                (self.store.folder / temp_name).unlink()
            warn(f"could not save the KV state for reuse: {exc}")
            self._save_failed = True
            return False
        written = data.get("n_written")
        entry = self.store.commit(
            key, self.store.folder / temp_name, written if isinstance(written, int) else None
        )
        if entry is None:
            self._save_failed = True
            return False
        self.saved += 1
        return True
