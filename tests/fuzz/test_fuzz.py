"""Fuzzing: a few hundred seeded mutants of the example and of a test-made model through `check`, some through
`build` (host and mps2-an386), a few through a sanitized `run --board host`. Each must end well: exit 0 or 1, or
exit 2 with one error line. Long runs: benchmarks/fuzz.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fuzz.runner import STAGES, Budget, distinct, fuzz
from tests.fuzz.seeds import seed_models

BUDGET = Budget(cases=300, builds=8, runs=3)
SEED = 17


@pytest.mark.tools("cc", "arm-none-eabi-gcc")
def test_mutants_end_with_a_result_or_one_error_line(tmp_path: Path) -> None:
    outcomes = list(fuzz(seed_models(), SEED, BUDGET, tmp_path))
    per_stage = {stage: sum(o.stage == stage for o in outcomes) for stage in STAGES}
    findings = distinct(outcomes)
    assert not findings, f"{len(findings)} distinct bad outcomes (seed {SEED}):\n" + "\n".join(
        f"  {n}x {o.stage} {o.label}: {o.detail} | case {o.case} ({o.model}): {o.mutation}" for o, n in findings)
    assert per_stage == {"check": BUDGET.cases, "build": BUDGET.builds, "run": BUDGET.runs}, per_stage
    assert {o.label for o in outcomes if o.stage == "check"} >= {"accepted", "refused"}
