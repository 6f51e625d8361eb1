"""On-target validation: a framed protocol over the board's console UART, a device session, QEMU for CI, the flow."""
