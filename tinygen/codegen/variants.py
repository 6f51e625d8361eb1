"""Specialised kernels: the layers a board's core and the layer's shape let run faster than the generic kernel.

The generic kernels (templates/kernels/tg_<family>.c.j2) run every layer on every
core and read the layer's parameter block at run time. On cores with the DSP
extension (Cortex-M4, M7, M33 and M55 with DSP), a layer whose shape one of the
specialised kernels (templates/kernels/tg_<family>_dsp.h.j2) covers calls that
instead: it is always inlined into model.c with the layer's constant parameter
block, so the compiler builds a copy for that layer with every shape, zero point
and pointer folded in. A specialised kernel may want its weights in another
order (FULLY_CONNECTED interleaves four units); this stage re-lays them out, so
lowering stays board-independent. Layers of a patch stage keep the generic
kernels: their windows change from patch to patch.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from tinygen.boards import Board
from tinygen.codegen.layer import CLayer, ConstArray

CONV_DSP_BYTES = 128  # TG_CONV_DSP_BYTES in tg_conv_dsp.h.j2: receptive field bound (stack buffers)
FC_UNITS = 4  # tg_fully_connected_dsp.h.j2: units per pass, their weights interleaved four bytes at a time
FC_LANE_DEPTH = 640  # TG_FC_LANE_DEPTH: deepest input sign-extended once into stack lanes (2 bytes a value)


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


def _dsp_layer(layer: CLayer) -> CLayer | None:
    f = dict(layer.fields)
    if layer.kernel == "tg_depthwise_s8" and f["depth_multiplier"] == 1 and f["in_c"] % 4 == 0:
        return dataclasses.replace(layer, kernel="tg_depthwise_dsp_s8", header="tg_depthwise_dsp.h")
    if layer.kernel == "tg_conv_s8":
        field = f["k_h"] * f["k_w"] * f["in_c"]
        if field % 4 or field > CONV_DSP_BYTES:
            return None
        pointwise = (f["k_h"], f["k_w"], f["stride_h"], f["stride_w"], f["pad_top"], f["pad_left"]) == (1, 1, 1, 1, 0, 0)
        if pointwise:
            return dataclasses.replace(layer, kernel="tg_conv_1x1_dsp_s8", header="tg_conv_dsp.h")
        if str(f["temp"]) == "0":
            return dataclasses.replace(layer, kernel="tg_conv_im2col_dsp_s8", header="tg_conv_dsp.h")
    if layer.kernel == "tg_fully_connected_s8" and f["units"] % FC_UNITS == 0 and f["depth"] % 4 == 0:
        weights = f["weights"].values.reshape(f["units"], f["depth"])
        relaid = _with_weights(layer, interleave_units(weights, f["units"], f["depth"]))
        return dataclasses.replace(relaid, kernel="tg_fully_connected_dsp_s8", header="tg_fully_connected_dsp.h")
    return None


def specialise(model, board: Board):
    """`model` (a ModelCode) with each layer the board's core can run faster moved to its specialised kernel."""
    if not board.cpu.dsp:
        return model
    patch = model.patch.ops if model.patch else frozenset()
    layers = tuple(layer if layer.index in patch else _dsp_layer(layer) or layer for layer in model.layers)
    return dataclasses.replace(model, layers=layers)
