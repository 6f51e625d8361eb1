"""Search-space optimisation (MCUNet's TinyNAS, step one): pick the (resolution, width) whose subnets that fit
the budget have the most MACs on average.

MCUNet's observation: under a memory budget, a space whose fitting subnets can
afford more computation holds more accurate networks, so mean MACs of the
fitting random subnets ranks spaces without training any of them. Every sampled
subnet is measured with the exact planner (`measure.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tinygen.boards import Board
from tinygen.plan.schedule import ScheduleOptions
from tinygen.search.latency import LatencyModel
from tinygen.search.measure import Budget, measure
from tinygen.search.space import SearchSpace, SpaceFamily

MIN_FIT_SHARE = 0.5


@dataclass(frozen=True)
class SpaceScore:
    space: SearchSpace
    samples: int
    fitting: int
    mean_macs: float  # over the fitting subnets; 0 when none fits

    @property
    def fit_ratio(self) -> float:
        return self.fitting / self.samples


def score_space(space: SearchSpace, board: Board, budget: Budget, samples: int, seed: int,
                schedule: ScheduleOptions, latency: LatencyModel | None) -> SpaceScore:
    rng = np.random.default_rng(seed)
    fitting = []
    for _ in range(samples):
        m = measure(space.sample(rng), board, schedule, latency)
        if m.fits(budget):
            fitting.append(m.macs)
    return SpaceScore(space, samples, len(fitting), float(np.mean(fitting)) if fitting else 0.0)


def optimise_space(family: SpaceFamily, board: Board, budget: Budget, samples: int, seed: int,
                   schedule: ScheduleOptions = ScheduleOptions(), latency: LatencyModel | None = None,
                   progress: Callable[[], None] | None = None) -> list[SpaceScore]:
    """Every space scored on the same seed; best first: qualifying spaces by mean MACs, then the rest."""
    scores = []
    for space in family.spaces():
        scores.append(score_space(space, board, budget, samples, seed, schedule, latency))
        if progress:
            progress()
    return sorted(scores, key=lambda s: (s.fit_ratio < MIN_FIT_SHARE, -s.mean_macs, -s.fit_ratio, s.space.label))
