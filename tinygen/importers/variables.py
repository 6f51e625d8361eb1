"""Resource variables are wired as TFLite Micro needs: each READ_VARIABLE and ASSIGN_VARIABLE, in any subgraph,
takes the resource tensor a VAR_HANDLE of its own subgraph writes; every variable the main graph reads is
assigned somewhere (TFLite Micro allocates a variable at its first ASSIGN_VARIABLE); and every value assigned to
or read from one variable has one size (its buffer's)."""

from __future__ import annotations

from tinygen.errors import InputError
from tinygen.ir.graph import Graph, Operator
from tinygen.ir.variables import Resource, first_assigned, resource_of

_FIX = "the file is malformed; re-export the model"
_OPERANDS = {"READ_VARIABLE": (1, 1), "ASSIGN_VARIABLE": (2, 0)}


def check_variables(graph: Graph) -> None:
    uses: list[tuple[str, Operator, Resource, int]] = []
    for k, g in enumerate((graph, *graph.subgraphs)):
        where = f"subgraph {k} " if k else ""
        producers = g.producers()
        for op in g.operators:
            if op.opcode not in _OPERANDS:
                continue
            if (len(op.inputs), len(op.outputs)) != _OPERANDS[op.opcode] or min(op.inputs) < 0:
                raise InputError(f"{where}operator {op.index} ({op.opcode}) has {len(op.inputs)} inputs and "
                                 f"{len(op.outputs)} outputs; {_FIX}")
            handle = op.inputs[0]
            if handle not in producers or g.operators[producers[handle]].opcode != "VAR_HANDLE":
                raise InputError(f"{where}operator {op.index} ({op.opcode}) takes tensor {handle}, which no "
                                 f"VAR_HANDLE of its subgraph writes; {_FIX}")
            value = g.tensor(op.outputs[0] if op.opcode == "READ_VARIABLE" else op.inputs[1])
            uses.append((where, op, resource_of(g, handle), value.size_bytes))
    sizes = {resource: value.size_bytes for resource, value in first_assigned(graph).items()}
    for where, op, resource, size in uses:
        if resource not in sizes:
            raise InputError(f"{where}operator {op.index} (READ_VARIABLE) reads a variable nothing assigns, which "
                             f"TFLite Micro cannot allocate; {_FIX}")
        if size != sizes[resource]:
            raise InputError(f"{where}operator {op.index} ({op.opcode}) moves {size} bytes of a variable that "
                             f"holds {sizes[resource]}; {_FIX}")
