"""Makes `cartpole_ncp_controller.keras`, the trained controller the default suite exports.

A 16-neuron `AutoNCP(16, 1)` BioSynLTCCell policy with a Dense(1) head, taught to balance
`keras_biosyn.control.make_cartpole` (velocities hidden) by `dagger` from `CartPoleLQR` with the
benchmark's settings (`CARTPOLE_DAGGER`), as `benchmarks/closed_loop.py` trains it, with seed 1:
of the benchmark's three seeds, seeds 1 and 2 give int8 files that balance like float32, and
seed 0 one that does not (benchmarks/results/closed_loop.md), so the test of the int8 path
starts from a controller whose int8 file is known to balance. A fixture rather than a fit
inside the test: the training takes minutes. Run from the repository root:

    python tests/data/make_cartpole_controller.py
"""

from pathlib import Path

import keras

from keras_biosyn import BioSynLTCCell, wirings
from keras_biosyn.control import (
    CARTPOLE_DAGGER,
    CartPoleLQR,
    StreamingPolicy,
    cartpole_action,
    dagger,
    evaluate_policy,
    make_cartpole,
)

PATH = Path(__file__).with_name("cartpole_ncp_controller.keras")
SEED = 1


def main():
    env = make_cartpole()
    keras.utils.set_random_seed(SEED)
    cell = BioSynLTCCell(wirings.AutoNCP(16, 1, seed=SEED), input_mapping="dense")
    model = keras.Sequential(
        [
            keras.Input((None, 2)),
            keras.layers.RNN(cell, return_sequences=True, name="ncp"),
            keras.layers.Dense(1, name="force"),
        ],
        name="cartpole_ncp",
    )
    model.compile(keras.optimizers.Adam(0.01), "mse", jit_compile=True)
    dagger(model, env, CartPoleLQR(env), cartpole_action, **CARTPOLE_DAGGER, seed=SEED)
    result = evaluate_policy(StreamingPolicy.from_keras(model), env, cartpole_action)
    print(result.summary())
    model.save(PATH)


if __name__ == "__main__":
    main()
