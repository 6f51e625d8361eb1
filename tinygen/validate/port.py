"""Opening the link: a serial device (/dev/ttyACM0, COM3) or any pyserial URL (socket://host:port)."""

from __future__ import annotations

import serial

from tinygen.errors import InputError

POLL_S = 0.02  # read timeout: how often a waiting session looks at its deadlines


def open_port(url: str, baud: int, write_timeout_s: float) -> serial.SerialBase:
    try:
        return serial.serial_for_url(url, baudrate=baud, timeout=POLL_S, write_timeout=write_timeout_s)
    except (serial.SerialException, ValueError, OSError) as error:
        reason = str(error).split(": ", 1)[-1] if str(error) else type(error).__name__
        raise InputError(f"{url}: cannot open ({reason}); give a serial device such as /dev/ttyACM0 "
                         "or a URL such as socket://127.0.0.1:4000") from None
