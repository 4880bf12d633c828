"""Distance-inverse target distributions over location tokens."""

from typing import Optional, Union

import numpy as np
import torch

from vltoolkit.registry import LABEL_ENCODERS
from vltoolkit.structures import IGNORE_INDEX
from vltoolkit.tokenization import BaseBoxCoder, VLTokenizer, build_tokenizer

#: the defaults of :class:`DistanceLabelEncoder` (the shipped recipes' values)
DEFAULT_POWER = 2.0
DEFAULT_WINDOW = 4


def distance_label_table(
    box_coder: BaseBoxCoder,
    power: float = DEFAULT_POWER,
    scale: float = 1.0,
    window: Optional[float] = DEFAULT_WINDOW,
    mix: float = 0.0,
) -> torch.Tensor:
    r"""The ``[L, L]`` table of :class:`DistanceLabelEncoder`.

    Row ``i`` is the target distribution over location indices ``j`` for
    the true location index ``i``:

    .. math::
        k_{ij} = \frac{[d(i, j) \le \mathrm{window}]}
                      {(1 + d(i, j) / s)^{\gamma}}, \qquad
        T_{ij} = (1 - m)\, \frac{k_{ij}}{\sum_{j'} k_{ij'}} + m\, [i = j]

    with :math:`d` = ``box_coder.distance`` (``|i - j|`` for bins, the
    Euclidean distance between grid cells for patch indices),
    :math:`\gamma` = ``power``, :math:`s` = ``scale``, :math:`m` = ``mix``
    (no window term when ``window`` is None). Computed in float64.

    Returns:
        torch.Tensor: float64 ``[L, L]``, rows summing to 1.
    """
    check_params(power, scale, window, mix)
    num = box_coder.num_locations
    index = np.arange(num)
    # numpy index grids: the coders compute float64 distances from them
    # (tensors would give the default dtype, float32)
    dist = torch.as_tensor(box_coder.distance(index[:, None], index[None, :]), dtype=torch.float64)
    return distance_kernel_rows(dist, power, scale, window, mix)


def distance_kernel_rows(dist: torch.Tensor, power, scale, window, mix) -> torch.Tensor:
    """The rows :math:`T_{ij}` of :func:`distance_label_table` from a float64
    ``[L, L]`` distance matrix."""
    kernel = (1.0 + dist / scale).pow(-power)
    if window is not None:
        kernel = kernel * (dist <= window)
    soft = kernel / kernel.sum(-1, keepdim=True)
    return (1.0 - mix) * soft + mix * torch.eye(dist.shape[0], dtype=torch.float64)


def check_params(power, scale, window, mix):
    if not power > 0:
        raise ValueError(f'power must be > 0, got {power!r}')
    if not scale > 0:
        raise ValueError(f'scale must be > 0, got {scale!r}')
    if window is not None and not window >= 0:
        raise ValueError(f'window must be None or >= 0, got {window!r}')
    if not 0 <= mix <= 1:
        raise ValueError(f'mix must be in [0, 1], got {mix!r}')


