"""Example instances of any parameter block, built from its declared C fields (for render and compile tests)."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from tinygen.kernels.block import ArenaPtr, CField, ConstArray, ParamBlock, PointerList, c_field

_DTYPES = {"int8_t": np.int8, "int16_t": np.int16, "int32_t": np.int32, "uint8_t": np.uint8}


def example_value(name: str, spec: CField, k: int) -> Any:
    """A distinct, valid value for field number k: the k-th small integer, an arena pointer or a flash array."""
    if spec.block is not None:
        return example(spec.block)
    if spec.is_pointer:
        if spec.points_to_pointers and not spec.ctype.startswith("const"):
            return PointerList((ArenaPtr(16 * k), ArenaPtr(16 * k + 8)), writable=True)
        if spec.points_to_pointers:
            return PointerList((ArenaPtr(16 * k), ConstArray(f"ex_{name}_0", np.arange(4, dtype=np.int8))))
        if "const" not in spec.ctype:  # written: an arena tensor or scratch
            return ArenaPtr(16 * k)
        return ConstArray(f"ex_{name}", np.arange(4, dtype=_DTYPES[spec.element]))
    if spec.ctype == "float":
        return 0.5 + k
    if spec.length:
        return tuple(range(k, k + spec.length))
    return k


def example(cls: type[ParamBlock], **overrides: Any) -> Any:
    values = {f.name: example_value(f.name, c_field(f), k + 1) for k, f in enumerate(dataclasses.fields(cls))}
    return cls(**{**values, **overrides})
