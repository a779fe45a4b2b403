"""Score against synapses kept: BioSynLTC pruned three ways, and pruned LSTM and GRU.

On each real task of `keras-biosyn benchmark`, at 16 and 32 neurons and for
`--seeds` seeds, the script trains the benchmark's default BioSynLTC (fully
connected), LSTM and GRU with the benchmark's recipe (`train_one`: Adam, the
task's epoch budget, early stopping on validation loss). Then it prunes each
trained model step by step to the kept fractions `--keeps` (default 50, 30,
20, 10 and 5 % of the synapses), fine-tuning `--fine-tune-epochs` epochs after
each step (the weights of the best validation score kept, those before the
fine-tuning included), and records
the test score just after each cut and after its fine-tuning:

- BioSynLTC, three rankings of the synapses (recurrent and sensory together),
  each on its own copy of the trained model:
  - `importance`: `keras_biosyn.pruning`'s default, the mean absolute synaptic
    current `|G * (erev - v)|` measured on `--importance-samples` training
    sequences (drawn from the seed) with the weights of that moment;
  - `magnitude`: the maximum conductance `|w|` (the plain weight-magnitude
    pruning of this cell);
  - `random`: uniform, from the seed.
  A synapse is removed by zeroing its `adjacency` entry (what `prune` does);
  the copy computes densely, which gives the same outputs as the sparse layout.
- LSTM and GRU (same units), pruned by weight magnitude: the smallest
  `|kernel|` and `|recurrent_kernel|` entries, ranked together, are zeroed
  until the recurrent layer has as many non-zero parameters as the pruned
  BioSynLTC of the same task, size and seed at that step (biases are kept and
  counted); a callback re-applies the masks after every training batch. Keras
  3 has no maintained pruning library (`tensorflow-model-optimization` needs
  `tf_keras`), so these ~30 lines are the baseline's pruning.

The parameters compared are the recurrent layer's: BioSynLTC's active
parameters (`parameter_report`: neurons, existing synapses, input/output
mapping) and the LSTM's or GRU's non-zero weights and biases; the Dense head is
the same for all and not counted.

Results go to `--out/<task>.json` (resumed if interrupted), `summary.md` (the
tables of `--summarize`) and `<task>.png`.

    python benchmarks/pruning_accuracy.py --tasks japanese_vowels,electricity_demand --threads 1
    python benchmarks/pruning_accuracy.py --threads 1 \
        --tasks basic_motions,half_cheetah,japanese_vowels_irregular
    python benchmarks/pruning_accuracy.py --summarize
    python benchmarks/pruning_accuracy.py --quick      # smoke run on a tiny budget, to a temp dir
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

OUT = Path(__file__).parent / "results" / "pruning_accuracy"
TASK_NAMES = (
    "japanese_vowels",
    "japanese_vowels_irregular",
    "basic_motions",
    "electricity_demand",
    "half_cheetah",
)
RANKINGS = ("importance", "magnitude", "random")
# `keras_biosyn.pruning.importance_scores` names of the rankings.
IMPORTANCE_NAMES = {"importance": "current", "magnitude": "magnitude", "random": "random"}
BASELINES = ("lstm", "gru")
KEEPS = (0.5, 0.3, 0.2, 0.1, 0.05)
TARGET_KEEP, TARGET_RETAINED = 0.3, 0.98


def retained(metric: str, score: float, base: float) -> float:
    """The fraction of the unpruned score kept: score / base (accuracy) or base / score (MSE).

    >>> retained("accuracy", 0.9, 1.0), retained("mse", 0.2, 0.1)
    (0.9, 0.5)
    """
    return score / base if metric == "accuracy" else base / score


class MagnitudeMasks:
    """Masks keeping an LSTM's or GRU's largest kernel weights, re-applied after each batch."""

    def __init__(self, layer):
        import keras

        self.cell = getattr(layer, "cell", layer)
        self.kernels = [self.cell.kernel, self.cell.recurrent_kernel]
        self.masks = [np.ones(k.shape, bool) for k in self.kernels]
        self.biases = int(np.prod(self.cell.bias.shape)) if self.cell.use_bias else 0

        masks = self

        class Apply(keras.callbacks.Callback):
            def on_train_batch_end(self, batch, logs=None):
                masks.apply()

        self.callback = Apply()

    def parameters(self) -> int:
        return self.biases + int(sum(m.sum() for m in self.masks))

    def prune_to(self, parameters: int):
        """Keeps the `parameters - biases` largest kernel weights among those kept so far."""
        weights = np.concatenate(
            [
                np.abs(k.numpy()).ravel() * m.ravel()
                for k, m in zip(self.kernels, self.masks, strict=True)
            ]
        )
        keep = max(0, min(int(sum(m.sum() for m in self.masks)), parameters - self.biases))
        flat = np.zeros(len(weights), bool)
        flat[np.argsort(-weights, kind="stable")[:keep]] = True
        start = 0
        for index, mask in enumerate(self.masks):
            self.masks[index] = flat[start : start + mask.size].reshape(mask.shape) & mask
            start += mask.size
        self.apply()

    def apply(self):
        for kernel, mask in zip(self.kernels, self.masks, strict=True):
            kernel.assign(kernel.numpy() * mask)


def fine_tune(model, task, splits, epochs, callbacks=()):
    """Fits `epochs` epochs and keeps the best weights on validation, the pre-fit ones included.

    Returns a dict: `score_cut` (the test score before fitting), `score` and
    `validation_score` (those of the weights kept), and `kept_cut` (whether the
    weights before fitting scored better on validation than every fitted epoch;
    then they stay).
    """
    from keras_biosyn.benchmarking import split_scores
    from keras_biosyn.recipes import fit

    before = [np.array(w) for w in model.get_weights()]
    validation_cut, cut = split_scores(task, splits, model)
    fit(
        model,
        splits["train"],
        splits["validation"],
        epochs,
        task.batch_size,
        patience=epochs,
        validation_batch_size=len(splits["validation"].x),
        callbacks=list(callbacks),
        verbose=0,
    )
    validation, score = split_scores(task, splits, model)
    better = validation_cut > validation if task.higher_is_better else validation_cut < validation
    if better:
        model.set_weights(before)
        validation, score = validation_cut, cut
    return {"score_cut": cut, "score": score, "validation_score": validation, "kept_cut": better}


def prune_biosyn(base, task, splits, ranking, keeps, epochs, seed, samples, log):
    """One ranking's pruning path from the trained `base`: a row per kept fraction."""
    from keras_biosyn.interpretability import parameter_report
    from keras_biosyn.pruning import importance_scores, strongest_synapses, with_graph
    from keras_biosyn.pruning.graph import keep_count, synapse_total

    layer = next(layer.name for layer in base.layers if hasattr(layer, "cell"))
    cell = base.get_layer(layer).cell
    model = with_graph(
        base,
        cell.adjacency.numpy(),
        cell.sensory_adjacency.numpy(),
        layer=layer,
        synapse_layout="dense",
    )
    cell = model.get_layer(layer).cell
    total = synapse_total(cell.adjacency.numpy(), cell.sensory_adjacency.numpy())
    train = splits["train"].x
    x = train[np.sort(np.random.default_rng(seed).permutation(len(train))[:samples])]
    rows = []
    for keep in keeps:
        start = time.perf_counter()
        adjacency, sensory = cell.adjacency.numpy(), cell.sensory_adjacency.numpy()
        scores = importance_scores(model, x, IMPORTANCE_NAMES[ranking], layer, seed=seed)
        count = keep_count(keep, total)
        masks = strongest_synapses(scores, adjacency, sensory, count, seed)
        cell.adjacency.assign(adjacency * masks[0])
        cell.sensory_adjacency.assign(sensory * masks[1])
        tuned = fine_tune(model, task, splits, epochs)
        parameters = parameter_report(cell).active_parameters
        rows.append(record(keep, parameters, tuned, start, ranking, log, synapses=count))
    return rows


