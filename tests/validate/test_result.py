"""Latency: cycles only when real, with the reason when not."""

from __future__ import annotations

import pytest

from tinygen.protocol import Counter
from tinygen.validate.flow import DeviceRun
from tinygen.validate.messages import Invocation
from tinygen.validate.result import latency

CLOCK = 16_000_000


def run(cycles: int, counter: Counter = Counter.DWT, wall_s: float = 0.01) -> DeviceRun:
    return DeviceRun([], Invocation(counter, cycles), wall_s, 0)


def test_real_counts_give_cycles_and_ms_at_the_board_clock():
    timing = latency([run(1600), run(3200), run(4800)], Counter.DWT, CLOCK, emulated=False)
    assert timing.unavailable is None
    assert timing.summary() == {"min": 1600, "median": 3200, "max": 4800}
    assert timing.ms() == {"min": 0.1, "median": 0.2, "max": 0.3}


@pytest.mark.parametrize("runs, counter, emulated, reason", [
    ([run(0, Counter.NONE)], Counter.NONE, True, "QEMU does not model"),
    ([run(12345, Counter.SYSTICK)], Counter.SYSTICK, True, "QEMU does not model"),  # SysTick follows host time
    ([run(0, Counter.NONE)], Counter.NONE, False, "no working cycle counter"),
    ([run(5, Counter.SYSTICK), run(0, Counter.NONE)], Counter.SYSTICK, False, "SysTick wrapped"),
    ([run(5, wall_s=2 ** 32 / CLOCK + 1)], Counter.DWT, False, "2^32 cycles"),  # CYCCNT may have wrapped
])
def test_cycles_are_withheld_with_a_reason(runs, counter, emulated, reason):
    timing = latency(runs, counter, CLOCK, emulated)
    assert timing.summary() is None and timing.ms() is None
    assert reason in timing.unavailable


def test_unknown_clock():
    dwt = latency([run(100)], Counter.DWT, 0, emulated=False)
    assert dwt.summary() is None and "2^32" in dwt.unavailable  # no clock, no bound on a CYCCNT wrap
    systick = latency([run(100, Counter.SYSTICK)], Counter.SYSTICK, 0, emulated=False)
    assert systick.summary() == {"min": 100, "median": 100, "max": 100} and systick.ms() is None
