"""Arena size and `tinygen check` wall time per shared model, beside TensorFlow Lite Micro's arena.

    python benchmarks/check.py [--board mps2-an386] [--repeat 3]

For each shared model present (tests/models.py LOCATIONS) and the bundled example:

* arena: tinygen's plan (default schedule: patches and in-place ops where they lower the peak;
  every offset strategy in tinygen.plan.arena, smallest kept);
* lower bound: max over steps of live bytes; no offset assignment can go below it;
* TFLM greedy: TFLite Micro's greedy-by-size placement on tinygen's lifetimes (same order);
* TFLM measured: what TFLite Micro itself allocated. For kws/ad01 that is the whole arena
  (arena_used_bytes, ../shared/benchmarks/peers/tflm_cortex_m4.json, reference kernels), so it
  includes TFLM's persistent allocations (tensor structs, op data, quantisation params) on top of
  activations; for the synthetic models ../shared/models/synthetic/README.md splits it into head
  (planned activations, the figure comparable with tinygen's arena) and tail (persistent);
* check wall time: median of `--repeat` runs of `tinygen check MODEL --board B --json` as a
  subprocess, interpreter start-up and imports included (what a user or CI waits for).

Writes benchmarks/results/check.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.models import LOCATIONS, SHARED  # noqa: E402
from tinygen import __version__  # noqa: E402
from tinygen.boards import load_board  # noqa: E402
from tinygen.commands.options import default_model  # noqa: E402
from tinygen.importers.tflite import load_tflite  # noqa: E402
from tinygen.plan.schedule import plan_schedule  # noqa: E402

PEERS = SHARED.parent / "benchmarks" / "peers" / "tflm_cortex_m4.json"
# ../shared/models/synthetic/README.md, "TFLM arena total | head | tail" (tflite-micro Python
# interpreter, RecordingMicroAllocator after one invoke()).
SYNTHETIC_TFLM = {
    "mbv2_035_144_int8": {"head": 311_040, "total": 383_072},
    "mcunet_like_vww_int8": {"head": 163_840, "total": 218_768},
}


def tflm_arena(model: str) -> dict:
    """{"head": bytes or None, "total": bytes or None, "source": where from}."""
    if model in SYNTHETIC_TFLM:
        return {**SYNTHETIC_TFLM[model], "source": "shared/models/synthetic/README.md"}
    if PEERS.exists():
        for record in json.loads(PEERS.read_text()):
            if record["model"] == model and record["variant"] == "ref":
                return {"head": None, "total": record["arena_used_bytes"],
                        "source": "shared/benchmarks/peers/tflm_cortex_m4.json (ref)"}
    return {"head": None, "total": None, "source": None}


def tinygen_command() -> list[str]:
    exe = shutil.which("tinygen")
    return [exe] if exe else [sys.executable, "-c", "from tinygen.cli import main; main()"]


def check_wall_s(path: Path, board: str, repeat: int) -> tuple[float, list[float], dict]:
    times, report = [], {}
    for _ in range(repeat):
        start = time.perf_counter()
        out = subprocess.run([*tinygen_command(), "check", str(path), "--board", board, "--json"],
                             capture_output=True, text=True, cwd=ROOT)
        times.append(time.perf_counter() - start)
        if out.returncode not in (0, 1):
            raise SystemExit(f"tinygen check {path} exited {out.returncode}: {out.stderr.strip()}")
        report = json.loads(out.stdout)
    return statistics.median(times), times, report


def models() -> list[tuple[str, Path]]:
    found = [(name, SHARED / rel) for name, rel in LOCATIONS.items() if (SHARED / rel).exists()]
    return found + [("digits_cnn_int8 (bundled)", default_model())]


def _bytes(n: int | None) -> str:
    return "-" if n is None else f"{n:,}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--board", default="mps2-an386")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    board = load_board(args.board)
    rows = []
    for name, path in models():
        graph = load_tflite(path)
        start = time.perf_counter()
        plan = plan_schedule(graph, board.alignment_bytes, dsp_kernels=board.cpu.dsp).plan
        plan_s = time.perf_counter() - start
        wall_s, walls, report = check_wall_s(path, args.board, args.repeat)
        if report["arena_bytes"] != plan.arena_bytes:
            raise SystemExit(f"{name}: `tinygen check` says {report['arena_bytes']} B, "
                             f"the planner {plan.arena_bytes} B")
        tflm = tflm_arena(graph.name)
        rows.append({
            "model": name, "path": str(path), "board": args.board, "operators": len(graph.operators),
            "arena_bytes": plan.arena_bytes, "strategy": plan.strategy,
            "lower_bound_bytes": plan.lower_bound_bytes, "tflm_greedy_arena_bytes": plan.greedy_arena_bytes,
            "tflm_arena_head_bytes": tflm["head"], "tflm_arena_total_bytes": tflm["total"],
            "tflm_source": tflm["source"], "fits": report["fits"],
            "plan_s": round(plan_s, 4), "check_wall_s": round(wall_s, 4),
            "check_wall_runs_s": [round(t, 4) for t in walls],
        })
    table = Table("model", "ops", "arena (strategy)", "lower bound", "TFLM greedy\nsame lifetimes",
                  "TFLM measured\nhead", "TFLM measured\ntotal", "check wall\n(median)",
                  title=f"tinygen check on {args.board}: arena bytes, "
                        f"and wall time of the CLI (median of {args.repeat})")
    for r in rows:
        table.add_row(r["model"], str(r["operators"]), f"{r['arena_bytes']:,} ({r['strategy']})",
                      _bytes(r["lower_bound_bytes"]), _bytes(r["tflm_greedy_arena_bytes"]),
                      _bytes(r["tflm_arena_head_bytes"]), _bytes(r["tflm_arena_total_bytes"]),
                      f"{r['check_wall_s']:.2f} s")
    console = Console()
    console.print(table)
    console.print("TFLM measured total = whole TFLM arena incl. persistent allocations (kws/ad01: peers "
                  "arena_used_bytes, ref kernels); head = its planned activations only.")
    out = ROOT / "benchmarks" / "results" / "check.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    meta = {"tinygen_version": __version__, "python": platform.python_version(), "machine": platform.machine(),
            "command": [*tinygen_command(), "check", "MODEL", "--board", args.board, "--json"], "repeat": args.repeat}
    out.write_text(json.dumps({"meta": meta, "rows": rows}, indent=2) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
