"""Synthetic video / audio / text features in MCN's real formats.

:func:`make_toy_mcn` writes a HowTo100M-style training set and two evaluation
pickles (YouCook2 and MSR-VTT layouts) whose modalities are correlated
through a shared latent vector per clip, so cross-modal retrieval is learnable
and the right match of every caption is known (clip ``i`` of an evaluation
file: its caption describes its own video and audio)::

    <out_dir>/train.csv                                   header `path`, rows <topic>/<video_id>
    <out_dir>/features/<path>/<video_id>_2d.npz           `features` [T, dim_2d], 1 / s
    <out_dir>/features/<path>/<video_id>_3d.npz           `features` [T, dim_3d], 1.5 / s
    <out_dir>/features_audio/<path>/<video_id>_spec.npz   `arr_0` [40, frames] float16, 100 / s
    <out_dir>/caption.pickle                              video_id -> {'start', 'end', 'text'}
    <out_dir>/youcook_val.pkl                             list of {id, 2d, 3d, audio, caption}
    <out_dir>/msrvtt_test.pkl                             list of {id, 2d_pooled, 3d_pooled, audio,
                                                          eval_caption, caption}
    <out_dir>/word_vectors.txt                            word2vec text format
    <out_dir>/meta.json                                   generation settings and clip topics

The generative model: ``num_topics`` unit topic centres in a latent space of
``latent_dim``; a clip's latent is ``z = normalise(centre + instance_noise *
n)`` (clips of a training video share its topic). Then

* video: ``softplus(W_2d z + video_noise * n)`` per feature step (and 3D
  alike), max-pooled per clip in the evaluation files;
* audio: a log-mel-like ``[40, T]`` spectrogram ``-20 + 5 (W_a z) + audio_noise
  * n`` per frame;

  (training clips are whole seconds long; the evaluation video features are
  max-pooled over the feature steps of a 3-second clip, like a training clip)
* text: 5-9 words drawn with probability ``softmax(word_sharpness * u_w^T z)``
  over a made-up vocabulary whose word vectors are ``P u_w + noise``, mixed
  with stop words and a few out-of-vocabulary words.

The MSR-VTT-layout file is noisier in audio than the YouCook2-layout one, so
the two evaluation sets favour different modality pairs. The same seed gives
the same files.
"""

import csv
import json
import os
import os.path as osp
import pickle

import numpy as np
import torch

from vltoolkit.utils.progress import track

__all__ = ['make_toy_mcn', 'TOY_MCN_STOP_WORDS', 'TOY_MCN_OOV_WORDS']

TOY_MCN_STOP_WORDS = ('the', 'a', 'and', 'then', 'with', 'now', 'into')
#: words that appear in captions but have no vector (dropped by the loader)
TOY_MCN_OOV_WORDS = ('um', 'uh', 'okay')
_CONSONANTS = 'bdfgklmnprstvz'
_VOWELS = 'aeiou'

#: per-set noise of the evaluation files (youcook2 layout, msrvtt layout)
EVAL_PROFILES = {
    'youcook2': dict(video_noise=0.6, audio_noise=0.8),
    'msrvtt': dict(video_noise=0.6, audio_noise=2.5),
}


def _make_words(rng, count):
    words = set()
    while len(words) < count:
        n = rng.integers(2, 4)
        words.add(
            ''.join(rng.choice(list(_CONSONANTS)) + rng.choice(list(_VOWELS)) for _ in range(n))
        )
    return sorted(words)


