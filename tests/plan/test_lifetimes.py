"""tinygen/plan/lifetimes.py on one hand-built graph: aliases, graph inputs and outputs, scratch.

    x(100) --op0 ADD--> a(200) --op1 RESHAPE--> a2 --op5 RESHAPE--> a3 (read by no one)
    x --op2 ADD--> c(30);  (a2, c) --op3 ADD--> d(40), an output;  c --op4 ADD--> e(8), an output
    x --op6 ADD--> f(12), read by no one and not an output

Tensor i+1 is op i's output; each op also reads a constant weight, which is never a buffer.
"""

from __future__ import annotations

from dataclasses import replace

from tests.graphs import dag_graph
from tinygen.ir.graph import Tensor
from tinygen.plan.lifetimes import Buffer, Interval, buffers, intervals, live_bytes

X, A, A2, C, D, E, A3, F = 0, 1, 2, 3, 4, 5, 6, 7
GRAPH = dag_graph(
    [("ADD", (X,), 200), ("RESHAPE", (A,), 200), ("ADD", (X,), 30), ("ADD", (A2, C), 40), ("ADD", (C,), 8),
     ("RESHAPE", (A2,), 200), ("ADD", (X,), 12)],
    input_size=100, outputs=(D, E),
)
SCRATCH = {2: 64, 4: 0}  # op 2 needs 64 bytes while it runs; op 4's zero bytes are no buffer


def test_buffers_follow_aliases_and_skip_constants():
    assert buffers(GRAPH) == (
        Buffer(X, (X,), 100, None, frozenset({0, 2, 6}), False),
        Buffer(A, (A, A2, A3), 200, 0, frozenset({1, 3, 5}), False),  # a RESHAPE of a RESHAPE: one storage
        Buffer(C, (C,), 30, 2, frozenset({3, 4}), False),
        Buffer(D, (D,), 40, 3, frozenset(), True),
        Buffer(E, (E,), 8, 4, frozenset(), True),
        Buffer(F, (F,), 12, 6, frozenset(), False),
    )


def test_a_tensor_nothing_touches_is_no_buffer():
    stray = Tensor(len(GRAPH.tensors), "stray", (5,), "int8")
    assert buffers(replace(GRAPH, tensors=GRAPH.tensors + (stray,))) == buffers(GRAPH)


def test_intervals_in_file_order():
    # outputs live to the last step; f dies at its own step; the scratch buffer takes the next free id
    assert intervals(buffers(GRAPH), range(7), SCRATCH) == [
        Interval(X, 100, 0, 6), Interval(A, 200, 0, 5), Interval(C, 30, 2, 4), Interval(D, 40, 3, 6),
        Interval(E, 8, 4, 6), Interval(F, 12, 6, 6), Interval(8, 64, 2, 2),
    ]


def test_intervals_follow_the_order():
    # order (2, 4, 6, 0, 1, 3, 5): c, e and f first, then op 0 (x's last reader), then the a chain
    assert intervals(buffers(GRAPH), (2, 4, 6, 0, 1, 3, 5), SCRATCH) == [
        Interval(X, 100, 0, 3), Interval(A, 200, 3, 6), Interval(C, 30, 0, 5), Interval(D, 40, 5, 6),
        Interval(E, 8, 1, 6), Interval(F, 12, 2, 2), Interval(8, 64, 0, 0),
    ]


def test_live_bytes_per_step():
    ivs = intervals(buffers(GRAPH), range(7), SCRATCH)
    # s0 x+a, s1 x+a, s2 x+a+c+64, s3 x+a+c+d, s4 x+a+c+d+e, s5 x+a+d+e, s6 x+d+e+f
    assert live_bytes(ivs, 7) == [300, 300, 394, 370, 378, 348, 160]
    assert live_bytes([], 0) == [0]


def test_a_graph_input_read_by_a_reshape_keeps_its_life_from_step_zero():
    graph = dag_graph([("ADD", (0,), 50), ("RESHAPE", (0,), 10)], input_size=10, outputs=(2,))
    (x, y) = buffers(graph)
    assert (x.tensors, x.producer, x.is_output) == ((0, 2), None, True)
    assert intervals((x, y), (0, 1)) == [Interval(0, 10, 0, 1), Interval(1, 50, 0, 0)]


def test_overlap_is_inclusive_at_both_ends():
    assert Interval(0, 1, 0, 2).overlaps(Interval(1, 1, 2, 3))
    assert not Interval(0, 1, 0, 1).overlaps(Interval(1, 1, 2, 3))
