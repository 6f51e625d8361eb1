"""flash/methods.py: the method each board file names, each tool's exact command, and setups refused early."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_boards import REAL
from tinygen.boards import load_board
from tinygen.errors import InputError
from tinygen.flash.image import LoadRange
from tinygen.flash.methods import BOOTSEL_NOTE, OBJCOPY, PYOCD_NOTE, flash_setup
from tinygen.resources import boards_dir

ELF = Path("out/firmware.elf")
F767 = LoadRange(0x08000000, 0x08001000)
DEFAULTS = {"stm32f746g-disco": "pyocd", "nucleo-f767zi": "pyocd", "nucleo-h743zi": "pyocd",
            "nucleo-l4r5zi": "pyocd", "nrf52840dk": "pyocd", "rp2040-pico": "picotool"}


def _command(board: str, probe: str | None, image: LoadRange = F767):
    return flash_setup(load_board(board), probe).command(ELF, image)


def test_every_real_board_has_a_default_method():
    assert set(DEFAULTS) == REAL
    assert {board: flash_setup(load_board(board), None).method for board in REAL} == DEFAULTS


def test_pyocd_is_the_api_with_its_command_line_equivalent():
    command = _command("nucleo-f767zi", None)
    assert command.argv == ("pyocd", "load", "--target", "stm32f767zi", "out/firmware.elf")
    assert command.api and command.programs == () and command.note == PYOCD_NOTE and command.prepare == ()


def test_openocd_with_a_board_script():
    command = _command("nucleo-f767zi", "openocd")
    assert command.lines() == ["openocd -f board/st_nucleo_f7.cfg -c 'program out/firmware.elf verify reset exit'"]
    assert command.programs == ("openocd",) and not command.api


def test_openocd_with_interface_and_target_scripts_selects_swd():
    command = _command("nrf52840dk", "openocd", LoadRange(0, 0x1000))
    assert command.argv == ("openocd", "-f", "interface/jlink.cfg", "-c", "transport select swd",
                            "-f", "target/nrf52.cfg", "-c", "program out/firmware.elf verify reset exit")


def test_openocd_braces_a_path_tcl_would_split():
    command = flash_setup(load_board("nucleo-f767zi"), "openocd").command(Path("my builds/firmware.elf"), F767)
    assert command.argv[-1] == "program {my builds/firmware.elf} verify reset exit"


def test_st_flash_writes_a_bin_made_by_objcopy_at_the_code_origin():
    command = _command("nucleo-f767zi", "st-flash")
    assert command.prepare == ((OBJCOPY, "-O", "binary", "out/firmware.elf", "out/firmware.bin"),)
    assert command.argv == ("st-flash", "--reset", "write", "out/firmware.bin", "0x08000000")
    assert command.programs == (OBJCOPY, "st-flash")


@pytest.mark.parametrize("image", [LoadRange(0x08000100, 0x08001000), LoadRange(0x08000000, 0x08200001)],
                         ids=["after the origin", "past the code region"])
def test_st_flash_refuses_an_image_its_flat_bin_would_misplace(image):
    with pytest.raises(InputError, match="st-flash's flat .bin would land in the wrong place"):
        _command("nucleo-f767zi", "st-flash", image)


def test_picotool_loads_the_elf_and_runs_it():
    command = _command("rp2040-pico", None, LoadRange(0x10000000, 0x10001000))
    assert command.argv == ("picotool", "load", "-x", "out/firmware.elf") and command.note == BOOTSEL_NOTE


def test_host_and_emulated_boards_have_nothing_to_flash():
    with pytest.raises(InputError, match="host board is a native process"):
        flash_setup(load_board("host"), "openocd")
    with pytest.raises(InputError, match=r"mps2-an386.toml: no \[flash\] table.*it is emulated: use tinygen run"):
        flash_setup(load_board("mps2-an386"), None)


def test_a_board_without_flash_table_needs_probe_and_what_the_probe_needs(tmp_path):
    text = (boards_dir() / "nucleo-f767zi.toml").read_text()
    path = tmp_path / "bare.toml"
    path.write_text(text[:text.index("[flash]")].replace('name = "nucleo-f767zi"', 'name = "bare"'))
    board = load_board(str(path))
    with pytest.raises(InputError, match=r"bare.toml: no \[flash\] table.*pass --probe pyocd\|openocd"):
        flash_setup(board, None)
    with pytest.raises(InputError, match=r"bare.toml: \[flash\] has no target, which pyOCD needs"):
        flash_setup(board, "pyocd")
    with pytest.raises(InputError, match=r"bare.toml: \[flash\] has no openocd_config, which OpenOCD needs"):
        flash_setup(board, "openocd")
    assert flash_setup(board, "st-flash").command(ELF, F767).argv[-1] == "0x08000000"