@LABEL_ENCODERS.register_module()
class DistanceLabelEncoder:
    r"""Target distributions that spread a location token's mass over the
    location tokens near it (the distance-inverse labels of the location-token study).

    For a target id :math:`y` at position :math:`n`:

    * ignored (``ignore_index``): an all-zero row;
    * an ordinary text token: the one-hot row :math:`e_y`;
    * the location token of location index :math:`i`: mass only on location
      tokens, :math:`t_{n, \mathrm{id}(j)} = T_{ij}` for the location index
      :math:`j` of every location token, with :math:`T` from
      :func:`distance_label_table`:

      .. math::
          T_{ij} = (1 - m)\, \frac{k_{ij}}{\sum_{j'} k_{ij'}} + m\,[i = j],
          \qquad k_{ij} = \frac{[d(i, j) \le \mathrm{window}]}
                               {(1 + d(i, j) / s)^{\gamma}}

      :math:`d` is the box coder's ``distance``: ``|i - j|`` over all ``L``
      bins for :class:`~vltoolkit.tokenization.BinBoxCoder` (OFA shares one
      bin vocabulary between x1, y1, x2, y2), the Euclidean distance between
      grid cells for :class:`~vltoolkit.tokenization.PatchIndexBoxCoder`.
      The row is maximal at :math:`j = i` and strictly decreasing in
      :math:`d` inside the window, zero outside.

    The defaults, ``power=2, window=4`` (the shipped recipes' values), put
    0.52 of the mass on the true token with 1000 bins (0.68 at bin 0) and
    0.18 on a 32x32 or 40x40 patch grid (0.39 at a corner cell), and move
    the label's mean at the border 0.56 bins (0.06% of the image) / 0.73
    cells (2.3% / 1.8% of the image) inward. Without a window the tail is
    heavy: with ``power=1, window=None`` the true bin of 1000 gets 0.079 of
    the mass, a cell of the 40x40 grid 0.008, and the mean at the border
    sits 13% (bins) / 36% (patches) of the image inward
    (:func:`~vltoolkit.label_encoders.distance_label_stats`;
    ``docs/location_learning.md`` has the table).

    Rows of valid positions sum to 1. :meth:`sparse` gives the same rows by
    their support, a :class:`~vltoolkit.losses.log_prob_terms.SparseTarget`
    of ``[N, K]`` (token id, mass) pairs with ``K`` the largest support of a
    table row (9 for bins and ``window=4``, 49 on a patch grid, ``L`` without a
    window): what the chunked token loss builds per chunk instead of
    ``[N, V]``. The ``[L, L]`` table is computed once
    at construction (float64, stored float32) and kept per device; a batch
    is one gather of table rows and one ``index_copy`` into the location
    columns, with no per-token Python loop and no host synchronisation.

    Args:
        tokenizer (dict | VLTokenizer): a ``TOKENIZERS`` config (built with
            :func:`~vltoolkit.tokenization.build_tokenizer`, so it is the
            model's instance) or a tokenizer with ``box_coder`` and
            ``location_token_ids``.
        power (float): :math:`\gamma > 0`. Default 2.
        scale (float): :math:`s > 0`, the distance at which the weight has
            fallen to :math:`2^{-\gamma}`. Default 1.
        window (float, optional): keep only :math:`d(i, j) \le` window;
            None spreads the mass over every location token. Default 4.
        mix (float): :math:`m \in [0, 1]`, the share of the one-hot target.
        ignore_index (int): id of ignored positions. Default -100.

    Config::

        label_encoder = dict(type='DistanceLabelEncoder',
                             tokenizer={{_base_.tokenizer}}, power=2.0,
                             scale=1.0, window=4, mix=0.0)

    Raises:
        ValueError: a vocabulary missing a location token of the coder, or
            ``power <= 0``, ``scale <= 0``, ``window < 0``, ``mix`` outside
            ``[0, 1]``; at call time a ``vocab_size`` too small for the
            location tokens.
    """

    def __init__(
        self,
        tokenizer: Union[dict, VLTokenizer],
        power: float = DEFAULT_POWER,
        scale: float = 1.0,
        window: Optional[float] = DEFAULT_WINDOW,
        mix: float = 0.0,
        ignore_index: int = IGNORE_INDEX,
    ) -> None:
        check_params(power, scale, window, mix)
        built = build_tokenizer(tokenizer)
        self.box_coder = built.box_coder
        self.location_token_ids = self._check_vocabulary(built)
        self.power, self.scale, self.window, self.mix = power, scale, window, mix
        self.ignore_index = ignore_index
        self.table = distance_label_table(self.box_coder, power, scale, window, mix).float()
        # the support of each table row: [L, K] location indices and masses
        support = int((self.table > 0).sum(-1).max())
        self.support_mass, self.support_index = self.table.topk(support, dim=-1)
        self._max_location_id = int(self.location_token_ids.max())
        self._cache: dict = {}

    @staticmethod
    def _check_vocabulary(tokenizer):
        coder = tokenizer.box_coder
        ids = torch.as_tensor(tokenizer.location_token_ids, dtype=torch.long)
        inner = getattr(tokenizer, 'tokenizer', None)
        if inner is not None and hasattr(inner, 'get_vocab'):
            vocab = inner.get_vocab()
            missing = [t for t in coder.location_tokens if t not in vocab]
            if missing:
                raise ValueError(
                    f'DistanceLabelEncoder: the vocabulary of {tokenizer!r} '
                    f'lacks {len(missing)} location token(s) of {coder!r}, '
                    f'e.g. {missing[0]!r}; build the tokenizer with this box '
                    'coder'
                )
            expected = [vocab[t] for t in coder.location_tokens]
            if ids.tolist() != expected:
                raise ValueError(
                    f'DistanceLabelEncoder: location_token_ids of '
                    f'{tokenizer!r} disagree with the ids of the location '
                    f'tokens of {coder!r} in its vocabulary'
                )
        if ids.shape != (coder.num_locations,):
            raise ValueError(
                f'DistanceLabelEncoder: {tokenizer!r} has {ids.numel()} '
                f'location token ids, its box coder {coder!r} '
                f'{coder.num_locations} location tokens'
            )
        return ids

    def _tables(self, vocab_size, device):
        key = (int(vocab_size), str(device))
        if key not in self._cache:
            ids = self.location_token_ids.to(device)
            index_of_id = torch.full((int(vocab_size),), -1, dtype=torch.long, device=device)
            index_of_id[ids] = torch.arange(ids.numel(), device=device)
            self._cache[key] = (self.table.to(device), ids, index_of_id)
        return self._cache[key]

    def __call__(self, target_ids: torch.Tensor, vocab_size: int) -> torch.Tensor:
        """Target ids ``[N]`` -> float32 distributions ``[N, vocab_size]``."""
        if vocab_size <= self._max_location_id:
            raise ValueError(
                f'DistanceLabelEncoder: vocab_size {vocab_size} is too small '
                f'for the location token ids (up to {self._max_location_id})'
            )
        table, loc_ids, index_of_id = self._tables(vocab_size, target_ids.device)
        valid = target_ids != self.ignore_index
        safe = torch.where(valid, target_ids, torch.zeros_like(target_ids))
        loc_index = index_of_id[safe]
        is_loc = valid & (loc_index >= 0)
        is_text = valid & ~is_loc
        # location rows: table row of their index, in the location columns
        rows = table[loc_index.clamp(min=0)] * is_loc.unsqueeze(-1)
        out = torch.zeros(
            target_ids.shape[0], int(vocab_size), dtype=torch.float32, device=target_ids.device
        )
        out.index_copy_(1, loc_ids, rows)
        # text rows: one-hot (adds 0 on location and ignored rows)
        out.scatter_add_(1, safe.unsqueeze(-1), is_text.unsqueeze(-1).to(out.dtype))
        return out

    def sparse(self, target_ids: torch.Tensor, vocab_size: int):
        """Target ids ``[N]`` -> the rows of :meth:`__call__` by their
        support, a :class:`~vltoolkit.losses.log_prob_terms.SparseTarget`
        ``(index [N, K], weight [N, K])`` (float32 weights; text rows put 1
        on their id, ignored rows are all zero; padding entries have weight
        0). ``SparseTarget.to_dense(vocab_size)`` equals :meth:`__call__`."""
        from vltoolkit.losses.log_prob_terms import SparseTarget

        if vocab_size <= self._max_location_id:
            raise ValueError(
                f'DistanceLabelEncoder: vocab_size {vocab_size} is too small '
                f'for the location token ids (up to {self._max_location_id})'
            )
        _, loc_ids, index_of_id = self._tables(vocab_size, target_ids.device)
        support_index, support_mass = self._support(target_ids.device)
        valid = target_ids != self.ignore_index
        safe = torch.where(valid, target_ids, torch.zeros_like(target_ids))
        loc_index = index_of_id[safe]
        is_loc = valid & (loc_index >= 0)
        is_text = valid & ~is_loc
        rows = loc_index.clamp(min=0)
        index = torch.where(is_loc.unsqueeze(-1), loc_ids[support_index[rows]], safe.unsqueeze(-1))
        weight = support_mass[rows] * is_loc.unsqueeze(-1)
        weight[:, 0] += is_text.to(weight.dtype)
        return SparseTarget(index, weight)

    def _support(self, device):
        key = ('support', str(device))
        if key not in self._cache:
            self._cache[key] = (self.support_index.to(device), self.support_mass.to(device))
        return self._cache[key]

    def __repr__(self) -> str:
        return (
            f'{type(self).__name__}(box_coder={self.box_coder!r}, '
            f'power={self.power}, scale={self.scale}, window='
            f'{self.window}, mix={self.mix})'
        )
