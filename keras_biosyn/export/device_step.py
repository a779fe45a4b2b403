"""The step of a wired cell in the form that is exported: few ops, and a membrane that int8
models keep in float32.

An exported step has two parts of very different cost and precision needs:

- the **synapses**, `O(units²)` per step: sigmoids, products and sums over every synapse.
  They quantize well (activations in `(0, 1)`, sums of bounded currents) and hold almost all
  the weights, so int8 models compute them in int8;
- the **membrane update**, `O(units)` per step: the solver's arithmetic on each neuron's
  `(numerator, denominator)` and the state fed back (with the input mapping and the
  elapsed-time guard, `O(inputs)`). It must stay in float32 in an int8
  model: a slow neuron moves by `(v_inf - v) * (1 - exp(-h * denominator / cm))` per step,
  often less than half of an int8 state's quantum (its whole range over 256 levels), so an
  int8 state stops moving and the network forgets what it integrated (benchmarks/int8_study.py
  measures it).

`DeviceStep` computes the synapses under the `SYNAPSE_SCOPE` name scope and the membrane
update under `MEMBRANE_SCOPE`, which `convert` reads to keep the latter in float32. A dense
`BioSynLTCCell` computes each synapse group (sensory, recurrent) in its folded form
(`ops.folded_conductance_sums`): the sigmoid's argument as one product plus a constant, and
the two conductance sums as two tensors, so that int8 gives each its own scale. The numbers
are those of the cell's own step, up to float32 rounding.
"""

from __future__ import annotations

import keras

from keras_biosyn.cells import BioSynLTCCell, WiredCell
from keras_biosyn.ops.synapses import (
    folded_conductance_sums,
    folded_synapses,
    mask_synapses,
)

SYNAPSE_SCOPE = "synapses"
MEMBRANE_SCOPE = "membrane_update"


class DeviceStep(keras.layers.Layer):
    """One step of a built `WiredCell`, in the form `streaming_model` exports.

    Shares the cell's weights: `DeviceStep(cell)(x_t, [v])` returns what
    `cell(x_t, [v])` returns, up to float32 rounding.

    Args:
        cell: A built `WiredCell`.
        **kwargs: Base layer keyword arguments.

    Call arguments:
        inputs: Step inputs `(batch, features)`, as for the cell.
        states: A list holding the membrane potentials `(batch, units)`.

    Returns:
        A tuple `(output, [new_state])`, as the cell's `call`.

    Example:

    ```python
    step = DeviceStep(cell)
    output, (new_state,) = step(x_t, [state])
    ```
    """

    def __init__(self, cell: WiredCell, **kwargs):
        if not isinstance(cell, WiredCell) or not cell.built:
            raise TypeError(
                f"Expected a built WiredCell. Received: cell={cell!r}"
                + ("" if isinstance(cell, WiredCell) else f" of type {type(cell).__name__}")
            )
        kwargs.setdefault("name", f"{cell.name}_step")
        super().__init__(**kwargs)
        self.cell = cell

    @property
    def folded(self) -> bool:
        """Whether the synapses are computed in the folded form (a dense BioSynLTCCell)."""
        cell = self.cell
        return (
            isinstance(cell, BioSynLTCCell)
            and cell.resolved_synapse_layout == "dense"
            and cell.resolved_sensory_layout == "dense"
        )

    def call(self, inputs, states):
        cell = self.cell
        state = states[0] if isinstance(states, (list, tuple)) else states
        with keras.name_scope(MEMBRANE_SCOPE):
            # per step, not per synapse: the elapsed-time guard (`time_input`) and the input
            # mapping stay float32 in int8 models (TFLite Micro has no int8 SELECT_V2). With the
            # dense mapping as an int8 FULLY_CONNECTED, a classifier of irregularly sampled
            # Japanese Vowels (time_input=True) fell from 0.947 to 0.187 in int8; in float32
            # it keeps 0.947 (a few hundred bytes more for the M x M matrix).
            features, step_size = cell.split_time(inputs)
            x = cell.map_inputs(features)
        if self.folded:
            capacitance, drive = self._folded_drive(x)
        else:
            with keras.name_scope(SYNAPSE_SCOPE):
                capacitance, synapse_drive = cell.drive(x)

            def drive(v):
                with keras.name_scope(SYNAPSE_SCOPE):
                    return synapse_drive(v)

        with keras.name_scope(MEMBRANE_SCOPE):
            new_state = cell.integrate(state, step_size, capacitance, drive)
        return cell.map_outputs(new_state), [new_state]

    def _folded_drive(self, x):
        """`(capacitance, drive)`: each group's two sums under `SYNAPSE_SCOPE`, and what
        adds them up per neuron (with the leak) under `MEMBRANE_SCOPE`."""
        cell = self.cell
        params = cell.circuit_parameters(layout="dense")
        # Absent synapses get a zero slope and offset too (their weights are zero already):
        # the same sums, and an int8 model's ranges only span synapses that exist.
        sensory = folded_synapses(
            mask_synapses(params.sensory_sigma, cell.sensory_adjacency), params.sensory_mu
        )
        recurrent = folded_synapses(mask_synapses(params.sigma, cell.adjacency), params.mu)
        with keras.name_scope(SYNAPSE_SCOPE):
            numerator, denominator = folded_conductance_sums(
                x, params.sensory_w, params.sensory_w_erev, *sensory
            )
        # Each neuron's totals (a group's sums plus the leak), O(units), are membrane work and
        # stay float32 in int8 models. Added in int8, each total was rounded to one scale over
        # all neurons: on six AutoNCP(12) Japanese Vowels classifiers, int8 predictions agreed
        # with float32's on 94.1 % of the test sequences (dense mapping; affine 92.7 %), and
        # on 96.5 % (94.6 %) with the totals in float32 (docs/export.md).
        with keras.name_scope(MEMBRANE_SCOPE):
            held = (numerator + params.gleak * params.vleak, denominator + params.gleak)

        def drive(v):  # called by the solver, under MEMBRANE_SCOPE
            with keras.name_scope(SYNAPSE_SCOPE):
                numerator, denominator = folded_conductance_sums(
                    v, params.w, params.w_erev, *recurrent
                )
            return numerator + held[0], denominator + held[1]

        return params.cm, drive
