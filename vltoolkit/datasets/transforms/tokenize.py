"""Tokenize the prompt and the target text."""

import re

import torch
from mmcv.transforms import BaseTransform

from vltoolkit.registry import TRANSFORMS
from vltoolkit.tokenization import BoxDecodeError, build_tokenizer
from vltoolkit.tokenization.number_places import (
    NUMBER_SCOPES,
    number_spans,
    token_number_places,
)


@TRANSFORMS.register_module()
class TokenizeText(BaseTransform):
    """``prompt`` -> ``input_ids`` and ``target_text`` -> ``labels`` (and
    ``number_places``).

    Both are 1-D LongTensors with the tokenizer's special tokens; padding
    happens later, per batch, in ``vl_collate``. A text longer than
    ``max_prompt_len`` / ``max_target_len`` raises ``ValueError`` naming the
    sample (truncating a target silently would teach wrong answers).

    ``number_places`` (aligned with ``labels``) gives, per target token, the
    place value of the digit it is (0 units, 1 tens, ...), -100 for every
    other token (:mod:`vltoolkit.tokenization.number_places`): what the
    digit-level losses act on. ``number_places='auto'`` marks the digits of
    the box coordinates when the box coder writes numbers
    (:class:`~vltoolkit.tokenization.TextBoxCoder`) and nothing otherwise;
    ``'coordinates'`` insists on that, ``'all'`` marks every number of the
    target (JSON labels and relation names included), ``'none'`` marks
    nothing.
    """

    def __init__(
        self,
        tokenizer: dict,
        max_prompt_len: int = 256,
        max_target_len: int = 128,
        number_places: str = 'auto',
    ):
        if number_places not in ('auto', 'none') + NUMBER_SCOPES:
            raise ValueError(
                f"TokenizeText: number_places={number_places!r}: use 'auto', 'none', "
                f"'coordinates' or 'all'"
            )
        self.tokenizer_cfg = tokenizer
        self.max_prompt_len = max_prompt_len
        self.max_target_len = max_target_len
        self.number_places = number_places

    @property
    def tokenizer(self):
        return build_tokenizer(self.tokenizer_cfg)

    def _encode(self, text, limit, what, results, ids=None):
        ids = self.tokenizer.encode(text) if ids is None else ids
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

    def _number_scope(self):
        """``'coordinates'``, ``'all'`` or None (no places)."""
        coder = getattr(self.tokenizer, 'box_coder', None)
        writes_numbers = hasattr(coder, 'coordinate_spans')
        if self.number_places == 'auto':
            return 'coordinates' if writes_numbers else None
        if self.number_places == 'coordinates' and not writes_numbers:
            raise ValueError(
                f"TokenizeText: number_places='coordinates' but the box coder {coder!r} "
                "writes location tokens, not numbers; use 'all' or 'none'"
            )
        return None if self.number_places == 'none' else self.number_places

    def _places(self, text, offsets, scope):
        coder = self.tokenizer.box_coder
        spans = coder.coordinate_spans(text) if scope == 'coordinates' else number_spans(text)
        return torch.tensor(token_number_places(text, offsets, spans), dtype=torch.long)

    def transform(self, results: dict) -> dict:
        results['input_ids'] = self._encode(
            results['prompt'], self.max_prompt_len, 'prompt', results
        )
        if results.get('target_text') is not None:
            text = results['target_text']
            self._check_location_tokens(text, results)
            scope = self._number_scope()
            ids = offsets = None
            if scope is not None:  # one tokenization gives the ids and their spans
                ids, offsets = self.tokenizer.encode_with_offsets(text)
            results['labels'] = self._encode(text, self.max_target_len, 'target', results, ids)
            if scope is not None:
                results['number_places'] = self._places(text, offsets, scope)
        return results
