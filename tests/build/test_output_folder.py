"""`-o DIR` never destroys: a build replaces its folder whole, so only a new, empty or tinygen-made one is taken.

Everything else exits 2 with one line naming it, and is left exactly as it was.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.commands.test_cli import invoke, one_error_line
from tinygen.build.make import STAMP
from tinygen.files import STAGING


def _snapshot(path: Path) -> object:
    """What must not change: a folder's names and bytes, a file's bytes, a special file's kind."""
    if path.is_dir() and not path.is_symlink():
        return sorted((p.relative_to(path).as_posix(), p.read_bytes() if p.is_file() else None)
                      for p in path.rglob("*"))
    mode = os.lstat(path).st_mode
    return (stat.S_IFMT(mode), path.read_bytes() if stat.S_ISREG(mode) else None)


def _user_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "mine"
    (folder / "notes").mkdir(parents=True)
    (folder / "thesis.tex").write_text("months of work")
    (folder / "notes" / "a.txt").write_text("more")
    return folder


def _fifo(tmp_path: Path) -> Path:
    os.mkfifo(tmp_path / "pipe")
    return tmp_path / "pipe"


def _file(tmp_path: Path) -> Path:
    (tmp_path / "file.bin").write_bytes(b"\x00\x01data")
    return tmp_path / "file.bin"


def _link(tmp_path: Path) -> Path:
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    return tmp_path / "link"


@pytest.mark.parametrize("make, needle", [
    (_user_folder, "not a tinygen output folder"), (_fifo, "not a folder"),
    (_file, "exists and is not a folder"),  # -o's type answers first, as the command line is read
    (lambda _: Path("/dev/null"), "not a folder"), (_link, "symbolic link"),
])
def test_refused_targets_exit_2_and_stay_untouched(tmp_path, make, needle):
    target = make(tmp_path)
    before = _snapshot(target)
    result = invoke("build", "-o", target, exit_code=2)
    one_error_line(result, str(target), needle)
    assert _snapshot(target) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no staging left


@pytest.mark.parametrize("given", [".", ""])
def test_the_working_directory_is_refused(tmp_path, monkeypatch, given):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "keep.txt").write_text("mine")
    one_error_line(invoke("build", "-o", given, exit_code=2), "working directory")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


def test_an_empty_folder_and_a_tinygen_folder_are_built_into(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    invoke("build", "-o", empty)
    assert (empty / STAMP).is_file() and (empty / "firmware.elf").is_file()
    invoke("build", "-o", empty, "--board", "mps2-an385")  # a tinygen folder is rebuilt in place
    assert "mps2-an385" in (empty / STAMP).read_text()


def test_a_terminated_build_leaves_nothing_behind(tmp_path):
    """SIGTERM while the compiler runs: the staging folder goes, the target is never made."""
    target = tmp_path / "out"
    build = subprocess.Popen([sys.executable, "-c", "from tinygen.cli import main; main()", "build", "-o", target],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not any(p.name.startswith(".out") for p in tmp_path.iterdir()):
        assert build.poll() is None and time.monotonic() < deadline, "the build ended before it staged anything"
        time.sleep(0.02)
    build.terminate()
    assert build.wait(timeout=60) == 128 + signal.SIGTERM
    assert list(tmp_path.iterdir()) == []


def test_a_killed_builds_staging_is_removed_by_the_next_build(tmp_path):
    dead = subprocess.Popen(["true"])
    dead.wait()
    leftover = tmp_path / f".out{STAGING}{dead.pid}-x"
    (leftover / "half").mkdir(parents=True)
    invoke("build", "-o", tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
