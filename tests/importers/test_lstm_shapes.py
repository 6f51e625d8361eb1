"""The importer's checks on UNIDIRECTIONAL_SEQUENCE_LSTM: what TFLite Micro runs passes, and each lie about a
weight, bias, state or output size that would make the kernel reach outside a tensor is one InputError."""

from __future__ import annotations

import numpy as np
import pytest

from tests.importers.shapes import assert_only_the_lie_is_refused
from tinygen.ir.attrs import LstmAttrs
from tinygen.ir.graph import Graph, Operator, Tensor

PLAIN = (0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 13, 14, 15, 18, 19)  # the slots a plain Keras LSTM fills


def _lstm(x: tuple[int, ...] = (2, 5, 9), units: int = 7, w_in: tuple[int, int] = (7, 9),
          w_rec: tuple[int, int] = (7, 7), bias: int = 7, h: tuple[int, ...] = (2, 7), c: tuple[int, ...] = (2, 7),
          y: tuple[int, ...] = (2, 5, 7), time_major: bool = False) -> Graph:
    """One LSTM; the lie-able sizes apply to the forget gate's operands (slots 2, 6, 13)."""
    tensors = [Tensor(0, "x", x, "int8")]
    slots = [-1] * 24
    slots[0] = 0
    for k in PLAIN[1:]:
        if k < 5:
            shape: tuple[int, ...] = w_in if k == 2 else (units, 9)
        elif k < 9:
            shape = w_rec if k == 6 else (units, units)
        elif k < 16:
            shape = (bias if k == 13 else units,)
        else:
            shape = h if k == 18 else c
        if k < 16:
            data = np.zeros(shape, np.int32 if k >= 12 else np.int8)
            tensors.append(Tensor(len(tensors), f"t{k}", shape, str(data.dtype), data=data))
        else:
            tensors.append(Tensor(len(tensors), f"t{k}", shape, "int8" if k == 18 else "int16", variable=True))
        slots[k] = len(tensors) - 1
    tensors.append(Tensor(len(tensors), "y", y, "int8"))
    op = Operator(0, "UNIDIRECTIONAL_SEQUENCE_LSTM", tuple(slots), (len(tensors) - 1,), LstmAttrs("TANH", 0.0,
                                                                                                   time_major))
    return Graph("one", tuple(tensors), (op,), (0,), (len(tensors) - 1,))


GOOD = _lstm()
CASES = {
    "input weights": (GOOD, _lstm(w_in=(7, 8)), r"'t2' has shape \(7, 8\), but 7 units and 9 input features give"),
    "recurrent weights": (GOOD, _lstm(w_rec=(7, 6)), r"'t6' has shape \(7, 6\), but 7 units and 9 input features "
                                                     r"give \(7, 7\)"),
    "bias": (GOOD, _lstm(bias=6), r"'t13' has shape \(6,\), but 7 units give \(7,\)"),
    "cell state": (GOOD, _lstm(c=(1, 7)), r"state 't19' has shape \(1, 7\), not the 2x7 values"),
    "hidden state of another batch": (GOOD, _lstm(x=(5, 2, 9), h=(2, 7), c=(2, 7), y=(5, 2, 7)),
                                      r"state 't18' has shape \(2, 7\), not the 5x7 values"),
    "time major": (_lstm(x=(5, 2, 9), y=(5, 2, 7), time_major=True), _lstm(x=(5, 2, 9), y=(5, 3, 7), time_major=True),
                   r"'y' has shape \(5, 3, 7\), but input \(5, 2, 9\) and 7 units give \(5, 2, 7\)"),
    "output units": (GOOD, _lstm(y=(2, 5, 8)), r"'y' has shape \(2, 5, 8\), but input \(2, 5, 9\) and 7 units"),
    "input rank": (GOOD, _lstm(x=(2, 45), y=(2, 5, 7)), r"input 'x' has shape \(2, 45\), not rank 3"),
}


@pytest.mark.parametrize("name", CASES)
def test_a_lie_about_an_lstm_is_refused(name: str) -> None:
    assert_only_the_lie_is_refused(*CASES[name])
