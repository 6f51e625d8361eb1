"""Execution order that minimises the peak of live bytes.

Graphs with branches (residual adds, concatenations, parallel towers) can be
run in many topological orders, and their peaks differ. The exact search is a
dynamic programme over the sets of already-executed operators (a state's live
bytes depend only on that set); for chains it has n+1 states. It never builds
more than `max_states` states: it is skipped when k operators ready together
along the file's order (2**k states) already exceed that, and stops the moment
a layer would, falling back to a greedy list scheduler. The file's own order is always
a candidate, so the result is never worse than it. Each state costs its ready
operators, not the graph's size, so a 20,000-operator chain is planned exactly.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from tinygen.plan.lifetimes import Buffer, intervals, live_bytes

MAX_STATES = 100_000


def peak_bytes(bufs: Sequence[Buffer], order: Sequence[int], scratch: Mapping[int, int]) -> int:
    return max(live_bytes(intervals(bufs, order, scratch), len(order)))


def _bits(mask: int) -> Iterator[int]:
    """Indices of the set bits of `mask`, lowest first."""
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


class _Problem:
    """Bitmask view of the schedule: per op, its predecessors, bytes it creates, and buffers it may free."""

    def __init__(self, ops: Sequence[int], preds: Mapping[int, frozenset[int]], bufs: Sequence[Buffer],
                 scratch: Mapping[int, int]) -> None:
        self.ops = list(ops)
        pos = {op: i for i, op in enumerate(self.ops)}
        self.pred = [sum(1 << pos[p] for p in preds.get(op, ()) if p in pos) for op in self.ops]
        self.succ: list[list[int]] = [[] for _ in self.ops]
        for i, op in enumerate(self.ops):
            for p in {pos[p] for p in preds.get(op, ()) if p in pos}:
                self.succ[p].append(i)
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
                for j in _bits(readers):
                    self.freeable[j].append((readers, b.size_bytes))
        self.first_ready = sum(1 << i for i, mask in enumerate(self.pred) if mask == 0)

    def step(self, done: int, live: int, i: int) -> tuple[int, int]:
        """(bytes during op i, live bytes after it) given the executed set `done`."""
        during = live + self.creates[i]
        after_done = done | (1 << i)
        freed = sum(size for readers, size in self.freeable[i] if readers & ~after_done == 0)
        return during, live + self.stays[i] - freed

    def ready_after(self, ready: int, after_done: int, i: int) -> int:
        """The ready set once op i (in `ready`) has run and `after_done` is the executed set."""
        new = sum(1 << s for s in self.succ[i] if self.pred[s] & ~after_done == 0)
        return (ready & ~(1 << i)) | new


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
    exact = _exact(problem, max_states) if 2 ** _widest(problem) <= max_states else None
    candidates.append(exact if exact is not None else _greedy(problem))
    if candidates[0] == candidates[1]:  # the file order is the best found (a chain has no other): no peaks
        return candidates[0]
    return min(candidates, key=lambda order: peak_bytes(bufs, order, scratch))


_Path = tuple[int, "_Path"] | None  # the executed ops, last first: states share their common prefix


def _exact(p: _Problem, max_states: int) -> tuple[int, ...] | None:
    """The optimum, or None as soon as more than `max_states` executed sets would be built."""
    n = len(p.ops)
    # done mask -> (peak, live, ready mask, path)
    layer: dict[int, tuple[int, int, int, _Path]] = {0: (0, p.start_live, p.first_ready, None)}
    seen = 1
    for _ in range(n):
        nxt: dict[int, tuple[int, int, int, _Path]] = {}
        for done, (peak, live, ready, path) in layer.items():
            for i in _bits(ready):
                during, after = p.step(done, live, i)
                key = done | (1 << i)
                old = nxt.get(key)
                if old is None:
                    if seen + len(nxt) >= max_states:
                        return None
                    nxt[key] = (max(peak, during), after, p.ready_after(ready, key, i), (i, path))
                elif max(peak, during) < old[0]:
                    nxt[key] = (max(peak, during), after, old[2], (i, path))
        seen += len(nxt)
        layer = nxt
    (_, _, _, path), = layer.values()
    order = []
    while path is not None:
        i, path = path
        order.append(p.ops[i])
    return tuple(reversed(order))


def _widest(p: _Problem) -> int:
    """The most ops ready together along the file's order: k of them make 2**k executed sets on their own."""
    waiting = [mask.bit_count() for mask in p.pred]
    ready = widest = p.first_ready.bit_count()
    for i in range(len(p.ops)):
        ready -= 1
        for s in p.succ[i]:
            waiting[s] -= 1
            ready += waiting[s] == 0
        widest = max(widest, ready)
    return widest


def _greedy(p: _Problem) -> tuple[int, ...]:
    """The cheapest ready op at each step."""
    done, live, ready, order = 0, p.start_live, p.first_ready, []
    for _ in range(len(p.ops)):
        i = min(_bits(ready), key=lambda j: (*p.step(done, live, j), j))
        _, live = p.step(done, live, i)
        done |= 1 << i
        ready = p.ready_after(ready, done, i)
        order.append(i)
    return tuple(p.ops[i] for i in order)
