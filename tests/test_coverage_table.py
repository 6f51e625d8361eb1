"""README's operator coverage table is what the code says (scripts/coverage_table.py), and its readers are right."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from scripts.coverage_table import README, with_table
from scripts.lowered_kernels import lowered_kernels, read_kernels
from scripts.tflm_ops import TFLM_BUILTINS
from tests.commands.test_cli import invoke, one_json_object
from tinygen.lower import LOWERINGS

TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "kernels"


def test_readme_table_is_current() -> None:
    current = README.read_text()
    assert with_table(current) == current, "README's coverage table is stale: run python scripts/coverage_table.py"


def test_every_kernel_read_is_a_c_function() -> None:
    defined = {m.group(1) for path in TEMPLATES.glob("*.j2")
               for m in re.finditer(r"\b(tg_[a-z0-9_]+)\s*\(", path.read_text())}
    read = {kernel for opcode in LOWERINGS for kernel in lowered_kernels(opcode)}
    assert read and read <= defined, read - defined


def test_kernels_read_include_what_lowering_picks() -> None:
    """The example's layers on a core with no specialised kernels call what the reader found."""
    report = one_json_object(invoke("check", "--board", "host", "--json"))
    picked = {(layer["op"], layer["kernel"]) for layer in report["layers"] if layer["kernel"]}
    assert len({op for op, _ in picked}) >= 4, picked
    assert all(kernel in lowered_kernels(op) for op, kernel in picked), picked


def _fake_lowering(ctx: Any, op: Any) -> str:
    kind = op.opcode.lower()
    if op.opcode == "NEVER":
        return "tg_never_s8"
    width = "s4" if ctx.weights == "int4" else "s8"
    return "tg_other_s8" if op.opcode in ("OTHER", "MORE") else f"tg_{kind}_{width}"


def _unreadable_lowering(ctx: Any, op: Any) -> str:
    return f"tg_{ctx.family}_s8"


def test_reader_follows_the_opcode_and_keeps_data_dependent_branches() -> None:
    assert read_kernels(_fake_lowering, "FAKE") == {"tg_fake_s4", "tg_fake_s8"}
    assert read_kernels(_fake_lowering, "OTHER") == {"tg_other_s8"}
    assert read_kernels(_fake_lowering, "NEVER") == {"tg_never_s8"}


def test_reader_refuses_a_kernel_name_it_cannot_evaluate() -> None:
    with pytest.raises(ValueError, match=r"cannot read the kernel name f'tg_\{ctx.family\}_s8' for FAKE"):
        read_kernels(_unreadable_lowering, "FAKE")


def test_tflm_list_names_real_builtin_operators() -> None:
    import tflite

    builtins = {name for name in vars(tflite.BuiltinOperator) if name.isupper()}
    assert len(TFLM_BUILTINS) == 100 and TFLM_BUILTINS <= builtins, TFLM_BUILTINS - builtins
