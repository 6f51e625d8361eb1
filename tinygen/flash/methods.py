"""Which tool flashes a board and the exact command it takes: the one place that knows the tools' syntax.

The board file's `[flash]` table names the default method and what each tool needs (the pyOCD target,
the OpenOCD scripts); `--probe` picks another tool. `flash_setup` checks all that before anything is
built, so a board that cannot be flashed fails in a second, not after a compile.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from tinygen.boards import Board, MemoryRegion
from tinygen.errors import InputError
from tinygen.flash.image import LoadRange

METHODS = ("pyocd", "openocd", "st-flash", "picotool")
OBJCOPY = "arm-none-eabi-objcopy"
PYOCD_NOTE = "pyOCD's Python API does this (program, then reset); the line above is the equivalent command"
BOOTSEL_NOTE = "the Pico must be in BOOTSEL mode: hold BOOTSEL while plugging in its USB cable"


@dataclass(frozen=True)
class FlashCommand:
    method: str
    argv: tuple[str, ...]  # the flashing command; for pyOCD the command line equivalent to the API calls
    prepare: tuple[tuple[str, ...], ...] = ()  # run first, in order (st-flash: the .bin from the ELF)
    api: bool = False  # pyOCD: done through its Python API, argv is not run
    note: str | None = None  # what the user must know or do

    @property
    def programs(self) -> tuple[str, ...]:
        """Executables that must be on PATH; none when the Python API does the work."""
        return () if self.api else tuple(dict.fromkeys(argv[0] for argv in (*self.prepare, self.argv)))

    def lines(self) -> list[str]:
        """Every command as a shell line, in the order it runs."""
        return [shlex.join(argv) for argv in (*self.prepare, self.argv)]


@dataclass(frozen=True)
class FlashSetup:
    board: str
    method: str
    target: str | None  # pyOCD target name
    openocd_interface: str | None
    openocd_config: str | None
    code: MemoryRegion  # st-flash writes the flat image at its origin

    @property
    def pyocd_target(self) -> str:
        assert self.target is not None  # flash_setup requires it for pyOCD
        return self.target

    def command(self, elf: Path, image: LoadRange) -> FlashCommand:
        if self.method == "pyocd":
            return FlashCommand("pyocd", ("pyocd", "load", "--target", self.pyocd_target, str(elf)), api=True,
                                note=PYOCD_NOTE)
        if self.method == "openocd":
            assert self.openocd_config is not None  # flash_setup requires it for OpenOCD
            # A separate interface script needs the transport a board script would select; every part
            # here is debugged over SWD, and J-Link adapters default to JTAG (OpenOCD 0.12).
            interface = ("-f", self.openocd_interface, "-c", "transport select swd") if self.openocd_interface else ()
            return FlashCommand("openocd", ("openocd", *interface, "-f", self.openocd_config,
                                            "-c", f"program {_tcl_word(elf)} verify reset exit"))
        if self.method == "st-flash":
            return self._st_flash(elf, image)
        return FlashCommand("picotool", ("picotool", "load", "-x", str(elf)), note=BOOTSEL_NOTE)

    def _st_flash(self, elf: Path, image: LoadRange) -> FlashCommand:
        """st-flash writes a flat .bin at one address, right only for one block that starts at the code origin."""
        code = self.code
        if image.start != code.origin or image.end > code.end:
            raise InputError(f"{elf}: loads {image.start:#010x}-{image.end - 1:#010x}, not one block from the "
                             f"'{code.name}' origin {code.origin:#010x}, so st-flash's flat .bin would land in the "
                             "wrong place; flash it with --probe openocd or pyocd, which read the ELF's addresses")
        binary = elf.with_suffix(".bin")
        return FlashCommand("st-flash", ("st-flash", "--reset", "write", str(binary), f"{code.origin:#010x}"),
                            prepare=((OBJCOPY, "-O", "binary", str(elf), str(binary)),))


def flash_setup(board: Board, probe: str | None) -> FlashSetup:
    """The method (`probe` or the board's default) with what it needs from the board file, checked."""
    where = board.path.name
    if board.cpu.core == "host":
        raise InputError(f"{board.name}: the host board is a native process, nothing to flash; "
                         "use tinygen run --board host")
    if probe:
        method = probe
    elif board.flash is not None:
        method = board.flash.method
    else:
        fix = ("it is emulated: use tinygen run or tinygen validate --emulate" if board.emulated
               else f"add one (see boards/README.md) or pass --probe {'|'.join(METHODS)}")
        raise InputError(f"{where}: no [flash] table, so no flashing method; {fix}")
    target = board.flash.target if board.flash else None
    interface = board.flash.openocd_interface if board.flash else None
    config = board.flash.openocd_config if board.flash else None
    if method == "pyocd" and target is None:
        raise InputError(f"{where}: [flash] has no target, which pyOCD needs; add target = \"...\" "
                         "(a name from pyocd list --targets) or pass --probe openocd")
    if method == "openocd" and config is None:
        raise InputError(f"{where}: [flash] has no openocd_config, which OpenOCD needs; add e.g. "
                         "openocd_config = \"board/st_nucleo_f7.cfg\" or pass --probe pyocd")
    return FlashSetup(board.name, method, target, interface, config, board.region(board.placement.code))


def _tcl_word(path: Path) -> str:
    """The path as one Tcl word: bare when it is plain, else braced (no spaces, $ or [ ] reach Tcl raw)."""
    text = str(path)
    if re.fullmatch(r"[\w./+:-]+", text):
        return text
    if "{" in text or "}" in text:
        raise InputError(f"{text}: OpenOCD cannot take a path with braces; move the build folder")
    return "{" + text + "}"
