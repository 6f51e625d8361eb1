"""Peak SRAM of tinygen's schedules against its own layer-by-layer plan and TensorFlow Lite Micro's arena.

    python benchmarks/memory.py [--board mps2-an386] [--max-mac-overhead 0.2]

Per shared model present (tests/models.py LOCATIONS) and the bundled example:

* layer-by-layer peak: tinygen's plain plan (no patches, no in-place ops): the baseline;
* planned peak: the default schedule (`tinygen check`/`build`): patch-based first stage and
  in-place ops where they lower the arena; the arena bytes the firmware reserves;
* ratio: layer-by-layer / planned;
* MAC overhead: halo recomputation of the patch stage / the model's MACs;
* TFLM arena: TensorFlow Lite Micro's planned activations ("head") where measured, else its
  whole arena (benchmarks/check.py `tflm_arena`).

All figures are computed, not timed, so they are deterministic. Writes benchmarks/results/memory.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.check import models, tflm_arena  # noqa: E402
from tinygen import __version__  # noqa: E402
from tinygen.boards import load_board  # noqa: E402
from tinygen.importers.tflite import load_tflite  # noqa: E402
from tinygen.plan.schedule import ScheduleOptions, plan_schedule  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--board", default="mps2-an386")
    parser.add_argument("--max-mac-overhead", type=float, default=0.2)
    args = parser.parse_args()
    board = load_board(args.board)
    options = ScheduleOptions(max_mac_overhead=args.max_mac_overhead)
    rows = []
    for name, path in models():
        graph = load_tflite(path)
        start = time.perf_counter()
        schedule = plan_schedule(graph, board.alignment_bytes, options, str(path), board.cpu.dsp)
        plan_s = time.perf_counter() - start
        plan, stage, tflm = schedule.plan, schedule.stage, tflm_arena(graph.name)
        rows.append({
            "model": name, "path": str(path), "board": args.board,
            "layer_by_layer_peak_bytes": schedule.layer_plan.arena_bytes,
            "planned_peak_bytes": plan.arena_bytes,
            "planned_lower_bound_bytes": plan.lower_bound_bytes,
            "ratio": round(schedule.layer_plan.arena_bytes / plan.arena_bytes, 3),
            "mac_overhead": round(schedule.mac_overhead, 4), "extra_macs": schedule.extra_macs,
            "total_macs": schedule.total_macs,
            "patches": None if stage is None else {"n": stage.n, "ops": list(stage.ops),
                                                   "split_shape": list(graph.tensor(stage.output).shape),
                                                   "area_bytes": stage.area_bytes},
            "inplace_ops": len(plan.inplace),
            "tflm_arena_head_bytes": tflm["head"], "tflm_arena_total_bytes": tflm["total"],
            "tflm_source": tflm["source"], "plan_s": round(plan_s, 3),
        })
    table = Table("model", "layer-by-layer\npeak", "planned\npeak", "ratio", "MAC\noverhead", "patches",
                  "in-place\nops", "TFLM arena\nhead / total",
                  title=f"Peak SRAM (arena bytes) on {args.board}, --max-mac-overhead {args.max_mac_overhead}")
    for r in rows:
        p = r["patches"]
        patches = "-" if p is None else f"{p['n']}x{p['n']} to {'x'.join(map(str, p['split_shape'][1:]))}"
        tflm = " / ".join("-" if v is None else f"{v:,}"
                          for v in (r["tflm_arena_head_bytes"], r["tflm_arena_total_bytes"]))
        table.add_row(r["model"], f"{r['layer_by_layer_peak_bytes']:,}", f"{r['planned_peak_bytes']:,}",
                      f"{r['ratio']:.2f}x", f"{r['mac_overhead']:.1%}", patches, str(r["inplace_ops"]), tflm)
    Console().print(table)
    out = ROOT / "benchmarks" / "results" / "memory.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    meta = {"tinygen_version": __version__, "python": platform.python_version(), "board": args.board,
            "max_mac_overhead": args.max_mac_overhead}
    out.write_text(json.dumps({"meta": meta, "rows": rows}, indent=2) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
