"""SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND against TFLite Micro (padded SPACE_TO_BATCH_ND against TensorFlow
Lite: TFLite Micro's fill is undefined): 3-D and 4-D inputs, uneven blocks, paddings and crops on every side,
random quantisation."""

import numpy as np
import pytest

from tests.ops.harness import assert_bit_exact, convert
from tests.tools import require_module
from tinygen.boards import load_board
from tinygen.pipeline import build_firmware, run_firmware
from tinygen.run.vectors import random_vectors

BOARDS = ("host", "mps2-an386")


def _space_to_batch(shape, block, paddings, seed: int, conv: bool = True) -> bytes:
    """SPACE_TO_BATCH_ND after a 1x1 convolution (its input quantised by the converter), or on the graph input
    (quantised from the random calibration range) when not `conv`."""
    import tensorflow as tf

    def build(x):
        if conv:
            x = tf.keras.layers.Conv1D(shape[-1], 1)(x) if len(shape) == 2 else tf.keras.layers.Conv2D(shape[-1], 1)(x)
        return tf.keras.layers.Lambda(lambda t: tf.space_to_batch_nd(t, block, paddings))(x)

    return convert(build, [shape], seed=seed)


@pytest.mark.parametrize("shape, block, seed", [((6, 9, 3), [2, 3], 0), ((9, 3), [3], 1)])
def test_space_to_batch_nd(tmp_path, shape, block, seed):
    """Without padding, TFLite Micro's result is defined: bit-exact."""
    model = _space_to_batch(shape, block, [[0, 0]] * len(block), seed)
    assert_bit_exact(model, tmp_path, boards=BOARDS, expect_ops={"SPACE_TO_BATCH_ND"}, seed=seed)


@pytest.mark.parametrize("shape, block, paddings, seed", [
    ((5, 7, 3), [2, 3], [[1, 2], [0, 2]], 0),
    ((7, 3), [3], [[0, 2]], 1),  # 3-D: one spatial axis
])
def test_space_to_batch_nd_pads_with_the_zero_point(tmp_path, shape, block, paddings, seed):
    """TFLite Micro pads with a value it never sets (lower/shape.py), so padded models are compared with
    TensorFlow Lite's interpreter, which pads with the output zero point (random here, so a fill of 0 differs).
    No convolution before it: TensorFlow Lite's convolution differs from TFLite Micro's now and then."""
    tf = require_module("tensorflow")
    path = tmp_path / "model.tflite"
    path.write_bytes(_space_to_batch(shape, block, paddings, seed, conv=False))
    board = load_board("host")
    firmware = build_firmware(path, board, output=tmp_path / "host")
    vectors = random_vectors(firmware.code.inputs, 4, seed)
    got = run_firmware(firmware, path, board, vectors, timeout_s=60).outputs
    interpreter = tf.lite.Interpreter(model_path=str(path))
    interpreter.allocate_tensors()
    (inp,), (out,) = interpreter.get_input_details(), interpreter.get_output_details()
    assert out["quantization"][1] != 0
    for vector, outputs in zip(vectors, got, strict=True):
        interpreter.set_tensor(inp["index"], vector[0])
        interpreter.invoke()
        np.testing.assert_array_equal(outputs[0], interpreter.get_tensor(out["index"]).reshape(outputs[0].shape))


@pytest.mark.parametrize("shape, block, crops, seed", [
    ((3, 5, 2), [2, 3], [[1, 2], [0, 4]], 2),  # 6 batches of 3x5 -> 1 batch of 3x11
    ((4, 3), [2], [[1, 0]], 3),
])
def test_batch_to_space_nd(tmp_path, shape, block, crops, seed):
    import tensorflow as tf

    copies = 1
    for b in block:
        copies *= b

    def build(x):
        x = tf.keras.layers.Conv1D(shape[-1], 1)(x) if len(shape) == 2 else tf.keras.layers.Conv2D(shape[-1], 1)(x)
        batches = tf.keras.layers.Lambda(lambda t: tf.concat([t * (k + 1) / copies for k in range(copies)], 0))(x)
        return tf.keras.layers.Lambda(lambda t: tf.compat.v1.batch_to_space_nd(t, block, crops))(batches)

    model = convert(build, [shape], seed=seed)
    assert_bit_exact(model, tmp_path, boards=BOARDS, expect_ops={"BATCH_TO_SPACE_ND"}, seed=seed)
