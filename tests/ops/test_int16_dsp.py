"""The 16x8 DSP kernels (templates/kernels/tg_int16_dsp.h.j2) against TFLite Micro on odd shapes: host runs the
generic C, mps2-an386 (Cortex-M4) and mps3-an547 (Cortex-M55) the DSP kernels, which tinygen/kernels/choice.py
must pick for each layer here."""

from pathlib import Path

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
def test_fully_connected_16x8_dsp(tmp_path, shape, units, int32_bias):
    """Depths 37, 23, 6 and 700 (tails of 1-3 values; over 512 values a 32-bit sum could overflow), batches 1-5,
    odd unit counts, and TFLite Micro's int32 path."""
    import tensorflow as tf

    model = convert(lambda x: tf.keras.layers.Dense(units, activation="relu")(x), [shape], seed=units, io="int16",
                    int32_bias=int32_bias)
    assert_dsp_kernels(model, tmp_path, {"tg_fully_connected_dsp_s16"})
