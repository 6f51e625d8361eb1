"""tinygen/plan/order.py on graphs small enough to work every step out by hand.

Sizes are bytes; x is the graph input. "s0: x+a = 12" reads: while the op at
step 0 runs, x and a are live, 12 bytes.
"""

from __future__ import annotations

from tests.graphs import chain_graph, dag_graph
from tinygen.ir.graph import Graph
from tinygen.plan.lifetimes import buffers
from tinygen.plan.order import best_order, peak_bytes


def solve(graph: Graph, scratch: dict[int, int] | None = None, max_states: int = 100_000) -> tuple[int, ...]:
    producer = {t: op.index for op in graph.operators for t in op.outputs}
    preds = {op.index: frozenset(producer[t] for t in op.inputs if t in producer) for op in graph.operators}
    ops = [op.index for op in graph.operators]
    return best_order(ops, preds, buffers(graph), scratch or {}, max_states)


def peak(graph: Graph, order: tuple[int, ...], scratch: dict[int, int] | None = None) -> int:
    return peak_bytes(buffers(graph), order, scratch or {})


# x(8) -> a(4) -> b(1) -> c(8); x -> d(2); (c, d) -> e(2)
CHAIN_AND_SIDE = dag_graph([("ADD", (0,), 4), ("ADD", (1,), 1), ("ADD", (2,), 8), ("ADD", (0,), 2),
                            ("ADD", (3, 4), 2)], input_size=8)
# x(8) -> a(4); x -> b(2); (x, a) -> c(2); b -> d(4); (c, d) -> e(4)
TWO_CHAINS = dag_graph([("ADD", (0,), 4), ("ADD", (0,), 2), ("ADD", (0, 1), 2), ("ADD", (2,), 4),
                        ("ADD", (3, 4), 4)], input_size=8)


def test_peak_of_a_chain_is_its_largest_neighbouring_pair():
    # s0: 5+7, s1: 7+3, s2: 3+9
    assert peak(chain_graph([5, 7, 3, 9]), (0, 1, 2)) == 12


def test_exact_order_frees_the_input_before_the_large_tensor():
    # file order (0,1,2,3,4): s0 x+a=12, s1 x+a+b=13, s2 x+b+c=17, s3 x+c+d=18, s4 c+d+e=12 -> 18
    # (0,1,3,2,4):            s0 12,     s1 13,       s2 x+b+d=11, s3 b+c+d=11, s4 12        -> 13
    assert peak(CHAIN_AND_SIDE, (0, 1, 2, 3, 4)) == 18
    order = solve(CHAIN_AND_SIDE)
    assert order == (0, 1, 3, 2, 4)
    assert peak(CHAIN_AND_SIDE, order) == 13


def test_past_the_state_cap_greedy_takes_the_cheapest_step_first():
    # The programme's states are the executed sets: the 4 prefixes of a->b->c (the empty one included),
    # each with or without d, plus all five ops: 9. A cap of 9 stays exact, 8 falls back.
    assert solve(CHAIN_AND_SIDE, max_states=9) == (0, 1, 3, 2, 4)
    # With 8, greedy runs d first (s0: x+d = 10 beats x+a = 12) and then holds d through the chain:
    # s1 x+d+a=14, s2 a+b+d=7, s3 b+c+d=11, s4 12 -> 14, between the file's 18 and the optimum 13.
    order = solve(CHAIN_AND_SIDE, max_states=8)
    assert order == (3, 0, 1, 2, 4)
    assert peak(CHAIN_AND_SIDE, order) == 14


def test_past_the_state_cap_the_file_order_wins_when_greedy_is_worse():
    # optimum (0,2,1,3,4): s0 x+a=12, s1 x+a+c=14, s2 x+c+b=12, s3 b+c+d=8, s4 c+d+e=10 -> 14
    # greedy  (1,3,0,2,4): s0 x+b=10, s1 x+b+d=14, s2 x+d+a=16, s3 x+a+d+c=18, s4 10     -> 18
    # file    (0,1,2,3,4): s0 12, s1 x+a+b=14, s2 x+a+b+c=16, s3 b+c+d=8, s4 10          -> 16
    assert solve(TWO_CHAINS) == (0, 2, 1, 3, 4)
    assert peak(TWO_CHAINS, (1, 3, 0, 2, 4)) == 18
    # states: 3 prefixes of a->c times 3 of b->d, plus all five ops: 10
    assert solve(TWO_CHAINS, max_states=10) == (0, 2, 1, 3, 4)
    assert solve(TWO_CHAINS, max_states=9) == (0, 1, 2, 3, 4)


def test_scratch_counts_during_its_op():
    # 6 bytes of scratch on b's op make s1 of (0,1,3,2,4) x+a+b+6 = 19; running d earlier keeps the peak at 14:
    # (0,3,1,2,4): s0 x+a=12, s1 x+a+d=14, s2 a+b+d+6=13, s3 b+c+d=11, s4 12
    scratch = {1: 6}
    assert peak(CHAIN_AND_SIDE, (0, 1, 3, 2, 4), scratch) == 19
    assert peak(CHAIN_AND_SIDE, solve(CHAIN_AND_SIDE, scratch), scratch) == 14


def test_a_2000_op_chain_has_one_order_exact_or_past_the_cap():
    # 2,001 executed sets: within the default cap the exact search runs; with a cap of 1,000 it stops midway
    sizes = [(i * 37) % 200 + 1 for i in range(2001)]
    graph = chain_graph(sizes)
    assert solve(graph) == solve(graph, max_states=1_000) == tuple(range(2000))


def test_a_wide_fan_out_falls_back_to_greedy_which_finishes_each_branch():
    # x(5) -> a_i -> b_i for 40 branches, all b_i joined by one op: 3**40 executed sets, so no exact search.
    # Greedy starts the branch with the smallest a_i (ties: lowest index) and finishes it at once, since b_i
    # frees a_i. While a_k runs, x, the finished b's and a_k are live; while b_k runs, also b_k, and x only
    # if a branch is still to start (the last a frees it).
    n = 40
    a = [100 + (i * 7) % 13 for i in range(n)]
    b = [1 + i % 3 for i in range(n)]
    spec = [("ADD", (0,), a[i]) for i in range(n)] + [("ADD", (1 + i,), b[i]) for i in range(n)]
    spec.append(("ADD", tuple(n + 1 + i for i in range(n)), 4))
    graph = dag_graph(spec, input_size=5)
    order = solve(graph)
    branches = sorted(range(n), key=lambda i: (a[i], i))
    assert order == tuple(op for i in branches for op in (i, n + i)) + (2 * n,)
    finished, want = 0, 0
    for k, i in enumerate(branches):
        x = 5 if k < n - 1 else 0
        want = max(want, 5 + finished + a[i], x + finished + a[i] + b[i])
        finished += b[i]
    assert peak(graph, order) == max(want, finished + 4)  # the join: every b and its output
