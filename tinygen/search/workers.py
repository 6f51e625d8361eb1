"""Where candidates train: in this process, in a local process pool (the default), or on a Ray cluster.

All three run `train.evaluate` on the same `Task`s and yield `Score`s as they
finish; the study tells Optuna in trial order afterwards, so which worker ran
what never changes the result. Local workers split the machine's cores between
them, each TensorFlow limited to its share, so two trainings do not fight over one core.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import TypeAlias

from tinygen.errors import InputError
from tinygen.search.train import Score, SplitData, Task, evaluate

_data: SplitData | None = None  # a pool worker's copy, sent once by the initializer


def _limit_threads(threads: int) -> None:
    from tinygen.quant.convert import tensorflow

    tf = tensorflow()
    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)


def _init(data: SplitData, threads: int) -> None:
    global _data
    _data = data
    _limit_threads(threads)


def _run(task: Task) -> Score:
    assert _data is not None  # LocalPool starts every worker with _init
    return evaluate(task, _data)


class InProcess:
    def __init__(self, data: SplitData):
        self.data = data

    def run(self, tasks: Iterable[Task]) -> Iterator[Score]:
        for task in tasks:
            yield evaluate(task, self.data)

    def close(self) -> None:
        pass


class LocalPool:
    def __init__(self, data: SplitData, workers: int):
        threads = max(1, (os.cpu_count() or 1) // workers)
        self.pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_init, initargs=(data, threads))

    def run(self, tasks: Iterable[Task]) -> Iterator[Score]:
        futures = [self.pool.submit(_run, task) for task in tasks]
        for future in as_completed(futures):
            yield future.result()

    def close(self) -> None:
        self.pool.shutdown(cancel_futures=True)


def _remote_evaluate(task: Task, data: SplitData) -> Score:
    return evaluate(task, data)


class RayCluster:
    """An existing Ray cluster (`ray start --head`): one CPU per candidate, the data shipped once."""

    def __init__(self, data: SplitData, address: str):
        try:
            import ray
        except ImportError:
            raise InputError("--ray-address: Ray is not installed; pip install 'tinygen[ray]'") from None
        self.ray = ray
        try:
            ray.init(address=address, ignore_reinit_error=True, log_to_driver=False, logging_level=logging.ERROR)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise InputError(f"--ray-address {address}: cannot join the Ray cluster ({str(exc).splitlines()[0]}); "
                             "start one with `ray start --head` and pass the address it prints") from None
        self.data = ray.put(data)
        self.remote = ray.remote(num_cpus=1)(_remote_evaluate)

    def run(self, tasks: Iterable[Task]) -> Iterator[Score]:
        pending = [self.remote.remote(task, self.data) for task in tasks]
        while pending:
            done, pending = self.ray.wait(pending, num_returns=1)
            yield self.ray.get(done[0])

    def close(self) -> None:
        self.ray.shutdown()


Workers: TypeAlias = InProcess | LocalPool | RayCluster


def workers_for(data: SplitData, workers: int, ray_address: str | None) -> Workers:
    if ray_address:
        return RayCluster(data, ray_address)
    return InProcess(data) if workers <= 1 else LocalPool(data, workers)
