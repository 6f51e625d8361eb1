"""CONCATENATION, PAD, STRIDED_SLICE, TRANSPOSE and MEAN against TFLite Micro, on odd shapes.

Concat inputs come from convolutions (or graph inputs) so the converter gives
them the output's quantisation, which TFLite Micro requires. MEAN follows a
convolution so its input and output scales differ.
"""

import pytest

from tests.ops.harness import assert_bit_exact, convert


def _layers():
    import tensorflow as tf

    return tf, tf.keras.layers


@pytest.mark.parametrize("axis, branches, seed", [(-1, 2, 0), (-1, 3, 1), (2, 2, 2), (2, 3, 3), (1, 2, 4)])
def test_concatenation(tmp_path, axis, branches, seed):
    tf, L = _layers()
    channels = 5 if axis == -1 else 7

    def build(x):
        convs = [L.Conv2D(c, k, padding="same")(x) for c, k in ((channels, 3), (7, 1), (13, 3))[:branches]]
        if axis != -1:  # equal channels, so the width/height axis is the only one that differs
            convs = [L.Conv2D(channels, 1)(c) for c in convs]
            convs = [c[:, :, : 17 - i * 4, :] if axis == 2 else c for i, c in enumerate(convs)]
        return L.Concatenate(axis=axis)(convs)

    model = convert(build, [(23, 17, 3)], seed=seed)
    assert_bit_exact(model, tmp_path, expect_ops={"CONCATENATION"}, seed=seed)


@pytest.mark.parametrize("seed", [5, 6])
def test_concatenation_of_inputs(tmp_path, seed):
    _, L = _layers()
    model = convert(lambda a, b: L.Concatenate(axis=-1)([a, b]), [(23, 17, 5), (23, 17, 7)], seed=seed)
    assert_bit_exact(model, tmp_path, expect_ops={"CONCATENATION"}, seed=seed)


@pytest.mark.parametrize("paddings, shape, seed", [
    (((1, 2), (0, 3)), (23, 17, 5), 0),
    (((0, 4), (5, 1)), (17, 23, 7), 1),
    ([[0, 0], [2, 0], [1, 1], [3, 2]], (13, 11, 5), 2),  # channel padding too, via tf.pad
])
def test_pad(tmp_path, paddings, shape, seed):
    tf, L = _layers()

    def build(x):
        x = L.Conv2D(shape[-1], 3, padding="same")(x)  # a zero point that is not the input's
        if len(paddings) == 2:
            return L.ZeroPadding2D(paddings)(x)
        return L.Lambda(lambda t: tf.pad(t, paddings))(x)

    model = convert(build, [shape], seed=seed)
    assert_bit_exact(model, tmp_path, expect_ops={"PAD"}, seed=seed)


def test_pad_with_constant_values(tmp_path):
    """PAD's optional third input is the fill value (pad.cc), not the output zero point: the converter writes
    PADV2 for that, so the test adds the input to a PAD itself, with the output's quantisation."""
    import copy

    import numpy as np
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

    from tests.ops.flatbuffer import operators, pack, unpack

    _, L = _layers()
    model = convert(lambda x: L.ZeroPadding2D(((1, 2), (0, 3)))(L.Conv2D(3, 3, padding="same")(x)), [(9, 7, 2)],
                    seed=4)
    m = unpack(model)
    graph = m.subgraphs[0]
    (pad,) = operators(m, "PAD")
    buffer = schema.BufferT()
    buffer.data = np.array([37], np.int8).view(np.uint8)
    m.buffers.append(buffer)
    value = copy.deepcopy(graph.tensors[pad.outputs[0]])
    value.name, value.shape, value.buffer = b"pad_value", np.array([1], np.int32), len(m.buffers) - 1
    graph.tensors.append(value)
    pad.inputs = np.append(pad.inputs, len(graph.tensors) - 1).astype(np.int32)
    assert_bit_exact(pack(m), tmp_path, expect_ops={"PAD"}, seed=4)


@pytest.mark.parametrize("axes, keep_dims, shape, seed", [
    ([1, 2], True, (23, 17, 7), 0),
    ([1, 2], False, (23, 17, 13), 1),
    ([1, 2], False, (7, 7, 5), 2),
    ([-1], True, (23, 17, 13), 3),
    ([2], False, (23, 17, 5), 4),
])
def test_mean(tmp_path, axes, keep_dims, shape, seed):
    tf, L = _layers()

    def build(x):
        x = L.Conv2D(shape[-1], 3, padding="same", activation="relu")(x)
        return L.Lambda(lambda t: tf.reduce_mean(t, axis=axes, keepdims=keep_dims))(x)

    model = convert(build, [shape], seed=seed)
    assert_bit_exact(model, tmp_path, expect_ops={"MEAN"}, seed=seed, vectors=12)


def test_global_average_pool_is_mean(tmp_path):
    _, L = _layers()
    model = convert(lambda x: L.GlobalAveragePooling2D()(L.Conv2D(13, 1)(x)), [(23, 17, 5)], seed=7)
    assert_bit_exact(model, tmp_path, expect_ops={"MEAN"}, seed=7)


_SLICES = {
    "strided": lambda t: t[:, 1:20:2, ::3, :],
    "reversed": lambda t: t[:, ::-2, 3:, 1:4],
    "shrink": lambda t: t[:, 5, :, 2:],
    "negative": lambda t: t[:, -7:-1, -1:2:-2, :],
    "channels": lambda t: t[..., 1::2],
}


@pytest.mark.parametrize("name, seed", [(n, s) for s, n in enumerate(_SLICES)])
def test_strided_slice(tmp_path, name, seed):
    _, L = _layers()
    model = convert(lambda x: L.Lambda(_SLICES[name])(x), [(23, 17, 5)], seed=seed)
    assert_bit_exact(model, tmp_path, expect_ops={"STRIDED_SLICE"}, seed=seed)


@pytest.mark.parametrize("shape, perm, seed", [
    ((23, 17, 5), [0, 2, 1, 3], 0),
    ((23, 17, 7), [0, 3, 1, 2], 1),
    ((23, 17, 13), [0, 2, 3, 1], 2),
    ((23, 17), [0, 2, 1], 3),
    ((7, 6, 5), [0, 4, 2, 1, 3], 4),  # 5-D, after reshaping W into 3 x 2
])
def test_transpose(tmp_path, shape, perm, seed):
    tf, L = _layers()

    def build(x):
        if len(perm) == 5:
            x = L.Reshape((shape[0], 3, 2, shape[2]))(x)
        return L.Lambda(lambda t: tf.transpose(t, perm))(x)

    model = convert(build, [shape], seed=seed)
    assert_bit_exact(model, tmp_path, expect_ops={"TRANSPOSE"}, seed=seed)


def test_slice_bounds_follow_python_slicing():
    """Without the offset flag, TFLite's per-axis start/stop is Python's slice; masks mean an omitted bound."""
    import random

    from tinygen.lower.shape import slice_bounds

    rng = random.Random(0)
    for _ in range(3000):
        size, stride = rng.randint(1, 9), rng.choice([-3, -2, -1, 1, 2, 3])
        begin, end = rng.randint(-12, 12), rng.randint(-12, 12)
        bm, em = rng.random() < 0.3, rng.random() < 0.3
        expected = list(range(size))[slice(None if bm else begin, None if em else end, stride)]
        assert list(slice_bounds(size, begin, end, stride, bm, em, False, False)) == expected
        if -size <= begin < size:
            assert list(slice_bounds(size, begin, end, stride, False, em, True, False)) == [begin % size]
