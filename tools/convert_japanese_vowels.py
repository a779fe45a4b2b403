"""Convert the UCI Japanese Vowels .ts files (as shipped in sktime 1.2.0) to a compact .npz."""

import sys

import numpy as np


def parse(path):
    xs, ys = [], []
    in_data = False
    for line in open(path):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.lower() == "@data":
            in_data = True
            continue
        if not in_data:
            continue
        *dims, label = line.split(":")
        arr = np.array([[float(v) for v in d.split(",")] for d in dims], dtype=np.float32).T
        xs.append(arr)
        ys.append(int(label) - 1)
    return xs, np.array(ys, dtype=np.int8)


out = {}
for split, fname in [("train", "TRAIN"), ("test", "TEST")]:
    xs, ys = parse(f"{sys.argv[1]}/JapaneseVowels_{fname}.ts")
    lengths = np.array([len(x) for x in xs], dtype=np.int8)
    padded = np.zeros((len(xs), 29, 12), dtype=np.float32)
    for i, x in enumerate(xs):
        padded[i, : len(x)] = x
    out[f"x_{split}"] = padded
    out[f"length_{split}"] = lengths
    out[f"y_{split}"] = ys
    print(split, padded.shape, lengths.min(), lengths.max(), np.bincount(ys))
np.savez_compressed(sys.argv[2], **out)
