"""The prompt (and optional text target) of a VQA question."""
from mmcv.transforms import BaseTransform

from vltoolkit.registry import TRANSFORMS


@TRANSFORMS.register_module()
class VQAPrompt(BaseTransform):
    """``question`` -> ``prompt`` through a template.

    Classifier models (ViLT) read the bare question (the default template
    ``'{question}'``); a seq2seq model reads e.g. OFA's
    ``'what is the answer to question " {question} "?'`` and, with
    ``target=True``, learns to generate ``multiple_choice_answer`` as
    ``target_text``.

    Args:
        template (str): a :meth:`str.format` pattern with ``{question}``.
        target (bool): also set ``target_text`` (when the sample has an
            answer). Default False.
    """

    def __init__(self, template: str = '{question}', target: bool = False):
        if '{question}' not in template:
            raise ValueError(f'template {template!r} has no {{question}} field')
        self.template = template
        self.target = target

    def transform(self, results: dict) -> dict:
        results['prompt'] = self.template.format(question=results['question'])
        if self.target and results.get('multiple_choice_answer') is not None:
            results['target_text'] = results['multiple_choice_answer']
        return results
