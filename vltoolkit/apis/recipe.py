"""What a recipe (config) says about reading its answers, without building
its model or touching its files: box coder, dataset metainfo, relation tasks."""

from typing import TYPE_CHECKING, Any, Optional

from mmengine.config import Config

from vltoolkit.registry import DATASETS

if TYPE_CHECKING:
    from vltoolkit.tokenization import BaseBoxCoder


def recipe_box_coder(cfg: Config, model: Any = None) -> Optional['BaseBoxCoder']:
    """The box coder of the recipe: the model tokenizer's, else the config's
    top-level ``box_coder``, else the one in ``model.tokenizer``; None when
    the recipe writes no boxes."""
    from vltoolkit.tokenization import build_box_coder

    coder = getattr(getattr(model, 'tokenizer', None), 'box_coder', None)
    if coder is not None:
        return coder
    if cfg.get('box_coder') is not None:
        return build_box_coder(cfg.box_coder)
    tok = (cfg.get('model') or {}).get('tokenizer') or {}
    if isinstance(tok, dict) and tok.get('box_coder') is not None:
        return build_box_coder(tok['box_coder'])
    return None


def recipe_metainfo(dataset_cfg: dict) -> dict:
    """The dataset class's ``METAINFO`` updated with the config's ``metainfo``."""
    try:
        cls = DATASETS.get(dataset_cfg.get('type'))
    except Exception:  # noqa: BLE001 - a dataset type unknown here
        cls = None
    meta = dict(getattr(cls, 'METAINFO', {}) or {})
    meta.update(dataset_cfg.get('metainfo') or {})
    return meta


def recipe_relation_tasks(cfg: Config) -> Optional[tuple]:
    """The tasks a ``MacroF1`` of the recipe's test evaluator scores: a
    tuple, None for every task, ``()`` when no MacroF1 is configured."""
    evaluators = cfg.get('test_evaluator') or []
    if isinstance(evaluators, dict):
        evaluators = [evaluators]
    for ev in evaluators:
        if ev.get('type') == 'MacroF1':
            tasks = ev.get('tasks')
            return tuple(tasks) if tasks is not None else None
    return ()


def split_dataloader(cfg: Config, split: str) -> Any:
    """``cfg.{split}_dataloader`` with a clear error for an unknown split."""
    key = f'{split}_dataloader'
    if cfg.get(key) is None:
        raise KeyError(
            f'the config has no {key}; splits: '
            f'{[k[:-11] for k in cfg if k.endswith("_dataloader")]}'
        )
    return cfg[key]
