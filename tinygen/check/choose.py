"""The schedule for a board: plan/schedule.py's candidates judged by their fit and estimated instructions there."""

from __future__ import annotations

from tinygen.boards import Board
from tinygen.check.fit import fit_report
from tinygen.ir.graph import Graph
from tinygen.plan.schedule import Schedule, ScheduleOptions, Verdict, plan_schedule


def choose_schedule(graph: Graph, board: Board, options: ScheduleOptions = ScheduleOptions(),
                    origin: str = "model") -> Schedule:
    """The schedule `options.optimize` picks for `board` (every candidate lowered and specialised as `build`
    would, nothing compiled: milliseconds each)."""

    def judge(schedule: Schedule) -> Verdict:
        report = fit_report(graph, schedule, board)
        return Verdict(schedule.plan.arena_bytes, report.instructions, report.fits)

    return plan_schedule(graph, board.alignment_bytes, options, origin, board.cpu.dsp, judge)
