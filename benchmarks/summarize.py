"""Prints the tables of benchmarks/README.md's "Real tasks" (Markdown).

python benchmarks/summarize.py [benchmarks/results]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from keras_biosyn.benchmarking import TASKS, equal_neurons_table, speed_table, summary_table


def main(directory: str = "benchmarks/results") -> None:
    results = {}
    for name in TASKS:
        path = Path(directory) / f"{name}.json"
        if path.exists():
            results[name] = json.loads(path.read_text())["runs"]
    print(summary_table(results, TASKS))
    print(equal_neurons_table(results, TASKS))
    print(speed_table(results))


if __name__ == "__main__":
    main(*sys.argv[1:])
