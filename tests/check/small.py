"""A small CNN built by hand and a board file written by the test, whose fit figures can be worked out on paper.

    input 1x8x8x2 -> CONV_2D 3x3 SAME, 4 filters (per-channel scales, bias) -> 1x8x8x4
      -> DEPTHWISE_CONV_2D 3x3 SAME, multiplier 1 (per-channel scales, no bias) -> 1x8x8x4
      -> RESHAPE -> 1x256 -> FULLY_CONNECTED, 10 units (per-tensor scale, bias) -> 1x10 -> SOFTMAX -> 1x10
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tinygen.boards import Board, load_board
from tinygen.ir.attrs import Conv2DAttrs, DepthwiseConv2DAttrs, FullyConnectedAttrs, NoAttrs, SoftmaxAttrs
from tinygen.ir.graph import Graph, Operator, Quant, Tensor


def _activation(index: int, name: str, shape: tuple[int, ...]) -> Tensor:
    return Tensor(index, name, shape, "int8", Quant((0.05,), (-3,)))


def _constant(index: int, name: str, values: np.ndarray, dtype: str, scales: int = 1) -> Tensor:
    quant = Quant(tuple(0.01 + 0.001 * k for k in range(scales)), (0,) * scales)
    return Tensor(index, name, values.shape, dtype, quant, values)


def small_cnn(filter_dtype: str = "int8", dense_scales: int = 1, dense_bias: bool = True,
              extra: tuple[str, ...] = ()) -> Graph:
    """The CNN above; `filter_dtype` "int4" stores the convolution's filter in int4, `dense_scales` gives the dense
    layer per-channel scales, `extra` appends operators (opcodes tinygen may lack) before the softmax."""
    rng = np.random.default_rng(0)
    limit = 7 if filter_dtype == "int4" else 127
    t = [
        _activation(0, "input", (1, 8, 8, 2)),
        _constant(1, "conv/filter", rng.integers(-limit, limit + 1, (4, 3, 3, 2)).astype(np.int8), filter_dtype, 4),
        _constant(2, "conv/bias", rng.integers(-99, 99, 4).astype(np.int32), "int32", 4),
        _activation(3, "conv", (1, 8, 8, 4)),
        _constant(4, "dw/filter", rng.integers(-127, 128, (1, 3, 3, 4)).astype(np.int8), "int8", 4),
        _activation(5, "dw", (1, 8, 8, 4)),
        _constant(6, "flat/shape", np.array([1, 256], np.int32), "int32"),
        _activation(7, "flat", (1, 256)),
        _constant(8, "dense/weights", rng.integers(-127, 128, (10, 256)).astype(np.int8), "int8", dense_scales),
        _constant(9, "dense/bias", rng.integers(-99, 99, 10).astype(np.int32), "int32", dense_scales),
        _activation(10, "dense", (1, 10)),
    ]
    ops = [
        Operator(0, "CONV_2D", (0, 1, 2), (3,), Conv2DAttrs("SAME", 1, 1)),
        Operator(1, "DEPTHWISE_CONV_2D", (3, 4, -1), (5,), DepthwiseConv2DAttrs("SAME", 1, 1)),
        Operator(2, "RESHAPE", (5, 6), (7,), NoAttrs()),
        Operator(3, "FULLY_CONNECTED", (7, 8, 9 if dense_bias else -1), (10,), FullyConnectedAttrs()),
    ]
    last = 10
    for opcode in extra:
        t.append(_activation(len(t), opcode.lower(), (1, 10)))
        ops.append(Operator(len(ops), opcode, (last,), (len(t) - 1,), NoAttrs()))
        last = len(t) - 1
    t.append(Tensor(len(t), "probs", (1, 10), "int8", Quant((1 / 256,), (-128,))))
    ops.append(Operator(len(ops), "SOFTMAX", (last,), (len(t) - 1,), SoftmaxAttrs()))
    return Graph("small_cnn", tuple(t), tuple(ops), (0,), (len(t) - 1,))


def board_file(directory: Path, sram_bytes: int, flash_bytes: int = 1 << 20, core: str = "cortex-m3") -> Board:
    """A board named "paper" with one flash region (code and weights) and one SRAM region (arena and stack), a
    2 KiB stack and the default 16-byte alignment."""
    path = directory / f"paper-{core}-{sram_bytes}.toml"
    path.write_text(f"""\
schema_version = 1
name = "paper"
description = "A board for figures worked out by hand"
stack_bytes = 0x800

[cpu]
core = "{core}"
fpu = "none"
dsp = {"true" if core != "cortex-m3" else "false"}
clock_hz = 16_000_000

[[memory]]
name = "flash"
kind = "flash"
origin = 0x08000000
length = {flash_bytes:#x}

[[memory]]
name = "sram"
kind = "ram"
origin = 0x20000000
length = {sram_bytes:#x}

[placement]
code = "flash"
weights = "flash"
arena = "sram"
stack = "sram"
""")
    return load_board(str(path))
