"""ODE solvers for the membrane equation, one module per method.

Every solver is a step function `step(v, h, cm, drive, epsilon) -> v_next`
where `drive(v) -> (numerator, denominator)` gives the linear system
`cm dv/dt = numerator - denominator * v` at the current state.
"""

from __future__ import annotations

from collections.abc import Callable

from keras_biosyn.solvers.explicit_euler import explicit_euler_step
from keras_biosyn.solvers.exponential import exponential_step
from keras_biosyn.solvers.rk4 import rk4_step
from keras_biosyn.solvers.semi_implicit import semi_implicit_step
from keras_biosyn.utils.validation import check_choice

# The package's default step: the exact solution of the frozen linear system (the solver
# study in benchmarks/README.md chose it; keras_biosyn 0.1 used semi_implicit).
DEFAULT_SOLVER = "exponential"

SOLVERS: dict[str, Callable] = {
    "semi_implicit": semi_implicit_step,
    "exponential": exponential_step,
    "explicit_euler": explicit_euler_step,
    "rk4": rk4_step,
}


def get(name: str) -> Callable:
    """Returns the step function of the solver called `name`."""
    return SOLVERS[check_choice("solver", name, tuple(SOLVERS))]


def integrate(step: Callable, v, h, cm, drive, epsilon, unfolds: int, first_drive=None):
    """Takes `unfolds` steps of size `h` with `step`, the input held.

    `first_drive` is `drive(v)` at the starting state when the caller already
    has it (e.g. from the linear system it read off): the first step then
    uses it instead of evaluating the synapses again.
    """
    for unfold in range(unfolds):
        step_drive = drive
        if unfold == 0 and first_drive is not None:
            step_drive = _known_at_start(v, first_drive, drive)
        v = step(v, h, cm, step_drive, epsilon)
    return v


def _known_at_start(start, known, drive: Callable) -> Callable:
    """`drive`, returning `known` when called at the state `start` itself."""

    def wrapped(v):
        return known if v is start else drive(v)

    return wrapped


__all__ = [
    "DEFAULT_SOLVER",
    "SOLVERS",
    "explicit_euler_step",
    "exponential_step",
    "get",
    "integrate",
    "rk4_step",
    "semi_implicit_step",
]