class _ToyWorld:
    """The latent topics and the maps from a latent to each modality."""

    def __init__(
        self,
        rng,
        latent_dim,
        num_topics,
        dim_2d,
        dim_3d,
        n_mels,
        we_dim,
        vocab_size,
        instance_noise,
        word_sharpness,
    ):
        self.rng = rng
        self.instance_noise = instance_noise
        self.word_sharpness = word_sharpness
        unit = lambda x: x / np.linalg.norm(x, axis=-1, keepdims=True)  # noqa: E731
        self.centres = unit(rng.normal(size=(num_topics, latent_dim)))
        scale = 2.0 / np.sqrt(latent_dim)
        self.w2d = rng.normal(scale=scale, size=(dim_2d, latent_dim))
        self.w3d = rng.normal(scale=scale, size=(dim_3d, latent_dim))
        self.wa = rng.normal(scale=scale, size=(n_mels, latent_dim))
        self.words = _make_words(rng, vocab_size)
        self.word_latent = unit(rng.normal(size=(vocab_size, latent_dim)))
        proj = rng.normal(scale=1 / np.sqrt(latent_dim), size=(we_dim, latent_dim))
        vectors = self.word_latent @ proj.T
        vectors += rng.normal(scale=0.1, size=vectors.shape)
        stop = rng.normal(scale=0.5, size=(len(TOY_MCN_STOP_WORDS), we_dim))
        self.vocab = list(self.words) + list(TOY_MCN_STOP_WORDS)
        self.vectors = np.concatenate([vectors, stop]).astype(np.float32)

    def latent(self, topic):
        z = self.centres[topic] + self.instance_noise * self.rng.normal(size=self.centres.shape[1])
        return z / np.linalg.norm(z)

    def video(self, z, steps, noise, which):
        w = self.w2d if which == '2d' else self.w3d
        x = (w @ z)[None] + noise * self.rng.normal(size=(steps, w.shape[0]))
        return np.logaddexp(0, 2 * x).astype(np.float32)  # softplus, >= 0

    def audio(self, z, frames, noise):
        x = (self.wa @ z)[:, None] + noise * self.rng.normal(size=(self.wa.shape[0], frames))
        return (-20 + 5 * x).astype(np.float32)

    def caption(self, z):
        logits = self.word_sharpness * self.word_latent @ z
        p = np.exp(logits - logits.max())
        p /= p.sum()
        n = int(self.rng.integers(5, 10))
        words = list(self.rng.choice(self.words, size=n, p=p))
        for _ in range(int(self.rng.integers(1, 3))):
            words.insert(
                int(self.rng.integers(0, len(words) + 1)), str(self.rng.choice(TOY_MCN_STOP_WORDS))
            )
        if self.rng.random() < 0.3:
            words.insert(
                int(self.rng.integers(0, len(words) + 1)), str(self.rng.choice(TOY_MCN_OOV_WORDS))
            )
        return ' '.join(words)


