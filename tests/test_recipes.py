"""`keras_biosyn.recipes`: the one model factory and fit recipe (main job and benchmark)."""

import keras
import numpy as np
import pytest

from keras_biosyn import recipes
from keras_biosyn.datasets import Split
from keras_biosyn.utils.metrics import accuracy


@pytest.mark.parametrize("model", ["biosyn_ltc", "biosyn_ltc_0.1", "ctrnn", "lstm", "gru"])
def test_recurrent_layer_builds_every_model_by_name(model):
    layer = recipes.recurrent_layer(model, 6, "auto_ncp", seed=1)
    assert layer.name == ("biosyn_ltc" if model.startswith("biosyn_ltc") else model)
    outputs = layer(np.zeros((2, 5, 3), "float32"))
    assert outputs.shape == (2, 2 if model in recipes.CELL_MODELS else 6)  # AutoNCP: 6 // 3


def test_recurrent_layer_options_reach_the_cell_only():
    layer = recipes.recurrent_layer(
        "biosyn_ltc_0.1", 6, None, time_input=True, cell_options={"ode_unfolds": 2}
    )
    cell = layer.cell
    assert cell.time_input and cell.ode_unfolds == 2 and cell.solver == "semi_implicit"
    assert cell.units == 6 and type(cell.wiring).__name__ == "FullyConnected"
    cell = recipes.recurrent_layer("ctrnn", 9, cell_options={"wiring": "random"}).cell
    assert type(cell.wiring).__name__ == "Random"
    with pytest.raises(ValueError, match="cell_options apply to the cells only"):
        recipes.recurrent_layer("lstm", 4, cell_options={"wiring": "random"})
    with pytest.raises(ValueError, match="Received: model='transformer'"):
        recipes.recurrent_layer("transformer", 4)


def test_sequence_model_heads_and_names():
    classifier = recipes.sequence_classifier(recipes.recurrent_layer("lstm", 4), 7, 3, 5)
    assert [layer.name for layer in classifier.layers] == [
        "sequence",
        "padding_mask",
        "lstm",
        "classes",
    ]
    regressor = recipes.sequence_model(
        recipes.recurrent_layer("gru", 4), 7, 3, 2, "regression", masked=False, name="r"
    )
    assert [type(layer).__name__ for layer in regressor.layers] == ["InputLayer", "GRU", "Dense"]
    assert regressor.layers[-1].activation is keras.activations.linear
    with pytest.raises(ValueError, match="Received: kind='ranking'"):
        recipes.sequence_model(recipes.recurrent_layer("gru", 4), 7, 3, 2, "ranking")


def test_fit_stops_early_and_keeps_the_best_weights():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 4, 2)).astype("float32")
    split = Split(x, np.full(16, 4, np.int32), x[:, -1, :1])
    keras.utils.set_random_seed(0)
    model = recipes.sequence_model(
        recipes.recurrent_layer("lstm", 3), 4, 2, 1, "regression", masked=False
    )
    recipes.compile_model(model, "regression", learning_rate=10.0)  # diverges: stops early
    history = recipes.fit(model, split, split, epochs=8, batch_size=16, patience=1, verbose=0)
    losses = history.history["val_loss"]
    assert len(losses) < 8
    best = model.evaluate(split.x, split.y, verbose=0)
    np.testing.assert_allclose(best, min(losses), rtol=1e-5)


def test_accuracy():
    assert accuracy([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]], [0, 1, 1]) == pytest.approx(2 / 3)
