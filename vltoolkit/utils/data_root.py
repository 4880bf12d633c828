"""A missing ``data_root`` is reported as one, before anything under it is read.

The toy recipes read their tokenizer from ``${data_root}/tokenizer`` and every
recipe reads its annotations from ``data_root``; when the folder itself is
missing (a typo, a data set not yet prepared, a relative path run from another
directory), the first error used to be the tokenizer folder's.
:func:`check_data_root` names the key, the config and the docs page that gives
the folder layout instead. ``build_runner`` (train / test) and
``tools/data/build_tokenizer.py`` call it once the config's ``${...}``
references are filled.
"""

import os.path as osp
from collections.abc import Mapping

#: dataset type -> (the docs page with its folder layout, its toy set in make_toy.py)
DATA_PAGES = {
    'HOIRelationDataset': ('docs/datasets/hoi.md', 'hoi'),
    'RefCOCODataset': ('docs/datasets/refcoco.md', 'refcoco'),
    'VQAv2Dataset': ('docs/datasets/vqa.md', 'vqa'),
    'HowTo100MFeatureDataset': ('docs/datasets/mcn.md', 'mcn'),
    'MCNEvalFeatureDataset': ('docs/datasets/mcn.md', 'mcn'),
    'COCOCaptionDataset': ('docs/datasets/multitask.md', 'multitask'),
    'COCOCategorizationDataset': ('docs/datasets/multitask.md', 'multitask'),
    'VGRegionCaptionDataset': ('docs/datasets/multitask.md', 'multitask'),
}


class DataRootError(FileNotFoundError):
    """The config's ``data_root`` is not a folder."""


def _dataset_types(node):
    """Every ``type`` string inside the dataloader configs."""
    if isinstance(node, Mapping):
        if isinstance(node.get('type'), str):
            yield node['type'].split('.')[-1]
        for value in node.values():
            yield from _dataset_types(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from _dataset_types(value)


def data_pages(cfg) -> list:
    """``[(page, toy set), ...]`` of the data sets the config's dataloaders read."""
    loaders = [cfg.get(f'{split}_dataloader') for split in ('train', 'val', 'test')]
    found = [DATA_PAGES[t] for t in _dataset_types(loaders) if t in DATA_PAGES]
    return list(dict.fromkeys(found))


def check_data_root(cfg) -> None:
    """Raise :class:`DataRootError` when ``cfg.data_root`` is set but is not a
    folder, naming the key, the config, the docs page of the data set's layout
    and, for a toy recipe, the command that makes its data."""
    data_root = cfg.get('data_root')
    if not isinstance(data_root, str) or osp.isdir(data_root):
        return
    config = getattr(cfg, 'filename', None) or 'the config'
    pages = data_pages(cfg)
    layout = ' / '.join(page for page, _ in pages) or 'docs/datasets/'
    fixes = [f'put the data set there (folder layout: {layout})']
    if str(config).endswith('_toy.py') and pages:
        toy = pages[0][1]
        fixes.insert(
            0,
            f'make the toy set: python tools/data/make_toy.py {toy} --out {data_root} '
            f'and its tokenizer: python tools/data/build_tokenizer.py {config} '
            f'--cfg-options data_root={data_root}',
        )
    fixes.append('or point the key at your folder: --cfg-options data_root=/path/to/data')
    raise DataRootError(
        f'data_root={data_root!r} (from {config}) is not a folder '
        f'(resolved: {osp.abspath(data_root)!r}); everything the recipe reads from it '
        '(annotations, images, a toy recipe\'s tokenizer) is missing. Fix: ' + '; '.join(fixes)
    )
