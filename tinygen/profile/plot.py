"""Bar chart of a profile: instructions (or cycles) per step, MACs per instruction (or cycle) on a second axis."""

from __future__ import annotations

from pathlib import Path

from tinygen.profile.measure import Profile


def plot_profile(p: Profile, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [f"{i}: {s.op.replace('_2D', '').lower()}" for i, s in enumerate(p.steps)]
    fig, ax = plt.subplots(figsize=(max(6.0, 0.45 * len(p.steps) + 2), 4.2))
    ax.bar(range(len(p.steps)), [s.count / 1e3 for s in p.steps], color="tab:blue")
    ax.set_ylabel(f"{p.unit} (thousands)")
    ax.set_xticks(range(len(p.steps)), labels, rotation=60, ha="right", fontsize=8)
    rate = ax.twinx()
    rate.plot(range(len(p.steps)), [s.macs_per_count for s in p.steps], "o", color="tab:orange")
    rate.set_ylabel(f"MACs per {p.unit[:-1]}", color="tab:orange")
    ax.set_title(f"{p.model} on {p.board}: {p.per_inference:,} {p.unit} per inference")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
