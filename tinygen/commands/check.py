"""`tinygen check`: does MODEL fit BOARD, where does the memory go, what is missing."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from tinygen.boards import list_boards, load_board
from tinygen.check.choose import choose_schedule
from tinygen.check.fit import FitReport, fit_report
from tinygen.check.render import print_report, print_summary, report_json
from tinygen.commands.options import (
    DEFAULT_BOARD,
    OutputFile,
    emit_json,
    json_option,
    model_argument,
    model_or_default,
    schedule_options,
)
from tinygen.importers.tflite import load_tflite
from tinygen.lower.support import is_float_model, require_generated, unsupported_message
from tinygen.plan.schedule import ScheduleOptions
from tinygen.text import one_line


@click.command()
@model_argument
@click.option("--board", "-b", default=DEFAULT_BOARD, show_default=True,
              help="Board name, path to a board .toml, or 'all'.")
@click.option("--plot", type=OutputFile(),
              help="Write the layer-by-layer and planned memory timelines (.svg/.png).")
@schedule_options
@json_option
@click.pass_context
def check(ctx: click.Context, model: Path | None, board: str, plot: Path | None, schedule: ScheduleOptions,
          as_json: bool) -> None:
    """Plan MODEL's memory and check it against BOARD's flash and SRAM regions.

    Exit 0 when it fits (with 'all': fits at least one board), 1 when it does
    not, 2 when the model has operators tinygen cannot generate (all listed,
    with their types, after the memory report).
    """
    path = model_or_default(model)
    graph = load_tflite(path)
    if not all(op.outputs and any(t >= 0 for t in op.inputs) for op in graph.operators):
        require_generated(graph, str(path))  # VAR_HANDLE, CALL_ONCE: no memory report, the planner needs operands
    targets = list_boards() if board == "all" else [load_board(board)]
    reports: list[FitReport] = []
    for b in targets:  # per board: the objective weighs its fit and its core's instructions
        reports.append(fit_report(graph, choose_schedule(graph, b, schedule, str(path)), b))
    if plot is not None:
        from tinygen.check.plot import plot_timeline

        plot_timeline(reports[0], plot)
    unsupported = reports[0].unsupported_ops
    error = unsupported_message(str(path), unsupported, is_float_model(graph)) if unsupported else None
    if as_json:
        payload = (report_json(reports[0]) if board != "all" else
                   {"model": graph.name, "results": [report_json(r) for r in reports]})
        if error:  # exit 2 under --json always carries an in-band error, as for bad input
            payload["error"] = {"message": error, "exit_code": 2}
        emit_json(payload)
    elif board == "all":
        print_summary(reports, Console())
    else:
        print_report(reports[0], Console())
    if error:
        click.echo(f"tinygen: error: {one_line(error)}", err=True)
        ctx.exit(2)
    ctx.exit(0 if any(r.fits for r in reports) else 1)