def record(keep, parameters, tuned, start, name, log, **extra) -> dict:
    """One step's row (and its log line): kept fraction, parameters and `fine_tune`'s scores."""
    log(
        f"    {name:>10} keep {keep:.2f}: {tuned['score_cut']:.4f} cut, {tuned['score']:.4f} tuned"
    )
    seconds = round(time.perf_counter() - start, 2)
    return {"keep": keep, **extra, "parameters": parameters, **tuned, "seconds": seconds}


def prune_baseline(base, task, splits, parameters, epochs, log, name):
    """Magnitude pruning of an LSTM/GRU to the given parameter counts: a row per count."""
    layer = next(layer for layer in base.layers if hasattr(layer, "cell"))
    masks = MagnitudeMasks(layer)
    rows = []
    for keep, target in parameters:
        start = time.perf_counter()
        masks.prune_to(target)
        tuned = fine_tune(base, task, splits, epochs, [masks.callback])
        masks.apply()
        parameters = masks.parameters()
        rows.append(record(keep, parameters, tuned, start, name, log, target_parameters=target))
    return rows


def head_parameters(model) -> int:
    """Weights of the Dense head (the model's last layer), not counted as the recurrent layer's."""
    return int(sum(np.prod(w.shape) for w in model.layers[-1].trainable_weights))


