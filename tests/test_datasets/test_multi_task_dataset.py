import json

import pytest
from mmengine.dataset import BaseDataset

from vltoolkit.datasets import HOIRelationDataset, MultiTaskDataset
from vltoolkit.datasets.multi_task_dataset import estimate_num_tokens
from vltoolkit.registry import DATASETS


@DATASETS.register_module(name='_MTListDataset', force=True)
class ListDataset(BaseDataset):
    """In-memory data infos (no files), optionally with a ``task`` attribute."""

    def __init__(self, items=(), task=None, metainfo=None, **kwargs):
        self._items = [dict(x) for x in items]
        if task is not None:
            self.task = task
        kwargs.setdefault('serialize_data', False)  # serializing runs gc.collect()
        super().__init__(ann_file='', metainfo=metainfo, **kwargs)

    def load_data_list(self):
        return [dict(x) for x in self._items]


def _items(task, n, words):
    return [
        dict(task=task, target_text=' '.join(['w'] * words), uid=f'{task}{i}') for i in range(n)
    ]


def _mark(results):
    results['seen_by'] = results['task']
    return results


def test_tasks_indices_lengths_and_items():
    ds = MultiTaskDataset(
        datasets=[
            dict(type='_MTListDataset', items=_items('short', 3, 2), pipeline=[_mark]),
            dict(
                type='_MTListDataset',
                items=_items('long', 2, 10),
                pipeline=[dict(type='PackVLInputs')],
            ),
        ]
    )
    assert len(ds) == 5 and ds.tasks == ['short', 'long']
    assert ds.task_indices == {'short': [0, 1, 2], 'long': [3, 4]}
    assert [ds.task_of(i) for i in range(5)] == ['short'] * 3 + ['long'] * 2
    assert ds.length_of(0) == 2 + 2 and ds.length_of(4) == 10 + 2
    assert ds.lengths.tolist() == [4, 4, 4, 12, 12]
    assert ds.dataset_of(4) == (1, 1)
    # each sub-dataset runs its own pipeline
    first = ds[1]
    assert first['seen_by'] == 'short' and first['uid'] == 'short1'
    assert first['sample_idx'] == 1 and first['local_sample_idx'] == 1
    packed = ds[4]
    meta = packed['data_samples'].metainfo
    assert meta['task'] == 'long' and meta['sample_idx'] == 4
    assert ds.get_data_info(-1)['uid'] == 'long1'
    with pytest.raises(IndexError):
        ds[5]


def test_explicit_tasks_override_and_reach_the_pipeline():
    ds = MultiTaskDataset(
        datasets=[
            dict(type='_MTListDataset', items=[dict(a=1)] * 2, pipeline=[_mark]),
            dict(
                type='_MTListDataset', items=_items('x', 1, 1), pipeline=[dict(type='PackVLInputs')]
            ),
        ],
        tasks=['caption', 'vqa'],
    )
    assert ds.tasks == ['caption', 'vqa']
    assert ds[0]['seen_by'] == 'caption'
    assert ds[2]['data_samples'].metainfo['task'] == 'vqa'


def test_task_from_dataset_attribute_and_shared_task_names():
    ds = MultiTaskDataset(
        datasets=[
            dict(type='_MTListDataset', items=[dict(a=1)], task='cap', pipeline=[]),
            dict(type='_MTListDataset', items=_items('vqa', 2, 1), pipeline=[]),
            dict(type='_MTListDataset', items=[dict(a=2)] * 2, task='cap', pipeline=[]),
        ]
    )
    assert ds.task_indices == {'cap': [0, 3, 4], 'vqa': [1, 2]}


def test_real_hoi_dataset_inside(tmp_path):
    image = {
        'file_name': 'a.png',
        'annotations': [
            {'bbox': [1, 2, 10, 20], 'category_id': 1},
            {'bbox': [5, 5, 15, 15], 'category_id': 60},
        ],
        'hoi_annotation': [
            {'subject_id': 0, 'object_id': 1, 'category_id': 8},
            {'subject_id': 0, 'object_id': 1, 'category_id': 0},
        ],
    }
    (tmp_path / 'ann.json').write_text(json.dumps([image]))
    ds = DATASETS.build(
        dict(
            type='MultiTaskDataset',
            datasets=[
                dict(type='HOIRelationDataset', ann_file=str(tmp_path / 'ann.json'), pipeline=[]),
                dict(type='_MTListDataset', items=_items('caption', 2, 6), pipeline=[]),
            ],
        )
    )
    assert ds.tasks == ['hoi', 'caption']
    assert ds.length_of(0) == estimate_num_tokens('hold, eat') == 5
    assert ds.metainfo['task_metainfo']['hoi']['classes'] == HOIRelationDataset.METAINFO['classes']
    assert ds.metainfo['tasks'] == ['hoi', 'caption']


