"""The VQA answer vocabulary and the soft answer scores.

* :func:`build_answer_vocab`: the ``top_k`` most frequent (normalised)
  answers of annotation files, e.g. the 3129 answers of ViLT / MCAN / BUTD,
  in first-seen order;
* :func:`save_answer_list` / :func:`load_answer_list`: a JSON list of
  answers beside the data (``load`` also reads MCAN's ``answer_dict.json``,
  ``[ans_to_ix, ix_to_ans]``, and a plain ``{answer: index}`` mapping);
* :func:`vqa_score` and :func:`soft_targets`: an answer given by ``k`` of the
  ten annotators scores ``min(1, 0.3 k)`` rounded as ViLT does (0.3, 0.6,
  0.9, 1), which equals its official VQA accuracy.
"""

import json
import os
import os.path as osp
from collections import Counter
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from vltoolkit.evaluation.parsers.vqa_normalize import normalize_answer

from .annotation_io import load_json_file

__all__ = [
    'vqa_score',
    'soft_targets',
    'build_answer_vocab',
    'save_answer_list',
    'load_answer_list',
    'read_annotations',
]

_SCORES = {0: 0.0, 1: 0.3, 2: 0.6, 3: 0.9}


def vqa_score(count: int) -> float:
    """Soft score of an answer given by ``count`` annotators.

    Example:
        >>> [vqa_score(k) for k in range(6)]
        [0.0, 0.3, 0.6, 0.9, 1.0, 1.0]
    """
    return _SCORES.get(int(count), 1.0)


def soft_targets(
    answers: Sequence[str], answer_to_label: Dict[str, int], normalize: bool = True
) -> Tuple[List[int], List[float], int]:
    """Labels and soft scores of a question's (ten) annotator answers.

    Args:
        answers: the raw annotator answers.
        answer_to_label: the vocabulary (normalised answers -> label).
        normalize (bool): count :func:`normalize_answer` of each answer
            (MCAN's ``proc_ans``; default). ``False`` counts the raw strings
            as ViLT does, so e.g. ``'Red '`` never matches ``'red'``.

    Returns:
        tuple: ``labels`` (vocabulary order), ``scores`` (same length), and
        the number of annotator answers not in the vocabulary.

    Example:
        >>> soft_targets(['net'] * 8 + ['netting', 'mesh'], {'net': 0, 'yes': 3})
        ([0], [1.0], 2)
    """
    counts = Counter(normalize_answer(a) if normalize else a for a in answers)
    labels, scores, missing = [], [], 0
    for answer, count in counts.items():
        label = answer_to_label.get(answer)
        if label is None:
            missing += count
            continue
        labels.append(label)
        scores.append(vqa_score(count))
    order = sorted(range(len(labels)), key=labels.__getitem__)
    return [labels[i] for i in order], [scores[i] for i in order], missing


def read_annotations(path: str) -> List[dict]:
    """The ``annotations`` list of an official VQA annotation file, with an
    error naming the file when it is missing or malformed."""
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'VQA annotation file {path} does not exist: download '
            'v2_Annotations_{Train,Val}_mscoco.zip (visualqa.org) or make the '
            'toy set with `python tools/data/make_toy.py vqa` (docs/vqa.md).'
        )
    data = load_json_file(path, 'VQA annotation file')
    if not isinstance(data, dict) or not isinstance(data.get('annotations'), list):
        raise ValueError(
            f'{path} is not a VQA annotation file: expected a '
            'JSON object with an "annotations" list'
        )
    return data['annotations']


def build_answer_vocab(
    annotations: Iterable[dict],
    top_k: Optional[int] = None,
    min_count: int = 1,
    field: str = 'multiple_choice_answer',
    normalize: bool = True,
) -> List[str]:
    """The answer vocabulary of annotation records.

    Counts ``field`` of every record (``'multiple_choice_answer'``, ViLT's
    choice, or ``'answers'``: all ten annotator answers), normalised with
    :func:`normalize_answer` unless ``normalize=False``; keeps the answers
    seen at least ``min_count`` times and, if ``top_k`` is set, the ``top_k``
    most frequent of them (ties: the earlier seen). The result is in
    first-seen order (ViLT's ``label2ans``, MCAN's ``ix_to_ans``).

    Example:
        >>> recs = [dict(multiple_choice_answer=a) for a in
        ...         ['yes', 'Two', 'no', 'yes', '2', 'red', 'no', 'yes']]
        >>> build_answer_vocab(recs)
        ['yes', '2', 'no', 'red']
        >>> build_answer_vocab(recs, top_k=2)
        ['yes', '2']
    """
    if field not in ('multiple_choice_answer', 'answers'):
        raise ValueError(f"field must be 'multiple_choice_answer' or 'answers', got {field!r}")
    counts, first = Counter(), {}
    for index, rec in enumerate(annotations):
        if field not in rec:
            raise ValueError(f'annotation record {index} has no {field!r}')
        raw = rec[field]
        raw = [a['answer'] for a in raw] if field == 'answers' else [raw]
        for answer in raw:
            answer = normalize_answer(answer) if normalize else answer
            counts[answer] += 1
            first.setdefault(answer, len(first))
    kept = [a for a in counts if counts[a] >= min_count]
    if top_k is not None:
        kept = sorted(kept, key=lambda a: (-counts[a], first[a]))[: int(top_k)]
    return sorted(kept, key=first.__getitem__)


def save_answer_list(answers: Sequence[str], path: str) -> None:
    """Write the vocabulary as a JSON list (index = label)."""
    if len(set(answers)) != len(answers):
        raise ValueError('the answer list holds duplicates')
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(list(answers), f, indent=0)


def load_answer_list(path: str) -> List[str]:
    """Read a vocabulary: a JSON list, ``{answer: index}``, or MCAN's
    ``[ans_to_ix, ix_to_ans]`` pair.

    Raises:
        FileNotFoundError / ValueError: naming the file and how to build it.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'answer list {path} does not exist: build it from the training '
            'annotations with `python tools/data/build_vqa_answers.py '
            '--ann-files ... --out ' + path + '` (docs/vqa.md).'
        )
    data = load_json_file(path, 'answer list')
    if (
        isinstance(data, list) and len(data) == 2 and all(isinstance(d, dict) for d in data)
    ):  # MCAN: [ans_to_ix, ix_to_ans]
        data = data[0]
    if isinstance(data, dict):
        try:
            index = {a: int(i) for a, i in data.items()}
        except (TypeError, ValueError) as err:
            raise ValueError(f'{path}: a mapping must be answer -> index') from err
        if sorted(index.values()) != list(range(len(index))):
            raise ValueError(f'{path}: the indices are not 0..{len(index) - 1}')
        data = sorted(index, key=index.__getitem__)
    if not isinstance(data, list) or not all(isinstance(a, str) for a in data):
        raise ValueError(
            f'{path} is not an answer list (a JSON list of '
            'strings, {answer: index}, or [ans_to_ix, ix_to_ans])'
        )
    if len(set(data)) != len(data):
        raise ValueError(f'{path}: the answer list holds duplicates')
    return data
