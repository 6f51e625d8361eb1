"""The state region: what a model keeps from one invocation to the next, placed once and never reused.

Two kinds of state, kept as TFLite Micro keeps them:
- variable tensors (an SVDF's activation state, an LSTM's output and cell state), which the op that reads them
  also writes;
- resource variables, named by VAR_HANDLE's (container, shared name) in any subgraph, copied into the arena by
  READ_VARIABLE and out of it by ASSIGN_VARIABLE, sized by what is assigned to them.

Each slot is reset as TFLite Micro resets it: filled with the int8 zero point of its tensor (ResetTensorData;
for a resource, the first tensor assigned to it, MicroResourceVariables' default_value), else with 0. One more
slot, a byte, records that CALL_ONCE has run its init subgraph. Resetting clears it too, so after
`tg_model_reset()` the model is exactly as freshly started, init subgraph included. TFLite Micro's
MicroInterpreter::Reset() differs there: it does not run CALL_ONCE again, so a reset firmware matches a fresh
TFLite Micro interpreter, not a reset one (README "Streaming models" says so).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from tinygen.ir.graph import Graph, Tensor
from tinygen.ir.variables import Resource, first_assigned
from tinygen.plan.arena import align_up


@dataclass(frozen=True)
class StateSlot:
    """`size_bytes` at `offset_bytes` of the state region, reset to `reset_byte` in every byte. `label` is made
    here from indices only (it reaches comments in model.c)."""

    label: str
    offset_bytes: int
    size_bytes: int
    reset_byte: int
    tensor: int | None = None  # a variable tensor of the main graph
    resource: Resource | None = None


@dataclass(frozen=True)
class StatePlan:
    slots: tuple[StateSlot, ...] = ()
    state_bytes: int = 0
    init_flag_offset: int | None = None  # the byte that says CALL_ONCE has run (None: the model has no CALL_ONCE)

    @cached_property
    def _by_tensor(self) -> dict[int, int]:
        return {s.tensor: s.offset_bytes for s in self.slots if s.tensor is not None}

    @cached_property
    def _by_resource(self) -> dict[Resource, int]:
        return {s.resource: s.offset_bytes for s in self.slots if s.resource is not None}

    def tensor_offset(self, tensor: int) -> int:
        return self._by_tensor[tensor]

    def resource_offset(self, resource: Resource) -> int:
        return self._by_resource[resource]


def reset_byte(t: Tensor) -> int:
    """What TFLite Micro fills a resource variable with: its first value's zero point, cast to int8, if it is
    quantised, else 0 (a variable tensor: the same, for int8 tensors only)."""
    return t.quant.zero_point & 0xFF if t.quant is not None else 0


def plan_state(graph: Graph, alignment_bytes: int) -> StatePlan:
    """Place every variable tensor, every resource variable and the CALL_ONCE flag, each aligned."""
    pieces: list[tuple[str, int, int, int | None, Resource | None]] = []
    for t in graph.tensors:
        if t.variable and not t.is_constant:
            pieces.append((f"variable tensor {t.index}", t.size_bytes, reset_byte(t) if t.dtype == "int8" else 0,
                           t.index, None))
    for k, (resource, value) in enumerate(first_assigned(graph).items()):
        pieces.append((f"resource variable {k}", value.size_bytes, reset_byte(value), None, resource))
    call_once = any(op.opcode == "CALL_ONCE" for op in graph.operators)
    if call_once:
        pieces.append(("CALL_ONCE has run", 1, 0, None, None))
    slots, offset = [], 0
    for label, size, fill, tensor, variable in pieces:
        slots.append(StateSlot(label, offset, size, fill, tensor, variable))
        offset = align_up(offset + size, alignment_bytes)
    return StatePlan(tuple(slots), offset, slots[-1].offset_bytes if call_once else None)
