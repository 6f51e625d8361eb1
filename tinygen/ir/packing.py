"""TFLite's INT4 layout: two signed 4-bit values per byte, element 2k in the low nibble, 2k+1 in the high.

One statement of the layout, shared by the importer (unpack), the mixed-precision
writer (pack) and code generation (pack for flash), so all three agree with
TensorFlow Lite Micro's UnpackDenseInt4IntoInt8 by construction. An odd count
leaves the last byte's high nibble zero.
"""

from __future__ import annotations

import numpy as np

INT4_MIN, INT4_MAX = -8, 7


def pack_int4(values: np.ndarray) -> np.ndarray:
    """int values in [-8, 7], any shape, flattened in C order -> uint8 bytes, ceil(n / 2) of them."""
    flat = np.asarray(values).reshape(-1).astype(np.int64)
    if flat.size and (flat.min() < INT4_MIN or flat.max() > INT4_MAX):
        raise ValueError(f"int4 values must lie in [{INT4_MIN}, {INT4_MAX}], got [{flat.min()}, {flat.max()}]")
    nibbles = (flat & 0xF).astype(np.uint8)
    if nibbles.size % 2:
        nibbles = np.append(nibbles, np.uint8(0))
    return nibbles[0::2] | (nibbles[1::2] << 4)


def unpack_int4(packed: np.ndarray | bytes, count: int) -> np.ndarray:
    """The first `count` int4 values of `packed`, sign-extended to int8."""
    raw = np.frombuffer(bytes(packed), np.uint8) if isinstance(packed, bytes | bytearray) else np.asarray(packed)
    raw = raw.astype(np.uint8)
    if raw.size * 2 < count:
        raise ValueError(f"{raw.size} bytes hold at most {raw.size * 2} int4 values, {count} requested")
    both = np.stack([raw & 0xF, raw >> 4], axis=1).reshape(-1)[:count].astype(np.int8)
    return np.where(both > INT4_MAX, both - 16, both).astype(np.int8)
