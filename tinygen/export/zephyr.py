"""Zephyr: the folder as a Zephyr module (doc/develop/modules.rst): `zephyr/module.yml` naming the CMakeLists.txt
and Kconfig at the module's root, a `zephyr_library()` built only when `CONFIG_<NAME>` is set, and that symbol.

The module name is `<name>`; Zephyr derives ZEPHYR_<NAME>_MODULE_DIR from it. CONFIG_<NAME> shares Kconfig's
one namespace with Zephyr's own symbols, so a name such as `net` or `log` would merge into Zephyr's (README).
"""

from __future__ import annotations

import jinja2

from tinygen.codegen.library import Library

TEMPLATES = {"zephyr/module.yml": "export/module.yml.j2", "CMakeLists.txt": "export/zephyr-CMakeLists.txt.j2",
             "Kconfig": "export/Kconfig.j2"}


def render(library: Library, env: jinja2.Environment, url: str | None) -> dict[str, str]:
    name = library.options.name
    build = {path: env.get_template(template).render(library=library, name=name, NAME=name.upper())
             for path, template in TEMPLATES.items()}
    return dict(library.files) | build
