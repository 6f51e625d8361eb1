"""Board catalog: load, validate and describe target boards.

Boards are data (``boards/*.toml``) rather than code so that users can add a
board with ``--board path/to/board.toml`` without touching tinygen.  The JSON
schema (``boards/schema.json``) catches shape errors; the checks here catch
what a schema cannot express (overlaps, dangling region names).  Every problem
becomes a one-line :class:`InputError` naming the file, the problem and a fix.
"""

from __future__ import annotations

import itertools
import json
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from tinygen.errors import InputError
from tinygen.resources import boards_dir
from tinygen.text import Untrusted

SCHEMA_VERSION = 1
DEFAULT_STACK_BYTES = 0x2000
DEFAULT_ALIGNMENT_BYTES = 16
BOOT2_BYTES = 256  # RP2040 boot ROM: 252 bytes of code + CRC-32, copied to SRAM and run
_ROLE_KINDS = {"code": "flash", "arena": "ram", "stack": "ram"}  # weights may live in either
_SEE = "see boards/README.md"
_SHOWN_VALUE_CHARS = 80  # of a bad value quoted in an error
# What each real-board console driver (templates/boards/cortex-m/uart_<uart>.c.j2) reads beyond uart, base, baud.
_PIN = ("port_base", "af")
_CONSOLE_NEEDS = {
    "stm32-usart": ("clock_hz", _PIN),
    "stm32-lpuart": ("clock_hz", _PIN),
    "stm32f4-usart": ("clock_hz", _PIN),
    "pl011": ("clock_hz", _PIN),
    "nrf52-uarte": (None, ("port_base",)),
}
_PIN_EXAMPLE = {"port_base": "port_base = 0x40020000", "af": "af = 7"}


@dataclass(frozen=True)
class MemoryRegion:
    name: str
    kind: str  # "flash": holds the image; "ram": written at run time
    origin: int
    length_bytes: int

    @property
    def end(self) -> int:
        """One past the last byte, so that ``origin <= addr < end``."""
        return self.origin + self.length_bytes


@dataclass(frozen=True)
class Cpu:
    core: str  # cortex-m0plus|cortex-m3|cortex-m4|cortex-m7|cortex-m33|cortex-m55|host
    fpu: str | None  # GCC -mfpu value; None means soft float
    dsp: bool
    mve: bool
    clock_hz: int  # after tinygen's minimal clock setup (no PLL); 0 = unknown
    max_clock_hz: int  # datasheet maximum, for documentation and projections
    trustzone: bool = False  # boots Secure; addresses are the Secure view


@dataclass(frozen=True)
class Placement:
    code: str
    weights: str
    arena: str
    stack: str


@dataclass(frozen=True)
class Qemu:
    machine: str
    cpu: str | None
    semihosting: bool


@dataclass(frozen=True)
class Pin:
    pin: str  # "PA9" (STM32), "P0.06" (nRF), "GP0" (RP2040)
    port_base: int | None = None  # GPIO block that muxes the pin
    af: int | None = None  # STM32 alternate function / RP2040 FUNCSEL

    @property
    def number(self) -> int:
        """Pin index within its port: PA9 -> 9, P0.06 -> 6, GP0 -> 0."""
        return int(self.pin[len(self.pin.rstrip("0123456789")):])  # the schema's pin patterns end in digits

    @property
    def port(self) -> int:
        """Port index: PA9 -> 0 (A), PD8 -> 3, P1.05 -> 1; GPn -> 0 (the RP2040 has one user bank)."""
        if self.pin.startswith("GP"):
            return 0
        letter_or_digit = self.pin[1]
        return int(letter_or_digit) if letter_or_digit.isdigit() else ord(letter_or_digit) - ord("A")


@dataclass(frozen=True)
class EnableBit:
    """One register step of the console's setup: a field of `width` bits at `bit` in `register`."""

    register: int
    bit: int
    name: str
    action: str = "set"  # set/clear the field, write `value` into it, or wait until it reads `value`
    width: int = 1
    value: int | None = None  # for "write" (required) and "wait" (default: all ones)

    @property
    def mask(self) -> int:
        return ((1 << self.width) - 1) << self.bit

    @property
    def bits(self) -> int:
        """The field's target value in place: what "write" stores and "wait" waits for."""
        return self.mask if self.value is None else self.value << self.bit


@dataclass(frozen=True)
class Console:
    uart: str  # cmsdk|stm32-usart|stm32f4-usart|stm32-lpuart|nrf52-uarte|pl011
    base: int
    baud: int
    clock_hz: int | None = None  # clock feeding the baud generator
    instance: str | None = None  # e.g. "USART3", for humans and comments
    tx: Pin | None = None
    rx: Pin | None = None
    enable: tuple[EnableBit, ...] = ()  # register bits to touch before use


