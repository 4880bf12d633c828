r"""Location tokens added to a pretrained VLM that writes numbers.

A chat VLM that writes boxes as text numbers writes a coordinate as digits. Giving it
location tokens instead (``<|loc_0|>`` ... ``<|loc_{L-1}|>``, the bins of a
:class:`~vltoolkit.tokenization.BinBoxCoder`) makes its boxes the bin style
of the location-token models, so :class:`~vltoolkit.label_encoders.DistanceLabelEncoder`
and :class:`~vltoolkit.losses.GEMLoss` apply unchanged. The tokenizer adds
the tokens (``VLTokenizer(add_location_tokens=True)``); :func:`add_token_rows`
grows the input embeddings and the LM head to the tokenizer's length and
starts the new rows:

* ``'sincos'``: the sin-cos code of the place a token names
  (:func:`~vltoolkit.models.utils.location_embedding.sincos2d_codes`, as
  the OFA-like model's ``location_embed_init``; a bin sits on the
  diagonal), on a ``grid`` x ``grid`` lattice (default: one cell per bin),
  scaled to the standard deviation of the old rows;
* ``'digit_mean'``: the mean of the ten digit tokens' rows;

other new tokens start at the mean of the old rows. The old rows are
copied bit for bit. ``train_new_rows_only`` trains nothing but the new rows
(a first stage that teaches the model its new words before it is
fine-tuned; train it without weight decay, which would move frozen rows).
"""

from typing import Optional

import torch
import torch.nn as nn

from vltoolkit.models.utils.location_embedding import location_centres, sincos2d_codes
from vltoolkit.tokenization.number_places import digit_token_ids

INITS = ('sincos', 'digit_mean')


def _location_codes(tokenizer, dim: int, grid: Optional[int]) -> torch.Tensor:
    coder = tokenizer.box_coder
    side = grid if grid is not None else coder.num_locations
    xy = torch.from_numpy(location_centres(coder))
    rows = xy[:, 1] * side - 0.5
    cols = xy[:, 0] * side - 0.5
    return sincos2d_codes(rows, cols, dim) * 2**0.5  # entries of std 1


@torch.no_grad()
def _start_rows(weight: torch.Tensor, first: int, tokenizer, init: str, grid) -> None:
    """Start the location-token rows (and any row past the old ones that no
    token of the base vocabulary uses) of ``weight``; rows before ``first``
    are left as they are."""
    kept = weight[:first].float()
    weight[first:] = kept.mean(0).to(weight.dtype)
    loc_ids = tokenizer.location_token_ids.to(weight.device)
    if init == 'sincos':
        codes = _location_codes(tokenizer, weight.shape[1], grid) * kept.std()
        weight[loc_ids] = codes.to(weight)
    else:
        digits = torch.tensor(digit_token_ids(tokenizer), device=weight.device)
        weight[loc_ids] = kept[digits].mean(0).to(weight.dtype)


def add_token_rows(
    hf_model: nn.Module,
    tokenizer,
    init: str = 'sincos',
    grid: Optional[int] = None,
    train_new_rows_only: bool = False,
) -> int:
    """Grow ``hf_model``'s embeddings (and an untied LM head) to
    ``len(tokenizer)`` when it is longer, and start the rows of the
    location tokens (module docstring). A pretrained matrix often has
    spare rows past its tokenizer (151,936 rows for 151,665 in one family's
    tokens): the first location tokens take those, and are started too.

    Returns:
        int: the first location token's id; the rows before it are kept
        bit for bit.
    """
    if init not in INITS:
        raise ValueError(f'added_tokens init={init!r}: use one of {INITS}')
    loc_ids = getattr(tokenizer, 'location_token_ids', None)
    if loc_ids is None or not len(loc_ids):
        raise ValueError(
            f'added_tokens: the tokenizer {tokenizer!r} has no location token to add: build '
            "it with add_location_tokens=True and a box coder of location tokens (e.g. "
            "BinBoxCoder(token_fmt='<|loc_{}|>'))"
        )
    first = int(loc_ids.min())
    embed = hf_model.get_input_embeddings()
    head = hf_model.get_output_embeddings()
    tied = head is not None and head.weight is embed.weight
    if len(tokenizer) > embed.num_embeddings:
        hf_model.resize_token_embeddings(len(tokenizer), mean_resizing=False)
    if embed.weight.device.type == 'meta':  # sizing only: no values to start
        return first
    _start_rows(hf_model.get_input_embeddings().weight, first, tokenizer, init, grid)
    head = hf_model.get_output_embeddings()
    if head is not None and not tied:
        _start_rows(head.weight, first, tokenizer, init, grid)
    return first


def train_only_rows_from(module: nn.Module, hf_model: nn.Module, first: int) -> list:
    """Freeze every parameter of ``module`` but the input embeddings and the
    LM head, and zero their gradient on the rows before ``first``. Returns
    the names of the weights left trainable."""
    keep = {id(hf_model.get_input_embeddings().weight)}
    head = hf_model.get_output_embeddings()
    if head is not None:
        keep.add(id(head.weight))
    names = []
    for name, param in module.named_parameters():
        if id(param) in keep:
            param.requires_grad_(True)
            param.register_hook(_zero_rows_before(first))
            names.append(name)
        else:
            param.requires_grad_(False)
    return names


def _zero_rows_before(first: int):
    def hook(grad):
        grad = grad.clone()
        grad[:first] = 0
        return grad

    return hook
