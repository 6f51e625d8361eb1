"""A library's C namespace: every generated `tg_`/`TG_` token becomes `<name>_`/`<NAME>_`, file names too.

Decision: one token rename of the rendered files, here, rather than a prefix parameter threaded through every
template. The ~60 kernel templates, the parameter blocks' C names (tinygen/kernels) and model.c all spell the
`tg_` namespace; a parameter in each would have to be right in every one of them forever, and one missed
`tg_` would only show as a link clash in a user's firmware with two models. The rename is total by
construction instead: every identifier, macro, type and file that starts with `tg_`/`TG_` is renamed, and
`tests/codegen/test_namespace.py` checks no `tg_` token survives. `tinygen build` never calls it, so its output
keeps the `tg_` namespace byte for byte.

What is renamed, at a word start (so `my_tg_x` stays): identifiers and macros outside string literals; inside
string literals only the two places where C text names a generated thing, `#include "tg_…"` and section names
(`TG_SECTION(".tg_…")`). Other strings (the model's name in `<NAME>_MODEL_NAME`, from the model file) stay as
they were. The model API drops the `model` word: `tg_model_invoke` -> `<name>_invoke`, `tg_model_input(i)` ->
`<name>_input(i)`, and `model.h`/`model.c` become `<name>.h`/`<name>_model.c`.
"""

from __future__ import annotations

import re

from tinygen.errors import InputError

MAX_NAME = 24  # `<name>_` plus the longest generated suffix stays within 63 characters, C99's internal limit
_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
C_KEYWORDS = frozenset("""
    auto break case char const continue default do double else enum extern float for goto if inline int long
    register restrict return short signed sizeof static struct switch typedef union unsigned void volatile while
    asm bool true false alignas alignof noreturn static_assert thread_local typeof constexpr nullptr
""".split())
# Prefixes the C standard library reserves (C11 7.31): functions `is`/`to`/`str`/`mem`/`wcs` + a lower-case
# letter; macros `E` + a digit or upper-case letter (<errno.h>), `LC_` + upper case, `SIG`/`SIG_` + upper case.
_RESERVED = re.compile(r"(?:is|to|str|mem|wcs)[a-z]|e[a-z0-9]|lc\Z|sig")
_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|\b(tg|TG)_(\w*)')
_QUOTED = re.compile(r'(#include "|TG_SECTION\("\.)(tg)_')


def check_name(name: str) -> str:
    """`name` if it can prefix a library's C symbols, else a one-line InputError (it is user input)."""
    if not _NAME.match(name):
        raise InputError(f"--name '{name[:40]}': not a lower-case C identifier; use letters, digits and _, "
                         "starting with a letter (e.g. --name kws)")
    if len(name) > MAX_NAME:
        raise InputError(f"--name '{name[:40]}': longer than {MAX_NAME} characters; pick a shorter prefix")
    if name.endswith("_") or "__" in name:
        raise InputError(f"--name '{name}': ends in _ or holds __, which the _ after it would double; drop the _")
    if name in C_KEYWORDS:
        raise InputError(f"--name '{name}': is a C keyword; pick another name")
    if _RESERVED.match(name):
        raise InputError(f"--name '{name}': its symbols ({name}_..., {name.upper()}_...) would start with a prefix "
                         "the C library reserves (is/to/str/mem/wcs, E, LC, SIG); pick another name")
    return name


def rename_file(path: str, name: str) -> str:
    """A rendered file's name in the namespace: model.h -> <name>.h, model.c -> <name>_model.c, tg_x -> <name>_x."""
    if path == "model.h":
        return f"{name}.h"
    if path == "model.c":
        return f"{name}_model.c"
    return re.sub(r"^tg_", f"{name}_", path)


def rename_text(text: str, name: str) -> str:
    """C text with every `tg_`/`TG_` token in `name`'s namespace (see the module docstring for what and why)."""

    def token(match: re.Match) -> str:
        if match.group(1) is None:  # a string literal: only a generated file or section name in it
            return match.group(0)
        rest = match.group(2)
        if match.group(1) == "TG":
            return f"{name.upper()}_{rest}"
        return f"{name}_{rest.removeprefix('model_')}"

    api = set(re.findall(r"\btg_model_(\w+)", text))
    if clash := api & set(re.findall(r"\btg_(\w+)", text)):
        raise ValueError(f"tg_model_{min(clash)} and tg_{min(clash)} would both become {name}_{min(clash)}")
    text = _QUOTED.sub(lambda m: f"{m.group(1)}{name}_", text)
    text = text.replace('#include "model.h"', f'#include "{name}.h"')
    return _TOKEN.sub(token, text)
