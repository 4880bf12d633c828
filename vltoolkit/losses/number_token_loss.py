"""Number Token Loss: a regression-like term on the digit tokens, added to
a token loss."""

from typing import Any, Optional, Union

import torch
import torch.nn.functional as F

from vltoolkit.registry import LOSSES
from vltoolkit.structures import IGNORE_INDEX
from vltoolkit.tokenization.number_places import NO_PLACE, digit_token_ids

from .base_token_loss import BaseTokenLoss
from .log_prob_terms import LogProbCoefficients, log_prob_loss, upcast
from .number_target import NumberTarget
from .utils import masked_mean, split_target

_VARIANTS = ('was', 'mse')


@LOSSES.register_module()
class NumberTokenLoss(BaseTokenLoss):
    r"""Token loss plus the Number Token Loss (Zausinger et al., "Regress,
    Don't Guess", ICML 2025) on the digits of box coordinates.

    Reference: the ``ntloss`` package 0.3.2 (``NTLoss``: Wasserstein,
    ``NTLossDotProduct``: MSE), which the tests match to 1e-6. At a target
    digit :math:`y` (value 0..9) with logits :math:`z`, over the ten digit
    tokens :math:`k` with values :math:`v_k = k`:

    .. math::
        \tilde p_k = \mathrm{softmax}_k(z_{\mathrm{id}(k)}), \qquad
        m = \sum_k \mathrm{softmax}(z)_{\mathrm{id}(k)},

        \ell_{\mathrm{WAS}} = \sum_k d(y, k)\, \tilde p_k, \qquad
        \ell_{\mathrm{MSE}} = \Big(\sum_k \tilde p_k v_k - y\Big)^2,

    with :math:`d(y, k) = |y - k|` (``squash_factor`` :math:`f`:
    :math:`1 + (|y - k| - 1)(f - 1)/8` off the diagonal, as ``ntloss``).
    ``reweigh`` (``ntloss``'s default, not the paper's) charges mass off
    the digits: :math:`\ell \leftarrow m\,\ell + 1.01\, \ell_{\max} (1 - m)`,
    :math:`\ell_{\max}` = 9 (WAS) or 81 (MSE). The loss of a position is

    .. math::
        \ell_i = \ell^{\mathrm{base}}_i + \lambda\, [i \in \mathcal{D}]\, \ell^{\mathrm{NTL}}_i

    (:math:`\lambda` = ``ntl_weight``; :math:`\mathcal{D}`: the target
    positions that are digits of a box coordinate, the pipeline's
    ``number_places``; digits in a JSON ``label`` or a relation name keep
    the base loss only; ``TokenizeText(number_places='all')`` marks every
    number, as ``ntloss`` does), and the loss is the token-loss contract's
    mean of :math:`\ell_i` (:class:`BaseTokenLoss`). ``ntloss`` averages its
    term over the digit positions instead of the target tokens, so
    :math:`\lambda_{\mathrm{ntloss}} = \lambda \cdot` (digit positions /
    target tokens).

    The base loss (``base_loss``, token CE by default, or GEM) takes the
    label encoder's target (one-hot or
    :class:`~vltoolkit.label_encoders.DigitDistanceLabelEncoder`'s rows).
    For the chunked path (:meth:`coefficients`) the NTL term is written at
    the current point as its gradient over the ten digit logits plus an
    offset (:class:`~vltoolkit.losses.log_prob_terms.LogProbCoefficients`);
    with :math:`g_k = \partial \ell / \partial z_{\mathrm{id}(k)}` before
    reweighing (WAS: :math:`\tilde p_k (d(y,k) - \ell)`; MSE:
    :math:`2(\hat y - y)\,\tilde p_k (v_k - \hat y)`), the coefficient is
    :math:`g_k` or, reweighed, :math:`m\, g_k + (\ell - 1.01\,\ell_{\max})\, p_k`.

    Args:
        tokenizer (dict | VLTokenizer): the model's tokenizer (a
            ``TOKENIZERS`` config or an instance), writing numbers digit by
            digit.
        variant (str): ``'was'`` (Wasserstein, the paper's default) or
            ``'mse'`` (the dot-product variant). Default ``'was'``.
        reweigh (bool): ``ntloss``'s ``reweigh``. Default False (the paper).
        ntl_weight (float): :math:`\lambda`. Default 0.3 (the paper's; see
            above for the divisor).
        squash_factor (float, optional): ``ntloss``'s, WAS only. Default None.
        base_loss (dict): the token loss the term is added to. Default
            ``dict(type='TokenCrossEntropyLoss')``.
        ignore_index (int): id of ignored positions. Default -100.
        loss_weight (float): multiplies the whole loss. Default 1.

    Config::

        loss = dict(type='NumberTokenLoss', tokenizer={{_base_.tokenizer}},
                    variant='was', ntl_weight=0.3)
    """

    #: the model passes a :class:`NumberTarget` (ids, places, the encoder's target)
    uses_number_places = True
    digit_ids: torch.Tensor
    distance: torch.Tensor
    values: torch.Tensor
    base_loss: Any

    def __init__(
        self,
        tokenizer,
        variant: str = 'was',
        reweigh: bool = False,
        ntl_weight: float = 0.3,
        squash_factor: Optional[float] = None,
        base_loss: Optional[dict] = None,
        ignore_index: int = IGNORE_INDEX,
        loss_weight: float = 1.0,
    ):
        super().__init__(ignore_index=ignore_index, loss_weight=loss_weight)
        from vltoolkit.tokenization import build_tokenizer

        if variant not in _VARIANTS:
            raise ValueError(f'NumberTokenLoss: variant={variant!r}: use one of {_VARIANTS}')
        if squash_factor is not None and (variant != 'was' or not squash_factor > 1):
            raise ValueError('NumberTokenLoss: squash_factor is for variant="was", and > 1')
        self.variant, self.reweigh, self.ntl_weight = variant, bool(reweigh), float(ntl_weight)
        base = dict(type='TokenCrossEntropyLoss') if base_loss is None else dict(base_loss)
        self.base_loss = base if isinstance(base, torch.nn.Module) else LOSSES.build(base)
        if not hasattr(self.base_loss, 'coefficients'):
            raise TypeError(
                f'NumberTokenLoss: base_loss {type(self.base_loss).__name__} has no '
                'coefficients(log_p, target): use TokenCrossEntropyLoss or GEMLoss'
            )
        ids = digit_token_ids(build_tokenizer(tokenizer))
        # None: a size-only placeholder tokenizer (count_params.py); refused when called
        self.sized_only = ids is None
        self.register_buffer('digit_ids', torch.tensor(ids or list(range(10))), persistent=False)
        values = torch.arange(10, dtype=torch.float32)
        dist = (values[:, None] - values[None, :]).abs()
        if squash_factor is not None:  # ntloss.NTLoss.setup_distance_lookup
            dist = torch.where(dist == 0, dist, 1 + (dist - 1) * (squash_factor - 1) / 8)
        self.register_buffer('distance', dist, persistent=False)
        self.register_buffer('values', values, persistent=False)
        self.max_dist = float(dist.max()) if variant == 'was' else 81.0
        self._value_of_id: dict = {}

    # ----------------------------------------------------------- the term
    def _digits(self, ids, places):
        """``(is a marked digit [n], its value [n])``."""
        key = (int(self.digit_ids.max()) + 1, str(ids.device))
        if key not in self._value_of_id:
            table = torch.full((key[0],), -1, dtype=torch.long, device=ids.device)
            table[self.digit_ids.to(ids.device)] = torch.arange(10, device=ids.device)
            self._value_of_id[key] = table
        table = self._value_of_id[key]
        in_range = (ids >= 0) & (ids < len(table))
        value = torch.where(in_range, table[ids.clamp(0, len(table) - 1)], -1)
        return (places != NO_PLACE) & (value >= 0), value.clamp(min=0)

    def _digit_terms(self, log_p, ids, places, logits=None, gradient=False):
        """The pieces both paths share: ``(mask, lp, p, base, grad)`` with
        ``lp`` / ``p`` the log-probabilities / probabilities of the ten
        digits, ``base`` the term before reweighing and, with ``gradient``,
        ``grad`` its gradient over the ten digit logits (else None)."""
        mask, y = self._digits(ids, places)
        lp = log_p[:, self.digit_ids]
        p_tilde = F.softmax(lp if logits is None else logits[:, self.digit_ids], dim=-1)
        p = lp.exp() if logits is None else F.softmax(logits, dim=-1)[:, self.digit_ids]
        grad = None
        if self.variant == 'was':
            d = self.distance.to(lp.dtype)[y]
            base = (d * p_tilde).sum(-1)
            if gradient:
                grad = p_tilde * (d - base.unsqueeze(-1))
        else:
            v, target = self.values.to(lp.dtype), y.to(lp.dtype)
            y_hat = (p_tilde * v).sum(-1)
            base = (y_hat - target).square()
            if gradient:
                grad = 2 * (y_hat - target).unsqueeze(-1) * p_tilde * (v - y_hat.unsqueeze(-1))
        return mask, lp, p, base, grad

    def number_terms(
        self, log_p: torch.Tensor, ids: torch.Tensor, places: torch.Tensor, logits=None
    ):
        r"""``(loss, mask)``: :math:`\ell^{\mathrm{NTL}}` per row ``[n]`` (0 off
        the marked digits) from ``log_p [n, V]`` (and, given, the logits
        ``[n, V]``: :math:`\tilde p` from the digit logits, as ``ntloss``
        computes it), with autograd, and the marked digits ``[n]``."""
        mask, _, p, loss, _ = self._digit_terms(log_p, ids, places, logits)
        if self.reweigh:
            mass = p.sum(-1)
            loss = loss * mass + 1.01 * self.max_dist * (1 - mass)
        return torch.where(mask, loss, torch.zeros_like(loss)), mask

    @torch.no_grad()
    def _number_coefficients(self, log_p, ids, places) -> LogProbCoefficients:
        r""":math:`\lambda` times the NTL term's linearisation: ``[n, 10]``
        sparse coefficients on the digit ids, and the offset."""
        mask, lp, p, base, grad = self._digit_terms(log_p, ids, places, gradient=True)
        loss = base
        if self.reweigh:
            mass = p.sum(-1)
            top = 1.01 * self.max_dist
            loss = base * mass + top * (1 - mass)
            grad = mass.unsqueeze(-1) * grad + (base - top).unsqueeze(-1) * p
        scale = self.ntl_weight * mask.to(lp.dtype)
        coef = grad * scale.unsqueeze(-1)
        offset = loss * scale - (coef * lp).sum(-1)
        index = self.digit_ids.to(log_p.device).expand(len(lp), 10)
        return LogProbCoefficients(None, index, coef, offset)

    # ---------------------------------------------------- the two paths
    def forward(
        self,
        logits: torch.Tensor,
        target: Union[torch.Tensor, NumberTarget],
        avg_factor: Union[float, torch.Tensor, None] = None,
        weight: Optional[torch.Tensor] = None,
    ) -> torch.Tensor:
        """``logits [N, V]`` and a :class:`NumberTarget` -> the contract's
        scalar."""
        target = self._check_target(target)
        valid, dist, ids = split_target(logits, target.target, self.ignore_index)
        log_p = F.log_softmax(upcast(logits), dim=-1)
        base_coef = self.base_loss.coefficients(
            log_p.detach(), ids if dist is None else target.target
        )
        base = log_prob_loss(log_p, base_coef)
        number, _ = self.number_terms(log_p, target.ids, target.places, upcast(logits))
        per_position = base + self.ntl_weight * number
        return self.loss_weight * masked_mean(per_position, valid, avg_factor, weight)

    @torch.no_grad()
    def coefficients(self, log_p: torch.Tensor, target: NumberTarget) -> LogProbCoefficients:
        """The base loss's coefficients plus the NTL term's linearisation
        (the chunked path)."""
        target = self._check_target(target)
        base = self.base_loss.coefficients(log_p, target.target)
        return base.plus(self._number_coefficients(log_p, target.ids, target.places))

    def _check_target(self, target) -> NumberTarget:
        if self.sized_only:
            raise RuntimeError(
                'NumberTokenLoss was built on a size-only placeholder tokenizer (no digit '
                'tokens to read): put the real tokenizer there'
            )
        if not isinstance(target, NumberTarget):
            raise TypeError(
                'NumberTokenLoss takes a NumberTarget (target, ids, places): the model '
                'builds it from the pipeline\'s number_places (TokenizeText with a box '
                'coder that writes numbers)'
            )
        return target

    def __repr__(self) -> str:
        return (
            f'{type(self).__name__}(variant={self.variant!r}, reweigh={self.reweigh}, '
            f'ntl_weight={self.ntl_weight}, base_loss={type(self.base_loss).__name__})'
        )
