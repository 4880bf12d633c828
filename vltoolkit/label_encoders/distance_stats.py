"""How concentrated and how biased a distance-inverse label is, per box coder."""

from typing import Dict, Optional, Tuple

import torch

from vltoolkit.tokenization import BaseBoxCoder

from .distance import DEFAULT_POWER, DEFAULT_WINDOW, distance_label_table


def location_grid(box_coder: BaseBoxCoder) -> Tuple[torch.Tensor, float, int, int]:
    r"""Where each location index sits, in location steps, and the number of
    steps across the image.

    * bins (``num_bins`` = N): index ``k`` at ``k`` on one axis; the image
      side spans ``N - 1`` steps (bin ``k`` decodes to ``k / (N - 1)`` of
      the side);
    * patches (``num_patches_per_side`` = P): index ``row * P + col`` at
      ``(col, row)``; the side spans ``P`` cells.

    Returns:
        tuple: ``positions`` (float64 ``[L, A]``, ``A`` = 1 or 2 axes),
        ``steps_per_side`` (float), ``centre`` and ``border`` (location
        indices: the middle bin / cell, and bin 0 / the top-left corner cell).

    Raises:
        TypeError: a coder that is neither a bin nor a patch-grid coder.
    """
    if hasattr(box_coder, 'num_patches_per_side'):
        p = int(box_coder.num_patches_per_side)
        index = torch.arange(p * p)
        positions = torch.stack([index % p, index // p], dim=1).double()
        return positions, float(p), (p // 2) * p + p // 2, 0
    if hasattr(box_coder, 'num_bins'):
        n = int(box_coder.num_bins)
        return torch.arange(n).double()[:, None], float(n - 1), n // 2, 0
    raise TypeError(
        f'location_grid: {box_coder!r} is neither a bin coder '
        '(num_bins) nor a patch-grid coder (num_patches_per_side)'
    )


def distance_label_stats(
    box_coder: BaseBoxCoder,
    power: float = DEFAULT_POWER,
    scale: float = 1.0,
    window: Optional[float] = DEFAULT_WINDOW,
    mix: float = 0.0,
) -> Dict[str, float]:
    r"""Mass on the true token and border bias of the distance-inverse label
    :math:`T` (:func:`distance_label_table`, same arguments and defaults).

    For a true location index :math:`i` at position :math:`x_i` (in location
    steps, :func:`location_grid`):

    .. math::
        \text{mass}(i) = T_{ii}, \qquad
        \text{bias}(i) = \sum_j T_{ij}\, x_j - x_i

    the label's mean minus the truth. In the interior a symmetric label has
    no bias; at the border the mass that would fall outside the image is
    missing, so the mean moves inward. Returned (floats):

    * ``true_mass_centre`` / ``true_mass_border``: :math:`T_{ii}` at the
      middle bin (cell) and at bin 0 (the corner cell);
    * ``border_bias``: :math:`\text{bias}` at bin 0 / the corner cell along
      one axis, in location steps (for the corner cell both axes have the
      same bias);
    * ``border_bias_frac``: the same as a fraction of the image side
      (``border_bias / steps_per_side``);
    * ``num_locations``.
    """
    table = distance_label_table(box_coder, power, scale, window, mix)
    positions, steps, centre, border = location_grid(box_coder)
    bias = table[border] @ positions - positions[border]
    return dict(
        true_mass_centre=float(table[centre, centre]),
        true_mass_border=float(table[border, border]),
        border_bias=float(bias[0]),
        border_bias_frac=float(bias[0]) / steps,
        num_locations=int(table.shape[0]),
    )
