"""The Jinja environment: StrictUndefined, byte-stable output, and filters that format values as C."""

from __future__ import annotations

import jinja2
import numpy as np

from tinygen import __version__
from tinygen.codegen.boot2 import rp2040_boot2
from tinygen.kernels import block_named, mean, shape
from tinygen.kernels.block import c_initializer, c_struct
from tinygen.resources import templates_dir


def c_array(values: np.ndarray, per_line: int = 24) -> str:
    """Comma-separated initialiser, `per_line` values a line."""
    flat = [str(int(v)) for v in np.asarray(values).reshape(-1)]
    lines = (", ".join(flat[i:i + per_line]) for i in range(0, len(flat), per_line))
    return ",\n".join("    " + line for line in lines)


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir()),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters.update(c_array=c_array, c_initializer=c_initializer, hex=lambda n: f"0x{n:08X}")
    env.globals["c_struct"] = lambda c_name: c_struct(block_named(c_name))  # kernel headers: typedef from the block
    env.globals["kernel_limits"] = {"TG_SHAPE_MAX_DIMS": shape.MAX_DIMS, "TG_MEAN_MAX_DIMS": mean.MAX_DIMS}
    env.globals["version"] = __version__
    env.globals["rp2040_boot2"] = rp2040_boot2  # startup.c.j2: boot2 bytes and CRC for boards with [boot2]
    return env
