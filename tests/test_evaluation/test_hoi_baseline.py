import doctest

import numpy as np
import pytest
from sklearn.metrics import f1_score

from vltoolkit.evaluation import most_frequent_baseline
from vltoolkit.evaluation.metrics import hoi_baseline

CLASSES = ['hold_obj', 'stand', 'eat_obj', 'walk']


def test_hand_made_case():
    train = [
        ['stand', 'hold_obj'],
        ['walk'],
        ['hold_obj', 'stand'],
        ['hold_obj'],
        ['stand', 'hold_obj', 'hold_obj'],
        ['walk'],
    ]
    test = [['hold_obj', 'stand'], ['eat_obj'], ['hold_obj'], ['walk']]
    res = most_frequent_baseline(train, test, CLASSES)
    # {hold_obj, stand} occurs 3 times (order and duplicates ignored)
    assert res['prediction'] == ['hold_obj', 'stand']
    assert res['prediction_count'] == 3
    assert res['num_train'] == 6
    # hold: TP 2, FP 2 -> 2/3; stand: TP 1, FP 3 -> 2/5;
    # eat: FN 1 -> 0; walk: FN 1 -> 0.  Macro over all 4 (each has a positive)
    expected = (2 / 3 + 2 / 5 + 0 + 0) / 4 * 100
    assert res['macro_f1'] == pytest.approx(expected)
    y = np.array([[1, 1, 0, 0], [0, 0, 1, 0], [1, 0, 0, 0], [0, 0, 0, 1]])
    p = np.tile([1, 1, 0, 0], (4, 1))
    assert res['macro_f1'] == pytest.approx(f1_score(y, p, average='macro', zero_division=0) * 100)
    assert res['support'].tolist() == [2, 1, 1, 1]


def test_ties_broken_by_first_seen():
    train = [['walk'], ['stand'], ['stand'], ['walk']]
    assert most_frequent_baseline(train, [['walk']], CLASSES)['prediction'] == ['walk']
    train = [['stand'], ['walk'], ['walk'], ['stand']]
    assert most_frequent_baseline(train, [['walk']], CLASSES)['prediction'] == ['stand']


def test_empty_set_can_be_the_mode():
    res = most_frequent_baseline([[], [], ['walk']], [['walk'], ['stand']], CLASSES)
    assert res['prediction'] == []
    assert res['macro_f1'] == 0.0


def test_errors():
    with pytest.raises(ValueError, match='at least one'):
        most_frequent_baseline([], [['walk']], CLASSES)
    with pytest.raises(ValueError, match='fly'):
        most_frequent_baseline([['fly']], [['walk']], CLASSES)
    with pytest.raises(ValueError, match='swim'):
        most_frequent_baseline([['walk']], [['swim']], CLASSES)


def test_doctests():
    failed, attempted = doctest.testmod(hoi_baseline)
    assert attempted > 0 and failed == 0
