"""Turn a linker overflow into exit 1 with a breakdown (weights, code, arena, stack) per region.

Sizes come from the compiled objects (before --gc-sections, so an upper bound
for code), which exist even when the link failed.
"""

from __future__ import annotations

from pathlib import Path

from elftools.elf.constants import SH_FLAGS
from elftools.elf.elffile import ELFFile

from tinygen.codegen.project import Project
from tinygen.errors import TinygenError


def _object_sizes(build_dir: Path) -> dict[str, int]:
    totals = {"weights": 0, "code": 0, "arena": 0, "data": 0}
    for obj in sorted(build_dir.glob("*.o")):
        with obj.open("rb") as f:
            for s in ELFFile(f).iter_sections():
                if not s["sh_flags"] & SH_FLAGS.SHF_ALLOC:
                    continue
                name = s.name
                kind = ("weights" if name.startswith(".tg_weights") else "arena" if name.startswith(".tg_arena")
                        else "data" if name.startswith((".data", ".bss")) else "code")
                totals[kind] += s["sh_size"]
    return totals


def overflow_error(project: Project, staging: Path, stderr: str) -> TinygenError:
    board = project.board
    sizes = _object_sizes(staging / "build")
    needs: dict[str, list[tuple[str, int]]] = {}
    for region, label, size in (
        (board.placement.code, "code", sizes["code"] + sizes["data"]),
        (board.placement.weights, "weights", sizes["weights"]),
        (board.placement.arena, "arena", sizes["arena"]),
        (board.placement.stack, "stack+data", board.stack_bytes + sizes["data"]),
    ):
        needs.setdefault(region, []).append((label, size))
    parts = []
    for region, items in needs.items():
        used = sum(size for _, size in items)
        capacity = board.region(region).length_bytes
        if used > capacity:
            detail = " + ".join(f"{label} {size:,}" for label, size in items)
            parts.append(f"{region} needs {used:,} B ({detail}) but has {capacity:,} B")
    summary = "; ".join(parts) or stderr.strip().splitlines()[-1]
    return TinygenError(f"{project.model.name} does not fit {board.name}: {summary}; "
                        "try a board with more memory, or a smaller/quantised model")
