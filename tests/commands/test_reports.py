"""report.json and report.txt in build and export folders: report.json is `check --json` for the same model and
board (the envelope's schema_version aside), report.txt `check`'s tables with nothing cut."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.commands.test_cli import invoke, one_json_object
from tests.models import EXAMPLE, model_path

BOARD = "mps2-an386"
MODELS = [EXAMPLE, pytest.param("kws_ref_model", marks=pytest.mark.shared_models)]


def check_json(model: Path) -> dict:
    payload = one_json_object(invoke("check", model, "--board", BOARD, "--json"))
    del payload["schema_version"]
    return payload


def assert_reports(folder: Path, expected: dict) -> None:
    assert json.loads((folder / "report.json").read_text()) == expected
    text = (folder / "report.txt").read_text()
    assert "…" not in text  # rich's mark of a cut cell
    for layer in expected["layers"]:
        assert layer["op"] in text and (layer["kernel"] or "-") in text
    for row in expected["memory_map"]:
        assert (row["tensor"] or row["what"]) in text  # whole names, however long
    assert f"model hash {expected['model_hash']}" in text and f"FITS {BOARD}" in text


@pytest.mark.tools("arm-none-eabi-gcc")
@pytest.mark.parametrize("name", MODELS)
def test_a_build_folder_holds_checks_report(tmp_path: Path, name: str) -> None:
    model = model_path(name)
    invoke("build", model, "--board", BOARD, "-o", tmp_path / "fw", "--json")
    assert_reports(tmp_path / "fw", check_json(model))


@pytest.mark.parametrize("name", MODELS)
def test_an_export_folder_holds_checks_report(tmp_path: Path, name: str) -> None:
    model = model_path(name)
    summary = one_json_object(invoke("export", model, "--format", "cmake", "--board", BOARD, "--name", "kws",
                                     "-o", tmp_path / "lib", "--json"))
    assert {"report.json", "report.txt"} <= set(summary["files"])
    assert_reports(tmp_path / "lib", check_json(model))


def test_an_export_for_a_core_says_it_has_no_board(tmp_path: Path) -> None:
    invoke("export", model_path(EXAMPLE), "--format", "make", "--core", "cortex-m4", "-o", tmp_path / "lib")
    report = json.loads((tmp_path / "lib" / "report.json").read_text())
    assert (report["board"], report["core"], report["fits"], report["regions"]) == (None, "cortex-m4", None, None)
    assert report["no_board"].startswith("no board: exported for cortex-m4 (--core)")
    expected = check_json(model_path(EXAMPLE))  # the same core's kernels and plan as on a cortex-m4 board
    assert (report["layers"], report["memory_map"]) == (expected["layers"], expected["memory_map"])
    text = (tmp_path / "lib" / "report.txt").read_text()
    assert "no board: exported for cortex-m4" in text and "verdict" not in text


def test_a_profiled_build_reports_its_measured_instructions(tmp_path: Path) -> None:
    """`tinygen profile` adds what it measured to the profile build's reports: report.json's `profile` is
    profile --json's payload, report.txt ends in the profile table; profiling the reused build again replaces
    the measurement instead of adding a second."""
    folder = tmp_path / "profiled"
    for _ in range(2):
        measured = one_json_object(invoke("profile", model_path(EXAMPLE), "--board", BOARD, "-o", folder, "--json"))
    del measured["schema_version"]
    report = json.loads((folder / "report.json").read_text())
    assert report["profile"] == measured and measured["instructions_per_inference"] > 0
    assert {k: v for k, v in report.items() if k != "profile"} == check_json(model_path(EXAMPLE))
    text = (folder / "report.txt").read_text()
    assert text.count("measured by tinygen profile:") == 1
    assert f"{measured['instructions_per_inference']:,}" in text.split("measured by tinygen profile:")[1]
