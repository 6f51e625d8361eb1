"""Run a built firmware on its inputs: in QEMU (semihosting file I/O) or as a host process, always confined.

One run processes every vector: the harness loops over tg_in.bin until it is
exhausted, so N vectors cost one build and one emulator start. The firmware is
built from a model that came from elsewhere, so it runs in tinygen/sandbox.py's
sandbox: its temporary folder is the only place it can write (QEMU's
semihosting opens host files for the guest), with no network, a clean
environment and bounded CPU, memory and file size.
"""

from __future__ import annotations

import math
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from tinygen.boards import Board, Qemu
from tinygen.build.make import Build
from tinygen.errors import InputError, TinygenError
from tinygen.sandbox import HOST_MEMORY_BYTES, QEMU_MEMORY_BYTES, Limits, Sandbox, confine, wrapper_environment

QEMU_HINT = "apt-get install qemu-system-arm"
# Address space. QEMU reserves its 1 GiB translation cache and the guest's RAM up front: 1.3 GiB for the MPS2
# machines, 3.4 GiB for mps3-an547 (2 GiB of DDR). A host firmware needs its static arena and a stack.
FILE_SLACK_BYTES = 1 << 20  # beyond twice the expected output: what a harness may add (QEMU's plugin counts)


def qemu_command(qemu: Qemu, elf: Path) -> list[str]:
    """QEMU with no monitor, no serial and no network; semihosting for the harness's file I/O."""
    return ["qemu-system-arm", "-M", qemu.machine, "-nographic", "-monitor", "none", "-serial", "null",
            "-nic", "none", "-semihosting-config", "enable=on,target=native", "-kernel", str(elf)]


def telling_line(stderr: str) -> str:
    """The line of a failed firmware's output that says why: a sanitizer's finding or failure (`--sanitize`
    builds follow it with a stack trace or a memory map), else the last line."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    findings = [line for line in lines if "runtime error:" in line or line.startswith("SUMMARY:")
                or "ERROR: AddressSanitizer" in line or "ASan cannot proceed" in line]
    return (findings or lines or [""])[0 if findings else -1]


def run_limits(timeout_s: float, output_bytes: int, memory_bytes: int | None = QEMU_MEMORY_BYTES) -> Limits:
    """A run's budget: CPU as long as its timeout (plus start-up), a file twice the size of its expected output."""
    return Limits(cpu_s=math.ceil(timeout_s) + 1, memory_bytes=memory_bytes,
                  file_bytes=2 * output_bytes + FILE_SLACK_BYTES)


def run_confined(command: list[str], sandbox: Sandbox, timeout_s: float) -> subprocess.CompletedProcess[bytes]:
    """`command` run in `sandbox` (its folder the working directory); TimeoutExpired after `timeout_s`."""
    return subprocess.run(confine(command, sandbox), cwd=sandbox.folder, env=wrapper_environment(),
                          stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout_s)


def execute(build: Build, board: Board, payload: bytes, timeout_s: float, output_bytes: int,
            sanitized: bool = False) -> bytes:
    """Bytes the firmware wrote for `payload` (all input vectors, concatenated; `output_bytes` expected).
    `sanitized`: an ASan build, whose memory ASan bounds instead of an address-space limit."""
    if board.cpu.core == "host":
        memory_bytes = None if sanitized else HOST_MEMORY_BYTES
        command = [str(build.elf), "tg_in.bin", "tg_out.bin"]
    elif board.qemu is not None:
        if shutil.which("qemu-system-arm") is None:
            raise InputError(f"qemu-system-arm: not found on PATH; install it: {QEMU_HINT}")
        command, memory_bytes = qemu_command(board.qemu, build.elf), QEMU_MEMORY_BYTES
    else:
        raise InputError(f"{board.name}: a real board, not emulated; use `tinygen validate --port` on hardware, "
                         "or pick an emulated board (tinygen boards)")
    with tempfile.TemporaryDirectory(prefix="tinygen-run-") as tmp:
        work = Path(tmp)
        (work / "tg_in.bin").write_bytes(payload)
        sandbox = Sandbox(work, run_limits(timeout_s, output_bytes, memory_bytes), readable=(build.elf,),
                          fixed_layout=sanitized)
        try:
            result = run_confined(command, sandbox, timeout_s)
        except subprocess.TimeoutExpired:
            raise TinygenError(f"{build.elf}: no exit after {timeout_s:g} s on {board.name}; the firmware hung "
                               "(raise --timeout for large models)") from None
        if result.returncode == -signal.SIGXCPU:
            raise TinygenError(f"{build.elf}: used its {sandbox.limits.cpu_s} s of CPU on {board.name}; the firmware "
                               "hung (raise --timeout for large models)")
        if result.returncode != 0:
            detail = telling_line((result.stderr or result.stdout).decode(errors="replace"))
            raise TinygenError(f"{build.elf}: exited with status {result.returncode} on {board.name}"
                               + (f" ({detail})" if detail else " (a fault or a failed file open)"))
        out = work / "tg_out.bin"
        return out.read_bytes() if out.exists() and not out.is_symlink() else b""
