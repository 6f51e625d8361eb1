"""tinygen/quant/qat.py: fake quantisation matches what conversion does; unsupported cases say why."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tinygen.quant.convert import FloatModel
from tinygen.quant.data import Dataset
from tinygen.quant.qat import QatUnsupported, fake_quantize, finetune


def test_int8_is_max_abs_per_output_channel():
    w = np.random.default_rng(0).normal(size=(3, 3, 4, 6)).astype(np.float32)
    q = fake_quantize(w, 8, per_channel=True, depthwise=False)
    per_channel = w.reshape(-1, 6)
    np.testing.assert_allclose(np.abs(q.reshape(-1, 6)).max(axis=0), np.abs(per_channel).max(axis=0), rtol=1e-6)
    assert np.abs(q - w).max() <= np.abs(w).max() / 127


def test_int4_depthwise_groups_are_input_times_multiplier_channels():
    w = np.random.default_rng(1).normal(size=(3, 3, 5, 2)).astype(np.float32) * np.arange(1, 11).reshape(1, 1, 5, 2)
    q = fake_quantize(w, 4, per_channel=True, depthwise=True)
    for channel in q.reshape(9, 10).T:
        assert len(np.unique(np.round(channel, 6))) <= 15  # at most 15 levels: [-7, 7] times one scale


def test_int4_dense_is_one_scale_per_tensor():
    w = np.random.default_rng(2).normal(size=(12, 5)).astype(np.float32)
    q = fake_quantize(w, 4, per_channel=False, depthwise=False)
    assert len(np.unique(np.round(q, 6))) <= 15


def test_unsupported_models_and_data_are_refused_with_the_reason():
    data = Dataset(Path("d.npz"), np.zeros((2, 8, 8, 1), np.float32), np.zeros(2, np.int64))
    with pytest.raises(QatUnsupported, match="SavedModel"):
        finetune(FloatModel(Path("saved"), (8, 8, 1), None), data, [9], [8], 1)
    unlabelled = Dataset(Path("u.npz"), data.x, None)
    with pytest.raises(QatUnsupported, match="no labels"):
        finetune(FloatModel(Path("m.keras"), (8, 8, 1), object()), unlabelled, [9], [8], 1)
