"""Make: a `<name>.mk` fragment naming the sources, the include folder and the flags, relative to itself."""

from __future__ import annotations

import jinja2

from tinygen.codegen.library import Library


def render(library: Library, env: jinja2.Environment, url: str | None) -> dict[str, str]:
    name = library.options.name
    text = env.get_template("export/library.mk.j2").render(library=library, name=name, NAME=name.upper())
    return dict(library.files) | {f"{name}.mk": text}
