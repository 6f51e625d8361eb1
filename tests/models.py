"""Paths to the shared reference models; tests that need them skip cleanly when ../shared is absent."""

from pathlib import Path

import pytest

from tinygen.commands.options import default_model

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "models"
LOCATIONS = {
    "kws_ref_model": "mlperf_tiny/kws_ref_model.tflite",
    "ad01_int8": "mlperf_tiny/ad01_int8.tflite",
    "mbv2_035_144_int8": "synthetic/mbv2_035_144_int8.tflite",
    "mcunet_like_vww_int8": "synthetic/mcunet_like_vww_int8.tflite",
}
EXAMPLE = "digits_cnn_int8"  # the bundled example, what `tinygen run` uses without a MODEL


def model_path(name: str) -> Path:
    """The bundled example by its name, or a shared model."""
    return default_model() if name == EXAMPLE else shared_model(name)


def shared_model(name: str) -> Path:
    path = SHARED / LOCATIONS[name]
    if not path.exists():
        pytest.skip(f"{path} is absent (the shared models live beside the project root)")
    return path
