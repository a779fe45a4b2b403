import keras
import pytest

from keras_biosyn import BioSynLTCCell, parameter_report, wirings


@pytest.mark.parametrize(
    "wiring",
    [wirings.FullyConnected(12, 3, seed=0), wirings.AutoNCP(12, 3, seed=0)],
    ids=["fully_connected", "auto_ncp"],
)
@pytest.mark.parametrize("input_mapping", ["dense", "affine"])
def test_counts_match_the_weights_and_keras_baselines(wiring, input_mapping):
    inputs = keras.Input((7, 5))
    cell = BioSynLTCCell(wiring, input_mapping=input_mapping)
    model = keras.Model(inputs, keras.layers.RNN(cell, name="ltc")(inputs))
    report = parameter_report(model)
    cell = model.get_layer("ltc").cell
    n, m = 12, 5
    assert (report.units, report.input_dim, report.output_size) == (n, m, 3)
    assert report.synapses == wiring.synapse_count
    assert report.sensory_synapses == cell.wiring.sensory_synapse_count
    assert report.stored_parameters == sum(int(v.numpy().size) for v in cell.trainable_weights)
    # input weights and biases (an m x m matrix when dense), output weights and biases
    mapping = (m * m if input_mapping == "dense" else m) + m + 2 * 3
    assert report.mapping_parameters == mapping
    assert report.active_parameters == 3 * n + 4 * (report.synapses + report.sensory_synapses) + (
        mapping
    )
    for layer_type, count in [
        (keras.layers.LSTM, report.lstm_parameters),
        (keras.layers.GRU, report.gru_parameters),
        (keras.layers.SimpleRNN, report.simple_rnn_parameters),
    ]:
        baseline = keras.Sequential([keras.Input((7, m)), layer_type(n)])
        assert baseline.count_params() == count, layer_type.__name__
    text = str(report)
    assert "active parameters" in text and str(report.lstm_parameters) in text
    assert report.to_dict()["active_per_neuron"] == pytest.approx(report.active_parameters / n)


def test_sparse_wiring_has_fewer_active_than_stored_parameters():
    cell = BioSynLTCCell(wirings.AutoNCP(20, 2, sparsity=0.8, seed=0))
    cell.build((None, 4))
    report = parameter_report(cell)
    assert report.active_parameters < 0.5 * report.stored_parameters
    dense = BioSynLTCCell(20)
    dense.build((None, 4))
    assert parameter_report(dense).active_parameters == parameter_report(dense).stored_parameters


def test_unbuilt_cell_and_model_without_cells_are_rejected():
    with pytest.raises(ValueError, match="needs a built cell"):
        parameter_report(BioSynLTCCell(4))
    with pytest.raises(ValueError, match="at least one"):
        parameter_report(keras.Sequential([keras.Input((3, 2)), keras.layers.GRU(2)]))
