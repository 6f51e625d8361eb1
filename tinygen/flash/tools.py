"""Run the flashing tools as subprocesses; a missing tool or an unplugged probe is a one-line exit 2.

Each tool says "no probe" in its own words. The patterns below are those messages (OpenOCD 0.12's
J-Link, CMSIS-DAP and ST-LINK drivers, stlink 1.7/1.8, picotool 1.1/2.x), so a board that is not
connected (the user's to fix) is told apart from a flash that failed (exit 1).
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass

from tinygen.codegen.toolchain import INSTALL_HINT
from tinygen.errors import InputError, TinygenError
from tinygen.flash.methods import OBJCOPY, FlashCommand

TIMEOUT_S = 300.0  # room for a full 2 MiB flash at a slow SWD clock; only a hung tool or probe takes longer
INSTALL = {
    "openocd": "apt-get install openocd",
    "st-flash": "apt-get install stlink-tools",
    "picotool": "apt-get install picotool (Debian 13 and later; else build it from the raspberrypi/picotool sources)",
    OBJCOPY: INSTALL_HINT,
}


@dataclass(frozen=True)
class NoProbe:
    pattern: str  # a regular expression matched against each line of the tool's output
    looked_for: str
    fix: str


_CONNECT = "connect the board's debug USB port and check its USB permissions (udev rules)"
NO_PROBE = {
    "openocd": (NoProbe(r"No J-Link device found", "J-Link", _CONNECT),
                NoProbe(r"unable to find a matching CMSIS-DAP device", "CMSIS-DAP probe", _CONNECT),
                NoProbe(r"Error: open failed", "ST-LINK", _CONNECT)),
    "st-flash": (NoProbe(r"Couldn't find (any|matched) ST-Link devices", "ST-LINK", _CONNECT),),
    "picotool": (NoProbe(r"accessible RP[\w-]* devices? in BOOTSEL mode", "RP2040 in BOOTSEL mode",
                         "hold BOOTSEL while plugging in the Pico's USB cable, and check its USB permissions"),),
}


def run_command(command: FlashCommand) -> None:
    """Run the preparing commands, then the flashing one; every program must be on PATH before any runs."""
    missing = next((p for p in command.programs if shutil.which(p) is None), None)
    if missing is not None:
        raise InputError(f"{missing}: not found on PATH; install it: {INSTALL[missing]}")
    for argv in (*command.prepare, command.argv):
        try:
            result = subprocess.run(argv, check=False, capture_output=True, text=True, timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise TinygenError(f"{argv[0]} did not finish within {TIMEOUT_S:.0f} s; check the probe's cable "
                               f"and run again: {shlex.join(argv)}") from None
        if result.returncode != 0:
            raise _failure(argv, result.returncode, result.stdout + "\n" + result.stderr)


def _failure(argv: tuple[str, ...], code: int, output: str) -> TinygenError:
    lines = [l.strip() for l in output.splitlines() if l.strip()]
    for no_probe in NO_PROBE.get(argv[0], ()):
        line = next((l for l in lines if re.search(no_probe.pattern, l)), None)
        if line is not None:
            return InputError(f"no {no_probe.looked_for} found by {argv[0]} ({line}); {no_probe.fix}")
    reason = next((l for l in lines if re.search(r"error|fail", l, re.IGNORECASE)), lines[-1] if lines else "no output")
    return TinygenError(f"{argv[0]} failed with exit code {code} ({reason}); the command was: {shlex.join(argv)}")
