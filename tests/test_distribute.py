"""`distributed_train_step` in one process: the same update as `train_on_batch`, and clear errors.

Several devices and worker processes: tests/backends/test_distributed.py (-m backends).
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_biosyn import BioSynLTCCell
from keras_biosyn.distribute import distributed_train_step


def model_and_copy():
    cell = BioSynLTCCell(4, output_size=2, w_regularizer=keras.regularizers.L2(0.1))
    inputs = keras.Input((5, 3))
    model = keras.Model(inputs, keras.layers.Dense(1)(keras.layers.RNN(cell)(inputs)))
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    return model, copy


@pytest.mark.parametrize("loss", ["mse", keras.losses.MeanSquaredError(), "mean_squared_error"])
def test_step_equals_train_on_batch_regularization_included(rng, loss):
    model, copy = model_and_copy()
    x = rng.normal(size=(6, 5, 3)).astype("float32")
    y = rng.normal(size=(6, 1)).astype("float32")
    copy.compile(optimizer=keras.optimizers.SGD(0.5), loss="mse")
    step = distributed_train_step(model, keras.optimizers.SGD(0.5), loss)
    for _ in range(2):
        expected = copy.train_on_batch(x, y)
        np.testing.assert_allclose(float(step(x, y)), expected, rtol=1e-6)
    assert float(np.sum(model.losses)) > 0  # the regularizer took part
    for got, want in zip(model.get_weights(), copy.get_weights(), strict=True):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)


def test_variables_made_outside_the_strategy_scope_are_refused():
    model, _ = model_and_copy()
    strategy = tf.distribute.MirroredStrategy(["/cpu:0"])
    with pytest.raises(ValueError, match=r"model must be created inside `with strategy.scope"):
        distributed_train_step(model, keras.optimizers.SGD(), "mse", strategy)
    with strategy.scope():
        mirrored, _ = model_and_copy()
    with pytest.raises(ValueError, match=r"optimizer must be created inside"):
        distributed_train_step(mirrored, keras.optimizers.SGD(), "mse", strategy)


@pytest.mark.parametrize(
    "arguments, error, match",
    [
        ({"model": "model"}, TypeError, r"Expected a keras.Model. Received: model of type str"),
        ({"optimizer": "sgd"}, TypeError, r"Received: optimizer of type str"),
        ({"loss": 3}, TypeError, r"Received: loss=3"),
        ({"strategy": "mirrored"}, TypeError, r"Received: strategy of type str"),
    ],
)
def test_bad_arguments(arguments, error, match):
    model, _ = model_and_copy()
    arguments = {"model": model, "optimizer": keras.optimizers.SGD(), "loss": "mse", **arguments}
    with pytest.raises(error, match=match):
        distributed_train_step(**arguments)


def test_unbuilt_model_is_refused():
    model = keras.Sequential([keras.layers.Dense(1)])
    with pytest.raises(ValueError, match=r"Expected a built model"):
        distributed_train_step(model, keras.optimizers.SGD(), "mse")
