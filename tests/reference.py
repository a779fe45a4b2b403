"""A float64 NumPy reference of BioSynLTCCell, written from the ODE as stated.

It shares no code with the package: the right-hand side is the sum of the leak
and synaptic currents, `cm dv/dt = gleak (vleak - v) + Σ G (erev - v) + Σ Gs
(erevs - v)`, not the package's numerator/denominator algebra.
"""

from __future__ import annotations

import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def cell_weights(cell) -> dict[str, np.ndarray]:
    """The cell's weights by name, as float64 arrays."""
    return {v.name: np.asarray(v.numpy(), dtype=np.float64) for v in cell.weights}


def map_inputs(p, u, input_mapping):
    x = np.asarray(u, dtype=np.float64)
    if input_mapping == "dense":
        return x @ p["input_w"] + p["input_b"]
    if input_mapping in ("affine", "linear"):
        x = x * p["input_w"]
    if input_mapping == "affine":
        x = x + p["input_b"]
    return x


def map_outputs(p, v, output_size, output_mapping):
    y = v[:, :output_size]
    if output_mapping in ("affine", "linear"):
        y = y * p["output_w"]
    if output_mapping == "affine":
        y = y + p["output_b"]
    return y


def conductances(p, v, x):
    """Recurrent G (B, N, N) and sensory Gs (B, M, N), masks applied."""
    w = p["w"] * np.abs(p["adjacency"])
    ws = p["sensory_w"] * np.abs(p["sensory_adjacency"])
    g = w * sigmoid(p["sigma"] * (v[:, :, None] - p["mu"]))
    gs = ws * sigmoid(p["sensory_sigma"] * (x[:, :, None] - p["sensory_mu"]))
    return g, gs


def rhs(p, v, x):
    """dv/dt from the membrane equation."""
    g, gs = conductances(p, v, x)
    leak = p["gleak"] * (p["vleak"] - v)
    synaptic = np.sum(g * (p["erev"] - v[:, None, :]), axis=1)
    sensory = np.sum(gs * (p["sensory_erev"] - v[:, None, :]), axis=1)
    return (leak + synaptic + sensory) / p["cm"]


def semi_implicit(p, v, x, h, epsilon):
    """v <- (cm/h v + gleak vleak + Σ G erev) / (cm/h + gleak + Σ G), G at v.

    With `epsilon > 0` the package's step is
    `v + h (numerator - denominator v) / (cm + h denominator + epsilon)`, which
    differs from this by O(epsilon): compare with `epsilon=0` for exactness.
    """
    g, gs = conductances(p, v, x)
    cm_h = p["cm"] / h
    numerator = (
        cm_h * v
        + p["gleak"] * p["vleak"]
        + np.sum(g * p["erev"], axis=1)
        + np.sum(gs * p["sensory_erev"], axis=1)
    )
    denominator = cm_h + p["gleak"] + np.sum(g, axis=1) + np.sum(gs, axis=1)
    return numerator / denominator


def explicit_euler(p, v, x, h, epsilon):
    return v + h * rhs(p, v, x)


def rk4(p, v, x, h, epsilon):
    k1 = rhs(p, v, x)
    k2 = rhs(p, v + h / 2 * k1, x)
    k3 = rhs(p, v + h / 2 * k2, x)
    k4 = rhs(p, v + h * k3, x)
    return v + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)


def exponential(p, v, x, h, epsilon):
    """The exact solution over `h` of the ODE with its conductances frozen at `v`.

    With G and Gs held, `cm dv/dt = gleak (vleak - v) + Σ G (erev - v) + Σ Gs (erevs - v)`
    relaxes towards `v_inf` (where the currents cancel) with rate `(gleak + Σ G + Σ Gs) / cm`.
    """
    g, gs = conductances(p, v, x)
    total = p["gleak"] + np.sum(g, axis=1) + np.sum(gs, axis=1)
    v_inf = (
        p["gleak"] * p["vleak"]
        + np.sum(g * p["erev"], axis=1)
        + np.sum(gs * p["sensory_erev"], axis=1)
    ) / total
    return v_inf + (v - v_inf) * np.exp(-h * total / p["cm"])


