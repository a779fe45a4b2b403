"""Closed-loop control: a streaming model as a controller, and how to teach it.

`StreamingPolicy` runs any streaming model (Keras, or an exported `.tflite`
file in LiteRT or TFLite Micro) as a policy, its state kept between calls;
`run_episode` and `evaluate_policy` close the loop on a Gymnasium-style
environment; `dagger` teaches a recurrent student an expert by behaviour
cloning with DAgger relabelling. `make_cartpole` and `CartPoleLQR` are the
benchmark task: cart-pole with the velocities hidden, and an LQR expert on
the full state (the environment needs the `control` extra).
"""

from keras_biosyn.control.cartpole import (
    CARTPOLE_DAGGER,
    OBSERVATION_SCALE,
    CartPoleLQR,
    cartpole_action,
    linearized_cartpole,
    lqr_gains,
    make_cartpole,
)
from keras_biosyn.control.dagger import DAggerHistory, dagger, episode_windows
from keras_biosyn.control.episodes import Episode, Evaluation, evaluate_policy, run_episode
from keras_biosyn.control.policy import RUNTIMES, StreamingPolicy

__all__ = [
    "CARTPOLE_DAGGER",
    "OBSERVATION_SCALE",
    "RUNTIMES",
    "CartPoleLQR",
    "DAggerHistory",
    "Episode",
    "Evaluation",
    "StreamingPolicy",
    "cartpole_action",
    "dagger",
    "episode_windows",
    "evaluate_policy",
    "linearized_cartpole",
    "lqr_gains",
    "make_cartpole",
    "run_episode",
]
