"""Move a collated batch to the device and normalise its images."""

import torch
from mmengine.model import BaseDataPreprocessor

from vltoolkit.registry import MODELS


@MODELS.register_module()
class VLDataPreprocessor(BaseDataPreprocessor):
    """Device transfer and image normalisation for V&L batches.

    Takes the output of ``vl_collate`` (``inputs`` holds ``images`` uint8
    ``[B, 3, H, W]`` plus padded text tensors) and returns it on the model's
    device with ``images`` as ``(x - mean) / std`` in float.

    Args:
        mean, std (sequence of 3 floats): per-channel, in pixel units (0-255).
    """

    def __init__(self, mean=(123.675, 116.28, 103.53), std=(58.395, 57.12, 57.375)):
        super().__init__()
        self.register_buffer('mean', torch.tensor(mean).view(1, -1, 1, 1), False)
        self.register_buffer('std', torch.tensor(std).view(1, -1, 1, 1), False)

    def forward(self, data: dict, training: bool = False) -> dict:
        data = self.cast_data(data)
        inputs = dict(data['inputs'])
        if 'images' in inputs:
            inputs['images'] = (inputs['images'].float() - self.mean) / self.std
        return dict(inputs=inputs, data_samples=data.get('data_samples'))
