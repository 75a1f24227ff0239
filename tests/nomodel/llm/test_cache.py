from __future__ import annotations

import multiprocessing
import sqlite3

from newsdesk.llm.cache import ResponseCache, cache_key


def test_round_trip_and_key_sensitivity(tmp_path):
    cache = ResponseCache(tmp_path / "c.sqlite3")
    k1 = cache_key(endpoint="e", model="m", messages=[{"role": "user", "content": "a"}])
    k2 = cache_key(endpoint="e", model="m", messages=[{"role": "user", "content": "b"}])
    assert k1 != k2
    assert cache.get(k1) is None
    cache.put(k1, {"content": "x"})
    assert cache.get(k1) == {"content": "x"}
    assert cache.get(k2) is None
    assert cache.stats()["entries"] == 1
    assert cache.clear() == 1
    assert cache.get(k1) is None


def test_corrupt_file_is_rebuilt_not_fatal(tmp_path, capsys):
    path = tmp_path / "c.sqlite3"
    path.write_bytes(b"this is not a sqlite database at all" * 100)
    cache = ResponseCache(path)
    assert cache.get("k") is None
    cache.put("k", {"content": "y"})
    assert cache.get("k") == {"content": "y"}
    assert "rebuilding" in capsys.readouterr().err
    assert list(tmp_path.glob("c.sqlite3.corrupt-*"))


def test_wal_mode(tmp_path):
    cache = ResponseCache(tmp_path / "c.sqlite3")
    cache.put("k", {"v": 1})
    mode = sqlite3.connect(tmp_path / "c.sqlite3").execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def _writer(path: str, worker: int) -> None:
    cache = ResponseCache(__import__("pathlib").Path(path))
    for i in range(50):
        cache.put(f"{worker}-{i}", {"worker": worker, "i": i})


def test_concurrent_processes_lose_nothing(tmp_path):
    path = str(tmp_path / "c.sqlite3")
    procs = [multiprocessing.Process(target=_writer, args=(path, w)) for w in range(8)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert all(p.exitcode == 0 for p in procs)
    cache = ResponseCache(tmp_path / "c.sqlite3")
    assert cache.stats()["entries"] == 400
    assert cache.get("7-49") == {"worker": 7, "i": 49}
