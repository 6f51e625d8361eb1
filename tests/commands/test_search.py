"""`tinygen search` end to end on a tiny budget: files in DIR, planner agreement, a bit-exact build, Ray.

Digits at 8×8, 1 epoch, 2 trials: the point is the contract (what DIR holds, that
every trained candidate's planned peak is what the planner finds in its converted
.tflite, that the best model builds and runs bit-exact), not accuracy;
benchmarks/search.py measures accuracy at the acceptance budget.
"""

from __future__ import annotations

import json
import socket
import subprocess
from pathlib import Path

import numpy as np
import pytest

from tests.commands.test_cli import invoke, one_error_line, one_json_object
from tests.search.digits import small_digits
from tests.tools import require_module, require_tool
from tinygen.boards import load_board
from tinygen.check.fit import fit_report
from tinygen.importers.tflite import load_tflite
from tinygen.plan.schedule import plan_schedule
from tinygen.search import flow
from tinygen.search.workers import InProcess

require_module("tensorflow")
require_module("optuna")

# 3 trials in generations of 2: trial 2 is NSGA-II's child of generation 1
TINY = ("--trials", "3", "--population", "2", "--epochs", "1", "--space-samples", "3", "--seed", "1")
SEARCH = ("--board", "mps2-an386", "--sram", "32K", "--flash", "128K", *TINY)
KEYS = ("trial", "arch", "peak_sram_bytes", "flash_bytes", "float_accuracy", "int8_accuracy")


@pytest.fixture(scope="module")
def digits8(tmp_path_factory):
    return small_digits(tmp_path_factory.mktemp("digits8"))


@pytest.fixture(scope="module")
def searched(digits8, tmp_path_factory):
    train, test = digits8
    out = tmp_path_factory.mktemp("search") / "out"
    payload = one_json_object(invoke("search", "--data", train, "--eval", test, *SEARCH, "--workers", "1",
                                     "-o", out, "--json"))
    return out, payload


