"""The export formats: each a module that places the library's include/ and src/ where its build system looks
and adds its build files; some also hold --name and --url to their own specification's rules."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import jinja2

from tinygen.codegen.library import Library
from tinygen.errors import InputError
from tinygen.export import arduino, cmake, make, platformio, zephyr

# (library, templates, --url) -> every file of the export, relative to its folder
Render = Callable[[Library, jinja2.Environment, "str | None"], dict[str, str]]
# (--name, --url) -> None, or a one-line InputError; runs before any planning
Check = Callable[[str, "str | None"], None]


def no_url(name: str, url: str | None) -> None:
    """The check of a format whose build files name no web page."""
    if url is not None:
        raise InputError("--url: only the arduino and platformio manifests name a project page; drop --url")


@dataclass(frozen=True)
class Format:
    render: Render
    help: str  # one line of --format's help
    check: Check = no_url


FORMATS: dict[str, Format] = {
    "cmake": Format(cmake.render, "a static-library target for add_subdirectory()"),
    "make": Format(make.render, "a <name>.mk fragment"),
    "zephyr": Format(zephyr.render, "a Zephyr module (zephyr/module.yml, CMakeLists.txt, Kconfig CONFIG_<NAME>)"),
    "arduino": Format(arduino.render, "an Arduino library (library.properties, src/; needs --url)", arduino.check),
    "platformio": Format(platformio.render, "a PlatformIO library (library.json, include/, src/)", platformio.check),
}


def export_format(fmt: str) -> Format:
    """The format's module, or a one-line InputError for a format tinygen has none for."""
    found = FORMATS.get(fmt)
    if found is None:
        raise InputError(f"--format '{fmt[:40]}': unknown format; use one of: {', '.join(FORMATS)}")
    return found
