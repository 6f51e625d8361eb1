"""Reply payloads that pass their CRC but not their layout are a protocol disagreement, said in one line."""

from __future__ import annotations

import struct

import pytest

from tinygen.ir.graph import MAX_RANK
from tinygen.protocol import MAX_PAYLOAD, TENSOR_HEADER_BYTES, Counter, Role
from tinygen.validate.messages import Identity, Invocation, PayloadError, TensorInfo


def test_identity_and_tensor_layouts():
    identity = Identity.parse(struct.pack("<BBHIIBB16s", 1, Counter.DWT, 261, 8496, 25_000_000, 1, 1,
                                          b"aeea436800704fce") + b"tinygen 0.1.0; board")
    assert (identity.counter, identity.model_hash, identity.build) == (Counter.DWT, "aeea436800704fce",
                                                                       "tinygen 0.1.0; board")
    info = TensorInfo.parse(struct.pack("<BBBBIfi4I", 1, 0, 0, 4, 490, 0.5, -128, 1, 49, 10, 1))
    assert (info.role, info.dtype, info.shape, info.zero_point) == (Role.OUTPUT, "int8", (1, 49, 10, 1), -128)


@pytest.mark.parametrize("parse, payload, needle", [
    (Identity.parse, b"\x01\x00", "identity reply of 2 bytes"),
    (TensorInfo.parse, struct.pack("<BBBBIfi", 0, 0, 9, 0, 1, 1.0, 0), "dtype code 9"),
    (TensorInfo.parse, struct.pack("<BBBBIfi", 0, 0, 0, 2, 1, 1.0, 0), "rank 2"),
    (Invocation.parse, struct.pack("<BQ", 7, 0), "unknown cycle counter code 7"),
])
def test_bad_layouts(parse, payload, needle):
    with pytest.raises(PayloadError, match=needle) as info:
        parse(payload)
    assert "rebuild and flash it" in str(info.value) and "\n" not in str(info.value)


def test_a_tensor_reply_of_the_highest_accepted_rank_fits_a_payload():
    """The firmware's TENSOR reply is TENSOR_HEADER_BYTES and a u32 per dimension; the importer accepts ranks up
    to MAX_RANK, and such a reply must parse as the host reads it and fit MAX_PAYLOAD."""
    shape = tuple(range(1, MAX_RANK + 1))
    payload = struct.pack(f"<BBBBIfi{MAX_RANK}I", 0, 0, 0, MAX_RANK, 40320, 0.5, -128, *shape)
    assert len(payload) == TENSOR_HEADER_BYTES + 4 * MAX_RANK <= MAX_PAYLOAD
    assert TensorInfo.parse(payload).shape == shape
