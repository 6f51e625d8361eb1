"""A tinygen build folder as something to flash: its firmware.elf, refused when it was built for another board.

`tinygen build` records the board's name in the folder's stamp (build/make.py's STAMP), so the check
is by name, before the ELF's addresses are compared with the board's flash (flash/image.py).
"""

from __future__ import annotations

import json
from pathlib import Path

from tinygen.boards import Board
from tinygen.build.make import STAMP
from tinygen.errors import InputError


def folder_elf(directory: Path, board: Board) -> Path:
    """`directory`/firmware.elf, after checking the folder was built for `board`."""
    stamp = directory / STAMP
    if not stamp.is_file():
        raise InputError(f"{directory}: not a tinygen build folder (no {STAMP}); pass a folder made by "
                         "tinygen build, or a .tflite model to build first")
    try:
        record = json.loads(stamp.read_text())
    except (OSError, ValueError) as error:
        raise InputError(f"{stamp}: unreadable ({error}); rebuild the folder with tinygen build") from None
    built_for = record.get("board") if isinstance(record, dict) else None
    if not isinstance(built_for, str):
        raise InputError(f"{stamp}: records no board; rebuild the folder with tinygen build --board {board.name}")
    if built_for != board.name:
        raise InputError(f"{directory}: built for board '{built_for}', not '{board.name}'; pass --board "
                         f"{built_for}, or build for {board.name}: tinygen build MODEL --board {board.name}")
    elf = directory / "firmware.elf"
    if not elf.is_file():
        raise InputError(f"{elf}: missing; run make in {directory} or tinygen build again")
    return elf
