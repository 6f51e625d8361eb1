"""Calibration and evaluation data for `tinygen quantize`: an .npz or a folder of images per class.

* `.npz`: `x` (N samples, each the model's input shape; a missing trailing channel
  axis of size 1 is added) and optional `y` (N integer labels, or N one-hot rows).
* folder: one sub-folder per class, sorted by name (label = index); every image is
  converted to grey (1 channel) or RGB (3 channels), resized to the input H×W and
  scaled to float32 in [0, 1].
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tinygen.errors import InputError
from tinygen.npz import read_npz

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".ppm", ".pgm", ".webp")


@dataclass(frozen=True)
class Dataset:
    """`x`: float32 (N, *input_shape); `y`: int64 (N,) labels or None."""

    source: Path
    x: np.ndarray
    y: np.ndarray | None

    def __len__(self) -> int:
        return len(self.x)


def load_dataset(path: Path, input_shape: tuple[int, ...]) -> Dataset:
    """Read `path` (npz or class folders) for a model whose input (batch dimension excluded) is `input_shape`."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file or folder; pass an .npz with 'x' (and 'y') or a folder of class "
                         "sub-folders")
    dataset = _load_folder(path, input_shape) if path.is_dir() else _load_npz(path, input_shape)
    if len(dataset) == 0:
        raise InputError(f"{path}: no samples (empty data set); pass at least one sample")
    return dataset


def _load_npz(path: Path, input_shape: tuple[int, ...]) -> Dataset:
    arrays = read_npz(path, "pass a numpy .npz with an array 'x' (np.savez)")
    if "x" not in arrays:
        found = ", ".join(sorted(arrays)) or "nothing"
        raise InputError(f"{path}: no array 'x' (found {found}); save the samples as x (np.savez(path, x=..., y=...))")
    x = arrays["x"]
    if x.dtype.kind not in "biuf":
        raise InputError(f"{path}: 'x' has non-numeric dtype {x.dtype}; save the samples as float or integer numbers")
    if x.ndim >= 1 and x.shape[1:] != tuple(input_shape) and x.shape[1:] + (1,) == tuple(input_shape):
        x = x[..., None]
    if x.ndim < 1 or x.shape[1:] != tuple(input_shape):
        raise InputError(f"{path}: 'x' has shape {x.shape} but the model takes "
                         f"(N, {', '.join(map(str, input_shape))}); reshape the samples to the model's input")
    y = arrays.get("y")
    if y is not None:
        if y.dtype.kind not in "biuf":
            raise InputError(f"{path}: 'y' has non-numeric dtype {y.dtype}; save integer class labels")
        if y.ndim == 2 and len(y) == len(x):
            y = np.argmax(y, axis=1)
        if y.ndim != 1 or len(y) != len(x):
            raise InputError(f"{path}: 'y' has shape {y.shape} but 'x' has {len(x)} samples; "
                             "save one integer label per sample")
        y = y.astype(np.int64)
    return Dataset(path, x.astype(np.float32), y)


def _load_folder(path: Path, input_shape: tuple[int, ...]) -> Dataset:
    if len(input_shape) != 3 or input_shape[-1] not in (1, 3):
        raise InputError(f"{path}: image folders need a model input of H×W×1 or H×W×3, the model takes "
                         f"{tuple(input_shape)}; pass an .npz instead")
    from PIL import Image, UnidentifiedImageError

    height, width, channels = input_shape
    classes = sorted(p for p in path.iterdir() if p.is_dir())
    xs, ys = [], []
    for label, folder in enumerate(classes):
        for file in sorted(folder.iterdir()):
            if file.suffix.lower() not in IMAGE_SUFFIXES:
                continue
            try:
                with Image.open(file) as opened:
                    image = opened.convert("L" if channels == 1 else "RGB").resize((width, height))
                    pixels = np.asarray(image, dtype=np.float32) / 255.0
            except (UnidentifiedImageError, OSError) as exc:
                raise InputError(f"{file}: cannot read as an image ({type(exc).__name__}); "
                                 "remove it or replace it with a valid image") from None
            xs.append(pixels.reshape(input_shape))
            ys.append(label)
    if not xs:
        raise InputError(f"{path}: no images in class sub-folders (expected {path}/<class>/<image>.png); "
                         "pass a folder with one sub-folder of images per class")
    return Dataset(path, np.stack(xs).astype(np.float32), np.asarray(ys, dtype=np.int64))
