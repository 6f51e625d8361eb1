"""Index-map copy block: RESIZE_NEAREST_NEIGHBOR, MIRROR_PAD, BATCH_TO_SPACE_ND.

Both copy each output element from one input element whose index on every
axis depends only on the output index on that axis. Python computes the
per-axis source indices with TFLite Micro's formulas (float32 for the resize)
and stores them, times the axis's input stride, as one table in flash: the
kernel only adds up to five table entries per row and copies.
"""

from __future__ import annotations

from dataclasses import dataclass

from tinygen.kernels.block import ArenaPtr, ConstArray, ParamBlock, i32s, ptr

MAX_DIMS = 5  # the loops in tg_remap_s8


@dataclass(frozen=True)
class RemapParams(ParamBlock):
    C_NAME = "tg_remap_params"
    C_DOC = ("RESIZE_NEAREST_NEIGHBOR, MIRROR_PAD, BATCH_TO_SPACE_ND: output[i0..i4] = input[sum over k of "
             "offsets_k[ik]], where offsets_k is the run of dims[k] entries after those of the axes before k.")

    input: ArenaPtr | ConstArray = ptr("const int8_t *", "the operand")
    output: ArenaPtr = ptr("int8_t *", "the result")
    offsets: ConstArray = ptr("const int32_t *", "per axis in turn, per output index: the source's element offset")
    dims: tuple[int, ...] = i32s(MAX_DIMS, "output shape, padded with leading 1s")
