"""tinygen/costmodel.py: the fit, and the committed table against the profiled layers it was fitted to."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tinygen.costmodel import (
    ANY_KERNEL,
    CALIBRATED_CORE,
    DATA,
    TERMS,
    CostModel,
    cost_model,
    design,
    fit,
    fit_patch_factor,
)


def test_fit_recovers_the_coefficients_that_made_the_counts():
    """Over every term, the derived steps of 16 included ("b" pays 9 a step and nothing per MAC)."""
    rng = np.random.default_rng(1)
    truth = {"a": (2.0, 0.5, 3.0, 1.0, 200.0, 0.0), "b": (0.0, 0.0, 7.0, 0.0, 40.0, 9.0)}
    assert all(len(coef) == len(TERMS) for coef in truth.values())
    def terms() -> tuple[float, ...]:  # short and long dot products, so steps and MACs part ways
        outputs, per_output = int(rng.integers(1, 2_000)), int(rng.integers(1, 49))
        taps, inputs, calls = (float(v) for v in rng.integers(1, 10_000, 3))
        return (float(outputs * per_output), taps, float(outputs), inputs, calls)

    samples = [(k, t, round(float(np.dot(truth[k], design(t))))) for k in truth for t in (terms() for _ in range(16))]
    fitted = fit(samples)
    for kernel, coef in truth.items():
        assert fitted[kernel] == pytest.approx(coef, rel=1e-3, abs=1e-2)


def test_fit_keeps_every_coefficient_non_negative_and_pools_rare_kernels():
    """Counts that fall as a term grows would fit a negative coefficient: the term is dropped instead."""
    samples = [("k", (float(m), float(1000 - m), 0.0, 0.0, 1.0), 5000 - 3 * m) for m in range(0, 1000, 100)]
    samples.append(("rare", (1.0, 1.0, 1.0, 1.0, 1.0), 10))
    fitted = fit(samples)
    assert all(c >= 0 for coef in fitted.values() for c in coef)
    assert "rare" not in fitted and ANY_KERNEL in fitted
    assert cost_model(CALIBRATED_CORE).predict("no_such_kernel", (1, 1, 1, 1, 1)) == pytest.approx(
        sum(cost_model(CALIBRATED_CORE).coefficients[ANY_KERNEL]))


def test_a_kernel_running_1x1_and_larger_windows_gets_a_fit_for_each():
    """1x1 layers (taps = outputs) of kernel "c" cost 2 per MAC, its 3x3 layers 3: each prediction uses its own."""
    def layer(m: int, window: int) -> tuple[float, ...]:
        return (float(m * window), float(m * window), float(m), float(m), 1.0)

    samples = [("c", layer(m, w), (2 if w == 1 else 3) * m * w) for m in range(100, 900, 100) for w in (1, 9)]
    samples += [("fc", layer(m, 1), 5 * m) for m in range(100, 900, 100)]
    fitted = fit(samples)
    assert {"c", "c@1x1", "fc"} <= fitted.keys() and "fc@1x1" not in fitted
    model = CostModel("test", fitted)
    assert model.predict("c", layer(1000, 1)) == pytest.approx(2000, rel=1e-3)
    assert model.predict("c", layer(1000, 9)) == pytest.approx(27000, rel=1e-3)


def test_a_short_dot_product_costs_a_whole_step():
    """steps16: outputs x ceil(MACs per output / 16), so 10 MACs an output cost as many steps as 16."""
    assert design((100.0, 0.0, 10.0, 0.0, 1.0))[-1] == 10.0
    assert design((160.0, 0.0, 10.0, 0.0, 1.0))[-1] == 10.0
    assert design((170.0, 0.0, 10.0, 0.0, 1.0))[-1] == 20.0
    assert design((0.0, 0.0, 10.0, 0.0, 1.0))[-1] == 0.0


def test_the_patch_factor_is_the_typical_measured_over_predicted_ratio():
    table = {"c": (1.0, 0.0, 0.0, 0.0, 10.0, 0.0)}
    stages = [([("c", (100.0, 0, 0, 0, 4.0)), ("c", (50.0, 0, 0, 0, 4.0))], round(ratio * 230))
              for ratio in (1.1, 1.2, 1.3, 9.0)]  # each stage predicts 230; one outlier
    assert fit_patch_factor(table, stages) == pytest.approx(1.25, abs=0.01)
    assert fit_patch_factor(table, []) == 1.0


def test_the_committed_table_is_the_fit_of_the_committed_samples():
    """scripts/calibrate_cost.py wrote both: refitting the samples gives the table back."""
    data = json.loads(DATA.read_text())
    for core, training in data["training"].items():
        refit = fit((k, tuple(t), c) for k, t, c in training["samples"])
        assert refit.keys() == data["cores"][core].keys()
        for kernel, coef in refit.items():
            assert coef == pytest.approx(data["cores"][core][kernel], rel=1e-4, abs=1e-4)
        stages = [([(k, tuple(t)) for k, t in layers], count) for layers, count in training["stages"]]
        assert len(stages) >= 20
        assert fit_patch_factor(refit, stages) == pytest.approx(data["patch_factor"][core], rel=1e-4)


@pytest.mark.parametrize("core", ["cortex-m4", "cortex-m55"])
def test_the_model_predicts_its_training_layers(core):
    """Per layer, the typical error is small; summed over many layers (a model), it shrinks further."""
    samples = json.loads(DATA.read_text())["training"][core]["samples"]
    model = cost_model(core)
    predicted = np.array([model.predict(k, tuple(t)) for k, t, _ in samples])
    measured = np.array([c for _, _, c in samples], dtype=float)
    assert np.median(np.abs(predicted / measured - 1)) <= 0.10
    assert abs(predicted.sum() / measured.sum() - 1) <= 0.10


def test_cores_without_a_table_borrow_the_calibrated_one():
    assert cost_model("cortex-m7") == cost_model(CALIBRATED_CORE)
    assert cost_model("cortex-m55").core == "cortex-m55"
