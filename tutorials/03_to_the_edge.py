# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.7
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/keras-biosyn/keras_biosyn/blob/main/tutorials/03_to_the_edge.ipynb)
#
# # To the edge: streaming TFLite, int8, LiteRT and TFLite Micro
#
# On a phone or a microcontroller a recurrent model runs **one step at a time**: the device keeps
# the membrane potentials and feeds them back with the next input. `keras_biosyn.export` turns a
# trained model into exactly that step, `(x_t, state_0) -> (y_t, new_state_0)`, using builtin
# TFLite ops only (no Flex ops), in float32 or full int8.

# %%
# Installs keras_biosyn on Colab; does nothing where it is already installed.
import importlib.util
import subprocess
import sys

if importlib.util.find_spec("keras_biosyn") is None:
    subprocess.check_call(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "keras-biosyn[plots,edge] @ git+https://github.com/keras-biosyn/keras_biosyn",
        ]
    )

# %%
import os
import tempfile

EPOCHS = int(os.environ.get("BIOSYN_TUTORIAL_EPOCHS", 60))
SAMPLES = int(os.environ.get("BIOSYN_TUTORIAL_SAMPLES", 370))  # test utterances checked on device

import keras
import numpy as np

from keras_biosyn import BioSynLTCCell, export
from keras_biosyn.datasets import load_japanese_vowels

splits = load_japanese_vowels()
train, validation, test = splits["train"], splits["validation"], splits["test"]
x_test, y_test, lengths = test.x[:SAMPLES], test.y[:SAMPLES], test.length[:SAMPLES]
workdir = tempfile.mkdtemp()

# %% [markdown]
# ## A model to deploy
#
# 16 neurons, fully connected, on the Japanese Vowels speakers (see the quickstart).

# %%
keras.utils.set_random_seed(0)
model = keras.Sequential(
    [
        keras.Input(train.x.shape[1:]),
        keras.layers.Masking(0.0),
        keras.layers.RNN(BioSynLTCCell(16), name="biosyn_ltc"),
        keras.layers.Dense(9, activation="softmax"),
    ]
)
model.compile(
    keras.optimizers.Adam(0.01),
    "sparse_categorical_crossentropy",
    metrics=["accuracy"],
    jit_compile=True,
)
model.fit(
    train.x,
    train.y,
    validation_data=(validation.x, validation.y),
    epochs=EPOCHS,
    batch_size=32,
    verbose=0,
    callbacks=[keras.callbacks.EarlyStopping(patience=10, restore_best_weights=True)],
)
keras_accuracy = float(np.mean(np.argmax(model.predict(x_test, verbose=0), -1) == y_test))
print(f"Keras test accuracy: {keras_accuracy:.3f}")

# %% [markdown]
# ## The streaming step, float32
#
# `export_tflite` writes the step model (`mode="streaming"`, the default). The file is written
# to a temporary name and renamed, so a failed export never leaves a half-written file.
# `tflite_ops` lists the ops it needs: all builtin.

# %%
float32_path = export.export_tflite(model, os.path.join(workdir, "step_float32.tflite"))
# it returns what it wrote: the path, the layout, the size and the ops
print(f"{float32_path.path.name}: {float32_path.size_bytes / 1024:.1f} KB")
print("ops:", ", ".join(float32_path.ops))

# %% [markdown]
# ## Running it step by step in LiteRT
#
# This is the loop a device runs: zeros as the first state, then each step's new state fed back.
# Padding is never fed: the device sees each utterance's real frames only.

# %%
runner = export.LiteRTModel(float32_path)
print("inputs:", runner.input_shapes)
sequence = x_test[0, : lengths[0]]
state = np.zeros(runner.input_shapes["state_0"], np.float32)
for x_t in sequence:
    result = runner(x_t=x_t[None], state_0=state)
    state = result["new_state_0"]
print("speaker probabilities after the last frame:", np.round(result["y_t"][0], 3))
print(
    "Keras:                                     ",
    np.round(model.predict(x_test[:1], verbose=0)[0], 3),
)

# %% [markdown]
# `compare` does this for many sequences and measures the error against the Keras model at every
# step:

