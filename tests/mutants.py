"""Malformed variants of the bundled example, made by the tests that attack tinygen with them.

TensorFlow's own flatbuffer tools (read_model/write_model, the object API of TFLite's schema) read the example,
a test's function changes the object tree, and the result is written as a new .tflite: the file is well formed
as a flatbuffer, so only the importer's graph checks stand between it and the later stages.

The example (see tests/importers/test_tflite.py): input tensor 0 (1, 8, 8, 1); op 0 CONV_2D (0, 11, 10) -> 12;
op 1 DEPTHWISE_CONV_2D (12, 9, 8) -> 13; op 2 CONV_2D 1x1 (13, 7, 6) -> 14; op 3 ADD (12, 14) -> 15;
op 4 MAX_POOL_2D 2x2/2 -> 16; op 5 CONV_2D 3x3 VALID (16, 5, 4) -> 17 (1, 2, 2, 24); op 6 RESHAPE (17, 1) -> 18;
op 7 FULLY_CONNECTED (18, 3, 2) -> 19; op 8 SOFTMAX -> output tensor 20.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from tests.tools import require_module
from tinygen.commands.options import default_model

RESHAPE_OPCODE = 4  # the example's operator-code index of RESHAPE


def mutated_example(folder: Path, stem: str, mutate: Callable[[Any], None]) -> Path:
    """The bundled example with `mutate(model)` applied to its object tree, saved as folder/<stem>.tflite."""
    flatbuffer_utils = require_module("tensorflow.lite.tools.flatbuffer_utils")
    model = flatbuffer_utils.read_model(str(default_model()))
    mutate(model)
    path = folder / f"{stem}.tflite"
    flatbuffer_utils.write_model(model, str(path))
    return path


def add_tensor(model: Any, like: int, name: str, shape: list[int] | None = None,
               data: np.ndarray | None = None) -> int:
    """A copy of tensor `like` appended to the graph (renamed, reshaped, given constant `data`); its index."""
    schema = require_module("tensorflow.lite.python.schema_py_generated")
    graph = model.subgraphs[0]
    tensor = copy.deepcopy(graph.tensors[like])
    tensor.name = name.encode()
    tensor.buffer = 0  # the empty buffer: an activation
    if shape is not None:
        tensor.shape = np.array(shape, np.int32)
    if data is not None:
        buffer = schema.BufferT()
        buffer.data = np.frombuffer(data.tobytes(), np.uint8)
        model.buffers.append(buffer)
        tensor.buffer = len(model.buffers) - 1
    graph.tensors.append(tensor)
    return len(graph.tensors) - 1


def reshaped_input(model: Any, shape: list[int]) -> None:
    """Give the example an input of `shape` (the same 64 values, any rank) that a RESHAPE turns into (1, 8, 8, 1)."""
    schema = require_module("tensorflow.lite.python.schema_py_generated")
    graph = model.subgraphs[0]
    source = add_tensor(model, 0, "input_of_rank_" + str(len(shape)), shape)
    target = add_tensor(model, 1, "input_shape", data=np.array([1, 8, 8, 1], np.int32))
    graph.tensors[target].shape = np.array([4], np.int32)
    op = schema.OperatorT()
    op.opcodeIndex, op.inputs, op.outputs = RESHAPE_OPCODE, np.array([source, target], np.int32), np.array([0])
    graph.operators.insert(0, op)
    graph.inputs = np.array([source], np.int32)
