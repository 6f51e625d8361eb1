"""The RP2040's second-stage bootloader (boot2), assembled here so that its CRC is known when the C is rendered.

The boot ROM copies the first 256 bytes of flash to SRAM and runs them only if the last 4 hold the CRC-32
(polynomial 0x04C11DB7, initial value 0xFFFFFFFF, no reflection, no final XOR) of the first 252
(RP2040 datasheet, "Flash second stage" / "Checksum"; pico-bootrom-rp2040 bootrom_main.c). This boot2
does what pico-sdk's boot2_generic_03h.S does: set the XIP SSI up for serial 03h reads, then enter the
image through the vector table that follows it. The few Thumb instructions it needs are encoded from
the ARMv6-M Architecture Reference Manual (encodings T1), and a test disassembles them back.
"""

from __future__ import annotations

from dataclasses import dataclass

from tinygen.boards import BOOT2_BYTES, Board

# XIP SSI (Synopsys DW_apb_ssi) registers and fields: pico-sdk hardware/regs/ssi.h.
SSI_CTRLR0, SSI_CTRLR1, SSI_SSIENR, SSI_BAUDR, SSI_SPI_CTRLR0 = 0x00, 0x04, 0x08, 0x14, 0xF4
CTRLR0_XIP = (0 << 21) | (31 << 16) | (3 << 8)  # standard SPI frames, 32 clocks per frame, TMOD = EEPROM read
READ_03H = 0x03
SPI_CTRLR0_XIP = (READ_03H << 24) | (2 << 8) | (6 << 2)  # XIP_CMD, INST_L = 8 bits, ADDR_L = 24 bits, 1C1A
VTOR = 0xE000ED08  # Armv6-M System Control Block (pico-sdk m0plus.h: PPB_BASE + M0PLUS_VTOR_OFFSET)
CRC_POLY = 0x04C11DB7


@dataclass(frozen=True)
class Line:
    """One instruction or literal word of the listing: where, its bytes, and what it is."""

    offset: int
    code: bytes
    text: str  # objdump's spelling for instructions; ".word 0x..." for literals
    note: str = ""


@dataclass(frozen=True)
class Boot2Image:
    lines: tuple[Line, ...]
    data: bytes  # BOOT2_BYTES: code, literal pool, zero padding, CRC (little-endian)

    @property
    def crc(self) -> int:
        return int.from_bytes(self.data[-4:], "little")


def crc32_boot2(data: bytes) -> int:
    """CRC-32 as the boot ROM computes it: MSB first, initial value 0xFFFFFFFF, no final XOR."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ CRC_POLY if crc & 0x80000000 else crc << 1) & 0xFFFFFFFF
    return crc


def rp2040_boot2(board: Board) -> Boot2Image:
    """boot2 for `board` ([boot2] kind "rp2040-03h"), entering the image at board.vector_table."""
    boot2 = board.boot2
    if boot2 is None:  # startup.c.j2 asks only for boards that have one
        raise ValueError(f"board {board.name} has no [boot2] table")
    return _assemble([
        _Load(3, boot2.ssi_base, "XIP_SSI"),
        _movs(1, 0),
        _str(1, 3, SSI_SSIENR, "SSIENR = 0: the SSI takes configuration only while disabled"),
        _Load(1, boot2.clkdiv),
        _str(1, 3, SSI_BAUDR, f"BAUDR: flash SCK = clk_sys / {boot2.clkdiv}"),
        _Load(1, CTRLR0_XIP),
        _str(1, 3, SSI_CTRLR0, "CTRLR0: standard SPI, 32-bit frames, EEPROM read"),
        _Load(1, SPI_CTRLR0_XIP),
        _Load(0, boot2.ssi_base + SSI_SPI_CTRLR0, "XIP_SSI + SPI_CTRLR0"),
        _str(1, 0, 0, "SPI_CTRLR0: command 03h, 8-bit command, 24-bit address"),
        _movs(1, 0),
        _str(1, 3, SSI_CTRLR1, "CTRLR1: NDF = 0, one frame per read"),
        _movs(1, 1),
        _str(1, 3, SSI_SSIENR, "SSIENR = 1: flash now reads through the XIP window"),
        _Load(0, board.vector_table, "the image's vector table"),
        _Load(1, VTOR, "VTOR"),
        _str(0, 1, 0),
        _ldmia(0, (0, 1), "initial SP, reset handler"),
        _msr_msp(0),
        _bx(1, "enter the image"),
    ])


@dataclass(frozen=True)
class _Load:
    """LDR Rt, [PC, #imm8 * 4] from the literal pool after the code; encoded once the code's length is known."""

    rt: int
    value: int
    note: str = ""


def _assemble(program: list[_Load | tuple[bytes, str, str]]) -> Boot2Image:
    literals = list(dict.fromkeys(op.value for op in program if isinstance(op, _Load)))
    code_bytes = sum(2 if isinstance(op, _Load) else len(op[0]) for op in program)
    pool = code_bytes + code_bytes % 4  # literals are word aligned
    lines, offset = [], 0
    for op in program:
        if isinstance(op, _Load):
            distance = pool + 4 * literals.index(op.value) - ((offset + 4) & ~3)  # from Align(PC, 4)
            op = (_half(0x4800 | op.rt << 8 | distance // 4), f"ldr r{op.rt}, [pc, #{distance}]",
                  op.note or f"0x{op.value:08x}")
        lines.append(Line(offset, *op))
        offset += len(op[0])
    if offset < pool:
        lines.append(Line(offset, bytes(2), ".short 0x0000", "aligns the literals"))
    lines += [Line(pool + 4 * i, v.to_bytes(4, "little"), f".word 0x{v:08x}") for i, v in enumerate(literals)]
    body = b"".join(line.code for line in lines)
    if len(body) > BOOT2_BYTES - 4:
        raise ValueError(f"boot2 takes {len(body)} bytes; the boot ROM checks {BOOT2_BYTES - 4} before the CRC")
    body += bytes(BOOT2_BYTES - 4 - len(body))
    return Boot2Image(tuple(lines), body + crc32_boot2(body).to_bytes(4, "little"))


# Thumb encodings T1 (ARMv6-M Architecture Reference Manual): bytes, objdump's text, a note.
def _movs(rd: int, imm8: int, note: str = "") -> tuple[bytes, str, str]:
    return _half(0x2000 | rd << 8 | imm8), f"movs r{rd}, #{imm8}", note


def _str(rt: int, rn: int, offset: int, note: str = "") -> tuple[bytes, str, str]:
    return _half(0x6000 | (offset // 4) << 6 | rn << 3 | rt), f"str r{rt}, [r{rn}, #{offset}]", note


def _ldmia(rn: int, registers: tuple[int, ...], note: str) -> tuple[bytes, str, str]:
    """LDM without writeback: Rn is in the list."""
    names = ", ".join(f"r{r}" for r in registers)
    return _half(0xC800 | rn << 8 | sum(1 << r for r in registers)), f"ldmia r{rn}, {{{names}}}", note


def _msr_msp(rn: int) -> tuple[bytes, str, str]:
    return _half(0xF380 | rn) + _half(0x8800 | 8), f"msr MSP, r{rn}", ""  # SYSm 8 = MSP


def _bx(rm: int, note: str) -> tuple[bytes, str, str]:
    return _half(0x4700 | rm << 3), f"bx r{rm}", note


def _half(value: int) -> bytes:
    return value.to_bytes(2, "little")
