"""Which kernel runs a layer: the generic one, or a specialised one the core and the layer's shape allow.

The generic kernels (templates/kernels/tg_<family>.c.j2) run every layer on every
core and read the layer's parameter block at run time. On cores with the DSP
extension (Cortex-M4, M7, M33 and M55 with DSP), a layer whose shape one of the
specialised kernels (templates/kernels/tg_<family>_dsp.h.j2) covers calls that
instead; on cores with Helium (MVE, Cortex-M55), convolutions, depthwise and dense
layers take the vector kernels (tg_<family>_mve.h.j2) first. In release builds a
specialised kernel is always inlined into model.c with the layer's constant
parameter block, so the compiler builds a copy for that layer with every shape,
zero point and pointer folded in (--debug builds call one shared copy). The
price is code: each such layer adds its own copy (`code_bytes`, which `check`
counts before anything is compiled).

Specialised kernels sign-extend their operands into 16-bit lanes once and reuse
them; the lanes live in one static buffer, tg_scratch, sized for the most any
layer needs (layers run one at a time) and counted by `check` as SRAM.
"""

from __future__ import annotations

from dataclasses import dataclass

from tinygen.kernels.binary import BinaryParams
from tinygen.kernels.block import ParamBlock
from tinygen.kernels.conv import ConvParams, DepthwiseParams, FilterParams
from tinygen.kernels.fully_connected import FullyConnectedParams
from tinygen.kernels.int16 import ConvS16Params, DepthwiseS16Params, FullyConnectedS16Params
from tinygen.kernels.pool import PoolParams
from tinygen.plan.inplace import kernel_temp_bytes

# The kernels' thresholds below marked TG_* are rendered into their headers (codegen/render.py kernel_limits).
CONV_QUAD_BYTES = 64  # TG_CONV_QUAD_BYTES: the largest receptive field run four pixels a block
CONV_DSP_BYTES = 4092  # the largest (tg_gemm_2x2_s8 reaches a second filter's weights with LDR's 12-bit offset)
DW_LANE_TAPS = 49  # TG_DW_LANE_TAPS: filters whose weights get lanes
FC_UNITS = 4  # tg_fully_connected_dsp.h.j2: units per pass, their weights interleaved four bytes at a time
FC_LANE_DEPTH = 640  # TG_FC_LANE_DEPTH: the deepest input given lanes (MLPerf Tiny's deepest dense input)
# ADD/SUB over at least this many elements look their inputs' rescaled values up in two 256-entry int32 tables
# (2 kB of flash a layer): about 8 instructions an element fewer than rescaling each, so a table pays for its
# flash from here on; smaller ones (and broadcasts along the channels) keep the generic kernel.
ADD_TABLE_ELEMENTS = 1024

# Generous per-layer code of a specialised copy (measured on the shared models at -O2, Cortex-M4: 3x3
# depthwise up to 2.2 kB, 7x7 2.7 kB, 1x1 and im2col convolutions 0.7-1.7 kB, dense layers about 0.7 kB;
# the depthwise quad kernel 2.2 kB on micro_speech's 10x8 filter).
DW_CODE_BYTES = 3072
DW_QUAD_CODE_BYTES = 2560
# Helium depthwise (Cortex-M55, -O2): person_detect's thirteen 3x3 layers take 8.4 kB less code than with the
# DSP kernel, micro_speech's 10x8 field layer 1.9 kB less than with the quad kernel.
DW_MVE_CODE_BYTES = 3072
DW_FIELD_CODE_BYTES = 1536
CONV_CODE_BYTES = 896  # plus CONV_STEP_CODE_BYTES per unrolled step of four values (up to 16)
CONV_STEP_CODE_BYTES = 64
CONV_GATHER_CODE_BYTES = 512  # the im2col kernels' gather into lanes
FC_CODE_BYTES = 1024
ADD_CODE_BYTES = 256
S16_FC_CODE_BYTES = 512  # tg_int16_dsp.h: the 16x8 dense layer
S16_CONV_CODE_BYTES = 768  # ... the 16x8 convolution, its gather included
S16_CONV_FIELD = 2048  # the largest 16x8 receptive field gathered (tg_scratch: 2 bytes a value)
S16_DW_CODE_BYTES = 1536  # ... the 16x8 depthwise convolution
S16_DW_TAPS = 511  # the most taps whose int16 x int8 products (each at most 2^22) an int32 sums exactly
# int4 weights (tg_conv_dsp.h, tg_fully_connected_dsp.h _s4): lanes of 16 times the weight, so each product is at
# most 2^14 and an int32 sums 2^17 of them exactly; the im2col GEMM reaches a second filter n / 2 bytes on.
S4_CONV_FIELD = 4096  # the largest receptive field (values, rounded up to 8)
S4_FC_DEPTH = 1 << 16  # the deepest dense input
POOL_CODE_BYTES = 384  # tg_pool_dsp.h: the average or max pool (one shared copy; counted per layer, generously)
POOL_AVERAGE_TAPS = 256  # the most int8 taps a 16-bit SXTAB16 lane sums exactly (256 x -128 = -32768)


