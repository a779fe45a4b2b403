import keras
import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _isolated_keras():
    """Each test starts with float32, a fixed seed and a fresh Keras session."""
    keras.config.set_dtype_policy("float32")
    keras.utils.set_random_seed(1234)
    yield
    keras.config.set_dtype_policy("float32")
    keras.backend.clear_session()


@pytest.fixture
def rng():
    return np.random.default_rng(0)
