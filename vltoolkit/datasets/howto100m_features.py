"""HowTo100M-style training clips from per-video feature files (MCN pretraining).

Layout (MCN / AVLnet, ``docs/retrieval.md``)::

    <ann_file>                               CSV with a header `path`; rows like
                                             food_and_entertaining/video_j/jEyaTUyJ-rs
    <video>/<path>/<video_id>_2d.npz         key `features`: [T_2d, D_2d], 1 feature/s
    <video>/<path>/<video_id>_3d.npz         key `features`: [T_3d, D_3d], 24/16 features/s
    <audio>/<path>/<video_id>_spec.npz       key `arr_0`: [40, T_audio] log-mel, 100 frames/s
    <caption_file>                           pickle: video_id -> {'start': [...], 'end': [...],
                                             'text': [...]} (the ASR segments, seconds)

``video_id`` is the last component of ``path``. Every caption segment gives a
clip: widened with its closest neighbouring segments until it lasts at least
``min_time`` seconds (their words are joined), the video feature is the
max-pool of each feature over ``[start * fps, end * fps]`` (L2-normalised,
2D and 3D concatenated) and the audio is the spectrogram between the frames
of ``start`` and ``end`` (16 kHz, hop 160, n_fft 400: librosa's
``time_to_frames``).

Differences from MCN's loader: MCN draws ``n_pair`` random segments of a
video per step (batches of 128 videos x 32 clips); here every segment is one
sample, so the sampler's seeded shuffle decides the batches and a resumed
run sees exactly the clips of an uninterrupted one.
"""

import csv
import os.path as osp
from collections import OrderedDict
from typing import Optional, Sequence

import numpy as np
from mmengine.dataset import BaseDataset

from vltoolkit.registry import DATASETS

from .annotation_io import AnnotationError
from .feature_pickle import load_feature_pickle
from .mcn_eval_features import l2_normalize

_HOW_TO_GET = (
    'prepare HowTo100M features as in MCN (2D/3D video features and '
    'log-mel spectrograms per video) or generate the toy set with '
    '`python tools/data/make_toy.py mcn` (docs/retrieval.md)'
)


