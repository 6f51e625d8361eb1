"""Index-map copy block: RESIZE_NEAREST_NEIGHBOR, MIRROR_PAD, BATCH_TO_SPACE_ND.

Both copy each output element from one input element whose index on every
axis depends only on the output index on that axis. Python computes the
per-axis source indices with TFLite Micro's formulas (float32 for the resize)
and stores them, times the axis's input stride, as one table in flash: the
kernel only adds up to five table entries per row and copies.
"""

from __future__ import annotations

from dataclasses import dataclass

from tinygen.kernels.block import ArenaPtr, ConstArray, ParamBlock, i32, i32s, ptr

MAX_DIMS = 5  # the loops in tg_remap_s8


@dataclass(frozen=True)
class RemapParams(ParamBlock):
    C_NAME = "tg_remap_params"
    C_DOC = ("RESIZE_NEAREST_NEIGHBOR, MIRROR_PAD, BATCH_TO_SPACE_ND: output[i0..i4] = input[sum over k of "
             "offsets_k[ik]], where offsets_k is the run of dims[k] entries after those of the axes before k.")

    input: ArenaPtr | ConstArray = ptr("const int8_t *", "the operand")
    output: ArenaPtr = ptr("int8_t *", "the result")
    offsets: ConstArray = ptr("const int32_t *", "per axis in turn, per output index: the source's byte offset")
    dims: tuple[int, ...] = i32s(MAX_DIMS, "output shape in bytes (last axis times the element's), leading 1s")


@dataclass(frozen=True)
class ResizeBilinearParams(ParamBlock):
    C_NAME = "tg_resize_bilinear_params"
    C_DOC = ("RESIZE_BILINEAR: per output row y, rows[3y..3y+2] = the element offsets of input rows y0 and y1 and "
             "y's weight on y1 in 1/1024ths (TFLite Micro's ResizeBilinearInteger); cols likewise per column.")

    input: ArenaPtr | ConstArray = ptr("const int8_t *", "the operand")
    output: ArenaPtr = ptr("int8_t *", "the result")
    rows: ConstArray = ptr("const int32_t *", "per output row: offset of y0, offset of y1, weight")
    cols: ConstArray = ptr("const int32_t *", "per output column: offset of x0, offset of x1, weight")
    batches: int = i32("images")
    out_h: int = i32("output rows")
    out_w: int = i32("output columns")
    depth: int = i32("channels")
    batch_stride: int = i32("elements per input image")
