"""The model as a library for someone else's firmware: its API header and sources, in its own C namespace.

No startup, linker script, main or Makefile: the user's build compiles `src/` with `include/` on its path. The
arena is either the library's (`static`, optionally in a named section such as a DTCM's) or the caller's
(`extern`, given to `<name>_init`), so models that never run at the same time can share one buffer. State kept
between invocations (<NAME>_STATE_BYTES) and the specialised kernels' scratch stay static buffers of the library
in both cases: they are small, and state must survive another model using the shared arena.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tinygen.boards import Board
from tinygen.codegen.namespace import check_name, rename_file, rename_text
from tinygen.codegen.project import model_files
from tinygen.codegen.render import environment
from tinygen.codegen.toolchain import COMMON, OPT
from tinygen.errors import InputError
from tinygen.lower.program import ModelCode

ARENAS = ("static", "extern")
_SECTION = re.compile(r"\.?[A-Za-z_][A-Za-z0-9_.]*\Z")
MAX_SECTION = 64


@dataclass(frozen=True)
class LibraryOptions:
    name: str  # the C namespace: <name>_invoke, <NAME>_ARENA_BYTES, src/<name>_*.c
    arena: str = "static"  # one of ARENAS
    section: str | None = None  # the static arena's section; None: .bss.<name>_arena

    def __post_init__(self) -> None:
        check_name(self.name)
        if self.arena not in ARENAS:
            raise InputError(f"--arena '{self.arena[:40]}': unknown; use one of: {', '.join(ARENAS)}")
        if self.section is not None:
            check_section(self.section)
            if self.arena != "static":
                raise InputError("--arena-section places the library's own arena; with --arena extern the arena "
                                 "is yours, place it where you define it")


@dataclass(frozen=True)
class Library:
    model: ModelCode
    board: Board
    options: LibraryOptions
    files: tuple[tuple[str, str], ...]  # (path under the library folder, text): include/<name>.h, src/...
    cflags: tuple[str, ...]  # what the sources need compiled with, beside the core's flags from the user's toolchain

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(path for path, _ in self.files if path.startswith("src/") and path.endswith(".c"))

    @property
    def header(self) -> str:
        return f"include/{self.options.name}.h"


def check_section(section: str) -> str:
    """`section` if GCC's section attribute and a linker script can both name it, else a one-line InputError."""
    if not _SECTION.match(section) or len(section) > MAX_SECTION:
        raise InputError(f"--arena-section '{section[:40]}': not a section name; use up to {MAX_SECTION} letters, "
                         "digits, _ and . (e.g. .dtcm_bss)")
    return section


def library_cflags(board: Board, name: str) -> tuple[str, ...]:
    """Optimisation and warnings as tinygen builds compile the model (codegen.toolchain); the core's -mcpu/-mfpu/
    -mfloat-abi are the firmware's, and model.c's guard checks they match the core the kernels were made for."""
    host = (f"-D{name.upper()}_HOST",) if board.cpu.core == "host" else ()
    return (OPT, *COMMON.split(), *host)


def render_library(model: ModelCode, board: Board, options: LibraryOptions) -> Library:
    """`model` as the specialise stage left it for `board`'s core, rendered in `options.name`'s namespace."""
    env = environment()
    # Default sections any linker script already places: zero-filled arena and state under .bss.* (a section of
    # its own would be an orphan, placed as initialised data: its size again in flash, and a Zephyr warning),
    # weights under .rodata.*; named per library so a firmware's script can still move one model's arena.
    library = {"arena": options.arena, "section": options.section or f".bss.{options.name}_arena",
               "state_section": f".bss.{options.name}_state", "weights_section": f".rodata.{options.name}_weights"}
    ctx = {"model": model, "board": board, "harness": None, "library": library}
    files = []
    for path, template in sorted(model_files(model).items()):
        text = rename_text(env.get_template(template).render(**ctx), options.name)
        folder = "include" if path == "model.h" else "src"
        files.append((f"{folder}/{rename_file(path, options.name)}", text))
    return Library(model, board, options, tuple(sorted(files)), library_cflags(board, options.name))
