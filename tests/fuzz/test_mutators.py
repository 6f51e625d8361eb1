"""The mutators: a case is a function of (seed, case number) alone, and every field category is reached."""

from __future__ import annotations

import random

import tflite

from tests.fuzz.mutate import structural
from tests.fuzz.runner import mutant
from tinygen.commands.options import default_model

CATEGORIES = {"graph", "op_indices", "shape", "options", "quantization", "buffers", "strings", "opcode"}


def test_a_case_is_reproduced_from_its_seed_and_number() -> None:
    seeds = {"example": default_model().read_bytes()}
    assert [mutant(seeds, 3, case) for case in range(40)] == [mutant(seeds, 3, case) for case in range(40)]
    assert mutant(seeds, 3, 0) != mutant(seeds, 4, 0)


def test_structural_mutants_are_flatbuffers_with_one_field_changed() -> None:
    raw = default_model().read_bytes()
    seen = set()
    for case in range(200):
        data, said = structural(raw, random.Random(case))
        seen.add(said.split(":")[0])
        assert data[4:8] == b"TFL3", said  # packed again with TFLite's identifier
        # tinygen's reader (the tflite package, not the mutator's schema code) finds the same subgraph count
        assert tflite.Model.GetRootAs(data, 0).SubgraphsLength() == 1, said
    assert CATEGORIES <= seen
