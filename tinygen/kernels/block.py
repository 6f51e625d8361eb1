"""A kernel's parameter block: one frozen dataclass states each field's name, C type and meaning, once.

The C struct in the kernel's header is rendered from the class (`c_struct`), the
initializer in model.c from an instance (`c_initializer`), both in field order.
The initializer is positional, one commented value a line, because GCC checks
positional initializers: model.c is compiled with
-Werror=missing-field-initializers (templates/project/Makefile.j2), so an
initializer that lost a field cannot compile, where a designated one would
silently leave it zero. Values are checked against their C type when a block
is made, so a wrong-but-compiling value (a pointer where an int belongs, an
int32 overflow, a short array) fails in Python, naming the field.

Values are data, never C text: ints, floats, tuples, and the pointer values
below, whose C form is built here from numbers and generated identifiers.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_ELEMENT_TYPES = {np.dtype(np.int8): "int8_t", np.dtype(np.int16): "int16_t", np.dtype(np.int32): "int32_t",
                  np.dtype(np.int64): "int64_t", np.dtype(np.uint8): "uint8_t", np.dtype(np.uint16): "uint16_t"}


@dataclass(frozen=True)
class ArenaPtr:
    """A tensor's place in RAM: `tg_arena + offset`, or `tg_state + offset` for state kept between invocations
    (tinygen/plan/state.py), which kernels read and write like any tensor."""

    offset: int
    state: bool = False

    def __post_init__(self) -> None:
        if not 0 <= self.offset <= INT32_MAX:
            raise ValueError(f"arena offset {self.offset} is out of range")

    def c(self) -> str:
        return f"{'tg_state' if self.state else 'tg_arena'} + {self.offset}"


@dataclass(frozen=True, eq=False)
class ConstArray:
    """A `const` array in flash (the weights section), named by a generated identifier."""

    symbol: str
    values: np.ndarray

    def __post_init__(self) -> None:
        if not _IDENTIFIER.match(self.symbol):
            raise ValueError(f"array name {self.symbol!r} is not a C identifier")
        if self.values.dtype not in _ELEMENT_TYPES:
            raise ValueError(f"array {self.symbol} has element type {self.values.dtype}, which C arrays here lack")

    @property
    def ctype(self) -> str:
        return _ELEMENT_TYPES[self.values.dtype]

    @property
    def size_bytes(self) -> int:
        return int(self.values.size * self.values.dtype.itemsize)

    def c(self) -> str:
        return self.symbol


@dataclass(frozen=True)
class Offset:
    """`base + elements`: a pointer into an arena tensor or a flash array (a slice's first element)."""

    base: ArenaPtr | ConstArray
    elements: int

    def c(self) -> str:
        return f"{self.base.c()} + {self.elements}" if self.elements else self.base.c()


@dataclass(frozen=True)
class PointerList:
    """A C99 compound literal array of int8 pointers, placed at file scope: operands read (CONCATENATION's
    inputs, arena or flash) or, `writable`, results written (SPLIT's outputs, arena only)."""

    items: tuple[ArenaPtr | ConstArray, ...]
    writable: bool = False

    def __post_init__(self) -> None:
        if self.writable and not all(isinstance(item, ArenaPtr) for item in self.items):
            raise ValueError("a writable pointer list points into the arena only, not at flash arrays")

    def c(self) -> str:
        element = "int8_t *" if self.writable else "const int8_t *"
        return f"({element}const[]){{" + ", ".join(item.c() for item in self.items) + "}"


Pointer = ArenaPtr | ConstArray | Offset | PointerList


@dataclass(frozen=True)
class CField:
    """How one field is declared in C: `ctype name[length]; /* doc */`."""

    ctype: str  # int32_t, float, a pointer type ("const int8_t *"), or a nested block's C name
    doc: str
    length: int = 0  # > 0: an array of that many
    nullable: bool = False  # a pointer that may be NULL (None in Python)
    block: type[ParamBlock] | None = None  # a nested block, by value

    @property
    def is_pointer(self) -> bool:
        return self.ctype.endswith("*")

    @property
    def points_to_pointers(self) -> bool:
        """A `const T *const *` field: it takes a PointerList."""
        return self.ctype.replace(" ", "").endswith("*const*")

    @property
    def element(self) -> str:
        """The C type a pointer field points at, qualifiers dropped: int8_t for `const int8_t *`."""
        return self.ctype.replace("const", "").replace("*", "").strip()


def i32(doc: str) -> Any:
    return dataclasses.field(metadata={"c": CField("int32_t", doc)})


def i32s(length: int, doc: str) -> Any:
    return dataclasses.field(metadata={"c": CField("int32_t", doc, length)})


def f32(doc: str) -> Any:
    return dataclasses.field(metadata={"c": CField("float", doc)})


def ptr(ctype: str, doc: str, nullable: bool = False) -> Any:
    return dataclasses.field(metadata={"c": CField(ctype, doc, nullable=nullable)})


def nested(block: type[ParamBlock], doc: str) -> Any:
    return dataclasses.field(metadata={"c": CField(block.C_NAME, doc, block=block)})


@dataclass(frozen=True)
class ParamBlock:
    """Base of every parameter block; a subclass names its C struct and documents it."""

    C_NAME: ClassVar[str]
    C_DOC: ClassVar[str]

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            object.__setattr__(self, f.name, _checked(type(self).__name__, f.name, c_field(f), getattr(self, f.name)))

    def pointers(self) -> Iterator[Pointer]:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, ParamBlock):
                yield from value.pointers()
            elif value is not None and c_field(f).is_pointer:
                yield value

    def arrays(self) -> tuple[ConstArray, ...]:
        """The flash arrays the block points at, each once, in field order."""
        found: dict[str, ConstArray] = {}
        for p in self.pointers():
            for target in _targets(p):
                if isinstance(target, ConstArray):
                    found.setdefault(target.symbol, target)
        return tuple(found.values())


