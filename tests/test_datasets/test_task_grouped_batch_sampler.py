import copy
from collections import Counter

import pytest
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.dataset import BaseDataset, DefaultSampler
from mmengine.hooks import Hook
from mmengine.model import BaseModel
from mmengine.runner import Runner

import vltoolkit.datasets.samplers.task_grouped_batch_sampler as tgbs
from vltoolkit.compat import setup_vltoolkit
from vltoolkit.compat.experiment_name import unique_experiment_name
from vltoolkit.datasets import TaskGroupedBatchSampler
from vltoolkit.registry import DATASETS, TRANSFORMS

N_SHORT, N_LONG, N_MID = 37, 23, 10


@DATASETS.register_module(name='_TGListDataset', force=True)
class ListDataset(BaseDataset):
    def __init__(self, items=(), **kwargs):
        self._items = [dict(x) for x in items]
        kwargs.setdefault('serialize_data', False)  # serializing runs gc.collect()
        super().__init__(ann_file='', **kwargs)

    def load_data_list(self):
        return [dict(x) for x in self._items]


def _items(task, n, lo, hi):
    # target lengths lo..hi words, cycling
    return [
        dict(task=task, target_text=' '.join(['w'] * (lo + i % (hi - lo + 1)))) for i in range(n)
    ]


DATASET_CFG = dict(
    type='MultiTaskDataset',
    datasets=[
        dict(type='_TGListDataset', items=_items('short', N_SHORT, 1, 4), pipeline=[]),
        dict(type='_TGListDataset', items=_items('long', N_LONG, 20, 30), pipeline=[]),
        dict(type='_TGListDataset', items=_items('mid', N_MID, 8, 8), pipeline=[]),
    ],
)
N = N_SHORT + N_LONG + N_MID


@pytest.fixture(scope='module')
def dataset():
    return DATASETS.build(copy.deepcopy(DATASET_CFG))


def _sampler(dataset, seed=0, batch_size=4, shuffle=True, **kw):
    return TaskGroupedBatchSampler(
        DefaultSampler(dataset, shuffle=shuffle, seed=seed), batch_size=batch_size, **kw
    )


def _flat(batches):
    return [i for b in batches for i in b]


def test_one_task_per_batch_and_per_task_sizes(dataset):
    bs = _sampler(dataset, task_batch_size=dict(short=8, long=2))
    batches = list(bs)
    assert len(batches) == len(bs) == 5 + 12 + 3  # ceil(37/8) + ceil(23/2) + ceil(10/4)
    sizes = {t: Counter() for t in dataset.tasks}
    for b in batches:
        tasks = {dataset.task_of(i) for i in b}
        assert len(tasks) == 1
        sizes[tasks.pop()][len(b)] += 1
    assert sizes['short'] == Counter({8: 4, 5: 1})
    assert sizes['long'] == Counter({2: 11, 1: 1})
    assert sizes['mid'] == Counter({4: 2, 2: 1})  # the default batch_size
    # batches of different tasks are interleaved, not task after task
    order = [dataset.task_of(b[0]) for b in batches]
    assert order != sorted(order, key=dataset.tasks.index)


def test_every_sample_once_per_epoch_single_process(dataset):
    bs = _sampler(dataset, task_batch_size=dict(short=8, long=3))
    for epoch in range(3):
        bs.sampler.set_epoch(epoch)
        assert sorted(_flat(bs)) == list(range(N))


def test_drop_last_drops_incomplete_task_batches(dataset):
    bs = _sampler(dataset, task_batch_size=dict(short=8, long=2), drop_last=True)
    assert all(len(b) == {'short': 8, 'long': 2, 'mid': 4}[dataset.task_of(b[0])] for b in bs)
    assert len(bs) == 4 + 11 + 2


def test_token_budget_bounds_padded_tokens_and_buckets(dataset):
    lengths = dataset.lengths
    budget = 64
    bs = _sampler(dataset, token_budget=budget)
    batches = list(bs)
    assert sorted(_flat(batches)) == list(range(N))
    for b in batches:
        assert len({dataset.task_of(i) for i in b}) == 1
        assert len(b) * max(lengths[i] for i in b) <= budget
    # short samples (3..6 tokens) go in big batches, long ones (22..32) in 1-2
    short = [len(b) for b in batches if dataset.task_of(b[0]) == 'short']
    long_ = [len(b) for b in batches if dataset.task_of(b[0]) == 'long']
    assert max(short) >= 10 and max(long_) <= 2
    # constant batch count across epochs (whole-task bucketing)
    counts = set()
    for epoch in range(4):
        bs.sampler.set_epoch(epoch)
        counts.add(len(bs))
        assert len(list(bs)) == len(bs)
    assert len(counts) == 1


