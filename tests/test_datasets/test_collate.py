import torch

from vltoolkit.datasets import vl_collate
from vltoolkit.structures import VLDataSample


def _item(n_prompt, n_target, hw=(4, 5)):
    return dict(
        inputs=dict(
            image=torch.ones(3, *hw, dtype=torch.uint8),
            input_ids=torch.arange(1, n_prompt + 1),
            labels=torch.arange(1, n_target + 1),
        ),
        data_samples=VLDataSample(),
    )


def test_pads_to_the_longest_of_the_batch_not_a_global_max():
    batch = vl_collate([_item(3, 2), _item(5, 4)])
    inputs = batch['inputs']
    assert inputs['input_ids'].shape == (2, 5)
    assert inputs['attention_mask'].tolist() == [[1, 1, 1, 0, 0], [1] * 5]
    assert inputs['labels'].tolist() == [[1, 2, -100, -100], [1, 2, 3, 4]]
    assert inputs['images'].shape == (2, 3, 4, 5)
    assert len(batch['data_samples']) == 2


def test_images_of_different_sizes_are_padded():
    batch = vl_collate([_item(1, 1, (4, 5)), _item(1, 1, (6, 3))])
    images = batch['inputs']['images']
    assert images.shape == (2, 3, 6, 5)
    assert images[0, :, 4:].sum() == 0 and images[1, :, :, 3:].sum() == 0
