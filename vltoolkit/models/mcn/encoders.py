"""Per-modality encoders of MCN over pre-extracted features.

Every encoder maps its inputs to ``(embedding [B, D], feature [B, F])``: the
joint-space embedding and the feature its reconstruction head must recover
(MCN's reconstruction targets). ``input_keys`` names the batch entries it
reads, so the model calls every encoder the same way. Float inputs are cast
to the dtype of the encoder's weights (the features arrive as float32;
``model.double()`` or a bfloat16 model then still runs).
"""

import math
from typing import Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from vltoolkit.registry import MODELS


class GatedEmbeddingUnit(nn.Module):
    r"""Linear projection then context gating (Miech et al. 2018), MCN's
    ``Gated_Embedding_Unit``: :math:`y = W x + b`, :math:`\mathrm{GU}(x) =
    y \odot \sigma(W_g y + b_g)`. No normalisation (MCN keeps raw scale)."""

    def __init__(self, in_dim: int, out_dim: int):
        super().__init__()
        self.fc = nn.Linear(in_dim, out_dim)
        self.gate = nn.Linear(out_dim, out_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.fc(x)
        return y * torch.sigmoid(self.gate(y))


@MODELS.register_module()
class VideoFeatureEncoder(nn.Module):
    """Video: the pooled 2D+3D feature ``video [B, in_dim]`` through a gated
    embedding unit. Reconstruction target: the input feature itself."""

    input_keys = ('video',)

    def __init__(self, in_dim: int = 4096, embed_dim: int = 6144):
        super().__init__()
        self.feature_dim = in_dim
        self.gu = GatedEmbeddingUnit(in_dim, embed_dim)

    def forward(self, video: torch.Tensor):
        video = video.to(self.gu.fc.weight.dtype)
        return self.gu(video), video


class _ResBlock1d(nn.Module):
    def __init__(self, cin, cout, kernel, stride):
        super().__init__()
        pad = kernel // 2
        self.stride = stride
        self.conv1 = nn.Conv1d(cin, cout, kernel, stride, pad, bias=False)
        self.bn1 = nn.BatchNorm1d(cout)
        self.conv2 = nn.Conv1d(cout, cout, kernel, 1, pad, bias=False)
        self.bn2 = nn.BatchNorm1d(cout)
        self.shortcut = (
            nn.Identity()
            if (cin == cout and stride == 1)
            else nn.Sequential(nn.Conv1d(cin, cout, 1, stride, bias=False), nn.BatchNorm1d(cout))
        )

    def forward(self, x, keep):
        # keep [B, 1, T_out]: 1 on valid output frames; padded ones stay 0
        out = F.relu(self.bn1(self.conv1(x))) * keep
        return F.relu(self.bn2(self.conv2(out)) + self.shortcut(x)) * keep


@MODELS.register_module()
class DAVEnetAudioEncoder(nn.Module):
    """Audio: a ResDAVEnet-style 1-D residual CNN over the log-mel
    spectrogram (Harwath et al.; MCN's audio branch), masked average pooling
    over the valid frames, a gated embedding unit and a projection.

    ``BN(n_mels) -> Conv1d(n_mels, c0, 1) -> stages`` where stage ``s`` has
    ``blocks_per_stage`` basic residual blocks of width ``channels[s]`` with
    kernel ``kernel`` (the first one strided by 2), so time shrinks by
    ``2 ** len(channels)``. MCN: ``channels=(128, 256, 512, 1024)``, 2 blocks,
    kernel 9. The pooling averages over the first ``ceil(nframes / 2**S)``
    output frames (MCN's evaluation pooling), and padded frames are zeroed
    after every layer, so a clip's embedding does not depend on the padding
    of its batch (in eval mode).

    Inputs ``audio [B, n_mels, T]``, ``audio_nframes [B]``. Reconstruction
    target: the pooled CNN output ``[B, channels[-1]]``.
    """

    input_keys = ('audio', 'audio_nframes')

    def __init__(
        self,
        n_mels: int = 40,
        channels: Sequence[int] = (128, 256, 512, 1024),
        blocks_per_stage: int = 2,
        kernel: int = 9,
        embed_dim: int = 6144,
    ):
        super().__init__()
        self.input_bn = nn.BatchNorm1d(n_mels)
        self.stem = nn.Sequential(
            nn.Conv1d(n_mels, channels[0], 1, bias=False), nn.BatchNorm1d(channels[0]), nn.ReLU()
        )
        stages, cin = [], channels[0]
        for cout in channels:
            blocks = [_ResBlock1d(cin, cout, kernel, 2)]
            blocks += [_ResBlock1d(cout, cout, kernel, 1) for _ in range(blocks_per_stage - 1)]
            stages.append(nn.Sequential(*blocks))
            cin = cout
        self.stages = nn.Sequential(*stages)
        self.feature_dim = channels[-1]
        self.gu = GatedEmbeddingUnit(channels[-1], channels[-1])
        self.proj = nn.Linear(channels[-1], embed_dim)

    def forward(self, audio: torch.Tensor, audio_nframes: torch.Tensor):
        valid = torch.clamp(audio_nframes.to(audio.device).long(), min=1)

        def keep(length, valid):
            return (torch.arange(length, device=audio.device)[None] < valid[:, None])[:, None].to(
                audio.dtype
            )

        # padded frames are zeroed after every layer, so a clip's output does
        # not depend on how much padding its batch added (dynamic padding)
        audio = audio.to(self.proj.weight.dtype)
        x = self.stem(self.input_bn(audio) * keep(audio.shape[-1], valid))
        x = x * keep(x.shape[-1], valid)
        for stage in self.stages:
            for block in stage:
                if block.stride > 1:
                    valid = torch.div(valid + block.stride - 1, block.stride, rounding_mode='floor')
                out_len = (x.shape[-1] - 1) // block.stride + 1
                x = block(x, keep(out_len, valid))
        pooled = x.sum(-1) / valid[:, None].to(x.dtype)
        return self.proj(self.gu(pooled)), pooled


@MODELS.register_module()
class SentenceMaxpoolEncoder(nn.Module):
    r"""Text: word vectors ``text [B, W, we_dim]`` (``text_mask [B, W]``)
    through ``Linear -> ReLU``, max-pooled over the words (MCN's
    ``Sentence_Maxpool``), then a gated embedding unit. Reconstruction target:
    the max-pooled feature ``[B, embed_dim]``.

    MCN zero-pads every caption to ``max_words`` word vectors and max-pools
    over all of them, padding included; a zero word gives
    :math:`\mathrm{ReLU}(W 0 + b) = \mathrm{ReLU}(b)`, so for a caption of
    :math:`n` words :math:`w_1..w_n`

    .. math::
        h = \max\big(\max_{k \le n} \mathrm{ReLU}(W w_k + b),\;
                      [n < \mathrm{max\_words}]\, \mathrm{ReLU}(b)\big)

    (elementwise), which is the default (``mask_padding=False``). It is
    computed from the caption's own length, so it does not depend on how
    much padding the batch's longest caption adds (dynamic padding).
    ``mask_padding=True`` pools over the caption's words only,
    :math:`h = \max_{k \le n} \mathrm{ReLU}(W w_k + b)` (a caption of no
    word gives 0).

    Args:
        we_dim (int): word vector size (MCN 300).
        embed_dim (int): output size.
        max_words (int): the length MCN pads captions to; keep it equal to
            ``CaptionToWordVectors(max_words)``. Default 20 (MCN).
        mask_padding (bool): leave the padding out of the max. Default False
            (the official code).
    """

    input_keys = ('text', 'text_mask')

    def __init__(
        self,
        we_dim: int = 300,
        embed_dim: int = 6144,
        max_words: int = 20,
        mask_padding: bool = False,
    ):
        super().__init__()
        self.fc = nn.Linear(we_dim, embed_dim)
        self.feature_dim = embed_dim
        self.max_words = max_words
        self.mask_padding = mask_padding
        self.gu = GatedEmbeddingUnit(embed_dim, embed_dim)

    def forward(self, text: torch.Tensor, text_mask: torch.Tensor):
        x = F.relu(self.fc(text.to(self.fc.weight.dtype)))
        is_word = text_mask.bool()
        pooled = x.masked_fill(~is_word[..., None], -math.inf).max(dim=1).values
        if self.mask_padding:
            pooled = torch.nan_to_num(pooled, neginf=0.0)  # a caption of no word
        else:
            padded = (is_word.sum(1) < self.max_words)[:, None]
            zero_word = F.relu(self.fc.bias)  # ReLU(W 0 + b)
            pooled = torch.where(padded, torch.maximum(pooled, zero_word), pooled)
        return self.gu(pooled), pooled
