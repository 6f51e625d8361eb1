"""In-place operators: an op whose input dies at it writes its output over that input.

Three kernels can do so, two through a small temporary (templates/kernels):
- DEPTHWISE_CONV_2D with depth multiplier 1 works a group of channels at a
  time: the group's output planes go to a temporary, then into the group's
  slots, whose inputs no later group reads. The generic kernel's group is one
  channel (a temporary of out_h*out_w bytes); the DSP kernel's is four (its
  word of four channels) when the channels are a multiple of 4;
- a 1×1, stride-1 CONV_2D with out_c <= in_c works pixel by pixel through a
  temporary of out_c bytes (the DSP and Helium kernels: blocks of four pixels,
  4*out_c bytes): pixel p's output never reaches past pixel p's input;
- ADD of same-shape tensors reads each element before writing it (no temporary).

The merged buffer keeps the larger size until the output dies, so an op that
shrinks its tensor can *raise* live bytes at later steps. Each candidate is
therefore kept only if it lowers the peak of live bytes, or keeps the peak and
does not raise the total. Graph inputs (callers may reuse them) and outputs are
never overwritten.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from tinygen.ir.attrs import Conv2DAttrs, DepthwiseConv2DAttrs
from tinygen.ir.graph import Graph, Operator
from tinygen.plan.lifetimes import Buffer, intervals, live_bytes

PASSES = 3  # an op can start to pay off once a later one is in place (a projection before its ADD)


def kernel_temp_bytes(opcode: str, in_c: int, out_h: int, out_w: int, out_c: int, dsp_kernels: bool) -> int:
    """The temporary an in-place DEPTHWISE_CONV_2D or 1x1 CONV_2D of these shapes works through: one channel
    plane or one pixel for the generic kernels, four for the specialised ones (`dsp_kernels`)."""
    if opcode == "DEPTHWISE_CONV_2D":
        return (4 if dsp_kernels and in_c % 4 == 0 else 1) * out_h * out_w
    return (4 if dsp_kernels else 1) * out_c


def temp_bytes(graph: Graph, op: Operator, dsp_kernels: bool = False) -> int | None:
    """The temporary `op` needs to run in place over its first input, or None if its kernel cannot.
    `dsp_kernels`: the board runs the specialised kernels (tinygen/kernels/choice.py), whose wider
    temporaries are planned instead; on other boards they would only cost SRAM."""
    if op.opcode not in ("CONV_2D", "DEPTHWISE_CONV_2D"):
        return None
    x, y = graph.tensor(op.inputs[0]), graph.tensor(op.outputs[0])
    if len(x.shape) != 4 or len(y.shape) != 4 or x.is_constant or x.dtype != "int8" or y.dtype != "int8":
        return None
    _, _, _, in_c = x.shape
    _, out_h, out_w, out_c = y.shape
    temp = kernel_temp_bytes(op.opcode, in_c, out_h, out_w, out_c, dsp_kernels)
    if op.opcode == "DEPTHWISE_CONV_2D":
        if op.attrs_of(DepthwiseConv2DAttrs).depth_multiplier == 1 and in_c == out_c >= 2:
            return temp if y.size_bytes <= x.size_bytes else None
        return None
    if op.opcode == "CONV_2D":
        k_h, k_w = graph.tensor(op.inputs[1]).shape[1:3]
        a = op.attrs_of(Conv2DAttrs)
        same_grid = x.shape[1:3] == y.shape[1:3] and (a.stride_h, a.stride_w) == (1, 1)
        if (k_h, k_w) == (1, 1) and same_grid and out_c <= in_c and in_c >= 2:
            return temp
    return None


def _candidates(graph: Graph, op: Operator, dsp_kernels: bool) -> list[tuple[int, int]]:
    """(input tensor to overwrite, temporary bytes) pairs for `op`."""
    if op.opcode == "ADD":
        y = graph.tensor(op.outputs[0])
        return [(t, 0) for t in op.inputs
                if not graph.tensor(t).is_constant and graph.tensor(t).shape == y.shape and y.dtype == "int8"]
    temp = temp_bytes(graph, op, dsp_kernels)
    return [] if temp is None else [(op.inputs[0], temp)]


def _cost(bufs: Sequence[Buffer], order: Sequence[int], scratch: Mapping[int, int]) -> tuple[int, int]:
    live = live_bytes(intervals(bufs, order, scratch), len(order))
    return max(live), sum(live)


def _try(graph: Graph, bufs: tuple[Buffer, ...], scratch: dict[int, int], step: dict[int, int], index: int,
         dsp_kernels: bool) -> tuple[tuple[Buffer, ...], dict[int, int]] | None:
    """Buffers and scratch with op `index` in place over the first input that allows it, or None."""
    op = graph.operators[index]
    candidates = _candidates(graph, op, dsp_kernels)
    if not candidates:  # most ops: skip the owner map, which costs the whole graph
        return None
    owner = {t: b for b in bufs for t in b.tensors}
    for tensor, temp in candidates:
        src, dst = owner.get(tensor), owner.get(op.outputs[0])
        if src is None or dst is None or src.id == dst.id or src.producer is None or src.is_output:
            continue
        if any(step[r] > step[index] for r in src.readers):
            continue
        merged = replace(src, tensors=src.tensors + dst.tensors, size_bytes=max(src.size_bytes, dst.size_bytes),
                         readers=dst.readers | {index}, is_output=dst.is_output)
        trial = tuple(merged if b.id == src.id else b for b in bufs if b.id != dst.id)
        return trial, ({**scratch, index: temp} if temp else scratch)
    return None


def apply_inplace(
    graph: Graph, bufs: Sequence[Buffer], order: Sequence[int], skip: frozenset[int] = frozenset(),
    dsp_kernels: bool = False,
) -> tuple[tuple[Buffer, ...], dict[int, int], tuple[int, ...]]:
    """Merge each eligible op's output buffer into its input buffer where that helps.

    Returns the new buffers, the temporaries as per-op scratch, and the in-place ops.
    """
    step = {op: s for s, op in enumerate(order)}
    current = tuple(bufs)
    scratch: dict[int, int] = {}
    done: list[int] = []
    cost = _cost(current, order, scratch)
    for _ in range(PASSES):
        before = len(done)
        for index in order:
            if index in skip or index in done:
                continue
            trial = _try(graph, current, scratch, step, index, dsp_kernels)
            if trial is not None:
                trial_cost = _cost(trial[0], order, trial[1])
                if trial_cost[0] < cost[0] or (trial_cost[0] == cost[0] and trial_cost[1] <= cost[1]):
                    (current, scratch), cost = trial, trial_cost
                    done.append(index)
        if len(done) == before:
            break
    return current, scratch, tuple(done)
