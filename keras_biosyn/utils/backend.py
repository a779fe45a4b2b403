"""The one check for features that need a given Keras backend."""

from __future__ import annotations

import keras

BACKEND_NAMES = {"tensorflow": "TensorFlow", "jax": "JAX", "torch": "PyTorch"}


def require_backend(feature: str, backend: str = "tensorflow") -> None:
    """Raises `RuntimeError` unless Keras runs on `backend`.

    The backend is chosen when Keras is first imported (`KERAS_BACKEND`), so
    the error says how to start a process that has it.

    Args:
        feature: What needs the backend, as the start of a sentence
            (e.g. `"TFLite export"`).
        backend: The Keras backend name needed.
    """
    current = keras.backend.backend()
    if current != backend:
        raise RuntimeError(
            f"{feature} needs the {BACKEND_NAMES.get(backend, backend)} backend. "
            f"Received: backend={current!r}. Run with KERAS_BACKEND={backend}."
        )
