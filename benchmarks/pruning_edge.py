"""Size and per-step LiteRT latency of pruned streaming TFLite models.

For fully connected and AutoNCP circuits of 16, 32 and 128 neurons (the models
of `edge_latency.py`: `Input(8 features) -> RNN(BioSynLTCCell) -> Dense(1)`,
random weights), keeps 100 %, 30 % and 10 % of the synapses with
`keras_biosyn.pruning.prune`, ranked by `importance="current"` (measured on a
small random dataset; on these untrained weights it keeps sensory synapses
first) and by `"random"` (uniform: the recurrent density follows the kept
fraction); exports each to a float32 streaming `.tflite` in both
`export_layout="dense"` (the export default: every cell computed densely) and
`"model"` (the cell's own layout, sparse once pruning leaves at most 40 % of the
synapses); checks each export against Keras with `keras_biosyn.export.compare`;
and reports:

- file bytes, the bytes of the stored constant tensors, and 4 bytes per active
  parameter (`parameter_report`'s count plus the Dense head);
- bytes saved against the unpruned file of the same layout, next to the expected
  saving (4 parameters x 4 bytes per removed synapse) and the fraction achieved;
- the fixed overhead: file bytes minus parameter bytes, and file bytes minus
  stored tensors (the flatbuffer's graph, tensor and signature metadata);
- the median LiteRT `invoke()` time per step (`edge_latency.litert_times`, state
  fed back), over `--repeats` rounds in which every export of one circuit is
  timed in turn, and its speedup against the unpruned export of the same layout,
  the fastest unpruned export and the dense export at the same keep.

    python benchmarks/pruning_edge.py                 # full: 16, 32, 128 neurons
    python benchmarks/pruning_edge.py --quick         # smoke run, written to a temp dir
    python benchmarks/pruning_edge.py --units 128 --wirings fully_connected \
        --importances random --keeps 0.2,0.1,0.05,0.02 \
        --out benchmarks/results/pruning_edge/density
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import keras
import numpy as np

# benchmarks/ is the script's directory, hence on sys.path when run as a script.
from edge_latency import FEATURES, build, litert_times

from keras_biosyn.export import compare, export_tflite
from keras_biosyn.interpretability import parameter_report
from keras_biosyn.pruning import prune

WIRINGS = ("fully_connected", "auto_ncp")
LAYOUTS = ("dense", "model")
MAX_ERROR = 1e-5
DEFAULT_OUT = Path(__file__).parent / "results" / "pruning_edge"


def stored_bytes(path) -> int:
    """Bytes of the constant tensors (weights, folded constants, indices) of a `.tflite` file."""
    from ai_edge_litert.tools import flatbuffer_utils

    model = flatbuffer_utils.read_model(str(path))
    used = {tensor.buffer for graph in model.subgraphs for tensor in graph.tensors}
    return sum(len(model.buffers[i].data) for i in used if model.buffers[i].data is not None)


def active_parameters(model) -> int:
    """Active parameters of the BioSynLTC cell plus every parameter of the other layers."""
    others = sum(
        layer.count_params() for layer in model.layers if not isinstance(layer, keras.layers.RNN)
    )
    return parameter_report(model).active_parameters + others


def export_circuit(units, wiring, keeps, importances, data, check, directory):
    """Prunes one circuit to each kept fraction by each importance, exports both layouts."""
    keras.backend.clear_session()  # the same layer names (hence file bytes) in any subset run
    model = build(units, wiring)
    rows = []
    for keep, importance in [(1.0, "none")] + [
        (keep, name) for name in importances for keep in keeps if keep < 1.0
    ]:
        result = prune(
            model, data, keep=keep, importance="magnitude" if keep == 1.0 else importance
        )
        for layout in LAYOUTS:
            start = time.perf_counter()
            path = Path(directory) / f"{wiring}_{units}_{keep}_{importance}_{layout}.tflite"
            export_tflite(result.model, path, export_layout=layout)
            error = compare(result.model, path, check)["max_abs_error"]
            row = {
                "neurons": units,
                "neurons_after": result.units[1],
                "wiring": wiring,
                "importance": importance,
                "keep": keep,
                "layout": layout,
                "computed_as": "dense" if layout == "dense" else result.synapse_layout,
                "synapses": result.synapses_after,
                "recurrent_synapses": result.recurrent_synapses[1],
                "sensory_synapses": result.sensory_synapses[1],
                "removed_synapses": result.synapses_before - result.synapses_after,
                "active_params": active_parameters(result.model),
                "file_bytes": path.stat().st_size,
                "stored_bytes": stored_bytes(path),
                "max_abs_error": error,
                "path": path,
            }
            rows.append(row)
            print(
                f"  exported {wiring} {units} keep {keep:.0%} ({importance}) {layout:5s} "
                f"({row['computed_as']}): {row['synapses']} synapses, "
                f"{row['file_bytes']} B, max error {error:.1e} "
                f"[{time.perf_counter() - start:.1f} s]",
                flush=True,
            )
            if not error <= MAX_ERROR:
                raise AssertionError(
                    f"Expected the export to match Keras within {MAX_ERROR}. "
                    f"Received: max error {error} for {path.name}"
                )
    return rows


def time_rows(rows, steps, repeats, rng):
    """Median LiteRT invoke / full-step time per row, every row timed once per round."""
    invoke = {id(row): [] for row in rows}
    step = {id(row): [] for row in rows}
    for _ in range(repeats):
        for row in rows:
            a, b = litert_times(row["path"], steps, rng)
            invoke[id(row)].append(a)
            step[id(row)].append(b)
    for row in rows:
        row["invoke_us"] = 1e6 * statistics.median(invoke[id(row)])
        row["step_us"] = 1e6 * statistics.median(step[id(row)])
        row["invoke_us_runs"] = [1e6 * t for t in invoke[id(row)]]


def add_ratios(rows):
    """Savings, overheads and speedups, each against the unpruned export of the circuit."""
    full = {r["layout"]: r for r in rows if r["keep"] == 1.0}
    fastest = min(r["invoke_us"] for r in full.values())
    for row in rows:
        base = full[row["layout"]]
        dense_same_keep = next(
            r
            for r in rows
            if (r["keep"], r["importance"], r["layout"])
            == (row["keep"], row["importance"], "dense")
        )
        # the bytes of the parameters the pruned model no longer has (synapses and neurons)
        expected = 4 * (base["active_params"] - row["active_params"])
        row["param_bytes"] = 4 * row["active_params"]
        row["saved_bytes"] = base["file_bytes"] - row["file_bytes"]
        row["expected_saving"] = expected
        row["saving_achieved"] = row["saved_bytes"] / expected if expected else None
        row["overhead_bytes"] = row["file_bytes"] - row["param_bytes"]
        row["graph_bytes"] = row["file_bytes"] - row["stored_bytes"]
        row["speedup_same_layout"] = base["invoke_us"] / row["invoke_us"]
        row["speedup_best"] = fastest / row["invoke_us"]
        row["speedup_vs_dense"] = dense_same_keep["invoke_us"] / row["invoke_us"]


HEADER = (
    "| neurons (left) | wiring | importance | keep | layout | synapses (rec + sens) | "
    "active params | "
    "file B | stored B | param B | saved B | expected B | achieved | overhead B | graph B | "
    "µs/step | × same layout | × best unpruned | × vs dense |"
)


def table_row(row) -> str:
    achieved = "—" if row["saving_achieved"] is None else f"{row['saving_achieved']:.0%}"
    layout = row["layout"] if row["layout"] == "dense" else f"model ({row['computed_as']})"
    return (
        f"| {row['neurons']} ({row.get('neurons_after', row['neurons'])}) | {row['wiring']} | "
        f"{row['importance']} | {row['keep']:.0%} | "
        f"{layout} | "
        f"{row['synapses']} ({row['recurrent_synapses']} + {row['sensory_synapses']}) | "
        f"{row['active_params']} | {row['file_bytes']} | {row['stored_bytes']} | "
        f"{row['param_bytes']} | {row['saved_bytes']} | {row['expected_saving']} | "
        f"{achieved} | {row['overhead_bytes']} | {row['graph_bytes']} | "
        f"{row['invoke_us']:.1f} | {row['speedup_same_layout']:.2f} | "
        f"{row['speedup_best']:.2f} | {row['speedup_vs_dense']:.2f} |"
    )


def findings(rows) -> list[str]:
    """One line per circuit and importance: what the smallest kept fraction bought."""
    lines = []
    smallest = min(r["keep"] for r in rows)
    for row in rows:
        if row["keep"] != smallest or row["layout"] != "model":
            continue
        dense = next(
            r
            for r in rows
            if (r["neurons"], r["wiring"], r["importance"], r["keep"], r["layout"])
            == (row["neurons"], row["wiring"], row["importance"], smallest, "dense")
        )
        lines.append(
            f"- {row['wiring']} {row['neurons']}, keep {smallest:.0%} by {row['importance']}: "
            f"dense layout {dense['saved_bytes']:+d} B saved "
            f"({dense['speedup_same_layout']:.2f}× speed); model layout ({row['computed_as']}) "
            f"{row['saved_bytes']} of {row['expected_saving']} expected B saved "
            f"({row['saving_achieved']:.0%}), {row['invoke_us']:.1f} µs/step = "
            f"{row['speedup_same_layout']:.2f}× its unpruned export, "
            f"{row['speedup_best']:.2f}× the fastest unpruned, "
            f"{row['speedup_vs_dense']:.2f}× the dense export of the same circuit; "
            f"{row['overhead_bytes']} B of the file are not parameters "
            f"({row['graph_bytes']} B graph metadata)."
        )
    return lines


def fastest_rows(rows) -> list[str]:
    """Per circuit and kept fraction, the export LiteRT runs fastest, against the unpruned one."""
    lines = [
        "| neurons (left) | wiring | importance | keep | fastest layout | µs/step | "
        "× fastest unpruned | file B | unpruned file B | saved B | of expected | overhead B |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    groups = {}
    for row in rows:
        key = (row["neurons"], row["wiring"], row["importance"], row["keep"])
        groups.setdefault(key, []).append(row)
    for (neurons, wiring, importance, keep), group in groups.items():
        best = min(group, key=lambda r: r["invoke_us"])
        full = min(
            (r for r in rows if (r["neurons"], r["wiring"], r["keep"]) == (neurons, wiring, 1.0)),
            key=lambda r: r["invoke_us"],
        )
        saved = full["file_bytes"] - best["file_bytes"]
        expected = 4 * (full["active_params"] - best["active_params"])
        layout = best["layout"] if best["layout"] == "dense" else f"model ({best['computed_as']})"
        lines.append(
            f"| {neurons} ({best.get('neurons_after', neurons)}) | {wiring} | {importance} | "
            f"{keep:.0%} | {layout} | {best['invoke_us']:.1f} | "
            f"{full['invoke_us'] / best['invoke_us']:.2f} | {best['file_bytes']} | "
            f"{full['file_bytes']} | {saved} | "
            + (f"{saved / expected:.0%}" if expected else "—")
            + f" | {best['overhead_bytes']} |"
        )
    return lines


def write_summary(out, rows, meta):
    lines = [
        "# Pruned streaming TFLite models in LiteRT",
        "",
        f"`python benchmarks/pruning_edge.py {' '.join(meta['argv'])}`; importance "
        f"{meta['importances']} measured on {meta['data_shape']} random inputs (random "
        "weights: no training); float32 streaming "
        f"exports; median of {meta['repeats']} rounds of {meta['steps']} LiteRT `invoke()` "
        f"steps (state fed back); {meta['cpus']} CPUs, {meta['machine']}. Every export "
        f"matches Keras within {MAX_ERROR:g} (largest error {meta['max_error']:.1e}).",
        "",
        "Columns: *stored B* = constant tensors in the file; *param B* = 4 B × active "
        "parameters; *saved B* = the unpruned file of the same layout minus this one; "
        "*expected B* = 4 B × the active parameters removed (synapses, and neurons that no "
        "longer reach an output); *overhead B* = file − param B; *graph B* = "
        "file − stored B; × = speedup of µs/step against the unpruned export of the same "
        "layout, the fastest unpruned export, and the dense export at the same keep.",
        "",
        HEADER,
        "|" + "---|" * HEADER.count(" | ") + "---|",
        *(table_row(row) for row in rows),
        "",
        "## The fastest export of each circuit",
        "",
        "The layout LiteRT runs fastest for each pruned circuit, against the fastest export of "
        "the unpruned one; *saved B* is the file bytes saved, *of expected* their share of 4 B "
        "per active parameter removed.",
        "",
        *fastest_rows(rows),
        "",
        "## Per circuit",
        "",
        *findings(rows),
        "",
    ]
    (out / "summary.md").write_text("\n".join(lines))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", default="16,32,128")
    parser.add_argument("--keeps", default="1.0,0.3,0.1")
    parser.add_argument("--steps", type=int, default=2000, help="steps timed per round")
    parser.add_argument("--repeats", type=int, default=5, help="rounds per export")
    parser.add_argument("--wirings", default=",".join(WIRINGS))
    parser.add_argument(
        "--importances",
        default="current,random",
        help="prune's importance(s); 'current' (the default of prune) keeps the sensory "
        "synapses first on these random weights, 'random' prunes uniformly",
    )
    parser.add_argument("--out", help=f"results folder (default {DEFAULT_OUT})")
    parser.add_argument("--quick", action="store_true", help="16 neurons, few steps, temp dir")
    args = parser.parse_args(argv)
    if args.quick:
        args.units, args.keeps, args.steps, args.repeats = "16", "0.3", 100, 2
    out = Path(
        args.out or (tempfile.mkdtemp(prefix="pruning_edge_") if args.quick else DEFAULT_OUT)
    )
    out.mkdir(parents=True, exist_ok=True)
    keeps = sorted({1.0, *map(float, args.keeps.split(","))}, reverse=True)
    importances = args.importances.split(",")
    rng = np.random.default_rng(0)
    data = rng.normal(size=(16, 20, FEATURES)).astype(np.float32)
    check = data[:2, :8]
    rows, start = [], time.perf_counter()
    with tempfile.TemporaryDirectory() as directory:
        for units in map(int, args.units.split(",")):
            for wiring in args.wirings.split(","):
                print(f"{wiring} {units}: prune and export", flush=True)
                circuit = export_circuit(units, wiring, keeps, importances, data, check, directory)
                print(f"{wiring} {units}: timing {len(circuit)} exports", flush=True)
                time_rows(circuit, args.steps, args.repeats, rng)
                add_ratios(circuit)
                for row in circuit:
                    print(table_row(row), flush=True)
                    del row["path"]
                rows.extend(circuit)
    meta = {
        "argv": list(argv if argv is not None else sys.argv[1:]),
        "importances": importances,
        "data_shape": list(data.shape),
        "steps": args.steps,
        "repeats": args.repeats,
        "cpus": os.cpu_count(),
        "machine": f"{platform.machine()} {platform.system()}",
        "max_error": max(r["max_abs_error"] for r in rows),
        "seconds": time.perf_counter() - start,
    }
    (out / "results.json").write_text(json.dumps({**meta, "rows": rows}, indent=2))
    write_summary(out, rows, meta)
    print("\n".join(findings(rows)))
    print(f"wrote {out / 'results.json'} and {out / 'summary.md'} in {meta['seconds']:.0f} s")


if __name__ == "__main__":
    main()
