"""The explicit (forward) Euler step, first order, for accuracy studies."""

from keras_biosyn.ops.membrane import derivative


def explicit_euler_step(v, h, cm, drive, epsilon):
    """`v <- v + h * f(v)` with `f(v) = (numerator - denominator * v) / cm`.

    First-order accurate and only conditionally stable: steps longer than
    about `2 * cm / denominator` diverge. `epsilon` is unused.
    """
    del epsilon
    return v + h * derivative(v, cm, drive)
