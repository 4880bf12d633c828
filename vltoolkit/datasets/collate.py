"""Collate with dynamic padding: pad to the batch, never to a global max."""

from typing import List

import torch
from mmengine.registry import FUNCTIONS as MMENGINE_FUNCTIONS
from torch.nn.utils.rnn import pad_sequence

from vltoolkit.structures import IGNORE_INDEX
from vltoolkit.tokenization.number_places import NO_PLACE


# registered in mmengine's root: Runner.build_dataloader looks collate
# functions up there, without the default scope
@MMENGINE_FUNCTIONS.register_module()
def vl_collate(batch: List[dict]) -> dict:
    """Stack images and pad token sequences to the longest of the batch.

    Returns ``dict(inputs=dict(images [B,3,H,W], input_ids [B,S],
    attention_mask [B,S], labels [B,T], number_places [B,T]),
    data_samples=[...])``. Prompts are padded with 0 under a zero attention
    mask; labels with ``IGNORE_INDEX``, number places with ``NO_PLACE``
    (both -100).
    Images of different sizes are zero-padded bottom-right to the largest.
    """
    inputs = [item['inputs'] for item in batch]
    out = {}
    if 'image' in inputs[0]:
        images = [x['image'] for x in inputs]
        h = max(img.shape[1] for img in images)
        w = max(img.shape[2] for img in images)
        stacked = images[0].new_zeros((len(images), images[0].shape[0], h, w))
        for i, img in enumerate(images):
            stacked[i, :, : img.shape[1], : img.shape[2]] = img
        out['images'] = stacked
    if 'input_ids' in inputs[0]:
        ids = [x['input_ids'] for x in inputs]
        out['input_ids'] = pad_sequence(ids, batch_first=True, padding_value=0)
        lengths = torch.tensor([len(x) for x in ids])
        out['attention_mask'] = (
            torch.arange(out['input_ids'].shape[1])[None] < lengths[:, None]
        ).long()
    if 'labels' in inputs[0]:
        out['labels'] = pad_sequence(
            [x['labels'] for x in inputs], batch_first=True, padding_value=IGNORE_INDEX
        )
    if any('number_places' in x for x in inputs):  # a sample without: no marked digit
        places = [
            x['number_places'] if 'number_places' in x else torch.full_like(x['labels'], NO_PLACE)
            for x in inputs
        ]
        out['number_places'] = pad_sequence(places, batch_first=True, padding_value=NO_PLACE)
    return dict(inputs=out, data_samples=[item['data_samples'] for item in batch])
