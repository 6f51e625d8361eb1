"""Tensors, operators and the graph: frozen, so later stages cannot corrupt what the importer read."""

from __future__ import annotations

from dataclasses import dataclass, field
from math import prod
from typing import TypeVar

import numpy as np

from tinygen.ir.attrs import Attrs

A = TypeVar("A", bound=Attrs)

# The highest tensor rank tinygen accepts: TFLite's own shapes stop well below it, and the validation firmware's
# TENSOR reply (16 + 4 * rank bytes) must fit the protocol's MAX_PAYLOAD (tests/ir/test_graph.py checks).
MAX_RANK = 8

# Bits per element of every type TFLite Micro allocates (its TfLiteTypeSizeOf); int4 is packed two per byte (TFLite's
# INT4 layout); a resource tensor is TFLite Micro's int32 variable id. STRING and VARIANT have no fixed size.
DTYPE_BITS = {
    "int4": 4,
    "int8": 8,
    "uint8": 8,
    "bool": 8,
    "int16": 16,
    "uint16": 16,
    "float16": 16,
    "bfloat16": 16,
    "int32": 32,
    "uint32": 32,
    "float32": 32,
    "resource": 32,
    "int64": 64,
    "uint64": 64,
    "float64": 64,
    "complex64": 64,
    "complex128": 128,
}


@dataclass(frozen=True)
class Quant:
    """Affine quantisation: real = scale * (q - zero_point); per-channel along `axis` when len(scales) > 1."""

    scales: tuple[float, ...]
    zero_points: tuple[int, ...]
    axis: int = 0

    @property
    def per_channel(self) -> bool:
        return len(self.scales) > 1

    @property
    def scale(self) -> float:
        return self.scales[0]

    @property
    def zero_point(self) -> int:
        return self.zero_points[0]


@dataclass(frozen=True)
class Tensor:
    """A tensor; `data` is set for constants (weights, biases, shape operands); `variable` marks state an operator
    (SVDF, LSTM) reads and updates across invocations, which TFLite Micro keeps and nothing in the graph writes.

    int4 constants hold their values unpacked (int8, in [-8, 7]); `size_bytes`
    counts them packed, as they are stored in the file and in flash.
    """

    index: int
    name: str
    shape: tuple[int, ...]
    dtype: str
    quant: Quant | None = None
    data: np.ndarray | None = field(default=None, compare=False, repr=False)
    variable: bool = False

    @property
    def is_constant(self) -> bool:
        return self.data is not None

    @property
    def elements(self) -> int:
        return prod(self.shape)

    @property
    def size_bytes(self) -> int:
        return (self.elements * DTYPE_BITS[self.dtype] + 7) // 8


@dataclass(frozen=True)
class Operator:
    """One layer: `inputs` may hold -1 for an omitted optional input (e.g. no bias)."""

    index: int
    opcode: str
    inputs: tuple[int, ...]
    outputs: tuple[int, ...]
    attrs: Attrs

    def attrs_of(self, kind: type[A]) -> A:
        """`attrs` as `kind`, checked: the one way to read an op's attributes.

        `attrs` is a union over every op's attribute class, so a lowering states the kind it expects here rather
        than narrowing at each read. The importer pairs each opcode with its class, so a mismatch is a bug in
        whatever built the graph, reported with the operator it concerns. A subclass passes (a
        DepthwiseConv2DAttrs is a Conv2DAttrs).
        """
        if not isinstance(self.attrs, kind):
            raise TypeError(f"operator {self.index} ({self.opcode}) has {type(self.attrs).__name__}, "
                            f"not the {kind.__name__} it is read as")
        return self.attrs


@dataclass(frozen=True)
class Graph:
    """A model's main subgraph (the file's subgraph 0); `operators` is in the file's execution order.

    `subgraphs` holds the file's other subgraphs in file order (file index k is `subgraphs[k - 1]`), each a Graph
    with its own tensors and no `subgraphs` of its own: what CALL_ONCE (an init subgraph run once), WHILE and IF
    (condition and body subgraphs) call, by their attrs' file indices. They share nothing with the main graph but
    the file's buffers (already copied into each constant) and resource variables, which VAR_HANDLE names by
    container and shared name, not by tensor index. Only the main graph is validated as a whole; the importer
    checks the others' indices, and each operator that calls one is unsupported until it is generated.
    """

    name: str
    tensors: tuple[Tensor, ...]
    operators: tuple[Operator, ...]
    inputs: tuple[int, ...]
    outputs: tuple[int, ...]
    source_bytes: int = 0
    source_hash: str = field(default="", compare=False)  # the file's (importers.tflite.source_hash), reports name it
    subgraphs: tuple[Graph, ...] = ()

    def tensor(self, index: int) -> Tensor:
        return self.tensors[index]

    def op_tensors(self, op: Operator, which: str = "inputs") -> list[Tensor | None]:
        return [self.tensors[i] if i >= 0 else None for i in getattr(op, which)]

    def consumers(self) -> dict[int, list[int]]:
        """Tensor index -> indices of the operators that read it."""
        readers: dict[int, list[int]] = {}
        for op in self.operators:
            for t in op.inputs:
                if t >= 0:
                    readers.setdefault(t, []).append(op.index)
        return readers

    def producers(self) -> dict[int, int]:
        """Tensor index -> index of the operator that writes it."""
        return {t: op.index for op in self.operators for t in op.outputs}

    @property
    def weight_bytes(self) -> int:
        return sum(t.size_bytes for t in self.tensors if t.is_constant)

    def opcode_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for op in self.operators:
            counts[op.opcode] = counts.get(op.opcode, 0) + 1
        return counts
