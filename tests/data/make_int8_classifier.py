"""Makes `int8_auto_ncp_classifier.keras`, the trained classifier the default suite quantizes.

An `AutoNCP(12, output_size=6)` BioSynLTCCell with the dense input mapping (named, so that the
fixture does not change with the defaults), trained on the embedded
Japanese Vowels training split (60 epochs, batch 32, seed 0, the package's classification
recipe). A fixture rather than a fit inside the test: a briefly trained classifier (12 epochs)
sits near chance on some seeds, and its int8 accuracy then moves by several points either
way, which measured the seed rather than the export. Run from the repository root:

    python tests/data/make_int8_classifier.py
"""

from pathlib import Path

import keras

from keras_biosyn import BioSynLTCCell, recipes
from keras_biosyn.datasets import load_japanese_vowels

PATH = Path(__file__).with_name("int8_auto_ncp_classifier.keras")


def main():
    splits = load_japanese_vowels()
    keras.utils.set_random_seed(0)
    cell = BioSynLTCCell(
        recipes.wiring_by_name("auto_ncp", 12, output_size=6, seed=0), input_mapping="dense"
    )
    model = recipes.sequence_model(keras.layers.RNN(cell), 29, 12, 9)  # masked classifier
    recipes.compile_model(model, "classification", jit_compile=True)
    model.fit(splits["train"].x, splits["train"].y, epochs=60, batch_size=32, verbose=2)
    _, accuracy = model.evaluate(splits["test"].x, splits["test"].y, verbose=0)
    print(f"test accuracy {accuracy:.3f}")
    model.save(PATH)


if __name__ == "__main__":
    main()
