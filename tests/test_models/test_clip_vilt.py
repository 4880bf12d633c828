"""ViLTVQA and CLIPViLTVQA: modes, alignment losses, freezing, overfitting."""

import copy

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from tests.conftest import ROOT
from vltoolkit.datasets import vl_collate
from vltoolkit.datasets.toy import TOY_VQA_ANSWERS, make_toy_vqa
from vltoolkit.evaluation import VQAAccuracy
from vltoolkit.registry import DATASETS, MODELS
from vltoolkit.tokenization import train_word_level_tokenizer

VILT = dict(
    hidden_size=32,
    num_hidden_layers=1,
    num_attention_heads=2,
    intermediate_size=64,
    image_size=32,
    patch_size=16,
    max_position_embeddings=40,
    hidden_dropout_prob=0.0,
    attention_probs_dropout_prob=0.0,
)
CLIP = dict(
    projection_dim=24,
    vision_config=dict(
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        image_size=32,
        patch_size=16,
    ),
    text_config=dict(
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=40,
    ),
)
# a little wider for the overfitting test (it converges in fewer steps)
VILT_WIDE = dict(VILT, hidden_size=64, num_hidden_layers=2, intermediate_size=128)
CLIP_WIDE = dict(
    CLIP, vision_config=dict(CLIP['vision_config'], hidden_size=64, intermediate_size=128)
)
DATA_KEYS = ('prompt', 'question', 'gt_answers', 'answer_labels', 'answer_scores', 'answer_type')


