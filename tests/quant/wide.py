"""Two one-layer regression models made (not trained) inside the tests, one that int8 activations ruin.

`difference`: y = 100·(x1 − x2) on inputs in [−1, 1] whose two values differ
by at most 0.01, so the answer lives below the int8 input step (2/255): int8
loses most of the output, int16 (step about 1/32768) almost nothing. `sum`:
y = x1 + x2 on independent inputs in [−1, 1], where int8 is plenty. Each is a
.keras file with a calibration .npz (x only: the report measures the mean
squared error) beside it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.tools import require_module

SAMPLES = 200
WEIGHTS = {"difference": (100.0, -100.0), "sum": (1.0, 1.0)}


def samples(name: str, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x1 = rng.uniform(-0.99, 0.99, SAMPLES)
    x2 = x1 + rng.uniform(-0.01, 0.01, SAMPLES) if name == "difference" else rng.uniform(-1, 1, SAMPLES)
    return np.stack([x1, x2], axis=1).astype(np.float32)


def make(name: str, folder: Path) -> tuple[Path, Path]:
    """(model.keras, calib.npz) for `name` in `folder`."""
    tf = require_module("tensorflow")
    inp = tf.keras.Input((2,))
    dense = tf.keras.layers.Dense(1)
    model = tf.keras.Model(inp, dense(inp))
    dense.set_weights([np.array([WEIGHTS[name]], np.float32).T, np.zeros(1, np.float32)])
    path, calib = folder / f"{name}.keras", folder / f"{name}.npz"
    model.save(path)
    np.savez(calib, x=samples(name))
    return path, calib
