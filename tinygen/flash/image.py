"""The bytes a firmware ELF puts in flash, checked against the board's memory map before a probe sees them.

An ELF linked for another board writes its image where this board has no flash, or over something else;
that is caught here, from the ELF's load addresses (LMAs), rather than by a tool halfway through.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from elftools.common.exceptions import ELFError
from elftools.elf.elffile import ELFFile

from tinygen.boards import Board
from tinygen.errors import InputError


@dataclass(frozen=True)
class LoadRange:
    start: int  # lowest address written
    end: int  # one past the highest


def load_range(elf: Path, board: Board) -> LoadRange:
    """Where the ELF's loaded bytes go; every byte must land in one of the board's flash regions."""
    try:
        with elf.open("rb") as f:
            header = ELFFile(f)
            machine = header["e_machine"]
            spans = [(s["p_paddr"], s["p_paddr"] + s["p_filesz"]) for s in header.iter_segments()
                     if s["p_type"] == "PT_LOAD" and s["p_filesz"] > 0]
    except (ELFError, OSError) as error:
        raise InputError(f"{elf}: not a readable ELF ({error}); rebuild it with tinygen build") from None
    if machine != "EM_ARM":
        raise InputError(f"{elf}: built for {machine}, not for an Arm core; rebuild it with tinygen build "
                         f"--board {board.name}")
    if not spans:
        raise InputError(f"{elf}: loads no bytes, so there is nothing to flash; rebuild it with tinygen build")
    flash = [r for r in board.memory if r.kind == "flash"]
    for start, end in spans:
        if not any(r.origin <= start and end <= r.end for r in flash):
            names = ", ".join(f"'{r.name}' {r.origin:#010x}-{r.end - 1:#010x}" for r in flash)
            raise InputError(f"{elf}: loads bytes at {start:#010x}-{end - 1:#010x}, outside {board.name}'s flash "
                             f"({names}); it was linked for another board: rebuild it with tinygen build "
                             f"--board {board.name}")
    return LoadRange(min(s for s, _ in spans), max(e for _, e in spans))
