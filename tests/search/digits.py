"""Small search data for tests: digits at 8×8, 400 training and 100 evaluation samples (the contract, not accuracy)."""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from digits_npz import digits_split


def small_digits(directory: Path) -> tuple[Path, Path]:
    x_train, x_test, y_train, y_test = digits_split(8)
    train, test = directory / "train.npz", directory / "test.npz"
    np.savez(train, x=x_train[:400], y=y_train[:400])
    np.savez(test, x=x_test[:100], y=y_test[:100])
    return train, test
