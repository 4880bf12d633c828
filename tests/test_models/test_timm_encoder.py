"""TimmVisionEncoder reads local weights: a file or a save_for_hf folder."""

import pytest
import timm
import torch
from timm.models import save_for_hf

from vltoolkit.models.vision_encoders.timm_encoder import TimmVisionEncoder

TINY = dict(depth=1, embed_dim=32, num_heads=2, img_size=32, num_classes=0)


def test_folder_saved_by_save_for_hf_gives_the_same_weights(tmp_path):
    saved = timm.create_model('vit_base_patch16_384', **TINY)
    save_for_hf(saved, tmp_path / 'vit')
    enc = TimmVisionEncoder('vit_base_patch16_384', pretrained_path=str(tmp_path / 'vit'))
    ref = saved.state_dict()
    assert enc.model.state_dict().keys() == ref.keys()
    for key, value in enc.model.state_dict().items():
        assert torch.equal(value, ref[key]), key
    tokens = enc(torch.randn(2, 3, 32, 32))
    assert tokens.shape == (2, 1 + 4, 32)  # CLS + 2x2 patches


def test_folder_errors_name_the_fix(tmp_path):
    save_for_hf(timm.create_model('vit_base_patch16_384', **TINY), tmp_path / 'vit')
    with pytest.raises(ValueError, match="holds a 'vit_base_patch16_384'.*model_name"):
        TimmVisionEncoder('vit_small_patch16_224', pretrained_path=str(tmp_path / 'vit'))
    (tmp_path / 'empty').mkdir()
    with pytest.raises(FileNotFoundError, match='save_for_hf'):
        TimmVisionEncoder('vit_base_patch16_384', pretrained_path=str(tmp_path / 'empty'))
    with pytest.raises(FileNotFoundError, match='never downloads'):
        TimmVisionEncoder('vit_base_patch16_384', pretrained_path=str(tmp_path / 'missing'))


def _sincos_1d(pos, dim):
    """Reference: MAE's get_1d_sincos_pos_embed_from_grid for one axis."""
    omega = 1.0 / 10000 ** (torch.arange(dim // 2, dtype=torch.float64) / (dim // 2))
    out = pos[:, None].double() * omega[None]
    return torch.cat([out.sin(), out.cos()], dim=1)


def test_sincos2d_pos_embed_is_fixed_and_encodes_row_and_column():
    enc = TimmVisionEncoder(
        'vit_tiny_patch16_224',
        img_size=48,
        patch_size=16,
        depth=1,
        embed_dim=32,
        num_heads=2,
        pos_embed='sincos2d',
    )
    pos = enc.model.pos_embed
    assert not pos.requires_grad and pos.shape == (1, 1 + 9, 32)
    assert torch.count_nonzero(pos[0, 0]) == 0  # the CLS token gets none
    table = pos[0, 1:].double()
    # patch k = (row, col) row-major; the table holds MAE's sin / cos columns
    # of the row and of the column (in timm's order): match them one to one
    rows = torch.arange(3).repeat_interleave(3)
    cols = torch.arange(3).repeat(3)
    ref = torch.cat([_sincos_1d(rows, 16), _sincos_1d(cols, 16)], 1)
    gap = (table[:, :, None] - ref[:, None, :]).abs().amax(0)  # [32, 32]
    match = gap.argmin(1)
    assert torch.all(gap.amin(1) < 1e-6)
    assert sorted(match.tolist()) == list(range(32))
    # strong from the start: each patch's position has norm sqrt(dim / 2)
    assert torch.allclose(table.norm(dim=1), torch.full((9,), 4.0, dtype=torch.float64))
    # not trained, and it survives a state-dict round trip
    enc2 = TimmVisionEncoder(
        'vit_tiny_patch16_224', img_size=48, patch_size=16, depth=1, embed_dim=32, num_heads=2
    )
    enc2.load_state_dict(enc.state_dict())
    assert torch.equal(enc2.model.pos_embed, pos)
    assert 'model.pos_embed' not in {n for n, p in enc.named_parameters() if p.requires_grad}


def test_sincos2d_needs_a_vit_and_a_known_name():
    with pytest.raises(ValueError, match="'learned' or 'sincos2d'"):
        TimmVisionEncoder('vit_tiny_patch16_224', img_size=32, depth=1, pos_embed='rope')
    with pytest.raises(ValueError, match='ViT-like'):
        TimmVisionEncoder('resnet18', pos_embed='sincos2d')