def test_token_budget_with_caps_chunks_and_per_task_budgets(dataset):
    lengths = dataset.lengths
    bs = _sampler(
        dataset, token_budget=dict(short=40), task_batch_size=dict(short=5, long=3), bucket_size=8
    )
    for epoch in range(3):
        bs.sampler.set_epoch(epoch)
        batches = list(bs)
        assert sorted(_flat(batches)) == list(range(N))
        for b in batches:
            task = dataset.task_of(b[0])
            if task == 'short':
                assert len(b) <= 5 and len(b) * max(lengths[i] for i in b) <= 40
            else:  # fixed sizes
                assert len(b) <= {'long': 3, 'mid': 4}[task]


def _rank_sampler(monkeypatch, dataset, rank, world, **kw):
    monkeypatch.setattr(tgbs, 'get_dist_info', lambda: (rank, world))
    return _sampler(dataset, **kw)


@pytest.mark.parametrize(
    'kw', [dict(task_batch_size=dict(short=8, long=2), batch_size=3), dict(token_budget=48)]
)
def test_ranks_draw_disjoint_samples_and_equal_batch_counts(monkeypatch, dataset, kw):
    world = 2
    single = _sampler(dataset, **kw)
    if 'task_batch_size' in kw:
        assert len(single.global_plan()) == 5 + 12 + 4  # odd: one batch is dropped
    ranks = [_rank_sampler(monkeypatch, dataset, r, world, **kw) for r in range(world)]
    for epoch in range(3):
        for bs in ranks:
            bs.sampler.set_epoch(epoch)
        per_rank = [list(bs) for bs in ranks]
        assert len({len(b) for b in per_rank}) == 1
        assert all(len(b) == len(bs) for b, bs in zip(per_rank, ranks))
        seen = [set(_flat(b)) for b in per_rank]
        assert not seen[0] & seen[1]
        # the ranks deal the global plan round-robin, truncated to equal length
        single.sampler.set_epoch(epoch)
        plan = single.global_plan()
        kept = len(plan) - len(plan) % world
        assert [b for step in zip(*per_rank) for b in step] == plan[:kept]
        assert len(seen[0] | seen[1]) == N - len(_flat(plan[kept:]))


def test_round_up_repeats_instead_of_dropping(monkeypatch, dataset):
    kw = dict(task_batch_size=dict(short=8, long=2), round_up=True)
    ranks = [_rank_sampler(monkeypatch, dataset, r, 3, **kw) for r in range(3)]
    per_rank = [list(bs) for bs in ranks]
    assert len({len(b) for b in per_rank}) == 1
    assert set(_flat(_flat(per_rank))) == set(range(N))


def test_same_seed_and_epoch_same_plan_other_epoch_or_seed_differs(dataset):
    a = list(_sampler(dataset, seed=3, token_budget=50))
    b = list(_sampler(dataset, seed=3, token_budget=50))
    assert a == b
    other = _sampler(dataset, seed=3, token_budget=50)
    other.sampler.set_epoch(1)
    assert list(other) != a
    assert list(_sampler(dataset, seed=4, token_budget=50)) != a


def test_resume_mid_epoch_sees_the_remaining_batches(dataset):
    """ResumableEpochBasedTrainLoop skips the first k batches of the
    resumed epoch: a fresh sampler (new process) must give the same order."""
    run = _sampler(dataset, seed=7, task_batch_size=dict(short=8, long=2))
    run.sampler.set_epoch(2)
    full = list(run)
    resumed = _sampler(dataset, seed=7, task_batch_size=dict(short=8, long=2))
    resumed.set_epoch(2)  # forwarded to the wrapped sampler
    assert resumed.sampler.epoch == 2
    k = 7
    assert [b for i, b in enumerate(resumed) if i >= k] == full[k:]


def test_no_shuffle_is_task_then_index_order(dataset):
    bs = _sampler(dataset, shuffle=False, batch_size=10)
    assert _flat(bs) == list(range(N))
    assert not bs.shuffle


def test_weighted_draw_of_num_samples_per_epoch(dataset):
    bs = _sampler(
        dataset,
        num_samples_per_epoch=100,
        task_weights=dict(short=1, long=3, mid=0),
        task_batch_size=dict(short=5),
    )
    counts = Counter(dataset.task_of(i) for i in _flat(bs))
    assert counts == Counter(short=25, long=75)
    # the 75 long draws cover all 23 long samples (no repeat before exhausting)
    long_ids = Counter(i for i in _flat(bs) if dataset.task_of(i) == 'long')
    assert set(long_ids) == set(dataset.task_indices['long'])
    assert max(long_ids.values()) - min(long_ids.values()) <= 1
    with pytest.raises(ValueError, match='negative'):
        _sampler(dataset, num_samples_per_epoch=10, task_weights=dict(short=-1, long=1))
    with pytest.raises(ValueError, match='all zero'):
        _sampler(dataset, num_samples_per_epoch=10, task_weights=dict(short=0))
    with pytest.raises(ValueError, match="task_weights names task 'vqa'"):
        _sampler(dataset, num_samples_per_epoch=10, task_weights=dict(vqa=1))
    with pytest.raises(ValueError, match='set num_samples_per_epoch'):
        _sampler(dataset, task_weights=dict(short=1))


