"""tinygen/sandbox.py: the wrapper's limits and ports hold for real programs, and without Landlock nothing runs
(tests/run/test_confinement.py tries the filesystem, environment and network escapes of hostile firmware)."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.commands.test_cli import invoke, one_error_line
from tinygen import sandbox
from tinygen.errors import InputError
from tinygen.sandbox import Limits, Sandbox, confine, wrapper_environment

LIMITS = Limits(cpu_s=1, memory_bytes=1 << 30, file_bytes=1 << 20)


def _run(command: list[str], box: Sandbox) -> subprocess.CompletedProcess[str]:
    return subprocess.run(confine(command, box), cwd=box.folder, env=wrapper_environment(), capture_output=True,
                          text=True, timeout=30)


def test_without_landlock_firmware_does_not_run_and_the_error_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr(sandbox, "landlock_abi", lambda: 0)
    with pytest.raises(InputError, match=r"^Landlock: not available in this kernel \(.+\); tinygen runs firmware "
                                         r"only under Landlock: use Linux >= 5.13"):
        confine(["true"], Sandbox(tmp_path, LIMITS))  # no command line to start
    result = invoke("run", "--board", "host", "-o", tmp_path / "fw", exit_code=2)
    one_error_line(result, "Landlock: not available in this kernel", "lsm=")


def test_writes_stop_at_the_file_size_limit_and_a_busy_loop_at_the_cpu_limit(tmp_path):
    box = Sandbox(tmp_path, LIMITS)
    done = _run(["sh", "-c", "head -c 2000000 /dev/zero > big"], box)
    assert done.returncode != 0 and (tmp_path / "big").stat().st_size == 1 << 20
    assert _run(["sh", "-c", "while :; do :; done"], box).returncode == -signal.SIGXCPU


LISTEN = """
import errno, socket, sys
for port in map(int, sys.argv[1:]):
    try:
        socket.create_server(("127.0.0.1", port))
        print(port, "listening")
    except OSError as exc:
        print(port, exc.errno == errno.EACCES and "denied")
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_only_the_named_ports_can_be_listened_on(tmp_path):
    allowed, other = _free_port(), _free_port()
    python = str(Path(sys.executable).resolve())
    done = _run([python, "-I", "-S", "-c", LISTEN, str(allowed), str(other)], Sandbox(tmp_path, LIMITS, (),
                                                                                        (allowed,)))
    assert done.stdout.splitlines() == [f"{allowed} listening", f"{other} denied"], done.stderr


PERSONALITY = "import ctypes; print(ctypes.CDLL(None).personality(0xFFFFFFFF) & 0x0040000)"  # query, change nothing


@pytest.mark.parametrize("fixed", [False, True])
def test_a_fixed_layout_turns_address_randomisation_off(tmp_path, fixed):
    python = str(Path(sys.executable).resolve())
    done = _run([python, "-I", "-S", "-c", PERSONALITY], Sandbox(tmp_path, LIMITS, fixed_layout=fixed))
    assert done.stdout.split() == [str(sandbox.ADDR_NO_RANDOMIZE if fixed else 0)], done.stderr
