"""Model and board strings in generated C: comments and string literals that no input can break out of."""

from __future__ import annotations

import subprocess

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.tools import require_tool
from tinygen.text import COMMENT_LIMIT, c_comment, c_string

ATTACKS = ['in */ #include <stdlib.h> __attribute__((constructor)) static void f(void){ system("touch x"); } /*',
           '*\\/ x', '??/\n#error', 'a"; int injected; char *b = "', "\x1b[31m\u202e\x00"]


@given(st.text())
def test_a_comment_never_closes_and_stays_printable(text):
    safe = c_comment(text)
    for bad in ("*/", "/*", "??", "\\", '"', "\n"):
        assert bad not in safe
    assert all(32 <= ord(c) < 127 for c in safe) and len(safe) <= COMMENT_LIMIT


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(), min_size=1, max_size=4).map(lambda xs: xs + ATTACKS))
def test_the_compiler_reads_back_exactly_the_string_and_nothing_else(tmp_path_factory, texts):
    """A C program holding every text as a comment and a string literal compiles (no injected token) and
    prints the UTF-8 bytes of each text exactly."""
    cc = require_tool("cc")
    folder = tmp_path_factory.mktemp("text")
    body = "\n".join(f"/* {c_comment(t)} */ fputs({c_string(t)}, stdout); putchar(0);" for t in texts)
    (folder / "t.c").write_text(f"#include <stdio.h>\nint main(void) {{\n{body}\nreturn 0;\n}}\n")
    subprocess.run([cc, "-std=c99", "-Wall", "-Werror", "-o", str(folder / "t"), str(folder / "t.c")], check=True)
    out = subprocess.run([str(folder / "t")], capture_output=True, check=True).stdout
    expected = [t.encode("utf-8", errors="replace").split(b"\0")[0] for t in texts]  # fputs stops at NUL
    assert out.split(b"\0")[:-1] == expected



@given(st.text())
def test_terminal_text_has_no_control_characters_and_prints_its_brackets(text):
    from rich.console import Console

    from tinygen.text import one_line, terminal

    assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in one_line(text))
    console = Console(width=10_000, color_system=None, record=True, soft_wrap=True)
    # as the commands place it, inside markup: rich must neither raise, nor drop a bracketed part, nor end the tag
    console.print(f"[bold]{terminal(text)}[/bold]", end="")
    assert console.export_text() == one_line(text)
