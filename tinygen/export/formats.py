"""The export formats: each a module that adds its build files to the library's include/ and src/."""

from __future__ import annotations

from collections.abc import Callable

import jinja2

from tinygen.codegen.library import Library
from tinygen.errors import InputError
from tinygen.export import cmake, make

Render = Callable[[Library, jinja2.Environment], dict[str, str]]
FORMATS: dict[str, Render] = {"cmake": cmake.render, "make": make.render}


def renderer(fmt: str) -> Render:
    """The format's module, or a one-line InputError for a format tinygen has none for."""
    render = FORMATS.get(fmt)
    if render is None:
        raise InputError(f"--format '{fmt[:40]}': unknown format; use one of: {', '.join(FORMATS)}")
    return render
