"""Toy VLM folders and toy HOI batches for the pretrained VLM tests."""

import torch

from vltoolkit.datasets.collate import vl_collate
from vltoolkit.registry import DATASETS, MODELS

FAMILIES = dict(
    florence2=('Florence2VLM', dict(type='Florence2BoxCoder')),
    paligemma=('PaliGemmaVLM', dict(type='PaliGemmaBoxCoder')),
    kosmos2=('Kosmos2VLM', dict(type='PatchIndexBoxCoder')),
)
IMG = 64


def toy_hoi_texts_and_samples(root, family, num=8):
    """The first ``num`` (prompt, target) samples of a toy HOI set in the
    family's location tokens, before tokenisation."""
    from vltoolkit.datasets.toy import make_toy_hoi

    data = root / 'toy_hoi'
    if not (data / 'annotations').exists():
        make_toy_hoi(str(data), num_train=6, num_test=1, seed=0)
    coder = FAMILIES[family][1]
    dataset = DATASETS.build(
        dict(
            type='HOIRelationDataset',
            data_root=str(data),
            ann_file='annotations/train.json',
            data_prefix=dict(img_path='images/train'),
            localization_task='hoi_loc',
            pipeline=[
                dict(type='LoadImage'),
                dict(type='ClipBoxesToImage'),
                dict(type='ResizeImageAndBoxes', scale=(IMG, IMG)),
                dict(type='HOIRelationPrompt', box_coder=coder),
            ],
        )
    )
    samples = [dataset[i] for i in range(num)]
    texts = [s['prompt'] for s in samples] + [s['target_text'] for s in samples]
    return texts, samples


def tokenizer_cfg(folder, family):
    return dict(
        type='VLTokenizer',
        path=str(folder),
        box_coder=FAMILIES[family][1],
        add_location_tokens=False,
    )


def build_vlm(folder, family, **kw):
    cfg = dict(
        type=FAMILIES[family][0],
        pretrained=str(folder),
        tokenizer=tokenizer_cfg(folder, family),
        generation_cfg=dict(max_new_tokens=24, num_beams=1),
    )
    cfg.update(kw)
    return MODELS.build(cfg)


def make_batch(model, samples):
    """Tokenise and collate ``samples`` -> preprocessed model inputs."""
    from vltoolkit.structures import VLDataSample

    tok = model.tokenizer
    items = []
    for s in samples:
        img = torch.from_numpy(s['img'].transpose(2, 0, 1).copy())
        items.append(
            dict(
                inputs=dict(
                    image=img,
                    input_ids=torch.tensor(tok.encode(s['prompt'])),
                    labels=torch.tensor(tok.encode(s['target_text'])),
                ),
                data_samples=VLDataSample(target_text=s['target_text']),
            )
        )
    return model.data_preprocessor(vl_collate(items), True)
