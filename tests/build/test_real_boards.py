"""Every real board builds with its UART driver (issue 7 item 2): the bundled example and kws_ref_model compile and
link with sizes reported on exactly the boards they fit, and say plainly that they do not fit elsewhere. The ELF
is then read back: the driver touches the registers the board file names (traced through a disassembly), the vector
table sits where the board file says, and the RP2040 image starts with a boot2 whose CRC the boot ROM accepts.
netduinoplus2, which QEMU emulates with the same SR/DR USART, carries the validation protocol bit-exact through its
stm32f4-usart driver."""

from __future__ import annotations

import binascii
import json
from functools import cache
from itertools import pairwise
from pathlib import Path

import pytest
from click.testing import CliRunner
from elftools.elf.elffile import ELFFile

from tests.commands.test_cli import invoke, one_json_object
from tests.models import EXAMPLE, model_path
from tests.test_boards import REAL
from tests.tools import require_module
from tinygen.boards import load_board
from tinygen.cli import cli
from tinygen.codegen.boot2 import rp2040_boot2
from tinygen.errors import TinygenError
from tinygen.pipeline import build_firmware

pytestmark = pytest.mark.tools("arm-none-eabi-gcc")
PERIPHERAL_BLOCK = 0x1000  # every console UART's registers lie within 4 KiB of its base

# Every real board fits the example and kws (`tinygen check MODEL --board all`); the tightest, the RP2040 (portable
# kernels) and the nRF52840 (one 256 KiB RAM), keep far more than either needs.
# test_a_board_too_small_for_kws_says_so shows the other outcome on a shrunk board.


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(board, model) -> Firmware, or the TinygenError that refused it; each pair is built once."""
    root = tmp_path_factory.mktemp("real")

    @cache
    def build(board: str, model: str):
        try:
            return build_firmware(model_path(model), load_board(board), root / f"{model}-{board}")
        except TinygenError as error:
            return error

    return build


@pytest.mark.parametrize("model", [EXAMPLE, pytest.param("kws_ref_model", marks=pytest.mark.shared_models)])
@pytest.mark.parametrize("board", sorted(REAL))
def test_builds_with_sizes_exactly_where_it_fits(built, board, model):
    assert one_json_object(invoke("check", model_path(model), "--board", board, "--json"))["fits"] is True
    firmware = built(board, model)
    assert not isinstance(firmware, TinygenError), str(firmware)
    sizes = firmware.build.sizes
    assert sizes.code_bytes > 0 and sizes.weights_bytes > 0 and sizes.arena_bytes >= firmware.code.arena_bytes
    assert sizes.flash_bytes == sizes.code_bytes + sizes.weights_bytes
    board_file = load_board(board)
    code, stack = board_file.region(board_file.placement.code), board_file.region(board_file.placement.stack)
    assert sizes.flash_bytes <= code.length_bytes
    assert board_file.stack_bytes <= sizes.stack_bytes <= stack.length_bytes  # .stack includes its 8-byte alignment


@pytest.mark.shared_models
def test_a_board_too_small_for_kws_says_so(tmp_path):
    """nrf52840dk with 8 KiB of RAM: the example's 3,280 B of SRAM fit, kws's 11,072 B do not."""
    text = load_board("nrf52840dk").path.read_text().replace('name = "nrf52840dk"', 'name = "nrf52840-8k"')
    small = tmp_path / "nrf52840-8k.toml"
    small.write_text(text.replace("length = 0x00040000", "length = 0x00002000", 1))
    verdicts = {model: one_json_object(invoke("check", model_path(model), "--board", small, "--json",
                                              exit_code=0 if model == EXAMPLE else 1))["fits"]
                for model in (EXAMPLE, "kws_ref_model")}
    assert verdicts == {EXAMPLE: True, "kws_ref_model": False}
    with pytest.raises(TinygenError) as refused:
        build_firmware(model_path("kws_ref_model"), load_board(str(small)), tmp_path / "kws")
    _assert_does_not_fit(refused.value, "nrf52840-8k")


@pytest.mark.parametrize("board", sorted(REAL))
def test_vector_table_sits_where_the_board_file_says(built, board):
    firmware, board_file = built(board, EXAMPLE), load_board(board)
    with firmware.build.elf.open("rb") as f:
        elf = ELFFile(f)
        symbols = _symbols(elf)
        vectors = elf.get_section_by_name(".vectors")
        assert vectors["sh_addr"] == symbols["tg_vectors"] == board_file.vector_table
        initial_sp, reset = (int.from_bytes(vectors.data()[i:i + 4], "little") for i in (0, 4))
    assert initial_sp == symbols["_estack"] and reset == symbols["Reset_Handler"] | 1  # Thumb
    stack = board_file.region(board_file.placement.stack)
    assert stack.origin < initial_sp <= stack.end


@pytest.mark.parametrize("board", sorted(REAL))
def test_uart_driver_touches_the_registers_the_board_file_names(built, board):
    """tg_uart_init/write/read are in the image (the harness calls them) and reach the board file's UART base,
    its pins' GPIO blocks and every register of its [console] enable steps."""
    require_module("capstone")  # pyOCD's disassembler, installed with tinygen[flash]
    console = load_board(board).console
    elf = built(board, EXAMPLE).build.elf
    init, write, read = (_accessed(elf, f"tg_uart_{name}") for name in ("init", "write", "read"))
    uart = range(console.base, console.base + PERIPHERAL_BLOCK)
    assert all(any(address in uart for address in accessed) for accessed in (init, write, read))
    assert {step.register for step in console.enable} <= init
    pins = {(pin.port_base, pin.number) for pin in (console.tx, console.rx)}
    if console.uart.startswith("stm32"):  # MODER and AFRL/AFRH
        assert {gpio for gpio, _ in pins} <= init
        assert {gpio + (0x20 if n < 8 else 0x24) for gpio, n in pins} <= init
    elif console.uart == "pl011":  # IO_BANK0 GPIOn_CTRL
        assert {gpio + 8 * n + 4 for gpio, n in pins} <= init
    elif console.uart == "nrf52-uarte":  # PIN_CNF[n]
        assert {gpio + 0x700 + 4 * n for gpio, n in pins} <= init


