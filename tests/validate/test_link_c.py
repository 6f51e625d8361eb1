"""The firmware's link layer (templates/project/tg_link.c.j2), compiled for the host, against the Python side:
same CRC-32, same COBS, same verdict on damage."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.tools import require_tool
from tinygen import protocol
from tinygen.boards import load_board
from tinygen.codegen.render import environment
from tinygen.protocol import MAX_PAYLOAD, REPLY_BIT, Error, Notice
from tinygen.validate.frame import Frame, FrameReader, encode

HERE = Path(__file__).parent


@pytest.fixture(scope="module")
def link_echo(tmp_path_factory) -> Path:
    require_tool("cc")
    out = tmp_path_factory.mktemp("link")
    env = environment()
    context = {"board": load_board("mps2-an386"), "protocol": protocol}
    for name, template in (("tg_link.c", "project/tg_link.c.j2"), ("tg_link.h", "project/tg_link.h.j2"),
                           ("tg_protocol.h", "project/tg_protocol.h.j2"), ("uart.h", "boards/cortex-m/uart.h.j2")):
        (out / name).write_text(env.get_template(template).render(**context))
    subprocess.run(["cc", "-std=c99", "-O1", "-Wall", "-Wextra", "-Werror", "-I", str(out), "-o", str(out / "echo"),
                    str(HERE / "link_echo.c"), str(out / "tg_link.c")], check=True, capture_output=True)
    return out / "echo"


def exchange(program: Path, wire: bytes) -> list:
    reply = subprocess.run([str(program)], input=wire, capture_output=True, timeout=10, check=True).stdout
    return FrameReader().feed(reply)


payloads = st.one_of(st.binary(max_size=MAX_PAYLOAD), st.integers(0, MAX_PAYLOAD).map(lambda n: b"\x07" * n),
                     st.integers(0, MAX_PAYLOAD).map(bytes))
frames = st.builds(Frame, st.integers(0, 0x7F), st.integers(0, 255), payloads)


@settings(max_examples=60, deadline=None)
@given(st.lists(frames, min_size=1, max_size=5))
def test_c_echoes_every_python_frame(link_echo, sent):
    replies = exchange(link_echo, b"".join(encode(f) for f in sent))
    assert replies == [Frame(f.kind | REPLY_BIT, f.seq, f.payload) for f in sent]


@settings(max_examples=60, deadline=None)
@given(frames, st.data())
def test_c_rejects_one_corrupted_byte_and_resyncs(link_echo, frame, data):
    wire = encode(frame)
    at = data.draw(st.integers(1, len(wire) - 2))  # inside the frame, between its delimiters
    value = data.draw(st.integers(1, 255).filter(lambda v: v != wire[at]))
    follower = Frame(1, (frame.seq + 1) & 0xFF, b"next")
    replies = exchange(link_echo, wire[:at] + bytes([value]) + wire[at + 1:] + encode(follower))
    assert replies[-1] == Frame(1 | REPLY_BIT, follower.seq, b"next")
    errors = replies[:-1]
    assert errors and all(r.kind == Notice.ERROR and Error(r.payload[0]).damaged for r in errors)


def test_c_reports_an_overlong_frame(link_echo):
    replies = exchange(link_echo, b"\x01" * 2000 + encode(Frame(2, 9, b"ok")))
    assert replies == [Frame(Notice.ERROR, 0, bytes([Error.TOO_LONG, 0])), Frame(2 | REPLY_BIT, 9, b"ok")]
