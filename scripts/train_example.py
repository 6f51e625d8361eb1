"""Train the bundled example: a small int8 CNN on scikit-learn's bundled digits (no downloads).

    python scripts/train_example.py            # writes tinygen/data/digits_cnn_int8.tflite

Seeded; the 80/20 split uses random_state=0. The network exercises the
operators a vision model on a microcontroller uses (CONV_2D, DEPTHWISE_CONV_2D,
ADD, MAX_POOL_2D, RESHAPE, FULLY_CONNECTED, SOFTMAX) at 8x8x1 input.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def load_digits_split():
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    x = (digits.images.astype(np.float32) / 16.0)[..., None]  # 8x8x1 in [0, 1]
    return train_test_split(x, digits.target, test_size=0.2, random_state=0)


def build_model():
    import tensorflow as tf

    layers = tf.keras.layers
    inp = layers.Input((8, 8, 1), batch_size=1, name="image")
    x = layers.Conv2D(16, 3, padding="same", activation="relu")(inp)
    y = layers.DepthwiseConv2D(3, padding="same", activation="relu")(x)
    y = layers.Conv2D(16, 1, activation=None)(y)
    x = layers.ReLU()(layers.Add()([x, y]))
    x = layers.MaxPooling2D(2)(x)
    x = layers.Conv2D(24, 3, padding="valid", activation="relu")(x)
    x = layers.Flatten()(x)
    out = layers.Dense(10, activation="softmax", name="probs")(x)
    return tf.keras.Model(inp, out, name="digits_cnn")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path,
                        default=Path(__file__).resolve().parents[1] / "tinygen" / "data" / "digits_cnn_int8.tflite")
    parser.add_argument("--epochs", type=int, default=30)
    args = parser.parse_args()

    import tensorflow as tf

    tf.keras.utils.set_random_seed(0)
    x_train, x_test, y_train, y_test = load_digits_split()
    model = build_model()
    model.compile(optimizer=tf.keras.optimizers.Adam(3e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    trainable = tf.keras.models.clone_model(model, input_tensors=tf.keras.Input((8, 8, 1)))
    trainable.compile(optimizer=tf.keras.optimizers.Adam(3e-3), loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
    trainable.fit(x_train, y_train, epochs=args.epochs, batch_size=32, verbose=0)
    model.set_weights(trainable.get_weights())
    float_acc = trainable.evaluate(x_test, y_test, verbose=0)[1]

    def representative():
        for sample in x_train[:200]:
            yield [sample[None]]

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    blob = converter.convert()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(blob)

    interp = tf.lite.Interpreter(model_content=blob)
    interp.allocate_tensors()
    inp, out = interp.get_input_details()[0], interp.get_output_details()[0]
    scale, zp = inp["quantization"]
    correct = 0
    for sample, label in zip(x_test, y_test, strict=True):
        q = np.clip(np.round(sample / scale + zp), -128, 127).astype(np.int8)
        interp.set_tensor(inp["index"], q[None])
        interp.invoke()
        correct += int(np.argmax(interp.get_tensor(out["index"])) == label)
    print(f"{args.output}: {len(blob):,} bytes; test accuracy float {float_acc:.4f}, "
          f"int8 {correct / len(y_test):.4f} ({len(y_test)} images)")


if __name__ == "__main__":
    main()
