"""A candidate as a Keras model, for training: Conv/Depthwise + BatchNorm (+ ReLU6), folded at conversion."""

from __future__ import annotations

from typing import Any

from tinygen.search.net import Add, Conv, Dense, Depthwise, GlobalPool, Net, Softmax

# Keras defaults to 0.99; short runs (a few hundred steps) end with stale moving statistics at 0.99, so
# inference accuracy collapses while training accuracy is high. 0.9 tracks them within ~50 steps.
BN_MOMENTUM = 0.9


def keras_model(net: Net, name: str = "candidate") -> Any:  # a tf.keras.Model (no stubs)
    from tinygen.quant.convert import tensorflow

    keras = tensorflow().keras
    layers = keras.layers
    inp = layers.Input(net.input_shape, name="input")
    values = [inp]
    for node in net.nodes:
        x = values[node.source]
        if isinstance(node, Conv):
            x = layers.Conv2D(node.channels, node.kernel, node.stride, padding="same", use_bias=False)(x)
            x = layers.BatchNormalization(momentum=BN_MOMENTUM)(x)
            x = layers.ReLU(6.0)(x) if node.relu6 else x
        elif isinstance(node, Depthwise):
            x = layers.DepthwiseConv2D(node.kernel, node.stride, padding="same", use_bias=False)(x)
            x = layers.ReLU(6.0)(layers.BatchNormalization(momentum=BN_MOMENTUM)(x))
        elif isinstance(node, Add):
            x = layers.Add()([x, values[node.other]])
        elif isinstance(node, GlobalPool):
            x = layers.GlobalAveragePooling2D()(x)
        elif isinstance(node, Dense):
            x = layers.Dense(node.units)(x)
        elif isinstance(node, Softmax):
            x = layers.Softmax(name="probs")(x)
        values.append(x)
    return keras.Model(inp, values[-1], name=name)