# %%
parity = export.compare(model, float32_path, x_test[:20], lengths[:20])
print({k: float(f"{v:.3g}") for k, v in parity.items()})
assert parity["max_abs_error"] < 1e-4

# %% [markdown]
# ## Full int8
#
# Microcontrollers want integers. Post-training quantization needs representative
# `(x_t, state)` pairs; `calibration_samples` makes them by running the model over training
# sequences with its own states (closed loop). The synapses (sigmoids, products and sums over
# every synapse, and nearly all the weights) run in int8; the membrane update, a few ops per
# neuron, stays float32, because an int8 state cannot follow slow neurons.

# %%
samples = export.calibration_samples(model, train.x[:64])
int8_path = export.export_tflite(
    model,
    os.path.join(workdir, "step_int8.tflite"),
    quantization="int8",
    representative_data=samples,
)
int8_runner = export.LiteRTModel(int8_path)
float32_accuracy = float(np.mean(np.argmax(runner.predict(x_test, lengths), -1) == y_test))
int8_accuracy = float(np.mean(np.argmax(int8_runner.predict(x_test, lengths), -1) == y_test))
for name, path, accuracy in [
    ("float32", float32_path, float32_accuracy),
    ("int8", int8_path, int8_accuracy),
]:
    print(
        f"{name:>8}: {path.size_bytes / 1024:5.1f} KB, accuracy {accuracy:.3f} "
        f"on {len(y_test)} utterances (Keras {keras_accuracy:.3f})"
    )
assert abs(float32_accuracy - keras_accuracy) <= 1 / len(y_test) + 1e-9
assert int8_accuracy >= keras_accuracy - 0.1

# %% [markdown]
# What each file costs on a device: its size, the TFLite Micro tensor arena it uses, LiteRT's
# time per step, and which ops run in float (in the int8 file: only the membrane update).

# %%
for name, path in [("float32", float32_path), ("int8", int8_path)]:
    print(f"{name:>8}: {export.device_profile(path).summary()}")
agreement = export.int8_agreement(model, int8_path, train.x[:64])
print(agreement.summary())

# %% [markdown]
# ## TFLite Micro
#
# The `tflite-micro` package ships a host build of the TFLite Micro interpreter, the runtime of
# microcontroller projects. The float32 step runs there with the same results:

# %%
micro = export.run_tflite_micro(float32_path, sequence)
litert = runner.run_sequence(sequence)
print(
    f"TFLite Micro vs LiteRT, largest difference over {len(sequence)} steps: "
    f"{np.max(np.abs(micro - litert)):.2e}"
)
assert np.max(np.abs(micro - litert)) < 1e-4

# %% [markdown]
# ## What to copy into a microcontroller project
#
# 1. The model as a C array (what `xxd -i` does), aligned for the interpreter:


# %%
def c_array(path, name="g_model"):
    with open(path, "rb") as file:
        data = file.read()
    rows = [
        ", ".join(f"0x{byte:02x}" for byte in data[i : i + 12]) for i in range(0, len(data), 12)
    ]
    body = ",\n  ".join(rows)
    return (
        f"alignas(16) const unsigned char {name}[] = {{\n  {body}\n}};\n"
        f"const unsigned int {name}_len = {len(data)};\n"
    )


header = c_array(int8_path)
with open(os.path.join(workdir, "model_data.h"), "w") as file:
    file.write(header)
print(header[:300], "...")

# %% [markdown]
# 2. An op resolver with exactly the ops the model uses:


# %%
def resolver_name(op):
    return "Add" + "".join(part.capitalize() for part in op.split("_")) + "()"


ops = export.tflite_ops(int8_path)
print(f"tflite::MicroMutableOpResolver<{len(ops)}> resolver;")
for op in ops:
    print(f"resolver.{resolver_name(op)};  // {op}")

# %% [markdown]
# 3. The loop: keep a `state` buffer of `units` values (zeros at start), and at each sensor
# reading copy `x_t` and `state` into the input tensors, `Invoke()`, read `y_t`, and copy
# `new_state_0` back into `state`. Check the input order with the interpreter (the converter
# sorts inputs by name: `state_0` comes before `x_t`). A few tens of KB of flash and an arena of
# a few KB are enough for a 16-neuron circuit; `benchmarks/edge_latency.py` in the repository
# measures sizes and per-step latencies.
