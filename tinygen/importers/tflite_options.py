"""TFLite builtin options tables -> tinygen's typed attributes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import tflite

from tinygen.ir import attrs as A

_PADDING = {tflite.Padding.SAME: "SAME", tflite.Padding.VALID: "VALID"}
_ACTIVATION = {
    tflite.ActivationFunctionType.NONE: "NONE",
    tflite.ActivationFunctionType.RELU: "RELU",
    tflite.ActivationFunctionType.RELU_N1_TO_1: "RELU_N1_TO_1",
    tflite.ActivationFunctionType.RELU6: "RELU6",
    tflite.ActivationFunctionType.TANH: "TANH",
    tflite.ActivationFunctionType.SIGN_BIT: "SIGN_BIT",
}


def _table(op: tflite.Operator, cls: type) -> Any:
    """The op's options as `cls` (an untyped generated table), or None when the file omits them (defaults apply)."""
    table = op.BuiltinOptions()
    if table is None:
        return None
    opts = cls()
    opts.Init(table.Bytes, table.Pos)
    return opts


def _conv(op: tflite.Operator) -> A.Conv2DAttrs:
    o = _table(op, tflite.Conv2DOptions)
    return A.Conv2DAttrs(
        padding=_PADDING[o.Padding()],
        stride_h=o.StrideH(),
        stride_w=o.StrideW(),
        dilation_h=o.DilationHFactor(),
        dilation_w=o.DilationWFactor(),
        activation=_ACTIVATION[o.FusedActivationFunction()],
        int32_bias=o.QuantizedBiasType() == tflite.TensorType.INT32,
    )


def _depthwise(op: tflite.Operator) -> A.DepthwiseConv2DAttrs:
    o = _table(op, tflite.DepthwiseConv2DOptions)
    return A.DepthwiseConv2DAttrs(
        padding=_PADDING[o.Padding()],
        stride_h=o.StrideH(),
        stride_w=o.StrideW(),
        dilation_h=o.DilationHFactor(),
        dilation_w=o.DilationWFactor(),
        activation=_ACTIVATION[o.FusedActivationFunction()],
        depth_multiplier=o.DepthMultiplier(),
    )


def _fully_connected(op: tflite.Operator) -> A.FullyConnectedAttrs:
    o = _table(op, tflite.FullyConnectedOptions)
    if o is None:
        return A.FullyConnectedAttrs()
    return A.FullyConnectedAttrs(
        activation=_ACTIVATION[o.FusedActivationFunction()], keep_num_dims=bool(o.KeepNumDims()),
        int32_bias=o.QuantizedBiasType() == tflite.TensorType.INT32,
    )


def _transpose_conv(op: tflite.Operator) -> A.Conv2DAttrs:
    """TRANSPOSE_CONV has no dilation; without options the zero strides are refused at import, as TFLite Micro
    leaves them unset."""
    o = _table(op, tflite.TransposeConvOptions)
    if o is None:
        return A.Conv2DAttrs(padding="VALID", stride_h=0, stride_w=0)
    return A.Conv2DAttrs(padding=_PADDING[o.Padding()], stride_h=o.StrideH(), stride_w=o.StrideW(),
                         activation=_ACTIVATION[o.FusedActivationFunction()])


def _pool(op: tflite.Operator) -> A.Pool2DAttrs:
    o = _table(op, tflite.Pool2DOptions)
    return A.Pool2DAttrs(
        padding=_PADDING[o.Padding()],
        stride_h=o.StrideH(),
        stride_w=o.StrideW(),
        filter_h=o.FilterHeight(),
        filter_w=o.FilterWidth(),
        activation=_ACTIVATION[o.FusedActivationFunction()],
    )


def _fused(cls: type) -> Callable[[tflite.Operator], A.ActivationAttrs]:
    def parse(op: tflite.Operator) -> A.ActivationAttrs:
        o = _table(op, cls)
        return A.ActivationAttrs(_ACTIVATION[o.FusedActivationFunction()] if o else "NONE")

    return parse


def _concatenation(op: tflite.Operator) -> A.ConcatenationAttrs:
    o = _table(op, tflite.ConcatenationOptions)
    return A.ConcatenationAttrs(axis=o.Axis(), activation=_ACTIVATION[o.FusedActivationFunction()])


