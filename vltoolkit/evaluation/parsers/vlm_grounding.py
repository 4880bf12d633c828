"""Boxes and phrases out of the grounding answers of pretrained VLMs.

* :func:`parse_florence2_grounding`: Florence-2's ``phrase<loc_a><loc_b>
  <loc_c><loc_d>...`` answers (tasks ``<CAPTION_TO_PHRASE_GROUNDING>``,
  ``<OD>``, ``<DENSE_REGION_CAPTION>``, ``<REGION_PROPOSAL>``), the result of
  ``Florence2Processor.post_process_generation`` (transformers 5.24) with
  boxes decoded by :class:`~vltoolkit.tokenization.Florence2BoxCoder`.
* :func:`parse_kosmos2_grounding`: Kosmos-2's ``<phrase>..</phrase><object>
  <patch_index_a><patch_index_b></object>`` answers, the result of
  ``Kosmos2Processor.post_process_generation`` (``clean_text_and_extract_
  entities_with_bboxes``) with boxes decoded by
  :class:`~vltoolkit.tokenization.PatchIndexBoxCoder`.

Both are pure functions of the text (no tokenizer, no model), never raise on
garbage (an unparseable answer gives no box), and agree with the
transformers post-processors on every text (``tests/test_evaluation/
test_vlm_grounding.py``).
"""

import re

import numpy as np

FLORENCE2_GROUNDING_TASKS = {
    '<CAPTION_TO_PHRASE_GROUNDING>': 'phrase_grounding',
    '<OD>': 'description_with_bboxes',
    '<DENSE_REGION_CAPTION>': 'description_with_bboxes',
    '<REGION_PROPOSAL>': 'bboxes',
}
_FLORENCE2_STOP = r'(?=<od>|</od>|<box>|</box>|<bbox>|</bbox>|<loc_)'


def parse_florence2_grounding(
    text: str, box_coder, img_wh, task: str = '<CAPTION_TO_PHRASE_GROUNDING>'
):
    """Florence-2 grounding answer -> ``dict(bboxes, labels)``.

    A phrase is a run of text without ``<`` followed by 4 or more location
    tokens (an empty phrase is allowed for ``<REGION_PROPOSAL>``); each
    complete group of 4 tokens after it is one box of that phrase (phrase
    grounding and detection alike). Boxes are the bin centres of
    ``box_coder`` (``Florence2BoxCoder``) in pixels of an image of size
    ``img_wh``: transformers' boxes are their ``int()``.

    Args:
        text (str): the decoded answer (``<s>``, ``</s>``, ``<pad>`` are
            dropped).
        box_coder (Florence2BoxCoder): the coder.
        img_wh: ``(width, height)``.
        task (str): a key of :data:`FLORENCE2_GROUNDING_TASKS`.

    Returns:
        dict: ``bboxes`` (list of float64 ``[4]`` xyxy arrays) and ``labels``
        (list of str, one per box).
    """
    if task not in FLORENCE2_GROUNDING_TASKS:
        raise ValueError(
            f'task {task!r} is not a Florence-2 grounding task; '
            f'use one of {sorted(FLORENCE2_GROUNDING_TASKS)}'
        )
    kind = FLORENCE2_GROUNDING_TASKS[task]
    bboxes, labels = [], []
    if not isinstance(text, str):
        return dict(bboxes=bboxes, labels=labels)
    text = text.replace('<s>', '').replace('</s>', '').replace('<pad>', '')
    phrase_re = r'(?:(?:<loc_\d+>){4,})' if kind == 'bboxes' else r'([^<]+(?:<loc_\d+>){4,})'
    for chunk in re.findall(phrase_re, text):
        chunk = chunk.replace('<ground>', '', 1).replace('<obj>', '', 1)
        if not chunk and kind != 'bboxes':
            continue
        match = re.search(r'^\s*(.*?)' + _FLORENCE2_STOP, chunk)
        if not match:
            continue
        phrase = match.group().strip()
        if kind == 'phrase_grounding' and phrase in getattr(
            box_coder, 'banned_grounding_tokens', ()
        ):
            continue
        groups = re.findall(r'<loc_(\d+)><loc_(\d+)><loc_(\d+)><loc_(\d+)>', chunk)
        phrase = phrase.encode('ascii', 'ignore').decode('ascii')
        for group in groups:
            bins = [int(k) for k in group]
            bboxes.append(_florence2_centres(box_coder, bins, img_wh))
            labels.append(phrase)
    return dict(bboxes=bboxes, labels=labels)


