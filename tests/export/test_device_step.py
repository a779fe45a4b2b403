"""The exported form of a step: the same numbers as the cell, and int8 where int8 is safe."""

import tempfile
from pathlib import Path

import keras
import numpy as np
import pytest

from keras_biosyn import BioSynLTCCell, CTRNNCell
from keras_biosyn.export import (
    DeviceStep,
    convert,
    deployable_model,
    membrane_tensors,
    op_precisions,
    tflite_flatbuffer,
)
from tests import reference
from tests.testing import make_wiring

DATA = Path(__file__).parents[1] / "data"


def built_cell(cell, features, rng):
    cell.build((None, features))
    reference.randomize_cell(cell, rng)
    return cell


@pytest.mark.parametrize("kind", ["fully_connected", "random", "auto_ncp"])
@pytest.mark.parametrize("solver", ["exponential", "semi_implicit"])
@pytest.mark.parametrize("layout", ["dense", "sparse"])
def test_device_step_matches_a_float64_reference(rng, kind, solver, layout):
    cell = built_cell(
        BioSynLTCCell(make_wiring(kind, 9), solver=solver, synapse_layout=layout), 3, rng
    )
    u, v = rng.normal(size=(4, 3)), rng.uniform(-1, 1, size=(4, 9))
    output, (state,) = DeviceStep(cell)(u.astype("float32"), [v.astype("float32")])
    expected_y, expected_v = reference.step(
        reference.cell_weights(cell),
        u,
        v,
        **reference.cell_options(cell),
    )
    np.testing.assert_allclose(np.asarray(state), expected_v, atol=2e-5)
    np.testing.assert_allclose(np.asarray(output), expected_y, atol=2e-5)
    assert DeviceStep(cell).folded == (layout == "dense")


def test_device_step_of_other_cells_is_their_call(rng):
    cell = CTRNNCell(6)
    cell.build((None, 3))
    u, v = rng.normal(size=(2, 3)).astype("float32"), rng.normal(size=(2, 6)).astype("float32")
    got, expected = DeviceStep(cell)(u, [v]), cell(u, [v])
    np.testing.assert_allclose(np.asarray(got[1][0]), np.asarray(expected[1][0]), atol=1e-6)


def test_device_step_needs_a_built_wired_cell():
    with pytest.raises(TypeError, match="Expected a built WiredCell"):
        DeviceStep(keras.layers.LSTMCell(3))
    with pytest.raises(TypeError, match="Expected a built WiredCell"):
        DeviceStep(BioSynLTCCell(3))


@pytest.fixture(scope="module")
def ncp_model():
    keras.utils.set_random_seed(2)
    model = keras.Sequential(
        [
            keras.Input((12, 3)),
            keras.layers.RNN(BioSynLTCCell(make_wiring("auto_ncp", 10, 2))),
            keras.layers.Dense(2),
        ]
    )
    sequences = np.random.default_rng(0).normal(size=(16, 12, 3)).astype("float32")
    return model, sequences


def test_int8_keeps_exactly_the_membrane_update_in_float(ncp_model):
    """Synapses in int8, the per-neuron update (with its EXP and DIV) in float32; with
    membrane='int8' only EXP, DIV and MAXIMUM stay float."""
    model, sequences = ncp_model
    default = tflite_flatbuffer(model, quantization="int8", representative_data=sequences)
    floats, quantized = op_precisions(default)
    assert {"LOGISTIC", "SUM", "FULLY_CONNECTED"} <= set(quantized)
    assert {"EXP", "DIV", "MAXIMUM"} <= set(floats)
    assert "LOGISTIC" not in floats and "SUM" not in floats
    unfolds = model.layers[0].cell.ode_unfolds
    assert floats["EXP"] == unfolds  # one per solver step
    everything = tflite_flatbuffer(
        model, quantization="int8", representative_data=sequences, membrane="int8"
    )
    floats, quantized = op_precisions(everything)
    # the converter has no int8 NEG either: the exponent's sign flip stays float too
    assert {"EXP", "DIV", "MAXIMUM"} <= set(floats) <= {"EXP", "DIV", "MAXIMUM", "NEG"}
    assert "SUB" in quantized and "MUL" in quantized


