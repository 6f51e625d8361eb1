"""The kernels' side of the C interface: typed parameter blocks and the rules that pick a kernel for a layer.

Every C struct a kernel takes is rendered from one class in BLOCKS; lowering
(tinygen/lower) fills instances, the specialise stage and `check` read them.
"""

from __future__ import annotations

from tinygen.kernels.activation import ClampParams, LutParams
from tinygen.kernels.add_n import AddNParams
from tinygen.kernels.batch_matmul import BatchMatMulParams, BatchMatMulS16Params
from tinygen.kernels.binary import BinaryParams
from tinygen.kernels.block import ParamBlock
from tinygen.kernels.cast import CastParams
from tinygen.kernels.conv import ConvParams, DepthwiseParams
from tinygen.kernels.cumsum import CumsumParams
from tinygen.kernels.fully_connected import FullyConnectedParams
from tinygen.kernels.gather_nd import GatherNdParams
from tinygen.kernels.int16 import (
    AddS16Params,
    ConvS16Params,
    DepthwiseS16Params,
    FullyConnectedS16Params,
    LeakyReluS16Params,
    RequantizeParams,
    SelectS16Params,
    SigmoidS16Params,
)
from tinygen.kernels.l2norm import L2NormParams
from tinygen.kernels.log_softmax import LogSoftmaxParams
from tinygen.kernels.lstm import LstmGateS8, LstmGateS16, LstmS8Params, LstmS16Params
from tinygen.kernels.mean import ArgMinMaxParams, MeanParams, MeanS16Params, MinMaxParams
from tinygen.kernels.pool import PoolParams, PoolS16Params
from tinygen.kernels.quantize import QuantizeParams
from tinygen.kernels.remap import RemapParams, ResizeBilinearParams
from tinygen.kernels.shape import (
    ConcatenationParams,
    GatherParams,
    PadParams,
    PadS16Params,
    SpaceToBatchParams,
    SplitParams,
    StridedCopyParams,
    StridedCopyS16Params,
    UpdateSliceParams,
    UpdateSliceS16Params,
)
from tinygen.kernels.softmax import SoftmaxParams, SoftmaxS16Params
from tinygen.kernels.state import CallOnceParams, StateCopyParams
from tinygen.kernels.svdf import SvdfParams, SvdfS8Params, SvdfS16Params
from tinygen.kernels.transpose_conv import TransposeConvParams, TransposeConvS16Params
from tinygen.kernels.window import Window

BLOCKS: tuple[type[ParamBlock], ...] = (
    Window, ConvParams, DepthwiseParams, FullyConnectedParams, PoolParams, BinaryParams, LutParams, ClampParams,
    QuantizeParams, SoftmaxParams, MeanParams, ConcatenationParams, StridedCopyParams, PadParams,
    MinMaxParams, ArgMinMaxParams, SplitParams, GatherParams, CastParams,
    FullyConnectedS16Params, ConvS16Params, DepthwiseS16Params, RequantizeParams, AddS16Params,
    SelectS16Params, LeakyReluS16Params,
    TransposeConvParams, RemapParams, StridedCopyS16Params, PadS16Params,
    StateCopyParams, CallOnceParams,
    SvdfParams, SvdfS16Params, SvdfS8Params,
    SpaceToBatchParams, ResizeBilinearParams, UpdateSliceParams, UpdateSliceS16Params,
    LstmGateS8, LstmGateS16, LstmS8Params, LstmS16Params,
    TransposeConvS16Params, SigmoidS16Params, PoolS16Params, SoftmaxS16Params, MeanS16Params,
    BatchMatMulParams, BatchMatMulS16Params, GatherNdParams, L2NormParams, LogSoftmaxParams, AddNParams,
    CumsumParams,
)


def block_named(c_name: str) -> type[ParamBlock]:
    """The block class whose C struct is `c_name` (what a header template renders)."""
    for cls in BLOCKS:
        if cls.C_NAME == c_name:
            return cls
    raise KeyError(f"no parameter block is rendered as {c_name}")
