"""The kernel model.c calls for each layer: a specialised one where the board's core and the layer's shape allow.

The generic kernels (templates/kernels/tg_<family>.c.j2) run every layer on every
core and read the layer's parameter block at run time. On cores with the DSP
extension (Cortex-M4, M7, M33 and M55 with DSP), a layer whose shape one of the
specialised kernels (templates/kernels/tg_<family>_dsp.h.j2) covers calls that
instead: it is always inlined into model.c with the layer's constant parameter
block, so the compiler builds a copy for that layer with every shape, zero point
and pointer folded in. Layers of a patch stage keep the generic kernels: their
windows change from patch to patch.
"""

from __future__ import annotations

from dataclasses import dataclass

from tinygen.boards import Board
from tinygen.codegen.layer import CLayer

CONV_DSP_BYTES = 128  # TG_CONV_DSP_BYTES in tg_conv_dsp.h.j2: receptive field bound (stack buffers)


@dataclass(frozen=True)
class KernelCall:
    function: str
    header: str | None = None  # the specialised kernel's header, None for a generic kernel


def _dsp_call(layer: CLayer) -> KernelCall | None:
    f = dict(layer.fields)
    if layer.kernel == "tg_depthwise_s8" and f["depth_multiplier"] == 1 and f["in_c"] % 4 == 0:
        return KernelCall("tg_depthwise_dsp_s8", "tg_depthwise_dsp.h")
    if layer.kernel == "tg_conv_s8":
        field = f["k_h"] * f["k_w"] * f["in_c"]
        if field % 4 or field > CONV_DSP_BYTES:
            return None
        pointwise = (f["k_h"], f["k_w"], f["stride_h"], f["stride_w"], f["pad_top"], f["pad_left"]) == (1, 1, 1, 1, 0, 0)
        if pointwise:
            return KernelCall("tg_conv_1x1_dsp_s8", "tg_conv_dsp.h")
        if str(f["temp"]) == "0":
            return KernelCall("tg_conv_im2col_dsp_s8", "tg_conv_dsp.h")
    return None


def kernel_calls(layers: tuple[CLayer, ...], board: Board, patch_ops: frozenset[int]) -> dict[int, KernelCall]:
    """Layer index -> the call model.c makes."""
    calls = {}
    for layer in layers:
        special = _dsp_call(layer) if board.cpu.dsp and layer.index not in patch_ops else None
        calls[layer.index] = special or KernelCall(layer.kernel)
    return calls
