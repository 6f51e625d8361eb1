"""Compiler and flags for a board's core: the only place the core name becomes GCC options."""

from __future__ import annotations

from dataclasses import dataclass

from tinygen.boards import Board
from tinygen.errors import InputError

OPT = "-O2"
# Debug builds (`--debug`, commands/options.py says why -Og): TG_DEBUG gives the specialised kernels their debug
# form, one copy each with its loops in C (templates/kernels/tg_specialised.h.j2).
DEBUG_OPT = "-Og -g3 -DTG_DEBUG"
# -Werror=missing-field-initializers: model.c's positional parameter-block initializers cannot lose a field
# (tinygen/kernels/block.py); a value in the wrong slot (an int for a pointer, a pointer of the wrong type) is an
# error too, not a warning.
COMMON = ("-std=c99 -ffunction-sections -fdata-sections -Wall -Wextra -Wno-unused-parameter "
          "-Werror=missing-field-initializers -Werror=int-conversion -Werror=incompatible-pointer-types")
# Sanitized host builds (`--sanitize`): AddressSanitizer and UndefinedBehaviorSanitizer, every finding fatal (no
# recovery), so an out-of-bounds read or a signed overflow in a kernel fails the run instead of printing and going
# on; -g and frame pointers put file:line in the report. TG_SANITIZE gives the host harness its ASan defaults
# (templates/project/main_host.c.j2). The sanitizers' runtimes exist for hosted targets only, not arm-none-eabi.
SANITIZE_FLAGS = "-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g -DTG_SANITIZE"
INSTALL_HINT = "apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi"


@dataclass(frozen=True)
class Toolchain:
    cc: str
    cflags: str
    ldflags: str


def _float_flags(fpu: str | None) -> str:
    if fpu in (None, "none"):
        return "-mfloat-abi=soft"
    if fpu == "auto":  # the -mcpu value implies the FPU (e.g. Cortex-M55)
        return "-mfloat-abi=hard"
    return f"-mfpu={fpu} -mfloat-abi=hard"


def toolchain(board: Board, debug: bool = False, sanitize: bool = False) -> Toolchain:
    opt = DEBUG_OPT if debug else OPT
    if board.cpu.core == "host":
        sanitizers = f" {SANITIZE_FLAGS}" if sanitize else ""
        return Toolchain("cc", f"{opt} {COMMON} -DTG_HOST{sanitizers}", "-Wl,--gc-sections")
    if sanitize:
        raise InputError(f"{board.name}: --sanitize builds for the host board only (ASan and UBSan have no "
                         "bare-metal Cortex-M runtime); use --board host")
    arch = f"-mcpu={board.cpu.core} -mthumb {_float_flags(board.cpu.fpu)}"
    return Toolchain(
        "arm-none-eabi-gcc",
        f"{arch} {opt} {COMMON}",
        "-T linker.ld -nostartfiles --specs=nano.specs -Wl,--gc-sections -Wl,-Map=firmware.map",
    )
