"""Wall time and peak memory of `tinygen check` on very large graphs, and of `build` refusing a model that cannot fit.

    python benchmarks/scale.py [--board mps2-an386] [--timeout 600]

The models are written on the fly by tests/synthetic.py (int8, every tensor quantised alike):

* chain N: input -> RELU -> ... -> RELU, N operators (one order; the planner must stay linear);
* branches N: one input fanned out into N RELU branches joined by one CONCATENATION (2**N executed sets:
  the exact order search must give up at once and the greedy order take over);
* dense 50 MB: one FULLY_CONNECTED with a 5,000 x 10,000 int8 filter, far over the board's flash:
  `build` must refuse it (exit 1, does not fit, as `check`) before rendering or compiling, and write no folder.

Each figure is one run of the CLI as a subprocess (interpreter start-up and imports included), peak RSS from
os.wait4. Targets (issue 17): check < 10 s on the 20,000-op chain and on 300 branches; the refusal < 2 s.
Writes benchmarks/results/scale.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.check import tinygen_command  # noqa: E402
from tests.synthetic import big_dense, branches, relu_chain  # noqa: E402
from tinygen import __version__  # noqa: E402
from tinygen.importers.tflite import load_tflite  # noqa: E402

CASES: list[tuple[str, str, Callable[[Path], Path], int]] = [  # (name, command, writer, expected exit code)
    ("chain 2,000", "check", lambda d: relu_chain(d / "chain_2000.tflite", 2_000), 0),
    ("chain 20,000", "check", lambda d: relu_chain(d / "chain_20000.tflite", 20_000), 0),
    ("branches 300", "check", lambda d: branches(d / "branches_300.tflite", 300), 0),
    ("dense 50 MB", "check", lambda d: big_dense(d / "dense_50mb.tflite", 5_000, 10_000), 1),
    ("dense 50 MB", "build", lambda d: big_dense(d / "dense_50mb.tflite", 5_000, 10_000), 1),
]


def measure(args: list[str], timeout_s: float) -> tuple[int | None, float, int]:
    """(exit code or None on timeout, wall seconds, peak RSS bytes) of one CLI run."""
    start = time.perf_counter()
    proc = subprocess.Popen([*tinygen_command(), *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            cwd=ROOT, start_new_session=True)  # its own group: a timeout also stops its compilers
    pid = status = 0
    while pid == 0:  # os.wait4 reaps the child and returns its own rusage (Popen.wait would reap it first)
        if time.perf_counter() - start > timeout_s:
            os.killpg(proc.pid, signal.SIGKILL)
        time.sleep(0.01)
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code
    return (None if code < 0 else code), seconds, usage.ru_maxrss * 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--board", default="mps2-an386")
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args()
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, command, write, expected in CASES:
            model = write(folder)
            out = folder / "firmware"
            extra = ["-o", str(out)] if command == "build" else ["--json"]
            code, seconds, rss = measure([command, str(model), "--board", args.board, *extra], args.timeout)
            if code is not None and code != expected:
                raise SystemExit(f"tinygen {command} {name} exited {code}, expected {expected}")
            if command == "build" and out.exists():
                raise SystemExit(f"tinygen build {name} wrote {out} for a model it refused")
            rows.append({"model": name, "command": command, "operators": len(load_tflite(model).operators),
                         "file_bytes": model.stat().st_size, "exit_code": code, "seconds": round(seconds, 3),
                         "timed_out": code is None, "peak_rss_bytes": rss})
    table = Table("model", "command", "operators", "file", "exit", "seconds", "peak RSS",
                  title=f"tinygen at scale on {args.board} (one CLI run each, start-up included)")
    for r in rows:
        table.add_row(r["model"], r["command"], f"{r['operators']:,}", f"{r['file_bytes'] / 1e6:,.1f} MB",
                      "timeout" if r["timed_out"] else str(r["exit_code"]),
                      f"> {args.timeout:.0f}" if r["timed_out"] else f"{r['seconds']:.2f}",
                      f"{r['peak_rss_bytes'] / 2**20:,.0f} MiB")
    Console().print(table)
    out = ROOT / "benchmarks" / "results" / "scale.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    meta = {"tinygen_version": __version__, "python": platform.python_version(), "machine": platform.machine(),
            "board": args.board, "timeout_s": args.timeout, "command": tinygen_command()}
    out.write_text(json.dumps({"meta": meta, "rows": rows}, indent=2) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