def test_weights_of_the_dataset_are_used():
    cfg = copy.deepcopy(DATASET_CFG)
    cfg['weights'] = dict(short=1, long=1)
    bs = _sampler(DATASETS.build(cfg), num_samples_per_epoch=20)
    counts = Counter(bs.dataset.task_of(i) for i in _flat(bs))
    assert counts == Counter(short=10, long=10)


def test_unknown_task_lists_available_tasks(dataset):
    with pytest.raises(
        ValueError,
        match=r"task_batch_size names task 'vqa'.*"
        r"available tasks: \['short', 'long', 'mid'\]",
    ):
        _sampler(dataset, task_batch_size=dict(vqa=4))
    with pytest.raises(ValueError, match=r"token_budget names task 'cap'"):
        _sampler(dataset, token_budget=dict(cap=100))


def test_budget_smaller_than_longest_sample_names_it(dataset):
    lengths = dataset.lengths
    longest = int(lengths.argmax())
    with pytest.raises(
        ValueError,
        match=rf"task 'long'.*sample {longest} has length "
        rf'{lengths[longest]}',
    ):
        _sampler(dataset, token_budget=int(lengths[longest]) - 1)


@pytest.mark.parametrize(
    'kw',
    [
        dict(batch_size=0),
        dict(task_batch_size=dict(short=-2)),
        dict(token_budget=0),
        dict(max_batch_size=1.5),
    ],
)
def test_non_positive_sizes(dataset, kw):
    with pytest.raises(ValueError, match='positive int'):
        _sampler(dataset, **kw)


def test_plain_dataset_falls_back_to_data_info_tasks():
    ds = ListDataset(items=_items('a', 5, 1, 1) + _items('b', 3, 1, 1), pipeline=[])
    bs = _sampler(ds, batch_size=2)
    assert bs.tasks == ['a', 'b']
    assert all(len({ds.get_data_info(i)['task'] for i in b}) == 1 for b in bs)
    untagged = ListDataset(items=[dict(x=1)] * 3, pipeline=[])
    assert _sampler(untagged).tasks == ['default']


def _dataloader_cfg(**batch_sampler):
    return dict(
        dataset=copy.deepcopy(DATASET_CFG),
        sampler=dict(type='DefaultSampler', shuffle=True),
        batch_sampler=dict(type='TaskGroupedBatchSampler', **batch_sampler),
        batch_size=4,
        num_workers=0,
        collate_fn=dict(type='pseudo_collate'),
    )


def test_runner_build_dataloader_accepts_the_config_dict():
    cfg = _dataloader_cfg(task_batch_size=dict(short=8, long=2))
    loader = Runner.build_dataloader(cfg, seed=0)
    assert isinstance(loader.batch_sampler, TaskGroupedBatchSampler)
    assert isinstance(loader.batch_sampler.sampler, DefaultSampler)
    assert loader.batch_sampler.batch_size == 4
    assert len(loader) == 5 + 12 + 3
    epoch0 = [list(batch['sample_idx']) for batch in loader]
    for batch in epoch0:
        assert len({loader.dataset.task_of(i) for i in batch}) == 1
    assert sorted(_flat(epoch0)) == list(range(N))
    # what DistSamplerSeedHook does before each epoch
    loader.batch_sampler.sampler.set_epoch(1)
    epoch1 = [list(batch['sample_idx']) for batch in loader]
    assert epoch1 != epoch0 and sorted(_flat(epoch1)) == list(range(N))
    # same seed in another process -> same plan
    again = Runner.build_dataloader(cfg, seed=0)
    assert [list(b['sample_idx']) for b in again] == epoch0


def test_runner_num_batch_per_epoch_slices_the_dataset():
    cfg = _dataloader_cfg(token_budget=64)
    cfg['num_batch_per_epoch'] = 3  # mmengine keeps the first 3 * 4 samples
    loader = Runner.build_dataloader(cfg, seed=0)
    seen = sorted(_flat(loader.batch_sampler))
    assert seen == list(range(12))


