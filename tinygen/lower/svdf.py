"""SVDF: TFLite Micro's integer kernel (svdf_common.cc), its Prepare's two requantisations computed here.

Prepare forms each effective scale as a product of the tensors' float scales
in float32 (s_in * s_feature / s_state and s_state * s_time / s_out) before
widening to double for QuantizeMultiplier; it refuses a bias whose scale is not
s_state * s_time within 1e-5. The kernel ignores the fused activation (TFLite
Micro applies it on the float path only). Which kernel runs follows the time
weights' type, and the state is read as that type, so the two must agree.
"""

from __future__ import annotations

import numpy as np

from tinygen.ir.attrs import SVDFAttrs
from tinygen.ir.graph import Operator
from tinygen.kernels.block import ArenaPtr, Offset
from tinygen.kernels.svdf import SvdfParams, SvdfS8Params, SvdfS16Params
from tinygen.lower.context import LowerContext
from tinygen.lower.layer import Layer
from tinygen.numerics.fixedpoint import quantize_multiplier

BIAS_SCALE_TOLERANCE = 1e-5  # TFLite Micro's PrepareSvdf


def effective_scales(s_in: float, s_feature: float, s_time: float, s_state: float,
                     s_out: float) -> tuple[float, float]:
    """(effective_scale_1, effective_scale_2) as TFLite Micro's Prepare computes them: float32 arithmetic."""
    f32 = np.float32
    first = f32(f32(s_in) * f32(s_feature)) / f32(s_state)
    second = f32(f32(s_state) * f32(s_time)) / f32(s_out)
    return float(first), float(second)


def lower_svdf(ctx: LowerContext, op: Operator) -> Layer:
    x, wf, wt, bias, state = (ctx.tensor(op, k) for k in range(5))
    y = ctx.tensor(op, 0, "outputs")
    types = (x.dtype, wf.dtype, bias.dtype, y.dtype)
    if types != ("int8", "int8", "int32", "int8") or wt.dtype not in ("int8", "int16") or state.dtype != wt.dtype:
        raise ctx.fail(op, f"input {x.dtype}, weights_feature {wf.dtype}, weights_time {wt.dtype}, bias "
                           f"{bias.dtype}, state {state.dtype}, output {y.dtype}; TFLite Micro's integer SVDF takes "
                           "int8, int8, int16 or int8, int32, the time weights' type, int8")
    s_state, s_time = ctx.scale(state), ctx.scale(wt)
    product = float(np.float32(s_state) * np.float32(s_time))
    if not abs(ctx.scale(bias) - product) < BIAS_SCALE_TOLERANCE:
        raise ctx.fail(op, f"bias scale {ctx.scale(bias)} is not state scale x time weights scale ({product}), "
                           "which TFLite Micro requires; re-export the model")
    first, second = effective_scales(ctx.scale(x), ctx.scale(wf), s_time, s_state, ctx.scale(y))
    feature_multiplier, feature_shift = quantize_multiplier(first)
    output_multiplier, output_shift = quantize_multiplier(second)
    scratch = ctx.plan.kernel_scratch(op.index)
    if scratch is None:
        raise ValueError(f"operator {op.index} SVDF has no planned scratch")
    rank = op.attrs_of(SVDFAttrs).rank
    batch, depth = x.shape
    filters, memory = wt.shape
    common = SvdfParams(
        input=ctx.ptr(x), output=ctx.ptr(y), scratch=ArenaPtr(scratch),
        scratch_output=Offset(ArenaPtr(scratch), batch * filters),
        weights_feature=ctx.array(op, "weights_feature", ctx.constant(op, 1).astype(np.int8)),
        bias=ctx.array(op, "bias", ctx.constant(op, 3).astype(np.int32).reshape(-1)),
        batch=batch, input_size=depth, filters=filters, memory=memory, rank=rank,
        input_zero_point=ctx.zero_point(x), state_zero_point=ctx.zero_point(state),
        output_zero_point=ctx.zero_point(y), feature_multiplier=feature_multiplier, feature_shift=feature_shift,
        output_multiplier=output_multiplier, output_shift=output_shift,
    )
    wide = wt.dtype == "int16"
    block = SvdfS16Params if wide else SvdfS8Params
    params = block(common=common, state=ctx.ptr(state),
                   weights_time=ctx.array(op, "weights_time", ctx.constant(op, 2).astype(wt.dtype)))
    return Layer(op.index, op.opcode, "svdf", "tg_svdf_s16" if wide else "tg_svdf_s8", params,
                 f"SVDF {x.shape} -> {y.shape}, {filters} filters of rank {rank}, memory {memory}, {wt.dtype} state")