def test_membrane_tensors_are_found_by_scope(ncp_model):
    model, _ = ncp_model
    names = membrane_tensors(_with_names(deployable_model(model)))
    scoped = [name for name in names if "membrane_update" in name]
    assert scoped and not any("/synapses" in name for name in names)
    # the new state is named after the model's output, not its scope: it belongs there too
    assert len(set(names) - set(scoped)) == 1


def test_the_state_fed_back_stays_float_in_int8(ncp_model):
    """The op that writes `new_state_0` computes in float32: an int8 state would round away
    every step's update of a slow neuron."""
    from ai_edge_litert.tools import flatbuffer_utils

    model, sequences = ncp_model
    parsed = flatbuffer_utils.read_model_from_bytearray(
        tflite_flatbuffer(model, quantization="int8", representative_data=sequences)
    )
    subgraph = parsed.subgraphs[0]
    (state,) = [o.tensorIndex for o in parsed.signatureDefs[0].outputs if o.name == b"new_state_0"]
    (writer,) = [op for op in subgraph.operators if state in op.outputs]
    code = parsed.operatorCodes[writer.opcodeIndex]
    assert max(code.builtinCode, code.deprecatedBuiltinCode) != 6  # DEQUANTIZE
    float32 = 0
    assert all(subgraph.tensors[i].type == float32 for i in [*writer.inputs, state])


def _with_names(deployable):
    """The float conversion with its tensor names (convert drops them from files)."""
    import tensorflow as tf

    return tf.lite.TFLiteConverter.from_keras_model(deployable).convert()


def test_exported_files_carry_no_tensor_names_but_keep_the_signature(ncp_model, tmp_path):
    from ai_edge_litert.tools import flatbuffer_utils

    model, _ = ncp_model
    flatbuffer = convert(deployable_model(model))
    parsed = flatbuffer_utils.read_model_from_bytearray(flatbuffer)
    assert all(tensor.name is None for tensor in parsed.subgraphs[0].tensors)
    signature = parsed.signatureDefs[0]
    assert sorted(entry.name.decode() for entry in signature.inputs) == ["state_0", "x_t"]


@pytest.fixture(scope="module")
def japanese_vowels():
    from keras_biosyn.datasets import load_japanese_vowels

    return load_japanese_vowels()


def trained_classifier(splits, wiring_kind, layout):
    from keras_biosyn import recipes

    keras.utils.set_random_seed(0)
    cell = BioSynLTCCell(
        recipes.wiring_by_name(wiring_kind, 12, output_size=6, seed=0), synapse_layout=layout
    )
    model = recipes.sequence_model(keras.layers.RNN(cell), 29, 12, 9)  # masked classifier
    recipes.compile_model(model, "classification", jit_compile=True)
    model.fit(splits["train"].x, splits["train"].y, epochs=40, batch_size=32, verbose=0)
    return model


def accuracy(predictions, labels):
    return float(np.mean(np.argmax(predictions, -1) == labels))


def check_int8_keeps_the_accuracy_of_float32(model, splits, directory, layout="dense"):
    """Exports `model` in float32 and int8 and returns the three accuracies on all 370 test
    sequences: `(float32, int8 in LiteRT, int8 in TFLite Micro or None)`.

    The int8 file, stepped closed loop in LiteRT, is within 2 points of the float32 file. For
    the dense layout (the one TFLite Micro runs) TFLite Micro is within 2 points of LiteRT on
    the same file: its int8 kernels round differently (one-step states differed by up to 0.06,
    median 1e-7, on the trained classifier), which moves a few near-tie predictions.
    """
    from keras_biosyn.export import LiteRTModel, export_tflite, run_tflite_micro

    test = splits["test"]
    x, y, lengths = test.x, test.y, test.length
    exported = {}
    for quantization in (None, "int8"):
        path = directory / f"{quantization}.tflite"
        export_tflite(
            model,
            path,
            quantization=quantization,
            representative_data=splits["train"].x,
            export_layout="dense" if layout == "dense" else "model",
        )
        exported[quantization] = path
    float32 = accuracy(LiteRTModel(exported[None]).predict(x, lengths), y)
    int8 = accuracy(LiteRTModel(exported["int8"]).predict(x, lengths), y)
    assert float32 > 0.5  # it learned something: the comparison means something
    assert int8 >= float32 - 0.02, (float32, int8)
    if layout != "dense":
        return float32, int8, None
    micro = np.stack(
        [
            run_tflite_micro(exported["int8"], s[:length])[-1]
            for s, length in zip(x, lengths, strict=True)
        ]
    )
    micro = accuracy(micro, y)
    assert abs(micro - int8) <= 0.02, (int8, micro)
    return float32, int8, micro


