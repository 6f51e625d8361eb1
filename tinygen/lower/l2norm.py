"""L2_NORMALIZATION (int8) as TFLite Micro's l2norm.cc runs it (reference_integer_ops::L2Normalization).

The inverse square root of each row's sum of squares comes from
GetInvSqrtQuantizedMultiplierExp at run time (the sum depends on the data);
the output is always Q0.7, whatever quantisation the file gives it, as in
TFLite Micro. It takes no fused activation and up to 4-D inputs.
"""

from __future__ import annotations

from math import prod

from tinygen.ir.attrs import ActivationAttrs
from tinygen.ir.graph import Operator
from tinygen.kernels.l2norm import L2NormParams
from tinygen.lower.context import LowerContext
from tinygen.lower.layer import Layer


def lower_l2norm(ctx: LowerContext, op: Operator) -> Layer:
    x, y = ctx.tensor(op, 0), ctx.tensor(op, 0, "outputs")
    if (x.dtype, y.dtype) != ("int8", "int8") or x.is_constant:
        raise ctx.fail(op, f"{x.dtype} -> {y.dtype}; tinygen normalises an int8 activation to int8")
    if not 1 <= len(x.shape) <= 4 or x.shape != y.shape:
        raise ctx.fail(op, f"input {x.shape}, output {y.shape}; TFLite Micro takes up to 4-D, output shaped as input")
    activation = op.attrs_of(ActivationAttrs).activation
    if activation != "NONE":
        raise ctx.fail(op, f"fused {activation}; TFLite Micro's L2_NORMALIZATION takes none")
    params = L2NormParams(input=ctx.ptr(x), output=ctx.ptr(y), rows=prod(x.shape[:-1]), depth=x.shape[-1],
                          input_zero_point=ctx.zero_point(x))
    return Layer(op.index, op.opcode, "l2norm", "tg_l2norm_s8", params, f"L2_NORMALIZATION {x.shape}")
