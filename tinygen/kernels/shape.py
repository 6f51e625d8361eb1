"""Data-movement blocks: CONCATENATION and PACK, SPLIT/SPLIT_V/UNPACK, one strided copy (STRIDED_SLICE, SLICE,
TRANSPOSE, SPACE_TO_DEPTH, DEPTH_TO_SPACE), PAD, GATHER.

TFLite Micro applies no quantisation arithmetic in these ops. Shapes are
padded to MAX_DIMS with leading size-1 axes. The int16 blocks (PAD, the
strided copy) are the int8 ones with int16 pointers; the blocks counted in
bytes (CONCATENATION, SPLIT) serve int16 as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

from tinygen.kernels.block import ArenaPtr, ConstArray, Offset, ParamBlock, PointerList, i32, i32s, ptr

MAX_DIMS = 5  # TG_SHAPE_MAX_DIMS; TFLite Micro's limit for PAD and TRANSPOSE


@dataclass(frozen=True)
class ConcatenationParams(ParamBlock):
    C_NAME = "tg_concatenation_params"
    C_DOC = "CONCATENATION, PACK: for each of outer_size blocks, input i contributes sizes[i] contiguous bytes."

    inputs: PointerList = ptr("const int8_t *const *","each input's first byte (arena or flash)")
    sizes: ConstArray = ptr("const int32_t *", "bytes per block, per input")
    output: ArenaPtr = ptr("int8_t *","the result")
    num_inputs: int = i32("entries in inputs and sizes")
    outer_size: int = i32("blocks along the axes before the concatenation axis")


@dataclass(frozen=True)
class SplitParams(ParamBlock):
    C_NAME = "tg_split_params"
    C_DOC = "SPLIT, SPLIT_V, UNPACK: for each of outer_size blocks, output i takes the next sizes[i] bytes."

    input: ArenaPtr | ConstArray = ptr("const int8_t *", "the operand")
    outputs: PointerList = ptr("int8_t *const *", "each output's first byte")
    sizes: ConstArray = ptr("const int32_t *", "bytes per block, per output")
    num_outputs: int = i32("entries in outputs and sizes")
    outer_size: int = i32("blocks along the axes before the split axis")


@dataclass(frozen=True)
class StridedCopyParams(ParamBlock):
    C_NAME = "tg_strided_copy_params"
    C_DOC = ("STRIDED_SLICE, SLICE, TRANSPOSE, SPACE_TO_DEPTH, DEPTH_TO_SPACE: output elements in order; output "
             "axis k steps the input by strides[k] elements (negative for reversed slices). `input` already "
             "points at the first element read.")

    input: ArenaPtr | ConstArray | Offset = ptr("const int8_t *","the operand")
    output: ArenaPtr = ptr("int8_t *","the result")
    dims: tuple[int, ...] = i32s(MAX_DIMS, "output shape, padded with leading 1s")
    strides: tuple[int, ...] = i32s(MAX_DIMS, "input element step per output axis")


@dataclass(frozen=True)
class StridedCopyS16Params(StridedCopyParams):
    C_NAME = "tg_strided_copy_s16_params"
    C_DOC = "tg_strided_copy_params for int16 elements (STRIDED_SLICE)."

    input: ArenaPtr | ConstArray | Offset = ptr("const int16_t *", "the operand")
    output: ArenaPtr = ptr("int16_t *", "the result")


@dataclass(frozen=True)
class PadParams(ParamBlock):
    C_NAME = "tg_pad_params"
    C_DOC = "PAD: the input placed at offset `before` in each axis, the rest filled with pad_value."

    input: ArenaPtr | ConstArray = ptr("const int8_t *","the operand")
    output: ArenaPtr = ptr("int8_t *","the result")
    in_dims: tuple[int, ...] = i32s(MAX_DIMS, "input shape, padded with leading 1s")
    out_dims: tuple[int, ...] = i32s(MAX_DIMS, "output shape, padded with leading 1s")
    before: tuple[int, ...] = i32s(MAX_DIMS, "padding before the input, per axis")
    pad_value: int = i32("the fill: the output zero point")


@dataclass(frozen=True)
class PadS16Params(PadParams):
    C_NAME = "tg_pad_s16_params"
    C_DOC = "tg_pad_params for int16 elements."

    input: ArenaPtr | ConstArray = ptr("const int16_t *", "the operand")
    output: ArenaPtr = ptr("int16_t *", "the result")
    pad_value: int = i32("the fill: 0, as TFLite Micro's int16 PAD (not the zero point)")


@dataclass(frozen=True)
class GatherParams(ParamBlock):
    C_NAME = "tg_gather_params"
    C_DOC = ("GATHER: for each batch and outer block, the inner_size-byte rows the batch's indices pick along an "
             "axis of axis_size rows; an index outside 0..axis_size-1 is clamped into it (TFLite Micro leaves it "
             "undefined).")

    input: ArenaPtr | ConstArray = ptr("const int8_t *", "the operand")
    indices: ArenaPtr | ConstArray = ptr("const int32_t *", "batches x coords indices (arena or flash)")
    output: ArenaPtr = ptr("int8_t *", "the result")
    batches: int = i32("product of the batch_dims leading axes")
    outer_size: int = i32("product of the axes between the batch axes and the gather axis")
    axis_size: int = i32("rows along the gather axis")
    coords: int = i32("indices per batch")
    inner_size: int = i32("bytes per row: product of the axes after the gather axis")


@dataclass(frozen=True)
class SpaceToBatchParams(ParamBlock):
    C_NAME = "tg_space_to_batch_params"
    C_DOC = ("SPACE_TO_BATCH_ND: output batch (sh * block_w + sw) * in_dims[0] + b, pixel (oh, ow) is input pixel "
             "(b, oh * block_h + sh - pad_top, ow * block_w + sw - pad_left), or pad_value where that is outside.")

    input: ArenaPtr | ConstArray = ptr("const int8_t *", "the operand")
    output: ArenaPtr = ptr("int8_t *", "the result")
    in_dims: tuple[int, ...] = i32s(4, "input batches, height, width, channels (a 3-D input has width 1)")
    out_dims: tuple[int, ...] = i32s(3, "output batches, height, width")
    block_h: int = i32("block height")
    block_w: int = i32("block width (1 for a 3-D input)")
    pad_top: int = i32("rows of padding above the input")
    pad_left: int = i32("columns of padding left of the input (0 for a 3-D input)")
    pad_value: int = i32("the fill")


@dataclass(frozen=True)
class UpdateSliceParams(ParamBlock):
    C_NAME = "tg_update_slice_params"
    C_DOC = ("DYNAMIC_UPDATE_SLICE: the operand copied, then the update written at start indices clamped to "
             "0..dims-update_dims per axis (TFLite Micro's CalculateClampedStartIndices).")

    operand: ArenaPtr | ConstArray = ptr("const int8_t *", "the tensor updated")
    update: ArenaPtr | ConstArray = ptr("const int8_t *", "the slice written into it")
    indices: ArenaPtr | ConstArray = ptr("const int32_t *", "one start index per axis of the operand")
    output: ArenaPtr = ptr("int8_t *", "the result")
    dims: tuple[int, ...] = i32s(MAX_DIMS, "operand shape, padded with leading 1s")
    update_dims: tuple[int, ...] = i32s(MAX_DIMS, "update shape, padded with leading 1s")
    lead: int = i32("leading axes added by the padding, which have no index")


@dataclass(frozen=True)
class UpdateSliceS16Params(UpdateSliceParams):
    C_NAME = "tg_update_slice_s16_params"
    C_DOC = "tg_update_slice_params for int16 elements."

    operand: ArenaPtr | ConstArray = ptr("const int16_t *", "the tensor updated")
    update: ArenaPtr | ConstArray = ptr("const int16_t *", "the slice written into it")
    output: ArenaPtr = ptr("int16_t *", "the result")
