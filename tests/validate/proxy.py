"""A TCP proxy between pyserial and QEMU's UART that damages the byte stream, for fault-injection tests."""

from __future__ import annotations

import random
import select
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from tinygen.validate.frame import Frame, FrameReader, encode


@dataclass(frozen=True)
class Faults:
    """Per-byte probabilities, applied independently in both directions, plus one-off events on the way in."""

    corrupt: float = 0.0  # replace the byte with another value
    drop: float = 0.0
    duplicate: float = 0.0
    reset_after: int | None = None  # bytes towards the device after which `on_reset` runs (once)
    cut_after: int | None = None  # bytes towards the device after which nothing passes either way


class Mangler:
    def __init__(self, faults: Faults, rng: random.Random):
        self.faults = faults
        self.rng = rng
        self.damaged = 0

    def __call__(self, data: bytes) -> bytes:
        out = bytearray()
        for byte in data:
            roll = self.rng.random()
            f = self.faults
            if roll < f.corrupt:
                out.append(byte ^ self.rng.randrange(1, 256))
            elif roll < f.corrupt + f.drop:
                pass
            elif roll < f.corrupt + f.drop + f.duplicate:
                out += bytes([byte, byte])
            else:
                out.append(byte)
                continue
            self.damaged += 1
        return bytes(out)


class OutputForger:
    """Device-to-host filter that rewrites READ replies with a valid CRC, as a lying device would."""

    def __init__(self):
        self.reader = FrameReader()
        self.forged = 0

    def __call__(self, data: bytes) -> bytes:
        out = bytearray()
        for event in self.reader.feed(data):
            if isinstance(event, Frame) and event.kind == 0x85 and event.payload:  # READ | REPLY_BIT
                event = Frame(event.kind, event.seq, bytes([event.payload[0] ^ 1]) + event.payload[1:])
                self.forged += 1
            if isinstance(event, Frame):
                out += encode(event)
        return bytes(out)


class Proxy:
    """Listens on a free local port; relays one client to `upstream`, filtering each direction."""

    def __init__(self, upstream: int, to_device: Callable[[bytes], bytes], to_host: Callable[[bytes], bytes],
                 faults: Faults = Faults(), on_reset: Callable[[], None] | None = None):
        self.upstream, self.to_device, self.to_host = upstream, to_device, to_host
        self.faults, self.on_reset = faults, on_reset
        self.sent_to_device = 0
        self.resets = 0
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"socket://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._server.close()

    def _run(self) -> None:
        self._server.settimeout(0.1)
        while not self._stop.is_set():
            try:
                client, _ = self._server.accept()
                break
            except TimeoutError:
                continue
        else:
            return
        device = self._connect_upstream()
        for sock in (client, device):  # relay each piece at once, as a UART would (no Nagle delay)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with client, device:
            while not self._stop.is_set():
                ready, _, _ = select.select([client, device], [], [], 0.05)
                for sock in ready:
                    data = sock.recv(4096)
                    if not data:
                        return
                    if sock is client:
                        self._towards_device(data, device)
                    elif not self._cut():
                        client.sendall(self.to_host(data))

    def _connect_upstream(self) -> socket.socket:
        deadline = time.monotonic() + 10
        while True:
            try:
                return socket.create_connection(("127.0.0.1", self.upstream), timeout=1)
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def _towards_device(self, data: bytes, device: socket.socket) -> None:
        if self._cut():
            return
        reset_at = self.faults.reset_after
        if reset_at is not None and self.resets == 0 and self.sent_to_device + len(data) >= reset_at:
            split = reset_at - self.sent_to_device
            device.sendall(self.to_device(data[:split]))
            self.on_reset()
            self.resets += 1
            data = data[split:]
            self.sent_to_device = reset_at
        self.sent_to_device += len(data)
        device.sendall(self.to_device(data))

    def _cut(self) -> bool:
        return self.faults.cut_after is not None and self.sent_to_device >= self.faults.cut_after