def test_search_writes_candidates_plot_and_best_model(searched):
    out, payload = searched
    for name in ("candidates.csv", "candidates.json", "pareto.png", "best.keras", "best_int8.tflite", "study.db"):
        assert (out / name).stat().st_size > 0, name
    assert (out / "pareto.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert payload["trials"] == 3 and len(payload["candidates"]) == 3
    assert payload["spaces"] and payload["chosen_space"] == payload["spaces"][0]["space"]
    best = payload["best"]
    assert best["fits"] and best["peak_sram_bytes"] <= 32 * 1024 and best["flash_bytes"] <= 128 * 1024
    assert 0 <= best["int8_accuracy"] <= 1 and best["int8_accuracy"] == max(
        c["int8_accuracy"] for c in payload["candidates"] if c["int8_accuracy"] is not None)
    rows = (out / "candidates.csv").read_text().splitlines()
    assert rows[0].startswith("trial,fits,architecture,macs,params,peak_sram_bytes") and len(rows) == 4


def test_every_trained_candidate_plans_as_its_converted_tflite(searched):
    out, payload = searched
    board = load_board("mps2-an386")
    trained = [c for c in payload["candidates"] if c["int8_accuracy"] is not None]
    assert trained
    for c in trained:
        path = out / "candidates" / f"{c['trial']:04d}" / "model_int8.tflite"
        graph = load_tflite(path)
        report = fit_report(graph, plan_schedule(graph, board.alignment_bytes, dsp_kernels=board.cpu.dsp), board)
        assert (report.sram_bytes, report.arena_bytes, report.flash_bytes, report.total_macs) == (
            c["peak_sram_bytes"], c["arena_bytes"], c["flash_bytes"], c["macs"])


def test_the_best_model_builds_and_runs_bit_exact_in_qemu(searched, tmp_path):
    out, _ = searched
    result = one_json_object(invoke("run", out / "best_int8.tflite", "--board", "mps2-an386", "--random", "3",
                                    "-o", tmp_path / "fw", "--json"))
    assert result["bit_exact"] is True and result["vectors"] == 3
    assert result["ram_bytes"] <= 32 * 1024 and result["flash_bytes"] <= 128 * 1024


def _rows(payload: dict) -> list:
    return [{k: c[k] for k in KEYS} for c in payload["candidates"]]


class Interrupted(InProcess):
    """Ctrl-C after `after` candidates have trained, before the next one starts."""

    def __init__(self, data, after):
        super().__init__(data)
        self.left = after

    def run(self, tasks):
        for task in tasks:
            if self.left == 0:
                raise KeyboardInterrupt
            self.left -= 1
            yield from super().run([task])


def test_interrupt_and_resume_gives_the_uninterrupted_result(digits8, searched, tmp_path, monkeypatch):
    """Interrupted after the first trained candidate, resumed by running the same command: the same candidates,
    scores and best model as the uninterrupted `searched` run with the same seed."""
    train, test = digits8
    _, whole = searched
    out = tmp_path / "resumed"
    args = ("search", "--data", train, "--eval", test, *SEARCH, "--workers", "1", "-o", out)
    monkeypatch.setattr(flow, "workers_for", lambda data, workers, address: Interrupted(data, after=1))
    one_error_line(invoke(*args, exit_code=130), "interrupted", "run the same command again")
    assert len(list(out.glob("candidates/*/score.json"))) == 1 and not (out / "candidates.json").exists()
    monkeypatch.undo()
    resumed = one_json_object(invoke(*args, "--json"))
    assert _rows(resumed) == _rows(whole) and resumed["best"]["trial"] == whole["best"]["trial"]
    assert _constants(out / "best_int8.tflite") == _constants(Path(whole["best"]["tflite"]))


def _constants(path: Path) -> list:
    """Weights, biases and quantisation (the file also holds Keras layer names, which vary per process)."""
    return [(t.shape, t.quant, t.data.tobytes() if t.is_constant else None) for t in load_tflite(path).tensors]


@pytest.mark.parametrize("args, needles", [
    (("--data", "missing.npz"), ("missing.npz", "no such file")),
    (("--data", "{unlabelled}"), ("no labels", "'y'")),
    (("--data", "{train}", "--board", "no-such-board"), ("no-such-board",)),
    (("--data", "{train}", "--latency-ms", "5"), ("--latency-profile",)),
    (("--data", "{folder}"), ("--input-shape",)),
])
def test_bad_inputs_exit_2_with_one_line_and_write_nothing(digits8, tmp_path, args, needles):
    train, _ = digits8
    unlabelled = tmp_path / "unlabelled.npz"
    np.savez(unlabelled, x=np.zeros((20, 8, 8), np.float32))
    (tmp_path / "images" / "a").mkdir(parents=True)
    values = {"{train}": str(train), "{unlabelled}": str(unlabelled), "{folder}": str(tmp_path / "images")}
    out = tmp_path / "out"
    result = invoke("search", *(values.get(a, a) for a in args), "-o", out, exit_code=2)
    one_error_line(result, *needles)
    assert not out.exists()


def test_a_budget_nothing_meets_exits_1_and_writes_nothing(digits8, tmp_path):
    train, test = digits8
    result = invoke("search", "--data", train, "--eval", test, "--sram", "1K", *TINY, "-o", tmp_path / "out",
                    exit_code=1)
    one_error_line(result, "fits", "raise the budget")
    assert not (tmp_path / "out").exists()


@pytest.fixture
def ray_head():
    ray = require_tool("ray")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    subprocess.run([ray, "start", "--head", f"--port={port}", "--num-cpus=2", "--include-dashboard=false",
                    "--disable-usage-stats"], check=True, capture_output=True, timeout=120)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        subprocess.run([ray, "stop", "--force"], capture_output=True, timeout=120)


def test_a_ray_cluster_gives_the_same_result_as_local_training(digits8, searched, ray_head, tmp_path):
    train, test = digits8
    _, local = searched
    out = tmp_path / "ray"
    payload = one_json_object(invoke("search", "--data", train, "--eval", test, *SEARCH, "--ray-address", ray_head,
                                     "-o", out, "--json"))
    assert _rows(payload) == _rows(local)
    assert json.loads((out / "candidates.json").read_text())["best"]["trial"] == local["best"]["trial"]


def test_a_latency_budget_from_a_measured_profile_constrains_the_search(digits8, tmp_path):
    """`tinygen profile --json` calibrates the cost model; a budget no candidate meets stops before training."""
    train, test = digits8
    profile = tmp_path / "profile.json"
    profile.write_text(invoke("profile", "--board", "mps2-an386", "-o", tmp_path / "fw", "--json").stdout)
    result = invoke("search", "--data", train, "--eval", test, "--latency-ms", "0.001", "--latency-profile", profile,
                    *TINY, "-o", tmp_path / "out", exit_code=1)
    one_error_line(result, "latency 0.001 ms", "raise the budget")
    assert not (tmp_path / "out").exists()
