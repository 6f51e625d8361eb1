"""What a finished search leaves in DIR: every candidate as CSV and JSON, a Pareto plot, the best model.

The best candidate is the most accurate int8 model within the budget (ties: less
SRAM, then less flash, then the earlier trial); it is copied to DIR/best.keras
and DIR/best_int8.tflite, ready for `tinygen build`. Every file is replaced
atomically, so a resumed search never leaves a mix of old and new results.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from tinygen.files import write_atomically
from tinygen.search.study import Candidate
from tinygen.search.tinynas import SpaceScore

CSV_FIELDS = ("trial", "fits", "architecture", "macs", "params", "peak_sram_bytes", "arena_bytes", "flash_bytes",
              "latency_ms", "float_accuracy", "int8_accuracy", "train_seconds")


@dataclass(frozen=True)
class SearchOutcome:
    directory: Path
    spaces: tuple[SpaceScore, ...]
    chosen: SpaceScore
    candidates: tuple[Candidate, ...]
    best: Candidate | None
    seconds: float

    @property
    def trained(self) -> int:
        return sum(c.score is not None for c in self.candidates)


def pick_best(candidates: list[Candidate]) -> Candidate | None:
    scored = [c for c in candidates if c.fits and c.score is not None]
    if not scored:
        return None
    return min(scored, key=lambda c: (-c.trained_score.int8_accuracy, c.measurement.sram_bytes,
                                      c.measurement.flash_bytes, c.number))


def candidate_row(c: Candidate) -> dict:
    m = c.measurement
    return {
        "trial": c.number, "fits": c.fits, "architecture": c.arch.describe(), "macs": m.macs, "params": m.params,
        "peak_sram_bytes": m.sram_bytes, "arena_bytes": m.arena_bytes, "flash_bytes": m.flash_bytes,
        "latency_ms": m.latency_ms,
        "float_accuracy": c.score.float_accuracy if c.score else None,
        "int8_accuracy": c.score.int8_accuracy if c.score else None,
        "train_seconds": round(c.score.seconds, 1) if c.score else None,
    }


def space_row(s: SpaceScore) -> dict:
    return {"space": s.space.label, "resolution": list(s.space.input_shape[:2]), "width": s.space.width,
            "samples": s.samples, "fitting": s.fitting, "mean_macs": s.mean_macs}


def outcome_json(outcome: SearchOutcome) -> dict:
    best = outcome.best
    return {
        "directory": str(outcome.directory),
        "seconds": round(outcome.seconds, 1),
        "spaces": [space_row(s) for s in outcome.spaces],
        "chosen_space": outcome.chosen.space.label,
        "trials": len(outcome.candidates),
        "trained": outcome.trained,
        "best": None if best is None else {
            **candidate_row(best), "arch": best.arch.to_json(),
            "keras": str(outcome.directory / "best.keras"), "tflite": str(outcome.directory / "best_int8.tflite")},
        "candidates": [{**candidate_row(c), "arch": c.arch.to_json()} for c in outcome.candidates],
    }


def _csv(candidates: Iterable[Candidate]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_FIELDS)
    writer.writeheader()
    for c in candidates:
        writer.writerow(candidate_row(c))
    return out.getvalue().encode()


def pareto_front(points: list[tuple[float, float]]) -> list[int]:
    """Indices of the points no other point beats: lower cost (x) and higher accuracy (y)."""
    return [i for i, (x, y) in enumerate(points)
            if not any(x2 <= x and y2 >= y and (x2, y2) != (x, y) for x2, y2 in points)]


def _plot(outcome: SearchOutcome, budget_sram: int | None, budget_flash: int | None) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scored = [c for c in outcome.candidates if c.score is not None]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    for ax, key, label, limit in ((axes[0], "sram_bytes", "peak SRAM (kB)", budget_sram),
                                  (axes[1], "flash_bytes", "flash (kB)", budget_flash)):
        points = [(getattr(c.measurement, key) / 1024, 100 * c.trained_score.int8_accuracy) for c in scored]
        ax.scatter([p[0] for p in points], [p[1] for p in points], s=18, color="tab:blue", label="candidates")
        front = sorted(points[i] for i in pareto_front(points))
        if front:
            ax.step([p[0] for p in front], [p[1] for p in front], where="post", color="tab:orange",
                    label="Pareto front")
        if outcome.best is not None:
            best = outcome.best
            ax.scatter([getattr(best.measurement, key) / 1024], [100 * best.trained_score.int8_accuracy],
                       s=80, marker="*", color="tab:red", label="best", zorder=3)
        if limit:
            ax.axvline(limit / 1024, color="grey", linestyle="--", label="budget")
        ax.set_xlabel(label)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("int8 accuracy (%)")
    axes[1].legend(loc="lower right", fontsize=8)
    fig.suptitle(f"tinygen search: {len(scored)} trained candidates in {outcome.chosen.space.label}")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    return buffer.getvalue()


def write_outcome(outcome: SearchOutcome, budget_sram: int | None, budget_flash: int | None) -> None:
    d = outcome.directory
    write_atomically(d / "candidates.csv", _csv(outcome.candidates))
    write_atomically(d / "candidates.json", json.dumps(outcome_json(outcome), indent=1).encode())
    write_atomically(d / "pareto.png", _plot(outcome, budget_sram, budget_flash))
    if outcome.best is not None:
        best = outcome.best.trained_score
        write_atomically(d / "best.keras", best.keras_path.read_bytes())
        write_atomically(d / "best_int8.tflite", best.tflite_path.read_bytes())
