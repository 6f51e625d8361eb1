"""Fault injection between pyserial and QEMU's UART: corrupted, dropped and duplicated bytes, a reset
mid-transfer, a dead link and a lying device. Validation completes bit-exact or fails with one clear
line within its timeout; it never hangs and never calls a wrong result bit-exact."""

from __future__ import annotations

import json
import random
import time

import pytest
from click.testing import CliRunner

from tests.models import EXAMPLE
from tests.validate.firmware import BOARD, uart_firmware
from tests.validate.proxy import Faults, Mangler, OutputForger, Proxy
from tinygen.boards import load_board
from tinygen.cli import cli
from tinygen.commands.options import default_model
from tinygen.validate.emulator import start_emulator

VECTORS = 8  # about 900 bytes towards the device: the 1% faults below damage a few on each run
TIMEOUT_S = 5
# Towards the device: IDENTIFY and two tensor queries take 37 bytes, each vector 109 (an 80-byte WRITE of the
# 64-byte input, INVOKE, READ), so 186 bytes lands inside the second vector's WRITE.
MID_SECOND_VECTOR = 186


@pytest.fixture(scope="module")
def firmware(tmp_path_factory):
    return uart_firmware(tmp_path_factory, EXAMPLE)


def validate_through(firmware, faults: Faults, to_host=None, timeout_s: float = TIMEOUT_S):
    """`tinygen validate --port` through a damaging proxy into QEMU: (click result, elapsed s, proxy, manglers)."""
    with start_emulator(load_board(BOARD), firmware.build.elf, monitor=True) as emulator:
        inbound, outbound = Mangler(faults, random.Random(1)), Mangler(faults, random.Random(2))
        proxy = Proxy(emulator.serial_port, inbound, to_host or outbound, faults, on_reset=emulator.reset)
        try:
            start = time.monotonic()
            result = CliRunner().invoke(cli, [
                "validate", str(default_model()), "--board", BOARD, "--port", proxy.url, "--random", str(VECTORS),
                "--timeout", str(timeout_s), "--json"])
            elapsed = time.monotonic() - start
        finally:
            proxy.close()
    assert "Traceback" not in result.stderr, result.stderr
    return result, elapsed, proxy, inbound, outbound


@pytest.mark.parametrize("faults", [Faults(corrupt=0.01), Faults(drop=0.01), Faults(duplicate=0.01)],
                         ids=["corrupt-1%", "drop-1%", "duplicate-1%"])
def test_damaged_bytes_are_survived_bit_exact(firmware, faults):
    result, _, _, inbound, outbound = validate_through(firmware, faults)
    assert inbound.damaged + outbound.damaged > 0  # the faults really happened
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["bit_exact"] and report["vectors"] == VECTORS
    link = report["link"]
    assert link["resends"] + link["damaged_replies"] + link["damaged_requests"] > 0


def test_device_reset_mid_transfer_restarts_the_vector(firmware):
    result, _, proxy, _, _ = validate_through(firmware, Faults(reset_after=MID_SECOND_VECTOR))
    assert proxy.resets == 1
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["bit_exact"] and report["vectors"] == VECTORS
    assert report["link"]["vector_restarts"] >= 1


def test_dead_link_fails_clearly_within_the_timeout(firmware):
    result, elapsed, _, _, _ = validate_through(firmware, Faults(cut_after=MID_SECOND_VECTOR), timeout_s=1)
    assert result.exit_code == 1
    error = json.loads(result.stdout)["error"]["message"]
    assert "no reply to" in error and "within 1 s" in error
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("tinygen: error: ")
    assert elapsed < 15  # planning and QEMU start, plus one request's 1 s timeout


def test_forged_output_is_reported_as_a_mismatch(firmware):
    forger = OutputForger()
    result, _, _, _, _ = validate_through(firmware, Faults(), to_host=forger)
    assert forger.forged >= VECTORS
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["bit_exact"] is False
    assert report["outputs"][0]["mismatched_vectors"] == VECTORS and report["outputs"][0]["max_abs_diff"] >= 1
