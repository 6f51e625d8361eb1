"""The whole search, top to bottom: data -> space optimisation -> NSGA-II study -> results in DIR."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tinygen.boards import Board
from tinygen.errors import TinygenError
from tinygen.plan.schedule import ScheduleOptions
from tinygen.search.latency import LatencyModel
from tinygen.search.measure import Budget
from tinygen.search.results import SearchOutcome, pick_best, write_outcome
from tinygen.search.space import SpaceFamily, family_for
from tinygen.search.study import Candidate, Search, StudyConfig, open_study
from tinygen.search.tinynas import SpaceScore, optimise_space
from tinygen.search.train import SplitData
from tinygen.search.workers import workers_for


@dataclass(frozen=True)
class SearchOptions:
    board: Board
    budget: Budget
    trials: int = 24
    epochs: int = 8
    seed: int = 0
    population: int = 8
    workers: int = 2
    ray_address: str | None = None
    space_samples: int = 30
    spectrogram: bool = False
    schedule: ScheduleOptions = ScheduleOptions()
    latency: LatencyModel | None = None


def _fingerprint(data: SplitData, options: SearchOptions) -> dict:
    digest = hashlib.sha256()
    for array in (data.x_train, data.y_train, data.x_eval, data.y_eval):
        digest.update(np.ascontiguousarray(array).tobytes())
    b = options.budget
    return {"data": digest.hexdigest()[:16], "board": options.board.name, "sram": b.sram_bytes, "flash": b.flash_bytes,
            "latency_ms": b.latency_ms, "trials": options.trials, "epochs": options.epochs, "seed": options.seed,
            "population": options.population, "space_samples": options.space_samples,
            "spectrogram": options.spectrogram, "schedule": repr(options.schedule),
            "latency_model": options.latency.source if options.latency else None}


def family_spaces(data: SplitData, spectrogram: bool) -> SpaceFamily:
    classes = int(max(data.y_train.max(), data.y_eval.max())) + 1
    return family_for(tuple(data.x_train.shape[1:]), classes, spectrogram)


def rate_spaces(data: SplitData, options: SearchOptions,
                on_space: Callable[[], None] | None = None) -> tuple[SpaceScore, ...]:
    """TinyNAS step one, best space first; deterministic, so a resumed search re-derives the same space."""
    spaces = family_spaces(data, options.spectrogram)
    scores = tuple(optimise_space(spaces, options.board, options.budget, options.space_samples, options.seed,
                                  options.schedule, options.latency, on_space))
    if scores[0].fitting == 0:
        b = options.budget
        raise TinygenError(f"{options.board.name}: none of {options.space_samples} subnets of any of {len(scores)} "
                           f"spaces fits (SRAM {b.sram_bytes or 'board'}, flash {b.flash_bytes or 'board'}"
                           f"{f', latency {b.latency_ms} ms' if b.latency_ms else ''}); raise the budget")
    return scores


def run_search(data: SplitData, options: SearchOptions, directory: Path, spaces: tuple[SpaceScore, ...],
               on_candidate: Callable[[Candidate], None] | None = None) -> SearchOutcome:
    """NSGA-II in the best of `spaces` (from `rate_spaces`); `on_candidate(c)` as each candidate is done."""
    start = time.monotonic()
    chosen = spaces[0]
    directory.mkdir(parents=True, exist_ok=True)
    study = open_study(directory, {**_fingerprint(data, options), "space": chosen.space.label})
    config = StudyConfig(chosen.space, options.board, options.budget, options.trials, options.population,
                         options.epochs, options.seed, options.schedule, options.latency)
    workers = workers_for(data, options.workers, options.ray_address)
    try:
        candidates = Search(config, directory, study, workers, on_candidate).run()
    finally:
        workers.close()
    outcome = SearchOutcome(directory, spaces, chosen, tuple(candidates), pick_best(candidates),
                            time.monotonic() - start)
    write_outcome(outcome, options.budget.sram_bytes, options.budget.flash_bytes)
    return outcome
