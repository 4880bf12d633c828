"""A pretrained-VLM recipe built with random weights and no file on disk
(``random_weights_config``, what ``benchmark_train.py --synthetic`` uses)."""

from pathlib import Path

import pytest
import torch
from mmengine.registry import init_default_scope

ROOT = Path(__file__).resolve().parents[2]
FRAGMENT = ROOT / 'configs' / '_base_' / 'models' / 'florence2_base.py'
TOY_RECIPE = ROOT / 'configs' / 'hoi' / 'florence2-base_gem_distlabel_toy.py'


def _recipe_model(path):
    from vltoolkit.engine.runner import prepare_config

    init_default_scope('vltoolkit')
    cfg = prepare_config(str(path))
    return cfg, cfg.model.to_dict()


def test_released_size_matches_the_weightless_count():
    """Built (on the meta device) from the fragment's hf_config, the wrapper
    has the parameters count_params.py reports, and the placeholder
    tokenizer's ids (location tokens included) fit the embedding and stop
    before the image placeholder."""
    import transformers

    from vltoolkit.models.pretrained_vlms.random_weights import random_weights_config
    from vltoolkit.models.utils.freeze import count_parameters
    from vltoolkit.models.utils.sizing import build_on_meta

    cfg, model_cfg = _recipe_model(ROOT / 'configs' / 'hoi' / 'florence2-base_gem_distlabel.py')
    hf_config = cfg.hf_config.to_dict()
    built = random_weights_config(model_cfg, hf_config)
    assert 'pretrained' not in built and built['config'] == hf_config
    assert built['tokenizer']['type'] == 'SizedPlaceholderTokenizer'
    assert built['label_encoder']['tokenizer'] == built['tokenizer']
    model = build_on_meta(built)
    with torch.device('meta'):
        bare = transformers.Florence2ForConditionalGeneration(
            transformers.Florence2Config(**hf_config)
        )
    total = sum(p.numel() for p in bare.parameters())
    vision = sum(p.numel() for p in bare.model.vision_tower.parameters())
    assert count_parameters(model)[-1] == ('total', total, total - vision)
    rows = model.hf_model.get_input_embeddings().num_embeddings
    assert rows == hf_config['text_config']['vocab_size'] == 51289
    image_id = hf_config['image_token_id']
    assert len(model.tokenizer) == image_id  # every id below the image token
    assert int(model.tokenizer.location_token_ids.max()) == image_id - 1
    assert len(model.tokenizer.location_token_ids) == 1000


def test_toy_recipe_builds_and_trains_one_step_without_its_folder():
    """The _toy recipe (hf_config None, folder absent) gets make_toy_vlm.py's
    architecture at the given vocabulary; one loss step is finite and moves
    the trained weights."""
    from vltoolkit.models.pretrained_vlms.random_weights import random_weights_config
    from vltoolkit.registry import MODELS

    cfg, model_cfg = _recipe_model(TOY_RECIPE)
    assert cfg.get('hf_config') is None
    with pytest.raises(ValueError, match='--vocab-size florence2=N'):
        random_weights_config(model_cfg, None)
    torch.manual_seed(0)
    model = MODELS.build(random_weights_config(model_cfg, None, toy_vocab_size=1100, image_size=96))
    assert model.hf_model.get_input_embeddings().num_embeddings == 1100
    assert model.hf_model.config.image_token_id == 1099 == len(model.tokenizer)
    g = torch.Generator().manual_seed(0)
    ids = torch.randint(3, len(model.tokenizer), (2, 8), generator=g)
    labels = model.tokenizer.location_token_ids[torch.randint(0, 1000, (2, 4), generator=g)]
    inputs = dict(
        images=torch.randn(2, 3, 96, 96, generator=g),
        input_ids=ids,
        attention_mask=torch.ones_like(ids),
        labels=labels,
    )
    trained = [p for p in model.parameters() if p.requires_grad]
    before = [p.detach().clone() for p in trained]
    loss = model.loss(inputs)['loss_token']
    assert torch.isfinite(loss) and loss > 0
    loss.backward()
    torch.optim.SGD(trained, lr=0.1).step()
    assert any(not torch.equal(b, p) for b, p in zip(before, trained))


def test_not_a_pretrained_vlm_is_refused():
    from vltoolkit.models.pretrained_vlms.random_weights import random_weights_config

    init_default_scope('vltoolkit')
    with pytest.raises(ValueError, match='not a pretrained VLM'):
        random_weights_config(dict(type='VisionSeq2Seq', tokenizer={}), {})
