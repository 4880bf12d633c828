import numpy as np
import pytest
import torch

from vltoolkit.registry import BOX_CODERS
from vltoolkit.tokenization import BaseBoxCoder, BinBoxCoder, BoxDecodeError, build_box_coder

BOX = [100.5, 50.25, 300.75, 400]
IMG = (640, 480)


def _random_boxes(n, w, h, seed=0):
    rng = np.random.default_rng(seed)
    xs = np.sort(rng.uniform(0, w, (n, 2)), axis=1)
    ys = np.sort(rng.uniform(0, h, (n, 2)), axis=1)
    return np.stack([xs[:, 0], ys[:, 0], xs[:, 1], ys[:, 1]], axis=1)


def test_test_vector_half_even():
    coder = BinBoxCoder()
    tokens = coder.encode(BOX, IMG)
    # 400 / 480 * 999 is the tie 832.5 in float32: OFA's .round() -> 832
    assert tokens == ['<bin_157>', '<bin_105>', '<bin_469>', '<bin_832>']
    assert np.round(coder.decode(tokens, IMG), 2).tolist() == [100.58, 50.45, 300.46, 399.76]


def test_test_vector_half_up():
    coder = BinBoxCoder(rounding='half_up')
    tokens = coder.encode(BOX, IMG)
    assert ' '.join(tokens) == '<bin_157> <bin_105> <bin_469> <bin_833>'
    assert np.round(coder.decode(tokens, IMG), 2).tolist() == [100.58, 50.45, 300.46, 400.24]
    assert coder.config()['rounding'] == 'half_up'


def test_matches_ofa_torch_formula():
    """OFA: int((box / size * (num_bins - 1)).round()) on float32 tensors."""
    coder = BinBoxCoder()
    for w, h in [(640, 480), (512, 512), (333, 1001)]:
        size = torch.tensor([w, h, w, h], dtype=torch.float32)
        for box in _random_boxes(200, w, h, seed=w):
            ofa = (
                (torch.tensor(box, dtype=torch.float32) / size * (coder.num_bins - 1))
                .round()
                .long()
                .tolist()
            )
            assert coder.encode_indices(box, (w, h)) == ofa


def test_ofa_test_vector_comes_from_the_512_resize_path():
    """OFA's <bin_833> is reproduced by the pipeline: resize to 512x512 (boxes
    scaled in float32, as OFA's RandomResize), then the coder."""
    from vltoolkit.datasets.transforms import ResizeImageAndBoxes

    coder = BinBoxCoder()
    resize = ResizeImageAndBoxes(scale=(512, 512))
    out = resize(dict(img=np.zeros((480, 640, 3), np.uint8), gt_bboxes=[BOX]))
    assert coder.encode(out['gt_bboxes'][0], out['img_shape'][::-1]) == [
        '<bin_157>',
        '<bin_105>',
        '<bin_469>',
        '<bin_833>',
    ]
    rng = np.random.default_rng(1)
    for w, h in [(640, 480), (500, 375), (333, 1001), (1024, 683)]:
        xs = np.sort(rng.integers(0, w + 1, (500, 2)), axis=1)
        ys = np.sort(rng.integers(0, h + 1, (500, 2)), axis=1)
        boxes = np.stack([xs[:, 0], ys[:, 0], xs[:, 1], ys[:, 1]], 1).astype(float)
        out = resize(dict(img=np.zeros((h, w, 3), np.uint8), gt_bboxes=boxes))
        # OFA: boxes * as_tensor([512 / w, 512 / h, ...]) in float32, then
        # int((c / 512 * 999).round())
        ratio = torch.as_tensor([512 / w, 512 / h, 512 / w, 512 / h])
        ofa = ((torch.tensor(boxes, dtype=torch.float32) * ratio) / 512 * 999).round()
        ours = [coder.encode_indices(b, (512, 512)) for b in out['gt_bboxes']]
        assert ours == ofa.long().tolist()


@pytest.mark.parametrize('num_bins,img_wh', [(1000, (640, 480)), (100, (37, 911)), (2000, (1, 1))])
def test_round_trip_within_half_a_bin(num_bins, img_wh):
    coder = BinBoxCoder(num_bins)
    w, h = img_wh
    half_bin = 0.5 * np.array([w, h, w, h]) / (num_bins - 1)
    for box in _random_boxes(300, w, h):
        decoded = coder.decode(coder.encode(box, img_wh), img_wh)
        assert decoded.dtype == np.float64 and decoded.shape == (4,)
        assert np.all(np.abs(decoded - box) <= half_bin * (1 + 1e-4))


def test_every_bin_decodes_and_reencodes_to_itself():
    coder = BinBoxCoder(1000)
    for w, h in [(640, 480), (1, 1), (1333, 800)]:
        for k in range(coder.num_bins):
            box = coder.decode_indices([k, k, k, k], (w, h))
            assert coder.encode_indices(box, (w, h)) == [k] * 4


