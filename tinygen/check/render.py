"""FitReport as a rich table for people and as a JSON-ready dict for CI, and both as the report files every build
and export folder holds (report.json is `check --json`'s payload, report.txt `check`'s tables at full width)."""

from __future__ import annotations

import io
import json

from rich.console import Console
from rich.table import Table

from tinygen.check.fit import FitReport, LayerRow
from tinygen.plan.memory_map import ArenaEntry
from tinygen.text import terminal

REPORT_WIDTH = 1000  # report.txt's console: wide enough that rich never cuts or wraps a name


def _kib(n: int) -> str:
    return f"{n / 1024:,.1f}K"


def _no_board(r: FitReport) -> str:
    return (f"no board: exported for {r.core} (--core), so no regions to fit; your firmware's linker script "
            "places the code, weights and arena")


def _entry_json(e: ArenaEntry) -> dict:
    return {"tensor": e.name if e.tensor is not None else None, "what": e.kind if e.tensor is not None else e.name,
            "offset_bytes": e.offset_bytes, "size_bytes": e.size_bytes, "first_step": e.first_step,
            "last_step": e.last_step, "shares": e.shares, "how": e.how or None}


def report_json(r: FitReport) -> dict:
    """Every figure of the report, once. Instructions are the cost model's estimate: measured ones are `tinygen
    profile`'s output (instructions in QEMU, cycles on a board), never a report file's."""
    return {
        "model": r.model,
        "model_hash": r.model_hash,
        "board": r.board,
        "core": r.core,
        "fits": r.fits if r.board is not None else None,
        "arena_bytes": r.arena_bytes,
        "arena_lower_bound_bytes": r.arena_lower_bound_bytes,
        "greedy_arena_bytes": r.greedy_arena_bytes,
        "state_bytes": r.state_bytes,
        "weight_bytes": r.weight_bytes,
        "runtime_flash_bytes_estimate": r.runtime_flash_bytes,
        "flash_bytes": r.flash_bytes,
        "stack_bytes": r.stack_bytes,
        "scratch_bytes": r.scratch_bytes,
        "sram_bytes": r.sram_bytes,
        "macs": r.total_macs,
        "instructions_estimate": r.instructions,
        "schedules": [{"name": c.name, "arena_bytes": c.verdict.arena_bytes,
                       "instructions_estimate": c.verdict.instructions, "fits": c.verdict.fits, "chosen": c.chosen}
                      for c in r.considered],
        "schedule_reason": r.reason,
        "layer_by_layer_peak_bytes": r.layer_peak_bytes,
        "peak_reduction": round(r.layer_peak_bytes / max(r.arena_bytes, 1), 3),
        "mac_overhead": round(r.mac_overhead, 4),
        "stages": [{"name": s.name, "first_step": s.first_step, "last_step": s.last_step, "peak_bytes": s.peak_bytes}
                   for s in r.stages],
        "patch": None if r.patch is None else {
            "split_tensor": r.patch.split_tensor, "split_shape": list(r.patch.split_shape), "patches": r.patch.n,
            "ops": list(r.patch.ops), "area_bytes": r.patch.area_bytes, "extra_macs": r.patch.extra_macs,
            "buffers": [{"tensor": name, "bytes": size, "offset_in_area": offset}
                        for name, size, offset in r.patch.buffers]},
        "regions": None if r.board is None else [
            {"name": u.region, "kind": u.kind, "capacity_bytes": u.capacity_bytes, "used_bytes": u.used_bytes,
             "margin_bytes": u.margin_bytes, "fits": u.fits, "items": dict(u.items)}
            for u in r.regions
        ],
        "no_board": _no_board(r) if r.board is None else None,
        "layers": [
            {"step": l.step, "index": l.index, "op": l.opcode, "output_shape": list(l.output_shape),
             "macs": l.macs, "weight_bytes": l.weight_bytes, "weight_bits": l.weight_bits, "live_bytes": l.live_bytes,
             "layer_by_layer_live_bytes": l.layer_live_bytes, "mode": l.mode or "layer", "peak": l.is_peak,
             "kernel": l.kernel, "instructions_estimate": l.instructions,
             "output": None if l.output is None else _entry_json(l.output)}
            for l in r.layers
        ],
        "memory_map": [_entry_json(e) for e in r.memory_map],
        "unsupported_ops": [{"op": u.op, "dtype": u.dtype, "count": u.count} for u in r.unsupported_ops],
    }


def _weights(layer: LayerRow) -> str:
    """Bytes, and the filter's width when it is int4 (mixed precision): int8 is the default, left unsaid."""
    return f"{layer.weight_bytes:,}" + (" (int4)" if layer.weight_bits == 4 else "")


