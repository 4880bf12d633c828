"""``${key}`` references filled after the overrides, and the work-dir rule."""

import pytest
from mmengine.config import Config

from vltoolkit.utils.cli import default_work_dir
from vltoolkit.utils.config_refs import (
    ConfigRefError,
    last_checkpoint,
    resolve_config_refs,
)


def _cfg(**kwargs):
    return Config(kwargs)


def test_refs_follow_the_key_after_an_override():
    cfg = _cfg(
        data_root='data/a',
        img_scale=(96, 96),
        tokenizer=dict(type='T', path='${data_root}/tokenizer'),
        pipeline=[
            dict(type='Tok', tokenizer='${tokenizer}'),
            dict(type='Resize', scale='${img_scale}'),
        ],
        dataset=dict(data_root='${data_root}', pipeline='${pipeline}'),
    )
    cfg.merge_from_dict({'data_root': '/my/data'})
    resolve_config_refs(cfg)
    assert cfg.tokenizer.path == '/my/data/tokenizer'
    # a whole-string reference gives the value itself, not its text
    assert cfg.pipeline[0].tokenizer == dict(type='T', path='/my/data/tokenizer')
    assert tuple(cfg.pipeline[1].scale) == (96, 96)
    assert cfg.dataset.data_root == '/my/data'
    assert cfg.dataset.pipeline[0].tokenizer.path == '/my/data/tokenizer'
    # copies, not shared objects
    cfg.dataset.pipeline[0].tokenizer.path = 'changed'
    assert cfg.tokenizer.path == '/my/data/tokenizer'
    # idempotent: nothing is left to fill
    before = cfg.to_dict()
    assert resolve_config_refs(cfg).to_dict() == before


def test_dotted_refs_numbers_and_formats_kept():
    cfg = _cfg(
        frames=dict(train=300),
        fmt='<loc_{}>',
        img='{image_id:012d}.png',
        crop=dict(max_frames='${frames.train}'),
        name='run_${frames.train}',
    )
    resolve_config_refs(cfg)
    assert cfg.crop.max_frames == 300 and cfg.name == 'run_300'
    assert cfg.fmt == '<loc_{}>' and cfg.img == '{image_id:012d}.png'


def test_unknown_key_and_cycles_name_the_holder_and_the_fix():
    with pytest.raises(
        ConfigRefError,
        match=r"model\.tokenizer.*\$\{tokeniser\}.*"
        r"--cfg-options tokeniser=VALUE",
    ):
        resolve_config_refs(_cfg(tokenizer=1, model=dict(tokenizer='${tokeniser}')))
    with pytest.raises(ConfigRefError, match=r"names no config key 'a\.c'"):
        resolve_config_refs(_cfg(a=dict(b=1), x='${a.c}'))
    with pytest.raises(ConfigRefError, match='circular reference'):
        resolve_config_refs(_cfg(a='${b}/x', b='${a}/y'))


def test_skip_leaves_keys_as_written():
    cfg = _cfg(root='r', load_from='${last_checkpoint:nowhere/stage}', path='${root}/p')
    resolve_config_refs(cfg, skip=('load_from',))
    assert cfg.path == 'r/p' and cfg.load_from == '${last_checkpoint:nowhere/stage}'


def test_last_checkpoint_reads_the_work_dir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    work = tmp_path / 'work_dirs' / 'multitask' / 'pretrain_span_toy'
    cfg = _cfg(load_from='${last_checkpoint:work_dirs/multitask/pretrain_span_toy}')
    with pytest.raises(ConfigRefError) as err:
        resolve_config_refs(cfg)
    msg = str(err.value)
    assert 'previous stage has not been run' in msg
    assert '`python tools/train.py configs/multitask/pretrain_span_toy.py`' in msg
    assert '--cfg-options load_from=' in msg

    work.mkdir(parents=True)
    ckpt = work / 'epoch_3.pth'
    (work / 'last_checkpoint').write_text(str(ckpt))
    with pytest.raises(ConfigRefError, match='epoch_3.pth.*does not exist'):
        last_checkpoint(str(work))
    ckpt.write_bytes(b'')
    assert resolve_config_refs(cfg).load_from == str(ckpt)


def test_default_work_dir_keeps_task_folders_apart():
    hoi = default_work_dir('configs/hoi/ce_onehot_toy.py')
    grounding = default_work_dir('configs/grounding/ce_onehot_toy.py')
    assert hoi == 'work_dirs/hoi/ce_onehot_toy'
    assert grounding == 'work_dirs/grounding/ce_onehot_toy'


def test_override_through_a_reference_edits_the_named_key():
    from vltoolkit.utils.config_refs import merge_overrides

    cfg = Config(
        dict(loss=dict(type='GEMLoss', beta=0.7), model=dict(type='M', loss='${loss}', depth=2))
    )
    merge_overrides(cfg, {'model.loss.beta': 0.5, 'model.depth': 3})
    assert cfg.loss.beta == 0.5 and cfg.model.loss == '${loss}' and cfg.model.depth == 3
    resolve_config_refs(cfg)
    assert cfg.model.loss == dict(type='GEMLoss', beta=0.5)
