"""Operator groups the importer and planner treat specially (the generated set is tinygen.lower.LOWERINGS)."""

from tinygen.ir.lstm_slots import ABSENT_SLOTS, INPUT_GATE

# RESHAPE, SQUEEZE and EXPAND_DIMS only relabel a shape: the planner aliases
# their output onto their input and the generated code emits nothing.
ALIAS_OPS = frozenset({"RESHAPE", "SQUEEZE", "EXPAND_DIMS"})

# Ops whose float tensors are legitimate in an int8 model: the I/O converters.
FLOAT_IO_OPS = frozenset({"QUANTIZE", "DEQUANTIZE"})

# Resource variables (plan/state.py): VAR_HANDLE names one and emits no code; READ_VARIABLE and ASSIGN_VARIABLE
# copy between it and the arena; CALL_ONCE runs the init subgraph that assigns initial values. Their order among
# themselves is the file's: they depend on each other through the variables, not through tensors.
HANDLE_OPS = frozenset({"VAR_HANDLE"})
STATE_OPS = frozenset({"VAR_HANDLE", "READ_VARIABLE", "ASSIGN_VARIABLE", "CALL_ONCE"})

# Operand counts TFLite Micro's kernels require in Prepare, for the ops tinygen generates:
# opcode -> (fewest inputs, most inputs or None for any number, outputs or None for as many as the op's attributes
# say, checked with its shapes). Inputs past the fewest are optional and may be -1 (omitted), as a convolution's bias.
ARITY: dict[str, tuple[int, int | None, int | None]] = {
    **dict.fromkeys(("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"), (2, 3, 1)),
    **dict.fromkeys(("AVERAGE_POOL_2D", "MAX_POOL_2D", "SOFTMAX", "LOGISTIC", "TANH", "HARD_SWISH", "LEAKY_RELU",
                     "RELU", "RELU6", "QUANTIZE", "DEQUANTIZE", "SQUEEZE", "ABS", "SPACE_TO_DEPTH",
                     "DEPTH_TO_SPACE", "CAST", "LOGICAL_NOT", "ZEROS_LIKE", "SHAPE"), (1, 1, 1)),
    **dict.fromkeys(("ADD", "SUB", "MUL", "MAXIMUM", "MINIMUM", "TRANSPOSE", "MEAN", "EXPAND_DIMS",
                     "SQUARED_DIFFERENCE", "PRELU"), (2, 2, 1)),
    **dict.fromkeys(("SUM", "REDUCE_MAX", "REDUCE_MIN", "REDUCE_ALL", "ARG_MAX", "ARG_MIN"), (2, 2, 1)),
    **dict.fromkeys(("EQUAL", "NOT_EQUAL", "LESS", "LESS_EQUAL", "GREATER", "GREATER_EQUAL"), (2, 2, 1)),
    **dict.fromkeys(("LOGICAL_AND", "LOGICAL_OR"), (2, 2, 1)),
    "CONCATENATION": (1, None, 1),
    "PAD": (2, 3, 1),
    "PADV2": (3, 3, 1),
    "STRIDED_SLICE": (4, 4, 1),
    "RESHAPE": (1, 2, 1),
    "SLICE": (3, 3, 1),
    "SELECT_V2": (3, 3, 1),
    "GATHER": (2, 2, 1),
    "EMBEDDING_LOOKUP": (2, 2, 1),
    "PACK": (1, None, 1),
    "SPLIT": (2, 2, None),
    "SPLIT_V": (3, 3, None),
    "UNPACK": (1, 1, None),
    "TRANSPOSE_CONV": (3, 4, 1),
    "RESIZE_NEAREST_NEIGHBOR": (2, 2, 1),
    "RESIZE_BILINEAR": (2, 2, 1),
    "MIRROR_PAD": (2, 2, 1),
    "SVDF": (5, 5, 1),  # the bias (3) is optional in Eval, but Prepare reads its scale: TFLM needs it
    "VAR_HANDLE": (0, 0, 1),
    "READ_VARIABLE": (1, 1, 1),
    "ASSIGN_VARIABLE": (2, 2, 0),
    "CALL_ONCE": (0, 0, 0),
    **dict.fromkeys(("SPACE_TO_BATCH_ND", "BATCH_TO_SPACE_ND", "DYNAMIC_UPDATE_SLICE"), (3, 3, 1)),
    **dict.fromkeys(("BROADCAST_TO", "REVERSE_V2", "FILL", "BROADCAST_ARGS"), (2, 2, 1)),
    "UNIDIRECTIONAL_SEQUENCE_LSTM": (24, 24, 1),
    "BATCH_MATMUL": (2, 2, 1),
    "DIV": (2, 2, 1),
    "RSQRT": (1, 1, 1),
    "GATHER_ND": (2, 2, 1),
    "L2_NORMALIZATION": (1, 1, 1),
    "LOG_SOFTMAX": (1, 1, 1),
    "ELU": (1, 1, 1),
    "ADD_N": (2, None, 1),
    "CUMSUM": (2, 2, 1),
}

# Inputs among an op's first (fewest) that a file may still omit (-1): the LSTM's 24 slots include its variants'
# tensors (CIFG, peephole, projection, layer norm), which a plain LSTM leaves out.
OMITTABLE: dict[str, frozenset[int]] = {
    "UNIDIRECTIONAL_SEQUENCE_LSTM": frozenset(INPUT_GATE).union(*ABSENT_SLOTS.values()),
}
