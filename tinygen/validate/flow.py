"""The validation flow on a connected device: identify, check it holds this model, then run every vector.

A vector is loaded in chunks, invoked and read back. If the device resets or
reports a missing step, the vector starts over (a few times at most), so a
result always comes from one complete, uninterrupted load-invoke-read.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tinygen.errors import InputError, TinygenError
from tinygen.lower.program import ModelCode, TensorIO, model_hash
from tinygen.protocol import VERSION, WRITE_HEADER_BYTES, Command, Role
from tinygen.run.vectors import NUMPY
from tinygen.validate import messages
from tinygen.validate.messages import Identity, Invocation, TensorInfo
from tinygen.validate.session import DeviceReset, DeviceSession, NoisyLink, StateLost

MIN_CHUNK = 16
NOISY_ANSWERS = 4  # damaged answers to a WRITE or READ before a smaller chunk is tried
ATTEMPTS = 4  # starts of one vector (or of identification) before resets count as a fault


@dataclass(frozen=True)
class DeviceRun:
    """One vector on the device."""

    outputs: list[np.ndarray]
    invocation: Invocation
    wall_s: float  # INVOKE's round trip seen by the host: an upper bound on the device's time
    restarts: int


class ChunkSize:
    """Bytes per WRITE/READ: halved when a request needed resends or gave up, grown back while requests go
    through. On a noisy line most large frames arrive damaged; smaller ones get through."""

    def __init__(self, largest: int):
        self.largest = largest
        self.value = largest

    @property
    def smallest(self) -> bool:
        return self.value <= MIN_CHUNK

    def update(self, resent: bool) -> None:
        self.value = max(MIN_CHUNK, self.value // 2) if resent else min(self.largest, self.value + MIN_CHUNK)


def identify(session: DeviceSession, code: ModelCode, model: Path, clock_hz: int) -> Identity:
    """The device's identity, once it is known to run firmware for `model` (else InputError)."""
    for _ in range(ATTEMPTS):
        try:
            identity = Identity.parse(session.request(Command.IDENTIFY, ignore_boot=True))
            _check_firmware(session, identity, code, model, clock_hz)
            return identity
        except DeviceReset:
            continue
    raise _resetting(session, "identification")


def _resetting(session: DeviceSession, what: str) -> TinygenError:
    return TinygenError(f"{session.name}: the device reset {ATTEMPTS} times during {what}; "
                        "check its power supply and that nothing else resets it")


def _check_firmware(session: DeviceSession, identity: Identity, code: ModelCode, model: Path, clock_hz: int) -> None:
    name = session.name
    if identity.version != VERSION:
        raise InputError(f"{name}: the firmware speaks validation protocol {identity.version}, this tinygen "
                         f"{VERSION}; rebuild and flash it with this tinygen")
    expected = model_hash(model)
    if identity.model_hash != expected:
        raise InputError(f"{name}: the firmware is for another model (hash {identity.model_hash}; {model.name} "
                         f"hashes to {expected}); flash a build of {model.name} or pass the model it was built from")
    if identity.clock_hz != clock_hz:
        raise InputError(f"{name}: the firmware was built for a {identity.clock_hz} Hz clock, the board file says "
                         f"{clock_hz} Hz ({identity.build}); pass the --board it was built for")
    if (identity.inputs, identity.outputs) != (len(code.inputs), len(code.outputs)):
        raise InputError(f"{name}: the firmware has {identity.inputs} inputs and {identity.outputs} outputs, "
                         f"{model.name} {len(code.inputs)} and {len(code.outputs)}; rebuild and flash it")
    for role, ios in ((Role.INPUT, code.inputs), (Role.OUTPUT, code.outputs)):
        for index, io in enumerate(ios):
            info = TensorInfo.parse(session.request(Command.TENSOR, messages.tensor_request(role, index)))
            device = _describe(info.dtype, info.shape, info.size_bytes, info.scale, info.zero_point)
            wanted = _describe(io.dtype, io.shape, io.size_bytes, float(np.float32(io.scale)), io.zero_point)
            if device != wanted:
                raise InputError(f"{name}: the firmware's {role.name.lower()} {index} is {device}, "
                                 f"{model.name}'s is {wanted}; rebuild and flash it")


def _describe(dtype: str, shape: tuple[int, ...], size: int, scale: float, zero_point: int) -> str:
    """A tensor as both sides hold it (scale as float32), for comparing and for the message."""
    return f"{dtype}{list(shape)} ({size} bytes, scale {scale!r}, zero point {zero_point})"


def run_vectors(session: DeviceSession, identity: Identity, code: ModelCode, vectors: list[list[np.ndarray]],
                progress: Callable[[], None] | None = None) -> list[DeviceRun]:
    chunk = ChunkSize(identity.max_payload - WRITE_HEADER_BYTES)
    runs = []
    for vector in vectors:
        runs.append(_run_vector(session, code, vector, chunk))
        if progress is not None:
            progress()
    return runs


def _run_vector(session: DeviceSession, code: ModelCode, vector: list[np.ndarray], chunk: ChunkSize) -> DeviceRun:
    for attempt in range(ATTEMPTS):
        try:
            for index, x in enumerate(vector):
                _write(session, index, np.ascontiguousarray(x).tobytes(), chunk)
            start = time.monotonic()
            invocation = Invocation.parse(session.request(Command.INVOKE))
            wall_s = time.monotonic() - start
            outputs = [_read(session, index, io, chunk) for index, io in enumerate(code.outputs)]
            return DeviceRun(outputs, invocation, wall_s, attempt)
        except (DeviceReset, StateLost):
            continue
    raise _resetting(session, "one vector")


def _write(session: DeviceSession, index: int, data: bytes, chunk: ChunkSize) -> None:
    offset = 0
    while offset < len(data):
        piece = data[offset:offset + chunk.value]
        if _chunk(session, Command.WRITE, messages.write_request(index, offset, piece), chunk) is not None:
            offset += len(piece)


def _read(session: DeviceSession, index: int, io: TensorIO, chunk: ChunkSize) -> np.ndarray:
    data = bytearray()
    while len(data) < io.size_bytes:
        length = min(chunk.value, io.size_bytes - len(data))
        piece = _chunk(session, Command.READ, messages.read_request(index, len(data), length), chunk)
        if piece is None:
            continue
        if len(piece) != length:
            raise TinygenError(f"{session.name}: READ of output {index} returned {len(piece)} bytes, asked "
                               f"{length}; rebuild and flash the firmware with this tinygen")
        data += piece
    return np.frombuffer(bytes(data), NUMPY[io.dtype]).reshape(io.shape)


def _chunk(session: DeviceSession, command: Command, payload: bytes, chunk: ChunkSize) -> bytes | None:
    """The reply, or None when the line was too noisy for this size: the chunk is smaller now, ask again.

    Giving up on a WRITE or READ is safe: the line keeps order, so a copy still on its way reaches the
    device before the next request, and writes the same bytes at the same offset, or reads without effect."""
    resends = session.stats.resends
    try:
        reply = session.request(command, payload, max_damaged=None if chunk.smallest else NOISY_ANSWERS)
    except NoisyLink:
        chunk.update(resent=True)
        return None
    chunk.update(resent=session.stats.resends > resends)
    return reply
