"""Which of a folder's .tflite models tinygen runs bit-exact: `check`, then `run --random 5` per board.

    python benchmarks/coverage.py DIR [--board mps2-an386 ...] [--select OP|TYPE ...] [--timeout 300]

The input set is TensorFlow Lite Micro's own models (examples, integration tests, test models). Nothing of
TFLM's is committed here; make the folder outside the repository from a clone or a bare mirror of
https://github.com/tensorflow/tflite-micro (GIT_DIR below is its git directory, e.g. the search tool's fetch):

    mkdir -p /work/tflm-models && cd /work/tflm-models
    git --git-dir=GIT_DIR ls-tree -r HEAD --name-only | grep '\\.tflite$' | while read -r p; do
        mkdir -p "$(dirname "$p")" && git --git-dir=GIT_DIR show "HEAD:$p" > "$p"; done

Every .tflite under DIR is read with TFLite Micro's own schema (not tinygen's importer, which is under test)
for its operators and activation types. Left out, and listed as skipped: models with an Ethos-U custom
operator (custom code "ethos-u": they run only on an NPU) or the audio Signal library's custom operators
(custom codes "Signal..."), and models with no int8 or int16 activation (float models: tinygen generates
quantised kernels). Each other model goes through `tinygen check --json` and, when check exits 0,
`tinygen run --random 5 --json` (20 vectors, one sequence with state carried, for a model with state:
variable tensors or resource variables), both as subprocesses in their own process group (a timeout also stops the
compiler or QEMU). Results: bit-exact, mismatch, refused (check exit 1: does not fit; exit 2 with the
unsupported (operator, type) pieces, the first few shown) or error (anything else, with its message).

`--select` runs only the models with one of the named operators or activation types (e.g. `--select
UNIDIRECTIONAL_SEQUENCE_LSTM --select SVDF --select int16`). Prints the table and one "N of M bit-exact" line
per board; writes benchmarks/results/coverage.json, or coverage-<boards>.json with --select.
Exits 1 when any model mismatched or errored (a refusal is not a failure: it is the coverage still missing).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.check import tinygen_command  # noqa: E402
from tinygen import __version__  # noqa: E402

VECTORS = 5
SEQUENCE = 20  # vectors for a model with state: one sequence, compared step by step
PIPED_WIDTH = 250  # columns when stdout is not a terminal: model paths and operator lists are long
SHOWN_PIECES = 3  # unsupported pieces named in the table (the JSON has all)
QUANTISED = frozenset({"INT8", "INT16"})


@dataclass(frozen=True)
class ModelFacts:
    """What TFLite Micro's schema says about a file: operator counts, activation types, why it is left out."""

    operators: dict[str, int]
    dtypes: tuple[str, ...]
    skipped: str | None
    stateful: bool  # variable tensors or resource variables: state carried between invocations


@dataclass(frozen=True)
class Outcome:
    result: str  # bit-exact | mismatch | refused | error
    detail: str
    seconds: float


def model_facts(path: Path) -> ModelFacts:
    """Operators (custom ones by their code) and activation types over every subgraph, and a skip reason."""
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

    op_names = {v: k for k, v in vars(schema.BuiltinOperator).items() if not k.startswith("_")}
    type_names = {v: k for k, v in vars(schema.TensorType).items() if not k.startswith("_")}
    model = schema.ModelT.InitFromPackedBuf(path.read_bytes(), 0)
    codes = []
    for code in model.operatorCodes or []:
        builtin = max(code.builtinCode, code.deprecatedBuiltinCode)
        custom = code.customCode.decode() if isinstance(code.customCode, bytes) else code.customCode
        codes.append(f"CUSTOM:{custom}" if builtin == schema.BuiltinOperator.CUSTOM else op_names[builtin])
    operators: Counter[str] = Counter()
    dtypes: set[str] = set()
    stateful = False
    buffers = model.buffers or []
    for graph in model.subgraphs or []:
        tensors = graph.tensors or []
        used = {*(graph.inputs if graph.inputs is not None else []),
                *(graph.outputs if graph.outputs is not None else [])}
        for op in graph.operators or []:
            operators[codes[op.opcodeIndex]] += 1
            used.update(op.inputs if op.inputs is not None else [])
            used.update(op.outputs if op.outputs is not None else [])
        stateful = stateful or any(t.isVariable for t in tensors)
        for index in used - {-1}:
            t = tensors[index]
            constant = 0 < t.buffer < len(buffers) and buffers[t.buffer].data is not None and (
                len(buffers[t.buffer].data) or buffers[t.buffer].size)
            if not constant:
                dtypes.add(type_names.get(t.type, str(t.type)))
    custom = sorted(op for op in operators if op.startswith("CUSTOM:"))
    skipped = None
    if any(op == "CUSTOM:ethos-u" for op in custom):
        skipped = "Ethos-U custom operator (NPU only)"
    elif any(op.startswith("CUSTOM:Signal") for op in custom):
        skipped = "audio Signal library custom operators"
    elif not dtypes & QUANTISED:
        skipped = "float model (no int8/int16 activations)"
    stateful = stateful or "VAR_HANDLE" in operators
    return ModelFacts(dict(sorted(operators.items())), tuple(sorted(d.lower() for d in dtypes)), skipped, stateful)


