"""Closed-loop control from the exported file: cart-pole balanced with the velocities hidden.

The policy sees the cart's position and the pole's angle only
(`keras_biosyn.control.make_cartpole`) and must infer both velocities from
their history. The expert is an LQR controller on the full state
(`CartPoleLQR`). Each student learns it by behaviour cloning with DAgger
relabelling (`keras_biosyn.control.dagger`: round 0 driven by the expert, then
by the student with the expert taking over each step with probability
0.5^round, a random push on 20 % of the steps while gathering, every visited
state labelled with the expert's force; `CARTPOLE_DAGGER` holds the settings):

- `biosyn_ltc`: a BioSynLTC policy on an `AutoNCP(neurons, 1)` wiring (one
  motor neuron) and a Dense(1) head;
- `lstm`: `keras.layers.LSTM(neurons)` and the same head.

Each trained student is exported as a float32 and an int8 streaming `.tflite`
file (`export_tflite`, builtin ops only; int8 calibrated on the gathered
observations) and run closed loop on `--episodes` seeded episodes (seeds
10,000 on, never trained on) in four forms: Keras, float32 in LiteRT, int8 in
LiteRT and int8 in the TFLite Micro host interpreter
(`StreamingPolicy`/`evaluate_policy`). Reported: the mean return ± std (500
is the most: Gymnasium's limit), the per-step wall time from Python, each
file's size, LiteRT `invoke()` time and TFLite Micro arena (`device_profile`),
and the parameters (BioSynLTC: active, of existing synapses; LSTM: all).
Beside them the expert's return and, to show that memory matters, the LQR
controller fed the position and angle only (velocities taken as 0).

Results go to `--json` (resumed if interrupted: finished student x seed
runs are kept), a Markdown table (`--markdown`) and a figure of one episode's
pole angle under the expert and each student's int8 TFLite Micro file
(`--figure`).

    python benchmarks/closed_loop.py                    # 16 neurons, 3 seeds (~20 min on 2 cores)
    python benchmarks/closed_loop.py --quick            # smoke run, to a temp dir
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).parent / "results"
STUDENTS = ("biosyn_ltc", "lstm")
FORMS = ("keras", "litert_float32", "litert_int8", "tflite_micro_int8")
EVALUATION_SEED = 10_000


def student(kind: str, neurons: int, seed: int, input_noise: float = 0.0):
    import keras

    from keras_biosyn import BioSynLTCCell, wirings

    keras.utils.set_random_seed(seed)
    # training-only Gaussian noise on the observations (streamed files drop it)
    noise = [keras.layers.GaussianNoise(input_noise)] if input_noise else []
    if kind == "biosyn_ltc":
        cell = BioSynLTCCell(wirings.AutoNCP(neurons, 1, seed=seed))
        rnn = keras.layers.RNN(cell, return_sequences=True, name="biosyn_ltc")
    else:
        rnn = keras.layers.LSTM(neurons, return_sequences=True, name="lstm")
    model = keras.Sequential(
        [keras.Input((None, 2)), *noise, rnn, keras.layers.Dense(1)], name=kind
    )
    model.compile(keras.optimizers.Adam(0.01), "mse", jit_compile=True)
    return model


def recurrent_parameters(model) -> int:
    """BioSynLTC: active parameters (existing synapses); LSTM: all its weights."""
    from keras_biosyn import parameter_report

    if model.name == "biosyn_ltc":
        return parameter_report(model).active_parameters
    return model.get_layer("lstm").count_params()


def train_and_deploy(kind, neurons, seed, args, directory: Path) -> dict:
    from keras_biosyn.control import (
        CARTPOLE_DAGGER,
        CartPoleLQR,
        StreamingPolicy,
        cartpole_action,
        dagger,
        episode_windows,
        evaluate_policy,
        make_cartpole,
    )
    from keras_biosyn.export import device_profile, export_tflite

    env = make_cartpole()
    expert = CartPoleLQR(env)
    model = student(kind, neurons, seed, args.input_noise)
    start = time.perf_counter()
    settings = {
        **CARTPOLE_DAGGER,
        "rounds": args.rounds,
        "episodes": args.gather,
        "epochs": args.epochs,
        "first_epochs": args.first_epochs,
    }
    history = dagger(model, env, expert, cartpole_action, **settings, seed=seed)
    train_seconds = time.perf_counter() - start
    windows = episode_windows(history.episodes, settings["window"])[0]
    model.save(directory / f"{kind}_{seed}.keras")
    chosen = np.random.default_rng(seed).choice(len(windows), min(64, len(windows)), replace=False)
    calibration = windows[chosen]
    files = {
        "float32": export_tflite(model, directory / f"{kind}_{seed}.tflite", overwrite=True),
        "int8": export_tflite(
            model,
            directory / f"{kind}_{seed}_int8.tflite",
            quantization="int8",
            representative_data=calibration,
            overwrite=True,
        ),
    }
    policies = {
        "keras": StreamingPolicy.from_keras(model),
        "litert_float32": StreamingPolicy.from_file(files["float32"]),
        "litert_int8": StreamingPolicy.from_file(files["int8"]),
        "tflite_micro_int8": StreamingPolicy.from_file(files["int8"], runtime="tflite_micro"),
    }
    seeds = range(EVALUATION_SEED, EVALUATION_SEED + args.episodes)
    forms = {}
    for form, policy in policies.items():
        result = evaluate_policy(policy, env, cartpole_action, seeds=seeds)
        forms[form] = result.to_dict()
        if form == "tflite_micro_int8":
            first = result.episodes[0]
            forms[form]["angle_trace"] = first.observations[:, 1].tolist()
        print(f"  {kind} seed {seed} {result.summary()}", flush=True)
    return {
        "student": kind,
        "neurons": neurons,
        "seed": seed,
        "parameters": recurrent_parameters(model),
        "train_seconds": train_seconds,
        "dagger_rounds": history.rounds,
        "forms": forms,
        "files": {precision: device_profile(path).to_dict() for precision, path in files.items()},
    }


def references(episodes: int) -> dict:
    from keras_biosyn.control import CartPoleLQR, cartpole_action, evaluate_policy, make_cartpole

    env = make_cartpole()
    expert = CartPoleLQR(env)
    seeds = range(EVALUATION_SEED, EVALUATION_SEED + episodes)
    full = evaluate_policy(
        expert.policy(env),
        env,
        cartpole_action,
        seeds=seeds,
        name="expert (LQR on the full state)",
    )
    blind = evaluate_policy(
        expert.velocity_blind_policy(),
        env,
        cartpole_action,
        seeds=seeds,
        name="LQR on position and angle only",
    )
    result = {"expert": full.to_dict(), "velocity_blind_lqr": blind.to_dict()}
    result["expert"]["angle_trace"] = full.episodes[0].observations[:, 1].tolist()
    for evaluation in (full, blind):
        print(f"  {evaluation.summary()}", flush=True)
    return result


def reprofile(payload: dict, models: Path | None):
    """Measures every kept file's device profile again, all in one quiet sitting."""
    from keras_biosyn.export import device_profile

    if models is None:
        raise SystemExit("closed_loop.py: error: --reprofile needs --models (the kept files)")
    for run in payload["runs"]:
        for precision in ("float32", "int8"):
            suffix = "" if precision == "float32" else "_int8"
            path = models / f"{run['student']}_{run['seed']}{suffix}.tflite"
            run["files"][precision] = device_profile(path).to_dict()
            print(f"  {path.name}: {device_profile(path).summary()}", flush=True)


