"""Dense and sparse synapse layouts compute the same network."""

from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_biosyn import BioSynLTCCell, wirings
from tests import reference
from tests.test_case import TestCase
from tests.testing import assert_keras_round_trip, make_wiring, rnn_model

DATA = Path(__file__).parents[1] / "data"

# `make_wiring` arguments of each circuit: every kind, and a graph without synapses.
WIRINGS = {
    "fully_connected": dict(kind="fully_connected", units=7),
    "random": dict(kind="random", units=9, sparsity=0.7),
    "ncp": dict(kind="ncp"),
    "auto_ncp": dict(kind="auto_ncp", units=12),
    "no_synapses": dict(kind="random", units=4, output_size=1, sparsity=0.99),
}


def twin_cells(wiring, features=3, rng=None, **kwargs):
    """A dense and a sparse cell with identical weights."""
    cells = {}
    for layout in ("dense", "sparse"):
        cell = BioSynLTCCell(wiring, synapse_layout=layout, **kwargs)
        cell.build((None, features))
        cells[layout] = cell
    reference.randomize_cell(cells["dense"], rng)
    for variable in cells["sparse"].weights:
        variable.assign(getattr(cells["dense"], variable.name))
    return cells


def synapse_list(cell):
    """`(pre, post)` of the synapses the cell computes (`None` in the dense layout)."""
    synapses = cell.circuit_parameters().synapses
    return None if synapses is None else (np.asarray(synapses.pre), np.asarray(synapses.post))


def test_auto_layout_follows_density():
    def layout(wiring):
        cell = BioSynLTCCell(wiring)
        cell.build((None, 3))
        # the synapse list is read off the adjacency: the same weights in both layouts
        assert [v.name for v in cell.non_trainable_weights] == ["adjacency", "sensory_adjacency"]
        return cell.resolved_synapse_layout, synapse_list(cell) is not None

    assert layout(wirings.FullyConnected(8)) == ("dense", False)
    assert layout(wirings.Random(10, sparsity=0.5)) == ("dense", False)
    assert layout(wirings.Random(10, sparsity=0.6)) == ("sparse", True)
    assert layout(wirings.AutoNCP(16, 2)) == ("sparse", True)
    forced = BioSynLTCCell(wirings.AutoNCP(16, 2), synapse_layout="dense")
    assert forced.resolved_synapse_layout == "dense"


def test_sensory_layout_follows_its_own_density():
    def layouts(wiring, features=8, **kwargs):
        cell = BioSynLTCCell(wiring, **kwargs)
        assert cell.resolved_sensory_layout is None  # inputs unknown before build
        cell.build((None, features))
        sensory = cell.circuit_parameters().sensory_synapses
        if sensory is not None:
            expected = np.nonzero(cell.sensory_adjacency.numpy())
            np.testing.assert_array_equal(np.stack([sensory.pre, sensory.post]), expected)
        return cell.resolved_synapse_layout, cell.resolved_sensory_layout, sensory is not None

    ncp = wirings.AutoNCP(16, 2, seed=0)
    assert layouts(wirings.FullyConnected(8)) == ("dense", "dense", False)
    assert layouts(ncp) == ("sparse", "sparse", True)
    assert layouts(ncp, synapse_layout="dense") == ("dense", "dense", False)
    forced = layouts(wirings.FullyConnected(8), synapse_layout="sparse")
    assert forced == ("sparse", "sparse", True)
    assert layouts(wirings.AutoNCP(16, 2, seed=0), features=1)[1] == "dense"  # 1 input: dense


def test_sparse_index_lists_the_existing_synapses():
    wiring = wirings.AutoNCP(12, 2, seed=4)
    cell = BioSynLTCCell(wiring, synapse_layout="sparse")
    cell.build((None, 3))
    pre, post = synapse_list(cell)
    assert len(pre) == wiring.synapse_count
    expected = np.zeros((12, 12), dtype=bool)
    expected[pre, post] = True
    np.testing.assert_array_equal(expected, wiring.adjacency_matrix != 0)


def test_a_sparse_model_saved_by_0_2_loads_with_the_same_outputs():
    """keras_biosyn 0.2 saved the synapse list as two extra int32 weights; they are skipped."""
    data = np.load(DATA / "biosyn_ltc_sparse_v0_2_expected.npz")
    model = keras.models.load_model(DATA / "biosyn_ltc_sparse_v0_2.keras")
    cell = model.layers[0].cell
    assert cell.resolved_synapse_layout == "sparse"
    pre, post = synapse_list(cell)
    np.testing.assert_array_equal(np.stack([pre, post]), np.nonzero(cell.adjacency.numpy()))
    np.testing.assert_array_equal(model.predict(data["x"], verbose=0), data["y"])


