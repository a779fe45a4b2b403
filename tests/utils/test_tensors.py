import keras

from keras_biosyn.utils.tensors import first_tensor


def test_first_tensor_unwraps_the_lists_keras_hands_over():
    first, second = keras.Input((4, 3)), keras.Input((4, 2))
    model = keras.Model(first, keras.layers.Dense(2)(first))
    assert first_tensor(model.inputs) is first
    assert first_tensor((first, second)) is first
    assert first_tensor(second) is second
