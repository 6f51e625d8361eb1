"""The harness choice (codegen.harness) through render_project and build_firmware: defaults per board,
refusals, and a cache key and folder of its own."""

from __future__ import annotations

import pytest

from tinygen.boards import load_board
from tinygen.codegen import harness
from tinygen.codegen.harness import default_harness
from tinygen.codegen.project import render_project
from tinygen.commands.options import default_model
from tinygen.errors import InputError
from tinygen.importers.tflite import load_tflite
from tinygen.lower.program import lower_model
from tinygen.pipeline import build_firmware, default_output
from tinygen.plan.schedule import ScheduleOptions, plan_schedule


@pytest.fixture(scope="module")
def code():
    graph = load_tflite(default_model())
    return lower_model(graph, plan_schedule(graph, 16, ScheduleOptions(), "digits").plan, default_model())


def test_defaults_host_semihost_for_emulated_uart_for_real_boards():
    assert default_harness(load_board("host")) == "host"
    assert default_harness(load_board("mps2-an386")) == "semihost"
    assert default_harness(load_board("nucleo-f767zi")) == "uart"


def test_uart_harness_files(code):
    files = dict(render_project(code, load_board("mps2-an386"), "uart").files)
    assert {"main.c", "uart.h", "uart.c", "tg_link.c", "tg_link.h", "tg_protocol.h", "tg_cycles.c"} <= files.keys()
    assert "tg_link_receive" in files["main.c"] and "CMSDK" in files["uart.c"]
    assert "void tg_uart_init(void);" in files["uart.h"]
    assert "#define TG_CMD_IDENTIFY 0x01" in files["tg_protocol.h"]
    assert "DWT" in files["tg_cycles.c"]  # Cortex-M4: the cycle counter, not SysTick
    semihost = dict(render_project(code, load_board("mps2-an386")).files)
    assert "tg_sh_open" in semihost["main.c"] and "uart.c" not in semihost


@pytest.mark.parametrize("board, choice, needle", [
    ("host", "uart", "no 'uart' harness for a host board"),
    ("mps2-an386", "host", "no 'host' harness for a cortex-m4 board"),
    ("mps2-an386", "serial", "unknown harness 'serial'"),
])
def test_refused_harnesses(code, board, choice, needle):
    with pytest.raises(InputError, match=needle):
        render_project(code, load_board(board), choice)


def test_uart_without_console_or_driver(code, tmp_path, monkeypatch):
    text = load_board("mps2-an386").path.read_text()
    bare = tmp_path / "bare.toml"
    bare.write_text(text[:text.index("[console]")])
    with pytest.raises(InputError, match=r"bare.toml: no \[console\] table"):
        render_project(code, load_board(str(bare)), "uart")
    monkeypatch.setattr(harness, "templates_dir", lambda: tmp_path)  # as if no driver template existed
    with pytest.raises(InputError, match=r"console.uart = 'cmsdk' has no driver yet \(templates/boards/"):
        render_project(code, load_board("mps2-an386"), "uart")


@pytest.mark.tools("arm-none-eabi-gcc")
def test_each_harness_has_its_own_folder_and_cache_key(tmp_path):
    board, model = load_board("mps2-an386"), default_model()
    assert default_output(model, board).name == "digits_cnn_int8-mps2-an386"
    assert default_output(model, board, "uart").name == "digits_cnn_int8-mps2-an386-uart"
    assert default_output(model, load_board("nucleo-f767zi"), "uart").name == "digits_cnn_int8-nucleo-f767zi"
    semihost = build_firmware(model, board, tmp_path / "fw", reuse=True)
    uart = build_firmware(model, board, tmp_path / "fw", reuse=True, harness="uart")
    assert uart.build.key != semihost.build.key  # reuse=True did not take the semihost build
    assert "tg_link_receive" in (tmp_path / "fw" / "main.c").read_text()
