"""Operators whose output is known when the firmware is generated: ZEROS_LIKE.

TFLite Micro computes these at run time from nothing the input's values
change, so tinygen stores the output's bytes in flash and copies them into the
arena with the strided copy (one byte stepped 0 times when every byte is the
same). Multi-byte values are stored little-endian, the byte order of the
Cortex-M cores and hosts tinygen builds for.
"""

from __future__ import annotations

import numpy as np

from tinygen.ir.graph import Operator
from tinygen.kernels.block import Offset
from tinygen.kernels.shape import StridedCopyParams
from tinygen.lower.context import LowerContext
from tinygen.lower.layer import Layer
from tinygen.lower.shape import collapse


def _known_output(ctx: LowerContext, op: Operator, values: np.ndarray, comment: str) -> Layer:
    """The layer writing `values` (the output's elements, in its type) into the output tensor."""
    y = ctx.tensor(op, 0, "outputs")
    data = np.ascontiguousarray(values.astype(values.dtype.newbyteorder("<")).reshape(-1)).view(np.int8)
    if values.size != y.elements:
        raise ValueError(f"operator {op.index} {op.opcode}: {values.size} values for output {y.shape}")
    repeat = data.size > 0 and bool((data == data[0]).all())
    source = ctx.array(op, "known", data[:1] if repeat else data)
    dims, strides = collapse([data.size], [0 if repeat else 1])
    params = StridedCopyParams(input=Offset(source, 0), output=ctx.ptr(y), dims=dims, strides=strides)
    return Layer(op.index, op.opcode, "shape", "tg_strided_copy_s8", params, comment)


def lower_zeros_like(ctx: LowerContext, op: Operator) -> Layer:
    """Zeros of the input's type, not its zero point: TFLite Micro's resetZeros."""
    x, y = ctx.tensor(op, 0), ctx.tensor(op, 0, "outputs")
    if x.dtype != y.dtype or x.shape != y.shape:
        raise ctx.fail(op, f"input {x.dtype} {x.shape} but output {y.dtype} {y.shape}; TFLite Micro requires them "
                           "equal")
    return _known_output(ctx, op, np.zeros(y.elements, np.int8), f"ZEROS_LIKE {y.shape}")
