"""CONV_2D and DEPTHWISE_CONV_2D against TFLite Micro: odd sizes, strides, dilation, padding, activations."""

import pytest

from tests.ops.harness import assert_bit_exact, convert


@pytest.mark.parametrize(
    "shape, filters, kernel, strides, dilation, padding, activation",
    [
        ((23, 17, 3), 5, 3, 1, 1, "same", "relu"),
        ((23, 17, 7), 13, 3, 2, 1, "same", None),
        ((19, 13, 5), 7, (5, 3), 2, 1, "valid", "relu6"),
        ((17, 23, 4), 6, 3, 1, 2, "same", None),
        ((9, 11, 13), 5, 1, 1, 1, "valid", "relu"),
        # the DSP kernels on mps2-an386: 1x1 in blocks of four pixels (35 pixels, an odd channel count), 1x1 in
        # two-by-two blocks (96 input channels), and im2col (2x2x8, stride 2, SAME's one-sided padding)
        ((5, 7, 16), 7, 1, 1, 1, "valid", "relu6"),
        ((3, 5, 96), 9, 1, 1, 1, "same", None),
        ((13, 11, 8), 6, 2, 2, 1, "same", "relu"),
        # the DSP and Helium im2col kernels for every shape: 3x3x16 (144-byte fields, two-pixel blocks) and
        # 3x3x68 (612: the pixels' lanes interleaved), 1x1 over 148 channels, dilated rows gathered tap by tap,
        # strided RGB and mono stems and rectangular filters over 1-3 channels (fields padded to words)
        ((9, 7, 16), 11, 3, 1, 1, "same", "relu"),
        ((6, 5, 68), 5, 3, 2, 1, "same", None),
        ((4, 5, 148), 7, 1, 1, 1, "valid", "relu6"),
        ((11, 9, 8), 5, 3, 1, (2, 3), "same", None),
        ((15, 14, 3), 8, 3, 2, 1, "valid", "relu"),
        ((17, 12, 1), 6, (5, 3), (2, 1), 1, "same", None),
        ((13, 9, 2), 9, (1, 5), 1, 1, "same", "relu6"),
    ],
)
def test_conv2d(tmp_path, shape, filters, kernel, strides, dilation, padding, activation):
    import tensorflow as tf

    model = convert(lambda x: tf.keras.layers.Conv2D(filters, kernel, strides, padding, dilation_rate=dilation,
                                                      activation=activation)(x), [shape], seed=filters)
    assert_bit_exact(model, tmp_path, expect_ops={"CONV_2D"})


@pytest.mark.parametrize(
    "shape, kernel, strides, dilation, padding, multiplier, activation",
    [
        ((23, 17, 5), 3, 1, 1, "same", 1, "relu"),
        ((23, 17, 7), 3, 2, 1, "same", 1, "relu6"),
        ((15, 13, 3), 5, 2, 1, "valid", 2, None),
        ((17, 19, 4), 3, 1, 2, "same", 1, None),
        ((11, 9, 13), 7, 1, 1, "same", 1, "relu"),
        # the DSP kernel on mps2-an386 (channels a multiple of 4): 3x3 unrolled with border columns, stride 2,
        # 5x5 and 7x7 with weight lanes (a loop over filter rows), 9x9 without lanes
        ((9, 6, 8), 3, 1, 1, "same", 1, "relu6"),
        ((12, 11, 12), 3, 2, 1, "same", 1, None),
        ((10, 9, 8), 5, 1, 1, "same", 1, None),
        ((9, 10, 4), 7, 2, 1, "same", 1, "relu"),
        ((11, 12, 4), 9, 1, 1, "same", 1, None),
        # the quad kernel (any other shape): micro_speech's one audio channel x 8 with a 10x8 filter, stride 2;
        # multiplier 3 over 2 channels (strides 1x2, a 3x5 filter: a partial quad); 6 channels, multiplier 1,
        # dilated; multiplier 5 (one channel a group) with a 2x6 filter; a filter wider than the input
        ((13, 12, 1), (10, 8), 2, 1, "same", 8, None),
        ((9, 11, 2), (3, 5), (1, 2), 1, "same", 3, "relu"),
        ((12, 10, 6), 3, 1, 2, "same", 1, None),
        ((7, 9, 1), (2, 6), 2, 1, "valid", 5, "relu6"),
        ((6, 3, 1), (3, 5), 1, 1, "same", 2, None),
        # the Helium kernels on mps3-an547: channel vectors over 17 and 20 channels (a predicated last group,
        # four-pixel interior blocks), 5x5 stride 2 VALID, 1x7 dilated; per-channel fields over 1, 3 and 5
        # channels with multipliers 1, 2, 3 and 8 (10x8 stride 2, a 5x5 field past 16 taps, dilation 2)
        ((14, 13, 17), 3, 1, 1, "same", 1, "relu6"),
        ((15, 16, 20), 5, 2, 1, "valid", 1, None),
        ((9, 17, 20), (1, 7), 1, (1, 2), "same", 1, "relu"),
        ((17, 15, 1), (10, 8), 2, 1, "valid", 8, None),
        ((13, 11, 3), 5, 1, 1, "same", 3, "relu"),
        ((12, 13, 1), 3, 1, 2, "same", 1, None),
        ((11, 10, 5), 3, 2, 1, "same", 2, None),
        # Helium filter rows of 16 taps (each tap an asm statement) and 17 (the row in C)
        ((5, 21, 8), (2, 16), 1, 1, "same", 1, None),
        ((4, 22, 4), (1, 17), 1, 1, "valid", 1, "relu"),
    ],
)
def test_depthwise(tmp_path, shape, kernel, strides, dilation, padding, multiplier, activation):
    import tensorflow as tf

    model = convert(lambda x: tf.keras.layers.DepthwiseConv2D(kernel, strides, padding, multiplier,
                                                               dilation_rate=dilation, activation=activation)(x),
                    [shape], seed=sum(shape) + multiplier)
    assert_bit_exact(model, tmp_path, expect_ops={"DEPTHWISE_CONV_2D"})