@dataclass(frozen=True)
class Boot2:
    """RP2040 second-stage bootloader that tinygen writes before the vector table."""

    kind: str  # "rp2040-03h": serial 03h reads, which every QSPI NOR flash answers
    ssi_base: int  # XIP_SSI register block
    clkdiv: int  # SCK = clk_sys / clkdiv while running from flash (even, >= 2)


@dataclass(frozen=True)
class FlashMethod:
    method: str  # pyocd|openocd|st-flash|picotool (the default)
    target: str | None = None  # pyOCD target name
    openocd_config: str | None = None
    openocd_interface: str | None = None


@dataclass(frozen=True)
class Board:
    name: str
    description: str
    path: Path
    cpu: Cpu
    memory: tuple[MemoryRegion, ...]
    placement: Placement
    stack_bytes: int
    alignment_bytes: int
    qemu: Qemu | None
    console: Console | None
    flash: FlashMethod | None
    vector_table: int
    boot2: Boot2 | None = None

    def region(self, name: str) -> MemoryRegion:
        for region in self.memory:
            if region.name == name:
                return region
        known = ", ".join(r.name for r in self.memory)
        raise InputError(f"{_shown(self.path)}: no memory region '{name}'; use one of: {known}")

    @property
    def file_name(self) -> Untrusted:
        """The board file's name, as generated files mention it (a path the user chose: escaped there)."""
        return Untrusted(self.path.name)

    @property
    def emulated(self) -> bool:
        return self.qemu is not None

    @property
    def boot_reserved_bytes(self) -> int:
        """Bytes before the vector table in the code region (RP2040's boot2)."""
        return self.vector_table - self.region(self.placement.code).origin


def load_board(name_or_path: str) -> Board:
    """Load a shipped board by name, or any board file by path."""
    if name_or_path.endswith(".toml") or "/" in name_or_path or "\\" in name_or_path:
        path = Path(name_or_path)
        if not path.is_file():
            raise InputError(
                f"{name_or_path}: no such board file; check the path or use one of: {', '.join(_names())}"
            )
        return _load(path)
    path = boards_dir() / f"{name_or_path}.toml"
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name_or_path) or not path.is_file():
        raise InputError(
            f"unknown board '{name_or_path}' (no {_shown(path)}); use one of: {', '.join(_names())}, "
            "or pass --board path/to/board.toml"
        )
    return _load(path)


def list_boards() -> list[Board]:
    """All shipped boards, sorted by name."""
    return sorted((load_board(name) for name in _names()), key=lambda b: b.name)


def schema_path() -> Path:
    """The JSON schema every board file is validated against, shipped beside the boards."""
    return boards_dir() / "schema.json"


def _names() -> list[str]:
    """The shipped boards' names; none at all means a broken installation, never an empty catalogue."""
    folder = boards_dir()
    names = sorted(p.stem for p in folder.glob("*.toml"))
    if not names:
        raise InputError(f"{folder}: no board files (*.toml) in tinygen's board catalogue; "
                         "reinstall tinygen (pip install --force-reinstall tinygen)")
    return names


