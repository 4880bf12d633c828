"""The visual grounding (referring expression) prompt and its box target."""
import numpy as np
from mmcv.transforms import BaseTransform

from vltoolkit.registry import TRANSFORMS
from vltoolkit.tokenization import build_box_coder
from .prompt_utils import box_tokens


@TRANSFORMS.register_module()
class GroundingPrompt(BaseTransform):
    """Ask for the region an expression describes; the answer is its box.

    Writes ``prompt`` = ``template.format(expression=...)`` and
    ``target_text`` = the location tokens of ``gt_bboxes[0]``, encoded by
    ``box_coder`` in the current (resized) image, ``img_shape`` = (h, w).
    With the default template and ``BinBoxCoder(token_fmt='<bin_{}>')``::

        prompt:      Which region does the text "the red circle" describe?
        target_text: <bin_157><bin_105><bin_469><bin_832>

    (OFA's prompt is ``' which region does the text " {} " describe?'``.)
    The box is clipped to the image before encoding: resizing in float32
    can push a border coordinate a hair outside it.

    Args:
        box_coder (dict | BaseBoxCoder): a BOX_CODERS config.
        template (str): with an ``{expression}`` field.
        expression_key (str): the results key holding the expression.
            Default ``'expression'`` (set by ``RefCOCODataset``).
    """

    def __init__(self, box_coder,
                 template: str = 'Which region does the text "{expression}" describe?',
                 expression_key: str = 'expression'):
        if '{expression}' not in template:
            raise ValueError('GroundingPrompt template needs an {expression} '
                             f'field, got {template!r}')
        self.box_coder = build_box_coder(box_coder)
        self.template = template
        self.expression_key = expression_key

    def transform(self, results: dict) -> dict:
        if self.expression_key not in results:
            raise KeyError(f'GroundingPrompt needs results[{self.expression_key!r}]'
                           f" (sample {results.get('sample_idx', '?')}, "
                           f"{results.get('img_path')})")
        expression = ' '.join(str(results[self.expression_key]).split())
        results['prompt'] = self.template.format(expression=expression)
        boxes = np.asarray(results.get('gt_bboxes', np.zeros((0, 4))),
                           dtype=np.float64).reshape(-1, 4)
        if len(boxes):
            results['target_text'] = box_tokens(
                self.box_coder, boxes[0], results['img_shape'], clip=True)
        return results

    def __repr__(self):
        return (f'{type(self).__name__}(box_coder={self.box_coder!r}, '
                f'template={self.template!r})')
