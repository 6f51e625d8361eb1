"""tinygen/run/execute.py on the host board: the example's firmware as a host process answers every vector as
TFLite Micro does, and a firmware that hangs, fails or targets a real board is one clear error."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from tests.test_reference import direct
from tinygen.boards import load_board
from tinygen.commands.options import default_model
from tinygen.errors import InputError, TinygenError
from tinygen.pipeline import build_firmware
from tinygen.run.execute import execute

HOST = load_board("host")


@pytest.fixture(scope="module")
def firmware(tmp_path_factory):
    return build_firmware(default_model(), HOST, tmp_path_factory.mktemp("host") / "fw")


@pytest.mark.tools("cc")
def test_every_vector_is_answered_as_tflite_micro_answers_it(firmware):
    rng = np.random.default_rng(5)
    vectors = [rng.integers(-128, 128, (1, 8, 8, 1), dtype=np.int8) for _ in range(7)]
    raw = execute(firmware.build, HOST, b"".join(v.tobytes() for v in vectors), timeout_s=30, output_bytes=70)
    assert len(raw) == 7 * 10  # ten int8 scores per vector
    model = default_model().read_bytes()
    for k, vector in enumerate(vectors):
        (want,) = direct(model, [vector], 1)
        np.testing.assert_array_equal(np.frombuffer(raw[10 * k:10 * (k + 1)], np.int8), want.reshape(-1))
    assert execute(firmware.build, HOST, b"", timeout_s=30, output_bytes=0) == b""


def _script(tmp_path, body: str):
    path = tmp_path / "firmware.elf"
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)
    return path


@pytest.mark.tools("cc")
def test_a_hung_firmware_is_stopped_at_the_timeout(firmware, tmp_path):
    build = dataclasses.replace(firmware.build, elf=_script(tmp_path, "sleep 30"))
    with pytest.raises(TinygenError, match=r"firmware.elf: no exit after 0.5 s on host; the firmware hung"):
        execute(build, HOST, b"", timeout_s=0.5, output_bytes=0)


@pytest.mark.tools("cc")
def test_a_failing_firmware_names_its_status_and_last_words(firmware, tmp_path):
    build = dataclasses.replace(firmware.build, elf=_script(tmp_path, "echo 'tg: cannot open tg_in.bin' >&2; exit 3"))
    with pytest.raises(TinygenError, match=r"exited with status 3 on host \(tg: cannot open tg_in.bin\)"):
        execute(build, HOST, b"", timeout_s=10, output_bytes=0)


@pytest.mark.tools("cc")
def test_a_real_board_is_sent_to_validate(firmware):
    with pytest.raises(InputError, match=r"nucleo-f767zi: a real board, not emulated; use `tinygen validate --port`"):
        execute(firmware.build, load_board("nucleo-f767zi"), b"", timeout_s=10, output_bytes=0)
