"""Run a built firmware on its inputs: in QEMU (semihosting file I/O) or as a host process.

One run processes every vector: the harness loops over tg_in.bin until it is
exhausted, so N vectors cost one build and one emulator start.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from tinygen.boards import Board, Qemu
from tinygen.build.make import Build
from tinygen.errors import InputError, TinygenError

QEMU_HINT = "apt-get install qemu-system-arm"


def qemu_command(qemu: Qemu, elf: Path) -> list[str]:
    return ["qemu-system-arm", "-M", qemu.machine, "-nographic", "-monitor", "none", "-serial", "null",
            "-semihosting-config", "enable=on,target=native", "-kernel", str(elf)]


def execute(build: Build, board: Board, payload: bytes, timeout_s: float) -> bytes:
    """Bytes the firmware wrote for `payload` (all input vectors, concatenated)."""
    if board.cpu.core == "host":
        command = [str(build.elf), "tg_in.bin", "tg_out.bin"]
    elif board.qemu is not None:
        if shutil.which("qemu-system-arm") is None:
            raise InputError(f"qemu-system-arm: not found on PATH; install it: {QEMU_HINT}")
        command = qemu_command(board.qemu, build.elf)
    else:
        raise InputError(f"{board.name}: a real board, not emulated; use `tinygen validate --port` on hardware, "
                         "or pick an emulated board (tinygen boards)")
    with tempfile.TemporaryDirectory(prefix="tinygen-run-") as tmp:
        work = Path(tmp)
        (work / "tg_in.bin").write_bytes(payload)
        try:
            result = subprocess.run(command, cwd=work, capture_output=True, timeout=timeout_s)
        except subprocess.TimeoutExpired:
            raise TinygenError(f"{build.elf}: no exit after {timeout_s:g} s on {board.name}; the firmware hung "
                               "(raise --timeout for large models)") from None
        if result.returncode != 0:
            detail = (result.stderr or result.stdout).decode(errors="replace").strip().splitlines()
            raise TinygenError(f"{build.elf}: exited with status {result.returncode} on {board.name}"
                               + (f" ({detail[-1]})" if detail else " (a fault or a failed file open)"))
        out = work / "tg_out.bin"
        return out.read_bytes() if out.exists() else b""
