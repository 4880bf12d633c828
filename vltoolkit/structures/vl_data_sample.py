"""The data element that carries one vision-and-language sample."""

from typing import Any, Callable, Optional, Tuple

import numpy as np
from mmengine.structures import BaseDataElement

from .boxes import as_boxes


def _str_list(value) -> list:
    if isinstance(value, str):
        raise TypeError(f'expected a list of str, got the str {value!r}')
    return [str(v) for v in value]


def _shape(value) -> tuple:
    return tuple(int(v) for v in value)


class _Field:
    """A typed field of :class:`VLDataSample`.

    Stored like any mmengine data / meta field (in the instance ``__dict__``
    and the element's field sets, so ``'prompt' in sample``, ``keys()``,
    ``to_dict()`` and pickling behave as before); setting it checks the type
    (or converts with ``convert``) and fails with the field's name.
    """

    def __init__(self, kind: type, doc: str, convert: Optional[Callable] = None):
        self.kind, self.convert, self.__doc__ = kind, convert, doc

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, obj, objtype=None) -> Any:
        if obj is None:
            return self
        try:
            return obj.__dict__[self.name]
        except KeyError:
            raise AttributeError(
                f'{type(obj).__name__} has no {self.name!r} '
                f'field (fields: {", ".join(obj.all_keys())})'
            ) from None

    def __set__(self, obj, value) -> None:
        # reached through BaseDataElement.set_field, which has registered
        # the name as a data or meta field
        if self.convert is not None:
            try:
                value = self.convert(value)
            except (TypeError, ValueError) as err:
                raise type(err)(f'VLDataSample.{self.name}: {err}') from None
        if not isinstance(value, self.kind):
            raise TypeError(
                f'VLDataSample.{self.name} must be a '
                f'{self.kind.__name__}, got {type(value).__name__} '
                f'{value!r:.80}'
            )
        obj.__dict__[self.name] = value

    def __delete__(self, obj) -> None:
        if self.name not in obj.__dict__:
            raise AttributeError(self.name)
        del obj.__dict__[self.name]


class VLDataSample(BaseDataElement):
    """One sample of any V&L task, from the dataset to the metric.

    The fields below are typed properties: setting one checks (or converts)
    the value, so a transform that writes a box list or a wrong type fails
    at the line that wrote it. Other fields can still be set freely (a task
    uses the ones it needs).

    Meta information (``set_metainfo``): ``img_path``, ``ori_shape`` /
    ``img_shape`` ((h, w) before and after resizing), ``scale_factor``
    ((w_scale, h_scale)), ``task``, ``sample_idx``.

    Data fields: ``prompt``, ``target_text``, ``gt_bboxes``,
    ``gt_answer_bboxes``, ``gt_relations`` (set by the transforms);
    ``pred_text``, ``pred_bboxes``, ``pred_relations``, ``pred_answer``,
    ``pred_label``, ``pred_score`` (set by ``predict()`` or parsed from
    ``pred_text``). Boxes are ``np.ndarray [K, 4]`` float32, xyxy in
    ``img_shape`` pixels.

    Example:
        >>> sample = VLDataSample(metainfo=dict(task='hoi'))
        >>> sample.prompt = 'What is the interaction between ...?'
        >>> sample.gt_bboxes = [[0, 0, 10, 10]]
        >>> sample.gt_bboxes.shape, sample.task
        ((1, 4), 'hoi')
        >>> sample.prompt = None
        Traceback (most recent call last):
        TypeError: VLDataSample.prompt must be a str, got NoneType None
    """

    # meta information
    task = _Field(str, 'Task name (``hoi``, ``grounding``, ``vqa``, ...).')
    img_path = _Field(str, 'Path of the image file.')
    ori_shape = _Field(tuple, '(h, w) of the image as loaded.', _shape)
    img_shape = _Field(tuple, '(h, w) of the image after resizing.', _shape)
    scale_factor = _Field(
        tuple, '(w_scale, h_scale) of the resize.', lambda v: tuple(float(x) for x in v)
    )
    sample_idx = _Field(int, 'Index of the sample in its dataset.', int)

    # ground truth and model text
    prompt = _Field(str, 'Encoder text, location tokens included.')
    target_text = _Field(str, 'Text the decoder must generate.')
    gt_bboxes = _Field(np.ndarray, 'Ground-truth boxes [K, 4] (xyxy pixels).', as_boxes)
    gt_answer_bboxes = _Field(
        np.ndarray,
        'The boxes an answer must localise, when not '
        '``gt_bboxes[0]`` (e.g. the object of an HOI pair) [K, 4].',
        as_boxes,
    )
    gt_relations = _Field(list, 'Ground-truth relation classes (HOI).', _str_list)

    # predictions
    pred_text = _Field(str, 'Generated text, after ``predict()``.')
    pred_bboxes = _Field(np.ndarray, 'Predicted boxes [K, 4] (xyxy pixels).', as_boxes)
    pred_relations = _Field(list, 'Relation classes parsed from ``pred_text``.', _str_list)
    pred_answer = _Field(str, 'Predicted answer string (VQA).')
    pred_label = _Field(int, 'Predicted class id (VQA classifier).', int)
    pred_score = _Field(float, 'Score of ``pred_label``.', float)

    @classmethod
    def typed_fields(cls) -> Tuple[str, ...]:
        """Names of the typed fields."""
        return tuple(name for name, value in vars(cls).items() if isinstance(value, _Field))
