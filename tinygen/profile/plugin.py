"""The instruction-counting QEMU plugin (templates/profile/tg_insn_plugin.c), compiled for this host on first use.

The shared object is cached under the user's cache folder, keyed by the source's
hash, so a changed plugin is rebuilt and an unchanged one costs nothing.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from tinygen.errors import InputError, TinygenError
from tinygen.resources import templates_dir


def _cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "tinygen"


def plugin_path() -> Path:
    """The compiled plugin, built now if missing or stale."""
    plugin_c = templates_dir() / "profile" / "tg_insn_plugin.c"
    source = plugin_c.read_bytes()
    target = _cache() / f"tg_insn_plugin-{hashlib.sha256(source).hexdigest()[:12]}.so"
    if target.exists():
        return target
    compiler = shutil.which("gcc") or shutil.which("cc")
    if compiler is None:
        raise InputError("gcc: not found on PATH; tinygen profile compiles a QEMU plugin for this host: "
                         "apt-get install gcc")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".{os.getpid()}.tmp")
    done = subprocess.run([compiler, "-shared", "-fPIC", "-O2", "-fvisibility=hidden", "-o", str(tmp), str(plugin_c)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        tmp.unlink(missing_ok=True)
        raise TinygenError(f"{plugin_c}: the host compiler failed ({done.stderr.strip().splitlines()[-1:]}); "
                           "check that gcc can build shared objects")
    tmp.replace(target)
    return target
