"""What validation found: per output, bit-exact or not and by how much; latency, or why there is none."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

import numpy as np

from tinygen.codegen.project import TensorIO
from tinygen.pipeline import abs_diff
from tinygen.validate.flow import DeviceRun
from tinygen.validate.protocol import Counter

QEMU_COUNTERS = ("QEMU does not model the DWT cycle counter (CYCCNT reads 0), "
                 "and its SysTick follows the host's clock, not executed instructions")


@dataclass(frozen=True)
class OutputCheck:
    index: int
    name: str
    vectors: int
    mismatched_vectors: int
    mismatched_elements: int
    max_abs_diff: int | float

    @property
    def bit_exact(self) -> bool:
        return self.mismatched_vectors == 0


@dataclass(frozen=True)
class Latency:
    counter: Counter
    clock_hz: int
    cycles: tuple[int, ...]  # per vector; empty when unavailable
    unavailable: str | None  # why there are no cycle counts

    def summary(self) -> dict[str, int] | None:
        if not self.cycles:
            return None
        return {"min": min(self.cycles), "median": int(statistics.median(self.cycles)), "max": max(self.cycles)}

    def ms(self) -> dict[str, float] | None:
        summary = self.summary()
        if summary is None or self.clock_hz <= 0:
            return None
        return {k: 1000.0 * v / self.clock_hz for k, v in summary.items()}


def compare(outputs: tuple[TensorIO, ...], device: list[list[np.ndarray]],
            reference: list[list[np.ndarray]]) -> tuple[OutputCheck, ...]:
    """Element by element, per output: the device's vectors against the reference's."""
    checks = []
    for k, io in enumerate(outputs):
        diffs = [abs_diff(got[k], want[k].reshape(got[k].shape)) for got, want in zip(device, reference)]
        bad = [int((d != 0).sum()) for d in diffs]
        checks.append(OutputCheck(k, io.name, len(diffs), sum(b > 0 for b in bad), sum(bad),
                                  max([0] + [d.max().item() for d in diffs if d.size])))
    return tuple(checks)


def latency(runs: list[DeviceRun], counter: Counter, clock: int, emulated: bool) -> Latency:
    """Cycle counts only where they are real: never from QEMU, never past the counter's range."""
    if emulated:
        return Latency(counter, clock, (), QEMU_COUNTERS)
    if counter == Counter.NONE:
        return Latency(counter, clock, (), "the firmware found no working cycle counter on this core")
    if any(run.invocation.counter == Counter.NONE for run in runs):
        return Latency(counter, clock, (), "SysTick wrapped during an inference and the vector table does not "
                                           "send SysTick to the firmware's SysTick_Handler to count the wraps")
    if counter == Counter.DWT and not all(_within(run, 32, clock) for run in runs):
        return Latency(counter, clock, (), "an inference may have outlasted DWT CYCCNT's 2^32 cycles "
                                           "at the board clock (the counter wraps)")
    return Latency(counter, clock, tuple(run.invocation.cycles for run in runs), None)


def _within(run: DeviceRun, bits: int, clock_hz: int) -> bool:
    """The host's round trip bounds the device's time: shorter than the counter's range means no wrap."""
    return clock_hz > 0 and run.wall_s * clock_hz < math.ldexp(1.0, bits)
