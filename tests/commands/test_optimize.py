"""--optimize speed|memory|balanced: on every command that plans a schedule, and what `check` shows of it."""

from __future__ import annotations

import pytest

from tests.commands.test_cli import invoke, one_error_line, one_json_object
from tests.models import shared_model
from tinygen.plan.schedule import BALANCED_MARGIN


@pytest.mark.parametrize("command", ["check", "build", "run", "profile", "deploy", "search"])
def test_every_planning_command_takes_the_objective(command):
    text = invoke(command, "--help").stdout
    assert "--optimize [balanced|speed|memory]" in text and "balanced" in text.split("--optimize", 1)[1]


def test_a_bad_objective_is_one_line_exit_2():
    one_error_line(invoke("check", "--optimize", "fastest", exit_code=2), "--optimize", "fastest")


def _check(model, objective: str) -> dict:
    return one_json_object(invoke("check", model, "--optimize", objective, "--json"))


def test_check_weighs_the_schedules_and_each_objective_takes_its_own():
    """On MobileNetV2-0.35 the patch schedules cut the arena 4x and cost instructions: memory takes the smallest
    arena, speed the fewest estimated instructions, balanced the fastest within the margin of the smallest."""
    model = shared_model("mbv2_035_144_int8")
    reports = {o: _check(model, o) for o in ("memory", "speed", "balanced")}
    considered = reports["memory"]["schedules"]
    assert len(considered) >= 3 and sum(s["chosen"] for s in considered) == 1
    smallest = min(s["arena_bytes"] for s in considered)
    assert reports["memory"]["arena_bytes"] == smallest and reports["memory"]["patch"] is not None
    speed = reports["speed"]
    assert speed["instructions_estimate"] == min(s["instructions_estimate"] for s in speed["schedules"])
    assert speed["schedule_reason"].startswith("speed: the fewest estimated instructions")
    balanced = reports["balanced"]
    assert balanced["arena_bytes"] <= smallest * (1 + BALANCED_MARGIN)
    assert speed["instructions_estimate"] <= balanced["instructions_estimate"] <= \
        reports["memory"]["instructions_estimate"]
    assert balanced["instructions_estimate"] == sum(layer["instructions_estimate"] for layer in balanced["layers"])


def test_check_prints_the_schedules_side_by_side_and_why():
    text = " ".join(invoke("check", "--optimize", "memory").stdout.split())
    assert "schedules considered" in text and "est. instructions" in text
    assert "◀ chosen" in text and "chosen by memory: the smallest arena" in text
