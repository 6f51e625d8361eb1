"""The GATHER_ND block: slices of an int8 tensor picked by int32 coordinate tuples, copied in index order."""

from __future__ import annotations

from dataclasses import dataclass

from tinygen.kernels.block import ArenaPtr, ConstArray, ParamBlock, i32, i32s, ptr

MAX_INDEX_DEPTH = 5  # gather_nd.cc's MAX_INDICES_ND


@dataclass(frozen=True)
class GatherNdParams(ParamBlock):
    C_NAME = "tg_gather_nd_params"
    C_DOC = ("GATHER_ND: slice i starts at sum over j of indices[i * depth + j] * strides[j] and is slice_size "
             "elements long. A start whose slice leaves the input (TFLite Micro fails the invocation) is clamped "
             "into it.")

    input: ArenaPtr | ConstArray = ptr("const int8_t *", "the operand")
    indices: ArenaPtr | ConstArray = ptr("const int32_t *", "slices x depth coordinates (arena or flash)")
    output: ArenaPtr = ptr("int8_t *", "slices x slice_size")
    slices: int = i32("coordinate tuples: the product of the indices' leading axes")
    depth: int = i32("coordinates per tuple: the indices' last axis")
    slice_size: int = i32("elements per slice: the product of the input axes past depth")
    input_size: int = i32("elements of the input")
    strides: tuple[int, ...] = i32s(MAX_INDEX_DEPTH, "input element step per coordinate (first depth used)")
