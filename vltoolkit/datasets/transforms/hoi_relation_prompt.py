"""The multi-task HOI study's HOI prompts: relation questions and object localisation."""

from mmcv.transforms import BaseTransform

from vltoolkit.registry import BOX_CODERS, TRANSFORMS

from .prompt_utils import named_box

DEFAULT_TEMPLATES = dict(
    hoi='What is the interaction between {subject} and {object}?',
    hoi_loc='Where is the object that {subject} does "{relation}" with?',
)
DEFAULT_TARGET_TEMPLATES = dict(hoi_loc='{object}')


@TRANSFORMS.register_module()
class HOIRelationPrompt(BaseTransform):
    """Write the prompt (and, for box answers, the target) of an HOI sample.

    A task is data: ``templates`` maps each task to its prompt template and
    ``target_templates`` maps the tasks whose answer contains boxes to their
    target template (other tasks keep the dataset's ``target_text``). Fields:

    - ``{subject}``: subject name + location tokens of ``gt_bboxes[0]``;
    - ``{object}``: object name + location tokens of ``gt_bboxes[1]``, or
      ``no_object`` for a person-only record;
    - ``{object_name}``, ``{relation}`` (the pair's relation phrases).

    With the defaults and a 2-token box coder, task ``hoi`` gives the multi-task HOI study's
    ``What is the interaction between person<loc_40><loc_1558> and
    donut<loc_376><loc_1024>?`` and task ``hoi_loc`` asks ``Where is the
    object that person<..><..> does "hold, eat" with?`` -> ``donut<..><..>``
    (its ``gt_answer_bboxes`` is the object box, for grounding metrics).

    Args:
        box_coder (dict): a BOX_CODERS config; it encodes boxes in the
            current (resized) image coordinates.
        templates (dict): task -> prompt template (merged over the defaults).
        target_templates (dict): task -> target template (merged likewise).
        no_object (str): the object text of person-only records.
    """

    def __init__(
        self,
        box_coder: dict,
        templates: dict = None,
        target_templates: dict = None,
        no_object: str = 'nothing',
    ):
        self.box_coder = BOX_CODERS.build(box_coder)
        self.templates = dict(DEFAULT_TEMPLATES, **(templates or {}))
        self.target_templates = dict(DEFAULT_TARGET_TEMPLATES, **(target_templates or {}))
        self.no_object = no_object

    def _phrase(self, name, box, img_shape):
        return named_box(self.box_coder, name, box, img_shape)

    def transform(self, results: dict) -> dict:
        task = results.get('task', 'hoi')
        if task not in self.templates:
            raise KeyError(
                f'no prompt template for task {task!r} '
                f'(sample {results.get("sample_idx", "?")}); '
                f'templates exist for {sorted(self.templates)}'
            )
        img_shape = results['img_shape']
        boxes = results['gt_bboxes']
        fields = dict(
            subject=self._phrase(results.get('subject_name', 'person'), boxes[0], img_shape),
            object=self.no_object,
            object_name=results.get('object_name') or '',
            relation=results.get('relation_text', ''),
        )
        if results.get('object_name') is not None:
            fields['object'] = self._phrase(results['object_name'], boxes[1], img_shape)
        results['prompt'] = self.templates[task].format(**fields)
        if task in self.target_templates:
            results['target_text'] = self.target_templates[task].format(**fields)
            results['gt_answer_bboxes'] = boxes[1:2]
        return results
