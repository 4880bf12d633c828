"""Macro F1 over relation classes, for answers generated as text (HOI).

For relation class ``k`` over the evaluated samples::

    P_k  = TP_k / (TP_k + FP_k)          (0 when TP_k + FP_k = 0)
    R_k  = TP_k / (TP_k + FN_k)          (0 when TP_k + FN_k = 0)
    F1_k = 2 TP_k / (2 TP_k + FP_k + FN_k)   (0 when the denominator is 0)

    macro F1 = 100 * 1/|L| * sum_{k in L} F1_k
    micro F1 = 100 * 2 TP / (2 TP + FP + FN),  TP, FP, FN summed over all classes

where the set ``L`` of averaged relations is chosen by ``average_over``:

    'seen' (default)  L = {k : TP_k + FP_k + FN_k >= 1}  a ground-truth positive
                                                         or a prediction
    'all'             L = {1 .. C}                       the dataset's class list
    'gt'              L = {k : TP_k + FN_k >= 1}         a ground-truth positive

so that, times 100,

    'seen'  f1_score(y_true, y_pred, average='macro', zero_division=np.nan)
    'all'   f1_score(y_true, y_pred, average='macro', zero_division=0)
    'gt'    f1_score(y_true, y_pred, average='macro', labels=L_gt, zero_division=0)

(the multi-task HOI study's ``1/m sum_i F1_i`` is ``'all'``; it equals ``'seen'`` and
``'gt'`` when every relation occurs in the ground truth). Under ``'seen'`` a
hallucinated relation (predicted, never in the ground truth) scores 0 and
lowers the mean; under ``'gt'`` it is left out and only micro F1 sees it.
"""

from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger, print_log  # noqa: F401
from mmengine.structures import BaseDataElement

from vltoolkit.registry import METRICS

from ..parsers import RelationParser
from .relation_table import relation_table, render_table
from .utils import LEFT_OUT, keeps_task, sample_field, scored, warn_if_no_task_matched

if TYPE_CHECKING:
    import torch

ArrayLike = Union[np.ndarray, Sequence, 'torch.Tensor']

#: the sets of relations macro F1 can average over (see the module doc)
AVERAGE_OVER = ('seen', 'all', 'gt')


def _check_average_over(average_over: str) -> str:
    if average_over not in AVERAGE_OVER:
        raise ValueError(f'average_over must be one of {AVERAGE_OVER}, got {average_over!r}')
    return average_over


def averaged_relations(
    tp: np.ndarray, fp: np.ndarray, fn: np.ndarray, average_over: str = 'seen'
) -> np.ndarray:
    """Column indices of the relations macro F1 averages over.

    ``'seen'``: ``TP + FP + FN >= 1``; ``'all'``: every column; ``'gt'``:
    ``TP + FN >= 1`` (per-class counts, arrays ``(C,)``).

    Example:
        >>> tp, fp, fn = np.array([1, 0, 0]), np.array([0, 2, 0]), np.array([1, 0, 0])
        >>> [averaged_relations(tp, fp, fn, a).tolist() for a in AVERAGE_OVER]
        [[0, 1], [0, 1, 2], [0]]
    """
    _check_average_over(average_over)
    if average_over == 'all':
        return np.arange(len(tp))
    if average_over == 'gt':
        return np.flatnonzero(tp + fn > 0)
    return np.flatnonzero(tp + fp + fn > 0)


def _to_binary(x, name: str) -> np.ndarray:
    """A 2-D 0/1 numpy array (bool) from an array, a tensor or a list."""
    if hasattr(x, 'detach'):  # torch.Tensor
        x = x.detach().cpu().numpy()
    x = np.asarray(x)
    if x.ndim != 2:
        raise ValueError(f'{name} must be a 2-D (N, C) array, got shape {x.shape}.')
    if x.dtype != bool:
        if x.size and not np.isin(x, (0, 1)).all():
            raise ValueError(f'{name} must hold only 0 and 1.')
        x = x.astype(bool)
    return x


