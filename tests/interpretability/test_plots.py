"""The figures of `keras_biosyn.interpretability.plots`: they render, save and validate."""

import importlib.util
import sys
import types

import keras
import numpy as np
import pytest

from keras_biosyn import (
    BioSynLTCCell,
    CoefficientRecorder,
    CTRNNCell,
    sequence_coefficients,
    wirings,
)
from keras_biosyn.interpretability import load_recording, plots

STEPS, FEATURES, UNITS = 12, 3, 8
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
INSTALL_HINT = r'pip install "keras-biosyn\[plots\]"'

needs_matplotlib = pytest.mark.skipif(
    importlib.util.find_spec("matplotlib") is None,
    reason='needs matplotlib: pip install "keras-biosyn[plots]"',
)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A small NCP model, its coefficients, and the recordings of a short fit."""
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, STEPS, FEATURES)).astype("float32")
    y = x[:, -1, :2]
    cell = BioSynLTCCell(wirings.AutoNCP(UNITS, 2, seed=1))
    model = keras.Sequential([keras.Input((STEPS, FEATURES)), keras.layers.RNN(cell, name="ltc")])
    model.compile(keras.optimizers.Adam(0.05), "mse")
    save_path = tmp_path_factory.mktemp("recording")
    per_epoch = CoefficientRecorder(x[:4], save_path=save_path)
    per_batch = CoefficientRecorder(x[:2], every_n_batches=1, coefficients=["tau"])
    model.fit(x, y, epochs=2, batch_size=8, verbose=0, callbacks=[per_epoch, per_batch])
    return types.SimpleNamespace(
        model=model,
        cell=cell,
        coefficients=sequence_coefficients(model, x[:3]),
        history=per_epoch.history,
        batch_history=per_batch.history,
        loaded=load_recording(save_path),
    )


def assert_png(path):
    from matplotlib.image import imread

    assert path.is_file()
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    image = imread(path)
    assert image.ndim == 3 and image.std() > 0  # not blank
    assert not list(path.parent.glob(".*.tmp"))  # no temporary file left


def lines_data(axis):
    return [line.get_ydata() for line in axis.get_lines()]


# -- plot_coefficients_over_time ---------------------------------------------------------
@needs_matplotlib
def test_coefficients_over_time_default_neurons(trained, tmp_path):
    path = tmp_path / "coefficients.png"
    figure = plots.plot_coefficients_over_time(trained.coefficients, path=path)
    assert_png(path)
    top, bottom = figure.axes
    assert bottom.get_xlabel() == "step"
    assert len(top.get_lines()) == len(bottom.get_lines()) == 8
    tau, b = trained.coefficients["tau"], trained.coefficients["b"]
    np.testing.assert_array_equal(top.get_lines()[0].get_xdata(), np.arange(STEPS))
    np.testing.assert_array_equal(np.stack(lines_data(top)), tau[0].T)
    np.testing.assert_array_equal(np.stack(lines_data(bottom)), b[0].T)


@needs_matplotlib
def test_coefficients_over_time_chosen_neurons_and_sample(trained, tmp_path):
    figure = plots.plot_coefficients_over_time(trained.coefficients, neurons=[5, 1], sample=2)
    top, bottom = figure.axes
    tau, b = trained.coefficients["tau"], trained.coefficients["b"]
    np.testing.assert_array_equal(np.stack(lines_data(top)), tau[2][:, [5, 1]].T)
    np.testing.assert_array_equal(np.stack(lines_data(bottom)), b[2][:, [5, 1]].T)
    assert [t.get_text() for t in top.get_legend().get_texts()] == ["neuron 5", "neuron 1"]
    single = plots.plot_coefficients_over_time(trained.coefficients, neurons=np.int64(3))
    assert len(single.axes[0].get_lines()) == 1
    assert not list(tmp_path.iterdir())  # nothing saved without `path`


# -- plot_conductance_matrices -----------------------------------------------------------
@needs_matplotlib
def test_conductance_matrices_default_steps(trained, tmp_path):
    path = tmp_path / "conductance.png"
    figure = plots.plot_conductance_matrices(trained.coefficients, path=path)
    assert_png(path)
    heatmaps = [axis for axis in figure.axes if axis.images]
    assert len(figure.axes) == 4  # three heatmaps and the colour bar
    assert [axis.get_title() for axis in heatmaps] == ["step 0", "step 6", "step 11"]
    assert heatmaps[0].get_ylabel() == "presynaptic neuron"
    assert heatmaps[0].get_xlabel() == "postsynaptic neuron"
    conductance = trained.coefficients["conductance"]
    for axis, step in zip(heatmaps, (0, 6, 11), strict=True):
        np.testing.assert_array_equal(axis.images[0].get_array(), conductance[0, step])
    limits = {axis.images[0].get_clim() for axis in heatmaps}
    assert len(limits) == 1  # one shared colour scale
    (low, high) = limits.pop()
    assert low == 0.0 and high == pytest.approx(conductance[0, [0, 6, 11]].max())


@needs_matplotlib
def test_conductance_matrices_chosen_steps(trained):
    figure = plots.plot_conductance_matrices(trained.coefficients, steps=[-1, 2], sample=1)
    heatmaps = [axis for axis in figure.axes if axis.images]
    assert [axis.get_title() for axis in heatmaps] == ["step 11", "step 2"]
    conductance = trained.coefficients["conductance"]
    np.testing.assert_array_equal(heatmaps[0].images[0].get_array(), conductance[1, -1])
    one = plots.plot_conductance_matrices(trained.coefficients, steps=4)
    assert [axis.get_title() for axis in one.axes if axis.images] == ["step 4"]


# -- plot_wiring ---------------------------------------------------------------------------
def drawn_synapses(figure):
    """`{"excitatory": n, "inhibitory": n}` counted from arrows and self-synapse rings."""
    from matplotlib.colors import to_rgb
    from matplotlib.patches import FancyArrowPatch

    names = {
        to_rgb(plots.EXCITATORY_COLOR): "excitatory",
        to_rgb(plots.INHIBITORY_COLOR): "inhibitory",
    }
    counts = {"excitatory": 0, "inhibitory": 0}
    axis = figure.axes[0]
    for patch in axis.patches:
        if isinstance(patch, FancyArrowPatch):
            counts[names[to_rgb(patch.get_edgecolor())]] += 1
    for collection in axis.collections:
        if collection.get_gid() == "self_synapses":
            colour = names[to_rgb(collection.get_edgecolor()[0])]
            counts[colour] += len(collection.get_offsets())
    return counts


def expected_synapses(recurrent, sensory):
    both = np.concatenate([np.ravel(recurrent), np.ravel(sensory)])
    return {"excitatory": int(np.sum(both > 0)), "inhibitory": int(np.sum(both < 0))}


def column_titles(figure):
    return [text.get_text() for text in figure.axes[0].texts if text.get_gid() == "column_title"]


@needs_matplotlib
@pytest.mark.parametrize("source", ["cell", "rnn_layer", "wiring", "unbuilt_cell"])
def test_wiring_of_an_ncp_circuit(trained, tmp_path, source):
    wiring = wirings.AutoNCP(UNITS, 2, seed=1)
    target, input_dim = {
        "cell": (trained.cell, None),
        "rnn_layer": (trained.model.get_layer("ltc"), None),
        "wiring": (wiring, FEATURES),
        "unbuilt_cell": (BioSynLTCCell(wiring), FEATURES),
    }[source]
    path = tmp_path / "wiring.png"
    figure = plots.plot_wiring(target, input_dim=input_dim, path=path)
    assert_png(path)
    assert column_titles(figure) == ["sensory", "inter", "command", "motor"]
    legend = [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
    assert legend[:2] == ["excitatory", "inhibitory"]
    # Training keeps erev's sign here, so all four draw the wiring's polarities.
    expected = expected_synapses(wiring.adjacency_matrix, wiring.sensory_adjacency(FEATURES))
    assert drawn_synapses(figure) == expected


@needs_matplotlib
def test_wiring_without_groups_has_hidden_and_output_columns(tmp_path):
    wiring = wirings.FullyConnected(5, output_size=2, input_dim=2, seed=3)
    path = tmp_path / "fully_connected.png"
    figure = plots.plot_wiring(wiring, path=path)
    assert_png(path)
    assert column_titles(figure) == ["sensory", "hidden", "output"]
    assert drawn_synapses(figure) == expected_synapses(
        wiring.adjacency_matrix, wiring.sensory_adjacency()
    )
    rings = [c for c in figure.axes[0].collections if c.get_gid() == "self_synapses"]
    assert sum(len(ring.get_offsets()) for ring in rings) == 5  # every neuron's self-synapse
    everything_is_output = wirings.FullyConnected(3, input_dim=1, seed=0)
    assert column_titles(plots.plot_wiring(everything_is_output)) == ["sensory", "output"]


@needs_matplotlib
def test_wiring_of_a_built_cell_follows_learned_polarity_and_pruning():
    cell = BioSynLTCCell(wirings.FullyConnected(4, output_size=2, seed=0))
    cell.build((None, 2))
    recurrent = cell.wiring.adjacency_matrix
    sensory = cell.wiring.sensory_adjacency()
    before = drawn_synapses(plots.plot_wiring(cell))
    assert before == expected_synapses(recurrent, sensory)
    # Flip every learned reversal potential: the colours follow `erev`, not the wiring.
    cell.erev.assign(-cell.erev)
    cell.sensory_erev.assign(-cell.sensory_erev)
    flipped = drawn_synapses(plots.plot_wiring(cell))
    assert flipped == {"excitatory": before["inhibitory"], "inhibitory": before["excitatory"]}
    # A pruned synapse (adjacency entry 0) is not drawn.
    pruned = np.array(recurrent, dtype="float32")
    pruned[0, 1] = 0.0
    cell.adjacency.assign(pruned)
    assert sum(drawn_synapses(plots.plot_wiring(cell)).values()) == sum(flipped.values()) - 1


@needs_matplotlib
def test_wiring_of_a_ctrnn_cell_follows_its_polarity():
    cell = CTRNNCell(wirings.FullyConnected(4, output_size=2, seed=0))
    cell.build((None, 2))
    recurrent, sensory = cell.polarity()
    figure = plots.plot_wiring(keras.layers.RNN(cell))
    assert column_titles(figure) == ["sensory", "hidden", "output"]
    assert drawn_synapses(figure) == expected_synapses(recurrent, sensory)


# -- plot_training_trajectories ----------------------------------------------------------
@needs_matplotlib
def test_training_trajectories_from_history(trained, tmp_path):
    path = tmp_path / "trajectories.png"
    figure = plots.plot_training_trajectories(trained.history, path=path)
    assert_png(path)
    axis = figure.axes[0]
    assert axis.get_xlabel() == "epoch"
    assert len(axis.get_lines()) == 8
    np.testing.assert_array_equal(axis.get_lines()[0].get_xdata(), [0, 1, 2])
    tau = np.stack(trained.history["ltc/tau"]).astype(np.float64).mean(axis=(1, 2))
    np.testing.assert_allclose(np.stack(lines_data(axis)), tau.T)


@needs_matplotlib
def test_training_trajectories_from_a_loaded_recording(trained, tmp_path):
    path = tmp_path / "loaded.png"
    figure = plots.plot_training_trajectories(
        trained.loaded, layer="ltc", coefficient="recurrent_A", neurons=[2, 3], path=path
    )
    assert_png(path)
    axis = figure.axes[0]
    expected = trained.loaded["ltc/recurrent_A"].astype(np.float64).mean(axis=(1, 2))
    np.testing.assert_allclose(np.stack(lines_data(axis)), expected[:, [2, 3]].T)
    from_history = plots.plot_training_trajectories(
        trained.history, coefficient="recurrent_A", neurons=[2, 3]
    )
    np.testing.assert_allclose(lines_data(from_history.axes[0]), lines_data(axis))


@needs_matplotlib
def test_training_trajectories_of_batch_records_use_the_record_index(trained, tmp_path):
    path = tmp_path / "batches.png"
    figure = plots.plot_training_trajectories(trained.batch_history, path=path)
    assert_png(path)
    axis = figure.axes[0]
    records = len(trained.batch_history["epoch"])  # initial + 2 batches x 2 epochs
    assert records == 5 and axis.get_xlabel() == "record"
    np.testing.assert_array_equal(axis.get_lines()[0].get_xdata(), np.arange(records))


# -- errors --------------------------------------------------------------------------------
def fake_recording(*layers, records=2, shape=(2, 3, 4)):
    recording = {"epoch": list(range(records)), "batch": [-1] * records}
    for layer in layers:
        recording[f"{layer}/tau"] = [np.ones(shape)] * records
    return recording


@needs_matplotlib
@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda c: plots.plot_coefficients_over_time([c["tau"]]), TypeError, "sequence_coeff"),
        (lambda c: plots.plot_coefficients_over_time({"b": c["b"]}), ValueError, "'tau'"),
        (
            lambda c: plots.plot_coefficients_over_time({"tau": c["tau"][0], "b": c["b"][0]}),
            ValueError,
            r"Received: tau of shape \(12, 8\)",
        ),
        (
            lambda c: plots.plot_coefficients_over_time({"tau": c["tau"], "b": c["b"][:1]}),
            ValueError,
            "same shape",
        ),
        (lambda c: plots.plot_coefficients_over_time(c, sample=3), ValueError, "sample=3"),
        (lambda c: plots.plot_coefficients_over_time(c, sample="0"), TypeError, "sample"),
        (lambda c: plots.plot_coefficients_over_time(c, neurons=[8]), ValueError, r"\[0, 8\)"),
        (lambda c: plots.plot_coefficients_over_time(c, neurons=[]), ValueError, "non-empty"),
        (lambda c: plots.plot_coefficients_over_time(c, neurons=[True]), ValueError, "True"),
        (lambda c: plots.plot_coefficients_over_time(c, neurons=1.5), TypeError, "1.5"),
        (lambda c: plots.plot_conductance_matrices({}), ValueError, "'conductance'"),
        (
            lambda c: plots.plot_conductance_matrices({"conductance": c["input_A"]}),
            ValueError,
            "units, units",
        ),
        (lambda c: plots.plot_conductance_matrices(c, steps=[12]), ValueError, r"\[-12, 12\)"),
        (lambda c: plots.plot_conductance_matrices(c, steps=[-13]), ValueError, "-13"),
    ],
)
def test_coefficient_plots_reject_bad_arguments(trained, call, error, match):
    with pytest.raises(error, match=match):
        call(trained.coefficients)


@needs_matplotlib
def test_wiring_rejects_bad_arguments(trained):
    with pytest.raises(TypeError, match="Received: cell_or_wiring of type str"):
        plots.plot_wiring("ncp")
    with pytest.raises(TypeError, match="Received: cell_or_wiring of type Sequential"):
        plots.plot_wiring(trained.model)
    with pytest.raises(ValueError, match="pass `input_dim=`"):
        plots.plot_wiring(wirings.AutoNCP(UNITS, 2, seed=1))
    with pytest.raises(ValueError, match="pass `input_dim=`"):
        plots.plot_wiring(BioSynLTCCell(4))
    with pytest.raises(ValueError, match="built for input_dim=3"):
        plots.plot_wiring(trained.cell, input_dim=5)
    with pytest.raises(ValueError, match="input_dim=4"):
        plots.plot_wiring(wirings.FullyConnected(4, input_dim=3, seed=0), input_dim=4)


@needs_matplotlib
def test_training_trajectories_reject_bad_arguments(trained):
    history = trained.history
    with pytest.raises(TypeError, match="Received: recording of type list"):
        plots.plot_training_trajectories([history])
    with pytest.raises(ValueError, match="'<layer>/<coefficient>'"):
        plots.plot_training_trajectories({"epoch": [0], "batch": [-1]})
    with pytest.raises(ValueError, match=r"several layers \['first', 'second'\]"):
        plots.plot_training_trajectories(fake_recording("second", "first"))
    assert plots.plot_training_trajectories(fake_recording("second", "first"), layer="first")
    with pytest.raises(ValueError, match=r"layers \['ltc'\]. Received: layer='other'"):
        plots.plot_training_trajectories(history, layer="other")
    with pytest.raises(ValueError, match="Received: coefficient='tau_'"):
        plots.plot_training_trajectories(history, coefficient="tau_")
    for name in ("conductance", "sensory_conductance", "input_A"):
        with pytest.raises(ValueError, match="one value per neuron"):
            plots.plot_training_trajectories(history, coefficient=name)
    with pytest.raises(ValueError, match="at least one record"):
        plots.plot_training_trajectories(fake_recording("ltc", records=0))
    short = {**fake_recording("ltc"), "epoch": [0]}
    with pytest.raises(ValueError, match=r"Received: epoch of shape \(1,\)"):
        plots.plot_training_trajectories(short)
    with pytest.raises(ValueError, match=r"\[0, 8\)"):
        plots.plot_training_trajectories(history, neurons=[8])


@needs_matplotlib
def test_paths_are_checked_before_drawing(trained, tmp_path):
    coefficients = trained.coefficients
    with pytest.raises(ValueError, match=r"'\.png' file"):
        plots.plot_coefficients_over_time(coefficients, path=tmp_path / "figure.pdf")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        plots.plot_conductance_matrices(coefficients, path=tmp_path / "missing" / "g.png")
    with pytest.raises(TypeError, match="Received: path=3"):
        plots.plot_wiring(trained.cell, path=3)
    assert not list(tmp_path.iterdir())
    # An existing file is replaced.
    path = tmp_path / "figure.png"
    path.write_bytes(b"old")
    plots.plot_wiring(trained.cell, path=str(path))
    assert_png(path)


@pytest.mark.parametrize(
    "plot",
    [
        plots.plot_coefficients_over_time,
        plots.plot_conductance_matrices,
        plots.plot_wiring,
        plots.plot_training_trajectories,
    ],
)
def test_missing_matplotlib_says_how_to_install_it(monkeypatch, plot):
    # `None` in sys.modules makes `import matplotlib` raise ImportError.
    for name in ("matplotlib", "matplotlib.figure"):
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ImportError, match=INSTALL_HINT):
        plot({})
