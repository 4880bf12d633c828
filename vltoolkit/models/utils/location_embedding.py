"""Location-token embeddings that start out knowing where they point.

A model trained from scratch sees its location tokens (``<loc_i>``) as
unrelated words: each of the ``L`` embeddings is learnt from the few targets
that name it, and nothing tells it that ``<loc_54>`` sits next to
``<loc_55>``. :func:`init_location_embeddings` writes into each location
token's (input, and when tied, output) embedding the same fixed 2-D sin-cos
code the ViT adds to the patch at that place (``TimmVisionEncoder(
pos_embed='sincos2d')``, MAE's table):

.. math::

    e_i = \\sigma \\sqrt{2} \\,[\\sin(r_i\\omega), \\sin(c_i\\omega),
    \\cos(r_i\\omega), \\cos(c_i\\omega)],\\qquad
    \\omega_k = T^{-k / (D/4)},\\; k = 0 \\dots D/4 - 1

where :math:`(r_i, c_i)` is the centre of the place token :math:`i` names, in
ViT patch units (``fraction of the image side x grid - 1/2``, so a token
pointing at a patch centre gets exactly that patch's code), :math:`T = 10^4`,
:math:`D` the embedding width and :math:`\\sigma` the model's embedding init
std (the code's entries have std :math:`1/\\sqrt{2}`). A bin of an OFA-style
coder (one coordinate, used for x and for y) sits on the diagonal,
:math:`r_i = c_i`. Neighbouring tokens then start with similar embeddings,
and a decoder that attends to a patch reads back that patch's code.
"""

import numpy as np
import torch
import torch.nn as nn
from timm.layers.pos_embed_sincos import freq_bands

__all__ = ['location_centres', 'sincos2d_codes', 'init_location_embeddings']


def location_centres(box_coder) -> np.ndarray:
    """``[L, 2]`` (x, y): the centre of the place each location index names,
    as a fraction of the image side (a bin: its value on both axes)."""
    n = box_coder.num_tokens_per_box
    centres = []
    for i in range(box_coder.num_locations):
        x1, y1, x2, y2 = box_coder.decode_indices([i] * n, (1.0, 1.0))
        centres.append(((x1 + x2) / 2, (y1 + y2) / 2))
    return np.asarray(centres, dtype=np.float64)


def sincos2d_codes(
    rows: torch.Tensor, cols: torch.Tensor, dim: int, temperature: float = 10000.0
) -> torch.Tensor:
    """timm's ``build_sincos2d_pos_embed`` layout at real-valued positions:
    ``[sin(r w), sin(c w), cos(r w), cos(c w)]``, ``[N, dim]``."""
    if dim % 4:
        raise ValueError(f'sin-cos 2-D codes need a width divisible by 4, got {dim}')
    bands = freq_bands(dim // 4, temperature=temperature, step=1)
    pos = torch.stack([rows, cols], dim=1).float().unsqueeze(-1) * bands  # [N, 2, D/4]
    return torch.stack([pos.sin(), pos.cos()], dim=1).flatten(1)


@torch.no_grad()
def init_location_embeddings(
    embedding: nn.Embedding, token_ids: torch.Tensor, box_coder, grid_size, std: float
) -> torch.Tensor:
    """Overwrite the rows ``token_ids`` of ``embedding`` with the sin-cos
    codes of their places on a ViT patch grid ``grid_size = (rows, cols)``,
    scaled to entries of std ``std``. Returns the codes written."""
    xy = torch.from_numpy(location_centres(box_coder))
    rows = xy[:, 1] * grid_size[0] - 0.5
    cols = xy[:, 0] * grid_size[1] - 0.5
    codes = sincos2d_codes(rows, cols, embedding.embedding_dim) * (std * 2**0.5)
    embedding.weight[token_ids.to(embedding.weight.device)] = codes.to(embedding.weight)
    return codes
