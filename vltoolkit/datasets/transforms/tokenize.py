"""Tokenize the prompt and the target text."""
import torch
from mmcv.transforms import BaseTransform

from vltoolkit.registry import TRANSFORMS
from vltoolkit.tokenization import build_tokenizer


@TRANSFORMS.register_module()
class TokenizeText(BaseTransform):
    """``prompt`` -> ``input_ids`` and ``target_text`` -> ``labels``.

    Both are 1-D LongTensors with the tokenizer's special tokens; padding
    happens later, per batch, in ``vl_collate``. A text longer than
    ``max_prompt_len`` / ``max_target_len`` raises ``ValueError`` naming the
    sample (truncating a target silently would teach wrong answers).
    """

    def __init__(self, tokenizer: dict, max_prompt_len: int = 256,
                 max_target_len: int = 128):
        self.tokenizer_cfg = tokenizer
        self.max_prompt_len = max_prompt_len
        self.max_target_len = max_target_len

    @property
    def tokenizer(self):
        return build_tokenizer(self.tokenizer_cfg)

    def _encode(self, text, limit, what, results):
        ids = self.tokenizer.encode(text)
        if len(ids) > limit:
            raise ValueError(
                f"{what} of sample {results.get('sample_idx', '?')} "
                f"({results.get('img_path')}) has {len(ids)} tokens > {limit}; "
                f'raise max_{what}_len in the TokenizeText config.')
        return torch.tensor(ids, dtype=torch.long)

    def transform(self, results: dict) -> dict:
        results['input_ids'] = self._encode(results['prompt'],
                                            self.max_prompt_len, 'prompt', results)
        if results.get('target_text') is not None:
            results['labels'] = self._encode(results['target_text'],
                                             self.max_target_len, 'target', results)
        return results
