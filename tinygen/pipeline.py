"""The pipeline, top to bottom: import -> plan -> fit -> codegen -> build -> run -> compare."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tinygen import __version__
from tinygen.boards import Board
from tinygen.build.make import STAMP, Build, build_project, cached
from tinygen.check.choose import choose_schedule
from tinygen.check.fit import FitReport, fit_report
from tinygen.check.render import report_files
from tinygen.codegen.harness import default_harness
from tinygen.codegen.project import Project, render_project
from tinygen.compare import compare
from tinygen.errors import TinygenError
from tinygen.files import check_output_folder
from tinygen.importers.tflite import load_tflite
from tinygen.ir.graph import Graph
from tinygen.lower.program import ModelCode, lower_model
from tinygen.lower.specialise import specialise
from tinygen.lower.support import require_generated
from tinygen.plan.memory import MemoryPlan
from tinygen.plan.schedule import Schedule, ScheduleOptions
from tinygen.reference import reference_outputs
from tinygen.run import vectors as vec
from tinygen.run.execute import execute


@dataclass(frozen=True)
class Firmware:
    graph: Graph
    schedule: Schedule
    code: ModelCode
    build: Build
    sanitized: bool = False  # built with ASan and UBSan (`--sanitize`)

    @property
    def plan(self) -> MemoryPlan:
        return self.schedule.plan


@dataclass(frozen=True)
class RunResult:
    board: str
    vectors: int
    mismatches: int  # vectors with at least one differing output element
    mismatched_elements: int
    max_abs_diff: int | float  # float when an output is float32 (DEQUANTIZE at the end)
    firmware: Firmware
    outputs: list[list[np.ndarray]]  # the firmware's, per vector
    first_mismatch: int | None = None  # the first differing vector (a stateful model's step where it diverged)

    @property
    def bit_exact(self) -> bool:
        return self.mismatches == 0


def default_output(model: Path, board: Board, harness: str | None = None, profile: bool = False,
                   debug: bool = False, sanitize: bool = False) -> Path:
    """firmware_out/<model>-<board>, with the harness appended when it is not the board's default,
    -profile for profile builds, -debug for debug builds and -sanitize for sanitized ones."""
    suffix = f"-{harness}" if harness and harness != default_harness(board) else ""
    suffix += ("-profile" if profile else "") + ("-debug" if debug else "") + ("-sanitize" if sanitize else "")
    return Path("firmware_out") / f"{model.stem}-{board.name}{suffix}"


def _build_key(project: Project) -> str:
    """What a build is made of: every rendered file (the model, the schedule, the parameter blocks, the harness,
    the Makefile's flags are all in them) and the board file, which also says how it runs."""
    h = hashlib.sha256(f"{__version__}\n".encode())
    for name, text in project.files:
        h.update(f"{name}\n{len(text)}\n{text}".encode())
    h.update(project.board.path.read_bytes())
    return h.hexdigest()[:20]


def require_fit(report: FitReport, model: Path) -> None:
    """Stop before rendering or compiling a model `check` already knows cannot fit: compiling a 50 MB model
    takes minutes and gigabytes only to fail at the link."""
    over = [r for r in report.regions if not r.fits]
    if over:
        worst = min(over, key=lambda r: r.margin_bytes)
        others = {0: "", 1: " (and one more region)"}.get(len(over) - 1, f" (and {len(over) - 1} more regions)")
        raise TinygenError(  # exit 1, as `check`: the model is sound, the board too small
            f"{model}: does not fit {report.board}: region '{worst.region}' needs {worst.used_bytes:,} B "
            f"({', '.join(f'{label} {size:,} B' for label, size in worst.items)}) but holds {worst.capacity_bytes:,} B"
            f"{others}; see `tinygen check {model} --board {report.board}`, shrink the model or pick a larger board")


def generate(model: Path, board: Board, schedule: ScheduleOptions = ScheduleOptions(),
             fit: bool = True) -> tuple[Graph, Schedule, ModelCode]:
    """Import, plan and lower `model`, specialised for `board`'s core: the code every build or export renders.
    `fit`: stop (exit 1) when the model cannot fit the board, before anything is rendered."""
    graph, planned, code, _ = generate_reported(model, board, schedule, fit)
    return graph, planned, code


def generate_reported(model: Path, board: Board, schedule: ScheduleOptions = ScheduleOptions(),
                      fit: bool = True) -> tuple[Graph, Schedule, ModelCode, FitReport]:
    """`generate`, and `check`'s report of the same schedule on the same board (the folder's report files)."""
    graph = load_tflite(model)
    require_generated(graph, str(model))  # every missing piece listed before the planner sees a type it never plans
    planned = choose_schedule(graph, board, schedule, str(model))
    report = fit_report(graph, planned, board)
    if fit:
        require_fit(report, model)
    return graph, planned, specialise(lower_model(graph, planned.plan, model), board), report


def build_firmware(model: Path, board: Board, output: Path | None = None, reuse: bool = False,
                   schedule: ScheduleOptions = ScheduleOptions(), harness: str | None = None,
                   profile: bool = False, debug: bool = False, sanitize: bool = False) -> Firmware:
    """The folder holds the C project, its build and the report files (check.render.report_files).
    `harness`: "host", "semihost" or "uart" (codegen.harness); None: the board's default.
    `profile`: mark every step for `tinygen profile` (never shares a cache with a normal build).
    `debug`: compile for a debugger (-Og -g3, the kernels' C loops; its own folder and cache key).
    `sanitize`: compile the host harness with ASan and UBSan, any finding fatal (its own folder and cache key)."""
    graph, planned, code, report = generate_reported(model, board, schedule)
    code = dataclasses.replace(code, profile=profile)
    harness = harness or default_harness(board)
    directory = output or default_output(model, board, harness, profile, debug, sanitize)
    project = render_project(code, board, harness, debug, sanitize)
    project = dataclasses.replace(project, files=project.files + tuple(sorted(report_files(report).items())))
    key = _build_key(project)
    check_output_folder(directory, STAMP)  # before the cache too: a refused folder is never reused either
    build = cached(directory, key) if reuse else None
    if build is None:
        build = build_project(project, directory, key)
    return Firmware(graph, planned, code, build, sanitize)


def run_firmware(firmware: Firmware, model: Path, board: Board, vectors: list[list[np.ndarray]],
                 timeout_s: float, progress: Callable[[], None] | None = None) -> RunResult:
    """Run all vectors in one firmware run, then the reference, and compare element by element."""
    output_bytes = sum(io.size_bytes for io in firmware.code.outputs) * len(vectors)
    raw = execute(firmware.build, board, vec.pack(vectors), timeout_s, output_bytes, firmware.sanitized)
    got = vec.unpack(raw, firmware.code.outputs, len(vectors))
    want = reference_outputs(model, vectors, len(firmware.code.outputs), progress=progress)
    comparison = compare([io.name for io in firmware.code.outputs], got, want)
    return RunResult(board.name, len(vectors), comparison.mismatched_vectors, comparison.mismatched_elements,
                     comparison.max_abs_diff, firmware, got, comparison.first_mismatch)