def _safe_div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` element-wise, 0 where ``den`` is 0 (zero_division=0)."""
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    out = np.zeros(np.broadcast(num, den).shape, dtype=np.float64)
    np.divide(num, den, out=out, where=den != 0)
    return out


def multi_hot(label_sets: Iterable[Iterable[str]], classes: Sequence[str]) -> np.ndarray:
    """Encode label sets (lists of class names) as an (N, C) uint8 array.

    Raises:
        ValueError: a class name is not in ``classes`` (the error names it).

    Example:
        >>> multi_hot([['b'], ['a', 'b', 'a'], []], ['a', 'b', 'c'])
        array([[0, 1, 0],
               [1, 1, 0],
               [0, 0, 0]], dtype=uint8)
    """
    index = {name: i for i, name in enumerate(classes)}
    rows = []
    for labels in label_sets:
        if isinstance(labels, str):
            labels = [labels]
        row = np.zeros(len(index), dtype=np.uint8)
        for name in labels:
            if name not in index:
                raise ValueError(
                    f'Unknown relation class {name!r}; known classes: {", ".join(classes)}.'
                )
            row[index[name]] = 1
        rows.append(row)
    if not rows:
        return np.zeros((0, len(index)), dtype=np.uint8)
    return np.stack(rows)


@METRICS.register_module()
class MacroF1(BaseMetric):
    r"""Macro F1 of relations parsed from generated answers (HOI).

    ``process`` parses each sample's ``pred_text`` with a
    :class:`~vltoolkit.evaluation.RelationParser` into a multi-hot row and
    encodes ``gt_relations`` (class names) into another; ``compute_metrics``
    scores them with :meth:`calculate`:

    .. math::

        F1_k = \frac{2 TP_k}{2 TP_k + FP_k + FN_k}, \qquad
        \text{macro F1} = \frac{100}{|L|} \sum_{k \in L} F1_k

    where ``average_over`` chooses the relations :math:`L`:

    * ``'seen'`` (default): those with a ground-truth positive **or** a
      prediction among the evaluated samples, i.e. ``f1_score(y_true,
      y_pred, average='macro', zero_division=np.nan) * 100``. A
      hallucinated relation (predicted, absent from the ground truth) has
      F1 = 0 and lowers the score; a relation nobody mentions is left out.
    * ``'all'``: every relation of the class list (the multi-task HOI study's
      :math:`\frac{1}{m}\sum_i F1_i`), ``f1_score(..., average='macro',
      zero_division=0) * 100``.
    * ``'gt'``: those with a ground-truth positive, ``f1_score(...,
      labels=L_gt, zero_division=0) * 100`` (the toolkit's rule before
      ``average_over`` existed: blind to hallucinated relations).

    Micro F1 pools TP / FP / FN over *all* classes. The per-relation table
    marks the relations left out of the mean.

    Class order and phrases come from ``dataset_meta`` (``classes`` and
    ``relation_phrases``, set by the runner) unless given here. A class
    without a phrase falls back to its own name (``'hold_obj'`` matches the
    answer ``'hold obj'`` or ``'hold_obj'``).

    Args:
        classes (Sequence[str], optional): relation classes, in column order.
            Defaults to ``dataset_meta['classes']``.
        average_over (str): ``'seen'``, ``'all'`` or ``'gt'``, the relations
            the macro values average over. Default ``'seen'``.
        phrases (dict[str, str], optional): class -> answer phrase. Defaults
            to ``dataset_meta['relation_phrases']``.
        print_table (bool): log the per-relation table after each
            evaluation. Defaults to True.
        table_width (int): width of the logged table in characters.
        tasks (Sequence[str], optional): only score samples whose ``task``
            is one of these (a multi-task evaluator gives every metric all
            samples); ``None`` scores every sample.
        collect_device, prefix, collect_dir: see
            :class:`mmengine.evaluator.BaseMetric`.

    Returned metrics (prefixed ``hoi/`` by the evaluator): ``macro_f1``,
    ``micro_f1``, ``macro_precision``, ``macro_recall`` (percent),
    ``unparseable`` (answers with no recognised relation), ``unknown_segments``
    (ignored answer segments), ``num_relations`` (:math:`|L|`), ``num_samples``.
    The full per-class result of the last evaluation is kept in
    :attr:`last_result` (see :meth:`calculate`, plus ``classes``).

    Example:
        >>> metric = MacroF1(classes=['hold_obj', 'eat_obj', 'walk'],
        ...                  phrases={'hold_obj': 'hold', 'eat_obj': 'eat',
        ...                           'walk': 'walk'}, print_table=False)
        >>> metric.process(None, [
        ...     dict(pred_text='hold , eat', gt_relations=['hold_obj']),
        ...     dict(pred_text='<loc_1> Walk', gt_relations=['walk']),
        ...     dict(pred_text='???', gt_relations=['eat_obj'])])
        >>> res = metric.compute_metrics(metric.results)
        >>> round(res['macro_f1'], 2), res['unparseable']   # eat_obj: F1 0
        (66.67, 1)
    """

    default_prefix: Optional[str] = 'hoi'

    def __init__(
        self,
        classes: Optional[Sequence[str]] = None,
        phrases: Optional[Dict[str, str]] = None,
        average_over: str = 'seen',
        print_table: bool = True,
        table_width: int = 100,
        tasks: Optional[Sequence[str]] = None,
        collect_device: str = 'cpu',
        prefix: Optional[str] = None,
        collect_dir: Optional[str] = None,
    ) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix, collect_dir=collect_dir)
        self.classes = tuple(classes) if classes is not None else None
        self.phrases = dict(phrases) if phrases is not None else None
        self.average_over = _check_average_over(average_over)
        self.print_table = print_table
        self.table_width = table_width
        self.tasks = tuple(tasks) if tasks is not None else None
        self.last_result: Optional[dict] = None
        self._parser: Optional[RelationParser] = None

    # dataset_meta may be set (by the runner) after __init__: rebuild the
    # parser lazily from whatever is current.
    @property
    def dataset_meta(self) -> Optional[dict]:
        return self._dataset_meta

    @dataset_meta.setter
    def dataset_meta(self, dataset_meta: dict) -> None:
        self._dataset_meta = dataset_meta
        self._parser = None

    @property
    def parser(self) -> RelationParser:
        """The :class:`RelationParser` for the resolved classes / phrases."""
        if self._parser is None:
            classes, phrases = self._resolve_vocabulary()
            self._parser = RelationParser({c: phrases[c] for c in classes})
        return self._parser

    def _resolve_vocabulary(self) -> Tuple[Tuple[str, ...], Dict[str, str]]:
        meta = self.dataset_meta or {}
        phrases = self.phrases
        if phrases is None:
            phrases = dict(meta.get('relation_phrases') or {})
        classes = self.classes
        if classes is None:
            classes = meta.get('classes')
        if classes is None:
            classes = tuple(phrases)
        classes = tuple(classes)
        if not classes:
            raise ValueError(
                'MacroF1 has no relation classes: pass `classes` / `phrases` '
                "or evaluate on a dataset whose METAINFO has 'classes'."
            )
        phrases = {c: phrases.get(c, c) for c in classes}
        return classes, phrases

    def process(
        self, data_batch: Any, data_samples: Sequence[Union[dict, BaseDataElement]]
    ) -> None:
        """Parse ``pred_text`` and encode ``gt_relations`` of each sample.

        Args:
            data_batch: unused.
            data_samples (Sequence[dict | VLDataSample]): predicted samples.
        """
        parser = self.parser
        classes = parser.classes
        for sample in data_samples:
            if not keeps_task(self, sample):
                self.results.append(LEFT_OUT)  # keeps ranks aligned (utils.scored)
                continue
            pred, n_unknown = parser.parse(sample_field(sample, 'pred_text'))
            gt = sample_field(sample, 'gt_relations')
            if isinstance(gt, str):
                gt = [gt]
            gt_row = multi_hot([gt], classes)[0]
            pred_row = multi_hot([sorted(pred)], classes)[0]
            self.results.append(
                dict(pred=pred_row, gt=gt_row, n_unknown=n_unknown, unparseable=not pred)
            )

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Score the processed results with :meth:`calculate`."""
        results = scored(results)
        warn_if_no_task_matched(self, results)
        classes = self.parser.classes
        if results:
            y_true = np.stack([r['gt'] for r in results])
            y_pred = np.stack([r['pred'] for r in results])
        else:
            y_true = y_pred = np.zeros((0, len(classes)), dtype=np.uint8)
        result = self.calculate(y_true, y_pred, average_over=self.average_over)
        result['classes'] = classes
        self.last_result = result
        if self.print_table:
            table = relation_table(result, classes)
            print_log('\n' + render_table(table, self.table_width), logger='current')
        return dict(
            macro_f1=result['macro_f1'],
            micro_f1=result['micro_f1'],
            macro_precision=result['macro_precision'],
            macro_recall=result['macro_recall'],
            unparseable=int(sum(bool(r['unparseable']) for r in results)),
            unknown_segments=int(sum(int(r['n_unknown']) for r in results)),
            num_relations=int(len(result['labels'])),
            num_samples=int(len(results)),
        )

    @staticmethod
    def calculate(
        y_true: ArrayLike,
        y_pred: ArrayLike,
        labels: Optional[Sequence[int]] = None,
        average_over: str = 'seen',
    ) -> dict:
        """Per-class and averaged P / R / F1 of multi-label 0/1 arrays.

        ``F1_k = 2 TP_k / (2 TP_k + FP_k + FN_k)``, ``P_k = TP_k / (TP_k +
        FP_k)``, ``R_k = TP_k / (TP_k + FN_k)`` (0 when 0 / 0). The macro
        values are plain means over the relations ``L`` chosen by
        ``average_over`` (``'seen'``: ``TP + FP + FN >= 1``; ``'all'``:
        every column; ``'gt'``: ``TP + FN >= 1``), or over ``labels`` when
        given; micro F1 pools all columns. Everything is in percent. With
        ``L`` empty (nothing to average) the macro values are 0, where
        sklearn's ``zero_division=np.nan`` gives NaN.

        Args:
            y_true (np.ndarray | torch.Tensor): (N, C) ground truth, 0/1.
            y_pred (np.ndarray | torch.Tensor): (N, C) predictions, 0/1.
            labels (Sequence[int], optional): column indices to average the
                macro values over (sklearn's ``labels=``); overrides
                ``average_over``.
            average_over (str): ``'seen'`` (default), ``'all'`` or ``'gt'``.

        Returns:
            dict: ``macro_f1``, ``macro_precision``, ``macro_recall``,
            ``micro_f1`` (float); ``precision``, ``recall``, ``f1`` (float
            arrays (C,)), ``support`` (positives per class) and
            ``num_predicted`` (predicted positives per class) (int arrays
            (C,)); ``labels`` (the averaged columns), ``average_over``
            (``'labels'`` when ``labels`` was given); ``num_samples``.

        Example:
            >>> y_true = [[1, 0, 0, 0], [1, 1, 0, 0], [0, 1, 0, 1]]
            >>> y_pred = [[1, 0, 0, 1], [0, 1, 0, 0], [0, 0, 0, 1]]
            >>> res = MacroF1.calculate(y_true, y_pred)
            >>> round(res['macro_f1'], 4), res['labels'].tolist()
            (66.6667, [0, 1, 3])
            >>> MacroF1.calculate(y_true, y_pred, average_over='all')['macro_f1']
            50.0
            >>> res['support'].tolist(), res['f1'].round(2).tolist()
            ([2, 2, 0, 1], [66.67, 66.67, 0.0, 66.67])
            >>> y_pred[0][2] = 1   # hallucinate relation 2
            >>> [round(MacroF1.calculate(y_true, y_pred, average_over=a)['macro_f1'], 2)
            ...  for a in ('seen', 'all', 'gt')]
            [50.0, 50.0, 66.67]
        """
        _check_average_over(average_over)
        t = _to_binary(y_true, 'y_true')
        p = _to_binary(y_pred, 'y_pred')
        if t.shape != p.shape:
            raise ValueError(f'y_true {t.shape} and y_pred {p.shape} differ in shape.')
        num_classes = t.shape[1]
        tp = (t & p).sum(0).astype(np.int64)
        fp = (~t & p).sum(0).astype(np.int64)
        fn = (t & ~p).sum(0).astype(np.int64)
        support = tp + fn
        # fractions first, averaged, then scaled: macro values agree with
        # sklearn's bit for bit in the usual cases
        precision = _safe_div(tp, tp + fp)
        recall = _safe_div(tp, support)
        f1 = _safe_div(2 * tp, 2 * tp + fp + fn)

        if labels is None:
            idx = averaged_relations(tp, fp, fn, average_over)
        else:
            average_over = 'labels'
            idx = np.asarray(list(labels), dtype=np.int64).reshape(-1)
            bad = idx[(idx < 0) | (idx >= num_classes)]
            if bad.size:
                raise ValueError(f'labels {bad.tolist()} out of range for {num_classes} classes.')

        def mean(values: np.ndarray) -> float:
            return float(values[idx].mean()) * 100 if idx.size else 0.0

        micro_f1 = float(_safe_div(2 * tp.sum(), 2 * tp.sum() + fp.sum() + fn.sum()) * 100)
        return dict(
            macro_f1=mean(f1),
            macro_precision=mean(precision),
            macro_recall=mean(recall),
            micro_f1=micro_f1,
            precision=precision * 100,
            recall=recall * 100,
            f1=f1 * 100,
            support=support,
            num_predicted=tp + fp,
            labels=idx,
            average_over=average_over,
            num_samples=int(t.shape[0]),
        )
