"""UNIDIRECTIONAL_SEQUENCE_LSTM against TFLite Micro over sequences of invocations, state carried (host: the
portable gate products; mps2-an386 and mps3-an547: tg_dot.h's SMLAD and SMLALD ones).

int8: a Keras-style LSTM converted by TensorFlow's converter. The converter fuses an LSTM into the op only
when the function carries Keras 2's `api_implements: lstm_*` attribute and comes through a SavedModel (Keras
3's LSTM has no such attribute), so the test writes that function itself. 16x8: the converter refuses it
("Quantization to 16x8-bit not yet supported for op: 'UNIDIRECTIONAL_SEQUENCE_LSTM'"), so that model is
written directly as a flatbuffer, time major with two batches and a cell clip, which the Keras one lacks.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.ops.harness import assert_bit_exact
from tests.synthetic import lstm_16x8
from tests.tools import require_module

BOARDS = ("host", "mps2-an386", "mps3-an547")
SEQUENCE = 20  # invocations; TFLite Micro's reference keeps one interpreter, so its state carries too


def keras_lstm(path: Path, steps: int, features: int, units: int, seed: int) -> bytes:
    """A one-layer LSTM (Keras gate order i, f, c, o; return_sequences) as full-integer int8."""
    tf = require_module("tensorflow")
    rng = np.random.default_rng(seed)
    kernel = tf.constant(rng.normal(0, 0.5, (features, 4 * units)).astype(np.float32))
    recurrent = tf.constant(rng.normal(0, 0.5, (units, 4 * units)).astype(np.float32))
    bias = tf.constant(rng.normal(0, 0.3, (4 * units,)).astype(np.float32))

    def standard_lstm(x: Any, init_h: Any, init_c: Any, kernel: Any, recurrent_kernel: Any,
                      bias: Any) -> tuple[Any, ...]:  # Keras 2's standard_lstm signature
        h, c, outputs = init_h, init_c, []
        for t in range(steps):
            i, f, g, o = tf.split(x[:, t] @ kernel + h @ recurrent_kernel + bias, 4, axis=1)
            c = tf.sigmoid(f) * c + tf.sigmoid(i) * tf.tanh(g)
            h = tf.sigmoid(o) * tf.tanh(c)
            outputs.append(h)
        return h, tf.stack(outputs, axis=1), h, c, tf.constant(0.0)

    fused = tf.function(standard_lstm, experimental_attributes={
        "api_implements": "lstm_tinygen_test", "time_major": False, "go_backwards": False})

    @tf.function(input_signature=[tf.TensorSpec((1, steps, features), tf.float32)])
    def model(x: Any) -> Any:
        zeros = tf.zeros((1, units))
        return fused(x, zeros, zeros, kernel, recurrent, bias)[1]

    module = tf.Module()
    module.model = model
    tf.saved_model.save(module, str(path), signatures=model.get_concrete_function())
    lo, hi = rng.uniform(-3, -0.5), rng.uniform(0.5, 3)  # random input range -> random quantisation

    def representative() -> Iterator[list[np.ndarray]]:
        for _ in range(24):
            yield [rng.uniform(lo, hi, (1, steps, features)).astype(np.float32)]

    converter = tf.lite.TFLiteConverter.from_saved_model(str(path))
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = converter.inference_output_type = tf.int8
    return converter.convert()


@pytest.mark.parametrize("steps, features, units, seed", [(5, 9, 7, 1), (3, 4, 13, 2)])
def test_lstm_int8_sequence(tmp_path: Path, steps: int, features: int, units: int, seed: int) -> None:
    model = keras_lstm(tmp_path / "saved", steps, features, units, seed)
    assert_bit_exact(model, tmp_path, boards=BOARDS, vectors=SEQUENCE, seed=seed,
                     expect_ops={"UNIDIRECTIONAL_SEQUENCE_LSTM"})


@pytest.mark.parametrize("cell_clip, features, units", [(0.0, 5, 6), (0.4, 11, 9)])
def test_lstm_16x8_time_major_sequence(tmp_path: Path, cell_clip: float, features: int, units: int) -> None:
    """Depths with and without a tail past the last four values; an odd number of units (the last pair one)."""
    model = lstm_16x8(tmp_path / "lstm16.tflite", steps=4, batches=2, features=features, units=units, seed=3,
                      cell_clip=cell_clip)
    assert_bit_exact(model, tmp_path, boards=BOARDS, vectors=SEQUENCE, expect_ops={"UNIDIRECTIONAL_SEQUENCE_LSTM"})
