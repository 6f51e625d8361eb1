"""The models tests run on: the bundled example, always present, and the shared reference models, extras.

The shared models live in ../shared beside the project root. A test that needs one carries the `shared_models`
mark: where ../shared/models is absent those tests are deselected (conftest.py counts them in the summary), so a
fresh clone runs everything else with nothing skipped. Under CI (CI=true) they are never deselected: a missing
shared model fails there, as it does for an unmarked test that asks for one.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.mutants import mutated_example
from tinygen.commands.options import default_model

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "models"
LOCATIONS = {
    "kws_ref_model": "mlperf_tiny/kws_ref_model.tflite",
    "ad01_int8": "mlperf_tiny/ad01_int8.tflite",
    "mbv2_035_144_int8": "synthetic/mbv2_035_144_int8.tflite",
    "mcunet_like_vww_int8": "synthetic/mcunet_like_vww_int8.tflite",
}
EXAMPLE = "digits_cnn_int8"  # the bundled example, what `tinygen run` uses without a MODEL


def on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def run_shared_tests() -> bool:
    """Whether `shared_models` tests run: always under CI, elsewhere when ../shared/models exists."""
    return on_ci() or SHARED.is_dir()


def model_path(name: str) -> Path:
    """The bundled example by its name, or a shared model (see shared_model)."""
    return default_model() if name == EXAMPLE else shared_model(name)


def shared_model(name: str) -> Path:
    path = SHARED / LOCATIONS[name]
    if not path.exists():
        why = "CI=true runs every shared-model test" if on_ci() else "mark the test @pytest.mark.shared_models"
        pytest.fail(f"{path} is absent (the shared models live in ../shared beside the project root); {why}",
                    pytrace=False)
    return path


EXAMPLE_SPLIT = b"digits_cnn_1/max_pooling2d_1/MaxPool2d"  # the example's patch stage hands this tensor on


def renamed_example(folder: Path, stem: str, input: str | None = None, output: str | None = None,
                    split: str | None = None) -> Path:
    """The bundled example saved as folder/<stem>.tflite with its input, output or patch-split tensor renamed
    (TensorFlow's own flatbuffer tools rewrite the file; the names are what the tests attack tinygen with)."""

    def rename(model: Any) -> None:
        graph = model.subgraphs[0]
        named = {graph.inputs[0]: input, graph.outputs[0]: output}
        named |= {k: split for k, t in enumerate(graph.tensors) if t.name == EXAMPLE_SPLIT}
        assert split is None or len(named) == 3, "the example's patch stage splits at its max pool"
        for index, name in named.items():
            if name is not None:
                graph.tensors[index].name = name.encode()

    plain = mutated_example(folder, "plain", rename)  # TensorFlow's writer refuses some of the names tests give files
    return plain.rename(folder / f"{stem}.tflite")
