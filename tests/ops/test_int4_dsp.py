"""The int4-weight DSP kernels (tg_conv_dsp.h, tg_fully_connected_dsp.h, tg_depthwise_dsp.h `_s4`) against
TFLite Micro on odd shapes: host runs the generic C, mps2-an386 (Cortex-M4) and mps3-an547 (Cortex-M55) the DSP
kernels, which tinygen/kernels/choice.py must pick for every int4 layer here; the weights stay packed, two a byte."""

from pathlib import Path
from typing import Any

import pytest

from tests.ops.harness import BOARDS, assert_bit_exact, convert
from tinygen.boards import load_board
from tinygen.importers.tflite import parse_tflite
from tinygen.pipeline import build_firmware
from tinygen.quant.rewrite import int4_candidates, with_int4_weights


def assert_int4_dsp(model: bytes, tmp_path: Path, kernels: set[str]) -> None:
    """Every filter int4; the Cortex-M4 build runs exactly `kernels`, their weights two a byte (filters padded to
    whole words of eight, dense layers to blocks of four units and steps of four inputs, depthwise as TFLite packs
    them); then all boards agree with TFLite Micro."""
    graph = parse_tflite(model, "m", "m")
    path = tmp_path / "int4.tflite"
    path.write_bytes(with_int4_weights(model, [op.index for op in int4_candidates(graph)]))
    firmware = build_firmware(path, load_board("mps2-an386"), output=tmp_path / "kernels")
    assert {layer.kernel for layer in firmware.code.layers} == kernels
    for layer in firmware.code.layers:
        p: Any = layer.params
        if hasattr(p, "units"):
            values = -(-p.units // 4) * 4 * (-(-p.depth // 4) * 4)
        elif hasattr(p, "depth_multiplier"):
            values = p.k_h * p.k_w * p.out_c + 1  # TFLite's packing, unchanged
        else:
            values = p.out_c * (-(-p.k_h * p.k_w * p.in_c // 8) * 8)
        assert p.weights.values.size == values // 2
    assert_bit_exact(path, tmp_path, boards=BOARDS)


@pytest.mark.parametrize("in_shape, filters, kernel, strides, padding", [
    ((7, 9, 16), 5, 1, 1, "valid"),  # 1x1 over 16 channels: the pixel's own lanes, 4-pixel blocks
    ((6, 5, 17), 6, 1, 1, "valid"),  # 1x1 over 17: gathered as bytes, 17 values padded to 24
    ((9, 7, 1), 3, 3, 2, "same"),  # 3x3 over 1 channel, stride 2: a 9-value field
    ((8, 9, 3), 7, 3, 1, "same"),  # 3x3 over 3: 27 values, odd filters
    ((7, 8, 16), 9, 3, 2, "same"),  # 3x3 over 16, stride 2: a 144-value field, 2x2 blocks, an odd last channel
    ((6, 6, 17), 4, 3, 1, "valid"),  # 3x3 over 17: 153 values padded to 160
    ((5, 7, 12), 3, 1, 1, "valid"),  # 1x1 over 12: lanes for 12 values, the GEMM over 16
])
def test_conv_int4_dsp(tmp_path: Path, in_shape: tuple[int, int, int], filters: int, kernel: int, strides: int,
                       padding: str) -> None:
    import tensorflow as tf

    def build(x: Any) -> Any:
        return tf.keras.layers.Conv2D(filters, kernel, strides=strides, padding=padding, activation="relu")(x)

    shape = "1x1" if kernel == 1 and strides == 1 and in_shape[2] % 4 == 0 else "im2col"
    model = convert(build, [in_shape], seed=filters + in_shape[2])
    assert_int4_dsp(model, tmp_path, {f"tg_conv_{shape}_dsp_s4"})


@pytest.mark.parametrize("shape, units", [((37,), 13), ((3, 23), 7), ((2, 64), 12), ((700,), 5), ((9,), 1)])
def test_fully_connected_int4_dsp(tmp_path: Path, shape: tuple[int, ...], units: int) -> None:
    """Depths 37, 23, 64, 9 (lanes, tails of 1-3) and 700 (no lanes, a scalar tail), batches 1-3, odd units."""
    import tensorflow as tf

    model = convert(lambda x: tf.keras.layers.Dense(units, activation="relu")(x), [shape], seed=units)
    assert_int4_dsp(model, tmp_path, {"tg_fully_connected_dsp_s4"})


@pytest.mark.parametrize("in_shape, kernel, strides, padding", [
    ((7, 9, 4), 3, 1, "same"),  # one group of four channels, padded borders
    ((9, 8, 16), 3, 2, "same"),  # stride 2, four groups
    ((8, 7, 8), (5, 3), 1, "valid"),  # rectangular 5x3
])
def test_depthwise_int4_dsp(tmp_path: Path, in_shape: tuple[int, int, int], kernel: int | tuple[int, int],
                            strides: int, padding: str) -> None:
    """Multiplier 1 over channels in fours: the weights stay as TFLite packs them, unpacked into lanes per group."""
    import tensorflow as tf

    def build(x: Any) -> Any:
        return tf.keras.layers.DepthwiseConv2D(kernel, strides=strides, padding=padding, activation="relu")(x)

    model = convert(build, [in_shape], seed=in_shape[2] + strides)
    assert_int4_dsp(model, tmp_path, {"tg_depthwise_dsp_s4"})
