import keras
import numpy as np
import pytest

from keras_biosyn import BioSynLTCCell, wirings
from keras_biosyn.cells.biosyn_ltc_cell import MIN_CM, MIN_GLEAK
from tests import reference
from tests.test_case import TestCase
from tests.testing import make_wiring, rnn_model

# The numeric tests' circuits: 7 neurons (9 for an AutoNCP), 3 outputs.
KINDS = ("auto_ncp", "fully_connected", "random")
SOLVERS = ["semi_implicit", "exponential", "explicit_euler", "rk4"]
# the unconditionally stable ones, whose state stays in the reversal range for any step
BOUNDED_SOLVERS = ["semi_implicit", "exponential"]
# float64 compares the algebra exactly; float32 bounds the rounding error.
TOLERANCES = {"float64": 1e-10, "float32": 2e-5}


def numeric_wiring(kind):
    return make_wiring(kind, units=9 if kind == "auto_ncp" else 7, output_size=3)


def built_cell(features=4, rng=None, **kwargs):
    cell = BioSynLTCCell(**kwargs)
    cell.build((None, features))
    if rng is not None:
        reference.randomize_cell(cell, rng)
    return cell


# -- construction ---------------------------------------------------------------
def test_int_units_give_a_fully_connected_circuit():
    cell = BioSynLTCCell(5, output_size=2)
    assert isinstance(cell.wiring, wirings.FullyConnected)
    assert (cell.units, cell.state_size, cell.output_size) == (5, 5, 2)
    assert BioSynLTCCell(5).output_size == 5


def test_weights_are_named_after_the_symbols():
    cell = built_cell(3, units=4)
    names = {v.name: tuple(v.shape) for v in cell.weights}
    assert names == {
        "cm": (4,),
        "gleak": (4,),
        "vleak": (4,),
        "w": (4, 4),
        "sigma": (4, 4),
        "mu": (4, 4),
        "erev": (4, 4),
        "sensory_w": (3, 4),
        "sensory_sigma": (3, 4),
        "sensory_mu": (3, 4),
        "sensory_erev": (3, 4),
        "input_w": (3, 3),  # the default input_mapping="dense"
        "input_b": (3,),
        "output_w": (4,),
        "output_b": (4,),
        "adjacency": (4, 4),
        "sensory_adjacency": (3, 4),
    }
    trainable = {v.name for v in cell.trainable_weights}
    assert "adjacency" not in trainable and "sensory_adjacency" not in trainable


@pytest.mark.parametrize(
    "mapping, expected", [("affine", {"w", "b"}), ("linear", {"w"}), (None, set())]
)
def test_mappings_create_their_weights(mapping, expected):
    cell = built_cell(3, units=4, input_mapping=mapping, output_mapping=mapping)
    names = {v.name for v in cell.weights}
    assert {s[-1] for s in ("input_w", "input_b") if s in names} == expected
    assert {s[-1] for s in ("output_w", "output_b") if s in names} == expected


def test_erev_and_masks_come_from_the_wiring():
    wiring = wirings.Random(6, sparsity=0.5, seed=3)
    cell = built_cell(4, units=wiring)
    np.testing.assert_array_equal(cell.erev.numpy(), cell.wiring.adjacency_matrix)
    np.testing.assert_array_equal(cell.adjacency.numpy(), cell.wiring.adjacency_matrix)
    np.testing.assert_array_equal(cell.sensory_erev.numpy(), cell.wiring.sensory_adjacency_matrix)
    assert np.count_nonzero(cell.adjacency.numpy()) == wiring.synapse_count
    assert np.count_nonzero(cell.sensory_adjacency.numpy()) == (cell.wiring.sensory_synapse_count)