def test_vl_collate_batches_carry_one_task():
    cfg = _dataloader_cfg(task_batch_size=dict(short=8, long=2))
    for sub in cfg['dataset']['datasets']:
        sub['pipeline'] = [
            lambda r: dict(
                r,
                prompt='q',
                input_ids=torch.tensor([0, 5, 2]),
                labels=torch.ones(3, dtype=torch.long),
            ),
            dict(type='PackVLInputs'),
        ]
    cfg['collate_fn'] = dict(type='vl_collate')
    loader = Runner.build_dataloader(cfg, seed=1)
    for batch in loader:
        tasks = {s.metainfo['task'] for s in batch['data_samples']}
        assert len(tasks) == 1
        assert batch['inputs']['input_ids'].shape == (len(batch['data_samples']), 3)
        assert len(batch['data_samples']) <= {'short': 8, 'long': 2, 'mid': 4}[tasks.pop()]


# ------------------------------------------------- resume through a Runner
@TRANSFORMS.register_module(name='_TGPackIndex', force=True)
class PackIndex:
    def __call__(self, results):
        return dict(inputs=results['sample_idx'], data_samples=results['task'])


class TinyModel(BaseModel):
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.zeros(1))

    def forward(self, inputs, data_samples=None, mode='tensor'):
        x = torch.tensor(inputs, dtype=torch.float32)
        return dict(loss=((self.w - x) ** 2).mean())


class Recorder(Hook):
    def __init__(self):
        self.batches = []

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        self.batches.append([int(i) for i in data_batch['inputs']])


def _train(work_dir, max_epochs, resume=False, ckpt_every=None):
    setup_vltoolkit()
    dataset = copy.deepcopy(DATASET_CFG)
    for sub in dataset['datasets']:
        sub['pipeline'] = [dict(type='_TGPackIndex')]
    recorder = Recorder()
    runner = Runner(
        model=TinyModel(),
        work_dir=str(work_dir),
        experiment_name=unique_experiment_name(Config(dict())),
        train_dataloader=dict(
            dataset=dataset,
            sampler=dict(type='DefaultSampler', shuffle=True),
            batch_sampler=dict(
                type='TaskGroupedBatchSampler', task_batch_size=dict(short=8, long=2)
            ),
            batch_size=4,
            num_workers=0,
            collate_fn=dict(type='pseudo_collate'),
        ),
        train_cfg=dict(type='ResumableEpochBasedTrainLoop', max_epochs=max_epochs),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.01)),
        default_hooks=dict(
            checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=ckpt_every or 10**6),
            logger=dict(type='LoggerHook', interval=1000),
        ),
        custom_hooks=[recorder],
        randomness=dict(seed=5),
        resume=resume,
        default_scope='vltoolkit',
        log_level='WARNING',
    )
    runner.train()
    return recorder.batches


def test_runner_resume_mid_epoch_trains_the_remaining_batches(tmp_path):
    """ResumableEpochBasedTrainLoop + DistSamplerSeedHook + this sampler: a
    run resumed from a mid-epoch checkpoint trains exactly the batches the
    uninterrupted run trains after that point."""
    full = _train(tmp_path / 'full', max_epochs=2)
    per_epoch = 5 + 12 + 3
    assert len(full) == 2 * per_epoch
    assert full[:per_epoch] != full[per_epoch:]  # set_epoch reached the sampler
    assert sorted(_flat(full[per_epoch:])) == list(range(N))
    cut = tmp_path / 'cut'
    _train(cut, max_epochs=2, ckpt_every=27)  # 27 = mid epoch 2
    (cut / 'last_checkpoint').write_text(str(cut / 'iter_27.pth'))
    resumed = _train(cut, max_epochs=2, resume=True)
    assert full[:27] + resumed == full


def test_benchmark_tool_smoke(tmp_path):
    """tools/analysis/benchmark_multitask.py on a tiny set and model."""
    import importlib.util

    from tests.conftest import ROOT

    spec = importlib.util.spec_from_file_location(
        '_benchmark_multitask', ROOT / 'tools' / 'analysis' / 'benchmark_multitask.py'
    )
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    out = tmp_path / 'bench.json'
    threads = torch.get_num_threads()
    results = tool.main(
        [
            '--num-short',
            '8',
            '--num-long',
            '8',
            '--short-len',
            '4',
            '--long-len',
            '12',
            '--batch-size',
            '4',
            '--short-batch-size',
            '8',
            '--long-batch-size',
            '4',
            '--d-model',
            '16',
            '--layers',
            '1',
            '--repeats',
            '1',
            '--warmup',
            '0',
            '--threads',
            '1',
            '--json',
            str(out),
        ]
    )
    mixed, grouped = results['mixed'], results['grouped']
    assert (mixed['passes'], grouped['passes']) == (4, 1 + 2)
    assert grouped['pad_frac_target'] == 0 and mixed['pad_frac_target'] > 0
    assert out.is_file()
    assert torch.get_num_threads() == threads  # restored