def run_combination(task, splits, neurons, seed, args, log) -> dict:
    import keras

    from keras_biosyn.benchmarking import split_scores, train_one
    from keras_biosyn.benchmarking.models import recurrent_parameters
    from keras_biosyn.interpretability import parameter_report

    result = {"task": task.name, "metric": task.metric, "neurons": neurons, "seed": seed}
    epochs = args.epochs or task.epochs
    base, history, seconds, _ = train_one(task, splits, "biosyn_ltc", neurons, seed, epochs, 10)
    validation, score = split_scores(task, splits, base)
    cell = next(layer for layer in base.layers if hasattr(layer, "cell")).cell
    result["biosyn_ltc"] = {
        "score": score,
        "validation_score": validation,
        "parameters": parameter_report(cell).active_parameters,
        "synapses": int(
            np.count_nonzero(cell.adjacency.numpy())
            + np.count_nonzero(cell.sensory_adjacency.numpy())
        ),
        "epochs": len(history.history["loss"]),
        "seconds": round(seconds, 2),
    }
    log(f"  {task.name} {neurons} neurons seed {seed}: biosyn_ltc {score:.4f}")
    for ranking in RANKINGS:
        keras.utils.set_random_seed(seed)
        result[ranking] = prune_biosyn(
            base, task, splits, ranking, args.keeps, args.fine_tune_epochs, seed,
            args.importance_samples, log,
        )  # fmt: skip
    targets = [(row["keep"], row["parameters"]) for row in result["importance"]]
    del base
    keras.backend.clear_session(free_memory=False)
    for name in BASELINES:
        model, history, seconds, _ = train_one(task, splits, name, neurons, seed, epochs, 10)
        validation, score = split_scores(task, splits, model)
        result[name] = {
            "score": score,
            "validation_score": validation,
            "parameters": recurrent_parameters(model) - head_parameters(model),
            "epochs": len(history.history["loss"]),
            "seconds": round(seconds, 2),
        }
        log(f"  {task.name} {neurons} neurons seed {seed}: {name} {score:.4f}")
        keras.utils.set_random_seed(seed)
        result[f"{name}_pruned"] = prune_baseline(
            model, task, splits, targets, args.fine_tune_epochs, log, name
        )
        del model
        keras.backend.clear_session(free_memory=False)
    gc.collect()
    return result


def run(args):
    import keras
    import tensorflow as tf

    from keras_biosyn.benchmarking import get_task

    if args.threads:
        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    args.out.mkdir(parents=True, exist_ok=True)
    for name in args.tasks:
        task = get_task(name)
        path = args.out / f"{name}.json"
        runs = json.loads(path.read_text())["runs"] if path.exists() else []
        done = {(r["neurons"], r["seed"]) for r in runs}
        splits = task.load()
        if args.quick:
            splits = {key: type(split)(*(None if a is None else a[:64] for a in split))
                      for key, split in splits.items()}  # fmt: skip
        for neurons in args.neurons:
            for seed in range(args.seeds):
                if (neurons, seed) in done:
                    continue
                start = time.perf_counter()
                runs.append(run_combination(task, splits, neurons, seed, args, print))
                runs[-1]["seconds"] = round(time.perf_counter() - start, 1)
                print(f"  done in {runs[-1]['seconds']:.0f} s", flush=True)
                payload = {
                    "task": name,
                    "keeps": list(args.keeps),
                    "fine_tune_epochs": args.fine_tune_epochs,
                    "importance_samples": args.importance_samples,
                    "threads": args.threads,
                    "keras": keras.__version__,
                    "runs": runs,
                }
                path.write_text(json.dumps(payload, indent=1))


def curves(runs, model: str, neurons: int):
    """Per kept fraction: (keep, mean parameters, scores over seeds, cut scores) for one model."""
    rows = [r for r in runs if r["neurons"] == neurons]
    if not rows:
        return []
    key = model if model in RANKINGS else f"{model}_pruned"
    base = "biosyn_ltc" if model in RANKINGS else model
    points = [(1.0, [r[base]["parameters"] for r in rows], [r[base]["score"] for r in rows],
               [r[base]["score"] for r in rows])]  # fmt: skip
    keeps = [row["keep"] for row in rows[0][key]]
    for index, keep in enumerate(keeps):
        points.append(
            (
                keep,
                [r[key][index]["parameters"] for r in rows],
                [r[key][index]["score"] for r in rows],
                [r[key][index]["score_cut"] for r in rows],
            )
        )
    return points