def test_default_initial_ranges_and_overrides():
    cell = built_cell(3, units=20)
    for name, (low, high) in {
        "cm": (0.5, 8.0),
        "gleak": (0.001, 1.0),
        "vleak": (-0.2, 0.2),
        "w": (0.01 / 20, 2.0 / 20),  # U(0.01, 2) over the fan-in (20)
        "sigma": (3, 8),
        "mu": (0.3, 0.8),
        "sensory_w": (0.01 / 3, 2.0 / 3),  # over the sensory fan-in (3)
        "sensory_sigma": (3, 8),
        "sensory_mu": (0.3, 0.8),
    }.items():
        values = getattr(cell, name).numpy()
        assert values.min() >= low and values.max() <= high, name
    custom = built_cell(
        3,
        units=4,
        cm_initializer=keras.initializers.Constant(2.0),
        sigma_initializer=keras.initializers.RandomUniform(-1.0, 1.0),
    )
    np.testing.assert_array_equal(custom.cm.numpy(), 2.0)
    assert np.abs(custom.sigma.numpy()).max() <= 1.0


def test_default_is_one_exponential_step_with_log_spread_capacitances():
    """Capacitances spread over orders of magnitude, so time constants do too."""
    cell = built_cell(3, units=400)
    assert (cell.solver, cell.ode_unfolds) == ("exponential", 1)
    octaves = np.log2(cell.cm.numpy() / 0.5)  # [0.5, 8]: 4 octaves
    counts = np.histogram(octaves, bins=4, range=(0, 4))[0]
    assert counts.min() > 60, counts  # 100 expected in each
    config = cell.get_config()
    assert config["cm_initializer"]["class_name"] == "LogUniform"
    assert (config["solver"], config["ode_unfolds"]) == ("exponential", 1)


def _output_sensitivity(cell):
    """Per output neuron: sum of |d output / d input| over one step from rest."""
    import tensorflow as tf

    u = tf.constant(np.random.default_rng(0).normal(size=(2, 4)), tf.float32)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(u)
        output, _ = cell(u, [tf.zeros((2, cell.units))])
        outputs = [output[:, k] for k in range(cell.output_size)]
    return np.array([np.abs(tape.gradient(o, u).numpy()).sum() for o in outputs])


@pytest.mark.parametrize("kind", KINDS)
def test_by_default_an_input_reaches_every_output_within_its_own_step(kind):
    """`ode_unfolds=None` takes one sub-step per synapse between inputs and outputs."""
    keras.utils.set_random_seed(0)
    cell = built_cell(4, units=numeric_wiring(kind))
    assert cell.ode_unfolds == cell.wiring.depth()
    assert (_output_sensitivity(cell) > 0).all()
    if kind == "auto_ncp":
        assert cell.ode_unfolds == 3  # sensory -> inter -> command -> motor
        # one sub-step: the motor neurons cannot see this step's input yet
        one_step = built_cell(4, units=numeric_wiring(kind), ode_unfolds=1)
        assert (_output_sensitivity(one_step) == 0).all()


def test_default_conductances_scale_with_each_neurons_fan_in():
    """Every neuron starts with a total conductance near 1, whatever its fan-in."""
    cell = built_cell(5, units=wirings.AutoNCP(40, 4, sparsity=0.5, seed=3))
    fan_in = np.count_nonzero(cell.adjacency.numpy(), axis=0)
    total = cell.w.numpy().sum(axis=0, where=cell.adjacency.numpy() != 0)
    receiving = fan_in >= 5
    assert receiving.sum() > 5
    np.testing.assert_array_less(np.abs(total[receiving] - 1.0), 0.6)
    sensory_total = (cell.sensory_w.numpy() * (cell.sensory_adjacency.numpy() != 0)).sum(0)
    assert sensory_total.max() <= 2.0 + 1e-6
    config = cell.get_config()
    assert config["w_initializer"] is None and config["sensory_w_initializer"] is None


