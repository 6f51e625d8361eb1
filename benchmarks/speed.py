"""Instructions per inference: tinygen against TensorFlow Lite Micro (reference kernels and CMSIS-NN).

    python benchmarks/speed.py [--board mps2-an386]

Per shared model (../shared/models/mlperf_tiny; skipped when absent): tinygen's
instructions per inference from `tinygen profile` (QEMU plugin, exact, the
peers' input pattern), beside the peers' measured figures
(../shared/benchmarks/peers/tflm_cortex_m4.json, -O2, and _Os.json), the SMLAD
bound (MACs / 2: two MACs per instruction, nothing else executed), tinygen's
ratio to TFLM+CMSIS-NN against the 0.6 target, and runtime flash (everything
but the model's data: tinygen's flash minus its weight arrays; the peers' flash
minus the .tflite). Prints a table; writes benchmarks/results/speed.json
(speed-<board>.json for another board). The peers were measured on a Cortex-M4:
on other cores the ratio compares different machines' instruction counts.
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
from tinygen.boards import load_board  # noqa: E402
from tinygen.pipeline import build_firmware  # noqa: E402
from tinygen.profile.measure import profile_model  # noqa: E402

SHARED = ROOT.parent / "shared"
MODELS = {"kws_ref_model": "mlperf_tiny/kws_ref_model.tflite", "ad01_int8": "mlperf_tiny/ad01_int8.tflite"}
TARGET = 0.6  # issue 9: at most 0.6x TFLM + CMSIS-NN


def _peers(name: str) -> dict:
    path = SHARED / "benchmarks" / "peers" / name
    return {(r["model"], r["variant"]): r for r in json.loads(path.read_text())} if path.exists() else {}


def measure(name: str, path: Path, board, work: Path, o2: dict, os_: dict) -> dict:
    profile = profile_model(path, board, work / f"{name}-profile")
    sizes = build_firmware(path, board, work / name, reuse=True).build.sizes
    total = profile.per_inference
    ref, cmsis = o2.get((name, "ref"), {}), o2.get((name, "cmsis_nn"), {})
    return {
        "model": name, "macs": profile.macs, "instructions": total, "smlad_bound": profile.macs // 2,
        "tflm_ref": ref.get("instructions"), "tflm_cmsis_nn": cmsis.get("instructions"),
        "tflm_ref_Os": os_.get((name, "ref"), {}).get("instructions"),
        "tflm_cmsis_nn_Os": os_.get((name, "cmsis_nn"), {}).get("instructions"),
        "ratio_to_cmsis_nn": total / cmsis["instructions"] if cmsis else None,
        "runtime_flash_bytes": sizes.flash_bytes - sizes.weights_bytes,
        "tflm_cmsis_nn_runtime_flash_bytes": cmsis.get("flash_minus_model_bytes"),
        "flash_bytes": sizes.flash_bytes, "weights_bytes": sizes.weights_bytes,
        "layers": [{"op": s.op, "macs": s.macs, "instructions": s.count} for s in profile.steps],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--board", default="mps2-an386")
    parser.add_argument("-o", "--output", type=Path, help="JSON path [default: benchmarks/results/speed.json, "
                                                          "or speed-<board>.json for another board]")
    args = parser.parse_args()
    board = load_board(args.board)
    o2, os_ = _peers("tflm_cortex_m4.json"), _peers("tflm_cortex_m4_Os.json")
    work = ROOT / "firmware_out" / "bench-speed"
    rows = []
    for name, rel in MODELS.items():
        path = SHARED / "models" / rel
        if not path.exists():
            Console(stderr=True).print(f"skip {name}: {path} is absent")
            continue
        rows.append(measure(name, path, board, work, o2, os_))
    _print(rows, board.name)
    if args.output is None:
        name = "speed.json" if args.board == "mps2-an386" else f"speed-{args.board}.json"
        args.output = ROOT / "benchmarks" / "results" / name
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps({"tinygen": __version__, "board": board.name, "cpus": os.cpu_count(),
                                       "target_ratio_to_cmsis_nn": TARGET, "models": rows}, indent=1))
    Console().print(f"wrote {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}")


def _n(value) -> str:
    return "" if value is None else f"{value:,}"


def _print(rows: list[dict], board: str) -> None:
    table = Table(title=f"instructions per inference on {board} (QEMU, exact); "
                        "TFLM figures from ../shared/benchmarks/peers")
    for column in ("model", "MACs", "SMLAD bound", "tinygen", "TFLM ref", "TFLM CMSIS-NN", "tinygen / CMSIS-NN",
                   "target", "runtime flash", "TFLM CMSIS-NN runtime flash"):
        table.add_column(column, justify="left" if column == "model" else "right")
    for r in rows:
        ratio = r["ratio_to_cmsis_nn"]
        verdict = "" if ratio is None else ("[green]met[/]" if ratio <= TARGET else "[red]missed[/]")
        table.add_row(r["model"], _n(r["macs"]), _n(r["smlad_bound"]), _n(r["instructions"]), _n(r["tflm_ref"]),
                      _n(r["tflm_cmsis_nn"]), "" if ratio is None else f"{ratio:.2f}x", f"≤{TARGET}x {verdict}",
                      _n(r["runtime_flash_bytes"]), _n(r["tflm_cmsis_nn_runtime_flash_bytes"]))
    Console(width=200).print(table)


if __name__ == "__main__":
    main()
