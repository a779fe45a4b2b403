"""`describe`: the account of the learned circuit agrees with the coefficients it reduces."""

import importlib.util
import json
import types

import keras
import numpy as np
import pytest

from keras_biosyn import BioSynLTCCell, sequence_coefficients, wirings
from keras_biosyn.interpretability import CircuitDescription, describe, neuron_roles, plots

STEPS, FEATURES, UNITS = 13, 3, 8

needs_matplotlib = pytest.mark.skipif(
    importlib.util.find_spec("matplotlib") is None,
    reason='needs matplotlib: pip install "keras-biosyn[plots]"',
)


@pytest.fixture(scope="module")
def circuit():
    """A small NCP model, data, its coefficients and its description."""
    keras.utils.set_random_seed(0)
    # per-feature inputs (x0, x1, ...); the dense mapping's projections have their own tests
    cell = BioSynLTCCell(wirings.AutoNCP(UNITS, 2, seed=1), input_mapping="affine")
    model = keras.Sequential([keras.Input((None, FEATURES)), keras.layers.RNN(cell, name="ltc")])
    x = np.random.default_rng(0).normal(size=(6, STEPS, FEATURES)).astype("float32")
    return types.SimpleNamespace(
        model=model,
        cell=cell,
        x=x,
        coefficients=sequence_coefficients(
            model, x, coefficients=["tau", "conductance", "sensory_conductance"]
        ),
        description=describe(model, x),
    )


def test_markdown_names_every_neuron_and_input(circuit):
    description = circuit.description
    assert isinstance(description, CircuitDescription)
    text = description.to_markdown()
    assert str(description) == text
    assert text.startswith("# Circuit of `ltc`")
    roles = neuron_roles(circuit.cell.wiring)
    assert roles[:2] == ("motor", "motor") and roles[-1] == "inter"
    for i in range(UNITS):
        assert f"\n| n{i} | {roles[i]} | " in text
    for k in range(FEATURES):
        assert f"\n| x{k} | " in text
    assert len(text.splitlines()) < 40
    assert f"over 6 sequences, {6 * STEPS} steps" in text


def test_dict_is_json_safe_and_matches_the_arrays(circuit):
    description = circuit.description
    data = json.loads(json.dumps(description.to_dict()))
    assert data["layer"] == "ltc" and data["wiring"] == "AutoNCP"
    assert (data["units"], data["input_dim"], data["steps"]) == (UNITS, FEATURES, 6 * STEPS)
    assert [n["name"] for n in data["neurons"]] == [f"n{i}" for i in range(UNITS)]
    assert [n["tau"]["max"] for n in data["neurons"]] == description.tau_max.tolist()
    assert [n["leak"]["gleak"] for n in data["neurons"]] == description.gleak.tolist()
    assert data["synapses"] == np.count_nonzero(circuit.cell.adjacency.numpy())


def test_statistics_match_sequence_coefficients(circuit):
    description, coefficients = circuit.description, circuit.coefficients
    tau = coefficients["tau"]
    np.testing.assert_allclose(description.tau_min, tau.min(axis=(0, 1)), rtol=1e-7)
    np.testing.assert_allclose(description.tau_max, tau.max(axis=(0, 1)), rtol=1e-7)
    np.testing.assert_allclose(description.tau_mean, tau.mean(axis=(0, 1)), rtol=1e-5)
    g = coefficients["conductance"].astype(np.float64).mean(axis=(0, 1))
    gs = coefficients["sensory_conductance"].astype(np.float64).mean(axis=(0, 1))
    np.testing.assert_allclose(description.conductance, g, rtol=1e-5, atol=1e-9)
    np.testing.assert_allclose(description.sensory_conductance, gs, rtol=1e-5, atol=1e-9)
    np.testing.assert_array_equal(description.cm, circuit.cell.cm.numpy())


def test_strongest_inputs_are_the_argmax_of_the_mean_conductance(circuit):
    description, coefficients = circuit.description, circuit.coefficients
    polarity, sensory_polarity = circuit.cell.polarity()
    g = coefficients["conductance"].astype(np.float64).mean(axis=(0, 1))
    gs = coefficients["sensory_conductance"].astype(np.float64).mean(axis=(0, 1))
    names = [f"n{j}" for j in range(UNITS)] + [f"x{k}" for k in range(FEATURES)]
    listed = 0
    for i in range(UNITS):
        for sign in (1, -1):
            values = np.concatenate([g[:, i], gs[:, i]])
            exists = np.concatenate([polarity[:, i], sensory_polarity[:, i]]) == sign
            found = description.strongest_inputs(i, sign)
            if not exists.any():
                assert found == []
                continue
            strongest = int(np.argmax(np.where(exists, values, -np.inf)))
            assert found[0][0] == names[strongest]
            np.testing.assert_allclose(found[0][1], values[strongest], rtol=1e-5)
            assert len(found) == min(description.top, int(exists.sum()))
            listed += 1
    assert listed >= UNITS  # every neuron of an NCP has an input
    for k in range(FEATURES):
        for sign in (1, -1):
            exists = sensory_polarity[k] == sign
            found = description.driven_neurons(k, sign)
            if exists.any():
                strongest = int(np.argmax(np.where(exists, gs[k], -np.inf)))
                assert found[0][0] == f"n{strongest}"
            else:
                assert found == []