def test_a_shared_wiring_serves_several_layers():
    wiring = wirings.AutoNCP(10, output_size=2, seed=5)
    a = built_cell(3, units=wiring)
    b = built_cell(3, units=wiring)
    c = built_cell(6, units=wiring)
    np.testing.assert_array_equal(a.adjacency.numpy(), b.adjacency.numpy())
    np.testing.assert_array_equal(a.sensory_adjacency.numpy(), b.sensory_adjacency.numpy())
    assert c.sensory_adjacency.shape == (6, 10)
    assert wiring.input_dim is None


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(units=0), ValueError, "units.*Received: units=0"),
        (dict(units=-3), ValueError, "units.*Received: units=-3"),
        (dict(units=4.5), TypeError, "units.*Received: units=4.5"),
        (dict(units="8"), TypeError, "units.*Received: units='8'"),
        (dict(units=4, output_size=5), ValueError, "output_size=5"),
        (
            dict(units=4, ode_unfolds=0),
            ValueError,
            "ode_unfolds.*Received: ode_unfolds=0",
        ),
        (dict(units=4, solver="euler"), ValueError, "solver.*semi_implicit.*'euler'"),
        (dict(units=4, input_mapping="relu"), ValueError, "input_mapping.*'relu'"),
        (dict(units=4, output_mapping="x"), ValueError, "output_mapping.*'x'"),
        (dict(units=4, time_input=1), TypeError, "time_input.*Received: time_input=1"),
        (dict(units=4, epsilon=-1.0), ValueError, "epsilon.*-1.0"),
        (
            dict(units=wirings.FullyConnected(4, output_size=2), output_size=3),
            ValueError,
            "conflicts.*output_size=2.*Received: output_size=3",
        ),
    ],
)
def test_bad_arguments_raise_clear_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        BioSynLTCCell(**kwargs)


def test_conflicting_wiring_input_dim_is_rejected_at_build():
    cell = BioSynLTCCell(wirings.FullyConnected(4, input_dim=3))
    with pytest.raises(ValueError, match=r"input_dim=3 features.*receives 5"):
        cell.build((None, 5))


def test_time_input_needs_a_feature_besides_time():
    with pytest.raises(ValueError, match=r"at least 2 features.*input_shape"):
        BioSynLTCCell(4, time_input=True).build((None, 1))


# -- numerics -------------------------------------------------------------------
# The explicit solvers are stable only at small steps (random parameters, h = 1/6).
SOLVER_UNFOLDS = [
    *((solver, unfolds) for solver in BOUNDED_SOLVERS for unfolds in (1, 6)),
    *((solver, 6) for solver in SOLVERS if solver not in BOUNDED_SOLVERS),
]


@pytest.mark.parametrize("dtype", sorted(TOLERANCES))
@pytest.mark.parametrize("solver, unfolds", SOLVER_UNFOLDS)
@pytest.mark.parametrize("kind", KINDS)
def test_one_step_matches_float64_reference(rng, kind, solver, unfolds, dtype):
    epsilon = 0.0 if dtype == "float64" else 1e-8
    cell = built_cell(
        4,
        rng,
        units=numeric_wiring(kind),
        solver=solver,
        ode_unfolds=unfolds,
        dtype=dtype,
        epsilon=epsilon,
    )
    u = rng.normal(size=(5, 4))
    v = rng.uniform(-1, 1, size=(5, cell.units))
    output, states = cell(u.astype(dtype), [v.astype(dtype)])
    ref_output, ref_state = reference.step(
        reference.cell_weights(cell), u, v, **reference.cell_options(cell)
    )
    assert output.dtype == dtype
    tol = TOLERANCES[dtype]
    np.testing.assert_allclose(np.asarray(states[0]), ref_state, rtol=tol, atol=tol)
    np.testing.assert_allclose(np.asarray(output), ref_output, rtol=tol, atol=tol)


@pytest.mark.parametrize("mapping", ["linear", None])
def test_mappings_match_reference(rng, mapping):
    cell = built_cell(
        3,
        rng,
        units=5,
        output_size=2,
        input_mapping=mapping,
        output_mapping=mapping,
        dtype="float64",
        epsilon=0.0,
    )
    u, v = rng.normal(size=(2, 3)), rng.normal(size=(2, 5))
    output, _ = cell(u, [v])
    expected, _ = reference.step(
        reference.cell_weights(cell), u, v, **reference.cell_options(cell)
    )
    np.testing.assert_allclose(np.asarray(output), expected, rtol=1e-12)


