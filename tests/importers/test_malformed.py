"""Malformed models, each made here from the bundled example: exit 2 with one line naming the fault, before any
C is written. Each was a traceback or faulty firmware before the importer validated the graph
(tinygen/importers/validate.py); the needles are the words of the one line that says what is wrong."""

from __future__ import annotations

import numpy as np
import pytest

from tests.commands.test_cli import invoke, one_error_line
from tests.mutants import add_tensor, mutated_example, reshaped_input
from tinygen.importers.tflite import MAX_MODEL_BYTES


def _inputs(**values):
    def mutate(model):
        for field, value in values.items():
            setattr(model.subgraphs[0], field, np.array(value, np.int32))
    return mutate


def _op(k, **values):
    def mutate(model):
        op = model.subgraphs[0].operators[k]
        for field, value in values.items():
            setattr(op, field, np.array(value, np.int32) if isinstance(value, list) else value)
    return mutate


def _options(k, **values):
    def mutate(model):
        for field, value in values.items():
            setattr(model.subgraphs[0].operators[k].builtinOptions, field, value)
    return mutate


def _tensor(k, shape=None, **quant):
    def mutate(model):
        tensor = model.subgraphs[0].tensors[k]
        if shape is not None:
            tensor.shape = np.array(shape, np.int32)
        for field, value in quant.items():
            setattr(tensor.quantization, field, value)
    return mutate


def _scale(k, value):
    return _tensor(k, scale=np.array([value], np.float32))


def _orphan_read(model):
    """Op 2 reads a new activation, a copy of its real input that nothing writes."""
    model.subgraphs[0].operators[2].inputs[0] = add_tensor(model, 13, "orphan")


def _no_operators(model):
    model.subgraphs[0].operators = []


