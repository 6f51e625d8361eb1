"""UNIDIRECTIONAL_SEQUENCE_LSTM's 24 input slots (TFLite Micro's lstm_shared.h): one statement of which tensor
sits where, for the importer's checks, the planner's scratch and the lowering."""

from __future__ import annotations

# Gate by gate, forget, input, cell, output: (input weights, recurrent weights, bias)
GATE_SLOTS = ((2, 6, 13), (1, 5, 12), (3, 7, 14), (4, 8, 15))
INPUT_GATE = GATE_SLOTS[1]  # absent in a CIFG LSTM (coupled input and forget gates)
WEIGHT_SLOTS = tuple(range(1, 9))  # the input weights of the four gates, then their recurrent weights
BIAS_SLOTS = tuple(range(12, 16))
# The other variants' tensors, which a plain LSTM leaves out
ABSENT_SLOTS = {"peephole": (9, 10, 11), "projection": (16, 17), "layer norm": (20, 21, 22, 23)}
HIDDEN, CELL = 18, 19  # the variable tensors holding the state
