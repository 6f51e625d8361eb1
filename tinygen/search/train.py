"""Scoring one candidate: short seeded training, then int8 quantisation through `tinygen quantize`'s flow.

Runs in a worker process (local pool or Ray), so everything it needs travels in
a `Task` and everything it reports comes back in a `Score`. Training is seeded
and TensorFlow's op determinism is on: the same task gives the same score, which
is what makes an interrupted search resume to the same result.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tinygen.quant.convert import FloatModel, tensorflow
from tinygen.quant.data import Dataset
from tinygen.quant.flow import QuantOptions, quantize_float
from tinygen.search.arch import Arch
from tinygen.search.keras_net import keras_model
from tinygen.search.net import Net, layers

BATCH = 32
LEARNING_RATE = 3e-3  # Adam with cosine decay to 0 over the run: converges in few epochs on small nets
CALIBRATION_SAMPLES = 200


@dataclass(frozen=True)
class SplitData:
    """Training and evaluation arrays at the data's own resolution; candidates resize them to theirs."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_eval: np.ndarray
    y_eval: np.ndarray
    source: Path


@dataclass(frozen=True)
class Task:
    number: int
    arch: Arch
    epochs: int
    seed: int
    directory: Path  # where the candidate's .keras and int8 .tflite go


@dataclass(frozen=True)
class Score:
    number: int
    float_accuracy: float
    int8_accuracy: float
    keras_path: Path
    tflite_path: Path
    seconds: float


def resize(x: np.ndarray, shape: tuple[int, int, int]) -> np.ndarray:
    """Images to the candidate's H×W (bilinear, antialiased), unchanged when they already are."""
    if x.shape[1:3] == tuple(shape[:2]):
        return x.astype(np.float32)
    return tensorflow().image.resize(x, shape[:2], antialias=True).numpy().astype(np.float32)


def train(net: Net, data: SplitData, epochs: int, seed: int) -> Any:  # the trained tf.keras.Model
    """Seeded Adam with cosine decay. Batches are all BATCH samples (the remainder is dropped, reshuffled
    every epoch): a smaller last batch would make TensorFlow trace the training step twice, and tracing,
    not the steps, is most of a short run's time."""
    tf = tensorflow()
    tf.keras.backend.clear_session()  # a worker trains many models: without this, each one builds slower
    tf.keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
    model = keras_model(net)
    x = resize(data.x_train, net.input_shape)
    batch = min(BATCH, len(x))
    batches = (tf.data.Dataset.from_tensor_slices((x, data.y_train))
               .shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
               .batch(batch, drop_remainder=True))
    schedule = tf.keras.optimizers.schedules.CosineDecay(LEARNING_RATE, max(epochs * (len(x) // batch), 1))
    model.compile(optimizer=tf.keras.optimizers.Adam(schedule), loss="sparse_categorical_crossentropy")
    model.fit(batches, epochs=epochs, verbose=0, shuffle=False)  # the dataset shuffles, seeded
    return model


def evaluate(task: Task, data: SplitData) -> Score:
    return evaluate_net(task.number, layers(task.arch), data, task.epochs, task.seed, task.directory)


def evaluate_net(number: int, net: Net, data: SplitData, epochs: int, seed: int, directory: Path) -> Score:
    """Train, save DIRECTORY/model.keras, quantise to DIRECTORY/model_int8.tflite; float and int8 accuracy."""
    start = time.monotonic()
    model = train(net, data, epochs, seed)
    directory.mkdir(parents=True, exist_ok=True)
    keras_path = directory / "model.keras"
    model.save(keras_path)
    shape = net.input_shape
    x_train, x_eval = resize(data.x_train, shape), resize(data.x_eval, shape)
    calib = Dataset(data.source, x_train[:CALIBRATION_SAMPLES], data.y_train[:CALIBRATION_SAMPLES])
    evaluation = Dataset(data.source, x_eval, data.y_eval)
    tflite_path = directory / "model_int8.tflite"
    quantized = quantize_float(FloatModel(keras_path, shape, model), calib, evaluation, tflite_path, QuantOptions())
    tflite_path.write_bytes(quantized.blob)
    float_top1, int8_top1 = quantized.report.accuracy.top1
    return Score(number, float_top1, int8_top1, keras_path, tflite_path, time.monotonic() - start)
