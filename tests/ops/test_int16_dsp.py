"""The 16x8 DSP kernels (templates/kernels/tg_int16_dsp.h.j2) against TFLite Micro on odd shapes: host runs the
generic C, mps2-an386 (Cortex-M4) and mps3-an547 (Cortex-M55) the DSP kernels, which tinygen/kernels/choice.py
must pick for each layer here."""

from pathlib import Path
from typing import Any

import pytest

from tests.ops.harness import BOARDS, assert_bit_exact, convert
from tinygen.boards import load_board
from tinygen.pipeline import build_firmware


def assert_dsp_kernels(model: bytes, tmp_path: Path, kernels: set[str]) -> None:
    """The Cortex-M4 build runs exactly `kernels` for its 16x8 layers, then all boards agree with TFLite Micro."""
    path = tmp_path / "model.tflite"
    path.write_bytes(model)
    firmware = build_firmware(path, load_board("mps2-an386"), output=tmp_path / "kernels")
    assert {layer.kernel for layer in firmware.code.layers} == kernels
    assert_bit_exact(path, tmp_path, boards=BOARDS)


@pytest.mark.parametrize("shape, units, int32_bias", [((37,), 13, False), ((3, 23), 7, False), ((5, 6), 1, True),
                                                      ((700,), 5, False)])
def test_fully_connected_16x8_dsp(tmp_path: Path, shape: tuple[int, ...], units: int, int32_bias: bool) -> None:
    """Depths 37, 23, 6 and 700 (tails of 1-3 values; over 512 values a 32-bit sum could overflow), batches 1-5,
    odd unit counts, and TFLite Micro's int32 path."""
    import tensorflow as tf

    model = convert(lambda x: tf.keras.layers.Dense(units, activation="relu")(x), [shape], seed=units, io="int16",
                    int32_bias=int32_bias)
    assert_dsp_kernels(model, tmp_path, {"tg_fully_connected_dsp_s16"})


@pytest.mark.parametrize("in_shape, filters, kernel, strides, dilation, padding", [
    ((9, 11, 1), 5, 3, 2, 1, "same"),  # one channel: a 9-value field, a tail of 1
    ((8, 13, 3), 7, (1, 7), 1, 1, "same"),  # a 1x7 audio-style window over 3 channels, 21 values
    ((12, 10, 2), 4, 5, 1, 2, "valid"),  # 5x5 dilated 2
    ((7, 6, 6), 9, 1, 1, 1, "valid"),  # 1x1 over 6 channels: the input pixel itself, a tail of 2
    ((9, 9, 5), 3, 1, 2, 1, "valid"),  # 1x1 stride 2: gathered
])
def test_conv_16x8_dsp(tmp_path: Path, in_shape: tuple[int, int, int], filters: int, kernel: int | tuple[int, int],
                       strides: int, dilation: int, padding: str) -> None:
    import tensorflow as tf

    def build(x: Any) -> Any:
        return tf.keras.layers.Conv2D(filters, kernel, strides=strides, dilation_rate=dilation, padding=padding,
                                      activation="relu")(x)

    model = convert(build, [in_shape], seed=filters + strides, io="int16")
    assert_dsp_kernels(model, tmp_path, {"tg_conv_dsp_s16"})


def test_conv_16x8_dsp_int32_bias(tmp_path: Path) -> None:
    """TFLite Micro's int32 accumulator (an int32 bias) through the convolution's SMLAD path."""
    import tensorflow as tf

    model = convert(lambda x: tf.keras.layers.Conv2D(5, 3, padding="same")(x), [(6, 7, 3)], seed=3, io="int16",
                    int32_bias=True)
    assert_dsp_kernels(model, tmp_path, {"tg_conv_dsp_s16"})


@pytest.mark.parametrize("in_shape, kernel, multiplier, strides, dilation, padding", [
    ((9, 10, 8), 3, 1, 1, 1, "same"),  # four channels a pass, twice
    ((11, 9, 6), 5, 1, 2, 1, "same"),  # 6 channels: a pass of four and two channels alone
    ((8, 9, 3), 3, 2, 1, 2, "valid"),  # multiplier 2, dilated
    ((7, 8, 1), (1, 7), 8, 1, 1, "same"),  # one channel times 8 (multiples of four share one input)
    ((9, 7, 2), 3, 3, 2, 1, "same"),  # multiplier 3: four channels from two or three inputs
])
def test_depthwise_16x8_dsp(tmp_path: Path, in_shape: tuple[int, int, int], kernel: int | tuple[int, int],
                            multiplier: int, strides: int, dilation: int, padding: str) -> None:
    import tensorflow as tf

    def build(x: Any) -> Any:
        return tf.keras.layers.DepthwiseConv2D(kernel, strides=strides, depth_multiplier=multiplier,
                                               dilation_rate=dilation, padding=padding, activation="relu")(x)

    model = convert(build, [in_shape], seed=multiplier + strides, io="int16")
    assert_dsp_kernels(model, tmp_path, {"tg_depthwise_dsp_s16"})
