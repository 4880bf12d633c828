"""Load a recipe's checkpoint into its model, strictly."""

from typing import Optional

from mmengine.runner.checkpoint import _load_checkpoint, _load_checkpoint_to_model
from torch import nn

from vltoolkit.engine.hooks.checkpoint_match_hook import (
    CheckpointMismatchError,
    compare_state_dicts,
    strict_problems,
)

__all__ = ['CheckpointMismatchError', 'load_recipe_checkpoint']


def load_recipe_checkpoint(
    model: nn.Module, checkpoint: str, config_name: Optional[str] = None
) -> dict:
    """Load ``checkpoint`` (through the safe loader) into ``model``; every
    key must match in name and shape: the same comparison as
    :class:`~vltoolkit.engine.hooks.CheckpointMatchHook` applies to
    ``tools/test.py`` and ``--resume``, here with checkpoint-only keys refused
    too.

    Raises:
        CheckpointMismatchError: naming the missing, unexpected and mis-shaped
            keys (a few of each), the checkpoint and the config.
    """
    ckpt = _load_checkpoint(checkpoint, map_location='cpu')
    state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else ckpt
    state = {k[len('module.') :] if k.startswith('module.') else k: v for k, v in state.items()}
    problems = strict_problems(
        compare_state_dicts(model.state_dict(), state), refuse_unexpected=True
    )
    if problems:
        raise CheckpointMismatchError(
            f'checkpoint {checkpoint} does not fit the model of '
            f'{config_name or "the config"}: '
            + '; '.join(problems)
            + '. Is it a checkpoint of another recipe? Pass the config it was '
            "trained with (the checkpoint stores it under meta['cfg'])."
        )
    _load_checkpoint_to_model(model, state, strict=True)
    return ckpt