def time_to_audio_frame(t: float, sr: int = 16000, hop_length: int = 160, n_fft: int = 400) -> int:
    """librosa's ``time_to_frames(t, sr, hop_length, n_fft)``, floored at 0."""
    return max(0, int(np.floor((t * sr - n_fft // 2) / hop_length)))


def widen_segment(starts, ends, index: int, min_time: float):
    """``(first, last)`` segment indices of the clip around ``index``:
    neighbours are added, the one giving the shorter clip first, until the
    clip lasts ``min_time`` seconds or no segment is left.

    Example:
        >>> widen_segment([0, 3, 4, 9], [2, 4, 8, 12], 1, min_time=5)
        (0, 2)
    """
    first = last = index
    n = len(starts)
    while ends[last] - starts[first] < min_time:
        can_prev, can_next = first > 0, last < n - 1
        if can_prev and can_next:
            if ends[last] - starts[first - 1] <= ends[last + 1] - starts[first]:
                first -= 1
            else:
                last += 1
        elif can_prev:
            first -= 1
        elif can_next:
            last += 1
        else:
            break
    return first, last


@DATASETS.register_module()
class HowTo100MFeatureDataset(BaseDataset):
    """Clips of HowTo100M-style videos: pre-extracted features + ASR captions.

    Each data info holds ``video_id``, ``clip_id`` (``<video_id>:<index>``),
    ``start`` / ``end`` (seconds) and ``caption``; the features are read when
    the sample is drawn: ``video`` (float32 ``[sum of dims]``) and ``audio``
    (float32 ``[n_mels, frames]``).

    Args:
        ann_file (str): the CSV of video paths (header ``path``).
        caption_file (str): the caption pickle, relative to ``data_root``.
        data_prefix (dict): ``video`` (folder of ``*_2d.npz`` / ``*_3d.npz``)
            and ``audio`` (folder of ``*_spec.npz``; default: ``video``).
        feature_types (Sequence[str]): ``('2d', '3d')``: the video files.
        feature_fps (dict): features per second of each type.
            Default ``{'2d': 1.0, '3d': 1.5}``.
        video_dims (Sequence[int], optional): expected dim of each type.
        min_time (float): minimum clip length in seconds. Default 10.
        max_clips_per_video (int, optional): keep at most this many
            (evenly spaced) segments of a video.
        n_mels (int): mel bins of the spectrograms. Default 40.
        check_files (bool): check at start-up that every video's files exist.
        cache_videos (int): keep the arrays of this many videos in memory
            (least recently used dropped; per dataloader worker). Default 0.

    Missing files, videos without captions, and features of the wrong
    shape raise errors naming the file / video and the fix.
    """

    def __init__(
        self,
        *args,
        caption_file: str = 'caption.pickle',
        feature_types: Sequence[str] = ('2d', '3d'),
        feature_fps: Optional[dict] = None,
        video_dims: Optional[Sequence[int]] = None,
        min_time: float = 10.0,
        max_clips_per_video: Optional[int] = None,
        n_mels: int = 40,
        check_files: bool = True,
        cache_videos: int = 0,
        **kwargs,
    ):
        self.caption_file = caption_file
        self.feature_types = tuple(feature_types)
        self.feature_fps = dict(feature_fps or {'2d': 1.0, '3d': 24.0 / 16.0})
        self.video_dims = tuple(video_dims) if video_dims is not None else None
        self.min_time = min_time
        self.max_clips_per_video = max_clips_per_video
        self.n_mels = n_mels
        self.check_files = check_files
        self.cache_videos = cache_videos
        self._cache = OrderedDict()
        super().__init__(*args, **kwargs)

    def _join_prefix(self):
        super()._join_prefix()
        if self.data_root and not osp.isabs(self.caption_file):
            self.caption_file = osp.join(self.data_root, self.caption_file)

    # ------------------------------------------------------------- paths
    def feature_path(self, path: str, kind: str) -> str:
        """The file of ``kind`` (``'2d'``, ``'3d'`` or ``'spec'``)."""
        video_id = path.rstrip('/').split('/')[-1]
        root = self.data_prefix.get('video', '')
        if kind == 'spec':
            root = self.data_prefix.get('audio') or root
        return osp.join(root, path, f'{video_id}_{kind}.npz')

    def _read_paths(self):
        if not osp.isfile(self.ann_file):
            raise FileNotFoundError(f'video list {self.ann_file} does not exist: {_HOW_TO_GET}')
        with open(self.ann_file, newline='') as f:
            rows = list(csv.DictReader(f))
        if rows and 'path' not in rows[0]:
            raise AnnotationError(
                f'{self.ann_file}: the video list needs a header `path`, found {list(rows[0])}'
            )
        return [row['path'].replace('None/', '').strip() for row in rows]

    def load_data_list(self):
        paths = self._read_paths()
        captions = load_feature_pickle(self.caption_file, 'caption file')
        if not isinstance(captions, dict):
            raise AnnotationError(
                f'{self.caption_file} holds a '
                f'{type(captions).__name__}; expected a dict '
                "video_id -> {'start', 'end', 'text'}"
            )
        data_list = []
        for row, path in enumerate(paths, start=2):
            video_id = path.rstrip('/').split('/')[-1]
            where = f'{self.ann_file}, line {row} (video {video_id!r})'
            if self.check_files:
                kinds = [*self.feature_types, 'spec']
                missing = [
                    self.feature_path(path, k)
                    for k in kinds
                    if not osp.isfile(self.feature_path(path, k))
                ]
                if missing:
                    raise FileNotFoundError(
                        f'{where}: missing feature files '
                        f'{missing}; extract them or drop '
                        'the video from the list'
                    )
            if video_id not in captions:
                raise AnnotationError(f'{where}: no captions for this video in {self.caption_file}')
            data_list += self._clips(video_id, path, captions[video_id], where)
        return data_list

    def _clips(self, video_id, path, cap, where):
        if not isinstance(cap, dict) or any(k not in cap for k in ('start', 'end', 'text')):
            keys = sorted(cap) if isinstance(cap, dict) else type(cap).__name__
            raise AnnotationError(f'{where}: captions need start, end and text lists, got {keys}')
        starts = np.asarray(cap['start'], dtype=np.float64)
        ends = np.asarray(cap['end'], dtype=np.float64)
        texts = list(cap['text'])
        if not (len(starts) == len(ends) == len(texts)) or len(texts) == 0:
            raise AnnotationError(
                f'{where}: start / end / text have lengths '
                f'{len(starts)} / {len(ends)} / {len(texts)}; '
                'they must be equal and non-zero'
            )
        indices = range(len(texts))
        if self.max_clips_per_video and len(texts) > self.max_clips_per_video:
            indices = np.linspace(0, len(texts) - 1, self.max_clips_per_video).round().astype(int)
        clips = []
        for i in indices:
            first, last = widen_segment(starts, ends, int(i), self.min_time)
            clips.append(
                dict(
                    video_id=video_id,
                    path=path,
                    clip_id=f'{video_id}:{int(i)}',
                    start=float(starts[first]),
                    end=float(ends[last]),
                    caption=' '.join(str(t) for t in texts[first : last + 1]),
                )
            )
        return clips

    # ------------------------------------------------------------ loading
    def _load_npz(self, file, key, info):
        if self.cache_videos > 0:
            if file in self._cache:
                self._cache.move_to_end(file)
                return self._cache[file]
            array = self._read_npz(file, key, info)
            self._cache[file] = array
            # three files per video
            while len(self._cache) > 3 * self.cache_videos:
                self._cache.popitem(last=False)
            return array
        return self._read_npz(file, key, info)

    def _read_npz(self, file, key, info):
        try:
            with np.load(file, allow_pickle=False) as data:
                if key not in data:
                    raise AnnotationError(
                        f'{file}: no array {key!r} (has {list(data)}); clip {info["clip_id"]}'
                    )
                return np.asarray(data[key], dtype=np.float32)
        except FileNotFoundError:
            raise FileNotFoundError(
                f'{file} (clip {info["clip_id"]}) does not exist: {_HOW_TO_GET}'
            ) from None

    def load_clip(self, info: dict) -> dict:
        """Add ``video`` and ``audio`` of the clip ``info`` (see the module
        docstring for the pooling)."""
        parts = []
        for k, kind in enumerate(self.feature_types):
            file = self.feature_path(info['path'], kind)
            feats = self._load_npz(file, 'features', info)
            if feats.ndim != 2:
                raise AnnotationError(f'{file}: features have shape {feats.shape}, expected [T, D]')
            if self.video_dims is not None and feats.shape[1] != self.video_dims[k]:
                raise AnnotationError(
                    f'{file}: {kind} features have dim '
                    f'{feats.shape[1]}, expected '
                    f'{self.video_dims[k]} (video_dims)'
                )
            fps = self.feature_fps[kind]
            lo, hi = int(info['start'] * fps), int(info['end'] * fps) + 1
            window = feats[lo:hi]
            # a clip past the end of the features is left at zero, as in MCN
            parts.append(
                l2_normalize(window.max(0)) if len(window) else np.zeros(feats.shape[1], np.float32)
            )
        file = self.feature_path(info['path'], 'spec')
        spec = self._load_npz(file, 'arr_0', info)
        if spec.ndim != 2 or spec.shape[0] != self.n_mels:
            raise AnnotationError(
                f'{file}: spectrogram of shape {spec.shape}, expected [{self.n_mels}, T]'
            )
        lo = time_to_audio_frame(info['start'])
        hi = max(time_to_audio_frame(info['end']), lo + 1)
        audio = spec[:, lo:hi].copy()
        if audio.shape[1] == 0:  # clip past the end of the audio
            audio = np.zeros((self.n_mels, 1), np.float32)
        return dict(info, video=np.concatenate(parts), audio=audio)

    def prepare_data(self, idx):
        return self.pipeline(self.load_clip(self.get_data_info(idx)))
