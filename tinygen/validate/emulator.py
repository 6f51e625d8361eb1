"""QEMU as the device for `tinygen validate --emulate`: the firmware's console UART on a local TCP port.

QEMU listens (`server=on,wait=off`) and boots the guest at once, so the UART's
receiver is on before the host connects: QEMU's CMSDK UART model does not wake
the main loop when the receiver is enabled, and bytes that arrive before that
sit unread for about a second. The BOOT frame sent with no client connected is
dropped, harmlessly. Semihosting stays on where the board allows it: the
startup code's fault handler then ends QEMU with a failure status instead of
spinning, and the session sees the link close.

QEMU runs confined (tinygen/sandbox.py): it writes only in an empty folder of its
own, removed on close; it may listen only on its two local ports and connect
nowhere; its network device reaches nothing.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import serial

from tinygen.boards import Board, Qemu
from tinygen.errors import InputError, TinygenError
from tinygen.run.execute import QEMU_HINT
from tinygen.sandbox import QEMU_MEMORY_BYTES, Limits, Sandbox, confine, wrapper_environment
from tinygen.validate.port import POLL_S

HOST = "127.0.0.1"
START_TIMEOUT_S = 10.0
# A session lasts as long as its vectors need (the host times out each reply); the CPU limit only ends a runaway.
LIMITS = Limits(cpu_s=3600, memory_bytes=QEMU_MEMORY_BYTES, file_bytes=1 << 20)


@dataclass
class Emulator:
    elf: Path
    machine: str  # QEMU's -M
    process: subprocess.Popen
    serial_port: int
    monitor_port: int | None
    folder: tempfile.TemporaryDirectory[str]  # QEMU's working directory, the only place it may write

    @property
    def url(self) -> str:
        return f"socket://{HOST}:{self.serial_port}"

    def connect(self, write_timeout_s: float) -> serial.SerialBase:
        """The UART as a pyserial port, once QEMU listens."""
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                return serial.serial_for_url(self.url, timeout=POLL_S, write_timeout=write_timeout_s)
            except serial.SerialException:
                if self.process.poll() is not None:
                    raise TinygenError(f"{self.elf}: {self.exit_reason()} before its UART was reached; the firmware "
                                       "faulted at start-up, or QEMU could not run it") from None
                if time.monotonic() > deadline:
                    raise TinygenError(f"{self.elf}: QEMU did not open its UART socket within "
                                       f"{START_TIMEOUT_S:g} s; the machine is overloaded or QEMU hangs") from None
                time.sleep(0.05)

    def reset(self) -> None:
        """Press the reset button: QEMU's monitor `system_reset` (needs monitor=True)."""
        with socket.create_connection((HOST, self.monitor_port), timeout=5) as monitor:
            monitor.sendall(b"system_reset\n")
            _read_until(monitor, b"(qemu)", after=b"system_reset")

    def exited(self, within_s: float) -> bool:
        """Whether QEMU has ended, waiting up to `within_s`: its socket closes a moment before it exits."""
        try:
            self.process.wait(timeout=within_s)
        except subprocess.TimeoutExpired:
            return False
        return True

    def exit_reason(self) -> str:
        status = self.process.poll()
        if status is None:
            return "QEMU is still running"
        assert self.process.stderr is not None  # start_emulator pipes it
        lines = (self.process.stderr.read() or b"").decode(errors="replace").strip().splitlines()
        return f"QEMU exited with status {status}" + (f": {lines[-1]}" if lines else "")

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stderr is not None:
            self.process.stderr.close()
        self.folder.cleanup()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def require_emulator(board: Board) -> Qemu:
    """`board`'s [qemu] table; InputError unless QEMU can run it."""
    if board.qemu is None:
        raise InputError(f"{board.name}: not emulated (its board file has no [qemu] table); "
                         "use --port with the board attached, or pick an emulated board (tinygen boards)")
    if shutil.which("qemu-system-arm") is None:
        raise InputError(f"qemu-system-arm: not found on PATH; install it: {QEMU_HINT}")
    return board.qemu


def start_emulator(board: Board, elf: Path, monitor: bool = False) -> Emulator:
    """QEMU running `elf` on `board`, its UART listening on a free local port (and its monitor, if asked)."""
    qemu = require_emulator(board)
    for _ in range(3):  # a free port can be taken between choosing it and QEMU binding it
        serial_port, monitor_port = _free_port(), (_free_port() if monitor else None)
        folder = tempfile.TemporaryDirectory(prefix="tinygen-emulate-")
        ports = (serial_port,) if monitor_port is None else (serial_port, monitor_port)
        sandbox = Sandbox(Path(folder.name), LIMITS, readable=(elf,), tcp_bind=ports)
        try:
            process = subprocess.Popen(confine(_command(qemu, elf, serial_port, monitor_port), sandbox),
                                       cwd=sandbox.folder, env=wrapper_environment(),
                                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        except BaseException:
            folder.cleanup()
            raise
        emulator = Emulator(elf, qemu.machine, process, serial_port, monitor_port, folder)
        if not _bind_failed(emulator):
            return emulator
        emulator.close()
    raise TinygenError(f"{elf}: QEMU could not bind a local port three times; free some ports and retry")


def _command(qemu: Qemu, elf: Path, serial_port: int, monitor_port: int | None) -> list[str]:
    command = ["qemu-system-arm", "-M", qemu.machine]
    if qemu.cpu:
        command += ["-cpu", qemu.cpu]
    # The MPS2 boards' on-board NIC gets an isolated user-mode network (restrict=on: no route to the host or beyond):
    # with `-nic none` it has no peer, and the guest stops answering after a monitor system_reset.
    command += ["-display", "none", "-nic", "user,restrict=on"]
    command += ["-serial", f"tcp:{HOST}:{serial_port},server=on,wait=off,nodelay=on"]
    command += ["-monitor", f"tcp:{HOST}:{monitor_port},server=on,wait=off" if monitor_port else "none"]
    if qemu.semihosting:
        command += ["-semihosting-config", "enable=on,target=native"]
    return command + ["-kernel", str(elf)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _bind_failed(emulator: Emulator) -> bool:
    """QEMU fails at once when its port is taken; give it a moment to do so."""
    try:
        emulator.process.wait(timeout=0.2)
    except subprocess.TimeoutExpired:
        return False
    return "in use" in emulator.exit_reason().lower()


def _read_until(sock: socket.socket, marker: bytes, after: bytes) -> None:
    """Read the monitor's output until `marker` follows `after` (the command's echo), so the command ran."""
    seen = b""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        chunk = sock.recv(4096)
        if not chunk:
            return
        seen += chunk
        if after in seen and marker in seen.split(after, 1)[1]:
            return
