"""The exponential (exact) step of the frozen linear system, first order overall."""

from keras import ops


def exponential_step(v, h, cm, drive, epsilon):
    """Solves `cm dv/dt = numerator - denominator * v` exactly over `h`, coefficients frozen.

    With the coefficients held at the current state and input, each neuron is a
    scalar linear ODE whose solution over a step `h` is

        v_inf = numerator / denominator
        v(h)  = v_inf + (v - v_inf) * exp(-h * denominator / cm)

    written here as `v (1 - opened) + numerator (opened / denominator)` with
    `opened = 1 - exp(-h * denominator / cm)`, so `h == 0` returns `v`
    exactly. It is the exponential integrator of the network read as a linear
    system with state-dependent coefficients (also called exponential Euler):
    exact at any step size while the coefficients
    do not depend on `v` (no recurrent synapses, input held), first order when
    they do. `v(h)` lies between `v` and `v_inf`, itself a convex combination of
    `vleak` and the reversal potentials, so the state never leaves their range
    for any step size. It costs one `exp` per neuron on top of the synapses,
    and `EXP` is a TFLite builtin op. `epsilon` guards the division.
    """
    numerator, denominator = drive(v)
    # (h * denominator) / cm, in this order: under float16 `denominator / cm` alone can
    # overflow to inf, and a zero step (no time elapsed) must then still give 0, not NaN.
    opened = 1.0 - ops.exp(-(h * denominator) / cm)
    # v + (v_inf - v) * opened, with v_inf = numerator / denominator, written so that the
    # division is of `opened` (which vanishes with the denominator): in an int8 export, where
    # a small denominator rounds to zero, the step then stays near `v` instead of jumping to
    # a saturated v_inf. The maximum changes nothing in float (denominator >= gleak > 0).
    return v * (1.0 - opened) + numerator * (opened / ops.maximum(denominator + epsilon, epsilon))
