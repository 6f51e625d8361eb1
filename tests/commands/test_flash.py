"""`tinygen flash` end to end: dry-run commands for every real board and every --probe, exit 2 when a tool or
probe is missing, a MODEL built first, a build folder for another board refused.

Absent tools are absent from PATH; absent probes are the real replies of the tools (tests/flash/fakes.py)
or of pyOCD itself. No test can reach a board: fakes shadow the tools, and the pyOCD case skips when a
probe is attached.
"""

from __future__ import annotations

import json
import os
import shutil

import pytest

from tests.commands.test_cli import invoke, one_error_line, one_json_object
from tests.flash.builds import minimal_build, needs_arm
from tests.flash.fakes import NO_PROBE, fake_tool, logged_args, path_with, without_pyocd
from tests.test_boards import REAL
from tests.tools import require_module
from tinygen.build.make import STAMP
from tinygen.cli import COMMANDS, cli
from tinygen.commands.flash import flash
from tinygen.commands.options import JSON_SCHEMA_VERSION, default_model
from tinygen.flash.methods import BOOTSEL_NOTE, PYOCD_NOTE
from tinygen.resources import boards_dir

pytestmark = needs_arm

# Per board: pyOCD target, OpenOCD scripts, flash origin; then what a dry run prints by default.
BOARDS = {
    "stm32f746g-disco": ("stm32f746nghx", "-f board/stm32f7discovery.cfg", "0x08000000"),
    "nucleo-f767zi": ("stm32f767zi", "-f board/st_nucleo_f7.cfg", "0x08000000"),
    "nucleo-h743zi": ("stm32h743xx", "-f board/st_nucleo_h743zi.cfg", "0x08000000"),
    "nucleo-l4r5zi": ("stm32l4r5zitx", "-f board/st_nucleo_l4.cfg", "0x08000000"),
    "nrf52840dk": ("nrf52840", "-f interface/jlink.cfg -c 'transport select swd' -f target/nrf52.cfg", "0x00000000"),
    "rp2040-pico": ("rp2040", "-f interface/cmsis-dap.cfg -c 'transport select swd' -f target/rp2040.cfg",
                    "0x10000000"),
}
DEFAULT = {board: "picotool" if board == "rp2040-pico" else "pyocd" for board in BOARDS}


def test_flash_is_a_tinygen_command():
    assert COMMANDS["flash"] == "tinygen.commands.flash:flash" and cli.get_command(None, "flash") is flash


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    root = tmp_path_factory.mktemp("builds")
    return {board: minimal_build(root / board, board) for board in REAL}


def _expected(board: str, probe: str, folder) -> str:
    target, scripts, origin = BOARDS[board]
    elf, binary = folder / "firmware.elf", folder / "firmware.bin"
    return {
        "pyocd": f"pyocd load --target {target} {elf}\n# {PYOCD_NOTE}\n",
        "openocd": f"openocd {scripts} -c 'program {elf} verify reset exit'\n",
        "st-flash": f"arm-none-eabi-objcopy -O binary {elf} {binary}\nst-flash --reset write {binary} {origin}\n",
        "picotool": f"picotool load -x {elf}\n# {BOOTSEL_NOTE}\n",
    }[probe]


def test_the_table_covers_every_real_board():
    assert set(BOARDS) == REAL


@pytest.mark.parametrize("board", sorted(REAL))
def test_dry_run_prints_the_boards_own_command(builds, board):
    result = invoke("flash", builds[board], "--board", board, "--dry-run")
    assert result.stdout == _expected(board, DEFAULT[board], builds[board]) and result.stderr == ""


@pytest.mark.parametrize("probe", ["pyocd", "openocd", "st-flash", "picotool"])
@pytest.mark.parametrize("board", sorted(REAL))
def test_dry_run_prints_every_probe_override(builds, board, probe):
    result = invoke("flash", builds[board], "--board", board, "--probe", probe, "--dry-run")
    assert result.stdout == _expected(board, probe, builds[board])


def test_dry_run_json(builds):
    folder = builds["nucleo-h743zi"]
    payload = one_json_object(invoke("flash", folder, "--board", "nucleo-h743zi", "--probe", "st-flash",
                                     "--dry-run", "--json"))
    assert payload == {
        "schema_version": JSON_SCHEMA_VERSION, "board": "nucleo-h743zi", "method": "st-flash",
        "command": f"st-flash --reset write {folder / 'firmware.bin'} 0x08000000",
        "prepare": [f"arm-none-eabi-objcopy -O binary {folder / 'firmware.elf'} {folder / 'firmware.bin'}"],
        "api": False, "note": None, "elf": str(folder / "firmware.elf"), "dry_run": True,
    }
    assert not (folder / "firmware.bin").exists()  # a dry run writes nothing


@pytest.mark.parametrize("probe, board, missing, install", [
    ("openocd", "nucleo-f767zi", "openocd", "apt-get install openocd"),
    ("st-flash", "nucleo-f767zi", "st-flash", "apt-get install stlink-tools"),
    ("picotool", "rp2040-pico", "picotool", "apt-get install picotool"),
])
def test_a_missing_tool_is_exit_2_naming_it(builds, tmp_path, monkeypatch, probe, board, missing, install):
    bin_dir = tmp_path / "bin"  # holds objcopy only, so st-flash is the one missing
    bin_dir.mkdir()
    os.symlink(shutil.which("arm-none-eabi-objcopy"), bin_dir / "arm-none-eabi-objcopy")
    monkeypatch.setenv("PATH", str(bin_dir))
    result = invoke("flash", builds[board], "--board", board, "--probe", probe, exit_code=2)
    one_error_line(result, f"{missing}: not found on PATH; install it: {install}")
    assert result.stdout == ""
    result = invoke("flash", builds[board], "--board", board, "--probe", probe, "--json", exit_code=2)
    assert one_json_object(result)["error"]["exit_code"] == 2


