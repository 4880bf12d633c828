"""The real-size Florence-2-base config builds (random weights, no download)
and trains one step; its trainable / total counts are the recipe's."""

from pathlib import Path

import pytest
import torch
from mmengine.config import Config

from .pretrained_vlm_helpers import make_batch, toy_hoi_texts_and_samples

ROOT = Path(__file__).resolve().parents[2]
FRAGMENT = ROOT / 'configs' / '_base_' / 'models' / 'florence2_base.py'


@pytest.mark.slow
def test_florence2_base_from_config_trains_one_step(tmp_path):
    from vltoolkit.models.pretrained_vlms.toy import build_toy_tokenizer
    from vltoolkit.models.utils.freeze import count_parameters
    from vltoolkit.models.utils.sizing import build_on_meta, config_without_files
    from vltoolkit.registry import MODELS

    fragment = Config.fromfile(str(FRAGMENT))
    texts, samples = toy_hoi_texts_and_samples(tmp_path, 'florence2', num=2)
    tok = build_toy_tokenizer('florence2', texts, str(tmp_path / 'tok'))
    hf_config = dict(fragment.hf_config, image_token_id=tok.convert_tokens_to_ids('<image>'))
    assert len(tok) <= hf_config['text_config']['vocab_size']
    tokenizer = dict(
        type='VLTokenizer',
        path=str(tmp_path / 'tok'),
        box_coder=dict(type='Florence2BoxCoder'),
        add_location_tokens=False,
    )
    torch.manual_seed(0)
    model = MODELS.build(
        dict(
            type='Florence2VLM',
            config=hf_config,
            tokenizer=tokenizer,
            frozen_modules=fragment.model.frozen_modules,
            loss=dict(type='GEMLoss', beta=0.7, h='linear'),
            label_encoder=dict(type='DistanceLabelEncoder', tokenizer=tokenizer),
        )
    )
    total = sum(p.numel() for p in model.hf_model.parameters())
    trained = [p for p in model.parameters() if p.requires_grad]
    n_trained = sum(p.numel() for p in trained)
    # Florence-2-base: 0.23B, the language model (<= the multi-task HOI study's 162M) trained
    assert 225e6 < total < 240e6 and 100e6 < n_trained <= 162e6
    # count_params.py's way (meta device, no files) gives the same numbers
    model_cfg = dict(
        type='Florence2VLM',
        pretrained='missing/Florence-2-base',
        tokenizer=tokenizer,
        frozen_modules=fragment.model.frozen_modules,
    )
    # (the released image token id: the placeholder vocabulary ends before it)
    on_meta = build_on_meta(config_without_files(model_cfg, hf_config=fragment.hf_config.to_dict()))
    assert count_parameters(on_meta)[-1] == ('total', total, n_trained)
    model.train()
    data = make_batch(model, samples)
    optim = torch.optim.AdamW(trained, lr=1e-5)
    before = {id(p): p.detach().clone() for p in trained[:4]}
    loss = model.loss(**data)['loss_token']
    loss.backward()
    optim.step()
    assert torch.isfinite(loss)
    assert all(p.grad is None for p in model.hf_model.model.vision_tower.parameters())
    assert any(not torch.equal(before[id(p)], p) for p in trained[:4])
