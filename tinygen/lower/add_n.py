"""ADD_N (int8) as TFLite Micro's add_n.cc runs it.

Prepare requires every input quantised alike (one zero point, one scale) and
shaped as the output; the arithmetic is ADD's with a left shift of 20, the
multipliers computed in double from the first input's scale.
"""

from __future__ import annotations

from tinygen.ir.graph import Operator
from tinygen.kernels.add_n import AddNParams
from tinygen.kernels.block import PointerList
from tinygen.lower.context import LowerContext
from tinygen.lower.layer import Layer
from tinygen.lower.shape import source
from tinygen.numerics.fixedpoint import quantize_multiplier_smaller_than_one

LEFT_SHIFT = 20  # add_n.cc's kAddNIntegerShift


def sum_multipliers(input_scale: float, output_scale: float) -> tuple[int, int, int, int]:
    """(input multiplier, shift, output multiplier, shift) of a sum of same-scale inputs (add_n.cc's and
    cumsum.cc's Prepare): inputs rescaled to twice their scale at LEFT_SHIFT bits, the sum back to the output's."""
    twice = 2 * input_scale
    m_in, s_in = quantize_multiplier_smaller_than_one(input_scale / twice)
    m_out, s_out = quantize_multiplier_smaller_than_one(twice / ((1 << LEFT_SHIFT) * output_scale))
    return m_in, s_in, m_out, s_out


def lower_add_n(ctx: LowerContext, op: Operator) -> Layer:
    inputs, y = [ctx.tensor(op, k) for k in range(len(op.inputs))], ctx.tensor(op, 0, "outputs")
    if any(t.dtype != "int8" for t in (*inputs, y)):
        raise ctx.fail(op, "an operand is not int8; tinygen sums int8 tensors")
    first = inputs[0]
    if any((ctx.scale(t), ctx.zero_point(t)) != (ctx.scale(first), ctx.zero_point(first)) for t in inputs):
        raise ctx.fail(op, "inputs are quantised differently; TFLite Micro's ADD_N requires one scale and zero point")
    m_in, s_in, m_out, s_out = sum_multipliers(float(ctx.scale(first)), float(ctx.scale(y)))
    sources = tuple(source(ctx, op, t, f"input{k}") for k, t in enumerate(inputs))
    params = AddNParams(inputs=PointerList(sources), output=ctx.ptr(y), num_inputs=len(inputs), size=y.elements,
                        input_offset=-ctx.zero_point(first), input_multiplier=m_in, input_shift=s_in,
                        output_offset=ctx.zero_point(y), output_multiplier=m_out, output_shift=s_out)
    return Layer(op.index, op.opcode, "add_n", "tg_add_n_s8", params, f"ADD_N {len(inputs)} x {y.shape}")
