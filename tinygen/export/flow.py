"""Export: plan and specialise the model for a core, render it as a library in its namespace, add the format's
build files and the report files (check.render), and swap the folder in whole (nothing half-written, a user's
folder never replaced)."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

from tinygen import __version__
from tinygen.boards import Board
from tinygen.check.render import report_files
from tinygen.codegen.library import Library, LibraryOptions, render_library
from tinygen.codegen.render import environment
from tinygen.export.formats import export_format
from tinygen.files import check_output_folder, staged_folder, swap_in
from tinygen.pipeline import generate_reported
from tinygen.plan.schedule import ScheduleOptions

STAMP = "tinygen-export.json"  # marks a folder tinygen may replace whole (tinygen/files.py)


@dataclass(frozen=True)
class Export:
    library: Library
    format: str
    directory: Path
    files: tuple[str, ...]  # every file written, relative to `directory`, the stamp included

    def summary(self) -> dict:
        """What was written, as the stamp and `--json` state it."""
        lib = self.library
        return {"name": lib.options.name, "format": self.format, "core": lib.board.cpu.core,
                "model": lib.model.name, "model_hash": lib.model.hash, "arena": lib.options.arena,
                "arena_bytes": lib.model.arena_bytes, "arena_align": lib.model.alignment_bytes,
                "state_bytes": lib.model.state.state_bytes, "directory": str(self.directory),
                "files": list(self.files)}


def export_library(model: Path, target: Board, fmt: str, options: LibraryOptions, output: Path,
                   schedule: ScheduleOptions = ScheduleOptions(), fit: bool = True, url: str | None = None) -> Export:
    """`target`: a shipped board (`fit`: refuse a model it cannot hold, as build does) or export.target.core_board;
    `url`: the project page a manifest names (--url). Every input is checked before planning, the folder before
    anything is written."""
    env, form = environment(), export_format(fmt)
    form.check(options.name, url)
    check_output_folder(output, STAMP)
    _, _, code, report = generate_reported(model, target, schedule, fit)
    if not fit:  # a core, no board: nothing to fit, and the report says so
        report = replace(report, board=None, regions=())
    library = render_library(code, target, options)
    files = form.render(library, env, url) | report_files(report)
    names = tuple(sorted(files)) + (STAMP,)
    export = Export(library, fmt, output, names)
    stamp = {"tinygen": __version__, **export.summary()}
    with staged_folder(output) as staging:
        for path, text in files.items():
            (staging / path).parent.mkdir(parents=True, exist_ok=True)
            (staging / path).write_text(text)
        (staging / STAMP).write_text(json.dumps(stamp, indent=2) + "\n")
        swap_in(staging, output)
    return export
