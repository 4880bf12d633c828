"""Tokenize the prompt and the target text."""

import re

import torch
from mmcv.transforms import BaseTransform

from vltoolkit.registry import TRANSFORMS
from vltoolkit.tokenization import BoxDecodeError, build_tokenizer


@TRANSFORMS.register_module()
class TokenizeText(BaseTransform):
    """``prompt`` -> ``input_ids`` and ``target_text`` -> ``labels``.

    Both are 1-D LongTensors with the tokenizer's special tokens; padding
    happens later, per batch, in ``vl_collate``. A text longer than
    ``max_prompt_len`` / ``max_target_len`` raises ``ValueError`` naming the
    sample (truncating a target silently would teach wrong answers).
    """

    def __init__(self, tokenizer: dict, max_prompt_len: int = 256, max_target_len: int = 128):
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
                f'raise max_{what}_len in the TokenizeText config.'
            )
        return torch.tensor(ids, dtype=torch.long)

    def _check_location_tokens(self, text, results):
        """Every location token of a target must be one the box coder can
        decode, in complete boxes: a target such as ``<loc_9999>`` (out of the
        vocabulary) or a box with a missing token would teach garbage."""
        coder = getattr(self.tokenizer, 'box_coder', None)
        if coder is None:
            return
        for run in re.finditer(rf'(?:{coder._token_pattern.pattern}\s*)+', text):
            tokens = [m.group(0) for m in coder._token_pattern.finditer(run.group(0))]
            try:
                for tok in tokens:
                    coder.token_to_index(tok)
                if len(tokens) % coder.num_tokens_per_box:
                    raise BoxDecodeError(
                        f'{len(tokens)} location tokens in a row, not a multiple '
                        f'of {coder.num_tokens_per_box} per box'
                    )
            except BoxDecodeError as err:
                raise ValueError(
                    f"target of sample {results.get('sample_idx', '?')} "
                    f"({results.get('img_path')}) holds location tokens "
                    f'{run.group(0).strip()!r} that {type(coder).__name__} cannot '
                    f'decode: {err}'
                ) from err

    def transform(self, results: dict) -> dict:
        results['input_ids'] = self._encode(
            results['prompt'], self.max_prompt_len, 'prompt', results
        )
        if results.get('target_text') is not None:
            self._check_location_tokens(results['target_text'], results)
            results['labels'] = self._encode(
                results['target_text'], self.max_target_len, 'target', results
            )
        return results
