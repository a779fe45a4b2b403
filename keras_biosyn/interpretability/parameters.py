"""`parameter_report`: how many parameters a BioSynLTC circuit has, and where."""

from __future__ import annotations

import dataclasses

import numpy as np

from keras_biosyn.cells import BioSynLTCCell
from keras_biosyn.interpretability.layer_selection import select_layer

NEURON_PARAMETERS = ("cm", "gleak", "vleak")
SYNAPSE_PARAMETERS = ("w", "sigma", "mu", "erev")


@dataclasses.dataclass(frozen=True)
class ParameterReport:
    """Parameter accounting of one BioSynLTC cell (see `parameter_report`)."""

    name: str
    units: int
    input_dim: int
    output_size: int
    synapses: int
    sensory_synapses: int
    mapping_parameters: int
    active_parameters: int
    stored_parameters: int
    lstm_parameters: int
    gru_parameters: int
    simple_rnn_parameters: int
    parameters_per_neuron: int = len(NEURON_PARAMETERS)
    parameters_per_synapse: int = len(SYNAPSE_PARAMETERS)

    @property
    def active_per_neuron(self) -> float:
        return self.active_parameters / self.units

    def to_dict(self) -> dict:
        return {**dataclasses.asdict(self), "active_per_neuron": self.active_per_neuron}

    def __str__(self) -> str:
        n, m = self.units, self.input_dim
        rows = [
            ("neurons / input features / outputs", f"{n} / {m} / {self.output_size}"),
            ("parameters per neuron (cm, gleak, vleak)", self.parameters_per_neuron),
            ("parameters per synapse (w, sigma, mu, erev)", self.parameters_per_synapse),
            ("recurrent synapses (of possible)", f"{self.synapses} of {n * n}"),
            ("sensory synapses (of possible)", f"{self.sensory_synapses} of {m * n}"),
            ("input/output mapping parameters", self.mapping_parameters),
            ("active parameters (existing synapses)", self.active_parameters),
            ("stored parameters (dense matrices)", self.stored_parameters),
            ("active parameters per neuron", f"{self.active_per_neuron:.1f}"),
            (f"LSTM({n}) on {m} features", self.lstm_parameters),
            (f"GRU({n}) on {m} features", self.gru_parameters),
            (f"SimpleRNN({n}) on {m} features", self.simple_rnn_parameters),
        ]
        width = max(len(label) for label, _ in rows)
        lines = [f"Parameter report: {self.name}"]
        lines += [f"  {label:<{width}}  {value}" for label, value in rows]
        return "\n".join(lines)


def parameter_report(model_or_cell, layer: str | None = None) -> ParameterReport:
    """Counts the parameters of a BioSynLTC cell: per neuron, per synapse, active vs stored.

    A neuron has 3 parameters (`cm`, `gleak`, `vleak`) and every synapse 4
    (`w`, `sigma`, `mu`, `erev`), recurrent or sensory; the input and output
    mappings add 1–2 per feature and per output. *Active* parameters belong to
    neurons and synapses that exist; *stored* parameters are the trainable
    weights as held (dense matrices, absent synapses included). For
    comparison, the report gives the parameter counts of Keras LSTM, GRU
    (`reset_after=True`) and SimpleRNN layers with as many units on the same
    inputs.

    Args:
        model_or_cell: A built `BioSynLTCCell`, a `keras.layers.RNN` of one,
            or a model containing such layers.
        layer: Layer name, needed when a model has several BioSynLTC layers.

    Returns:
        A `ParameterReport`; `print(report)` shows a table.

    Example:

    ```python
    cell = BioSynLTCCell(wirings.AutoNCP(16, output_size=2, seed=1))
    cell.build((None, 4))
    print(parameter_report(cell))
    ```
    """
    cell = model_or_cell
    name = getattr(model_or_cell, "name", "cell")
    if not isinstance(model_or_cell, BioSynLTCCell):
        rnn = select_layer(model_or_cell, layer)
        name, cell = rnn.name, rnn.cell
    if not cell.built:
        raise ValueError(
            "parameter_report needs a built cell (its input dimension fixes the sensory "
            f"synapses). Call the model or cell first. Received: unbuilt {cell.name!r}"
        )
    n, m = cell.units, cell.input_dim
    synapses = int(np.count_nonzero(cell.adjacency.numpy()))
    sensory = int(np.count_nonzero(cell.sensory_adjacency.numpy()))
    mapping = sum(
        int(np.prod(v.shape))
        for v in (cell.input_w, cell.input_b, cell.output_w, cell.output_b)
        if v is not None
    )
    active = len(NEURON_PARAMETERS) * n + len(SYNAPSE_PARAMETERS) * (synapses + sensory) + mapping
    stored = sum(int(np.prod(v.shape)) for v in cell.trainable_weights)
    return ParameterReport(
        name=name,
        units=n,
        input_dim=m,
        output_size=cell.output_size,
        synapses=synapses,
        sensory_synapses=sensory,
        mapping_parameters=mapping,
        active_parameters=active,
        stored_parameters=stored,
        lstm_parameters=4 * (m * n + n * n + n),
        gru_parameters=3 * (m * n + n * n + 2 * n),
        simple_rnn_parameters=m * n + n * n + n,
    )
