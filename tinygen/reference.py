"""TensorFlow Lite Micro's interpreter (the `tflite-micro` package): the bit-exactness reference.

TFLite's own Python interpreter is not used: on some models (ad01_int8) its
kernels disagree with TFLite Micro, and TFLite Micro is what runs on devices.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from tinygen.errors import InputError

ARENA_BYTES = 16 << 20


def _interpreter(runtime: Any, model: Path | bytes) -> Any:
    """TFLite Micro's interpreter for `model`, or an InputError with the reason its Prepare printed.

    TFLite Micro reports why allocation failed on file descriptor 2 and raises a bare RuntimeError; the reason
    is captured so the user sees one line that says it.
    """
    origin = "model" if isinstance(model, bytes) else str(model)
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as log:
        os.dup2(log.fileno(), 2)
        try:  # the default arena (10x the model) fails to allocate for tiny models
            interpreter = (runtime.Interpreter.from_bytes(model, arena_size=ARENA_BYTES) if isinstance(model, bytes)
                           else runtime.Interpreter.from_file(str(model), arena_size=ARENA_BYTES))
        except RuntimeError:
            interpreter = None
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        log.seek(0)
        said = log.read().decode(errors="replace")
    if interpreter is None:
        lines = [line.strip() for line in said.splitlines() if line.strip()]
        reason = lines[0].rsplit("/", 1)[-1] if lines else "failed to allocate tensors"
        raise InputError(f"{origin}: TFLite Micro refuses the model ({reason}); pass a model TFLite Micro can "
                         f"prepare in a {ARENA_BYTES >> 20} MB arena")
    sys.stderr.write(said)  # whatever it printed while succeeding, passed on
    return interpreter


def reference_outputs(model: Path | bytes, vectors: list[list[np.ndarray]], n_outputs: int,
                      progress: Callable[[], None] | None = None) -> list[list[np.ndarray]]:
    """Outputs per vector (one array per model output), each vector a list of model inputs; `model`: path or bytes."""
    try:
        from tflite_micro.python.tflite_micro import runtime
    except ImportError:
        raise InputError("tflite-micro: not installed; install it: pip install tflite-micro") from None
    interpreter = _interpreter(runtime, model)
    results = []
    for inputs in vectors:
        for k, x in enumerate(inputs):
            interpreter.set_input(x, k)
        interpreter.invoke()
        results.append([np.array(interpreter.get_output(k)) for k in range(n_outputs)])
        if progress is not None:
            progress()
    return results
