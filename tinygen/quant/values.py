"""Float samples in, model values out and back: the affine mapping at a model's inputs and outputs."""

from __future__ import annotations

import numpy as np

from tinygen.ir.graph import Quant


def quantize_input(x: np.ndarray, dtype: np.dtype, quant: Quant | None) -> np.ndarray:
    """A float sample as the model's input tensor wants it (int8: round, add the zero point, saturate)."""
    if np.dtype(dtype) == np.float32 or quant is None:
        return x.astype(np.float32)
    info = np.iinfo(dtype)
    q = np.round(x / quant.scale + quant.zero_point)
    return np.clip(q, info.min, info.max).astype(dtype)


def dequantize(q: np.ndarray, quant: Quant | None) -> np.ndarray:
    if q.dtype == np.float32 or quant is None:
        return q.astype(np.float64)
    shape = [1] * q.ndim
    if quant.per_channel:
        shape[quant.axis] = -1
    scales = np.asarray(quant.scales, np.float64).reshape(shape)
    zeros = np.asarray(quant.zero_points, np.float64).reshape(shape)
    return (q.astype(np.float64) - zeros) * scales
