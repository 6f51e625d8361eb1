"""Run a profile build in QEMU under the counting plugin: guest instruction counts at every marker call.

QEMU runs in run/execute.py's sandbox; the plugin is readable there, and it writes its counts into the run's
folder, the one place the sandbox lets it write.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from elftools.elf.elffile import ELFFile
from elftools.elf.sections import SymbolTableSection

from tinygen.boards import Board
from tinygen.build.make import Build
from tinygen.errors import InputError, TinygenError
from tinygen.profile.plugin import plugin_path
from tinygen.run.execute import QEMU_HINT, qemu_command, run_confined, run_limits
from tinygen.sandbox import Sandbox

MARKER = "tg_profile_mark"
COUNTS_BYTES = 1 << 20  # the plugin's counts (a line per step) and the one vector's outputs


@dataclass(frozen=True)
class MarkCounts:
    marks: tuple[int, ...]  # instructions executed before each marker call
    marker_instructions: int  # the marker function's own instructions per call
    total: int  # the whole run, boot and I/O included


def symbol_address(elf: Path, name: str) -> int:
    with open(elf, "rb") as f:
        for section in ELFFile(f).iter_sections():
            if isinstance(section, SymbolTableSection):
                for symbol in section.get_symbol_by_name(name) or []:
                    return symbol["st_value"] & ~1
    raise TinygenError(f"{elf}: no symbol {name}; it is not a profile build (tinygen profile builds its own)")


def _parse(text: str) -> MarkCounts:
    marks, fields = [], {}
    for line in text.splitlines():
        key, value = line.split()
        if key == "mark":
            marks.append(int(value))
        else:
            fields[key] = int(value)
    return MarkCounts(tuple(marks), fields["marker_insns"], fields["total"])


def count_instructions(build: Build, board: Board, payload: bytes, timeout_s: float) -> MarkCounts:
    if board.qemu is None:
        raise InputError(f"{board.name}: not emulated; instruction counts need QEMU (pick an emulated board: "
                         "tinygen boards)")
    if shutil.which("qemu-system-arm") is None:
        raise InputError(f"qemu-system-arm: not found on PATH; install it: {QEMU_HINT}")
    marker = symbol_address(build.elf, MARKER)
    plugin = plugin_path()
    with tempfile.TemporaryDirectory(prefix="tinygen-profile-") as tmp:
        work = Path(tmp)
        (work / "tg_in.bin").write_bytes(payload)
        counts = work / "counts.txt"
        command = qemu_command(board.qemu, build.elf) + ["-plugin", f"{plugin},marker={marker:#x},out={counts}"]
        sandbox = Sandbox(work, run_limits(timeout_s, COUNTS_BYTES), readable=(build.elf, plugin))
        try:
            done = run_confined(command, sandbox, timeout_s)
        except subprocess.TimeoutExpired:
            raise TinygenError(f"{build.elf}: no exit after {timeout_s:g} s on {board.name} under the profiler; "
                               "raise --timeout for large models") from None
        if done.returncode == -signal.SIGXCPU:
            raise TinygenError(f"{build.elf}: used its {sandbox.limits.cpu_s} s of CPU on {board.name} under the "
                               "profiler; raise --timeout for large models")
        if done.returncode != 0 or not counts.exists():
            detail = (done.stderr or done.stdout).decode(errors="replace").strip().splitlines()
            raise TinygenError(f"{build.elf}: the profiled run failed on {board.name}"
                               + (f" ({detail[-1]})" if detail else f" (exit status {done.returncode})"))
        return _parse(counts.read_text())
