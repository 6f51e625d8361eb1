"""The validation protocol's vocabulary, shared by the host and the firmware.

The firmware's constants (templates/project/tg_protocol.h.j2) are rendered from
these enums, so the two sides cannot drift apart.

A frame, before COBS encoding, is: kind (u8), seq (u8), payload length (u16),
payload, CRC-32 (IEEE 802.3, as zlib.crc32) of everything before it; all
little-endian. On the wire it is COBS-encoded between two 0x00 bytes, so a
reader resynchronises at the next 0x00 after any damage.
"""

from __future__ import annotations

from enum import IntEnum

VERSION = 1
HEADER_BYTES = 4  # kind, seq, length
CRC_BYTES = 4
MAX_PAYLOAD = 261  # a WRITE's 5-byte header + 256 data bytes
WRITE_HEADER_BYTES = 5  # input index (u8), offset (u32)
TENSOR_HEADER_BYTES = 16  # a TENSOR reply: role, index, dtype, rank (u8s), size, scale, zero point; then rank u32s
REPLY_BIT = 0x80  # a success reply's kind is its command's kind | REPLY_BIT

# Tensor element types by wire code (the code is the position).
DTYPES = ("int8", "uint8", "int16", "int32", "float32", "bool")


class Command(IntEnum):
    """Requests from the host; each is answered by exactly one reply with the same seq."""

    IDENTIFY = 0x01  # -> Identity: protocol, model hash, arena, counter, build info
    TENSOR = 0x02  # role (0 input, 1 output), index -> TensorInfo
    WRITE = 0x03  # input index, offset (at most the bytes loaded so far), bytes -> empty
    INVOKE = 0x04  # -> counter kind, cycles (u64); a BUSY frame comes first
    READ = 0x05  # output index, offset, length -> bytes
    PROFILE = 0x06  # first step (u16) -> counter, steps, first, cycles per step (u32 each); profile builds only


class Notice(IntEnum):
    """Frames the device sends that are not success replies."""

    ERROR = 0xE0  # payload: Error code, the request's kind
    BUSY = 0xE1  # INVOKE accepted, inference running: the host resends less and less often
    BOOT = 0xE2  # sent once after every reset: whatever the device held is gone


class Error(IntEnum):
    BAD_CRC = 1  # frame damaged on the way in: resend
    BAD_FRAME = 2  # COBS or length inconsistent, or too short: resend
    TOO_LONG = 3  # more bytes than the largest frame before a 0x00: resend
    UNKNOWN_COMMAND = 4
    BAD_ARGUMENT = 5  # index, offset or length out of range
    OUT_OF_ORDER = 6  # WRITE past the bytes loaded so far: the device lost the earlier ones (reset)
    INPUT_INCOMPLETE = 7  # INVOKE before every input byte was loaded since the last INVOKE
    NO_OUTPUT = 8  # READ before an INVOKE since the last WRITE or reset

    @property
    def damaged(self) -> bool:
        """The request never arrived intact: sending it again is the cure."""
        return self in (Error.BAD_CRC, Error.BAD_FRAME, Error.TOO_LONG)

    @property
    def state_lost(self) -> bool:
        """The device forgot an earlier step (it reset): the current vector starts over."""
        return self in (Error.OUT_OF_ORDER, Error.INPUT_INCOMPLETE, Error.NO_OUTPUT)


class Counter(IntEnum):
    """What the firmware measured INVOKE with."""

    NONE = 0  # no working counter (QEMU's DWT CYCCNT reads 0), or in one INVOKE reply: this run unmeasured
    DWT = 1  # DWT CYCCNT, 32-bit: wraps after 2**32 cycles
    SYSTICK = 2  # SysTick (Cortex-M0+), wraps counted when the vector table routes SysTick_Handler


class Role(IntEnum):
    INPUT = 0
    OUTPUT = 1
