"""What Python hands the templates for one layer: a kernel call and its constant parameter block.

Python computes every value (offsets, shapes, multipliers, folded biases);
the templates only place them. A field value is an int, a float, or the name
of a C symbol (an arena pointer expression or a constant array).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ConstArray:
    """A `const` array in flash, in the weights section."""

    symbol: str
    ctype: str  # int8_t, int32_t, int16_t, uint8_t
    values: np.ndarray

    @property
    def size_bytes(self) -> int:
        return int(self.values.size * self.values.dtype.itemsize)

    def __str__(self) -> str:
        return self.symbol


@dataclass(frozen=True)
class CSymbol:
    """A C expression placed verbatim (pointer into the arena, array name)."""

    expr: str

    def __str__(self) -> str:
        return self.expr


@dataclass(frozen=True)
class CLayer:
    index: int  # operator index in the graph
    opcode: str
    family: str  # kernel file: templates/kernels/tg_<family>.c.j2
    kernel: str  # C function
    params_type: str  # C struct
    fields: tuple[tuple[str, int | float | tuple | CSymbol | ConstArray], ...]
    arrays: tuple[ConstArray, ...]
    comment: str
    header: str | None = None  # a specialised kernel's header (always inlined into model.c), else None
    scratch_bytes: int = 0  # what a specialised kernel needs of tg_scratch (model.c)
    temp_bytes: int = 0  # the planned in-place temporary (0: not in place); specialised kernels may need more

    @property
    def symbol(self) -> str:
        return f"tg_layer{self.index}"
