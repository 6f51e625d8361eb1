"""Execution order that minimises the peak of live bytes.

Graphs with branches (residual adds, concatenations, parallel towers) can be
run in many topological orders, and their peaks differ. The exact search is a
dynamic programme over the sets of already-executed operators (a state's live
bytes depend only on that set); for chains it has n+1 states. Past
`max_states` it falls back to a greedy list scheduler, and the file's own
order is always a candidate, so the result is never worse than it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from tinygen.plan.lifetimes import Buffer, intervals, live_bytes

MAX_STATES = 100_000


def peak_bytes(bufs: Sequence[Buffer], order: Sequence[int], scratch: Mapping[int, int]) -> int:
    return max(live_bytes(intervals(bufs, order, scratch), len(order)))


class _Problem:
    """Bitmask view of the schedule: per op, its predecessors, bytes it creates, and buffers it may free."""

    def __init__(self, ops: Sequence[int], preds: Mapping[int, frozenset[int]], bufs: Sequence[Buffer],
                 scratch: Mapping[int, int]) -> None:
        self.ops = list(ops)
        pos = {op: i for i, op in enumerate(self.ops)}
        self.pred = [sum(1 << pos[p] for p in preds.get(op, ()) if p in pos) for op in self.ops]
        self.creates = [scratch.get(op, 0) for op in self.ops]
        self.stays = [0] * len(self.ops)  # created bytes still live after the op
        self.freeable: list[list[tuple[int, int]]] = [[] for _ in self.ops]  # (readers mask, size)
        self.start_live = 0
        for b in bufs:
            readers = sum(1 << pos[r] for r in b.readers if r in pos)
            if b.producer is None:
                self.start_live += b.size_bytes if (readers or b.is_output) else 0
            else:
                i = pos[b.producer]
                self.creates[i] += b.size_bytes
                if readers or b.is_output:
                    self.stays[i] += b.size_bytes
            if not b.is_output and readers:
                for j in range(len(self.ops)):
                    if readers >> j & 1:
                        self.freeable[j].append((readers, b.size_bytes))

    def step(self, done: int, live: int, i: int) -> tuple[int, int]:
        """(bytes during op i, live bytes after it) given the executed set `done`."""
        during = live + self.creates[i]
        after_done = done | (1 << i)
        freed = sum(size for readers, size in self.freeable[i] if readers & ~after_done == 0)
        return during, live + self.stays[i] - freed

    def ready(self, done: int) -> Iterator[int]:
        for i in range(len(self.ops)):
            if not done >> i & 1 and self.pred[i] & ~done == 0:
                yield i


def best_order(
    ops: Sequence[int],
    preds: Mapping[int, frozenset[int]],
    bufs: Sequence[Buffer],
    scratch: Mapping[int, int] | None = None,
    max_states: int = MAX_STATES,
) -> tuple[int, ...]:
    """A topological order of `ops` with the lowest peak found (exact when the state space is small)."""
    scratch = scratch or {}
    problem = _Problem(ops, preds, bufs, scratch)
    candidates = [tuple(ops)]
    exact = _exact(problem, max_states)
    candidates.append(exact if exact is not None else _greedy(problem))
    return min(candidates, key=lambda order: peak_bytes(bufs, order, scratch))


def _exact(p: _Problem, max_states: int) -> tuple[int, ...] | None:
    n = len(p.ops)
    layer: dict[int, tuple[int, int, tuple[int, ...]]] = {0: (0, p.start_live, ())}  # done mask -> (peak, live, order)
    seen = 1
    for _ in range(n):
        nxt: dict[int, tuple[int, int, tuple[int, ...]]] = {}
        for done, (peak, live, order) in layer.items():
            for i in p.ready(done):
                during, after = p.step(done, live, i)
                cand = (max(peak, during), after, order + (i,))
                key = done | (1 << i)
                if key not in nxt or cand[:1] < nxt[key][:1]:
                    nxt[key] = cand
        seen += len(nxt)
        if seen > max_states:
            return None
        layer = nxt
    (_, _, order), = layer.values()
    return tuple(p.ops[i] for i in order)


def _greedy(p: _Problem) -> tuple[int, ...]:
    done, live, order = 0, p.start_live, []
    for _ in range(len(p.ops)):
        i = min(p.ready(done), key=lambda j: (*p.step(done, live, j), j))
        _, live = p.step(done, live, i)
        done |= 1 << i
        order.append(i)
    return tuple(p.ops[i] for i in order)