def from_scratch(task: str) -> list[tuple[str, int, int, float]]:
    """`(model, units, recurrent parameters, mean test score)` of the LSTMs and GRUs that
    `keras-biosyn benchmark` trained from scratch (`results/<task>.json`), smallest first."""
    from keras_biosyn.benchmarking import get_task

    path = Path(__file__).parent / "results" / f"{task}.json"
    if not path.exists():
        return []
    outputs = get_task(task).outputs
    runs = json.loads(path.read_text())["runs"]
    found = []
    for model in BASELINES:
        for units in sorted({r["neurons"] for r in runs if r["model"] == model}):
            scores = [r["score"] for r in runs if (r["model"], r["neurons"]) == (model, units)]
            total = next(
                r["parameters"] for r in runs if (r["model"], r["neurons"]) == (model, units)
            )
            head = (units + 1) * outputs
            found.append((model, units, total - head, float(np.mean(scores))))
    return sorted(found, key=lambda item: item[2])


def summarize(out: Path) -> str:
    lines = ["# Pruning: score against synapses kept", ""]
    verdicts, smaller = [], []
    for path in sorted(out.glob("*.json")):
        payload = json.loads(path.read_text())
        runs, task = payload["runs"], payload["task"]
        metric = runs[0]["metric"]
        lines += [
            f"## {task} ({metric}, {'higher' if metric == 'accuracy' else 'lower'} is better; "
            f"mean ± std over {len({r['seed'] for r in runs})} seeds; fine-tuned "
            f"{payload['fine_tune_epochs']} epochs after each cut; [just after the cut])",
            "",
        ]
        for neurons in sorted({r["neurons"] for r in runs}):
            models = RANKINGS + BASELINES
            table = {m: curves(runs, m, neurons) for m in models}
            lines.append(
                f"| {neurons} neurons: kept | "
                + " | ".join(f"BioSyn {m}" for m in RANKINGS)
                + " | LSTM magnitude | GRU magnitude | params BioSyn / LSTM / GRU |"
            )
            lines.append("|---" * (len(models) + 2) + "|")
            for index, point in enumerate(table["importance"]):
                cells = []
                for m in models:
                    _, _, scores, cut = table[m][index]
                    text = f"{np.mean(scores):.4f} ± {np.std(scores):.4f}"
                    if index:
                        text += f" [{np.mean(cut):.3f}]"
                    cells.append(text)
                params = " / ".join(f"{np.mean(table[m][index][1]):.0f}"
                                    for m in ("importance", "lstm", "gru"))  # fmt: skip
                lines.append(f"| {point[0]:.0%} | " + " | ".join(cells) + f" | {params} |")
            lines.append("")
            # The targets: >= 98 % of the unpruned score at <= 30 % of the synapses, and
            # importance ahead of magnitude and random at every kept fraction <= 30 %.
            base = np.mean(table["importance"][0][2])
            kept = [
                (p[0], retained(metric, np.mean(p[2]), base))
                for p in table["importance"][1:]
                if p[0] <= TARGET_KEEP
            ]
            holds = [keep for keep, value in kept if value >= TARGET_RETAINED]
            sign = 1 if metric == "accuracy" else -1
            wins = all(
                sign * (np.mean(table["importance"][i][2]) - np.mean(table[other][i][2])) > 0
                for i, p in enumerate(table["importance"])
                if 0 < p[0] <= TARGET_KEEP
                for other in ("magnitude", "random")
            )
            # The "smaller system" claim: the pruned circuit against the best LSTM or GRU
            # trained from scratch with at most as many parameters.
            for point in table["importance"][1:]:
                if point[0] > TARGET_KEEP:
                    continue
                budget = np.mean(point[1])
                rivals = [r for r in from_scratch(task) if r[2] <= budget]
                best = max(rivals, key=lambda r: sign * r[3], default=None)
                score = np.mean(point[2])
                rival = "none that small | — |"
                if best:
                    margin = sign * (score - best[3])
                    winner = (
                        "tie"
                        if abs(margin) < 5e-5
                        else "BioSyn"
                        if margin > 0
                        else best[0].upper()
                    )
                    rival = f"{best[0].upper()}({best[1]}), {best[2]} params: {best[3]:.4f} | "
                    rival += f"{winner} |"
                smaller.append(
                    f"| {task} | {neurons} | {point[0]:.0%} | {budget:.0f} | {score:.4f} | {rival}"
                )
            verdicts.append(
                f"| {task} | {neurons} | {base:.4f} | "
                + ", ".join(f"{keep:.0%}: {value:.1%}" for keep, value in kept)
                + (f" | {min(holds):.0%} |" if holds else " | none |")
                + f" {'yes' if wins else 'no'} |"
            )
    lines += [
        "## Targets",
        "",
        "Retained = pruned / unpruned score (accuracy) or unpruned / pruned (MSE), importance "
        "pruning after fine-tuning; target: ≥ 98 % at ≤ 30 % of the synapses; and importance "
        "better than magnitude and random (mean over seeds) at every kept fraction ≤ 30 %.",
        "",
        "| task | neurons | unpruned | retained at kept fraction | fewest synapses "
        "with ≥ 98 % | importance beats both |",
        "|---|---|---|---|---|---|",
        *verdicts,
        "",
        "## Pruned circuits against small LSTMs and GRUs trained from scratch",
        "",
        "The importance-pruned BioSynLTC at each kept fraction ≤ 30 % against the best LSTM or "
        "GRU with at most as many recurrent parameters among those `keras-biosyn benchmark` "
        "trained from scratch (4–32 units, 3 seeds, `results/<task>.json`, mean test score).",
        "",
        "| task | neurons | kept | BioSyn params | BioSyn score | best LSTM/GRU ≤ params "
        "| better |",
        "|---|---|---|---|---|---|---|",
        *smaller,
        "",
    ]
    return "\n".join(lines)


