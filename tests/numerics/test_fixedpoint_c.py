"""The C fixed-point helpers (templates/kernels/tg_fixedpoint.h.j2, rendered as a project renders it) compiled for
the host, against their numpy twins (tinygen.numerics.fixedpoint.py) and against TFLite's definitions written out
here (kernels/internal/common.h and gemmlowp's fixedpoint.h, double rounding) with Python's exact integers.

The program runs under UBSan, so a helper that leans on undefined behaviour (a signed overflow, an oversized
shift) fails here instead of being miscompiled on a board one day.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.tools import require_tool
from tinygen.boards import load_board
from tinygen.codegen.render import environment
from tinygen.numerics import fixedpoint

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1

DRIVER = r"""
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "tg_fixedpoint.h"

/* One call per line: "<helper> a b c" (unused arguments 0); prints the int32 result. */
int main(void) {
    char name[8];
    long long a, b, c;
    while (scanf("%7s %lld %lld %lld", name, &a, &b, &c) == 4) {
        int32_t x = (int32_t)a, y = (int32_t)b, z = (int32_t)c, r;
        if (!strcmp(name, "srdhm")) r = tg_saturating_rounding_doubling_high_mul(x, y);
        else if (!strcmp(name, "rdbp")) r = tg_rounding_divide_by_pot(x, y);
        else if (!strcmp(name, "hmpos")) r = tg_rounding_doubling_high_mul_positive(x, y);
        else if (!strcmp(name, "mbqm")) r = tg_multiply_by_quantized_multiplier(x, y, z);
        else if (!strcmp(name, "right")) r = tg_multiply_by_quantized_multiplier_right(x, y, z);
        else if (!strcmp(name, "clamp")) r = tg_clamp(x, y, z);
        else return 2;
        printf("%" PRId32 "\n", r);
    }
    return 0;
}
"""


# --- TFLite's definitions, on Python integers with C's int32/int64 semantics spelled out ----------------------------


def _wrap32(v: int) -> int:
    return (v + 2**31) % 2**32 - 2**31


def _c_div(n: int, d: int) -> int:
    """C's integer division: the quotient truncated toward zero."""
    q = abs(n) // abs(d)
    return q if (n >= 0) == (d > 0) else -q


def srdhm(a: int, b: int) -> int:
    """gemmlowp SaturatingRoundingDoublingHighMul(int32 a, int32 b)."""
    if a == b == INT32_MIN:
        return INT32_MAX
    ab = a * b
    nudge = (1 << 30) if ab >= 0 else 1 - (1 << 30)
    return _c_div(ab + nudge, 1 << 31)


def rdbp(x: int, exponent: int) -> int:
    """gemmlowp RoundingDivideByPOT(int32 x, int exponent), 0 <= exponent <= 31."""
    mask = (1 << exponent) - 1
    remainder = x & mask
    threshold = (mask >> 1) + (1 if x < 0 else 0)
    return (x >> exponent) + (1 if remainder > threshold else 0)


def mbqm(x: int, multiplier: int, shift: int) -> int:
    """TFLite MultiplyByQuantizedMultiplier(int32 x, int32 multiplier, int shift), without TFLITE_SINGLE_ROUNDING:
    x * (1 << left_shift) wraps as the int32 it is on the device."""
    left, right = (shift, 0) if shift > 0 else (0, -shift)
    return rdbp(srdhm(_wrap32(x * (1 << left)), multiplier), right)


# --- the C program -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def helpers(tmp_path_factory) -> Path:
    gcc = require_tool("gcc")
    out = tmp_path_factory.mktemp("fixedpoint")
    header = environment().get_template("kernels/tg_fixedpoint.h.j2").render(board=load_board("host"))
    (out / "tg_fixedpoint.h").write_text(header)
    (out / "driver.c").write_text(DRIVER)
    subprocess.run([gcc, "-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", "-fsanitize=undefined",
                    "-fno-sanitize-recover=all", "-I", str(out), "-o", str(out / "helpers"), str(out / "driver.c")],
                   check=True, capture_output=True, text=True)
    return out / "helpers"


