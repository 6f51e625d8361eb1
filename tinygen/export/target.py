"""What an export is specialised for: a shipped board's core, or a core with no board (`--core`)."""

from __future__ import annotations

from tinygen.boards import DEFAULT_ALIGNMENT_BYTES, Board, Cpu, MemoryRegion, Placement
from tinygen.cores import CORES
from tinygen.errors import InputError
from tinygen.resources import boards_dir
from tinygen.text import Untrusted

_ANYWHERE = 1 << 32  # no board: the firmware decides what fits, so the plan sees no region limit


def core_board(core: str) -> Board:
    """A board that is only `core` (tinygen.cores): its kernels as on any board with that core, memory unbounded,
    the default arena alignment."""
    facts = CORES.get(core)
    if facts is None:
        raise InputError(f"--core '{core[:40]}': unknown core; use one of: {', '.join(CORES)}")
    region = MemoryRegion("memory", "ram", 0, _ANYWHERE)
    return Board(
        name=core, description=Untrusted(f"any {core}"), path=boards_dir() / f"{core}.toml",
        cpu=Cpu(core=core, fpu=None, dsp=facts.dsp, mve=facts.mve, clock_hz=0, max_clock_hz=0),
        memory=(region,), placement=Placement(code="memory", weights="memory", arena="memory", stack="memory"),
        stack_bytes=0, alignment_bytes=DEFAULT_ALIGNMENT_BYTES, qemu=None, console=None, flash=None, vector_table=0)
