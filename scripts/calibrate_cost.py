"""Calibrate the per-kernel cost model (tinygen/costmodel.py) from `tinygen profile` per-layer counts.

    python scripts/calibrate_cost.py [--models 60] [--board mps2-an386 --board mps3-an547]
    python scripts/calibrate_cost.py --refit    # the stored samples fitted again (the fit changed, not kernels)

The training set is seeded random int8 Keras chains (convolutions of square,
rectangular and strided windows over 1-64 channels, depthwise with channel
multipliers 1-8 and square or rectangular windows up to 10x8, pools, residual
ADDs, dense heads; every 8th a MobileNet-like first stage, every 8th an MLP up
to 640 wide), none of them a benchmark model; channel counts that are not
multiples of four keep some layers on the generic kernels, as patch stages and narrow in-place layers do.
Each is profiled layer by layer (`--patches off`: one step per layer) on each
board; every step gives one (kernel, shape terms, instructions) sample. Each
model is also profiled with 2x2 and 4x4 patch stages, whose measured counts
against the layer fit give the patch factor. Writes tinygen/data/cost_model.json:
the fitted coefficients per core and kernel, the patch factors, and the samples
themselves, so tests/test_costmodel.py can check the fit. Run it again whenever a
kernel changes: the measured counts move, the table follows.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tinygen.boards import load_board  # noqa: E402
from tinygen.check.choose import choose_schedule  # noqa: E402
from tinygen.check.instructions import patch_shares  # noqa: E402
from tinygen.costmodel import DATA, FEATURES, features, fit, fit_patch_factor  # noqa: E402
from tinygen.errors import InputError  # noqa: E402
from tinygen.importers.tflite import load_tflite  # noqa: E402
from tinygen.plan.schedule import ScheduleOptions  # noqa: E402
from tinygen.profile.measure import profile_model  # noqa: E402

WORK = ROOT / "firmware_out" / "calibrate-cost"


def _layers(rng: np.random.Generator, tf, x, budget: int):  # noqa: ANN001, ANN202 (Keras tensors are untyped)
    """A seeded chain of layers on `x` while the spatial size allows."""
    k = tf.keras.layers
    for _ in range(int(rng.integers(4, 8))):
        h, w, c = x.shape[1:]
        kind = rng.choice(["conv", "conv", "pointwise", "depthwise", "depthwise", "pool", "add"])
        stride = int(rng.choice([1, 2])) if min(h, w) >= 8 else 1
        if kind == "conv":
            kh, kw = [(1, 1), (3, 3), (3, 3), (5, 5), (3, 1), (1, 3), (10, 4), (7, 7)][int(rng.integers(8))]
            kh, kw = min(kh, h), min(kw, w)
            x = k.Conv2D(int(rng.choice([4, 6, 8, 10, 12, 14, 16, 24, 28, 32, 40, 48, 64])), (kh, kw), strides=stride,
                         padding=str(rng.choice(["same", "valid"])), activation="relu")(x)
        elif kind == "pointwise":
            filters = int(rng.choice([8, 10, 16, 20, 24, 32, 36, 50, 64, 96]))
            x = k.Conv2D(filters, 1, activation=rng.choice(["relu", None]))(x)
        elif kind == "depthwise":
            kh, kw = [(3, 3), (3, 3), (5, 5), (7, 7), (3, 1), (1, 5), (10, 4), (10, 8)][int(rng.integers(8))]
            multiplier = int(rng.choice([1, 1, 2, 8])) if c <= 8 else 1
            x = k.DepthwiseConv2D((min(kh, h), min(kw, w)), strides=stride, padding="same", depth_multiplier=multiplier,
                                  activation="relu")(x)
        elif kind == "pool" and min(h, w) >= 2:
            pool = k.AveragePooling2D if rng.integers(2) else k.MaxPooling2D
            x = pool(2, padding="same")(x)
        elif kind == "add":
            x = k.Add()([x, k.Conv2D(c, 1)(x)])
        if np.prod(x.shape[1:]) * 64 > budget:
            break
    return x


def _mobilenet_start(rng: np.random.Generator, tf, x):  # noqa: ANN001, ANN202
    """A strided 3x3 convolution, then depthwise-separable blocks of 4-64 channels (MobileNet's first stage)."""
    k = tf.keras.layers
    x = k.Conv2D(int(rng.choice([8, 16])), 3, strides=2, padding="same", activation="relu")(x)
    for _ in range(int(rng.integers(2, 5))):
        stride = int(rng.choice([1, 2])) if min(x.shape[1:3]) >= 8 else 1
        x = k.DepthwiseConv2D(3, strides=stride, padding="same", activation="relu")(x)
        x = k.Conv2D(int(rng.choice([8, 16, 24, 32, 48, 64])), 1, activation="relu")(x)
    return x


def _mlp(rng: np.random.Generator, tf, x):  # noqa: ANN001, ANN202
    """Dense layers 8-640 wide (an autoencoder's or a keyword spotter's head)."""
    for _ in range(int(rng.integers(3, 7))):
        x = tf.keras.layers.Dense(int(rng.choice([8, 32, 64, 128, 128, 256, 640])), activation="relu")(x)
    return x


def keras_model(seed: int) -> bytes:
    """One training model as int8 .tflite: a random chain (every 8th a MobileNet-like start, every 8th an
    MLP), pooled, then dense and softmax."""
    import tensorflow as tf

    rng = np.random.default_rng(seed)
    if seed % 8 == 7:
        shape: tuple[int, ...] = (int(rng.choice([64, 128, 490, 640])),)
        inputs = tf.keras.Input(shape, batch_size=1)
        x = _mlp(rng, tf, inputs)
    else:
        shape = [(32, 32, 3), (49, 10, 1), (24, 24, 8), (16, 16, 16), (40, 40, 1), (12, 12, 32), (28, 28, 4),
                 (64, 64, 1), (48, 48, 3)][seed % 8 if seed % 8 != 6 else 7 + seed // 8 % 2]
        inputs = tf.keras.Input(shape, batch_size=1)
        x = (_mobilenet_start(rng, tf, inputs) if seed % 8 == 6 else _layers(rng, tf, inputs, budget=4_000_000))
    flat = rng.integers(2) and np.prod(x.shape[1:]) <= 4096  # a dense head on at most 4,096 inputs
    if len(x.shape) == 4:
        x = tf.keras.layers.Flatten()(x) if flat else tf.keras.layers.GlobalAveragePooling2D()(x)
    x = tf.keras.layers.Dense(int(rng.choice([12, 16, 32, 64])), activation="relu")(x)
    outputs = tf.keras.layers.Dense(int(rng.choice([2, 4, 10, 12])), activation="softmax")(x)
    model = tf.keras.Model(inputs, outputs)
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]

    def representative():  # noqa: ANN202
        for _ in range(16):
            yield [rng.uniform(-1, 1, (1, *shape)).astype(np.float32)]

    converter.representative_dataset = representative
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = converter.inference_output_type = tf.int8
    return converter.convert()


def samples(path: Path, board_name: str) -> list[tuple[str, list[float], int]]:
    """(kernel, shape terms, instructions) per layer of `path` profiled layer by layer on the board."""
    board = load_board(board_name)
    graph = load_tflite(path)
    profile = profile_model(path, board, WORK / f"{path.stem}-{board_name}", ScheduleOptions(patches="off"))
    return [(step.kernels[0], list(features(graph, graph.operators[step.layers[0]])), step.count)
            for step in profile.steps if len(step.layers) == 1]


def stage_samples(path: Path, board_name: str) -> list[tuple[list[tuple[str, list[float]]], int]]:
    """([(kernel, shape terms) per layer], instructions) of `path`'s patch stage, 2x2 and 4x4, on the board."""
    board = load_board(board_name)
    graph = load_tflite(path)
    found = []
    for n in (2, 4):
        options = ScheduleOptions(patches=n, optimize="memory")
        try:
            stage = choose_schedule(graph, board, options).stage
        except InputError:  # no prefix splits into n x n patches
            continue
        if stage is None:
            continue
        profile = profile_model(path, board, WORK / f"{path.stem}-{board_name}-p{n}", options)
        step = next(s for s in profile.steps if s.op == "PATCH_STAGE")
        shares = patch_shares(graph, stage)
        layers = [(kernel, list(features(graph, graph.operators[op], shares[op], n * n)))
                  for op, kernel in zip(step.layers, step.kernels, strict=True)]
        found.append((layers, step.count))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=60, help="training models (seeds 0..N-1)")
    parser.add_argument("--board", action="append", help="emulated board to calibrate (repeatable) "
                                                         "[default: mps2-an386 and mps3-an547]")
    parser.add_argument("--refit", action="store_true", help="fit the samples stored in the table again")
    args = parser.parse_args()
    if args.refit:
        stored = json.loads(DATA.read_text())
        stored["cores"] = {core: fit((k, tuple(t), c) for k, t, c in training["samples"])
                           for core, training in stored["training"].items()}
        stored["patch_factor"] = {core: fit_patch_factor(stored["cores"][core], _stages(training["stages"]))
                                  for core, training in stored["training"].items()}
        DATA.write_text(json.dumps(stored, indent=None, separators=(",", ":")) + "\n")
        print(f"refitted {DATA.relative_to(ROOT)}")
        return
    boards = args.board or ["mps2-an386", "mps3-an547"]
    WORK.mkdir(parents=True, exist_ok=True)
    paths = []
    for seed in range(args.models):
        path = WORK / f"train{seed:02d}.tflite"
        if not path.exists():
            path.write_bytes(keras_model(seed))
        paths.append(path)
    cores, factors, data = {}, {}, {}
    for name in boards:
        rows = [row for path in paths for row in samples(path, name)]
        stages = [stage for path in paths for stage in stage_samples(path, name)]
        core = load_board(name).cpu.core
        cores[core] = fit((k, tuple(t), c) for k, t, c in rows)
        factors[core] = fit_patch_factor(cores[core], _stages(stages))
        data[core] = {"board": name, "samples": rows, "stages": stages}
        print(f"{core} ({name}): {len(rows)} layers, {len(cores[core]) - 1} kernels fitted; "
              f"{len(stages)} patch stages, factor {factors[core]}")
    DATA.write_text(json.dumps({"features": FEATURES, "models": len(paths), "cores": cores, "patch_factor": factors,
                                "training": data}, indent=None, separators=(",", ":")) + "\n")
    print(f"wrote {DATA.relative_to(ROOT)}")


def _stages(stored: list) -> list[tuple[list[tuple[str, tuple[float, ...]]], int]]:
    return [([(k, tuple(t)) for k, t in layers], count) for layers, count in stored]


if __name__ == "__main__":
    main()
