"""Writing outputs all or nothing: path checks, atomic files, staged directories, checksums.

A file written here appears whole or not at all (written to a temporary name
in the same directory, then renamed); a set of files built with
`staged_directory` replaces the previous set only once every member is
complete, and a failure at any point leaves what was there untouched.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

__all__ = [
    "check_destination",
    "check_optional_destination",
    "file_checksums",
    "sha256",
    "staged_directory",
    "write_atomically",
    "write_directory_atomically",
    "write_file_atomically",
]


def check_destination(path: str | os.PathLike, overwrite: bool, suffix: str | None = None) -> Path:
    """Validates an output path before any work is done.

    Args:
        path: The file or directory to write.
        overwrite: Whether an existing `path` may be replaced.
        suffix: If given, the suffix `path` must end in (e.g. `".tflite"`).

    Returns:
        `path` as a `Path`.
    """
    path = Path(path)
    if suffix is not None and path.suffix.lower() != suffix:
        raise ValueError(f"Expected a path ending in {suffix!r}. Received: path={str(path)!r}")
    if not path.parent.is_dir():
        raise FileNotFoundError(
            f"The directory {str(path.parent)!r} does not exist. Received: path={str(path)!r}"
        )
    if path.exists() and not overwrite:
        raise FileExistsError(f"{str(path)!r} already exists; pass overwrite=True to replace it.")
    return path


def check_optional_destination(
    path: str | os.PathLike | None, suffix: str, overwrite: bool = True
) -> Path | None:
    """Validates an optional output file: `None`, or a `suffix` file in an existing directory.

    For functions with a `path=None` argument (save only when a path is
    given): the type and suffix are checked here, the rest by
    `check_destination`.

    Args:
        path: The file to write, or `None`.
        suffix: The suffix `path` must end in (e.g. `".png"`), any case.
        overwrite: Whether an existing `path` may be replaced.

    Returns:
        `path` as a `Path`, or `None`.

    Example:

    ```python
    check_optional_destination("figures/tau.png", ".png")   # Path("figures/tau.png")
    check_optional_destination(None, ".png")                # None
    ```
    """
    if path is None:
        return None
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            f"Expected `path` to be a str or os.PathLike ending in {suffix!r}, or None. "
            f"Received: path={path!r} of type {type(path).__name__}"
        )
    if Path(path).suffix.lower() != suffix:
        raise ValueError(
            f"Expected `path` to name a {suffix!r} file. Received: path={str(path)!r}"
        )
    return check_destination(path, overwrite=overwrite)


def write_atomically(path: str | os.PathLike, write: Callable[[BinaryIO], None]) -> Path:
    """Calls `write(file)` on a new temporary file beside `path`, then renames it into place.

    The temporary file is opened like any other (so the umask applies to its
    mode); if `write` fails, it is removed and `path` is left as it was.
    """
    path = Path(path)
    temporary = path.parent / f".{path.name}.{os.urandom(6).hex()}.tmp"
    try:
        with open(temporary, "xb") as file:
            write(file)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


def write_file_atomically(path: str | os.PathLike, data: bytes) -> Path:
    """Writes `data` to `path` atomically (see `write_atomically`)."""
    return write_atomically(path, lambda file: file.write(data))


def write_directory_atomically(path: str | os.PathLike, write: Callable[[Path], None]) -> Path:
    """Calls `write(temporary_dir)`, then moves the directory into place.

    An existing directory at `path` is replaced only after the new one is
    complete; if writing fails, `path` is left as it was.
    """
    path = Path(path)
    temporary = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}."))
    try:
        write(temporary)
        os.chmod(temporary, 0o777 & ~_umask())  # mkdtemp makes it private
        if path.exists():
            old = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.old-"))
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


@contextlib.contextmanager
def staged_directory(destination: str | os.PathLike, remove: Iterable[str] = ()) -> Iterator[Path]:
    """A temporary directory whose entries replace those of `destination` on success.

    Write every output into the yielded directory. When the `with` block ends
    normally, each entry is moved into `destination` (created if needed),
    replacing an entry of the same name, and the names in `remove` (outputs of
    an earlier run that this one no longer makes) are deleted. Other entries of
    `destination` are kept. If the block raises, or a move fails, nothing in
    `destination` has changed: moved entries are taken back and the replaced
    ones restored, so the previous set stays whole.

    Example:

    ```python
    with staged_directory("saved_models") as staging:
        model.save(staging / "model.keras")
        (staging / "manifest.json").write_text("{}")   # written last
    ```
    """
    destination = Path(destination)
    remove = list(remove)
    for name in remove:
        if not isinstance(name, str) or not name or Path(name).name != name or name in ("..", "."):
            raise ValueError(
                "Expected `remove` to hold plain names of entries of the destination. "
                f"Received: {name!r}"
            )
    parent = destination.parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=parent, prefix=f".{destination.name}.staging-"))
    try:
        yield staging
        _publish(staging, destination, remove)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _publish(staging: Path, destination: Path, remove: list[str]):
    """Moves every entry of `staging` into `destination`, all or nothing."""
    names = sorted(p.name for p in staging.iterdir())
    if not destination.exists():
        os.chmod(staging, 0o777 & ~_umask())  # mkdtemp makes it private
        os.rename(staging, destination)
        staging.mkdir()  # for the caller's cleanup
        return
    backup = Path(tempfile.mkdtemp(dir=destination.parent, prefix=f".{destination.name}.old-"))
    displaced, placed = [], []
    try:
        for name in sorted(set(names) | set(remove)):
            if os.path.lexists(destination / name):
                os.replace(destination / name, backup / name)
                displaced.append(name)
        for name in names:
            os.replace(staging / name, destination / name)
            placed.append(name)
    except BaseException:
        for name in placed:
            _remove(destination / name)
        for name in displaced:
            os.replace(backup / name, destination / name)
        raise
    finally:
        shutil.rmtree(backup, ignore_errors=True)


def _remove(path: Path):
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def sha256(path: str | os.PathLike) -> str:
    """The SHA-256 of a file's bytes, as `sha256sum FILE` prints it."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_checksums(path: str | os.PathLike, relative_to: str | os.PathLike | None = None):
    """`[{"file", "size_bytes", "sha256"}]` for a file, or for every file under a directory.

    Paths are relative to `relative_to` (default: the parent of `path`), in
    sorted order, so the list reads like `sha256sum` run on each file.
    """
    path = Path(path)
    base = Path(relative_to) if relative_to is not None else path.parent
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    return [
        {
            "file": file.relative_to(base).as_posix(),
            "size_bytes": file.stat().st_size,
            "sha256": sha256(file),
        }
        for file in files
    ]
