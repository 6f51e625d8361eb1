"""Instructions per inference: tinygen against TensorFlow Lite Micro (reference kernels and CMSIS-NN), per objective.

    python benchmarks/speed.py [--board mps2-an386|mps3-an547|mps2-an500] [--optimize balanced ...] [--vectors 5]

Every model with a peer figure in ../shared/benchmarks/peers/tflm_cortex_m4.json
(its file found under ../shared/models/{mlperf_tiny,tflm_examples,synthetic};
skipped when absent), under each objective (--optimize, repeatable; default all
three): tinygen's instructions per inference from `tinygen profile` (QEMU plugin,
exact, the peers' input pattern) and the cost model's prediction for the same
schedule (tinygen/costmodel.py; the error target is 10%), the ratio to TFLM+CMSIS-NN
against the 0.6 target, the arena beside TFLM's (arena_used_bytes), runtime flash
(everything but the model's data: tinygen's flash minus its weight arrays; the
peers' flash minus the .tflite) beside TFLM+CMSIS-NN's, and bit-exactness against
TFLite Micro's interpreter on seeded random inputs. Everything is measured on each
run, nothing is carried over. Prints a table; writes benchmarks/results/speed.json
(speed-<board>.json for another board). The peers were measured on a Cortex-M4
(-O2): on other cores the ratio compares different machines'
instruction counts.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tinygen import __version__  # noqa: E402
from tinygen.boards import Board, load_board  # noqa: E402
from tinygen.pipeline import build_firmware, run_firmware  # noqa: E402
from tinygen.plan.schedule import OBJECTIVES, ScheduleOptions  # noqa: E402
from tinygen.profile.measure import profile_model  # noqa: E402
from tinygen.run.vectors import random_vectors  # noqa: E402

SHARED = ROOT.parent / "shared"
FOLDERS = ("mlperf_tiny", "tflm_examples", "synthetic")
TARGET = 0.6  # issue 19: at most 0.6x TFLM + CMSIS-NN on every model
MODEL_ERROR = 0.10  # issue 19: the cost model within 10% per model


def _peers(name: str) -> dict:
    path = SHARED / "benchmarks" / "peers" / name
    return {(r["model"], r["variant"]): r for r in json.loads(path.read_text())} if path.exists() else {}


def _model_file(name: str) -> Path | None:
    return next((p for p in (SHARED / "models" / f / f"{name}.tflite" for f in FOLDERS) if p.exists()), None)


def measure(name: str, path: Path, board: Board, objective: str, work: Path, o2: dict, vectors: int) -> dict:
    options = ScheduleOptions(optimize=objective)
    profile = profile_model(path, board, work / f"{name}-{objective}-profile", options)
    firmware = build_firmware(path, board, work / f"{name}-{objective}", reuse=True, schedule=options)
    chosen = next(c for c in firmware.schedule.considered if c.chosen)  # its verdict: the cost model's estimate
    predicted = chosen.verdict.instructions
    run = run_firmware(firmware, path, board, random_vectors(firmware.code.inputs, vectors, 0), 600.0)
    sizes = firmware.build.sizes
    total = profile.per_inference
    ref, cmsis = o2.get((name, "ref"), {}), o2.get((name, "cmsis_nn"), {})
    return {
        "model": name, "optimize": objective, "macs": profile.macs, "instructions": total,
        "predicted_instructions": predicted, "prediction_error": predicted / total - 1,
        "smlad_bound": profile.macs // 2, "tflm_ref": ref.get("instructions"),
        "tflm_cmsis_nn": cmsis.get("instructions"),
        "ratio_to_cmsis_nn": total / cmsis["instructions"] if cmsis else None,
        "arena_bytes": firmware.plan.arena_bytes, "tflm_cmsis_nn_arena_bytes": cmsis.get("arena_used_bytes"),
        "schedule": chosen.name,
        "runtime_flash_bytes": sizes.flash_bytes - sizes.weights_bytes,
        "tflm_cmsis_nn_runtime_flash_bytes": cmsis.get("flash_minus_model_bytes"),
        "flash_bytes": sizes.flash_bytes, "weights_bytes": sizes.weights_bytes,
        "bit_exact": run.bit_exact, "vectors": vectors,
        "layers": [{"op": s.op, "kernels": list(s.kernels), "macs": s.macs, "instructions": s.count}
                   for s in profile.steps],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--board", default="mps2-an386", help="an emulated board: mps2-an386, mps3-an547, mps2-an500")
    parser.add_argument("--optimize", action="append", choices=OBJECTIVES,
                        help="objective to measure (repeatable) [default: all three]")
    parser.add_argument("--vectors", type=int, default=5, help="random input vectors for bit-exactness")
    parser.add_argument("-o", "--output", type=Path, help="JSON path [default: benchmarks/results/speed.json, "
                                                          "or speed-<board>.json for another board]")
    args = parser.parse_args()
    board = load_board(args.board)
    o2 = _peers("tflm_cortex_m4.json")
    work = ROOT / "firmware_out" / f"bench-speed-{board.name}"
    rows = []
    for name in sorted({model for model, _ in o2}):
        path = _model_file(name)
        if path is None:
            Console(stderr=True).print(f"skip {name}: no {name}.tflite under ../shared/models/{{{','.join(FOLDERS)}}}")
            continue
        for objective in args.optimize or OBJECTIVES:
            rows.append(measure(name, path, board, objective, work, o2, args.vectors))
    _print(rows, board.name)
    if args.output is None:
        name = "speed.json" if args.board == "mps2-an386" else f"speed-{args.board}.json"
        args.output = ROOT / "benchmarks" / "results" / name
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps({"tinygen": __version__, "board": board.name, "cpus": os.cpu_count(),
                                       "target_ratio_to_cmsis_nn": TARGET, "cost_model_error_target": MODEL_ERROR,
                                       "models": rows}, indent=1))
    Console().print(f"wrote {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}")


def _n(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def _print(rows: list[dict], board: str) -> None:
    table = Table(title=f"instructions per inference on {board} (QEMU, exact); "
                        "TFLM figures from ../shared/benchmarks/peers")
    for column in ("model", "optimize", "schedule", "tinygen", "predicted", "TFLM CMSIS-NN", "ratio", "arena",
                   "TFLM arena", "runtime flash", "TFLM CMSIS-NN runtime flash", "bit-exact"):
        table.add_column(column, justify="left" if column in ("model", "optimize", "schedule") else "right")
    for r in rows:
        ratio, error = r["ratio_to_cmsis_nn"], r["prediction_error"]
        met = "" if ratio is None else "[green]met[/]" if ratio <= TARGET else "[red]missed[/]"
        verdict = "" if ratio is None else f"{ratio:.2f}x {met}"
        colour = "green" if abs(error) <= MODEL_ERROR else "red"
        table.add_row(r["model"], r["optimize"], r["schedule"], _n(r["instructions"]),
                      f"{_n(r['predicted_instructions'])} [{colour}]{error:+.1%}[/]", _n(r["tflm_cmsis_nn"]), verdict,
                      _n(r["arena_bytes"]), _n(r["tflm_cmsis_nn_arena_bytes"]), _n(r["runtime_flash_bytes"]),
                      _n(r["tflm_cmsis_nn_runtime_flash_bytes"]),
                      "[green]yes[/]" if r["bit_exact"] else "[red]NO[/]")
    Console(width=240).print(table)


if __name__ == "__main__":
    main()
