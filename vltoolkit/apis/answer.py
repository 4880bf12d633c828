"""Read a generated answer: its boxes (with the phrase each belongs to) and,
for relation answers, the relation set.

Nothing here knows a task: boxes come from the recipe's box coder, relations
from the recipe's :class:`~vltoolkit.evaluation.parsers.RelationParser`.
"""

import re
from typing import List, Optional, Sequence

import numpy as np

from vltoolkit.evaluation.parsers import RelationParser
from vltoolkit.tokenization import BoxDecodeError

_SPECIAL = re.compile(r'<[^<>]*>')
_PHRASE_CUT = re.compile(r'[,;\n]')


def _clean_phrase(text: str, max_words: int = 6) -> str:
    """The words just before a box (at most ``max_words``): tags removed,
    cut at the last separator or at Kosmos-2's last ``<phrase>`` tag."""
    text = text.rsplit('<phrase>', 1)[-1]
    text = _PHRASE_CUT.split(_SPECIAL.sub(' ', text))[-1]
    return ' '.join(text.split()[-max_words:]).strip(' .:"\'')


def boxes_with_phrases(text: str, box_coder, img_wh, scale_factor=(1.0, 1.0)) -> List[dict]:
    """Every box written in ``text``, in the input image's pixels.

    The boxes are the ones :meth:`BaseBoxCoder.find_boxes` reads (runs of
    location tokens cut into groups of ``num_tokens_per_box``; undecodable
    groups skipped), decoded in the model's image (``img_wh`` = its
    (w, h)) and divided by ``scale_factor`` (w_scale, h_scale) to land in
    the input image. A box's phrase is the text between the previous box (or
    separator ``, ; newline``) and its first location token, tags removed:
    ``'donut<loc_3><loc_40>'`` -> ``'donut'``;
    ``'<phrase>a dog</phrase><object><patch_index_0044>...'`` -> ``'a dog'``.

    Returns:
        list[dict]: ``dict(phrase=str, box=[x1, y1, x2, y2])`` in text order.
    """
    if not isinstance(text, str):
        return []
    if not getattr(box_coder, 'writes_location_tokens', True):
        sx, sy = (float(v) for v in scale_factor)
        scale = np.array([sx, sy, sx, sy])
        return [
            dict(phrase=label, box=[round(float(v), 2) for v in np.asarray(box) / scale])
            for label, box in box_coder.find_labeled_boxes(text, img_wh)
        ]
    pattern = box_coder._token_pattern
    n = box_coder.num_tokens_per_box
    sx, sy = (float(v) for v in scale_factor)
    found, run, last_end, prefix_start = [], [], 0, 0

    def flush(run, prefix_start):
        for start in range(0, len(run) - n + 1, n):
            group = run[start : start + n]
            try:
                box = box_coder.decode([m.group(0) for m in group], img_wh)
            except BoxDecodeError:
                continue
            phrase = _clean_phrase(text[prefix_start : group[0].start()]) if start == 0 else ''
            box = np.asarray(box, np.float64) / np.array([sx, sy, sx, sy])
            found.append(dict(phrase=phrase, box=[round(float(v), 2) for v in box]))

    for match in pattern.finditer(text):
        if run and match.start() != last_end and not text[last_end : match.start()].isspace():
            flush(run, prefix_start)
            prefix_start, run = last_end, []
        run.append(match)
        last_end = match.end()
    if run:
        flush(run, prefix_start)
    return found


def parse_relations(text: Optional[str], parser: Optional[RelationParser]) -> Optional[List[str]]:
    """The relation classes named in ``text`` (sorted), or None without a
    parser (a recipe with no relation vocabulary)."""
    if parser is None:
        return None
    found, _ = parser.parse(text)
    return sorted(found)


def relation_parser_from_meta(meta: dict, tasks: Sequence[str] = ()) -> Optional[RelationParser]:
    """A parser over the dataset's ``classes`` / ``relation_phrases``, or
    None when the metainfo names no relation phrases."""
    phrases = (meta or {}).get('relation_phrases')
    classes = (meta or {}).get('classes')
    if not phrases or not classes:
        return None
    return RelationParser({c: phrases.get(c, c) for c in classes})