@pytest.fixture(scope='module', autouse=True)
def one_thread():
    """Tiny models run fastest on one thread (and do not fight a busy CPU)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope='module')
def toy(tmp_path_factory):
    """8 toy images (~30 questions), a word-level tokenizer, the pipeline."""
    init_default_scope('vltoolkit')  # module fixtures run before the autouse one
    root = tmp_path_factory.mktemp('toy_vqa')
    splits = make_toy_vqa(str(root), num_train=8, num_val=0, img_size=32, seed=3)
    texts = [q['question'] for q in splits['train']['questions']]
    train_word_level_tokenizer(texts, str(root / 'tokenizer'))
    tokenizer = dict(type='HFTokenizer', path=str(root / 'tokenizer'), max_length=40)
    pipeline = [
        dict(type='LoadImage'),
        dict(type='TaskPrompt', task='vqa', target_templates=dict(vqa=None)),
        dict(type='TokenizeText', tokenizer=tokenizer, max_prompt_len=40),
        dict(
            type='PackVLInputs',
            data_keys=DATA_KEYS,
            meta_keys=('img_path', 'img_shape', 'question_id'),
        ),
    ]
    dataset = DATASETS.build(
        dict(
            type='VQAv2Dataset',
            data_root=str(root),
            question_file='annotations/questions_train.json',
            ann_file='annotations/annotations_train.json',
            answer_file='answers.json',
            img_name_fmt='{image_id:012d}.png',
            data_prefix=dict(img_path='images/train'),
            pipeline=pipeline,
        )
    )
    return dict(root=root, tokenizer=tokenizer, dataset=dataset)


def vilt_cfg(toy, wide=False, **kw):
    return dict(
        type='ViLTVQA',
        vilt=dict(config=VILT_WIDE if wide else VILT),
        tokenizer=toy['tokenizer'],
        num_answers=len(TOY_VQA_ANSWERS),
        data_preprocessor=dict(type='VLDataPreprocessor', mean=(127.5,) * 3, std=(127.5,) * 3),
        **kw,
    )


def clip_vilt_cfg(toy, wide=False, **kw):
    return dict(
        type='CLIPViLTVQA',
        clip=dict(config=CLIP_WIDE if wide else CLIP),
        vilt=dict(config=VILT_WIDE if wide else VILT),
        tokenizer=toy['tokenizer'],
        num_answers=len(TOY_VQA_ANSWERS),
        **kw,
    )


def batch_of(model, toy, n=None):
    ds = toy['dataset']
    items = [ds[i] for i in range(n or len(ds))]
    return model.data_preprocessor(vl_collate(items), False)


@pytest.mark.parametrize('builder', [vilt_cfg, clip_vilt_cfg])
def test_forward_modes(toy, builder):
    torch.manual_seed(0)
    model = MODELS.build(builder(toy))
    data = batch_of(model, toy, 4)
    logits = model(**data, mode='tensor')
    assert logits.shape == (4, len(TOY_VQA_ANSWERS))
    losses = model(**copy.deepcopy(data), mode='loss')
    assert set(losses) == {'loss_vqa'} and losses['loss_vqa'].requires_grad
    preds = model(**data, mode='predict')
    assert all(0 <= p.pred_label < len(TOY_VQA_ANSWERS) for p in preds)
    assert all(
        0 < p.pred_score < 1
        and p.pred_topk_labels[0] == p.pred_label
        and len(p.pred_topk_scores) == 5
        for p in preds
    )
    assert torch.equal(torch.tensor([p.pred_label for p in preds]), logits.argmax(-1))
    with pytest.raises(ValueError, match='unknown mode'):
        model(**data, mode='nope')


def test_soft_targets_are_dense_scores(toy):
    model = MODELS.build(vilt_cfg(toy))
    data = batch_of(model, toy, 3)
    target = model.targets(data['data_samples'])
    for row, sample in zip(target, data['data_samples']):
        expected = torch.zeros(12)
        expected[sample.answer_labels] = torch.tensor(sample.answer_scores)
        assert torch.equal(row, expected)
    sample = data['data_samples'][0]
    sample.answer_labels = [12]
    with pytest.raises(ValueError, match=r'\[12\].*12 answers.*num_answers'):
        model.targets([sample])


@pytest.mark.parametrize(
    'align,local,keys',
    [
        (dict(type='InfoNCELoss'), None, {'loss_vqa', 'loss_align'}),
        (
            dict(type='InfoNCELoss', similarity='dot', temperature=1.0, learnable_scale=False),
            None,
            {'loss_vqa', 'loss_align'},
        ),
        (None, dict(type='SinkhornAlignLoss', num_iters=20), {'loss_vqa', 'loss_local_align'}),
        (
            dict(type='InfoNCELoss'),
            dict(type='SinkhornAlignLoss'),
            {'loss_vqa', 'loss_align', 'loss_local_align'},
        ),
    ],
)
def test_alignment_losses_train_clip_towers_and_leave_nothing_unused(toy, align, local, keys):
    torch.manual_seed(0)
    model = MODELS.build(clip_vilt_cfg(toy, align_loss=align, local_align_loss=local))
    losses = model(**batch_of(model, toy, 6), mode='loss')
    assert set(losses) == keys
    sum(losses.values()).backward()
    unused = [n for n, p in model.named_parameters() if p.requires_grad and p.grad is None]
    assert unused == []  # DDP needs no find_unused_parameters
    assert model.clip.text_model.embeddings.token_embedding.weight.grad.abs().sum() > 0
    # the loss on the aligned features is what the loss module computes
    data = batch_of(model, toy, 6)
    feats = model.extract(data['inputs'], data['data_samples'], with_aux=True)
    if align is not None:
        assert feats['image_embeds'].shape == feats['text_embeds'].shape == (6, 24)
    if local is not None:
        assert feats['patch_embeds'].shape == (6, 4, 24)
        assert feats['token_embeds'].shape[:2] == feats['text_mask'].shape


def test_without_alignment_clip_text_tower_is_frozen_and_frozen_modules(toy):
    model = MODELS.build(clip_vilt_cfg(toy, frozen_modules=['clip.vision_model.encoder']))
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert not any(
        n.startswith(
            (
                'clip.text_model',
                'clip.text_projection',
                'clip.visual_projection',
                'clip.vision_model.encoder',
                'vilt.vilt.embeddings.patch_embeddings',
            )
        )
        for n in trainable
    )
    assert 'clip.vision_model.embeddings.patch_embedding.weight' in trainable
    assert 'image_pos_embed' in trainable and 'clip.logit_scale' not in trainable
    with pytest.raises(ValueError, match='matches no module'):
        MODELS.build(clip_vilt_cfg(toy, frozen_modules=['clip.nope']))


def test_image_size_mismatch_is_a_clear_error(toy):
    for interpolate, match in ((False, "doesn't match model"), (True, 'image tokens')):
        model = MODELS.build(clip_vilt_cfg(toy, interpolate_pos_encoding=interpolate))
        data = batch_of(model, toy, 2)
        data['inputs']['images'] = torch.nn.functional.interpolate(
            data['inputs']['images'], size=(48, 48)
        )
        with pytest.raises(ValueError, match=match):
            model(**data, mode='tensor')


def _vqa_accuracy(model, data):
    preds = model(**copy.deepcopy(data), mode='predict')
    return VQAAccuracy.calculate(
        [TOY_VQA_ANSWERS[p.pred_label] for p in preds], [p.gt_answers for p in preds]
    )['overall']


@pytest.mark.parametrize(
    'builder,extra',
    [
        (vilt_cfg, {}),
        (clip_vilt_cfg, dict(align_loss=dict(type='InfoNCELoss'))),
    ],
)
def test_overfits_a_handful_of_toy_samples(toy, builder, extra):
    torch.manual_seed(0)
    model = MODELS.build(builder(toy, wide=True, **extra))
    data = batch_of(model, toy, 8)
    before = _vqa_accuracy(model, data)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=3e-3)
    model.train()
    for _ in range(200):
        opt.zero_grad()
        losses = model(**copy.deepcopy(data), mode='loss')
        sum(losses.values()).backward()
        opt.step()
    model.eval()
    after = _vqa_accuracy(model, data)
    assert after >= 90 and before < 50, (before, after)
    # soft targets (noisy annotators) keep the BCE above 0
    assert losses['loss_vqa'].item() < 1.0


def test_builds_from_local_pretrained_folders_with_a_clip_tokenizer(toy, tmp_path):
    from transformers import CLIPConfig, CLIPModel, ViltConfig, ViltForQuestionAnswering

    vilt_dir, clip_dir = tmp_path / 'vilt', tmp_path / 'clip'
    ViltForQuestionAnswering(ViltConfig(num_labels=3, vocab_size=50, **VILT)).save_pretrained(
        vilt_dir
    )
    cfg = copy.deepcopy(CLIP)
    cfg['text_config'].update(vocab_size=60, eos_token_id=2, bos_token_id=0, pad_token_id=1)
    CLIPModel(CLIPConfig(**cfg)).save_pretrained(clip_dir)
    # a "CLIP tokenizer" of its own vocabulary (the toy tokenizer folder)
    model = MODELS.build(
        dict(
            type='CLIPViLTVQA',
            clip=dict(pretrained_path=str(clip_dir)),
            vilt=dict(pretrained_path=str(vilt_dir)),
            tokenizer=toy['tokenizer'],
            clip_tokenizer=toy['tokenizer'],
            num_answers=12,
            align_loss=dict(type='InfoNCELoss'),
        )
    )
    assert model.vilt.classifier[-1].out_features == 12  # new head
    assert model.vilt.get_input_embeddings().num_embeddings == len(model.tokenizer)
    losses = model(**batch_of(model, toy, 4), mode='loss')
    assert set(losses) == {'loss_vqa', 'loss_align'}
    with pytest.raises(FileNotFoundError, match='save_pretrained'):
        MODELS.build(
            dict(
                type='ViLTVQA',
                vilt=dict(pretrained_path=str(tmp_path / 'x')),
                tokenizer=toy['tokenizer'],
                num_answers=12,
            )
        )
    with pytest.raises(ValueError, match='vocabulary of 60 tokens'):
        MODELS.build(
            dict(
                type='CLIPViLTVQA',
                clip=dict(pretrained_path=str(clip_dir)),
                vilt=dict(config=VILT),
                tokenizer=toy['tokenizer'],
                num_answers=12,
            )
        )


@pytest.mark.parametrize(
    'recipe',
    [
        'vilt_baseline',
        'clip_vilt',
        'clip_vilt_infonce',
        'clip_vilt_infonce_dot',
        'clip_vilt_sinkhorn',
    ],
)
def test_full_size_recipes_build_from_local_folders(toy, tmp_path, recipe):
    """The real recipes, with their checkpoints swapped for tiny local folders."""
    from transformers import CLIPConfig, CLIPModel, ViltConfig, ViltForQuestionAnswering

    cfg = Config.fromfile(str(ROOT / 'configs' / 'vqa' / f'{recipe}.py'))
    vilt_dir = tmp_path / 'vilt'
    ViltForQuestionAnswering(ViltConfig(**VILT)).save_pretrained(vilt_dir)
    model_cfg = cfg.model.to_dict()
    model_cfg.update(
        tokenizer=toy['tokenizer'], num_answers=12, vilt=dict(pretrained_path=str(vilt_dir))
    )
    if model_cfg['type'] == 'CLIPViLTVQA':
        clip_dir = tmp_path / 'clip'
        CLIPModel(CLIPConfig(**CLIP)).save_pretrained(clip_dir)
        model_cfg.update(clip=dict(pretrained_path=str(clip_dir)), clip_tokenizer=toy['tokenizer'])
    model = MODELS.build(model_cfg)
    losses = model(**batch_of(model, toy, 3), mode='loss')
    assert 'loss_vqa' in losses
    assert ('loss_align' in losses) == ('infonce' in recipe)
    assert ('loss_local_align' in losses) == ('sinkhorn' in recipe)


def test_global_image_feature_is_get_image_features(toy):
    """The InfoNCE image side equals CLIPModel.get_image_features (a tensor in
    transformers 4, an output object in 5: pooled_tensor reads both)."""
    from vltoolkit.models.clip_vilt import pooled_tensor

    model = MODELS.build(clip_vilt_cfg(toy, align_loss=dict(type='InfoNCELoss'))).eval()
    data = batch_of(model, toy, 3)
    feats = model.extract(data['inputs'], data['data_samples'], with_aux=True)
    ref = pooled_tensor(model.clip.get_image_features(pixel_values=data['inputs']['images']))
    assert torch.allclose(feats['image_embeds'], ref, atol=1e-6)
    assert pooled_tensor(ref) is ref