def test_rp2040_image_starts_with_a_boot2_the_boot_rom_accepts(built):
    board = load_board("rp2040-pico")
    with built("rp2040-pico", EXAMPLE).build.elf.open("rb") as f:
        elf = ELFFile(f)
        boot2 = elf.get_section_by_name(".boot2")
        origin = board.region(board.placement.code).origin
        assert boot2["sh_addr"] == origin and boot2["sh_size"] == board.boot_reserved_bytes == 256
        data = boot2.data()
    # The pico-sdk's way to the same CRC (boot_stage2/pad_checksum -s 0xffffffff): zlib's reflected CRC-32 over
    # bit-reversed bytes, reversed back. It equals the boot ROM's MSB-first CRC-32 with initial value 0xFFFFFFFF.
    reflected = binascii.crc32(bytes(_reverse(b, 8) for b in data[:252]), 0) ^ 0xFFFFFFFF
    assert int.from_bytes(data[252:], "little") == _reverse(reflected, 32)
    assert data == rp2040_boot2(board).data


@pytest.mark.slow
@pytest.mark.tools("qemu-system-arm")
def test_stm32f4_usart_driver_carries_the_validation_protocol_in_qemu(tmp_path, monkeypatch):
    """QEMU's netduinoplus2 models the SR/DR USART (hw/char/stm32f2xx_usart.c), so this driver runs for real."""
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["validate", "--board", "netduinoplus2", "--emulate", "--random", "3", "--json"])
    assert result.exit_code == 0, (result.stdout, result.stderr)
    report = json.loads(result.stdout)
    assert report["bit_exact"] is True and report["vectors"] == 3 and report["link"]["damaged_replies"] == 0
    assert "netduinoplus2" in report["device"]["build"]
    assert "SR/DR register layout" in (Path(report["directory"]) / "uart.c").read_text()


def _assert_does_not_fit(result, board: str) -> None:
    assert isinstance(result, TinygenError), f"built for {board}, which it should not fit"
    message = str(result)
    assert f"does not fit {board}" in message and " B " in message and "\n" not in message


def _reverse(value: int, bits: int) -> int:
    return int(f"{value:0{bits}b}"[::-1], 2)


def _symbols(elf: ELFFile) -> dict[str, int]:
    return {s.name: s["st_value"] for s in elf.get_section_by_name(".symtab").iter_symbols() if s.name}


def _accessed(elf_path: Path, function: str) -> set[int]:
    """Addresses `function` loads from or stores to, by following the constants it puts in registers
    (MOV/MOVW/MOVT immediates and PC-relative literal loads) into [Rn, #imm] accesses. Literal pools,
    which ARM ELF marks with $d mapping symbols, are not decoded as code."""
    from capstone import CS_ARCH_ARM, CS_MODE_MCLASS, CS_MODE_THUMB, Cs
    from capstone.arm import ARM_OP_IMM, ARM_OP_MEM, ARM_OP_REG, ARM_REG_PC

    with elf_path.open("rb") as f:
        elf = ELFFile(f)
        table = list(elf.get_section_by_name(".symtab").iter_symbols())
        symbol = next(s for s in table if s.name == function)
        text = elf.get_section_by_name(".text")
        data, base = text.data(), text["sh_addr"]
    start = symbol["st_value"] & ~1
    end = start + symbol["st_size"]
    marks = sorted({(s["st_value"], s.name) for s in table if s.name in ("$t", "$d") and start < s["st_value"] < end})
    bounds = [(start, "$t"), *marks, (end, "$d")]
    code = [(a, b) for (a, kind), (b, _) in pairwise(bounds) if kind == "$t"]
    disassembler = Cs(CS_ARCH_ARM, CS_MODE_THUMB | CS_MODE_MCLASS)
    disassembler.detail = True
    known: dict[int, int] = {}  # register -> value it holds
    accessed: set[int] = set()
    instructions = (insn for a, b in code for insn in disassembler.disasm(data[a - base:b - base], a))
    for insn in instructions:
        ops = insn.operands
        if insn.mnemonic.startswith("mov") and insn.mnemonic != "movt" and len(ops) == 2 and ops[1].type == ARM_OP_IMM:
            known[ops[0].reg] = ops[1].imm & 0xFFFFFFFF
        elif insn.mnemonic == "movt" and ops[0].reg in known:
            known[ops[0].reg] = (known[ops[0].reg] & 0xFFFF) | ops[1].imm << 16
        elif insn.mnemonic.startswith(("ldr", "str")) and ops[-1].type == ARM_OP_MEM:
            memory = ops[-1].mem
            if memory.base == ARM_REG_PC:  # a literal: the word at Align(PC, 4) + imm
                at = ((insn.address + 4) & ~3) + memory.disp - base
                known[ops[0].reg] = int.from_bytes(data[at:at + 4], "little")
                continue
            if memory.base in known and memory.index == 0:
                accessed.add((known[memory.base] + memory.disp) & 0xFFFFFFFF)
            if insn.mnemonic.startswith("ldr"):
                known.pop(ops[0].reg, None)
        elif ops and ops[0].type == ARM_OP_REG:
            known.pop(ops[0].reg, None)
    return accessed
