"""Weight and constant layouts the specialised kernels want, made at generation time from the lowered block.

Each function states one layout in numpy; lower/specialise.py's RELAYOUTS says which
kernel takes which. Lowering stays board-independent: only specialised layers are
re-laid out, and the bytes a layer keeps in flash change only where a layout pads
(blocks of four units or channels, words of a receptive field) or adds tables
(ADD's and SUB's rescaled inputs).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from tinygen.ir.packing import unpack_int4
from tinygen.kernels.binary import BinaryParams
from tinygen.kernels.block import ConstArray, ParamBlock
from tinygen.kernels.choice import FC_UNITS, conv_field, conv_field_s4, dw_quad_group
from tinygen.kernels.conv import ConvParams, DepthwiseParams
from tinygen.kernels.fully_connected import FullyConnectedParams
from tinygen.kernels.int16 import ConvS16Params, FullyConnectedS16Params
from tinygen.lower.binary import LEFT_SHIFT
from tinygen.lower.layer import Layer
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


def _pad_unit_arrays(p: FullyConnectedParams) -> FullyConnectedParams:
    """The dense DSP kernels' bias (and per-unit requantisation) padded to whole blocks of FC_UNITS units."""
    p = dataclasses.replace(p, bias=pad_units(p.bias, p.units))
    if p.per_channel:
        p = dataclasses.replace(p, multiplier=pad_units(p.multiplier, p.units), shift=pad_units(p.shift, p.units))
    return p


def _replaced(array: ConstArray, values: np.ndarray) -> ConstArray:
    return ConstArray(array.symbol, values)


def dense_dsp_s8(layer: Layer, p: ParamBlock) -> ParamBlock:
    assert isinstance(p, FullyConnectedParams)
    weights = _replaced(p.weights, interleave_units(p.weights.values.reshape(p.units, p.depth), p.units, p.depth))
    return _pad_unit_arrays(dataclasses.replace(p, weights=weights))


def dense_dsp_s4(layer: Layer, p: ParamBlock) -> ParamBlock:
    assert isinstance(p, FullyConnectedParams)
    weights = unpack_int4(p.weights.values.view(np.uint8), p.units * p.depth).reshape(p.units, p.depth)
    return _pad_unit_arrays(dataclasses.replace(p, weights=_replaced(p.weights,
                                                                     pack_units_s4(weights, p.units, p.depth))))


def conv_dsp_s4(layer: Layer, p: ParamBlock) -> ParamBlock:
    """1x1 or im2col int4: filters repacked eight weights a word over the padded field."""
    assert isinstance(p, ConvParams)
    n = p.k_h * p.k_w * p.in_c
    weights = unpack_int4(p.weights.values.view(np.uint8), p.out_c * n).reshape(p.out_c, n)
    return dataclasses.replace(p, weights=_replaced(p.weights, pack_filters_s4(weights, conv_field_s4(p))))


def dense_dsp_s16(layer: Layer, p: ParamBlock) -> ParamBlock:
    assert isinstance(p, FullyConnectedS16Params)
    return dataclasses.replace(p, weights=_replaced(p.weights, reorder_fours_s16(
        p.weights.values.reshape(p.units, p.depth))))


def conv_dsp_s16(layer: Layer, p: ParamBlock) -> ParamBlock:
    assert isinstance(p, ConvS16Params)
    reordered = reorder_fours_s16(p.weights.values.reshape(p.out_c, -1))
    return dataclasses.replace(p, weights=_replaced(p.weights, reordered))


def conv_im2col_dsp_s8(layer: Layer, p: ParamBlock) -> ParamBlock:
    assert isinstance(p, ConvParams)
    return dataclasses.replace(p, weights=_replaced(p.weights, pad_filters(p.weights.values.reshape(p.out_c, -1),
                                                                           conv_field(p))))


def depthwise_quad_dsp_s8(layer: Layer, p: ParamBlock) -> ParamBlock:
    assert isinstance(p, DepthwiseParams)
    quads = quad_weights(p.weights.values, p.k_h, p.k_w, p.out_c, dw_quad_group(p.depth_multiplier))
    return dataclasses.replace(p, weights=_replaced(p.weights, quads))


def add_dsp_s8(layer: Layer, p: ParamBlock) -> ParamBlock:
    """ADD's tables, or SUB's with input2's negated (the kernel only adds)."""
    assert isinstance(p, BinaryParams)
    sign = -1 if layer.opcode == "SUB" else 1
    return dataclasses.replace(
        p, table1=ConstArray(f"tg_l{layer.index}_table1", rescale_table(p.input1_offset, p.input1_multiplier,
                                                                         p.input1_shift)),
        table2=ConstArray(f"tg_l{layer.index}_table2", rescale_table(p.input2_offset, p.input2_multiplier,
                                                                     p.input2_shift, sign)))


def depthwise_mve_s8(layer: Layer, p: ParamBlock) -> ParamBlock:
    assert isinstance(p, DepthwiseParams)
    return dataclasses.replace(p, weights=_replaced(p.weights, channel_groups(p.weights.values, p.k_h * p.k_w,
                                                                              p.out_c)))


def depthwise_field_mve_s8(layer: Layer, p: ParamBlock) -> ParamBlock:
    """[out_c][k_h * k_w]: each output channel's filter one row, for VMLADAVA over its receptive field."""
    assert isinstance(p, DepthwiseParams)
    filters = np.ascontiguousarray(p.weights.values.reshape(-1, p.out_c).T).reshape(-1)
    return dataclasses.replace(p, weights=_replaced(p.weights, filters))
