"""Runtime (non-weight) flash and stack, estimated before any C is written.

`check` must answer in about a second, so it cannot compile. The figures are
deliberately generous upper estimates: startup, vector table and harness; then
each kernel family linked once; then each layer's constant parameter block and
call. Measured against real builds (`benchmarks/codegen.py`, -O2): kws is
estimated at 11,520 B and builds to 5,088-5,388 B of code; ad01 at 5,248 B
and builds to 1,908-2,172 B. `tinygen build` reports the real sizes.
"""

from __future__ import annotations

from tinygen.ir.graph import Graph
from tinygen.ir.opset import ALIAS_OPS

BASE_FLASH_BYTES = 3072
FAMILY_FLASH_BYTES = 1536
LAYER_FLASH_BYTES = 64
# Kernels keep no large locals; the harness and call chain need well under 1 KB.
STACK_BYTES = 1024


def runtime_flash_bytes(graph: Graph) -> int:
    families = {op.opcode for op in graph.operators if op.opcode not in ALIAS_OPS}
    layers = sum(op.opcode not in ALIAS_OPS for op in graph.operators)
    return BASE_FLASH_BYTES + FAMILY_FLASH_BYTES * len(families) + LAYER_FLASH_BYTES * layers
