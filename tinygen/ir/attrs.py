"""Typed operator attributes, one dataclass per attribute shape (not dicts: typos fail loudly)."""

from __future__ import annotations

from dataclasses import dataclass

ACTIVATIONS = ("NONE", "RELU", "RELU_N1_TO_1", "RELU6", "TANH", "SIGN_BIT")


@dataclass(frozen=True)
class NoAttrs:
    pass


@dataclass(frozen=True)
class Conv2DAttrs:
    padding: str  # "SAME" | "VALID"
    stride_h: int
    stride_w: int
    dilation_h: int = 1
    dilation_w: int = 1
    activation: str = "NONE"
    int32_bias: bool = False  # quantized_bias_type INT32: a 16x8 layer with no bias accumulates in 32 bits


@dataclass(frozen=True)
class DepthwiseConv2DAttrs(Conv2DAttrs):
    depth_multiplier: int = 1


@dataclass(frozen=True)
class FullyConnectedAttrs:
    activation: str = "NONE"
    keep_num_dims: bool = False
    int32_bias: bool = False  # quantized_bias_type INT32: a 16x8 layer with no bias accumulates in 32 bits


@dataclass(frozen=True)
class Pool2DAttrs:
    padding: str
    stride_h: int
    stride_w: int
    filter_h: int
    filter_w: int
    activation: str = "NONE"


@dataclass(frozen=True)
class ActivationAttrs:
    """Elementwise binary ops (ADD, SUB, MUL) carry only a fused activation."""

    activation: str = "NONE"


@dataclass(frozen=True)
class ConcatenationAttrs:
    axis: int
    activation: str = "NONE"


@dataclass(frozen=True)
class SoftmaxAttrs:
    beta: float = 1.0


@dataclass(frozen=True)
class LeakyReluAttrs:
    alpha: float


@dataclass(frozen=True)
class ReducerAttrs:
    keep_dims: bool


@dataclass(frozen=True)
class StridedSliceAttrs:
    begin_mask: int = 0
    end_mask: int = 0
    ellipsis_mask: int = 0
    new_axis_mask: int = 0
    shrink_axis_mask: int = 0
    offset: bool = False


@dataclass(frozen=True)
class SubgraphCallAttrs:
    """CALL_ONCE (init), WHILE (cond, body), IF (then, else): the file indices of the subgraphs the op runs."""

    subgraphs: tuple[int, ...]


@dataclass(frozen=True)
class VarHandleAttrs:
    """VAR_HANDLE: the resource variable it names; every handle with the same pair, in any subgraph, is the same
    variable (TFLite Micro's CreateIdIfNoneFound). Model text: a key, never emitted."""

    container: str = ""
    shared_name: str = ""


@dataclass(frozen=True)
class SplitAttrs:
    """SPLIT and SPLIT_V: how many outputs the file says the input is cut into."""

    num_splits: int


@dataclass(frozen=True)
class PackAttrs:
    """PACK (values_count inputs stacked) and UNPACK (num outputs) along a new or removed axis."""

    count: int
    axis: int = 0


@dataclass(frozen=True)
class GatherAttrs:
    axis: int = 0
    batch_dims: int = 0


@dataclass(frozen=True)
class BlockSizeAttrs:
    """SPACE_TO_DEPTH and DEPTH_TO_SPACE."""

    block_size: int


@dataclass(frozen=True)
class ResizeAttrs:
    """RESIZE_NEAREST_NEIGHBOR and RESIZE_BILINEAR: how an output pixel's sources are found."""

    align_corners: bool = False
    half_pixel_centers: bool = False


@dataclass(frozen=True)
class MirrorPadAttrs:
    mode: str = "REFLECT"  # "REFLECT" (edge not repeated) | "SYMMETRIC" (edge repeated)


@dataclass(frozen=True)
class SVDFAttrs:
    """SVDF: `rank` filters per output unit (its fused activation is not kept: TFLite Micro's integer kernel
    ignores it, applying it in float only)."""

    rank: int


@dataclass(frozen=True)
class LstmAttrs:
    """UNIDIRECTIONAL_SEQUENCE_LSTM: the cell gate's activation (TFLite Micro takes TANH only from a file),
    the cell state's clip (0: none) and the input's layout ([time, batch, features] when time_major)."""

    activation: str = "NONE"
    cell_clip: float = 0.0
    time_major: bool = False


@dataclass(frozen=True)
class BatchMatMulAttrs:
    """BATCH_MATMUL: adj_x/adj_y read the lhs/rhs with their last two axes swapped."""

    adj_x: bool = False
    adj_y: bool = False


@dataclass(frozen=True)
class CumsumAttrs:
    """CUMSUM: exclusive leaves each element out of its own sum; reverse sums from the end of the axis."""

    exclusive: bool = False
    reverse: bool = False


Attrs = (
    NoAttrs
    | Conv2DAttrs
    | DepthwiseConv2DAttrs
    | FullyConnectedAttrs
    | Pool2DAttrs
    | ActivationAttrs
    | ConcatenationAttrs
    | SoftmaxAttrs
    | LeakyReluAttrs
    | ReducerAttrs
    | StridedSliceAttrs
    | SubgraphCallAttrs
    | VarHandleAttrs
    | SplitAttrs
    | PackAttrs
    | GatherAttrs
    | BlockSizeAttrs
    | ResizeAttrs
    | MirrorPadAttrs
    | SVDFAttrs
    | LstmAttrs
    | BatchMatMulAttrs
    | CumsumAttrs
)
