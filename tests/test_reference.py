"""tinygen/reference.py against TFLite Micro's interpreter called directly: inputs in the model's order, every
output, one fresh interpreter per vector (nothing carried between vectors), a path and bytes alike."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from tests.mutants import mutated_example, reshaped_input
from tests.ops.harness import convert
from tests.tools import require_module
from tinygen.commands.options import default_model
from tinygen.errors import InputError
from tinygen.reference import reference_outputs


def direct(model: bytes, inputs: list[np.ndarray], n_outputs: int) -> list[np.ndarray]:
    """One vector through a new TFLite Micro interpreter."""
    runtime = require_module("tflite_micro.python.tflite_micro.runtime")
    interpreter = runtime.Interpreter.from_bytes(model, arena_size=1 << 20)
    for k, x in enumerate(inputs):
        interpreter.set_input(x, k)
    interpreter.invoke()
    return [np.array(interpreter.get_output(k)) for k in range(n_outputs)]


@pytest.fixture(scope="module")
def two_by_two() -> bytes:
    """Two int8 inputs, two outputs: a - b (order matters) and a dense layer of a alone."""
    tf = require_module("tensorflow")
    return convert(lambda a, b: [tf.keras.layers.Subtract()([a, b]), tf.keras.layers.Dense(3)(a)], [(5,), (5,)],
                   seed=3)


def _vectors(count: int, seed: int, shapes) -> list[list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    return [[rng.integers(-128, 128, shape, dtype=np.int8) for shape in shapes] for _ in range(count)]


def test_two_inputs_and_two_outputs_in_order(two_by_two, tmp_path):
    vectors = _vectors(4, 0, [(1, 5), (1, 5)])
    calls = []
    got = reference_outputs(two_by_two, vectors, 2, progress=lambda: calls.append(1))
    assert len(got) == 4 and len(calls) == 4
    for vector, outputs in zip(vectors, got, strict=True):
        want = direct(two_by_two, vector, 2)
        assert [o.shape for o in outputs] == [w.shape for w in want]
        for o, w in zip(outputs, want, strict=True):
            np.testing.assert_array_equal(o, w)
    swapped = reference_outputs(two_by_two, [vectors[0][::-1]], 2)[0]
    assert not np.array_equal(swapped[0], got[0][0])  # the inputs really went in by index
    path = tmp_path / "two.tflite"
    path.write_bytes(two_by_two)
    from_path = reference_outputs(path, vectors, 2)
    for a, b in zip(from_path, got, strict=True):
        for x, y in zip(a, b, strict=True):
            np.testing.assert_array_equal(x, y)


def test_the_example_vector_by_vector_equals_a_fresh_interpreter_each_time():
    model = default_model().read_bytes()
    vectors = _vectors(6, 1, [(1, 8, 8, 1)])
    got = reference_outputs(default_model(), vectors, 1)
    for vector, outputs in zip(vectors, got, strict=True):
        (want,) = direct(model, vector, 1)
        assert outputs[0].dtype == np.int8 and outputs[0].shape == (1, 10)
        np.testing.assert_array_equal(outputs[0], want)
    assert len({o[0].tobytes() for o in got}) > 1  # different inputs, different answers: nothing stuck


def test_without_tflite_micro_the_error_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "tflite_micro.python.tflite_micro", None)  # makes the import fail
    with pytest.raises(InputError, match=r"tflite-micro: not installed; install it: pip install tflite-micro"):
        reference_outputs(default_model(), _vectors(1, 0, [(1, 8, 8, 1)]), 1)


def test_a_model_tflite_micro_refuses_is_one_line_with_its_reason(tmp_path, capfd):
    """A RESHAPE whose input holds 128 values and output 64: TFLite Micro's Prepare fails and says why on fd 2."""
    path = mutated_example(tmp_path, "reshape_grows", lambda model: reshaped_input(model, [1, 8, 8, 2]))
    with pytest.raises(InputError) as info:
        reference_outputs(path, _vectors(1, 0, [(1, 8, 8, 2)]), 1)
    message = str(info.value)
    assert message.startswith(f"{path}: TFLite Micro refuses the model (") and "\n" not in message
    assert "num_input_elements != num_output_elements (128 != 64)" in message
    assert "reshape_common.cc" not in capfd.readouterr().err  # said once, in the error, not also on the terminal
