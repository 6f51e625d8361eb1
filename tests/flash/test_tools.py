"""flash/tools.py: tools run in order with exact arguments; missing tools, absent probes and failures told apart."""

from __future__ import annotations

import pytest

from tests.flash.builds import minimal_build, needs_arm
from tests.flash.fakes import NO_PROBE, fake_tool, logged_args, path_with
from tinygen.boards import load_board
from tinygen.errors import InputError, TinygenError
from tinygen.flash import tools
from tinygen.flash.image import load_range
from tinygen.flash.methods import flash_setup
from tinygen.flash.tools import run_command


def _command(folder, board: str, probe: str):
    elf = folder / "firmware.elf"
    return flash_setup(load_board(board), probe).command(elf, load_range(elf, load_board(board)))


@needs_arm
def test_st_flash_runs_objcopy_then_writes_the_bin(tmp_path, monkeypatch):
    folder = minimal_build(tmp_path / "fw", "nucleo-f767zi")
    log = fake_tool(tmp_path / "bin", "st-flash")
    monkeypatch.setenv("PATH", path_with(tmp_path / "bin"))
    command = _command(folder, "nucleo-f767zi", "st-flash")
    run_command(command)
    image = load_range(folder / "firmware.elf", load_board("nucleo-f767zi"))
    assert (folder / "firmware.bin").stat().st_size == image.end - image.start
    assert logged_args(log) == ["--reset", "write", str(folder / "firmware.bin"), "0x08000000"]


@needs_arm
def test_every_program_is_looked_for_before_any_runs(tmp_path, monkeypatch):
    folder = minimal_build(tmp_path / "fw", "nucleo-f767zi")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(InputError, match="^arm-none-eabi-objcopy: not found on PATH; install it: apt-get install "
                                         "gcc-arm-none-eabi"):
        run_command(_command(folder, "nucleo-f767zi", "st-flash"))
    assert not (folder / "firmware.bin").exists()


@needs_arm
@pytest.mark.parametrize("case, board, looked_for", [
    ("openocd-stlink", "nucleo-f767zi", "no ST-LINK found by openocd (Error: open failed)"),
    ("openocd-jlink", "nrf52840dk", "no J-Link found by openocd (Error: No J-Link device found)"),
    ("openocd-cmsis-dap", "rp2040-pico", ("no CMSIS-DAP probe found by openocd (Error: unable to find a matching "
                                          "CMSIS-DAP device)")),
    ("st-flash", "nucleo-f767zi", ("no ST-LINK found by st-flash (2026-11-23T21:20:18 WARN usb.c: Couldn't find any "
                                   "ST-Link devices)")),
    ("picotool", "rp2040-pico", ("no RP2040 in BOOTSEL mode found by picotool (No accessible RP-series devices in "
                                 "BOOTSEL mode were found.)")),
])
def test_no_probe_is_an_input_error_naming_what_was_looked_for(tmp_path, monkeypatch, case, board, looked_for):
    tool, output, code = NO_PROBE[case]
    folder = minimal_build(tmp_path / "fw", board)
    fake_tool(tmp_path / "bin", tool, output, code)
    monkeypatch.setenv("PATH", path_with(tmp_path / "bin"))
    with pytest.raises(InputError) as error:
        run_command(_command(folder, board, tool))
    assert str(error.value).startswith(looked_for + "; ")


@needs_arm
def test_a_failed_flash_is_exit_1_with_the_tools_reason(tmp_path, monkeypatch):
    folder = minimal_build(tmp_path / "fw", "nucleo-f767zi")
    fake_tool(tmp_path / "bin", "openocd",
              "Info : clock speed 2000 kHz\n** Verify Failed **\nshutdown command invoked\n", 1)
    monkeypatch.setenv("PATH", path_with(tmp_path / "bin"))
    command = _command(folder, "nucleo-f767zi", "openocd")
    with pytest.raises(TinygenError) as error:
        run_command(command)
    assert type(error.value) is TinygenError and error.value.exit_code == 1
    assert str(error.value) == (f"openocd failed with exit code 1 (** Verify Failed **); the command was: "
                                f"{command.lines()[-1]}")


@needs_arm
def test_a_tool_that_hangs_is_stopped(tmp_path, monkeypatch):
    folder = minimal_build(tmp_path / "fw", "rp2040-pico")
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "picotool").write_text("#!/bin/sh\nexec sleep 30\n")
    (tmp_path / "bin" / "picotool").chmod(0o755)
    monkeypatch.setenv("PATH", path_with(tmp_path / "bin"))
    monkeypatch.setattr(tools, "TIMEOUT_S", 1.0)
    with pytest.raises(TinygenError, match="picotool did not finish within 1 s"):
        run_command(_command(folder, "rp2040-pico", "picotool"))
