"""Reply payloads that pass their CRC but not their layout are a protocol disagreement, said in one line."""

from __future__ import annotations

import struct

import pytest

from tinygen.protocol import Counter, Role
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
