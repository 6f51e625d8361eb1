"""--url: the project page a library manifest names (Arduino's `url`, PlatformIO's `homepage`).

It is user input written into a line-based properties file and a JSON manifest, so it must be one http(s) URL
with no space or control character, within PlatformIO's 255-character limit (platformio-core's manifest schema).
"""

from __future__ import annotations

import re

from tinygen.errors import InputError

MAX_URL = 255
_URL = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]+)?(/[!-~]*)?\Z")


def check_url(url: str) -> str:
    """`url` if a manifest can carry it, else a one-line InputError."""
    if len(url) > MAX_URL or not _URL.match(url):
        raise InputError(f"--url '{url[:40]}': not an http(s) URL of up to {MAX_URL} printable characters; "
                         "give your library's project page, e.g. https://github.com/you/firmware")
    return url
