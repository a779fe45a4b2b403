"""Writing export artifacts atomically: a file or directory appears whole or not at all."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path


def check_destination(path: str | os.PathLike, overwrite: bool, suffix: str | None = None) -> Path:
    """Validates an output path before any work is done."""
    path = Path(path)
    if suffix is not None and path.suffix != suffix:
        raise ValueError(f"Expected a path ending in {suffix!r}. Received: path={str(path)!r}")
    if not path.parent.is_dir():
        raise FileNotFoundError(
            f"The directory {str(path.parent)!r} does not exist. Received: path={str(path)!r}"
        )
    if path.exists() and not overwrite:
        raise FileExistsError(f"{str(path)!r} already exists; pass overwrite=True to replace it.")
    return path


def write_file_atomically(path: Path, data: bytes) -> Path:
    """Writes `data` to a temporary file beside `path`, then renames it into place."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def write_directory_atomically(path: Path, write: Callable[[Path], None]) -> Path:
    """Calls `write(temporary_dir)`, then moves the directory into place.

    An existing directory at `path` is replaced only after the new one is
    complete; if writing fails, `path` is left as it was.
    """
    temporary = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}."))
    try:
        write(temporary)
        os.chmod(temporary, 0o755)  # mkdtemp makes it private
        if path.exists():
            old = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.old."))
            old.rmdir()
            os.replace(path, old)
            os.replace(temporary, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(temporary, path)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    return path
