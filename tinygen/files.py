"""Writing results so that a reader, or a crash, never leaves a half-written file behind."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from tinygen.errors import InputError


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
