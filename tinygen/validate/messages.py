"""Payloads of the protocol's requests and replies, as dataclasses (layouts match main_uart.c.j2)."""

from __future__ import annotations

import struct
from dataclasses import dataclass

from tinygen.errors import TinygenError
from tinygen.protocol import DTYPES, Counter, Role

_IDENTITY = struct.Struct("<BBHIIBB16s")  # version, counter, max payload, arena, clock, inputs, outputs, hash
_TENSOR = struct.Struct("<BBBBIfi")  # role, index, dtype, rank, size, scale, zero point; then rank u32 dims
_INVOCATION = struct.Struct("<BQ")  # counter, cycles
_WRITE = struct.Struct("<BI")  # input index, offset; then the bytes
_READ = struct.Struct("<BIH")  # output index, offset, length
_TENSOR_REQUEST = struct.Struct("<BB")  # role, index
_STEPS = struct.Struct("<BHH")  # counter, steps, first; then u32 cycles per step from `first`
_PROFILE_REQUEST = struct.Struct("<H")  # first step
_REBUILD = "; the firmware and this tinygen disagree on the protocol: rebuild and flash it with this tinygen"


class PayloadError(TinygenError):
    """A reply that passed its CRC but has the wrong layout: host and firmware disagree on the protocol."""


@dataclass(frozen=True)
class Identity:
    version: int
    counter: Counter
    max_payload: int
    arena_bytes: int
    clock_hz: int
    inputs: int
    outputs: int
    model_hash: str
    build: str  # tinygen version, board, core, compiler

    @classmethod
    def parse(cls, payload: bytes) -> Identity:
        if len(payload) < _IDENTITY.size:
            raise PayloadError(f"identity reply of {len(payload)} bytes, expected at least {_IDENTITY.size}" + _REBUILD)
        version, counter, max_payload, arena, clock, n_in, n_out, digest = _IDENTITY.unpack_from(payload)
        return cls(version, _counter(counter), max_payload, arena, clock, n_in, n_out,
                   digest.decode("ascii", "replace"), payload[_IDENTITY.size:].decode("utf-8", "replace"))


@dataclass(frozen=True)
class TensorInfo:
    role: Role
    index: int
    dtype: str
    shape: tuple[int, ...]
    size_bytes: int
    scale: float  # as the firmware holds it: float32
    zero_point: int

    @classmethod
    def parse(cls, payload: bytes) -> TensorInfo:
        if len(payload) < _TENSOR.size:
            raise PayloadError(f"tensor reply of {len(payload)} bytes, expected at least {_TENSOR.size}" + _REBUILD)
        role, index, dtype, rank, size, scale, zero_point = _TENSOR.unpack_from(payload)
        if len(payload) != _TENSOR.size + 4 * rank or dtype >= len(DTYPES) or role not in tuple(Role):
            raise PayloadError(f"tensor reply inconsistent (rank {rank}, dtype code {dtype}, {len(payload)} bytes)"
                               + _REBUILD)
        shape = struct.unpack_from(f"<{rank}I", payload, _TENSOR.size)
        return cls(Role(role), index, DTYPES[dtype], tuple(shape), size, scale, zero_point)


@dataclass(frozen=True)
class Invocation:
    counter: Counter
    cycles: int  # meaningless when counter is NONE

    @classmethod
    def parse(cls, payload: bytes) -> Invocation:
        if len(payload) != _INVOCATION.size:
            raise PayloadError(f"invoke reply of {len(payload)} bytes, expected {_INVOCATION.size}" + _REBUILD)
        counter, cycles = _INVOCATION.unpack(payload)
        return cls(_counter(counter), cycles)


@dataclass(frozen=True)
class StepCycles:
    """A page of a profile build's per-step cycles from its last INVOKE."""

    counter: Counter  # NONE: the steps were not measured (every value 0)
    steps: int  # steps in one inference
    first: int
    cycles: tuple[int, ...]  # steps first, first+1, ...

    @classmethod
    def parse(cls, payload: bytes) -> StepCycles:
        if len(payload) < _STEPS.size or (len(payload) - _STEPS.size) % 4:
            raise PayloadError(f"profile reply of {len(payload)} bytes, expected {_STEPS.size} + 4 per step" + _REBUILD)
        counter, steps, first = _STEPS.unpack_from(payload)
        cycles = struct.unpack_from(f"<{(len(payload) - _STEPS.size) // 4}I", payload, _STEPS.size)
        if first + len(cycles) > steps:
            raise PayloadError(f"profile reply for steps {first}..{first + len(cycles) - 1} of {steps}" + _REBUILD)
        return cls(_counter(counter), steps, first, cycles)


def _counter(code: int) -> Counter:
    try:
        return Counter(code)
    except ValueError:
        raise PayloadError(f"unknown cycle counter code {code}" + _REBUILD) from None


def tensor_request(role: Role, index: int) -> bytes:
    return _TENSOR_REQUEST.pack(role, index)


def write_request(index: int, offset: int, data: bytes) -> bytes:
    return _WRITE.pack(index, offset) + data


def read_request(index: int, offset: int, length: int) -> bytes:
    return _READ.pack(index, offset, length)



def profile_request(first: int) -> bytes:
    return _PROFILE_REQUEST.pack(first)