def test_int8_keeps_the_accuracy_of_float32_of_a_trained_classifier(japanese_vowels, tmp_path):
    """A trained AutoNCP classifier with the dense input mapping (tests/data, made by
    make_int8_classifier.py), the wiring int8 found hardest."""
    model = keras.models.load_model(DATA / "int8_auto_ncp_classifier.keras")
    float32, _, micro = check_int8_keeps_the_accuracy_of_float32(model, japanese_vowels, tmp_path)
    assert micro >= float32 - 0.02, (float32, micro)  # on the device too


# Each run trains a classifier with today's defaults (~50 s): they go with the slow checks
# (CI runs them), keeping the default suite under 10 minutes.
@pytest.mark.slow
@pytest.mark.parametrize(
    "kind, layout",
    [
        ("auto_ncp", "dense"),
        ("fully_connected", "dense"),
        ("random", "dense"),
        ("fully_connected", "sparse"),
        ("random", "sparse"),
        ("auto_ncp", "sparse"),
    ],
)
def test_int8_keeps_the_accuracy_of_float32_on_a_real_task(
    japanese_vowels, tmp_path, kind, layout
):
    model = trained_classifier(japanese_vowels, kind, layout)
    check_int8_keeps_the_accuracy_of_float32(model, japanese_vowels, tmp_path, layout)


def test_int8_irregular_time_steps_run_in_tflite_micro_like_litert(rng):
    """The elapsed-time guard stays float (TFLite Micro has no int8 SELECT_V2 and aborted the
    whole process on it), so an int8 time_input step allocates there and agrees with LiteRT;
    device_profile probes the arena in a child process and reports it."""
    from keras_biosyn.export import LiteRTModel, device_profile, run_tflite_micro

    keras.utils.set_random_seed(3)
    model = keras.Sequential(
        [
            keras.Input((6, 3)),
            keras.layers.RNN(BioSynLTCCell(5, time_input=True)),
            keras.layers.Dense(2),
        ]
    )
    x = rng.normal(size=(8, 6, 3)).astype("float32")
    x[..., -1] = np.abs(x[..., -1]) + 0.1
    flatbuffer = tflite_flatbuffer(model, quantization="int8", representative_data=x)
    floats, _ = op_precisions(flatbuffer)
    assert "SELECT_V2" in floats
    assert device_profile(flatbuffer).arena_bytes > 1000
    path = Path(tempfile.mkdtemp()) / "irregular_int8.tflite"
    path.write_bytes(flatbuffer)
    np.testing.assert_allclose(
        run_tflite_micro(path, x[0]), LiteRTModel(path).run_sequence(x[0]), atol=0.02
    )