def print_report(r: FitReport, console: Console) -> None:
    table = Table("step", "op", "kernel", "output", "MACs", "est. instr.", "weights", "live (layer by layer)",
                  "live (planned)", "mode", "", title=f"{terminal(r.model)} on {r.board or r.core}")
    for l in r.layers:
        table.add_row(str(l.step), terminal(l.opcode), l.kernel or "-", "x".join(map(str, l.output_shape)),
                      f"{l.macs:,}", f"{l.instructions:,}", _weights(l), f"{l.layer_live_bytes:,}",
                      f"{l.live_bytes:,}", l.mode, "[bold red]◀ peak[/]" if l.is_peak else "")
    console.print(table)
    _print_schedules(r, console)
    console.print(
        f"arena {r.arena_bytes:,} B (lower bound {r.arena_lower_bound_bytes:,} B, "
        f"TFLM greedy-by-size {r.greedy_arena_bytes:,} B); "
        f"{f'state {r.state_bytes:,} B (kept between invocations); ' if r.state_bytes else ''}"
        f"weights {r.weight_bytes:,} B; "
        f"{r.total_macs:,} MACs"
    )
    console.print(
        f"peak: layer by layer {r.layer_peak_bytes:,} B -> planned {r.arena_bytes:,} B "
        f"({r.layer_peak_bytes / max(r.arena_bytes, 1):.2f}x smaller); MAC overhead {r.mac_overhead:.1%}"
    )
    for s in r.stages:
        console.print(f"  {s.name}: steps {s.first_step}-{s.last_step}, peak {s.peak_bytes:,} B")
    if r.patch:
        console.print(f"  patches: {r.patch.n}x{r.patch.n} over '{terminal(r.patch.split_tensor)}' "
                      f"{'x'.join(map(str, r.patch.split_shape))}, layers {r.patch.ops[0]}-{r.patch.ops[-1]}, "
                      f"patch area {r.patch.area_bytes:,} B, +{r.patch.extra_macs:,} MACs recomputed")
        console.print("  per-patch buffers (bytes @ offset in the area): "
                      + ", ".join(f"{size:,} @ {offset:,}" for _, size, offset in r.patch.buffers))
    if r.board is None:
        console.print(_no_board(r))
        return
    regions = Table("region", "kind", "holds", "used", "capacity", "margin", "")
    for u in r.regions:
        holds = ", ".join(f"{label} {_kib(size)}" for label, size in u.items)
        regions.add_row(u.region, u.kind, holds, _kib(u.used_bytes), _kib(u.capacity_bytes),
                        _kib(u.margin_bytes), "[green]ok[/]" if u.fits else "[bold red]OVERFLOW[/]")
    console.print(regions)
    if r.unsupported_ops:
        console.print("[bold red]unsupported:[/] " + ", ".join(map(str, r.unsupported_ops)))
    verdict = "[bold green]FITS[/]" if r.fits else "[bold red]DOES NOT FIT[/]"
    console.print(f"verdict: {verdict} {r.board} (flash {_kib(r.flash_bytes)}, SRAM {_kib(r.sram_bytes)})")


def print_memory_map(r: FitReport, console: Console) -> None:
    """model.c's memory-map comment as a table: every tensor's offset, bytes and steps, and what shares storage."""
    table = Table("offset", "bytes", "first step", "last step", "tensor", "shares storage with",
                  title=f"arena memory map ({r.arena_bytes:,} B)")
    for e in r.memory_map:
        what = terminal(e.name) + (" (one patch's part)" if e.kind == "patch buffer" else "")
        shares = f"{e.how} {'of' if e.how == 'alias' else 'over'} {terminal(e.shares)}" if e.shares else ""
        table.add_row(f"{e.offset_bytes:,}", f"{e.size_bytes:,}", str(e.first_step), str(e.last_step),
                      what if e.tensor is not None else f"({what})", shares)
    console.print(table)


def report_files(r: FitReport) -> dict[str, str]:
    """report.json (`check --json`'s payload, without the envelope's schema_version) and report.txt (`check`'s
    tables and the memory map, never cut to a terminal's width), as a build or export folder holds them."""
    out = io.StringIO()
    console = Console(file=out, width=REPORT_WIDTH, color_system=None, force_terminal=False)
    console.print(f"model hash {r.model_hash}; per-layer instructions are the cost model's estimate "
                  "(`tinygen profile` measures them)")
    print_report(r, console)
    print_memory_map(r, console)
    text = "\n".join(line.rstrip() for line in out.getvalue().splitlines()) + "\n"
    return {"report.json": json.dumps(report_json(r), indent=2) + "\n", "report.txt": text}


def _print_schedules(r: FitReport, console: Console) -> None:
    """The schedules the objective weighed, side by side, and why it chose."""
    if not r.considered:
        return
    table = Table("schedule", "arena", "est. instructions", "fits", "", title="schedules considered")
    for c in r.considered:
        table.add_row(c.name, f"{c.verdict.arena_bytes:,}", f"{c.verdict.instructions:,}",
                      "yes" if c.verdict.fits else "[red]no[/]", "[bold green]◀ chosen[/]" if c.chosen else "")
    console.print(table)
    console.print(f"chosen by {r.reason}")


def print_summary(reports: list[FitReport], console: Console) -> None:
    table = Table("board", "flash", "SRAM", "arena", "tightest region", "verdict",
                  title=terminal(reports[0].model) if reports else "")
    for r in reports:
        tight = min(r.regions, key=lambda u: u.margin_bytes / max(u.capacity_bytes, 1))
        table.add_row(r.board, _kib(r.flash_bytes), _kib(r.sram_bytes), _kib(r.arena_bytes),
                      f"{tight.region} {tight.used_bytes / max(tight.capacity_bytes, 1):.0%}",
                      "[green]fits[/]" if r.fits else "[red]does not fit[/]")
    console.print(table)
