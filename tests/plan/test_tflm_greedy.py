"""TFLite Micro's own greedy-planner cases as tests of `arena.greedy_by_size`.

Every buffer and expected figure is transcribed from
tensorflow/tflite-micro, tensorflow/lite/micro/memory_planner/greedy_memory_planner_test.cc
(commit 90b983c2b3f1480642e040bbd2ddb37b998f3424): TestGreedyBasics, TestGreedyMedium,
TestOverlapCase and TestPersonDetectionModel. `AddBuffer(size, first_time_used,
last_time_used)` becomes an interval whose id is the order the buffer was added.

Alignment. Those tests hand the planner raw sizes and the planner never rounds:
its arena is the highest offset + size. So the cases run at alignment 1. In a real
model TFLite Micro's allocator rounds each size up to 16 before `AddBuffer`
(micro_allocator.cc, `AlignSizeUp(current->bytes, MicroArenaBufferAlignment())`),
whereas tinygen keeps sizes and rounds offsets up. The two agree: with every offset
a multiple of 16, a buffer of s bytes fits below the next aligned offset exactly
when one of s rounded up does. The second test checks that: each size 16*s becomes
16*s - 15, planned at alignment 16, and must land at 16 times TFLite Micro's offset.

Ties. TFLite Micro orders equal sizes by the order they were added (its
ReverseSortInPlace swaps only strictly smaller values forward: a stable sort), and
so does `greedy_by_size` (by id). TIES below is a case where ordering ties by first
use instead gives 11 bytes, not TFLite Micro's 15.
"""

from __future__ import annotations

import pytest

from tests.plan import exhaustive as ex
from tinygen.plan.arena import align_up, arena_bytes, greedy_by_size
from tinygen.plan.lifetimes import Interval

# (buffers as (size, first, last), expected offsets by buffer or None where the test gives none, arena)
CASES = {
    "TestGreedyBasics": ([(10, 0, 1), (20, 2, 3)], [0, 0], 20),
    "TestGreedyMedium": ([(10, 0, 1), (20, 1, 2), (30, 2, 3), (40, 3, 4), (50, 0, 1)], [50, 70, 40, 0, 0], 90),
    "TestOverlapCase": ([(100, 0, 1), (50, 2, 3), (20, 1, 2)], None, 120),
}

# Five buffers, four of 4 bytes. In the order added, TFLite Micro's first fit puts the 4-byte ones at 0, 4, 0, 8 and
# the 3-byte one at 12: a 15-byte arena (worked by hand from its algorithm).
TIES = ([(4, 3, 3), (4, 1, 3), (4, 0, 0), (4, 0, 1), (3, 0, 1)], 15)

# TestPersonDetectionModel: "buffer sizes and time ranges ... from the 250KB MobileNet model used in the person
# detection example"; the test asserts no overlap and an arena below the 241,027-byte sum of all buffers.
PERSON_DETECTION = [
    (9216, 0, 29), (3, 28, 29), (256, 27, 28), (2304, 26, 27), (2304, 25, 26), (2304, 24, 25), (1152, 23, 24),
    (4608, 22, 23), (4608, 21, 22), (4608, 20, 21), (4608, 19, 20), (4608, 18, 19), (4608, 17, 18),
    (4608, 16, 17), (4608, 15, 16), (4608, 14, 15), (4608, 13, 14), (4608, 12, 13), (2304, 11, 12),
    (9216, 10, 11), (9216, 9, 10), (9216, 8, 9), (4608, 7, 8), (18432, 6, 7), (18432, 5, 6), (18432, 4, 5),
    (9216, 3, 4), (36864, 2, 3), (18432, 1, 2), (18432, 0, 1),
]
PERSON_DETECTION_SUM = 241_027


def intervals(buffers: list[tuple[int, int, int]]) -> list[Interval]:
    return [Interval(i, size, first, last) for i, (size, first, last) in enumerate(buffers)]


def no_overlap(ivs: list[Interval], offsets: dict[int, int], alignment: int) -> bool:
    """TFLite Micro's DoAnyBuffersOverlap() == false, checked by the test-side reference."""
    return ex.overlaps([(ex.Life(iv.id, iv.size_bytes, iv.first, iv.last), offsets[iv.id]) for iv in ivs],
                       alignment) == []


@pytest.mark.parametrize("name", sorted(CASES))
def test_tflm_case(name):
    buffers, expected_offsets, expected_arena = CASES[name]
    ivs = intervals(buffers)
    offsets = greedy_by_size(ivs, 1)
    if expected_offsets is not None:
        assert [offsets[i] for i in range(len(ivs))] == expected_offsets
    assert no_overlap(ivs, offsets, 1)
    assert arena_bytes(ivs, offsets) == expected_arena


@pytest.mark.parametrize("name", sorted(CASES))
def test_tflm_case_with_sizes_rounded_by_alignment(name):
    buffers, expected_offsets, expected_arena = CASES[name]
    ivs = intervals([(16 * size - 15, first, last) for size, first, last in buffers])
    offsets = greedy_by_size(ivs, 16)
    if expected_offsets is not None:
        assert [offsets[i] for i in range(len(ivs))] == [16 * off for off in expected_offsets]
    assert no_overlap(ivs, offsets, 16)
    assert align_up(arena_bytes(ivs, offsets), 16) == 16 * expected_arena


def test_tflm_person_detection_model():
    ivs = intervals(PERSON_DETECTION)
    assert sum(size for size, _, _ in PERSON_DETECTION) == PERSON_DETECTION_SUM  # the transcription is whole
    offsets = greedy_by_size(ivs, 1)
    assert no_overlap(ivs, offsets, 1)
    assert arena_bytes(ivs, offsets) < PERSON_DETECTION_SUM
    # beyond TFLite Micro's assertion: the arena is the reference's live peak, so no placement beats it
    assert arena_bytes(ivs, offsets) == ex.peak([ex.Life(i, *buffer) for i, buffer in enumerate(PERSON_DETECTION)])


def test_ties_keep_the_order_buffers_were_added():
    buffers, arena = TIES
    ivs = [Interval(k, size, first, last) for k, (size, first, last) in enumerate(buffers)]
    offsets = greedy_by_size(ivs, 1)
    assert [offsets[k] for k in range(5)] == [0, 4, 0, 8, 12] and arena_bytes(ivs, offsets) == arena
