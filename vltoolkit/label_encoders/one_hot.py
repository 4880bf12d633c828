"""One-hot target distributions."""

import torch
import torch.nn.functional as F

from vltoolkit.registry import LABEL_ENCODERS
from vltoolkit.structures import IGNORE_INDEX


@LABEL_ENCODERS.register_module()
class OneHotLabelEncoder:
    r"""Map target ids ``[N]`` to one-hot distributions ``[N, V]``.

    .. math:: t_{n, v} = [v = y_n]

    Rows of ignored positions (``y_n = -100``) are all zero, which every
    vltoolkit loss reads as "ignored". Rows of valid positions sum to 1.
    """

    ignore_index = IGNORE_INDEX
    #: Every vltoolkit loss reads class ids exactly as these one-hot rows, so
    #: a model may pass the ids and skip building the ``[N, V]`` tensor
    #: (200 MB per step for 1,000 target tokens over a 50k vocabulary).
    ids_equivalent = True

    def __call__(self, target_ids: torch.Tensor, vocab_size: int) -> torch.Tensor:
        valid = target_ids != self.ignore_index
        dist = F.one_hot(target_ids.clamp(min=0), vocab_size).float()
        return dist * valid.unsqueeze(-1)
