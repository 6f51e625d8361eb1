"""SVDF bit-exact against TensorFlow Lite Micro over a sequence: the state carries from one invocation to the next
on both sides (TFLite Micro's reference runs one interpreter through the vectors), so every output after the
first depends on all the inputs before it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ops.harness import assert_bit_exact
from tests.synthetic import svdf

BOARDS = ("host", "mps2-an386")
STEPS = 24  # more than any memory below, so states wrap around fully


@pytest.mark.parametrize(("state", "batch", "rank", "memory", "layers"),
                         [("INT16", 1, 2, 7, 2), ("INT8", 2, 3, 5, 1)])
def test_svdf_sequence(tmp_path: Path, state: str, batch: int, rank: int, memory: int, layers: int) -> None:
    model = svdf(tmp_path / "svdf.tflite", seed=11, state=state, batch=batch, rank=rank, memory=memory,
                 layers=layers)
    assert_bit_exact(model, tmp_path, boards=BOARDS, vectors=STEPS, expect_ops={"SVDF"})
