"""Input vectors for a model: random (seeded) or from an .npz; packed to the bytes the harness reads."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tinygen.errors import InputError
from tinygen.lower.program import TensorIO
from tinygen.npz import read_npz

NUMPY: dict[str, type[np.generic]] = {"int8": np.int8, "int16": np.int16, "int32": np.int32, "float32": np.float32,
                                      "uint8": np.uint8, "bool": np.bool_}


def random_vectors(inputs: tuple[TensorIO, ...], count: int, seed: int) -> list[list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    vectors = []
    for _ in range(count):
        vector: list[np.ndarray] = []
        for io in inputs:
            dtype = NUMPY[io.dtype]
            if dtype is np.bool_:
                vector.append(rng.integers(0, 1, io.shape, endpoint=True).astype(np.bool_))
            elif np.issubdtype(dtype, np.integer):
                info = np.iinfo(io.dtype)
                vector.append(rng.integers(info.min, info.max, io.shape, dtype=dtype, endpoint=True))
            else:  # float input feeding a QUANTIZE: cover the input's quantised range
                lo = (-128 - io.zero_point) * io.scale
                hi = (127 - io.zero_point) * io.scale
                vector.append(rng.uniform(lo, hi, io.shape).astype(dtype))
        vectors.append(vector)
    return vectors


def npz_vectors(path: Path, inputs: tuple[TensorIO, ...]) -> list[list[np.ndarray]]:
    """One array per model input, named after the tensor (or `x` for a single input); axis 0 = vectors."""
    data = read_npz(path, "save inputs with numpy.savez")
    arrays = []
    for io in inputs:
        key = io.name if io.name in data else ("x" if len(inputs) == 1 and "x" in data else None)
        if key is None:
            raise InputError(f"{path}: no array named '{io.name}'" + (" or 'x'" if len(inputs) == 1 else "")
                             + f"; save it with numpy.savez({path.name}, x=...)")
        array = data[key]
        if array.dtype != NUMPY[io.dtype] or tuple(array.shape[1:]) != tuple(io.shape):
            raise InputError(f"{path}: array '{key}' is {array.dtype}{list(array.shape)}, the model wants "
                             f"{io.dtype}[N, {', '.join(map(str, io.shape))}]; convert it first")
        arrays.append(array)
    counts = {len(a) for a in arrays}
    if len(counts) != 1 or 0 in counts:
        raise InputError(f"{path}: input arrays hold different or zero numbers of vectors; give each N vectors")
    return [[a[i] for a in arrays] for i in range(counts.pop())]


def pack(vectors: list[list[np.ndarray]]) -> bytes:
    return b"".join(np.ascontiguousarray(x).tobytes() for vector in vectors for x in vector)


def unpack(raw: bytes, outputs: tuple[TensorIO, ...], count: int) -> list[list[np.ndarray]]:
    per_vector = sum(io.size_bytes for io in outputs)
    if len(raw) != per_vector * count:
        raise InputError(f"firmware wrote {len(raw)} output bytes, expected {per_vector * count}; "
                         "the run was cut short (see the emulator's message above)")
    result, pos = [], 0
    for _ in range(count):
        vector = []
        for io in outputs:
            vector.append(np.frombuffer(raw[pos:pos + io.size_bytes], NUMPY[io.dtype]).reshape(io.shape))
            pos += io.size_bytes
        result.append(vector)
    return result
