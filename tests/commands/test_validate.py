"""`tinygen validate`: bit-exact through QEMU's UART (the issue's acceptance), and one clear line for a
firmware built for another model, a port that does not answer, one that cannot be opened, and misuse."""

from __future__ import annotations

import json
import socket
import time

import pytest
from click.testing import CliRunner

from tests.models import EXAMPLE, model_path
from tests.mutants import mutated_example, reshaped_input
from tests.validate.firmware import BOARD, retrained_example, uart_firmware
from tinygen.boards import load_board
from tinygen.cli import cli
from tinygen.commands.options import default_model
from tinygen.ir.graph import MAX_RANK
from tinygen.lower.program import model_hash
from tinygen.validate.emulator import start_emulator


@pytest.fixture(scope="module")
def firmware(tmp_path_factory):
    return uart_firmware(tmp_path_factory, EXAMPLE)


def tinygen(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args], prog_name="tinygen")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"tinygen {' '.join(map(str, args))} crashed") from result.exception
    return result


def one_error(result, exit_code: int, *needles) -> str:
    assert result.exit_code == exit_code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1, result.stderr
    message = json.loads(result.stdout)["error"]["message"]
    for needle in needles:
        assert needle in message
    return message


@pytest.mark.tools("qemu-system-arm", "arm-none-eabi-gcc")
@pytest.mark.parametrize("model, output, writes", [  # WRITEs per vector: 256 input bytes each
    (EXAMPLE, "StatefulPartitionedCall_1:0", 1),  # 8x8x1 = 64 bytes
    pytest.param("kws_ref_model", "Identity", 2, marks=pytest.mark.shared_models),  # 49x10x1 = 490 bytes
])
def test_model_is_bit_exact_through_the_emulated_uart(tmp_path, monkeypatch, model, output, writes):
    """The acceptance command, as typed: it builds the UART harness itself (default folder, in tmp_path)."""
    monkeypatch.chdir(tmp_path)
    path = model_path(model)
    result = tinygen("validate", path, "--board", BOARD, "--emulate", "--random", 5, "--json")
    assert result.exit_code == 0, (result.stdout, result.stderr)
    report = json.loads(result.stdout)
    assert report["bit_exact"] is True and report["vectors"] == 5 and report["emulated"] is True
    assert report["outputs"] == [{"index": 0, "name": output, "bit_exact": True, "mismatched_vectors": 0,
                                  "mismatched_elements": 0, "max_abs_diff": 0}]
    assert report["device"]["model_hash"] == model_hash(path)
    assert report["device"]["build"].startswith("tinygen ") and BOARD in report["device"]["build"]
    latency = report["latency"]
    assert latency["cycles"] is None and latency["ms"] is None and "QEMU does not model" in latency["unavailable"]
    assert latency["clock_hz"] == load_board(BOARD).cpu.clock_hz
    # IDENTIFY, one query per tensor; per vector the WRITEs, INVOKE, READ (a clean link resends nothing)
    assert report["link"]["requests"] == 3 + 5 * (writes + 2) and report["link"]["resends"] == 0
    assert report["directory"].endswith(f"firmware_out/{model}-mps2-an386-uart")


@pytest.mark.tools("qemu-system-arm", "arm-none-eabi-gcc")
def test_an_input_of_the_highest_accepted_rank_round_trips(tmp_path):
    """The firmware's TENSOR reply for a rank-MAX_RANK input (16 + 4 * rank bytes) reaches the host whole: the host
    compares the shape it reports with the model's before it sends a vector."""
    shape = [1] * (MAX_RANK - 3) + [8, 8, 1]
    path = mutated_example(tmp_path, f"rank{MAX_RANK}", lambda model: reshaped_input(model, shape))
    result = tinygen("validate", path, "--board", BOARD, "--emulate", "-o", tmp_path / "fw", "--random", 2, "--json")
    assert result.exit_code == 0, (result.stdout, result.stderr)
    report = json.loads(result.stdout)
    assert report["bit_exact"] is True and report["vectors"] == 2


def test_table_names_the_verdict_and_why_cycles_are_missing(firmware):
    result = tinygen("validate", default_model(), "--board", BOARD, "--emulate", "-o", firmware.build.directory,
                     "--random", 2)
    assert result.exit_code == 0, (result.stdout, result.stderr)
    text = " ".join(result.stdout.split())
    assert "BIT-EXACT: 2 vectors" in text and "StatefulPar" in text  # the output's name, cut to the table's width
    assert "cycles unavailable: QEMU does not model the DWT cycle counter" in text


def test_firmware_for_another_model_is_refused(firmware, tmp_path):
    other = retrained_example(tmp_path)
    with start_emulator(load_board(BOARD), firmware.build.elf) as emulator:
        result = tinygen("validate", other, "--board", BOARD, "--port", emulator.url, "--json")
    one_error(result, 2, "firmware is for another model", model_hash(default_model()), model_hash(other))


@pytest.mark.tools("qemu-system-arm", "arm-none-eabi-gcc")
def test_firmware_that_faults_is_named_with_qemus_exit(tmp_path):
    """A UART at an address with nothing behind it: the first register write faults, and the startup
    code's fault handler ends QEMU through semihosting."""
    text = load_board(BOARD).path.read_text().replace('name = "mps2-an386"', 'name = "no-uart"')
    board = tmp_path / "no-uart.toml"
    board.write_text(text.replace("base = 0x40004000", "base = 0xF0000000"))
    result = tinygen("validate", "--board", board, "--emulate", "-o", tmp_path / "fw", "--timeout", 3, "--json")
    one_error(result, 1, "QEMU exited with status 1", "firmware faulted")


def test_silent_port_fails_within_the_timeout():
    with socket.create_server(("127.0.0.1", 0)) as server:  # accepts (backlog) but never answers
        start = time.monotonic()
        result = tinygen("validate", "--board", BOARD, "--port", f"socket://127.0.0.1:{server.getsockname()[1]}",
                         "--timeout", 1, "--json")
        elapsed = time.monotonic() - start
    one_error(result, 1, "no reply to IDENTIFY within 1 s", "validation firmware")
    assert elapsed < 5


@pytest.mark.parametrize("args, needle", [
    (["--port", "/dev/tinygen-no-such-port"], "/dev/tinygen-no-such-port: cannot open"),
    ([], "give either --port"),
    (["--port", "socket://127.0.0.1:9", "--emulate"], "not both"),
    (["--board", "nucleo-f767zi", "--emulate"], "nucleo-f767zi: not emulated"),
    (["--board", "host", "--port", "socket://127.0.0.1:9"], "host: no [console]"),
], ids=["unopenable-port", "no-target", "two-targets", "real-board-emulated", "no-uart"])
def test_bad_arguments_are_one_line_exit_2(args, needle):
    args = ["--board", BOARD, *args] if "--board" not in args else args
    one_error(tinygen("validate", *args, "--json"), 2, needle)
