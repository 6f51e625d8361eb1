"""Run firmware built from a model confined: Landlock, resource limits and a clean environment.

Models come from elsewhere, and a model can (through a kernel bug or a template
escape) become code that does whatever the host allows: a `--board host` ELF
runs natively, and QEMU's semihosting hands the guest the host's file API. So
every such run goes through this module's exec wrapper (`python -m
tinygen.sandbox`), which confines itself and then execs the program:

* Landlock: files are readable (and executable) only under the system's
  program, library and data folders and the paths the caller names (the
  executable, QEMU's plugin); read-write only under the run's own folder, with
  no devices, FIFOs, sockets or symbolic links made there. From ABI 4, TCP
  bind is allowed only on the named ports and TCP connect not at all; from
  ABI 6, abstract unix sockets and signals stay inside the sandbox.
* rlimits: CPU seconds, address space, file size, open files; no core dumps.
* environment: PATH and LANG only; the working directory is the run's folder.

A wrapper rather than subprocess's `preexec_fn`: the parent may have threads
(TensorFlow's), and `preexec_fn` is not safe then.

Without Landlock (Linux < 5.13, or the LSM not enabled) tinygen fails closed:
`confine` raises one InputError line and nothing runs. There is no opt-out.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from tinygen.errors import InputError

SYS_CREATE_RULESET, SYS_ADD_RULE, SYS_RESTRICT_SELF = 444, 445, 446  # the same on every architecture
CREATE_RULESET_VERSION = 1
RULE_PATH_BENEATH, RULE_NET_PORT = 1, 2
PR_SET_NO_NEW_PRIVS = 38
ADDR_NO_RANDOMIZE = 0x0040000  # linux/personality.h

# linux/landlock.h: LANDLOCK_ACCESS_FS_*, and the ABI version that introduced each
EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
REMOVE_DIR, REMOVE_FILE, MAKE_CHAR, MAKE_DIR, MAKE_REG = 1 << 4, 1 << 5, 1 << 6, 1 << 7, 1 << 8
MAKE_SOCK, MAKE_FIFO, MAKE_BLOCK, MAKE_SYM = 1 << 9, 1 << 10, 1 << 11, 1 << 12
REFER, TRUNCATE, IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
FS_BY_ABI = {1: (1 << 13) - 1, 2: REFER, 3: TRUNCATE, 5: IOCTL_DEV}
FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV  # the rights a rule on a non-folder may hold
BIND_TCP, CONNECT_TCP = 1 << 0, 1 << 1  # LANDLOCK_ACCESS_NET_*, ABI 4
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1  # LANDLOCK_SCOPE_*, ABI 6

READ_ONLY = EXECUTE | READ_FILE | READ_DIR
READ_WRITE = (READ_FILE | READ_DIR | WRITE_FILE | REMOVE_DIR | REMOVE_FILE | MAKE_DIR | MAKE_REG | REFER
              | TRUNCATE)
SYSTEM = ("/usr", "/lib", "/lib64", "/bin", "/etc/ld.so.cache")  # what a dynamically linked program needs to start
DEVICES = ("/dev/null", "/dev/zero", "/dev/urandom")
ENVIRONMENT = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
QEMU_MEMORY_BYTES = 4 << 30  # QEMU's peak virtual size: 1.3 GiB on MPS2, 3.4 GiB on mps3-an547 (VmPeak)
HOST_MEMORY_BYTES = 1 << 30  # a host firmware's address space; its board file's budget is 1 GiB too
ASAN_RSS_LIMIT_MB = HOST_MEMORY_BYTES >> 20  # the same budget for a sanitized host firmware, as ASan enforces it
SETUP_FAILED = 126  # the wrapper's exit status when it cannot confine itself; it then prints one line

LANDLOCK_HINT = ("tinygen runs firmware only under Landlock: use Linux >= 5.13 with Landlock enabled "
                 "(CONFIG_SECURITY_LANDLOCK, and `landlock` in the lsm= boot parameter), or a container that "
                 "allows its system calls")


@dataclass(frozen=True)
class Limits:
    cpu_s: int  # CPU seconds, all threads together
    memory_bytes: int | None  # address space; None for ASan builds, which reserve terabytes of shadow and cap
    # their resident memory themselves (ASAN_RSS_LIMIT_MB, compiled into the harness)
    file_bytes: int  # the largest file the program may write
    open_files: int = 64


@dataclass(frozen=True)
class Sandbox:
    folder: Path  # the run's folder: the only writable place, and the working directory
    limits: Limits
    readable: tuple[Path, ...] = ()  # read-only besides the system's folders: the executable, plugins
    tcp_bind: tuple[int, ...] = ()  # local ports the program may listen on
    # no address-space randomisation: an ASan build's fixed shadow range must not meet a randomly placed mapping
    # (GCC 12's ASan aborts at start-up when it does, now and then under the kernel's mmap entropy)
    fixed_layout: bool = False


def landlock_abi() -> int:
    """The kernel's Landlock ABI version; 0 if it has none (or it is disabled)."""
    if not sys.platform.startswith("linux"):
        return 0
    libc = ctypes.CDLL(None, use_errno=True)
    version = libc.syscall(SYS_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(CREATE_RULESET_VERSION))
    return max(int(version), 0)


