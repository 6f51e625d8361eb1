"""TensorFlow Lite Micro's interpreter (the `tflite-micro` package): the bit-exactness reference.

TFLite's own Python interpreter is not used: on some models (ad01_int8) its
kernels disagree with TFLite Micro, and TFLite Micro is what runs on devices.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from tinygen.errors import InputError

ARENA_BYTES = 16 << 20


def reference_outputs(model: Path | bytes, vectors: list[list[np.ndarray]], n_outputs: int,
                      progress: Callable[[], None] | None = None) -> list[list[np.ndarray]]:
    """Outputs per vector (one array per model output), each vector a list of model inputs; `model`: path or bytes."""
    try:
        from tflite_micro.python.tflite_micro import runtime
    except ImportError:
        raise InputError("tflite-micro: not installed; install it: pip install tflite-micro") from None
    # the default arena (10x the model) fails to allocate for tiny models
    interpreter = (runtime.Interpreter.from_bytes(model, arena_size=ARENA_BYTES) if isinstance(model, bytes)
                   else runtime.Interpreter.from_file(str(model), arena_size=ARENA_BYTES))
    results = []
    for inputs in vectors:
        for k, x in enumerate(inputs):
            interpreter.set_input(x, k)
        interpreter.invoke()
        results.append([np.array(interpreter.get_output(k)) for k in range(n_outputs)])
        if progress is not None:
            progress()
    return results
