"""The files tinygen ships beside its code, found in one place: templates, board files, the example model.

Layout decision: `templates/` and `boards/` are top-level folders of the repository, because they are
data that users read, review and copy (a new board is a new TOML file), not Python. Inside the package,
`tinygen/data/templates` and `tinygen/data/boards` are relative symlinks to them, and pyproject.toml's
package-data ships `tinygen/data/**`: setuptools follows the links and copies the real files into the
wheel. So one `importlib.resources` lookup relative to the `tinygen` package finds the same files in a
checkout on PYTHONPATH, in an editable install (which points at the checkout) and in an installed wheel
(plain folders in site-packages), with no second code path. Symlinks were chosen over a package-dir
mapping (mapped packages must be listed by hand instead of `packages.find`, and a checkout on PYTHONPATH
would not see them) and over a custom copy step in a setup.py (an editable install or a checkout would not
see the copies, so they would need a second lookup).

Every other module reads these paths through the functions here; this module imports nothing else
from tinygen but its errors, so any layer may use it.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from tinygen.errors import InputError

_FIX = "reinstall tinygen (pip install --force-reinstall tinygen), or in a checkout restore it with git"


def _shipped(name: str) -> Path:
    """tinygen/data/<name> as a real path (symlinks resolved, so a checkout shows its top-level folder)."""
    return Path(str(files("tinygen") / "data" / name)).resolve()


def _folder(name: str) -> Path:
    path = _shipped(name)
    if not path.is_dir():
        raise InputError(f"{path}: tinygen's {name}/ folder is missing from this installation; {_FIX}")
    return path


def templates_dir() -> Path:
    """The Jinja templates and C sources a generated project is rendered from."""
    return _folder("templates")


def boards_dir() -> Path:
    """The board catalogue: one <name>.toml per shipped board, its schema.json and README.md."""
    return _folder("boards")


def example_model() -> Path:
    """The bundled example (an int8 CNN on scikit-learn's digits), so every command runs with no arguments."""
    return _shipped("digits_cnn_int8.tflite")
