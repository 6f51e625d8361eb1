"""SVDF's lowering: its block carries TFLite Micro's Prepare arithmetic, checked two independent ways.

The multipliers are recomputed here from the tensors' scales with numpy
(float32 products, frexp), and an integer SVDF written in numpy from the block's
values alone is run over a sequence against TFLite Micro's interpreter, whose
state carries from one invocation to the next.
"""

from pathlib import Path

import numpy as np
import pytest

from tests.synthetic import svdf
from tinygen.errors import InputError
from tinygen.importers.tflite import load_tflite
from tinygen.ir.graph import Tensor
from tinygen.kernels.svdf import SvdfParams, SvdfS8Params, SvdfS16Params
from tinygen.lower.program import lower_layers
from tinygen.numerics.fixedpoint import multiply_by_quantized_multiplier
from tinygen.plan.memory import plan_memory
from tinygen.reference import reference_outputs

STEPS = 24


def _block(path: Path) -> SvdfS8Params | SvdfS16Params:
    graph = load_tflite(path)
    (layer,) = lower_layers(graph, plan_memory(graph), str(path))
    assert isinstance(layer.params, (SvdfS8Params, SvdfS16Params))
    return layer.params


def _scale(t: Tensor) -> np.float32:
    assert t.quant is not None
    return np.float32(t.quant.scale)


def _multiplier(real: np.float32) -> tuple[int, int]:
    """QuantizeMultiplier by hand: real = m * 2**e with m in [0.5, 1), m as a rounded Q31."""
    m, e = np.frexp(np.float64(real))
    q = int(np.floor(m * 2**31 + 0.5))
    return (q // 2, int(e) + 1) if q == 2**31 else (q, int(e))


@pytest.mark.parametrize("state", ["INT16", "INT8"])
def test_block_holds_prepares_scales_in_float32(tmp_path: Path, state: str) -> None:
    path = svdf(tmp_path / "svdf.tflite", seed=3, state=state)
    graph = load_tflite(path)
    s = {graph.tensor(t).name.removeprefix("svdf0_"): _scale(graph.tensor(t)) for t in graph.operators[0].inputs}
    s_out = _scale(graph.tensor(graph.outputs[0]))
    c = _block(path).common
    first = s["input"] * s["weights_feature"] / s["state"]
    second = s["state"] * s["weights_time"] / s_out
    assert first.dtype == second.dtype == np.float32
    assert (c.feature_multiplier, c.feature_shift) == _multiplier(first)
    assert (c.output_multiplier, c.output_shift) == _multiplier(second)


def _numpy_svdf(c: SvdfParams, weights_time: np.ndarray, bits: int, inputs: list[np.ndarray],
                state_reset: int) -> list[np.ndarray]:
    """svdf_common.cc's integer Eval, from the block's fields and arrays; the state starts at its reset value."""
    feature = c.weights_feature.values.astype(np.int64)
    bias = c.bias.values.astype(np.int64)
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    state = np.full((c.batch, c.filters, c.memory), state_reset, np.int64)
    outputs = []
    for x in inputs:
        state = np.roll(state.reshape(-1), -1).reshape(state.shape)  # the left shift; the wrapped slot is rewritten
        dots = (x.astype(np.int64) - c.input_zero_point) @ feature.T
        projected = np.clip(multiply_by_quantized_multiplier(dots, c.feature_multiplier, c.feature_shift), lo, hi)
        state[:, :, -1] = (projected + c.state_zero_point).astype(f"int{bits}")  # narrowed as TFLM's store: wraps
        times = ((state - c.state_zero_point) * weights_time.astype(np.int64)).sum(axis=2)
        sums = times.reshape(c.batch, -1, c.rank).sum(axis=2) + bias
        y = multiply_by_quantized_multiplier(sums, c.output_multiplier, c.output_shift) + c.output_zero_point
        outputs.append(np.clip(y, -128, 127).astype(np.int8))
    return outputs


@pytest.mark.parametrize(("state", "bits", "batch", "rank"), [("INT16", 16, 1, 2), ("INT8", 8, 2, 3)])
def test_numpy_svdf_on_the_blocks_values_matches_tflite_micro(tmp_path: Path, state: str, bits: int, batch: int,
                                                              rank: int) -> None:
    path = svdf(tmp_path / "svdf.tflite", seed=5, state=state, batch=batch, rank=rank)
    block = _block(path)
    c = block.common
    rng = np.random.default_rng(1)
    inputs = [rng.integers(-128, 128, (batch, c.input_size), dtype=np.int8) for _ in range(STEPS)]
    want = [out[0] for out in reference_outputs(path, [[x] for x in inputs], 1)]
    got = _numpy_svdf(c, block.weights_time.values.reshape(c.filters, c.memory), bits, inputs,
                      state_reset=c.state_zero_point if bits == 8 else 0)
    assert len({y.tobytes() for y in want}) > STEPS // 2  # the outputs move with the inputs and state
    for step, (g, w) in enumerate(zip(got, want, strict=True)):
        assert np.array_equal(g, w), f"step {step}: {g} != {w}"


def test_a_bias_off_state_times_time_scale_is_refused(tmp_path: Path) -> None:
    path = svdf(tmp_path / "svdf.tflite", seed=3)
    raw = bytearray(path.read_bytes())
    graph = load_tflite(path)
    bias = next(graph.tensor(t) for t in graph.operators[0].inputs if graph.tensor(t).name == "svdf0_bias")
    scale = _scale(bias).tobytes()
    assert raw.count(scale) == 1
    raw[raw.index(scale):raw.index(scale) + 4] = np.float32(_scale(bias) + 2e-5).tobytes()
    bad = tmp_path / "bad.tflite"
    bad.write_bytes(bytes(raw))
    with pytest.raises(InputError, match=r"operator 0 SVDF: bias scale .* is not state scale x time weights scale"):
        _block(bad)
