"""Test-side references for the planner, written from the definitions and not from tinygen/plan.

Small enough to be checked by reading: lifetimes straight from the graph, every
topological order, an exact minimum arena by exhaustive placement, and a
validity check of any placement. Nothing here imports the planner.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from tinygen.ir.graph import Graph

RELABELLING_OPS = ("RESHAPE", "SQUEEZE", "EXPAND_DIMS")  # README "Memory planning": outputs alias their input
Key = int | tuple[str, int]  # a storage (its first tensor) or ("scratch", op)


@dataclass(frozen=True)
class Life:
    """`size` bytes held from step `first` to step `last`, inclusive; `key` names a storage or ("scratch", op)."""

    key: Key
    size: int
    first: int
    last: int


def storage_of(graph: Graph) -> dict[int, int]:
    """Non-constant tensor -> the tensor whose storage it uses (itself unless a relabelling op's output)."""
    root: dict[int, int] = {}
    for t in graph.tensors:
        if not t.is_constant:
            root[t.index] = t.index
    for op in graph.operators:  # file order is a topological order, so a chain resolves front to back
        if op.opcode in RELABELLING_OPS and op.inputs[0] in root:
            root[op.outputs[0]] = root[op.inputs[0]]
    return root


def lives(graph: Graph, order: Sequence[int], scratch: Mapping[int, int] | None = None) -> list[Life]:
    """Every storage and scratch buffer's life when the ops run in `order`.

    A storage lives from the step that writes it (step 0 for a graph input) to the
    last step that reads any tensor in it, or to the end if any is a graph output;
    a scratch buffer lives during its op only.
    """
    step = {op: s for s, op in enumerate(order)}
    end = len(order) - 1
    root = storage_of(graph)
    span: dict[int, list[int]] = {t: [0, 0] for t in graph.inputs}
    for op in graph.operators:
        for t in op.outputs:
            if root[t] == t:  # a relabelling op's output is written by its storage's own producer
                span[t] = [step[op.index], step[op.index]]
    for op in graph.operators:
        for t in op.inputs:
            if t in root:
                first_last = span[root[t]]
                first_last[1] = max(first_last[1], step[op.index])
    for t in graph.outputs:
        span[root[t]][1] = end
    result = [Life(r, graph.tensor(r).size_bytes, f, last) for r, (f, last) in sorted(span.items())]
    result += [Life(("scratch", op), size, step[op], step[op]) for op, size in sorted((scratch or {}).items()) if size]
    return result


def peak(ls: Sequence[Life]) -> int:
    """Max over steps of the bytes live at that step."""
    steps = range(max((life.last for life in ls), default=0) + 1)
    return max(sum(life.size for life in ls if life.first <= s <= life.last) for s in steps)


def topological_orders(graph: Graph) -> Iterator[tuple[int, ...]]:
    """Every order of the operators in which each op runs after the producers of its inputs."""
    needs = _needs(graph)

    def extend(prefix: tuple[int, ...], done: frozenset[int]) -> Iterator[tuple[int, ...]]:
        if len(prefix) == len(needs):
            yield prefix
        for op in needs:
            if op not in done and needs[op] <= done:
                yield from extend(prefix + (op,), done | {op})

    return extend((), frozenset())


def _needs(graph: Graph) -> dict[int, set[int]]:
    producer = {t: op.index for op in graph.operators for t in op.outputs}
    return {op.index: {producer[t] for t in op.inputs if t in producer} for op in graph.operators}


def min_peak(graph: Graph, scratch: Mapping[int, int] | None = None) -> int:
    """The lowest peak of live bytes over every topological order.

    Walks the same tree of orders as `topological_orders`, but adds up a step's live
    bytes as it goes and leaves a branch once its peak so far reaches the best full
    order found: a longer prefix never has a lower peak, so nothing better is lost.
    While op `op` runs after the set `done`, a storage is live if it is already
    written (a graph input, or its producer is in `done` or is `op`) and not yet
    dead (a graph output, written by `op`, read by some op not in `done`, or it is
    step 0, when every graph input is live).
    """
    scratch = scratch or {}
    needs = _needs(graph)
    root = storage_of(graph)
    writer = {t: op.index for op in graph.operators for t in op.outputs if root[t] == t}
    readers: dict[int, set[int]] = {r: set() for r in set(root.values())}
    for op in graph.operators:
        for t in op.inputs:
            if t in root:
                readers[root[t]].add(op.index)
    kept = {root[t] for t in graph.outputs}
    inputs = {root[t] for t in graph.inputs}
    best = sum(graph.tensor(r).size_bytes for r in readers) + sum(scratch.values())  # everything at once

    def live(done: frozenset[int], op: int) -> int:
        held = 0
        for r in readers:
            written = r in inputs or writer.get(r) in done or writer.get(r) == op
            dead = not (r in kept or writer.get(r) == op or readers[r] - done or not done)
            held += graph.tensor(r).size_bytes if written and not dead else 0
        return held + scratch.get(op, 0)

    def walk(done: frozenset[int], top: int) -> None:
        nonlocal best
        if len(done) == len(needs):
            best = min(best, top)
            return
        for op in needs:
            if op not in done and needs[op] <= done:
                step_top = max(top, live(done, op))
                if step_top < best:
                    walk(done | {op}, step_top)

    walk(frozenset(), 0)
    return best


def align(value: int, alignment: int) -> int:
    return (value + alignment - 1) // alignment * alignment


def _lowest_fit(life: Life, placed: Sequence[tuple[int, Life]], alignment: int) -> int:
    """Lowest aligned offset where `life` shares no byte with a placed buffer live at the same time.

    The lowest such offset is 0 or the aligned end of a placed buffer (else one alignment step lower would
    also be free), so those are the only candidates to try.
    """
    busy = [(off, off + other.size) for off, other in placed if other.first <= life.last and life.first <= other.last]
    candidates = sorted({0} | {align(stop, alignment) for _, stop in busy})
    return next(c for c in candidates if all(stop <= c or c + life.size <= start for start, stop in busy))


def min_arena(ls: Sequence[Life], alignment: int = 1) -> tuple[int, dict[Key, int]]:
    """The smallest arena over every valid placement with aligned offsets, rounded up to `alignment`,
    and a placement that reaches it (buffer key -> offset).

    Why this enumeration is exact (every size is at least 1 byte). Take any valid
    placement P and place the buffers one by one in order of their offset in P, each
    at the lowest aligned offset free for its whole life. By induction each lands at
    or below its P-offset: every earlier buffer live at the same time started below
    it in P, so ended at or before its P-offset in P, and now sits no higher than in
    P; that aligned offset is therefore still free. The result is valid and no
    larger than P. Repeating this never raises an offset, and offsets are
    non-negative integers, so it reaches a placement Q that placing in Q's own
    offset order reproduces. Buffers at equal offsets in Q are never live together,
    so neither changes the other's lowest fit and ties may go in index order. Along
    that order the (offset, index) keys strictly increase, so searching every order
    of lowest-fit placements whose keys strictly increase meets Q, for an optimal P.
    A branch is left once it cannot beat the best arena found: a buffer placed later
    lands at or above its lowest fit now (placing more only takes space away), so
    the branch's arena is at least every remaining buffer's lowest fit plus its
    size. The search stops early at `_floor`, which no placement beats.
    """
    ls = sorted(ls, key=lambda life: -life.size)  # large buffers first find small arenas early, and cut more
    start: list[tuple[int, Life]] = []
    for life in ls:  # largest first: any valid placement is an upper bound to start from
        start.append((_lowest_fit(life, start, alignment), life))
    best = align(max((off + life.size for off, life in start), default=0), alignment)
    witness = {life.key: off for off, life in start}
    floor = _floor(ls, alignment)

    def search(placed: list[tuple[int, Life]], remaining: list[int], last: tuple[int, int], top: int) -> None:
        nonlocal best, witness
        if best <= floor:
            return
        if not remaining:
            best, witness = align(top, alignment), {life.key: off for off, life in placed}
            return
        fits = {i: _lowest_fit(ls[i], placed, alignment) for i in remaining}
        if align(max(top, *(fits[i] + ls[i].size for i in remaining)), alignment) >= best:
            return
        for i in remaining:
            if (fits[i], i) > last:
                placed.append((fits[i], ls[i]))
                search(placed, [j for j in remaining if j != i], (fits[i], i), max(top, fits[i] + ls[i].size))
                placed.pop()

    search([], list(range(len(ls))), (-1, -1), 0)
    return best, witness


def _floor(ls: Sequence[Life], alignment: int) -> int:
    """An arena no placement beats: at each step, the buffers live then sit one above another, and each
    but the topmost ends before the next aligned offset, so it takes its size rounded up."""
    result = 0
    for s in range(max((life.last for life in ls), default=-1) + 1):
        sizes = [life.size for life in ls if life.first <= s <= life.last]
        if sizes:
            stacked = sum(align(size, alignment) for size in sizes)
            result = max(result, stacked - max(align(size, alignment) - size for size in sizes))
    return align(result, alignment)


def overlaps(ranges: Sequence[tuple[Life, int]], alignment: int) -> list[str]:
    """What is wrong with placing each life at its offset: misaligned, or sharing bytes with a co-live buffer."""
    faults = [f"{life.key} at {off} is not {alignment}-aligned" for life, off in ranges if off % alignment]
    for i, (a, a_off) in enumerate(ranges):
        for b, b_off in ranges[i + 1:]:
            live_together = a.first <= b.last and b.first <= a.last
            if live_together and a_off < b_off + b.size and b_off < a_off + a.size:
                faults.append(f"{a.key} [{a_off}, {a_off + a.size}) and {b.key} [{b_off}, {b_off + b.size}) overlap")
    return faults
