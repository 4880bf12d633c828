import numpy as np
import pytest
import torch
from transformers.models.kosmos2.processing_kosmos2 import (
    coordinate_to_patch_index,
    patch_index_to_coordinate,
)

from vltoolkit.registry import BOX_CODERS
from vltoolkit.tokenization import BoxDecodeError, PatchIndexBoxCoder


def _random_normalised_boxes(n, p, seed=0):
    """Random boxes with x2 > x1, y2 > y1; a third snapped to the grid."""
    rng = np.random.default_rng(seed)
    boxes = []
    while len(boxes) < n:
        x = np.sort(rng.uniform(0, 1, 2))
        y = np.sort(rng.uniform(0, 1, 2))
        if len(boxes) % 3 == 0:
            x = np.sort(rng.choice(p + 1, 2, replace=False)) / p
            y = np.sort(rng.choice(p + 1, 2, replace=False)) / p
        if x[1] > x[0] and y[1] > y[0]:
            boxes.append((float(x[0]), float(y[0]), float(x[1]), float(y[1])))
    return boxes


def test_test_vector():
    coder = PatchIndexBoxCoder()
    tokens = coder.encode([0.25, 0.25, 0.75, 0.5], (1, 1))
    assert tokens == ['<patch_index_0264>', '<patch_index_0503>']
    assert coder.decode(tokens, (1, 1)).tolist() == [0.265625, 0.265625, 0.734375, 0.484375]
    # the same in pixels
    box = coder.decode(coder.encode([160, 120, 480, 240], (640, 480)), (640, 480))
    np.testing.assert_allclose(box, [170, 127.5, 470, 232.5])


def test_whole_image_decodes_to_cell_centres():
    coder = PatchIndexBoxCoder()
    tokens = coder.encode([0, 0, 1, 1], (1, 1))
    assert tokens == ['<patch_index_0000>', '<patch_index_1023>']
    assert (coder.decode(tokens, (1, 1)) * 64).tolist() == [1, 1, 63, 63]


@pytest.mark.parametrize('p', [32, 7])
def test_encode_agrees_with_transformers_kosmos2(p):
    coder = PatchIndexBoxCoder(num_patches_per_side=p)
    for box in _random_normalised_boxes(300, p, seed=p):
        expected = list(coordinate_to_patch_index(box, p))
        assert coder.encode_indices(box, (1, 1)) == expected, box
        got = coder.decode_indices(expected, (1, 1))
        assert got.tolist() == list(patch_index_to_coordinate(*expected, p))


def test_pixel_boxes_agree_with_transformers_on_normalised_boxes():
    coder = PatchIndexBoxCoder()
    w, h = 640, 480
    size = np.array([w, h, w, h], dtype=np.float64)
    for box in _random_normalised_boxes(200, 32, seed=1):
        pixels = np.array(box) * size
        normalised = tuple((pixels / size).tolist())
        expected = list(coordinate_to_patch_index(normalised, 32))
        assert coder.encode_indices(pixels, (w, h)) == expected
        np.testing.assert_allclose(
            coder.decode_indices(expected, (w, h)),
            np.array(patch_index_to_coordinate(*expected, 32)) * size,
        )


