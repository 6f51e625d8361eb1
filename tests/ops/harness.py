"""Make one-op (or few-op) int8 models with TensorFlow's converter and check tinygen bit-exact on them.

Used by every operator test: `convert` builds a Keras graph and quantises it
with random calibration ranges (so scales and zero points vary with the seed);
`assert_bit_exact` builds the model for each board, runs seeded random
vectors and compares with TensorFlow Lite Micro element by element.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.tools import require_module, require_tool
from tinygen.boards import load_board
from tinygen.pipeline import build_firmware, run_firmware
from tinygen.quant.convert import configure_quantization
from tinygen.run.vectors import random_vectors

BOARDS = ("host", "mps2-an386", "mps3-an547")  # portable C, the DSP kernels, the Helium kernels


def convert(build, input_shapes, seed: int = 0, io: str = "int8", calib: int = 24, int32_bias: bool = False) -> bytes:
    """`build(*inputs)` returns the Keras output tensor(s); batch size 1; full-integer int8 (`io` "int8" or "float"
    ends), or TensorFlow's 16x8 mode (int16 activations, int8 weights) with int16 (`io="int16"`) or float
    (`io="float16x8"`) inputs and outputs; `int32_bias`: 16x8 with int32 biases (the converter's default is int64)."""
    tf = require_module("tensorflow")
    tf.keras.utils.set_random_seed(seed)
    inputs = [tf.keras.Input(shape, batch_size=1) for shape in input_shapes]
    outputs = build(*inputs)
    model = tf.keras.Model(inputs, outputs)
    rng = np.random.default_rng(seed)
    spans = [(rng.uniform(-3, 0), rng.uniform(0.5, 4)) for _ in input_shapes]  # random ranges -> random quant

    def representative():
        for _ in range(calib):
            yield [rng.uniform(lo, hi, (1, *shape)).astype(np.float32)
                   for (lo, hi), shape in zip(spans, input_shapes, strict=True)]

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if io in ("int16", "float16x8"):
        configure_quantization(converter, representative, "int8" if io == "int16" else "float", "int16")
        if int32_bias:
            converter._experimental_full_integer_quantization_bias_type = tf.int32
    else:
        configure_quantization(converter, representative, io)
    return converter.convert()


def lam(fn):
    """A Keras Lambda layer around `fn`: a TensorFlow op the converter writes as one TFLite operator."""
    tf = require_module("tensorflow")
    return tf.keras.layers.Lambda(fn)


def assert_bit_exact(model: bytes | Path, tmp_path: Path, boards=BOARDS, vectors: int = 6, seed: int = 0,
                     expect_ops: set[str] | None = None, vectors_for=None) -> None:
    """Build for each board (QEMU for emulated ones), run `vectors` random inputs, require equality.

    `vectors_for(firmware)` replaces the random vectors when a test needs inputs of its own.
    """
    path = model if isinstance(model, Path) else tmp_path / "model.tflite"
    if not isinstance(model, Path):
        path.write_bytes(model)
    for name in boards:
        if name != "host":
            require_tool("qemu-system-arm")
        board = load_board(name)
        firmware = build_firmware(path, board, output=tmp_path / name)
        if expect_ops is not None:
            assert expect_ops <= set(firmware.graph.opcode_counts()), firmware.graph.opcode_counts()
        if vectors_for is None:
            inputs = random_vectors(firmware.code.inputs, vectors, seed)
        else:
            inputs = vectors_for(firmware)
        result = run_firmware(firmware, path, board, inputs, timeout_s=120)
        assert result.vectors == len(inputs)
        assert result.bit_exact, (
            f"{name}: {result.mismatches}/{len(inputs)} vectors differ, {result.mismatched_elements} elements, "
            f"max |diff| {result.max_abs_diff}"
        )
