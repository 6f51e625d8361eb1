"""The validation firmware the QEMU tests share: kws_ref_model on mps2-an386, built once per test session."""

from __future__ import annotations

import shutil

import pytest

from tests.models import shared_model
from tinygen.boards import load_board
from tinygen.pipeline import Firmware, build_firmware

BOARD = "mps2-an386"


def kws_uart_firmware(tmp_path_factory: pytest.TempPathFactory) -> Firmware:
    """Skips cleanly without ../shared, QEMU or the Arm compiler; later calls reuse the first build."""
    model = shared_model("kws_ref_model")
    for tool, package in (("qemu-system-arm", "qemu-system-arm"), ("arm-none-eabi-gcc", "gcc-arm-none-eabi")):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} missing: apt-get install {package}")
    directory = tmp_path_factory.getbasetemp() / "kws-uart"
    return build_firmware(model, load_board(BOARD), directory, reuse=True, harness="uart")
