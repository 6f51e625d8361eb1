"""Quantisation-aware fine-tuning: a few epochs with every filter fake-quantised to the width it will get.

For when post-training quantisation loses more than the user accepts. Each
step trains at the quantised point and updates the float weights (the
straight-through estimator): the float kernels are saved, replaced by their
fake-quantised copies, the loss and gradients are computed, the float kernels
restored and the gradients applied to them. No extra layers are inserted, so
the model converts exactly as before. The fake quantisation is the one the
model will get: int8 max-abs per output channel (TensorFlow's converter),
int4 with the clipping search of tinygen/quant/int4.py, per output channel or,
for dense layers, per tensor (tinygen/quant/rewrite.py).

Supported: Keras models whose CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED
filters map one to one, in order and size, onto Conv2D / DepthwiseConv2D /
Dense kernels, trained on labelled data with a class-vector output. Anything
else raises `QatUnsupported` with the reason, and the caller reports that QAT
was skipped. Fake quantisation ignores BatchNormalization folding; the result
is measured after conversion, never assumed.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

from tinygen.quant.convert import FloatModel, tensorflow
from tinygen.quant.data import Dataset
from tinygen.quant.int4 import best_scales

LEARNING_RATE = 3e-4  # measured on benchmarks/quantize.py: 1e-4 and 5e-4 at 3 epochs did not help the DS-CNN
BATCH = 32


class QatUnsupported(Exception):
    """QAT cannot run on this model or data; the message says why."""


def _weight_layers(tf: ModuleType, model: Any) -> list[Any]:
    kinds = (tf.keras.layers.Conv2D, tf.keras.layers.DepthwiseConv2D, tf.keras.layers.Dense)
    return [layer for layer in model.layers if isinstance(layer, kinds)]


def fake_quantize(w: np.ndarray, bits: int, per_channel: bool, depthwise: bool) -> np.ndarray:
    """`w` (a Keras kernel: output channels last; depthwise: in × multiplier) quantised and de-quantised."""
    channels = w.shape[2] * w.shape[3] if depthwise else w.shape[-1]
    flat = w.reshape(-1, channels).T.astype(np.float64)  # (channels, taps)
    groups = flat if per_channel else flat.reshape(1, -1)
    limit = 2 ** (bits - 1) - 1
    if bits == 4:
        scales = best_scales(groups, np.ones(1)).astype(np.float64)
    else:
        scales = np.maximum(np.abs(groups).max(axis=1) / limit, 1e-12)
    q = np.clip(np.round(groups / scales[:, None]), -limit, limit) * scales[:, None]
    return q.reshape(flat.shape).T.reshape(w.shape).astype(w.dtype)




def finetune(model: FloatModel, data: Dataset, filter_sizes: list[int], bits: list[int], epochs: int,
             seed: int = 0) -> FloatModel:
    """`model` fine-tuned for `epochs` with the k-th filter (of `filter_sizes` elements) fake-quantised to bits[k]."""
    if model.keras is None:
        raise QatUnsupported(f"{model.path} is a SavedModel; QAT needs a Keras model (.keras/.h5)")
    if data.y is None:
        raise QatUnsupported(f"{data.source} has no labels 'y'; QAT trains on labelled data")
    tf = tensorflow()
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
    plan = [(layer.kernel, (b, b == 8 or not isinstance(layer, tf.keras.layers.Dense),
                            isinstance(layer, tf.keras.layers.DepthwiseConv2D)))
            for layer, b in zip(layers, bits, strict=True)]
    dataset = tf.data.Dataset.from_tensor_slices((data.x, data.y)).shuffle(len(data), seed=seed).batch(BATCH)
    for _ in range(epochs):
        for x, y in dataset:
            saved = [kernel.numpy() for kernel, _ in plan]
            for (kernel, how), w in zip(plan, saved, strict=True):
                kernel.assign(fake_quantize(w, *how))
            with tf.GradientTape() as tape:
                loss = loss_fn(y, trainable(x, training=True))
            grads = tape.gradient(loss, trainable.trainable_variables)
            for (kernel, _), w in zip(plan, saved, strict=True):
                kernel.assign(w)
            optimizer.apply_gradients(zip(grads, trainable.trainable_variables, strict=True))
    tuned = tf.keras.models.clone_model(batch1)
    tuned.set_weights(trainable.get_weights())
    return FloatModel(model.path, model.input_shape, tuned)


def _ends_in_softmax(model: Any) -> bool:
    last = model.layers[-1]
    activation = getattr(last, "activation", None)
    return getattr(activation, "__name__", "") == "softmax" or type(last).__name__ == "Softmax"
