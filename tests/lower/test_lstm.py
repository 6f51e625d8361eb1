"""The LSTM lowering's Prepare arithmetic (tinygen/lower/lstm.py) against independent numpy computations."""

import numpy as np
import pytest

from tinygen.lower.lstm import (
    cell_scale_power,
    gate_constants,
    product_multiplier,
    quantized_cell_clip,
    tanh_input_scaling,
)


def _real(multiplier: int, shift: int) -> float:
    return multiplier * 2.0 ** (shift - 31)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_folded_biases_give_tflite_micros_sums(seed: int) -> None:
    """TFLite Micro sums w * (x - zp) and adds the bias; the folded biases give the same integers from raw x."""
    rng = np.random.default_rng(seed)
    units, features = 7, 11
    w_in = rng.integers(-127, 128, (units, features)).astype(np.int8)
    w_rec = rng.integers(-127, 128, (units, units)).astype(np.int8)
    bias = rng.integers(-50000, 50000, units).astype(np.int32)
    zp_x, zp_h = (int(v) for v in rng.integers(-128, 128, 2))
    s_x, s_wi, s_h, s_wr = (float(s) for s in rng.uniform(1e-3, 0.05, 4))
    k = gate_constants((w_in, w_rec), bias, (s_x, s_wi, s_h, s_wr), (zp_x, zp_h))
    x = rng.integers(-128, 128, features)
    h = rng.integers(-128, 128, units)
    want_in = (w_in.astype(np.int64) * (x - zp_x)).sum(axis=1) + bias
    want_rec = (w_rec.astype(np.int64) * (h - zp_h)).sum(axis=1)
    np.testing.assert_array_equal(w_in.astype(np.int64) @ x + k.input_bias, want_in)
    np.testing.assert_array_equal(w_rec.astype(np.int64) @ h + k.recurrent_bias, want_rec)
    # each layer requantises to the gates' Q3.12: s_act * s_w / 2^-12, to QuantizeMultiplier's precision
    assert _real(k.input_multiplier, k.input_shift) == pytest.approx(s_x * s_wi * 4096, rel=2**-30)
    assert _real(k.recurrent_multiplier, k.recurrent_shift) == pytest.approx(s_h * s_wr * 4096, rel=2**-30)


def test_products_of_q015_values() -> None:
    """Gate outputs are Q0.15 (2^-15): their product into the cell state's 2^-11 is 2^-19, exactly
    2^30 * 2^(shift - 31); into an arbitrary hidden scale it is the real ratio."""
    assert product_multiplier(2.0**-15, 2.0**-15, 2.0**-11) == (1 << 30, -18)
    assert product_multiplier(2.0**-15, 2.0**-11, 2.0**-11) == (1 << 30, -14)
    m, s = product_multiplier(2.0**-15, 2.0**-15, 0.0078125 * 0.93)
    assert _real(m, s) == pytest.approx(2.0**-30 / (0.0078125 * 0.93), rel=2**-30)


@pytest.mark.parametrize("scale, power", [(2.0**-11, -11), (2.0**-12, -12), (0.000244140625, -12),
                                          (2.0**-15 * 1.0004, -15), (2.0**-9 * 0.9996, -9)])
def test_cell_scale_power_is_the_rounded_log2(scale: float, power: int) -> None:
    assert cell_scale_power(scale) == power == round(np.log2(scale))


@pytest.mark.parametrize("power", [-15, -14, -13, -12, -11, -10, -9])
def test_tanh_scaling_brings_the_cell_state_to_q3_12(power: int) -> None:
    """tanh reads its input as Q3.12 times 3 (reference Tanh's power-of-two case): a cell value v of scale
    2^power must become v * 2^(power + 12) * 3, rounded half up when the scaling shifts right."""
    multiplier, shift = tanh_input_scaling(power)
    v = np.arange(-32768, 32768, 97, dtype=np.int64)
    got = (v * multiplier + (1 << (shift - 1) if shift else 0)) >> shift
    np.testing.assert_array_equal(got, np.floor(v * 3 * 2.0 ** (power + 12) + (0.5 if shift else 0.0)))


@pytest.mark.parametrize("clip, scale, want", [(0.4, 2.0**-11, 819), (100.0, 2.0**-11, 32767), (0.0, 2.0**-11, -1),
                                               (-1.0, 2.0**-12, -1), (3.0, 2.0**-12, 12288)])
def test_quantized_cell_clip(clip: float, scale: float, want: int) -> None:
    """clip / scale truncated, within int16; -1 (no clipping) when the model's clip is not positive."""
    assert quantized_cell_clip(clip, scale) == want
