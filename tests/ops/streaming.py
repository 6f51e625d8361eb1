"""A streaming model as streaming keyword spotters are exported: a Keras classifier behind a ring buffer of the
last frames, kept in a variable (TensorFlow's converter writes VAR_HANDLE, READ_VARIABLE, ASSIGN_VARIABLE and a
CALL_ONCE init subgraph), full-integer int8 with quantised variables.

The classifier's weights enter the step function as constants: the converter would otherwise keep Keras'
weights as resource variables too, with no initial value (TFLite Micro cannot run that; tinygen refuses it)."""

from __future__ import annotations

import numpy as np

from tests.tools import require_module

FRAMES, FEATURES, CLASSES = 5, 4, 3


def streaming_model(seed: int = 0) -> bytes:
    tf = require_module("tensorflow")
    tf.keras.utils.set_random_seed(seed)
    classifier = tf.keras.Sequential([tf.keras.Input((FRAMES, FEATURES), batch_size=1), tf.keras.layers.Flatten(),
                                      tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(CLASSES)])

    weights = [(dense.kernel.numpy(), dense.bias.numpy()) for dense in classifier.layers[1:]]

    class Streaming(tf.Module):
        def __init__(self) -> None:
            super().__init__()
            self.frames = tf.Variable(tf.zeros((1, FRAMES, FEATURES)), trainable=False)

        @tf.function(input_signature=[tf.TensorSpec((1, 1, FEATURES), tf.float32)])
        def step(self, frame):
            window = tf.concat([self.frames[:, 1:, :], frame], axis=1)
            self.frames.assign(window)
            x = tf.reshape(window, (1, FRAMES * FEATURES))
            for k, (kernel, bias) in enumerate(weights):
                x = tf.matmul(x, tf.constant(kernel)) + tf.constant(bias)
                x = tf.nn.relu(x) if k == 0 else x
            return x

    module = Streaming()
    converter = tf.lite.TFLiteConverter.from_concrete_functions([module.step.get_concrete_function()], module)
    converter.experimental_enable_resource_variables = True
    converter._experimental_variable_quantization = True
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    rng = np.random.default_rng(seed)

    def representative():
        for _ in range(24):
            yield [rng.uniform(-2, 2, (1, 1, FEATURES)).astype(np.float32)]

    converter.representative_dataset = representative
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = converter.inference_output_type = tf.int8
    return converter.convert()
