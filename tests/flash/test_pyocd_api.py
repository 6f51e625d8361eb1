"""flash/pyocd_api.py: pyOCD missing, a target it does not know, and no probe, each a one-line input error.

With pyOCD installed the checks run against the real library; a machine with a probe attached skips the
no-probe case rather than flash whatever board is on it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.flash.fakes import without_pyocd
from tests.tools import require_module
from tinygen.errors import InputError
from tinygen.flash.pyocd_api import flash_with_pyocd

ELF = Path("firmware.elf")


def test_without_pyocd_the_error_says_how_to_install_it(monkeypatch):
    without_pyocd(monkeypatch)
    with pytest.raises(InputError, match=r"^pyOCD is not installed \(import pyocd failed\); install it: "
                                         r"pip install 'tinygen\[flash\]' \(or pip install pyocd\), "
                                         r"or pass --probe openocd$"):
        flash_with_pyocd(ELF, "stm32f767zi", lambda fraction: None)


def test_an_unknown_target_names_the_pack_to_install():
    require_module("pyocd")
    with pytest.raises(InputError, match=r"^pyOCD has no target 'tinygen-no-such-part' .*; install its pack: "
                                         r"pyocd pack install tinygen-no-such-part$"):
        flash_with_pyocd(ELF, "tinygen-no-such-part", lambda fraction: None)


def test_no_probe_is_an_input_error():
    require_module("pyocd")
    from pyocd.core.helpers import ConnectHelper

    if ConnectHelper.get_all_connected_probes(blocking=False, print_wait_message=False):
        pytest.skip("a debug probe is attached; this test would flash its board")
    with pytest.raises(InputError, match=r"^no debug probe found by pyOCD \(pyocd list shows none\); connect"):
        flash_with_pyocd(ELF, "stm32f767zi", lambda fraction: None)