def _shown(path: Path) -> str:
    """The path as the user would type it: relative to the cwd when possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _load(path: Path) -> Board:
    shown = _shown(path)
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except OSError as e:
        raise InputError(
            f"{shown}: cannot read ({e.strerror}); check the path and permissions"
        ) from None
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"{shown}: invalid TOML ({e}); fix the syntax") from None
    except UnicodeDecodeError as e:  # TOML is UTF-8: a board file saved in another encoding, or not text
        raise InputError(f"{shown}: not UTF-8 text (byte {e.object[e.start]:#04x} at offset {e.start}); "
                         "save the board file as UTF-8") from None
    except RecursionError:  # tomllib parses nested arrays and inline tables recursively
        raise InputError(f"{shown}: arrays or tables nested too deep to parse; no board key nests deeper than "
                         f"three levels ({_SEE})") from None
    error = jsonschema.exceptions.best_match(_validator().iter_errors(data))
    if error is not None:
        raise InputError(f"{shown}: {_explain(error, data)}".replace("\n", " "))
    board = _build(data, path)
    _check(board, shown, builtin=path.resolve().parent == boards_dir())
    return board


@cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(schema_path().read_text()))


def _explain(error: jsonschema.ValidationError, data: dict) -> str:
    """Turn a schema error into 'where: problem; fix' without newlines."""
    path, schema, value, kind = (
        list(error.absolute_path),
        error.schema,
        error.instance,
        error.validator,
    )
    where, table = _key_name(path, data), _table_name(path, data)
    hint = schema.get("description", _SEE)
    if kind == "required":
        key = next(k for k in error.validator_value if k not in value)
        sub = schema["properties"].get(key, {})
        if sub.get("type") == "object":
            return f"{table} lacks the [{_dotted(path + [key])}] table; add it ({_SEE})"
        if sub.get("type") == "array":
            return f"{table} lacks [[{key}]] entries; add at least one ({_SEE})"
        example = _example(key, sub)
        return f"{table} lacks '{key}'; " + (
            f"add {key} = {example}" if example else f"add it ({_SEE})"
        )
    if kind == "additionalProperties":
        extra = sorted(set(value) - set(schema.get("properties", {})))[0]
        return f"{table} has unknown key '{extra}'; remove it or fix its spelling ({_SEE})"
    shown_value = json.dumps(value, default=str)
    if len(shown_value) > _SHOWN_VALUE_CHARS:  # a 1 MB string would be one very long line
        shown_value = shown_value[:_SHOWN_VALUE_CHARS - 3] + "..."
    if kind == "enum":
        choices = ", ".join(json.dumps(c) for c in error.validator_value)
        return f"{where} = {shown_value} is not allowed; use one of: {choices}"
    if kind == "const":
        return f"{where} = {shown_value} is not supported; write {where} = {error.validator_value}"
    if kind == "pattern":
        return f"{where} = {shown_value} is malformed; expected {hint}"
    if kind == "not":
        return f"{where} = {shown_value} is not allowed; expected {hint}"
    if kind in ("minimum", "maximum"):
        side = "below the minimum" if kind == "minimum" else "above the maximum"
        return f"{where} = {shown_value} is {side} {error.validator_value:_}; expected {hint}"
    if kind == "multipleOf":
        return f"{where} = {value:#x} is not a multiple of {error.validator_value}; expected {hint}"
    if kind == "type":
        key = str(path[-1]) if path else ""
        example = _example(key, schema)
        fix = f"write e.g. {key} = {example}" if example else hint
        actual = f"{type(value).__name__} {shown_value}"
        return f"{where} must be {error.validator_value}, not {actual}; {fix}"
    return f"{where}: {error.message}; {hint}"


def _key_name(path: list, data: dict) -> str:
    """'cpu.clock_hz', or "memory region 'dtcm' key 'length'" for list items."""
    if len(path) >= 2 and path[0] == "memory":
        label = _table_name(path[:2], data)
        return f"{label} key '{_dotted(path[2:])}'" if len(path) > 2 else label
    return _dotted(path) or "the file"


def _table_name(path: list, data: dict) -> str:
    """'[cpu]', "memory region 'dtcm'" or 'the file' for the top level."""
    if not path:
        return "the file"
    if len(path) == 2 and path[0] == "memory":
        item = data["memory"][path[1]]
        name = item.get("name") if isinstance(item, dict) else None
        return (
            f"memory region '{name}'"
            if isinstance(name, str)
            else f"[[memory]] entry #{path[1] + 1}"
        )
    return f"[{_dotted(path)}]"


def _dotted(path: list) -> str:
    return ".".join(str(p) for p in path)


def _example(key: str, schema: dict) -> str | None:
    examples = schema.get("examples")
    return _toml_literal(key, examples[0]) if examples else None


def _toml_literal(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if "hz" in key or "baud" in key or "bytes" in key or value < 4096:
            return f"{value:_}"
        return f"{value:#x}"
    return json.dumps(value)


def _build(data: dict, path: Path) -> Board:
    cpu = data["cpu"]
    memory = tuple(
        MemoryRegion(m["name"], m["kind"], m["origin"], m["length"]) for m in data["memory"]
    )
    placement = Placement(**data["placement"])
    qemu = data.get("qemu")
    console = data.get("console")
    flash = data.get("flash")
    code_origin = next((m.origin for m in memory if m.name == placement.code), 0)
    return Board(
        name=data["name"],
        description=Untrusted(data["description"]),
        path=path.resolve(),
        cpu=Cpu(
            core=cpu["core"],
            fpu=None if cpu["fpu"] == "none" else cpu["fpu"],
            dsp=cpu.get("dsp", False),
            mve=cpu.get("mve", False),
            clock_hz=cpu["clock_hz"],
            max_clock_hz=cpu.get("max_clock_hz", cpu["clock_hz"]),
            trustzone=cpu.get("trustzone", False),
        ),
        memory=memory,
        placement=placement,
        stack_bytes=data.get("stack_bytes", DEFAULT_STACK_BYTES),
        alignment_bytes=data.get("alignment_bytes", DEFAULT_ALIGNMENT_BYTES),
        qemu=(
            Qemu(qemu["machine"], qemu.get("cpu"), qemu.get("semihosting", False)) if qemu else None
        ),
        console=(
            Console(
                uart=console["uart"],
                base=console["base"],
                baud=console["baud"],
                clock_hz=console.get("clock_hz"),
                instance=Untrusted(console["instance"]) if "instance" in console else None,
                tx=Pin(**console["tx"]) if "tx" in console else None,
                rx=Pin(**console["rx"]) if "rx" in console else None,
                enable=tuple(EnableBit(**{**e, "name": Untrusted(e["name"])}) for e in console.get("enable", ())),
            )
            if console
            else None
        ),
        flash=FlashMethod(**flash) if flash else None,
        vector_table=data.get("vector_table", code_origin),
        boot2=Boot2(**data["boot2"]) if "boot2" in data else None,
    )


def _check(board: Board, shown: str, builtin: bool) -> None:
    """Cross-field rules the schema cannot express."""

    def fail(problem: str) -> InputError:
        return InputError(f"{shown}: {problem}")

    if builtin and board.name != board.path.stem:
        raise fail(
            f"name = '{board.name}' differs from the file name; write name = '{board.path.stem}'"
        )
    names = [r.name for r in board.memory]
    known = ", ".join(names)
    for region in board.memory:
        if names.count(region.name) > 1:
            raise fail(f"memory region '{region.name}' is defined twice; rename or remove one")
        if region.end > 1 << 32:
            raise fail(
                f"memory region '{region.name}' ends past 0xffffffff; fix its origin or length"
            )
    ordered = sorted(board.memory, key=lambda r: r.origin)
    for a, b in itertools.pairwise(ordered):
        if a.end > b.origin:
            raise fail(
                f"memory regions '{a.name}' ({_span(a)}) and '{b.name}' ({_span(b)}) overlap; "
                "fix the origin or length of one of them"
            )
    for role, name in vars(board.placement).items():
        if name not in names:
            raise fail(f"placement.{role} = '{name}' names no memory region; use one of: {known}")
        kind, needed = board.region(name).kind, _ROLE_KINDS.get(role)
        if needed and kind != needed:
            raise fail(
                f"placement.{role} = '{name}' is a {kind} region; {role} needs a {needed} region"
            )
    code = board.region(board.placement.code)
    if not code.origin <= board.vector_table < code.end:
        raise fail(
            f"vector_table = {board.vector_table:#x} is outside code region '{code.name}' "
            f"({_span(code)}); move it into that region"
        )
    if board.boot2 is not None and board.boot_reserved_bytes != BOOT2_BYTES:
        raise fail(
            f"[boot2] needs {BOOT2_BYTES} bytes before the vector table, but vector_table is "
            f"{board.boot_reserved_bytes} bytes into '{code.name}'; write vector_table = {code.origin + BOOT2_BYTES:#x}"
        )
    if board.console is not None and board.console.uart in _CONSOLE_NEEDS:
        _check_console(board.console, fail)
    for step in board.console.enable if board.console else ():
        if step.bit + step.width > 32:
            raise fail(f"console.enable '{step.name}': bit {step.bit} + width {step.width} passes bit 31; "
                       "fix bit or width")
        if step.action == "write" and step.value is None:
            raise fail(f"console.enable '{step.name}': action 'write' needs a value; "
                       "add value = the field's new contents")
        if step.action in ("set", "clear") and step.value is not None:
            raise fail(f"console.enable '{step.name}': action '{step.action}' takes no value; remove it "
                       "or use action = 'write'")
        if step.value is not None and step.value >> step.width:
            raise fail(f"console.enable '{step.name}': value {step.value:#x} does not fit in {step.width} bits; "
                       "fix value or width")
    stack = board.region(board.placement.stack)
    if board.stack_bytes > stack.length_bytes:
        raise fail(
            f"stack_bytes = {board.stack_bytes} exceeds stack region '{stack.name}' "
            f"({stack.length_bytes} bytes); lower stack_bytes or move placement.stack"
        )


def _check_console(console: Console, fail: Callable[[str], InputError]) -> None:
    clock, pin_keys = _CONSOLE_NEEDS[console.uart]
    if clock and console.clock_hz is None:
        raise fail(f"console.uart = '{console.uart}' divides console.clock_hz for its baud rate; "
                   "add clock_hz = the UART's kernel clock in Hz")
    for role in ("tx", "rx"):
        pin = getattr(console, role)
        if pin is None:
            raise fail(f"console.uart = '{console.uart}' needs console.{role}; add {role} = {{ pin = ..., "
                       + ", ".join(_PIN_EXAMPLE[k] for k in pin_keys) + " }")
        for key in pin_keys:
            if getattr(pin, key) is None:
                raise fail(f"console.{role} lacks {key}, which console.uart = '{console.uart}' needs; "
                           f"add {_PIN_EXAMPLE[key]} (see boards/README.md)")


def _span(region: MemoryRegion) -> str:
    return f"{region.origin:#010x}-{region.end - 1:#010x}"
