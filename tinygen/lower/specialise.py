"""The specialise stage: each layer a board's core runs faster moves to its specialised kernel.

The choice itself is tinygen/kernels/choice.py, from the layer's parameter
block. A kernel may want its weights in another order (the DSP dense kernel
interleaves four units); this stage re-lays them out, so lowering stays
board-independent. Layers of a patch stage move too: every specialised kernel
computes the window its parameter block holds, which the patch loop sets per
patch. What this stage returns is what runs: `Firmware.code`, `check`'s
kernels and the rendered model.c (its patch loop included) all read it.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from tinygen.boards import Board
from tinygen.kernels.block import ConstArray
from tinygen.kernels.choice import FC_UNITS, choose
from tinygen.kernels.fully_connected import FullyConnectedParams
from tinygen.lower.layer import Layer
from tinygen.lower.program import ModelCode


def interleave_units(weights: np.ndarray, units: int, depth: int) -> np.ndarray:
    """[units][depth] -> per block of FC_UNITS units, per 4 inputs, each unit's 4 weights: one LDM a step."""
    blocks = weights.reshape(units // FC_UNITS, FC_UNITS, depth // 4, 4)
    return np.ascontiguousarray(blocks.transpose(0, 2, 1, 3)).reshape(-1)


def specialise_layer(layer: Layer, board: Board) -> Layer:
    """`layer` on the board's fastest kernel for it (itself when the generic kernel stays)."""
    if not board.cpu.dsp:
        return layer
    choice = choose(layer.kernel, layer.params, board.cpu.mve, layer.temp_bytes)
    if choice is None:
        return layer
    params = layer.params
    if choice.kernel == "tg_fully_connected_dsp_s8" and isinstance(params, FullyConnectedParams):
        weights = params.weights.values.reshape(params.units, params.depth)
        interleaved = ConstArray(params.weights.symbol, interleave_units(weights, params.units, params.depth))
        params = dataclasses.replace(params, weights=interleaved)
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
