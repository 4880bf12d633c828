"""Reading answers: boxes with their phrases, in the input image's pixels."""

import numpy as np
import pytest

from vltoolkit.apis import boxes_with_phrases, parse_relations
from vltoolkit.evaluation import RelationParser, relation_confusion
from vltoolkit.tokenization import BinBoxCoder, PatchIndexBoxCoder


def test_boxes_and_phrases_follow_the_coder_and_the_scale():
    coder = BinBoxCoder(num_bins=100, token_fmt='<bin_{}>')
    img_wh = (200, 100)
    a = coder.encode([20, 10, 80, 60], img_wh)
    b = coder.encode([100, 20, 180, 90], img_wh)
    text = f"a red dog{''.join(a)}, the cat {' '.join(b)} <bin_3>"
    found = boxes_with_phrases(text, coder, img_wh, scale_factor=(0.5, 0.25))
    # what the coder itself decodes, mapped back by the scale factor
    expected = [np.asarray(coder.decode(t, img_wh)) / [0.5, 0.25, 0.5, 0.25] for t in (a, b)]
    assert [f['phrase'] for f in found] == ['a red dog', 'the cat']
    for f, e in zip(found, expected):
        assert np.allclose(f['box'], e, atol=0.01)
    # same boxes as find_boxes (the trailing incomplete group is skipped)
    assert len(coder.find_boxes(text, img_wh)) == len(found) == 2


def test_kosmos_style_phrase_tags():
    coder = PatchIndexBoxCoder(num_patches_per_side=32, token_fmt='<patch_index_{:04d}>')
    text = (
        '<grounding> An image of<phrase> a snowman</phrase><object>'
        '<patch_index_0044><patch_index_0863></object> warming himself'
    )
    found = boxes_with_phrases(text, coder, (320, 320))
    assert [f['phrase'] for f in found] == ['a snowman']
    assert np.allclose(
        found[0]['box'], coder.decode(['<patch_index_0044>', '<patch_index_0863>'], (320, 320))
    )


@pytest.mark.parametrize('text', [None, '', 'no boxes here', '<bin_999999><bin_1>'])
def test_garbage_gives_no_boxes(text):
    coder = BinBoxCoder(num_bins=100, token_fmt='<bin_{}>')
    assert boxes_with_phrases(text, coder, (10, 10)) == []


def test_relations_and_their_confusion():
    parser = RelationParser({'hold_obj': 'hold', 'eat_obj': 'eat', 'look_obj': 'look'})
    assert parse_relations('eat, hold<loc_3>', parser) == ['eat_obj', 'hold_obj']
    assert parse_relations('eat', None) is None
    counts, labels = relation_confusion(
        [{'hold_obj', 'eat_obj'}, {'look_obj'}, set()],
        [{'hold_obj'}, set(), {'eat_obj'}],
        ['hold_obj', 'eat_obj', 'look_obj'],
    )
    assert labels[-1] == '(none)'
    assert counts[0, 0] == 1 and counts[1, 0] == 1  # eat mistaken for hold
    assert counts[2, 3] == 1  # look answered with nothing
    assert counts[3, 1] == 1  # eat hallucinated
    assert counts.sum() == 4
