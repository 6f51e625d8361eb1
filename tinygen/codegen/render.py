"""The Jinja environment: StrictUndefined, byte-stable output, and filters that format values as C."""

from __future__ import annotations

import jinja2
import numpy as np

from tinygen import __version__
from tinygen.codegen.boot2 import rp2040_boot2
from tinygen.kernels import block_named, choice, mean, shape
from tinygen.kernels.block import c_initializer, c_struct
from tinygen.numerics.sigmoid_table import SIGMOID_TABLE_U16
from tinygen.resources import templates_dir
from tinygen.text import Untrusted, c_comment, c_string


def c_array(values: np.ndarray, per_line: int = 24) -> str:
    """Comma-separated initialiser, `per_line` values a line."""
    flat = [str(int(v)) for v in np.asarray(values).reshape(-1)]
    lines = (", ".join(flat[i:i + per_line]) for i in range(0, len(flat), per_line))
    return ",\n".join("    " + line for line in lines)


def refuse_untrusted(value: object) -> object:
    """Jinja's finalize: a string from a model or board file reaches the output only through c_comment or
    c_string (tinygen/text.py), so a template that forgets the filter fails instead of injecting."""
    if isinstance(value, Untrusted):
        raise TypeError(f"a model or board string ({c_comment(value, 40)!r}) reached a template unescaped; "
                        "pass it through | c_comment or | c_string")
    return value


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        finalize=refuse_untrusted,
        loader=jinja2.FileSystemLoader(templates_dir()),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters.update(c_array=c_array, c_initializer=c_initializer, c_comment=c_comment, c_string=c_string,
                       hex=lambda n: f"0x{n:08X}")
    env.globals["c_struct"] = lambda c_name: c_struct(block_named(c_name))  # kernel headers: typedef from the block
    env.globals["kernel_limits"] = {
        "TG_SHAPE_MAX_DIMS": shape.MAX_DIMS, "TG_MEAN_MAX_DIMS": mean.MAX_DIMS,
        # the specialised kernels' thresholds, which kernels/choice.py's scratch and block estimates assume
        "TG_CONV_QUAD_BYTES": choice.CONV_QUAD_BYTES, "TG_DW_LANE_TAPS": choice.DW_LANE_TAPS,
        "TG_FC_LANE_DEPTH": choice.FC_LANE_DEPTH,
    }
    env.globals["sigmoid_table_u16"] = SIGMOID_TABLE_U16  # tg_sigmoid_s16.h
    env.globals["version"] = __version__
    env.globals["library"] = None  # a build's files; codegen/library.py renders an export's with its options
    env.globals["rp2040_boot2"] = rp2040_boot2  # startup.c.j2: boot2 bytes and CRC for boards with [boot2]
    return env
