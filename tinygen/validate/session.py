"""Requests and replies with a device over an unreliable byte stream.

Each request carries a fresh sequence number and is resent, byte for byte, when
its reply is damaged, when the device reports the request damaged, or when
nothing arrives in time (less and less often once the device said BUSY: a long
inference is not silence); the device answers a resent request from its kept
reply without running it again, so resending is always safe. Replies with
another seq are stale (answers to earlier resends) and are dropped. Every wait
has a deadline: a session never blocks longer than its timeout per request.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import serial

from tinygen.errors import TinygenError
from tinygen.protocol import REPLY_BIT, Command, Error, Notice
from tinygen.validate.frame import MAX_ENCODED, Damage, Frame, FrameReader, encode


def resend_after_s(baud: int) -> float:
    """Silence that means a request or its reply was lost: the largest of each at the line rate
    (10 bits a byte on a UART), twice over, plus 0.1 s for the device to act."""
    return 0.1 + 2 * 2 * (MAX_ENCODED + 2) * 10 / baud


class LinkError(TinygenError):
    """The device did not answer, or the link closed: one line naming the port, request and limit."""


class DeviceReset(TinygenError):
    """The device announced a boot: everything it held (inputs, outputs) is gone."""


class StateLost(TinygenError):
    """The device refused a step because an earlier one is missing: it reset in between."""


class NoisyLink(TinygenError):
    """A request drew `max_damaged` damaged answers: the caller may try a shorter one."""


class DeviceRefused(TinygenError):
    """The device rejected a well-formed request (a host/firmware disagreement, not line noise)."""


@dataclass
class LinkStats:
    requests: int = 0
    resends: int = 0
    damaged_replies: int = 0  # frames from the device that failed COBS, length or CRC checks
    damaged_requests: int = 0  # requests the device reported as damaged
    resets: int = 0  # BOOT frames seen after identification


class DeviceSession:
    def __init__(self, port: serial.SerialBase, name: str, timeout_s: float, resend_after_s: float):
        """`timeout_s`: the longest any request may wait for its reply, resends included;
        `resend_after_s`: silence after which a request is sent again."""
        self.port = port
        self.name = name
        self.timeout_s = timeout_s
        self.resend_after_s = resend_after_s
        self.stats = LinkStats()
        self._reader = FrameReader()
        self._seq = 0

    def request(self, command: Command, payload: bytes = b"", ignore_boot: bool = False,
                max_damaged: int | None = None) -> bytes:
        """The reply's payload. `ignore_boot`: a BOOT frame is expected (first contact), not a reset.
        `max_damaged`: give up (NoisyLink) after that many damaged answers, so the caller can send less."""
        self._seq = (self._seq + 1) & 0xFF
        seq, wire = self._seq, encode(Frame(command, self._seq, payload))
        self.stats.requests += 1
        deadline = time.monotonic() + self.timeout_s
        interval = self.resend_after_s
        damaged = 0
        busy = False  # the device said it is computing: resend less and less often
        self._write(wire, command)
        resend_at, in_flight = time.monotonic() + interval, 1  # copies sent and not yet answered
        while True:
            now = time.monotonic()
            if now >= deadline:
                raise LinkError(self._silence(command, busy))
            if now >= resend_at:  # silence: earlier copies are lost
                self._resend(wire, command)
                in_flight = 1
                interval = interval * 2 if busy else interval
                resend_at = now + interval
            for event in self._read(command):
                if self._damage(event):  # a damaged reply, or the device got a damaged copy
                    damaged += 1
                    in_flight -= 1
                    if max_damaged is not None and damaged >= max_damaged:
                        raise NoisyLink(f"{self.name}: {damaged} damaged answers to {command.name}")
                    if in_flight <= 0:  # that answered the last copy: send another at once
                        self._resend(wire, command)
                        in_flight = 1
                        resend_at = time.monotonic() + interval
                    continue
                assert isinstance(event, Frame)  # _damage took every Damage
                if event.kind == Notice.BOOT:
                    if not ignore_boot:
                        self.stats.resets += 1
                        raise DeviceReset(f"{self.name}: the device reset during {command.name}")
                    continue
                if event.seq != seq:
                    continue
                if event.kind == command | REPLY_BIT:
                    return event.payload
                if event.kind == Notice.BUSY:
                    busy = True
                    resend_at = time.monotonic() + interval
                elif event.kind == Notice.ERROR:
                    self._refused(command, _error(event))

    def _damage(self, event: Frame | Damage) -> bool:
        if isinstance(event, Damage):
            self.stats.damaged_replies += 1
            return True
        error = _error(event) if event.kind == Notice.ERROR else None
        if error is not None and error.damaged:  # its seq may be the damaged one: it counts whatever it says
            self.stats.damaged_requests += 1
            return True
        return False

    def _resend(self, wire: bytes, command: Command) -> None:
        self._write(wire, command)
        self.stats.resends += 1

    def _write(self, wire: bytes, command: Command) -> None:
        try:
            self.port.write(wire)
        except serial.SerialTimeoutException:
            raise LinkError(f"{self.name}: could not send {command.name} within {self.timeout_s:g} s; "
                            "the port is stalled (check the cable and that nothing else holds the port)") from None
        except (serial.SerialException, OSError) as error:
            raise LinkError(f"{self.name}: the link closed while sending {command.name} ({error})") from None

    def _read(self, command: Command) -> list[Frame | Damage]:
        try:
            data = self.port.read(max(1, self.port.in_waiting))
        except (serial.SerialException, OSError) as error:
            raise LinkError(f"{self.name}: the link closed while waiting for {command.name} ({error})") from None
        return self._reader.feed(data) if data else []

    def _silence(self, command: Command, busy: bool) -> str:
        if busy:
            return (f"{self.name}: {command.name} still running after {self.timeout_s:g} s; "
                    "raise --timeout for large models or slow clocks")
        return (f"{self.name}: no reply to {command.name} within {self.timeout_s:g} s "
                f"({self.stats.resends} resends so far); check the port, the baud rate and that the board "
                "runs tinygen's validation firmware (tinygen build, then tinygen flash)")

    def _refused(self, command: Command, error: Error | None) -> None:
        if error is not None and error.state_lost:
            raise StateLost(f"{self.name}: {command.name} refused ({error.name}): the device lost earlier steps")
        what = error.name if error is not None else "an unknown error code"
        raise DeviceRefused(f"{self.name}: the device refused {command.name} ({what}); the firmware and this "
                            "tinygen disagree on the protocol: rebuild and flash the firmware with this tinygen")


def _error(frame: Frame) -> Error | None:
    try:
        return Error(frame.payload[0]) if frame.payload else None
    except ValueError:
        return None