@pytest.mark.parametrize("kind", sorted(WIRINGS))
def test_layouts_agree_in_float64(rng, kind):
    cells = twin_cells(make_wiring(**WIRINGS[kind]), rng=rng, dtype="float64")
    u, v = rng.normal(size=(4, 3)), rng.uniform(-1, 1, size=(4, cells["dense"].units))
    (y_dense, s_dense), (y_sparse, s_sparse) = (cells[k](u, [v]) for k in ("dense", "sparse"))
    np.testing.assert_allclose(np.asarray(s_sparse[0]), np.asarray(s_dense[0]), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(y_sparse), np.asarray(y_dense), rtol=1e-12)
    dense = cells["dense"]
    expected, _ = reference.step(
        reference.cell_weights(dense),
        u,
        v,
        **reference.cell_options(dense),
    )
    np.testing.assert_allclose(np.asarray(y_sparse), expected, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("kind", ["random", "auto_ncp"])
def test_layouts_have_the_same_gradients(rng, kind):
    cells = twin_cells(make_wiring(**WIRINGS[kind]), rng=rng)
    x = rng.normal(size=(3, 6, 3)).astype("float32")
    grads = {}
    for layout, cell in cells.items():
        layer = keras.layers.RNN(cell)
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.square(layer(x)))
        variables = cell.trainable_weights
        grads[layout] = {
            v.name: g for v, g in zip(variables, tape.gradient(loss, variables), strict=True)
        }
    assert set(grads["dense"]) == set(grads["sparse"])
    mask = np.abs(cells["dense"].adjacency.numpy()) > 0
    for name, dense_grad in grads["dense"].items():
        dense_grad = np.asarray(tf.convert_to_tensor(dense_grad))
        sparse_grad = np.asarray(tf.convert_to_tensor(grads["sparse"][name]))
        if name in ("sigma", "mu", "erev"):
            # Absent synapses have no influence; dense leaves their gradient at 0 too.
            assert not sparse_grad[~mask].any() and not dense_grad[~mask].any()
        np.testing.assert_allclose(sparse_grad, dense_grad, rtol=2e-4, atol=2e-6, err_msg=name)


def test_sparse_layout_trains_and_round_trips(rng, tmp_path):
    x = rng.normal(size=(64, 10, 3)).astype("float32")
    y = np.tanh(x[:, -3:, 0].mean(axis=1, keepdims=True)).astype("float32")
    # The target forgets after 3 steps: short time constants (0.1's capacitances) learn it in
    # the 40 updates below; the default's slower neurons take longer.
    cm = keras.initializers.RandomUniform(0.4, 0.6)
    cell = BioSynLTCCell(wirings.AutoNCP(12, 2, seed=3), cm_initializer=cm)
    model = keras.Sequential([keras.Input((10, 3)), keras.layers.RNN(cell), keras.layers.Dense(1)])
    model.compile(keras.optimizers.Adam(0.02), "mse", jit_compile=True)
    initial = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=10, batch_size=16, verbose=0)
    assert model.evaluate(x, y, verbose=0) < 0.7 * initial
    assert cell.resolved_synapse_layout == "sparse"
    loaded = assert_keras_round_trip(model, x, tmp_path)
    for got, expected in zip(synapse_list(loaded.layers[0].cell), synapse_list(cell), strict=True):
        np.testing.assert_array_equal(got, expected)


def test_pruning_the_adjacency_weight_removes_synapses_in_both_layouts(rng):
    cells = twin_cells(make_wiring(**WIRINGS["random"]), rng=rng)
    pruned = cells["dense"].adjacency.numpy()
    pruned[:, 0] = 0.0  # no synapse onto neuron 0
    for cell in cells.values():
        cell.adjacency.assign(pruned)
    x = rng.normal(size=(2, 5, 3)).astype("float32")
    dense, sparse = (np.asarray(rnn_model(c, 5, 3)(x)) for c in cells.values())
    np.testing.assert_allclose(sparse, dense, atol=1e-6)


class TestSynapseLayoutExport(TestCase):
    @pytest.mark.parametrize("layout", ["dense", "sparse"])
    def test_streaming_export_is_builtin_and_matches_keras(self, rng, tmp_path, layout):
        """The step model (x_t, state) -> (y_t, new_state) of either layout needs no Flex ops."""
        cell = BioSynLTCCell(make_wiring("auto_ncp", units=10, seed=2), synapse_layout=layout)
        model = keras.Sequential([keras.Input((None, 3)), keras.layers.RNN(cell)])
        x = rng.normal(size=(2, 6, 3)).astype("float32")
        self.run_export_test(model, x, tmp_path, export_layout="model")


def test_sparse_layout_under_mixed_precision(rng):
    keras.config.set_dtype_policy("mixed_float16")
    cell = BioSynLTCCell(wirings.AutoNCP(12, 2, seed=3))
    model = keras.Sequential([keras.Input((10, 3)), keras.layers.RNN(cell), keras.layers.Dense(1)])
    assert cell.resolved_synapse_layout == "sparse"
    x = rng.normal(size=(32, 10, 3)).astype("float32")
    model.compile(keras.optimizers.Adam(0.02), "mse")
    history = model.fit(x, x[:, -1, :1], epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert model.predict(x, verbose=0).dtype == np.float16


def test_loading_a_different_synapse_list_into_a_traced_layer_is_refused(rng, tmp_path):
    make = lambda seed: rnn_model(  # noqa: E731
        BioSynLTCCell(wirings.Random(10, 2, sparsity=0.8, seed=seed)), 5, 3
    )
    x = rng.normal(size=(2, 5, 3)).astype("float32")
    source = make(1)
    path = tmp_path / "other.weights.h5"
    source.save_weights(path)
    fresh = make(2)  # another graph, not yet called
    fresh.load_weights(path)
    np.testing.assert_allclose(
        fresh.predict(x, verbose=0), source.predict(x, verbose=0), atol=1e-6
    )
    traced = make(2)
    traced.predict(x, verbose=0)
    with pytest.raises(ValueError, match="differs from the one this layer was already traced"):
        traced.load_weights(path)
