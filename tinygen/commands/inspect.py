"""`tinygen inspect`: what the importer read (tensors, operators, quantisation)."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from tinygen.commands.options import emit_json, json_option, model_argument, model_or_default
from tinygen.importers.tflite import load_tflite
from tinygen.ir.cost import macs
from tinygen.ir.graph import Graph
from tinygen.lower.support import is_generated
from tinygen.text import terminal


def _io(graph: Graph, index: int) -> dict:
    t = graph.tensor(index)
    return {"name": t.name, "shape": list(t.shape), "dtype": t.dtype,
            "scale": t.quant.scale if t.quant else None, "zero_point": t.quant.zero_point if t.quant else None}


def inspect_json(graph: Graph) -> dict:
    return {
        "model": graph.name,
        "file_bytes": graph.source_bytes,
        "inputs": [_io(graph, i) for i in graph.inputs],
        "outputs": [_io(graph, i) for i in graph.outputs],
        "weight_bytes": graph.weight_bytes,
        "macs": sum(macs(graph, op) for op in graph.operators),
        "op_counts": graph.opcode_counts(),
        "operators": [
            {
                "index": op.index,
                "op": op.opcode,
                "supported": is_generated(graph, op),
                "inputs": [graph.tensor(t).name if t >= 0 else None for t in op.inputs],
                "output_shape": list(graph.tensor(op.outputs[0]).shape) if op.outputs else [],
                "per_channel": any(
                    t is not None and t.quant is not None and t.quant.per_channel for t in graph.op_tensors(op)
                ),
                "macs": macs(graph, op),
            }
            for op in graph.operators
        ],
    }


@click.command()
@model_argument
@json_option
def inspect(model: Path | None, as_json: bool) -> None:
    """Print the graph summary of MODEL (default: the bundled example)."""
    graph = load_tflite(model_or_default(model))
    info = inspect_json(graph)
    if as_json:
        emit_json(info)
        return
    console = Console()
    console.print(f"[bold]{terminal(graph.name)}[/]: {len(graph.operators)} operators, "
                  f"{graph.weight_bytes:,} weight bytes, {info['macs']:,} MACs, file {graph.source_bytes:,} bytes")
    for kind in ("inputs", "outputs"):
        for io in info[kind]:
            console.print(f"  {kind[:-1]} {terminal(io['name'])}: {io['dtype']} {tuple(io['shape'])} "
                          f"scale={io['scale']} zero_point={io['zero_point']}")
    table = Table("#", "op", "output shape", "MACs", "quant", "supported")
    for op in info["operators"]:
        table.add_row(str(op["index"]), terminal(op["op"]), "x".join(map(str, op["output_shape"])), f"{op['macs']:,}",
                      "per-channel" if op["per_channel"] else "per-tensor", "yes" if op["supported"] else "[red]no[/]")
    console.print(table)
