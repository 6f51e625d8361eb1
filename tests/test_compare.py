"""The one output comparison: vectors, elements and the largest difference, per output and overall."""

from __future__ import annotations

import numpy as np

from tinygen.compare import compare


def test_counts_vectors_elements_and_largest_difference_per_output():
    device = [[np.array([[1, 2, 3]], np.int8)], [np.array([[1, -128, 3]], np.int8)]]
    reference = [[np.array([1, 2, 3], np.int8)], [np.array([1, 127, 4], np.int8)]]  # flat: reshaped to match
    result = compare(["y"], device, reference)
    (check,) = result.outputs
    assert (check.name, check.vectors, check.mismatched_vectors, check.mismatched_elements,
            check.max_abs_diff) == ("y", 2, 1, 2, 255)
    assert not check.bit_exact and not result.bit_exact


def test_a_vector_differing_in_two_outputs_counts_once_overall():
    device = [[np.array([0], np.int8), np.array([5], np.int8)], [np.array([1], np.int8), np.array([5], np.int8)]]
    reference = [[np.array([1], np.int8), np.array([7], np.int8)], [np.array([1], np.int8), np.array([5], np.int8)]]
    result = compare(["a", "b"], device, reference)
    assert [o.mismatched_vectors for o in result.outputs] == [1, 1]
    assert (result.mismatched_vectors, result.mismatched_elements, result.max_abs_diff) == (1, 2, 2)


def test_floats_compare_exactly_and_nan_never_matches():
    device = [[np.array([0.5, np.nan], np.float32)]]
    same = compare(["f"], device, [[np.array([0.5, 1.0], np.float32)]])
    assert same.mismatched_elements == 1 and same.max_abs_diff == np.inf
    exact = compare(["f"], [[np.array([0.25], np.float32)]], [[np.array([0.25], np.float32)]])
    assert exact.bit_exact and exact.max_abs_diff == 0.0


def test_the_first_differing_vector_is_where_a_sequence_diverged():
    reference = [[np.array([k], np.int8)] for k in range(5)]
    device = [[np.array([k if k < 3 else 9], np.int8)] for k in range(5)]
    assert compare(["y"], device, reference).first_mismatch == 3
    assert compare(["y"], reference, reference).first_mismatch is None
