"""flash/image.py: an ELF's load range, and ELFs that would write outside the board's flash refused."""

from __future__ import annotations

import subprocess

import pytest

from tests.flash.builds import minimal_build, needs_arm
from tinygen.boards import load_board
from tinygen.errors import InputError
from tinygen.flash.image import load_range


@needs_arm
def test_load_range_starts_at_the_code_origin(tmp_path):
    elf = minimal_build(tmp_path / "fw", "nucleo-f767zi") / "firmware.elf"
    text = subprocess.run(["arm-none-eabi-size", "-A", str(elf)], capture_output=True, text=True, check=True).stdout
    size = next(int(line.split()[1]) for line in text.splitlines() if line.startswith(".text"))
    image = load_range(elf, load_board("nucleo-f767zi"))
    assert (image.start, image.end) == (0x08000000, 0x08000000 + size)


@needs_arm
def test_an_elf_linked_for_another_memory_map_is_refused(tmp_path):
    elf = minimal_build(tmp_path / "fw", "nucleo-f767zi", link_at=0x00000000) / "firmware.elf"
    with pytest.raises(InputError, match=r"loads bytes at 0x00000000-0x0000000\w, outside nucleo-f767zi's flash "
                                         r"\('flash' 0x08000000-0x081fffff\); it was linked for another board"):
        load_range(elf, load_board("nucleo-f767zi"))


def test_a_file_that_is_not_an_elf_is_refused(tmp_path):
    elf = tmp_path / "firmware.elf"
    elf.write_text("not an ELF")
    with pytest.raises(InputError, match="firmware.elf: not a readable ELF"):
        load_range(elf, load_board("nucleo-f767zi"))


@pytest.mark.tools("cc")
def test_a_host_elf_is_refused(tmp_path):
    (tmp_path / "main.c").write_text("int main(void) { return 0; }\n")
    subprocess.run(["cc", "-o", "firmware.elf", "main.c"], cwd=tmp_path, check=True)
    with pytest.raises(InputError, match=r"built for EM_\w+, not for an Arm core"):
        load_range(tmp_path / "firmware.elf", load_board("nucleo-f767zi"))
