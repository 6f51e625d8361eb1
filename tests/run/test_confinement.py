"""run/execute.py's sandbox against hand-written hostile firmware (tests/run/confinement/): a QEMU guest's
semihosting and a host firmware reach nothing outside the run's folder, while the same programs run unconfined do,
so each denial is the sandbox's doing."""

from __future__ import annotations

import errno
import os
import socket
import struct
import subprocess
from pathlib import Path

import pytest

from tests.tools import require_tool
from tinygen.boards import load_board
from tinygen.build.make import Build
from tinygen.build.sizes import SectionSizes
from tinygen.run.execute import execute, qemu_command

SOURCES = Path(__file__).parent / "confinement"
MPS2 = load_board("mps2-an386")


def _build(elf: Path) -> Build:
    return Build(elf.parent, elf, SectionSizes({}, 0, 0, 0, 0, 0), "hostile test firmware")


def _semihost_firmware(tmp_path: Path, outside: Path) -> Build:
    elf = tmp_path / "semihost_escape.elf"
    subprocess.run([require_tool("arm-none-eabi-gcc"), "-mcpu=cortex-m4", "-mthumb", "-O1", "-ffreestanding",
                    "-nostdlib", f'-DOUTSIDE="{outside}"', "-T", str(SOURCES / "semihost_escape.ld"), "-o", str(elf),
                    str(SOURCES / "semihost_escape.c")], check=True)
    return _build(elf)


def test_a_guest_cannot_open_a_host_path_outside_its_run_folder(tmp_path):
    require_tool("qemu-system-arm")
    outside = tmp_path / "escaped.bin"
    firmware = _semihost_firmware(tmp_path, outside)
    payload = bytes(range(100, 116))
    raw = execute(firmware, MPS2, payload, timeout_s=30, output_bytes=24)
    handle, host_errno = struct.unpack("<ii", raw[:8])
    assert (handle, host_errno) == (-1, errno.EACCES)  # the guest saw its open refused
    assert not outside.exists()
    assert raw[8:] == payload  # and still read tg_in.bin and wrote tg_out.bin in the run's folder

    plain = tmp_path / "unconfined"  # the same guest under the same QEMU command line, unconfined, escapes
    plain.mkdir()
    (plain / "tg_in.bin").write_bytes(payload)
    subprocess.run(qemu_command(MPS2.qemu, firmware.elf), cwd=plain, capture_output=True, timeout=30, check=True)
    assert struct.unpack("<i", (plain / "tg_out.bin").read_bytes()[:4])[0] >= 0
    assert outside.read_bytes() == b"escaped"


def test_a_host_firmware_cannot_write_read_connect_or_overallocate(tmp_path, monkeypatch):
    outside, secret = tmp_path / "escaped.txt", tmp_path / "secret.txt"
    secret.write_text("the user's file")
    monkeypatch.setenv("TG_SECRET", "hunter2")
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        elf = tmp_path / "escape"
        subprocess.run([require_tool("gcc"), "-O1", f'-DOUTSIDE="{outside}"', f'-DSECRET_FILE="{secret}"',
                        f"-DPORT={port}", "-o", str(elf), str(SOURCES / "escape.c")], check=True)
        report = execute(_build(elf), load_board("host"), b"", timeout_s=30, output_bytes=200).decode()
        assert report.splitlines() == ["write outside: Permission denied", "read outside: Permission denied",
                                       "environment: no TG_SECRET", "connect: Permission denied",
                                       "malloc 2 GiB: refused"]
        assert not outside.exists()
        listener.setblocking(False)
        with pytest.raises(BlockingIOError):
            listener.accept()  # no connection is waiting

        plain = tmp_path / "plain.txt"  # unconfined, the same program does all four
        subprocess.run([str(elf), "tg_in.bin", str(plain)], env=os.environ, check=True, timeout=30)
    assert plain.read_text().splitlines() == ["write outside: written", "read outside: read", "environment: hunter2",
                                              "connect: connected", "malloc 2 GiB: allocated"]
