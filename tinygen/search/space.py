"""Search spaces: a (resolution, width) pair fixes a space; inside it every block's kernel, expand ratio and
each stage's depth are free, as in MCUNet's TinyNAS.

`suggest` draws a subnet from an Optuna trial and `sample` from a NumPy generator,
through the same `_draw`, so the random subnets that rate a space in
space optimisation come from exactly the distribution the search explores.
Every block's choices are drawn even when the stage is shallower, so a trial's
parameters are always the same set (NSGA-II crosses over parameter by parameter).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tinygen.search.arch import Arch, Block, Stage

if TYPE_CHECKING:  # annotations only: Optuna is optional
    import numpy as np
    import optuna

KERNELS = (3, 5, 7)
EXPANDS = (3, 4, 6)
RESOLUTIONS = (16, 24, 32)  # for image inputs; spectrogram inputs keep their own shape
WIDTHS = (0.5, 0.75, 1.0, 1.5)


@dataclass(frozen=True)
class StageSpec:
    channels: int  # at width 1.0
    stride: int
    max_depth: int
    min_depth: int = 1


# MobileNetV2's stage pattern scaled to microcontroller budgets (tens of kB of flash): MobileNetV2's
# 80-320-channel stages hold ~10x the weights a 96 kB part can store, so at any width most of its
# subnets failed the flash budget (measured: 0-13 of 20 fitting at 96 kB on 32x32 inputs). The first
# stage keeps the stem's resolution (as CIFAR-sized MobileNetV2s do), which spends SRAM, not flash,
# on accuracy; --sram is what bounds it.
IMAGE_STAGES = (StageSpec(16, 1, 2), StageSpec(24, 2, 3), StageSpec(32, 2, 3), StageSpec(48, 1, 2))
STEM_CHANNELS = 16


def scaled(channels: int, width: float, divisor: int = 8) -> int:
    """MobileNet's `make_divisible`: nearest multiple of `divisor`, never under 90% of the exact value."""
    exact = channels * width
    rounded = max(divisor, int(exact + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * exact else rounded


@dataclass(frozen=True)
class SearchSpace:
    """`input_shape` is the network's input at this space's resolution (H, W, C)."""

    input_shape: tuple[int, int, int]
    width: float
    classes: int
    stem: str = "conv+ds"
    stages: tuple[StageSpec, ...] = IMAGE_STAGES
    kernels: tuple[int, ...] = KERNELS
    expands: tuple[int, ...] = EXPANDS

    @property
    def resolution(self) -> int:
        return self.input_shape[0]

    @property
    def label(self) -> str:
        h, w, _ = self.input_shape
        return f"r{h}" + ("" if h == w else f"x{w}") + f" w{self.width:g}"

    def _draw(self, integer: Callable[[str, int, int], int], choice: Callable[[str, tuple], int]) -> Arch:
        stages = []
        for s, spec in enumerate(self.stages):
            depth = integer(f"s{s}_depth", spec.min_depth, spec.max_depth)
            blocks = tuple(Block(choice(f"s{s}_b{b}_kernel", self.kernels), choice(f"s{s}_b{b}_expand", self.expands))
                           for b in range(spec.max_depth))
            stages.append(Stage(scaled(spec.channels, self.width), spec.stride, blocks[:depth]))
        return Arch(self.input_shape, self.classes, self.stem, scaled(STEM_CHANNELS, self.width), tuple(stages))

    def suggest(self, trial: optuna.Trial) -> Arch:
        return self._draw(trial.suggest_int, trial.suggest_categorical)

    def sample(self, rng: np.random.Generator) -> Arch:
        return self._draw(lambda _, lo, hi: int(rng.integers(lo, hi + 1)),
                          lambda _, options: options[int(rng.integers(len(options)))])


@dataclass(frozen=True)
class SpaceFamily:
    """All spaces the optimiser compares: one per (resolution, width)."""

    channels: int
    classes: int
    resolutions: tuple[tuple[int, int], ...]  # (H, W) choices
    widths: tuple[float, ...] = WIDTHS
    stem: str = "conv+ds"
    stages: tuple[StageSpec, ...] = field(default=IMAGE_STAGES)

    def spaces(self) -> list[SearchSpace]:
        return [SearchSpace((h, w, self.channels), width, self.classes, self.stem, self.stages)
                for h, w in self.resolutions for width in self.widths]


def family_for(input_shape: tuple[int, int, int], classes: int, spectrogram: bool) -> SpaceFamily:
    """Square image data: resolutions up to the data's own; spectrograms: their own time × frequency shape."""
    h, w, c = input_shape
    if spectrogram:
        return SpaceFamily(c, classes, ((h, w),), stem="spectrogram")
    resolutions = tuple((r, r) for r in RESOLUTIONS if r <= min(h, w)) or ((h, w),)
    return SpaceFamily(c, classes, resolutions)
