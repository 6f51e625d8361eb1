"""Long fuzz runs: seeded mutants of the example and a test-made model through check, build and sanitized run.

    python benchmarks/fuzz.py [--cases 2000] [--seed 1] [--builds 40] [--runs 10] [--timeout 60]

The mutators and the judging are the suite's (tests/fuzz/); the suite runs a few hundred cases, this runs as
many as asked. Prints cases per outcome per stage and each distinct bad outcome once, with its first case's
repro (seed, case number and the mutation; tests/fuzz/runner.py `mutant` rebuilds the file). Writes
benchmarks/results/fuzz.json. Exits 1 when anything bad happened.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fuzz.runner import GOOD, STAGES, Budget, distinct, fuzz  # noqa: E402
from tests.fuzz.seeds import seed_models  # noqa: E402
from tinygen import __version__  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--builds", type=int, default=40)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--timeout", type=float, default=60.0, help="Seconds per check or build (run: 3x).")
    args = parser.parse_args()
    budget = Budget(args.cases, args.builds, args.runs, args.timeout)
    seeds = seed_models()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="tinygen-fuzz-") as work:
        outcomes = list(fuzz(seeds, args.seed, budget, Path(work)))
    seconds = time.perf_counter() - start

    counts = Counter((o.stage, o.label) for o in outcomes)
    labels = list(GOOD) + sorted({label for _, label in counts} - set(GOOD))
    table = Table("stage", *labels, "bad", title=f"{args.cases} mutants, seed {args.seed}, {seconds:.0f} s")
    for stage in STAGES:
        row = [counts.get((stage, label), 0) for label in labels]
        bad = sum(n for label, n in zip(labels, row, strict=True) if label not in GOOD)
        table.add_row(stage, *map(str, row), str(bad))
    console = Console()
    console.print(table)
    findings = distinct(outcomes)
    for outcome, hits in findings:
        console.print(f"[red]{hits}x {outcome.stage} {outcome.label}[/]: {outcome.detail}\n"
                      f"    case {outcome.case} ({outcome.model}): {outcome.mutation}", markup=True, highlight=False)

    out = ROOT / "benchmarks" / "results" / "fuzz.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({
        "tinygen": __version__, "seed": args.seed, "budget": asdict(budget), "seconds": round(seconds, 1),
        "outcomes": {stage: {label: n for (s, label), n in counts.items() if s == stage} for stage in STAGES},
        "findings": [{**asdict(outcome), "hits": hits} for outcome, hits in findings],
    }, indent=2))
    console.print(f"wrote {out}")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
