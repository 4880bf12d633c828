"""VQA v2 in its official layout: questions JSON + annotations JSON."""

import os.path as osp
from typing import Optional

from mmengine.dataset import BaseDataset
from mmengine.logging import print_log

from vltoolkit.registry import DATASETS

from .annotation_io import load_json_file
from .vqa_answers import load_answer_list, read_annotations, soft_targets


@DATASETS.register_module()
class VQAv2Dataset(BaseDataset):
    """One sample per question of the official VQA v2 files (docs/vqa.md).

    Joins ``question_file`` (``{"questions": [{image_id, question,
    question_id}]}``) and, unless it is ``None`` (test-dev), ``ann_file``
    (``{"annotations": [{question_id, answers: 10 x {answer, ...},
    multiple_choice_answer, answer_type, question_type, ...}]}``) on
    ``question_id``. Each data info holds:

    - ``img_path`` (``data_prefix.img_path`` / ``img_name_fmt``), ``image_id``,
      ``question_id``, ``question``, ``task``;
    - with annotations: ``gt_answers`` (the ten raw answers, for
      :class:`~vltoolkit.evaluation.VQAAccuracy`), ``answer_type``,
      ``question_type``, ``multiple_choice_answer``, and the soft targets
      ``answer_labels`` / ``answer_scores`` over the answer vocabulary
      (:func:`~vltoolkit.datasets.vqa_answers.soft_targets`).

    The vocabulary (``answer_file``, see
    :func:`~vltoolkit.datasets.vqa_answers.load_answer_list`) is exposed as
    ``metainfo['answers']`` (label -> answer) for the metric. Annotator
    answers outside it are counted and logged; questions left without any
    label can be dropped (``filter_no_label``, ViLT's training rule; keep
    them for evaluation, where they count as wrong whatever is predicted).

    Args:
        question_file (str): the questions JSON (relative to ``data_root``).
        ann_file (str, optional): the annotations JSON; ``''`` / ``None`` for
            a split without answers.
        answer_file (str): the answer vocabulary JSON.
        img_name_fmt (str): image file name from ``image_id``, e.g.
            ``'COCO_train2014_{image_id:012d}.jpg'`` (the default) or
            ``'COCO_val2014_{image_id:012d}.jpg'``.
        normalize_answers (bool): count normalised annotator answers
            (default; MCAN) or raw ones (ViLT's quirk).
        filter_no_label (bool): drop questions with no answer in the
            vocabulary. Default False.
        check_images (str): ``'error'`` (default) raises ``FileNotFoundError``
            listing questions whose image is missing; ``'skip'`` drops them
            with a warning; ``'off'`` checks nothing (``LoadImage`` still
            fails clearly on a missing file).
        task (str): the ``task`` of every sample. Default ``'vqa'``.
    """

    def __init__(
        self,
        *args,
        question_file: str = '',
        answer_file: str = '',
        img_name_fmt: str = 'COCO_train2014_{image_id:012d}.jpg',
        normalize_answers: bool = True,
        filter_no_label: bool = False,
        check_images: str = 'error',
        task: str = 'vqa',
        **kwargs,
    ):
        if check_images not in ('error', 'skip', 'off'):
            raise ValueError(f"check_images must be 'error', 'skip' or 'off', got {check_images!r}")
        self.question_file = question_file
        self.answer_file = answer_file
        self.img_name_fmt = img_name_fmt
        self.normalize_answers = normalize_answers
        self.filter_no_label = filter_no_label
        self.check_images = check_images
        self.task = task
        self.vocab_stats = {}
        super().__init__(*args, **kwargs)

    def _join_prefix(self):
        for name in ('question_file', 'answer_file'):
            path = getattr(self, name)
            if path and self.data_root and not osp.isabs(path):
                setattr(self, name, osp.join(self.data_root, path))
        super()._join_prefix()

    def _read_questions(self):
        path = self.question_file
        if not path or not osp.isfile(path):
            raise FileNotFoundError(
                f'VQA question file {path!r} does not exist: download '
                'v2_Questions_{Train,Val,Test}_mscoco.zip (visualqa.org) or '
                'make the toy set with `python tools/data/make_toy.py vqa`.'
            )
        data = load_json_file(path, 'VQA question file')
        if not isinstance(data, dict) or not isinstance(data.get('questions'), list):
            raise ValueError(
                f'{path} is not a VQA question file: expected a JSON object with a "questions" list'
            )
        for index, q in enumerate(data['questions']):
            for key in ('image_id', 'question', 'question_id'):
                if key not in q:
                    raise ValueError(
                        f'{path}, question record {index}: missing '
                        f'{key!r} (records need image_id, '
                        'question, question_id)'
                    )
        return data['questions']

    def load_data_list(self):
        questions = self._read_questions()
        answers = load_answer_list(self.answer_file)
        self._metainfo['answers'] = tuple(answers)
        answer_to_label = {a: i for i, a in enumerate(answers)}
        anns = {}
        if self.ann_file and not osp.isdir(self.ann_file):
            for index, ann in enumerate(read_annotations(self.ann_file)):
                if 'question_id' not in ann or 'answers' not in ann:
                    raise ValueError(
                        f'{self.ann_file}, annotation record {index}: needs question_id and answers'
                    )
                anns[ann['question_id']] = ann

        img_root = self.data_prefix.get('img_path', '')
        data_list, n_answers, n_missing, no_label = [], 0, 0, 0
        without_ann = []
        for q in questions:
            info = dict(
                img_path=osp.join(img_root, self.img_name_fmt.format(image_id=q['image_id'])),
                image_id=q['image_id'],
                question_id=q['question_id'],
                question=q['question'],
                task=self.task,
            )
            if anns:
                ann = anns.get(q['question_id'])
                if ann is None:
                    without_ann.append(q['question_id'])
                    continue
                raw = [a['answer'] for a in ann['answers']]
                labels, scores, missing = soft_targets(raw, answer_to_label, self.normalize_answers)
                n_answers += len(raw)
                n_missing += missing
                if not labels:
                    no_label += 1
                    if self.filter_no_label:
                        continue
                info.update(
                    gt_answers=raw,
                    answer_labels=labels,
                    answer_scores=scores,
                    answer_type=ann.get('answer_type'),
                    question_type=ann.get('question_type'),
                    multiple_choice_answer=ann.get('multiple_choice_answer'),
                )
            data_list.append(info)
        if without_ann:
            raise ValueError(
                f'{len(without_ann)} questions of {self.question_file} have no '
                f'annotation in {self.ann_file} (e.g. question_id '
                f'{without_ann[0]}): pair the questions and annotations files '
                'of the same split.'
            )
        data_list = self._check_images(data_list)
        self.vocab_stats = dict(
            questions=len(questions),
            kept=len(data_list),
            annotator_answers=n_answers,
            answers_not_in_vocab=n_missing,
            questions_without_label=no_label,
            vocab_size=len(answers),
        )
        if anns:
            share = 100 * n_missing / max(n_answers, 1)
            print_log(
                f'{type(self).__name__} {osp.basename(self.question_file)}: '
                f'{len(questions)} questions; {n_missing} of {n_answers} '
                f'annotator answers ({share:.1f}%) are not in the '
                f'{len(answers)}-answer vocabulary {self.answer_file}; '
                f'{no_label} questions have no answer in it'
                + (' (dropped)' if self.filter_no_label else ' (kept, they score 0)'),
                logger='current',
            )
        return data_list

    def _check_images(self, data_list):
        if self.check_images == 'off':
            return data_list
        exists, missing = {}, []
        for info in data_list:
            path = info['img_path']
            if path not in exists:
                exists[path] = osp.isfile(path)
            if not exists[path]:
                missing.append(info)
        if not missing:
            return data_list
        example = missing[0]
        msg = (
            f'{len(missing)} of {len(data_list)} questions of '
            f'{self.question_file} point to missing images (e.g. question '
            f'{example["question_id"]} -> {example["img_path"]})'
        )
        if self.check_images == 'error':
            raise FileNotFoundError(
                msg + ': check data_root, data_prefix.img_path and '
                'img_name_fmt, or pass check_images="skip" to drop them.'
            )
        print_log(msg + ': skipped (check_images="skip")', logger='current', level=30)
        gone = {id(info) for info in missing}
        return [info for info in data_list if id(info) not in gone]

    @property
    def answers(self) -> Optional[tuple]:
        """The answer vocabulary (label -> answer), once loaded."""
        return self._metainfo.get('answers')
