"""Decoder-only VLMs prompted through a chat template, with a variable
number of image tokens per image (dynamic-resolution vision towers that cut
the image into patches and merge ``merge x merge`` of them into one token).

:class:`ChatTemplateVLM` lays a sample out as the model's chat template and
processor do, builds the prefix *with the image* (its token count depends
on the image size) and turns the pipeline's normalised image into the
processor's flattened patches. A family module subclasses it and names its
transformers classes; :func:`build_digit_bpe_tokenizer` and
:func:`mrope_text_config` are toy parts the families share.
"""

import json
import os.path as osp

import torch

from .decoder_only import DecoderOnlyVLM

#: the ChatML models' pre-tokenizer: every number is split into single digits
DIGIT_SPLIT = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
    r'|\s*[\r\n]+|\s+(?!\S)|\s+'
)
SPECIAL_TOKENS = (
    '<|endoftext|>',
    '<|im_start|>',
    '<|im_end|>',
    '<|object_ref_start|>',
    '<|object_ref_end|>',
    '<|box_start|>',
    '<|box_end|>',
    '<|quad_start|>',
    '<|quad_end|>',
    '<|vision_start|>',
    '<|vision_end|>',
    '<|vision_pad|>',
    '<|image_pad|>',
    '<|video_pad|>',
)
CHAT_USER_TURN = (
    "<|im_start|>{{ message['role'] }}\n{% if message['content'] is string %}"
    "{{ message['content'] }}{% else %}{% for content in message['content'] %}"
    "{% if content['type'] == 'image' %}<|vision_start|><|image_pad|><|vision_end|>"
    "{% elif content['type'] == 'text' %}{{ content['text'] }}{% endif %}{% endfor %}"
    '{% endif %}<|im_end|>\n'
)
_MARK = '\x00PROMPT\x00'


