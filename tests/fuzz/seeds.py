"""The models the fuzzers start from: the bundled example, and one the tests make with TensorFlow's converter
to reach the fields the example lacks (a depth multiplier, stride 2, SAME padding, ADD, average pooling, a
per-tensor dense layer, softmax)."""

from __future__ import annotations

from tests.ops.harness import convert
from tests.tools import require_module
from tinygen.commands.options import default_model


def made_model() -> bytes:
    tf = require_module("tensorflow")
    layers = tf.keras.layers

    def build(x):  # type: ignore[no-untyped-def]  # Keras tensors
        x = layers.Conv2D(4, 3, strides=2, padding="same", activation="relu6")(x)
        y = layers.DepthwiseConv2D(3, padding="same", depth_multiplier=2)(x)
        x = layers.Add()([layers.Conv2D(8, 1)(x), y])
        x = layers.AveragePooling2D(2)(x)
        return layers.Softmax()(layers.Dense(5)(layers.Flatten()(x)))

    return convert(build, [(9, 11, 3)], seed=17)


def seed_models() -> dict[str, bytes]:
    return {"digits_cnn_int8": default_model().read_bytes(), "made": made_model()}
