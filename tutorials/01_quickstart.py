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
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/keras-biosyn/keras_biosyn/blob/main/tutorials/01_quickstart.ipynb)
#
# # Quickstart: a BioSynLTC classifier in ordinary Keras
#
# `BioSynLTCCell` is a Keras RNN cell: each neuron is a leaky membrane, each synapse a chemical
# conductance with four parameters (maximum conductance, slope, midpoint, reversal potential).
# This notebook trains one on a real dataset, compares it with an LSTM of the same size, and
# saves and reloads it.

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

# %% [markdown]
# Sizes come from environment variables so that CI runs this notebook small; the defaults are
# the full run.

# %%
import os

EPOCHS = int(os.environ.get("BIOSYN_TUTORIAL_EPOCHS", 60))
NEURONS = 16

import keras
import numpy as np

import keras_biosyn
from keras_biosyn import BioSynLTCCell, wirings
from keras_biosyn.datasets import load_japanese_vowels

print(
    "keras_biosyn",
    keras_biosyn.__version__,
    "on Keras",
    keras.__version__,
    keras.backend.backend(),
)

# %% [markdown]
# ## The data
#
# UCI Japanese Vowels ships inside the package (no download): nine speakers, each utterance
# 7–29 frames of 12 LPC coefficients, zero padded to 29 frames. The task is to name the speaker.
# The loader standardises the features with training statistics and holds out a validation split.

# %%
splits = load_japanese_vowels()
train, validation, test = splits["train"], splits["validation"], splits["test"]
print("train", train.x.shape, "validation", validation.x.shape, "test", test.x.shape)
print("frames per utterance:", train.length.min(), "to", train.length.max())
majority = np.mean(test.y == np.bincount(train.y).argmax())
print(f"majority-class accuracy: {majority:.3f}")

# %% [markdown]
# ## Choosing a wiring
#
# A wiring says which synapses exist and their polarity (2/3 excitatory, reversal potential +1;
# the rest inhibitory, -1). `FullyConnected` links every pair of neurons; `AutoNCP` builds a
# sparse, layered Neural Circuit Policy (sensory → inter → command → motor neurons) whose motor
# neurons are the outputs. Wirings are seeded and immutable: the same arguments give the same
# graph.

# %%
dense = wirings.FullyConnected(NEURONS, seed=0)
ncp = wirings.AutoNCP(NEURONS, output_size=4, sparsity=0.5, seed=0)
for name, wiring in [("FullyConnected", dense), ("AutoNCP", ncp)]:
    print(
        f"{name:>15}: {wiring.units} neurons, {wiring.synapse_count} recurrent synapses, "
        f"outputs: the first {wiring.output_size} neurons"
    )


# %% [markdown]
# ## Training
#
# The cell goes into `keras.layers.RNN` like any Keras cell. `Masking(0.0)` skips the padding.
# On CPU, `jit_compile=True` (XLA) is the fastest setting.


# %%
def classifier(recurrent):
    model = keras.Sequential(
        [
            keras.Input(train.x.shape[1:]),
            keras.layers.Masking(0.0),
            recurrent,
            keras.layers.Dense(9, activation="softmax"),
        ]
    )
    model.compile(
        keras.optimizers.Adam(0.01),
        "sparse_categorical_crossentropy",
        metrics=["accuracy"],
        jit_compile=True,
    )
    return model


def fit(model):
    stop = keras.callbacks.EarlyStopping(patience=10, restore_best_weights=True)
    model.fit(
        train.x,
        train.y,
        validation_data=(validation.x, validation.y),
        epochs=EPOCHS,
        batch_size=32,
        callbacks=[stop],
        verbose=0,
    )
    return model.evaluate(test.x, test.y, verbose=0)[1]


keras.utils.set_random_seed(0)
biosyn = classifier(keras.layers.RNN(BioSynLTCCell(dense), name="biosyn_ltc"))
biosyn_accuracy = fit(biosyn)
biosyn.summary()

# %% [markdown]
# ## An LSTM of the same size

# %%
keras.utils.set_random_seed(0)
lstm = classifier(keras.layers.LSTM(NEURONS, name="lstm"))
lstm_accuracy = fit(lstm)
print(f"BioSynLTC {NEURONS} neurons: {biosyn_accuracy:.3f} ({biosyn.count_params()} parameters)")
print(f"LSTM {NEURONS} units:       {lstm_accuracy:.3f} ({lstm.count_params()} parameters)")
print(f"majority class:      {majority:.3f}")
assert biosyn_accuracy > 2 * majority, "the BioSynLTC classifier should beat the majority class"

# %% [markdown]
# `benchmarks/results/` in the repository compares both (and GRU, a plain-synapse CT-RNN and
# `ncps`) over neuron counts and seeds on several datasets.
#
# ## Saving and loading
#
# The cell, its wiring and the graph (as non-trainable adjacency weights) travel in the `.keras`
# file: loading needs no custom objects beyond importing `keras_biosyn`.

# %%
import tempfile

path = os.path.join(tempfile.mkdtemp(), "biosyn.keras")
biosyn.save(path)
restored = keras.models.load_model(path)
difference = np.max(
    np.abs(restored.predict(test.x, verbose=0) - biosyn.predict(test.x, verbose=0))
)
size = os.path.getsize(path) / 1024
print(f"saved {size:.1f} KB; largest difference after reloading: {difference:.2e}")
assert difference < 1e-6

# %% [markdown]
# Next: [reading the circuit](02_reading_the_circuit.ipynb) (what each neuron does at each step),
# [to the edge](03_to_the_edge.ipynb) (TFLite for phones and microcontrollers) and
# [irregularly sampled series](04_irregular_sampling.ipynb).
