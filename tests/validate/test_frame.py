"""COBS framing with CRC-32: round trips, resync after damage, and no damaged frame ever accepted as another."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinygen.protocol import MAX_PAYLOAD
from tinygen.validate import cobs
from tinygen.validate.frame import Damage, Frame, FrameError, FrameReader, decode, encode, pack

payloads = st.one_of(
    st.binary(max_size=MAX_PAYLOAD),
    # long runs without zeros cross COBS's 254-byte block boundary; runs of zeros stress the other edge
    st.integers(0, MAX_PAYLOAD).map(lambda n: bytes([7]) * n),
    st.integers(0, MAX_PAYLOAD).map(bytes),
)
frames = st.builds(Frame, st.integers(0, 255), st.integers(0, 255), payloads)


def valid(events) -> list[Frame]:
    return [e for e in events if isinstance(e, Frame)]


@given(st.binary(max_size=2000))
def test_cobs_round_trip_and_no_zero(data):
    encoded = cobs.encode(data)
    assert 0 not in encoded
    assert len(encoded) <= len(data) + len(data) // 254 + 1
    assert cobs.decode(encoded) == data


def test_cobs_full_block_needs_its_closing_code():
    encoded = cobs.encode(b"\x07" * 254)
    assert encoded == b"\xff" + b"\x07" * 254 + b"\x01"
    with pytest.raises(cobs.CobsError, match="closing code"):
        cobs.decode(encoded[:-1])


@given(frames, st.data())
def test_frame_round_trip_in_any_pieces(frame, data):
    wire = encode(frame) * 3
    cuts = sorted(data.draw(st.lists(st.integers(0, len(wire)), max_size=8)))
    reader, events = FrameReader(), []
    for start, end in zip([0, *cuts], [*cuts, len(wire)], strict=True):
        events += reader.feed(wire[start:end])
    assert events == [frame, frame, frame]


def _crc32_bitwise(data: bytes) -> int:
    """CRC-32/ISO-HDLC (IEEE 802.3) from its definition: reflected polynomial 0xEDB88320, initial value and final
    XOR 0xFFFFFFFF, one bit at a time."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0xEDB88320 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def test_crc_is_ieee_802_3():
    assert _crc32_bitwise(b"123456789") == 0xCBF43926  # the catalogue's check value
    for payload in (b"123456789", b"", bytes(range(256))):
        frame = pack(Frame(1, 2, payload))
        body, crc = frame[:-4], int.from_bytes(frame[-4:], "little")
        assert crc == _crc32_bitwise(body)


def _damaged_then_next(frame: Frame, damage) -> tuple[list, list, Frame]:
    """A damaged frame followed by an intact one: (events from the damaged bytes, all events, the intact one)."""
    follower = Frame(frame.kind ^ 1, (frame.seq + 1) & 0xFF, b"next")
    reader = FrameReader()
    first = reader.feed(damage(encode(frame)))
    return first, first + reader.feed(encode(follower)), follower


@given(frames, st.data())
def test_one_corrupted_byte_is_never_accepted(frame, data):
    wire = encode(frame)
    at = data.draw(st.integers(1, len(wire) - 1))  # byte 0 is the resync 0x00 before the frame
    value = data.draw(st.integers(0, 255).filter(lambda v: v != wire[at]))
    first, events, follower = _damaged_then_next(frame, lambda w: w[:at] + bytes([value]) + w[at + 1:])
    assert valid(first) == []
    assert follower in events  # the next frame resynchronises
    assert all(e == follower for e in valid(events))


@given(frames, st.data())
def test_one_dropped_byte_is_never_accepted_as_another_frame(frame, data):
    wire = encode(frame)
    at = data.draw(st.integers(0, len(wire) - 1))
    _, events, follower = _damaged_then_next(frame, lambda w: w[:at] + w[at + 1:])
    assert all(e in (frame, follower) for e in valid(events))
    assert follower in events
    if 0 < at < len(wire) - 1:  # a byte inside the frame, not a delimiter
        assert frame not in events


@given(frames, st.data())
def test_one_duplicated_byte_is_never_accepted_as_another_frame(frame, data):
    wire = encode(frame)
    at = data.draw(st.integers(0, len(wire) - 1))
    _, events, follower = _damaged_then_next(frame, lambda w: w[:at] + w[at:at + 1] + w[at:])
    assert all(e in (frame, follower) for e in valid(events))
    assert follower in events


def test_garbage_without_delimiter_is_bounded_then_resyncs():
    reader = FrameReader(max_encoded=64)
    events = reader.feed(b"\x01" * 1000 + encode(Frame(3, 4, b"ok")))
    assert isinstance(events[0], Damage) and events[0].size == 1000
    assert valid(events) == [Frame(3, 4, b"ok")]


@pytest.mark.parametrize("raw, reason", [
    (b"\x01\x02\x03", "shorter"),
    (pack(Frame(1, 1, b"ab"))[:-1] + b"\x00", "CRC"),
    (pack(Frame(1, 1, b"ab"))[:-2], "length field"),
])
def test_decode_rejects_a_short_or_inconsistent_frame(raw, reason):
    with pytest.raises(FrameError, match=reason):
        decode(cobs.encode(raw))
