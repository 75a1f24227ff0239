"""Saved KV states: the article's prompt is read once, across processes (llm/kvstate.py).

The store's rules on plain files; the shared prefix of every task's prompt; and the real thing on
the 270M model: `newsdesk ask` in two processes, the second restoring the first one's state (the
server reports the prompt tokens it did not have to read), a truncated state file, the size bound.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from newsdesk.llm.kvstate import (
    SUFFIX,
    TMP_SUFFIX,
    SlotStates,
    StateStore,
    file_model_id,
    shared_prefix,
    shared_prefixes,
    slot_for,
    state_key,
)

# ---------------------------------------------------------------- the shared prefix


def test_prefix_is_every_turn_up_to_the_end_of_the_article() -> None:
    system = {"role": "system", "content": "Rules."}
    user = {"role": "user", "content": "<article>\n[S1] A.\n</article>\nQuestion: who?"}
    other = {"role": "user", "content": "<article>\n[S1] A.\n</article>\nSummarise."}
    assert shared_prefix([system, user]) == shared_prefix([system, other])
    assert "Question" not in (shared_prefix([system, user]) or "")
    assert shared_prefix([system, {"role": "user", "content": "no article"}]) is None
    changed = {"role": "user", "content": "<article>\n[S1] B.\n</article>\nQuestion: who?"}
    assert shared_prefix([system, user]) != shared_prefix([system, changed])
    assert state_key("m1", "p") != state_key("m2", "p")


def test_every_instruct_task_shares_one_prefix(example_article) -> None:  # type: ignore[no-untyped-def]
    """ask, summarize, stance and brief on one article: one key, so one saved state."""
    from newsdesk.tasks import ask, brief, stance, summarize

    a = example_article
    model = "qwen2.5-coder-1.5b"
    chats = [
        ask.build_prompt(a, "What did Xi agree to?", 5000, model).messages,
        ask.build_prompt(a, "Who is Peter Navarro?", 5000, model).messages,
        summarize.build_prompt(a, list(a.sentences), 3, 5000, model).messages,
        *(p.messages for p in stance.dry_run_prompts(a, 5000, model, None, 6)),
        *(p.messages for p in brief.build_prompts(a, 5000, model)[2]),
    ]
    prefixes = {shared_prefix(m) for m in chats}
    assert len(prefixes) == 1 and None not in prefixes


def test_a_gguf_file_is_identified_by_path_size_and_mtime(tmp_path: Path) -> None:
    f = tmp_path / "m.gguf"
    f.write_bytes(b"x" * 10)
    before = file_model_id(f)
    f.write_bytes(b"y" * 11)
    assert file_model_id(f) != before


# ---------------------------------------------------------------- the store, on plain files


def _saved(store: StateStore, key: str, data: bytes) -> Path:
    store.folder.mkdir(parents=True, exist_ok=True)
    temp = store.folder / store.temp_name(key)
    temp.write_bytes(data)
    entry = store.commit(key, temp, len(data))
    assert entry is not None
    return entry.path


def test_commit_is_content_addressed_and_lookup_checks_it(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "kv")
    path = _saved(store, "k1", b"state" * 100)
    assert path.name.startswith("k1-500-") and path.name.endswith(SUFFIX)
    assert not list(store.folder.glob(f"*{TMP_SUFFIX}"))  # renamed, not copied
    found = store.lookup("k1")
    assert found is not None and found.path == path
    assert store.lookup("k2") is None
    again = _saved(store, "k1", b"other" * 100)  # a newer state of the same prefix replaces it
    assert [e.path for e in store.entries()] == [again]


@pytest.mark.parametrize(
    "damage", [lambda b: b[: len(b) // 2], lambda b: b[:-1] + b"!", lambda b: b""]
)
def test_a_damaged_state_is_removed_with_one_warning(tmp_path: Path, capsys, damage) -> None:  # type: ignore[no-untyped-def]
    store = StateStore(tmp_path / "kv")
    path = _saved(store, "k1", b"state" * 100)
    path.write_bytes(damage(path.read_bytes()))
    assert store.lookup("k1") is None
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("warning: saved KV state ") and "removed" in err[0]
    assert not path.exists()


def test_the_size_bound_drops_least_recently_used(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "kv", limit_bytes=2500)
    paths = [_saved(store, f"k{i}", bytes([i]) * 1000) for i in range(2)]
    for i, p in enumerate(paths):
        os.utime(p, (1000 + i, 1000 + i))
    assert store.lookup("k0") is not None  # a restore makes k0 the most recently used
    _saved(store, "k2", b"\x02" * 1000)  # 3000 bytes > 2500: the oldest (k1) goes
    assert sorted(e.key for e in store.entries()) == ["k0", "k2"]
    assert store.stats()["bytes"] <= 2500
    big = StateStore(tmp_path / "kv", limit_bytes=500)
    _saved(big, "k3", b"\x03" * 1000)  # larger than the whole bound: not kept at all
    assert big.entries() == [] and big.stats() == {
        "path": str(tmp_path / "kv"),
        "states": 0,
        "bytes": 0,
        "limit_bytes": 500,
    }


def test_stale_temp_files_are_swept_and_clear_removes_everything(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "kv")
    _saved(store, "k1", b"a" * 10)
    stale = store.folder / f"tmp1x1-k9{TMP_SUFFIX}"
    fresh = store.folder / f"tmp2x1-k8{TMP_SUFFIX}"
    stale.write_bytes(b"x")
    fresh.write_bytes(b"x")
    os.utime(stale, (1, 1))
    store.prune()
    assert not stale.exists() and fresh.exists()  # a live process may still be writing it
    assert store.clear() == 1 and list(store.folder.iterdir()) == []


# ---------------------------------------------------------------- the slot API, scripted

CHAT = [{"role": "user", "content": "<article>\n[S1] A.\n</article>\nQuestion: who?"}]


def _warnings(capsys) -> list[str]:  # type: ignore[no-untyped-def]
    return [w for w in capsys.readouterr().err.splitlines() if w.startswith("warning: ")]


def test_unreachable_server_keeps_the_state_refused_state_is_removed(
    tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    import socket

    from newsdesk.testing import Reply, ScriptedServer

    store = StateStore(tmp_path / "kv")
    path = _saved(store, state_key("m", shared_prefix(CHAT) or ""), b"s" * 100)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    slots = SlotStates(f"http://127.0.0.1:{closed}", store, "m")
    assert slots.run(CHAT, lambda: "answer") == "answer"
    (w,) = _warnings(capsys)
    assert "could not restore" in w and path.exists()  # not the file's fault

    refused = Reply(400, {"error": {"message": "invalid slot save file"}})
    with ScriptedServer() as srv:
        srv.script(refused, Reply(500, {"error": {"message": "disk full"}}))
        slots = SlotStates(srv.url.removesuffix("/v1"), store, "m")
        assert slots.run(CHAT, lambda: "answer") == "answer"
        first = _warnings(capsys)
        assert slots.run(CHAT, lambda: "again") == "again"
        assert len(srv.requests) == 2  # restore, save; then nothing: the slot holds it
    assert not path.exists() and len(first) == 2
    assert "invalid slot save file" in first[0] and "disk full" in first[1]
    assert _warnings(capsys) == []  # a failed save is warned once, not tried again


# ---------------------------------------------------------------- the verify instructions' prefix


def test_every_verify_call_shares_a_longer_prefix_than_the_article(example_article) -> None:  # type: ignore[no-untyped-def]
    """Claims with and without a question share the verify prompt up to its <claim> line, and
    that prefix extends the article's: one saved state serves every claim of a later check."""
    from newsdesk.entailment import Claim
    from newsdesk.tasks import ask
    from newsdesk.tasks.verify import verify_prompts

    claims = [
        Claim("He agreed to think.", ("S16",), "What did Xi agree to?"),
        Claim("Talks resumed."),
    ]
    chats = [p.messages for p in verify_prompts(claims, example_article.sentences)]
    (long_a, article_a), (long_b, article_b) = (shared_prefixes(c) for c in chats)
    asked = ask.build_prompt(example_article, "What did Xi agree to?", 5000, None).messages
    assert long_a == long_b and long_a.endswith("\n<claim>") and "He agreed to think" not in long_a
    assert article_a == article_b == shared_prefix(asked) and long_a.startswith(article_a)
    assert shared_prefixes(asked) == [article_a]  # a task's own prompt: the article only


