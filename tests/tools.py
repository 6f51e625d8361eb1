"""The tools and packages the test setup installs (README: `make test`). A missing one is a broken setup, not a
reason to skip: the tests that need it fail, naming what to install."""

from __future__ import annotations

import importlib
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

SETUP = "make test installs it (README.md)"
APT = {
    "qemu-system-arm": "qemu-system-arm",
    "arm-none-eabi-gcc": "gcc-arm-none-eabi",
    "arm-none-eabi-objdump": "binutils-arm-none-eabi",
    "arm-none-eabi-size": "binutils-arm-none-eabi",
    "arm-none-eabi-nm": "binutils-arm-none-eabi",
    "arm-none-eabi-ar": "binutils-arm-none-eabi",
    "cmake": "cmake",
    "make": "make",
    "cc": "build-essential",
    "gcc": "build-essential",
}
# top-level import name -> pip name
PIP = {"tensorflow": "tensorflow-cpu", "sklearn": "scikit-learn", "tflite_micro": "tflite-micro"}


def require_tool(name: str) -> str:
    """The tool's path: on PATH, or beside this Python (a venv's console scripts, e.g. `ray`, when the venv is
    not activated)."""
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        how = f"apt-get install {APT[name]}" if name in APT else f"pip install -e '.[test]' (it provides {name})"
        pytest.fail(f"{name} is missing: {how}; {SETUP}", pytrace=False)
    return found


def require_module(name: str) -> ModuleType:
    """The imported module, or a failure naming the package to install."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        problem = str(exc)
    pytest.fail(f"{name} cannot be imported ({problem}): pip install -e '.[test]' (it provides "
                f"{PIP.get(name.split('.')[0], name)}); {SETUP}", pytrace=False)