def run_c(program: Path, name: str, rows: Sequence[tuple[int, ...]]) -> list[int]:
    lines = "".join(f"{name} {' '.join(map(str, (*row, 0, 0)[:3]))}\n" for row in rows)
    done = subprocess.run([str(program)], input=lines, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and not done.stderr, done.stderr  # UBSan reports on stderr and exits non-zero
    results = [int(v) for v in done.stdout.split()]
    assert len(results) == len(rows)
    return results


# --- the inputs ----------------------------------------------------------------------------------------------------

int32 = st.one_of(st.integers(INT32_MIN, INT32_MAX),
                  st.sampled_from([INT32_MIN, INT32_MIN + 1, -(2**30), -1, 0, 1, 2**30, INT32_MAX - 1, INT32_MAX]))
multipliers = st.one_of(st.just(0), st.integers(1 << 30, INT32_MAX), st.sampled_from([1 << 30, INT32_MAX]))
right_shifts = st.integers(-31, -1)
shifts = st.integers(-31, 30)


def halfway(exponent: int) -> list[int]:
    """int32 values at, and one either side of, the .5 points of a division by 2^exponent, both signs."""
    base = [k << exponent for k in range(-3, 4)]
    half = 1 << (exponent - 1) if exponent else 0
    values = {v + d for b in base for v in (b, b + half, b - half) for d in (-1, 0, 1)}
    values |= {INT32_MIN, INT32_MIN + 1, INT32_MAX, INT32_MAX - (1 << exponent) + 1, -1, 0, 1}
    return sorted(v for v in values if INT32_MIN <= v <= INT32_MAX)


def product_halfway() -> list[tuple[int, int]]:
    """(a, b) whose product a*b lands on k*2^31 + 2^30, the high multiply's .5 points, and one either side."""
    pairs = [(a, b) for k in range(-4, 4) for a, b in (((2 * k + 1) << 15, 1 << 15), (1 << 30, 2 * k + 1))]
    pairs += [(a + 1, b) for a, b in pairs] + [(a - 1, b) for a, b in pairs]
    pairs += [(INT32_MIN, INT32_MIN), (INT32_MIN, INT32_MAX), (INT32_MAX, INT32_MAX), (INT32_MIN, 1), (INT32_MIN, -1)]
    return [(a, b) for a, b in pairs if INT32_MIN <= a <= INT32_MAX and INT32_MIN <= b <= INT32_MAX]


# --- the references agree with each other and with what the rounding means ------------------------------------------


@given(int32, int32)
def test_the_written_out_high_multiply_rounds_half_up(a, b):
    """Not a second copy of the same code: a*b/2^31 rounded to nearest, ties upward (floor(v + 1/2)), saturating."""
    expected = INT32_MAX if a == b == INT32_MIN else (a * b + (1 << 30)) >> 31
    assert srdhm(a, b) == expected


@given(int32, st.integers(0, 31))
def test_the_written_out_rounding_divide_rounds_half_away_from_zero(x, exponent):
    twice, d = 2 * abs(x), 1 << exponent  # |x|/d rounded half up is floor((2|x| + d) / 2d)
    assert rdbp(x, exponent) == (1 if x >= 0 else -1) * ((twice + d) // (2 * d))


# --- C against its numpy twin and TFLite's definitions ---------------------------------------------------------------


def _three_way(program: Path, name: str, rows: Sequence[tuple[int, ...]], twin: Callable[..., Any],
               reference: Callable[..., int]) -> None:
    c = run_c(program, name, rows)
    columns = [np.array(col, np.int64) for col in zip(*rows, strict=True)]
    numpy = [int(v) for v in np.broadcast_to(twin(*columns), (len(rows),))]
    tflite = [reference(*row) for row in rows]
    mismatches = [(row, got, want) for row, got, want in zip(rows, c, tflite, strict=True) if got != want]
    assert not mismatches, mismatches[:5]
    assert numpy == tflite


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(int32, int32), min_size=1, max_size=200))
def test_saturating_rounding_doubling_high_mul(helpers, rows):
    _three_way(helpers, "srdhm", rows, fixedpoint.saturating_rounding_doubling_high_mul, srdhm)


def test_saturating_rounding_doubling_high_mul_on_its_halfway_products(helpers):
    _three_way(helpers, "srdhm", product_halfway(), fixedpoint.saturating_rounding_doubling_high_mul, srdhm)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(int32, st.integers(0, 31)), min_size=1, max_size=200))
def test_rounding_divide_by_pot(helpers, rows):
    _three_way(helpers, "rdbp", rows, fixedpoint.rounding_divide_by_pot, rdbp)


def test_rounding_divide_by_pot_on_every_exponent_at_its_halfway_points(helpers):
    rows = [(x, e) for e in range(32) for x in halfway(e)]
    _three_way(helpers, "rdbp", rows, fixedpoint.rounding_divide_by_pot, rdbp)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(int32, multipliers), min_size=1, max_size=200))
def test_the_positive_high_multiply_equals_gemmlowps_for_requantisation_multipliers(helpers, rows):
    """Valid for multipliers >= 0 (every requantisation multiplier is 0 or in [2^30, 2^31))."""
    _three_way(helpers, "hmpos", rows, fixedpoint.saturating_rounding_doubling_high_mul, srdhm)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(int32, multipliers, shifts), min_size=1, max_size=200))
def test_multiply_by_quantized_multiplier(helpers, rows):
    _three_way(helpers, "mbqm", rows, fixedpoint.multiply_by_quantized_multiplier, mbqm)


def test_multiply_by_quantized_multiplier_on_every_shift_at_its_halfway_points(helpers):
    """Inputs that land on .5 after the high multiply or after the divide, for every shift from -31 to 30. With
    m = 2^30 the high multiply halves x, so the divide's .5 points are those of 2^(e+1) in x."""
    rows = [(x, m, shift) for shift in range(-31, 31) for m in (0, 1 << 30, (1 << 30) + 1, INT32_MAX)
            for x in sorted(set(halfway(max(-shift, 0)) + halfway(min(max(-shift, 0) + 1, 31))))]
    rows += [(a, m, shift) for shift in (-31, -16, -1, 0, 1, 30) for a, m in product_halfway() if m >= 1 << 30]
    _three_way(helpers, "mbqm", rows, fixedpoint.multiply_by_quantized_multiplier, mbqm)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(int32, multipliers, right_shifts), min_size=1, max_size=200))
def test_the_one_rounding_right_shift_form(helpers, rows):
    """tg_multiply_by_quantized_multiplier_right takes e1 = -shift - 1; its twin takes the shift."""
    c_rows = [(x, m, -shift - 1) for x, m, shift in rows]
    c = run_c(helpers, "right", c_rows)
    assert c == [mbqm(*row) for row in rows]
    x, m, shift = (np.array(col, np.int64) for col in zip(*rows, strict=True))
    assert [int(v) for v in fixedpoint.multiply_by_quantized_multiplier_right(x, m, shift)] == c


def test_clamp(helpers):
    rows = [(x, lo, hi) for x in (INT32_MIN, -129, -128, -1, 0, 5, 127, 128, INT32_MAX) for lo, hi in
            ((-128, 127), (0, 6), (-3, -3))]
    assert run_c(helpers, "clamp", rows) == [min(max(x, lo), hi) for x, lo, hi in rows]
