"""A small float CNN trained on scikit-learn's bundled digits (no downloads), shared by the quantize tests.

The same network and split as scripts/train_example.py (8x8x1 inputs scaled /16,
80/20 split with random_state=0), trained for a few seeded epochs (~5 s), saved
as .keras with calibration (200 training images) and evaluation (the test split)
.npz files beside it.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tests.tools import require_module

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
EPOCHS = 6


@dataclass(frozen=True)
class DigitsModel:
    model: Path
    calib: Path
    eval: Path
    float_accuracy: float


def train_digits(folder: Path) -> DigitsModel:
    tf = require_module("tensorflow")
    require_module("sklearn")
    sys.path.insert(0, str(SCRIPTS))
    try:
        from train_example import build_model, load_digits_split
    finally:
        sys.path.remove(str(SCRIPTS))
    tf.keras.utils.set_random_seed(0)
    x_train, x_test, y_train, y_test = load_digits_split()
    batch1 = build_model()  # batch size 1, as on the device; train a clone with a free batch dimension
    model = tf.keras.models.clone_model(batch1, input_tensors=tf.keras.Input((8, 8, 1), name="image"))
    model.compile(optimizer=tf.keras.optimizers.Adam(3e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=EPOCHS, batch_size=32, verbose=0)
    float_accuracy = float(model.evaluate(x_test, y_test, verbose=0)[1])
    path = folder / "digits_cnn.keras"
    model.save(path)
    calib, evaluation = folder / "calib.npz", folder / "eval.npz"
    np.savez(calib, x=x_train[:200], y=y_train[:200])
    np.savez(evaluation, x=x_test, y=y_test)
    return DigitsModel(path, calib, evaluation, float_accuracy)


_TRAINED: list[DigitsModel] = []


def shared_digits(tmp_path_factory) -> DigitsModel:
    """`train_digits` once per test session: the quant and the command tests share one model."""
    if not _TRAINED:
        _TRAINED.append(train_digits(tmp_path_factory.mktemp("digits")))
    return _TRAINED[0]