def test_whole_sequence_matches_reference(rng):
    keras.config.set_dtype_policy("float64")
    cell = BioSynLTCCell(wirings.AutoNCP(8, output_size=2, seed=2), epsilon=0.0)
    model = rnn_model(cell, 30, 3, return_sequences=True)
    reference.randomize_cell(cell, rng)
    x = rng.normal(size=(4, 30, 3))
    expected, _ = reference.run_sequence(
        reference.cell_weights(cell), x, **reference.cell_options(cell)
    )
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-9, atol=1e-10)


def test_time_input_matches_reference_and_scales_with_dt(rng):
    cell = built_cell(
        4, rng, units=6, output_size=2, time_input=True, dtype="float64", epsilon=0.0
    )
    u = np.tile(rng.normal(size=(1, 4)), (5, 1))  # same input, different dt
    u[:, -1] = [0.1, 0.5, 1.0, 2.0, 10.0]
    v = np.tile(rng.uniform(-1, 1, size=(1, 6)), (5, 1))
    _, states = cell(u, [v])
    _, ref_state = reference.step(
        reference.cell_weights(cell), u, v, **reference.cell_options(cell)
    )
    np.testing.assert_allclose(np.asarray(states[0]), ref_state, rtol=1e-8, atol=1e-10)
    # A longer elapsed time moves the state further.
    moved = np.abs(np.asarray(states[0]) - v).mean(axis=1)
    assert moved[0] < moved[2] < moved[4]


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("bad_dt", [0.0, -1.0, np.nan, np.inf, -np.inf])
def test_invalid_elapsed_time_holds_the_state(rng, solver, bad_dt):
    cell = built_cell(3, rng, units=5, output_size=2, time_input=True, solver=solver)
    u = rng.normal(size=(2, 3)).astype("float32")
    u[0, -1] = bad_dt
    u[1, -1] = 1.0
    v = rng.uniform(-1, 1, size=(2, 5)).astype("float32")
    _, states = cell(u, [v])
    new_state = np.asarray(states[0])
    assert np.isfinite(new_state).all()
    np.testing.assert_array_equal(new_state[0], v[0])
    assert not np.allclose(new_state[1], v[1])


@pytest.mark.parametrize("solver", BOUNDED_SOLVERS)
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_state_never_leaves_the_reversal_range(seed, solver):
    """Property: with cm, gleak > 0 and w >= 0 each step is a convex combination.

    Random parameters (reversal potentials well beyond +-1), random inputs and
    elapsed times up to 1000 over 1,200 steps: every neuron stays within the
    range spanned by its start value, its vleak and the reversal potentials of
    its incoming synapses.
    """
    rng = np.random.default_rng(seed)
    wiring = [
        wirings.FullyConnected(10, seed=seed),
        wirings.Random(10, sparsity=0.7, seed=seed),
        wirings.AutoNCP(10, output_size=2, seed=seed),
        wirings.NCP(4, 3, 3, 2, 2, 4, 2, seed=seed),
    ][seed]
    cell = BioSynLTCCell(wiring, time_input=True, ode_unfolds=2, solver=solver)
    steps = 1200
    cell.build((None, 4))
    reference.randomize_cell(cell, rng, erev_scale=5.0)
    x = rng.normal(scale=10.0, size=(6, steps, 4)).astype("float32")
    x[..., -1] = 10.0 ** rng.uniform(-3, 3, size=(6, steps))  # elapsed time
    v0 = rng.uniform(-3, 3, size=(6, cell.units)).astype("float32")
    trace = _state_trace(cell, x, v0)
    p = reference.cell_weights(cell)
    present = np.abs(p["adjacency"]) > 0
    sensory_present = np.abs(p["sensory_adjacency"]) > 0
    candidates = np.concatenate(
        [
            np.where(present, p["erev"], np.nan),
            np.where(sensory_present, p["sensory_erev"], np.nan),
            np.broadcast_to(p["vleak"], (1, cell.units)),
        ]
    )
    low = np.minimum(np.nanmin(candidates, axis=0), v0)  # (batch, units)
    high = np.maximum(np.nanmax(candidates, axis=0), v0)
    tol = 1e-4
    assert np.isfinite(trace).all()
    assert (trace >= low[:, None, :] - tol).all()
    assert (trace <= high[:, None, :] + tol).all()
    # The bound is not vacuous: the state moved far from where it started.
    assert np.abs(trace[:, -1] - v0).max() > 0.5


