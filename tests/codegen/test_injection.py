"""A model's strings cannot add code to its firmware (issue: untrusted input stays data).

The bundled example with its input, output and an internal tensor (the patch
stage's split tensor, named in model.c's patch comment) renamed to strings
that close a C comment and add a constructor, an #error, a variable and a
semihosting open of a host path, saved
under a file name with a quote, a backslash, a trigraph and a newline: the
firmware builds, runs bit-exact, has none of the injected symbols, ran no
injected code, and shows the names escaped in its comments.
"""

from __future__ import annotations

import pytest
from elftools.elf.elffile import ELFFile

from tests.models import renamed_example
from tinygen.boards import load_board
from tinygen.pipeline import build_firmware, run_firmware
from tinygen.run.vectors import random_vectors

INPUT = ('in */ #include <stdlib.h>\n__attribute__((constructor)) static void tg_evil(void) '
         '{ system("touch {marker}"); } /*')
OUTPUT = "out */ #error injected\n/*"
INTERNAL = 'mid */ int tg_injected = 1; void tg_escape(void) { tg_sh_open("{marker}", 4); } /* ??/'
FILE = 'evil"\\??=\n#error x'  # ??= is the trigraph for #


@pytest.fixture(scope="module")
def evil_model(tmp_path_factory):
    folder = tmp_path_factory.mktemp("evil")
    marker = folder / "MARKER"
    path = renamed_example(folder, FILE, input=INPUT.replace("{marker}", str(marker)), output=OUTPUT,
                           split=INTERNAL.replace("{marker}", str(marker)))
    return path, marker


def _symbols(elf) -> set[str]:
    with elf.open("rb") as f:
        return {s.name for s in ELFFile(f).get_section_by_name(".symtab").iter_symbols()}


@pytest.mark.parametrize("board_name", ["host", "mps2-an386"])
def test_names_stay_data_in_the_firmware(tmp_path, evil_model, board_name):
    path, marker = evil_model
    board = load_board(board_name)
    firmware = build_firmware(path, board, tmp_path / "fw")
    result = run_firmware(firmware, path, board, random_vectors(firmware.code.inputs, 3, 0), 120.0)
    assert result.bit_exact
    assert not marker.exists()
    sources = "\n".join(p.read_text() for p in (tmp_path / "fw").glob("*.[ch]"))
    directives = [line.strip() for line in sources.splitlines() if line.lstrip().startswith("#")]
    assert not [d for d in directives if "injected" in d or "stdlib" in d or d.startswith("#error x")]
    assert "in * / #include <stdlib.h>?__attribute__" in sources  # visible, escaped, on one comment line
    assert "mid * / int tg_injected = 1; void tg_escape(void) { tg_sh_open('" in sources  # the patch comment
    assert '#define TG_MODEL_NAME "evil\\"\\\\\\?\\?=\\012#error x"' in sources
    if board.name != "host":
        assert not {"tg_evil", "tg_injected", "tg_escape"} & _symbols(firmware.build.elf)


def test_a_template_that_forgets_the_filter_cannot_render_a_model_string():
    from tinygen.codegen.render import environment
    from tinygen.text import Untrusted

    with pytest.raises(TypeError, match="reached a template unescaped"):
        environment().from_string("/* {{ name }} */").render(name=Untrusted("x */ y"))
    assert environment().from_string("/* {{ name | c_comment }} */").render(name=Untrusted("x */ y")) == \
        "/* x * / y */"
