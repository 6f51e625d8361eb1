"""Per-layer cycles on a board, over the serial link: the profile build's harness reads the cycle counter.

A profile build with the UART harness (main_uart.c) reads the board's cycle
counter (DWT CYCCNT, or SysTick on a Cortex-M0+) at every step marker of
tg_model_invoke; the PROFILE request returns the cycles of each step of the last
INVOKE. A step's cycles include the marker's own call (a few dozen cycles); with
DWT, a step longer than 2^32 cycles wraps unseen (over 20 s at 200 MHz).
QEMU does not model DWT, so in emulation the reply says no counter counted:
`tinygen profile` counts instructions there instead (tinygen/profile/measure.py).
"""

from __future__ import annotations

from pathlib import Path

from tinygen.boards import Board
from tinygen.errors import TinygenError
from tinygen.pipeline import Firmware
from tinygen.profile.measure import Profile, peer_input, profile_steps
from tinygen.protocol import Command, Counter
from tinygen.validate.flow import ATTEMPTS, identify, run_vectors
from tinygen.validate.messages import StepCycles, profile_request
from tinygen.validate.result import QEMU_COUNTERS
from tinygen.validate.session import DeviceRefused, DeviceReset, DeviceSession, StateLost


def step_cycles(session: DeviceSession) -> StepCycles:
    """Every step's cycles from the last INVOKE, fetched page by page."""
    first, page = 0, None
    cycles: list[int] = []
    while page is None or first < page.steps:
        page = StepCycles.parse(session.request(Command.PROFILE, profile_request(first)))
        if not page.cycles and page.first < page.steps:
            raise TinygenError(f"{session.name}: the device returned no cycles for step {first}")
        cycles.extend(page.cycles)
        first += len(page.cycles)
    return StepCycles(page.counter, page.steps, 0, tuple(cycles))


def profile_device(session: DeviceSession, firmware: Firmware, model: Path, board: Board,
                   emulated: bool = False) -> Profile:
    """One inference of the peers' input on the device running `firmware` (built from `model`), then its
    per-step cycles."""
    identity = identify(session, firmware.code, model, board.cpu.clock_hz)
    for _ in range(ATTEMPTS):
        try:
            run_vectors(session, identity, firmware.code, [peer_input(firmware.code.inputs)])
            measured = step_cycles(session)
            break
        except (DeviceReset, StateLost):
            continue
        except DeviceRefused:
            raise TinygenError(f"{session.name}: the board refused PROFILE, so it does not run the profile build; "
                               f"flash it (tinygen flash {firmware.build.directory} --board {board.name}) and "
                               "run this again") from None
    else:
        raise TinygenError(f"{session.name}: the device kept resetting between INVOKE and PROFILE; check its supply")
    if measured.steps != len(firmware.code.steps):
        raise TinygenError(f"{session.name}: the device measured {measured.steps} steps, this model has "
                           f"{len(firmware.code.steps)}; flash the profile build of this model")
    if measured.counter == Counter.NONE:
        reason = QEMU_COUNTERS if emulated else "the firmware found no working cycle counter on this core"
        raise TinygenError(f"{session.name}: no cycles per layer: {reason}")
    return Profile(firmware.graph.name, board.name, profile_steps(firmware, list(measured.cycles)), 0,
                   firmware.build.elf, unit="cycles", clock_hz=board.cpu.clock_hz)
