"""`tinygen build`: real sizes, atomic output, `make` alone rebuilds, a model that cannot fit is refused (exit 1)
with a breakdown before anything is written."""

from __future__ import annotations

import json
import re
import subprocess

import pytest
from click.testing import CliRunner

from tests.commands.test_cli import invoke, one_json_object
from tests.models import EXAMPLE, model_path
from tests.tools import require_tool
from tinygen.boards import load_board
from tinygen.cli import cli
from tinygen.commands.options import default_model

needs_arm = pytest.mark.tools("arm-none-eabi-gcc")


def _tiny_board(tmp_path, flash_length: int):
    text = load_board("mps2-an386").path.read_text()
    text = re.sub(r'name = "mps2-an386"', 'name = "tiny"', text, count=1)
    text = text.replace("length = 0x00400000", f"length = {flash_length:#x}", 1)  # ssram1, the code region
    path = tmp_path / "tiny.toml"
    path.write_text(text)
    return path


def _build(*args):
    return CliRunner().invoke(cli, ["build", *args, "--json"])


@needs_arm
@pytest.mark.parametrize("model, least_weights", [
    # the example: 5,288 B of filters and biases, and 82 requantisation scales (16+16+16+24 channels and the dense
    # layer's 10 per-channel scales) each an int32 multiplier and shift
    (EXAMPLE, 5_288 + 82 * 8),
    pytest.param("ad01_int8", 270_000, marks=pytest.mark.shared_models),  # int8 weights and int32 biases
])
def test_build_reports_real_sizes_and_make_rebuilds(tmp_path, model, least_weights):
    out = tmp_path / "fw"
    result = _build(str(model_path(model)), "--board", "mps2-an386", "-o", str(out))
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert info["weights_bytes"] >= least_weights
    planned = one_json_object(invoke("check", model_path(model), "--json"))
    assert info["arena_bytes"] == planned["arena_bytes"]  # the ELF's arena section is the planned arena
    assert info["flash_bytes"] == info["code_bytes"] + info["weights_bytes"]
    subprocess.run(["make", "clean"], cwd=out, check=True, capture_output=True)
    assert not (out / "firmware.elf").exists()
    subprocess.run(["make", "-s"], cwd=out, check=True, capture_output=True)
    assert (out / "firmware.elf").stat().st_size > 0


@needs_arm
def test_a_model_that_cannot_fit_is_refused_and_keeps_the_old_build(tmp_path):
    out = tmp_path / "fw"
    model = str(default_model())
    assert _build(model, "--board", "mps2-an386", "-o", str(out)).exit_code == 0
    before = (out / "firmware.elf").read_bytes()
    # about 16 KiB of code and weights into 8 KiB
    result = _build(model, "--board", str(_tiny_board(tmp_path, 8 * 1024)), "-o", str(out))
    assert result.exit_code == 1
    message = json.loads(result.stdout)["error"]["message"]
    assert "does not fit tiny" in message and "weights" in message and "ssram1" in message
    assert (out / "firmware.elf").read_bytes() == before  # the earlier good build survives
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".fw.")]  # no staging left behind


def test_host_build_runs(tmp_path):
    result = CliRunner().invoke(cli, ["run", "--board", "host", "--random", "3", "-o", str(tmp_path / "h"), "--json"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert info["bit_exact"] and info["vectors"] == 3 and info["mismatches"] == 0


@pytest.mark.parametrize("damage", ["stamp is not json", "stamp is a list", "elf is garbage"])
def test_a_damaged_cache_rebuilds_instead_of_failing(tmp_path, damage):
    from tinygen.build.make import STAMP, cached
    from tinygen.commands.options import default_model
    from tinygen.pipeline import build_firmware

    board = load_board("host")
    first = build_firmware(default_model(), board, tmp_path / "fw")
    assert cached(first.build.directory, first.build.key) is not None
    if damage == "stamp is not json":
        (first.build.directory / STAMP).write_text("{truncated")
    elif damage == "stamp is a list":
        (first.build.directory / STAMP).write_text("[]")
    else:
        first.build.elf.write_bytes(b"not an elf")
    assert cached(first.build.directory, first.build.key) is None
    again = build_firmware(default_model(), board, tmp_path / "fw", reuse=True)
    assert again.build.elf.read_bytes()[:4] == b"\x7fELF"
    assert json.loads((again.build.directory / STAMP).read_text())["key"] == first.build.key


@pytest.mark.parametrize("board", ["mps2-an386", "host"])
def test_a_cached_build_in_the_default_relative_folder_runs_again(tmp_path, monkeypatch, board):
    """The second `tinygen run` reuses firmware_out/...; the emulator and host runs start in a temporary
    folder, so the cached ELF's path must be absolute."""
    if board != "host":
        require_tool("qemu-system-arm")
    monkeypatch.chdir(tmp_path)
    for _ in range(2):
        result = CliRunner().invoke(cli, ["run", "--board", board, "--random", "1", "--json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["bit_exact"] is True
