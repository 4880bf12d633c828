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
