"""Which relations a model confuses: true vs predicted relation sets."""

from typing import Iterable, Sequence, Tuple

import numpy as np

NONE = '(none)'


def relation_confusion(
    gt_sets: Iterable[Iterable[str]], pred_sets: Iterable[Iterable[str]], classes: Sequence[str]
) -> Tuple[np.ndarray, list]:
    """Co-occurrence counts of true and predicted relations over samples.

    ``M[t, p]`` counts the samples whose ground truth holds ``t`` and whose
    prediction holds ``p`` (a multi-label confusion: a sample with true
    {hold, eat} predicted {hold} adds to ``M[hold, hold]`` and
    ``M[eat, hold]``). An empty prediction counts in the ``(none)`` column,
    an empty ground truth in the ``(none)`` row. The diagonal is what is
    right; a row's off-diagonal mass is what ``t`` is mistaken for.

    Returns:
        (counts ``[C + 1, C + 1]`` int, labels ``classes + ['(none)']``)

    Example:
        >>> m, labels = relation_confusion([{'hold', 'eat'}], [{'hold'}], ['hold', 'eat'])
        >>> m.tolist()
        [[1, 0, 0], [1, 0, 0], [0, 0, 0]]
    """
    labels = list(classes) + [NONE]
    index = {c: i for i, c in enumerate(labels)}
    counts = np.zeros((len(labels), len(labels)), np.int64)
    for gt, pred in zip(gt_sets, pred_sets):
        rows = [index[c] for c in gt] or [index[NONE]]
        cols = [index[c] for c in pred] or [index[NONE]]
        for r in rows:
            for c in cols:
                counts[r, c] += 1
    return counts, labels
