"""`input_mapping="dense"`: a learned mix of the input features before the sensory synapses."""

import keras
import numpy as np
import pytest

from keras_biosyn import BioSynLTCCell, CTRNNCell, wirings
from tests import reference
from tests.testing import assert_config_round_trip, assert_keras_round_trip


def test_dense_mapping_has_a_square_matrix_and_a_bias():
    cell = BioSynLTCCell(4, input_mapping="dense")
    cell.build((None, 3))
    shapes = {v.name: tuple(v.shape) for v in cell.trainable_weights}
    assert shapes["input_w"] == (3, 3) and shapes["input_b"] == (3,)
    # starts as the identity: each sensory synapse reads its own feature, as "affine" does
    np.testing.assert_array_equal(cell.input_w.numpy(), np.eye(3))


def test_dense_is_the_default_and_starts_where_affine_starts(rng):
    """A new cell maps densely; before any training it computes what an affine one does."""
    x = rng.normal(size=(5, 3)).astype("float32")
    state = rng.normal(size=(5, 4)).astype("float32")
    outputs = {}
    for mapping in ("dense", "affine"):
        keras.utils.set_random_seed(3)
        cell = BioSynLTCCell(4) if mapping == "dense" else BioSynLTCCell(4, input_mapping=mapping)
        cell.build((None, 3))
        assert cell.input_mapping == mapping
        outputs[mapping] = keras.ops.convert_to_numpy(cell(x, [state])[0])
    np.testing.assert_allclose(outputs["dense"], outputs["affine"], rtol=0, atol=1e-6)


@pytest.mark.parametrize("solver", ["exponential", "semi_implicit"])
@pytest.mark.parametrize("time_input", [False, True])
def test_dense_mapping_matches_a_float64_reference(rng, solver, time_input):
    features = 4 if time_input else 3
    cell = BioSynLTCCell(
        wirings.AutoNCP(9, output_size=2, seed=0),
        solver=solver,
        input_mapping="dense",
        time_input=time_input,
        epsilon=0.0,
        dtype="float64",
    )
    cell.build((None, features))
    reference.randomize_cell(cell, rng)
    u, v = rng.normal(size=(5, features)), rng.uniform(-1, 1, size=(5, 9))
    if time_input:
        u[:, -1] = rng.uniform(0.2, 2.0, size=5)
    output, (state,) = cell(u, [v])
    expected_y, expected_v = reference.step(
        reference.cell_weights(cell),
        u,
        v,
        output_size=2,
        ode_unfolds=cell.ode_unfolds,
        solver=solver,
        input_mapping="dense",
        time_input=time_input,
        epsilon=cell.epsilon,
    )
    np.testing.assert_allclose(np.asarray(state), expected_v, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(np.asarray(output), expected_y, rtol=1e-10, atol=1e-12)


def test_each_sensory_synapse_reads_a_mix_of_every_feature(rng):
    """Property: with a dense mapping that has learned to mix, one feature moves every mapped
    input, so it reaches a neuron through synapses from any input; with the per-feature
    mapping, or the dense one as it starts (the identity), only its own."""
    x = rng.normal(size=(1, 3)).astype("float32")
    moved = x.copy()
    moved[0, 0] += 1.0
    mixed = rng.uniform(0.5, 1.5, size=(3, 3)) * rng.choice([-1.0, 1.0], size=(3, 3))
    for mapping, matrix, changed in [("affine", None, 1), ("dense", None, 1), ("dense", mixed, 3)]:
        cell = BioSynLTCCell(4, input_mapping=mapping)
        cell.build((None, 3))
        if matrix is not None:
            cell.input_w.assign(matrix.astype("float32"))
        before, after = (np.asarray(cell.map_inputs(a)) for a in (x, moved))
        assert np.count_nonzero(np.abs(after - before) > 1e-6) == changed


@pytest.mark.parametrize("cell_class", [BioSynLTCCell, CTRNNCell])
def test_dense_mapping_trains_saves_and_loads(tmp_path, rng, cell_class):
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((8, 3)),
            keras.layers.RNN(cell_class(5, input_mapping="dense")),
            keras.layers.Dense(2),
        ]
    )
    model.compile("adam", "mse")
    x, y = rng.normal(size=(16, 8, 3)), rng.normal(size=(16, 2))
    kernel = model.layers[0].cell.input_w.numpy().copy()
    model.fit(x, y, epochs=2, verbose=0)
    assert not np.allclose(model.layers[0].cell.input_w.numpy(), kernel)  # it learns
    loaded = assert_keras_round_trip(model, x.astype("float32"), tmp_path)
    assert loaded.layers[0].cell.input_mapping == "dense"
    assert_config_round_trip(model.layers[0].cell)


def test_an_unknown_mapping_names_the_choices():
    with pytest.raises(ValueError, match=r"input_mapping.*'dense'.*Received: input_mapping='mlp'"):
        BioSynLTCCell(4, input_mapping="mlp")
    with pytest.raises(ValueError, match="output_mapping"):
        BioSynLTCCell(4, output_mapping="dense")  # outputs are mapped per neuron
