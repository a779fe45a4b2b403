"""`keras_biosyn_cli.presets`: the main job's named classifier."""

import keras

from keras_biosyn import recipes
from keras_biosyn_cli.presets import sequence_classifier


def test_sequence_classifier_names_its_input_mask_and_head():
    classifier = sequence_classifier(recipes.cell_layer("ctrnn", 4), 7, 3, 5)
    assert classifier.inputs[0].name == "sequence"
    assert isinstance(classifier.get_layer("padding_mask"), keras.layers.Masking)
    assert classifier.get_layer("classes").activation is keras.activations.softmax
    assert classifier.output_shape == (None, 5)
