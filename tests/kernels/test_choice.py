"""Which kernel a layer gets, written out for named shapes (what the kernels' headers cover, by hand).

Scratch figures are the lanes the kernel headers describe: a 1x1/im2col GEMM keeps
4 pixels (receptive field <= 64 bytes) or 2 pixels (up to 4092) of 16-bit lanes over
the field rounded up to whole words, im2col over 1-3 channel taps adds one gathered
field; Helium's im2col keeps four gathered fields; depthwise keeps 8 bytes per tap for up to 49 taps
(multiplier 1, channels in fours; other shapes take the quad kernel, no scratch); a
dense layer keeps its input as 16-bit lanes up to depth 640; pools keep none. int4 weights take the same kernels'
`_s4` forms, the field rounded up to 8 values (whole words of packed weights), on Helium cores too.
"""

from __future__ import annotations

import pytest

from tests.kernels.examples import example
from tinygen.kernels.binary import BinaryParams
from tinygen.kernels.choice import choose
from tinygen.kernels.conv import ConvParams, DepthwiseParams
from tinygen.kernels.fully_connected import FullyConnectedParams
from tinygen.kernels.pool import PoolParams, PoolS16Params

ONE = dict(stride_h=1, stride_w=1, pad_top=0, pad_left=0, dilation_h=1, dilation_w=1, temp=None)


def conv(k_h: int, k_w: int, in_c: int, **kw: object) -> ConvParams:
    return example(ConvParams, **{**ONE, "k_h": k_h, "k_w": k_w, "in_c": in_c, **kw})


def depthwise(k: int, channels: int, multiplier: int = 1, **kw: object) -> DepthwiseParams:
    return example(DepthwiseParams, **{**ONE, "k_h": k, "k_w": k, "in_c": channels, "out_c": channels * multiplier,
                                       "depth_multiplier": multiplier, **kw})


def dense(units: int, depth: int) -> FullyConnectedParams:
    return example(FullyConnectedParams, units=units, depth=depth)


def pool(channels: int, k_h: int, k_w: int) -> PoolParams:
    return example(PoolParams, channels=channels, filter_h=k_h, filter_w=k_w)


def elementwise(dims: tuple[int, ...], strides2: tuple[int, ...] | None = None) -> BinaryParams:
    """A binary op over `dims`, input1 and the output dense; input2 dense unless `strides2` (a broadcast)."""
    dense_strides = (dims[1] * dims[2] * dims[3], dims[2] * dims[3], dims[3], 1)
    return example(BinaryParams, dims=dims, strides1=dense_strides, strides2=strides2 or dense_strides,
                   out_strides=dense_strides, table1=None, table2=None)


