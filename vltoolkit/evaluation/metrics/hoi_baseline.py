"""Trivial HOI baseline: always answer the most frequent training label set.

A model's macro F1 means little without the score of the answer that needs
no image at all. This baseline predicts, for every test pair, the label set
(the set of relation classes) that occurs most often among the training
pairs, and scores it with :meth:`MacroF1.calculate`.
"""

from collections import Counter
from typing import Iterable, Sequence

import numpy as np

from .macro_f1 import MacroF1, multi_hot


def most_frequent_baseline(
    train_label_sets: Iterable[Iterable[str]],
    test_label_sets: Iterable[Iterable[str]],
    classes: Sequence[str],
    average_over: str = 'seen',
) -> dict:
    """Score the constant prediction "the mode of the training label sets".

    Label sets are compared as sets (order and duplicates inside one pair do
    not matter). Ties between equally frequent sets go to the one seen first
    in ``train_label_sets``.

    Args:
        train_label_sets: per training pair, its relation class names.
        test_label_sets: per test pair, its relation class names.
        classes (Sequence[str]): the relation classes, in column order.
        average_over (str): the relations macro F1 averages over
            (:meth:`MacroF1.calculate`); default ``'seen'``, as the metric.

    Returns:
        dict: everything :meth:`MacroF1.calculate` returns, plus
        ``prediction`` (list[str], the predicted classes in ``classes``
        order), ``prediction_count`` (how many training pairs have that
        set), ``num_train`` and ``classes``.

    Raises:
        ValueError: no training pair, or an unknown class name.

    Example:
        >>> res = most_frequent_baseline(
        ...     [['hold_obj'], ['stand', 'hold_obj'], ['hold_obj']],
        ...     [['hold_obj'], ['stand']], ['hold_obj', 'stand'])
        >>> res['prediction'], round(res['macro_f1'], 2)
        (['hold_obj'], 33.33)
    """
    classes = tuple(classes)
    train = [frozenset([s] if isinstance(s, str) else s) for s in train_label_sets]
    if not train:
        raise ValueError('most_frequent_baseline needs at least one training label set.')
    multi_hot(train, classes)  # validates every training class name
    counts = Counter(train)  # insertion order = first seen
    mode = max(counts, key=counts.__getitem__)  # first maximum wins ties
    prediction = [c for c in classes if c in mode]

    y_true = multi_hot(test_label_sets, classes)
    y_pred = np.repeat(multi_hot([prediction], classes), len(y_true), axis=0)
    result = MacroF1.calculate(y_true, y_pred, average_over=average_over)
    result.update(
        prediction=prediction, prediction_count=counts[mode], num_train=len(train), classes=classes
    )
    return result
