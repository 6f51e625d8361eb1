"""The CAST block: TFLite Micro's static_cast between bool, int8, int16, int32 and float32, element by element."""

from __future__ import annotations

from dataclasses import dataclass

from tinygen.kernels.block import ArenaPtr, ParamBlock, i32, ptr


@dataclass(frozen=True)
class CastParams(ParamBlock):
    C_NAME = "tg_cast_params"
    C_DOC = ("A C conversion per element. Tensors live in the arena as bytes, read and written with memcpy; a "
             "bool is a byte holding 0 or 1, read as an int8.")

    input: ArenaPtr = ptr("const int8_t *", "the operand")
    output: ArenaPtr = ptr("int8_t *", "the result")
    size: int = i32("elements")
    input_bytes: int = i32("bytes per input element: 1, 2 or 4")
    input_float: int = i32("1: the input is float32")
    output_bytes: int = i32("bytes per output element: 1, 2 or 4")
    output_float: int = i32("1: the output is float32")
