"""Flash through pyOCD's Python API (the optional `flash` extra) rather than its command line.

In-process, the checks come first and in our words: pyOCD missing, a target it does not know, no
probe or several; its own CLI would wait for a probe or ask which one. What is done matches
`pyocd load --target T firmware.elf`: program the ELF's segments, then reset the target.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tinygen.errors import InputError, TinygenError

INSTALL = "pip install 'tinygen[flash]' (or pip install pyocd)"


def flash_with_pyocd(elf: Path, target: str, progress: Callable[[float], None]) -> None:
    """Program `elf` on the one connected probe's `target`; `progress` gets the fraction done, 0.0 to 1.0."""
    try:
        from pyocd.core.exceptions import Error as PyocdError
        from pyocd.core.helpers import ConnectHelper
        from pyocd.core.session import Session
        from pyocd.flash.file_programmer import FileProgrammer
        from pyocd.target import TARGET
        from pyocd.target.pack.pack_target import ManagedPacks
    except ImportError:
        raise InputError(f"pyOCD is not installed (import pyocd failed); install it: {INSTALL}, "
                         "or pass --probe openocd") from None
    name = target.lower()
    if name not in TARGET and not any(d.part_number.lower() == name for d in ManagedPacks.get_installed_targets()):
        raise InputError(f"pyOCD has no target '{target}' (neither built in nor from an installed CMSIS pack); "
                         f"install its pack: pyocd pack install {target}")
    probes = ConnectHelper.get_all_connected_probes(blocking=False, print_wait_message=False)
    if not probes:
        raise InputError("no debug probe found by pyOCD (pyocd list shows none); connect the board's "
                         "ST-LINK/J-Link/CMSIS-DAP USB port and check its USB permissions (udev rules)")
    if len(probes) > 1:
        found = ", ".join(f"{p.description} {p.unique_id}" for p in probes)
        raise InputError(f"pyOCD found {len(probes)} debug probes ({found}); unplug all but the board's")
    try:
        with Session(probes[0], target_override=target) as session:
            FileProgrammer(session, progress=progress).program(str(elf), file_format="elf")
            session.target.reset()
    except PyocdError as error:
        raise TinygenError(f"pyOCD could not flash {elf} to {target}: {error}") from None
