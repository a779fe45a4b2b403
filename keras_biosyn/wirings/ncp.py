"""Neural Circuit Policy wirings: `NCP` (layered sensory→inter→command→motor) and `AutoNCP`."""

from __future__ import annotations

import keras
import numpy as np

from keras_biosyn.utils.validation import check_float, check_int
from keras_biosyn.wirings.wiring import Wiring


@keras.saving.register_keras_serializable(package="keras_biosyn")
class NCP(Wiring):
    """A Neural Circuit Policy: a layered, sparse circuit (Lechner et al., 2020).

    Neurons are ordered motor, command, inter: the `motor_neurons` first neurons
    are the outputs. Synapses follow the layers of the nervous system of
    *C. elegans*: input features → inter neurons → command neurons → motor
    neurons, plus recurrent synapses among command neurons. Each input feature
    reaches `sensory_fanout` inter neurons, each inter neuron reaches
    `inter_fanout` command neurons, each motor neuron receives `motor_fanin`
    command neurons, and `recurrent_command_synapses` command→command synapses
    are drawn at random. Neurons left unconnected by the draw receive
    (or send) the layer's mean number of synapses. Polarities are excitatory or
    inhibitory with equal probability.

    Reference:
    - [Lechner et al., "Neural circuit policies enabling auditable autonomy",
      Nature Machine Intelligence, 2020](https://doi.org/10.1038/s42256-020-00237-3)

    Args:
        inter_neurons: Number of inter neurons (first hidden layer).
        command_neurons: Number of command neurons (second, recurrent layer).
        motor_neurons: Number of motor (output) neurons.
        sensory_fanout: Inter neurons reached by each input feature.
        inter_fanout: Command neurons reached by each inter neuron.
        recurrent_command_synapses: Number of command→command synapses drawn.
        motor_fanin: Command neurons feeding each motor neuron.
        input_dim: Number of input features, or `None` to take it from the layer.
        seed: Integer seed of the graph (`None` draws and stores one).

    Example:

    >>> wiring = NCP(6, 4, 2, sensory_fanout=3, inter_fanout=2,
    ...              recurrent_command_synapses=3, motor_fanin=2, seed=0)
    >>> wiring.units, wiring.output_size
    (12, 2)
    """

    def __init__(
        self,
        inter_neurons: int,
        command_neurons: int,
        motor_neurons: int,
        sensory_fanout: int,
        inter_fanout: int,
        recurrent_command_synapses: int,
        motor_fanin: int,
        input_dim: int | None = None,
        seed: int | None = None,
    ):
        self.inter_neurons = check_int("inter_neurons", inter_neurons, minimum=1)
        self.command_neurons = check_int("command_neurons", command_neurons, minimum=1)
        self.motor_neurons = check_int("motor_neurons", motor_neurons, minimum=1)
        self.sensory_fanout = check_int("sensory_fanout", sensory_fanout, 1, self.inter_neurons)
        self.inter_fanout = check_int("inter_fanout", inter_fanout, 1, self.command_neurons)
        self.recurrent_command_synapses = check_int(
            "recurrent_command_synapses", recurrent_command_synapses, minimum=0
        )
        self.motor_fanin = check_int("motor_fanin", motor_fanin, 1, self.command_neurons)
        super().__init__(
            self.inter_neurons + self.command_neurons + self.motor_neurons,
            output_size=self.motor_neurons,
            input_dim=input_dim,
            seed=seed,
        )

    @property
    def neuron_groups(self) -> dict[str, range]:
        """Indices of the `"motor"`, `"command"` and `"inter"` neurons."""
        motor_end = self.motor_neurons
        command_end = motor_end + self.command_neurons
        return {
            "motor": range(0, motor_end),
            "command": range(motor_end, command_end),
            "inter": range(command_end, self.units),
        }

    def _generate_adjacency(self, rng: np.random.Generator) -> np.ndarray:
        groups = self.neuron_groups
        inter = np.array(groups["inter"])
        command = np.array(groups["command"])
        motor = np.array(groups["motor"])
        adjacency = np.zeros((self.units, self.units), dtype=np.int8)
        _connect_layers(adjacency, inter, command, self.inter_fanout, rng)
        for _ in range(self.recurrent_command_synapses):
            src, dest = rng.choice(command), rng.choice(command)
            adjacency[src, dest] = rng.choice((-1, 1))
        # Each motor neuron receives `motor_fanin` command neurons: the transpose
        # of a fan-out from motor to command.
        _connect_layers(adjacency.T, motor, command, self.motor_fanin, rng)
        return adjacency

    def _generate_sensory_adjacency(self, input_dim: int, rng: np.random.Generator) -> np.ndarray:
        adjacency = np.zeros((input_dim, self.units), dtype=np.int8)
        inter = np.array(self.neuron_groups["inter"])
        # Sensory features are rows of their own matrix: index them from 0.
        _connect_layers(adjacency, np.arange(input_dim), inter, self.sensory_fanout, rng)
        return adjacency

    def get_config(self) -> dict:
        return {
            "inter_neurons": self.inter_neurons,
            "command_neurons": self.command_neurons,
            "motor_neurons": self.motor_neurons,
            "sensory_fanout": self.sensory_fanout,
            "inter_fanout": self.inter_fanout,
            "recurrent_command_synapses": self.recurrent_command_synapses,
            "motor_fanin": self.motor_fanin,
            "input_dim": self.input_dim,
            "seed": self.seed,
        }