CASES = [  # (name, generic kernel, block, mve) -> (kernel, scratch bytes) or None (the generic kernel stays)
    ("1x1 over 64 channels (kws)", "tg_conv_s8", conv(1, 1, 64), False, ("tg_conv_1x1_dsp_s8", 4 * 64 * 2)),
    ("1x1 over 96 channels: 2-pixel block", "tg_conv_s8", conv(1, 1, 96), False, ("tg_conv_1x1_dsp_s8", 2 * 96 * 2)),
    ("1x1 over 256 channels", "tg_conv_s8", conv(1, 1, 256), False, ("tg_conv_1x1_dsp_s8", 2 * 256 * 2)),
    ("1x1 over 256 channels at one pixel (a classifier)", "tg_conv_s8", conv(1, 1, 256, out_h=1, out_w=1), False,
     None),
    ("1x1 over 3 channels: gathered, padded to 4", "tg_conv_s8", conv(1, 1, 3), False,
     ("tg_conv_im2col_dsp_s8", 4 * 4 * 2 + 4)),
    ("3x3x455: past LDR's reach", "tg_conv_s8", conv(3, 3, 455), False, None),
    ("kws first layer 10x4x1 strided", "tg_conv_s8", conv(10, 4, 1, stride_h=2, stride_w=2, pad_top=4, pad_left=1),
     False, ("tg_conv_im2col_dsp_s8", 4 * 40 * 2 + 40)),
    ("1x1 stride 2 is gathered", "tg_conv_s8", conv(1, 1, 16, stride_h=2, stride_w=2), False,
     ("tg_conv_im2col_dsp_s8", 4 * 16 * 2)),
    ("3x3x3 RGB stem: 27 values padded to 28", "tg_conv_s8", conv(3, 3, 3, stride_h=2, stride_w=2), False,
     ("tg_conv_im2col_dsp_s8", 4 * 28 * 2 + 28)),
    ("3x3x16: 144-byte field", "tg_conv_s8", conv(3, 3, 16), False, ("tg_conv_im2col_dsp_s8", 2 * 144 * 2)),
    ("5x3x2 rectangular", "tg_conv_s8", conv(5, 3, 2), False, ("tg_conv_im2col_dsp_s8", 4 * 32 * 2 + 32)),
    ("int4 1x1 over 64 channels", "tg_conv_s4", conv(1, 1, 64), False, ("tg_conv_1x1_dsp_s4", 4 * 64 * 2)),
    ("int4 1x1 over 12 channels: GEMM over 16", "tg_conv_s4", conv(1, 1, 12), False,
     ("tg_conv_1x1_dsp_s4", 4 * 16 * 2)),
    ("int4 1x1 over 17 channels: gathered, padded to 24", "tg_conv_s4", conv(1, 1, 17), False,
     ("tg_conv_im2col_dsp_s4", 4 * 24 * 2 + 24)),
    ("int4 3x3x3 stem: 27 values padded to 32", "tg_conv_s4", conv(3, 3, 3, stride_h=2, stride_w=2), False,
     ("tg_conv_im2col_dsp_s4", 4 * 32 * 2 + 32)),
    ("int4 3x3x16: 2-pixel blocks", "tg_conv_s4", conv(3, 3, 16), False, ("tg_conv_im2col_dsp_s4", 2 * 144 * 2)),
    ("int4 3x3x455: 4096 values (gathered), in the int4 GEMM's reach", "tg_conv_s4", conv(3, 3, 455), False,
     ("tg_conv_im2col_dsp_s4", 2 * 4096 * 2 + 4096)),
    ("int4 3x3x456: past it", "tg_conv_s4", conv(3, 3, 456), False, None),
    ("int4 on Helium: the DSP kernel", "tg_conv_s4", conv(1, 1, 64), True, ("tg_conv_1x1_dsp_s4", 4 * 64 * 2)),
    ("int4 one pixel stays generic", "tg_conv_s4", conv(1, 1, 64, out_h=1, out_w=1), False, None),
    ("Helium 1x1", "tg_conv_s8", conv(1, 1, 64), True, ("tg_conv_1x1_mve_s8", 0)),
    ("Helium 3x3x3 RGB stem", "tg_conv_s8", conv(3, 3, 3), True, ("tg_conv_im2col_mve_s8", 4 * 27)),
    ("Helium 3x3x64: 576-byte field", "tg_conv_s8", conv(3, 3, 64), True, ("tg_conv_im2col_mve_s8", 4 * 576)),
    ("depthwise 3x3 x 64", "tg_depthwise_s8", depthwise(3, 64), False, ("tg_depthwise_dsp_s8", 8 * 9)),
    ("depthwise 7x7 x 32: weight lanes", "tg_depthwise_s8", depthwise(7, 32), False, ("tg_depthwise_dsp_s8", 8 * 49)),
    ("depthwise 9x9 x 32: taps without lanes", "tg_depthwise_s8", depthwise(9, 32), False, ("tg_depthwise_dsp_s8", 0)),
    ("depthwise over 6 channels: quads of taps", "tg_depthwise_s8", depthwise(3, 6), False,
     ("tg_depthwise_quad_dsp_s8", 0)),
    ("depthwise multiplier 8: quads of taps", "tg_depthwise_s8", depthwise(3, 1, 8), False,
     ("tg_depthwise_quad_dsp_s8", 0)),
    ("Helium depthwise multiplier 2: per-channel fields", "tg_depthwise_s8", depthwise(5, 3, 2), True,
     ("tg_depthwise_field_mve_s8", 4 * 3 * 25 + 16)),
    ("int4 depthwise 3x3 x 64: weight lanes", "tg_depthwise_s4", depthwise(3, 64), False,
     ("tg_depthwise_dsp_s4", 8 * 9)),
    ("int4 depthwise 3x3 x 64 on Helium: the DSP kernel", "tg_depthwise_s4", depthwise(3, 64), True,
     ("tg_depthwise_dsp_s4", 8 * 9)),
    ("int4 depthwise 9x9: too many taps for lanes", "tg_depthwise_s4", depthwise(9, 32), False, None),
    ("int4 depthwise over 6 channels stays generic", "tg_depthwise_s4", depthwise(3, 6), False, None),
    ("int4 depthwise multiplier 2 stays generic", "tg_depthwise_s4", depthwise(3, 4, 2), False, None),
    ("Helium depthwise 3x3 x 64: channel vectors", "tg_depthwise_s8", depthwise(3, 64), True,
     ("tg_depthwise_mve_s8", 0)),
    ("Helium depthwise 3x3 x 17: channel vectors", "tg_depthwise_s8", depthwise(3, 17), True,
     ("tg_depthwise_mve_s8", 0)),
    ("Helium depthwise 3x3 x 3: per-channel fields", "tg_depthwise_s8", depthwise(3, 3), True,
     ("tg_depthwise_field_mve_s8", 4 * 3 * 9 + 16)),
    ("dense 64 -> 12", "tg_fully_connected_s8", dense(12, 64), False, ("tg_fully_connected_dsp_s8", 2 * 64)),
    ("dense 1024 -> 12: input without lanes", "tg_fully_connected_s8", dense(12, 1024), False,
     ("tg_fully_connected_dsp_s8", 0)),
    ("dense 64 -> 10: units padded to 12", "tg_fully_connected_s8", dense(10, 64), False,
     ("tg_fully_connected_dsp_s8", 2 * 64)),
    ("dense 37 -> 10: lanes padded to 40 inputs", "tg_fully_connected_s8", dense(10, 37), False,
     ("tg_fully_connected_dsp_s8", 2 * 40)),
    ("Helium dense 64 -> 10", "tg_fully_connected_s8", dense(10, 64), True, ("tg_fully_connected_mve_s8", 0)),
    ("int4 dense 37 -> 13: lanes padded to 40", "tg_fully_connected_s4", dense(13, 37), False,
     ("tg_fully_connected_dsp_s4", 2 * 40)),
    ("int4 dense 1024 -> 12 on Helium: the DSP kernel, no lanes", "tg_fully_connected_s4", dense(12, 1024), True,
     ("tg_fully_connected_dsp_s4", 0)),
    ("int4 dense deeper than 2^16", "tg_fully_connected_s4", dense(2, 65537), False, None),
    ("residual ADD over 36x36x8: tables", "tg_add_s8", elementwise((1, 36, 36, 8)), False, ("tg_add_dsp_s8", 0)),
    ("SUB over 32x32: tables", "tg_sub_s8", elementwise((1, 1, 32, 32)), False, ("tg_add_dsp_s8", 0)),
    ("ADD of a channel vector over 32x32x4", "tg_add_s8", elementwise((1, 32, 32, 4), (0, 0, 0, 1)), False,
     ("tg_add_dsp_s8", 0)),
    ("ADD over 16x16x3: 768 elements, tables not worth their flash", "tg_add_s8", elementwise((1, 16, 16, 3)),
     False, None),
    ("ADD of a scalar over 32x32x4: broadcast along the channels", "tg_add_s8",
     elementwise((1, 32, 32, 4), (0, 0, 0, 0)), False, None),
    ("MUL over 36x36x8 stays generic", "tg_mul_s8", elementwise((1, 36, 36, 8)), False, None),
    ("kws 25x5 average pool over 64 channels", "tg_average_pool_s8", pool(64, 25, 5), False,
     ("tg_average_pool_dsp_s8", 0)),
    ("average pool over 5 channels: a word and a tail", "tg_average_pool_s8", pool(5, 3, 2), True,
     ("tg_average_pool_dsp_s8", 0)),
    ("16x16 average pool: 256 taps, a 16-bit lane's most", "tg_average_pool_s8", pool(8, 16, 16), False,
     ("tg_average_pool_dsp_s8", 0)),
    ("17x16 average pool: 272 taps overflow a lane", "tg_average_pool_s8", pool(8, 17, 16), False, None),
    ("17x16 max pool: any window", "tg_max_pool_s8", pool(8, 17, 16), False, ("tg_max_pool_dsp_s8", 0)),
    ("max pool over 3 channels stays generic", "tg_max_pool_s8", pool(3, 2, 2), False, None),
    ("16x8 max pool stays generic", "tg_max_pool_s16", example(PoolS16Params, channels=8, filter_h=2, filter_w=2),
     False, None),
]


