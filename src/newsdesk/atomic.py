"""Write files atomically: a temp file in the target's folder, fsync, then os.replace.

A reader (or a crash) never sees a half-written file, and an existing file is only replaced
by a complete new one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from newsdesk.errors import InputError


def check_folder(path: str | Path) -> Path:
    """The folder `path` would be written in; InputError (one line) when it does not exist."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"{target}: folder {folder} does not exist")
    return folder


def write_atomic(path: str | Path, text: str, encoding: str = "utf-8") -> Path:
    """Write `text` to `path` via a temp file in the same directory and a rename.

    Raises InputError (one line for the user) when the folder is missing or not writable.
    """
    target = Path(path)
    if target.is_dir():
        raise InputError(f"{target}: is a directory")
    folder = check_folder(target)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise InputError(f"{target}: cannot write ({exc.strerror or exc})") from None
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        with contextlib.suppress(OSError):  # keep an existing file's permissions
            os.chmod(tmp, target.stat().st_mode & 0o777 if target.exists() else 0o644)
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise InputError(f"{target}: cannot write ({exc.strerror or exc})") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return target
