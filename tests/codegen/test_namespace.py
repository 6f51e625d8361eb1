"""The token rename that puts a library in its own C namespace (tinygen/codegen/namespace.py)."""

from __future__ import annotations

import re

import pytest

from tests.models import EXAMPLE, model_path
from tinygen.codegen.library import LibraryOptions, render_library
from tinygen.codegen.namespace import rename_file, rename_text
from tinygen.export.target import core_board
from tinygen.pipeline import generate


def test_rename_maps_the_api_macros_files_and_sections_and_leaves_other_strings() -> None:
    text = ('#include "model.h"\n#include "tg_conv.h"\nstatic int8_t tg_arena[TG_ARENA_BYTES] '
            'TG_SECTION(".tg_arena");\nvoid tg_model_invoke(void);\n#define TG_MODEL_NAME "tg_model x"\n'
            'int my_tg_x;\n')
    assert rename_text(text, "kws") == (
        '#include "kws.h"\n#include "kws_conv.h"\nstatic int8_t kws_arena[KWS_ARENA_BYTES] '
        'KWS_SECTION(".kws_arena");\nvoid kws_invoke(void);\n#define KWS_MODEL_NAME "tg_model x"\nint my_tg_x;\n')
    assert [rename_file(f, "kws") for f in ("model.h", "model.c", "tg_conv.c")] == ["kws.h", "kws_model.c",
                                                                                     "kws_conv.c"]


def test_rename_refuses_two_names_that_would_become_one() -> None:
    with pytest.raises(ValueError, match="kws_input_bytes"):
        rename_text("int tg_input_bytes; int tg_model_input_bytes(void);", "kws")


@pytest.mark.parametrize(("core", "arena"), [("cortex-m4", "static"), ("cortex-m55", "extern"), ("host", "static")])
def test_no_tg_token_survives_in_a_library(core: str, arena: str) -> None:
    board = core_board(core)
    _, _, code = generate(model_path(EXAMPLE), board, fit=False)
    library = render_library(code, board, LibraryOptions("vad", arena))
    assert library.header == "include/vad.h"
    for path, text in library.files:
        assert re.match(r"(include/vad\.h|src/vad_\w+\.[ch])\Z", path)
        assert not re.search(r"\b(tg|TG)_", text), path
        assert "vad_invoke" in text or not path.endswith(("vad.h", "_model.c"))
