"""What quantisation costs: float vs int8 vs mixed int8/int4 accuracy, weight bytes and time, per model.

    python benchmarks/quantize.py [--budget 0.65] [--epochs 20]

Models are trained here, seeded, on scikit-learn's bundled digits (80/20 split,
random_state=0; nothing is downloaded):

* digits_cnn: the bundled example's network (8×8×1; conv, depthwise, residual ADD, dense);
* digits_dscnn32: a DS-CNN on the digits resized to 32×32 (stem + 3 depthwise-separable blocks);
* digits_mlp: three dense layers (int4 dense layers are per-tensor, TFLite Micro's constraint).

Per model: top-1 of the float model, of int8 (`tinygen quantize`), of the
mixed model at `--budget` × the int8 weight bytes (`--flash-budget`), and of
the mixed model after `--qat-epochs` of quantisation-aware fine-tuning
(`--max-loss 0`), all quantised models run in TensorFlow Lite Micro on the
test split; weight bytes; seconds to quantise to int8 (conversion + report),
to choose the mixed model (sensitivities + knapsack) and for QAT (fine-tuning,
conversion, re-choice, report). The calibration set (and QAT's training data)
is the whole training split. Writes benchmarks/results/quantize.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from train_example import build_model as digits_cnn  # noqa: E402
from train_example import load_digits_split  # noqa: E402

from tinygen import __version__  # noqa: E402
from tinygen.quant.convert import FloatModel, convert_float, convert_quantized  # noqa: E402
from tinygen.quant.data import Dataset  # noqa: E402
from tinygen.quant.flow import QuantOptions, quantize_float  # noqa: E402
from tinygen.quant.mixed import mixed_precision  # noqa: E402
from tinygen.quant.report import quant_report  # noqa: E402


def digits_dscnn32(tf):
    layers = tf.keras.layers
    inp = layers.Input((32, 32, 1), batch_size=1)
    x = layers.Conv2D(16, 3, strides=2, padding="same", activation="relu")(inp)
    for channels, stride in ((32, 2), (48, 2), (64, 1)):
        x = layers.DepthwiseConv2D(3, strides=stride, padding="same", activation="relu")(x)
        x = layers.Conv2D(channels, 1, activation="relu")(x)
    x = layers.GlobalAveragePooling2D()(x)
    return tf.keras.Model(inp, layers.Dense(10, activation="softmax")(x), name="digits_dscnn32")


def digits_mlp(tf):
    layers = tf.keras.layers
    inp = layers.Input((8, 8, 1), batch_size=1)
    x = layers.Dense(128, activation="relu")(layers.Flatten()(inp))
    x = layers.Dense(64, activation="relu")(x)
    return tf.keras.Model(inp, layers.Dense(10, activation="softmax")(x), name="digits_mlp")


def train(tf, batch1, x, y, epochs: int):
    """Train a clone with a free batch dimension, copy the weights back into the batch-1 model."""
    model = tf.keras.models.clone_model(batch1, input_tensors=tf.keras.Input(x.shape[1:]))
    model.compile(optimizer=tf.keras.optimizers.Adam(3e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x, y, epochs=epochs, batch_size=32, verbose=0)
    batch1.set_weights(model.get_weights())
    return batch1


def measure(tf, name: str, build, resize: int | None, budget: float, epochs: int, qat_epochs: int) -> dict:
    tf.keras.utils.set_random_seed(0)
    x_train, x_test, y_train, y_test = load_digits_split()
    if resize:
        x_train, x_test = (tf.image.resize(a, (resize, resize)).numpy() for a in (x_train, x_test))
    keras = train(tf, build(tf) if build is not digits_cnn else digits_cnn(), x_train, y_train, epochs)
    model = FloatModel(Path(name), tuple(x_train.shape[1:]), keras)
    calib = x_train
    start = time.perf_counter()
    int8 = convert_quantized(model, calib)
    float_blob = convert_float(model)
    plain = quant_report(float_blob, int8, calib, x_test, y_test, Path("test split"), False, Path(name), "int8", 20.0)
    int8_s = time.perf_counter() - start
    limit = int(budget * plain.weights_bytes)
    start = time.perf_counter()
    mixed = mixed_precision(int8, limit, calib, name)
    mixed_s = time.perf_counter() - start
    report = quant_report(float_blob, int8, calib, x_test, y_test, Path("test split"), False, Path(name), "int8",
                          20.0, mixed)
    acc, macc = report.accuracy, report.mixed_accuracy
    start = time.perf_counter()
    tuned = quantize_float(model, Dataset(Path("train split"), calib, y_train),
                           Dataset(Path("test split"), x_test, y_test), Path(name),
                           QuantOptions(budget_bytes=limit, max_loss_points=0.0, qat_epochs=qat_epochs), int8)
    qat_s = time.perf_counter() - start
    qat = tuned.qat
    qat_acc = qat.after if qat.status == "applied" else macc.quant_value
    return {
        "model": name, "input_shape": list(x_train.shape[1:]), "epochs": epochs, "test_samples": len(x_test),
        "float_accuracy": acc.float_value, "int8_accuracy": acc.quant_value, "mixed_accuracy": macc.quant_value,
        "int8_delta_points": round(acc.delta_points, 3), "mixed_delta_points": round(macc.delta_points, 3),
        "qat_status": qat.status, "qat_epochs": qat_epochs, "mixed_qat_accuracy": qat_acc,
        "mixed_qat_delta_points": round(100 * (qat_acc - acc.float_value), 3), "qat_kept": qat.kept,
        "int8_weight_bytes": mixed.int8_weight_bytes, "mixed_weight_bytes": mixed.weight_bytes,
        "budget_bytes": limit, "fits": mixed.weight_bytes <= limit,
        "int4_layers": [f"{l.index}:{l.opcode}" for l in mixed.int4_layers],
        "weight_layers": len(mixed.layers),
        "int8_seconds": round(int8_s, 2), "mixed_seconds": round(mixed_s, 2), "qat_seconds": round(qat_s, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=0.65, help="Mixed budget as a fraction of int8 weight bytes.")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--qat-epochs", type=int, default=10)
    args = parser.parse_args()
    import tensorflow as tf

    rows = [measure(tf, name, build, resize, args.budget, args.epochs, args.qat_epochs) for name, build, resize in (
        ("digits_cnn", digits_cnn, None), ("digits_dscnn32", digits_dscnn32, 32), ("digits_mlp", digits_mlp, None))]
    table = Table("model", "float", "int8", "mixed", "mixed + QAT", "int8 weights", "mixed weights (budget)",
                  "int4 layers", "int8 s", "mixed s", "QAT s",
                  title=f"quantisation cost (mixed budget {args.budget:.0%} of int8 weights)")
    for r in rows:
        table.add_row(r["model"], f"{100 * r['float_accuracy']:.2f}%",
                      f"{100 * r['int8_accuracy']:.2f}% ({r['int8_delta_points']:+.2f})",
                      f"{100 * r['mixed_accuracy']:.2f}% ({r['mixed_delta_points']:+.2f})",
                      f"{100 * r['mixed_qat_accuracy']:.2f}% ({r['mixed_qat_delta_points']:+.2f})"
                      + ("" if r["qat_status"] == "applied" else f" (QAT {r['qat_status']})"),
                      f"{r['int8_weight_bytes']:,}", f"{r['mixed_weight_bytes']:,} ({r['budget_bytes']:,})",
                      f"{len(r['int4_layers'])}/{r['weight_layers']}", f"{r['int8_seconds']:.1f}",
                      f"{r['mixed_seconds']:.1f}", f"{r['qat_seconds']:.1f}")
    Console(width=160).print(table)
    out = ROOT / "benchmarks" / "results" / "quantize.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"tinygen": __version__, "machine": platform.machine(),
                               "python": platform.python_version(), "budget_fraction": args.budget, "models": rows},
                              indent=2) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
