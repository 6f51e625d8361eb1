"""Quantisation-aware fine-tuning: a few epochs with every filter fake-quantised to the width it will get.

For when post-training quantisation loses more than the user accepts. Each
step trains at the quantised point and updates the float weights (the
straight-through estimator): the float kernels are saved, replaced by their
fake-quantised copies (symmetric; int8 per output channel, int4 per output
channel or, for dense layers, per tensor: what tinygen/quant/rewrite.py will
store), the loss and gradients are computed, the float kernels restored and
the gradients applied to them. No extra layers are inserted, so the model
converts exactly as before.

Supported: Keras models whose CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED
filters map one to one, in order and size, onto Conv2D / DepthwiseConv2D /
Dense kernels, trained on labelled data with a class-vector output. Anything
else raises `QatUnsupported` with the reason, and the caller reports that QAT
was skipped. Fake quantisation ignores BatchNormalization folding; the result
is measured after conversion, never assumed.
"""

from __future__ import annotations

import numpy as np

from tinygen.quant.convert import FloatModel, _tensorflow
from tinygen.quant.data import Dataset

LEARNING_RATE = 1e-4
BATCH = 32


class QatUnsupported(Exception):
    """QAT cannot run on this model or data; the message says why."""


def _weight_layers(tf, model) -> list:
    kinds = (tf.keras.layers.Conv2D, tf.keras.layers.DepthwiseConv2D, tf.keras.layers.Dense)
    return [layer for layer in model.layers if isinstance(layer, kinds)]


def _reduce_axes(tf, layer, bits: int) -> tuple[int, ...]:
    """Axes a scale spans: all but the output channel (depthwise: kh, kw), or all for int4 dense."""
    if isinstance(layer, tf.keras.layers.DepthwiseConv2D):
        return (0, 1)
    if isinstance(layer, tf.keras.layers.Dense) and bits == 4:
        return (0, 1)
    return tuple(range(len(layer.kernel.shape) - 1))


def fake_quantize(tf, w, bits: int, axes: tuple[int, ...]):
    limit = float(2 ** (bits - 1) - 1)
    peak = tf.reduce_max(tf.abs(w), axis=axes, keepdims=True)
    scale = tf.maximum(peak / limit, 1e-12)
    return tf.clip_by_value(tf.round(w / scale), -limit, limit) * scale


def finetune(model: FloatModel, data: Dataset, filter_sizes: list[int], bits: list[int], epochs: int,
             seed: int = 0) -> FloatModel:
    """`model` fine-tuned for `epochs` with the k-th filter (of `filter_sizes` elements) fake-quantised to bits[k]."""
    if model.keras is None:
        raise QatUnsupported(f"{model.path} is a SavedModel; QAT needs a Keras model (.keras/.h5)")
    if data.y is None:
        raise QatUnsupported(f"{data.source} has no labels 'y'; QAT trains on labelled data")
    tf = _tensorflow()
    tf.keras.utils.set_random_seed(seed)
    batch1 = model.keras
    trainable = tf.keras.models.clone_model(batch1, input_tensors=tf.keras.Input(model.input_shape))
    trainable.set_weights(batch1.get_weights())
    layers = _weight_layers(tf, trainable)
    sizes = [int(np.prod(layer.kernel.shape)) for layer in layers]
    if sizes != list(filter_sizes):
        raise QatUnsupported(f"{model.path}: its Conv2D/DepthwiseConv2D/Dense kernels ({len(sizes)}) do not map one "
                             f"to one onto the converted model's filters ({len(filter_sizes)})")
    classes = trainable.outputs[0].shape[-1]
    if len(trainable.outputs[0].shape) != 2 or data.y.max() >= classes:
        raise QatUnsupported(f"{data.source}: labels up to {data.y.max()} do not index the model's output "
                             f"{tuple(trainable.outputs[0].shape)}; QAT needs a class-vector output")
    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=not _ends_in_softmax(trainable))
    optimizer = tf.keras.optimizers.Adam(LEARNING_RATE)
    plan = [(layer.kernel, b, _reduce_axes(tf, layer, b)) for layer, b in zip(layers, bits)]
    dataset = tf.data.Dataset.from_tensor_slices((data.x, data.y)).shuffle(len(data), seed=seed).batch(BATCH)
    for _ in range(epochs):
        for x, y in dataset:
            saved = [tf.identity(kernel) for kernel, _, _ in plan]
            for (kernel, b, axes), w in zip(plan, saved):
                kernel.assign(fake_quantize(tf, w, b, axes))
            with tf.GradientTape() as tape:
                loss = loss_fn(y, trainable(x, training=True))
            grads = tape.gradient(loss, trainable.trainable_variables)
            for (kernel, _, _), w in zip(plan, saved):
                kernel.assign(w)
            optimizer.apply_gradients(zip(grads, trainable.trainable_variables))
    tuned = tf.keras.models.clone_model(batch1)
    tuned.set_weights(trainable.get_weights())
    return FloatModel(model.path, model.input_shape, tuned)


def _ends_in_softmax(model) -> bool:
    last = model.layers[-1]
    activation = getattr(last, "activation", None)
    return getattr(activation, "__name__", "") == "softmax" or type(last).__name__ == "Softmax"