def _connect_layers(adjacency, sources, targets, fanout, rng):
    """Connects each source to `fanout` distinct targets, then every unreached target.

    `adjacency[source, target]` receives a random polarity; targets that no
    source reached get synapses from the mean fan-in (at least 1) of sources.
    """
    reached = np.zeros(adjacency.shape[1], dtype=bool)
    for src in sources:
        for dest in rng.choice(targets, size=fanout, replace=False):
            adjacency[src, dest] = rng.choice((-1, 1))
            reached[dest] = True
    mean_fanin = int(np.clip(len(sources) * fanout // len(targets), 1, len(sources)))
    for dest in targets:
        if not reached[dest]:
            for src in rng.choice(sources, size=mean_fanin, replace=False):
                adjacency[src, dest] = rng.choice((-1, 1))


@keras.saving.register_keras_serializable(package="keras_biosyn")
class AutoNCP(NCP):
    """An `NCP` wiring sized from a neuron count, an output size and a sparsity.

    Of the `units - output_size` hidden neurons, 40 % (at least one) are command
    neurons and the rest inter neurons. With `density = 1 - sparsity`, each input
    feature reaches `density * inter_neurons` inter neurons, each inter neuron
    `density * command_neurons` command neurons, each motor neuron receives
    `density * command_neurons` command neurons and
    `2 * density * command_neurons` recurrent command synapses are drawn (each
    count at least 1). These are the proportions of `ncps.wirings.AutoNCP`.

    Args:
        units: Total number of neurons; at least `output_size + 2`.
        output_size: Number of motor (output) neurons.
        sparsity: Fraction of absent synapses between consecutive layers,
            in `[0, 1)`.
        input_dim: Number of input features, or `None` to take it from the layer.
        seed: Integer seed of the graph (`None` draws and stores one).

    Example:

    >>> wiring = AutoNCP(32, output_size=4, sparsity=0.5, seed=1)
    >>> wiring.command_neurons, wiring.inter_neurons, wiring.motor_neurons
    (11, 17, 4)
    """

    def __init__(
        self,
        units: int,
        output_size: int,
        sparsity: float = 0.5,
        input_dim: int | None = None,
        seed: int | None = None,
    ):
        units = check_int("units", units, minimum=3)
        output_size = check_int("output_size", output_size, minimum=1)
        if output_size > units - 2:
            raise ValueError(
                "Expected `output_size` <= units - 2 so that at least one inter and "
                f"one command neuron remain (units={units}). "
                f"Received: output_size={output_size}"
            )
        self.sparsity = check_float("sparsity", sparsity, 0.0, 1.0, max_inclusive=False)
        density = 1.0 - self.sparsity
        hidden = units - output_size
        command = max(int(0.4 * hidden), 1)
        inter = hidden - command
        super().__init__(
            inter_neurons=inter,
            command_neurons=command,
            motor_neurons=output_size,
            sensory_fanout=max(int(inter * density), 1),
            inter_fanout=max(int(command * density), 1),
            recurrent_command_synapses=max(int(command * density * 2), 1),
            motor_fanin=max(int(command * density), 1),
            input_dim=input_dim,
            seed=seed,
        )

    def get_config(self) -> dict:
        return {
            "units": self.units,
            "output_size": self.output_size,
            "sparsity": self.sparsity,
            "input_dim": self.input_dim,
            "seed": self.seed,
        }
