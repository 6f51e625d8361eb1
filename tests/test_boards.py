"""Board catalog tests: shipped boards are valid, broken files fail clearly."""

import dataclasses
import json
import re
import subprocess
import tomllib
from pathlib import Path

import jsonschema
import pytest

import tinygen.boards
from tests.tools import require_tool
from tinygen.boards import SCHEMA_VERSION, Boot2, Pin, list_boards, load_board, schema_path
from tinygen.errors import InputError
from tinygen.resources import boards_dir, templates_dir

SHIPPED = sorted(p.stem for p in boards_dir().glob("*.toml"))
INVALID = sorted((Path(__file__).parent / "boards").glob("invalid_*.toml"))
EMULATED = {"mps2-an385", "mps2-an386", "mps2-an500", "mps2-an505", "mps3-an547", "netduinoplus2"}
REAL = {
    "stm32f746g-disco",
    "nucleo-f767zi",
    "nucleo-h743zi",
    "nucleo-l4r5zi",
    "nrf52840dk",
    "rp2040-pico",
}

MINIMAL = """\
schema_version = 1
name = "my-board"
description = "A user's board"

[cpu]
core = "cortex-m4"
fpu = "fpv4-sp-d16"
clock_hz = 16_000_000

[[memory]]
name = "flash"
kind = "flash"
origin = 0x08000000
length = 0x00080000

[[memory]]
name = "sram"
kind = "ram"
origin = 0x20000000
length = 0x00020000

[placement]
code = "flash"
weights = "flash"
arena = "sram"
stack = "sram"
"""


