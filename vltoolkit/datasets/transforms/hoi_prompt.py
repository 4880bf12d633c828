"""Seed 000's HOI relation prompt."""
from mmcv.transforms import BaseTransform

from vltoolkit.registry import BOX_CODERS, TRANSFORMS


@TRANSFORMS.register_module()
class HOIRelationPrompt(BaseTransform):
    """Write the relation question of a (person, object) pair.

    With the default template and a 2-token box coder this gives seed 000's
    prompt ``What is the interaction between person<loc_40><loc_1558> and
    donut<loc_376><loc_1024>?``. ``gt_bboxes[0]`` is the person, and
    ``gt_bboxes[1]`` the object when ``object_name`` is set; a person-only
    record (agent-only relations such as ``stand``) writes ``no_object``
    in place of the object. The target (``target_text``) comes from the
    dataset.

    Args:
        box_coder (dict): a BOX_CODERS config; it encodes boxes in the
            current (resized) image coordinates.
        template (str): with ``{subject}`` and ``{object}`` fields.
        no_object (str): the object text of person-only records.
    """

    def __init__(self, box_coder: dict,
                 template: str = 'What is the interaction between {subject} and {object}?',
                 no_object: str = 'nothing'):
        self.box_coder = BOX_CODERS.build(box_coder)
        self.template = template
        self.no_object = no_object

    def _phrase(self, name, box, img_wh):
        return name + ''.join(self.box_coder.encode(box, img_wh))

    def transform(self, results: dict) -> dict:
        h, w = results['img_shape'][:2]
        boxes = results['gt_bboxes']
        subject = self._phrase(results.get('subject_name', 'person'), boxes[0], (w, h))
        obj = self.no_object
        if results.get('object_name') is not None:
            obj = self._phrase(results['object_name'], boxes[1], (w, h))
        results['prompt'] = self.template.format(subject=subject, object=obj)
        return results
