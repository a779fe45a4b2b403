# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/keras-biosyn/keras_biosyn/blob/main/tutorials/02_reading_the_circuit.ipynb)
#
# # Reading the circuit
#
# A BioSynLTC network is a **linear system with state-dependent coefficients**. For neuron `i`,
#
#     cm dv/dt = gleak (vleak - v) + Σ_j G_ji (erev_ji - v)
#     G_ji = w_ji σ(sigma_ji (v_j - mu_ji))
#
# reads `dv/dt = A v + b` with `A = -(gleak + Σ G) / cm` (always negative) and
# `b = (gleak vleak + Σ G erev) / cm`. At every step each neuron relaxes towards
# `v* = -b / A` with the time constant `tau = -1 / A`, and the conductances `G` say which
# synapses drive it. The cell's default solver takes exactly that relaxation as its step:
# `v <- v* + (v - v*) exp(-dt / tau)`, with `A` and `b` held at their values at the step's start.
# This notebook records those coefficients during training and plots them.

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

EPOCHS = int(os.environ.get("BIOSYN_TUTORIAL_EPOCHS", 40))

import keras
import numpy as np

from keras_biosyn import (
    BioSynLTCCell,
    CoefficientRecorder,
    parameter_report,
    sequence_coefficients,
    wirings,
)
from keras_biosyn.datasets import load_japanese_vowels
from keras_biosyn.interpretability import describe, plots

# %matplotlib inline

splits = load_japanese_vowels()
train, validation, test = splits["train"], splits["validation"], splits["test"]

# %% [markdown]
# ## A small NCP circuit
#
# An `AutoNCP` of 12 neurons, 3 of them motor (output) neurons, trained on the Japanese Vowels
# speakers. `CoefficientRecorder` runs a fixed probe batch through the circuit after every epoch
# (and once before training) and keeps the coefficients.

# %%
keras.utils.set_random_seed(0)
cell = BioSynLTCCell(wirings.AutoNCP(12, output_size=3, seed=0))
model = keras.Sequential(
    [
        keras.Input(train.x.shape[1:]),
        keras.layers.Masking(0.0),
        keras.layers.RNN(cell, name="biosyn_ltc"),
        keras.layers.Dense(9, activation="softmax"),
    ]
)
model.compile(
    keras.optimizers.Adam(0.01),
    "sparse_categorical_crossentropy",
    metrics=["accuracy"],
    jit_compile=True,
)
probe = test.x[:8]
recorder = CoefficientRecorder(probe)
model.fit(
    train.x,
    train.y,
    validation_data=(validation.x, validation.y),
    epochs=EPOCHS,
    batch_size=32,
    callbacks=[recorder],
    verbose=0,
)
accuracy = model.evaluate(test.x, test.y, verbose=0)[1]
print(
    f"test accuracy {accuracy:.3f}; {len(recorder.history['epoch'])} records of",
    sorted(k for k in recorder.history if k.startswith("biosyn_ltc/"))[:4],
    "...",
)

# %% [markdown]
# ## The wiring

# %%
plots.plot_wiring(cell)

# %% [markdown]
# ## Which inputs drive each neuron
#
# A sensory synapse reads a *projection* `p{k}` of the input: the cell's default input mapping is
# a learned matrix that starts as the identity (`p{k}` is feature `x{k}` alone) and learns to mix
# features where that helps. `describe` reduces the coefficients over data: for each neuron its
# strongest excitatory and inhibitory inputs, and for each projection the features that make it.

# %%
description = describe(model, probe)
for k in range(3):
    sources = description.projection_sources(k)[:3]
    print(f"p{k} =", " ".join(f"{weight:+.2f}*{name}" for name, weight in sources))
print(description.to_markdown())
assert description.input_mixing is not None  # the dense mapping names its projections

# %% [markdown]
# ## Parameters
#
# Each neuron has 3 parameters and each synapse 4, so a small circuit holds as many parameters as
# a much wider conventional RNN. *Active* parameters belong to synapses that exist.

# %%
report = parameter_report(model)
print(report)

# %% [markdown]
# ## The coefficients along a sequence
#
# `sequence_coefficients` evaluates them at every step of whole sequences. The relaxation target
# `v* = -b / A` is a weighted average of the neuron's leak potential and the reversal
# potentials of its incoming synapses, with positive weights (the conductances), so it always
# lies between the smallest and the largest of them: a property we check.

# %%
coefficients = sequence_coefficients(model, test.x[:4])
A, b, tau = coefficients["A"], coefficients["b"], coefficients["tau"]
v_target = -b / A


def numpy(weight):
    return keras.ops.convert_to_numpy(weight)


# every potential each neuron (a column) is pulled towards: its leak and its synapses' reversals
exists = np.concatenate([numpy(cell.adjacency), numpy(cell.sensory_adjacency)]) != 0
erev = np.concatenate([numpy(cell.erev), numpy(cell.sensory_erev)])
vleak = numpy(cell.vleak)
low = np.minimum(vleak, np.where(exists, erev, np.inf).min(axis=0))
high = np.maximum(vleak, np.where(exists, erev, -np.inf).max(axis=0))
print("A < 0 everywhere:", bool(np.all(A < 0)))
print("tau = -1/A:", np.allclose(tau, -1 / A, rtol=1e-5))
print(
    "v* between each neuron's lowest and highest potential:",
    bool(np.all((v_target >= low - 1e-5) & (v_target <= high + 1e-5))),
)
print(f"time constants from {tau.min():.3f} to {tau.max():.3f} input steps")
assert np.all(A < 0) and np.allclose(tau, -1 / A, rtol=1e-5)
assert np.all((v_target >= low - 1e-5) & (v_target <= high + 1e-5))

# %% [markdown]
# How the time constants of the first neurons change within one utterance (the padding at the
# end is evaluated too: the masked model ignores it):

# %%
plots.plot_coefficients_over_time(coefficients, neurons=[0, 1, 2, 3, 4, 5], sample=0)

# %% [markdown]
# Which synapses conduct at three moments of the same utterance:

# %%
plots.plot_conductance_matrices(coefficients, steps=[0, 5, 10], sample=0)

# %% [markdown]
# ## What training changed
#
# The recorder's history holds one record per epoch (0 is before training). The time constants
# averaged over the probe batch:

# %%
plots.plot_training_trajectories(recorder.history, coefficient="tau", neurons=[0, 1, 2, 3])

# %%
first, last = recorder.history["biosyn_ltc/tau"][0], recorder.history["biosyn_ltc/tau"][-1]
change = np.abs(last.mean(axis=(0, 1)) - first.mean(axis=(0, 1)))
print("mean |change| of each neuron's time constant during training:", np.round(change, 3))
assert len(recorder.history["epoch"]) == min(EPOCHS + 1, 50) and change.max() > 0

# %% [markdown]
# `CoefficientRecorder(..., save_path="coefficients")` also writes every record to disk
# (reload with `keras_biosyn.interpretability.load_recording`), and `log_dir=` sends histograms
# and conductance images to TensorBoard.