CASES = {  # id: (mutation, words of the error line)
    "cycle": (_op(0, inputs=[15, 11, 10]), ["operator 0 (CONV_2D)", "cycle"]),
    "input-out-of-range": (_inputs(inputs=[99]), ["graph input names tensor 99"]),
    "input-negative": (_inputs(inputs=[-1]), ["graph input names tensor -1"]),
    "output-out-of-range": (_inputs(outputs=[99]), ["graph output names tensor 99"]),
    "output-negative": (_inputs(outputs=[-3]), ["graph output names tensor -3"]),
    "output-constant": (_inputs(outputs=[11]), ["graph output", "is a constant"]),
    "output-not-written": (_inputs(outputs=[0]), ["graph output 'serving_default_image:0'", "written by no operator"]),
    "no-inputs": (_inputs(inputs=[]), ["model has no inputs"]),
    "no-operators": (_no_operators, ["model has no operators"]),
    "op-without-outputs": (_op(8, outputs=[]), ["operator 8 (SOFTMAX) has no outputs"]),
    "op-without-inputs": (_op(8, inputs=[]), ["operator 8 (SOFTMAX) has no inputs"]),
    "opcode-out-of-range": (_op(0, opcodeIndex=99), ["operator 0 has opcode index 99"]),
    "add-one-input": (_op(3, inputs=[12]), ["operator 3 (ADD): has 1 input; ADD takes 2"]),
    "conv-filter-omitted": (_op(0, inputs=[0, -1, 10]), ["operator 0 (CONV_2D): omits one of its first 2 inputs"]),
    "softmax-two-outputs": (_op(8, outputs=[20, 0]), ["operator 8 (SOFTMAX)"]),
    "op-reads-no-tensor": (_op(0, inputs=[0, 999, 10]), ["reads tensor 999, which does not exist"]),
    "op-reads-below-minus-one": (_op(0, inputs=[0, 11, -7]), ["reads tensor -7, which does not exist"]),
    "written-twice": (_op(7, outputs=[18]), ["operator 7", "which operator 6 writes too"]),
    "read-never-written": (_orphan_read, ["operator 2 (CONV_2D) reads tensor 'orphan'", "no operator writes"]),
    "empty-input": (_tensor(0, [1, 0, 8, 1]), ["'serving_default_image:0'", "holds no elements"]),
    "conv-filter-channels": (_tensor(5, [24, 3, 6, 8]), ["operator 5 (CONV_2D)", "input", "has 16 channels"]),
    "depthwise-filter-shape": (_tensor(9, [3, 1, 3, 16]), ["operator 1 (DEPTHWISE_CONV_2D)", "not (1, H, W, 16)"]),
    "bias-shape": (_op(0, inputs=[0, 11, 2]), ["operator 0 (CONV_2D)", "bias", "not the 16 values"]),
    "fc-weights-rank": (_tensor(3, [10, 48, 2]), ["operator 7 (FULLY_CONNECTED)", "weights", "not rank 2"]),
    "conv-output-lies-stride": (_options(0, strideH=2), ["operator 0 (CONV_2D)", "give (1, 4, 8, 16)"]),
    "conv-output-lies-padding": (_options(5, padding=0), ["operator 5 (CONV_2D)", "give (1, 4, 4, 24)"]),
    "pool-output-lies": (_options(4, strideW=1), ["operator 4 (MAX_POOL_2D)", "give (1, 4, 7, 16)"]),
    "reshape-size": (lambda m: reshaped_input(m, [1, 8, 8, 2]), ["operator 0 (RESHAPE)", "holds 64 values"]),
    "stride-zero": (_options(0, strideH=0), ["operator 0 (CONV_2D)", "stride h is 0"]),
    "stride-negative": (_options(4, strideW=-1), ["operator 4 (MAX_POOL_2D)", "stride w is -1"]),
    "dilation-zero": (_options(1, dilationWFactor=0), ["operator 1 (DEPTHWISE_CONV_2D)", "dilation w is 0"]),
    "depth-multiplier-zero": (_options(1, depthMultiplier=0), ["depth multiplier is 0"]),
    "pool-filter-zero": (_options(4, filterHeight=0), ["operator 4 (MAX_POOL_2D)", "filter height is 0"]),
    "scale-zero": (_scale(12, 0.0), ["quantisation scale 0.0"]),
    "scale-negative": (_scale(12, -0.5), ["quantisation scale -0.5"]),
    "scale-nan": (_scale(12, np.nan), ["quantisation scale nan"]),
    "scale-inf": (_scale(12, np.inf), ["quantisation scale inf"]),
    "per-channel-count": (_tensor(11, scale=np.full(15, 0.01, np.float32), zeroPoint=np.zeros(15, np.int64)),
                          ["15 per-channel scales for the 16 channels"]),
    "zero-point-count": (_tensor(11, zeroPoint=np.zeros(15, np.int64)), ["16 scales but 15 zero points"]),
    "quantized-dimension": (_tensor(9, quantizedDimension=7), ["per channel along dimension 7", "rank 4"]),
    "zero-point-range": (_tensor(0, zeroPoint=np.array([200])), ["zero point 200", "int8", "-128..127"]),
    **{f"rank-{r}": (lambda m, r=r: reshaped_input(m, [1] * (r - 3) + [8, 8, 1]), [f"rank {r}", "at most 8"])
       for r in (9, 62, 63, 70)},
}


@pytest.mark.parametrize("case", list(CASES))
def test_malformed_model_is_one_error_line(tmp_path, case):
    mutate, needles = CASES[case]
    path = mutated_example(tmp_path, case, mutate)
    one_error_line(invoke("check", path, exit_code=2), str(path), *needles, "; ")


@pytest.mark.parametrize("case", ["cycle", "conv-output-lies-stride", "scale-zero", "rank-63"])
def test_build_writes_no_folder_for_a_malformed_model(tmp_path, case):
    mutate, needles = CASES[case]
    out = tmp_path / "fw"
    one_error_line(invoke("build", mutated_example(tmp_path, case, mutate), "-o", out, exit_code=2), *needles)
    assert not out.exists()


def test_an_endless_file_is_refused_without_reading_it_all(tmp_path):
    out = tmp_path / "fw"
    one_error_line(invoke("build", "/dev/zero", "-o", out, exit_code=2), "/dev/zero", "larger than 256 MB")
    assert not out.exists()


def test_a_file_over_the_cap_is_refused_by_its_size(tmp_path):
    path = tmp_path / "huge.tflite"
    with path.open("wb") as file:
        file.truncate(MAX_MODEL_BYTES + 1)  # sparse: no disk used
    one_error_line(invoke("check", path, exit_code=2), "huge.tflite", "larger than 256 MB")
