"""The native box coders of the pretrained VLMs against their references."""

import numpy as np
import pytest
import torch

from vltoolkit.tokenization import (
    BoxDecodeError,
    Florence2BoxCoder,
    PaliGemmaBoxCoder,
    PatchIndexBoxCoder,
)

N_BOXES = 10_000


def random_boxes(rng, n, sizes):
    """``n`` boxes inside images of random ``sizes`` [(w, h)]: float, integer
    and border coordinates mixed."""
    out = []
    for i in range(n):
        w, h = sizes[i % len(sizes)]
        x = np.sort(rng.uniform(0, w, 2))
        y = np.sort(rng.uniform(0, h, 2))
        kind = i % 4
        if kind == 1:
            x, y = np.round(x), np.round(y)
        elif kind == 2:
            x[0], y[1] = 0.0, h
        elif kind == 3:
            x[1], y[0] = w, 0.0
        out.append(((x[0], y[0], x[1], y[1]), (w, h)))
    return out


@pytest.fixture(scope='module')
def sizes():
    rng = np.random.default_rng(0)
    return [(int(w), int(h)) for w, h in rng.integers(1, 2000, size=(97, 2))] + [
        (640, 480),
        (768, 768),
        (224, 224),
    ]


@pytest.fixture(scope='module')
def florence2_post_processor(tmp_path_factory):
    from transformers.models.florence2.processing_florence2 import Florence2PostProcessor

    from vltoolkit.models.pretrained_vlms.toy import build_toy_tokenizer

    tok = build_toy_tokenizer('florence2', ['a dog'], str(tmp_path_factory.mktemp('f2tok')))
    return Florence2PostProcessor(config={}, tokenizer=tok)


def test_florence2_encode_equals_transformers_quantize(sizes, florence2_post_processor):
    coder, ref = Florence2BoxCoder(), florence2_post_processor
    rng = np.random.default_rng(1)
    mismatches = 0
    for box, wh in random_boxes(rng, N_BOXES, sizes):
        expected = ref.quantize(torch.tensor([box], dtype=torch.float32), wh)[0]
        mismatches += coder.encode_indices(box, wh) != expected.tolist()
    assert mismatches == 0


def test_florence2_decode_equals_transformers_dequantize(sizes, florence2_post_processor):
    coder, ref = Florence2BoxCoder(), florence2_post_processor
    rng = np.random.default_rng(2)
    mismatches = 0
    for i in range(N_BOXES):
        wh = sizes[i % len(sizes)]
        x = np.sort(rng.integers(0, 1000, 2))
        y = np.sort(rng.integers(0, 1000, 2))
        bins = [int(x[0]), int(y[0]), int(x[1]), int(y[1])]
        expected = ref.dequantize(torch.tensor([bins]), wh)[0].tolist()
        got = [int(v) for v in coder.decode_indices(bins, wh)]
        mismatches += got != expected
    assert mismatches == 0


def test_florence2_vector_and_tokens():
    coder = Florence2BoxCoder()
    tokens = coder.encode([100.5, 50.25, 300.75, 400], (640, 480))
    assert tokens == ['<loc_157>', '<loc_104>', '<loc_469>', '<loc_833>']
    np.testing.assert_allclose(
        coder.decode(tokens, (640, 480)), [100.8, 50.16, 300.48, 400.08], atol=1e-4
    )
    # the image border falls in the last bin, not past it
    assert coder.encode([0, 0, 640, 480], (640, 480)) == [
        '<loc_0>',
        '<loc_0>',
        '<loc_999>',
        '<loc_999>',
    ]
    assert coder.location_tokens[:2] == ['<loc_0>', '<loc_1>']
    with pytest.raises(BoxDecodeError):
        coder.decode(['<loc_1000>', '<loc_0>', '<loc_1>', '<loc_1>'], (10, 10))


def big_vision_encode(box_xyxy, wh):
    """big_vision@5f95305 pp/proj/paligemma/segmentation.py, ported to numpy:
    ``clip(tf.round(bbox * 1023), 0, 1023)`` on the float32 normalised
    ``[y1, x1, y2, x2]`` (tf.round and np.round both round half to even)."""
    x1, y1, x2, y2 = box_xyxy
    w, h = np.float32(wh[0]), np.float32(wh[1])
    bbox = np.array(
        [np.float32(y1) / h, np.float32(x1) / w, np.float32(y2) / h, np.float32(x2) / w],
        dtype=np.float32,
    )
    return np.clip(np.round(bbox * np.float32(1023)), 0, 1023).astype(int).tolist()


def test_paligemma_encode_equals_big_vision(sizes):
    coder = PaliGemmaBoxCoder()
    rng = np.random.default_rng(3)
    mismatches = sum(
        coder.encode_indices(box, wh) != big_vision_encode(box, wh)
        for box, wh in random_boxes(rng, N_BOXES, sizes)
    )
    assert mismatches == 0


def test_paligemma_decode_equals_big_vision(sizes):
    """big_vision evaluators/proj/paligemma/transfers/segmentation.py:
    ``bbox = tokens[:4] / 1023`` (y1 x1 y2 x2), times the image size."""
    coder = PaliGemmaBoxCoder()
    rng = np.random.default_rng(4)
    worst = 0.0
    for i in range(N_BOXES):
        w, h = sizes[i % len(sizes)]
        y = np.sort(rng.integers(0, 1024, 2))
        x = np.sort(rng.integers(0, 1024, 2))
        tokens = [int(y[0]), int(x[0]), int(y[1]), int(x[1])]
        ref = np.array(tokens) / 1023 * np.array([h, w, h, w])
        got = coder.decode_indices(tokens, (w, h))
        worst = max(worst, np.abs(got[[1, 0, 3, 2]] - ref).max())
    assert worst < 1e-9


def test_paligemma_vector_and_order():
    coder = PaliGemmaBoxCoder()
    tokens = coder.encode([100.5, 50.25, 300.75, 400], (640, 480))
    # y first; 400 / 480 * 1023 = 852.5 in float32, rounded to even
    assert tokens == ['<loc0107>', '<loc0161>', '<loc0852>', '<loc0481>']
    box = coder.decode(tokens, (640, 480))
    np.testing.assert_allclose(
        box, [161 / 1023 * 640, 107 / 1023 * 480, 481 / 1023 * 640, 852 / 1023 * 480]
    )
    assert coder.location_tokens[-1] == '<loc1023>'
    with pytest.raises(BoxDecodeError):  # y2 < y1
        coder.decode(['<loc0500>', '<loc0000>', '<loc0400>', '<loc0010>'], (10, 10))


def test_kosmos2_patch_index_equals_transformers(sizes):
    from transformers.models.kosmos2.processing_kosmos2 import (
        coordinate_to_patch_index,
        patch_index_to_coordinate,
    )

    coder = PatchIndexBoxCoder(32)
    rng = np.random.default_rng(5)
    enc = dec = 0
    for box, (w, h) in random_boxes(rng, N_BOXES, sizes):
        x1, y1, x2, y2 = box
        if not (x2 > x1 and y2 > y1):
            continue  # transformers refuses empty boxes
        ref = list(coordinate_to_patch_index((x1 / w, y1 / h, x2 / w, y2 / h), 32))
        got = coder.encode_indices(box, (w, h))
        enc += got != ref
        ref_box = np.array(patch_index_to_coordinate(*ref, 32))
        dec += not np.allclose(coder.decode_indices(got, (1, 1)), ref_box)
    assert enc == 0 and dec == 0
