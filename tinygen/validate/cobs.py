"""Consistent Overhead Byte Stuffing: frames without 0x00 bytes, so 0x00 can delimit them.

Each block is a code byte n (1..255) followed by n-1 non-zero bytes; a block with
n < 255 stands for its bytes plus one 0x00, except the last, whose 0x00 is not
part of the data; data ending with a full block gets a closing 0x01. The decoder
is strict, so every data has exactly one encoding: a code byte pointing past the
end, a 0x00 inside, or a missing closing block is damage, never another result.
"""

from __future__ import annotations


class CobsError(ValueError):
    pass


def encode(data: bytes) -> bytes:
    out = bytearray()
    block = bytearray()
    for byte in data:
        if byte == 0:
            out.append(len(block) + 1)
            out += block
            block.clear()
        else:
            block.append(byte)
            if len(block) == 254:
                out.append(255)
                out += block
                block.clear()
    out.append(len(block) + 1)
    out += block
    return bytes(out)


def decode(data: bytes) -> bytes:
    out = bytearray()
    pos = 0
    while pos < len(data):
        code = data[pos]
        if code == 0:
            raise CobsError(f"0x00 at byte {pos} inside a frame")
        end = pos + code
        if end > len(data):
            raise CobsError(f"block at byte {pos} runs {end - len(data)} bytes past the end")
        block = data[pos + 1:end]
        if 0 in block:
            raise CobsError(f"0x00 inside the block at byte {pos}")
        out += block
        pos = end
        if code == 255 and pos == len(data):
            raise CobsError("ends after a full block without its closing code")
        if code < 255 and pos < len(data):
            out.append(0)
    return bytes(out)
