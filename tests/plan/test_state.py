"""The state region: every variable placed once, aligned, apart from the others and outside the arena."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tinygen.ir.attrs import Attrs, NoAttrs, VarHandleAttrs
from tinygen.ir.graph import Graph, Operator, Quant, Tensor
from tinygen.plan.memory import plan_memory


def _streaming(sizes: list[int], zero_points: list[int], variable_tensors: list[int]) -> Graph:
    """Per resource k: VAR_HANDLE -> READ_VARIABLE -> ADD with the input -> ASSIGN_VARIABLE; plus variable tensors
    (an SVDF's state) read by one more op each."""
    tensors: list[Tensor] = [Tensor(0, "x", (4,), "int8")]
    ops: list[Operator] = []

    def add(t: Tensor) -> int:
        tensors.append(Tensor(len(tensors), t.name, t.shape, t.dtype, t.quant, variable=t.variable))
        return len(tensors) - 1

    def op(opcode: str, ins: tuple[int, ...], outs: tuple[int, ...] = (), attrs: Attrs | None = None) -> None:
        ops.append(Operator(len(ops), opcode, ins, outs, attrs or NoAttrs()))

    last = 0
    for k, (size, zp) in enumerate(zip(sizes, zero_points, strict=True)):
        handle = add(Tensor(0, "h", (), "resource"))
        op("VAR_HANDLE", (), (handle,), VarHandleAttrs("", f"v{k}"))
        read = add(Tensor(0, "r", (size,), "int8", Quant((0.5,), (zp,))))
        op("READ_VARIABLE", (handle,), (read,))
        op("ASSIGN_VARIABLE", (handle, read))
        out = add(Tensor(0, "y", (4,), "int8"))
        op("ADD", (last, read), (out,))
        last = out
    for size in variable_tensors:
        state = add(Tensor(0, "s", (size,), "int16", variable=True))
        out = add(Tensor(0, "y", (4,), "int8"))
        op("ADD", (last, state), (out,))  # as an SVDF reads its state (its own scratch aside)
        last = out
    return Graph("streaming", tuple(tensors), tuple(ops), (0,), (last,))


@given(sizes=st.lists(st.integers(1, 40), max_size=4), data=st.data(),
       variable_tensors=st.lists(st.integers(1, 40), max_size=3), alignment=st.sampled_from([4, 8, 16]))
def test_slots_are_disjoint_aligned_and_never_in_the_arena(sizes: list[int], data: st.DataObject,
                                                           variable_tensors: list[int], alignment: int) -> None:
    zero_points = data.draw(st.lists(st.integers(-128, 127), min_size=len(sizes), max_size=len(sizes)))
    graph = _streaming(sizes, zero_points, variable_tensors)
    plan = plan_memory(graph, alignment)
    slots = sorted(plan.state.slots, key=lambda s: s.offset_bytes)
    assert [s.size_bytes for s in slots if s.resource] == sizes
    assert [s.size_bytes for s in slots if s.tensor is not None] == [2 * n for n in variable_tensors]
    assert [s.reset_byte for s in slots if s.resource] == [zp & 0xFF for zp in zero_points]
    assert all(s.reset_byte == 0 for s in slots if s.tensor is not None)  # int16 state resets to 0
    for a, b in zip(slots, slots[1:], strict=False):
        assert a.offset_bytes + a.size_bytes <= b.offset_bytes
    assert all(s.offset_bytes % alignment == 0 for s in slots)
    assert plan.state.state_bytes >= (slots[-1].offset_bytes + slots[-1].size_bytes if slots else 0)
    in_arena = {t for p in plan.placements for t in p.tensors}
    assert not in_arena & {t.index for t in graph.tensors if t.variable or t.dtype == "resource"}


def test_state_ops_keep_the_file_order() -> None:
    """A READ_VARIABLE of a variable assigned later in the file must run before that ASSIGN_VARIABLE, though no
    tensor says so. Here the planner would rather run the ASSIGN first: it frees the big input before the read
    and its sum are live (a peak of 128 B instead of 192 B)."""
    tensors = (Tensor(0, "x", (64,), "int8"), Tensor(1, "h", (), "resource"), Tensor(2, "r", (64,), "int8"),
               Tensor(3, "y", (64,), "int8"))
    ops = (Operator(0, "VAR_HANDLE", (), (1,), VarHandleAttrs("", "v")),
           Operator(1, "READ_VARIABLE", (1,), (2,), NoAttrs()), Operator(2, "ADD", (2, 2), (3,), NoAttrs()),
           Operator(3, "ASSIGN_VARIABLE", (1, 0), (), NoAttrs()))
    graph = Graph("read then assign", tensors, ops, (0,), (3,))
    order = plan_memory(graph, 16).order
    touching = [i for i in order if graph.operators[i].opcode in ("READ_VARIABLE", "ASSIGN_VARIABLE")]
    assert touching == sorted(touching)
