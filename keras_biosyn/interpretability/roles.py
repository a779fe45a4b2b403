"""`neuron_roles`: what each neuron of a wiring is, by its group or its place."""

from __future__ import annotations

from collections.abc import Mapping

from keras_biosyn.wirings import Wiring


def neuron_roles(wiring: Wiring) -> tuple[str, ...]:
    """Each neuron's role: its group of `wiring.neuron_groups`, or `"output"`/`"hidden"`.

    Args:
        wiring: A `keras_biosyn.wirings.Wiring`.

    Returns:
        A tuple of `wiring.units` names (`"other"` for a neuron in no group).

    Example:

    ```python
    neuron_roles(wirings.FullyConnected(4, output_size=1))   # ("output", "hidden", ...)
    neuron_roles(wirings.AutoNCP(16, 2, seed=1))[:2]          # ("motor", "motor")
    ```
    """
    groups = getattr(wiring, "neuron_groups", None)
    if isinstance(groups, Mapping):
        roles = ["other"] * wiring.units
        for name, indices in groups.items():
            for i in indices:
                roles[int(i)] = str(name)
        return tuple(roles)
    return tuple("output" if i < wiring.output_size else "hidden" for i in range(wiring.units))
