"""Memory timelines: layer-by-layer and planned live bytes per step, the arena and the board's limit."""

from __future__ import annotations

from pathlib import Path

from tinygen.check.fit import FitReport
from tinygen.errors import InputError


def plot_timeline(report: FitReport, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = [l.step for l in report.layers]
    fig, ax = plt.subplots(figsize=(max(6, len(steps) * 0.25), 4))
    ax.step(steps, [l.layer_live_bytes / 1024 for l in report.layers], where="mid", color="tab:gray",
            label=f"layer by layer (peak {report.layer_peak_bytes:,} B)")
    ax.bar(steps, [l.live_bytes / 1024 for l in report.layers], label="planned",
           color=["tab:red" if l.is_peak else "tab:green" if l.mode == "patch" else "tab:blue"
                  for l in report.layers])
    ax.axhline(report.arena_bytes / 1024, color="tab:orange", ls="--", label=f"arena {report.arena_bytes:,} B")
    arena_region = next(u for u in report.regions if any(label == "arena" for label, _ in u.items))
    limit = arena_region.capacity_bytes - (arena_region.used_bytes - report.arena_bytes)
    if limit < 4 * report.arena_bytes:
        ax.axhline(limit / 1024, color="black", label=f"{report.board} limit for the arena")
    ax.set_xticks(steps, [f"{l.step}:{l.opcode}" for l in report.layers], rotation=90, fontsize=7)
    ax.set_ylabel("live activation memory (KiB)")
    ax.set_title(f"{report.model} on {report.board}: memory timeline")
    ax.legend()
    fig.tight_layout()
    try:
        fig.savefig(path)
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot write the plot ({exc}); use a writable .svg/.png path") from None
    finally:
        plt.close(fig)
