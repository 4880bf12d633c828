"""The YouCook2 / MSR-VTT retrieval feature pickles used by MCN's evaluation.

Both are AVLnet releases (``youcook_val_audio.pkl``, ``msrvtt_jsfusion_test.pkl``):
a pickled **list of dicts, one per clip** (``docs/retrieval.md``):

==========  =====================================  ======================================
format      video (pooled, one vector per clip)    caption
==========  =====================================  ======================================
youcook2    ``'2d'`` (2048,), ``'3d'`` (2048,)      ``'caption'`` (str)
msrvtt      ``'2d_pooled'``, ``'3d_pooled'``        ``'eval_caption'`` (str, test) or
                                                   ``'caption'`` (list of str, train)
==========  =====================================  ======================================

plus ``'id'`` and ``'audio'``, a ``[40, T]`` log-mel spectrogram (torch tensor
or numpy array). As MCN's loaders do, the 2D and 3D features are each
L2-normalised, then concatenated into ``video`` (4096-d).
"""

import os.path as osp
from typing import Dict, Optional, Sequence

import numpy as np
import torch
from mmengine.dataset import BaseDataset

from vltoolkit.registry import DATASETS

from .annotation_io import AnnotationError
from .feature_pickle import load_feature_pickle

#: key layout of each evaluation format
MCN_EVAL_FORMATS = {
    'youcook2': dict(video_keys=('2d', '3d'), caption_keys=('caption',)),
    'msrvtt': dict(video_keys=('2d_pooled', '3d_pooled'), caption_keys=('eval_caption', 'caption')),
}


def l2_normalize(x: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    return x / max(float(np.linalg.norm(x)), eps)


def _array(value) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().float().numpy()
    return np.asarray(value, dtype=np.float32)


@DATASETS.register_module()
class MCNEvalFeatureDataset(BaseDataset):
    """Clips of a YouCook2 / MSR-VTT feature pickle (MCN / AVLnet format).

    Each data info holds ``clip_id``, ``video`` (float32 ``[D2d + D3d]``,
    each part L2-normalised), ``audio`` (float32 ``[n_mels, T]``),
    ``caption`` (str) and ``source``. A record whose caption is a list (the
    MSR-VTT training file) yields one sample per caption.

    Args:
        ann_file (str): the pickle, relative to ``data_root``.
        feature_format (str): ``'youcook2'`` or ``'msrvtt'`` (key layout).
        video_dims (Sequence[int], optional): expected dims of the video
            parts (e.g. ``(2048, 2048)``); default: those of the first
            record, which every record must then match.
        n_mels (int): mel bins of ``audio``. Default 40.
        with_audio (bool): load ``audio``. Default True.
        source (str, optional): a name stored in every sample (metrics can
            group by it); default ``feature_format``.

    Bad records raise :class:`AnnotationError` naming the file, the record
    index and id, and the key (missing keys, wrong dims, empty audio).
    """

    def __init__(
        self,
        *args,
        feature_format: str = 'youcook2',
        video_dims: Optional[Sequence[int]] = None,
        n_mels: int = 40,
        with_audio: bool = True,
        source: Optional[str] = None,
        **kwargs,
    ):
        if feature_format not in MCN_EVAL_FORMATS:
            raise ValueError(
                f'feature_format {feature_format!r} is not one of {sorted(MCN_EVAL_FORMATS)}'
            )
        self.feature_format = feature_format
        self.video_dims = tuple(video_dims) if video_dims is not None else None
        self.n_mels = n_mels
        self.with_audio = with_audio
        self.source = source or feature_format
        super().__init__(*args, **kwargs)

    def _fail(self, index, record, msg):
        rid = record.get('id', '?') if isinstance(record, dict) else '?'
        raise AnnotationError(f'{self.ann_file}, record {index} (id {rid!r}): {msg}')

    def load_data_list(self):
        if not osp.isfile(self.ann_file):
            raise FileNotFoundError(
                f'feature file {self.ann_file} does not exist: get the AVLnet '
                'evaluation pickles (youcook_val_audio.pkl, '
                'msrvtt_jsfusion_test.pkl) or generate the toy set with '
                '`python tools/data/make_toy.py mcn` (docs/retrieval.md)'
            )
        records = load_feature_pickle(self.ann_file, 'feature file')
        if not isinstance(records, (list, tuple)):
            raise AnnotationError(
                f'{self.ann_file} holds a '
                f'{type(records).__name__}; the MCN evaluation '
                'format is a list of dicts, one per clip'
            )
        layout = MCN_EVAL_FORMATS[self.feature_format]
        dims = self.video_dims
        data_list = []
        for index, record in enumerate(records):
            if not isinstance(record, dict):
                self._fail(index, {}, f'is a {type(record).__name__}, not a dict')
            info, dims = self._parse(index, record, layout, dims)
            captions = info.pop('captions')
            for k, caption in enumerate(captions):
                clip_id = info['clip_id'] if len(captions) == 1 else f"{info['clip_id']}#{k}"
                data_list.append(dict(info, clip_id=clip_id, caption=caption))
        return data_list

    def _parse(self, index, record, layout, dims):
        needed = ['id', *layout['video_keys']] + (['audio'] if self.with_audio else [])
        missing = [k for k in needed if k not in record or record[k] is None]
        caption_key = next((k for k in layout['caption_keys'] if k in record), None)
        if caption_key is None:
            missing.append(' or '.join(layout['caption_keys']))
        if missing:
            self._fail(
                index,
                record,
                f'missing {missing} (the {self.feature_format} '
                f'format needs id, {", ".join(layout["video_keys"])}, '
                f'audio and {"/".join(layout["caption_keys"])}; keys '
                f'present: {sorted(record)})',
            )
        parts = [_array(record[k]).reshape(-1) for k in layout['video_keys']]
        got = tuple(p.shape[0] for p in parts)
        if dims is None:
            dims = got
        if got != tuple(dims):
            self._fail(
                index,
                record,
                f'video features {layout["video_keys"]} have '
                f'dims {got}, expected {tuple(dims)} (set video_dims if '
                'the first record is the odd one)',
            )
        info = dict(
            clip_id=str(record['id']),
            source=self.source,
            video=np.concatenate([l2_normalize(p) for p in parts]),
        )
        if self.with_audio:
            audio = _array(record['audio'])
            if audio.ndim != 2 or audio.shape[0] != self.n_mels or audio.shape[1] == 0:
                self._fail(
                    index,
                    record,
                    f'audio has shape {audio.shape}, '
                    f'expected a [{self.n_mels}, T] log-mel spectrogram '
                    'with T > 0',
                )
            info['audio'] = audio
        captions = record[caption_key]
        captions = [captions] if isinstance(captions, str) else list(captions)
        if not captions or not all(isinstance(c, str) for c in captions):
            self._fail(
                index,
                record,
                f'{caption_key!r} must be a string or a '
                f'non-empty list of strings, got {record[caption_key]!r:.80}',
            )
        info['captions'] = captions
        return info, dims

    @property
    def feature_dims(self) -> Dict[str, int]:
        """``video`` dim and audio mel bins of the loaded clips."""
        first = self.get_data_info(0)
        return dict(video=int(first['video'].shape[0]), audio=self.n_mels)
