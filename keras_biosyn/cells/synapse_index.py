"""`SynapseIndex`: the synapses a sparse-layout cell computes, read off its adjacency.

The graph lives in one place, the cell's `adjacency` weight. In the sparse
layout the cell computes only the synapses that weight lists, as `(pre, post)`
index arrays kept as NumPy constants (XLA optimises constant gathers and
segment sums far better than data-dependent ones). The index is read off the
adjacency when the cell is built and again when weights are loaded; once a
call has computed with it, a traced graph may hold it as constants, so loading
a different graph from then on is refused rather than silently ignored.
"""

from __future__ import annotations

import numpy as np

from keras_biosyn.ops.synapses import SynapseList


class SynapseIndex:
    """The existing synapses of an adjacency matrix, as `(pre, post)` index arrays.

    Args:
        adjacency: A `(J, I)` matrix indexed `[pre, post]`; nonzero entries
            are synapses.

    Attributes:
        pre: Presynaptic index of each synapse, int32 `(S,)`, row-major order.
        post: Postsynaptic index of each synapse, int32 `(S,)`.
        units: Number of postsynaptic neurons, `I`.
        frozen: Whether the index is fixed because a call computed with it
            (see `freeze`).

    Example:

    >>> index = SynapseIndex([[0, 1], [-1, 0]])
    >>> index.pre.tolist(), index.post.tolist(), len(index)
    ([0, 1], [1, 0], 2)
    """

    def __init__(self, adjacency):
        adjacency = np.asarray(adjacency)
        if adjacency.ndim != 2:
            raise ValueError(
                f"Expected a 2D adjacency matrix. Received: adjacency of shape {adjacency.shape}"
            )
        pre, post = np.nonzero(adjacency)
        self.pre = pre.astype(np.int32)
        self.post = post.astype(np.int32)
        self.units = adjacency.shape[1]
        self.frozen = False

    def __len__(self) -> int:
        return len(self.pre)

    @property
    def synapses(self) -> SynapseList:
        """The index as the sparse maths takes it (`keras_biosyn.ops.SynapseList`)."""
        return SynapseList(self.pre, self.post, self.units)

    def freeze(self) -> None:
        """Fixes the index: a call computes with it, and a traced call keeps it as constants.

        From then on `reload` refuses an adjacency that lists other synapses.
        """
        self.frozen = True

    def reload(self, adjacency, layer_name: str) -> None:
        """Reads the index again off `adjacency`, after weights were loaded into it.

        Raises:
            ValueError: If the index is `frozen` and `adjacency` lists other
                synapses: graphs traced already would keep computing the old ones.
        """
        loaded = SynapseIndex(adjacency)
        if np.array_equal(loaded.pre, self.pre) and np.array_equal(loaded.post, self.post):
            return
        if self.frozen:
            raise ValueError(
                f"The synapse list loaded into {layer_name!r} differs from the one this "
                "layer was already traced with. Load the model with "
                "`keras.models.load_model` or load the weights before calling it. "
                f"Received: {len(loaded)} synapses, traced with {len(self)}"
            )
        self.pre, self.post, self.units = loaded.pre, loaded.post, loaded.units


def without_legacy_index(store, count: int):
    """`store` without the two index weights that keras_biosyn <= 0.2 saved, if it has them.

    Those versions saved a sparse cell's synapse list as two int32 weights
    (`synapse_pre`, `synapse_post`) after its `count` others; the list is now
    read off the adjacency. Any other store is returned as it is.
    """
    if len(store.keys()) != count + 2:
        return store
    return {str(i): store[str(i)] for i in range(count)}
