"""Symmetric int4 weights for one layer, re-quantised from its int8 weights, and the bias that goes with them.

Values lie in [-7, 7] (narrow range, like TFLite's symmetric int8 in [-127, 127]),
so zero stays exact and the grid is symmetric. A plain max-abs scale wastes most
of the 15 levels on rare outliers, so each group's clipping ratio is searched on
a grid (0.50..1.00 of max |w|) for the least squared error: the standard
4-bit post-training fix (ACIQ/OCS-style clipping), cheap at generation time.

The source is the int8 model's de-quantised weights: their own rounding error
(scale/2 at 255 levels) is a sixteenth of int4's, and working from the .tflite
keeps BN folding and every other converter rewrite exactly as TensorFlow made it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

INT4_LIMIT = 7
CLIP_RATIOS = np.linspace(0.5, 1.0, 26)


@dataclass(frozen=True)
class Int4Layer:
    """`values`: int8 array in [-7, 7], the weights' shape; `scales`: float32, one per group along `axis`."""

    values: np.ndarray
    scales: np.ndarray
    axis: int


def requantize_int4(values8: np.ndarray, scales8: npt.ArrayLike, axis: int, per_channel: bool) -> Int4Layer:
    """Int8 weights (scales8 per channel along `axis`, or one) -> int4, per channel or one scale for all."""
    scales8 = np.asarray(scales8, np.float64).reshape(-1)
    moved = np.moveaxis(values8.astype(np.float64), axis, 0)
    real = moved.reshape(moved.shape[0], -1) * (scales8[:, None] if scales8.size > 1 else scales8[0])
    groups = real if per_channel else real.reshape(1, -1)
    scales = best_scales(groups, scales8)
    q = np.clip(np.round(groups / scales[:, None].astype(np.float64)), -INT4_LIMIT, INT4_LIMIT)
    q = np.moveaxis(q.reshape(moved.shape), 0, axis).astype(np.int8)
    return Int4Layer(q, scales, axis)


def best_scales(groups: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """Per group (row): the float32 scale among CLIP_RATIOS * max|w| / 7 with the least squared error."""
    peak = np.abs(groups).max(axis=1)
    candidates = (CLIP_RATIOS[None, :] * peak[:, None] / INT4_LIMIT).astype(np.float32)  # (groups, ratios)
    safe = np.where(candidates > 0, candidates, np.float32(1.0)).astype(np.float64)
    q = np.clip(np.round(groups[:, None, :] / safe[:, :, None]), -INT4_LIMIT, INT4_LIMIT)
    error = ((groups[:, None, :] - q * safe[:, :, None]) ** 2).sum(axis=2)
    best = candidates[np.arange(len(groups)), error.argmin(axis=1)]
    # an all-zero group keeps a positive scale (TFLite requires one); its values are all 0 anyway
    zero = np.float32(fallback.max() if fallback.size else 1.0)
    return np.where(best > 0, best, zero).astype(np.float32)


def requantize_bias(bias: np.ndarray, scales8: npt.ArrayLike, scales4: np.ndarray) -> np.ndarray:
    """int32 bias at scale s_in*s8[c] -> the same real values at s_in*s4[c] (rounded, saturated)."""
    s8 = np.broadcast_to(np.asarray(scales8, np.float64).reshape(-1), bias.shape)
    s4 = np.broadcast_to(np.asarray(scales4, np.float64).reshape(-1), bias.shape)
    info = np.iinfo(np.int32)
    return np.clip(np.round(bias.astype(np.float64) * s8 / s4), info.min, info.max).astype(np.int32)
