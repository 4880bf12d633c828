"""Load a recipe's checkpoint into its model, strictly."""
from mmengine.runner.checkpoint import _load_checkpoint, _load_checkpoint_to_model


class CheckpointMismatchError(RuntimeError):
    """A checkpoint whose weights do not fit the recipe's model."""


def load_recipe_checkpoint(model, checkpoint: str, config_name: str = None) -> dict:
    """Load ``checkpoint`` (through the safe loader) into ``model``; every
    key must match in name and shape.

    Raises:
        CheckpointMismatchError: naming the missing, unexpected and mis-shaped
            keys (a few of each), the checkpoint and the config.
    """
    ckpt = _load_checkpoint(checkpoint, map_location='cpu')
    state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else ckpt
    state = {k[len('module.'):] if k.startswith('module.') else k: v
             for k, v in state.items()}
    own = model.state_dict()
    missing = sorted(set(own) - set(state))
    unexpected = sorted(set(state) - set(own))
    shapes = sorted(k for k in set(own) & set(state)
                    if tuple(own[k].shape) != tuple(getattr(state[k], 'shape', ())))
    if missing or unexpected or shapes:
        def few(keys):
            return ', '.join(keys[:5]) + (f' (+{len(keys) - 5} more)' if len(keys) > 5 else '')
        parts = []
        if missing:
            parts.append(f'{len(missing)} missing: {few(missing)}')
        if unexpected:
            parts.append(f'{len(unexpected)} unexpected: {few(unexpected)}')
        if shapes:
            parts.append(f'{len(shapes)} of another shape: ' + few(
                [f'{k} {tuple(state[k].shape)} vs {tuple(own[k].shape)}'
                 for k in shapes]))
        raise CheckpointMismatchError(
            f'checkpoint {checkpoint} does not fit the model of '
            f'{config_name or "the config"}: ' + '; '.join(parts) +
            '. Is it a checkpoint of another recipe? Pass the config it was '
            'trained with.')
    _load_checkpoint_to_model(model, state, strict=True)
    return ckpt
