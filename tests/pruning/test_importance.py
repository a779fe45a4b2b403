"""`synapse_importance`: chunked statistics equal a float64 step-by-step reference."""

import numpy as np
import pytest

from keras_biosyn import wirings
from keras_biosyn.interpretability.sequence import STATE, SequenceRunner
from keras_biosyn.pruning import importance_scores, synapse_importance
from tests.pruning.conftest import make_model


def reference_statistics(model, x):
    """Loops over sequences and steps with the cell's own `linear_system` and `call`."""
    rnn = model.get_layer("ltc")
    cell = rnn.cell
    sequences = np.asarray(model.get_layer("upstream")(x))
    erev = cell.erev.numpy().astype(np.float64)
    sensory_erev = cell.sensory_erev.numpy().astype(np.float64)
    stats = {
        kind: {"abs": 0.0, "sum": 0.0, "max_abs": 0.0, "g": 0.0, "max_g": 0.0}
        for kind in ("recurrent", "sensory")
    }
    steps = 0
    for sequence in sequences:
        v = np.zeros((1, cell.units), np.float32)
        for step in sequence:
            u = step[None]
            system = cell.linear_system(u, v)
            v64 = v.astype(np.float64)[0]
            for kind, name, reversal in (
                ("recurrent", "conductance", erev),
                ("sensory", "sensory_conductance", sensory_erev),
            ):
                g = np.asarray(system[name], np.float64)[0]
                current = g * (reversal - v64[None, :])
                entry = stats[kind]
                entry["abs"] = entry["abs"] + np.abs(current)
                entry["sum"] = entry["sum"] + current
                entry["max_abs"] = np.maximum(entry["max_abs"], np.abs(current))
                entry["g"] = entry["g"] + g
                entry["max_g"] = np.maximum(entry["max_g"], g)
            v = np.asarray(cell.call(u, [v])[1][0])
            steps += 1
    return stats, steps


@pytest.mark.parametrize("wiring", ["fully_connected", "random"])
def test_statistics_match_a_float64_step_by_step_reference(wiring, data):
    graph = (
        wirings.FullyConnected(4, seed=2)
        if wiring == "fully_connected"
        else wirings.Random(4, sparsity=0.5, seed=2)
    )
    model = make_model(wiring=graph)
    x = data[0][:5]
    # chunks of 2 sequences x 2 steps: the state crosses chunk and batch boundaries
    importance = synapse_importance(model, x, batch_size=2, time_chunk=2)
    expected, steps = reference_statistics(model, x)
    assert importance.steps == steps == 5 * 5
    for kind, measured in (("recurrent", importance.recurrent), ("sensory", importance.sensory)):
        entry = expected[kind]
        pairs = {
            "mean_abs_current": entry["abs"] / steps,
            "mean_current": entry["sum"] / steps,
            "max_abs_current": entry["max_abs"],
            "mean_conductance": entry["g"] / steps,
            "max_conductance": entry["max_g"],
        }
        for field, value in pairs.items():
            np.testing.assert_allclose(
                getattr(measured, field), value, rtol=1e-5, atol=1e-7, err_msg=f"{kind} {field}"
            )
    absent = importance.adjacency == 0
    assert np.isfinite(importance.recurrent.mean_abs_current).all()
    assert (importance.recurrent.mean_abs_current[absent] == 0).all()
    assert (importance.recurrent.max_conductance[absent] == 0).all()
    assert (importance.recurrent.mean_abs_current[~absent] > 0).all()


def test_runner_outputs_the_state_entering_each_step(model, data):
    x = data[0][:3]
    rnn = model.get_layer("ltc")
    runner = SequenceRunner(model, rnn, ["tau", STATE])
    values = runner.run(runner.layer_inputs(x), batch_size=2, time_chunk=3)
    assert values[STATE].shape == (3, 5, 5)
    np.testing.assert_array_equal(values[STATE][:, 0], 0.0)
    cell = rnn.cell
    sequences = np.asarray(model.get_layer("upstream")(x))
    v = np.zeros((3, cell.units), np.float32)
    for t in range(5):
        np.testing.assert_allclose(values[STATE][:, t], v, atol=1e-6)
        v = np.asarray(cell.call(sequences[:, t], [v])[1][0])


def test_scores_of_each_kind(model, data):
    x = data[0]
    cell = model.get_layer("ltc").cell
    recurrent, sensory = importance_scores(model, x, "magnitude")
    np.testing.assert_allclose(recurrent, np.abs(cell.w.numpy()))
    np.testing.assert_allclose(sensory, np.abs(cell.sensory_w.numpy()))
    first = importance_scores(model, x, "random", seed=1)
    assert not np.array_equal(first[0], importance_scores(model, x, "random", seed=2)[0])
    measured = synapse_importance(model, x)
    np.testing.assert_array_equal(
        importance_scores(model, x, "conductance")[0], measured.recurrent.mean_conductance
    )
    with pytest.raises(ValueError, match="Received: importance='loudness'"):
        importance_scores(model, x, "loudness")


def test_data_of_the_wrong_shape_is_refused(model):
    with pytest.raises(ValueError, match=r"Expected `data` of shape \(N, 5, 3\).*Received"):
        synapse_importance(model, np.zeros((2, 5, 4), "float32"))
    with pytest.raises(TypeError, match="Received: data of type str"):
        synapse_importance(model, "x.npy")
