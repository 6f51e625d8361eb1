"""scikit-learn's bundled digits as search data: train.npz and test.npz at SIZE×SIZE (no downloads).

    python scripts/digits_npz.py --size 32 -o data/digits32

The 8×8 images are scaled to [0, 1] and resized bilinearly (antialiased); the
split is 80/20 with random_state=0, as everywhere else in tinygen.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def digits_split(size: int):
    """(x_train, x_test, y_train, y_test), x as float32 (N, size, size, 1)."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    from tinygen.search.train import resize

    digits = load_digits()
    x = resize((digits.images.astype(np.float32) / 16.0)[..., None], (size, size, 1))
    return train_test_split(x, digits.target, test_size=0.2, random_state=0)


def write_digits(size: int, directory: Path) -> tuple[Path, Path]:
    x_train, x_test, y_train, y_test = digits_split(size)
    directory.mkdir(parents=True, exist_ok=True)
    train, test = directory / "train.npz", directory / "test.npz"
    np.savez(train, x=x_train, y=y_train)
    np.savez(test, x=x_test, y=y_test)
    return train, test


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("-o", "--output", type=Path, default=Path("digits32"))
    args = parser.parse_args()
    for path in write_digits(args.size, args.output):
        print(path)


if __name__ == "__main__":
    main()
