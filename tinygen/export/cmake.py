"""CMake: CMakeLists.txt defining the static library target `<name>`, usable through add_subdirectory()."""

from __future__ import annotations

import jinja2

from tinygen.codegen.library import Library


def render(library: Library, env: jinja2.Environment, url: str | None) -> dict[str, str]:
    name = library.options.name
    text = env.get_template("export/CMakeLists.txt.j2").render(library=library, name=name)
    return dict(library.files) | {"CMakeLists.txt": text}
