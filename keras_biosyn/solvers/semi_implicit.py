"""The fused semi-implicit Euler step of LTC networks (Hasani et al., 2021)."""


def semi_implicit_step(v, h, cm, drive, epsilon):
    """One implicit Euler step of the linear system frozen at `v`.

    With `drive(v) -> (numerator, denominator)` such that
    `cm dv/dt = numerator - denominator * v`, this is

        v <- (cm * v + h * numerator) / (cm + h * denominator)

    written as an increment with `epsilon` guarding the division:

        v <- v + h * (numerator - denominator * v) / (cm + h * denominator + epsilon)

    For positive `cm`, non-negative conductances and `h >= 0` the result is a
    convex combination of `v`, `vleak` and the reversal potentials, so the state
    never leaves their range whatever the step size, and `h == 0` returns `v`
    exactly.
    """
    numerator, denominator = drive(v)
    return v + h * (numerator - denominator * v) / (cm + h * denominator + epsilon)