@pytest.mark.parametrize("case, board, line", [
    ("openocd-stlink", "nucleo-l4r5zi", "no ST-LINK found by openocd (Error: open failed); connect the board's"),
    ("openocd-jlink", "nrf52840dk", "no J-Link found by openocd (Error: No J-Link device found); connect"),
    ("openocd-cmsis-dap", "rp2040-pico", "no CMSIS-DAP probe found by openocd"),
    ("st-flash", "stm32f746g-disco", "no ST-LINK found by st-flash ("),
    ("picotool", "rp2040-pico", "no RP2040 in BOOTSEL mode found by picotool (No accessible RP-series devices"),
])
def test_no_probe_is_exit_2_with_one_line(builds, tmp_path, monkeypatch, case, board, line):
    tool, output, code = NO_PROBE[case]
    fake_tool(tmp_path / "bin", tool, output, code)
    monkeypatch.setenv("PATH", path_with(tmp_path / "bin"))
    one_error_line(invoke("flash", builds[board], "--board", board, "--probe", tool, exit_code=2), line)


def test_no_probe_for_pyocd_is_exit_2(builds):
    require_module("pyocd")
    from pyocd.core.helpers import ConnectHelper

    if ConnectHelper.get_all_connected_probes(blocking=False, print_wait_message=False):
        pytest.skip("a debug probe is attached; this test would flash its board")
    result = invoke("flash", builds["nucleo-f767zi"], "--board", "nucleo-f767zi", exit_code=2)
    one_error_line(result, "no debug probe found by pyOCD (pyocd list shows none); connect the board's "
                           "ST-LINK/J-Link/CMSIS-DAP USB port")


def test_without_pyocd_the_board_default_says_how_to_install_it(builds, monkeypatch):
    without_pyocd(monkeypatch)
    result = invoke("flash", builds["nrf52840dk"], "--board", "nrf52840dk", exit_code=2)
    one_error_line(result, "pyOCD is not installed", "pip install 'tinygen[flash]'", "--probe openocd")


def test_flashing_runs_the_tool_and_says_so(builds, tmp_path, monkeypatch):
    log = fake_tool(tmp_path / "bin", "openocd")
    monkeypatch.setenv("PATH", path_with(tmp_path / "bin"))
    folder = builds["nucleo-f767zi"]
    result = invoke("flash", folder, "--board", "nucleo-f767zi", "--probe", "openocd")
    assert result.stdout == f"flashed {folder / 'firmware.elf'} to nucleo-f767zi with openocd\n"
    assert logged_args(log) == ["-f", "board/st_nucleo_f7.cfg", "-c",
                                f"program {folder / 'firmware.elf'} verify reset exit"]


def test_a_build_folder_for_another_board_is_refused(builds):
    result = invoke("flash", builds["nucleo-f767zi"], "--board", "nucleo-h743zi", "--dry-run", exit_code=2)
    one_error_line(result, "built for board 'nucleo-f767zi', not 'nucleo-h743zi'", "--board nucleo-f767zi")
    assert result.stdout == ""


def test_a_folder_that_is_not_a_build_is_refused(tmp_path):
    result = invoke("flash", tmp_path, "--board", "nucleo-f767zi", "--dry-run", exit_code=2)
    one_error_line(result, str(tmp_path), f"not a tinygen build folder (no {STAMP})")


def test_a_board_with_nothing_to_flash_is_refused_before_any_build(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("flash", "--board", "mps2-an386", "--dry-run", exit_code=2)
    one_error_line(result, "mps2-an386.toml: no [flash] table", "tinygen validate --emulate")
    assert not (tmp_path / "firmware_out").exists()


def test_a_model_is_built_first_then_reused(tmp_path, monkeypatch):
    """An emulated board with a [flash] table added: it builds with the semihosting harness on any checkout."""
    text = (boards_dir() / "mps2-an386.toml").read_text().replace('name = "mps2-an386"', 'name = "mps2-flash"')
    board = tmp_path / "mps2-flash.toml"
    board.write_text(text + '\n[flash]\nmethod = "openocd"\nopenocd_config = "board/mps2.cfg"\n')
    monkeypatch.chdir(tmp_path)
    payload = one_json_object(invoke("flash", default_model(), "--board", board, "--dry-run", "--json"))
    folder = tmp_path / "firmware_out" / "digits_cnn_int8-mps2-flash"
    elf = folder / "firmware.elf"
    assert os.path.samefile(payload["elf"], elf)
    assert payload["command"] == f"openocd -f board/mps2.cfg -c 'program {payload['elf']} verify reset exit'"
    assert json.loads((folder / STAMP).read_text())["board"] == "mps2-flash"
    built = elf.stat().st_mtime_ns
    again = one_json_object(invoke("flash", "--board", board, "--dry-run", "--json"))  # MODEL defaults to the example
    assert again["command"] == payload["command"] and elf.stat().st_mtime_ns == built
    from_folder = one_json_object(invoke("flash", folder, "--board", board, "--dry-run", "--json"))
    assert os.path.samefile(from_folder["elf"], elf)
    one_error_line(invoke("flash", folder, "--board", "nucleo-f767zi", "--dry-run", exit_code=2),
                   "built for board 'mps2-flash', not 'nucleo-f767zi'")
