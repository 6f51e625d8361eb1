"""PlatformIO: `library.json` (PlatformIO's library manifest) with the header in `include/` and the sources in
`src/`, the layout PlatformIO recommends; `build.flags` carries the flags tinygen compiles the model with.

`frameworks: ["*"]`: the library is plain C and needs none. `platforms`: `native` for a host export, else `*`,
for the same reason as Arduino's `architectures=*` (export/arduino.py): a platform (ststm32, nordicnrf52, ...)
spans several cores, and the sources' `#error` guards hold the core they were specialised for.
"""

from __future__ import annotations

import json

import jinja2

from tinygen import __version__
from tinygen.codegen.library import Library
from tinygen.export.page import check_url

KEYWORDS = ("tinyml", "neural network", "inference", "int8", "tinygen")


def check(name: str, url: str | None) -> None:
    """--url is optional here (the manifest's `homepage`); when given it must be one a manifest can carry."""
    if url is not None:
        check_url(url)


def manifest(library: Library, url: str | None) -> dict:
    name, core = library.options.name, library.board.cpu.core
    fields: dict = {
        "name": name, "version": __version__,
        "description": f"The {name} model as a C library specialised for {core} by tinygen {__version__}: "
                       f"include {name}.h and call {name}_invoke().",
        "keywords": list(KEYWORDS), "frameworks": ["*"], "platforms": ["native" if core == "host" else "*"],
    }
    if url is not None:
        fields["homepage"] = url
    fields["build"] = {"srcDir": "src", "includeDir": "include", "srcFilter": ["+<*.c>"],
                       "flags": list(library.cflags)}
    return fields


def render(library: Library, env: jinja2.Environment, url: str | None) -> dict[str, str]:
    return dict(library.files) | {"library.json": json.dumps(manifest(library, url), indent=2) + "\n"}
