"""Streaming models: resource variables carried across invocations, and tg_model_reset(), against TFLite Micro."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from tests.commands.test_cli import invoke, one_json_object
from tests.ops.harness import assert_bit_exact
from tests.ops.streaming import streaming_model
from tests.synthetic import lstm_16x8, svdf
from tests.tools import require_tool
from tinygen.boards import load_board
from tinygen.importers.tflite import load_tflite
from tinygen.lower.program import TensorIO
from tinygen.pipeline import build_firmware
from tinygen.reference import reference_outputs
from tinygen.run.vectors import random_vectors

STEPS = 20
STATE_OPS = {"VAR_HANDLE", "READ_VARIABLE", "ASSIGN_VARIABLE", "CALL_ONCE"}

# Runs the vectors on stdin through the model, resets it, and runs them again, writing every output.
_RESET_MAIN = r"""
#include <stdio.h>
#include "model.h"
int main(void) {
    static int8_t in[TG_INPUT0_BYTES], out[2 * %(steps)d][TG_OUTPUT0_BYTES];
    static int8_t inputs[%(steps)d][TG_INPUT0_BYTES];
    if (fread(inputs, 1, sizeof inputs, stdin) != sizeof inputs) return 2;
    for (int pass = 0; pass < 2; ++pass) {
        if (pass) tg_model_reset();
        for (int i = 0; i < %(steps)d; ++i) {
            for (int b = 0; b < TG_INPUT0_BYTES; ++b) in[b] = inputs[i][b];
            for (int b = 0; b < TG_INPUT0_BYTES; ++b) ((int8_t *)tg_model_input(0))[b] = in[b];
            tg_model_invoke();
            for (int b = 0; b < TG_OUTPUT0_BYTES; ++b) out[pass * %(steps)d + i][b] = ((int8_t *)tg_model_output(0))[b];
        }
    }
    fwrite(out, 1, sizeof out, stdout);
    return 0;
}
"""


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("streaming") / "streaming.tflite"
    path.write_bytes(streaming_model())
    return path


def test_state_changes_the_outputs(model: Path) -> None:
    """The same frame, fed again and again, gives different outputs until the ring buffer is full of it: the
    sequence tests below would catch state that is lost or not carried."""
    graph = load_tflite(model)
    (x,) = (graph.tensor(i) for i in graph.inputs)
    assert x.quant is not None, "the streaming model has an int8 input"
    io = TensorIO("input", "INPUT0", x.name, x.dtype, x.shape, x.size_bytes, x.quant.scale, x.quant.zero_point, 0)
    frame = random_vectors((io,), 1, 0)[0]  # the input as the graph declares it: no firmware needed
    outputs = [o[0] for o in reference_outputs(model, [frame] * 6, 1)]
    assert any(not np.array_equal(outputs[0], o) for o in outputs[1:5])


def test_streaming_model_bit_exact_over_a_sequence(model: Path, tmp_path: Path) -> None:
    assert_bit_exact(model, tmp_path, boards=("host", "mps2-an386"), vectors=STEPS, expect_ops=STATE_OPS)


@pytest.mark.parametrize("kind", ["resource variables", "SVDF int8 state", "LSTM 16x8 state"])
def test_reset_returns_to_a_fresh_model(model: Path, tmp_path: Path, kind: str) -> None:
    """A user's program runs a sequence, calls tg_model_reset() and runs it again: both passes equal a fresh
    TFLite Micro interpreter's sequence (compared as bytes: the LSTM's are int16). The SVDF's int8 state starts
    at a non-zero zero point, so a reset that zeroed it would differ."""
    if kind == "SVDF int8 state":
        model = svdf(tmp_path / "svdf.tflite", seed=5, state="INT8", layers=2)
    elif kind == "LSTM 16x8 state":
        model = lstm_16x8(tmp_path / "lstm.tflite", steps=3, batches=2, features=4, units=5, seed=7, cell_clip=0.0)
    firmware = build_firmware(model, load_board("host"), output=tmp_path / "build")
    sources = [p for p in (tmp_path / "build").glob("*.c") if p.name != "main.c"]
    (tmp_path / "reset_main.c").write_text(_RESET_MAIN % {"steps": STEPS})
    program = tmp_path / "reset"
    subprocess.run([require_tool("cc"), "-O1", "-std=c99", "-DTG_HOST", f"-I{tmp_path / 'build'}",
                    *map(str, sources), str(tmp_path / "reset_main.c"), "-o", str(program)], check=True)
    vectors = random_vectors(firmware.code.inputs, STEPS, 3)
    ran = subprocess.run([str(program)], input=b"".join(v[0].tobytes() for v in vectors), capture_output=True,
                         check=True, timeout=60)
    out = np.frombuffer(ran.stdout, np.int8).reshape(2, STEPS, -1)
    expected = np.stack([np.frombuffer(o[0].tobytes(), np.int8) for o in reference_outputs(model, vectors, 1)])
    np.testing.assert_array_equal(out[0], expected)
    np.testing.assert_array_equal(out[1], expected)


def test_check_shows_the_state_beside_the_arena(model: Path) -> None:
    """The ring buffer (FRAMES x FEATURES int8) and CALL_ONCE's flag, each 16-byte aligned: their own line, and
    counted in the arena's region."""
    report = one_json_object(invoke("check", model, "--board", "mps2-an386", "--json"))
    assert report["state_bytes"] == 32 + 16
    region = next(r for r in report["regions"] if "arena" in r["items"])
    assert region["items"]["state"] == 48
    text = " ".join(invoke("check", model, "--board", "mps2-an386").stdout.split())  # wrapped at 80 columns
    assert "state 48 B (kept between invocations)" in text


def test_run_says_the_vectors_ran_as_one_sequence(model: Path, tmp_path: Path) -> None:
    args = ("run", model, "--board", "host", "--random", STEPS, "-o", tmp_path / "run")
    text = " ".join(invoke(*args).stdout.split())
    assert f"BIT-EXACT: {STEPS} invocations in one sequence (state carried) on host" in text
    report = one_json_object(invoke(*args, "--json"))
    assert (report["stateful"], report["first_mismatch"], report["vectors"]) == (True, None, STEPS)