def _softmax(op: tflite.Operator) -> A.SoftmaxAttrs:
    o = _table(op, tflite.SoftmaxOptions)
    return A.SoftmaxAttrs(beta=o.Beta() if o else 1.0)


def _leaky_relu(op: tflite.Operator) -> A.LeakyReluAttrs:
    o = _table(op, tflite.LeakyReluOptions)
    return A.LeakyReluAttrs(alpha=o.Alpha() if o else 0.2)


def _reducer(op: tflite.Operator) -> A.ReducerAttrs:
    o = _table(op, tflite.ReducerOptions)
    return A.ReducerAttrs(keep_dims=bool(o.KeepDims()) if o else False)


def _strided_slice(op: tflite.Operator) -> A.StridedSliceAttrs:
    o = _table(op, tflite.StridedSliceOptions)
    if o is None:
        return A.StridedSliceAttrs()
    return A.StridedSliceAttrs(
        begin_mask=o.BeginMask(),
        end_mask=o.EndMask(),
        ellipsis_mask=o.EllipsisMask(),
        new_axis_mask=o.NewAxisMask(),
        shrink_axis_mask=o.ShrinkAxisMask(),
        offset=bool(o.Offset()),
    )


def _call_once(op: tflite.Operator) -> A.SubgraphCallAttrs:
    o = _table(op, tflite.CallOnceOptions)
    return A.SubgraphCallAttrs((o.InitSubgraphIndex() if o else 0,))


def _var_handle(op: tflite.Operator) -> A.VarHandleAttrs:
    o = _table(op, tflite.VarHandleOptions)
    if o is None:
        return A.VarHandleAttrs()
    return A.VarHandleAttrs(_text(o.Container()), _text(o.SharedName()))


def _text(raw: bytes | None) -> str:
    """A flatbuffer string as text; invalid UTF-8 kept as replacement characters (it is only ever compared)."""
    return raw.decode("utf-8", "replace") if raw else ""


def _while(op: tflite.Operator) -> A.SubgraphCallAttrs:
    o = _table(op, tflite.WhileOptions)
    return A.SubgraphCallAttrs((o.CondSubgraphIndex(), o.BodySubgraphIndex()) if o else (0, 0))


def _if(op: tflite.Operator) -> A.SubgraphCallAttrs:
    o = _table(op, tflite.IfOptions)
    return A.SubgraphCallAttrs((o.ThenSubgraphIndex(), o.ElseSubgraphIndex()) if o else (0, 0))


def _split(cls: type) -> Callable[[tflite.Operator], A.SplitAttrs]:
    def parse(op: tflite.Operator) -> A.SplitAttrs:
        o = _table(op, cls)
        return A.SplitAttrs(num_splits=o.NumSplits() if o else 0)

    return parse


def _pack(op: tflite.Operator) -> A.PackAttrs:
    o = _table(op, tflite.PackOptions)
    return A.PackAttrs(count=o.ValuesCount(), axis=o.Axis()) if o else A.PackAttrs(count=0)


def _unpack(op: tflite.Operator) -> A.PackAttrs:
    o = _table(op, tflite.UnpackOptions)
    return A.PackAttrs(count=o.Num(), axis=o.Axis()) if o else A.PackAttrs(count=0)


def _gather(op: tflite.Operator) -> A.GatherAttrs:
    o = _table(op, tflite.GatherOptions)
    return A.GatherAttrs(axis=o.Axis(), batch_dims=o.BatchDims()) if o else A.GatherAttrs()


def _block_size(cls: type) -> Callable[[tflite.Operator], A.BlockSizeAttrs]:
    def parse(op: tflite.Operator) -> A.BlockSizeAttrs:
        o = _table(op, cls)
        return A.BlockSizeAttrs(block_size=o.BlockSize() if o else 0)

    return parse


def _resize(cls: type) -> Callable[[tflite.Operator], A.ResizeAttrs]:
    def parse(op: tflite.Operator) -> A.ResizeAttrs:
        o = _table(op, cls)
        if o is None:
            return A.ResizeAttrs()
        return A.ResizeAttrs(align_corners=bool(o.AlignCorners()), half_pixel_centers=bool(o.HalfPixelCenters()))

    return parse


