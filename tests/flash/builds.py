"""Build folders shaped like `tinygen build`'s, for any board in seconds: a real Arm ELF, the stamp naming the board.

The firmware is one function linked at the board's code origin: what flashing reads (the stamp, the ELF's
load addresses) is real, without waiting on a model's build per board.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tinygen.boards import load_board
from tinygen.build.make import STAMP

needs_arm = pytest.mark.tools("arm-none-eabi-gcc")


def minimal_build(directory: Path, board: str, link_at: int | None = None) -> Path:
    """`directory` holding firmware.elf (linked at `link_at`, default the board's code origin) and the stamp."""
    directory.mkdir(parents=True)
    target = load_board(board)
    origin = target.region(target.placement.code).origin if link_at is None else link_at
    (directory / "main.c").write_text("void reset(void) { for (;;) ; }\n")
    subprocess.run(["arm-none-eabi-gcc", "-mcpu=cortex-m0plus", "-mthumb", "-nostdlib", "-e", "reset",
                    f"-Wl,-Ttext={origin:#x}", "-o", "firmware.elf", "main.c"], cwd=directory, check=True)
    (directory / STAMP).write_text(json.dumps({"key": "test", "model": "none", "board": target.name}))
    return directory
