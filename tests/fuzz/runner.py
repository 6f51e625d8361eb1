"""Run mutated models through `check`, then `build`, then a sanitized `run --board host`, and judge each outcome.

Good: exit 0 or 1, or exit 2 with one `tinygen: error:` line and no traceback. Bad: a traceback, another exit
code, a signal, a hang past the timeout, a sanitizer report, generated C that does not compile, or firmware that
faults or hangs (`run` reports those as exit 1 with "exited with status" / "no exit after"). Every case is
derived from (seed, case number) alone, so a finding's repro is its description plus that pair.
"""

from __future__ import annotations

import json
import os
import random
import re
import select
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.fuzz.mutate import MUTATORS

ROOT = Path(__file__).resolve().parents[2]
STAGES = ("check", "build", "run")
GOOD = ("accepted", "exit 1", "refused")


@dataclass(frozen=True)
class Outcome:
    case: int
    model: str  # the seed model's name
    mutation: str  # what the mutator changed: the repro, with (seed, case)
    stage: str
    label: str  # one of GOOD, or what went wrong
    detail: str  # the error line, the exception and where it was raised, or the sanitizer's line

    @property
    def bad(self) -> bool:
        return self.label not in GOOD

    def key(self) -> tuple[str, str, str]:
        """What makes two findings the same bug: the stage, the label and the detail without its numbers."""
        return self.stage, self.label, re.sub(r"\d+", "N", self.detail.split(": ", 1)[0])[:160]


class Worker:
    """A `python -m tests.fuzz.worker` child, restarted after each hang or death."""

    def __init__(self, capped: bool, env: dict[str, str]) -> None:
        self.capped, self.env = capped, env
        self.process: subprocess.Popen[str] | None = None

    def _start(self) -> subprocess.Popen[str]:
        command = [sys.executable, "-m", "tests.fuzz.worker"] + ([] if self.capped else ["--uncapped"])
        return subprocess.Popen(command, cwd=ROOT, env=self.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True)

    def call(self, args: list[str], timeout_s: float) -> dict[str, Any]:
        """The worker's reply, or {"died": how} after a hang (the worker is killed) or a death."""
        if self.process is None or self.process.poll() is not None:
            self.process = self._start()
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps({"args": args}) + "\n")
        self.process.stdin.flush()
        ready, _, _ = select.select([self.process.stdout], [], [], timeout_s)
        line = self.process.stdout.readline() if ready else ""
        if line:
            reply: dict[str, Any] = json.loads(line)
            return reply
        if not ready:
            self.close()
            return {"died": f"hang past {timeout_s:g} s"}
        code = self.process.wait()
        self.process = None
        return {"died": f"signal {-code}" if code < 0 else f"worker exit {code}"}

    def close(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


def judge(stage: str, reply: dict[str, Any]) -> tuple[str, str]:
    """(label, detail) for one command's reply."""
    if "died" in reply:
        return ("hang" if reply["died"].startswith("hang") else "signal"), reply["died"]
    if "crash" in reply:
        crash = reply["crash"]
        return "traceback", f"{crash['type']} at {crash['where']}: {crash['message']}"
    lines = [line for line in reply["stderr"].splitlines() if line.strip()]
    code = reply["exit_code"]
    if code not in (0, 1, 2):
        return f"exit {code}", lines[-1] if lines else ""
    if code == 0:
        return "accepted", ""
    error = lines[0] if lines else ""
    if code == 2:
        ok = reply["lines"] == 1 and error.startswith("tinygen: error: ") and "Traceback" not in reply["stderr"]
        return ("refused" if ok else "messy error"), " | ".join(lines)[:300]
    for needle, label in (("failed to compile", "compile error"), ("runtime error:", "sanitizer"),
                          ("AddressSanitizer", "sanitizer"),
                          ("exited with status", "firmware crash"),
                          ("no exit after", "firmware hang")):
        if needle in error:
            return label, error
    return "exit 1", error


@dataclass(frozen=True)
class Budget:
    cases: int  # mutants, each checked
    builds: int  # of those `check` accepted, how many are built (host and mps2-an386 in turn)
    runs: int  # of those built for the host, how many run sanitized against TFLite Micro
    timeout_s: float = 60.0  # per check or build; a run gets three times as long (TensorFlow's import)


def mutant(seeds: dict[str, bytes], seed: int, case: int) -> tuple[str, bytes, str]:
    """(seed model's name, mutated bytes, description) for case `case`: a function of (seed, case) only."""
    rng = random.Random(f"{seed}:{case}")
    name = sorted(seeds)[case % len(seeds)]
    mutator = "structure" if rng.random() < 0.7 else "bytes"
    data, said = MUTATORS[mutator](seeds[name], rng)
    return name, data, said


def fuzz(seeds: dict[str, bytes], seed: int, budget: Budget, workdir: Path) -> Iterator[Outcome]:
    """Every stage's outcome for every case, in case order."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    workers = {"check": Worker(True, env), "run": Worker(False, env)}
    builds = runs = 0
    try:
        for case in range(budget.cases):
            name, data, said = mutant(seeds, seed, case)
            model = workdir / f"case{case}.tflite"
            model.write_bytes(data)
            json_flag = ["--json"] if case % 2 else []
            commands = [("check", ["check", str(model), *json_flag])]
            if builds < budget.builds:
                board = ("host", "mps2-an386")[builds % 2]
                commands.append(("build", ["build", str(model), "--board", board, "-o", str(workdir / f"b{case}")]))
                if board == "host" and runs < budget.runs:
                    commands.append(("run", ["run", str(model), "--board", "host", "--sanitize", "--random", "3",
                                             "-o", str(workdir / f"r{case}"), "--timeout", "20"]))
            for stage, args in commands:
                worker = workers["run" if stage == "run" else "check"]
                reply = worker.call(args, budget.timeout_s * (3 if stage == "run" else 1))
                label, detail = judge(stage, reply)
                builds += stage == "build"
                runs += stage == "run"
                yield Outcome(case, name, said, stage, label, detail)
                if label != "accepted":
                    break
            model.unlink()
    finally:
        for worker in workers.values():
            worker.close()


def distinct(outcomes: list[Outcome]) -> list[tuple[Outcome, int]]:
    """Each distinct bad outcome once (its first case), with how many cases hit it."""
    first: dict[tuple[str, str, str], Outcome] = {}
    count: dict[tuple[str, str, str], int] = {}
    for outcome in outcomes:
        if outcome.bad:
            first.setdefault(outcome.key(), outcome)
            count[outcome.key()] = count.get(outcome.key(), 0) + 1
    return [(outcome, count[key]) for key, outcome in first.items()]