def test_decode_agrees_with_transformers_on_every_valid_pair():
    p = 6
    coder = PatchIndexBoxCoder(num_patches_per_side=p)
    n_valid = 0
    for ul in range(p * p):
        for lr in range(p * p):
            if lr // p < ul // p or lr % p < ul % p:
                with pytest.raises(BoxDecodeError, match='above or left'):
                    coder.decode_indices([ul, lr], (1, 1))
                continue
            n_valid += 1
            assert coder.decode_indices([ul, lr], (1, 1)).tolist() == list(
                patch_index_to_coordinate(ul, lr, p)
            )
    assert n_valid == (p * (p + 1) // 2) ** 2


def test_degenerate_boxes_are_clamped_into_the_grid():
    coder = PatchIndexBoxCoder()
    # transformers refuses zero-size boxes; we give the containing cell
    assert coder.encode_indices([0.25, 0.25, 0.25, 0.25], (1, 1)) == [264, 264]
    assert coder.encode_indices([1, 1, 1, 1], (1, 1)) == [1023, 1023]
    assert coder.encode_indices([0, 0, 0, 0], (1, 1)) == [0, 0]
    with pytest.raises(ValueError):
        coordinate_to_patch_index((0.25, 0.25, 0.25, 0.25), 32)


def test_round_trip_contains_the_cells():
    coder = PatchIndexBoxCoder()
    for box in _random_normalised_boxes(200, 32, seed=3):
        decoded = coder.decode(coder.encode(box, (1, 1)), (1, 1))
        # every corner comes back within one cell
        assert np.all(np.abs(decoded - np.array(box)) <= 1 / 32 + 1e-12)


def test_tokens_and_errors():
    coder = PatchIndexBoxCoder(num_patches_per_side=32)
    assert coder.num_tokens_per_box == 2 and coder.num_locations == 1024
    assert coder.location_tokens[264] == '<patch_index_0264>'
    assert coder.token_to_index('<patch_index_1023>') == 1023
    with pytest.raises(BoxDecodeError, match='<patch_index_264>'):
        coder.token_to_index('<patch_index_264>')  # not zero-padded
    with pytest.raises(BoxDecodeError, match='<patch_index_1024>'):
        coder.decode('<patch_index_0000><patch_index_1024>', (1, 1))
    with pytest.raises(BoxDecodeError, match='got 3'):
        coder.decode(['<patch_index_0000>'] * 3, (1, 1))
    with pytest.raises(BoxDecodeError, match='<patch_index_0503> <patch_index_0264>'):
        coder.decode('<patch_index_0503> <patch_index_0264>', (1, 1))
    with pytest.raises(ValueError, match=r'\(w, h\) = \(640, 480\)'):
        coder.encode([0, 0, 650, 10], (640, 480))


def test_find_boxes_in_kosmos2_text():
    coder = PatchIndexBoxCoder()
    text = (
        '<grounding> <phrase>a dog</phrase><object><patch_index_0044>'
        '<patch_index_0495></object> and <phrase>two cats</phrase>'
        '<object><patch_index_0000><patch_index_0033>'
        '</delimiter_of_multi_objects/><patch_index_0503>'
        '<patch_index_0264></object><patch_index_0001> garbage'
    )
    boxes = coder.find_boxes(text, (32, 32))
    assert [b.tolist() for b in boxes] == [[12.5, 1.5, 15.5, 15.5], [0.5, 0.5, 1.5, 1.5]]


def test_distance_is_euclidean_between_cells():
    coder = PatchIndexBoxCoder(num_patches_per_side=32)
    assert coder.distance(0, 33) == pytest.approx(2**0.5)
    assert coder.distance(0, 31) == 31.0 and isinstance(coder.distance(0, 31), float)
    i = np.array([0, 264, 503, 1023])
    j = np.array([1023, 503, 264, 0])
    expected = np.hypot(i // 32 - j // 32, i % 32 - j % 32)
    np.testing.assert_allclose(coder.distance(i, j), expected)
    got = coder.distance(torch.tensor(i), torch.tensor(j))
    assert got.is_floating_point()
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-6)
    # broadcasting: all pairwise distances
    full = coder.distance(torch.arange(1024)[:, None], torch.arange(1024)[None])
    assert full.shape == (1024, 1024) and torch.allclose(full, full.T)
    assert full.diagonal().abs().max() == 0


def test_registry_and_config():
    coder = BOX_CODERS.build(dict(type='PatchIndexBoxCoder', num_patches_per_side=16))
    assert coder.num_locations == 256
    assert coder.config() == dict(
        type='PatchIndexBoxCoder', num_patches_per_side=16, token_fmt='<patch_index_{:04d}>'
    )
    with pytest.raises(ValueError):
        PatchIndexBoxCoder(num_patches_per_side=0)
