"""Shared fixtures (models the tests make themselves, no downloads), and the `tools` mark: a test that needs a
program fails before it starts when the program is missing (tests/tools.py)."""

from __future__ import annotations

import os

import pytest

from tests.tools import require_module, require_tool

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def pytest_runtest_setup(item: pytest.Item) -> None:
    for mark in item.iter_markers("tools"):
        for name in mark.args:
            require_tool(name)


@pytest.fixture(scope="session")
def float_tflite(tmp_path_factory):
    """A float32 .tflite (no quantisation): tinygen must refuse it with exit 2."""
    tf = require_module("tensorflow")
    model = tf.keras.Sequential([tf.keras.Input((4,), batch_size=1), tf.keras.layers.Dense(3)])
    path = tmp_path_factory.mktemp("float") / "float_model.tflite"
    path.write_bytes(tf.lite.TFLiteConverter.from_keras_model(model).convert())
    return path
