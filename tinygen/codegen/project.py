"""The codegen stage: a lowered, specialised model + board -> `Project` (the files of a C project, in memory)."""

from __future__ import annotations

from dataclasses import dataclass

from tinygen import protocol
from tinygen.boards import Board
from tinygen.codegen.harness import default_harness, harness_files
from tinygen.codegen.render import environment
from tinygen.codegen.toolchain import toolchain
from tinygen.lower.program import ModelCode
from tinygen.sandbox import ASAN_RSS_LIMIT_MB


@dataclass(frozen=True)
class Project:
    model: ModelCode
    board: Board
    files: tuple[tuple[str, str], ...]  # (relative path, text)


def render_project(model: ModelCode, board: Board, harness: str | None = None, debug: bool = False,
                   sanitize: bool = False) -> Project:
    """`model` as the specialise stage left it for `board`; `harness`: one of codegen.harness.HARNESSES, None
    picks the board's default. `debug`: the Makefile compiles for a debugger (codegen.toolchain.DEBUG_OPT);
    `sanitize`: with ASan and UBSan (codegen.toolchain.SANITIZE_FLAGS, the host board only)."""
    env = environment()
    harness = harness or default_harness(board)
    ctx = {"model": model, "board": board, "toolchain": toolchain(board, debug, sanitize),
           "stack_bytes": board.stack_bytes, "harness": harness, "protocol": protocol,
           "asan_rss_limit_mb": ASAN_RSS_LIMIT_MB, "library": None}
    files = {"Makefile": "project/Makefile.j2", **model_files(model), **harness_files(board, harness)}
    rendered = tuple((name, env.get_template(tpl).render(**ctx)) for name, tpl in sorted(files.items()))
    return Project(model, board, rendered)


def model_files(model: ModelCode) -> dict[str, str]:
    """The model's own files (output name -> template): API, model.c and the kernels it calls, no main or Makefile."""
    files = {
        "model.h": "project/model.h.j2",
        "model.c": "project/model.c.j2",
        "tg_fixedpoint.h": "kernels/tg_fixedpoint.h.j2",
        "tg_window.h": "kernels/tg_window.h.j2",
        "tg_int4.h": "kernels/tg_int4.h.j2",
        "tg_dot.h": "kernels/tg_dot.h.j2",
        "tg_sigmoid_s16.h": "kernels/tg_sigmoid_s16.h.j2",
    }
    for family in model.families:
        files[f"tg_{family}.h"] = f"kernels/tg_{family}.h.j2"
        files[f"tg_{family}.c"] = f"kernels/tg_{family}.c.j2"
    for header in model.headers:
        files[header] = f"kernels/{header}.j2"
    if model.headers:
        files["tg_specialised.h"] = "kernels/tg_specialised.h.j2"
    return files
