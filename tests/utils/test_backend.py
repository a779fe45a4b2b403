import keras
import pytest

from keras_biosyn.utils.backend import require_backend


def test_the_running_backend_passes():
    require_backend("Anything", backend=keras.backend.backend())


def test_another_backend_raises_saying_what_and_how():
    current = keras.backend.backend()
    with pytest.raises(RuntimeError) as error:
        require_backend("TPU magic", backend="jax" if current != "jax" else "torch")
    message = str(error.value)
    assert message.startswith("TPU magic needs the ")
    assert f"Received: backend={current!r}" in message
    assert "Run with KERAS_BACKEND=" in message