def _write_train(world, out_dir, num_videos, segments, rng, video_noise, audio_noise, num_topics):
    captions, paths = {}, []
    for v in track(range(num_videos), description='toy MCN videos'):
        topic = int(rng.integers(num_topics))
        video_id = f'toyvid{v:05d}'
        path = f'topic_{topic:02d}/{video_id}'
        paths.append(path)
        starts, ends, texts, latents = [], [], [], []
        # whole seconds, so that 1-fps feature steps never straddle segments
        t = int(rng.integers(0, 2))
        for _ in range(segments):
            duration = int(rng.integers(2, 5))
            z = world.latent(topic)
            starts.append(float(t))
            ends.append(float(t + duration))
            texts.append(world.caption(z))
            latents.append(z)
            t += duration + int(rng.integers(0, 2))
        captions[video_id] = dict(start=np.array(starts), end=np.array(ends), text=texts)

        def latent_at(sec):
            k = int(np.searchsorted(np.array(starts), sec, side='right')) - 1
            return latents[max(0, min(k, segments - 1))]

        length = ends[-1] + 1.0
        for kind, fps in (('2d', 1.0), ('3d', 1.5)):
            steps = int(np.ceil(length * fps))
            feats = np.stack(
                [
                    world.video(latent_at((i + 0.5) / fps), 1, video_noise, kind)[0]
                    for i in range(steps)
                ]
            )
            folder = osp.join(out_dir, 'features', path)
            os.makedirs(folder, exist_ok=True)
            np.savez(osp.join(folder, f'{video_id}_{kind}.npz'), features=feats)
        frames = int(length * 100)
        spec = np.empty((world.wa.shape[0], frames), np.float32)
        bounds = [0] + [int((s * 16000 - 200) // 160) for s in starts[1:]] + [frames]
        for k in range(segments):
            lo, hi = max(0, bounds[k]), max(0, bounds[k + 1])
            if hi > lo:
                spec[:, lo:hi] = world.audio(latents[k], hi - lo, audio_noise)
        folder = osp.join(out_dir, 'features_audio', path)
        os.makedirs(folder, exist_ok=True)
        np.savez(osp.join(folder, f'{video_id}_spec.npz'), spec.astype(np.float16))
    with open(osp.join(out_dir, 'train.csv'), 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(['path'])
        writer.writerows([p] for p in paths)
    with open(osp.join(out_dir, 'caption.pickle'), 'wb') as f:
        pickle.dump(captions, f)
    return sum(len(c['text']) for c in captions.values())


def _eval_records(world, rng, num_clips, layout, num_topics):
    noise = EVAL_PROFILES[layout]
    records, topics = [], []
    for i in range(num_clips):
        topic = int(rng.integers(num_topics))
        z = world.latent(topic)
        # max-pooled over the feature steps of a 3-second clip, as in training
        f2d = world.video(z, 3, noise['video_noise'], '2d').max(0)
        f3d = world.video(z, 5, noise['video_noise'], '3d').max(0)
        audio = world.audio(z, int(rng.integers(100, 200)), noise['audio_noise'])
        caption = world.caption(z)
        if layout == 'youcook2':
            rec = {
                'id': f'yc2_{i:04d}',
                '2d': f2d,
                '3d': f3d,
                'audio': torch.from_numpy(audio.astype(np.float16)),
                'caption': caption,
            }
        else:
            rec = {
                'id': f'video{7000 + i}',
                '2d_pooled': f2d,
                '3d_pooled': f3d,
                'audio': audio.astype(np.float16),
                'eval_caption': caption,
                'caption': [caption, world.caption(z)],
            }
        records.append(rec)
        topics.append(topic)
    return records, topics


def make_toy_mcn(
    out_dir: str,
    num_train_videos: int = 100,
    segments_per_video: int = 8,
    num_eval: int = 200,
    latent_dim: int = 16,
    num_topics: int = 12,
    dim_2d: int = 32,
    dim_3d: int = 32,
    n_mels: int = 40,
    we_dim: int = 32,
    vocab_size: int = 150,
    instance_noise: float = 0.7,
    word_sharpness: float = 6.0,
    train_video_noise: float = 0.6,
    train_audio_noise: float = 0.8,
    seed: int = 0,
) -> dict:
    """Write the toy set (see the module docstring); returns counts.

    Returns:
        dict: ``train_videos``, ``train_clips`` (caption segments),
        ``youcook2`` and ``msrvtt`` (evaluation clips), ``vocab``.
    """
    if num_eval < 1 or num_train_videos < 1 or segments_per_video < 1:
        raise ValueError('make_toy_mcn needs at least one video, segment and evaluation clip')
    os.makedirs(out_dir, exist_ok=True)
    rng = np.random.default_rng(seed)
    world = _ToyWorld(
        rng,
        latent_dim,
        num_topics,
        dim_2d,
        dim_3d,
        n_mels,
        we_dim,
        vocab_size,
        instance_noise,
        word_sharpness,
    )
    with open(osp.join(out_dir, 'word_vectors.txt'), 'w') as f:
        f.write(f'{len(world.vocab)} {we_dim}\n')
        for word, vec in zip(world.vocab, world.vectors):
            f.write(word + ' ' + ' '.join(f'{x:.5f}' for x in vec) + '\n')
    n_clips = _write_train(
        world,
        out_dir,
        num_train_videos,
        segments_per_video,
        np.random.default_rng(seed + 1),
        train_video_noise,
        train_audio_noise,
        num_topics,
    )
    meta = dict(
        seed=seed,
        latent_dim=latent_dim,
        num_topics=num_topics,
        dims=dict(video_2d=dim_2d, video_3d=dim_3d, n_mels=n_mels, word=we_dim),
        eval_profiles=EVAL_PROFILES,
        topics={},
    )
    counts = dict(train_videos=num_train_videos, train_clips=n_clips, vocab=len(world.vocab))
    for k, (layout, name) in enumerate(
        (('youcook2', 'youcook_val.pkl'), ('msrvtt', 'msrvtt_test.pkl'))
    ):
        records, topics = _eval_records(
            world, np.random.default_rng(seed + 2 + k), num_eval, layout, num_topics
        )
        with open(osp.join(out_dir, name), 'wb') as f:
            pickle.dump(records, f)
        meta['topics'][layout] = topics
        counts[layout] = len(records)
    with open(osp.join(out_dir, 'meta.json'), 'w') as f:
        json.dump(meta, f)
    return counts
