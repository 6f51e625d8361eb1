"""CUMSUM (int8) as TFLite Micro's cumsum.cc runs it: ADD_N's arithmetic (left shift 20, multipliers in double)
as a running sum along a constant axis, exclusive and reverse as the options say."""

from __future__ import annotations

from math import prod

from tinygen.ir.attrs import CumsumAttrs
from tinygen.ir.graph import Operator
from tinygen.kernels.cumsum import CumsumParams
from tinygen.lower.add_n import sum_multipliers
from tinygen.lower.context import LowerContext
from tinygen.lower.layer import Layer


def lower_cumsum(ctx: LowerContext, op: Operator) -> Layer:
    x, axis_tensor, y = ctx.tensor(op, 0), ctx.tensor(op, 1), ctx.tensor(op, 0, "outputs")
    if (x.dtype, y.dtype) != ("int8", "int8") or x.is_constant:
        raise ctx.fail(op, f"{x.dtype} -> {y.dtype}; tinygen sums an int8 activation to int8")
    if x.shape != y.shape or not x.shape:
        raise ctx.fail(op, f"input {x.shape} and output {y.shape}; TFLite Micro requires equal shapes, rank 1 or more")
    values = ctx.constant(op, 1).reshape(-1)
    if axis_tensor.dtype != "int32" or values.size != 1 or not -len(x.shape) <= int(values[0]) < len(x.shape):
        raise ctx.fail(op, f"axis '{axis_tensor.name}' is not one int32 inside the input's {len(x.shape)} axes; "
                           "TFLite Micro fails such a model")
    axis = int(values[0]) % len(x.shape)
    a = op.attrs_of(CumsumAttrs)
    m_in, s_in, m_out, s_out = sum_multipliers(float(ctx.scale(x)), float(ctx.scale(y)))
    params = CumsumParams(input=ctx.ptr(x), output=ctx.ptr(y), before=prod(x.shape[:axis]), depth=x.shape[axis],
                          after=prod(x.shape[axis + 1:]), exclusive=int(a.exclusive), reverse=int(a.reverse),
                          input_offset=-ctx.zero_point(x), input_multiplier=m_in, input_shift=s_in,
                          output_offset=ctx.zero_point(y), output_multiplier=m_out, output_shift=s_out)
    return Layer(op.index, op.opcode, "cumsum", "tg_cumsum_s8", params,
                 f"CUMSUM axis {axis} {x.shape} exclusive {int(a.exclusive)} reverse {int(a.reverse)}")
