"""Recognise mmengine's error for a dataset with no samples.

The trap (mmengine 0.10.7, ``BaseDataset._serialize_data``): a dataset whose
``load_data_list()`` returns ``[]`` fails inside ``np.concatenate`` with
numpy's ``ValueError: need at least one array to concatenate``, which names
neither the dataset nor the cause. Callers catch it with
:func:`is_empty_data_list_error` and raise their own message.

Delete when: mmengine checks for an empty data list before serialising (not
as of 0.10.7).
"""

__all__ = ['is_empty_data_list_error']

_NUMPY_EMPTY_CONCAT = 'need at least one array to concatenate'


def is_empty_data_list_error(err: BaseException) -> bool:
    """Whether ``err`` is mmengine failing to serialise an empty data list."""
    return isinstance(err, ValueError) and _NUMPY_EMPTY_CONCAT in str(err)
