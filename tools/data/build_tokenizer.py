"""Build the word-level tokenizer a recipe needs (the one tokenizer tool).

``python tools/data/build_tokenizer.py CONFIG [--out DIR] [--cfg-options KEY=VALUE ...]``:
from a recipe.
``python tools/data/build_tokenizer.py --texts FILE [FILE ...] --out DIR
[--box-coder JSON] [--special-tokens TOK ...]``: from text files, one text
per line (for your own corpus).

From a recipe: for recipes without a pretrained tokenizer (the toy ones): collects the
words of the training targets, entity names and prompt templates, adds the
box coder's location tokens, the tokenizer's ``extra_special_tokens`` and the
special tokens of the training pipelines (the ``SpanMasking`` sentinels
``<mask_0>``, ...) as special tokens, and saves a transformers tokenizer to
``tokenizer.path`` of the config (or ``--out``), which ``VLTokenizer`` then
loads like any pretrained one. A ``MultiTaskDataset`` (or ``ConcatDataset``,
``RepeatDataset``, ...) is walked into: every task data set gives its texts
and every task pipeline its templates.
"""

import argparse
import json

from vltoolkit.engine.runner import prepare_config
from vltoolkit.registry import BOX_CODERS, DATASETS, TRANSFORMS
from vltoolkit.tokenization import train_word_level_tokenizer
from vltoolkit.utils.cli import CfgOptionsAction
from vltoolkit.utils.data_root import check_data_root

TEXT_KEYS = (
    'target_text',
    'relation_text',
    'subject_name',
    'object_name',
    'expression',
    'caption',
    'question',
    'answer',
    'category',
    'gt_captions',
    'multiple_choice_answer',
)
TEMPLATE_ATTRS = ('template', 'templates', 'target_templates', 'no_object')
# wrapper data sets: the key holding their inner data set config(s)
WRAPPER_KEYS = ('datasets', 'dataset')


def _strings(value):
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    return []


def leaf_datasets(dataset_cfg) -> list:
    """``(dataset config, pipeline)`` of every data set a (possibly
    wrapping) data set config holds: a ``MultiTaskDataset`` /
    ``ConcatDataset`` (``datasets=[...]``) or ``RepeatDataset`` /
    ``ClassBalancedDataset`` (``dataset=...``) is walked into; a leaf is a
    config without those keys. Each leaf config has ``pipeline=[]``."""
    dataset_cfg = dict(dataset_cfg)
    for key in WRAPPER_KEYS:
        inner = dataset_cfg.get(key)
        if isinstance(inner, dict):
            return leaf_datasets(inner)
        if isinstance(inner, (list, tuple)) and inner and all(isinstance(c, dict) for c in inner):
            return [leaf for c in inner for leaf in leaf_datasets(c)]
    pipeline = dataset_cfg.get('pipeline') or []
    dataset_cfg['pipeline'] = []
    return [(dataset_cfg, list(pipeline))]


def collect_texts(cfg) -> list:
    """Texts of the training data infos plus every template string of the
    training pipelines (read from the built transforms, defaults included)."""
    texts = []
    for dataset_cfg, pipeline in leaf_datasets(cfg.train_dataloader.dataset):
        dataset = DATASETS.build(dataset_cfg)
        for info in dataset.load_data_list():
            texts += [s for k in TEXT_KEYS for s in _strings(info.get(k))]
        for step in pipeline:
            transform = TRANSFORMS.build(step)
            texts += [s for a in TEMPLATE_ATTRS for s in _strings(getattr(transform, a, None))]
    return texts


def location_tokens(cfg) -> list:
    """The location tokens of ``tokenizer.box_coder``; none for a tokenizer
    without a box coder (``HFTokenizer``, e.g. the VQA recipes)."""
    coder_cfg = cfg.tokenizer.get('box_coder')
    if coder_cfg is None:
        return []
    return list(BOX_CODERS.build(coder_cfg).location_tokens)


def collect_special_tokens(cfg) -> list:
    """The special tokens of the tokenizer, in id order: the box coder's
    location tokens, the tokenizer's ``extra_special_tokens``, then the
    ``special_tokens`` of the training pipelines' transforms (the
    ``SpanMasking`` sentinels) not listed yet."""
    tokens = location_tokens(cfg)
    tokens += list(cfg.tokenizer.get('extra_special_tokens') or ())
    for _, pipeline in leaf_datasets(cfg.train_dataloader.dataset):
        for step in pipeline:
            tokens += list(getattr(TRANSFORMS.build(step), 'special_tokens', ()) or ())
    return list(dict.fromkeys(tokens))


def _read_lines(paths):
    for path in paths:
        with open(path, encoding='utf-8') as f:
            yield from (line.rstrip('\n') for line in f if line.strip())


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        'config', nargs='?', help='a recipe: train on its training texts and templates'
    )
    parser.add_argument(
        '--out',
        '--out-dir',
        dest='out',
        help='output folder (default: tokenizer.path of the config)',
    )
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=CfgOptionsAction,
        metavar='KEY=VALUE',
        help='override config keys as in tools/train.py, e.g. data_root=...',
    )
    parser.add_argument(
        '--texts', nargs='+', help='instead of a config: text files, one text per line'
    )
    parser.add_argument(
        '--box-coder',
        help='with --texts: JSON config of a box coder '
        'whose location tokens become special tokens, e.g. '
        '\'{"type": "BinBoxCoder", "num_bins": 1000}\'',
    )
    parser.add_argument(
        '--special-tokens',
        nargs='*',
        default=[],
        help='more special tokens (after the location tokens)',
    )
    parser.add_argument('--vocab-size', type=int, default=None)
    parser.add_argument('--min-frequency', type=int, default=1)
    args = parser.parse_args(argv)
    if (args.config is None) == (args.texts is None):
        parser.error('give a CONFIG or --texts FILE ... (not both)')
    if args.texts and not args.out:
        parser.error('--texts needs --out DIR')
    return args


def main(argv=None):
    args = parse_args(argv)
    from mmengine.registry import init_default_scope

    init_default_scope('vltoolkit')
    if args.config is not None:
        cfg = prepare_config(args.config, args.cfg_options)
        check_data_root(cfg)  # the texts come from the data under data_root
        out = args.out or cfg.tokenizer['path']
        n_location = len(location_tokens(cfg))
        texts = collect_texts(cfg)
        special = collect_special_tokens(cfg)
    else:
        out, texts = args.out, list(_read_lines(args.texts))
        special = list(
            BOX_CODERS.build(json.loads(args.box_coder)).location_tokens if args.box_coder else []
        )
        n_location = len(special)
    special = list(dict.fromkeys(special + list(args.special_tokens)))
    tokenizer = train_word_level_tokenizer(
        texts,
        out,
        special_tokens=special,
        vocab_size=args.vocab_size,
        min_frequency=args.min_frequency,
    )
    extra = len(special) - n_location
    print(
        f'saved a {len(tokenizer)}-token tokenizer ({n_location} '
        f'location tokens'
        + (f', {extra} other special tokens' if extra else '')
        + f') trained on {len(texts)} texts to {out}'
    )
    return tokenizer


if __name__ == '__main__':
    main()