def test_metainfo_merge_keeps_agreeing_keys_only():
    ds = MultiTaskDataset(
        datasets=[
            dict(
                type='_MTListDataset',
                items=_items('a', 1, 1),
                pipeline=[],
                metainfo=dict(classes=('x', 'y'), src='one'),
            ),
            dict(
                type='_MTListDataset',
                items=_items('b', 1, 1),
                pipeline=[],
                metainfo=dict(classes=['x', 'y'], src='two'),
            ),
        ],
        metainfo=dict(name='mix'),
    )
    meta = ds.metainfo
    assert tuple(meta['classes']) == ('x', 'y') and 'src' not in meta
    assert meta['task_metainfo']['b']['src'] == 'two' and meta['name'] == 'mix'


def test_length_key_variants():
    items = [dict(task='t', target_text='a b', n=7, prompt='what is <loc_1><loc_2> ?')]
    cfg = dict(type='_MTListDataset', items=items, pipeline=[])
    assert MultiTaskDataset([cfg]).length_of(0) == (2 + 2) + (5 + 2)
    assert MultiTaskDataset([cfg], length_key='n').length_of(0) == 7
    assert MultiTaskDataset([cfg], length_key=['n', 'target_text']).length_of(0) == 11
    assert MultiTaskDataset([cfg], length_key=lambda info: 42).length_of(0) == 42
    assert MultiTaskDataset([cfg], length_key=dict(t='n')).length_of(0) == 7
    assert estimate_num_tokens('') == 0
    assert estimate_num_tokens('person<loc_40><loc_1558>') == 3 + 2


def test_weights_are_checked_and_named():
    two = [
        dict(type='_MTListDataset', items=_items('a', 1, 1), pipeline=[]),
        dict(type='_MTListDataset', items=_items('b', 1, 1), pipeline=[]),
    ]
    assert MultiTaskDataset(two, weights=[1, 3]).weights == {'a': 1.0, 'b': 3.0}
    assert MultiTaskDataset(two, weights=dict(b=2)).weights == {'a': 0.0, 'b': 2.0}
    with pytest.raises(ValueError, match=r"negative: \{'b': -1.0\}"):
        MultiTaskDataset(two, weights=[1, -1])
    with pytest.raises(ValueError, match='all zero'):
        MultiTaskDataset(two, weights=[0, 0])
    with pytest.raises(ValueError, match=r"task\(s\) \['c'\].*available tasks: \['a', 'b'\]"):
        MultiTaskDataset(two, weights=dict(c=1))
    with pytest.raises(ValueError, match='one weight per task'):
        MultiTaskDataset(two, weights=[1])


def test_task_without_samples_is_named():
    with pytest.raises(ValueError, match=r"datasets\[1\].*no samples.*task 'vqa'"):
        MultiTaskDataset(
            [
                dict(type='_MTListDataset', items=_items('a', 1, 1), pipeline=[]),
                dict(type='_MTListDataset', items=[], pipeline=[]),
            ],
            tasks=['a', 'vqa'],
        )
    with pytest.raises(ValueError, match=r"datasets\[0\].*no samples.*task 'cap'"):
        MultiTaskDataset([dict(type='_MTListDataset', items=[], task='cap', pipeline=[])])
    # mmengine fails to serialize an empty data list: still named
    with pytest.raises(ValueError, match=r"datasets\[0\].*no samples.*task 'cap'"):
        MultiTaskDataset(
            [dict(type='_MTListDataset', items=[], task='cap', pipeline=[], serialize_data=True)]
        )


def test_sample_without_task_asks_for_tasks():
    with pytest.raises(ValueError, match=r'no task.*tasks=\[\.\.\.\]'):
        MultiTaskDataset([dict(type='_MTListDataset', items=[dict(a=1)], pipeline=[])])
    with pytest.raises(ValueError, match='one task per data set'):
        MultiTaskDataset(
            [dict(type='_MTListDataset', items=[dict(a=1)], pipeline=[])], tasks=['a', 'b']
        )


def test_lazy_init_defers_building():
    ds = MultiTaskDataset(
        [dict(type='_MTListDataset', items=_items('a', 2, 1), pipeline=[])], lazy_init=True
    )
    assert ds.datasets == [] and 'not initialised' in repr(ds)
    ds.full_init()
    assert len(ds) == 2 and 'a: 2' in repr(ds)


def test_none_from_a_training_pipeline_retries_within_the_same_task():
    calls = []

    def drop_first(results):
        calls.append(results['sample_idx'])
        return None if len(calls) == 1 else results

    ds = MultiTaskDataset(
        [
            dict(type='_MTListDataset', items=_items('a', 1, 1), pipeline=[]),
            dict(type='_MTListDataset', items=_items('b', 3, 1), pipeline=[drop_first]),
        ]
    )
    out = ds[2]
    assert out['task'] == 'b' and out['sample_idx'] in (1, 2, 3)