@pytest.mark.parametrize("name, generic, block, mve, expected", CASES, ids=[c[0] for c in CASES])
def test_kernel_for_named_shapes(name, generic, block, mve, expected):
    choice = choose(generic, block, mve)
    assert (choice and (choice.kernel, choice.scratch_bytes)) == expected


def test_an_in_place_layer_needs_the_wider_temporary():
    """A 1x1 conv over 8x8x64 in place: the generic kernel works through one pixel (64 bytes), the DSP
    kernel through four (256 bytes)."""
    layer = conv(1, 1, 64, out_h=8, out_w=8, out_c=64)
    assert choose("tg_conv_s8", layer, temp_bytes=64) is None
    assert choose("tg_conv_s8", layer, temp_bytes=256).kernel == "tg_conv_1x1_dsp_s8"
    plane = depthwise(3, 64, out_h=8, out_w=8)  # one 8x8 channel plane, or four for the DSP kernel
    assert choose("tg_depthwise_s8", plane, temp_bytes=64) is None
    assert choose("tg_depthwise_s8", plane, temp_bytes=256).kernel == "tg_depthwise_dsp_s8"
    odd = depthwise(3, 6, out_h=8, out_w=8)  # the quad kernel does not run in place
    assert choose("tg_depthwise_s8", odd, temp_bytes=64) is None
    assert choose("tg_depthwise_s8", odd).kernel == "tg_depthwise_quad_dsp_s8"
    # Helium: the channel vectors in place through four planes as the DSP kernel; 6 channels (a one-plane
    # temporary) and the field kernel keep the generic kernel in place
    assert choose("tg_depthwise_s8", plane, mve=True, temp_bytes=64) is None
    assert choose("tg_depthwise_s8", plane, mve=True, temp_bytes=256).kernel == "tg_depthwise_mve_s8"
    assert choose("tg_depthwise_s8", odd, mve=True, temp_bytes=64) is None
    assert choose("tg_depthwise_s8", odd, mve=True).kernel == "tg_depthwise_mve_s8"
    assert choose("tg_depthwise_s8", depthwise(3, 1, 8), mve=True, temp_bytes=64) is None
