"""Flash and RAM of tinygen's firmware per shared model and board, beside TensorFlow Lite Micro's.

    python benchmarks/codegen.py [--boards mps2-an386,mps2-an385,...]

TFLM's figures (../shared/benchmarks/peers/tflm_cortex_m4.json) are for a
Cortex-M4F build at -O2 with the reference kernels; flash = .text + .rodata +
.data image (model included), RAM = .data + .bss (arena included, stack not).
tinygen's RAM here is reported both with and without its reserved stack.
Instructions per inference are not measured yet (they need the TCG plugin of
the profiling work) and are left out rather than estimated.
Writes benchmarks/results/codegen.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.models import LOCATIONS, SHARED  # noqa: E402
from tinygen.boards import load_board  # noqa: E402
from tinygen.pipeline import build_firmware  # noqa: E402

PEERS = SHARED.parent / "benchmarks" / "peers" / "tflm_cortex_m4.json"


def tflm_figures() -> dict[str, dict]:
    if not PEERS.exists():
        return {}
    return {r["model"]: r for r in json.loads(PEERS.read_text()) if r["variant"] == "ref"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--boards", default="mps2-an386,mps2-an385,mps2-an500,mps3-an547")
    parser.add_argument("--models", default="kws_ref_model,ad01_int8")
    args = parser.parse_args()
    peers = tflm_figures()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for model in args.models.split(","):
            path = SHARED / LOCATIONS[model]
            if not path.exists():
                continue
            for name in args.boards.split(","):
                board = load_board(name)
                s = build_firmware(path, board, Path(tmp) / f"{model}-{name}").build.sizes
                peer = peers.get(model) if board.cpu.core == "cortex-m4" else None
                rows.append({
                    "model": model, "board": name,
                    "flash_bytes": s.flash_bytes, "code_bytes": s.code_bytes, "weights_bytes": s.weights_bytes,
                    "ram_bytes": s.ram_bytes, "ram_without_stack_bytes": s.ram_bytes - s.stack_bytes,
                    "arena_bytes": s.arena_bytes, "stack_bytes": s.stack_bytes, "other_ram_bytes": s.other_ram_bytes,
                    "tflm_flash_bytes": peer["flash_bytes"] if peer else None,
                    "tflm_runtime_flash_bytes": peer["flash_minus_model_bytes"] if peer else None,
                    "tflm_ram_bytes": peer["data_bytes"] + peer["bss_bytes"] if peer else None,
                    "tflm_arena_bytes": peer["arena_used_bytes"] if peer else None,
                })
    table = Table("model", "board", "flash (code+weights)", "TFLM flash", "RAM (arena+stack+other)",
                  "RAM w/o stack", "TFLM RAM", title="tinygen vs TensorFlow Lite Micro (reference kernels, -O2)")
    for r in rows:
        table.add_row(
            r["model"], r["board"], f"{r['flash_bytes']:,} ({r['code_bytes']:,}+{r['weights_bytes']:,})",
            f"{r['tflm_flash_bytes']:,}" if r["tflm_flash_bytes"] else "-",
            f"{r['ram_bytes']:,} ({r['arena_bytes']:,}+{r['stack_bytes']:,}+{r['other_ram_bytes']:,})",
            f"{r['ram_without_stack_bytes']:,}", f"{r['tflm_ram_bytes']:,}" if r["tflm_ram_bytes"] else "-",
        )
    Console().print(table)
    out = ROOT / "benchmarks" / "results" / "codegen.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
