"""Latency cost model for the search: instructions per MAC per operator type, at the board's clock.

Coefficients come from a measured run: the JSON of `tinygen profile MODEL --board B --json`
(instructions per layer in QEMU, or DWT cycles per layer on a real board). Each
operator type's coefficient is its measured instructions (or cycles) over its
MACs; operators without MACs (adds, pools, softmax) are charged per output byte.
A type the profile never saw takes the profile's overall rate, so a model is
never estimated at zero cost. One instruction is taken as one cycle: exact for
cycles from the DWT, a floor for instructions (Cortex-M4 loads take 2 cycles).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from tinygen.errors import InputError
from tinygen.ir.cost import macs
from tinygen.ir.graph import Graph
from tinygen.ir.opset import ALIAS_OPS


@dataclass(frozen=True)
class LatencyModel:
    per_mac: dict[str, float]  # opcode -> instructions (cycles) per MAC
    per_byte: float  # MAC-free operators: instructions per output byte
    overall_per_mac: float
    clock_hz: int
    source: str

    def cycles(self, graph: Graph) -> float:
        total = 0.0
        for op in graph.operators:
            if op.opcode in ALIAS_OPS:
                continue
            work = macs(graph, op)
            if work:
                total += work * self.per_mac.get(op.opcode, self.overall_per_mac)
            else:
                total += graph.tensor(op.outputs[0]).size_bytes * self.per_byte
        return total

    def milliseconds(self, graph: Graph) -> float:
        return 1000.0 * self.cycles(graph) / self.clock_hz


def from_profile(path: Path, clock_hz: int) -> LatencyModel:
    """Calibrate from `tinygen profile --json` output: per-layer `op`, `macs`, `instructions` (or `cycles`)."""
    try:
        data = json.loads(Path(path).read_text())
        rows = [(str(layer["op"]), int(layer["macs"]), int(layer.get("cycles") or layer["instructions"]), layer)
                for layer in data["layers"]]
        byte_counts = [int(layer.get("output_bytes", 0)) for _, work, _, layer in rows if not work]
    except FileNotFoundError:
        raise InputError(f"{path}: no such file; pass the output of `tinygen profile MODEL --board B --json`") from None
    except OSError as exc:  # a folder, a file we may not read
        raise InputError(f"{path}: cannot read ({exc.strerror}); pass the output of "
                         "`tinygen profile MODEL --board B --json`") from None
    except (ValueError, KeyError, TypeError, OverflowError, RecursionError):
        raise InputError(f"{path}: not a `tinygen profile --json` result (needs layers with op, macs and "
                         "instructions); write one with `tinygen profile MODEL --board B --json > FILE`") from None
    if any(work < 0 or cost < 0 for _, work, cost, _ in rows) or any(n < 0 for n in byte_counts):
        raise InputError(f"{path}: negative MACs, instructions or output bytes; pass the unedited output of "
                         "`tinygen profile MODEL --board B --json`")
    per_op: dict[str, list[int]] = {}
    byte_cost, byte_count = 0, sum(byte_counts)
    for op, work, cost, _ in rows:
        if work:
            totals = per_op.setdefault(op, [0, 0])
            totals[0] += cost
            totals[1] += work
        else:
            byte_cost += cost
    if not per_op:
        raise InputError(f"{path}: the profiled model has no layers with MACs; profile a model with convolutions "
                         "or dense layers")
    overall = sum(c for c, _ in per_op.values()) / sum(m for _, m in per_op.values())
    if overall == 0:
        raise InputError(f"{path}: the profile counts no instructions for its MACs, so it cannot calibrate "
                         "latency; profile the model again (`tinygen profile MODEL --board B --json`)")
    return LatencyModel({op: c / m for op, (c, m) in per_op.items()}, byte_cost / byte_count if byte_count else 0.0,
                        overall, clock_hz, str(path))
