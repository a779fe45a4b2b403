"""`keras_biosyn.recipes`: the generic recipe (a cell's layer, a sequence model, compile, fit)."""

import keras
import numpy as np
import pytest

from keras_biosyn import recipes
from keras_biosyn.datasets import Split


@pytest.mark.parametrize("cell", recipes.CELLS)
def test_cell_layer_builds_each_cell_by_name(cell):
    layer = recipes.cell_layer(cell, 6, "auto_ncp", seed=1)
    assert layer.name == cell
    outputs = layer(np.zeros((2, 5, 3), "float32"))
    assert outputs.shape == (2, 2)  # AutoNCP: 6 // 3 outputs


def test_cell_layer_passes_its_options_to_the_cell():
    cell = recipes.cell_layer("biosyn_ltc", 6, None, time_input=True, ode_unfolds=2).cell
    assert cell.time_input and cell.ode_unfolds == 2
    assert cell.units == 6 and type(cell.wiring).__name__ == "FullyConnected"
    assert type(recipes.cell_layer("ctrnn", 9, "random").cell.wiring).__name__ == "Random"
    with pytest.raises(ValueError, match="Received: cell='lstm'"):
        recipes.cell_layer("lstm", 4)
    with pytest.raises(ValueError, match="Received: wiring='star'"):
        recipes.cell_layer("ctrnn", 4, "star")


def test_wiring_by_name_defaults_its_outputs():
    assert recipes.wiring_by_name("auto_ncp", 9).output_size == 3
    assert recipes.wiring_by_name("fully_connected", 9).output_size == 9
    random = recipes.wiring_by_name("random", 10, output_size=2, seed=3)
    assert (random.output_size, random.seed) == (2, 3)


def test_sequence_model_heads_and_names():
    named = recipes.sequence_model(
        keras.layers.LSTM(4, name="lstm"),
        7,
        3,
        5,
        input_name="sequence",
        mask_name="padding_mask",
        output_name="classes",
    )
    assert [layer.name for layer in named.layers] == [
        "sequence",
        "padding_mask",
        "lstm",
        "classes",
    ]
    assert named.layers[-1].activation is keras.activations.softmax
    regressor = recipes.sequence_model(
        keras.layers.GRU(4), 7, 3, 2, "regression", masked=False, name="r"
    )
    assert [type(layer).__name__ for layer in regressor.layers] == ["InputLayer", "GRU", "Dense"]
    assert regressor.layers[-1].activation is keras.activations.linear
    with pytest.raises(ValueError, match="Received: kind='ranking'"):
        recipes.sequence_model(keras.layers.GRU(4), 7, 3, 2, "ranking")


def test_fit_stops_early_and_keeps_the_best_weights():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 4, 2)).astype("float32")
    split = Split(x, np.full(16, 4, np.int32), x[:, -1, :1])
    keras.utils.set_random_seed(0)
    model = recipes.sequence_model(keras.layers.LSTM(3), 4, 2, 1, "regression", masked=False)
    recipes.compile_model(model, "regression", learning_rate=10.0)  # diverges: stops early
    history = recipes.fit(model, split, split, epochs=8, batch_size=16, patience=1, verbose=0)
    losses = history.history["val_loss"]
    assert len(losses) < 8
    best = model.evaluate(split.x, split.y, verbose=0)
    np.testing.assert_allclose(best, min(losses), rtol=1e-5)
