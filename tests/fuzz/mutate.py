"""Mutators for `.tflite` files: one structure-aware (a field of the decoded flatbuffer), one byte-level.

Both are pure functions of (model bytes, random.Random), so a case is reproduced from its seed alone, and each
returns a one-line description of what it changed: the repro a report quotes. The structure-aware mutator decodes
the model with the TFLite schema's generated object API (shipped in the tflite-micro package; tinygen's own reader
is the `tflite` package, so the fuzzer does not share its parser), changes one field, and packs it again, so the
file stays a well-formed flatbuffer and the lie reaches tinygen's validation instead of the parser's.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import flatbuffers
import numpy as np

from tests.tools import require_module

_SCHEMA = "tflite_micro.tensorflow.lite.micro.python.schema_py_generated"
I32_MIN, I32_MAX = -(1 << 31), (1 << 31) - 1
INTS = (0, 1, -1, 2, 3, 4, 7, 8, 9, 16, 127, -128, 255, 256, 1023, 65535, 65536, 1 << 24, I32_MAX, I32_MIN)
FLOATS = (0.0, -0.0, -1.0, 1.0, math.nan, math.inf, -math.inf, 1e-45, 1e-30, 1e30, 3.4e38)
NAMES = (b"", b"x" * 4096, b"\xff\xfe\x00bad", b"a\nb\r\x1b[2Jc", b"../../etc/passwd", b"%s%n%x", b"*/ #include",
         b"\"; system(\"x\"); //", b"??/\n", b"\\")


@dataclass(frozen=True)
class Site:
    """One field of the decoded model: `owner.attr`, reached by `path` (for the description)."""

    path: str
    owner: Any
    attr: str
    category: str


def _category(path: str, attr: str) -> str:
    if "builtinOptions" in path or attr == "builtinOptionsType":
        return "options"
    if "quantization" in path:
        return "quantization"
    if attr in ("opcodeIndex", "builtinCode", "deprecatedBuiltinCode", "version", "customCode"):
        return "opcode"
    if attr in ("shape", "shapeSignature", "hasRank", "type"):
        return "shape"
    if attr in ("inputs", "outputs", "intermediates", "mutatingVariableInputs"):
        return "graph" if path.count(".") == 1 and "operators" not in path else "op_indices"
    if attr in ("buffer", "data", "offset", "size") or path.startswith("buffers"):
        return "buffers"
    if attr in ("name", "description", "signatureKey"):
        return "strings"
    return "other"


def _is_table(value: Any) -> bool:
    return type(value).__module__ == _SCHEMA and type(value).__name__.endswith("T")


def sites(model: Any) -> list[Site]:
    """Every scalar, vector and string field of the decoded model, in a fixed order."""
    found: list[Site] = []

    def walk(obj: Any, path: str) -> None:
        for attr, value in vars(obj).items():
            here = f"{path}.{attr}" if path else attr
            if _is_table(value):
                walk(value, here)
            elif isinstance(value, list) and value and _is_table(value[0]):
                for k, item in enumerate(value):
                    walk(item, f"{here}[{k}]")
            else:
                found.append(Site(here, obj, attr, _category(here, attr)))

    walk(model, "")
    return found


def _int(rng: random.Random, value: int, bound: int) -> int:
    """An interesting integer: a boundary, a neighbour of `value`, or an index at or past `bound` (the number
    of tensors, buffers or opcodes, so index fields point just inside or just outside their table)."""
    return rng.choice((rng.choice(INTS), value + 1, value - 1, -value, value * 2, bound, bound - 1, bound + 1,
                       rng.randrange(-2, bound + 2)))


def _float(rng: random.Random, value: float) -> float:
    return rng.choice((*FLOATS, value * 1e6, value / 1e6, -value))


def _vector(rng: random.Random, items: list, bound: int, element: Callable[[Any], Any]) -> tuple[list | None, str]:
    choice = rng.randrange(7)
    if choice == 0 or not items:
        return items + [element(items[-1] if items else 0)], "append"
    if choice == 1:
        return [], "empty"
    if choice == 2:
        return None, "absent"
    if choice == 3:
        k = rng.randrange(len(items))
        return items[:k] + items[k + 1:], f"drop [{k}]"
    if choice == 4:
        return items + items, "doubled"
    k = rng.randrange(len(items))
    return items[:k] + [element(items[k])] + items[k + 1:], f"[{k}] changed"


def _value(site: Site, rng: random.Random, bound: int) -> tuple[Any, str]:
    """A new value for the field and how to say it (the value itself when short)."""
    value = getattr(site.owner, site.attr)
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, bool):
        return (not value), repr(not value)
    if isinstance(value, int):
        new = _int(rng, value, bound)
        return new, repr(new)
    if isinstance(value, float):
        number = _float(rng, value)
        return number, repr(number)
    if isinstance(value, bytes) or site.category == "strings":
        name = rng.choice(NAMES)
        return name, repr(name[:24]) + (f"... ({len(name)} bytes)" if len(name) > 24 else "")
    if isinstance(value, list) and site.attr == "data":
        data = bytes(value)
        cut = rng.randrange(len(data) + 1)
        new_data = rng.choice((data[:cut], data + bytes(rng.randrange(1, 64)), b"", bytes(len(data))))
        return list(new_data), f"{len(new_data)} bytes (was {len(data)})"
    if isinstance(value, list):
        pick: Callable[[Any], Any] = ((lambda v: _float(rng, float(v))) if value and isinstance(value[0], float)
                                      else (lambda v: _int(rng, int(v), bound)))
        new_list, how = _vector(rng, value, bound, pick)
        return new_list, f"{new_list if new_list is None or len(new_list) <= 12 else '...'} ({how})"
    if value is None:  # an absent field: give it something
        return [_int(rng, 0, bound)], "present"
    raise TypeError(f"no mutation for {site.path}: {type(value).__name__}")


def _pack(model: Any) -> bytes:
    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), b"TFL3")
    return bytes(builder.Output())


def structural(raw: bytes, rng: random.Random, tries: int = 20) -> tuple[bytes, str]:
    """One field of `raw` changed: pick a category (indices, shapes, options, quantisation, buffers, strings,
    opcodes, graph inputs/outputs), then a field in it, then a value; a value the field's type cannot hold (the
    packer refuses it) is drawn again."""
    schema = require_module(_SCHEMA)
    for _ in range(tries):
        model = schema.ModelT.InitFromPackedBuf(raw, 0)
        by_category: dict[str, list[Site]] = {}
        for site in sites(model):
            by_category.setdefault(site.category, []).append(site)
        category = rng.choice(sorted(by_category))
        site = rng.choice(by_category[category])
        graph = model.subgraphs[0]
        bound = {"opcode": len(model.operatorCodes), "buffers": len(model.buffers)}.get(category, len(graph.tensors))
        value, said = _value(site, rng, bound)
        setattr(site.owner, site.attr, value)
        try:
            return _pack(model), f"{category}: {site.path} = {said}"
        except Exception:  # struct.error, OverflowError, TypeError...: the value does not fit the field's type
            continue
    raise RuntimeError(f"no packable mutation in {tries} tries")


def byte_level(raw: bytes, rng: random.Random) -> tuple[bytes, str]:
    """Bit flips, a truncation, a splice of the file into itself, or large 32-bit values at aligned offsets
    (where the flatbuffer keeps offsets, lengths, indices and shapes)."""
    data = bytearray(raw)
    kind = rng.randrange(5)
    if kind == 0:
        spots = sorted(rng.randrange(len(data)) for _ in range(rng.randint(1, 8)))
        for spot in spots:
            data[spot] ^= 1 << rng.randrange(8)
        return bytes(data), f"bytes: bit flips at {spots}"
    if kind == 1:
        cut = rng.randrange(len(data))
        return bytes(data[:cut]), f"bytes: truncated to {cut}"
    if kind == 2:
        start = rng.randrange(len(data))
        end = min(len(data), start + rng.randint(1, 512))
        at = rng.randrange(len(data))
        data[at:at] = data[start:end]
        return bytes(data), f"bytes: [{start}:{end}] copied in at {at}"
    if kind == 3:
        start = rng.randrange(len(data))
        end = min(len(data), start + rng.randint(1, 256))
        del data[start:end]
        return bytes(data), f"bytes: [{start}:{end}] deleted"
    spots = sorted(rng.randrange(len(data) // 4) * 4 for _ in range(rng.randint(1, 4)))
    values = [rng.choice((I32_MAX, 1 << 31, 0xFFFFFFFF, 0x7FFF0000, 0x10000, len(data), len(data) - 4,
                          rng.getrandbits(32))) for _ in spots]
    for spot, value in zip(spots, values, strict=True):
        data[spot:spot + 4] = value.to_bytes(4, "little")
    return bytes(data), f"bytes: u32 {[hex(v) for v in values]} at {spots}"


MUTATORS: dict[str, Callable[[bytes, random.Random], tuple[bytes, str]]] = {
    "structure": structural,
    "bytes": byte_level,
}
