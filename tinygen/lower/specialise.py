"""The specialise stage: each layer a board's core runs faster moves to its specialised kernel.

The choice itself is tinygen/kernels/choice.py, from the layer's parameter
block. A kernel may want its weights in another order (the DSP dense kernel
interleaves four units) or shape (the DSP im2col convolution pads each filter
to whole words); this stage re-lays them out, so lowering stays
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
from tinygen.kernels.choice import FC_UNITS, choose, conv_field, dw_quad_group
from tinygen.kernels.conv import ConvParams, DepthwiseParams
from tinygen.kernels.fully_connected import FullyConnectedParams
from tinygen.kernels.int16 import ConvS16Params, FullyConnectedS16Params
from tinygen.lower.layer import Layer
from tinygen.lower.program import ModelCode


def interleave_units(weights: np.ndarray, units: int, depth: int) -> np.ndarray:
    """[units][depth] -> per block of FC_UNITS units, per 4 inputs, each unit's 4 weights: one LDM a step."""
    blocks = weights.reshape(units // FC_UNITS, FC_UNITS, depth // 4, 4)
    return np.ascontiguousarray(blocks.transpose(0, 2, 1, 3)).reshape(-1)


def pad_filters(weights: np.ndarray, field: int) -> np.ndarray:
    """[out_c][n] -> [out_c][field], each filter ending in zero weights: whole words for the DSP GEMM."""
    return np.ascontiguousarray(np.pad(weights, ((0, 0), (0, field - weights.shape[1])))).reshape(-1)


def quad_weights(weights: np.ndarray, k_h: int, k_w: int, out_c: int, group: int) -> np.ndarray:
    """int8 [k_h][k_w][out_c] -> [out_c / group][k_h][ceil(k_w / 4)][group] pairs of words, zeros past the last
    filter column: per group of channels, per filter row, per four columns, each channel's 4 weights as the
    16-bit lanes SXTB16 makes of an input word (columns 0 and 2, then 1 and 3), as little-endian bytes."""
    quads = -(-k_w // 4)
    padded = np.zeros((k_h, quads * 4, out_c), dtype=np.int16)
    padded[:, :k_w] = weights.reshape(k_h, k_w, out_c)
    blocks = padded.reshape(k_h, quads, 4, out_c // group, group)[:, :, [0, 2, 1, 3]]
    lanes = np.ascontiguousarray(blocks.transpose(3, 0, 1, 4, 2)).astype("<i2")
    return lanes.reshape(-1).view(np.int8)


def reorder_fours_s16(weights: np.ndarray) -> np.ndarray:
    """int8 [rows][n] -> each row's weights in fours in the order 0, 2, 1, 3 (SXTB16's lanes then meet two int16
    input words), its last n % 4 as they are: tg_int16_dsp.h's tg_dot2_s16."""
    rows, n = weights.shape
    n4 = n // 4 * 4
    body = weights[:, :n4].reshape(rows, n4 // 4, 4)[..., [0, 2, 1, 3]].reshape(rows, n4)
    return np.ascontiguousarray(np.concatenate([body, weights[:, n4:]], axis=1)).reshape(-1)


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
    if choice.kernel == "tg_fully_connected_dsp_s16" and isinstance(params, FullyConnectedS16Params):
        reordered = reorder_fours_s16(params.weights.values.reshape(params.units, params.depth))
        params = dataclasses.replace(params, weights=ConstArray(params.weights.symbol, reordered))
    if choice.kernel == "tg_conv_dsp_s16" and isinstance(params, ConvS16Params):
        reordered = reorder_fours_s16(params.weights.values.reshape(params.out_c, -1))
        params = dataclasses.replace(params, weights=ConstArray(params.weights.symbol, reordered))
    if choice.kernel == "tg_conv_im2col_dsp_s8" and isinstance(params, ConvParams):
        weights = params.weights.values.reshape(params.out_c, -1)
        padded = pad_filters(weights, conv_field(params))
        params = dataclasses.replace(params, weights=ConstArray(params.weights.symbol, padded))
    elif choice.kernel == "tg_depthwise_quad_dsp_s8" and isinstance(params, DepthwiseParams):
        quads = quad_weights(params.weights.values, params.k_h, params.k_w, params.out_c,
                             dw_quad_group(params.depth_multiplier))
        params = dataclasses.replace(params, weights=ConstArray(params.weights.symbol, quads))
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
