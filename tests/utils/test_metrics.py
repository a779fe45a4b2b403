import pytest

from keras_biosyn.utils.metrics import accuracy


def test_accuracy():
    assert accuracy([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]], [0, 1, 1]) == pytest.approx(2 / 3)