def _florence2_centres(box_coder, bins, img_wh):
    """Bin centres without the order / range checks of ``decode`` (the
    reference dequantises whatever bins it reads)."""
    import torch

    w, h = img_wh
    n = box_coder.num_bins
    per = [w / n, h / n, w / n, h / n]
    return np.asarray(
        [float((torch.tensor(k) + 0.5) * per[i]) for i, k in enumerate(bins)], dtype=np.float64
    )


_KOSMOS2_OBJECT = re.compile(
    r'(?:(<phrase>([^<]+)</phrase>))?<object>((?:<patch_index_\d+>'
    r'<patch_index_\d+></delimiter_of_multi_objects/>)*<patch_index_\d+>'
    r'<patch_index_\d+>)</object>'
)


def parse_kosmos2_grounding(text: str, box_coder):
    """Kosmos-2 answer -> ``(caption, entities)``.

    ``caption`` is the text without its tags, stripped; ``entities`` is a
    list of ``(phrase, (start, end), boxes)`` with the phrase's character
    span in ``caption`` and its boxes as normalised ``(x1, y1, x2, y2)``
    tuples (decoded by ``box_coder``, a ``PatchIndexBoxCoder``, on a unit
    image). An ``<object>`` without a ``<phrase>`` gives one entity per box,
    named after its tokens, at the position of ``<object>``.
    """
    if not isinstance(text, str):
        return '', []
    raw = []
    for match in _KOSMOS2_OBJECT.finditer(text):
        tag, phrase, content = match.groups()
        span = match.span(2) if tag else (match.start(), match.start())
        pairs = []
        for pair in content.split('</delimiter_of_multi_objects/>'):
            first = re.search(r'<patch_index_(\d+)>', pair)
            second = re.search(r'<patch_index_(\d+)>', pair[1:])
            if first and second:
                pairs.append((int(first.group(1)), int(second.group(1))))
        if tag:
            raw.append((phrase, span, pairs))
        else:
            raw += [(f'<patch_index_{a}><patch_index_{b}>', span, [(a, b)]) for a, b in pairs]
    caption = re.sub('<.*?>', '', text)
    lead = len(caption) - len(caption.lstrip())
    entities = []
    for name, (start, end), pairs in raw:
        start = len(re.sub('<.*?>', '', text[:start]))
        end = len(re.sub('<.*?>', '', text[:end]))
        boxes = [tuple(_kosmos2_box(box_coder, a, b)) for a, b in pairs]
        start += len(name) - len(name.lstrip()) - lead
        end -= len(name) - len(name.rstrip()) + lead
        entities.append((name.strip(), (start, end), boxes))
    return caption.strip(), entities


def _kosmos2_box(box_coder, ul, lr):
    """Normalised box of two patch indices, without the order check of
    ``decode`` (the reference decodes whatever indices it reads)."""
    p = box_coder.num_patches_per_side
    (ul_row, ul_col), (lr_row, lr_col) = divmod(ul, p), divmod(lr, p)
    cell = 1.0 / p
    if ul_row == lr_row or ul_col == lr_col:
        return (ul_col * cell, ul_row * cell, lr_col * cell + cell, lr_row * cell + cell)
    return (
        ul_col * cell + cell / 2,
        ul_row * cell + cell / 2,
        lr_col * cell + cell / 2,
        lr_row * cell + cell / 2,
    )
