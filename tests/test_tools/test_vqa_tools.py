"""VQA tools: build_vqa_answers.py, plot_curves.py, and a toy end-to-end run."""

import importlib.util
import json
import re

import pytest

from tests.conftest import FIXTURES, ROOT

from .conftest import run_tool

VQA = FIXTURES / 'vqa_v2'


def _load_tool(rel):
    spec = importlib.util.spec_from_file_location(rel.replace('/', '_')[:-3], ROOT / 'tools' / rel)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_build_vqa_answers_on_the_real_first_100(tmp_path, capsys):
    tool = _load_tool('data/build_vqa_answers.py')
    out = tmp_path / 'answers.json'
    assert (
        tool.main(
            [
                '--ann-files',
                str(VQA / 'v2_mscoco_train2014_annotations_first100.json'),
                str(VQA / 'v2_mscoco_val2014_annotations_first100.json'),
                '--top-k',
                '20',
                '--out',
                str(out),
            ]
        )
        == 0
    )
    answers = json.loads(out.read_text())
    assert len(answers) == 20 and answers[0] == 'net' and 'yes' in answers
    err = capsys.readouterr().err
    assert '20 answers' in err and 'questions without any answer in it' in err


def _fake_run(work_dir, stamp, losses, start=1, val=None):
    vis = work_dir / stamp / 'vis_data'
    vis.mkdir(parents=True)
    lines = [
        json.dumps(dict(loss=v, loss_vqa=v / 2, lr=1e-3, iter=i, step=i, epoch=1))
        for i, v in enumerate(losses, start)
    ]
    if val is not None:
        lines.append(json.dumps({'vqa/accuracy': val, 'step': 1}))
    (vis / 'scalars.json').write_text('\n'.join(lines) + '\n{"broken": \n')


def test_plot_curves_reads_merges_and_draws(tmp_path, capsys):
    tool = _load_tool('analysis/plot_curves.py')
    a, b = tmp_path / 'a', tmp_path / 'b'
    _fake_run(a, '20260101_000000', [4.0, 3.0, 2.0, 1.5], val=40.0)
    _fake_run(a, '20260101_010000', [1.2, 1.0], start=4)  # resumed: replaces step 4
    _fake_run(b, '20260101_000000', [4.0, 3.5, 3.0, 2.8, 2.6], val=30.0)
    scalars = tool.read_scalars(str(a))
    steps, values, is_train = scalars['loss']
    assert steps.tolist() == [1, 2, 3, 4, 5] and values.tolist() == [4, 3, 2, 1.2, 1.0]
    assert is_train and scalars['vqa/accuracy'][2] is False
    out = tmp_path / 'figs' / 'curves.png'
    assert (
        tool.main(
            [
                str(a),
                str(b),
                '--keys',
                'loss',
                'vqa/accuracy',
                '--labels',
                'A',
                'B',
                '--threshold',
                '2.5',
                '--smooth',
                '0.5',
                '--log-y',
                '--out',
                str(out),
            ]
        )
        == 0
    )
    assert out.stat().st_size > 5000
    table = capsys.readouterr().out
    assert re.search(r'A\s+│ loss\s+│\s+5 ', table)
    assert tool.ema([1.0, 1.0, 1.0], 0.9).tolist() == pytest.approx([1, 1, 1])
    with pytest.raises(SystemExit, match="no run logged \\['nope'\\]"):
        tool.main([str(a), '--keys', 'nope', '--out', str(out)])
    with pytest.raises(SystemExit, match='no \\*/vis_data/scalars.json'):
        tool.main([str(tmp_path / 'missing'), '--out', str(out)])


def test_optional_tensorboard_backend_never_fails(tmp_path):
    from vltoolkit.registry import VISBACKENDS

    backend = VISBACKENDS.build(dict(type='OptionalTensorboardVisBackend', save_dir=str(tmp_path)))
    backend.add_scalars({'loss': 1.0}, step=1)  # no tensorboard: a no-op
    backend.close()
    try:
        import tensorboard  # noqa: F401
    except ImportError:
        return
    assert list(tmp_path.glob('events.out.tfevents.*'))


@pytest.mark.slow
def test_toy_vqa_train_test_and_curves(tmp_path):
    """make_toy_vqa -> build_tokenizer -> train -> test -> plot_curves."""
    from vltoolkit.datasets.toy import make_toy_vqa

    make_toy_vqa(str(tmp_path / 'data' / 'toy_vqa'), num_train=16, num_val=6)
    cfg = str(ROOT / 'configs' / 'vqa' / 'clip_vilt_infonce_toy.py')
    run_tool(['data/build_tokenizer.py', cfg], tmp_path)
    run_tool(
        [
            'train.py',
            cfg,
            '--work-dir',
            'work_dirs/infonce',
            '--cfg-options',
            'train_cfg.max_epochs=1',
            'train_cfg.val_interval=1',
            'train_dataloader.batch_size=8',
            'val_dataloader.batch_size=8',
        ],
        tmp_path,
    )
    ckpt = tmp_path / 'work_dirs' / 'infonce' / 'epoch_1.pth'
    proc = run_tool(
        [
            'test.py',
            cfg,
            str(ckpt),
            '--work-dir',
            'work_dirs/test',
            '--cfg-options',
            'test_dataloader.batch_size=8',
        ],
        tmp_path,
    )
    assert re.search(r'vqa/accuracy\s+│\s+[0-9.]+', proc.stdout), proc.stdout[-2000:]
    assert 'vqa/acc_yes_no' in proc.stdout
    tool = _load_tool('analysis/plot_curves.py')
    out = tmp_path / 'curves.png'
    assert (
        tool.main(
            [
                str(tmp_path / 'work_dirs' / 'infonce'),
                '--keys',
                'loss_vqa',
                'loss_align',
                '--out',
                str(out),
            ]
        )
        == 0
    )
    assert out.is_file()
