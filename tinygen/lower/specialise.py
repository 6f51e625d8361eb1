"""The specialise stage: each layer a board's core runs faster moves to its specialised kernel.

The choice itself is tinygen/kernels/choice.py, from the layer's parameter
block. A kernel may want its weights in another order or shape, or constants of
its own (tinygen/lower/relayout.py; RELAYOUTS names which kernel takes which),
so lowering stays board-independent. Layers of a patch stage move too: every specialised kernel
computes the window its parameter block holds, which the patch loop sets per
patch. What this stage returns is what runs: `Firmware.code`, `check`'s
kernels and the rendered model.c (its patch loop included) all read it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from tinygen.boards import Board
from tinygen.kernels.block import ParamBlock
from tinygen.kernels.choice import choose
from tinygen.lower import relayout
from tinygen.lower.layer import Layer
from tinygen.lower.program import ModelCode

# specialised kernel -> the layout of its constants (kernels absent here read the lowered block as it is)
RELAYOUTS: dict[str, Callable[[Layer, ParamBlock], ParamBlock]] = {
    "tg_fully_connected_dsp_s8": relayout.dense_dsp_s8,
    "tg_fully_connected_dsp_s4": relayout.dense_dsp_s4,
    "tg_conv_1x1_dsp_s4": relayout.conv_dsp_s4,
    "tg_conv_im2col_dsp_s4": relayout.conv_dsp_s4,
    "tg_fully_connected_dsp_s16": relayout.dense_dsp_s16,
    "tg_conv_dsp_s16": relayout.conv_dsp_s16,
    "tg_conv_im2col_dsp_s8": relayout.conv_im2col_dsp_s8,
    "tg_depthwise_quad_dsp_s8": relayout.depthwise_quad_dsp_s8,
    "tg_add_dsp_s8": relayout.add_dsp_s8,
    "tg_depthwise_mve_s8": relayout.depthwise_mve_s8,
    "tg_depthwise_field_mve_s8": relayout.depthwise_field_mve_s8,
}


def specialise_layer(layer: Layer, board: Board) -> Layer:
    """`layer` on the board's fastest kernel for it (itself when the generic kernel stays)."""
    if not board.cpu.dsp:
        return layer
    choice = choose(layer.kernel, layer.params, board.cpu.mve, layer.temp_bytes)
    if choice is None:
        return layer
    layout = RELAYOUTS.get(choice.kernel)
    params = layout(layer, layer.params) if layout else layer.params
    return dataclasses.replace(layer, kernel=choice.kernel, header=choice.header, params=params,
                               scratch_bytes=choice.scratch_bytes, code_bytes=choice.code_bytes)


def specialise_layers(layers: tuple[Layer, ...], board: Board) -> tuple[Layer, ...]:
    """Every layer through `specialise_layer`."""
    return tuple(specialise_layer(layer, board) for layer in layers)


def specialise(model: ModelCode, board: Board) -> ModelCode:
    """`model` with each layer the board's core can run faster moved to its specialised kernel, in the patch
    loop as well as layer by layer."""
    layers = specialise_layers(model.layers, board)
    patch = model.patch.with_layers({layer.index: layer for layer in layers}) if model.patch else None
    return dataclasses.replace(model, layers=layers, patch=patch)
