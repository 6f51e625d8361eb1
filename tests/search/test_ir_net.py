"""A candidate's IR, built from shapes, plans exactly as its converted .tflite does."""

from pathlib import Path

import numpy as np
import pytest

from tests.tools import require_module
from tinygen.boards import load_board
from tinygen.check.fit import fit_report
from tinygen.importers.tflite import parse_tflite
from tinygen.plan.schedule import plan_schedule
from tinygen.quant.convert import FloatModel, convert_quantized
from tinygen.search.baseline import ds_cnn
from tinygen.search.ir_net import ir_graph
from tinygen.search.keras_net import keras_model
from tinygen.search.net import layers
from tinygen.search.space import SearchSpace

require_module("tensorflow")

BOARD = load_board("mps2-an386")


def _converted(net) -> bytes:
    """int8 .tflite of the Keras model with random weights (biases non-zero: the converter drops zero ones)."""
    model = keras_model(net)
    rng = np.random.default_rng(0)
    model.set_weights([rng.normal(0.5 if w.ndim == 1 else 0, 0.2, w.shape).astype(np.float32) + (w.ndim == 1) * 0.5
                       for w in model.get_weights()])
    calib = rng.random((4, *net.input_shape), dtype=np.float32)
    return convert_quantized(FloatModel(Path("candidate.keras"), net.input_shape, model), calib)


def _structure(graph):
    return [(op.opcode, op.attrs, graph.tensor(op.outputs[0]).shape,
             [graph.tensor(i).shape for i in op.inputs if i >= 0]) for op in graph.operators]


NETS = {
    "conv+ds r32": layers(SearchSpace((32, 32, 1), 0.5, 10).sample(np.random.default_rng(1))),
    "conv r24 rgb": layers(SearchSpace((24, 24, 3), 0.25, 4, stem="conv").sample(np.random.default_rng(2))),
    "spectrogram": layers(SearchSpace((49, 10, 1), 0.5, 12, stem="spectrogram").sample(np.random.default_rng(3))),
    "ds-cnn baseline": ds_cnn((32, 32, 1), 10),
}


@pytest.mark.parametrize("name", sorted(NETS))
def test_ir_matches_the_converted_model_and_plans_the_same(name):
    net = NETS[name]
    ours = ir_graph(net)
    theirs = parse_tflite(_converted(net), name="converted", origin=name)
    assert _structure(ours) == _structure(theirs)
    assert ours.weight_bytes == theirs.weight_bytes
    ours_plan = plan_schedule(ours, BOARD.alignment_bytes)
    theirs_plan = plan_schedule(theirs, BOARD.alignment_bytes)
    assert ours_plan.plan.arena_bytes == theirs_plan.plan.arena_bytes
    assert (ours_plan.stage is None) == (theirs_plan.stage is None)
    a, b = fit_report(ours, ours_plan, BOARD), fit_report(theirs, theirs_plan, BOARD)
    assert (a.sram_bytes, a.flash_bytes, a.total_macs) == (b.sram_bytes, b.flash_bytes, b.total_macs)
