"""Shared fixtures (models the tests make themselves, no downloads) and the suite's two setup rules: shared-model
extras are deselected where ../shared is absent (tests/models.py), and a missing tool fails (tests/tools.py)."""

from __future__ import annotations

import os

import pytest

from tests.models import SHARED, run_shared_tests
from tests.tools import require_module, require_tool

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
DESELECTED = pytest.StashKey[int]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if run_shared_tests():
        return
    extras = [item for item in items if item.get_closest_marker("shared_models")]
    if extras:
        config.hook.pytest_deselected(items=extras)
        items[:] = [item for item in items if not item.get_closest_marker("shared_models")]
    config.stash[DESELECTED] = len(extras)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config) -> None:
    if config.stash.get(DESELECTED, 0):
        terminalreporter.write_line(f"{config.stash[DESELECTED]} shared-model tests deselected: {SHARED} is absent "
                                    "(they run where it exists, and always under CI=true)")


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
