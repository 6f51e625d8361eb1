"""One subnet of the search space: a MobileNetV2-style network (MCUNet's), as plain frozen data.

An `Arch` says everything that decides a network's memory and MACs: input
resolution, stem, and per stage its channels, stride and blocks (kernel size,
expand ratio). `tinygen/search/net.py` turns it into layers; the Keras and IR
emitters build from those, so a candidate's memory is known before any training.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

STEMS = ("conv", "conv+ds", "spectrogram")


@dataclass(frozen=True)
class Block:
    """An inverted-residual block: 1×1 expand (skipped when expand == 1), k×k depthwise, 1×1 project."""

    kernel: int
    expand: int


@dataclass(frozen=True)
class Stage:
    """Blocks at `channels` outputs; the first block has `stride`, the others stride 1 (and a residual add)."""

    channels: int
    stride: int
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Arch:
    """`stem`: "conv" (3×3 stride 2), "conv+ds" (that, then a depthwise-separable block, MCUNet's first block),
    or "spectrogram" (DS-CNN's 10×4 stride-2 convolution over a time × frequency input)."""

    input_shape: tuple[int, int, int]  # H, W, C at the network's resolution
    classes: int
    stem: str
    stem_channels: int
    stages: tuple[Stage, ...]

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Arch:
        stages = tuple(Stage(s["channels"], s["stride"], tuple(Block(**b) for b in s["blocks"]))
                       for s in data["stages"])
        return cls(tuple(data["input_shape"]), data["classes"], data["stem"], data["stem_channels"], stages)

    def describe(self) -> str:
        """Compact one-line form: r32 conv16 | 24s2: k3e4 k5e6 | ..."""
        stages = " | ".join(f"{s.channels}s{s.stride}: " + " ".join(f"k{b.kernel}e{b.expand}" for b in s.blocks)
                            for s in self.stages)
        h, w, _ = self.input_shape
        res = f"r{h}" if h == w else f"r{h}x{w}"
        return f"{res} {self.stem}{self.stem_channels} | {stages}"
