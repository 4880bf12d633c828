"""One prompt transform for every task: task templates -> prompt and target."""

from typing import Optional

import numpy as np
from mmcv.transforms import BaseTransform

from vltoolkit.registry import TRANSFORMS
from vltoolkit.structures import as_boxes
from vltoolkit.tokenization import build_box_coder

from .prompt_utils import box_tokens, template_fields

#: task -> prompt template (the multi-task HOI study and OFA's wording).
DEFAULT_TASK_TEMPLATES = dict(
    region_caption='What does the region {region} describe?',
    categorization='What is the category of the region {region}?',
    caption='What does the image describe?',
    vqa='{question}',
    grounding='Which region does the text "{expression}" describe?',
)
#: task -> target template.
DEFAULT_TASK_TARGET_TEMPLATES = dict(
    region_caption='{caption}',
    categorization='{category}',
    caption='{caption}',
    vqa='{answer}',
    grounding='{region}',
)
#: The computed fields (everything else comes from the results dict).
COMPUTED_FIELDS = ('region',)
#: template field -> the results keys it may come from, first present wins
#: (``VQAv2Dataset`` writes ``multiple_choice_answer``).
DEFAULT_FIELD_KEYS = dict(answer=('answer', 'multiple_choice_answer'))


@TRANSFORMS.register_module()
class TaskPrompt(BaseTransform):
    """Write ``prompt`` and ``target_text`` of a sample from its task's
    templates.

    A task is data: ``templates`` maps each task to its prompt template and
    ``target_templates`` to its target template (both merged over the
    defaults below). The task is ``results['task']`` (set by the data sets
    and by ``MultiTaskDataset``), or ``task`` when given. Fields:

    - ``{region}``: the location tokens of ``results[box_key][0]``
      (``gt_bboxes[0]``), encoded by ``box_coder`` in the current (resized)
      image, ``img_shape = (h, w)``; the box is clipped to the image first;
    - any other ``{name}``: ``results[name]`` as text, whitespace collapsed
      (``{caption}``, ``{category}``, ``{question}``, ``{answer}``,
      ``{expression}``, ...), or the first present of the keys that
      ``field_keys[name]`` lists (``{answer}``: ``answer``, else
      ``multiple_choice_answer`` as ``VQAv2Dataset`` writes it).

    ==============  =================================================  ==============
    task            prompt                                             target
    ==============  =================================================  ==============
    region_caption  What does the region {region} describe?            {caption}
    categorization  What is the category of the region {region}?       {category}
    caption         What does the image describe?                      {caption}
    vqa             {question}                                         {answer}
    grounding       Which region does the text "{expression}" describe? {region}
    ==============  =================================================  ==============

    A task with a prompt template but no target template keeps the
    ``target_text`` its data set wrote. With ``task`` given, only that task's
    templates are kept (so e.g. a VQA pipeline needs no box coder). ``None`` as a template removes a
    default (as a prompt template: the whole task). When the target holds ``{region}``,
    ``gt_answer_bboxes`` is set to that box (``[1, 4]``) for the grounding
    metrics, as ``HOIRelationPrompt`` does.

    Args:
        box_coder (dict | BaseBoxCoder, optional): a BOX_CODERS config; needed
            only by templates with ``{region}``.
        templates (dict): task -> prompt template.
        target_templates (dict): task -> target template (or ``None``).
        task (str, optional): use this task for every sample instead of
            ``results['task']``.
        box_key (str): the results key of the boxes. Default ``'gt_bboxes'``.
        field_keys (dict): template field -> results key or list of keys
            (first present wins), merged over
            ``dict(answer=('answer', 'multiple_choice_answer'))``.
        require_target (bool): a sample whose target fields are missing
            (no answer, no box: test data) raises, naming the field. With
            ``False`` it gets a prompt and no ``target_text``. Default True.

    Configs::

        # the multi-task recipes: every task of the table, one box coder
        dict(type='TaskPrompt', box_coder=box_coder,
             templates=dict(region_caption='what does the region {region} '
                            'describe?'))
        # referring expressions (RefCOCO): the target is the box's tokens
        dict(type='TaskPrompt', task='grounding', box_coder=box_coder)
        # VQA for an answer classifier: the question alone, no target text
        dict(type='TaskPrompt', task='vqa', target_templates=dict(vqa=None))
    """

    def __init__(
        self,
        box_coder=None,
        templates: Optional[dict] = None,
        target_templates: Optional[dict] = None,
        task: Optional[str] = None,
        box_key: str = 'gt_bboxes',
        field_keys: Optional[dict] = None,
        require_target: bool = True,
    ):
        self.box_coder = None if box_coder is None else build_box_coder(box_coder)
        # a None template removes a default task / target
        self.templates = {
            k: v
            for k, v in dict(DEFAULT_TASK_TEMPLATES, **(templates or {})).items()
            if v is not None
        }
        targets = {k: v for k, v in DEFAULT_TASK_TARGET_TEMPLATES.items() if k in self.templates}
        targets.update(target_templates or {})
        self.target_templates = {k: v for k, v in targets.items() if v is not None}
        self.task = task
        self.require_target = require_target
        if task is not None:
            if task not in self.templates:
                raise ValueError(
                    f'task {task!r} has no prompt template; give '
                    f'templates={{{task!r}: ...}} or one of '
                    f'{sorted(self.templates)}'
                )
            self.templates = {task: self.templates[task]}
            self.target_templates = {k: v for k, v in self.target_templates.items() if k == task}
        self.box_key = box_key
        self.field_keys = {
            name: (keys,) if isinstance(keys, str) else tuple(keys)
            for name, keys in dict(DEFAULT_FIELD_KEYS, **(field_keys or {})).items()
        }
        self._fields = {}
        for kind, table in (
            ('templates', self.templates),
            ('target_templates', self.target_templates),
        ):
            for name, template in table.items():
                fields = template_fields(template)
                if 'region' in fields and self.box_coder is None:
                    raise ValueError(
                        f'{kind}[{name!r}] = {template!r} asks for {{region}}, '
                        'so TaskPrompt needs a box_coder config, e.g. '
                        "box_coder=dict(type='BinBoxCoder', num_bins=1000)"
                    )
                self._fields[template] = fields
        for name in self.target_templates:
            if name not in self.templates:
                raise ValueError(
                    f'target_templates has task {name!r} without a '
                    f'prompt template; prompt templates exist for '
                    f'{sorted(self.templates)}'
                )

    @staticmethod
    def _where(results):
        return f"sample {results.get('sample_idx', '?')}" + (
            f", {results['img_path']}" if 'img_path' in results else ''
        )

    def _region(self, results, task):
        if self.box_key not in results:
            raise KeyError(
                f'task {task!r} needs results[{self.box_key!r}] for '
                f'{{region}} ({self._where(results)})'
            )
        boxes = as_boxes(results[self.box_key], np.float64)
        if not len(boxes):
            raise ValueError(
                f'task {task!r} needs a box for {{region}}, but '
                f'{self.box_key} is empty ({self._where(results)})'
            )
        if 'img_shape' not in results:
            raise KeyError(
                f'task {task!r} encodes {{region}} in the resized '
                "image and needs results['img_shape'] (set by "
                f'LoadImage / ResizeImageAndBoxes) ({self._where(results)})'
            )
        return box_tokens(self.box_coder, boxes[0], results['img_shape'], clip=True)

    def _value(self, results, name, task, template):
        keys = self.field_keys.get(name, (name,))
        key = next((k for k in keys if results.get(k) is not None), None)
        if key is None:
            have = sorted(
                k
                for k, v in results.items()
                if isinstance(v, str) and k not in ('prompt', 'img_path')
            )
            wanted = ' or '.join(f'results[{k!r}]' for k in keys)
            raise KeyError(
                f'template {template!r} of task {task!r} needs '
                f'{wanted} ({self._where(results)}); text '
                f'fields present: {have}'
            )
        name, value = key, results[key]
        if isinstance(value, (list, tuple)):
            raise TypeError(
                f'results[{name!r}] of {self._where(results)} is a '
                f'{type(value).__name__}, not one text; pick one '
                'in the data set (e.g. one sample per caption)'
            )
        return ' '.join(str(value).split())

    def _format(self, template, results, task, cache):
        fields = {}
        for name in self._fields[template]:
            if name not in cache:
                cache[name] = (
                    self._region(results, task)
                    if name == 'region'
                    else self._value(results, name, task, template)
                )
            fields[name] = cache[name]
        return template.format(**fields)

    def transform(self, results: dict) -> dict:
        task = self.task or results.get('task')
        if task not in self.templates:
            raise KeyError(
                f'no prompt template for task {task!r} '
                f'({self._where(results)}); templates exist for '
                f'{sorted(self.templates)}'
            )
        cache = {}
        results['prompt'] = self._format(self.templates[task], results, task, cache)
        if task in self.target_templates:
            template = self.target_templates[task]
            try:
                results['target_text'] = self._format(template, results, task, cache)
            except (KeyError, ValueError):
                if self.require_target:
                    raise
                return results  # test data: a prompt, no target
            if 'region' in self._fields[template]:
                results['gt_answer_bboxes'] = as_boxes(results[self.box_key])[:1]
        return results

    def __repr__(self):
        return (
            f'{type(self).__name__}(box_coder={self.box_coder!r}, tasks={sorted(self.templates)})'
        )
