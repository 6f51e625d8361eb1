"""Cycles per layer over the serial link: the PROFILE request, paged, against a scripted device and in QEMU."""

import struct

import pytest

from tests.commands.test_cli import invoke, one_error_line
from tests.tools import require_tool
from tests.validate.test_session import reply, session
from tinygen.boards import load_board
from tinygen.commands.options import default_model
from tinygen.errors import TinygenError
from tinygen.pipeline import build_firmware
from tinygen.profile.device import profile_device, step_cycles
from tinygen.profile.measure import peer_input
from tinygen.protocol import Command, Counter
from tinygen.validate.emulator import start_emulator
from tinygen.validate.flow import identify, run_vectors
from tinygen.validate.messages import PayloadError, StepCycles
from tinygen.validate.session import DeviceSession, StateLost, resend_after_s

BOARD = "mps2-an386"


def test_step_cycles_pages_through_every_step():
    cycles = [1000 + 7 * i for i in range(70)]  # more than one reply holds (64 a page)

    def script(frame, copy):
        assert frame.kind == Command.PROFILE
        (first,) = struct.unpack("<H", frame.payload)
        page = cycles[first:first + 64]
        return reply(frame, struct.pack(f"<BHH{len(page)}I", Counter.DWT, len(cycles), first, *page))

    s, _ = session(script)
    measured = step_cycles(s)
    assert measured.counter == Counter.DWT and measured.steps == 70 and list(measured.cycles) == cycles
    assert s.stats.requests == 2


@pytest.mark.parametrize("payload", [b"\x01\x02", struct.pack("<BHH3I", 1, 2, 0, 5, 6, 7), b"\x01\x02\x00\x00\x00\x01"])
def test_malformed_profile_replies_are_refused(payload):
    with pytest.raises(PayloadError):
        StepCycles.parse(payload)


@pytest.fixture(scope="module")
def profile_uart(tmp_path_factory):
    require_tool("qemu-system-arm")
    require_tool("arm-none-eabi-gcc")
    directory = tmp_path_factory.mktemp("profile-uart")
    return build_firmware(default_model(), load_board(BOARD), directory, harness="uart", profile=True), directory


def test_the_profile_build_reports_its_steps_and_that_qemu_has_no_counter(profile_uart):
    firmware, _ = profile_uart
    board = load_board(BOARD)
    with start_emulator(board, firmware.build.elf) as emulator:
        link = emulator.connect(5.0)
        try:
            s = DeviceSession(link, "qemu", 5.0, resend_after_s(board.console.baud))
            identity = identify(s, firmware.code, default_model(), board.cpu.clock_hz)
            with pytest.raises(StateLost):  # no INVOKE yet: nothing measured
                step_cycles(s)
            run_vectors(s, identity, firmware.code, [peer_input(firmware.code.inputs)])
            measured = step_cycles(s)
            assert measured.steps == len(firmware.code.steps) == len(measured.cycles)
            assert measured.counter == Counter.NONE and set(measured.cycles) == {0}  # QEMU's DWT never counts
            with pytest.raises(TinygenError, match="QEMU does not model the DWT"):
                profile_device(s, firmware, default_model(), board, emulated=True)
        finally:
            link.close()


def test_profile_port_runs_the_serial_path_end_to_end(profile_uart):
    firmware, directory = profile_uart
    with start_emulator(load_board(BOARD), firmware.build.elf) as emulator:
        result = invoke("profile", "--board", BOARD, "-o", directory, "--port", emulator.url, exit_code=1)
    one_error_line(result, "no cycles per layer", "no working cycle counter")


@pytest.mark.tools("qemu-system-arm", "arm-none-eabi-gcc")
def test_a_firmware_without_profiling_is_named_as_the_problem(tmp_path):
    firmware = build_firmware(default_model(), load_board(BOARD), tmp_path / "uart", harness="uart")
    with start_emulator(load_board(BOARD), firmware.build.elf) as emulator:
        result = invoke("profile", "--board", BOARD, "-o", tmp_path / "p", "--port", emulator.url, exit_code=1)
    one_error_line(result, "refused PROFILE", f"tinygen flash {tmp_path / 'p'}")
