"""Choosing the BioSynLTC layer: one helper for models and recordings."""

import keras
import pytest

from keras_biosyn import BioSynLTCCell
from keras_biosyn.interpretability import select_layer
from keras_biosyn.interpretability.layer_selection import select_layer_name


def two_layer_model():
    inputs = keras.Input((5, 3))
    hidden = keras.layers.RNN(BioSynLTCCell(4), return_sequences=True, name="second")(inputs)
    outputs = keras.layers.RNN(BioSynLTCCell(3), name="first")(hidden)
    return keras.Model(inputs, outputs)


def test_select_layer_returns_the_one_layer():
    model = two_layer_model()
    assert select_layer(model, "first") is model.get_layer("first")
    single = keras.Sequential([keras.Input((5, 3)), keras.layers.RNN(BioSynLTCCell(4))])
    assert select_layer(single) is single.layers[0]
    assert select_layer(single.layers[0]) is single.layers[0]


def test_select_layer_asks_for_a_name_among_several():
    model = two_layer_model()
    with pytest.raises(
        ValueError,
        match=r"This model has several BioSynLTC layers \['first', 'second'\]: pass `layer=`",
    ):
        select_layer(model)
    with pytest.raises(ValueError, match=r"BioSynLTC layers \['first', 'second'\]. Received"):
        select_layer(model, "third")


def test_select_layer_name_for_a_recording():
    assert select_layer_name(["ltc"]) == "ltc"
    assert select_layer_name({"b", "a"}, "b") == "b"
    with pytest.raises(ValueError, match=r"This recording holds several layers \['a', 'b'\]"):
        select_layer_name(["b", "a"], holder="This recording holds", kind="")
    with pytest.raises(ValueError, match=r"the layers \['a'\]. Received: layer='c'"):
        select_layer_name(["a"], "c", kind="")
    with pytest.raises(ValueError, match="at least one layer"):
        select_layer_name([])
