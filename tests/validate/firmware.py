"""The validation firmware the QEMU tests share: the bundled example on mps2-an386, built once per test session."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.models import model_path
from tests.tools import require_tool
from tinygen.boards import load_board
from tinygen.commands.options import default_model
from tinygen.importers.tflite import load_tflite
from tinygen.pipeline import Firmware, build_firmware

BOARD = "mps2-an386"


def uart_firmware(tmp_path_factory: pytest.TempPathFactory, model: str) -> Firmware:
    """`model` (the bundled example's name or a shared model's) with the UART harness; later calls reuse the
    first build."""
    path = model_path(model)
    require_tool("qemu-system-arm")
    require_tool("arm-none-eabi-gcc")
    directory = tmp_path_factory.getbasetemp() / f"{model}-uart"
    return build_firmware(path, load_board(BOARD), directory, reuse=True, harness="uart")


def retrained_example(directory: Path) -> Path:
    """The bundled example with one filter value changed: a model of the same shape whose firmware differs, as
    a retrained one's would (another hash, the same inputs and outputs)."""
    raw = bytearray(default_model().read_bytes())
    graph = load_tflite(default_model())
    largest = max((t for t in graph.tensors if t.is_constant), key=lambda t: t.size_bytes)
    at = bytes(raw).find(np.ascontiguousarray(largest.data).tobytes())
    assert at > 0, "the largest constant's bytes are not stored as-is in the example"
    raw[at] ^= 1
    path = directory / "digits_cnn_int8_retrained.tflite"
    path.write_bytes(bytes(raw))
    return path
