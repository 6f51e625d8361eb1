"""`tinygen search`: the most accurate network for a data set that provably fits a board's budget.

MCUNet's recipe (tinygen/search/): rate (resolution, width) spaces by the MACs
their fitting subnets afford, then NSGA-II inside the best one, every candidate
measured by the exact memory planner before it trains. Resumable: run the same
command again after an interruption.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.table import Table

from tinygen.boards import load_board
from tinygen.commands.options import (
    BYTES,
    DEFAULT_BOARD,
    MAX_EPOCHS,
    FiniteRange,
    emit_json,
    json_option,
    output_folder_option,
    schedule_options,
    seed_option,
)
from tinygen.commands.progress import progress_bar
from tinygen.errors import InputError, TinygenError
from tinygen.plan.schedule import ScheduleOptions
from tinygen.text import terminal

if TYPE_CHECKING:  # the search modules are imported when the command runs
    from tinygen.search.results import SearchOutcome
    from tinygen.search.study import Candidate
    from tinygen.search.tinynas import SpaceScore


MAX_TRIALS = 10_000  # --trials, --population, --space-samples: each candidate is built and planned
MAX_WORKERS = 256  # training processes on one machine
MAX_SIDE = 1024  # --input-shape's height and width: a search trains on small images


class Interrupted(TinygenError):
    exit_code = 130  # the shell's code for Ctrl-C


def _shape(value: str | None) -> tuple[int, int, int] | None:
    if value is None:
        return None
    match = re.fullmatch(r"([0-9]{1,6})x([0-9]{1,6})x([13])", value.lower())  # ASCII digits: int() reads them
    if match is None or not all(0 < int(side) <= MAX_SIDE for side in match.groups()[:2]):
        raise InputError(f"--input-shape {value}: not HxWxC with H and W 1 to {MAX_SIDE} and C 1 or 3; "
                         "write e.g. 32x32x1")
    h, w, c = (int(group) for group in match.groups())
    return h, w, c


@click.command()
@click.option("--data", required=True, type=click.Path(path_type=Path),
              help="Labelled data: .npz with x and y, or a folder with one sub-folder of images per class.")
@click.option("--eval", "eval_data", type=click.Path(path_type=Path),
              help="Evaluation data that ranks candidates (same format); default: a seeded 20% of --data.")
@click.option("--board", "-b", default=DEFAULT_BOARD, show_default=True,
              help="Board name or path to a board .toml.")
@click.option("--sram", type=BYTES, default=None,
              help="Peak SRAM budget (arena + stack), e.g. 32K; default: the board's.")
@click.option("--flash", type=BYTES, default=None,
              help="Flash budget (weights + code), e.g. 96K; default: the board's.")
@click.option("--latency-ms", type=FiniteRange(min=0, min_open=True), default=None,
              help="Latency budget per inference, from the cost model of --latency-profile.")
@click.option("--latency-profile", type=click.Path(path_type=Path), default=None,
              help="`tinygen profile ... --json` output that calibrates the latency cost model "
                   "(needed by --latency-ms).")
@click.option("--trials", type=click.IntRange(1, MAX_TRIALS), default=24, show_default=True,
              help=f"Candidates sampled (over-budget ones are measured, not trained); at most {MAX_TRIALS:,}.")
@click.option("--epochs", type=click.IntRange(1, MAX_EPOCHS), default=8, show_default=True,
              help=f"Training epochs per candidate (at most {MAX_EPOCHS:,}).")
@click.option("--population", type=click.IntRange(2, MAX_TRIALS), default=8, show_default=True,
              help="NSGA-II generation size; a generation trains in parallel.")
@click.option("--workers", type=click.IntRange(1, MAX_WORKERS), default=2, show_default=True,
              help=f"Local training processes (1: in this process; at most {MAX_WORKERS}).")
@click.option("--ray-address", default=None,
              help="Train on this existing Ray cluster instead (pip install 'tinygen[ray]').")
@click.option("--space-samples", type=click.IntRange(1, MAX_TRIALS), default=30, show_default=True,
              help=f"Random subnets that rate each (resolution, width) space (at most {MAX_TRIALS:,}).")
@click.option("--spectrogram", is_flag=True, help="Inputs are spectrograms: DS-CNN's 10x4 stem, no resizing.")
@click.option("--input-shape", default=None, help="HxWxC to read an image folder at (e.g. 32x32x1).")
@seed_option
@output_folder_option("Folder for the study and results; default firmware_out/search-<data>-<board>.")
@schedule_options
@json_option
def search(data: Path, eval_data: Path | None, board: str, sram: int | None, flash: int | None,
           latency_ms: float | None, latency_profile: Path | None, trials: int, epochs: int, population: int,
           workers: int, ray_address: str | None, space_samples: int, spectrogram: bool, input_shape: str | None,
           seed: int, output: Path | None, schedule: ScheduleOptions, as_json: bool) -> None:
    """Search a network for DATA that fits BOARD (and --sram/--flash/--latency-ms), then quantise it to int8."""
    from tinygen.search.data import load_search_data
    from tinygen.search.flow import SearchOptions, family_spaces, rate_spaces, run_search
    from tinygen.search.latency import from_profile
    from tinygen.search.measure import Budget

    target = load_board(board)
    if latency_ms is not None and latency_profile is None:
        raise InputError("--latency-ms: needs --latency-profile FILE.json (from `tinygen profile MODEL --board "
                         f"{target.name} --json`) to calibrate the cost model")
    if latency_profile and not target.cpu.clock_hz:
        raise InputError(f"--latency-profile: {target.name} has no clock (cpu.clock_hz = 0 in {target.path.name}), "
                         "so cycles cannot become milliseconds; pick a board with a clock (tinygen boards)")
    latency = from_profile(latency_profile, target.cpu.clock_hz) if latency_profile else None
    directory = output or Path("firmware_out") / f"search-{Path(data).stem}-{target.name}"
    if directory.exists() and not directory.is_dir():
        raise InputError(f"{directory}: is a file; pass -o with a folder path")
    split = load_search_data(data, eval_data, seed, _shape(input_shape))
    options = SearchOptions(target, Budget(sram, flash, latency_ms), trials, epochs, seed, population, workers,
                            ray_address, space_samples, spectrogram, schedule, latency)
    console = Console()
    n_spaces = len(family_spaces(split, spectrogram).spaces())
    with progress_bar("rating search spaces", n_spaces, enabled=not as_json) as advance:
        spaces = rate_spaces(split, options, advance)
    if not as_json:
        _print_spaces(console, spaces)
    best: list[float] = []
    with progress_bar("search", trials, enabled=not as_json) as advance:
        def on_candidate(candidate: Candidate) -> None:
            if candidate.score is not None:
                best.append(candidate.score.int8_accuracy)
            advance(f"search: best int8 {100 * max(best):.2f}%" if best else "search: no candidate trained yet")

        try:
            outcome = run_search(split, options, directory, spaces, on_candidate)
        except KeyboardInterrupt:
            raise Interrupted(f"{directory}: interrupted; run the same command again to resume the search "
                              "where it stopped") from None
    if as_json:
        from tinygen.search.results import outcome_json

        emit_json(outcome_json(outcome))
    else:
        _print_outcome(Console(), outcome, target.name)
    if outcome.best is None:
        raise SystemExit(1)


def _print_spaces(console: Console, scores: Sequence[SpaceScore]) -> None:
    table = Table(title="search spaces: subnets within budget (TinyNAS)")
    for column in ("space", "fitting", "mean MACs of fitting"):
        table.add_column(column, justify="left" if column == "space" else "right")
    for i, s in enumerate(scores):
        table.add_row(("→ " if i == 0 else "  ") + s.space.label, f"{s.fitting}/{s.samples}", f"{s.mean_macs:,.0f}")
    console.print(table)


def _print_outcome(console: Console, outcome: SearchOutcome, board: str) -> None:
    best = outcome.best
    console.print(f"{len(outcome.candidates)} candidates in {outcome.chosen.space.label}, {outcome.trained} trained, "
                  f"in {outcome.seconds:.0f} s -> {terminal(str(outcome.directory))}")
    if best is None:
        console.print("no candidate within the budget was trained")
        return
    m, s, directory = best.measurement, best.trained_score, outcome.directory
    table = Table(title=f"best: trial {best.number}", show_header=False)
    for key, value in (("architecture", best.arch.describe()), ("MACs", f"{m.macs:,}"), ("parameters", f"{m.params:,}"),
                       ("peak SRAM", f"{m.sram_bytes:,} B (arena {m.arena_bytes:,} B + stack)"),
                       ("flash", f"{m.flash_bytes:,} B (weights + code estimate)"),
                       ("accuracy", f"float {100 * s.float_accuracy:.2f}%, int8 {100 * s.int8_accuracy:.2f}%"),
                       ("model", terminal(f"{directory / 'best.keras'}, {directory / 'best_int8.tflite'}"))):
        table.add_row(key, value)
    console.print(table)
    console.print(f"next: tinygen build {terminal(str(outcome.directory / 'best_int8.tflite'))} --board {board}")