def plot(out: Path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    styles = {
        "importance": ("C0", "o", "BioSyn, importance"),
        "magnitude": ("C1", "s", "BioSyn, magnitude |w|"),
        "random": ("C2", "^", "BioSyn, random"),
        "lstm": ("C3", "x", "LSTM, magnitude"),
        "gru": ("C4", "+", "GRU, magnitude"),
    }
    for path in sorted(out.glob("*.json")):
        payload = json.loads(path.read_text())
        runs = payload["runs"]
        sizes = sorted({r["neurons"] for r in runs})
        figure, axes = plt.subplots(1, len(sizes), figsize=(5.5 * len(sizes), 4), squeeze=False)
        for axis, neurons in zip(axes[0], sizes, strict=True):
            for model, (colour, marker, label) in styles.items():
                points = curves(runs, model, neurons)
                params = [np.mean(p[1]) for p in points]
                means = [np.mean(p[2]) for p in points]
                stds = [np.std(p[2]) for p in points]
                axis.errorbar(params, means, yerr=stds, color=colour, marker=marker,
                              label=label, capsize=2)  # fmt: skip
            axis.set_xscale("log")
            axis.set_xlabel("recurrent-layer parameters kept (log)")
            axis.set_ylabel(runs[0]["metric"])
            axis.set_title(f"{payload['task']}, {neurons} neurons")
            axis.grid(alpha=0.3)
        axes[0][0].legend(fontsize=8)
        figure.tight_layout()
        figure.savefig(out / f"{payload['task']}.png", dpi=110)
        plt.close(figure)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", default=",".join(TASK_NAMES))
    parser.add_argument("--neurons", default="16,32")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--keeps", default=",".join(str(k) for k in KEEPS))
    parser.add_argument("--fine-tune-epochs", type=int, default=3)
    parser.add_argument("--importance-samples", type=int, default=512)
    parser.add_argument("--epochs", type=int, help="training budget (default: the task's)")
    parser.add_argument("--threads", type=int, default=0, help="TensorFlow threads (0: all)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--summarize", action="store_true", help="only write summary.md and plots")
    parser.add_argument("--quick", action="store_true", help="tiny smoke run into a temp dir")
    args = parser.parse_args(argv)
    args.tasks = args.tasks.split(",")
    args.neurons = [int(n) for n in args.neurons.split(",")]
    args.keeps = [float(k) for k in args.keeps.split(",")]
    if args.quick:
        args.out = Path(tempfile.mkdtemp(prefix="pruning_accuracy_"))
        args.tasks, args.neurons, args.seeds = ["japanese_vowels"], [4], 1
        args.keeps, args.epochs, args.fine_tune_epochs = [0.3], 1, 1
    if not args.summarize:
        run(args)
    text = summarize(args.out)
    (args.out / "summary.md").write_text(text)
    plot(args.out)
    print(text)
    print(f"written to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
