"""tinygen/validate/link.py: a board's port as given, and the boards it cannot talk to."""

import pytest

from tinygen.boards import load_board
from tinygen.errors import InputError
from tinygen.validate.link import open_device


def test_a_port_is_opened_as_given_and_named_by_it():
    with open_device(load_board("mps2-an385"), None, "loop://", 1.0) as (link, name):
        link.write(b"\x00ping\x00")
        assert link.read(6) == b"\x00ping\x00"  # pyserial's loopback echoes what was written
    assert name == "loop://"


def test_a_board_without_a_console_is_named():
    with pytest.raises(InputError, match=r"host: no \[console\] table in host\.toml"):
        with open_device(load_board("host"), None, "loop://", 1.0):
            pass
