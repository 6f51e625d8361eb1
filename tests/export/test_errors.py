"""Bad export input: one line, exit 2, nothing written (and a user's folder left as it was)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.commands.test_cli import invoke, one_error_line


@pytest.mark.parametrize(("name", "needle"), [
    ("Kws", "not a lower-case C identifier"), ("9kws", "not a lower-case C identifier"),
    ("kws-1", "not a lower-case C identifier"), ("k" * 25, "longer than 24"), ("int", "C keyword"),
    ("strip", "reserves"), ("kws_", "ends in _"), ("a__b", "holds __"),
])
def test_bad_name_is_one_line_and_writes_nothing(tmp_path: Path, name: str, needle: str) -> None:
    result = invoke("export", "--format", "cmake", "--core", "cortex-m4", "--name", name, "-o", tmp_path / "out",
                    exit_code=2)
    one_error_line(result, "--name", needle)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("args", "needle"), [
    (("--format", "bazel", "--core", "cortex-m4"), "--format"),
    (("--format", "cmake", "--core", "cortex-m5"), "--core"),
    (("--format", "cmake"), "exactly one of --core"),
    (("--format", "cmake", "--core", "host", "--board", "host"), "exactly one of --core"),
    (("--format", "make", "--core", "host", "--arena-section", "a b"), "not a section name"),
    (("--format", "make", "--core", "host", "--arena", "extern", "--arena-section", ".dtcm"), "--arena-section"),
    (("--format", "arduino", "--core", "cortex-m4"), "requires a url"),
    (("--format", "arduino", "--core", "cortex-m4", "--url", "javascript:alert(1)"), "not an http(s) URL"),
    (("--format", "arduino", "--core", "cortex-m4", "--url", "https://example.com/\nname=x"), "not an http(s) URL"),
    (("--format", "platformio", "--core", "cortex-m4", "--url", "https://exa mple.com"), "not an http(s) URL"),
    (("--format", "cmake", "--core", "cortex-m4", "--url", "https://example.com"), "only the arduino and platformio"),
])
def test_bad_option_is_one_line_and_writes_nothing(tmp_path: Path, args: tuple[str, ...], needle: str) -> None:
    one_error_line(invoke("export", *args, "-o", tmp_path / "out", exit_code=2), needle)
    assert list(tmp_path.iterdir()) == []


def test_a_name_the_arduino_specification_reserves_is_refused(tmp_path: Path) -> None:
    result = invoke("export", "--format", "arduino", "--core", "cortex-m4", "--name", "arduino_kws",
                    "--url", "https://example.com/kws", "-o", tmp_path / "out", exit_code=2)
    one_error_line(result, "--name 'arduino_kws'", "reserves names starting with Arduino")
    assert list(tmp_path.iterdir()) == []


def test_a_users_folder_is_refused_untouched(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    result = invoke("export", "--format", "cmake", "--core", "cortex-m4", "--name", "digits", "-o", mine,
                    exit_code=2)
    one_error_line(result, "is not empty and not a tinygen output folder")
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]  # no staging folder left either


def test_a_file_as_output_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    one_error_line(invoke("export", "--format", "make", "--core", "host", "-o", target, exit_code=2),
                   "not a folder")
    assert target.read_text() == "x"


def test_an_earlier_export_is_replaced_whole(tmp_path: Path) -> None:
    out = tmp_path / "lib"
    invoke("export", "--format", "cmake", "--core", "cortex-m3", "--name", "first", "-o", out)
    invoke("export", "--format", "make", "--core", "cortex-m3", "--name", "second", "-o", out)
    assert (out / "second.mk").is_file() and (out / "include" / "second.h").is_file()
    assert not (out / "CMakeLists.txt").exists() and not any(out.rglob("first*"))
