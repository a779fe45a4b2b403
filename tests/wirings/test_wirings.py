import keras
import numpy as np
import pytest

from keras_biosyn import wirings

ALL_WIRINGS = {
    "fully_connected": lambda seed: wirings.FullyConnected(10, output_size=3, seed=seed),
    "random": lambda seed: wirings.Random(10, output_size=3, sparsity=0.6, seed=seed),
    "ncp": lambda seed: wirings.NCP(5, 4, 2, 3, 2, 4, 2, seed=seed),
    "auto_ncp": lambda seed: wirings.AutoNCP(12, output_size=3, sparsity=0.5, seed=seed),
}


@pytest.fixture(params=sorted(ALL_WIRINGS))
def seeded_wiring(request):
    """Each kind of `ALL_WIRINGS` in turn, as a function of the seed."""
    return ALL_WIRINGS[request.param]


def test_adjacency_shapes_and_polarities(seeded_wiring):
    wiring = seeded_wiring(3)
    adjacency = wiring.adjacency_matrix
    sensory = wiring.sensory_adjacency(4)
    assert adjacency.shape == (wiring.units, wiring.units)
    assert sensory.shape == (4, wiring.units)
    assert set(np.unique(adjacency)) <= {-1, 0, 1}
    assert set(np.unique(sensory)) <= {-1, 0, 1}
    assert wiring.synapse_count == np.count_nonzero(adjacency)
    assert wiring.with_input_dim(4).sensory_synapse_count == np.count_nonzero(sensory)
    assert not adjacency.flags.writeable


def test_same_config_gives_same_graph(seeded_wiring):
    wiring = seeded_wiring(7)
    rebuilt = type(wiring).from_config(wiring.get_config())
    np.testing.assert_array_equal(wiring.adjacency_matrix, rebuilt.adjacency_matrix)
    np.testing.assert_array_equal(wiring.sensory_adjacency(5), rebuilt.sensory_adjacency(5))
    assert rebuilt.get_config() == wiring.get_config()


def test_keras_serialization_round_trip(seeded_wiring):
    wiring = seeded_wiring(7)
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(wiring))
    assert type(restored) is type(wiring)
    np.testing.assert_array_equal(wiring.adjacency_matrix, restored.adjacency_matrix)


def test_seeds_change_the_graph(seeded_wiring):
    graphs = {seeded_wiring(seed).adjacency_matrix.tobytes() for seed in range(5)}
    assert len(graphs) > 1


def test_unseeded_wiring_stores_its_seed(seeded_wiring):
    wiring = seeded_wiring(None)
    assert isinstance(wiring.seed, int)
    rebuilt = type(wiring).from_config(wiring.get_config())
    np.testing.assert_array_equal(wiring.adjacency_matrix, rebuilt.adjacency_matrix)


def test_sensory_graph_does_not_depend_on_query_order(seeded_wiring):
    first = seeded_wiring(1)
    a3, a5 = first.sensory_adjacency(3), first.sensory_adjacency(5)
    second = seeded_wiring(1)
    np.testing.assert_array_equal(second.sensory_adjacency(5), a5)
    np.testing.assert_array_equal(second.sensory_adjacency(3), a3)


def test_with_input_dim_binds_and_detects_conflicts():
    wiring = wirings.FullyConnected(4, seed=0)
    bound = wiring.with_input_dim(3)
    assert bound is not wiring and wiring.input_dim is None and bound.input_dim == 3
    assert bound.with_input_dim(3) is bound
    np.testing.assert_array_equal(bound.adjacency_matrix, wiring.adjacency_matrix)
    with pytest.raises(ValueError, match=r"input_dim=3 features.*receives 5"):
        bound.with_input_dim(5)
    with pytest.raises(ValueError, match="has no `input_dim`"):
        _ = wiring.sensory_adjacency_matrix


def test_fully_connected_counts_and_excitatory_share():
    wiring = wirings.FullyConnected(60, seed=0)
    assert wiring.synapse_count == 3600
    assert wiring.sensory_adjacency(7).all()
    share = np.mean(wiring.adjacency_matrix == 1)
    assert 0.62 < share < 0.71  # excitatory with probability 2/3


@pytest.mark.parametrize("sparsity", [0.0, 0.3, 0.9])
def test_random_has_exact_synapse_counts(sparsity):
    wiring = wirings.Random(20, sparsity=sparsity, seed=2)
    assert wiring.synapse_count == round(400 * (1 - sparsity))
    assert np.count_nonzero(wiring.sensory_adjacency(6)) == round(120 * (1 - sparsity))


