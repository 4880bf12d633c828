"""Train a word-level tokenizer on a recipe's training texts.

``python tools/data/build_tokenizer.py CONFIG [--out DIR]``

For recipes without a pretrained tokenizer (the toy ones): collects the
words of the training targets, entity names and prompt templates, adds the
box coder's location tokens as special tokens, and saves a transformers
tokenizer to ``tokenizer.path`` of the config (or ``--out``), which
``VLTokenizer`` then loads like any pretrained one.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from mmengine.config import Config  # noqa: E402

from vltoolkit.registry import BOX_CODERS, DATASETS, TRANSFORMS  # noqa: E402
from vltoolkit.tokenization import train_word_level_tokenizer  # noqa: E402

TEXT_KEYS = ('target_text', 'relation_text', 'subject_name', 'object_name',
             'expression', 'caption', 'question', 'answer')
TEMPLATE_ATTRS = ('template', 'templates', 'target_templates', 'no_object')


def _strings(value):
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    return []


def collect_texts(cfg) -> list:
    """Texts of the training data infos plus every template string of the
    training pipeline (read from the built transforms, defaults included)."""
    dataset_cfg = dict(cfg.train_dataloader.dataset)
    pipeline = dataset_cfg.get('pipeline', [])
    dataset_cfg['pipeline'] = []
    dataset = DATASETS.build(dataset_cfg)
    texts = []
    for info in dataset.load_data_list():
        texts += [s for k in TEXT_KEYS for s in _strings(info.get(k))]
    for step in pipeline:
        transform = TRANSFORMS.build(step)
        texts += [s for a in TEMPLATE_ATTRS for s in _strings(getattr(transform, a, None))]
    return texts


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('--out', help='output folder (default: tokenizer.path of the config)')
    args = parser.parse_args()
    cfg = Config.fromfile(args.config)
    from mmengine.registry import init_default_scope
    init_default_scope('vltoolkit')
    out = args.out or cfg.tokenizer['path']
    coder = BOX_CODERS.build(cfg.tokenizer['box_coder'])
    texts = collect_texts(cfg)
    tokenizer = train_word_level_tokenizer(texts, out, special_tokens=coder.location_tokens)
    print(f'saved a {len(tokenizer)}-token tokenizer ({len(coder.location_tokens)} '
          f'location tokens) trained on {len(texts)} texts to {out}')


if __name__ == '__main__':
    main()
