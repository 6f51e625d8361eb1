"""Write a `Project` to disk atomically and build it with make; read the real section sizes.

The project is rendered and compiled in a staging sibling folder and only then
swapped in place of the old one (tinygen/files.py), so a failed or interrupted
build never destroys an earlier good build. The Makefile uses relative paths,
so `make` alone rebuilds it after the swap.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from elftools.common.exceptions import ELFError

from tinygen.build.sizes import SectionSizes, read_sizes
from tinygen.codegen.project import Project
from tinygen.codegen.toolchain import INSTALL_HINT, toolchain
from tinygen.errors import InputError, TinygenError
from tinygen.files import check_output_folder, staged_folder, swap_in

STAMP = "tinygen-build.json"


@dataclass(frozen=True)
class Build:
    directory: Path
    elf: Path
    sizes: SectionSizes
    key: str  # what was built: model hash, board file, tinygen version, templates


def cached(directory: Path, key: str) -> Build | None:
    """The build in `directory` if it was made from the same inputs, else None (also for a damaged stamp or ELF:
    rebuilding is always safe, a cache must never be the reason a command fails). Paths are absolute, as
    build_project's: the emulator runs in a temporary folder, where a relative ELF path would not resolve."""
    directory = directory.resolve()
    stamp = directory / STAMP
    elf = directory / "firmware.elf"
    if not (stamp.exists() and elf.exists()):
        return None
    try:
        recorded = json.loads(stamp.read_text())
        if not isinstance(recorded, dict) or recorded.get("key") != key:
            return None
        return Build(directory, elf, read_sizes(elf), key)
    except (ValueError, OSError, ELFError):
        return None


def build_project(project: Project, directory: Path, key: str) -> Build:
    check_output_folder(directory, STAMP)
    tc = toolchain(project.board)
    missing = next((tool for tool in (tc.cc, "make") if shutil.which(tool) is None), None)
    if missing is not None:
        hint = INSTALL_HINT if tc.cc != "cc" else "apt-get install build-essential"
        raise InputError(f"{missing}: not found on PATH; install it: {hint}")
    directory = directory.resolve()
    with staged_folder(directory) as staging:
        for name, text in project.files:
            (staging / name).write_text(text)
        result = subprocess.run(["make", "-s"], cwd=staging, capture_output=True, text=True)
        if result.returncode != 0:
            raise _build_failure(project, staging, result.stderr)
        (staging / STAMP).write_text(json.dumps({"key": key, "model": project.model.name,
                                                 "board": project.board.name}, indent=2))
        swap_in(staging, directory)
    elf = directory / "firmware.elf"
    return Build(directory, elf, read_sizes(elf), key)


def _build_failure(project: Project, staging: Path, stderr: str) -> TinygenError:
    if "will not fit in region" in stderr or "overflowed by" in stderr:
        from tinygen.build.overflow import overflow_error

        return overflow_error(project, staging, stderr)
    first = next((line for line in stderr.splitlines() if "error" in line.lower()), stderr.strip()[:300])
    return TinygenError(f"{staging.name}: the generated project failed to compile ({first.strip()}); "
                        "please report this with the model")
