"""VQA accuracy, as the official VQA evaluation computes it.

For one question with ground-truth answers ``g_1 .. g_10`` and prediction
``r`` (after the normalisation below)::

    acc = 1/10 * sum_i min(1, #{j != i : g_j == r} / 3)

i.e. 0, 0.3, 0.6, 0.9, 1 for 0, 1, 2, 3, >= 4 matching annotators (ten
leave-one-out subsets of nine). The overall score is ``round(100 * mean,
2)``, and so is each answer-type score (``yes/no``, ``number``, ``other``).

Normalisation (GT-Vision-Lab/VQA HEAD a013f00, ``vqaEval.py``):

1. always: ``\\n``/``\\t`` -> space and strip, for ``r`` and every ``g_j``;
2. only when the ground-truth answers are not all identical (after 1): ``r``
   and every ``g_j`` go through punctuation processing, then number words,
   articles and contractions (:mod:`vltoolkit.evaluation.parsers.vqa_normalize`).
   When they all agree nothing else is applied, not even lower-casing:
   ``'Yes'`` against ten ``'yes'`` scores 0.

``legacy=True`` reproduces the evaluation before a013f00 instead
(``vqaEval.py`` at c4e6a0e): only the prediction goes through 1, and it is
always normalised (2 and 3); the ground-truth answers are taken as they are
in the annotation file (no ``\\n``/``\\t`` replacement, no strip), and get
punctuation processing only, and only when they are not all identical.
"""

from collections import OrderedDict
from typing import Any, Dict, List, Optional, Sequence, Union

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log
from mmengine.structures import BaseDataElement

from vltoolkit.registry import METRICS

from ..parsers.vqa_normalize import clean_whitespace, process_digit_article, process_punctuation
from .utils import LEFT_OUT, keeps_task, sample_field, scored, warn_if_no_task_matched

#: The answer types of VQA v2, in the order of the official reports.
ANSWER_TYPES = ('yes/no', 'number', 'other')


def vqa_question_accuracy(pred: str, gt_answers: Sequence[str], legacy: bool = False) -> float:
    """Accuracy in [0, 1] of one prediction against its ground truths.

    Example:
        >>> gts = ['two'] * 2 + ['2'] * 2 + ['3'] * 6
        >>> vqa_question_accuracy('Two', gts)   # 'two' -> '2': 4 matches
        1.0
        >>> vqa_question_accuracy('Yes', ['yes'] * 10)  # all agree: raw
        0.0
        >>> round(vqa_question_accuracy('no', ['no'] + ['yes'] * 9), 4)
        0.3
    """
    if not isinstance(pred, str):
        pred = '' if pred is None else str(pred)
    # before a013f00 the ground truth was compared as written: no
    # whitespace cleaning (the prediction always had it)
    gts = [str(g) if legacy else clean_whitespace(str(g)) for g in gt_answers]
    if not gts:
        raise ValueError('a question needs at least one ground-truth answer')
    res = clean_whitespace(pred)
    if legacy:
        res = process_digit_article(process_punctuation(res))
        if len(set(gts)) > 1:
            gts = [process_punctuation(g) for g in gts]
    elif len(set(gts)) > 1:
        gts = [process_digit_article(process_punctuation(g)) for g in gts]
        res = process_digit_article(process_punctuation(res))
    matches = sum(g == res for g in gts)
    # leave annotator i out: the matches among the others
    accs = [min(1.0, (matches - (g == res)) / 3) for g in gts]
    return float(sum(accs)) / len(accs)


