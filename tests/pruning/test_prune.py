"""`prune`: a new, independent, smaller model that saves, loads and exports."""

import keras
import numpy as np
import pytest

from keras_biosyn import export, wirings
from keras_biosyn.pruning import (
    GradualPruning,
    prune,
    synapse_importance,
    unreachable_neurons,
    with_graph,
    without_neurons,
)
from tests.pruning.conftest import make_model
from tests.testing import assert_config_round_trip, assert_keras_round_trip


def weights_of(model):
    return [np.array(v.numpy()) for v in model.weights]


def test_prune_keeps_the_strongest_synapses_in_a_new_model(model, data, tmp_path):
    before = weights_of(model)
    importance = synapse_importance(model, data[0])
    result = prune(model, data, keep=0.3)

    for original, now in zip(before, weights_of(model), strict=True):
        np.testing.assert_array_equal(original, now)  # the given model is untouched
    assert result.model is not model
    assert result.synapses_before == 25 + 15 and result.synapses_after == 12
    assert result.keep == pytest.approx(0.3)
    cell = result.model.get_layer("ltc").cell
    kept = np.concatenate([cell.adjacency.numpy().ravel(), cell.sensory_adjacency.numpy().ravel()])
    scores = np.concatenate(
        [
            importance.recurrent.mean_abs_current.ravel(),
            importance.sensory.mean_abs_current.ravel(),
        ]
    )
    assert np.count_nonzero(kept) == 12
    assert scores[kept != 0].min() >= scores[kept == 0].max()  # the 12 strongest
    # the graph lives in the wiring too, so "auto" picks the sparse layout again
    assert isinstance(cell.wiring, wirings.Explicit)
    assert cell.wiring.synapse_count == result.recurrent_synapses[1]
    assert cell.resolved_synapse_layout == result.synapse_layout == "sparse"
    assert np.all(cell.w.numpy()[cell.adjacency.numpy() == 0] == 0)
    assert result.parameters_after < result.parameters_before
    assert result.score_before.name == "accuracy" and result.score_after is not None
    assert_config_round_trip(cell)
    # independent: training the copy leaves the original alone
    result.model.fit(*data, epochs=1, verbose=0)
    for original, now in zip(before, weights_of(model), strict=True):
        np.testing.assert_array_equal(original, now)

    x = data[0][:3]
    dense = with_graph(
        result.model,
        cell.adjacency.numpy(),
        cell.sensory_adjacency.numpy(),
        synapse_layout="dense",
    )
    np.testing.assert_allclose(
        dense.predict(x, verbose=0), result.model.predict(x, verbose=0), atol=1e-6
    )
    loaded = assert_keras_round_trip(result.model, x, tmp_path)
    assert loaded.get_layer("ltc").cell.resolved_synapse_layout == "sparse"
    path = export.export_tflite(result.model, tmp_path / "pruned.tflite")
    assert not [op for op in export.tflite_ops(path) if "FLEX" in op or "CUSTOM" in op]
    assert export.compare(result.model, path, x)["max_abs_error"] <= 1e-5


def test_keeping_everything_changes_no_output(model, data):
    result = prune(model, data[0], keep=1.0)
    assert result.synapses_after == result.synapses_before
    assert result.score_before is None  # no labels
    np.testing.assert_allclose(
        result.model.predict(data[0], verbose=0), model.predict(data[0], verbose=0), atol=1e-6
    )


@pytest.mark.parametrize("importance", ["conductance", "magnitude", "random"])
def test_other_importances(model, data, importance):
    result = prune(model, data, keep=0.5, importance=importance, seed=3)
    assert result.synapses_after == 20 and result.importance == importance
    if importance == "magnitude":
        cell = model.get_layer("ltc").cell
        w = np.concatenate(
            [np.abs(cell.w.numpy()).ravel(), np.abs(cell.sensory_w.numpy()).ravel()]
        )
        new = result.model.get_layer("ltc").cell
        kept = np.concatenate(
            [new.adjacency.numpy().ravel(), new.sensory_adjacency.numpy().ravel()]
        )
        assert w[kept != 0].min() >= w[kept == 0].max()


def test_max_drop_prunes_as_far_as_the_score_allows(model, data):
    result = prune(model, data, max_drop=0.0)
    assert result.score_before.drop_to(result.score_after) <= 1e-9
    assert len(result.rounds) >= 3 and all(r["score"] is not None for r in result.rounds)
    anything = prune(model, data, max_drop=1.0)
    assert anything.synapses_after == 1


def test_fine_tuning_rounds(model, data):
    result = prune(model, data, keep=0.4, fine_tune={"epochs": 1, "rounds": 2})
    assert [r["synapses"] for r in result.rounds] == [25, 16]
    assert result.synapses_after == 16
    rounds = prune(model, data, max_drop=0.5, fine_tune={"epochs": 1, "rounds": 2})
    assert len(rounds.rounds) <= 2 and rounds.synapses_after < rounds.synapses_before


def test_disconnected_neurons_are_reported(data):
    wiring = wirings.NCP(2, 2, 1, 2, 2, 2, 1, seed=0)
    model = make_model(wiring=wiring)
    result = prune(model, data, keep=0.1, remove_neurons=False)
    assert result.removed_neurons == [] and result.units == (5, 5)
    cell = result.model.get_layer("ltc").cell
    adjacency = cell.adjacency.numpy() != 0
    for neuron in result.neurons_without_inputs:
        others = np.delete(adjacency[:, neuron], neuron)
        assert not others.any() and not cell.sensory_adjacency.numpy()[:, neuron].any()
    for neuron in result.neurons_without_outputs:
        assert neuron >= cell.output_size and not np.delete(adjacency[neuron], neuron).any()
    assert result.isolated_neurons  # 10 % of an NCP's synapses leaves some neurons out
    assert sorted(set(result.neurons_without_inputs) | set(result.neurons_without_outputs)) == (
        result.isolated_neurons
    )