VERIFY_CHAT = [
    {"role": "user", "content": "<article>\n[S1] A.\n</article>\nRules.\n<claim>\nA.\n</claim>"}
]


def _slot_server(store: StateStore):  # type: ignore[no-untyped-def]
    """A llama.cpp slot API on the scripted server: a save writes the file it names."""
    from newsdesk.testing import Reply

    def slot(request: dict[str, str]) -> Reply:
        name = request["filename"]
        if name.endswith(TMP_SUFFIX):
            (store.folder / name).write_bytes(b"state")
            return Reply(body={"n_written": 5})
        return Reply(body={"n_restored": 10})

    return slot


def test_the_checks_prompts_have_a_slot_of_their_own() -> None:
    assert (slot_for(VERIFY_CHAT), slot_for(CHAT)) == (1, 0)
    assert slot_for([{"role": "user", "content": "no article"}]) == 0


def test_a_verify_chat_saves_both_prefixes_and_restores_the_longest(tmp_path: Path) -> None:
    from newsdesk.testing import ScriptedServer

    store = StateStore(tmp_path / "kv")
    longer, article = (state_key("m", p) for p in shared_prefixes(VERIFY_CHAT))
    with ScriptedServer(responder=_slot_server(store)) as srv:
        url = srv.url.removesuffix("/v1")
        SlotStates(url, store, "m").run(VERIFY_CHAT, lambda: "first")
        assert sorted(e.key for e in store.entries()) == sorted([longer, article])
        assert [r["filename"].endswith(TMP_SUFFIX) for r in srv.requests] == [True, True]
        srv.requests.clear()
        later = SlotStates(url, store, "m")  # another process checks a claim: the longer one
        assert later.run(VERIFY_CHAT, lambda: "again") == "again" and later.restored == 1
        assert [r["filename"].split("-")[0] for r in srv.requests] == [longer]
        srv.requests.clear()
        asking = SlotStates(url, store, "m")  # another asks: the article's
        asking.run(CHAT, lambda: "answer")
        assert [r["filename"].split("-")[0] for r in srv.requests] == [article]
        assert srv.paths[-1] == "/slots/0?action=restore"  # the tasks' slot
        srv.requests.clear()
        # then checks: the check's own slot takes the longer prefix, and keeps it; asking
        # again finds the article still in the tasks' slot: no restore for either
        asking.run(VERIFY_CHAT, lambda: "then checks")
        assert [r["filename"].split("-")[0] for r in srv.requests] == [longer]
        assert srv.paths[-1] == "/slots/1?action=restore"
        srv.requests.clear()
        asking.run(CHAT, lambda: "a follow-up")
        asking.run(VERIFY_CHAT, lambda: "its check")
        assert srv.requests == []