def test_ncp_layers_follow_the_circuit():
    wiring = wirings.NCP(
        8,
        5,
        3,
        sensory_fanout=4,
        inter_fanout=2,
        recurrent_command_synapses=6,
        motor_fanin=3,
        seed=4,
    )
    groups = wiring.neuron_groups
    motor, command, inter = (np.array(groups[k]) for k in ("motor", "command", "inter"))
    assert (len(motor), len(command), len(inter)) == (3, 5, 8)
    assert wiring.output_size == 3 and wiring.units == 16
    adjacency = np.abs(wiring.adjacency_matrix)
    sensory = np.abs(wiring.sensory_adjacency(6))
    allowed = np.zeros_like(adjacency, dtype=bool)
    allowed[np.ix_(inter, command)] = True
    allowed[np.ix_(command, command)] = True
    allowed[np.ix_(command, motor)] = True
    assert not adjacency[~allowed].any(), "synapse outside the NCP layer structure"
    assert not sensory[:, np.concatenate([motor, command])].any()
    # fan-out / fan-in as configured (unreached neurons may add more)
    assert (sensory[:, inter].sum(axis=1) >= 4).all()
    assert (adjacency[np.ix_(inter, command)].sum(axis=1) >= 2).all()
    assert (adjacency[np.ix_(command, motor)].sum(axis=0) >= 3).all()
    # every inter, command and motor neuron is reached
    assert sensory[:, inter].any(axis=0).all()
    assert adjacency[np.ix_(inter, command)].any(axis=0).all()
    assert adjacency[:, motor].any(axis=0).all()
    assert adjacency[np.ix_(command, motor)].any(axis=1).all()


def test_auto_ncp_sizes_and_sparsity():
    dense = wirings.AutoNCP(32, output_size=4, sparsity=0.1, seed=0)
    sparse = wirings.AutoNCP(32, output_size=4, sparsity=0.8, seed=0)
    assert (dense.motor_neurons, dense.command_neurons, dense.inter_neurons) == (
        4,
        11,
        17,
    )
    assert sparse.synapse_count < dense.synapse_count
    assert sparse.sensory_adjacency(8).sum() != 0


@pytest.mark.parametrize(
    "factory, error, match",
    [
        (
            lambda: wirings.FullyConnected(0),
            ValueError,
            "units.*>= 1.*Received: units=0",
        ),
        (lambda: wirings.FullyConnected(4.0), TypeError, "integer.*units=4.0"),
        (lambda: wirings.FullyConnected(4, output_size=5), ValueError, "output_size=5"),
        (lambda: wirings.Random(4, sparsity=1.0), ValueError, "sparsity.*1.0"),
        (lambda: wirings.Random(4, sparsity=-0.1), ValueError, "sparsity"),
        (lambda: wirings.AutoNCP(5, output_size=4), ValueError, "output_size=4"),
        (lambda: wirings.NCP(3, 2, 1, 4, 1, 1, 1), ValueError, "sensory_fanout.*<= 3"),
        (lambda: wirings.NCP(3, 2, 1, 2, 3, 1, 1), ValueError, "inter_fanout.*<= 2"),
        (lambda: wirings.NCP(3, 2, 1, 2, 1, 1, 3), ValueError, "motor_fanin.*<= 2"),
        (
            lambda: wirings.FullyConnected(4).sensory_adjacency(0),
            ValueError,
            "input_dim",
        ),
    ],
)
def test_bad_arguments_raise_clear_errors(factory, error, match):
    with pytest.raises(error, match=match):
        factory()


def _depth_by_matrix_powers(wiring, input_dim):
    """Brute force: the smallest k at which each output is reached, maximised."""
    reach = (np.abs(wiring.sensory_adjacency(input_dim)) > 0).any(axis=0).astype(int)
    step = (np.abs(wiring.adjacency_matrix) > 0).astype(int)
    first, hop = np.full(wiring.units, -1), reach
    for k in range(1, wiring.units + 1):
        first[(hop > 0) & (first < 0)] = k
        hop = np.minimum(hop @ step, 1)
    reached = first[: wiring.output_size]
    return int(reached[reached > 0].max()) if (reached > 0).any() else 1


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_depth_is_the_longest_shortest_path_from_an_input_to_an_output(seeded_wiring, seed):
    wiring = seeded_wiring(seed)
    for input_dim in (1, 4):
        assert wiring.depth(input_dim) == _depth_by_matrix_powers(wiring, input_dim)


def test_depth_of_the_layered_and_dense_wirings():
    assert wirings.FullyConnected(10, output_size=3, seed=0).depth(4) == 1
    assert wirings.NCP(5, 4, 2, 3, 2, 4, 2, seed=0).depth(4) == 3
    assert wirings.AutoNCP(40, output_size=4, seed=0).depth(2) == 3
    with pytest.raises(ValueError, match="input_dim"):
        wirings.FullyConnected(4).depth()
