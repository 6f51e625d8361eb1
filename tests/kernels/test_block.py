"""Parameter blocks: the C struct and the initializer both come from the dataclass, and drift cannot compile.

Every block of every kernel family is rendered (struct and an instance's
initializer) and compiled by the host gcc with the flags the generated
projects use; an initializer that loses a field must fail to compile.
"""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path

import numpy as np
import pytest

from tests.kernels.examples import example
from tests.tools import require_tool
from tinygen.codegen.toolchain import COMMON
from tinygen.kernels import BLOCKS, block_named
from tinygen.kernels.block import ArenaPtr, ConstArray, Offset, ParamBlock, c_initializer, c_struct, i32
from tinygen.kernels.conv import ConvParams
from tinygen.kernels.quantize import QuantizeParams
from tinygen.kernels.shape import StridedCopyParams, StridedCopyS16Params
from tinygen.kernels.window import Window


def _source(blocks: list[ParamBlock]) -> str:
    """A C file declaring every struct once (nested ones first), the arrays, and one initialized instance each."""
    declared: list[type[ParamBlock]] = []
    for block in blocks:
        for f in dataclasses.fields(block):
            nested = f.metadata["c"].block
            if nested is not None and nested not in declared:
                declared.append(nested)
        if type(block) not in declared:
            declared.append(type(block))
    arrays = {a.symbol: a for b in blocks for a in b.arrays()}
    lines = ["#include <stddef.h>", "#include <stdint.h>", "static int8_t tg_arena[4096];"]
    lines += [c_struct(cls) for cls in declared]
    lines += [f"static const {a.ctype} {a.symbol}[{a.values.size}] = {{0}};" for a in arrays.values()]
    lines += [f"const {type(b).C_NAME} block{k} = {c_initializer(b)};" for k, b in enumerate(blocks)]
    lines.append("void use(void) { (void)tg_arena; }")
    return "\n".join(lines) + "\n"


def _compile(tmp_path: Path, source: str) -> subprocess.CompletedProcess:
    cc = require_tool("cc")
    path = tmp_path / "blocks.c"
    path.write_text(source)
    return subprocess.run([cc, *COMMON.split(), "-Werror", "-c", str(path), "-o", str(tmp_path / "blocks.o")],
                          capture_output=True, text=True)


def test_every_block_of_every_family_renders_and_compiles_with_the_projects_flags(tmp_path):
    result = _compile(tmp_path, _source([example(cls) for cls in BLOCKS]))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("cls", [ConvParams, QuantizeParams, Window], ids=lambda c: c.__name__)
def test_an_initializer_that_lost_a_field_does_not_compile(tmp_path, cls):
    source = _source([example(cls)])
    field = dataclasses.fields(cls)[1].name
    broken = "\n".join(line for line in source.splitlines() if f"/* {field} */" not in line)
    assert broken != source
    result = _compile(tmp_path, broken)
    assert result.returncode != 0
    assert "missing initializer for field" in result.stderr, result.stderr


def test_an_added_field_reaches_the_struct_and_the_initializer(tmp_path):
    @dataclasses.dataclass(frozen=True)
    class Extended(ConvParams):
        C_NAME = "tg_extended_params"
        C_DOC = "a convolution with one more field"
        groups: int = i32("filter groups")

    block = example(Extended, groups=3)
    assert "    int32_t groups; /* filter groups */\n} tg_extended_params;" in c_struct(Extended)
    assert c_initializer(block).endswith("    /* groups */ 3,\n}")
    assert _compile(tmp_path, _source([block])).returncode == 0


def test_struct_text_states_name_type_and_comment_per_field():
    text = c_struct(ConvParams)
    assert text.startswith("/* CONV_2D")
    assert "    const int8_t *input; /* NHWC input */" in text
    assert "    int8_t *temp; /* in-place temporary" in text
    assert "    tg_window win; /* the part of the output to compute */" in text
    assert text.endswith("} tg_conv_params;")
    assert block_named("tg_conv_params") is ConvParams


def test_values_are_checked_against_their_c_type_when_a_block_is_made():
    with pytest.raises(TypeError, match="ConvParams.k_h is an int32_t"):
        example(ConvParams, k_h=ArenaPtr(0))
    with pytest.raises(ValueError, match="does not fit an int32_t"):
        example(ConvParams, out_c=1 << 31)
    with pytest.raises(TypeError, match="ConvParams.input must point somewhere"):
        example(ConvParams, input=None)
    with pytest.raises(TypeError, match="points at int32_t, not at w's int8_t"):
        example(ConvParams, bias=ConstArray("w", np.zeros(4, np.int8)))
    with pytest.raises(ValueError, match="not a C identifier"):
        ConstArray("x */ system(", np.zeros(1, np.int8))


def test_no_temporary_is_null_and_numpy_integers_become_ints():
    block = example(ConvParams, temp=None, k_h=np.int64(3))
    assert block.k_h == 3 and type(block.k_h) is int
    assert "    /* temp */ NULL," in c_initializer(block)


def test_floats_render_exactly_as_float32_hex():
    block = example(QuantizeParams, scale=0.1)
    assert f"/* scale */ {float(np.float32(0.1)).hex()}f," in c_initializer(block)


def test_arrays_are_found_once_in_field_order():
    weights = ConstArray("w", np.zeros(4, np.int8))
    block = example(ConvParams, input=ArenaPtr(0), weights=weights)
    assert [a.symbol for a in block.arrays()] == ["w", "ex_bias_int32_t", "ex_multiplier_int32_t", "ex_shift_int32_t"]
    assert block.arrays()[0] is weights


def test_an_offset_into_the_arena_counts_elements_of_the_pointed_type():
    """The arena is int8_t, so an int16 slice's first element is cast first, then stepped in int16s."""
    dims = {"output": ArenaPtr(64), "dims": (1, 1, 1, 1, 2), "strides": (0, 0, 0, 0, 1)}
    wide = StridedCopyS16Params(input=Offset(ArenaPtr(32), 3), **dims)
    narrow = StridedCopyParams(input=Offset(ArenaPtr(32), 3), **dims)
    assert "/* input */ (const int16_t *)(tg_arena + 32) + 3," in c_initializer(wide)
    assert "/* input */ tg_arena + 32 + 3," in c_initializer(narrow)
