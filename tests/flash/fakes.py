"""Stand-ins for the flashing tools on PATH, replaying what the real ones print when no probe is attached.

The outputs were recorded on Debian 12 with nothing plugged in (OpenOCD 0.12.0, st-flash 1.7.0);
picotool is not packaged there, so its lines and exit code (ERROR_NO_DEVICE, -7) come from its source.
A fake logs its arguments, so a test sees exactly what tinygen ran.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

OPENOCD_STLINK = """\
Open On-Chip Debugger 0.12.0
Licensed under GNU GPL v2
Info : The selected transport took over low-level target control. The results might differ compared to plain JTAG/SWD
srst_only separate srst_nogate srst_open_drain connect_deassert_srst
Info : clock speed 2000 kHz
Error: open failed
in procedure 'program'
** OpenOCD init failed **
shutdown command invoked
"""
OPENOCD_JLINK = """\
Open On-Chip Debugger 0.12.0
swd
Error: No J-Link device found
** OpenOCD init failed **
shutdown command invoked
"""
OPENOCD_CMSIS_DAP = """\
Open On-Chip Debugger 0.12.0
swd
Warn : Transport "swd" was already selected
Error: unable to find a matching CMSIS-DAP device
** OpenOCD init failed **
shutdown command invoked
"""
ST_FLASH = """\
st-flash 1.7.0
2026-11-23T21:20:18 WARN usb.c: Couldn't find any ST-Link devices
"""
PICOTOOL = "No accessible RP-series devices in BOOTSEL mode were found.\n"
NO_PROBE = {"openocd-stlink": ("openocd", OPENOCD_STLINK, 1), "openocd-jlink": ("openocd", OPENOCD_JLINK, 1),
            "openocd-cmsis-dap": ("openocd", OPENOCD_CMSIS_DAP, 1), "st-flash": ("st-flash", ST_FLASH, 255),
            "picotool": ("picotool", PICOTOOL, 249)}


def fake_tool(bin_dir: Path, name: str, output: str = "", exit_code: int = 0) -> Path:
    """An executable `name` in `bin_dir` that prints `output` on stderr, exits with `exit_code` and writes
    its arguments, one per line, to the log file it returns (`bin_dir`/`name`.log)."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    log = bin_dir / f"{name}.log"
    tool = bin_dir / name
    tool.write_text(f"#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > {shlex.quote(str(log))}\n"
                    f"cat >&2 <<'EOF'\n{output}EOF\nexit {exit_code}\n")
    tool.chmod(0o755)
    return log


def logged_args(log: Path) -> list[str]:
    return log.read_text().splitlines()


def path_with(bin_dir: Path) -> str:
    """PATH with `bin_dir` first, so its fakes shadow any real tool."""
    return f"{bin_dir}{os.pathsep}{os.environ['PATH']}"


def without_pyocd(monkeypatch) -> None:
    """Make `import pyocd` (and its submodules, even ones imported earlier) fail as if it were not installed."""
    for name in {"pyocd", *(n for n in sys.modules if n.startswith("pyocd."))}:
        monkeypatch.setitem(sys.modules, name, None)
