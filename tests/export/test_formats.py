"""The zephyr, arduino and platformio exports against their published specifications (tests/export/schemas/, each
citing its source), and the Arduino and PlatformIO sources compiled with arm-none-eabi-gcc the way those builders
compile a library, into a static archive whose every global symbol carries the prefix. One export per format.

No Zephyr tree is reachable here: the module is checked as Zephyr's scripts/zephyr_module.py reads it (module.yml
against its schema, the folder and file it names) and its CMakeLists.txt and Kconfig for CONFIG_<NAME> and the
sources they name, but it is not built by Zephyr (README says so).
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

from tests.commands.test_cli import invoke, one_json_object
from tests.tools import require_tool

pytestmark = pytest.mark.tools("arm-none-eabi-gcc", "arm-none-eabi-ar", "arm-none-eabi-nm")

SCHEMAS = Path(__file__).parent / "schemas"
NAME, CORE = "kws", "cortex-m4"
URL = "https://example.com/kws"
# A Cortex-M4F board's core flags, as Arduino's mbed and PlatformIO's nRF52/STM32 platforms pass them.
CORE_FLAGS = ("-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16")
# What Arduino's builder adds for a library's C sources (platform.txt's compiler.c.flags, warnings "more", made
# fatal here): the library itself can add no flags.
ARDUINO_CFLAGS = ("-Os", "-std=gnu11", "-ffunction-sections", "-fdata-sections", "-Wall", "-Werror")


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The bundled example exported once in each format, its --json file list checked against the folder."""
    root = tmp_path_factory.mktemp("formats")
    folders = {}
    for fmt in ("zephyr", "arduino", "platformio"):
        url = ("--url", URL) if fmt == "arduino" else ()
        summary = one_json_object(invoke("export", "--format", fmt, "--core", CORE, "--name", NAME, *url,
                                         "-o", root / fmt, "--json"))
        written = sorted(p.relative_to(root / fmt).as_posix() for p in (root / fmt).rglob("*") if p.is_file())
        assert written == sorted(summary["files"])
        folders[fmt] = root / fmt
    return folders


def schema(name: str) -> dict:
    return json.loads((SCHEMAS / name).read_text())


def properties(text: str) -> dict[str, str]:
    """library.properties as the specification defines it: UTF-8 key=value lines (split at the first =)."""
    fields: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        assert sep and key.strip() not in fields, line
        fields[key.strip()] = value
    return fields


