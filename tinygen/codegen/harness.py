"""Which main.c a project gets, and the board support it needs: the test harness is a build choice.

host: file I/O in a native process. semihost: file I/O through the debugger or QEMU's semihosting,
one emulator run for all vectors (`tinygen run`). uart: the validation protocol over the board's
console UART (`tinygen validate`), the default on real boards, where nothing else can talk to it.
"""

from __future__ import annotations

from tinygen.boards import Board
from tinygen.errors import InputError
from tinygen.resources import templates_dir

HARNESSES = ("host", "semihost", "uart")


def default_harness(board: Board) -> str:
    """What main.c does: host file I/O, semihosting in QEMU (`tinygen run`), or the UART protocol on real boards."""
    if board.cpu.core == "host":
        return "host"
    return "semihost" if board.emulated else "uart"


def harness_files(board: Board, harness: str) -> dict[str, str]:
    """The harness's files (output name -> template), after checking the board can carry it."""
    if harness not in HARNESSES:
        raise InputError(f"unknown harness '{harness}'; use one of: {', '.join(HARNESSES)}")
    if (harness == "host") != (board.cpu.core == "host"):
        wanted = "host" if board.cpu.core == "host" else "semihost or uart"
        raise InputError(f"{board.name}: no '{harness}' harness for a {board.cpu.core} board; use {wanted}")
    if harness == "host":
        return {"main.c": "project/main_host.c.j2"}
    files = {"startup.c": "boards/cortex-m/startup.c.j2", "linker.ld": "boards/cortex-m/linker.ld.j2"}
    if harness == "semihost" or board.emulated:  # startup's fault handler ends an emulated run through semihosting
        files.update({"semihost.h": "boards/cortex-m/semihost.h.j2", "semihost.c": "boards/cortex-m/semihost.c.j2"})
    if harness == "semihost":
        files["main.c"] = "project/main_semihost.c.j2"
        return files
    if board.console is None:
        raise InputError(f"{board.path.name}: no [console] table, so no UART for the validation harness; "
                         "add one (see boards/README.md)")
    driver = f"boards/cortex-m/uart_{board.console.uart}.c.j2"
    if not (templates_dir() / driver).is_file():
        raise InputError(f"{board.path.name}: console.uart = '{board.console.uart}' has no driver yet "
                         f"(templates/{driver}); pick a board with another UART")
    files.update({
        "main.c": "project/main_uart.c.j2",
        "uart.h": "boards/cortex-m/uart.h.j2",
        "uart.c": driver,
        "tg_protocol.h": "project/tg_protocol.h.j2",
        "tg_link.h": "project/tg_link.h.j2",
        "tg_link.c": "project/tg_link.c.j2",
        "tg_cycles.h": "boards/cortex-m/tg_cycles.h.j2",
        "tg_cycles.c": "boards/cortex-m/tg_cycles.c.j2",
    })
    return files
