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
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/keras-biosyn/keras_biosyn/blob/main/tutorials/04_irregular_sampling.ipynb)
#
# # Irregularly sampled series and NCP wirings
#
# Sensors drop readings and events arrive at uneven times. An LTC network is an ODE, so it can
# integrate over exactly the time that passed between two observations: with
# `BioSynLTCCell(..., time_input=True)` the last input feature is the elapsed time `dt` of each
# step. This notebook trains such a cell, wired as a Neural Circuit Policy, on a dataset with
# randomly dropped frames.

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

EPOCHS = int(os.environ.get("BIOSYN_TUTORIAL_EPOCHS", 60))

import keras
import numpy as np

from keras_biosyn import BioSynLTCCell, wirings
from keras_biosyn.datasets import load_japanese_vowels_irregular
from keras_biosyn.interpretability import plots

# %matplotlib inline

# %% [markdown]
# ## The data
#
# Japanese Vowels with 40 % of the frames dropped at random (seeded): the kept frames are packed
# to the front and a 13th feature holds the time since the previous kept frame, in frames.

# %%
splits = load_japanese_vowels_irregular()
train, validation, test = splits["train"], splits["validation"], splits["test"]
dt = train.x[..., -1]
valid = np.arange(train.x.shape[1]) < train.length[:, None]
print(
    "shape",
    train.x.shape,
    "; elapsed time between kept frames:",
    dict(zip(*np.unique(dt[valid], return_counts=True), strict=True)),
)
majority = np.mean(test.y == np.bincount(train.y).argmax())

# %% [markdown]
# ## An NCP wiring
#
# `NCP` builds the layered circuit of Lechner et al. (2020): sensory inputs feed inter neurons,
# which feed recurrent command neurons, which drive the motor (output) neurons. Every count is
# explicit; `AutoNCP(units, output_size)` picks them for you.

# %%
wiring = wirings.NCP(
    inter_neurons=8,
    command_neurons=6,
    motor_neurons=4,
    sensory_fanout=4,
    inter_fanout=3,
    recurrent_command_synapses=4,
    motor_fanin=4,
    seed=0,
)
cell = BioSynLTCCell(wiring, time_input=True)
print(
    f"{wiring.units} neurons, {wiring.synapse_count} recurrent synapses, "
    f"{wiring.output_size} motor neurons"
)

# %% [markdown]
# ## Training with the elapsed time


# %%
def classifier(recurrent, features):
    model = keras.Sequential(
        [
            keras.Input((train.x.shape[1], features)),
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


def fit(model, features):
    model.fit(
        train.x[..., :features],
        train.y,
        epochs=EPOCHS,
        batch_size=32,
        verbose=0,
        validation_data=(validation.x[..., :features], validation.y),
        callbacks=[keras.callbacks.EarlyStopping(patience=10, restore_best_weights=True)],
    )
    return model.evaluate(test.x[..., :features], test.y, verbose=0)[1]


keras.utils.set_random_seed(0)
timed = classifier(keras.layers.RNN(cell, name="biosyn_ltc"), 13)
timed_accuracy = fit(timed, 13)
print(f"with time_input=True: test accuracy {timed_accuracy:.3f} (majority class {majority:.3f})")
assert timed_accuracy > 2 * majority

# %% [markdown]
# The same circuit ignoring the gaps (every step taken as one frame, the time feature dropped),
# and an LSTM of as many units that sees the elapsed time as a plain feature:

# %%
keras.utils.set_random_seed(0)
untimed = classifier(keras.layers.RNN(BioSynLTCCell(wiring), name="biosyn_ltc"), 12)
untimed_accuracy = fit(untimed, 12)
keras.utils.set_random_seed(0)
lstm = classifier(keras.layers.LSTM(wiring.units, name="lstm"), 13)
lstm_accuracy = fit(lstm, 13)
print(f"BioSynLTC, time_input=True:  {timed_accuracy:.3f}")
print(f"BioSynLTC, gaps ignored:     {untimed_accuracy:.3f}")
print(f"LSTM, dt as a feature:       {lstm_accuracy:.3f}")

# %% [markdown]
# ## What `dt` means to the cell
#
# With `time_input=True` a step integrates the ODE over `dt`. A step with `dt = 0` lets no time
# pass, so it leaves the state exactly unchanged; so does a bad time stamp (not finite or
# negative): it never produces NaN. We check both on the trained cell.

# %%
layer = timed.get_layer("biosyn_ltc")
state = [
    keras.ops.convert_to_tensor(
        np.random.default_rng(0).uniform(-1, 1, (3, wiring.units)), "float32"
    )
]
frame = test.x[:3, 0].copy()
for bad in (0.0, -1.0, np.nan, np.inf):
    frame[:, -1] = bad
    _, new_state = layer.cell(keras.ops.convert_to_tensor(frame), state)
    unchanged = np.array_equal(
        keras.ops.convert_to_numpy(new_state[0]), keras.ops.convert_to_numpy(state[0])
    )
    print(f"dt = {bad}: state unchanged: {unchanged}")
    assert unchanged

# %% [markdown]
# And a longer gap moves the state further towards where the synapses pull it:

# %%
frame[:, -1] = 1.0
one = keras.ops.convert_to_numpy(layer.cell(keras.ops.convert_to_tensor(frame), state)[1][0])
frame[:, -1] = 3.0
three = keras.ops.convert_to_numpy(layer.cell(keras.ops.convert_to_tensor(frame), state)[1][0])
start = keras.ops.convert_to_numpy(state[0])
print(
    f"mean |change| of the state: dt=1 {np.abs(one - start).mean():.3f}, "
    f"dt=3 {np.abs(three - start).mean():.3f}"
)

# %% [markdown]
# ## The circuit

# %%
plots.plot_wiring(layer.cell)
