"""Staged folders: filled beside the target, swapped in whole, gone on failure; a killed run's leftovers removed."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tinygen.files import STAGING, remove_stale, staged_folder, swap_in


def _listing(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def _dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_a_swapped_folder_replaces_the_old_one_whole(tmp_path):
    target = tmp_path / "out"
    (target / "stale").mkdir(parents=True)
    (target / "stale" / "old.txt").write_text("old")
    with staged_folder(target) as staging:
        (staging / "new.txt").write_text("new")
        swap_in(staging, target)
    assert _listing(tmp_path) == ["out", "out/new.txt"]


def test_a_failure_leaves_the_old_folder_and_no_staging(tmp_path):
    target = tmp_path / "out"
    target.mkdir()
    (target / "good.txt").write_text("good")
    with pytest.raises(KeyboardInterrupt), staged_folder(target) as staging:
        (staging / "half.txt").write_text("half")
        raise KeyboardInterrupt
    assert _listing(tmp_path) == ["out", "out/good.txt"]


def test_only_a_dead_runs_staging_of_the_same_target_is_removed(tmp_path):
    target = tmp_path / "out"
    dead = tmp_path / f".out{STAGING}{_dead_pid()}-abc"
    live = tmp_path / f".out{STAGING}{os.getpid()}-def"  # this process: still running
    other = tmp_path / f".other{STAGING}{_dead_pid()}-ghi"  # another target's
    mine = tmp_path / ".out.notes"  # not a staging folder
    for folder in (dead, live, other, mine):
        folder.mkdir()
    remove_stale(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, other.name, mine.name])
