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
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/keras-biosyn/keras_biosyn/blob/main/tutorials/05_pruning.ipynb)
#
# # Pruning: from reading the circuit to a smaller one
#
# Each step of a BioSynLTC circuit is a linear system whose coefficients can be read: every
# synapse `j -> i` contributes a conductance `G_ji` and a current `G_ji (erev_ji - v_i)`
# (see [Reading the circuit](02_reading_the_circuit.ipynb)). Synapses that carry almost no
# current on real data can go. This notebook
#
# 1. trains a small NCP circuit on the Japanese Vowels speakers,
# 2. reads it with `describe`: per neuron its time constants, leak and strongest inputs,
# 3. prunes it to 30 % of its synapses with `keras_biosyn.pruning.prune`, ranked by their mean
#    current on the training data, with short fine-tuning between rounds,
# 4. compares test accuracy, synapse and parameter counts before and after, and reads the pruned
#    circuit again,
# 5. saves and loads the pruned model and exports it to streaming TFLite, checking it in LiteRT.

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
import time

EPOCHS = int(os.environ.get("BIOSYN_TUTORIAL_EPOCHS", 60))
FINE_TUNE_EPOCHS = max(1, EPOCHS // 10)  # per pruning round
SAMPLES = int(os.environ.get("BIOSYN_TUTORIAL_SAMPLES", 370))  # test utterances run in LiteRT

import keras
import numpy as np

from keras_biosyn import BioSynLTCCell, export, parameter_report, wirings
from keras_biosyn.datasets import load_japanese_vowels
from keras_biosyn.interpretability import describe
from keras_biosyn.pruning import prune

# %matplotlib inline

splits = load_japanese_vowels()
train, validation, test = splits["train"], splits["validation"], splits["test"]
workdir = tempfile.mkdtemp()


def test_accuracy(model):
    return float(np.mean(np.argmax(model.predict(test.x, verbose=0), -1) == test.y))


# %% [markdown]
# ## A circuit to prune
#
# An `AutoNCP` of 20 neurons, 4 of them motor (output) neurons, then a softmax over the 9
# speakers. NCP wirings are already sparse: the circuit starts with fewer synapses than a fully
# connected one.

# %%
keras.utils.set_random_seed(0)
model = keras.Sequential(
    [
        keras.Input(train.x.shape[1:]),
        keras.layers.Masking(0.0),
        keras.layers.RNN(BioSynLTCCell(wirings.AutoNCP(20, output_size=4, seed=0)), name="ltc"),
        keras.layers.Dense(9, activation="softmax"),
    ]
)
model.compile(
    keras.optimizers.Adam(0.01),
    "sparse_categorical_crossentropy",
    metrics=["accuracy"],
    jit_compile=False,
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
accuracy = test_accuracy(model)
print(f"test accuracy after {EPOCHS} epochs: {accuracy:.3f} on {len(test.y)} utterances")
print(parameter_report(model))

# %% [markdown]
# ## Reading it
#
# `describe` runs the data through the circuit, evaluates the coefficients of every step and
# reduces them on the go (one chunk of conductances in memory at a time). The Markdown lists,
# per neuron, the range of its time constant `tau = cm / (gleak + Σ G)`, its leak parameters and
# the inputs with the largest mean conductance, excitatory and inhibitory; then, per input
# feature, the neurons it drives most.

# %%
description = describe(model, test.x)
print(description.to_markdown())

# %% [markdown]
# The same as a figure: the wiring, arrow width = mean conductance on the data, colour =
# polarity (excitatory or inhibitory).

# %%
description.plot()

# %% [markdown]
# ## Pruning to 30 % of the synapses
#
# `prune` measures each synapse's importance on the data (here the mean `|G (erev - v)|` over
# the training utterances), removes the weakest, and returns a **new** model; the one it is
# given is never modified. With `fine_tune`, it prunes in 3 rounds (keeping `0.3^(1/3)`,
# `0.3^(2/3)`, then 0.3 of the synapses), re-measuring the importance and fitting
# `FINE_TUNE_EPOCHS` epochs on the training data after each round. The pruned cell is rebuilt
# on an `Explicit` wiring of the remaining graph, and `synapse_layout="auto"` picks the sparse
# layout again when few synapses remain.
#
# The fine-tuning is extra training the unpruned model did not get. To separate the two effects
# the same call with `keep=1.0` fine-tunes a copy of the unpruned model just as long, removing
# nothing.

# %%
adjacency_before = model.get_layer("ltc").cell.adjacency.numpy().copy()
fine_tune = {"epochs": FINE_TUNE_EPOCHS, "rounds": 3}
start = time.perf_counter()
result = prune(model, (train.x, train.y), keep=0.3, fine_tune=fine_tune)
seconds = time.perf_counter() - start
control = prune(model, (train.x, train.y), keep=1.0, fine_tune=fine_tune).model
pruned = result.model
pruned_accuracy, control_accuracy = test_accuracy(pruned), test_accuracy(control)

print(
    f"pruned in {seconds:.1f} s; synapses after each round:",
    ", ".join(str(r["synapses"]) for r in result.rounds),
)
print(f"{'':>34} {'before':>8} {'after':>8}")
for name, before, after in [
    ("neurons", *result.units),
    ("synapses (recurrent + sensory)", result.synapses_before, result.synapses_after),
    ("recurrent", *result.recurrent_synapses),
    ("sensory", *result.sensory_synapses),
    ("active parameters of the cell", result.parameters_before, result.parameters_after),
    (f"training {result.score_before.name}", result.score_before.value, result.score_after.value),
]:
    print(f"{name:>34} {before:>8.4g} {after:>8.4g}")
print(f"kept {result.keep:.1%} of the synapses; the pruned cell computes {result.synapse_layout}")
print("neurons left without inputs:", result.neurons_without_inputs)
print("neurons left without outputs:", result.neurons_without_outputs)
print("removed (no path to a motor neuron left):", result.removed_neurons)
print(f"test accuracy, trained model:                 {accuracy:.3f}")
print(f"test accuracy, unpruned, fine-tuned as long:  {control_accuracy:.3f}")
print(
    f"test accuracy, pruned to 30 % and fine-tuned: {pruned_accuracy:.3f} "
    f"({pruned_accuracy / control_accuracy:.1%} of the unpruned one fine-tuned as long)"
)

assert np.array_equal(model.get_layer("ltc").cell.adjacency.numpy(), adjacency_before)
assert result.keep <= 0.3 + 1 / result.synapses_before  # removed neurons take synapses along
assert result.units == (20, 20 - len(result.removed_neurons))
assert result.parameters_after < result.parameters_before
assert pruned_accuracy > 1 / 9  # better than chance, even in CI's 4-epoch run

# %% [markdown]
# What these numbers are, and no more: one circuit, one seed, test accuracies on 370 test
# utterances (one utterance is 0.27 %); whether 30 % of the synapses is enough for this task
# shows in the gap between the pruned model and the unpruned one fine-tuned as long, not in a
# claim made here. Neurons left without inputs or outputs are reported; those from which no
# chain of synapses leads to a motor neuron any more cannot change the outputs, so `prune`
# removes them with their synapses (`remove_neurons=False` keeps them), and the layer ends with
# fewer units. `benchmarks/` in the repository
# compares importance pruning with random and weight-magnitude pruning over several tasks,
# sizes and seeds.
#
# ## The pruned circuit, read again
#
# The pruned cell's wiring is an `Explicit` graph, so the NCP groups are gone from the roles
# (`output` for the motor neurons, `hidden` for the rest); the time constants, leaks and
# conductances are those after fine-tuning.

# %%
pruned_description = describe(pruned, test.x)
print(pruned_description.to_markdown())

# %%
pruned_description.plot()

# %% [markdown]
# ## Saving and loading
#
# The pruned cell stores its graph in its config (an `Explicit` wiring), so the `.keras` file
# loads without custom objects and computes the same outputs.

# %%
path = os.path.join(workdir, "pruned.keras")
pruned.save(path)
loaded = keras.models.load_model(path)
loaded_cell = loaded.get_layer("ltc").cell
difference = np.max(np.abs(loaded.predict(test.x, verbose=0) - pruned.predict(test.x, verbose=0)))
print(
    f"{os.path.getsize(path) / 1024:.1f} KB; loaded: {type(loaded_cell.wiring).__name__} wiring, "
    f"{np.count_nonzero(loaded_cell.adjacency.numpy())} recurrent synapses, "
    f"largest output difference {difference:.1e}"
)
assert difference < 1e-6
assert type(loaded_cell.wiring).__name__ == "Explicit"

# %% [markdown]
# ## To TFLite, and checked in LiteRT
#
# `export_tflite` writes the streaming step `(x_t, state_0) -> (y_t, new_state_0)` (see
# [To the edge](03_to_the_edge.ipynb)) in one of two export layouts: `"dense"` (the default,
# every synapse computed as a matrix; runs on TFLite Micro) or `"model"` (the cell's own
# `synapse_layout`, here the sparse one for the pruned cell). We export the trained and the
# pruned model both ways; `compare` steps each pruned file in LiteRT over test utterances,
# states fed back, and measures its error against the pruned Keras model at every step.

# %%
lengths = test.length[:SAMPLES]
files = {}
for name, keras_model in [("trained", model), ("pruned", pruned)]:
    for layout in ("dense", "model"):
        file = export.export_tflite(
            keras_model,
            os.path.join(workdir, f"{name}_{layout}.tflite"),
            export_layout=layout,
        )
        files[name, layout] = file
        print(f"{name:>8}, export_layout={layout!r:8}: {file.size_bytes / 1024:5.1f} KB")
for layout in ("dense", "model"):
    parity = export.compare(pruned, files["pruned", layout], test.x[:SAMPLES], lengths)
    print(
        f"pruned, export_layout={layout!r:8}: max |LiteRT - Keras| "
        f"{parity['max_abs_error']:.1e} over {parity['steps']} steps of {len(lengths)} utterances"
    )
    assert parity["max_abs_error"] < 1e-4
print(
    "ops of the pruned model's own layout:",
    export.tflite_ops(files["pruned", "model"]),
)

# %% [markdown]
# One machine's per-step time in LiteRT, the median of `invoke()` over the steps of a few
# utterances with the state fed back. It depends on the CPU, and the first runs of a process
# are noisy; `benchmarks/pruning_edge.py` measures sizes and latencies properly, at several
# circuit sizes.

# %%
steps = np.concatenate([test.x[i, : test.length[i]] for i in range(10)])
for (name, layout), file in files.items():
    runner = export.LiteRTModel(file)
    state = np.zeros(runner.input_shapes["state_0"], np.float32)
    times = []
    for x_t in steps:
        begin = time.perf_counter()
        state = runner(x_t=x_t[None], state_0=state)["new_state_0"]
        times.append(time.perf_counter() - begin)
    print(
        f"{name:>8}, export_layout={layout!r:8}: {np.median(times) * 1e6:6.1f} µs per step "
        f"(median of {len(times)})"
    )

# %% [markdown]
# What the bytes say: the dense layout stores every possible synapse's parameters, removed or
# not, so pruning shrinks it only through the neurons it removes (`units * units` matrices);
# the cell's own layout stores only the synapses that exist. Each removed synapse held 4
# float32 parameters (`w`, `sigma`, `mu`, `erev`), 16 bytes, and each removed neuron 3 more.

# %%
removed = 4 * (result.parameters_before - result.parameters_after)
for layout in ("dense", "model"):
    saved = files["trained", layout].size_bytes - files["pruned", layout].size_bytes
    print(
        f"export_layout={layout!r:8}: the pruned file is {saved} bytes smaller; "
        f"the removed synapses and neurons held {removed} bytes of parameters"
    )

# %% [markdown]
# On your own models, `keras-biosyn prune MODEL.keras --keep 0.3 --fine-tune-epochs 2 --out DIR`
# does the pruning and the exports from the command line and writes a before/after report.