def test_schema_is_valid_draft_2020_12():
    schema = json.loads(schema_path().read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert "bump schema_version" in schema["$comment"].lower()
    assert schema["properties"]["schema_version"]["const"] == SCHEMA_VERSION


def test_catalog_has_the_expected_boards():
    assert set(SHIPPED) == EMULATED | REAL | {"host"}


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_board_loads_and_passes_schema(name):
    path = boards_dir() / f"{name}.toml"
    data = tomllib.loads(path.read_text())
    jsonschema.Draft202012Validator(json.loads(schema_path().read_text())).validate(data)
    board = load_board(name)
    assert board.name == name and board.path == path.resolve()
    assert board.description
    for role in ("code", "weights", "arena", "stack"):
        board.region(getattr(board.placement, role))
    code = board.region(board.placement.code)
    assert code.origin <= board.vector_table < code.end
    assert board.stack_bytes <= board.region(board.placement.stack).length_bytes
    assert board.emulated == (name in EMULATED)
    if name in EMULATED:
        assert board.qemu.machine == name and board.qemu.semihosting
        assert board.console is not None and board.flash is None
    if name in REAL:
        assert board.qemu is None and board.console is not None and board.flash is not None
        assert board.cpu.clock_hz > 0 and board.cpu.max_clock_hz >= board.cpu.clock_hz


def test_an_empty_catalogue_is_an_error_not_an_empty_list(tmp_path, monkeypatch):
    monkeypatch.setattr(tinygen.boards, "boards_dir", lambda: tmp_path)
    for call in (list_boards, lambda: load_board("mps2-an386")):
        with pytest.raises(InputError, match="^" + re.escape(f"{tmp_path}: no board files (*.toml)")):
            call()


def test_list_boards_is_sorted_by_name():
    names = [b.name for b in list_boards()]
    assert names == sorted(names) == SHIPPED


def test_region_lookup():
    board = load_board("nucleo-h743zi")
    axi = board.region("axi_sram")
    assert (axi.kind, axi.origin, axi.length_bytes, axi.end) == (
        "ram",
        0x24000000,
        512 * 1024,
        0x24080000,
    )
    assert board.region(board.placement.stack).name == "dtcm"
    with pytest.raises(InputError, match=r"no memory region 'nope'; use one of: flash, itcm"):
        board.region("nope")


def test_boards_are_frozen():
    board = load_board("mps2-an385")
    with pytest.raises(dataclasses.FrozenInstanceError):
        board.name = "other"
    with pytest.raises(dataclasses.FrozenInstanceError):
        board.cpu.clock_hz = 1


def test_key_figures():
    an505 = load_board("mps2-an505")
    assert an505.vector_table == 0x10000000 and an505.cpu.trustzone
    assert an505.console.base == 0x50200000 and an505.cpu.clock_hz == 20_000_000
    an547 = load_board("mps3-an547")
    assert an547.cpu.mve and an547.cpu.core == "cortex-m55" and an547.console.clock_hz == 25_000_000
    pico = load_board("rp2040-pico")
    assert pico.boot_reserved_bytes == 256 and pico.flash.method == "picotool"
    assert [p.number for p in (pico.console.tx, pico.console.rx)] == [0, 1]
    nrf = load_board("nrf52840dk")
    assert (
        nrf.console.tx.pin == "P0.06"
        and nrf.console.tx.number == 6
        and nrf.cpu.fpu == "fpv4-sp-d16"
    )
    assert load_board("mps2-an385").cpu.fpu is None


def test_console_facts_for_the_drivers():
    pico = load_board("rp2040-pico")
    assert pico.boot2 == Boot2("rp2040-03h", 0x18000000, 2) and pico.vector_table == 0x10000100
    xosc = pico.console.enable[0]
    assert (xosc.name, xosc.action, xosc.mask, xosc.bits) == ("XOSC_CTRL.FREQ_RANGE", "write", 0xFFF, 0xAA0)
    waits = [step for step in pico.console.enable if step.action == "wait"]
    assert [(step.register, step.bits) for step in waits][-1] == (0x4000C008, 1 << 22)  # RESET_DONE.UART0
    assert [s.name for s in pico.console.enable].index("CLOCKS_CLK_PERI_CTRL.ENABLE") < \
        [s.name for s in pico.console.enable].index("RESETS_RESET.UART0")
    nrf = load_board("nrf52840dk").console
    assert (nrf.tx.port, nrf.tx.number, nrf.tx.port_base) == (0, 6, 0x50000000)
    assert Pin("P1.05").port == 1 and Pin("PD8").port == 3 and Pin("GP1").port == 0
    assert [step.action for step in nrf.enable] == ["clear", "set", "wait"]  # HFXO started before the UARTE
    f767 = load_board("nucleo-f767zi").console
    kernel_clock = f767.enable[0]
    assert (kernel_clock.register, kernel_clock.mask, kernel_clock.bits) == (0x40023890, 0x30, 0)
    for board in list_boards():
        if board.console and board.console.uart != "cmsdk":
            assert board.console.tx and board.console.rx and board.console.enable, board.name


def test_host_board():
    host = load_board("host")
    assert host.cpu.core == "host" and not host.emulated
    assert host.qemu is host.console is host.flash is None
    assert host.alignment_bytes == 16


def test_unknown_board_lists_known_boards():
    with pytest.raises(InputError) as info:
        load_board("nope")
    message = str(info.value)
    assert "\n" not in message and "'nope'" in message
    assert all(name in message for name in SHIPPED)
    assert info.value.exit_code == 2


def test_user_board_path(tmp_path, monkeypatch):
    path = tmp_path / "custom" / "my-board.toml"
    path.parent.mkdir()
    path.write_text(MINIMAL)
    board = load_board(str(path))
    assert board.name == "my-board" and board.path == path.resolve()
    assert board.vector_table == 0x08000000 and board.stack_bytes == 0x2000
    monkeypatch.chdir(tmp_path)
    assert load_board("custom/my-board.toml") == board


def test_missing_user_path_is_an_input_error():
    with pytest.raises(InputError, match=r"no/such/board\.toml: no such board file"):
        load_board("no/such/board.toml")


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_board_is_rejected(path):
    expected = path.read_text().splitlines()[0].removeprefix("# expect: ")
    with pytest.raises(InputError) as info:
        load_board(str(path))
    message = str(info.value)
    assert "\n" not in message
    assert path.name in message and expected in message


def test_invalid_fixtures_cover_each_defect():
    assert {p.stem for p in INVALID} == {
        "invalid_missing_cpu",
        "invalid_unknown_core",
        "invalid_region_without_length",
        "invalid_placement_missing_region",
        "invalid_overlapping_regions",
        "invalid_bad_type",
        "invalid_boot2_without_room",
        "invalid_enable_write_without_value",
        "invalid_console_pin_without_af",
        "invalid_region_linker_keyword",
        "invalid_unaligned_vector_table",
        "invalid_clock_too_fast",
        "invalid_console_baud_too_fast",
    }


def _rejected(tmp_path: Path, text: str | bytes) -> str:
    """load_board's one-line message for a board file holding `text`."""
    path = tmp_path / "bad-board.toml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(InputError) as info:
        load_board(str(path))
    message = str(info.value)
    assert "\n" not in message and message.startswith(f"{path}: ")
    return message


@pytest.mark.parametrize("text, problem", [
    (MINIMAL.replace("A user's board", "caf\xe9").encode("latin-1"), "not UTF-8 text (byte 0xe9"),
    (MINIMAL + "deep = " + "[" * 100_000 + "]" * 100_000 + "\n", "nested too deep to parse"),
    (MINIMAL + "deep = " + "{a = " * 100_000 + "}" * 100_000 + "\n", "nested too deep to parse"),
], ids=["latin-1", "deep-array", "deep-inline-table"])
def test_unparseable_board_text_is_one_line(tmp_path, text, problem):
    assert problem in _rejected(tmp_path, text)


@pytest.mark.parametrize("clock_hz, accepted", [
    (0, True), (1, False), (999, False), (1_000, True), (2_000_000_000, True), (2_000_000_001, False),
    (5_000_000_000, False), (1 << 64, False)])
def test_cpu_clock_is_zero_or_a_plausible_uint32(tmp_path, clock_hz, accepted):
    text = MINIMAL.replace("clock_hz = 16_000_000", f"clock_hz = {clock_hz}")
    if accepted:
        path = tmp_path / "my-board.toml"
        path.write_text(text)
        assert load_board(str(path)).cpu.clock_hz == clock_hz
    else:
        assert f"cpu.clock_hz = {clock_hz} is" in _rejected(tmp_path, text)


REGION_NAMES = ["o", "l", "org", "len", "ORIGIN", "LENGTH", "MEMORY", "SECTIONS", "ALIGN", "origin", "length",
                "memory", "sections", "align", "sort", "flash", "dtcm", "ssram23"]


def test_region_names_gnu_ld_refuses_are_refused(tmp_path):
    """arm-none-eabi-ld is the reference: a MEMORY script shaped like templates/boards/cortex-m/linker.ld.j2's,
    with each candidate as the region name. Every name it refuses, the schema refuses; every lower-case name it
    takes, the schema takes (upper case is refused whole: every ld keyword is upper case or one of o, l, org, len)."""
    gcc = require_tool("arm-none-eabi-gcc")
    source = tmp_path / "a.c"
    source.write_text("void Reset_Handler(void) {}\n")
    ld_refuses, schema_refuses = set(), set()
    for name in REGION_NAMES:
        script = tmp_path / "linker.ld"
        script.write_text(f"MEMORY\n{{\n    {name} (rx) : ORIGIN = 0x08000000, LENGTH = 0x100000\n"
                          "    sram (rwx) : ORIGIN = 0x20000000, LENGTH = 0x10000\n}\nENTRY(Reset_Handler)\n"
                          f"SECTIONS\n{{\n    .text : {{ *(.text*) }} > {name}\n}}\n")
        linked = subprocess.run([gcc, "-mcpu=cortex-m4", "-mthumb", "-nostdlib", "-T", str(script), str(source),
                                 "-o", str(tmp_path / "a.elf")], capture_output=True, text=True)
        if linked.returncode != 0:
            assert "syntax error" in linked.stderr, linked.stderr
            ld_refuses.add(name)
        board = MINIMAL.replace('name = "flash"', f'name = "{name}"').replace('"flash"\nweights = "flash"',
                                                                           f'"{name}"\nweights = "{name}"')
        path = tmp_path / "my-board.toml"
        path.write_text(board)
        try:
            load_board(str(path))
        except InputError:
            schema_refuses.add(name)
    assert ld_refuses >= {"o", "l", "org", "len", "ORIGIN", "MEMORY"}  # the reference still refuses keywords
    assert ld_refuses <= schema_refuses
    assert schema_refuses == ld_refuses | {n for n in REGION_NAMES if not n.islower()}


def test_vector_table_alignment_covers_the_startup_table():
    """VTOR keeps bits 31:7 (at least 128-byte alignment, Armv6-M/v7-M/v8-M) and the table must be aligned to a
    power of two at least its size: the schema's multipleOf must satisfy both for the table startup.c.j2 emits."""
    startup = (templates_dir() / "boards" / "cortex-m" / "startup.c.j2").read_text()
    vectors = {int(n) for n in re.findall(r"tg_vector tg_vectors\[(\d+)\]", startup)}
    assert len(vectors) == 1
    table_bytes = 4 * vectors.pop()
    step = json.loads(schema_path().read_text())["properties"]["vector_table"]["multipleOf"]
    assert step & (step - 1) == 0 and step >= max(128, 1 << (table_bytes - 1).bit_length())
    for board in list_boards():
        assert board.vector_table % step == 0, board.name


@pytest.mark.slow
@pytest.mark.tools("qemu-system-arm", "arm-none-eabi-gcc")
@pytest.mark.parametrize("name", sorted(EMULATED))
def test_every_emulated_board_runs_the_example_bit_exact(name, tmp_path):
    """The board file's memory map must match QEMU's machine (netduinoplus2's ccm once did not)."""
    from tinygen.commands.options import default_model
    from tinygen.pipeline import build_firmware, run_firmware
    from tinygen.run.vectors import random_vectors

    board = load_board(name)
    firmware = build_firmware(default_model(), board, tmp_path / name)
    result = run_firmware(firmware, default_model(), board, random_vectors(firmware.code.inputs, 3, 0), 120)
    assert result.vectors == 3 and result.bit_exact