def confine(command: list[str], sandbox: Sandbox) -> list[str]:
    """The command line that runs `command` inside `sandbox`; InputError if this kernel cannot confine it."""
    abi = landlock_abi()
    if abi < 1:
        raise InputError(f"Landlock: not available in this kernel ({os.uname().release}); {LANDLOCK_HINT}")
    found = shutil.which(command[0]) if os.sep not in command[0] else command[0]
    if found is None:
        raise InputError(f"{command[0]}: not found on PATH")
    program = str(Path(found).resolve())
    spec = {"folder": str(sandbox.folder.resolve()), "readable": [program, *map(str, sandbox.readable)],
            "tcp_bind": list(sandbox.tcp_bind), "limits": vars(sandbox.limits), "fixed_layout": sandbox.fixed_layout}
    return [sys.executable, "-S", "-m", "tinygen.sandbox", json.dumps(spec), "--", program, *command[1:]]


def wrapper_environment() -> dict[str, str]:
    """The wrapper's own environment: just enough for Python to import tinygen from where it was imported."""
    return {"PYTHONPATH": str(Path(__file__).resolve().parent.parent), **ENVIRONMENT}


def _restrict(abi: int, folder: str, readable: list[str], tcp_bind: list[int]) -> None:
    libc = ctypes.CDLL(None, use_errno=True)

    def check(result: int, what: str) -> int:
        if result < 0:
            errno = ctypes.get_errno()
            raise OSError(errno, f"{what}: {os.strerror(errno)}")
        return result

    handled_fs = sum(rights for version, rights in FS_BY_ABI.items() if version <= abi)
    handled_net = BIND_TCP | CONNECT_TCP if abi >= 4 else 0
    scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if abi >= 6 else 0
    attr = (ctypes.c_uint64 * 3)(handled_fs, handled_net, scoped)
    size = 8 * (3 if abi >= 6 else 2 if abi >= 4 else 1)
    ruleset = check(libc.syscall(SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0)),
                    "landlock_create_ruleset")

    def allow_path(path: str, rights: int) -> None:
        try:
            fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
        except FileNotFoundError:
            return  # /lib64 on an architecture without it, say
        try:
            if not os.path.isdir(path):
                rights &= FILE_RIGHTS
            rule = (ctypes.c_uint8 * 12)()  # struct landlock_path_beneath_attr: u64 allowed, s32 fd; packed
            ctypes.memmove(rule, ctypes.byref(ctypes.c_uint64(rights & handled_fs)), 8)
            ctypes.memmove(ctypes.byref(rule, 8), ctypes.byref(ctypes.c_int32(fd)), 4)
            check(libc.syscall(SYS_ADD_RULE, ruleset, RULE_PATH_BENEATH, ctypes.byref(rule), ctypes.c_uint32(0)),
                  f"landlock_add_rule {path}")
        finally:
            os.close(fd)

    for path in [*SYSTEM, *readable]:
        allow_path(path, READ_ONLY)
    for path in DEVICES:
        allow_path(path, READ_FILE | WRITE_FILE)
    allow_path(folder, READ_WRITE)
    if handled_net:
        for port in tcp_bind:
            rule = (ctypes.c_uint64 * 2)(BIND_TCP, port)  # struct landlock_net_port_attr
            check(libc.syscall(SYS_ADD_RULE, ruleset, RULE_NET_PORT, ctypes.byref(rule), ctypes.c_uint32(0)),
                  f"landlock_add_rule port {port}")
    check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)")
    check(libc.syscall(SYS_RESTRICT_SELF, ruleset, ctypes.c_uint32(0)), "landlock_restrict_self")
    os.close(ruleset)


def _limit(limits: dict[str, int]) -> None:
    # CPU: SIGXCPU at the limit, which the caller reports as a hang; the hard limit (SIGKILL) a second later.
    resource.setrlimit(resource.RLIMIT_CPU, (limits["cpu_s"], limits["cpu_s"] + 1))
    for name, value in ((resource.RLIMIT_CORE, 0), (resource.RLIMIT_FSIZE, limits["file_bytes"]),
                        (resource.RLIMIT_NOFILE, limits["open_files"])):
        resource.setrlimit(name, (value, value))
    if limits["memory_bytes"] is not None:
        resource.setrlimit(resource.RLIMIT_AS, (limits["memory_bytes"], limits["memory_bytes"]))


def main(argv: list[str]) -> NoReturn:
    """The wrapper: `python -m tinygen.sandbox SPEC -- PROGRAM ARGS...`."""
    spec, command = json.loads(argv[1]), argv[3:]
    try:
        _restrict(landlock_abi(), spec["folder"], spec["readable"], spec["tcp_bind"])
        os.chdir(spec["folder"])
        _limit(spec["limits"])
        if spec["fixed_layout"] and ctypes.CDLL(None).personality(ADDR_NO_RANDOMIZE) < 0:
            raise OSError("personality(ADDR_NO_RANDOMIZE) failed")
        os.execve(command[0], command, ENVIRONMENT)
    except OSError as exc:
        print(f"tinygen sandbox: {exc}", file=sys.stderr)
        os._exit(SETUP_FAILED)


if __name__ == "__main__":
    main(sys.argv)
