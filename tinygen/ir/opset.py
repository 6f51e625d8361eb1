"""The operators tinygen can plan and generate C for; anything else is reported, all at once."""

# RESHAPE, SQUEEZE and EXPAND_DIMS only relabel a shape: the planner aliases
# their output onto their input and the generated code emits nothing.
ALIAS_OPS = frozenset({"RESHAPE", "SQUEEZE", "EXPAND_DIMS"})

SUPPORTED_OPS = frozenset(
    {
        "CONV_2D",
        "DEPTHWISE_CONV_2D",
        "FULLY_CONNECTED",
        "AVERAGE_POOL_2D",
        "MAX_POOL_2D",
        "ADD",
        "SUB",
        "MUL",
        "CONCATENATION",
        "PAD",
        "MEAN",
        "SOFTMAX",
        "LOGISTIC",
        "TANH",
        "RELU",
        "RELU6",
        "LEAKY_RELU",
        "HARD_SWISH",
        "QUANTIZE",
        "DEQUANTIZE",
        "MAXIMUM",
        "MINIMUM",
        "STRIDED_SLICE",
        "TRANSPOSE",
    }
    | ALIAS_OPS
)

# Ops whose float tensors are legitimate in an int8 model: the I/O converters.
FLOAT_IO_OPS = frozenset({"QUANTIZE", "DEQUANTIZE"})
