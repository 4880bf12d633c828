"""MCN feature data: toy generator, evaluation pickles, HowTo100M clips, collate."""

import csv
import pickle

import numpy as np
import pytest
import torch

from tests.mcn_helpers import eval_dataset_cfg, make_tiny_toy, train_dataset_cfg
from vltoolkit.datasets import (
    AnnotationError,
    FeaturePickleError,
    feature_collate,
    load_feature_pickle,
)
from vltoolkit.datasets.howto100m_features import time_to_audio_frame, widen_segment
from vltoolkit.registry import DATASETS
from vltoolkit.tokenization import WordVectors, tokenize_words


@pytest.fixture(scope='module')
def toy(tmp_path_factory):
    return make_tiny_toy(tmp_path_factory.mktemp('toy_mcn'))


def test_toy_is_deterministic_and_in_the_documented_layouts(toy, tmp_path):
    again = make_tiny_toy(tmp_path / 'again')
    for name in ('youcook_val.pkl', 'msrvtt_test.pkl'):
        a, b = load_feature_pickle(f'{toy}/{name}'), load_feature_pickle(f'{again}/{name}')
        assert len(a) == len(b) == 6
        for ra, rb in zip(a, b):
            assert ra.keys() == rb.keys()
            assert all(np.array_equal(np.asarray(ra[k]), np.asarray(rb[k])) for k in ra)
    yc = load_feature_pickle(f'{toy}/youcook_val.pkl')[0]
    assert {'id', '2d', '3d', 'audio', 'caption'} <= set(yc)
    assert isinstance(yc['audio'], torch.Tensor) and yc['audio'].shape[0] == 40
    ms = load_feature_pickle(f'{toy}/msrvtt_test.pkl')[0]
    assert {'id', '2d_pooled', '3d_pooled', 'audio', 'eval_caption', 'caption'} <= set(ms)
    with open(f'{toy}/train.csv') as f:
        rows = list(csv.DictReader(f))
    caps = load_feature_pickle(f'{toy}/caption.pickle')
    vid = rows[0]['path'].split('/')[-1]
    assert set(caps[vid]) == {'start', 'end', 'text'}
    with np.load(f"{toy}/features/{rows[0]['path']}/{vid}_2d.npz") as d:
        assert d['features'].shape[1] == 6
    with np.load(f"{toy}/features_audio/{rows[0]['path']}/{vid}_spec.npz") as d:
        assert d['arr_0'].shape[0] == 40 and d['arr_0'].dtype == np.float16


@pytest.mark.parametrize('fmt', ['youcook2', 'msrvtt'])
def test_eval_dataset_normalises_video_and_packs(toy, fmt):
    ds = DATASETS.build(eval_dataset_cfg(toy, fmt))
    assert len(ds) == 6
    info = ds.get_data_info(0)
    assert info['video'].shape == (12,)
    # 2D and 3D parts each L2-normalised, as MCN's loaders do
    assert np.linalg.norm(info['video'][:6]) == pytest.approx(1, abs=1e-5)
    assert np.linalg.norm(info['video'][6:]) == pytest.approx(1, abs=1e-5)
    assert info['source'] == fmt
    item = ds[0]
    assert set(item['inputs']) == {'video', 'audio', 'audio_nframes', 'text'}
    assert item['inputs']['text'].shape[1] == 8


def test_howto100m_clips_are_widened_pooled_and_collated(toy):
    ds = DATASETS.build(train_dataset_cfg(toy))
    assert len(ds) == 16  # 4 videos x 4 caption segments
    info = ds.get_data_info(0)
    assert info['end'] - info['start'] >= 2.0
    clip = ds.load_clip(info)
    assert clip['video'].shape == (12,) and clip['audio'].shape[0] == 40
    batch = feature_collate([ds[i] for i in range(5)])
    inp = batch['inputs']
    assert inp['video'].shape == (5, 12)
    t_max = int(inp['audio_nframes'].max())
    assert inp['audio'].shape == (5, 40, t_max)
    lengths = inp['text_mask'].sum(1)
    assert inp['text'].shape == (5, int(lengths.max()), 8)
    for i in range(5):  # padding is zero, beyond each clip's length
        assert inp['audio'][i, :, int(inp['audio_nframes'][i]) :].abs().sum() == 0
        assert inp['text'][i, int(lengths[i]) :].abs().sum() == 0
    assert len(batch['data_samples']) == 5 and batch['data_samples'][0].caption


def test_clip_widening_and_audio_frames():
    # neighbours join the side giving the shorter clip, until min_time
    assert widen_segment([0, 3, 4, 9], [2, 4, 8, 12], 1, min_time=5) == (0, 2)
    assert widen_segment([0, 3, 4, 9], [2, 4, 8, 12], 3, min_time=5) == (2, 3)
    assert widen_segment([0], [1], 0, min_time=10) == (0, 0)
    # librosa.time_to_frames(t, sr=16000, hop_length=160, n_fft=400)
    assert [time_to_audio_frame(t) for t in (0.0, 0.01, 1.0, 2.5)] == [0, 0, 98, 248]


