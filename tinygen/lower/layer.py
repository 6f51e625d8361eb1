"""One layer of the generated program: the kernel model.c calls and the parameter block it passes.

Python computes every value (offsets, shapes, multipliers, folded biases); the
templates only place them (tinygen/kernels/block.py renders the block).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tinygen.kernels.block import ConstArray, ParamBlock


@dataclass(frozen=True)
class Layer:
    index: int  # operator index in the graph
    opcode: str
    family: str  # the generic kernels' files: templates/kernels/tg_<family>.{h,c}.j2
    kernel: str  # the C function model.c calls
    params: ParamBlock
    comment: str
    header: str | None = None  # a specialised kernel's header (inlined into model.c), else None
    scratch_bytes: int = 0  # what a specialised kernel needs of tg_scratch (model.c)
    code_bytes: int = 0  # a specialised kernel's own inlined copy (estimate; generic kernels are shared)
    temp_bytes: int = 0  # the planned in-place temporary (0: not in place); specialised kernels may need more

    @property
    def symbol(self) -> str:
        return f"tg_layer{self.index}"

    @property
    def arrays(self) -> tuple[ConstArray, ...]:
        """The layer's constants in flash."""
        return self.params.arrays()


def scratch_bytes(layers: Iterable[Layer]) -> int:
    """tg_scratch: the most any specialised kernel needs (layers run one at a time; none: the compiler drops it)."""
    return max((layer.scratch_bytes for layer in layers), default=0)
