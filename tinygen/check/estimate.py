"""Runtime (non-weight) flash and stack, estimated before any C is written.

`check` must answer in about a second, so it cannot compile. The figures are
upper estimates taken from tinygen's own Cortex-M builds (`tinygen build`
reports the real sizes from the ELF; `benchmarks/codegen.py` compares them):
startup, vector table and harness; then each kernel family linked once; then
each layer's constant parameter block and call.
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
