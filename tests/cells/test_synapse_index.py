"""`SynapseIndex`: the synapse list read off an adjacency, kept fixed once a call used it."""

import keras
import numpy as np
import pytest

from keras_biosyn import BioSynLTCCell, wirings
from keras_biosyn.cells.synapse_index import SynapseIndex, without_legacy_index
from keras_biosyn.ops import SynapseList
from tests.testing import rnn_model


def random_adjacency(rng, shape, density):
    """A signed adjacency (+1, -1, 0) with about `density` of its entries set."""
    present = rng.uniform(size=shape) < density
    return np.where(present, rng.choice([-1.0, 1.0], size=shape), 0.0)


@pytest.mark.parametrize("shape", [(7, 7), (3, 9), (5, 2)])
@pytest.mark.parametrize("density", [0.0, 0.3, 1.0])
def test_lists_the_nonzero_entries_row_major(rng, shape, density):
    adjacency = random_adjacency(rng, shape, density)
    index = SynapseIndex(adjacency)
    pre, post = np.nonzero(adjacency)
    np.testing.assert_array_equal(index.pre, pre)
    np.testing.assert_array_equal(index.post, post)
    assert index.pre.dtype == index.post.dtype == np.int32
    assert len(index) == np.count_nonzero(adjacency)
    assert index.synapses == SynapseList(index.pre, index.post, shape[1])
    assert not index.frozen


def test_refuses_what_is_not_a_matrix():
    with pytest.raises(ValueError, match=r"2D adjacency.*Received: adjacency of shape \(4,\)"):
        SynapseIndex(np.ones(4))


def test_reload_follows_the_adjacency_until_frozen(rng):
    first, second = (random_adjacency(rng, (6, 6), 0.4) for _ in range(2))
    index = SynapseIndex(first)
    index.reload(second, "cell")
    np.testing.assert_array_equal(np.stack([index.pre, index.post]), np.nonzero(second))
    index.freeze()
    index.reload(second.copy(), "cell")  # the same synapses: nothing to refuse
    with pytest.raises(ValueError, match="'cell' differs from the one this layer was already"):
        index.reload(first, "cell")
    np.testing.assert_array_equal(np.stack([index.pre, index.post]), np.nonzero(second))


def test_legacy_store_loses_its_two_index_weights():
    store = {str(i): np.full(2, i) for i in range(5)}
    assert without_legacy_index(store, 5) is store
    assert list(without_legacy_index(store, 3)) == ["0", "1", "2"]


def sparse_model(seed):
    return rnn_model(BioSynLTCCell(wirings.Random(10, 2, sparsity=0.8, seed=seed)), 5, 3)


def index_of(model) -> SynapseIndex:
    return model.layers[-1].cell._synapse_index


def test_round_trips_through_a_keras_file(rng, tmp_path):
    model = sparse_model(seed=1)
    x = rng.normal(size=(2, 5, 3)).astype("float32")
    model.predict(x, verbose=0)
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    saved, revived = index_of(model), index_of(loaded)
    np.testing.assert_array_equal(revived.pre, saved.pre)
    np.testing.assert_array_equal(revived.post, saved.post)
    adjacency = loaded.layers[-1].cell.adjacency.numpy()
    np.testing.assert_array_equal(np.stack([revived.pre, revived.post]), np.nonzero(adjacency))
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_reading_the_parameters_leaves_the_index_free_and_calling_freezes_it(rng, tmp_path):
    """`circuit_parameters()` is a getter: only a call fixes the synapse list."""
    path = tmp_path / "other.weights.h5"
    sparse_model(seed=1).save_weights(path)
    model = sparse_model(seed=2)
    cell = model.layers[-1].cell
    assert cell.circuit_parameters().synapses is not None
    assert not index_of(model).frozen
    model.load_weights(path)  # another graph, accepted: nothing computed with the old one
    np.testing.assert_array_equal(
        np.stack([index_of(model).pre, index_of(model).post]),
        np.nonzero(cell.adjacency.numpy()),
    )
    cell(np.zeros((1, 3), "float32"), [np.zeros((1, 10), "float32")])
    assert index_of(model).frozen