@dataclass(frozen=True)
class Specialised:
    kernel: str  # the always-inlined C function
    header: str  # where it lives (templates/kernels/<header>.j2)
    scratch_bytes: int  # what it needs of tg_scratch
    code_bytes: int  # a generous estimate of its inlined copy


def choose(kernel: str, params: ParamBlock, mve: bool = False, temp_bytes: int = 0) -> Specialised | None:
    """The specialised kernel for a layer now calling the generic `kernel` with `params`, on a DSP core (with
    Helium if `mve`), or None when the generic kernel stays. int4-weight layers (`_s4`) take the DSP kernels
    on every DSP core, Helium ones included (there is no Helium int4 kernel).
    `temp_bytes`: the layer's planned in-place temporary (0: not in place). The specialised in-place paths
    need the wider one the planner gives when told the board runs them (plan/inplace.py); a layer planned
    with a narrower one keeps the generic kernel."""
    if isinstance(params, FilterParams) and temp_bytes:
        opcode = "DEPTHWISE_CONV_2D" if isinstance(params, DepthwiseParams) else "CONV_2D"
        wide = kernel_temp_bytes(opcode, params.in_c, params.out_h, params.out_w, params.out_c, dsp_kernels=True)
        if temp_bytes < wide:
            return None
    if isinstance(params, ConvParams) and kernel == "tg_conv_s8":
        return _conv(params, mve)
    if isinstance(params, DepthwiseParams) and kernel == "tg_depthwise_s8":
        return _depthwise_mve(params, temp_bytes) if mve else _depthwise(params, temp_bytes)
    if isinstance(params, FullyConnectedParams) and kernel == "tg_fully_connected_s8":
        return _fully_connected(params, mve)
    if isinstance(params, ConvParams) and kernel == "tg_conv_s4":
        return _conv_s4(params)
    if isinstance(params, FullyConnectedParams) and kernel == "tg_fully_connected_s4":
        return _fully_connected_s4(params)
    if isinstance(params, DepthwiseParams) and kernel == "tg_depthwise_s4":
        return _depthwise_s4(params)
    if isinstance(params, BinaryParams) and kernel in ("tg_add_s8", "tg_sub_s8"):
        return _add(params)
    if isinstance(params, FullyConnectedS16Params) and kernel == "tg_fully_connected_s16":
        return Specialised("tg_fully_connected_dsp_s16", "tg_int16_dsp.h", 0, S16_FC_CODE_BYTES)
    if isinstance(params, ConvS16Params) and kernel == "tg_conv_s16":
        return _conv_s16(params)
    if isinstance(params, DepthwiseS16Params) and kernel == "tg_depthwise_s16":
        if params.k_h * params.k_w > S16_DW_TAPS:
            return None
        return Specialised("tg_depthwise_dsp_s16", "tg_int16_dsp.h", 0, S16_DW_CODE_BYTES)
    if isinstance(params, PoolParams) and kernel in ("tg_average_pool_s8", "tg_max_pool_s8"):
        return _pool(kernel, params)
    return None


