"""Store chosen layers' weights as int4 in the .tflite itself: TFLite's INT4 tensor type, packed two per byte.

Why this format: it is TFLite's own (schema TensorType INT4, the layout of
tinygen/ir/packing.py), so the mixed model stays one standard file that
tinygen imports and TensorFlow Lite Micro (the bit-exactness reference) runs:
its CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED kernels take INT4 filters.
TFLite Micro's int4 FULLY_CONNECTED is per-tensor only (its prepare rejects a
per-channel int4 filter), so dense layers get one int4 scale; convolutions keep
one per output channel.

The bias is re-quantised to s_in * s4 per channel (its real values unchanged).
A rewritten filter or bias gets a fresh buffer when its old one is shared with
another tensor (which must not change), and replaces it otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import ModuleType
from typing import Any

import numpy as np

from tinygen.importers.tflite import parse_tflite
from tinygen.ir.graph import Graph, Operator
from tinygen.ir.packing import pack_int4
from tinygen.quant.int4 import Int4Layer, requantize_bias, requantize_int4

WEIGHT_OPS = ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED")
PER_TENSOR_OPS = ("FULLY_CONNECTED",)


def int4_candidates(graph: Graph) -> list[Operator]:
    """Operators whose constant int8 filter can become int4."""
    return [op for op in graph.operators if op.opcode in WEIGHT_OPS
            and graph.tensor(op.inputs[1]).dtype == "int8" and graph.tensor(op.inputs[1]).is_constant
            and graph.tensor(op.inputs[1]).quant is not None]


def int4_weights(graph: Graph, op: Operator) -> Int4Layer:
    """The int4 filter of `op`, one of `int4_candidates`."""
    w = graph.tensor(op.inputs[1])
    if w.data is None or w.quant is None:
        raise ValueError(f"operator {op.index} {op.opcode} has no quantised constant filter to make int4")
    return requantize_int4(w.data, w.quant.scales, w.quant.axis, op.opcode not in PER_TENSOR_OPS)


def with_int4_weights(blob: bytes, ops: Iterable[int], origin: str = "model") -> bytes:
    """`blob` (an int8 .tflite) with the filters of operators `ops` stored as int4."""
    import flatbuffers
    from tensorflow.lite.python import schema_py_generated as schema

    graph = parse_tflite(blob, name="model", origin=origin)
    chosen = [graph.operators[i] for i in sorted(set(ops))]
    model = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(blob, 0))
    tensors = model.subgraphs[0].tensors
    for op in chosen:
        if op not in int4_candidates(graph):
            raise ValueError(f"operator {op.index} {op.opcode} has no int8 constant filter to make int4")
        layer = int4_weights(graph, op)
        w = tensors[op.inputs[1]]
        w.type = schema.TensorType.INT4
        w.quantization.scale = layer.scales.astype(np.float32).tolist()
        w.quantization.zeroPoint = [0] * layer.scales.size
        w.quantization.quantizedDimension = layer.axis if layer.scales.size > 1 else 0
        _store(schema, model, w, pack_int4(layer.values))
        if len(op.inputs) > 2 and op.inputs[2] >= 0:
            _rescale_bias(schema, model, graph, op, layer)
    builder = flatbuffers.Builder(len(blob) + 1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def _rescale_bias(schema: ModuleType, model: Any, graph: Graph, op: Operator, layer: Int4Layer) -> None:
    x, w8, bias = graph.tensor(op.inputs[0]), graph.tensor(op.inputs[1]), graph.tensor(op.inputs[2])
    if x.quant is None or w8.quant is None or bias.data is None:
        raise ValueError(f"operator {op.index} {op.opcode}: an unquantised input or filter, or a bias that is not "
                         "constant; its bias cannot follow the int4 scales")
    s_in = x.quant.scale
    channels = bias.elements
    scales4 = np.broadcast_to(layer.scales, (channels,)) if layer.scales.size == 1 else layer.scales
    values = requantize_bias(bias.data.reshape(-1), w8.quant.scales, scales4)
    t = model.subgraphs[0].tensors[op.inputs[2]]
    _store(schema, model, t, values.astype("<i4").view(np.uint8))
    bias_scales = (np.float64(s_in) * layer.scales.astype(np.float64)).astype(np.float32)
    t.quantization.scale = bias_scales.tolist()
    t.quantization.zeroPoint = [0] * bias_scales.size
    t.quantization.quantizedDimension = 0


def _store(schema: ModuleType, model: Any, tensor: Any, data: np.ndarray) -> None:
    shared = sum(t.buffer == tensor.buffer for sg in model.subgraphs for t in sg.tensors) > 1
    if shared:
        model.buffers.append(schema.BufferT())
        tensor.buffer = len(model.buffers) - 1
    model.buffers[tensor.buffer].data = np.ascontiguousarray(data, dtype=np.uint8)
