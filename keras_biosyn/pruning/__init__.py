"""Smaller circuits: synapse importance measured on data, and pruning by it.

`synapse_importance` reduces each synapse's conductance and current over a
dataset with the coefficient code; `prune` returns a new model without the
weakest synapses (its sparse layout picked again by the remaining density),
optionally fine-tuned between rounds, and without the neurons that no longer
reach an output (`unreachable_neurons`, `without_neurons`); `GradualPruning`
prunes during `fit`.
"""

from keras_biosyn.pruning.gradual import GradualPruning
from keras_biosyn.pruning.graph import (
    disconnected_neurons,
    strongest_synapses,
    unreachable_neurons,
)
from keras_biosyn.pruning.importance import (
    IMPORTANCES,
    SynapseImportance,
    SynapseStatistics,
    importance_scores,
    synapse_importance,
)
from keras_biosyn.pruning.prune import PruneResult, prune
from keras_biosyn.pruning.rebuild import with_graph, without_neurons
from keras_biosyn.pruning.score import Score, evaluate_score

__all__ = [
    "IMPORTANCES",
    "GradualPruning",
    "PruneResult",
    "Score",
    "SynapseImportance",
    "SynapseStatistics",
    "disconnected_neurons",
    "evaluate_score",
    "importance_scores",
    "prune",
    "strongest_synapses",
    "synapse_importance",
    "unreachable_neurons",
    "with_graph",
    "without_neurons",
]
