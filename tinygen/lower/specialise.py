"""Specialised kernels: the layers a board's core and the layer's shape let run faster than the generic kernel.

The generic kernels (templates/kernels/tg_<family>.c.j2) run every layer on every
core and read the layer's parameter block at run time. On cores with the DSP
extension (Cortex-M4, M7, M33 and M55 with DSP), a layer whose shape one of the
specialised kernels (templates/kernels/tg_<family>_dsp.h.j2) covers calls that
instead; on cores with Helium (MVE, Cortex-M55), convolutions and dense layers
take the vector kernels (tg_<family>_mve.h.j2) first. A specialised kernel is
always inlined into model.c with the layer's constant parameter
block, so the compiler builds a copy for that layer with every shape, zero point
and pointer folded in. The price is code: each such layer adds its own copy
(`code_bytes`, which `check` counts before anything is compiled).

Specialised kernels sign-extend their operands into 16-bit lanes once and reuse
them; the lanes live in one static buffer, tg_scratch, sized for the most any
layer needs (layers run one at a time) and counted by `check` as SRAM. A kernel
may want its weights in another order (FULLY_CONNECTED interleaves four units);
this stage re-lays them out, so lowering stays board-independent. Layers of a
patch stage keep the generic kernels: their windows change from patch to patch.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from tinygen.boards import Board
from tinygen.codegen.layer import CLayer, ConstArray
from tinygen.ir.geometry import conv_axes
from tinygen.ir.graph import Graph, Operator
from tinygen.plan.inplace import kernel_temp_bytes

CONV_DSP_BYTES = 128  # TG_CONV_DSP_BYTES (tg_conv_dsp.h.j2): the largest receptive field, in bytes
CONV_MVE_BYTES = 128  # TG_CONV_MVE_BYTES (tg_conv_mve.h.j2): the same for the Helium kernels
DW_LANE_TAPS = 25  # TG_DW_LANE_TAPS (tg_depthwise_dsp.h.j2): filters whose weights get lanes
FC_UNITS = 4  # tg_fully_connected_dsp.h.j2: units per pass, their weights interleaved four bytes at a time
FC_LANE_DEPTH = 640  # TG_FC_LANE_DEPTH: the deepest input given lanes (MLPerf Tiny's deepest dense input)

# Generous per-layer code of a specialised copy (measured on the shared models at -O2, Cortex-M4: 3x3
# depthwise up to 2.2 kB, 1x1 and im2col convolutions 0.7-1.7 kB, dense layers about 0.7 kB).
DW_CODE_BYTES = 2560
CONV_CODE_BYTES = 896  # plus CONV_STEP_CODE_BYTES per unrolled step of four values (up to 16)
CONV_STEP_CODE_BYTES = 64
FC_CODE_BYTES = 1024


@dataclass(frozen=True)
class Specialised:
    kernel: str  # the always-inlined C function
    header: str  # where it lives (templates/kernels/<header>.j2)
    scratch_bytes: int  # what it needs of tg_scratch
    code_bytes: int  # a generous estimate of its inlined copy


def choose(generic: str, f: Mapping[str, int], mve: bool = False, temp_bytes: int = 0) -> Specialised | None:
    """The specialised kernel for a layer on a DSP core (with Helium if `mve`), from its generic kernel and
    its shape fields (the names of its C parameter block), or None when the generic kernel stays.
    `temp_bytes`: the layer's planned in-place temporary (0: not in place). The specialised in-place paths
    need the wider one the planner gives when told the board runs them (plan/inplace.py); a layer planned
    with a narrower one keeps the generic kernel."""
    if temp_bytes:
        opcode = "DEPTHWISE_CONV_2D" if generic.startswith("tg_depthwise") else "CONV_2D"
        if temp_bytes < kernel_temp_bytes(opcode, f["in_c"], f["out_h"], f["out_w"], f["out_c"], dsp_kernels=True):
            return None
    if generic == "tg_conv_s8":
        return _conv(f, mve)
    if generic == "tg_depthwise_s8" and f["depth_multiplier"] == 1 and f["in_c"] % 4 == 0:
        taps = f["k_h"] * f["k_w"]
        return Specialised("tg_depthwise_dsp_s8", "tg_depthwise_dsp.h", 8 * taps if taps <= DW_LANE_TAPS else 0,
                           DW_CODE_BYTES)
    if generic == "tg_fully_connected_s8" and mve:
        return Specialised("tg_fully_connected_mve_s8", "tg_fully_connected_mve.h", 0, FC_CODE_BYTES)
    if generic == "tg_fully_connected_s8" and f["units"] % FC_UNITS == 0 and f["depth"] % 4 == 0:
        return Specialised("tg_fully_connected_dsp_s8", "tg_fully_connected_dsp.h",
                           2 * f["depth"] if f["depth"] <= FC_LANE_DEPTH else 0, FC_CODE_BYTES)
    return None


def _conv(f: Mapping[str, int], mve: bool) -> Specialised | None:
    """A 1x1 (stride 1, unpadded) or im2col convolution over a receptive field of n bytes."""
    n = f["k_h"] * f["k_w"] * f["in_c"]
    pointwise = (f["k_h"], f["k_w"], f["stride_h"], f["stride_w"], f["pad_top"], f["pad_left"]) == (1, 1, 1, 1, 0, 0)
    shape = "1x1" if pointwise else "im2col"
    if mve and n <= CONV_MVE_BYTES:  # im2col gathers four receptive fields
        return Specialised(f"tg_conv_{shape}_mve_s8", "tg_conv_mve.h", 0 if pointwise else 4 * n, CONV_CODE_BYTES)
    if n % 4 or n > CONV_DSP_BYTES:
        return None
    lanes = (4 if n <= CONV_DSP_BYTES // 2 else 2) * n * 2  # TG_CONV_BLOCK pixels, 2 bytes a value
    code = CONV_CODE_BYTES + CONV_STEP_CODE_BYTES * min(n // 4, 16)
    return Specialised(f"tg_conv_{shape}_dsp_s8", "tg_conv_dsp.h", lanes if pointwise else lanes + n, code)


def op_choice(graph: Graph, op: Operator, board: Board, temp_bytes: int = 0) -> Specialised | None:
    """`choose` for an operator of the graph, before lowering (what `check` estimates from)."""
    if not board.cpu.dsp or op.opcode not in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"):
        return None
    x, w = graph.tensor(op.inputs[0]), graph.tensor(op.inputs[1])
    if w.dtype != "int8":
        return None
    if op.opcode == "FULLY_CONNECTED":
        units, depth = w.shape
        return choose("tg_fully_connected_s8", {"units": units, "depth": depth}, board.cpu.mve)
    h, wd = conv_axes(graph, op)
    _, out_h, out_w, out_c = graph.tensor(op.outputs[0]).shape
    fields = {"k_h": h.kernel, "k_w": wd.kernel, "in_c": x.shape[3], "stride_h": h.stride, "stride_w": wd.stride,
              "pad_top": h.pad, "pad_left": wd.pad, "out_h": out_h, "out_w": out_w, "out_c": out_c}
    if op.opcode == "DEPTHWISE_CONV_2D":
        return choose("tg_depthwise_s8", {**fields, "depth_multiplier": op.attrs.depth_multiplier}, board.cpu.mve,
                      temp_bytes)
    return choose("tg_conv_s8", fields, board.cpu.mve, temp_bytes)


def interleave_units(weights: np.ndarray, units: int, depth: int) -> np.ndarray:
    """[units][depth] -> per block of FC_UNITS units, per 4 inputs, each unit's 4 weights: one LDM a step."""
    blocks = weights.reshape(units // FC_UNITS, FC_UNITS, depth // 4, 4)
    return np.ascontiguousarray(blocks.transpose(0, 2, 1, 3)).reshape(-1)


def _with_weights(layer: CLayer, values: np.ndarray) -> CLayer:
    """`layer` with its weights array holding `values` (same symbol, type and size)."""
    old = dict(layer.fields)["weights"]
    new = ConstArray(old.symbol, old.ctype, values)
    return dataclasses.replace(
        layer,
        arrays=tuple(new if a is old else a for a in layer.arrays),
        fields=tuple((name, new if value is old else value) for name, value in layer.fields),
    )


def _specialised(layer: CLayer, mve: bool) -> CLayer:
    f = dict(layer.fields)
    choice = choose(layer.kernel, f, mve, layer.temp_bytes)
    if choice is None:
        return layer
    if choice.kernel == "tg_fully_connected_dsp_s8":
        weights = f["weights"].values.reshape(f["units"], f["depth"])
        layer = _with_weights(layer, interleave_units(weights, f["units"], f["depth"]))
    return dataclasses.replace(layer, kernel=choice.kernel, header=choice.header, scratch_bytes=choice.scratch_bytes)


def specialise(model, board: Board):
    """`model` (a ModelCode) with each layer the board's core can run faster moved to its specialised kernel."""
    if not board.cpu.dsp:
        return model
    patch = model.patch.ops if model.patch else frozenset()
    return dataclasses.replace(
        model, layers=tuple(layer if layer.index in patch else _specialised(layer, board.cpu.mve)
                            for layer in model.layers))
