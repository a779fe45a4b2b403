"""The sparse synapse layout: when it is used, its synapse list, and its gathers.

In the sparse layout a cell computes only the synapses of its `adjacency`
weight, listed as `(pre, post)` index arrays. The list is read off the
adjacency (the one place the graph lives) when the cell is built and when
weights are loaded; it is kept as NumPy constants, which XLA optimises far
better than data-dependent gathers and segment sums. The maths over the list
is `keras_biosyn.ops.synapses` (`gather_synapses`, `sparse_conductance_sums`).
"""

from __future__ import annotations

import numpy as np

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


def synapse_index(adjacency) -> tuple[np.ndarray, np.ndarray]:
    """The existing synapses of `adjacency` as `(pre, post)` int32 index lists, row-major."""
    pre, post = np.nonzero(np.asarray(adjacency))
    return pre.astype(np.int32), post.astype(np.int32)


def without_index_weights(store, count: int) -> dict:
    """A store of keras_biosyn <= 0.2 minus its last two entries, the sparse index weights.

    Those versions saved the synapse list as two int32 weights (`synapse_pre`,
    `synapse_post`) after the adjacency; it is now read off the adjacency.
    """
    return {str(i): store[str(i)] for i in range(count)}
