"""VLDataSample: typed fields that still behave as mmengine data fields."""

import pickle

import numpy as np
import pytest
import torch

from vltoolkit.structures import VLDataSample


def test_typed_fields_convert_and_check():
    sample = VLDataSample(metainfo=dict(task='grounding', img_shape=[32, 48]))
    sample.gt_bboxes = torch.tensor([1, 2, 3, 4])
    assert isinstance(sample.gt_bboxes, np.ndarray)
    assert sample.gt_bboxes.dtype == np.float32 and sample.gt_bboxes.shape == (1, 4)
    assert sample.img_shape == (32, 48) and sample.task == 'grounding'
    sample.gt_relations = ('hold', 'eat')
    assert sample.gt_relations == ['hold', 'eat']
    with pytest.raises(TypeError, match=r'VLDataSample\.prompt must be a str'):
        sample.prompt = 3
    with pytest.raises(ValueError, match=r'VLDataSample\.pred_bboxes: .*\[K, 4\]'):
        sample.pred_bboxes = [1, 2, 3]
    with pytest.raises(TypeError, match='list of str'):
        sample.gt_relations = 'hold'


def test_fields_behave_as_mmengine_fields():
    sample = VLDataSample(metainfo=dict(task='hoi', sample_idx=3))
    sample.prompt, sample.target_text, sample.extra = 'q', 'hold', 7
    assert 'prompt' in sample and 'pred_text' not in sample
    assert set(sample.keys()) == {'prompt', 'target_text', 'extra'}
    assert set(sample.metainfo_keys()) == {'task', 'sample_idx'}
    assert sample.get('pred_text', 'none') == 'none'
    assert sample.to_dict() == dict(
        task='hoi', sample_idx=3, prompt='q', target_text='hold', extra=7
    )
    copy = pickle.loads(pickle.dumps(sample))
    assert copy.prompt == 'q' and copy.task == 'hoi'
    assert sample.clone().target_text == 'hold'
    assert sample.pop('target_text') == 'hold' and 'target_text' not in sample
    del sample.prompt
    assert 'prompt' not in sample
    with pytest.raises(AttributeError, match="no 'prompt' field"):
        sample.prompt
    with pytest.raises(AttributeError, match='metainfo'):
        sample.task = 'vqa'  # a meta field cannot become a data field


def test_every_typed_field_is_documented():
    fields = VLDataSample.typed_fields()
    assert {
        'prompt',
        'target_text',
        'gt_bboxes',
        'gt_relations',
        'pred_text',
        'pred_bboxes',
        'task',
    } <= set(fields)
    for name in fields:
        assert getattr(VLDataSample, name).__doc__, name
