"""Reading a user's .npz: numbers only, never pickles.

Input vectors, calibration and search data arrive as numpy .npz files, which
may hold object arrays; numpy stores those as pickles, and unpickling runs code
the file chose. Every .npz tinygen reads goes through `read_npz`, which loads
with allow_pickle=False and turns each way a file can be unreadable into one line.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tinygen.errors import InputError


def read_npz(path: Path, fix: str) -> dict[str, np.ndarray]:
    """Every array in the .npz at `path`, by name; `fix` (e.g. "save inputs with numpy.savez") ends the error."""
    try:
        loaded = np.load(path, allow_pickle=False)
        if not isinstance(loaded, np.lib.npyio.NpzFile):  # a bare .npy is one array, not named arrays
            raise InputError(f"{path}: a .npy file, not an .npz of named arrays; {fix}")
        with loaded:
            return {name: _array(loaded, name, path) for name in loaded.files}
    except InputError:
        raise
    except Exception as exc:  # zipfile, zlib and format errors alike mean "not a readable .npz"
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise InputError(f"{path}: not a readable .npz ({reason}); {fix}") from None


def _array(npz: np.lib.npyio.NpzFile, name: str, path: Path) -> np.ndarray:
    try:
        return npz[name]
    except ValueError as exc:
        if "allow_pickle" not in str(exc):  # numpy's words for an object array it will not unpickle
            raise
    raise InputError(f"{path}: array '{name}' holds Python objects (dtype=object), which tinygen does not "
                     "unpickle; save numbers, e.g. numpy.savez(path, x=x.astype(numpy.float32))")
