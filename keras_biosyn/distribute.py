"""Training across devices and processes with TensorFlow's `tf.distribute` strategies.

Keras `fit` trains under `tf.distribute.MirroredStrategy` (several devices of
one machine) as it is: build and compile the model inside `strategy.scope()`.
Under `tf.distribute.MultiWorkerMirroredStrategy` (several processes or
machines) Keras 3's `fit` fails (keras-team/keras#20585), and the working
route is a custom training loop; `distributed_train_step` is that loop's step.
`docs/scaling.md` compares the routes, the JAX backend's included.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import keras
from keras import ops

from keras_biosyn.utils.backend import require_backend

if TYPE_CHECKING:  # TensorFlow is imported when a step is made (TensorFlow backend only)
    import tensorflow as tf


def distributed_train_step(
    model: keras.Model,
    optimizer: keras.optimizers.Optimizer,
    loss: str | keras.losses.Loss | Callable,
    strategy: tf.distribute.Strategy | None = None,
) -> Callable:
    """A compiled training step that runs on every replica of a `tf.distribute` strategy.

    Each replica computes the loss of its share of the global batch, summed
    and divided by the global batch size (counted across replicas, so an
    uneven last batch is weighted right), plus its share of the model's
    regularization losses. The optimizer sums the gradients over all
    replicas, so every replica applies the same update, and applies the
    weights' constraints. The step returns the mean loss over the global
    batch (regularization included), as `fit` reports it.

    Use it where `fit` does not work, under
    `tf.distribute.MultiWorkerMirroredStrategy`; it also works under
    `MirroredStrategy` and without a strategy (one device). Create the model
    and the optimizer inside `strategy.scope()` and feed batches from
    `strategy.experimental_distribute_dataset(dataset)`, where `dataset`
    yields `(x, y)` batches of the *global* batch size: each worker runs the
    same script and gets its part of every batch.

    Args:
        model: A built `keras.Model` whose variables were created inside
            `strategy.scope()`.
        optimizer: A `keras.optimizers.Optimizer` created inside
            `strategy.scope()`; built here if it is not yet.
        loss: A loss name (`"mse"`), a `keras.losses.Loss` (its reduction is
            replaced by per-example losses) or a function
            `loss(y_true, y_pred)` returning one loss per example (or per
            example and step; those are averaged per example).
        strategy: A `tf.distribute.Strategy`; defaults to the strategy in
            scope (the default, single-device strategy outside any scope).

    Returns:
        A `tf.function` `step(x, y) -> loss`, taking one element of the
        distributed dataset and returning the global batch's mean loss as a
        scalar tensor.

    Example:

    ```python
    # Run this script once per worker, with TF_CONFIG naming the workers.
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    with strategy.scope():
        model = keras.Sequential(
            [keras.Input((50, 8)), keras.layers.RNN(BioSynLTCCell(16)), keras.layers.Dense(1)]
        )
        optimizer = keras.optimizers.Adam(1e-2)
    step = distributed_train_step(model, optimizer, "mse", strategy)
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(64)   # global batch
    for epoch in range(10):
        for x_batch, y_batch in strategy.experimental_distribute_dataset(dataset):
            loss = step(x_batch, y_batch)                            # scalar, the same on all
    ```
    """
    require_backend("distributed_train_step (tf.distribute)")
    import tensorflow as tf

    if not isinstance(model, keras.Model):
        raise TypeError(f"Expected a keras.Model. Received: model of type {type(model).__name__}")
    if not model.built or not model.trainable_variables:
        raise ValueError(
            "Expected a built model with trainable weights (build it inside strategy.scope()). "
            f"Received: model {model.name!r} with {len(model.trainable_variables)} trainable "
            "weights"
        )
    if not isinstance(optimizer, keras.optimizers.Optimizer):
        raise TypeError(
            "Expected a keras.optimizers.Optimizer. "
            f"Received: optimizer of type {type(optimizer).__name__}"
        )
    strategy = tf.distribute.get_strategy() if strategy is None else strategy
    if not isinstance(strategy, tf.distribute.Strategy):
        raise TypeError(
            "Expected a tf.distribute.Strategy or None. "
            f"Received: strategy of type {type(strategy).__name__}"
        )
    for owner, variable in (
        ("model", model.trainable_variables[0]),
        ("optimizer", optimizer.iterations),
    ):
        if not strategy.extended.variable_created_in_scope(variable.value):
            raise ValueError(
                f"The {owner} must be created inside `with strategy.scope():` so its variables "
                f"are mirrored on every replica. Received: a {owner} created outside the scope "
                f"of {type(strategy).__name__}"
            )
    per_example_loss = _per_example_loss(loss)
    if not optimizer.built:
        with strategy.scope():
            optimizer.build(model.trainable_variables)

    def replica_step(x, y):
        context = tf.distribute.get_replica_context()
        with tf.GradientTape() as tape:
            losses = ops.cast(per_example_loss(y, model(x, training=True)), "float32")
            losses = ops.mean(ops.reshape(losses, (ops.shape(losses)[0], -1)), axis=1)
            global_batch = context.all_reduce(
                tf.distribute.ReduceOp.SUM, ops.cast(ops.shape(losses)[0], "float32")
            )
            value = ops.sum(losses) / global_batch
            if model.losses:
                value = value + ops.cast(ops.sum(model.losses), "float32") / float(
                    context.num_replicas_in_sync
                )
            scaled = optimizer.scale_loss(value)
        variables = model.trainable_variables
        optimizer.apply_gradients(zip(tape.gradient(scaled, variables), variables, strict=True))
        return value

    @tf.function(reduce_retracing=True)
    def step(x, y):
        per_replica = strategy.run(replica_step, args=(x, y))
        return strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica, axis=None)

    return step


def _per_example_loss(loss) -> Callable:
    """`loss` as a function returning one value per example (no reduction)."""
    if isinstance(loss, str):
        loss = keras.losses.get(loss)
    if isinstance(loss, keras.losses.Loss):
        return type(loss).from_config({**loss.get_config(), "reduction": None})
    if callable(loss):
        return loss
    raise TypeError(
        "Expected `loss` to be a loss name, a keras.losses.Loss or a function "
        f"loss(y_true, y_pred). Received: loss={loss!r}"
    )


__all__ = ["distributed_train_step"]
