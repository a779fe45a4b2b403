"""`wirings.Explicit`: a given graph that travels in the config."""

import json

import keras
import numpy as np
import pytest

from keras_biosyn import BioSynLTCCell, wirings


def test_the_graph_round_trips_through_the_config():
    adjacency = np.array([[1, 0, 0], [-1, 1, 0], [0, 0, 0]])
    wiring = wirings.Explicit(adjacency, [[1, 0, -1]], output_size=1)
    assert wiring.synapse_count == 3 and wiring.sensory_synapse_count == 2
    assert wiring.input_dim == 1 and wiring.units == 3
    config = json.loads(json.dumps(keras.saving.serialize_keras_object(wiring)))
    rebuilt = keras.saving.deserialize_keras_object(config)
    np.testing.assert_array_equal(rebuilt.adjacency_matrix, adjacency)
    np.testing.assert_array_equal(rebuilt.sensory_adjacency(1), [[1, 0, -1]])
    assert rebuilt.get_config() == wiring.get_config()
    cell = BioSynLTCCell(wiring)
    cell.build((None, 1))
    assert cell.resolved_synapse_layout == "sparse"  # 3 of 9 synapses


@pytest.mark.parametrize(
    "args, fragment",
    [
        (([[1, 2], [0, 1]], [[1, 1]]), "polarities"),
        (([[1, 0]], [[1]]), "shape"),
        (([[1]], [[1]], None, 2), "Received: input_dim=2"),
    ],
)
def test_bad_graphs(args, fragment):
    with pytest.raises(ValueError, match=fragment):
        wirings.Explicit(*args)
