"""Real section sizes from the ELF (pyelftools), grouped into flash and RAM as the linker placed them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from elftools.elf.constants import SH_FLAGS
from elftools.elf.elffile import ELFFile
from elftools.elf.sections import SymbolTableSection


@dataclass(frozen=True)
class SectionSizes:
    sections: dict[str, int]  # allocated sections only
    weights_bytes: int  # .tg_weights (host builds: from the symbol table)
    arena_bytes: int
    stack_bytes: int
    code_bytes: int  # everything else that sits in flash (vectors, text, rodata, .data image)
    other_ram_bytes: int  # .data + .bss

    @property
    def flash_bytes(self) -> int:
        return self.code_bytes + self.weights_bytes

    @property
    def ram_bytes(self) -> int:
        return self.arena_bytes + self.stack_bytes + self.other_ram_bytes


def _symbols_bytes(elf: ELFFile, pattern: str) -> int:
    table = elf.get_section_by_name(".symtab")
    if not isinstance(table, SymbolTableSection):
        return 0
    return sum(s["st_size"] for s in table.iter_symbols() if re.fullmatch(pattern, s.name))


def read_sizes(path: Path) -> SectionSizes:
    with path.open("rb") as f:
        elf = ELFFile(f)
        sections = {s.name: s["sh_size"] for s in elf.iter_sections() if s["sh_flags"] & SH_FLAGS.SHF_ALLOC}
        weights = sections.get(".tg_weights") or _symbols_bytes(elf, r"tg_l\d+_\w+")  # arrays, not tg_layerN
        arena = sections.get(".tg_arena") or _symbols_bytes(elf, "tg_arena")
    stack = sections.get(".stack", 0)
    data = sections.get(".data", 0)
    bss = sections.get(".bss", 0) - (0 if ".tg_arena" in sections else arena)  # host: arena sits in .bss
    ram_names = {".tg_arena", ".stack", ".bss", ".tg_weights", ".data"}
    code = sum(size for name, size in sections.items() if name not in ram_names) + data  # .data's image
    if ".tg_weights" not in sections:  # host: weights sit inside .rodata
        code -= weights
    return SectionSizes(sections, weights, arena, stack, code, data + bss)
