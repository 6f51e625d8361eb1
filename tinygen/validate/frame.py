"""Frames on the wire: kind, seq, payload and a CRC-32, COBS-encoded and delimited by 0x00.

`FrameReader` turns a byte stream into frames and damage reports: whatever lies
between two 0x00 bytes is one candidate, so one damaged frame never costs the next.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from tinygen.protocol import CRC_BYTES, HEADER_BYTES, MAX_PAYLOAD
from tinygen.validate import cobs

_HEADER = struct.Struct("<BBH")
_CRC = struct.Struct("<I")
# Longest encoded frame: one COBS code byte per 254 data bytes, plus the first.
MAX_ENCODED = HEADER_BYTES + MAX_PAYLOAD + CRC_BYTES + (HEADER_BYTES + MAX_PAYLOAD + CRC_BYTES) // 254 + 1


@dataclass(frozen=True)
class Frame:
    kind: int
    seq: int
    payload: bytes = b""


@dataclass(frozen=True)
class Damage:
    """Bytes between two delimiters that are not a frame, and why."""

    reason: str
    size: int


class FrameError(ValueError):
    pass


def pack(frame: Frame) -> bytes:
    """The unencoded frame: header, payload, CRC-32 of both."""
    if len(frame.payload) > MAX_PAYLOAD:
        raise ValueError(f"payload of {len(frame.payload)} bytes exceeds the protocol's {MAX_PAYLOAD}")
    body = _HEADER.pack(frame.kind, frame.seq, len(frame.payload)) + frame.payload
    return body + _CRC.pack(zlib.crc32(body))


def unpack(raw: bytes) -> Frame:
    if len(raw) < HEADER_BYTES + CRC_BYTES:
        raise FrameError(f"{len(raw)} bytes, shorter than a header and CRC")
    kind, seq, length = _HEADER.unpack_from(raw)
    if len(raw) != HEADER_BYTES + length + CRC_BYTES:
        raise FrameError(f"length field says {length} payload bytes, the frame holds {len(raw) - 8}")
    (crc,) = _CRC.unpack_from(raw, len(raw) - CRC_BYTES)
    if crc != zlib.crc32(raw[:-CRC_BYTES]):
        raise FrameError("CRC-32 mismatch")
    return Frame(kind, seq, raw[HEADER_BYTES:-CRC_BYTES])


def encode(frame: Frame) -> bytes:
    """Wire bytes: a leading 0x00 ends whatever partial frame the receiver holds, then COBS and 0x00."""
    return b"\x00" + cobs.encode(pack(frame)) + b"\x00"


def decode(encoded: bytes) -> Frame:
    """One frame from the bytes between two delimiters."""
    try:
        return unpack(cobs.decode(encoded))
    except cobs.CobsError as error:
        raise FrameError(f"COBS: {error}") from None


class FrameReader:
    """Incremental: `feed` returns the frames and damage completed by the new bytes."""

    def __init__(self, max_encoded: int = MAX_ENCODED):
        self._max = max_encoded
        self._pending = bytearray()
        self._overflow = 0  # bytes dropped from an over-long candidate

    def feed(self, data: bytes) -> list[Frame | Damage]:
        events: list[Frame | Damage] = []
        for chunk_end, piece in _split(data):
            self._append(piece)
            if chunk_end:
                events.extend(self._finish())
        return events

    def _append(self, piece: bytes) -> None:
        room = self._max - len(self._pending)
        self._pending += piece[:room]
        self._overflow += max(0, len(piece) - room)

    def _finish(self) -> list[Frame | Damage]:
        pending, overflow = bytes(self._pending), self._overflow
        self._pending.clear()
        self._overflow = 0
        if overflow:
            return [Damage(f"no delimiter within {self._max} bytes", len(pending) + overflow)]
        if not pending:  # back-to-back delimiters: the sender's resync byte
            return []
        try:
            return [decode(pending)]
        except FrameError as error:
            return [Damage(str(error), len(pending))]


def _split(data: bytes) -> Iterator[tuple[bool, bytes]]:
    """(ends_a_frame, bytes) pieces of `data` around each 0x00."""
    start = 0
    while True:
        end = data.find(0, start)
        if end < 0:
            if start < len(data):
                yield False, data[start:]
            return
        yield True, data[start:end]
        start = end + 1
