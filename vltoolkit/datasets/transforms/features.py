"""Transforms of pre-extracted clip features (video / audio / text, MCN)."""

import numpy as np
import torch
from mmcv.transforms import BaseTransform

from vltoolkit.registry import TRANSFORMS
from vltoolkit.tokenization import get_word_vectors

from .formatting import pack_sample


def _as_float_array(x) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    return np.asarray(x, dtype=np.float32)


@TRANSFORMS.register_module()
class CropAudio(BaseTransform):
    """Crop the log-mel spectrogram ``audio [n_mels, T]`` to its first
    ``max_frames`` frames and record ``audio_nframes = min(T, max_frames)``.

    No padding here: ``feature_collate`` pads to the longest clip of the
    batch (MCN pads every clip to ``1024 x multiplier`` frames; the model pools
    only over the first ``audio_nframes``, so the result is the same).
    """

    def __init__(self, max_frames: int = 1024):
        self.max_frames = max_frames

    def transform(self, results: dict) -> dict:
        if results.get('audio') is None:
            return results
        audio = _as_float_array(results['audio'])[:, : self.max_frames]
        results['audio'] = audio
        results['audio_nframes'] = int(
            min(audio.shape[1], results.get('audio_nframes', audio.shape[1]))
        )
        return results


@TRANSFORMS.register_module()
class CaptionToWordVectors(BaseTransform):
    """``results[key]`` (a caption) -> ``results['text']``, the ``[n, D]``
    word vectors of its known words (at most ``max_words``; see
    :mod:`vltoolkit.tokenization.word_vectors`). A caption with no known
    word gives one zero row, as MCN's zero padding does.

    Args:
        word_vectors (str): path of the vectors (``.bin``/``.txt``/``.npz``).
        max_words (int): MCN uses 20. Default 20.
        lowercase (bool): lower-case before the lookup. Default False
            (GoogleNews vectors are cased).
        key (str): the caption field. Default ``'caption'``.
    """

    def __init__(
        self, word_vectors: str, max_words: int = 20, lowercase: bool = False, key: str = 'caption'
    ):
        self.word_vectors = word_vectors
        self.max_words = max_words
        self.lowercase = lowercase
        self.key = key

    def transform(self, results: dict) -> dict:
        table = get_word_vectors(self.word_vectors)
        vectors = table.encode(results[self.key], self.max_words, self.lowercase)
        results['num_words'] = len(vectors)
        if len(vectors) == 0:
            vectors = np.zeros((1, table.dim), dtype=np.float32)
        results['text'] = vectors
        return results


@TRANSFORMS.register_module()
class PackFeatureInputs(BaseTransform):
    """Return ``dict(inputs=..., data_samples=VLDataSample)`` for feature
    models: ``inputs`` holds float tensors ``video [Dv]``, ``audio [n_mels,
    T]`` (+ ``audio_nframes``), ``text [n, D]`` where present; the sample
    carries the meta keys and data keys found in the results."""

    def __init__(
        self,
        input_keys=('video', 'audio', 'text'),
        meta_keys=('clip_id', 'video_id', 'sample_idx', 'source', 'start', 'end'),
        data_keys=('caption',),
    ):
        self.input_keys = tuple(input_keys)
        self.meta_keys = tuple(meta_keys)
        self.data_keys = tuple(data_keys)

    def transform(self, results: dict) -> dict:
        inputs = {}
        for key in self.input_keys:
            if results.get(key) is not None:
                inputs[key] = torch.from_numpy(_as_float_array(results[key]))
        if 'audio' in inputs:
            inputs['audio_nframes'] = torch.tensor(
                results.get('audio_nframes', inputs['audio'].shape[-1])
            )
        return dict(
            inputs=inputs, data_samples=pack_sample(results, self.meta_keys, self.data_keys)
        )
