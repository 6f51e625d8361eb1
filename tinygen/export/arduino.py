"""Arduino: a library in the 1.5 format (Arduino library specification rev. 2.2): `library.properties` at the
root, the header and every source in `src/`, which is the only folder the builder puts on the include path.

`architectures=*`: Arduino's architecture names (avr, samd, mbed_nano, renesas_uno, stm32, ...) name a core
package, not a CPU; one package spans several Cortex-M cores, and the kernels' real requirement, the core they
were specialised for, is held by `#error` guards in the sources, which stop a build for a core without them.
The builder takes no compile flags from a library, so the sources build with the board's own (-Os, gnu11).
"""

from __future__ import annotations

import jinja2

from tinygen import __version__
from tinygen.codegen.library import Library
from tinygen.errors import InputError
from tinygen.export.page import check_url

CATEGORY = "Data Processing"  # one of the specification's nine categories


def check(name: str, url: str | None) -> None:
    """--name and --url by the specification's rules, beyond the C ones `--name` already meets: names starting
    with "Arduino" are reserved for Arduino's own libraries, and `url` is a required field."""
    if name.lower().startswith("arduino"):
        raise InputError(f"--name '{name}': the Arduino library specification reserves names starting with "
                         "Arduino for Arduino's own libraries; pick another name")
    if url is None:
        raise InputError("--format arduino: library.properties requires a url; give --url with your library's "
                         "project page (e.g. --url https://github.com/you/firmware)")
    check_url(url)


def render(library: Library, env: jinja2.Environment, url: str | None) -> dict[str, str]:
    name = library.options.name
    files = {f"src/{path.split('/', 1)[1]}": text for path, text in library.files}  # include/<name>.h -> src/
    properties = env.get_template("export/library.properties.j2").render(
        library=library, name=name, version=__version__, category=CATEGORY, url=url)
    return files | {"library.properties": properties}
