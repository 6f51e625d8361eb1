"""The package's layers: a module imports only from layers below its own (or from its own package).

The order, bottom to top, is README's "Layers"; it is stated once, here, and the
test reads every import in tinygen/ (module level and inside functions).
"""

from __future__ import annotations

import ast
from pathlib import Path

import tinygen

LAYERS: tuple[frozenset[str], ...] = tuple(frozenset(layer.split()) for layer in (
    "__init__ errors",  # the version; the error every stage raises
    "files npz numerics protocol compare resources sandbox text",  # file I/O, numerics, data, escaping, confinement
    "ir boards cores",  # the model and the board, as data; what each core runs
    "importers reference costmodel",  # .tflite in; TFLite Micro's interpreter; instructions per layer
    "plan quant",  # memory planning; the TensorFlow quantisation front end
    "kernels",  # typed parameter blocks and the kernel-choice rules
    "lower",  # IR operator -> kernel call; the specialise stage
    "check",  # fit per board region
    "codegen",  # C from templates
    "build",  # arm-none-eabi-gcc
    "run flash",  # execute on host/QEMU; program a board
    "pipeline validate",  # import -> build -> run -> compare; the serial validation protocol
    "profile deploy search export",  # the stages that drive whole pipelines; the model as a library
    "commands",  # one click command per stage
    "cli",
    "__main__",  # python -m tinygen
))
PACKAGE = Path(tinygen.__file__).parent


def level(name: str) -> int:
    for k, layer in enumerate(LAYERS):
        if name in layer:
            return k
    raise AssertionError(f"tinygen.{name} is in no layer: add it to LAYERS and README")


def _unit(path: Path, root: Path = PACKAGE) -> str:
    """The top-level module or package a file belongs to."""
    return path.relative_to(root).with_suffix("").parts[0]


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, top-level tinygen unit) of every tinygen import in the file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "tinygen":
            parts = node.module.split(".")
            names = [parts[1]] if len(parts) > 1 else [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name.split(".")[1] for a in node.names if a.name.startswith("tinygen.")]
        else:
            continue
        found += [(node.lineno, "__init__" if name == "__version__" else name) for name in names]
    return found


def upward_imports(root: Path = PACKAGE) -> list[str]:
    problems = []
    for path in sorted(root.rglob("*.py")):
        unit = _unit(path, root)
        for line, target in imports(path):
            if target != unit and level(target) >= level(unit):
                problems.append(f"{path.relative_to(root.parent)}:{line}: {unit} (layer {level(unit)}) imports "
                                f"{target} (layer {level(target)})")
    return problems


def test_every_module_has_a_layer():
    units = {_unit(path) for path in PACKAGE.rglob("*.py")} | {_unit(p) for p in PACKAGE.iterdir() if p.is_dir()
                                                               and (p / "__init__.py").exists()}
    for unit in units:
        level(unit)


def test_no_module_imports_from_its_own_layer_or_above():
    assert upward_imports() == []


def test_the_check_finds_an_upward_import(tmp_path):
    """The test is not vacuous: a plan module importing codegen is reported with its file and line."""
    copy = tmp_path / "tinygen"
    (copy / "plan").mkdir(parents=True)
    (copy / "plan" / "bad.py").write_text("import os\nfrom tinygen.codegen.render import environment\n")
    assert upward_imports(copy) == ["tinygen/plan/bad.py:2: plan (layer 4) imports codegen (layer 8)"]
