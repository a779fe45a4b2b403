import keras
import numpy as np
import pytest

from tests.testing import WIRING_KINDS, make_wiring


@pytest.fixture(autouse=True)
def _isolated_keras():
    """Each test starts with float32, a fixed seed and a fresh Keras session."""
    keras.config.set_dtype_policy("float32")
    keras.utils.set_random_seed(1234)
    yield
    keras.config.set_dtype_policy("float32")
    # Without the full garbage collection clear_session runs by default: with the
    # TensorFlow graphs of hundreds of tests alive, each collection took ~1.2 s, more
    # than half the suite's time. Python's own collector still runs as usual.
    keras.backend.clear_session(free_memory=False)


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture(params=WIRING_KINDS)
def wiring_kind(request):
    """Each of `tests.testing.WIRING_KINDS` in turn (narrow it with `parametrize`)."""
    return request.param


@pytest.fixture
def wiring(wiring_kind):
    """`make_wiring(wiring_kind)`: a small wiring of each kind, 9 neurons, 2 outputs."""
    return make_wiring(wiring_kind)