SOLVERS = {
    "semi_implicit": semi_implicit,
    "exponential": exponential,
    "explicit_euler": explicit_euler,
    "rk4": rk4,
}


def step(
    p,
    u,
    v,
    *,
    output_size,
    ode_unfolds,
    solver,
    input_mapping,
    output_mapping="affine",
    time_input=False,
    epsilon=1e-8,
):
    """One cell step: returns `(output, new_state)` as float64 arrays.

    `ode_unfolds`, `solver` and `input_mapping` have no defaults here: a check
    must name the setting of the cell it compares with (`cell_options`), never
    inherit the package's default.
    """
    u = np.asarray(u, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    if time_input:
        dt = u[:, -1:]
        u = u[:, :-1]
    else:
        dt = np.ones((u.shape[0], 1))
    x = map_inputs(p, u, input_mapping)
    h = dt / ode_unfolds
    for _ in range(ode_unfolds):
        v = SOLVERS[solver](p, v, x, h, epsilon)
    return map_outputs(p, v, output_size, output_mapping), v


def cell_options(cell, **overrides) -> dict:
    """The keyword arguments of `step` and `run_sequence` that mirror `cell`'s configuration."""
    options = dict(
        output_size=cell.output_size,
        ode_unfolds=cell.ode_unfolds,
        solver=cell.solver,
        input_mapping=cell.input_mapping,
        output_mapping=cell.output_mapping,
        time_input=cell.time_input,
        epsilon=cell.epsilon,
    )
    return {**options, **overrides}


def run_sequence(p, inputs, v0=None, **kwargs):
    """Runs `step` over `(B, T, F)` inputs; returns outputs `(B, T, O)` and states."""
    inputs = np.asarray(inputs, dtype=np.float64)
    units = p["cm"].shape[0]
    v = np.zeros((inputs.shape[0], units)) if v0 is None else np.asarray(v0, np.float64)
    outputs, states = [], []
    for t in range(inputs.shape[1]):
        y, v = step(p, inputs[:, t], v, **kwargs)
        outputs.append(y)
        states.append(v)
    return np.stack(outputs, axis=1), np.stack(states, axis=1)


def random_values(
    rng: np.random.Generator, n: int, m: int, outputs: int, erev_scale=1.5, dense_inputs=False
):
    """Random valid values of every trainable parameter (not the defaults).

    `dense_inputs`: `input_w` is the `(m, m)` matrix of `input_mapping="dense"`.
    """
    values = {
        "cm": rng.uniform(0.2, 1.0, n),
        "gleak": rng.uniform(0.05, 1.0, n),
        "vleak": rng.uniform(-1.0, 1.0, n),
        "w": rng.uniform(0.0, 1.0, (n, n)),
        "sigma": rng.uniform(-6.0, 6.0, (n, n)),
        "mu": rng.uniform(-1.0, 1.0, (n, n)),
        "erev": rng.uniform(-erev_scale, erev_scale, (n, n)),
        "sensory_w": rng.uniform(0.0, 1.0, (m, n)),
        "sensory_sigma": rng.uniform(-6.0, 6.0, (m, n)),
        "sensory_mu": rng.uniform(-1.0, 1.0, (m, n)),
        "sensory_erev": rng.uniform(-erev_scale, erev_scale, (m, n)),
        "input_w": rng.uniform(0.5, 1.5, m),
        "input_b": rng.uniform(-0.5, 0.5, m),
        "output_w": rng.uniform(0.5, 1.5, outputs),
        "output_b": rng.uniform(-0.5, 0.5, outputs),
    }
    if dense_inputs:
        values["input_w"] = rng.uniform(-1.0, 1.0, (m, m))
    return values


def randomize_cell(cell, rng: np.random.Generator, erev_scale: float = 1.5):
    """Sets every trainable parameter of a built cell to `random_values`."""
    values = random_values(
        rng,
        cell.units,
        cell.input_dim,
        cell.output_size,
        erev_scale,
        dense_inputs=cell.input_mapping == "dense",
    )
    for variable in cell.weights:
        if variable.name in values:
            variable.assign(values[variable.name].astype(variable.dtype))
