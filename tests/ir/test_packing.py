"""tinygen/ir/packing.py: TFLite's INT4 layout, low nibble first, round-trips for every length."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinygen.ir.packing import pack_int4, unpack_int4


def test_layout_is_low_nibble_first():
    # TFLite Micro's UnpackDenseInt4IntoInt8: byte 0xF1 -> [1, -1]; an odd tail sits in a low nibble
    assert pack_int4(np.array([1, -1, -8, 7, 3])).tolist() == [0xF1, 0x78, 0x03]
    assert unpack_int4(bytes([0xF1, 0x78, 0x03]), 5).tolist() == [1, -1, -8, 7, 3]


@given(st.lists(st.integers(-8, 7), max_size=200))
def test_round_trip(values):
    packed = pack_int4(np.array(values, dtype=np.int64))
    assert packed.dtype == np.uint8 and packed.size == (len(values) + 1) // 2
    assert unpack_int4(packed, len(values)).tolist() == values


def test_out_of_range_values_are_refused():
    with pytest.raises(ValueError, match=r"\[-8, 7\]"):
        pack_int4(np.array([8]))
    with pytest.raises(ValueError, match="at most 2"):
        unpack_int4(bytes([0]), 3)
