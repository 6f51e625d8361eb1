"""The graph's wiring, checked before any later stage walks it.

TFLite Micro's interpreter runs operators in file order on tensors it
allocates for them; a graph whose indices point nowhere, whose operators read
tensors nothing writes, or whose dependencies form a cycle has no order that
computes its outputs. tinygen's planner (tinygen/plan) assumes each of these
holds, so each is one InputError here instead of a crash or a wrong arena there.
"""

from __future__ import annotations

from tinygen.errors import InputError
from tinygen.ir.graph import Graph, Operator
from tinygen.ir.opset import ARITY

_FIX = "the file is malformed; re-export the model"


def _op(op: Operator) -> str:
    return f"operator {op.index} ({op.opcode})"


def check_wiring(graph: Graph) -> None:
    """Indices in range, every tensor read written once before, no cycle; InputError naming the first fault."""
    _check_io_indices(graph)
    producers = _check_operands(graph)
    _check_reads(graph, producers)
    _check_acyclic(graph, producers)


def _check_io_indices(graph: Graph) -> None:
    if not graph.operators:
        raise InputError("model has no operators; export a model with at least one layer")
    count = len(graph.tensors)
    for role, indices in (("input", graph.inputs), ("output", graph.outputs)):
        if not indices:
            raise InputError(f"model has no {role}s; {_FIX}")
        for index in indices:
            if not 0 <= index < count:
                raise InputError(f"graph {role} names tensor {index}, but the model has tensors 0 to {count - 1}; "
                                 f"{_FIX}")
        if len(set(indices)) != len(indices):
            raise InputError(f"graph {role}s name a tensor twice; {_FIX}")


def _check_operands(graph: Graph) -> dict[int, int]:
    """Operand indices exist; each activation is written by one operator. Returns tensor -> producer."""
    count, inputs = len(graph.tensors), set(graph.inputs)
    producers: dict[int, int] = {}
    for op in graph.operators:  # only ops tinygen knows need both; the ones that take or give none say so in ARITY
        fewest, _, outputs = ARITY.get(op.opcode, (0, None, 0))  # unknown ops: left to the unsupported list
        if not op.outputs and outputs != 0:
            raise InputError(f"{_op(op)} has no outputs; {_FIX}")
        if all(t < 0 for t in op.inputs) and fewest > 0:
            raise InputError(f"{_op(op)} has no inputs; {_FIX}")
        for t in op.inputs:  # -1 marks an omitted optional input
            if t < -1 or t >= count:
                raise InputError(f"{_op(op)} reads tensor {t}, which does not exist; {_FIX}")
        for t in op.outputs:
            if not 0 <= t < count:
                raise InputError(f"{_op(op)} writes tensor {t}, which does not exist; {_FIX}")
            name = graph.tensor(t).name
            if t in producers:
                raise InputError(f"{_op(op)} writes tensor '{name}', which operator {producers[t]} writes too; {_FIX}")
            if graph.tensor(t).is_constant or t in inputs:
                kind = "a constant" if graph.tensor(t).is_constant else "a graph input"
                raise InputError(f"{_op(op)} writes tensor '{name}', which is {kind}; {_FIX}")
            producers[t] = op.index
    return producers


def _check_reads(graph: Graph, producers: dict[int, int]) -> None:
    """Every tensor read or output is a constant, a graph input, a variable (state TFLite Micro keeps) or some
    operator's output."""
    inputs = set(graph.inputs)
    for t in graph.inputs:
        if graph.tensor(t).is_constant:
            raise InputError(f"graph input '{graph.tensor(t).name}' is a constant; {_FIX}")
    for op in graph.operators:
        for t in op.inputs:
            kept = t < 0 or graph.tensor(t).is_constant or graph.tensor(t).variable
            if not kept and t not in producers and t not in inputs:
                raise InputError(f"{_op(op)} reads tensor '{graph.tensor(t).name}', which no operator writes and "
                                 f"which is not a constant, a variable or a graph input; {_FIX}")
    for t in graph.outputs:
        if graph.tensor(t).is_constant:
            raise InputError(f"graph output '{graph.tensor(t).name}' is a constant, which tinygen cannot return "
                             f"from the arena; {_FIX}")
        if t not in producers:
            raise InputError(f"graph output '{graph.tensor(t).name}' is written by no operator; {_FIX}")


def _check_acyclic(graph: Graph, producers: dict[int, int]) -> None:
    """Kahn's algorithm over the operators: any left unordered lie on (or behind) a cycle. Linear in operands."""
    waiting = {op.index: {producers[t] for t in op.inputs if t in producers} for op in graph.operators}
    readers: dict[int, list[int]] = {}
    for j, preds in waiting.items():
        for i in preds:
            readers.setdefault(i, []).append(j)
    ready = [i for i, preds in waiting.items() if not preds]
    done = 0
    while ready:
        i = ready.pop()
        done += 1
        for j in readers.get(i, ()):
            waiting[j].discard(i)
            if not waiting[j]:
                ready.append(j)
    if done != len(graph.operators):
        stuck = min(j for j, preds in waiting.items() if preds)
        raise InputError(f"operator {stuck} ({graph.operators[stuck].opcode}) depends on its own output through a "
                         f"cycle; TFLite graphs are acyclic; {_FIX}")
