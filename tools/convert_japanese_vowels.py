"""Convert the UCI Japanese Vowels .ts files (as shipped in sktime 1.2.0) to a compact .npz.

python tools/convert_japanese_vowels.py SKTIME_DATA/JapaneseVowels OUT.npz
"""

import sys

import numpy as np

from keras_biosyn.datasets.ts_format import pad, read_ts

out = {}
for split, fname in [("train", "TRAIN"), ("test", "TEST")]:
    series, labels = read_ts(f"{sys.argv[1]}/JapaneseVowels_{fname}.ts")
    padded, lengths = pad(series, length=29)
    ys = np.array([int(label) - 1 for label in labels], dtype=np.int8)
    out[f"x_{split}"] = padded
    out[f"length_{split}"] = lengths.astype(np.int8)
    out[f"y_{split}"] = ys
    print(split, padded.shape, lengths.min(), lengths.max(), np.bincount(ys))
np.savez_compressed(sys.argv[2], **out)
