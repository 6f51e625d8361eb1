"""SPLIT, SPLIT_V, UNPACK, PACK, SLICE, GATHER, SPACE_TO_DEPTH and DEPTH_TO_SPACE against TFLite Micro.

The split ops have several outputs: some tests return them all as model
outputs, others feed pieces onward or leave one unread (still written, so the
planner must give it a place). Inputs go through a convolution first where the
op should see a zero point that is not the model input's.
"""

import pytest

from tests.ops.harness import assert_bit_exact, convert
from tests.synthetic import split_with_unread_piece

BOARDS = ("host", "mps2-an386")


def _tf():
    import tensorflow as tf

    return tf, tf.keras.layers


def test_split(tmp_path):
    tf, L = _tf()

    def build(x):
        return L.Lambda(lambda t: tf.split(t, 3, axis=-1))(L.Conv2D(6, 3, padding="same")(x))

    model = convert(build, [(11, 9, 6)], seed=0)
    assert_bit_exact(model, tmp_path, boards=BOARDS, expect_ops={"SPLIT"})


def test_split_with_a_piece_written_but_never_read(tmp_path):
    model = split_with_unread_piece(tmp_path / "split.tflite", seed=1)
    assert_bit_exact(model, tmp_path, boards=BOARDS, expect_ops={"SPLIT"}, seed=1)


@pytest.mark.parametrize("shape, sizes, axis, seed", [
    ((11, 9, 7), [2, 4, 1], -1, 0),
    ((13, 5, 3), [6, -1], 1, 1),
])
def test_split_v(tmp_path, shape, sizes, axis, seed):
    tf, L = _tf()

    def build(x):
        pieces = L.Lambda(lambda t: tf.split(t, sizes, axis=axis))(x)
        return L.Concatenate(axis=axis)([pieces[-1], L.Conv2D(shape[-1], 1)(pieces[0])]) if axis == 1 else pieces

    model = convert(build, [shape], seed=seed)
    assert_bit_exact(model, tmp_path, boards=BOARDS, expect_ops={"SPLIT_V"}, seed=seed)


@pytest.mark.parametrize("shape, axis, seed", [((5, 9, 3), 3, 0), ((4, 7, 6), 1, 1)])
def test_unpack_then_pack(tmp_path, shape, axis, seed):
    """UNPACK cuts along `axis`; PACK restacks the pieces in reverse along another axis."""
    tf, L = _tf()

    def build(x):
        pieces = L.Lambda(lambda t: tf.unstack(t, axis=axis))(L.Conv2D(shape[-1], 3, padding="same")(x))
        return L.Lambda(lambda ps: tf.stack(ps[::-1], axis=2))(pieces)

    model = convert(build, [shape], seed=seed)
    assert_bit_exact(model, tmp_path, boards=BOARDS, expect_ops={"UNPACK", "PACK"}, seed=seed)


@pytest.mark.parametrize("begin, size, seed", [([0, 3, 1, 2], [1, 7, -1, 3], 0), ([0, 0, 4, 0], [1, -1, 5, 1], 1)])
def test_slice(tmp_path, begin, size, seed):
    tf, L = _tf()
    model = convert(lambda x: L.Lambda(lambda t: tf.slice(t, begin, size))(x), [(13, 11, 5)], seed=seed)
    assert_bit_exact(model, tmp_path, boards=BOARDS, expect_ops={"SLICE"}, seed=seed)


@pytest.mark.parametrize("indices, axis, seed", [([4, 0, 0, 2], 3, 0), ([[6, 1], [3, 3], [0, 8]], 1, 1)])
def test_gather(tmp_path, indices, axis, seed):
    tf, L = _tf()

    def build(x):
        return L.Lambda(lambda t: tf.gather(t, indices, axis=axis))(L.Conv2D(5, 3, padding="same")(x))

    model = convert(build, [(9, 7, 3)], seed=seed)
    assert_bit_exact(model, tmp_path, boards=BOARDS, expect_ops={"GATHER"}, seed=seed)


@pytest.mark.parametrize("op, shape, block, seed", [
    ("space_to_depth", (12, 9, 5), 3, 0),
    ("space_to_depth", (8, 6, 3), 2, 1),
    ("depth_to_space", (5, 7, 12), 2, 2),
    ("depth_to_space", (3, 4, 18), 3, 3),
])
def test_space_depth(tmp_path, op, shape, block, seed):
    tf, L = _tf()

    def build(x):
        return L.Lambda(lambda t: getattr(tf.nn, op)(t, block))(L.Conv2D(shape[-1], 3, padding="same")(x))

    model = convert(build, [shape], seed=seed)
    assert_bit_exact(model, tmp_path, boards=BOARDS, expect_ops={op.upper()}, seed=seed)


def test_gather_by_runtime_indices(tmp_path):
    """Indices from an int32 model input (in range: TFLite Micro leaves others undefined; tinygen clamps them)."""
    import numpy as np

    tf, L = _tf()
    from tests.tools import require_module
    from tinygen.quant.convert import configure_quantization

    require_module("tensorflow")
    tf.keras.utils.set_random_seed(2)
    x = tf.keras.Input((9, 7, 3), batch_size=1, name="a_pixels")  # the converter orders inputs by name
    idx = tf.keras.Input((4,), batch_size=1, dtype=tf.int32, name="b_indices")
    y = L.Lambda(lambda ts: tf.gather(ts[0], ts[1], axis=2, batch_dims=1),
                 output_shape=(9, 4, 5))([L.Conv2D(5, 3, padding="same")(x), idx])
    converter = tf.lite.TFLiteConverter.from_keras_model(tf.keras.Model([x, idx], y))
    rng = np.random.default_rng(2)

    def representative():
        for _ in range(16):
            yield [rng.uniform(-2, 3, (1, 9, 7, 3)).astype(np.float32), rng.integers(0, 7, (1, 4), dtype=np.int32)]

    configure_quantization(converter, representative, "int8")

    def vectors(firmware):
        return [[rng.integers(0, 7, io.shape, dtype=np.int32) if io.dtype == "int32"
                 else rng.integers(-128, 128, io.shape, dtype=np.int8) for io in firmware.code.inputs]
                for _ in range(6)]

    assert_bit_exact(converter.convert(), tmp_path, boards=BOARDS, expect_ops={"GATHER"}, vectors_for=vectors)
