"""Running check scripts in fresh interpreters: the Keras backend is fixed at import."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The package each optional backend imports, and how to install it.
BACKEND_PACKAGES = {
    "jax": ("jax", 'pip install ".[jax]"'),
    "torch": ("torch", 'pip install ".[torch]"'),
}


def installed(backend: str) -> bool:
    package = BACKEND_PACKAGES.get(backend, (backend, ""))[0]
    return importlib.util.find_spec(package) is not None


def require(backend: str) -> None:
    """Skips the calling test when `backend`'s package is not importable."""
    if not installed(backend):
        package, command = BACKEND_PACKAGES[backend]
        pytest.skip(f"KERAS_BACKEND={backend} needs {package}: {command}")


def environment(backend: str = "tensorflow", **extra: str) -> dict:
    env = dict(os.environ)
    env.pop("TF_CONFIG", None)
    env.update(KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3", **extra)
    return env


def command(module: str, *args) -> list[str]:
    """`python -m tests.backends.<module> args...` (run from the repository root)."""
    return [sys.executable, "-m", f"tests.backends.{module}", *map(str, args)]


def run(module: str, *args, backend: str = "tensorflow", timeout: float = 180, **extra):
    """Runs a check module to completion; fails the test with its output if it fails."""
    done = subprocess.run(
        command(module, *args),
        cwd=ROOT,
        env=environment(backend, **extra),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    _check(done.returncode, done.stdout, done.stderr, f"{module} {args} under {backend}")
    return done.stdout


def run_together(jobs: list[tuple[list[str], dict]], timeout: float) -> list[str]:
    """Runs several commands at once (e.g. the workers of one cluster); kills all on timeout."""
    processes = [
        subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for args, env in jobs
    ]
    outputs = []
    try:
        for process, (args, _) in zip(processes, jobs, strict=True):
            stdout, stderr = process.communicate(timeout=timeout)
            _check(process.returncode, stdout, stderr, " ".join(args[2:]))
            outputs.append(stdout)
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.communicate()
    return outputs


def _check(returncode, stdout, stderr, what):
    if returncode != 0:
        raise AssertionError(
            f"{what} exited with {returncode}.\n--- stdout ---\n{stdout[-3000:]}"
            f"\n--- stderr ---\n{stderr[-6000:]}"
        )


def free_ports(count: int) -> list[int]:
    """Distinct localhost ports free right now (held open until all are chosen)."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(("localhost", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()