def test_chunking_does_not_change_the_description(circuit):
    whole = circuit.description
    chunked = describe(circuit.model, circuit.x, batch_size=4, time_chunk=5, top=1)
    np.testing.assert_array_equal(chunked.tau_min, whole.tau_min)
    np.testing.assert_array_equal(chunked.tau_max, whole.tau_max)
    np.testing.assert_allclose(chunked.tau_mean, whole.tau_mean, rtol=1e-6)
    np.testing.assert_allclose(chunked.conductance, whole.conductance, rtol=1e-6, atol=1e-12)
    assert chunked.steps == whole.steps and chunked.top == 1
    assert all(len(chunked.strongest_inputs(i, 1)) <= 1 for i in range(UNITS))


def test_fully_connected_roles_and_silent_synapses(rng):
    assert neuron_roles(wirings.FullyConnected(4, output_size=1)) == (
        "output",
        "hidden",
        "hidden",
        "hidden",
    )
    model = keras.Sequential([keras.Input((5, 2)), keras.layers.RNN(BioSynLTCCell(3, 1))])
    cell = model.layers[0].cell
    w = cell.w.numpy()
    w[1, 2] = 0.0  # the synapse n1 -> n2 carries nothing any more
    cell.w.assign(w)
    description = describe(model, rng.normal(size=(2, 5, 2)))
    assert description.silent_synapses == 1
    assert description.conductance[1, 2] == 0 and description.to_dict()["silent_synapses"] == 1
    text = str(description)
    assert "(1 of them silent: conductance 0 throughout)" in text
    assert "\n| n0 | output | " in text and "\n| n2 | hidden | " in text


def test_bad_arguments(circuit):
    lstm = keras.Sequential([keras.Input((STEPS, FEATURES)), keras.layers.LSTM(4)])
    with pytest.raises(ValueError, match=r"at least one keras\.layers\.RNN\(BioSynLTCCell"):
        describe(lstm, circuit.x)
    with pytest.raises(ValueError, match=r"\(N, T, 3\).*Received: data of shape \(6, 13, 5\)"):
        describe(circuit.model, np.zeros((6, STEPS, 5), "float32"))
    with pytest.raises(ValueError, match=r"Received: data of shape \(6, 13\)"):
        describe(circuit.model, np.zeros((6, STEPS), "float32"))
    with pytest.raises(ValueError, match=r"Expected finite `data`"):
        describe(circuit.model, np.full((1, STEPS, FEATURES), np.nan, "float32"))
    with pytest.raises(TypeError, match=r"real model inputs.*Received: data of type .* dtype <U1"):
        describe(circuit.model, np.full((1, STEPS, FEATURES), "a"))
    with pytest.raises(ValueError, match=r"`top`.*>= 1"):
        describe(circuit.model, circuit.x, top=0)
    with pytest.raises(ValueError, match=r"`time_chunk`.*>= 1"):
        describe(circuit.model, circuit.x, time_chunk=0)


@needs_matplotlib
def test_figure_is_written(circuit, tmp_path):
    path = tmp_path / "circuit.png"
    figure = circuit.description.plot(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "arrow width" in figure.axes[0].get_title()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["circuit.png"]
    with pytest.raises(ValueError, match=r"must end in|\.png"):
        circuit.description.plot(tmp_path / "circuit.jpg")
    with pytest.raises(ValueError, match=r"shapes \(8, 8\) and \(3, 8\).*\(2, 2\)"):
        plots.plot_wiring(circuit.cell, synapse_strengths=(np.ones((2, 2)), np.ones((3, 8))))


def test_a_dense_input_mapping_is_described_as_projections_of_the_features():
    keras.utils.set_random_seed(0)
    cell = BioSynLTCCell(wirings.AutoNCP(8, output_size=2, seed=0), input_mapping="dense")
    model = keras.Sequential([keras.Input((6, 3)), keras.layers.RNN(cell)])
    kernel = np.array([[0.1, -2.0, 0.0], [0.5, 0.3, 1.0], [-0.9, 0.2, 0.05]], "float32")
    cell.input_w.assign(kernel)
    description = describe(model, np.random.default_rng(0).normal(size=(4, 6, 3)))
    assert description.input_names == ["p0", "p1", "p2"]
    # the features that make each projection, largest |weight| first
    assert [f for f, _ in description.projection_sources(0)] == ["x2", "x1", "x0"]
    assert description.projection_sources(1)[0] == ("x0", pytest.approx(-2.0))
    text = description.to_markdown()
    assert "3 input features mixed into 3 projections" in text
    assert "| p1 | x0 (-2), x1 (0.3), x2 (0.2) |" in text
    neurons = description.to_dict()["neurons"]
    sources = {
        s["source"] for n in neurons for s in n["excitatory_inputs"] + n["inhibitory_inputs"]
    }
    assert not any(source.startswith("x") for source in sources)
    assert description.to_dict()["inputs"][2]["made_of"][0] == {"feature": "x1", "weight": 1.0}
