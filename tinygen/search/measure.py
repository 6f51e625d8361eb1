"""What a candidate costs on the board, exactly as `tinygen check` would say, before any training.

The IR built from shapes goes through the same schedule search (patches and
in-place ops included) and the same fit report as a converted model, so the
peak SRAM the search constrains is the one `check` and `build` will find.
"""

from __future__ import annotations

from dataclasses import dataclass

from tinygen.boards import Board
from tinygen.check.choose import choose_schedule
from tinygen.check.fit import fit_report
from tinygen.ir.cost import macs
from tinygen.plan.schedule import ScheduleOptions
from tinygen.search.arch import Arch
from tinygen.search.ir_net import ir_graph
from tinygen.search.latency import LatencyModel
from tinygen.search.net import layers


@dataclass(frozen=True)
class Budget:
    """Limits beyond the board's own regions; None: only the board's capacity limits."""

    sram_bytes: int | None = None
    flash_bytes: int | None = None
    latency_ms: float | None = None


@dataclass(frozen=True)
class Measurement:
    macs: int
    params: int
    sram_bytes: int  # planned arena + stack
    arena_bytes: int
    flash_bytes: int  # weights + runtime estimate
    latency_ms: float | None
    board_fits: bool

    def violations(self, budget: Budget) -> tuple[float, float, float]:
        """Per constraint, how far over it the candidate is, relative to the limit (<= 0: satisfied)."""
        def over(used: float | None, limit: float | None) -> float:
            return 0.0 if limit is None or used is None else used / limit - 1.0
        board = 0.0 if self.board_fits else 1.0
        return (max(over(self.sram_bytes, budget.sram_bytes), board), over(self.flash_bytes, budget.flash_bytes),
                over(self.latency_ms, budget.latency_ms))

    def fits(self, budget: Budget) -> bool:
        return all(v <= 0 for v in self.violations(budget))


def measure(arch: Arch, board: Board, schedule: ScheduleOptions = ScheduleOptions(),
            latency: LatencyModel | None = None) -> Measurement:
    graph = ir_graph(layers(arch))
    planned = choose_schedule(graph, board, schedule, "candidate")
    report = fit_report(graph, planned, board)
    params = sum(t.elements for t in graph.tensors if t.is_constant and t.dtype == "int8")
    return Measurement(
        macs=sum(macs(graph, op) for op in graph.operators),
        params=params,
        sram_bytes=report.sram_bytes,
        arena_bytes=report.arena_bytes,
        flash_bytes=report.flash_bytes,
        latency_ms=latency.milliseconds(graph) if latency else None,
        board_fits=report.fits,
    )
