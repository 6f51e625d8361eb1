"""The search inside the chosen space: Optuna's NSGA-II over (int8 accuracy ↑, peak SRAM ↓) under the budget.

Why it resumes to the same result:
* The study lives in SQLite (DIR/study.db), and every trained candidate's score
  in DIR/candidates/NNNN/score.json.
* Trials run in generations of `population` trials: all are asked, trained in
  parallel, then told in trial order. A sampler is made afresh for every ask,
  seeded from (seed, trial number), so what a trial samples depends only on the
  stored trials, never on a process's random state.
* On resume, the unfinished generation is completed as it would have been: its
  missing trials are asked while the others are still RUNNING, candidates without
  a score are trained (seeded, deterministic), and all are told in order.

Candidates over the budget are measured (exactly, by the planner), not trained;
NSGA-II sees them through its constraints, so the search leaves infeasible regions.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from tinygen.boards import Board
from tinygen.errors import InputError
from tinygen.plan.schedule import ScheduleOptions
from tinygen.search.arch import Arch
from tinygen.search.latency import LatencyModel
from tinygen.search.measure import Budget, Measurement, measure
from tinygen.search.space import SearchSpace
from tinygen.search.train import Score, Task

if TYPE_CHECKING:  # annotations only: Optuna is optional and imported lazily
    import optuna

    from tinygen.search.workers import Workers

STUDY = "tinygen-search"
SEED_STRIDE = 1_000_003


@dataclass(frozen=True)
class StudyConfig:
    space: SearchSpace
    board: Board
    budget: Budget
    trials: int
    population: int
    epochs: int
    seed: int
    schedule: ScheduleOptions = ScheduleOptions()
    latency: LatencyModel | None = None


@dataclass(frozen=True)
class Candidate:
    number: int
    arch: Arch
    measurement: Measurement
    fits: bool
    score: Score | None  # None: over budget, never trained

    @property
    def trained_score(self) -> Score:
        """`score`, for a candidate known to be trained (the best, one of the scored)."""
        if self.score is None:
            raise ValueError(f"trial {self.number} was never trained")
        return self.score


def _optuna() -> ModuleType:
    try:
        import optuna
    except ImportError:
        raise InputError("tinygen search needs Optuna; pip install 'tinygen[search]'") from None

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


def open_study(directory: Path, fingerprint: dict[str, object]) -> optuna.Study:
    """The study in DIR/study.db, created or resumed; a study made with other settings is refused."""
    optuna = _optuna()
    storage = optuna.storages.RDBStorage(f"sqlite:///{directory / 'study.db'}")
    study = optuna.create_study(study_name=STUDY, storage=storage, directions=["maximize", "minimize"],
                                load_if_exists=True)
    stored = study.user_attrs.get("fingerprint")
    if stored is None:
        study.set_user_attr("fingerprint", fingerprint)
    elif stored != json.loads(json.dumps(fingerprint)):
        changed = sorted(k for k in set(stored) | set(fingerprint) if stored.get(k) != fingerprint.get(k))
        raise InputError(f"{directory}: holds a search with other settings ({', '.join(changed)} differ); "
                         "resume with the same options or pass a new -o folder")
    return study


def _sampler(config: StudyConfig, number: int) -> optuna.samplers.NSGAIISampler:
    optuna = _optuna()
    return optuna.samplers.NSGAIISampler(population_size=config.population, seed=config.seed * SEED_STRIDE + number)


def _task(config: StudyConfig, directory: Path, number: int, arch: Arch) -> Task:
    return Task(number, arch, config.epochs, config.seed + number, directory / "candidates" / f"{number:04d}")


def _saved_score(task: Task) -> Score | None:
    path = task.directory / "score.json"
    if not path.exists():
        return None
    data = json.loads(path.read_text())
    if Arch.from_json(data["arch"]) != task.arch or data["epochs"] != task.epochs or data["seed"] != task.seed:
        return None
    return Score(task.number, data["float_accuracy"], data["int8_accuracy"], task.directory / "model.keras",
                 task.directory / "model_int8.tflite", data["seconds"])


def _save_score(task: Task, score: Score) -> None:
    data = {"arch": task.arch.to_json(), "epochs": task.epochs, "seed": task.seed,
            "float_accuracy": score.float_accuracy, "int8_accuracy": score.int8_accuracy, "seconds": score.seconds}
    tmp = task.directory / "score.json.tmp"
    tmp.write_text(json.dumps(data, indent=1))
    tmp.replace(task.directory / "score.json")


class Search:
    def __init__(self, config: StudyConfig, directory: Path, study: optuna.Study, workers: Workers,
                 on_done: Callable[[Candidate], None] | None = None) -> None:
        self.config, self.directory, self.study, self.workers = config, directory, study, workers
        self.on_done = on_done or (lambda candidate: None)
        self.optuna = _optuna()

    def _trial(self, frozen: optuna.trial.FrozenTrial) -> optuna.Trial:
        """A live handle on a stored trial (asked by this process or an interrupted one), to set attrs and tell."""
        return self.optuna.trial.Trial(self.study, frozen._trial_id)

    def _ask(self, number: int) -> None:
        self.study.sampler = _sampler(self.config, number)
        trial = self.study.ask()
        assert trial.number == number, (trial.number, number)
        arch = self.config.space.suggest(trial)
        m = measure(arch, self.config.board, self.config.schedule, self.config.latency)
        trial.set_user_attr("arch", arch.to_json())
        trial.set_user_attr("measurement", asdict(m))
        for name, value in zip(("sram", "flash", "latency"), m.violations(self.config.budget), strict=True):
            trial.set_constraint(name, value)  # NSGA-II ranks feasible trials first, then by total violation

    def _candidate(self, frozen: optuna.trial.FrozenTrial, score: Score | None) -> Candidate:
        attrs = frozen.user_attrs
        m = Measurement(**attrs["measurement"])
        return Candidate(frozen.number, Arch.from_json(attrs["arch"]), m, m.fits(self.config.budget), score)

    def _generation(self, start: int) -> None:
        stop = min(start + self.config.population, self.config.trials)
        for number in range(len(self.study.trials), stop):
            self._ask(number)
        running = self.optuna.trial.TrialState.RUNNING
        stored = self.study.trials  # one storage read: each `.trials` reloads every trial
        pending = {n: stored[n] for n in range(start, stop) if stored[n].state == running}
        candidates = {n: self._candidate(frozen, None) for n, frozen in pending.items()}
        tasks, scores = [], {}
        for n, c in candidates.items():
            if not c.fits:
                continue
            task = _task(self.config, self.directory, n, c.arch)
            saved = _saved_score(task)
            if saved is None:
                tasks.append(task)
            else:
                scores[n] = saved
                self.on_done(Candidate(n, c.arch, c.measurement, True, saved))
        by_number = {t.number: t for t in tasks}
        for score in self.workers.run(tasks):
            _save_score(by_number[score.number], score)
            scores[score.number] = score
            c = candidates[score.number]
            self.on_done(Candidate(c.number, c.arch, c.measurement, True, score))
        for n, c in candidates.items():
            trial = self._trial(pending[n])
            scored = scores.get(n)
            if scored is None:
                self.on_done(c)
            else:
                trial.set_user_attr("float_accuracy", scored.float_accuracy)
                trial.set_user_attr("int8_accuracy", scored.int8_accuracy)
            accuracy = scored.int8_accuracy if scored else 0.0
            self.study.tell(trial, [accuracy, c.measurement.sram_bytes])

    def run(self) -> list[Candidate]:
        finished = self.optuna.trial.TrialState.COMPLETE
        stored = self.study.trials
        for candidate in self.candidates():  # resumed: what earlier runs finished
            if stored[candidate.number].state == finished:
                self.on_done(candidate)
        while True:
            done = sum(t.state == finished for t in self.study.trials)
            if done >= self.config.trials:
                break
            self._generation(done // self.config.population * self.config.population)
        return self.candidates()

    def candidates(self) -> list[Candidate]:
        result = []
        for trial in self.study.trials[: self.config.trials]:
            c = self._candidate(trial, None)
            score = None
            if "int8_accuracy" in trial.user_attrs:
                score = _saved_score(_task(self.config, self.directory, trial.number, c.arch))
            result.append(Candidate(c.number, c.arch, c.measurement, c.fits, score))
        return result