def _write_records(path, records):
    with open(path, 'wb') as f:
        pickle.dump(records, f)


def test_eval_dataset_bad_records_name_file_record_and_key(toy, tmp_path):
    records = load_feature_pickle(f'{toy}/youcook_val.pkl')
    bad = [dict(r) for r in records]
    del bad[2]['3d']
    _write_records(tmp_path / 'missing.pkl', bad)
    with pytest.raises(AnnotationError, match=r"missing.pkl, record 2 \(id 'yc2_0002'\).*'3d'"):
        DATASETS.build(eval_dataset_cfg(str(tmp_path), ann_file='missing.pkl'))
    bad = [dict(r) for r in records]
    bad[4]['2d'] = np.zeros(5, np.float32)
    _write_records(tmp_path / 'dims.pkl', bad)
    with pytest.raises(AnnotationError, match=r'record 4.*dims \(5, 6\), expected \(6, 6\)'):
        DATASETS.build(eval_dataset_cfg(str(tmp_path), ann_file='dims.pkl'))
    bad = [dict(r) for r in records]
    bad[1]['audio'] = torch.zeros(20, 30)
    _write_records(tmp_path / 'audio.pkl', bad)
    with pytest.raises(AnnotationError, match=r'record 1.*audio has shape \(20, 30\)'):
        DATASETS.build(eval_dataset_cfg(str(tmp_path), ann_file='audio.pkl'))
    with pytest.raises(FileNotFoundError, match='make_toy.py mcn'):
        DATASETS.build(eval_dataset_cfg(str(tmp_path), ann_file='nope.pkl'))


def test_howto100m_missing_files_and_captions_fail_clearly(toy, tmp_path):
    import shutil

    root = tmp_path / 'copy'
    shutil.copytree(toy, root)
    with open(root / 'train.csv') as f:
        path = list(csv.DictReader(f))[1]['path']
    vid = path.split('/')[-1]
    (root / 'features' / path / f'{vid}_3d.npz').unlink()
    with pytest.raises(FileNotFoundError, match=rf'line 3 \(video {vid!r}\).*{vid}_3d.npz'):
        DATASETS.build(train_dataset_cfg(str(root)))
    caps = load_feature_pickle(str(root / 'caption.pickle'))
    del caps[vid]
    _write_records(root / 'caption.pickle', caps)
    with pytest.raises(AnnotationError, match=rf'{vid}.*no captions'):
        DATASETS.build(train_dataset_cfg(str(root), check_files=False))
    (root / 'bad.csv').write_text('video\nx/y\n')
    with pytest.raises(AnnotationError, match='header `path`'):
        DATASETS.build(train_dataset_cfg(str(root), ann_file='bad.csv'))
    ds = DATASETS.build(train_dataset_cfg(toy, video_dims=(6, 7)))
    with pytest.raises(AnnotationError, match=r'3d features have dim 6, expected 7'):
        ds[0]


def test_feature_pickles_refuse_code(tmp_path):
    import os

    with open(tmp_path / 'evil.pkl', 'wb') as f:
        pickle.dump([os.system], f)
    with pytest.raises(FeaturePickleError, match='system is not allowed'):
        load_feature_pickle(str(tmp_path / 'evil.pkl'))


def test_word_vector_formats_agree_and_drop_unknown_words(tmp_path):
    words = ['salt', 'stir', "cook's"]
    vectors = np.arange(6, dtype=np.float32).reshape(3, 2)
    with open(tmp_path / 'v.txt', 'w') as f:
        f.write('3 2\n' + ''.join(f'{w} {a} {b}\n' for w, (a, b) in zip(words, vectors)))
    with open(tmp_path / 'v.bin', 'wb') as f:
        f.write(b'3 2\n')
        for w, v in zip(words, vectors):
            f.write(w.encode() + b' ' + v.astype('<f4').tobytes() + b'\n')
    WordVectors(words, vectors).save_npz(str(tmp_path / 'v.npz'))
    for ext in ('txt', 'bin', 'npz'):
        wv = WordVectors.load(str(tmp_path / f'v.{ext}'))
        enc = wv.encode("Stir the salt, then stir: the cook's salt!", max_words=3)
        assert enc.tolist() == [[0, 1], [2, 3], [4, 5]], ext  # 'Stir' is cased
    assert tokenize_words("cook's salt,stir") == ["cook's", 'salt', 'stir']
    with pytest.raises(FileNotFoundError, match='GoogleNews'):
        WordVectors.load(str(tmp_path / 'none.bin'))