@pytest.mark.parametrize("layout", ["dense", "sparse"])
def test_a_dense_input_mapping_stays_float32_in_an_int8_file(rng, layout):
    """The device step maps the inputs as the cell does (float64 reference), and an int8
    file keeps the mapping's FULLY_CONNECTED in float32, as the rest of the per-step input
    handling (the head's is the quantized one)."""
    cell = built_cell(
        BioSynLTCCell(make_wiring("auto_ncp", 9), input_mapping="dense", synapse_layout=layout),
        3,
        rng,
    )
    u, v = rng.normal(size=(4, 3)), rng.uniform(-1, 1, size=(4, 9))
    _, (state,) = DeviceStep(cell)(u.astype("float32"), [v.astype("float32")])
    _, expected = reference.step(
        reference.cell_weights(cell),
        u,
        v,
        output_size=cell.output_size,
        ode_unfolds=cell.ode_unfolds,
        solver=cell.solver,
        input_mapping="dense",
    )
    np.testing.assert_allclose(np.asarray(state), expected, atol=2e-5)
    keras.utils.set_random_seed(4)
    model = keras.Sequential(
        [
            keras.Input((10, 3)),
            keras.layers.RNN(BioSynLTCCell(make_wiring("auto_ncp", 9), input_mapping="dense")),
            keras.layers.Dense(2),
        ]
    )
    sequences = rng.normal(size=(16, 10, 3)).astype("float32")
    floats, quantized = op_precisions(
        tflite_flatbuffer(model, quantization="int8", representative_data=sequences)
    )
    assert quantized.get("FULLY_CONNECTED") == 1 and floats.get("FULLY_CONNECTED") == 1


def test_int8_irregularly_sampled_inputs_keep_their_resolution(tmp_path, rng):
    """With `time_input=True` and the dense mapping, an int8 file follows its float32 model.
    With the mapping as an int8 FULLY_CONNECTED it did not (relative error 0.22 here), and a
    trained classifier of irregularly sampled Japanese Vowels fell to chance (0.947 -> 0.187)."""
    from keras_biosyn.export import export_tflite, int8_agreement

    keras.utils.set_random_seed(5)
    model = keras.Sequential(
        [
            keras.Input((12, 4)),
            keras.layers.RNN(BioSynLTCCell(8, input_mapping="dense", time_input=True)),
            keras.layers.Dense(3),
        ]
    )
    features = rng.normal(size=(64, 12, 3))
    elapsed = rng.uniform(0.5, 20.0, size=(64, 12, 1))
    sequences = np.concatenate([features, elapsed], axis=-1).astype("float32")
    path = tmp_path / "step_int8.tflite"
    export_tflite(model, path, quantization="int8", representative_data=sequences)
    agreement = int8_agreement(model, path, sequences)
    assert agreement.within_tolerance, agreement


def test_int8_adds_each_neurons_leak_in_float32(rng, tmp_path):
    """A neuron with no synapses into it follows its leak alone: in an int8 file the leak is
    added to the quantized synapse sums in float32, so its trajectory is the float file's.
    Added in int8, each neuron's total was rounded to one scale over all neurons (its error
    here was 13 % of its range)."""
    from keras_biosyn.export import LiteRTModel, export_tflite

    cell = BioSynLTCCell(4, output_size=4)
    model = keras.Sequential([keras.Input((None, 2)), keras.layers.RNN(cell)])
    reference.randomize_cell(cell, rng)
    silent = {"w": 0.0, "sensory_w": 0.0}  # no synapse reaches neuron 0
    leak = {"gleak": 0.01, "cm": 0.05, "vleak": 1.0}  # tau = 5 steps, towards 1
    for variable in cell.weights:
        if variable.name in silent or variable.name in leak:
            values = keras.ops.convert_to_numpy(variable).copy()
            if variable.name in silent:
                values[:, 0] = silent[variable.name]
            else:
                values[0] = leak[variable.name]
            variable.assign(values)
    x = rng.normal(size=(16, 40, 2)).astype("float32")
    trajectories = {}
    for quantization in (None, "int8"):
        path = tmp_path / f"{quantization}.tflite"
        export_tflite(model, path, quantization=quantization, representative_data=x)
        runner, states, v = LiteRTModel(path), [np.zeros((1, 4), np.float32)], []
        for x_t in x[0]:
            _, states = runner.step(x_t[None], states)
            v.append(states[0][0, 0])
        trajectories[quantization] = np.array(v)
    steps = np.arange(1, x.shape[1] + 1)  # v' = gleak (vleak - v) / cm, from v = 0
    expected = leak["vleak"] * (1 - np.exp(-leak["gleak"] * steps / leak["cm"]))
    np.testing.assert_allclose(trajectories[None], expected, atol=1e-4)
    np.testing.assert_allclose(trajectories["int8"], trajectories[None], atol=1e-4)