def _mirror_pad(op: tflite.Operator) -> A.MirrorPadAttrs:
    o = _table(op, tflite.MirrorPadOptions)
    reflect = o is None or o.Mode() == tflite.MirrorPadMode.REFLECT  # TFLite Micro: anything else repeats the edge
    return A.MirrorPadAttrs("REFLECT" if reflect else "SYMMETRIC")


def _svdf(op: tflite.Operator) -> A.SVDFAttrs:
    """Without options the rank is 0, which the importer refuses (TFLite Micro divides by it)."""
    o = _table(op, tflite.SVDFOptions)
    return A.SVDFAttrs(rank=o.Rank() if o else 0)


def _lstm(op: tflite.Operator) -> A.LstmAttrs:
    o = _table(op, tflite.UnidirectionalSequenceLSTMOptions)
    if o is None:
        return A.LstmAttrs()
    return A.LstmAttrs(activation=_ACTIVATION.get(o.FusedActivationFunction(), "UNKNOWN"), cell_clip=o.CellClip(),
                       time_major=bool(o.TimeMajor()))


def _batch_matmul(op: tflite.Operator) -> A.BatchMatMulAttrs:
    o = _table(op, tflite.BatchMatMulOptions)
    return A.BatchMatMulAttrs(adj_x=bool(o.AdjX()), adj_y=bool(o.AdjY())) if o else A.BatchMatMulAttrs()


def _cumsum(op: tflite.Operator) -> A.CumsumAttrs:
    o = _table(op, tflite.CumsumOptions)
    return A.CumsumAttrs(exclusive=bool(o.Exclusive()), reverse=bool(o.Reverse())) if o else A.CumsumAttrs()


PARSERS: dict[str, Callable[[tflite.Operator], A.Attrs]] = {
    "CONV_2D": _conv,
    "DEPTHWISE_CONV_2D": _depthwise,
    "FULLY_CONNECTED": _fully_connected,
    "TRANSPOSE_CONV": _transpose_conv,
    "AVERAGE_POOL_2D": _pool,
    "MAX_POOL_2D": _pool,
    "ADD": _fused(tflite.AddOptions),
    "SUB": _fused(tflite.SubOptions),
    "MUL": _fused(tflite.MulOptions),
    "DIV": _fused(tflite.DivOptions),
    "L2_NORMALIZATION": _fused(tflite.L2NormOptions),
    "CONCATENATION": _concatenation,
    "SOFTMAX": _softmax,
    "LEAKY_RELU": _leaky_relu,
    "MEAN": _reducer,
    "SUM": _reducer,
    "REDUCE_MAX": _reducer,
    "REDUCE_MIN": _reducer,
    "REDUCE_ALL": _reducer,
    "STRIDED_SLICE": _strided_slice,
    "CALL_ONCE": _call_once,
    "VAR_HANDLE": _var_handle,
    "WHILE": _while,
    "IF": _if,


    "SPLIT": _split(tflite.SplitOptions),
    "SPLIT_V": _split(tflite.SplitVOptions),
    "PACK": _pack,
    "UNPACK": _unpack,
    "GATHER": _gather,
    "SPACE_TO_DEPTH": _block_size(tflite.SpaceToDepthOptions),
    "DEPTH_TO_SPACE": _block_size(tflite.DepthToSpaceOptions),
    "RESIZE_NEAREST_NEIGHBOR": _resize(tflite.ResizeNearestNeighborOptions),
    "RESIZE_BILINEAR": _resize(tflite.ResizeBilinearOptions),
    "MIRROR_PAD": _mirror_pad,
    "SVDF": _svdf,
    "UNIDIRECTIONAL_SEQUENCE_LSTM": _lstm,
    "BATCH_MATMUL": _batch_matmul,
    "CUMSUM": _cumsum,
}


def parse_attrs(opcode: str, op: tflite.Operator) -> A.Attrs:
    """Typed attributes for `opcode`; ops without options (and unknown ops) get NoAttrs."""
    parser = PARSERS.get(opcode)
    return parser(op) if parser else A.NoAttrs()
