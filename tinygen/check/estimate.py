"""Runtime (non-weight) flash, stack and kernel scratch, estimated before any C is written.

`check` must answer in about a second, so it cannot compile. The figures are
deliberately generous upper estimates: startup, vector table and harness; then
each kernel family linked once; then each layer's constant parameter block and
call; then, on cores with the DSP extension, each specialised layer's own copy
of its kernel (tinygen/kernels/choice.py). Measured against real builds at -O2
(estimate / built code, bytes; tests/lower/test_specialise.py keeps the bound):
  Cortex-M3 (portable): kws 12,288 / 9,164; ad01 5,888 / 2,188;
                        MobileNetV2-0.35 20,608 / 18,884; VWW 19,072 / 16,500
  Cortex-M4 (DSP):      kws 32,768 / 23,632; ad01 16,128 / 9,268;
                        MobileNetV2-0.35 90,240 / 81,316; VWW 77,056 / 59,156
`tinygen build` reports the real sizes. The kernel scratch (SRAM beside the
arena) is not estimated: it is exact (tinygen.lower.layer.scratch_bytes).
"""

from __future__ import annotations

from collections.abc import Sequence

from tinygen.ir.graph import Graph
from tinygen.ir.opset import ALIAS_OPS
from tinygen.lower.layer import Layer

BASE_FLASH_BYTES = 3072
FAMILY_FLASH_BYTES = 1536
LAYER_FLASH_BYTES = 128
# Kernels keep no large locals; the harness and call chain need well under 1 KB.
STACK_BYTES = 1024


def runtime_flash_bytes(graph: Graph, layers: Sequence[Layer] = ()) -> int:
    """Every operator's family and call (those tinygen cannot generate too, so a model that gains kernels
    does not suddenly grow), plus the specialised layers' own copies (from the specialise stage)."""
    families = {op.opcode for op in graph.operators if op.opcode not in ALIAS_OPS}
    calls = sum(op.opcode not in ALIAS_OPS for op in graph.operators)
    own_copies = sum(layer.code_bytes for layer in layers)
    return BASE_FLASH_BYTES + FAMILY_FLASH_BYTES * len(families) + LAYER_FLASH_BYTES * calls + own_copies

