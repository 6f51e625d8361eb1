"""The search's data: labelled images or spectrograms, split into training and evaluation sets.

`--data` is an .npz (`x` N×H×W[×C], `y` labels) or a folder with one sub-folder of
images per class (read at `--input-shape`, grey for 1 channel, RGB for 3). Candidates
train on the training set and are ranked by int8 accuracy on the evaluation set:
`--eval` when given, else a seeded 20% of `--data`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tinygen.errors import InputError
from tinygen.npz import read_npz
from tinygen.quant.data import load_dataset
from tinygen.search.train import SplitData

EVAL_FRACTION = 0.2


def _read(path: Path, input_shape: tuple[int, int, int] | None) -> tuple[np.ndarray, np.ndarray]:
    """(samples, labels)."""
    path = Path(path)
    if path.is_dir():
        if input_shape is None:
            raise InputError(f"{path}: an image folder needs --input-shape (e.g. 32x32x1 or 32x32x3)")
        dataset = load_dataset(path, input_shape)
    else:
        dataset = load_dataset(path, _npz_shape(path))
    if dataset.y is None:
        raise InputError(f"{path}: no labels; the search trains classifiers, save class labels as 'y'")
    return dataset.x, dataset.y


def _npz_shape(path: Path) -> tuple[int, ...]:
    """One sample's shape in the .npz at `path`, channels last."""
    if not path.exists():
        raise InputError(f"{path}: no such file or folder; pass an .npz with 'x' and 'y' or a folder of class "
                         "sub-folders")
    arrays = read_npz(path, "pass a numpy .npz with arrays 'x' and 'y' (np.savez)")
    x_shape = arrays["x"].shape if "x" in arrays else None
    if x_shape is None or len(x_shape) not in (3, 4):
        raise InputError(f"{path}: needs an array 'x' of N×H×W or N×H×W×C samples; save images or "
                         "spectrograms as x")
    return tuple(x_shape[1:]) + ((1,) if len(x_shape) == 3 else ())


def load_search_data(data: Path, evaluation: Path | None, seed: int,
                     input_shape: tuple[int, int, int] | None = None) -> SplitData:
    x, y = _read(data, input_shape)
    if evaluation is not None:
        x_eval, y_eval = _read(evaluation, input_shape)
        if x_eval.shape[1:] != x.shape[1:]:
            raise InputError(f"{evaluation}: samples are {x_eval.shape[1:]} but {data} has {x.shape[1:]}; "
                             "pass evaluation data of the same shape")
        return SplitData(x, y, x_eval, y_eval, Path(evaluation))
    if len(x) < 10:
        raise InputError(f"{data}: {len(x)} samples are too few to split off an evaluation set; "
                         "pass at least 10 samples or --eval")
    order = np.random.default_rng(seed).permutation(len(x))
    cut = int(round(len(order) * EVAL_FRACTION))
    held, kept = order[:cut], order[cut:]
    return SplitData(x[kept], y[kept], x[held], y[held], Path(data))
