"""tinygen's graph IR: the import stage's output and every later stage's input."""

from tinygen.ir.graph import DTYPE_BITS, Graph, Operator, Quant, Tensor

__all__ = ["DTYPE_BITS", "Graph", "Operator", "Quant", "Tensor"]