class _StateTrace(keras.layers.Layer):
    """A built cell whose step output is its new state, to record every step's state."""

    def __init__(self, cell):
        super().__init__(dtype=cell.dtype_policy)
        self.cell = cell
        self.state_size = self.output_size = cell.units

    def call(self, inputs, states):
        _, new_states = self.cell(inputs, states)
        return new_states[0], new_states


def _state_trace(cell, x, v0):
    """The membrane potentials at every step: the built cell stepped by a compiled RNN loop."""
    sequence, initial = keras.Input(x.shape[1:]), keras.Input(v0.shape[1:])
    trace = keras.layers.RNN(_StateTrace(cell), return_sequences=True)(
        sequence, initial_state=[initial]
    )
    model = keras.Model([sequence, initial], trace)
    return np.asarray(model.predict([x, v0], batch_size=len(x), verbose=0))


# -- training -------------------------------------------------------------------
def _regression_data(rng, samples=256, steps=16, features=3):
    x = rng.normal(size=(samples, steps, features)).astype("float32")
    y = np.tanh(x[:, -4:, 0].mean(axis=1, keepdims=True)).astype("float32")
    return x, y


@pytest.mark.parametrize("jit_compile", [False, pytest.param(True, marks=pytest.mark.slow)])
def test_a_learnable_task_loss_drops(rng, jit_compile):
    x, y = _regression_data(rng)
    model = keras.Sequential(
        [
            keras.Input((16, 3)),
            keras.layers.RNN(BioSynLTCCell(8, output_size=4)),
            keras.layers.Dense(1),
        ]
    )
    model.compile(keras.optimizers.Adam(0.02), "mse", jit_compile=jit_compile)
    initial = model.evaluate(x, y, verbose=0)
    history = model.fit(x, y, epochs=15, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < 0.5 * initial
    assert np.isfinite(model.predict(x[:4], verbose=0)).all()


def test_constraints_hold_after_fit(rng):
    x, y = _regression_data(rng, samples=64)
    cell = BioSynLTCCell(6, output_size=2)
    model = keras.Sequential([keras.Input((16, 3)), keras.layers.RNN(cell), keras.layers.Dense(1)])
    # Large clipped steps drive parameters across their bounds without diverging.
    model.compile(keras.optimizers.SGD(2.0, clipvalue=1.0), "mse")
    model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    assert all(np.isfinite(v.numpy()).all() for v in cell.weights)
    cm, gleak = cell.cm.numpy(), cell.gleak.numpy()
    w, sensory_w = cell.w.numpy(), cell.sensory_w.numpy()
    assert cm.min() >= np.float32(MIN_CM) and gleak.min() >= np.float32(MIN_GLEAK)
    assert w.min() >= 0.0 and sensory_w.min() >= 0.0
    # The constraints did act: some parameter sits exactly on its bound.
    at_bound = (
        np.sum(cm == np.float32(MIN_CM))
        + np.sum(gleak == np.float32(MIN_GLEAK))
        + np.sum(w == 0.0)
        + np.sum(sensory_w == 0.0)
    )
    assert at_bound > 0
    # The graph did not change.
    np.testing.assert_array_equal(cell.adjacency.numpy(), cell.wiring.adjacency_matrix)


def test_regularizers_add_losses(rng):
    cell = BioSynLTCCell(
        4,
        w_regularizer=keras.regularizers.L1(0.1),
        sensory_w_regularizer=keras.regularizers.L2(0.1),
    )
    model = rnn_model(cell, 5, 3)
    model(rng.normal(size=(2, 5, 3)).astype("float32"))
    assert len(model.losses) == 2
    expected = 0.1 * np.abs(cell.w.numpy()).sum() + 0.1 * np.square(cell.sensory_w.numpy()).sum()
    np.testing.assert_allclose(float(sum(model.losses)), expected, rtol=1e-5)


@pytest.mark.parametrize("solver", BOUNDED_SOLVERS)
def test_mixed_float16_trains_and_stays_close_to_float32(rng, solver):
    x, y = _regression_data(rng, samples=128)
    keras.utils.set_random_seed(3)
    reference_model = keras.Sequential(
        [
            keras.Input((16, 3)),
            keras.layers.RNN(BioSynLTCCell(8, output_size=4, solver=solver)),
            keras.layers.Dense(1),
        ]
    )
    weights = reference_model.get_weights()
    keras.config.set_dtype_policy("mixed_float16")
    cell = BioSynLTCCell(8, output_size=4, solver=solver)
    model = keras.Sequential([keras.Input((16, 3)), keras.layers.RNN(cell), keras.layers.Dense(1)])
    model.set_weights(weights)
    assert cell.compute_dtype == "float16" and cell.variable_dtype == "float32"
    assert cell.w.dtype == "float32"
    out16 = model.predict(x[:32], verbose=0)
    out32 = reference_model.predict(x[:32], verbose=0)
    assert out16.dtype == np.float16
    np.testing.assert_allclose(out16.astype("float32"), out32, atol=2e-2)
    model.compile(keras.optimizers.Adam(0.02), "mse")
    initial = model.evaluate(x, y, verbose=0)
    history = model.fit(x, y, epochs=8, batch_size=32, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert history.history["loss"][-1] < initial


@pytest.mark.parametrize("solver", BOUNDED_SOLVERS)
def test_float16_extremes_stay_finite_and_bounded(solver):
    """Under mixed_float16: the smallest capacitance, large conductances and long steps.

    `dt * conductance / cm` reaches ~1e7, far past float16's 65,504: the
    exponential step must saturate to the target, a zero step must hold the
    state, and nothing may become inf or NaN.
    """
    keras.config.set_dtype_policy("mixed_float16")
    cell = BioSynLTCCell(6, time_input=True, ode_unfolds=1, solver=solver)
    cell.build((None, 3))
    cell.cm.assign(np.full(6, MIN_CM, "float32"))
    cell.w.assign(np.full((6, 6), 50.0, "float32"))
    cell.sensory_w.assign(np.full((2, 6), 50.0, "float32"))
    rng = np.random.default_rng(0)
    v = rng.uniform(-1, 1, size=(4, 6)).astype("float16")
    for dt in (0.0, 1e-3, 1.0, 50.0):
        u = np.concatenate([rng.normal(size=(4, 2)), np.full((4, 1), dt)], axis=1)
        _, states = cell(u.astype("float16"), [v])
        new = np.asarray(states[0]).astype("float32")
        assert np.isfinite(new).all(), dt
        assert np.abs(new).max() <= 1.0 + 1e-2, dt  # erev = ±1, |vleak| <= 0.2, |v| < 1
        if dt == 0.0:
            np.testing.assert_array_equal(new, v.astype("float32"))


# -- the TestCase checks ----------------------------------------------------------
class TestBioSynLTCCell(TestCase):
    @pytest.mark.parametrize(
        "layout, rnn_kwargs, expected_output_shape",
        [("dense", {}, (4, 2)), ("sparse", {"return_sequences": True}, (4, 5, 2))],
    )
    def test_layer(self, rng, layout, rnn_kwargs, expected_output_shape):
        self.run_layer_test(
            BioSynLTCCell,
            init_kwargs={
                "units": make_wiring("auto_ncp", units=6),
                "ode_unfolds": 2,
                "synapse_layout": layout,
            },
            input_data=rng.normal(size=(4, 5, 3)).astype("float32"),
            expected_output_shape=expected_output_shape,
            expected_num_trainable_weights=15,
            expected_num_non_trainable_weights=2,
            rnn_kwargs=rnn_kwargs,
        )
