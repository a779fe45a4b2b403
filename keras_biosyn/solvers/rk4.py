"""The classical fourth-order Runge-Kutta step, for accuracy studies."""

from keras_biosyn.ops.membrane import derivative


def rk4_step(v, h, cm, drive, epsilon):
    """One classical Runge-Kutta step of `dv/dt = (numerator - denominator * v) / cm`.

    Fourth-order accurate with the input held over the step; conditionally
    stable like every explicit method. `epsilon` is unused.
    """
    del epsilon
    k1 = derivative(v, cm, drive)
    k2 = derivative(v + 0.5 * h * k1, cm, drive)
    k3 = derivative(v + 0.5 * h * k2, cm, drive)
    k4 = derivative(v + h * k3, cm, drive)
    return v + (h / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
