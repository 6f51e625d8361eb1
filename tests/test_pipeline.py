"""tinygen/pipeline.py: a model that cannot fit is refused right after planning, before any C is rendered,
any folder written or any compiler run (exit 1, one line), with the same verdict as `tinygen check`."""

from __future__ import annotations

import pytest

import tinygen.pipeline
from tests.commands.test_cli import invoke, one_error_line, one_json_object
from tests.synthetic import big_dense
from tinygen.commands.options import default_model
from tinygen.resources import boards_dir


@pytest.fixture
def no_codegen(monkeypatch):
    """Rendering or compiling at all fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError("rendered or compiled a model that cannot fit")

    monkeypatch.setattr(tinygen.pipeline, "render_project", refuse)
    monkeypatch.setattr(tinygen.pipeline, "build_project", refuse)


@pytest.fixture
def too_big(tmp_path):
    """A 4.2 MB dense filter: more than mps2-an386's 4 MiB code-and-weights region (ssram1)."""
    return big_dense(tmp_path / "too_big.tflite", inputs=2048, outputs=2100)


@pytest.mark.parametrize("command", ["build", "run"])
def test_a_model_too_big_for_the_board_stops_before_codegen(tmp_path, monkeypatch, too_big, no_codegen, command):
    monkeypatch.chdir(tmp_path)  # the default output folder would land here
    report = one_json_object(invoke("check", too_big, "--board", "mps2-an386", "--json", exit_code=1))
    ssram1 = next(r for r in report["regions"] if r["name"] == "ssram1")
    assert not ssram1["fits"] and ssram1["used_bytes"] > 2048 * 2100

    out = tmp_path / "fw"
    result = invoke(command, too_big, "--board", "mps2-an386", "-o", out, exit_code=1)
    line = one_error_line(result, str(too_big), "does not fit mps2-an386", "'ssram1'",
                          f"needs {ssram1['used_bytes']:,} B", f"holds {ssram1['capacity_bytes']:,} B")
    assert result.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["too_big.tflite"]  # no -o folder, no firmware_out

    payload = one_json_object(invoke(command, too_big, "--board", "mps2-an386", "-o", out, "--json", exit_code=1))
    assert payload["error"] == {"message": line.removeprefix("tinygen: error: "), "exit_code": 1}
    assert not out.exists()


def test_the_host_board_budget_applies_to_builds(tmp_path, monkeypatch, no_codegen):
    """The host compiler links no regions, so only the fit check keeps a host build within the board's budget."""
    text = (boards_dir() / "host.toml").read_text()
    board = tmp_path / "small-host.toml"
    board.write_text(text.replace('name = "host"', 'name = "small-host"')
                     .replace("length = 0x40000000     # 1 GiB", "length = 0x1000", 1))  # flash: 4 KiB
    monkeypatch.chdir(tmp_path)
    model = default_model()
    report = one_json_object(invoke("check", model, "--board", board, "--json", exit_code=1))
    assert [r["name"] for r in report["regions"] if not r["fits"]] == ["flash"]

    result = invoke("build", model, "--board", board, "-o", tmp_path / "fw", exit_code=1)
    one_error_line(result, str(model), "does not fit small-host", "'flash'", "holds 4,096 B")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["small-host.toml"]
