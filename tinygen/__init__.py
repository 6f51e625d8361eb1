"""tinygen: int8 neural networks to statically planned, bit-exact C firmware for Cortex-M."""

__version__ = "0.1.0"
