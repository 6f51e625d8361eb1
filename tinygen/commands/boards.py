"""`tinygen boards`: the board catalogue."""

from __future__ import annotations

import click
from rich.console import Console
from rich.table import Column, Table

from tinygen.boards import Board, list_boards
from tinygen.commands.options import emit_json, json_option


def board_json(board: Board) -> dict:
    return {
        "name": board.name,
        "description": board.description,
        "core": board.cpu.core,
        "fpu": board.cpu.fpu,
        "dsp": board.cpu.dsp,
        "mve": board.cpu.mve,
        "clock_hz": board.cpu.clock_hz,
        "emulated": board.emulated,
        "qemu_machine": board.qemu.machine if board.qemu else None,
        "memory": [
            {"name": r.name, "kind": r.kind, "origin": r.origin, "length_bytes": r.length_bytes}
            for r in board.memory
        ],
        "path": str(board.path),
    }


@click.command()
@json_option
def boards(as_json: bool) -> None:
    """List the boards in boards/ (pass --board NAME or --board path/to/board.toml elsewhere)."""
    catalogue = list_boards()
    if as_json:
        emit_json({"boards": [board_json(b) for b in catalogue]})
        return
    # At 80 columns (any pipe) rich would cut cells to "nucleo-f76…": keep the names --board
    # takes whole, and fold the rest rather than drop characters.
    table = Table(Column("board", no_wrap=True),
                  *(Column(h, overflow="fold") for h in ("core", "clock", "flash", "RAM regions", "runs in")))
    for b in catalogue:
        flash = sum(r.length_bytes for r in b.memory if r.kind == "flash")
        rams = ", ".join(f"{r.name} {r.length_bytes // 1024}K" for r in b.memory if r.kind == "ram")
        where = f"QEMU {b.qemu.machine}" if b.qemu else ("host" if b.cpu.core == "host" else "hardware")
        table.add_row(b.name, b.cpu.core + ("F" if b.cpu.fpu else ""), f"{b.cpu.clock_hz / 1e6:g} MHz",
                      f"{flash // 1024}K", rams, where)
    Console().print(table)
