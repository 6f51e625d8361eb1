"""Strings from model and board files are data: marked where they are read, escaped where they are written.

Tensor names, a model's file name and a board file's free-text fields come
from files users download. They are `Untrusted` from the moment they are read
(tinygen/importers, tinygen/boards.py); the template environment refuses to
place one unless a filter below made it safe for where it goes
(tinygen/codegen/render.py), so a template that forgets cannot inject code.
On a terminal they pass through `terminal` (rich markup) or `one_line`.
"""

from __future__ import annotations

import re

COMMENT_LIMIT = 96  # characters of a name kept in a C comment; a longer one is cut with "..."
_UNPRINTABLE = re.compile(r"[^\x20-\x7e]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # C0, DEL and C1: newlines, ANSI escapes (ESC, CSI)
_TRIGRAPH = re.compile(r"\?(?=\?)")  # every '?' followed by another


class Untrusted(str):
    """A string read from a model or board file: never placed in generated text as it is."""

    __slots__ = ()


def _printable(text: str) -> str:
    """Printable ASCII only: other characters (newlines, escapes, non-ASCII) become '?'."""
    return _UNPRINTABLE.sub("?", text)


def c_comment(text: str, limit: int = COMMENT_LIMIT) -> str:
    """`text` as it may stand inside a /* */ comment (or an #error message): printable ASCII, no comment
    delimiters, no trigraphs (-std=c99 turns `??/` into a backslash), no backslash or double quote, at most
    `limit` characters."""
    safe = _printable(text).replace("\\", "/").replace('"', "'")  # first: a slash made here could close it
    safe = _TRIGRAPH.sub("? ", safe.replace("*/", "* /").replace("/*", "/ *"))
    return safe if len(safe) <= limit else safe[:limit - 3] + "..."  # cut last: no delimiter can form


def c_string(text: str) -> str:
    """`text` as a C string literal, quotes included: printable ASCII as itself except `"`, `\\` and `?`
    (trigraphs); every other byte of its UTF-8 as a three-digit octal escape, which cannot run on."""
    out = []
    for byte in text.encode("utf-8", errors="replace"):
        char = chr(byte)
        if char in '"\\?':
            out.append("\\" + char)
        elif 0x20 <= byte <= 0x7E:
            out.append(char)
        else:
            out.append(f"\\{byte:03o}")
    return '"' + "".join(out) + '"'


def one_line(text: str) -> str:
    """`text` for a terminal line: control characters (newlines, ANSI escape sequences' ESC and CSI) become '?',
    so a name cannot add lines, move the cursor or recolour the screen."""
    return _CONTROL.sub("?", text)


def terminal(text: str) -> str:
    """`text` inside rich markup (tables, console.print): one line, and its brackets printed, not interpreted.

    A trailing backslash is doubled so that it cannot escape a tag that follows; printed with nothing after
    it, it shows twice (cosmetic, and only for text ending in a backslash)."""
    from rich.markup import escape  # here: the CLI's error path imports this module, and rich costs 17 ms

    return escape(one_line(text))
