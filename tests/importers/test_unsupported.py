"""What the importer now reads and `check` lists: every subgraph, unnamed tensors, every unsupported piece at once."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from tests.commands.test_cli import invoke, one_error_line, one_json_object
from tests.mutants import mutated_example
from tests.tools import require_module
from tinygen.errors import InputError
from tinygen.importers.tflite import load_tflite


@pytest.fixture(scope="module")
def mixed_tflite(tmp_path_factory):
    """TensorFlow's 16x8 converter with float fallback: three int16 FULLY_CONNECTED (generated), an int16
    REDUCE_MAX (no kernel in tinygen, nor in TFLite Micro), a float32 SIN (no 16x8 kernel in TFLite, so it stays
    float) and the QUANTIZE/DEQUANTIZE between (generated)."""
    tf = require_module("tensorflow")
    inp = tf.keras.Input((16,), batch_size=1)
    x = inp
    for _ in range(3):
        x = tf.keras.layers.Dense(8)(x)
    x = tf.keras.layers.Lambda(lambda t: tf.reduce_max(t, axis=1, keepdims=True))(x)
    x = tf.keras.layers.Lambda(lambda t: tf.math.sin(t))(x)
    converter = tf.lite.TFLiteConverter.from_keras_model(tf.keras.Model(inp, x))
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    rng = np.random.default_rng(0)
    converter.representative_dataset = lambda: ([rng.uniform(-1, 1, (1, 16)).astype(np.float32)] for _ in range(8))
    converter.target_spec.supported_ops = [tf.lite.OpsSet.EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8,
                                           tf.lite.OpsSet.TFLITE_BUILTINS]
    path = tmp_path_factory.mktemp("mixed") / "mixed.tflite"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        path.write_bytes(converter.convert())
    return path


def test_every_unsupported_piece_is_listed_once_with_its_type_by_name(mixed_tflite):
    pieces = "REDUCE_MAX (int16)×1, SIN (float32)×1"
    message = (f"{mixed_tflite}: 2 operators tinygen cannot generate: {pieces}; tinygen does not support these yet; "
               "replace them in the model or open an issue for kernels")
    result = invoke("check", mixed_tflite, exit_code=2)
    assert one_error_line(result) == f"tinygen: error: {message}"
    assert f"unsupported: {pieces}" in " ".join(result.stdout.split())  # after the memory report
    report = one_json_object(invoke("check", mixed_tflite, "--json", exit_code=2))
    assert report["unsupported_ops"] == [
        {"op": "REDUCE_MAX", "dtype": "int16", "count": 1}, {"op": "SIN", "dtype": "float32", "count": 1}]
    assert report["error"]["message"] == message
    built = invoke("build", mixed_tflite, "--board", "host", exit_code=2)  # refused before planning, same line
    assert one_error_line(built) == f"tinygen: error: {message}"


def test_a_float_model_alone_gets_the_quantize_hint(float_tflite):
    result = invoke("check", float_tflite, exit_code=2)
    assert one_error_line(result) == (
        f"tinygen: error: {float_tflite}: 1 operator tinygen cannot generate: FULLY_CONNECTED (float32)×1; a float "
        "model: quantise it from the float Keras model or SavedModel with `tinygen quantize MODEL --calib DATA "
        "-o OUT.tflite` (it reads those, not a .tflite), then pass the full-integer int8 .tflite it writes")


def _strip_names(model) -> None:
    for tensor in model.subgraphs[0].tensors:
        tensor.name = None


def test_unnamed_tensors_get_stable_names_and_run_bit_exact(tmp_path):
    path = mutated_example(tmp_path, "unnamed", _strip_names)
    graph = load_tflite(path)
    assert [t.name for t in graph.tensors] == [f"tensor {i}" for i in range(len(graph.tensors))]
    result = invoke("run", path, "--board", "host", "--random", "5", "-o", tmp_path / "build", "--json")
    run = one_json_object(result)
    assert run["bit_exact"] and run["vectors"] == 5 and run["mismatches"] == 0, run


def _call_once(target: int):
    """The example with a CALL_ONCE of subgraph `target` first, and a copy of its graph as subgraph 1."""
    schema = require_module("tensorflow.lite.python.schema_py_generated")

    def mutate(model) -> None:
        import copy

        model.subgraphs.append(copy.deepcopy(model.subgraphs[0]))
        code = schema.OperatorCodeT()
        code.builtinCode = schema.BuiltinOperator.CALL_ONCE
        code.deprecatedBuiltinCode = schema.BuiltinOperator.PLACEHOLDER_FOR_GREATER_OP_CODES
        model.operatorCodes.append(code)
        op = schema.OperatorT()
        op.opcodeIndex, op.inputs, op.outputs = len(model.operatorCodes) - 1, np.array([], np.int32), np.array([],
                                                                                                               np.int32)
        op.builtinOptionsType = schema.BuiltinOptions.CallOnceOptions
        op.builtinOptions = schema.CallOnceOptionsT()
        op.builtinOptions.initSubgraphIndex = target
        model.subgraphs[0].operators.insert(0, op)

    return mutate


def test_every_subgraph_is_read_and_a_call_is_unsupported(tmp_path):
    path = mutated_example(tmp_path, "call_once", _call_once(1))
    graph = load_tflite(path)
    (init,) = graph.subgraphs
    assert len(init.operators) == len(graph.operators) - 1 and init.tensors[0].shape == graph.tensors[0].shape
    result = invoke("check", path, exit_code=2)
    assert "1 operator tinygen cannot generate: CALL_ONCE×1; tinygen does not support these yet" in \
        one_error_line(result)


def test_a_call_of_a_missing_subgraph_is_refused(tmp_path):
    path = mutated_example(tmp_path, "call_missing", _call_once(5))
    with pytest.raises(InputError, match=r"operator 0 \(CALL_ONCE\) calls subgraph 5, but the model has subgraphs "
                                         r"1 to 1 besides the main one"):
        load_tflite(path)
