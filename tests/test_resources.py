"""resources.py: the shipped data is the repository's top-level folders, in a checkout and inside the wheel."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tinygen import resources
from tinygen.errors import InputError

ROOT = Path(__file__).resolve().parents[1]


def _files_under(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def _fresh_clone(dst: Path) -> Path:
    """The tree as git sees it (tracked and new files, nothing ignored): a stale build/ must not leak into the wheel."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, check=True).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source, copy = ROOT / name, dst / name
        copy.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            copy.symlink_to(os.readlink(source))
        elif source.is_file():
            shutil.copy2(source, copy)
    return dst


def test_a_checkout_reads_the_top_level_folders():
    assert resources.templates_dir() == ROOT / "templates"
    assert resources.boards_dir() == ROOT / "boards"
    assert resources.example_model() == ROOT / "tinygen" / "data" / "digits_cnn_int8.tflite"
    assert (resources.templates_dir() / "project" / "model.c.j2").is_file()
    assert (resources.boards_dir() / "mps2-an386.toml").is_file()


@pytest.mark.parametrize("folder", [resources.templates_dir, resources.boards_dir])
def test_a_missing_folder_is_one_line_naming_it(folder, tmp_path, monkeypatch):
    monkeypatch.setattr(resources, "files", lambda package: tmp_path)  # a package installed without its data
    with pytest.raises(InputError) as error:
        folder()
    message = str(error.value)
    assert "\n" not in message and str(tmp_path / "data") in message and "reinstall tinygen" in message


def test_the_wheel_ships_every_template_and_board_file(tmp_path):
    """pip builds the wheel as `pip install .` would; it must carry both folders whole, at the path read above."""
    source = _fresh_clone(tmp_path / "source")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(source)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    (wheel,) = tmp_path.glob("tinygen-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("templates", "boards"):
        prefix = f"tinygen/data/{folder}/"
        shipped = {n.removeprefix(prefix) for n in names if n.startswith(prefix)}
        assert shipped == _files_under(source / folder) and len(shipped) > 10, folder
    assert "tinygen/data/digits_cnn_int8.tflite" in names and "tinygen/resources.py" in names