@METRICS.register_module()
class VQAAccuracy(BaseMetric):
    """Official VQA accuracy, overall and per answer type.

    ``process`` reads, per sample, the predicted answer (``pred_answer``, or
    ``pred_label`` mapped through ``answers``), the ten ground-truth answers
    (``gt_answers``) and ``answer_type``. Samples without ``gt_answers``
    (test-dev) are skipped and counted. See the module docstring for the
    formula and the normalisation.

    Args:
        answers (Sequence[str], optional): the answer vocabulary that
            ``pred_label`` indexes. Defaults to ``dataset_meta['answers']``
            (set by the runner from the dataset).
        legacy (bool): the pre-a013f00 normalisation (the ground truth is
            not whitespace-cleaned there). Default False.
        tasks (Sequence[str], optional): only score samples of these tasks.
        collect_device, prefix, collect_dir: see
            :class:`mmengine.evaluator.BaseMetric`.

    Returned metrics (prefixed ``vqa/``): ``accuracy`` and ``acc_yes_no``,
    ``acc_number``, ``acc_other`` (percent, 2 decimals as the official
    report; a type without questions is left out), ``num_questions``,
    ``num_skipped`` (no ground truth), ``invalid_labels`` (``pred_label``
    outside the vocabulary: scored as a wrong, empty answer).

    Example:
        >>> metric = VQAAccuracy(answers=['yes', 'no', '2'])
        >>> metric.process(None, [
        ...     dict(pred_label=0, gt_answers=['yes'] * 10, answer_type='yes/no'),
        ...     dict(pred_answer='two', answer_type='number',
        ...          gt_answers=['2'] * 3 + ['3'] * 7)])
        >>> res = metric.compute_metrics(metric.results)
        >>> res['accuracy'], res['acc_yes_no'], res['acc_number']
        (95.0, 100.0, 90.0)
    """

    default_prefix: Optional[str] = 'vqa'

    def __init__(
        self,
        answers: Optional[Sequence[str]] = None,
        legacy: bool = False,
        tasks: Optional[Sequence[str]] = None,
        collect_device: str = 'cpu',
        prefix: Optional[str] = None,
        collect_dir: Optional[str] = None,
    ) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix, collect_dir=collect_dir)
        self.answers = tuple(answers) if answers is not None else None
        self.legacy = legacy
        self.tasks = tuple(tasks) if tasks is not None else None
        self.last_result: Optional[dict] = None

    def _answer_list(self):
        if self.answers is not None:
            return self.answers
        answers = (self.dataset_meta or {}).get('answers')
        if answers is None:
            raise ValueError(
                "VQAAccuracy got a `pred_label` but has no answer list: pass "
                "`answers=[...]` or evaluate on a dataset whose metainfo has "
                "'answers' (VQAv2Dataset), or predict `pred_answer` strings."
            )
        return answers

    def process(
        self, data_batch: Any, data_samples: Sequence[Union[dict, BaseDataElement]]
    ) -> None:
        """Resolve each sample's predicted answer and keep it with its ground
        truth."""
        for sample in data_samples:
            if not keeps_task(self, sample):
                self.results.append(LEFT_OUT)  # keeps ranks aligned (utils.scored)
                continue
            gts = sample_field(sample, 'gt_answers', None)
            invalid = False
            pred = sample_field(sample, 'pred_answer', None)
            if pred is None:
                label = sample_field(sample, 'pred_label', None)
                if label is None:
                    raise ValueError(
                        'a VQA prediction needs `pred_answer` or '
                        '`pred_label`; the model set neither'
                    )
                answers = self._answer_list()
                label = int(label)
                invalid = not 0 <= label < len(answers)
                pred = '' if invalid else answers[label]
            self.results.append(
                dict(
                    pred=pred,
                    gt=None if gts is None else list(gts),
                    answer_type=sample_field(sample, 'answer_type', None),
                    question_id=sample_field(sample, 'question_id', None),
                    invalid=invalid,
                )
            )

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Score the processed results with :meth:`calculate`."""
        results = scored(results)
        warn_if_no_task_matched(self, results)
        annotated = [r for r in results if r['gt'] is not None]
        res = self.calculate(
            [r['pred'] for r in annotated],
            [r['gt'] for r in annotated],
            [r['answer_type'] for r in annotated],
            legacy=self.legacy,
        )
        res['question_ids'] = [r['question_id'] for r in annotated]
        self.last_result = res
        out = OrderedDict(accuracy=res['overall'])
        for atype, acc in res['per_answer_type'].items():
            out['acc_' + str(atype).replace('/', '_').replace(' ', '_')] = acc
        out['num_questions'] = len(annotated)
        out['num_skipped'] = len(results) - len(annotated)
        out['invalid_labels'] = int(sum(r['invalid'] for r in results))
        if out['num_skipped']:
            print_log(
                f'VQAAccuracy: {out["num_skipped"]} predictions have no '
                'ground-truth answers (test split?) and were not scored',
                logger='current',
            )
        return dict(out)

    @staticmethod
    def calculate(
        preds: Sequence[str],
        gt_answers: Sequence[Sequence[str]],
        answer_types: Optional[Sequence[str]] = None,
        legacy: bool = False,
        ndigits: int = 2,
    ) -> dict:
        """Official VQA accuracy of predictions against ground truths.

        Args:
            preds (Sequence[str]): one predicted answer per question.
            gt_answers (Sequence[Sequence[str]]): the (ten) ground-truth
                answers of each question.
            answer_types (Sequence[str], optional): per question, e.g.
                ``'yes/no'``; gives the per-type breakdown.
            legacy (bool): the pre-a013f00 normalisation.
            ndigits (int): rounding of the percentages (the official 2).

        Returns:
            dict: ``overall`` (percent), ``per_answer_type`` (type ->
            percent, official types first), ``per_question`` (np.ndarray of
            accuracies in [0, 1]), ``num_questions``.

        Example:
            >>> res = VQAAccuracy.calculate(
            ...     ['yes', '3'], [['yes'] * 10, ['3'] * 2 + ['4'] * 8],
            ...     ['yes/no', 'number'])
            >>> res['overall'], res['per_answer_type']
            (80.0, {'yes/no': 100.0, 'number': 60.0})
        """
        if len(preds) != len(gt_answers):
            raise ValueError(f'{len(preds)} predictions for {len(gt_answers)} questions')
        if answer_types is not None and len(answer_types) != len(preds):
            raise ValueError(f'{len(answer_types)} answer types for {len(preds)} questions')
        # plain Python sums in question order, as the official code adds up
        accs_all = [vqa_question_accuracy(p, g, legacy) for p, g in zip(preds, gt_answers)]
        per_q = np.array(accs_all, np.float64)
        overall = round(100 * float(sum(accs_all)) / len(accs_all), ndigits) if accs_all else 0.0
        per_type = OrderedDict()
        if answer_types is not None:
            types = [str(t) for t in answer_types]
            order = [t for t in ANSWER_TYPES if t in types] + sorted(set(types) - set(ANSWER_TYPES))
            for atype in order:
                accs = [a for a, t in zip(accs_all, types) if t == atype]
                per_type[atype] = round(100 * float(sum(accs)) / len(accs), ndigits)
        return dict(
            overall=overall,
            per_answer_type=dict(per_type),
            per_question=per_q,
            num_questions=len(per_q),
        )
