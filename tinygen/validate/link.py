"""The serial link to a device: a board's port as given, or QEMU running the firmware with its UART on a socket."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import serial

from tinygen.boards import Board
from tinygen.errors import InputError, TinygenError
from tinygen.validate.emulator import start_emulator
from tinygen.validate.port import open_port
from tinygen.validate.session import LinkError


@contextmanager
def open_device(board: Board, elf: Path | None, port: str | None,
                timeout: float) -> Iterator[tuple[serial.SerialBase, str]]:
    """(open serial link, name for messages): QEMU running `elf`, or the port as given."""
    if elf is None:
        if port is None:
            raise ValueError("open_device needs the firmware to emulate or the port of a board")
        if board.console is None:
            raise InputError(f"{board.name}: no [console] table in {board.path.name}, so no UART to talk over; "
                             "pick a board with one (tinygen boards)")
        link = open_port(port, board.console.baud, timeout)
        try:
            yield link, port
        finally:
            link.close()
        return
    with start_emulator(board, elf) as emulator:
        link = emulator.connect(timeout)
        name = f"QEMU {emulator.machine} UART ({emulator.url})"
        try:
            yield link, name
        except LinkError:
            if not emulator.exited(within_s=2):
                raise
            raise TinygenError(f"{elf}: {emulator.exit_reason()} during validation; the firmware faulted "
                               "(run it with `tinygen run` to see whether the model itself runs)") from None
        finally:
            link.close()
