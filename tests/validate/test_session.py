"""The host's side of the link against a scripted device: seq matching, resends, BUSY, BOOT and refusals."""

from __future__ import annotations

import time

import pytest

from tinygen.protocol import REPLY_BIT, Command, Error, Notice
from tinygen.validate.frame import Frame, FrameReader, encode
from tinygen.validate.session import DeviceRefused, DeviceReset, DeviceSession, LinkError, NoisyLink, StateLost


class ScriptedPort:
    """A pyserial stand-in: each request frame the host writes is answered by `script(frame, copy)` wire bytes."""

    def __init__(self, script):
        self.script = script
        self.copies: dict[int, int] = {}  # seq -> copies received
        self.pending = b""
        self.reader = FrameReader()

    def write(self, data: bytes) -> int:
        for frame in self.reader.feed(data):
            copy = self.copies[frame.seq] = self.copies.get(frame.seq, 0) + 1
            self.pending += self.script(frame, copy)
        return len(data)

    @property
    def in_waiting(self) -> int:
        return len(self.pending)

    def read(self, size: int) -> bytes:
        if not self.pending:
            time.sleep(0.005)
        data, self.pending = self.pending[:size], self.pending[size:]
        return data


def reply(frame: Frame, payload: bytes = b"") -> bytes:
    return encode(Frame(frame.kind | REPLY_BIT, frame.seq, payload))


def session(script, timeout_s: float = 2.0) -> tuple[DeviceSession, ScriptedPort]:
    port = ScriptedPort(script)
    return DeviceSession(port, "scripted", timeout_s, resend_after_s=0.05), port


def test_stale_replies_and_other_kinds_are_ignored():
    def script(frame, copy):
        stale = encode(Frame(Command.READ | REPLY_BIT, (frame.seq - 1) & 0xFF, b"old"))
        other = encode(Frame(Command.WRITE | REPLY_BIT, frame.seq, b"wrong kind"))
        return stale + other + reply(frame, b"new")

    s, _ = session(script)
    assert s.request(Command.READ, b"x") == b"new"
    assert s.stats.resends == 0


def test_a_damaged_reply_is_asked_for_again_at_once():
    def script(frame, copy):
        wire = reply(frame, b"payload")
        return wire[:5] + bytes([wire[5] ^ 0xFF]) + wire[6:] if copy == 1 else wire

    s, _ = session(script)
    start = time.monotonic()
    assert s.request(Command.READ) == b"payload"
    assert s.stats.damaged_replies == 1 and s.stats.resends == 1
    assert time.monotonic() - start < 0.05  # not after the silence interval


def test_busy_device_is_waited_for_with_fewer_resends():
    started = {}

    def script(frame, copy):
        if copy == 1:
            started["at"] = time.monotonic()
            return encode(Frame(Notice.BUSY, frame.seq))
        # resends after BUSY: the device answers once it is done (0.3 s), from its kept reply
        return reply(frame, b"done") if time.monotonic() - started["at"] > 0.3 else b""

    s, _ = session(script)
    assert s.request(Command.INVOKE) == b"done"
    assert s.stats.resends <= 4  # 0.05, 0.1, 0.2, 0.4 s apart: backing off, not every 0.05 s


def test_boot_during_a_request_is_a_reset_but_not_during_identification():
    boot = encode(Frame(Notice.BOOT, 0))
    s, _ = session(lambda frame, copy: boot + reply(frame, b"id"))
    assert s.request(Command.IDENTIFY, ignore_boot=True) == b"id"
    with pytest.raises(DeviceReset, match="reset during WRITE"):
        s.request(Command.WRITE, b"data")
    assert s.stats.resets == 1


@pytest.mark.parametrize("error, raised", [(Error.OUT_OF_ORDER, StateLost), (Error.NO_OUTPUT, StateLost),
                                           (Error.BAD_ARGUMENT, DeviceRefused),
                                           (Error.UNKNOWN_COMMAND, DeviceRefused)])
def test_refusals(error, raised):
    s, _ = session(lambda frame, copy: encode(Frame(Notice.ERROR, frame.seq, bytes([error, frame.kind]))))
    with pytest.raises(raised, match=error.name):
        s.request(Command.READ)


def test_reported_damage_is_resent_and_noisy_requests_give_up_when_asked():
    s, port = session(lambda frame, copy: encode(Frame(Notice.ERROR, 0, bytes([Error.BAD_CRC, 0]))))
    with pytest.raises(NoisyLink):
        s.request(Command.WRITE, b"x" * 200, max_damaged=3)
    assert port.copies[1] == 3 and s.stats.damaged_requests == 3


def test_silence_ends_in_one_line_within_the_timeout():
    s, port = session(lambda frame, copy: b"", timeout_s=0.5)
    start = time.monotonic()
    with pytest.raises(LinkError, match=r"scripted: no reply to IDENTIFY within 0.5 s \(\d+ resends"):
        s.request(Command.IDENTIFY)
    assert 0.5 <= time.monotonic() - start < 0.7
    assert port.copies[1] >= 5  # resent every 0.05 s of silence