def archive(sources: list[Path], flags: list[str], folder: Path) -> Path:
    """Every source compiled with `flags` and archived, as a builder makes a library's .a."""
    gcc, ar = require_tool("arm-none-eabi-gcc"), require_tool("arm-none-eabi-ar")
    objects = []
    for index, source in enumerate(sources):
        obj = folder / f"{index}_{source.stem}.o"
        run = subprocess.run([gcc, *flags, "-c", str(source), "-o", str(obj)], capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        objects.append(str(obj))
    library = folder / f"lib{NAME}.a"
    subprocess.run([ar, "rcs", str(library), *objects], check=True)
    return library


def global_symbols(library: Path) -> list[str]:
    out = subprocess.run([require_tool("arm-none-eabi-nm"), "--defined-only", "--extern-only", "-j", str(library)],
                         check=True, capture_output=True, text=True).stdout.split()
    return [s for s in out if not s.endswith(":")]


def test_arduino_library_properties_meet_the_specification(exports: dict[str, Path]) -> None:
    fields = properties((exports["arduino"] / "library.properties").read_text(encoding="utf-8"))
    jsonschema.validate(fields, schema("arduino-library-properties.schema.json"))
    assert (fields["name"], fields["url"], fields["architectures"]) == (NAME, URL, "*")
    assert {"category", "architectures"} <= set(fields)
    assert fields["includes"] == f"{NAME}.h" and (exports["arduino"] / "src" / f"{NAME}.h").is_file()


def test_arduino_layout_is_the_recursive_15_format(exports: dict[str, Path]) -> None:
    top = sorted(p.name for p in exports["arduino"].iterdir())
    # report files sit at the root as a README would (the specification only reserves src/, examples/, extras/)
    assert top == ["library.properties", "report.json", "report.txt", "src", "tinygen-export.json"]


def test_arduino_src_compiles_as_the_builder_compiles_a_library(exports: dict[str, Path], tmp_path: Path) -> None:
    src = exports["arduino"] / "src"
    sources = sorted(p for p in src.rglob("*") if p.suffix in (".c", ".cpp"))  # recursive: the 1.5 format
    assert sources
    library = archive(sources, [*CORE_FLAGS, *ARDUINO_CFLAGS, f"-I{src}"], tmp_path)
    symbols = global_symbols(library)
    assert f"{NAME}_invoke" in symbols and all(s.startswith(f"{NAME}_") for s in symbols), symbols


def test_platformio_library_json_meets_the_manifest_schema(exports: dict[str, Path]) -> None:
    manifest = json.loads((exports["platformio"] / "library.json").read_text())
    jsonschema.validate(manifest, schema("platformio-library.schema.json"))
    assert (manifest["name"], manifest["frameworks"], manifest["platforms"]) == (NAME, ["*"], ["*"])
    assert (exports["platformio"] / manifest["build"]["includeDir"] / f"{NAME}.h").is_file()


def test_platformio_src_compiles_as_its_manifest_says(exports: dict[str, Path], tmp_path: Path) -> None:
    """srcDir, srcFilter, includeDir and flags read from library.json, the way PlatformIO's library builder uses
    them: the filter's +<glob> patterns under srcDir, includeDir and srcDir on the include path."""
    root = exports["platformio"]
    build = json.loads((root / "library.json").read_text())["build"]
    src = root / build["srcDir"]
    patterns = [re.fullmatch(r"\+<(.+)>", p).group(1) for p in build["srcFilter"]]  # type: ignore[union-attr]
    sources = sorted({p for pattern in patterns for p in src.glob(pattern)})
    assert {p.name for p in sources} == {p.name for p in src.rglob("*.c")}
    flags = [*CORE_FLAGS, *build["flags"], f"-I{root / build['includeDir']}", f"-I{src}"]
    symbols = global_symbols(archive(sources, flags, tmp_path))
    assert f"{NAME}_invoke" in symbols and all(s.startswith(f"{NAME}_") for s in symbols), symbols


def test_zephyr_module_yml_is_what_zephyr_module_py_accepts(exports: dict[str, Path]) -> None:
    root = exports["zephyr"]
    meta = yaml.safe_load((root / "zephyr" / "module.yml").read_text())
    jsonschema.validate(meta, schema("zephyr-module.schema.json"))
    assert meta["name"] == NAME
    # zephyr_module.py: build.cmake is a folder holding CMakeLists.txt, build.kconfig a file (module-relative)
    assert (root / meta["build"]["cmake"] / "CMakeLists.txt").is_file()
    assert (root / meta["build"]["kconfig"]).is_file()


def test_zephyr_cmake_and_kconfig_agree_on_config_name(exports: dict[str, Path]) -> None:
    root = exports["zephyr"]
    cmake = (root / "CMakeLists.txt").read_text()
    guarded = re.search(rf"^if\(CONFIG_{NAME.upper()}\)\n(.*?)^endif\(\)", cmake, re.M | re.S)
    assert guarded, cmake
    body = guarded.group(1)
    assert re.search(r"^\s*zephyr_library\(\)", body, re.M)
    named = re.search(r"zephyr_library_sources\(([^)]*)\)", body)
    assert named, body
    sources = named.group(1).split()
    assert sorted(sources) == sorted(p.relative_to(root).as_posix() for p in (root / "src").glob("*.c"))
    includes = re.search(r"zephyr_include_directories\(([^)]*)\)", body)
    assert includes and (root / includes.group(1).strip() / f"{NAME}.h").is_file()
    kconfig = (root / "Kconfig").read_text()
    assert re.search(rf'^config {NAME.upper()}\n\tbool "[^"\n]+"\n\thelp\n\t  \S', kconfig, re.M), kconfig
