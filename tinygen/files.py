"""Writing results so that a reader, or a crash, never leaves a half-written file or folder behind.

Folders are made in a staging sibling and swapped in whole on success. A
staging folder's name carries its process id: one left by a killed run (a
signal Python could not turn into cleanup) is removed by the next run that
stages the same target, once that process is gone.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tinygen.errors import InputError

STAGING = ".tinygen-staging-"  # `.<target>` + STAGING + `<pid>-<random>`


def write_atomically(output: Path, blob: bytes) -> None:
    """A temporary file beside OUT, then os.replace: readers never see a half-written file."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp", dir=output.parent)
    except OSError as exc:
        raise InputError(f"{output}: cannot write ({exc.strerror}); check the folder's permissions") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(blob)
        os.replace(tmp, output)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise InputError(f"{output}: cannot write ({exc.strerror}); check the path and free space") from None


def check_output_folder(directory: Path, stamp: str) -> None:
    """`directory` may be replaced whole only if it is absent, an empty folder, or one tinygen made (it holds
    `stamp`): anything else (a user's folder, the working directory or one above it, a file, a FIFO, a device,
    a symlink) is refused before anything is written."""
    shown = str(directory)
    if directory.is_symlink():
        raise InputError(f"{shown}: is a symbolic link; give -o a real folder (tinygen replaces it whole)")
    if not directory.exists():
        return
    if not directory.is_dir():
        raise InputError(f"{shown}: exists and is not a folder; give -o a new or tinygen-made folder")
    resolved = directory.resolve()
    if Path.cwd().resolve().is_relative_to(resolved):
        raise InputError(f"{shown}: is the working directory or holds it; give -o a folder of its own "
                         "(tinygen replaces it whole)")
    if not (resolved / stamp).is_file() and any(resolved.iterdir()):
        raise InputError(f"{shown}: is not empty and not a tinygen output folder (no {stamp}); "
                         "give -o a new or empty folder, tinygen would replace it whole")


@contextmanager
def staged_folder(target: Path) -> Iterator[Path]:
    """A fresh folder beside `target` to fill, removed on any exception (Ctrl-C and SIGTERM included, see
    tinygen.cli); the caller swaps it in with `swap_in` when everything in it is done."""
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(target)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}{STAGING}{os.getpid()}-", dir=target.parent))
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # gone already once swapped in


def swap_in(staging: Path, target: Path) -> None:
    """Replace `target` by `staging`: the old folder steps aside, the new one moves in, the old one goes."""
    target = target.resolve()
    old = target.with_name(f".{target.name}{STAGING}{os.getpid()}-old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def remove_stale(target: Path) -> None:
    """Staging folders of `target` whose process has ended: what a killed run left."""
    prefix = f".{target.name}{STAGING}"
    for folder in target.parent.iterdir():
        pid = folder.name.removeprefix(prefix).split("-", 1)[0]
        if folder.name.startswith(prefix) and pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True
