"""tinygen/run/vectors.py against an independent statement of the harness's file layout: tg_in.bin (and
tg_out.bin) hold vector after vector, each the model's tensors in order, each tensor's elements in row-major order
as little-endian values of the tensor's own type."""

from __future__ import annotations

import itertools
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygen.errors import InputError
from tinygen.lower.program import TensorIO
from tinygen.run.vectors import npz_vectors, pack, random_vectors, unpack

FORMATS = {"int8": "b", "uint8": "B", "int16": "h", "int32": "i", "float32": "f", "bool": "?"}  # struct's codes
WIDTHS = {"int8": 1, "uint8": 1, "int16": 2, "int32": 4, "float32": 4, "bool": 1}


def io(role: str, k: int, dtype: str, shape: tuple[int, ...], scale: float = 0.5, zero_point: int = 0) -> TensorIO:
    size = WIDTHS[dtype] * int(np.prod(shape))
    return TensorIO(role, f"{role.upper()}{k}", f"{role}{k}", dtype, shape, size, scale, zero_point, 0)


def layout(tensors: tuple[TensorIO, ...], vectors: list[list[np.ndarray]]) -> bytes:
    """The file, element by element: row-major indices written out, each value packed by struct."""
    out = b""
    for vector in vectors:
        for t, array in zip(tensors, vector, strict=True):
            for index in itertools.product(*(range(n) for n in t.shape)):
                out += struct.pack("<" + FORMATS[t.dtype], array[index].item())
    return out


@st.composite
def tensors_and_vectors(draw, role: str = "input"):
    specs = draw(st.lists(st.tuples(st.sampled_from(sorted(FORMATS)),
                                    st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple)),
                          min_size=1, max_size=3))
    tensors = tuple(io(role, k, dtype, shape) for k, (dtype, shape) in enumerate(specs))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    count = draw(st.integers(0, 3))
    vectors = []
    for _ in range(count):
        vector = []
        for t in tensors:
            if t.dtype == "float32":
                vector.append(rng.normal(0, 100, t.shape).astype(np.float32))
            elif t.dtype == "bool":
                vector.append(rng.integers(0, 2, t.shape) == 1)
            else:
                info = np.iinfo(t.dtype)
                vector.append(rng.integers(info.min, info.max, t.shape, dtype=t.dtype, endpoint=True))
        vectors.append(vector)
    return tensors, vectors


@settings(max_examples=200, deadline=None)
@given(tensors_and_vectors())
def test_pack_writes_the_harness_layout(case):
    tensors, vectors = case
    assert pack(vectors) == layout(tensors, vectors)


@settings(max_examples=200, deadline=None)
@given(tensors_and_vectors("output"))
def test_unpack_reads_the_harness_layout_back(case):
    tensors, vectors = case
    got = unpack(layout(tensors, vectors), tensors, len(vectors))
    assert len(got) == len(vectors)
    for got_vector, vector in zip(got, vectors, strict=True):
        for t, a, b in zip(tensors, got_vector, vector, strict=True):
            assert a.dtype == np.dtype(t.dtype) and a.shape == t.shape
            np.testing.assert_array_equal(a, b)


def test_pack_writes_logical_order_whatever_the_memory_order():
    x = np.arange(6, dtype=np.int16).reshape(2, 3)
    transposed = np.asfortranarray(x)  # column-major in memory
    assert pack([[transposed]]) == layout((io("input", 0, "int16", (2, 3)),), [[x]])
    assert pack([[x.T]]) == struct.pack("<6h", 0, 3, 1, 4, 2, 5)


def test_unpack_refuses_a_short_run():
    tensors = (io("output", 0, "int8", (1, 10)),)
    with pytest.raises(InputError, match="firmware wrote 15 output bytes, expected 20"):
        unpack(bytes(15), tensors, 2)


def test_random_vectors_are_seeded_and_cover_each_type():
    tensors = (io("input", 0, "int8", (64, 64)), io("input", 1, "int16", (3,)),
               io("input", 2, "float32", (4, 4), scale=0.25, zero_point=-28), io("input", 3, "bool", (100,)))
    first, again, other = (random_vectors(tensors, 3, seed) for seed in (7, 7, 8))
    assert len(first) == 3 and all(len(vector) == 4 for vector in first)
    for a, b in zip(first, again, strict=True):
        for x, y in zip(a, b, strict=True):
            np.testing.assert_array_equal(x, y)
    assert not np.array_equal(first[0][0], other[0][0])
    int8 = np.stack([vector[0] for vector in first])
    assert int8.dtype == np.int8 and int8.shape == (3, 64, 64)
    assert int8.min() == -128 and int8.max() == 127  # both ends are drawn: 12,288 values
    assert all(vector[1].dtype == np.int16 for vector in first)
    floats = np.stack([vector[2] for vector in first])
    # a float input feeds a QUANTIZE: draws span its int8 range in real values, (-128 + 28) * 0.25 to 155 * 0.25
    assert floats.dtype == np.float32 and -25.0 <= floats.min() and floats.max() <= 38.75
    bools = np.stack([vector[3] for vector in first])
    assert bools.dtype == np.bool_ and bools.any() and not bools.all()  # both values among 300 draws


def test_npz_by_tensor_name_or_x(tmp_path):
    tensors = (io("input", 0, "int8", (2, 2)), io("input", 1, "int16", (3,)))
    path = tmp_path / "two.npz"
    a, b = np.arange(8, dtype=np.int8).reshape(2, 2, 2), np.arange(6, dtype=np.int16).reshape(2, 3)
    np.savez(path, input0=a, input1=b)
    vectors = npz_vectors(path, tensors)
    assert len(vectors) == 2
    np.testing.assert_array_equal(vectors[1][0], a[1])
    np.testing.assert_array_equal(vectors[1][1], b[1])
    single = tmp_path / "x.npz"
    np.savez(single, x=a)
    np.testing.assert_array_equal(npz_vectors(single, tensors[:1])[0][0], a[0])


@pytest.mark.parametrize("arrays, needle", [
    ({"y": np.zeros((2, 2, 2), np.int8)}, "no array named 'input0' or 'x'"),
    ({"x": np.zeros((2, 2, 2), np.int16)}, "array 'x' is int16[2, 2, 2], the model wants int8[N, 2, 2]"),
    ({"x": np.zeros((0, 2, 2), np.int8)}, "different or zero numbers of vectors"),
])
def test_npz_mistakes_are_one_input_error(tmp_path, arrays, needle):
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    with pytest.raises(InputError, match=needle.replace("[", r"\[").replace("]", r"\]")):
        npz_vectors(path, (io("input", 0, "int8", (2, 2)),))
