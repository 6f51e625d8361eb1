"""tg_window: which part of a spatial op's output to compute, and how its buffers are laid out.

A layer-by-layer call computes its whole output from whole buffers
(`full_window`); the patch loop computes one region at a time
(templates/kernels/tg_window.h.j2, tg_patch_window) with the same kernels.
"""

from __future__ import annotations

from dataclasses import dataclass

from tinygen.kernels.block import ParamBlock, i32


@dataclass(frozen=True)
class Window(ParamBlock):
    C_NAME = "tg_window"
    C_DOC = "Coordinates are pixels of the full tensors; a buffer may hold only a rectangle of its tensor."

    in_y0: int = i32("the input buffer holds input pixels from row in_y0")
    in_x0: int = i32("... and column in_x0")
    in_row: int = i32("input pixels per buffer row")
    y0: int = i32("output rows to compute: [y0, y1)")
    y1: int = i32("end row (exclusive)")
    x0: int = i32("output columns to compute: [x0, x1)")
    x1: int = i32("end column (exclusive)")
    out_y0: int = i32("the output buffer holds output pixels from row out_y0")
    out_x0: int = i32("... and column out_x0")
    out_row: int = i32("output pixels per buffer row")


def full_window(in_w: int, out_h: int, out_w: int) -> Window:
    """The whole op: whole input and output buffers, every output pixel."""
    return Window(in_y0=0, in_x0=0, in_row=in_w, y0=0, y1=out_h, x0=0, x1=out_w, out_y0=0, out_x0=0, out_row=out_w)
