"""Bad command-line values: exit 2 with one line naming the option, before any work, never a traceback.

Each case here once crashed (nan and inf timeouts and sizes, a negative seed), ran
for minutes before failing (an output in a missing folder), or grew without bound
(--random 100000000 took 11 GB).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.commands.test_cli import invoke, one_error_line, one_json_object
from tinygen.commands.options import MAX_BYTES, MAX_SEED, MAX_TIMEOUT_S, MAX_VECTORS

DEPLOY = ("deploy", "model.keras", "--calib", "calib.npz")
QUANTIZE = ("quantize", "model.keras", "--calib", "calib.npz", "-o", "out.tflite")
SEARCH = ("search", "--data", "data.npz")

BAD_VALUES = [
    (("run", "--timeout", "nan"), "--timeout"),
    (("run", "--timeout", "inf"), "--timeout"),
    (("run", "--timeout", "-1"), "--timeout"),
    (("run", "--timeout", "0"), "--timeout"),
    (("run", "--timeout", str(MAX_TIMEOUT_S * 2)), "--timeout"),
    (("profile", "--timeout", "nan"), "--timeout"),
    (("validate", "--emulate", "--timeout", "inf"), "--timeout"),
    ((*DEPLOY, "--timeout", "-1"), "--timeout"),
    (("run", "--seed", "-1"), "--seed"),
    (("validate", "--emulate", "--seed", "-1"), "--seed"),
    ((*SEARCH, "--seed", str(MAX_SEED + 1)), "--seed"),
    ((*SEARCH, "--sram", "nan"), "--sram"),
    ((*SEARCH, "--sram", "inf"), "--sram"),
    ((*SEARCH, "--flash", "1e400"), "--flash"),
    ((*SEARCH, "--flash", "5G"), "--flash"),
    ((*SEARCH, "--sram", str(MAX_BYTES + 1)), "--sram"),
    ((*DEPLOY, "--flash-budget", "nan"), "--flash-budget"),
    ((*QUANTIZE, "--flash-budget", "inf"), "--flash-budget"),
    (("run", "--random", "100000000"), "--random"),
    (("validate", "--emulate", "--random", str(MAX_VECTORS + 1)), "--random"),
    ((*DEPLOY, "--vectors", "100000000"), "--vectors"),
    (("check", "--max-mac-overhead", "nan"), "--max-mac-overhead"),
    ((*QUANTIZE, "--sqnr-threshold", "nan"), "--sqnr-threshold"),
    ((*QUANTIZE, "--max-loss", "inf"), "--max-loss"),
    ((*QUANTIZE, "--qat-epochs", "1000000000"), "--qat-epochs"),
    ((*SEARCH, "--latency-ms", "nan"), "--latency-ms"),
    ((*SEARCH, "--trials", "1000000000"), "--trials"),
    ((*SEARCH, "--epochs", "1000000000"), "--epochs"),
    ((*SEARCH, "--workers", "1000000"), "--workers"),
    ((*SEARCH, "--space-samples", "1000000000"), "--space-samples"),
    ((*SEARCH, "--input-shape", "100000x100000x3"), "--input-shape"),
    ((*SEARCH, "--input-shape", "\u00b2x2x1"), "--input-shape"),  # '²'.isdigit(), but int() refuses it
    (("run", "--no-such-option"), "--no-such-option"),
]


@pytest.mark.parametrize("args, option", BAD_VALUES, ids=[" ".join(a[-2:]) for a, _ in BAD_VALUES])
def test_a_bad_value_is_one_line_exit_2_before_any_work(args, option, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # relative outputs (firmware_out/) would land here
    result = invoke(*args, exit_code=2)
    one_error_line(result, option)
    assert result.stdout == ""
    payload = one_json_object(invoke(*args, "--json", exit_code=2))
    assert option in payload["error"]["message"] and payload["error"]["exit_code"] == 2
    assert list(tmp_path.iterdir()) == []


def test_a_usage_error_names_the_commands_help():
    line = one_error_line(invoke("run", "--seed", "-1", exit_code=2))
    assert line.endswith("; see 'tinygen run --help'")


def _file(tmp_path):
    path = tmp_path / "a-file"
    path.write_text("")
    return path


OUTPUTS = [
    (("run", "--save-outputs", "{missing}/out.npz"), "does not exist"),
    (("profile", "--plot", "{missing}/profile.png"), "does not exist"),
    (("check", "--plot", "{missing}/memory.svg"), "does not exist"),
    (("quantize", "model.keras", "--calib", "calib.npz", "-o", "{missing}/out.tflite"), "does not exist"),
    (("run", "--save-outputs", "{tmp}"), "is a folder"),
    (("build", "-o", "{file}/project"), "is a file, not a folder"),
    (("run", "-o", "{file}"), "exists and is not a folder"),
    (("search", "--data", "data.npz", "-o", "{file}/study"), "is a file, not a folder"),
    (("deploy", "model.keras", "--calib", "calib.npz", "-o", "{file}/deployment"), "is a file, not a folder"),
]


@pytest.mark.parametrize("args, problem", OUTPUTS, ids=[" ".join(a[-2:]) for a, _ in OUTPUTS])
def test_an_output_that_cannot_be_written_is_refused_before_building(args, problem, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    values = {"{missing}": str(tmp_path / "missing"), "{tmp}": str(tmp_path), "{file}": str(_file(tmp_path))}
    for key, value in values.items():
        args = tuple(a.replace(key, value) for a in args)
    result = invoke(*args, exit_code=2)
    one_error_line(result, next(a for a in args if str(tmp_path) in a), problem)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]  # nothing built, no firmware_out/


def test_an_object_array_in_inputs_is_one_line(tmp_path):
    inputs = tmp_path / "objects.npz"
    np.savez(inputs, x=np.array([{"not": "numbers"}], dtype=object))
    result = invoke("run", "--board", "host", "--inputs", inputs, "-o", tmp_path / "fw", exit_code=2)
    one_error_line(result, str(inputs), "array 'x' holds Python objects (dtype=object)", "does not unpickle")


@pytest.mark.parametrize("board, make, problem", [
    ("mps2-an386", lambda tmp: tmp, "cannot read (Is a directory)"),
    ("host", lambda tmp: tmp / "profile.json", "host has no clock (cpu.clock_hz = 0 in host.toml)"),
], ids=["folder", "no-clock"])
def test_a_latency_budget_that_cannot_be_computed_is_one_line(board, make, problem, tmp_path):
    profile = make(tmp_path)
    if profile.suffix:
        profile.write_text(json.dumps({"layers": [{"op": "CONV_2D", "macs": 500, "instructions": 900}]}))
    result = invoke("search", "--data", tmp_path / "data.npz", "--board", board, "--latency-ms", "5",
                    "--latency-profile", profile, "-o", tmp_path / "out", exit_code=2)
    one_error_line(result, problem)
    assert not (tmp_path / "out").exists()
