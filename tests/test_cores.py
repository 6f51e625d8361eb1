"""tinygen/cores.py and the board catalogue state the same facts about each core."""

from __future__ import annotations

import json

from tinygen.boards import list_boards, schema_path
from tinygen.cores import CORES


def test_every_shipped_board_runs_what_its_core_states() -> None:
    for board in list_boards():
        core = CORES[board.cpu.core]
        assert (board.cpu.dsp, board.cpu.mve) == (core.dsp, core.mve), board.name


def test_the_board_schema_and_the_core_table_name_the_same_cores() -> None:
    schema = json.loads(schema_path().read_text())
    assert schema["properties"]["cpu"]["properties"]["core"]["enum"] == list(CORES)
