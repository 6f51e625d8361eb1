"""Shared fixtures: models the tests make themselves (no downloads)."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@pytest.fixture(scope="session")
def float_tflite(tmp_path_factory):
    """A float32 .tflite (no quantisation): tinygen must refuse it with exit 2."""
    tf = pytest.importorskip("tensorflow")
    model = tf.keras.Sequential([tf.keras.Input((4,), batch_size=1), tf.keras.layers.Dense(3)])
    path = tmp_path_factory.mktemp("float") / "float_model.tflite"
    path.write_bytes(tf.lite.TFLiteConverter.from_keras_model(model).convert())
    return path
