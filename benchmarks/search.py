"""Memory-aware NAS against a hand-designed DS-CNN, under one board budget.

    python benchmarks/search.py [--sram 32K --flash 96K --board mps2-an386 --trials 24 --epochs 8]

Data: scikit-learn's digits resized to 32×32 (80/20 split, random_state=0;
scripts/digits_npz.py). Runs the real command, `tinygen search --json`, timed
end to end; trains the DS-CNN baseline (tinygen/search/baseline.py) with the
same epochs and seed through the same training and int8 quantisation; then
builds the found model for the board, runs 5 random vectors in QEMU against
TensorFlow Lite Micro (`tinygen run --json`) and compares the built firmware's
SRAM and flash with the budget. Prints a table; writes benchmarks/results/search.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from digits_npz import write_digits  # noqa: E402

from tinygen import __version__  # noqa: E402
from tinygen.boards import load_board  # noqa: E402
from tinygen.commands.options import BYTES  # noqa: E402
from tinygen.search.baseline import ds_cnn  # noqa: E402
from tinygen.search.ir_net import ir_graph  # noqa: E402
from tinygen.search.measure import Budget  # noqa: E402
from tinygen.search.train import SplitData, evaluate_net  # noqa: E402


def _tinygen(*args: str) -> dict:
    done = subprocess.run([sys.executable, "-c", "from tinygen.cli import main; main()", *args, "--json"],
                          capture_output=True, text=True, cwd=ROOT)
    if done.returncode not in (0, 1):
        raise SystemExit(f"tinygen {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()[-400:]}")
    return json.loads(done.stdout)


def baseline(train: Path, test: Path, board, budget: Budget, epochs: int, seed: int, work: Path) -> dict:
    import numpy as np

    from tinygen.check.fit import fit_report
    from tinygen.plan.schedule import plan_schedule

    tr, te = np.load(train), np.load(test)
    data = SplitData(tr["x"], tr["y"], te["x"], te["y"], test)
    net = ds_cnn(tuple(tr["x"].shape[1:]), int(tr["y"].max()) + 1)
    graph = ir_graph(net)
    report = fit_report(graph, plan_schedule(graph, board.alignment_bytes, dsp_kernels=board.cpu.dsp), board)
    start = time.monotonic()
    score = evaluate_net(0, net, data, epochs, seed, work / "baseline")
    return {"int8_accuracy": score.int8_accuracy, "float_accuracy": score.float_accuracy,
            "peak_sram_bytes": report.sram_bytes, "flash_bytes": report.flash_bytes, "macs": report.total_macs,
            "fits": report.sram_bytes <= budget.sram_bytes and report.flash_bytes <= budget.flash_bytes,
            "seconds": round(time.monotonic() - start, 1), "tflite": str(score.tflite_path)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--board", default="mps2-an386")
    parser.add_argument("--sram", default="32K")
    parser.add_argument("--flash", default="96K")
    parser.add_argument("--trials", type=int, default=24)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("-o", "--output", type=Path, default=ROOT / "benchmarks" / "results" / "search.json")
    args = parser.parse_args()
    board = load_board(args.board)
    budget = Budget(BYTES.convert(args.sram, None, None), BYTES.convert(args.flash, None, None))
    with tempfile.TemporaryDirectory(prefix="tinygen-search-bench-") as tmp:
        work = Path(tmp)
        train, test = write_digits(32, work / "digits32")
        start = time.monotonic()
        found = _tinygen("search", "--data", str(train), "--eval", str(test), "--board", board.name,
                         "--sram", str(budget.sram_bytes), "--flash", str(budget.flash_bytes),
                         "--trials", str(args.trials), "--epochs", str(args.epochs), "--seed", str(args.seed),
                         "--workers", str(args.workers), "-o", str(work / "search"))
        seconds = time.monotonic() - start
        base = baseline(train, test, board, budget, args.epochs, args.seed, work)
        best = found["best"]
        run = _tinygen("run", best["tflite"], "--board", board.name, "--random", "5", "-o", str(work / "fw")) \
            if best else None
    result = {
        "tinygen": __version__, "machine": platform.machine(), "cpus": os.cpu_count(), "board": board.name,
        "budget": {"sram_bytes": budget.sram_bytes, "flash_bytes": budget.flash_bytes},
        "trials": found["trials"], "trained": found["trained"], "epochs": args.epochs, "seconds": round(seconds, 1),
        "chosen_space": found["chosen_space"], "spaces": found["spaces"],
        "best": best and {k: best[k] for k in ("trial", "architecture", "macs", "params", "peak_sram_bytes",
                                                "flash_bytes", "float_accuracy", "int8_accuracy")},
        "baseline": base,
        "firmware": run and {k: run[k] for k in ("bit_exact", "vectors", "flash_bytes", "ram_bytes", "arena_bytes",
                                                 "stack_bytes")},
    }
    _print(result)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=1))
    Console().print(f"wrote {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}")


def _print(r: dict) -> None:
    console = Console(width=160)
    b, base, fw = r["best"], r["baseline"], r["firmware"]
    budget = r["budget"]
    table = Table(title=f"tinygen search on digits 32×32, {r['board']}, budget SRAM {budget['sram_bytes']:,} B / "
                        f"flash {budget['flash_bytes']:,} B")
    for column in ("model", "int8 acc", "float acc", "MACs", "planned SRAM", "flash (plan)", "built SRAM",
                   "built flash", "bit-exact"):
        table.add_column(column, justify="left" if column == "model" else "right")
    if b:
        table.add_row(f"search best (trial {b['trial']})", f"{100 * b['int8_accuracy']:.2f}%",
                      f"{100 * b['float_accuracy']:.2f}%", f"{b['macs']:,}", f"{b['peak_sram_bytes']:,}",
                      f"{b['flash_bytes']:,}", f"{fw['ram_bytes']:,}", f"{fw['flash_bytes']:,}",
                      f"{'yes' if fw['bit_exact'] else 'NO'} ({fw['vectors']} vectors)")
    table.add_row("DS-CNN baseline", f"{100 * base['int8_accuracy']:.2f}%", f"{100 * base['float_accuracy']:.2f}%",
                  f"{base['macs']:,}", f"{base['peak_sram_bytes']:,}", f"{base['flash_bytes']:,}", "", "", "")
    console.print(table)
    console.print(f"{r['trials']} trials ({r['trained']} trained, {r['epochs']} epochs each) in {r['chosen_space']}, "
                    f"search wall time {r['seconds']:.0f} s on {r['cpus']} cores")
    if b:
        console.print(f"architecture: {b['architecture']}")


if __name__ == "__main__":
    main()
