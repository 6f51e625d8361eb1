"""Running firmware (QEMU or host) and the TensorFlow Lite Micro reference, and comparing them."""