def conv_field(p: ConvParams) -> int:
    """The receptive field the DSP kernels run over: k_h x k_w x in_c bytes rounded up to whole words (the
    filters padded with zero weights to match, tinygen/lower/specialise.py)."""
    return -(-p.k_h * p.k_w * p.in_c // 4) * 4


def _conv(p: ConvParams, mve: bool) -> Specialised | None:
    """A 1x1 (stride 1, unpadded) or im2col convolution; in place only as a 1x1 the DSP kernel runs."""
    n = p.k_h * p.k_w * p.in_c
    pointwise = (p.k_h, p.k_w, p.stride_h, p.stride_w, p.pad_top, p.pad_left) == (1, 1, 1, 1, 0, 0)
    if mve:  # im2col gathers four receptive fields
        if p.temp is not None and not pointwise:
            return None
        shape = "1x1" if pointwise else "im2col"
        return Specialised(f"tg_conv_{shape}_mve_s8", "tg_conv_mve.h", 0 if pointwise else 4 * n, CONV_CODE_BYTES)
    field = conv_field(p)
    if field > CONV_DSP_BYTES or p.temp is not None and not (pointwise and n % 4 == 0):
        return None
    if p.out_h * p.out_w == 1:  # one pixel: half of every two-pixel block wasted, lanes never reused
        return None
    lanes = (4 if field <= CONV_QUAD_BYTES else 2) * field * 2  # a block's pixels, 2 bytes a value
    code = CONV_CODE_BYTES + CONV_STEP_CODE_BYTES * min(field // 4, 16)
    if pointwise and n % 4 == 0:
        return Specialised("tg_conv_1x1_dsp_s8", "tg_conv_dsp.h", lanes, code)
    col = field if p.in_c % 4 else 0  # fields of 1-3 channel taps are gathered as bytes first
    return Specialised("tg_conv_im2col_dsp_s8", "tg_conv_dsp.h", lanes + col, code + CONV_GATHER_CODE_BYTES)


def conv_field_s4(p: ConvParams) -> int:
    """The receptive field the int4 DSP kernels run over: k_h x k_w x in_c values rounded up to whole words of
    eight packed weights (the filters padded with zero weights to match)."""
    return -(-p.k_h * p.k_w * p.in_c // 8) * 8


def _conv_s4(p: ConvParams) -> Specialised | None:
    """int4 weights: the shapes and lanes of the int8 DSP kernels over the field rounded up to 8; in place only as a
    1x1 the DSP kernel runs."""
    n = p.k_h * p.k_w * p.in_c
    field = conv_field_s4(p)
    pointwise = (p.k_h, p.k_w, p.stride_h, p.stride_w, p.pad_top, p.pad_left) == (1, 1, 1, 1, 0, 0)
    if field > S4_CONV_FIELD or p.temp is not None and not (pointwise and n % 4 == 0) or p.out_h * p.out_w == 1:
        return None
    lanes = (4 if field <= CONV_QUAD_BYTES else 2) * field * 2
    code = CONV_CODE_BYTES + CONV_STEP_CODE_BYTES * min(field // 4, 16)
    if pointwise and n % 4 == 0:
        return Specialised("tg_conv_1x1_dsp_s4", "tg_conv_dsp.h", lanes, code)
    col = field if p.in_c % 4 else 0
    return Specialised("tg_conv_im2col_dsp_s4", "tg_conv_dsp.h", lanes + col, code + CONV_GATHER_CODE_BYTES)


def dw_quad_group(multiplier: int) -> int:
    """Output channels of one input channel that tg_depthwise_quad_dsp_s8 accumulates together (TG_DWQ_GROUP):
    at most four, so their accumulators, the shared input pair and a weight word stay in registers."""
    return next(g for g in (multiplier, 4, 3, 2, 1) if g <= 4 and multiplier % g == 0)


def _depthwise(p: DepthwiseParams, temp_bytes: int) -> Specialised | None:
    """Multiplier 1 over channels in fours: four channels a pass; any other shape not in place: quads of taps."""
    if p.depth_multiplier != 1 or p.in_c % 4:
        return None if temp_bytes else Specialised("tg_depthwise_quad_dsp_s8", "tg_depthwise_dsp.h", 0,
                                                   DW_QUAD_CODE_BYTES)
    taps = p.k_h * p.k_w
    return Specialised("tg_depthwise_dsp_s8", "tg_depthwise_dsp.h", 8 * taps if taps <= DW_LANE_TAPS else 0,
                       DW_CODE_BYTES)


def _depthwise_s4(p: DepthwiseParams) -> Specialised | None:
    """int4 weights: the DSP kernel's shape (multiplier 1, channels in fours) with each group's weights unpacked
    into lanes (up to DW_LANE_TAPS taps); other shapes keep the generic kernel."""
    taps = p.k_h * p.k_w
    if p.depth_multiplier != 1 or p.in_c % 4 or taps > DW_LANE_TAPS:
        return None
    return Specialised("tg_depthwise_dsp_s4", "tg_depthwise_dsp.h", 8 * taps, DW_CODE_BYTES)


def _depthwise_mve(p: DepthwiseParams, temp_bytes: int) -> Specialised | None:
    """Multiplier 1 over four or more channels: channel vectors (in place too, as the DSP kernel, when the planner
    gave it four channels' temporary: channels a multiple of 4); any other shape not in place: per-channel
    receptive fields of four pixels in tg_scratch. Other in-place layers keep the generic kernel."""
    if p.depth_multiplier == 1 and p.in_c >= 4 and not (temp_bytes and p.in_c % 4):
        return Specialised("tg_depthwise_mve_s8", "tg_depthwise_mve.h", 0, DW_MVE_CODE_BYTES)
    if temp_bytes:
        return None
    return Specialised("tg_depthwise_field_mve_s8", "tg_depthwise_mve.h", 4 * p.in_c * p.k_h * p.k_w + 16,
                       DW_FIELD_CODE_BYTES)


def _add(p: BinaryParams) -> Specialised | None:
    """ADD or SUB (input2's table negated) over channels both inputs hold densely, large enough for tables."""
    dense = p.strides1[3] == p.strides2[3] == p.out_strides[3] == 1
    if not dense or p.dims[0] * p.dims[1] * p.dims[2] * p.dims[3] < ADD_TABLE_ELEMENTS:
        return None
    return Specialised("tg_add_dsp_s8", "tg_binary_dsp.h", 0, ADD_CODE_BYTES)


def _pool(kernel: str, p: PoolParams) -> Specialised | None:
    """int8 pools over four or more channels (four a word); an average over at most POOL_AVERAGE_TAPS taps."""
    if p.channels < 4 or kernel == "tg_average_pool_s8" and p.filter_h * p.filter_w > POOL_AVERAGE_TAPS:
        return None
    return Specialised(kernel.replace("_s8", "_dsp_s8"), "tg_pool_dsp.h", 0, POOL_CODE_BYTES)


def _conv_s16(p: ConvS16Params) -> Specialised | None:
    """The 16x8 convolution: an unpadded 1x1 stride 1 reads its input pixel, any other shape gathers its
    receptive field (up to S16_CONV_FIELD values) into tg_scratch."""
    n = p.k_h * p.k_w * p.in_c
    pointwise = (p.k_h, p.k_w, p.stride_h, p.stride_w, p.pad_top, p.pad_left) == (1, 1, 1, 1, 0, 0)
    if not pointwise and n > S16_CONV_FIELD:
        return None
    return Specialised("tg_conv_dsp_s16", "tg_int16_dsp.h", 0 if pointwise else 2 * n, S16_CONV_CODE_BYTES)


def _fully_connected(p: FullyConnectedParams, mve: bool) -> Specialised | None:
    """Any units, depth and batch: the DSP kernel's weights are padded to blocks of FC_UNITS units and steps of
    four inputs (lower/specialise.py), its lanes to whole steps."""
    if mve:
        return Specialised("tg_fully_connected_mve_s8", "tg_fully_connected_mve.h", 0, FC_CODE_BYTES)
    return Specialised("tg_fully_connected_dsp_s8", "tg_fully_connected_dsp.h",
                       2 * -(-p.depth // 4) * 4 if p.depth <= FC_LANE_DEPTH else 0, FC_CODE_BYTES)


def _fully_connected_s4(p: FullyConnectedParams) -> Specialised | None:
    """int4 weights, any units and batch, depth up to S4_FC_DEPTH: the int8 kernel's blocks, lanes and padding,
    two units' weights a byte."""
    if p.depth > S4_FC_DEPTH:
        return None
    return Specialised("tg_fully_connected_dsp_s4", "tg_fully_connected_dsp.h",
                       2 * -(-p.depth // 4) * 4 if p.depth <= FC_LANE_DEPTH else 0, FC_CODE_BYTES)
