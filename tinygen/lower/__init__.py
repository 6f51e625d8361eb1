"""Lowering: one function per operator family turns an IR operator into a `Layer` (a kernel and its block).

Lowering is board-independent; the specialise stage (specialise.py) then moves
layers to the kernels a board's core runs faster.
"""

from __future__ import annotations

from collections.abc import Callable

from tinygen.ir.graph import Operator
from tinygen.ir.opset import ALIAS_OPS, HANDLE_OPS
from tinygen.lower.activation import lower_activation, lower_dequantize, lower_logical_not, lower_quantize
from tinygen.lower.add_n import lower_add_n
from tinygen.lower.batch_matmul import lower_batch_matmul
from tinygen.lower.binary import lower_binary, lower_select_v2
from tinygen.lower.cast import lower_cast
from tinygen.lower.context import LowerContext
from tinygen.lower.conv import lower_conv, lower_depthwise
from tinygen.lower.cumsum import lower_cumsum
from tinygen.lower.fully_connected import lower_fully_connected
from tinygen.lower.gather_nd import lower_gather_nd
from tinygen.lower.known import lower_broadcast_args, lower_shape, lower_zeros_like
from tinygen.lower.l2norm import lower_l2norm
from tinygen.lower.layer import Layer
from tinygen.lower.log_softmax import lower_log_softmax
from tinygen.lower.lstm import lower_lstm
from tinygen.lower.mean import lower_arg_minmax, lower_mean, lower_reduce_all, lower_reduce_minmax
from tinygen.lower.pieces import (
    lower_embedding_lookup,
    lower_gather,
    lower_pack,
    lower_split,
    lower_split_v,
    lower_unpack,
)
from tinygen.lower.pool import lower_pool
from tinygen.lower.remap import (
    lower_batch_to_space,
    lower_mirror_pad,
    lower_resize_bilinear,
    lower_resize_nearest,
)
from tinygen.lower.shape import (
    lower_broadcast_to,
    lower_concatenation,
    lower_depth_to_space,
    lower_dynamic_update_slice,
    lower_fill,
    lower_pad,
    lower_reverse,
    lower_slice,
    lower_space_to_batch,
    lower_space_to_depth,
    lower_strided_slice,
    lower_transpose,
)
from tinygen.lower.softmax import lower_softmax
from tinygen.lower.state import lower_assign_variable, lower_call_once, lower_read_variable
from tinygen.lower.svdf import lower_svdf
from tinygen.lower.transpose_conv import lower_transpose_conv

Lowering = Callable[[LowerContext, Operator], Layer]

LOWERINGS: dict[str, Lowering] = {
    "CONV_2D": lower_conv,
    "DEPTHWISE_CONV_2D": lower_depthwise,
    "FULLY_CONNECTED": lower_fully_connected,
    "BATCH_MATMUL": lower_batch_matmul,
    "TRANSPOSE_CONV": lower_transpose_conv,
    "UNIDIRECTIONAL_SEQUENCE_LSTM": lower_lstm,
    "AVERAGE_POOL_2D": lower_pool,
    "MAX_POOL_2D": lower_pool,
    "ADD": lower_binary,
    "SUB": lower_binary,
    "MUL": lower_binary,
    "DIV": lower_binary,
    "ADD_N": lower_add_n,
    "CUMSUM": lower_cumsum,
    "MAXIMUM": lower_binary,
    "MINIMUM": lower_binary,
    "SQUARED_DIFFERENCE": lower_binary,
    "PRELU": lower_binary,
    "EQUAL": lower_binary,
    "NOT_EQUAL": lower_binary,
    "LESS": lower_binary,
    "LESS_EQUAL": lower_binary,
    "GREATER": lower_binary,
    "GREATER_EQUAL": lower_binary,
    "SELECT_V2": lower_select_v2,
    "LOGICAL_AND": lower_binary,
    "LOGICAL_OR": lower_binary,
    "LOGICAL_NOT": lower_logical_not,
    "SOFTMAX": lower_softmax,
    "L2_NORMALIZATION": lower_l2norm,
    "LOG_SOFTMAX": lower_log_softmax,
    "LOGISTIC": lower_activation,
    "TANH": lower_activation,
    "HARD_SWISH": lower_activation,
    "LEAKY_RELU": lower_activation,
    "RELU": lower_activation,
    "RELU6": lower_activation,
    "ABS": lower_activation,
    "RSQRT": lower_activation,
    "ELU": lower_activation,
    "QUANTIZE": lower_quantize,
    "DEQUANTIZE": lower_dequantize,
    "CAST": lower_cast,
    "CONCATENATION": lower_concatenation,
    "PAD": lower_pad,
    "PADV2": lower_pad,
    "MIRROR_PAD": lower_mirror_pad,
    "RESIZE_NEAREST_NEIGHBOR": lower_resize_nearest,
    "RESIZE_BILINEAR": lower_resize_bilinear,
    "STRIDED_SLICE": lower_strided_slice,
    "TRANSPOSE": lower_transpose,
    "SLICE": lower_slice,
    "SPACE_TO_DEPTH": lower_space_to_depth,
    "DEPTH_TO_SPACE": lower_depth_to_space,
    "SPACE_TO_BATCH_ND": lower_space_to_batch,
    "BATCH_TO_SPACE_ND": lower_batch_to_space,
    "BROADCAST_TO": lower_broadcast_to,
    "REVERSE_V2": lower_reverse,
    "FILL": lower_fill,
    "ZEROS_LIKE": lower_zeros_like,
    "DYNAMIC_UPDATE_SLICE": lower_dynamic_update_slice,
    "SHAPE": lower_shape,
    "BROADCAST_ARGS": lower_broadcast_args,
    "SPLIT": lower_split,
    "SPLIT_V": lower_split_v,
    "UNPACK": lower_unpack,
    "PACK": lower_pack,
    "GATHER": lower_gather,
    "EMBEDDING_LOOKUP": lower_embedding_lookup,
    "GATHER_ND": lower_gather_nd,
    "MEAN": lower_mean,
    "SUM": lower_mean,
    "REDUCE_MAX": lower_reduce_minmax,
    "REDUCE_MIN": lower_reduce_minmax,
    "REDUCE_ALL": lower_reduce_all,
    "ARG_MAX": lower_arg_minmax,
    "ARG_MIN": lower_arg_minmax,
    "READ_VARIABLE": lower_read_variable,
    "ASSIGN_VARIABLE": lower_assign_variable,
    "CALL_ONCE": lower_call_once,
    "SVDF": lower_svdf,
}


def generated_ops() -> frozenset[str]:
    """Every opcode tinygen emits code for (aliases and VAR_HANDLE emit nothing but are handled), in the types
    tinygen.lower.support names."""
    return frozenset(LOWERINGS) | ALIAS_OPS | HANDLE_OPS