def test_neurons_that_reach_no_output_are_removed_exactly(data, tmp_path):
    wiring = wirings.AutoNCP(12, 2, seed=1)
    model = make_model(wiring=wiring)
    kept = prune(model, data, keep=0.25, remove_neurons=False)
    result = prune(model, data, keep=0.25)
    graph = kept.model.get_layer("ltc").cell.adjacency.numpy()
    assert result.removed_neurons == unreachable_neurons(graph, 2) != []
    survivors = np.setdiff1d(np.arange(12), result.removed_neurons)
    assert result.units == (12, len(survivors))
    cell, full = result.model.get_layer("ltc").cell, kept.model.get_layer("ltc").cell
    assert cell.units == len(survivors) and cell.output_size == 2
    np.testing.assert_array_equal(cell.w.numpy(), full.w.numpy()[np.ix_(survivors, survivors)])
    np.testing.assert_array_equal(cell.cm.numpy(), full.cm.numpy()[survivors])
    np.testing.assert_array_equal(cell.sensory_mu.numpy(), full.sensory_mu.numpy()[:, survivors])
    assert result.synapses_after == (
        np.count_nonzero(cell.adjacency.numpy()) + np.count_nonzero(cell.sensory_adjacency.numpy())
    )
    assert result.synapses_after < kept.synapses_after
    assert result.parameters_after < kept.parameters_after
    np.testing.assert_allclose(
        result.model.predict(data[0], verbose=0), kept.model.predict(data[0], verbose=0), atol=1e-6
    )
    assert_keras_round_trip(result.model, data[0], tmp_path)
    assert result.to_dict()["removed_neurons"] == result.removed_neurons


def test_unreachable_neurons_match_a_search_from_the_outputs():
    rng = np.random.default_rng(0)
    for _ in range(50):
        units, outputs = rng.integers(1, 9), rng.integers(1, 4)
        graph = rng.random((units, units)) < rng.uniform(0.05, 0.5)
        reached, frontier = set(range(min(outputs, units))), list(range(min(outputs, units)))
        while frontier:  # walk the synapses backwards from the outputs
            post = frontier.pop()
            for pre in np.flatnonzero(graph[:, post]):
                if pre not in reached:
                    reached.add(int(pre))
                    frontier.append(int(pre))
        expected = sorted(set(range(units)) - reached)
        assert unreachable_neurons(graph.astype(int), outputs) == expected


def test_output_neurons_cannot_be_removed(data):
    model = make_model(wiring=wirings.AutoNCP(12, 2, seed=1))
    with pytest.raises(
        ValueError, match=r"non-output neurons, in \[2, 12\).*Received: neurons=\[1\]"
    ):
        without_neurons(model, [1])
    with pytest.raises(ValueError, match="leaving at least one"):
        without_neurons(make_model(wiring=wirings.AutoNCP(12, 2, seed=1)), [*range(2, 12), 0])


def test_gradual_pruning_during_fit(model, data):
    pruning = GradualPruning(data[0], final_keep=0.5, start_epoch=0, end_epoch=1)
    model.fit(*data, epochs=3, verbose=0, callbacks=[pruning])
    assert [h["epoch"] for h in pruning.history] == [0, 1]
    assert pruning.history[-1]["synapses"] == 20
    cell = model.get_layer("ltc").cell
    assert (
        np.count_nonzero(cell.adjacency.numpy()) + np.count_nonzero(cell.sensory_adjacency.numpy())
        == 20
    )


@pytest.mark.parametrize(
    "kwargs, error, fragment",
    [
        ({"keep": 0.0}, ValueError, "Received: keep=0.0"),
        ({"keep": 1.5}, ValueError, "Received: keep=1.5"),
        ({}, ValueError, "exactly one of `keep` and `max_drop`"),
        ({"keep": 0.5, "max_drop": 0.1}, ValueError, "Received: keep=0.5, max_drop=0.1"),
        ({"keep": "half"}, TypeError, "Received: keep='half'"),
        ({"keep": 0.5, "importance": "size"}, ValueError, "Received: importance='size'"),
        ({"keep": 0.5, "fine_tune": {"epoch": 1}}, ValueError, "Received: fine_tune="),
    ],
)
def test_bad_arguments(model, data, kwargs, error, fragment):
    with pytest.raises(error) as info:
        prune(model, data, **kwargs)
    message = str(info.value)
    assert fragment in message and "Received" in message and "\n" not in message


def test_bad_models_and_data(model, data):
    lstm = keras.Sequential([keras.Input((5, 3)), keras.layers.LSTM(2)])
    with pytest.raises(ValueError, match=r"Expected a model with at least one .*Received"):
        prune(lstm, data, keep=0.5)
    with pytest.raises(ValueError, match=r"shape \(N, 5, 3\).*Received: data of shape"):
        prune(model, np.zeros((4, 5, 2), "float32"), keep=0.5)
    with pytest.raises(ValueError, match="Received: 12 sequences and 3 labels"):
        prune(model, (data[0], data[1][:3]), keep=0.5)
    with pytest.raises(ValueError, match=r"with `max_drop`.*Received: a compiled model and no"):
        prune(model, data[0], max_drop=0.1)
    uncompiled = make_model(compile=False)
    with pytest.raises(ValueError, match="Received: an uncompiled model and labels"):
        prune(uncompiled, data, keep=0.5, fine_tune=1)
