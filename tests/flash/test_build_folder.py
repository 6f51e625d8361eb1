"""flash/build_folder.py: a build folder's ELF, refused when the folder is not a build or is for another board."""

from __future__ import annotations

import json

import pytest

from tests.flash.builds import minimal_build, needs_arm
from tinygen.boards import load_board
from tinygen.build.make import STAMP
from tinygen.errors import InputError
from tinygen.flash.build_folder import folder_elf

pytestmark = needs_arm


def test_the_elf_of_a_folder_built_for_the_board(tmp_path):
    folder = minimal_build(tmp_path / "fw", "nucleo-f767zi")
    assert folder_elf(folder, load_board("nucleo-f767zi")) == folder / "firmware.elf"


def test_a_folder_built_for_another_board_is_refused(tmp_path):
    folder = minimal_build(tmp_path / "fw", "nucleo-f767zi")
    with pytest.raises(InputError, match="fw: built for board 'nucleo-f767zi', not 'nucleo-h743zi'; "
                                         "pass --board nucleo-f767zi, or build for nucleo-h743zi"):
        folder_elf(folder, load_board("nucleo-h743zi"))


@pytest.mark.parametrize("case, needle", [
    ("no stamp", "not a tinygen build folder (no tinygen-build.json)"),
    ("bad json", "tinygen-build.json: unreadable"),
    ("no board", "tinygen-build.json: records no board; rebuild the folder with tinygen build --board nucleo-f767zi"),
    ("no elf", "firmware.elf: missing; run make in"),
])
def test_broken_folders_are_refused_with_the_fix(tmp_path, case, needle):
    folder = minimal_build(tmp_path / "fw", "nucleo-f767zi")
    stamp = folder / STAMP
    if case == "no stamp":
        stamp.unlink()
    elif case == "bad json":
        stamp.write_text("{")
    elif case == "no board":
        stamp.write_text(json.dumps({"key": "k", "model": "m"}))
    else:
        (folder / "firmware.elf").unlink()
    with pytest.raises(InputError) as error:
        folder_elf(folder, load_board("nucleo-f767zi"))
    assert needle in str(error.value)
