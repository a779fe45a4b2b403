"""Trains one model under tf.distribute strategies and writes the results (test_distributed.py).

    python -m tests.backends.distributed_checks mirrored DIR  # 2 logical CPUs: fit and the step,
                                                              # one device and mirrored
    python -m tests.backends.distributed_checks worker DIR I  # one MultiWorkerMirroredStrategy
                                                              # worker (TF_CONFIG set by the test)

Every run starts from DIR/initial.keras and trains on DIR/data.npz with SGD
and batches of GLOBAL_BATCH, in order, for EPOCHS epochs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import tensorflow as tf

GLOBAL_BATCH, EPOCHS, LEARNING_RATE = 8, 2, 0.1


def train(directory: Path, strategy, use_fit: bool) -> dict:
    import keras

    from keras_biosyn.distribute import distributed_train_step
    from tests.backends import models

    batch = models.load(directory / "data.npz")
    with strategy.scope():
        model = keras.models.load_model(directory / "initial.keras", compile=False)
        optimizer = keras.optimizers.SGD(LEARNING_RATE)
    if use_fit:
        with strategy.scope():
            model.compile(optimizer=optimizer, loss="mse")
        history = model.fit(
            batch["x"],
            batch["y"],
            batch_size=GLOBAL_BATCH,
            epochs=EPOCHS,
            shuffle=False,
            verbose=0,
        )
        losses = history.history["loss"]
    else:
        step = distributed_train_step(model, optimizer, "mse", strategy)
        dataset = tf.data.Dataset.from_tensor_slices((batch["x"], batch["y"])).batch(GLOBAL_BATCH)
        options = tf.data.Options()
        options.experimental_distribute.auto_shard_policy = (
            tf.data.experimental.AutoShardPolicy.DATA
        )
        distributed = strategy.experimental_distribute_dataset(dataset.with_options(options))
        losses = []
        for _ in range(EPOCHS):
            epoch = [float(step(x, y)) for x, y in distributed]
            losses.append(sum(epoch) / len(epoch))
    return {"losses": losses, "replicas": strategy.num_replicas_in_sync, "weights": model}


def mirrored(directory: Path) -> None:
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    from tests.backends import models

    devices = [device.name for device in tf.config.list_logical_devices("CPU")]
    results = {}
    for name, strategy in {
        "single": tf.distribute.OneDeviceStrategy(devices[0]),
        "mirrored": tf.distribute.MirroredStrategy(devices),
    }.items():
        for route, use_fit in (("fit", True), ("step", False)):
            run = train(directory, strategy, use_fit)
            results[f"{name}_{route}/losses"] = run["losses"]
            results[f"{name}_{route}/replicas"] = run["replicas"]
            results.update(models.weights(run["weights"], f"{name}_{route}/weights"))
    models.save(directory / "mirrored.npz", results)


def worker(directory: Path, index: int) -> None:
    from tests.backends import models

    run = train(directory, tf.distribute.MultiWorkerMirroredStrategy(), use_fit=False)
    results = {"losses": run["losses"], "replicas": run["replicas"]}
    results.update(models.weights(run["weights"], "weights"))
    models.save(directory / f"worker_{index}.npz", results)


if __name__ == "__main__":
    task, folder, *index = sys.argv[1:]
    if task == "worker":
        worker(Path(folder), int(index[0]))
    else:
        mirrored(Path(folder))