class ChatTemplateVLM(DecoderOnlyVLM):
    """A chat-template VLM with the ``VisionSeq2Seq`` contract.

    Each sample is laid out as the model's chat template and processor lay
    it out: the template rendered for one user turn ``[image, prompt]`` with
    the generation prompt (``<|im_start|>assistant\\n``), the single
    ``<|image_pad|>`` expanded to the image's token count, then the answer
    and ``<|im_end|>``. The image token count comes from the image:
    ``(H / patch) * (W / patch) / merge**2`` (14 or 16 px patches merged
    2 x 2), so the prefix is built with the image (:meth:`prefix_ids`).
    The loss covers the answer tokens and the closing ``<|im_end|>`` only,
    never the system, user or image tokens.

    The pipeline resizes images to a size the processor keeps as it is
    (``smart_resize`` of it is itself: sides multiple of ``patch * merge``,
    area within the processor's min / max pixels); the wrapper turns the
    normalised image into the processor's flattened patches
    (``pixel_values``, ``image_grid_thw``; equal to
    the family's image processor's, ``tests/test_models/test_chat_vlm.py``).

    Args:
        system_prompt (str, optional): a system message; None keeps the
            template's default (some write "You are a helpful assistant.").
        **kwargs: see :class:`~vltoolkit.models.pretrained_vlms.base.PretrainedVLM`.
    """

    def __init__(self, *args, system_prompt=None, **kwargs):
        super().__init__(*args, **kwargs)
        # the processor's size is a pixel range, not one (h, w): the base
        # check is replaced by the range check of _check_images
        pretrained = kwargs.get('pretrained', args[1] if len(args) > 1 else None)
        self.pixel_bounds = _read_pixel_bounds(pretrained)
        if self.image_settings is not None:
            self.image_settings['size'] = None
        self.system_prompt = system_prompt
        cfg = self.hf_model.config
        vision = cfg.vision_config
        self.patch_size = int(vision.patch_size)
        self.merge_size = int(vision.spatial_merge_size)
        self.temporal_patch_size = int(vision.temporal_patch_size)
        self.image_token_id = int(cfg.image_token_id)
        # a size-only placeholder tokenizer (count_params.py, benchmark_train.py
        # --synthetic) has no template: the image tokens alone lead the prompt
        sized_only = not hasattr(self.tokenizer, 'tokenizer')
        self.head_ids, self.tail_ids = (
            ([self.image_token_id], []) if sized_only else self._template_ids()
        )

    # ------------------------------------------------------------ template
    def _chat_template(self, tok):
        if getattr(tok, 'chat_template', None):
            return None  # the tokenizer's own
        folder = getattr(self.tokenizer, 'path', None)
        for name in ('chat_template.jinja', 'chat_template.json'):
            path = osp.join(str(folder), name)
            if folder and osp.isfile(path):
                with open(path, encoding='utf-8') as f:
                    text = f.read()
                return json.loads(text)['chat_template'] if name.endswith('json') else text
        raise ValueError(
            f'{type(self).__name__}: the tokenizer {self.tokenizer!r} has no chat template '
            '(nor chat_template.jinja / .json in its folder): use the tokenizer saved with '
            'the model'
        )

    def _template_ids(self):
        """Ids before the prompt (system, user, one image placeholder) and
        after it (end of the user turn, the assistant's generation prompt)."""
        tok = self.tokenizer.tokenizer
        messages = []
        if self.system_prompt is not None:
            messages.append(dict(role='system', content=self.system_prompt))
        messages.append(
            dict(role='user', content=[dict(type='image'), dict(type='text', text=_MARK)])
        )
        text = tok.apply_chat_template(
            messages,
            tokenize=False,
            add_generation_prompt=True,
            chat_template=self._chat_template(tok),
        )
        head, tail = text.split(_MARK)
        head_ids = tok.encode(head, add_special_tokens=False)
        tail_ids = tok.encode(tail, add_special_tokens=False)
        if head_ids.count(self.image_token_id) != 1:
            raise ValueError(
                f'{type(self).__name__}: the chat template writes '
                f'{head_ids.count(self.image_token_id)} image placeholders '
                f'(id {self.image_token_id}) before the prompt; expected 1'
            )
        return head_ids, tail_ids

    def prefix_ids(self, prompt_ids, image):
        tok = self.tokenizer
        prompt = self._strip(prompt_ids, drop_first=tok.bos_token_id, drop_last=tok.eos_token_id)
        at = self.head_ids.index(self.image_token_id)
        n = self.num_image_tokens(image.shape[-2:])
        head = self.head_ids[:at] + [self.image_token_id] * n + self.head_ids[at + 1 :]
        return torch.cat([prompt.new_tensor(head), prompt, prompt.new_tensor(self.tail_ids)])

    # -------------------------------------------------------------- images
    def num_image_tokens(self, hw) -> int:
        h, w = (int(v) for v in hw)
        return (h // self.patch_size) * (w // self.patch_size) // self.merge_size**2

    def patchify(self, images: torch.Tensor):
        """Normalised images ``[B, C, H, W]`` -> ``(pixel_values [B * h * w,
        C * T * p * p], image_grid_thw [B, 3])``, the layout of
        the family's image processor (``patchify``: the one frame repeated over the
        temporal patch)."""
        b, c, height, width = images.shape
        p, m, t = self.patch_size, self.merge_size, self.temporal_patch_size
        gh, gw = height // p, width // p
        x = images.reshape(b, c, gh // m, m, p, gw // m, m, p).permute(0, 2, 5, 3, 6, 1, 4, 7)
        x = x.unsqueeze(6).expand(-1, -1, -1, -1, -1, -1, t, -1, -1)
        pixel_values = x.reshape(b * gh * gw, c * t * p * p)
        grid = torch.tensor([[1, gh, gw]] * b, dtype=torch.long, device=images.device)
        return pixel_values, grid

    def _check_images(self, images):
        h, w = (int(v) for v in images.shape[-2:])
        factor = self.patch_size * self.merge_size
        low, high = self.pixel_bounds or (0, float('inf'))
        if self.check_image_size and (h % factor or w % factor or not low <= h * w <= high):
            raise ValueError(
                f'{type(self).__name__}: images of size (h, w) = ({h}, {w}), but the '
                f'processor would resize them (sides multiple of {factor}, area in '
                f'[{low}, {high}] pixels): resize to such a size in the data pipeline '
                '(ResizeImageAndBoxes), or set check_image_size=False'
            )

    def model_inputs(self, sequences, attention_mask, prefix_lengths, images):
        pixel_values, grid = self.patchify(images.to(self.hf_model.dtype))
        return dict(
            input_ids=sequences,
            attention_mask=attention_mask,
            pixel_values=pixel_values,
            image_grid_thw=grid,
            mm_token_type_ids=(sequences == self.image_token_id).long(),
        )


def _read_pixel_bounds(pretrained):
    path = osp.join(str(pretrained), 'preprocessor_config.json')
    if not (pretrained and osp.isfile(path)):
        return None
    with open(path, encoding='utf-8') as f:
        cfg = json.load(f)
    size = cfg.get('size') or {}
    low = size.get('shortest_edge', cfg.get('min_pixels'))
    high = size.get('longest_edge', cfg.get('max_pixels'))
    return None if low is None or high is None else (int(low), int(high))


# ---------------------------------------------------------------- toy parts
def build_digit_bpe_tokenizer(texts, out_dir: str, chat_template: str):
    """A byte-level BPE tokenizer over ``texts`` with the ChatML models'
    pre-tokenizer (numbers split into single digits), their special tokens, ``<|im_end|>``
    as EOS, ``<|endoftext|>`` as pad and the chat template, saved to
    ``out_dir``."""
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(DIGIT_SPLIT), behavior='isolated'),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=600,
        special_tokens=list(SPECIAL_TOKENS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(list(texts) + [chat_template], trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        eos_token='<|im_end|>',
        pad_token='<|endoftext|>',
        additional_special_tokens=list(SPECIAL_TOKENS[1:]),
    )
    fast.chat_template = chat_template
    fast.save_pretrained(out_dir)
    return fast


def vision_token_ids(tok) -> dict:
    names = dict(
        image_token_id='<|image_pad|>',
        video_token_id='<|video_pad|>',
        vision_start_token_id='<|vision_start|>',
        vision_end_token_id='<|vision_end|>',
    )
    return {k: int(tok.convert_tokens_to_ids(v)) for k, v in names.items()}


def mrope_text_config(tok, width: int) -> dict:
    head_dim = width // 4
    half = head_dim // 2
    return dict(
        vocab_size=len(tok),
        hidden_size=width,
        intermediate_size=2 * width,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        head_dim=head_dim,
        max_position_embeddings=1024,
        rope_parameters=dict(
            rope_type='default',
            rope_theta=10000.0,
            mrope_section=[half - 2 * (half // 3), half // 3, half // 3],
        ),
        pad_token_id=tok.pad_token_id,
        eos_token_id=tok.eos_token_id,
        bos_token_id=None,
    )


def processor_kwargs(patch: int):
    """``image_size -> kwargs`` of a patch-merging image processor for a
    toy folder: patch ``patch``, merge 2, areas from one merged patch up to
    ``image_size ** 2``."""

    def kwargs(image_size: int) -> dict:
        factor = 2 * patch
        return dict(
            size=dict(shortest_edge=factor * factor, longest_edge=image_size * image_size),
            patch_size=patch,
            merge_size=2,
            temporal_patch_size=2,
        )

    return kwargs
