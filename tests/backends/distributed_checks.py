"""Trains one model under tf.distribute strategies and writes the results (test_distributed.py).

    python -m tests.backends.distributed_checks mirrored DIR  # 2 logical CPUs: fit and the step,
                                                              # one device and mirrored
    python -m tests.backends.distributed_checks worker DIR I  # one MultiWorkerMirroredStrategy
                                                              # worker (TF_CONFIG set by the test)
    python -m tests.backends.distributed_checks jax_worker DIR I PORT  # one of 2 JAX processes,
                                                              # DataParallel with fit

Every run starts from DIR/initial.keras and trains on DIR/data.npz with SGD
and batches of GLOBAL_BATCH, in order, for EPOCHS epochs.
"""

from __future__ import annotations

import sys
from pathlib import Path

GLOBAL_BATCH, EPOCHS, LEARNING_RATE = 8, 2, 0.1


def train(directory: Path, strategy, use_fit: bool) -> dict:
    import keras
    import tensorflow as tf

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
    import tensorflow as tf

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
    import tensorflow as tf

    from tests.backends import models

    run = train(directory, tf.distribute.MultiWorkerMirroredStrategy(), use_fit=False)
    results = {"losses": run["losses"], "replicas": run["replicas"]}
    results.update(models.weights(run["weights"], "weights"))
    models.save(directory / f"worker_{index}.npz", results)


def jax_worker(directory: Path, index: int, port: int, processes: int = 2) -> None:
    """KERAS_BACKEND=jax: `fit` under `keras.distribution.DataParallel` across processes."""
    import jax

    jax.config.update("jax_cpu_collectives_implementation", "gloo")  # CPU collectives
    import keras

    from tests.backends import models

    keras.distribution.initialize(f"localhost:{port}", processes, index)
    # Each process feeds its own part of every global batch, so Keras must not shard again.
    distribution = keras.distribution.DataParallel(auto_shard_dataset=False)
    keras.distribution.set_distribution(distribution)
    batch = models.load(directory / "data.npz")
    local = {
        key: value.reshape(-1, processes, GLOBAL_BATCH // processes, *value.shape[1:])[
            :, index
        ].reshape(-1, *value.shape[1:])
        for key, value in batch.items()
    }
    model = keras.models.load_model(directory / "initial.keras", compile=False)
    model.compile(optimizer=keras.optimizers.SGD(LEARNING_RATE), loss="mse")
    history = model.fit(
        local["x"],
        local["y"],
        batch_size=GLOBAL_BATCH // processes,
        epochs=EPOCHS,
        shuffle=False,
        verbose=0,
    )
    results = {"losses": history.history["loss"], "replicas": distribution.device_mesh.shape[0]}
    results.update(models.weights(model, "weights"))
    models.save(directory / f"jax_worker_{index}.npz", results)


if __name__ == "__main__":
    task, folder, *numbers = sys.argv[1:]
    if task == "worker":
        worker(Path(folder), int(numbers[0]))
    elif task == "jax_worker":
        jax_worker(Path(folder), int(numbers[0]), int(numbers[1]))
    else:
        mirrored(Path(folder))
