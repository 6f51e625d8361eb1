"""The specialise stage: each layer a board's core runs faster moves to its specialised kernel.

The choice itself is tinygen/kernels/choice.py, from the layer's parameter
block. A kernel may want its weights in another order (the DSP dense kernel
interleaves four units, the Helium depthwise kernels group channels in fours or want
[out_c][k_h*k_w])
or shape (the DSP im2col convolution pads each filter to whole words); this stage re-lays them out, so lowering stays
board-independent. Layers of a patch stage move too: every specialised kernel
computes the window its parameter block holds, which the patch loop sets per
patch. What this stage returns is what runs: `Firmware.code`, `check`'s
kernels and the rendered model.c (its patch loop included) all read it.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from tinygen.boards import Board
from tinygen.ir.packing import unpack_int4
from tinygen.kernels.binary import BinaryParams
from tinygen.kernels.block import ConstArray
from tinygen.kernels.choice import FC_UNITS, choose, conv_field, conv_field_s4, dw_quad_group
from tinygen.kernels.conv import ConvParams, DepthwiseParams
from tinygen.kernels.fully_connected import FullyConnectedParams
from tinygen.kernels.int16 import ConvS16Params, FullyConnectedS16Params
from tinygen.lower.binary import LEFT_SHIFT
from tinygen.lower.layer import Layer
from tinygen.lower.program import ModelCode
from tinygen.numerics.fixedpoint import multiply_by_quantized_multiplier


def interleave_units(weights: np.ndarray, units: int, depth: int) -> np.ndarray:
    """[units][depth] -> per block of FC_UNITS units, per 4 inputs, each unit's 4 weights: one LDM a step. Units
    and depth are padded with zero weights to whole blocks and steps (the kernel stores only real units)."""
    padded = np.zeros((-(-units // FC_UNITS) * FC_UNITS, -(-depth // 4) * 4), dtype=weights.dtype)
    padded[:units, :depth] = weights
    blocks = padded.reshape(padded.shape[0] // FC_UNITS, FC_UNITS, padded.shape[1] // 4, 4)
    return np.ascontiguousarray(blocks.transpose(0, 2, 1, 3)).reshape(-1)


def pad_units(array: ConstArray, units: int) -> ConstArray:
    """A per-unit array (bias, per-channel multiplier or shift) padded with zeros to whole blocks of FC_UNITS."""
    return ConstArray(array.symbol, np.pad(array.values, (0, -(-units // FC_UNITS) * FC_UNITS - units)))


def pad_unit_arrays(params: FullyConnectedParams) -> FullyConnectedParams:
    """The dense DSP kernels' bias (and per-unit requantisation) padded to whole blocks of FC_UNITS units."""
    params = dataclasses.replace(params, bias=pad_units(params.bias, params.units))
    if params.per_channel:
        params = dataclasses.replace(params, multiplier=pad_units(params.multiplier, params.units),
                                     shift=pad_units(params.shift, params.units))
    return params


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


def rescale_table(offset: int, multiplier: int, shift: int, sign: int = 1) -> np.ndarray:
    """What ADD's and SUB's kernel computes of each int8 input value v (at v + 128): (v + offset) << LEFT_SHIFT
    rescaled by (multiplier, shift), times `sign` (-1 for SUB's input2, so the kernel only adds)."""
    values = (np.arange(-128, 128, dtype=np.int64) + offset) << LEFT_SHIFT
    return (sign * multiply_by_quantized_multiplier(values, multiplier, shift)).astype(np.int32)


