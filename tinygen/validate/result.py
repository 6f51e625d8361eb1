"""What validation measured of latency, or why there is none (the outputs' comparison is tinygen.compare)."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

from tinygen.protocol import Counter
from tinygen.validate.flow import DeviceRun

QEMU_COUNTERS = ("QEMU does not model the DWT cycle counter (CYCCNT reads 0), "
                 "and its SysTick follows the host's clock, not executed instructions")


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
