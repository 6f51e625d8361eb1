"""What each core tinygen generates for can run, independent of any board: the facts the kernel choice needs.

A board file states its part's configuration (`[cpu]`: dsp, mve, fpu), since some are options of the core (the
Cortex-M33's DSP extension, the Cortex-M55's Helium). `tinygen export --core` has no board, so it takes the
configuration parts usually have, from here; `tests/test_cores.py` checks every shipped board agrees with it, so
this table and the board catalogue cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Core:
    name: str  # GCC's -mcpu value ("host": the machine tinygen runs on, portable C only)
    dsp: bool  # the DSP extension (SMLAD, SSAT, SXTB16): the `_dsp` kernels
    mve: bool  # Helium (M-profile Vector Extension): the `_mve` kernels


CORES: dict[str, Core] = {core.name: core for core in (
    Core("cortex-m0plus", dsp=False, mve=False),
    Core("cortex-m3", dsp=False, mve=False),
    Core("cortex-m4", dsp=True, mve=False),
    Core("cortex-m7", dsp=True, mve=False),
    Core("cortex-m33", dsp=True, mve=False),
    Core("cortex-m55", dsp=True, mve=True),
    Core("host", dsp=False, mve=False),
)}
