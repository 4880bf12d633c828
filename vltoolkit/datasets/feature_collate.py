"""Collate pre-extracted clip features, padding only to the batch's longest."""

from typing import List

import torch
from mmengine.registry import FUNCTIONS as MMENGINE_FUNCTIONS


def _describe(batch, i):
    meta = batch[i]['data_samples'].metainfo if 'data_samples' in batch[i] else {}
    return meta.get('clip_id', meta.get('sample_idx', f'item {i}'))


# registered in mmengine's root: Runner.build_dataloader looks collate
# functions up there, without the default scope
@MMENGINE_FUNCTIONS.register_module()
def feature_collate(batch: List[dict]) -> dict:
    """Batch the output of ``PackFeatureInputs``.

    Returns ``dict(inputs=..., data_samples=[...])`` with

    - ``video [B, Dv]``: stacked (every clip must have the same dim);
    - ``audio [B, n_mels, T_max]`` zero-padded on the right in time, and
      ``audio_nframes [B]`` (the valid frames of each clip);
    - ``text [B, W_max, D]`` zero-padded word vectors, and
      ``text_mask [B, W_max]`` (1 for a word, 0 for padding);
    - any other tensor key stacked.

    A modality must be present in every item of the batch or in none.
    """
    inputs = [item['inputs'] for item in batch]
    keys = set(inputs[0])
    for i, x in enumerate(inputs):
        if set(x) != keys:
            raise ValueError(
                f'feature_collate: {_describe(batch, i)} has inputs '
                f'{sorted(x)} but {_describe(batch, 0)} has {sorted(keys)}; '
                'every clip of a batch needs the same modalities'
            )
    out = {}
    for key in sorted(keys):
        values = [x[key] for x in inputs]
        if key == 'audio':
            n_mels = {v.shape[0] for v in values}
            if len(n_mels) > 1:
                raise ValueError(
                    f'feature_collate: audio with {sorted(n_mels)} mel bins in one batch'
                )
            t_max = max(v.shape[1] for v in values)
            audio = values[0].new_zeros((len(values), values[0].shape[0], t_max))
            for i, v in enumerate(values):
                audio[i, :, : v.shape[1]] = v
            out['audio'] = audio
        elif key == 'text':
            w_max = max(v.shape[0] for v in values)
            text = values[0].new_zeros((len(values), w_max, values[0].shape[1]))
            mask = torch.zeros((len(values), w_max), dtype=torch.long)
            for i, v in enumerate(values):
                text[i, : v.shape[0]] = v
                mask[i, : v.shape[0]] = 1
            out['text'], out['text_mask'] = text, mask
        else:
            shapes = {tuple(v.shape) for v in values}
            if len(shapes) > 1:
                raise ValueError(
                    f'feature_collate: {key!r} features of '
                    f'different shapes {sorted(shapes)} in one '
                    'batch (mismatched feature dims?)'
                )
            out[key] = torch.stack(values)
    return dict(inputs=out, data_samples=[item['data_samples'] for item in batch])
