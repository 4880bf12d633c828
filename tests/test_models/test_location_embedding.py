import numpy as np
import pytest
import torch
from timm.layers import build_sincos2d_pos_embed

from vltoolkit.models.utils.location_embedding import location_centres, sincos2d_codes
from vltoolkit.registry import MODELS
from vltoolkit.tokenization import BinBoxCoder, PatchIndexBoxCoder, build_tokenizer

from .conftest import tiny_model_cfg


def test_codes_at_integer_positions_are_timms_vit_table():
    rows, cols = torch.meshgrid(torch.arange(5.0), torch.arange(7.0), indexing='ij')
    ours = sincos2d_codes(rows.flatten(), cols.flatten(), 64)
    assert torch.allclose(ours, build_sincos2d_pos_embed([5, 7], dim=64), atol=1e-6)


def test_centres_of_patch_cells_and_bins():
    # patch index i = row * P + col; the centre of cell (row 1, col 2) of a 4 x 4 grid
    centres = location_centres(PatchIndexBoxCoder(num_patches_per_side=4))
    np.testing.assert_allclose(centres[1 * 4 + 2], [2.5 / 4, 1.5 / 4])
    # a bin of a 7-bin coder is the coordinate b / 6 on both axes
    np.testing.assert_allclose(location_centres(BinBoxCoder(num_bins=7))[:, 0], np.arange(7) / 6)


def _model(tokenizer_cfg, **kw):
    torch.manual_seed(0)
    return MODELS.build(tiny_model_cfg(tokenizer_cfg, **kw))


def test_location_tokens_start_at_the_code_of_their_patch(tiny_tokenizer_cfg):
    # the tiny model: 32 px images, 16 px patches (2 x 2 ViT grid); the coder
    # has 4 x 4 cells, so cell (r, c) has its centre at ViT position (r + .5) / 2 - .5
    model = _model(tiny_tokenizer_cfg, location_embed_init='sincos2d')
    tok = build_tokenizer(tiny_tokenizer_cfg)
    emb = model.language_model.get_input_embeddings().weight.detach()
    loc = emb[tok.location_token_ids]
    std = model.language_model.config.init_std
    r, c = divmod(6, 4)
    want = (
        sincos2d_codes(
            torch.tensor([(r + 0.5) / 2 - 0.5]), torch.tensor([(c + 0.5) / 2 - 0.5]), emb.shape[1]
        )[0]
        * std
        * 2**0.5
    )
    assert torch.allclose(loc[6], want, atol=1e-7)
    # tied output embeddings: the logits of location tokens read the same codes
    assert torch.equal(
        model.language_model.get_output_embeddings().weight[tok.location_token_ids], loc
    )
    # neighbouring cells start closer than far ones; words keep their random init
    assert torch.dist(loc[5], loc[6]) < torch.dist(loc[0], loc[15])
    plain = _model(tiny_tokenizer_cfg).language_model.get_input_embeddings().weight.detach()
    words = torch.ones(len(emb), dtype=torch.bool)
    words[tok.location_token_ids] = False
    assert torch.equal(emb[words], plain[words])
    assert not torch.allclose(emb[tok.location_token_ids], plain[tok.location_token_ids])


def test_unknown_init_and_non_vit_encoder_are_refused(tiny_tokenizer_cfg):
    with pytest.raises(ValueError, match="location_embed_init='gauss'"):
        _model(tiny_tokenizer_cfg, location_embed_init='gauss')
    cnn = dict(type='TimmVisionEncoder', model_name='resnet18')
    with pytest.raises(ValueError, match='patch_embed.grid_size'):
        _model(tiny_tokenizer_cfg, location_embed_init='sincos2d', vision_encoder=cnn)
