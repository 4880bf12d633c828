"""The real-size Qwen3-VL-2B / Qwen2.5-VL-3B configs build with random
weights (no download) in bfloat16 and train one step on 2 toy grounding
samples (LoRA on the language model, vision frozen); skipped when the
machine has not the memory for it.

Qwen3-VL-2B runs whole. Qwen2.5-VL-3B runs with its released widths, heads,
vocabulary, rope sections, window attention and tied embeddings, but 4 of
its 36 decoder layers and 8 of its 32 vision blocks (block 7 full attention,
as released): the layers left out are copies of those kept, the whole
model's parameter counts are checked on the meta device
(test_vlm_families.py), and the ``ChatTemplateVLM`` path at 2B scale is the
Qwen3-VL case. (The whole 3B step took 94 s on 2 quiet cores and needed
~14 GiB free, so a busy machine skipped it; this one takes ~15 CPU-s and
~3 GiB.)"""

from pathlib import Path

import pytest
import torch
from mmengine.config import Config

from .test_chat_vlm import _batch, _grounding_samples

ROOT = Path(__file__).resolve().parents[2]
# family -> (model fragment, bf16 bytes of the weights, depths that replace the released)
REAL = dict(
    qwen3_vl=('qwen3_vl_2b.py', 4.3e9, {}),
    qwen2_5_vl=(
        'qwen2_5_vl_3b.py',
        1.7e9,
        dict(
            vision_config=dict(depth=8, fullatt_block_indexes=[7]),
            text_config=dict(num_hidden_layers=4),
        ),
    ),
)


def _available_bytes() -> float:
    with open('/proc/meminfo', encoding='ascii') as f:
        info = dict(line.split(':', 1) for line in f)
    return float(info['MemAvailable'].split()[0]) * 1024


@pytest.mark.slow
@pytest.mark.parametrize('family', list(REAL))
def test_real_size_trains_one_step_in_bfloat16(family, tmp_path, capsys):
    from mmengine.registry import init_default_scope

    from vltoolkit.models.pretrained_vlms import get_family
    from vltoolkit.models.pretrained_vlms.toy import build_toy_tokenizer
    from vltoolkit.models.utils.freeze import count_parameters
    from vltoolkit.registry import MODELS

    fragment_name, weight_bytes, depths = REAL[family]
    if _available_bytes() < 1.8 * weight_bytes:
        pytest.skip(f'needs ~{1.8 * weight_bytes / 2**30:.0f} GiB of free memory')
    init_default_scope('vltoolkit')
    fam = get_family(family)
    fragment = Config.fromfile(str(ROOT / 'configs' / '_base_' / 'models' / fragment_name))
    side = 64 if family == 'qwen3_vl' else 56
    samples = _grounding_samples(tmp_path, family, num=2)
    for s in samples:  # the toy side of test_chat_vlm, then the real-size patches
        s['img'] = s['img'][:side, :side]
    texts = [s['prompt'] for s in samples] + [s['target_text'] for s in samples]
    tok = build_toy_tokenizer(family, texts, str(tmp_path / 'tok'))
    ids = {
        k: tok.convert_tokens_to_ids(v)
        for k, v in (
            ('image_token_id', '<|image_pad|>'),
            ('video_token_id', '<|video_pad|>'),
            ('vision_start_token_id', '<|vision_start|>'),
            ('vision_end_token_id', '<|vision_end|>'),
        )
    }
    hf_config = dict(fragment.hf_config.to_dict(), **ids)
    for part, values in depths.items():
        hf_config[part] = dict(hf_config[part], **values)
    torch.manual_seed(0)
    model = MODELS.build(
        dict(
            type=fam.wrapper.__name__,
            config=hf_config,
            dtype='bfloat16',
            tokenizer=dict(
                type='VLTokenizer',
                path=str(tmp_path / 'tok'),
                box_coder=fam.box_coder,
                add_location_tokens=False,
            ),
            frozen_modules=fragment.model.frozen_modules,
            lora=fragment.model.lora,
        )
    )
    total, trained = count_parameters(model)[-1][1:]
    print(f'{family} real size: trained {trained:,} / total {total:,}')
    model.train()
    data = _batch(model, samples)
    params = [p for p in model.parameters() if p.requires_grad]
    before = [p.detach().clone() for p in params[:4]]
    loss = model.loss(**data)['loss_token']
    loss.backward()
    torch.optim.AdamW(params, lr=1e-3).step()
    assert torch.isfinite(loss)
    assert any(not torch.equal(b, p) for b, p in zip(before, params[:4]))
    assert all(p.grad is None for p in model.hf_model.model.visual.parameters())
    assert trained < 0.02 * total
    assert 'trained' in capsys.readouterr().out
