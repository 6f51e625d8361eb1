"""The validation firmware the QEMU tests share: kws_ref_model on mps2-an386, built once per test session."""

from __future__ import annotations

import pytest

from tests.models import shared_model
from tests.tools import require_tool
from tinygen.boards import load_board
from tinygen.pipeline import Firmware, build_firmware

BOARD = "mps2-an386"


def kws_uart_firmware(tmp_path_factory: pytest.TempPathFactory) -> Firmware:
    """Skips cleanly without ../shared; later calls reuse the first build."""
    model = shared_model("kws_ref_model")
    require_tool("qemu-system-arm")
    require_tool("arm-none-eabi-gcc")
    directory = tmp_path_factory.getbasetemp() / "kws-uart"
    return build_firmware(model, load_board(BOARD), directory, reuse=True, harness="uart")