def channel_groups(weights: np.ndarray, taps: int, channels: int) -> np.ndarray:
    """int8 [taps][channels] -> [ceil(channels / 4)][taps][4], zeros past the last channel: each group of four
    channels' weights for one tap one word, a group's taps one after another."""
    groups = -(-channels // 4)
    padded = np.zeros((taps, groups * 4), dtype=np.int8)
    padded[:, :channels] = weights.reshape(taps, channels)
    return np.ascontiguousarray(padded.reshape(taps, groups, 4).transpose(1, 0, 2)).reshape(-1)


def reorder_fours_s16(weights: np.ndarray) -> np.ndarray:
    """int8 [rows][n] -> each row's weights in fours in the order 0, 2, 1, 3 (SXTB16's lanes then meet two int16
    input words), its last n % 4 as they are: tg_int16_dsp.h's tg_dot2_s16."""
    rows, n = weights.shape
    n4 = n // 4 * 4
    body = weights[:, :n4].reshape(rows, n4 // 4, 4)[..., [0, 2, 1, 3]].reshape(rows, n4)
    return np.ascontiguousarray(np.concatenate([body, weights[:, n4:]], axis=1)).reshape(-1)


def nibble_pairs(low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Two int4 arrays of one shape -> bytes, `low`'s values in the low nibbles, `high`'s in the high ones."""
    return ((low.astype(np.uint8) & 0xF) | ((high.astype(np.uint8) & 0xF) << 4)).reshape(-1).view(np.int8)


def pack_filters_s4(weights: np.ndarray, field: int) -> np.ndarray:
    """int4 values [out_c][n] -> each filter padded with zero weights to `field` (a multiple of 8), eight weights
    a word: byte k holds weights k and k + 4 (tg_dot.h tg_s4_low, tg_s4_high)."""
    eights = np.pad(weights, ((0, 0), (0, field - weights.shape[1]))).reshape(-1, 2, 4)
    return nibble_pairs(eights[:, 0], eights[:, 1])


def pack_units_s4(weights: np.ndarray, units: int, depth: int) -> np.ndarray:
    """int4 values [units][depth] -> `interleave_units`'s order, two units a byte: per block and four inputs, a
    word of units 0 and 1 (low and high nibbles), then one of units 2 and 3."""
    steps = interleave_units(weights, units, depth).reshape(-1, 2, 2, 4)  # [block, step][pair][unit][input]
    return nibble_pairs(steps[:, :, 0], steps[:, :, 1])


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
        params = pad_unit_arrays(dataclasses.replace(params, weights=interleaved))
    if choice.kernel == "tg_fully_connected_dsp_s4" and isinstance(params, FullyConnectedParams):
        weights = unpack_int4(params.weights.values.view(np.uint8), params.units * params.depth)
        packed = pack_units_s4(weights.reshape(params.units, params.depth), params.units, params.depth)
        params = pad_unit_arrays(dataclasses.replace(params, weights=ConstArray(params.weights.symbol, packed)))
    if choice.kernel in ("tg_conv_1x1_dsp_s4", "tg_conv_im2col_dsp_s4") and isinstance(params, ConvParams):
        n = params.k_h * params.k_w * params.in_c
        weights = unpack_int4(params.weights.values.view(np.uint8), params.out_c * n).reshape(params.out_c, n)
        packed = pack_filters_s4(weights, conv_field_s4(params))
        params = dataclasses.replace(params, weights=ConstArray(params.weights.symbol, packed))
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
    elif choice.kernel == "tg_add_dsp_s8" and isinstance(params, BinaryParams):
        sign = -1 if layer.opcode == "SUB" else 1
        params = dataclasses.replace(
            params,
            table1=ConstArray(f"tg_l{layer.index}_table1", rescale_table(params.input1_offset, params.input1_multiplier,
                                                                         params.input1_shift)),
            table2=ConstArray(f"tg_l{layer.index}_table2", rescale_table(params.input2_offset, params.input2_multiplier,
                                                                         params.input2_shift, sign)))
    elif choice.kernel == "tg_depthwise_mve_s8" and isinstance(params, DepthwiseParams):
        groups = channel_groups(params.weights.values, params.k_h * params.k_w, params.out_c)
        params = dataclasses.replace(params, weights=ConstArray(params.weights.symbol, groups))
    elif choice.kernel == "tg_depthwise_field_mve_s8" and isinstance(params, DepthwiseParams):
        filters = np.ascontiguousarray(params.weights.values.reshape(-1, params.out_c).T).reshape(-1)
        params = dataclasses.replace(params, weights=ConstArray(params.weights.symbol, filters))
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
