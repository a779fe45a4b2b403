"""`keras_biosyn.benchmarking.models`: the cells, the baselines and the 0.1 defaults by name."""

import numpy as np
import pytest

from keras_biosyn.benchmarking import MODELS, benchmark_layer
from keras_biosyn.benchmarking.models import BASELINES, CELL_MODELS


def test_models_are_the_cells_then_the_baselines():
    assert MODELS == (*CELL_MODELS, *BASELINES)


@pytest.mark.parametrize(
    "model", ["biosyn_ltc", "biosyn_ltc_0.1", "biosyn_ltc_0.2", "ctrnn", "lstm", "gru"]
)
def test_benchmark_layer_builds_every_model_by_name(model):
    layer = benchmark_layer(model, 6, "auto_ncp", seed=1)
    assert layer.name == ("biosyn_ltc" if model.startswith("biosyn_ltc") else model)
    outputs = layer(np.zeros((2, 5, 3), "float32"))
    assert outputs.shape == (2, 2 if model in CELL_MODELS else 6)  # AutoNCP: 6 // 3


def test_benchmark_layer_options_reach_the_cell_only():
    layer = benchmark_layer(
        "biosyn_ltc_0.1", 6, None, time_input=True, cell_options={"ode_unfolds": 2}
    )
    cell = layer.cell
    assert cell.time_input and cell.ode_unfolds == 2 and cell.solver == "semi_implicit"
    assert cell.units == 6 and type(cell.wiring).__name__ == "FullyConnected"
    assert benchmark_layer("biosyn_ltc_0.2", 6).cell.input_mapping == "affine"
    assert benchmark_layer("biosyn_ltc", 6).cell.input_mapping == "dense"
    cell = benchmark_layer("ctrnn", 9, cell_options={"wiring": "random"}).cell
    assert type(cell.wiring).__name__ == "Random"
    with pytest.raises(ValueError, match="cell_options apply to the cells only"):
        benchmark_layer("lstm", 4, cell_options={"wiring": "random"})
    with pytest.raises(ValueError, match="Received: model='transformer'"):
        benchmark_layer("transformer", 4)