def test_borders_and_tokens():
    coder = BinBoxCoder(num_bins=1000, token_fmt='<loc_{}>')
    assert coder.num_tokens_per_box == 4 and coder.num_locations == 1000
    assert coder.location_tokens[:2] == ['<loc_0>', '<loc_1>']
    assert len(coder.location_tokens) == 1000
    assert coder.location_tokens[-1] == '<loc_999>'
    assert coder.encode([0, 0, 640, 480], IMG) == ['<loc_0>', '<loc_0>', '<loc_999>', '<loc_999>']
    assert coder.decode('<loc_0> <loc_0> <loc_999> <loc_999>', IMG).tolist() == [0, 0, 640, 480]
    assert coder.token_to_index('<loc_157>') == 157
    assert coder.index_to_token(157) == '<loc_157>'
    # a zero-size box is fine
    assert coder.encode([10, 10, 10, 10], (999, 999)) == ['<loc_10>'] * 4


def test_decode_accepts_glued_string():
    coder = BinBoxCoder()
    box = coder.decode('<bin_1><bin_2><bin_30><bin_40>', (999, 999))
    assert box.tolist() == [1, 2, 30, 40]


def test_encode_errors_name_box_and_image():
    coder = BinBoxCoder()
    with pytest.raises(ValueError, match=r'outside the image') as err:
        coder.encode([0, 0, 641, 20], IMG)
    assert '641.0' in str(err.value) and '(640, 480)' in str(err.value)
    with pytest.raises(ValueError, match=r'x2 < x1'):
        coder.encode([10, 10, 5, 20], IMG)
    with pytest.raises(ValueError, match='outside the image'):
        coder.encode([-0.5, 0, 5, 20], IMG)
    with pytest.raises(ValueError, match='non-finite'):
        coder.encode([0, 0, np.nan, 20], IMG)
    with pytest.raises(ValueError, match='one box'):
        coder.encode([[0, 0, 5, 20]], IMG)
    with pytest.raises(ValueError, match='img_wh'):
        coder.encode([0, 0, 5, 20], (0, 480))


def test_decode_errors_name_tokens():
    coder = BinBoxCoder()
    with pytest.raises(BoxDecodeError, match=r"got 2: \['<bin_1>', '<bin_2>'\]"):
        coder.decode(['<bin_1>', '<bin_2>'], IMG)
    with pytest.raises(BoxDecodeError, match='<bin_1000>'):
        coder.decode('<bin_5> <bin_2> <bin_1000> <bin_9>', IMG)
    with pytest.raises(BoxDecodeError, match='dog'):
        coder.decode('<bin_5> dog <bin_2> <bin_9>', IMG)
    with pytest.raises(BoxDecodeError, match='<bin_5> <bin_2> <bin_1> <bin_9>'):
        coder.decode('<bin_5> <bin_2> <bin_1> <bin_9>', IMG)
    assert issubclass(BoxDecodeError, ValueError)


def test_find_boxes_skips_garbage():
    coder = BinBoxCoder()
    img = (999, 999)
    text = (
        'person <bin_1> <bin_2> <bin_30> <bin_40> and '
        '<bin_1000> <bin_1> <bin_2> <bin_3> cup<bin_5><bin_6><bin_7><bin_8>'
        '<bin_9> <bin_9> <bin_8> <bin_1> <bin_2> <bin_3>'
    )
    boxes = coder.find_boxes(text, img)
    assert [b.tolist() for b in boxes] == [[1, 2, 30, 40], [5, 6, 7, 8]]
    assert coder.find_boxes('', img) == []
    assert coder.find_boxes('<bin_1> <bin_2> <bin_3>', img) == []
    assert coder.find_boxes('<<bin_>> <bin_-1> </s> ' * 3, img) == []


def test_distance_is_vectorised():
    coder = BinBoxCoder()
    assert coder.distance(3, 7) == 4.0 and isinstance(coder.distance(3, 7), float)
    got = coder.distance(np.array([1, 2, 9]), np.array([5, 0, 9]))
    assert got.dtype == np.float64 and got.tolist() == [4, 2, 0]
    got = coder.distance(torch.tensor([[1], [2]]), torch.tensor([5, 0, 9]))
    assert got.is_floating_point() and got.shape == (2, 3)
    assert got.tolist() == [[4, 1, 8], [3, 2, 7]]


def test_registry_and_config():
    coder = BOX_CODERS.build(dict(type='BinBoxCoder', num_bins=10, token_fmt='<loc_{}>'))
    assert isinstance(coder, BaseBoxCoder) and coder.num_bins == 10
    assert coder.config() == dict(type='BinBoxCoder', num_bins=10, token_fmt='<loc_{}>')
    assert build_box_coder(coder.config()) == coder
    assert build_box_coder(coder) is coder
    assert BinBoxCoder(10) != coder


@pytest.mark.parametrize('fmt', ['<bin>', '<bin_{}_{}>', '<bin_{:x}>', 12])
def test_bad_token_fmt(fmt):
    with pytest.raises((ValueError, TypeError)):
        BinBoxCoder(num_bins=20, token_fmt=fmt)


def test_bad_rounding():
    with pytest.raises(ValueError, match='rounding'):
        BinBoxCoder(rounding='nearest')