def table(payload: dict) -> str:
    runs = payload["runs"]
    by_student = {kind: [r for r in runs if r["student"] == kind] for kind in STUDENTS}
    expert = payload["references"]["expert"]["mean_return"]
    lines = [
        f"Cart-pole, velocities hidden, {payload['neurons']} neurons, "
        + (
            f"Gaussian noise of std {payload['input_noise']} on the observations in training, "
            if payload.get("input_noise")
            else ""
        )
        + f"{len({r['seed'] for r in runs})} training seeds x {payload['episodes']} evaluation "
        "episodes each (mean return ± std over all episodes; 500 is the most).",
        "",
        "| policy | parameters | Keras | LiteRT float32 | LiteRT int8 | TFLite Micro int8 "
        "| int8 TFLM / Keras | int8 TFLM / expert |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for kind, mine in by_student.items():
        if not mine:
            continue
        cells, means = [], {}
        for form in FORMS:
            returns = np.concatenate([r["forms"][form]["returns"] for r in mine])
            means[form] = float(np.mean(returns))
            cells.append(f"{np.mean(returns):.1f} ± {np.std(returns):.1f}")
        lines.append(
            f"| {kind} | {mine[0]['parameters']} | {' | '.join(cells)} | "
            f"{100 * means['tflite_micro_int8'] / means['keras']:.1f} % | "
            f"{100 * means['tflite_micro_int8'] / expert:.1f} % |"
        )
    for key in ("expert", "velocity_blind_lqr"):
        ref = payload["references"][key]
        lines.append(
            f"| {ref['name']} | — | {ref['mean_return']:.1f} ± {ref['std_return']:.1f} | | | | | |"
        )
    lines += [
        "",
        "Per training seed (mean return over the evaluation episodes):",
        "",
        "| policy | seed | " + " | ".join(FORMS) + " |",
        "|---|---|" + "---|" * len(FORMS),
    ]
    for run in sorted(runs, key=lambda r: (STUDENTS.index(r["student"]), r["seed"])):
        means = " | ".join(f"{run['forms'][form]['mean_return']:.1f}" for form in FORMS)
        lines.append(f"| {run['student']} | {run['seed']} | {means} |")
    lines += [
        "",
        "Per step (medians over the seeds): the file's LiteRT `invoke()` and TFLite Micro arena "
        "(`device_profile`), and a whole policy step from Python (feed, invoke, fetch).",
        "",
        "| policy | file | ops | size KB | LiteRT invoke µs | TFLite Micro arena KB "
        "| policy step from Python µs | training s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for kind, mine in by_student.items():
        for precision, form in (("float32", "litert_float32"), ("int8", "tflite_micro_int8")):
            if not mine:
                continue
            files = [r["files"][precision] for r in mine]
            arena = [f["arena_bytes"] for f in files if f["arena_bytes"] is not None]
            ops = sum(files[0]["float_ops"].values()) + sum(files[0]["quantized_ops"].values())
            lines.append(
                f"| {kind} | {precision} | {ops} | "
                f"{statistics.median(f['size_bytes'] for f in files) / 1024:.1f} | "
                f"{statistics.median(f['litert_microseconds'] for f in files):.1f} | "
                f"{statistics.median(arena) / 1024 if arena else float('nan'):.1f} | "
                f"{statistics.median(r['forms'][form]['step_microseconds'] for r in mine):.1f} "
                f"({form}) | {statistics.median(r['train_seconds'] for r in mine):.0f} |"
            )
    return "\n".join(lines) + "\n"


def figure(payload: dict, path: Path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from keras_biosyn.control import OBSERVATION_SCALE

    degrees = np.degrees(OBSERVATION_SCALE[1])
    fig, ax = plt.subplots(figsize=(7, 3))
    expert = payload["references"]["expert"]["angle_trace"]
    ax.plot(np.asarray(expert) * degrees, color="black", lw=1.5, label="expert (full state)")
    for kind, color in zip(STUDENTS, ("tab:orange", "tab:blue"), strict=True):
        run = next((r for r in payload["runs"] if r["student"] == kind), None)
        if run is not None:
            trace = np.asarray(run["forms"]["tflite_micro_int8"]["angle_trace"]) * degrees
            ax.plot(trace, color=color, lw=1, label=f"{kind} (position and angle only)")
    ax.set_xlabel("step (20 ms)")
    ax.set_ylabel("pole angle (°)")
    ax.set_title(
        f"Training seed 0, evaluation episode seed {EVALUATION_SEED}: the int8 files "
        "in TFLite Micro",
        fontsize=10,
    )
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv=None):
    from keras_biosyn.control import CARTPOLE_DAGGER as DAGGER

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--neurons", type=int, default=16)
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--episodes", type=int, default=20, help="evaluation episodes")
    parser.add_argument("--rounds", type=int, default=DAGGER["rounds"], help="DAgger rounds")
    parser.add_argument(
        "--gather", type=int, default=DAGGER["episodes"], help="episodes gathered per round"
    )
    parser.add_argument("--first-epochs", type=int, default=DAGGER["first_epochs"])
    parser.add_argument(
        "--epochs", type=int, default=DAGGER["epochs"], help="epochs after each later round"
    )
    parser.add_argument("--json", type=Path, default=RESULTS / "closed_loop.json")
    parser.add_argument("--markdown", type=Path, default=RESULTS / "closed_loop.md")
    parser.add_argument("--figure", type=Path, default=RESULTS / "closed_loop.png")
    parser.add_argument(
        "--models", type=Path, help="keep the trained models and their files here (default: no)"
    )
    parser.add_argument(
        "--reprofile",
        action="store_true",
        help="measure the kept files' device profiles again (on a quiet machine) and rewrite",
    )
    parser.add_argument(
        "--students", default=",".join(STUDENTS), help=f"some of {', '.join(STUDENTS)}"
    )
    parser.add_argument(
        "--input-noise",
        type=float,
        default=0.0,
        help="std of Gaussian noise on the observations while training (default: none)",
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run, to a temp dir")
    args = parser.parse_args(argv)
    if args.quick:
        out = Path(tempfile.mkdtemp(prefix="closed_loop_"))
        args.seeds, args.episodes, args.rounds, args.gather = "0", 2, 2, 2
        args.first_epochs, args.epochs = 2, 1
        args.json, args.markdown, args.figure = (
            out / "closed_loop.json",
            out / "closed_loop.md",
            out / "closed_loop.png",
        )
    students = args.students.split(",")
    unknown = sorted(set(students) - set(STUDENTS))
    if unknown:
        parser.error(f"--students: unknown {', '.join(unknown)} (expected some of {STUDENTS})")
    payload = {
        "neurons": args.neurons,
        "episodes": args.episodes,
        "input_noise": args.input_noise,
        "runs": [],
    }
    if args.json.exists():
        payload = json.loads(args.json.read_text())
    if args.reprofile:
        reprofile(payload, args.models)
        args.json.write_text(json.dumps(payload, indent=1))
    if "references" not in payload:
        payload["references"] = references(args.episodes)
    with tempfile.TemporaryDirectory() as scratch:
        directory = args.models or Path(scratch)
        directory.mkdir(parents=True, exist_ok=True)
        for seed in map(int, args.seeds.split(",")):
            for kind in students:
                if any(r["student"] == kind and r["seed"] == seed for r in payload["runs"]):
                    continue
                print(f"{kind}, {args.neurons} neurons, seed {seed}", flush=True)
                payload["runs"].append(train_and_deploy(kind, args.neurons, seed, args, directory))
                args.json.parent.mkdir(parents=True, exist_ok=True)
                args.json.write_text(json.dumps(payload, indent=1))
    args.markdown.write_text(table(payload))
    figure(payload, args.figure)
    print(args.markdown.read_text())


if __name__ == "__main__":
    main()
