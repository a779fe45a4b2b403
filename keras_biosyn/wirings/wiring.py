"""The `Wiring` base class: a circuit graph of neurons and synapses with polarities."""

from __future__ import annotations

import keras
import numpy as np

from keras_biosyn.utils.validation import check_int

EXCITATORY_PROBABILITY = 2.0 / 3.0


@keras.saving.register_keras_serializable(package="keras_biosyn")
class Wiring:
    """Base class of circuit wirings: which synapses exist and their polarity.

    A wiring describes a circuit of `units` neurons. Its recurrent adjacency
    matrix has shape `(units, units)`: entry `[j, i]` is `+1` for an excitatory
    synapse from neuron `j` onto neuron `i`, `-1` for an inhibitory one and `0`
    where there is none. Its sensory adjacency matrix has shape
    `(input_dim, units)` and describes the synapses from each input feature
    onto each neuron in the same way. The first `output_size` neurons are the
    output (motor) neurons of the circuit.

    Wirings are immutable descriptions: the same configuration (including the
    `seed`) always generates the same graph, and one wiring object can be
    shared by several layers. The sensory graph depends on the number of input
    features; when `input_dim` is not given it is generated for the input
    dimension each layer sees (see `with_input_dim`).

    Subclasses implement `_generate_adjacency(rng)` and
    `_generate_sensory_adjacency(input_dim, rng)`, each returning an integer
    array of polarities, and extend `get_config()` with their own arguments.

    Args:
        units: Number of neurons, a positive int.
        output_size: Number of output (motor) neurons, the first ones of the
            circuit. Defaults to `units`.
        input_dim: Number of input features, or `None` to leave it to the layer
            that uses the wiring.
        seed: Integer seed of the graph. `None` draws one from NumPy's global
            random state (seeded by `keras.utils.set_random_seed`) and stores
            it, so the configuration still rebuilds the same graph.
    """

    def __init__(
        self,
        units: int,
        output_size: int | None = None,
        input_dim: int | None = None,
        seed: int | None = None,
    ):
        self.units = check_int("units", units, minimum=1)
        if output_size is None:
            output_size = self.units
        self.output_size = check_int("output_size", output_size, minimum=1)
        if self.output_size > self.units:
            raise ValueError(
                "Expected `output_size` to be at most `units` "
                f"({self.units}). Received: output_size={output_size}"
            )
        if input_dim is not None:
            input_dim = check_int("input_dim", input_dim, minimum=1)
        self.input_dim = input_dim
        if seed is None:
            # NumPy's global state, so that keras.utils.set_random_seed fixes it.
            seed = int(np.random.randint(0, 2**31 - 1))  # noqa: NPY002
        self.seed = check_int("seed", seed, minimum=0)
        self._adjacency = None
        self._sensory_adjacency = {}

    # -- graph generation hooks -------------------------------------------------
    def _generate_adjacency(self, rng: np.random.Generator) -> np.ndarray:
        raise NotImplementedError(
            f"{type(self).__name__} must implement `_generate_adjacency(rng)`."
        )

    def _generate_sensory_adjacency(self, input_dim: int, rng: np.random.Generator) -> np.ndarray:
        raise NotImplementedError(
            f"{type(self).__name__} must implement `_generate_sensory_adjacency(input_dim, rng)`."
        )

    # -- public graph ------------------------------------------------------------
    @property
    def adjacency_matrix(self) -> np.ndarray:
        """Recurrent polarities `[pre, post]` in {-1, 0, 1}, shape `(units, units)`.

        The array is read-only.
        """
        if self._adjacency is None:
            rng = np.random.default_rng([self.seed, 0])
            adjacency = self._generate_adjacency(rng)
            self._adjacency = _checked_polarity(
                adjacency, (self.units, self.units), type(self).__name__
            )
        return self._adjacency

    def sensory_adjacency(self, input_dim: int | None = None) -> np.ndarray:
        """Sensory polarities for `input_dim` features, shape `(input_dim, units)`."""
        input_dim = self._resolve_input_dim(input_dim)
        if input_dim not in self._sensory_adjacency:
            rng = np.random.default_rng([self.seed, 1, input_dim])
            adjacency = self._generate_sensory_adjacency(input_dim, rng)
            self._sensory_adjacency[input_dim] = _checked_polarity(
                adjacency, (input_dim, self.units), type(self).__name__
            )
        return self._sensory_adjacency[input_dim]

    @property
    def sensory_adjacency_matrix(self) -> np.ndarray:
        """Sensory polarities for the wiring's `input_dim`, shape `(input_dim, units)`."""
        return self.sensory_adjacency()

    @property
    def synapse_count(self) -> int:
        """Number of recurrent synapses that exist."""
        return int(np.count_nonzero(self.adjacency_matrix))

    @property
    def sensory_synapse_count(self) -> int:
        """Number of sensory synapses that exist (needs `input_dim`)."""
        return int(np.count_nonzero(self.sensory_adjacency()))

    def depth(self, input_dim: int | None = None) -> int:
        """Synapses an input needs to cross to reach every output neuron it can reach.

        The longest of the shortest paths from an input feature to an output
        neuron, counted in synapses: 1 when every output neuron receives a
        sensory synapse (fully connected circuits), 3 for an NCP (sensory ->
        inter -> command -> motor). Output neurons that no input reaches are
        left out; a circuit where none is reached has depth 1.

        Args:
            input_dim: Number of input features (default: the wiring's own).

        Returns:
            A positive int.

        Example:

        >>> from keras_biosyn import wirings
        >>> wirings.FullyConnected(8).depth(input_dim=2)
        1
        >>> wirings.NCP(4, 3, 2, 2, 2, 2, 2, seed=0).depth(input_dim=2)
        3
        """
        reached = np.any(self.sensory_adjacency(input_dim) != 0, axis=0)
        connected = self.adjacency_matrix != 0
        frontier, distance = reached.copy(), 1
        depth = 1
        outputs = np.arange(self.units) < self.output_size
        while frontier.any():
            if (frontier & outputs).any():
                depth = distance
            frontier = np.any(connected[frontier], axis=0) & ~reached
            reached |= frontier
            distance += 1
        return depth

    def with_input_dim(self, input_dim: int) -> Wiring:
        """Returns this wiring bound to `input_dim` input features.

        Returns `self` when the wiring already has that input dimension, a copy
        with `input_dim` set when it has none, and raises `ValueError` when it was
        made for a different number of features.
        """
        input_dim = check_int("input_dim", input_dim, minimum=1)
        if self.input_dim == input_dim:
            return self
        if self.input_dim is not None:
            raise ValueError(
                f"This {type(self).__name__} wiring was made for "
                f"input_dim={self.input_dim} features, but the layer receives "
                f"{input_dim}. Use a wiring with input_dim=None or "
                f"input_dim={input_dim}. Received: input_dim={input_dim}"
            )
        return type(self).from_config({**self.get_config(), "input_dim": input_dim})

    def _resolve_input_dim(self, input_dim):
        if input_dim is None:
            if self.input_dim is None:
                raise ValueError(
                    f"This {type(self).__name__} wiring has no `input_dim` yet. Pass "
                    "`input_dim=` to the wiring or to this method, or read it from "
                    "a built layer. Received: input_dim=None"
                )
            return self.input_dim
        input_dim = check_int("input_dim", input_dim, minimum=1)
        if self.input_dim is not None and input_dim != self.input_dim:
            raise ValueError(
                f"This wiring was made for input_dim={self.input_dim}. "
                f"Received: input_dim={input_dim}"
            )
        return input_dim

    # -- serialization -----------------------------------------------------------
    def get_config(self) -> dict:
        return {
            "units": self.units,
            "output_size": self.output_size,
            "input_dim": self.input_dim,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config: dict) -> Wiring:
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def random_polarity(rng: np.random.Generator, shape, excitatory_probability):
    """Draws +1 (excitatory) or -1 (inhibitory) polarities."""
    return np.where(rng.random(shape) < excitatory_probability, 1, -1).astype(np.int8)


def _checked_polarity(adjacency, shape, owner):
    adjacency = np.asarray(adjacency)
    if adjacency.shape != shape:
        raise ValueError(
            f"{owner} generated an adjacency matrix of shape {adjacency.shape}; expected {shape}."
        )
    if not np.isin(adjacency, (-1, 0, 1)).all():
        raise ValueError(f"{owner} generated polarities outside {{-1, 0, 1}}.")
    adjacency = adjacency.astype(np.int8)
    adjacency.setflags(write=False)
    return adjacency