def cli(args: list[str], timeout_s: float) -> tuple[int | None, dict[str, Any], str]:
    """(exit code or None on timeout, the --json object or {}, stderr's last line) of one CLI run."""
    proc = subprocess.Popen([*tinygen_command(), *args, "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=ROOT, start_new_session=True)  # its own group: timeouts stop QEMU too
    try:
        out, err = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return None, {}, f"timed out after {timeout_s:.0f} s"
    try:
        report = json.loads(out)
    except json.JSONDecodeError:
        report = {}
    lines = [line for line in err.splitlines() if line.strip()]
    return proc.returncode, report, lines[-1] if lines else ""


def pieces(report: dict[str, Any]) -> str:
    """The first unsupported (operator, type) pieces as check prints them, and how many more."""
    listed = [p["op"] + (f" ({p['dtype']})" if p["dtype"] else "") + f"×{p['count']}"
              for p in report["unsupported_ops"]]
    more = len(listed) - SHOWN_PIECES
    return ", ".join(listed[:SHOWN_PIECES]) + (f", +{more} more" if more > 0 else "")


def judge(model: Path, board: str, timeout_s: float, work: Path, vectors: int) -> Outcome:
    start = time.perf_counter()

    def outcome(result: str, detail: str) -> Outcome:
        return Outcome(result, detail, round(time.perf_counter() - start, 1))

    code, report, err = cli(["check", str(model), "--board", board], timeout_s)
    if code == 2 and report.get("unsupported_ops"):
        return outcome("refused", pieces(report))
    if code == 1 and report.get("fits") is False:
        return outcome("refused", "does not fit the board")
    if code != 0:
        return outcome("error", f"check exit {code}: {err}")
    code, report, err = cli(["run", str(model), "--board", board, "--random", str(vectors),
                             "--output", str(work / f"{model.stem}-{board}"), "--timeout", str(timeout_s)], timeout_s)
    if code == 0 and report.get("bit_exact"):
        return outcome("bit-exact", f"{report['vectors']} vectors")
    if code == 1 and report.get("bit_exact") is False:
        return outcome("mismatch", f"{report['mismatches']}/{report['vectors']} vectors, "
                                   f"max |diff| {report['max_abs_diff']}")
    return outcome("error", f"run exit {code}: {err}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path, help="Folder searched recursively for .tflite files.")
    parser.add_argument("--board", action="append", help="Board to check and run on (repeatable; mps2-an386).")
    parser.add_argument("--timeout", type=float, default=300.0, help="Seconds per check or run.")
    parser.add_argument("--select", action="append", default=[],
                        help="Only models with this operator or activation type (repeatable: any of them).")
    args = parser.parse_args()
    boards: list[str] = args.board or ["mps2-an386"]
    wanted = set(args.select)
    found = {p: model_facts(p) for p in sorted(args.dir.rglob("*.tflite"))}
    models = [p for p, f in found.items() if not wanted or wanted & {*f.operators, *f.dtypes}]
    if not models:
        parser.error(f"{args.dir}: no .tflite files{' with ' + ', '.join(sorted(wanted)) if wanted else ''}; see "
                     "this script's docstring for how to make the folder")
    rows: list[dict[str, Any]] = []
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="tinygen-coverage-") as tmp:
        for path in models:
            facts = found[path]
            vectors = SEQUENCE if facts.stateful else VECTORS
            results = {} if facts.skipped else {b: asdict(judge(path, b, args.timeout, Path(tmp), vectors))
                                                for b in boards}
            rows.append({"model": str(path.relative_to(args.dir).with_suffix("")), **asdict(facts),
                         "results": results})
    seconds = time.perf_counter() - start

    table = Table("model", "operators", "activations", *boards, title=f"{len(models)} .tflite files in {args.dir}")
    for row in rows:
        ops = ", ".join(row["operators"])
        cells = ([f"skipped: {row['skipped']}"] * len(boards) if row["skipped"] else
                 [f"{r['result']}: {r['detail']}" if r["result"] != "bit-exact" else "bit-exact"
                  for r in row["results"].values()])
        table.add_row(row["model"], ops, ", ".join(row["dtypes"]), *cells)
    console = Console() if sys.stdout.isatty() else Console(width=PIPED_WIDTH)  # a log gets the whole table
    console.print(table)
    summary = {}
    for board in boards:
        counts = Counter(row["results"][board]["result"] for row in rows if not row["skipped"])
        summary[board] = dict(counts)
        total = sum(counts.values())
        console.print(f"{board}: {counts['bit-exact']} of {total} bit-exact "
                      f"({counts['refused']} refused, {counts['mismatch']} mismatch, {counts['error']} error; "
                      f"{len(rows) - total} skipped)")

    out = ROOT / "benchmarks" / "results" / (f"coverage-{'-'.join(boards)}.json" if wanted else "coverage.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"tinygen": __version__, "dir": str(args.dir), "boards": boards,
                               "vectors": VECTORS, "sequence_vectors": SEQUENCE, "timeout_s": args.timeout,
                               "seconds": round(seconds, 1), "summary": summary, "models": rows}, indent=2))
    console.print(f"wrote {out}")
    bad = any(r["result"] in ("mismatch", "error") for row in rows for r in row["results"].values())
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
