"""Each tensor's rank, size and quantisation parameters, as TFLite Micro's Prepare and tinygen's kernels need them.

TFLite Micro computes every requantisation multiplier from the scales (a zero,
infinite or NaN scale divides by zero or yields no multiplier), reads one
scale per channel along `quantized_dimension`, and stores zero points in the
tensor's own type; a wrong count or an out-of-range value makes it read past
an array or compute garbage. The rank bound is tinygen's: its kernels and the
validation protocol's TENSOR reply (16 + 4 * rank bytes) are sized for it.
"""

from __future__ import annotations

import math

from tinygen.errors import InputError
from tinygen.ir.graph import MAX_RANK, Graph, Tensor

_FIX = "the file is malformed; re-export the model"
_RANGES = {"int4": (-8, 7), "int8": (-128, 127), "uint8": (0, 255), "int16": (-32768, 32767),
           "int32": (-(1 << 31), (1 << 31) - 1)}


def check_tensors(graph: Graph) -> None:
    """Every tensor an operator or the graph uses: rank at most MAX_RANK, activations not empty, sane quantisation."""
    used = set(graph.inputs) | set(graph.outputs)
    used |= {t for op in graph.operators for t in op.inputs + op.outputs if t >= 0}
    for index in sorted(used):
        t = graph.tensor(index)
        if len(t.shape) > MAX_RANK:
            raise InputError(f"tensor '{t.name}' has rank {len(t.shape)}; tinygen handles tensors of rank at most "
                             f"{MAX_RANK}; reshape it to {MAX_RANK} or fewer dimensions")
        if t.elements == 0 and not t.is_constant:
            raise InputError(f"tensor '{t.name}' has shape {t.shape}, which holds no elements; "
                             "export the model with a non-empty fixed shape")
        _check_quant(t)


def _check_quant(t: Tensor) -> None:
    q = t.quant
    if q is None:
        return
    bad = [s for s in q.scales if not (math.isfinite(s) and s > 0)]
    if bad:
        raise InputError(f"tensor '{t.name}' has quantisation scale {bad[0]}; scales must be finite and positive; "
                         f"{_FIX}")
    if len(q.zero_points) != len(q.scales):
        raise InputError(f"tensor '{t.name}' has {len(q.scales)} scales but {len(q.zero_points)} zero points; "
                         f"{_FIX}")
    if q.per_channel:
        # a bias is rank 1 and TFLite Micro reads its scales per element, whatever `quantized_dimension` says
        # (the converter often leaves its filter's 3 there)
        axis = q.axis if len(t.shape) != 1 else 0
        if not 0 <= axis < len(t.shape):
            raise InputError(f"tensor '{t.name}' is quantised per channel along dimension {q.axis}, but has rank "
                             f"{len(t.shape)}; {_FIX}")
        if len(q.scales) != t.shape[axis]:
            raise InputError(f"tensor '{t.name}' has {len(q.scales)} per-channel scales for the {t.shape[axis]} "
                             f"channels of dimension {axis}; {_FIX}")
    low, high = _RANGES.get(t.dtype, (-math.inf, math.inf))
    outside = [z for z in q.zero_points if not low <= z <= high]
    if outside:
        raise InputError(f"tensor '{t.name}' has zero point {outside[0]}, outside {t.dtype}'s range {low}..{high}; "
                         f"{_FIX}")
