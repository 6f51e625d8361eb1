"""The RP2040 boot2 that tinygen assembles: its CRC is the boot ROM's, and arm-none-eabi-objdump reads its bytes
back as the listing says, each PC-relative load reaching the constant it is meant to load."""

from __future__ import annotations

import dataclasses
import re
import subprocess

from tests.tools import require_tool
from tinygen.boards import load_board
from tinygen.codegen.boot2 import SPI_CTRLR0_XIP, VTOR, crc32_boot2, rp2040_boot2

OBJDUMP = "arm-none-eabi-objdump"


def test_crc_is_crc32_mpeg2():
    assert crc32_boot2(b"123456789") == 0x0376E6E7  # the catalogue check value of CRC-32/MPEG-2
    assert crc32_boot2(b"") == 0xFFFFFFFF  # initial value, no final XOR


def test_image_is_256_bytes_ending_in_the_crc_of_the_rest():
    image = rp2040_boot2(load_board("rp2040-pico"))
    assert len(image.data) == 256 and int.from_bytes(image.data[252:], "little") == crc32_boot2(image.data[:252])


def test_each_listed_line_sits_at_its_offset_and_literals_hold_their_value():
    """The listing's offsets follow one another from 0, each line's bytes are in the image at its offset, and a
    ".word"/".short" literal's bytes are its value, little-endian; after the listing, zeros up to the CRC."""
    image = rp2040_boot2(load_board("rp2040-pico"))
    offset = 0
    for line in image.lines:
        assert line.offset == offset and image.data[offset:offset + len(line.code)] == line.code, line
        directive, _, value = line.text.partition(" ")
        if directive in (".word", ".short"):
            assert line.code == int(value, 16).to_bytes(4 if directive == ".word" else 2, "little"), line
        offset += len(line.code)
    assert image.data[offset:252] == bytes(252 - offset)


def test_objdump_reads_the_listing_back(tmp_path):
    require_tool(OBJDUMP)
    board = load_board("rp2040-pico")
    image = rp2040_boot2(board)
    binary = tmp_path / "boot2.bin"
    binary.write_bytes(image.data)
    code = [line for line in image.lines if not line.text.startswith(".")]
    end = code[-1].offset + len(code[-1].code)
    dump = subprocess.run([OBJDUMP, "-D", "-b", "binary", "-m", "arm", "-M", "force-thumb", f"--stop-address={end}",
                           str(binary)], capture_output=True, text=True, check=True).stdout
    # "  24:\tf380 8808 \tmsr\tMSP, r0" and "   0:\t4b0a      \tldr\tr3, [pc, #40]\t@ (0x2c)"
    line = r"^\s*([0-9a-f]+):\s+(?:[0-9a-f]{4} ?)+\s+([^@\n]+?)\s*(?:@ \(0x([0-9a-f]+)\))?$"
    decoded = re.findall(line, dump, re.MULTILINE)
    assert [(int(at, 16), " ".join(text.split())) for at, text, _ in decoded] == [(ln.offset, ln.text) for ln in code]
    loaded = [int.from_bytes(image.data[int(target, 16):int(target, 16) + 4], "little")
              for _, text, target in decoded if text.startswith("ldr")]
    ssi = board.boot2.ssi_base
    assert loaded == [ssi, board.boot2.clkdiv, 0x001F0300, SPI_CTRLR0_XIP, ssi + 0xF4, board.vector_table, VTOR]


def test_the_board_file_drives_the_image():
    board = load_board("rp2040-pico")
    slower = dataclasses.replace(board, boot2=dataclasses.replace(board.boot2, clkdiv=4))
    assert rp2040_boot2(slower).data != rp2040_boot2(board).data
    assert (4).to_bytes(4, "little") in rp2040_boot2(slower).data[:252]