def c_field(f: dataclasses.Field) -> CField:
    return f.metadata["c"]


def _targets(p: Pointer) -> tuple[ArenaPtr | ConstArray, ...]:
    if isinstance(p, Offset):
        return (p.base,)
    if isinstance(p, PointerList):
        return p.items
    return (p,)


def _int32(where: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{where} is an int32_t, not {type(value).__name__} {value!r}")
    if not INT32_MIN <= int(value) <= INT32_MAX:
        raise ValueError(f"{where} = {int(value)} does not fit an int32_t")
    return int(value)


def _checked(block: str, name: str, spec: CField, value: Any) -> Any:
    """`value` in its normal form (Python ints, tuples), or a TypeError/ValueError naming the field."""
    where = f"{block}.{name}"
    if spec.block is not None:
        if not isinstance(value, spec.block):
            raise TypeError(f"{where} is a {spec.block.__name__}, not {type(value).__name__}")
        return value
    if spec.is_pointer:
        return _pointer(where, spec, value)
    if spec.ctype == "float":
        if not isinstance(value, (float, np.floating)):
            raise TypeError(f"{where} is a float, not {type(value).__name__} {value!r}")
        return float(np.float32(value))
    if spec.length:
        values = tuple(value) if isinstance(value, (tuple, list, np.ndarray)) else None
        if values is None or len(values) != spec.length:
            raise ValueError(f"{where} takes {spec.length} values, not {value!r}")
        return tuple(_int32(f"{where}[{k}]", v) for k, v in enumerate(values))
    return _int32(where, value)


def _pointer(where: str, spec: CField, value: Any) -> Pointer | None:
    if value is None:
        if not spec.nullable:
            raise TypeError(f"{where} must point somewhere (it is not nullable)")
        return None
    if isinstance(value, PointerList) != spec.points_to_pointers or not isinstance(value, (ArenaPtr, ConstArray, Offset,
                                                                               PointerList)):
        raise TypeError(f"{where} is a {spec.ctype}, not {type(value).__name__}")
    if isinstance(value, PointerList) and value.writable == spec.ctype.startswith("const"):
        raise TypeError(f"{where} is a {spec.ctype}, not a {'writable' if value.writable else 'read-only'} list")
    for target in _targets(value):
        if isinstance(target, ConstArray) and not spec.ctype.startswith("const"):
            raise TypeError(f"{where} is written ({spec.ctype}), so it points into the arena, not at {target.symbol}")
        if isinstance(target, ConstArray) and target.ctype != spec.element:
            raise TypeError(f"{where} points at {spec.element}, not at {target.symbol}'s {target.ctype}")
    return value


# --- C text -----------------------------------------------------------------------------------------------


def c_struct(cls: type[ParamBlock]) -> str:
    """`typedef struct { ... } C_NAME;`, one commented field a line, with the block's doc above."""
    lines = [f"/* {cls.C_DOC} */", "typedef struct {"]
    for f in dataclasses.fields(cls):
        spec = c_field(f)
        gap = "" if spec.is_pointer else " "
        size = f"[{spec.length}]" if spec.length else ""
        lines.append(f"    {spec.ctype}{gap}{f.name}{size}; /* {spec.doc} */")
    lines.append(f"}} {cls.C_NAME};")
    return "\n".join(lines)


def c_value(spec: CField, value: Any, indent: int = 4) -> str:
    if value is None:
        return "NULL"
    if spec.block is not None:
        return c_initializer(value, indent + 4)
    if spec.is_pointer and isinstance(value, ArenaPtr) and spec.element != "int8_t":
        return f"({spec.ctype})({value.c()})"  # the arena is int8_t; tensors in it start 16-byte aligned
    if spec.is_pointer and isinstance(value, Offset) and isinstance(value.base, ArenaPtr) and spec.element != "int8_t":
        return f"({spec.ctype})({value.base.c()}) + {value.elements}"  # elements of the pointed type, not bytes
    if spec.is_pointer:
        return value.c()
    if spec.ctype == "float":
        return f"{float(value).hex()}f"  # exact: the float32 value in C99 hex-float notation
    if spec.length:
        return "{" + ", ".join(str(v) for v in value) + "}"
    return str(value)


def c_initializer(block: ParamBlock, indent: int = 4) -> str:
    """`{ value, ... }` in field order, each value on its own line after a comment naming its field."""
    pad = " " * indent
    lines = [f"{pad}/* {f.name} */ {c_value(c_field(f), getattr(block, f.name), indent)},"
             for f in dataclasses.fields(block)]
    return "{\n" + "\n".join(lines) + "\n" + " " * (indent - 4) + "}"
