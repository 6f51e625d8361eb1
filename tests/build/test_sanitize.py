"""`--sanitize`: the host harness compiled with AddressSanitizer and UndefinedBehaviorSanitizer runs the example
bit-exact; the sanitizers are really linked in; any other board is refused before anything is written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from elftools.elf.elffile import ELFFile
from elftools.elf.sections import SymbolTableSection

from tests.commands.test_cli import invoke, one_error_line
from tinygen.boards import load_board
from tinygen.commands.options import default_model
from tinygen.pipeline import default_output


def _symbols(elf: Path) -> set[str]:
    with elf.open("rb") as stream:
        return {symbol.name for section in ELFFile(stream).iter_sections() if isinstance(section, SymbolTableSection)
                for symbol in section.iter_symbols()}


@pytest.mark.tools("cc")
def test_sanitized_host_run_is_bit_exact(tmp_path: Path) -> None:
    result = invoke("run", "--board", "host", "--sanitize", "--random", "4", "-o", tmp_path / "fw", "--json")
    payload = json.loads(result.stdout)
    assert payload["bit_exact"] is True and payload["vectors"] == 4
    makefile = (tmp_path / "fw" / "Makefile").read_text()
    assert "-fsanitize=address,undefined -fno-sanitize-recover=all" in makefile
    symbols = _symbols(tmp_path / "fw" / "firmware.elf")
    assert "__asan_default_options" in symbols  # the harness's own: no leak check (main_host.c.j2 says why)
    assert any(name.startswith("__asan_report_load") for name in symbols)  # instrumented loads
    assert any(name.startswith("__ubsan_handle_") for name in symbols)


def test_sanitized_builds_have_their_own_folder() -> None:
    host = load_board("host")
    assert default_output(default_model(), host, sanitize=True).name == "digits_cnn_int8-host-sanitize"
    assert default_output(default_model(), host, debug=True, sanitize=True).name.endswith("-debug-sanitize")


def test_sanitize_refuses_a_cortex_m_board(tmp_path: Path) -> None:
    result = invoke("build", "--board", "mps2-an386", "--sanitize", "-o", tmp_path / "fw", exit_code=2)
    one_error_line(result, "mps2-an386", "--sanitize", "--board host")
    assert not (tmp_path / "fw").exists()
