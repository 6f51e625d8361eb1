"""The hand-designed baseline the search must beat: a DS-CNN (Zhang et al., "Hello Edge", 2017).

DS-CNN-S's shape: a standard convolution, then four depthwise-separable blocks
(3×3 depthwise + 1×1 pointwise, no residuals) at one channel count, global
average pooling and a classifier. For images, the first convolution is 3×3
stride 2 and the second block strides 2 as well; for spectrograms, the first is
DS-CNN's 10×4 stride 2. At 64 channels on a 32×32 input it plans to 18.8 kB
of SRAM and 38.5 kB of flash on mps2-an386, inside the 32 kB / 96 kB budget of
the acceptance test (`benchmarks/search.py` measures it on every run).
"""

from __future__ import annotations

from tinygen.search.net import SPECTROGRAM_KERNEL, Conv, Dense, Depthwise, GlobalPool, Net, Node, Softmax, shaped

CHANNELS = 64
BLOCKS = 4


def ds_cnn(input_shape: tuple[int, int, int], classes: int, channels: int = CHANNELS,
           spectrogram: bool = False) -> Net:
    nodes: list[Node] = [Conv(0, SPECTROGRAM_KERNEL if spectrogram else (3, 3), 2, channels, True)]
    for block in range(BLOCKS):
        stride = 2 if block == 1 and not spectrogram else 1
        nodes.append(Depthwise(len(nodes), 3, stride))
        nodes.append(Conv(len(nodes), (1, 1), 1, channels, True))
    nodes.append(GlobalPool(len(nodes)))
    nodes.append(Dense(len(nodes), classes))
    nodes.append(Softmax(len(nodes)))
    return shaped(input_shape, nodes)
