"""Outputs known at generation time against TFLite Micro: ZEROS_LIKE (int8). TensorFlow's converter folds it
away in every model with static shapes, so the model is written directly (tests/synthetic.py); a quantised
input with a non-zero zero point shows the output is zero bytes, not the zero point."""

from tests.ops.harness import assert_bit_exact
from tests.synthetic import _Writer

BOARDS = ("host", "mps2-an386")

def test_zeros_like(tmp_path):
    w = _Writer()
    x = w.tensor("x", (1, 5, 3), scale=0.07, zero_point=-17)
    y = w.tensor("zeros", (1, 5, 3), scale=0.07, zero_point=-17)
    doubled = w.tensor("doubled", (1, 5, 6), scale=0.07, zero_point=-17)
    w.op("ZEROS_LIKE", [x], [y])
    options = w.schema.ConcatenationOptionsT()
    options.axis = 2
    w.op("CONCATENATION", [x, y], [doubled], options, "ConcatenationOptions")
    path = w.write(tmp_path / "zeros_like.tflite", [x], [doubled])
    assert_bit_exact(path, tmp_path, boards=BOARDS, expect_ops={"ZEROS_LIKE"})
