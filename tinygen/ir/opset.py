"""Operator groups the importer and planner treat specially (the generated set is tinygen.lower.LOWERINGS)."""

# RESHAPE, SQUEEZE and EXPAND_DIMS only relabel a shape: the planner aliases
# their output onto their input and the generated code emits nothing.
ALIAS_OPS = frozenset({"RESHAPE", "SQUEEZE", "EXPAND_DIMS"})

# Ops whose float tensors are legitimate in an int8 model: the I/O converters.
FLOAT_IO_OPS = frozenset({"QUANTIZE", "DEQUANTIZE"})
