"""The synapse layouts: their names, and when `"auto"` picks the sparse one.

In the sparse layout a cell computes only the synapses of its `adjacency`
weight, listed by a `keras_biosyn.cells.synapse_index.SynapseIndex`. The maths
over the list is `keras_biosyn.ops.synapses` (`gather_synapses`,
`sparse_conductance_sums`).
"""

from __future__ import annotations

SYNAPSE_LAYOUTS = ("auto", "dense", "sparse")
# `synapse_layout="auto"` computes synapse by synapse at or below this fraction
# of the units * units possible synapses (benchmarks/sparse_kernels.py).
SPARSE_MAX_DENSITY = 0.4


def resolve_synapse_layout(layout: str, synapse_count: int, units: int) -> str:
    """`"dense"` or `"sparse"`: `layout`, with `"auto"` resolved by density."""
    return resolve_by_density(layout, synapse_count, units * units)


def resolve_by_density(layout: str, synapse_count: int, possible: int) -> str:
    """`layout`, with `"auto"` resolved by `synapse_count` of `possible` synapses.

    >>> resolve_by_density("auto", 4, 12), resolve_by_density("auto", 6, 12)
    ('sparse', 'dense')
    """
    if layout != "auto":
        return layout
    return "sparse" if synapse_count / float(possible) <= SPARSE_MAX_DENSITY else "dense"
