"""Two exported models in one user application (tests/export/app: its own startup, linker script, CMake project
and Makefile, nothing generated): built with CMake + arm-none-eabi-gcc for mps2-an386 and run in QEMU, with the
libraries' own arenas and with one shared arena, and through the Make fragments on the host; every output
bit-exact against TensorFlow Lite Micro. Each export and each build is made once per module."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from elftools.elf.elffile import ELFFile
from elftools.elf.sections import SymbolTableSection

from tests.commands.test_cli import invoke, one_json_object
from tests.models import EXAMPLE, model_path
from tests.tools import require_tool
from tinygen.export.target import core_board
from tinygen.pipeline import generate
from tinygen.reference import reference_outputs
from tinygen.run.vectors import random_vectors

pytestmark = [pytest.mark.shared_models, pytest.mark.tools("arm-none-eabi-gcc", "qemu-system-arm", "cmake")]

APP = Path(__file__).parent / "app"
MODELS = {"digits": EXAMPLE, "kws": "kws_ref_model"}  # --name -> model


@pytest.fixture(scope="module")
def expected(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[bytes]]]:
    """inputs.h (one seeded random vector per model) and each model's outputs from TFLite Micro, as bytes."""
    folder = tmp_path_factory.mktemp("inputs")
    lines, outputs = ["#include <stdint.h>"], {}
    for name, model in MODELS.items():
        _, _, code = generate(model_path(model), core_board("host"), fit=False)
        vector = random_vectors(code.inputs, 1, seed=7)
        (data,) = vector[0]
        values = ", ".join(str(b) for b in data.tobytes())
        lines.append(f"static const uint8_t {name}_input_data[] = {{{values}}};")
        want = reference_outputs(model_path(model), vector, len(code.outputs))[0]
        outputs[name] = [np.asarray(o).tobytes() for o in want]
    (folder / "inputs.h").write_text("\n".join(lines) + "\n")
    return folder, outputs


def export_both(folder: Path, fmt: str, core: str, *extra: str) -> Path:
    for name, model in MODELS.items():
        result = invoke("export", model_path(model), "--format", fmt, "--core", core, "--name", name,
                        "-o", folder / name, "--json", *extra)
        summary = one_json_object(result)
        assert (summary["name"], summary["format"], summary["core"]) == (name, fmt, core)
        assert sorted(p.relative_to(folder / name).as_posix() for p in (folder / name).rglob("*")
                      if p.is_file()) == summary["files"]
    return folder


def printed(stdout: str) -> dict[str, list[bytes]]:
    """The app's lines "<model> <output> <hex>" as bytes per model, in output order."""
    found: dict[str, list[bytes]] = {}
    for line in stdout.splitlines():
        name, index, hexed = line.split()
        assert int(index) == len(found.setdefault(name, []))
        found[name].append(bytes.fromhex(hexed))
    return found


def cmake_app(exports: Path, inputs: Path, build: Path, shared: bool) -> Path:
    cmake = require_tool("cmake")
    configure = [cmake, "-S", APP, "-B", build, f"-DCMAKE_TOOLCHAIN_FILE={APP / 'arm-none-eabi.cmake'}",
                 f"-DEXPORTS={exports}", f"-DINPUTS={inputs}", f"-DSHARED_ARENA={'ON' if shared else 'OFF'}"]
    subprocess.run([str(a) for a in configure], check=True, capture_output=True)
    subprocess.run([cmake, "--build", str(build)], check=True, capture_output=True)
    return build / "app.elf"


def qemu(elf: Path) -> str:
    """The app's semihosting output (on stdout through a chardev); its exit status must be 0."""
    run = subprocess.run([require_tool("qemu-system-arm"), "-M", "mps2-an386", "-display", "none", "-monitor", "none",
                          "-serial", "none", "-chardev", "stdio,id=out",
                          "-semihosting-config", "enable=on,target=native,chardev=out",
                          "-kernel", str(elf)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, (run.returncode, run.stdout, run.stderr)
    return run.stdout


@pytest.fixture(scope="module")
def static_elf(tmp_path_factory: pytest.TempPathFactory, expected: tuple[Path, dict]) -> Path:
    exports = export_both(tmp_path_factory.mktemp("static"), "cmake", "cortex-m4")
    return cmake_app(exports, expected[0], exports / "build", shared=False)


@pytest.fixture(scope="module")
def shared_elf(tmp_path_factory: pytest.TempPathFactory, expected: tuple[Path, dict]) -> Path:
    exports = export_both(tmp_path_factory.mktemp("extern"), "cmake", "cortex-m4", "--arena", "extern")
    return cmake_app(exports, expected[0], exports / "build", shared=True)


def test_two_cmake_libraries_run_bit_exact_in_one_firmware(static_elf: Path, expected: tuple[Path, dict]) -> None:
    assert printed(qemu(static_elf)) == expected[1]


def test_two_models_share_one_extern_arena_bit_exact(shared_elf: Path, expected: tuple[Path, dict]) -> None:
    assert printed(qemu(shared_elf)) == expected[1]


@pytest.mark.parametrize("which", ["static", "shared"])
def test_every_global_symbol_of_the_libraries_carries_its_prefix(which: str, request: pytest.FixtureRequest) -> None:
    elf: Path = request.getfixturevalue(f"{which}_elf")
    nm = require_tool("arm-none-eabi-nm")
    for name in MODELS:
        archive = elf.parent / name / f"lib{name}.a"
        symbols = subprocess.run([nm, "--defined-only", "--extern-only", "-j", str(archive)], check=True,
                                 capture_output=True, text=True).stdout.split()
        defined = [s for s in symbols if s and not s.endswith(":") and not s.endswith(".o")]
        assert defined and all(s.startswith(f"{name}_") for s in defined), defined
    linked = subprocess.run([nm, "--defined-only", "--extern-only", "-j", str(elf)], check=True, capture_output=True,
                            text=True).stdout.split()
    assert {"digits_invoke", "kws_invoke"} <= set(linked)
    assert not any(s.startswith("tg_") for s in linked)


def test_static_arenas_are_zero_filled_and_weights_read_only_in_a_plain_linker_script(static_elf: Path) -> None:
    """The app's linker script names no library section: each arena lands in .bss (NOBITS: no flash), each
    model's weights in the flash image's .text with the other constants."""
    with static_elf.open("rb") as f:
        elf = ELFFile(f)
        symbols = elf.get_section_by_name(".symtab")
        assert isinstance(symbols, SymbolTableSection)
        found = {s.name: elf.get_section(s["st_shndx"]) for s in symbols.iter_symbols()
                 if s.name in {"digits_arena", "kws_arena"} or s.name.startswith(("kws_l", "digits_l"))}
    assert {found[a].name for a in ("digits_arena", "kws_arena")} == {".bss"}
    assert all(found[a]["sh_type"] == "SHT_NOBITS" for a in ("digits_arena", "kws_arena"))
    weights = {section.name for symbol, section in found.items() if "_arena" not in symbol}
    assert weights == {".text"}


def test_make_fragments_build_the_app_for_the_host_bit_exact(tmp_path: Path, expected: tuple[Path, dict]) -> None:
    exports = export_both(tmp_path / "exports", "make", "host")
    out = tmp_path / "build"
    subprocess.run([require_tool("make"), "-C", str(APP), f"EXPORTS={exports}", f"INPUTS={expected[0]}",
                    f"OUT={out}", f"CC={require_tool('gcc')}"], check=True, capture_output=True)
    run = subprocess.run([str(out / "app")], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert printed(run.stdout) == expected[1]
